"""Prepared frames built by hand, for the tests of submitting (they need no mapping or CSV)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def prepared_frame(users: list[dict[str, Any] | None], statuses: list[str] | None = None) -> pd.DataFrame:
    """One input column (``Name``) and the bulk_* columns ``prepare`` adds; rows keyed from line 2.

    A ``duplicate`` row points at row 2, an ``invalid`` or ``duplicate`` row has a ``bulk_error``.
    """
    statuses = statuses or ["ready"] * len(users)
    return pd.DataFrame(
        {
            "bulk_row": range(2, 2 + len(users)),
            "Name": [f"name {i}" for i in range(len(users))],
            "bulk_user": users,
            "bulk_status": statuses,
            "bulk_error": [None if s == "ready" else f"{s} row" for s in statuses],
            "bulk_duplicate_of": pd.array([2 if s == "duplicate" else None for s in statuses], dtype="Int64"),
        }
    )
