"""The batch worker's outcomes merged onto the prepared frame (the sending is tested through submit)."""

from __future__ import annotations

import pandas as pd
from prepared_frames import prepared_frame

from bulkprep.report import ErrorCode
from bulkprep.sending import Outcomes, accepted_users, input_columns, result_frame
from bulkprep.status import BULK_COLUMNS, RowStatus


def frame() -> pd.DataFrame:
    users = [{"recipient": f"u{i}"} for i in range(4)]
    return prepared_frame([*users, None], [*["ready"] * 4, "invalid"])


def test_outcomes_land_on_their_rows_and_the_rest_keep_their_status() -> None:
    prepared = frame()
    outcomes = Outcomes()
    outcomes.settle([2, 3], RowStatus.ACCEPTED, batch=1)
    outcomes.settle([4], RowStatus.REJECTED, batch=2)
    outcomes.settle([5], RowStatus.FAILED, batch=2)
    outcomes.error([4], ErrorCode.COURIER_REJECTED, "Courier refused the user: Duplicate user")
    outcomes.error([4], ErrorCode.COURIER_REJECTED, "Courier refused the user: again")
    outcomes.error([-1], ErrorCode.UNMATCHED_ERROR, "matches no single row")
    outcomes.delivery[2] = ("ENQUEUED", "m-2")
    out = result_frame(prepared, outcomes)
    assert out["bulk_status"].tolist() == ["accepted", "accepted", "rejected", "failed", "invalid"]
    assert out["bulk_batch"].tolist() == [1, 1, 2, 2, pd.NA]
    assert out["bulk_error"].tolist()[2] == (
        "Courier refused the user: Duplicate user; Courier refused the user: again"
    )
    assert out["bulk_error"].tolist()[4] == "invalid row"  # prepare's words stay
    assert out["bulk_delivery_status"].tolist() == ["ENQUEUED", None, None, None, None]
    assert out["bulk_message_id"].tolist()[0] == "m-2"
    assert list(out.columns) == [*input_columns(prepared), *BULK_COLUMNS]
    assert all(type(column) is str for column in out.columns)
    assert prepared["bulk_status"].tolist() == [*["ready"] * 4, "invalid"]  # the input is not changed


def test_planned_batches_show_for_a_dry_run() -> None:
    out = result_frame(frame(), Outcomes(), {2: 1, 3: 1, 4: 2, 5: 2})
    assert out["bulk_batch"].tolist() == [1, 1, 2, 2, pd.NA]
    assert out["bulk_status"].tolist()[:4] == ["ready"] * 4


def test_accepted_users_include_rows_accepted_by_an_earlier_submission() -> None:
    prepared = frame()
    prepared.loc[prepared["bulk_row"] == 6, "bulk_status"] = "accepted"
    prepared.at[prepared.index[4], "bulk_user"] = {"recipient": "earlier"}
    outcomes = Outcomes()
    outcomes.settle([3], RowStatus.ACCEPTED, batch=1)
    outcomes.settle([2], RowStatus.REJECTED, batch=1)
    users = accepted_users(prepared, outcomes)
    assert users.to_dict() == {3: {"recipient": "u1"}, 6: {"recipient": "earlier"}}
