"""Progress bars leave their final state as one line of text in a notebook without ipywidgets."""

from __future__ import annotations

import io
import sys
import types

import pandas as pd
import pytest
from conftest import TOKEN

from bulkprep import submit
from bulkprep.progress import _FinalLine, display_mode, progress_bar
from bulkprep.sandbox import Sandbox


@pytest.fixture
def kernel_without_widgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Jupyter kernel as tqdm tells one (its shell module loaded), and no ipywidgets to import."""
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    monkeypatch.setitem(sys.modules, "ipywidgets", None)


def test_outside_a_notebook_the_bar_is_tqdms_own() -> None:
    assert display_mode() == "console"
    bar = progress_bar(total=2, unit="row", desc="submitting", enabled=True, out=io.StringIO())
    bar.close()
    assert not isinstance(bar, _FinalLine)


@pytest.mark.usefixtures("kernel_without_widgets")
def test_in_a_kernel_without_widgets_only_the_final_state_is_printed_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert display_mode() == "text"
    out = io.StringIO()
    with progress_bar(total=4, unit="row", desc="submitting", enabled=True, out=out) as bar:
        for _ in range(4):
            bar.update(1)
            bar.set_postfix(batches="1/1")
        assert out.getvalue() == ""  # nothing drawn while it moves
    bar.close()  # closing again prints nothing more
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("submitting: 100%")
    assert "4/4" in lines[0]
    assert "batches=1/1" in lines[0]
    assert "\r" not in out.getvalue()
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("kernel_without_widgets")
def test_a_disabled_bar_prints_nothing_in_a_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(total=2, unit="row", desc="submitting", enabled=False) as bar:
        bar.update(2)
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("kernel_without_widgets")
def test_a_submission_leaves_one_line_per_bar(capsys: pytest.CaptureFixture[str], clean_env: None) -> None:
    users = pd.DataFrame({"Email": [f"user{i}@example.com" for i in range(5)]})
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        result = submit(
            users,
            {"profile": {"email": "Email"}},
            event="WELCOME",
            run=True,
            wait=True,
            api_key=sandbox.token,
            base_url=sandbox.url,
        )
    assert result.summary["accepted"] == 5
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert [line.split(":")[0] for line in lines] == ["submitting", "running", "outcomes"]
    assert "5/5" in lines[0]
    assert "5/5" in lines[1]


def test_with_widgets_the_bar_is_the_widget_one_and_leaves_a_final_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ipywidgets")
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    assert display_mode() == "widgets"
    with progress_bar(total=3, unit="row", desc="submitting", enabled=True) as bar:
        bar.update(3)
    assert capsys.readouterr().err.strip().startswith("submitting: 100%")
