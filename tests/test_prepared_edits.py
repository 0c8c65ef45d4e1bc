"""A Prepared whose mapped input columns were edited after prepare() is refused by submit, before anything
is sent: its users were made from the values before the edit, and the results would show the edit."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import TOKEN

from bulkprep import prepare, submit
from bulkprep.errors import ConfigurationError
from bulkprep.sandbox import Sandbox

SPEC = {"recipient": "id", "profile": {"email": "email"}}


def users() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["u0", "u1"], "email": ["u0@example.com", "u1@example.com"], "note": ["a", "b"]}
    )


def send(prepared: object, sandbox: Sandbox) -> object:
    return submit(prepared, event="E", api_key=TOKEN, base_url=sandbox.url, progress=False)  # type: ignore[arg-type]


def test_an_edited_input_column_is_refused_before_anything_is_sent(sandbox: Sandbox) -> None:
    prepared = prepare(users(), SPEC)
    prepared.df.loc[prepared.df.index[0], "email"] = "not-an-email"
    with pytest.raises(ConfigurationError, match=r"column 'email' of prepared\.df changed after prepare\(\)"):
        send(prepared, sandbox)
    assert sandbox.jobs == {}


def test_a_dropped_input_column_is_refused_too(sandbox: Sandbox) -> None:
    prepared = prepare(users(), SPEC)
    del prepared.df["id"]
    with pytest.raises(ConfigurationError, match="'id'"):
        send(prepared, sandbox)


def test_edits_of_columns_the_mapping_does_not_read_or_of_statuses_are_sent(sandbox: Sandbox) -> None:
    prepared = prepare(users(), SPEC)
    prepared.df["note"] = "changed"
    prepared.df.loc[prepared.df.index[1], "bulk_status"] = "invalid"  # set aside by hand
    result = send(prepared, sandbox)
    assert result.df["bulk_status"].tolist() == ["accepted", "invalid"]  # type: ignore[attr-defined]


def test_the_original_frame_edited_after_prepare_changes_nothing(sandbox: Sandbox) -> None:
    frame = users()
    prepared = prepare(frame, SPEC)
    frame.loc[0, "email"] = "edited@example.com"  # prepare copied it: prepared.df is as it was
    result = send(prepared, sandbox)
    assert result.summary["accepted"] == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("dtype", ["object", "string[python]", "string[pyarrow]"])
def test_edits_are_told_apart_whatever_holds_the_column(dtype: str) -> None:
    # Arrow-backed columns are kept as their (immutable) arrays, others as a digest of their values.
    prepared = prepare(users().astype(dtype), SPEC)
    prepared.check_unchanged()
    prepared.df["email"] = prepared.df["email"].copy()  # the same values again: not an edit
    prepared.check_unchanged()
    prepared.df.loc[prepared.df.index[1], "email"] = "u9@example.com"
    with pytest.raises(ConfigurationError, match="'email'"):
        prepared.check_unchanged()
    prepared.df.loc[prepared.df.index[1], "email"] = "u1@example.com"  # edited back: as prepare() read it
    prepared.check_unchanged()
