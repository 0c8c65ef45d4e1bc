"""Arrow tables, polars frames and lists of dicts are taken where a pandas frame is."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from bulkprep import prepare, submit
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.frames import as_pandas
from bulkprep.status import Column, RowStatus

MAPPING = {"profile": {"email": "Email"}, "recipient": {"column": "Id", "cast": "str"}}


def test_a_pandas_frame_passes_as_it_is() -> None:
    frame = pd.DataFrame({"Email": ["a@b.co"]})
    assert as_pandas(frame) is frame


def test_a_list_of_dicts_becomes_a_frame_with_gaps_as_missing() -> None:
    frame = as_pandas([{"Email": "a@b.co", "Id": "7"}, {"Email": "c@d.co"}])
    assert frame.columns.tolist() == ["Email", "Id"]
    assert frame["Id"].isna().tolist() == [False, True]


@pytest.mark.parametrize("table", [42, "users.csv", [1, 2], None])
def test_what_is_no_table_says_so_rather_than_a_type_error(table: object) -> None:
    with pytest.raises(InputError, match="must be a table"):
        as_pandas(table)
    with pytest.raises(InputError, match="must be a table"):
        prepare(table, MAPPING)  # type: ignore[arg-type]


def test_submit_names_what_it_takes(clean_env: None) -> None:
    with pytest.raises(ConfigurationError, match=r"must be a table.*result of prepare"):
        submit(42, event="WELCOME", dry_run=True, progress=False)  # type: ignore[arg-type]


def test_arrow_table_keeps_strings_and_whole_numbers() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {"Email": ["a@b.co", None, "c@d.co"], "Zip": ["00123", "02134", None], "Id": [1, None, 3]}
    )
    frame = as_pandas(table)
    assert frame["Zip"].tolist()[:2] == ["00123", "02134"]
    assert frame["Id"].dtype == "Int64"
    assert frame["Id"].tolist()[0] == 1
    assert frame["Id"].isna().tolist() == [False, True, False]


def test_arrow_record_batch_is_taken_too() -> None:
    pa = pytest.importorskip("pyarrow")
    batch = pa.record_batch({"Email": ["a@b.co"]})
    assert as_pandas(batch)["Email"].tolist() == ["a@b.co"]


def test_prepare_takes_an_arrow_table_and_sends_whole_ids() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"Email": ["ann@example.com", "bad", "bob@example.com"], "Id": [41, None, 43]})
    prepared = prepare(table, MAPPING)
    assert prepared.df[Column.STATUS.value].tolist() == [RowStatus.READY, RowStatus.INVALID, RowStatus.READY]
    users = prepared.ready[Column.USER.value].tolist()
    assert [user["recipient"] for user in users] == ["41", "43"]


def test_prepare_and_submit_take_a_polars_frame(clean_env: None) -> None:
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    emails = ["ann@example.com", "ann@example.com", "bob@example"]
    users = pl.DataFrame({"Email": emails, "Id": ["1", "1", "3"]})
    prepared = prepare(users, MAPPING)
    assert prepared.summary == {"ready": 1, "invalid": 1, "duplicate": 1}
    result = submit(users, MAPPING, event="WELCOME", dry_run=True, progress=False)
    assert result.summary[RowStatus.READY.value] == 1
    lazy = prepare(users.lazy(), MAPPING)
    assert lazy.summary == prepared.summary


def test_polars_without_pyarrow_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    pl = pytest.importorskip("polars")
    users = pl.DataFrame({"Email": ["ann@example.com"]})
    # None in sys.modules makes `import pyarrow` fail, as on a machine without it.
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="install pyarrow"):
        prepare(users, MAPPING)
