"""Placeholders for "no value" (n/a, -, none) in email and phone cells are empty cells, listed in changes."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import prepare
from bulkprep.normalize import placeholders


@pytest.mark.parametrize("cell", ["n/a", "N/A", " n/a ", "-", "—", "–", "none", "None", "NULL"])
def test_a_placeholder_phone_leaves_the_row_ready_without_a_phone(cell: str) -> None:
    users = pd.DataFrame({"id": ["u1"], "Email": ["ann@example.com"], "Phone": [cell]})
    prepared = prepare(users, {"recipient": "id", "profile": {"email": "Email", "phone_number": "Phone"}})
    assert prepared.summary == {"ready": 1, "invalid": 0, "duplicate": 0}
    assert prepared.df["bulk_user"].iloc[0] == {"recipient": "u1", "profile": {"email": "ann@example.com"}}
    change = prepared.changes.iloc[0]
    assert (change["field"], change["original"], change["normalized"]) == ("profile.phone_number", cell, None)


def test_a_placeholder_email_is_empty_so_a_row_with_nothing_else_has_no_identity() -> None:
    users = pd.DataFrame({"Email": ["n/a", "bob@example.com"]})
    prepared = prepare(users, {"profile": {"email": "Email"}})
    assert prepared.df["bulk_status"].tolist() == ["invalid", "ready"]
    assert prepared.errors["code"].tolist() == ["no_identity"]


def test_values_that_only_look_empty_are_kept() -> None:
    cells = pd.Series(["NA", "n/a please call", "--", "0", "nobody@example.com", None])
    assert not placeholders(cells).any()
    assert not placeholders(pd.Series([1.5, 2.0], dtype=object)).any()
