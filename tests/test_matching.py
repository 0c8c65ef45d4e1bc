"""Tests for bulkprep.matching: Courier's index-less echoes tied back to their rows."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd
import pytest
from growth import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import matching as matching_module
from bulkprep.courier import FLATTENED_ECHO_FIELDS, IDENTITY_FIELDS
from bulkprep.matching import (
    IDENTITY_COLUMNS,
    IDENTITY_TIERS,
    IdentityIndex,
    echo_identity,
    identities_of,
    match_to_rows,
)

BATCH = pd.Series(
    [
        {"recipient": "u1", "profile": {"email": "Ann@Example.com"}},
        {"to": {"user_id": "u2", "email": "bob@example.com"}},
        {"profile": {"email": "cy@example.com", "phone_number": "+15555550100"}},
        {"profile": {"phone_number": "+15555550199"}},
    ],
    index=[10, 11, 12, 13],
)


@pytest.mark.parametrize(
    ("echo", "row"),
    [
        ({"recipient": "u1", "data": {"x": 1}}, 10),  # request-like shape
        ({"user_id": "u1", "email": "ann@example.com"}, 10),  # flattened shape
        ({"user_id": "u2"}, 11),  # flattened id matches to.user_id
        ({"to": {"user_id": "u2"}}, 11),
        ({"email": "ANN@EXAMPLE.COM"}, 10),  # emails compare case-folded
        ({"to": {"email": "cy@example.com"}}, 12),
        ({"profile": {"email": "bob@example.com"}}, 11),
        ({"phone_number": "+15555550199"}, 13),
        ({"profile": {"phone_number": "+15555550100"}}, 12),
        # a generated id Courier added echoes with the email of a row that had none
        ({"user_id": "generated-9", "email": "cy@example.com"}, 12),
    ],
)
def test_echo_matches_its_row_in_either_shape(echo: dict, row: int) -> None:
    matching = match_to_rows([echo], identities_of(BATCH))
    assert matching.matches == {0: row}
    assert matching.unmatched == []


@pytest.mark.parametrize(
    "echo",
    [
        {"user_id": "nobody"},
        {"email": "nobody@example.com"},
        {},
        {"data": {"x": 1}},
        "not a dict",
    ],
)
def test_echo_that_matches_no_row_is_unmatched(echo: object) -> None:
    matching = match_to_rows([echo], identities_of(BATCH))
    assert matching.matches == {}
    assert matching.unmatched == [0]


def test_echo_matching_two_rows_is_unmatched_unless_a_later_tier_narrows_it() -> None:
    users = pd.Series(
        [
            {"recipient": "a", "profile": {"email": "same@example.com", "phone_number": "+1"}},
            {"recipient": "b", "profile": {"email": "same@example.com", "phone_number": "+2"}},
        ],
        index=[1, 2],
    )
    echoes = [
        {"email": "same@example.com"},
        {"email": "same@example.com", "phone_number": "+2"},
        {"user_id": "a", "email": "same@example.com"},
    ]
    matching = match_to_rows(echoes, identities_of(users))
    assert matching.matches == {1: 2, 2: 1}
    assert matching.unmatched == [0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["u1", "u2", "u3", "u4", "u5"]), min_size=1, max_size=5, unique=True))
def test_every_echo_is_either_matched_or_unmatched_never_dropped(ids: list[str]) -> None:
    users = pd.Series([{"recipient": uid} for uid in ids], index=range(len(ids)))
    echoes = [{"user_id": uid} for uid in ["u1", "u2", "u3", "u4", "u5"]]
    matching = match_to_rows(echoes, identities_of(users))
    assert sorted([*matching.matches, *matching.unmatched]) == list(range(len(echoes)))
    assert {ids[row] for row in matching.matches.values()} == set(ids)


def test_tiers_come_from_the_wire_format_strongest_first() -> None:
    assert [tier.kind for tier in IDENTITY_TIERS] == ["user_id", "email", "phone"]
    assert tuple(IDENTITY_FIELDS) == IDENTITY_COLUMNS
    for tier in IDENTITY_TIERS:
        assert tier.row_paths == tuple(path for path, kind in IDENTITY_FIELDS.items() if kind == tier.kind)
        flattened = [name for name, kind in FLATTENED_ECHO_FIELDS.items() if kind == tier.kind]
        assert tier.echo_paths == (*tier.row_paths, *flattened)
    assert IDENTITY_TIERS[0].echo_paths == ("recipient", "to.user_id", "user_id")
    assert IDENTITY_TIERS[1].echo_paths == ("profile.email", "to.email", "email")
    assert IDENTITY_TIERS[2].echo_paths == ("profile.phone_number", "to.phone_number", "phone_number")


def test_echo_identity_reads_both_shapes_and_folds_only_emails() -> None:
    echo = {"recipient": "U1", "to": {"email": "A@B.CO"}, "phone_number": "+1555", "user_id": "u2"}
    assert echo_identity(echo) == {"user_id": {"U1", "u2"}, "email": {"a@b.co"}, "phone": {"+1555"}}


@pytest.mark.parametrize(
    "name", ["identities_of", "echo_identity", "match_to_rows", "Matching", "IDENTITY_COLUMNS"]
)
def test_the_old_home_in_results_still_works_with_a_warning(name: str) -> None:
    import bulkprep.results

    with pytest.warns(DeprecationWarning, match=f"use bulkprep.matching.{name}"):
        moved = getattr(bulkprep.results, name)
    assert moved is getattr(matching_module, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            _ = bulkprep.results.no_such_name  # type: ignore[attr-defined]


def test_the_index_gives_each_echo_its_candidate_rows() -> None:
    index = IdentityIndex(identities_of(BATCH))
    assert index.candidates({"user_id": "u1"}) == {10}
    assert index.candidates({"userId": "u1"}) == set()  # a shape that names no identity field
    assert index.candidates("not a dict") == set()
    twins = pd.Series([{"recipient": "t"}, {"to": {"user_id": "t"}}], index=[4, 5])
    assert IdentityIndex(identities_of(twins)).candidates({"user_id": "t"}) == {4, 5}


def test_the_index_sets_are_never_changed_by_matching() -> None:
    users = pd.Series(
        [{"recipient": f"u{i}", "profile": {"email": "same@example.com"}} for i in range(3)], index=[1, 2, 3]
    )
    index = IdentityIndex(identities_of(users))
    index.match(
        [{"email": "same@example.com", "user_id": "u1"}, {"email": "same@example.com", "phone_number": "x"}]
    )
    assert index.candidates({"email": "same@example.com"}) == {1, 2, 3}


@pytest.mark.parametrize(
    "echo_of",
    [
        pytest.param(lambda i: {"userId": f"u{i}"}, id="unknown-shape"),
        pytest.param(
            lambda i: {"email": "same@example.com", "user_id": f"x{i}"}, id="shared-email-unknown-id"
        ),
        pytest.param(
            lambda i: {"email": "same@example.com", "phone_number": f"+1{i}"},
            id="shared-email-narrowed-by-phone",
        ),
    ],
)
def test_matching_grows_linearly_with_echoes_and_rows(echo_of: Callable[[int], dict[str, str]]) -> None:
    # Every row shares one email: copying its rows per echo took over a minute for 40,000 rows here.
    accounted: dict[int, int] = {}

    def matching_of(rows: int) -> Callable[[], None]:
        users = pd.Series(
            [
                {"recipient": f"u{i}", "profile": {"email": "same@example.com", "phone_number": f"+1{i}"}}
                for i in range(rows)
            ],
            index=range(rows),
        )
        echoes = [echo_of(i) for i in range(rows)]

        def run() -> None:
            matching = match_to_rows(echoes, identities_of(users))
            accounted[rows] = len(matching.matches) + len(matching.unmatched)

        return run

    assert_linear(matching_of(4_000), matching_of(40_000))
    assert accounted == {4_000: 4_000, 40_000: 40_000}
