"""Duplicate detection: clusters over the identity keys, keep policies, reasons, error rows.

The rule for shared phones and the ``keys`` option have their own tables in test_duplicate_keys.py.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from duplicate_reference import reference_clusters
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.courier import IDENTITY_FIELDS
from bulkprep.duplicates import (
    DUPLICATE_COLUMNS,
    canonical_keys,
    duplicate_errors,
    flag_duplicates,
)
from bulkprep.errors import ConfigurationError
from bulkprep.report import ERROR_COLUMNS
from bulkprep.status import KeepPolicy, RowStatus

REASON = re.compile(
    r"same (?P<kind>user id|email|phone number) as row (?P<row>-?\d+) \((?P<value>.*)\)"
    r"(?:, which links to kept row (?P<kept>-?\d+))?"
)


def frame(columns: dict[str, list[Any]], rows: list[int] | None = None) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    index = pd.Index(rows if rows is not None else range(1, length + 1), name="bulk_row")
    return pd.DataFrame(columns, index=index, dtype="object")


def kept_of(flags: pd.DataFrame) -> list[Any]:
    return [None if pd.isna(v) else int(v) for v in flags["bulk_duplicate_of"]]


def test_canonical_keys() -> None:
    targets = frame(
        {
            "recipient": ["u1", " u1", "", None],
            "to.user_id": [7, None, "u2", None],
            "profile.email": [" Ann@Example.COM", "STRASSE@x.de", None, "straße@x.de"],
            "profile.phone_number": ["+12025550125", None, None, None],
            "data.plan": ["pro", "pro", "pro", "pro"],
        }
    )
    keys = canonical_keys(targets)
    assert list(keys.columns) == ["recipient", "to.user_id", "profile.email", "profile.phone_number"]
    assert keys.index.equals(targets.index)
    assert keys["recipient"].tolist() == ["u1", " u1", None, None]  # user ids as written
    assert keys["to.user_id"].tolist() == ["7", None, "u2", None]
    assert keys["profile.email"].tolist() == [
        "ann@example.com",
        "strasse@x.de",
        None,
        "straße@x.de",
    ]  # ß is no ss (IDNA2008)
    assert keys["profile.phone_number"].tolist() == ["+12025550125", None, None, None]


def test_chain_through_different_keys_is_one_cluster() -> None:
    targets = frame(
        {
            "profile.email": ["ann@example.com", "ANN@example.com", None, "zed@example.com"],
            "profile.phone_number": [None, "+12025550125", "+12025550125", None],
        },
        rows=[10, 11, 12, 13],
    )
    flags = flag_duplicates(targets)
    assert list(flags.columns) == list(DUPLICATE_COLUMNS)
    assert str(flags["bulk_duplicate_of"].dtype) == "Int64"
    assert kept_of(flags) == [None, 10, 10, None]
    assert flags["bulk_duplicate_reason"].tolist() == [
        None,
        "same email as row 10 (ann@example.com)",
        "same phone number as row 11 (+12025550125), which links to kept row 10",
        None,
    ]


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        ("first", [None, 1, 1, None]),
        ("last", [3, 3, None, None]),
        ("most_complete", [2, None, 2, None]),  # row 2 has the most fields filled
    ],
)
def test_keep_policies(keep: str, expected: list[Any]) -> None:
    targets = frame(
        {
            "recipient": ["u1", "u1", "u1", "u2"],
            "profile.email": [None, "a@example.com", None, None],
            "data.plan": [None, "pro", "pro", "pro"],
        }
    )
    assert kept_of(flag_duplicates(targets, keep=keep)) == expected  # type: ignore[arg-type]


def test_most_complete_ties_go_to_the_first_row() -> None:
    targets = frame({"recipient": ["u1", "u1", "u1"], "data.plan": [None, "pro", "basic"]})
    assert kept_of(flag_duplicates(targets, keep="most_complete")) == [2, None, 2]


def test_excluded_rows_take_no_part() -> None:
    # Row 2 links rows 1 and 3 (email with 1, phone with 3); excluded, it links nothing.
    targets = frame(
        {
            "profile.email": ["a@example.com", "a@example.com", None, "b@example.com", "b@example.com"],
            "profile.phone_number": [None, "+12025550125", "+12025550125", None, None],
        }
    )
    exclude = pd.Series([False, True, False, True, False], index=targets.index)
    assert kept_of(flag_duplicates(targets, exclude=exclude)) == [None, None, None, None, None]
    assert kept_of(flag_duplicates(targets)) == [None, 1, 1, None, 4]


def test_exclude_aligns_on_the_index_and_may_be_partial() -> None:
    targets = frame({"recipient": ["u1", "u1", "u1"]}, rows=[5, 6, 7])
    exclude = pd.Series([True, None], index=[5, 99], dtype="object")  # 6 and 7 missing: not excluded
    assert kept_of(flag_duplicates(targets, exclude=exclude)) == [None, None, 6]


def test_exclude_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="boolean Series"):
        flag_duplicates(frame({"recipient": ["u1", "u1"]}), exclude=[True])  # type: ignore[arg-type]


def test_rows_without_keys_are_never_duplicates() -> None:
    targets = frame({"recipient": [None, None, ""], "to.email": [None, None, "  "], "data.plan": ["a"] * 3})
    assert kept_of(flag_duplicates(targets)) == [None, None, None]


def test_frame_without_identity_columns() -> None:
    flags = flag_duplicates(frame({"data.plan": ["a", "a"]}))
    assert kept_of(flags) == [None, None]


def test_recipient_and_to_user_id_share_one_namespace() -> None:
    targets = frame({"recipient": ["u1", None, "u3"], "to.user_id": [None, "u1", "u1"]})
    flags = flag_duplicates(targets)
    assert kept_of(flags) == [None, 1, 1]
    assert flags.loc[2, "bulk_duplicate_reason"] == "same user id as row 1 (u1)"


def test_emails_across_profile_and_to_are_case_folded() -> None:
    targets = frame({"profile.email": ["Ann@Example.com", None], "to.email": [None, "ann@EXAMPLE.COM "]})
    assert kept_of(flag_duplicates(targets)) == [None, 1]


def test_namespaces_do_not_mix() -> None:
    targets = frame({"recipient": ["ann@example.com", None], "profile.email": [None, "ann@example.com"]})
    assert kept_of(flag_duplicates(targets)) == [None, None]


def test_the_preferred_key_is_named_when_several_link() -> None:
    targets = frame({"recipient": ["u1", "u1"], "profile.email": ["a@example.com", "a@example.com"]})
    assert flag_duplicates(targets).loc[2, "bulk_duplicate_reason"] == "same user id as row 1 (u1)"


def test_a_direct_link_to_the_kept_row_is_preferred() -> None:
    # Row 3 shares a phone with row 2 and an email with the kept row 1: the direct link is named.
    targets = frame(
        {
            "recipient": ["u1", "u1", None],
            "profile.email": [None, None, "c@example.com"],
            "to.email": ["c@example.com", None, None],
            "profile.phone_number": [None, "+12025550125", "+12025550125"],
        }
    )
    assert flag_duplicates(targets).loc[3, "bulk_duplicate_reason"] == "same email as row 1 (c@example.com)"


def test_long_shuffled_chain_is_one_cluster() -> None:
    # Row i shares an email with row i+1 when i is even and a user id when i is odd: one long chain.
    length = 3001
    order = np.random.default_rng(7).permutation(length)
    emails = np.array([f"e{i // 2}@example.com" for i in range(length)], dtype=object)[order]
    ids = np.array([f"u{(i + 1) // 2:04d}" for i in range(length)], dtype=object)[order]
    targets = frame({"profile.email": list(emails), "recipient": list(ids)})
    flags = flag_duplicates(targets, keep="last")
    assert flags["bulk_duplicate_of"].isna().sum() == 1
    assert set(flags["bulk_duplicate_of"].dropna()) == {length}


def test_long_shuffled_chain_of_phone_only_rows_is_one_cluster() -> None:
    # Row i holds phones i and i+1 and nothing else: a chain of phones, beside one anchored row.
    length = 3001
    order = np.random.default_rng(8).permutation(length)
    first = np.array([f"+1202555{i:04d}" for i in range(length)], dtype=object)[order]
    second = np.array([f"+1202555{i + 1:04d}" for i in range(length)], dtype=object)[order]
    emails = np.full(length, None, dtype=object)
    emails[0] = "a@example.com"  # the first row (in the frame's order) is anchored: the phones still link
    targets = frame(
        {"profile.email": list(emails), "profile.phone_number": list(first), "to.phone_number": list(second)}
    )
    flags = flag_duplicates(targets, keep="first")
    assert flags["bulk_duplicate_of"].isna().sum() == 1
    assert set(flags["bulk_duplicate_of"].dropna()) == {1}


def test_output_is_indexed_like_the_input_and_input_is_untouched() -> None:
    targets = frame({"recipient": ["u1", "u2", "u1"]}, rows=[9, 4, 7])
    before = targets.copy()
    flags = flag_duplicates(targets)
    assert flags.index.equals(targets.index)
    assert kept_of(flags) == [None, None, 9]
    pd.testing.assert_frame_equal(targets, before)


@pytest.mark.parametrize("keep", ["First", "oldest", None, ["first"], RowStatus.READY])
def test_invalid_keep_is_a_configuration_error(keep: Any) -> None:
    with pytest.raises(ConfigurationError, match="most_complete") as raised:
        flag_duplicates(frame({"recipient": ["u1"]}), keep=keep)
    assert str(raised.value).startswith("keep must be one of 'first', 'last', 'most_complete', not ")


@pytest.mark.parametrize("policy", list(KeepPolicy))
def test_keep_takes_a_policy_or_its_plain_string_alike(policy: KeepPolicy) -> None:
    targets = frame({"recipient": ["u1", "u2", "u1"], "data.plan": [None, None, "pro"]})
    by_policy = flag_duplicates(targets, keep=policy)
    pd.testing.assert_frame_equal(by_policy, flag_duplicates(targets, keep=policy.value))
    expected = {"first": [None, None, 1], "last": [3, None, None], "most_complete": [3, None, None]}
    assert kept_of(by_policy) == expected[policy.value]


def test_the_reasons_name_each_kind_of_key_as_before() -> None:
    targets = frame(
        {
            "recipient": ["u1", "u1", None, None, None, None],
            "profile.email": [None, None, "a@x.io", "A@x.io", None, None],
            "to.phone_number": [None, None, None, None, "+12025550125", "+12025550125"],
        }
    )
    reasons = flag_duplicates(targets)["bulk_duplicate_reason"].dropna().tolist()
    assert reasons == [
        "same user id as row 1 (u1)",
        "same email as row 3 (a@x.io)",
        "same phone number as row 5 (+12025550125)",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("KEEP_POLICIES", ("first", "last", "most_complete")),
        (
            "IDENTITY_FIELDS",
            {
                "recipient": "user id",
                "to.user_id": "user id",
                "profile.email": "email",
                "to.email": "email",
                "profile.phone_number": "phone number",
                "to.phone_number": "phone number",
            },
        ),
    ],
)
def test_names_that_moved_still_work_from_duplicates_with_a_warning(name: str, expected: Any) -> None:
    module = importlib.import_module("bulkprep.duplicates")
    with pytest.warns(DeprecationWarning, match=f"duplicates.{name} is deprecated"):
        assert getattr(module, name) == expected
    assert name not in module.__all__
    with pytest.raises(AttributeError):
        _ = module.NO_SUCH_NAME


def test_duplicate_errors_with_targets_name_field_value_and_column() -> None:
    targets = frame(
        {
            "recipient": ["u1", None, None],
            "profile.email": ["Ann@example.com", "ann@example.com", None],
            "to.phone_number": [None, "+12025550125", "+12025550125"],
        },
        rows=[2, 3, 4],
    )
    flags = flag_duplicates(targets)

    class Columns:
        def column_of(self, target: str) -> str | None:
            return {"profile.email": "Email"}.get(target)

    table = duplicate_errors(flags, targets=targets, mapping=Columns())
    assert list(table.columns) == list(ERROR_COLUMNS)
    assert table[["bulk_row", "stage", "field", "column", "code", "value"]].values.tolist() == [
        [3, "duplicate", "profile.email", "Email", "duplicate_user", "ann@example.com"],
        [4, "duplicate", "to.phone_number", None, "duplicate_user", "+12025550125"],
    ]
    assert table.loc[0, "message"].startswith("same email as row 2 (ann@example.com), so only row 2 is sent")
    assert table.loc[1, "message"].startswith(
        "same phone number as row 3 (+12025550125), which links to kept row 2"
    )
    assert "--keys user_id,email" in table.loc[1, "message"]
    # Only the flagged part of the flags, as the pipeline passes it, gives the same table.
    flagged = flags[flags["bulk_duplicate_of"].notna()]
    pd.testing.assert_frame_equal(duplicate_errors(flagged, targets=targets, mapping=Columns()), table)


def test_duplicate_errors_without_targets() -> None:
    flags = flag_duplicates(frame({"recipient": ["u1", "u1"]}))
    table = duplicate_errors(flags)
    assert table[["bulk_row", "field", "value"]].values.tolist() == [[2, None, None]]
    assert table.loc[0, "message"].startswith("same user id as row 1 (u1), so only row 1 is sent")


def test_duplicate_errors_of_no_duplicates_is_an_empty_table() -> None:
    table = duplicate_errors(flag_duplicates(frame({"recipient": ["u1", "u2"]})))
    assert table.empty
    assert list(table.columns) == list(ERROR_COLUMNS)


# --- properties ---------------------------------------------------------------------------------------

identity_values = {
    "recipient": st.sampled_from(["u1", "u2", "u3", None]),
    "to.user_id": st.sampled_from(["u1", "u4", None, None]),
    "profile.email": st.sampled_from(["a@x.com", "A@X.com", "b@x.com", None, None]),
    "to.email": st.sampled_from(["a@x.com", "c@x.com", None, None]),
    "profile.phone_number": st.sampled_from(["+12025550125", "+12025550126", None, None]),
    "data.plan": st.sampled_from(["pro", None]),
}
rows_strategy = st.lists(st.fixed_dictionaries(identity_values), max_size=12)


kinds_strategy = st.sampled_from(
    [
        ("user_id", "email", "phone"),
        ("user_id", "email", "phone"),
        ("user_id", "email"),
        ("user_id", "phone"),
        ("email", "phone"),
        ("phone",),
        ("user_id",),
    ]
)


@settings(max_examples=80, deadline=None)
@given(
    rows=rows_strategy,
    keep=st.sampled_from(["first", "last", "most_complete"]),
    kinds=kinds_strategy,
    data=st.data(),
)
def test_duplicate_properties(
    rows: list[dict[str, Any]], keep: str, kinds: tuple[str, ...], data: st.DataObject
) -> None:
    labels = data.draw(st.permutations(list(range(100, 100 + len(rows)))))
    targets = pd.DataFrame(rows, columns=list(identity_values), dtype="object")
    targets.index = pd.Index(labels, name="bulk_row", dtype="int64")
    excluded = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    exclude = pd.Series(excluded, index=targets.index)
    flags = flag_duplicates(targets, keep=keep, exclude=exclude, keys=kinds)  # type: ignore[arg-type]

    assert flags.index.equals(targets.index)
    cluster = dict(zip(targets.index, reference_clusters(targets, excluded, kinds), strict=True))
    kept_rows = {label for label in targets.index if pd.isna(flags.loc[label, "bulk_duplicate_of"])}
    for label in targets.index:
        kept = flags.loc[label, "bulk_duplicate_of"]
        reason = flags.loc[label, "bulk_duplicate_reason"]
        if pd.isna(kept):
            assert reason is None
            continue
        kept = int(kept)
        assert kept in kept_rows  # points at a kept row, never at a flagged one
        assert kept != label
        assert cluster[kept] == cluster[label]  # of its own cluster
        match = REASON.fullmatch(reason)
        assert match is not None
        kind = {"user id": "user_id", "email": "email", "phone number": "phone"}[match["kind"]]
        assert kind in kinds
        assert IDENTITY_FIELDS[flags.loc[label, "bulk_duplicate_field"]] == kind
        partner = int(match["row"])
        assert cluster[partner] == cluster[label]
        assert int(match["kept"] or partner) == kept
        assert match["value"] in canonical_keys(targets.loc[[label]]).iloc[0].tolist()
        assert match["value"] in canonical_keys(targets.loc[[partner]]).iloc[0].tolist()
    # exactly one kept row per cluster
    for members in pd.Series(list(cluster.values()), index=list(cluster)).groupby(lambda i: cluster[i]):
        assert len(kept_rows & set(members[1].index)) == 1
    positions = {label: i for i, label in enumerate(targets.index)}
    for label in kept_rows:
        members = [m for m in targets.index if cluster[m] == cluster[label]]
        if keep == "first":
            assert positions[label] == min(positions[m] for m in members)
        elif keep == "last":
            assert positions[label] == max(positions[m] for m in members)
    for label, is_excluded in zip(targets.index, excluded, strict=True):
        if is_excluded:
            assert label in kept_rows
