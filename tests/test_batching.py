from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.batching import (
    DEFAULT_MAX_BATCH_BYTES,
    MAX_REQUEST_BYTES,
    Batch,
    cut_batches,
    idempotency_key,
    split_batch,
)
from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import dumps

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30)
users_strategy = st.lists(
    st.fixed_dictionaries(
        {"recipient": st.text(max_size=20)},
        optional={
            "profile": st.fixed_dictionaries({}, optional={"email": st.emails(), "phone_number": st.text()}),
            "data": st.dictionaries(st.text(max_size=8), json_scalars, max_size=5),
        },
    ),
    max_size=60,
)


def users_series(users: list[dict], *, first_row: int = 2) -> pd.Series:
    return pd.Series(users, index=range(first_row, first_row + len(users)), dtype=object)


def assert_batches_cover(batches: list[Batch], users: pd.Series, *, max_users: int, max_bytes: int) -> None:
    assert [row for batch in batches for row in batch.rows] == users.index.tolist()
    assert [user for batch in batches for user in json.loads(batch.body)["users"]] == users.tolist()
    for batch in batches:
        assert batch.users == len(batch.rows) == len(json.loads(batch.body)["users"])
        assert 1 <= batch.users <= max_users
        assert batch.nbytes == len(dumps({"users": batch.payload_users()}))
        if batch.users > 1:
            assert batch.nbytes <= max_bytes


@settings(max_examples=60, deadline=None)
@given(users=users_strategy, max_users=st.integers(1, 12), max_bytes=st.integers(13, 600))
def test_every_row_in_exactly_one_batch_in_order_within_limits(
    users: list[dict], max_users: int, max_bytes: int
) -> None:
    series = users_series(users)
    batches = cut_batches(series, max_users=max_users, max_bytes=max_bytes, first_number=5)
    assert_batches_cover(batches, series, max_users=max_users, max_bytes=max_bytes)
    assert [batch.number for batch in batches] == list(range(5, 5 + len(batches)))


@settings(max_examples=40, deadline=None)
@given(users=users_strategy.filter(lambda users: len(users) > 1), max_bytes=st.integers(13, 600))
def test_cutting_is_greedy(users: list[dict], max_bytes: int) -> None:
    # No batch could have taken the first user of the next one without breaking the byte limit.
    batches = cut_batches(users_series(users), max_users=len(users), max_bytes=max_bytes)
    for batch, following in itertools.pairwise(batches):
        grown = dumps({"users": [*batch.payload_users(), following.payload_users()[0]]})
        assert len(grown) > max_bytes


@pytest.mark.parametrize(
    ("sizes", "max_users", "max_bytes", "expected_users"),
    [
        ([10, 10, 10], 10, 1000, [3]),
        ([10, 10, 10], 2, 1000, [2, 1]),
        ([10, 10, 10], 1, 1000, [1, 1, 1]),
        # One user whose body alone exceeds the limit goes alone, between its neighbours.
        ([10, 500, 10], 10, 100, [1, 1, 1]),
        ([500], 10, 100, [1]),
    ],
)
def test_cut_table(sizes: list[int], max_users: int, max_bytes: int, expected_users: list[int]) -> None:
    series = users_series([{"data": {"pad": "x" * size}} for size in sizes])
    batches = cut_batches(series, max_users=max_users, max_bytes=max_bytes)
    assert [batch.users for batch in batches] == expected_users


def test_body_fills_max_bytes_exactly_when_users_fit_exactly() -> None:
    one = dumps({"recipient": "abcdef"})
    exact = len(b'{"users":[]}') + 3 * len(one) + 2
    batches = cut_batches(users_series([{"recipient": "abcdef"}] * 4), max_bytes=exact)
    assert [batch.nbytes for batch in batches] == [exact, len(b'{"users":[]}') + len(one)]


def test_empty_series_gives_no_batches() -> None:
    assert cut_batches(pd.Series([], dtype=object)) == []


def test_default_limits_stay_under_courier_limit() -> None:
    assert DEFAULT_MAX_BATCH_BYTES < MAX_REQUEST_BYTES


@pytest.mark.parametrize(
    ("max_users", "max_bytes", "named"),
    [(0, 1000, "max_users=0"), (10, 12, "max_bytes=12"), (10, MAX_REQUEST_BYTES + 1, "max_bytes=6000001")],
)
def test_out_of_range_limits_are_refused(max_users: int, max_bytes: int, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named) as caught:
        cut_batches(users_series([{}]), max_users=max_users, max_bytes=max_bytes)
    assert "default" in str(caught.value)


def test_many_users_cut_to_exact_sizes() -> None:
    users = users_series(
        [{"recipient": f"user-{i}", "data": {"n": i, "name": "é" * (i % 7)}} for i in range(5_000)]
    )
    batches = cut_batches(users, max_users=700, max_bytes=30_000)
    assert_batches_cover(batches, users, max_users=700, max_bytes=30_000)


@settings(max_examples=40, deadline=None)
@given(users=users_strategy.filter(lambda users: len(users) > 1))
def test_split_batch_halves_keep_rows_bytes_and_order(users: list[dict]) -> None:
    (batch,) = cut_batches(
        users_series(users), max_users=len(users), max_bytes=MAX_REQUEST_BYTES, first_number=3
    )
    first, second = split_batch(batch)
    assert first.rows + second.rows == batch.rows
    assert abs(first.users - second.users) <= 1
    assert first.payload_users() + second.payload_users() == batch.payload_users()
    # The halves are exactly what cutting the same users would have produced.
    rebuilt = cut_batches(users_series(users), max_users=first.users, max_bytes=MAX_REQUEST_BYTES)
    assert rebuilt[0].body == first.body
    assert first.number == second.number == 3


def test_split_batch_takes_numbers() -> None:
    (batch,) = cut_batches(users_series([{"a": 1}, {"a": 2}]))
    assert [half.number for half in split_batch(batch, numbers=(7, 8))] == [7, 8]


def test_split_batch_of_one_user_is_refused() -> None:
    (batch,) = cut_batches(users_series([{"a": 1}], first_row=41))
    with pytest.raises(ValueError, match="single user \\(row 41\\)"):
        split_batch(batch)


def test_idempotency_key_depends_on_job_rows_and_content_only() -> None:
    (batch,) = cut_batches(users_series([{"recipient": "a"}]))
    renumbered = dataclasses.replace(batch, number=99)
    other_content = cut_batches(users_series([{"recipient": "b"}]))[0]
    same_content_other_rows = cut_batches(users_series([{"recipient": "a"}], first_row=50))[0]
    key = idempotency_key("job-1", batch)
    assert key.startswith("bulkprep-")
    assert key == idempotency_key("job-1", renumbered)
    assert key != idempotency_key("job-2", batch)
    assert key != idempotency_key("job-1", other_content)
    assert key != idempotency_key("job-1", same_content_other_rows)


def test_content_hash_is_sha256_of_body() -> None:
    (batch,) = cut_batches(users_series([{"recipient": "a"}]))
    assert batch.content_hash == hashlib.sha256(batch.body).hexdigest()


def greedy_reference(users: list[dict], *, max_users: int, max_bytes: int) -> list[tuple[int, bytes]]:
    """The batches (user count, body) of the plain algorithm: one dumps per user, cut greedily."""
    out: list[tuple[int, bytes]] = []
    parts = [dumps(user) for user in users]
    start = 0
    while start < len(parts):
        stop, size = start + 1, len(b'{"users":[]}') + len(parts[start])
        while stop < len(parts) and stop - start < max_users and size + 1 + len(parts[stop]) <= max_bytes:
            size += 1 + len(parts[stop])
            stop += 1
        out.append((stop - start, b'{"users":[' + b",".join(parts[start:stop]) + b"]}"))
        start = stop
    return out


@pytest.mark.parametrize(
    ("max_users", "max_bytes"),
    [
        (10_000, DEFAULT_MAX_BATCH_BYTES),  # by count, several chunks per batch
        (2_500, 40_000),  # the budget runs out inside a chunk
        (1_000, 10**6),  # batches end exactly where chunks end
        (1_500, 120),  # a few users per batch
        (3, 13),  # every user alone, over the budget
    ],
)
def test_bodies_are_the_users_serialized_one_by_one_and_joined(max_users: int, max_bytes: int) -> None:
    # Users serialized a chunk at a time give the same bytes and the same cuts as one at a time.
    users = [
        {"recipient": f"u{i}", "data": {"n": i * 7919 % 1013, "text": "ä€" * (i % 11), "f": i / 3}}
        for i in range(3_100)
    ]
    batches = cut_batches(users_series(users), max_users=max_users, max_bytes=max_bytes)
    reference = greedy_reference(users, max_users=max_users, max_bytes=max_bytes)
    assert [(batch.users, batch.body) for batch in batches] == reference


def test_the_request_limit_is_courier_s_declared_once() -> None:
    from bulkprep import courier

    assert MAX_REQUEST_BYTES == courier.MAX_REQUEST_BYTES == 6_000_000
    with pytest.raises(ConfigurationError, match="Courier's limit of 6000000"):
        cut_batches(users_series([{"recipient": "a"}]), max_bytes=courier.MAX_REQUEST_BYTES + 1)
