"""Email and phone normalization: raw value tables, messages that say how to fix, once per value."""

from __future__ import annotations

from collections import Counter
from typing import Any

import email_validator
import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.errors import ConfigurationError
from bulkprep.normalize import (
    CHANGE_COLUMNS,
    RESULT_COLUMNS,
    normalize,
    normalize_emails,
    normalize_phones,
)
from bulkprep.report import ERROR_COLUMNS

INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
MANGLED = "excel_mangled_number"


def one_email(raw: Any) -> tuple[Any, Any]:
    row = normalize_emails(pd.Series([raw], dtype="object")).iloc[0]
    return row["normalized"], row["code"]


def one_phone(raw: Any, region: str | None = "US") -> pd.Series:
    return normalize_phones(pd.Series([raw], dtype="object"), region=region).iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("ann@example.com", "ann@example.com", None),
        ("  ann@example.com ", "ann@example.com", None),
        ("\tann@example.com\n", "ann@example.com", None),
        ("Ann.Lee@EXAMPLE.COM", "Ann.Lee@example.com", None),  # the local part keeps its case
        ("\u00a0ann@example.com\u00a0", "ann@example.com", None),  # no-break spaces
        ("ann\u200b@example.com", "ann@example.com", None),  # zero-width space inside
        ("\ufeffann@example.com", "ann@example.com", None),  # byte order mark
        ("mailto:ann@example.com", "ann@example.com", None),
        ("MAILTO:ann@example.com?subject=Hello", "ann@example.com", None),
        ("<ann@example.com>", "ann@example.com", None),
        ('"Ann Lee" <ann@example.com>', "ann@example.com", None),  # display name: the address is kept
        ("Ann Lee <ann@example.com>", "ann@example.com", None),
        ("<mailto:ann@example.com>", "ann@example.com", None),
        ("ann@bücher.de", "ann@bücher.de", None),  # internationalized domain, Unicode form
        ("ann@BÜCHER.DE", "ann@bücher.de", None),
        ("ann@bu\u0308cher.de", "ann@bücher.de", None),  # decomposed ü becomes NFC
        ("jose\u0301@example.com", "jos\u00e9@example.com", None),
        ("ann.example.com", None, INVALID_EMAIL),  # missing @
        ("ann@@example.com", None, INVALID_EMAIL),
        ("ann..lee@example.com", None, INVALID_EMAIL),
        ("ann@example..com", None, INVALID_EMAIL),
        ("ann@example.com.", None, INVALID_EMAIL),  # trailing dot
        ("ann@example", None, INVALID_EMAIL),
        ("ann lee@example.com", None, INVALID_EMAIL),
        ("ann@example.com, bob@example.com", None, INVALID_EMAIL),
        ("ann@localhost", None, INVALID_EMAIL),
        (12345, None, INVALID_EMAIL),
        ("", None, None),  # blank: missing, no error
        ("   \u00a0", None, None),
        (None, None, None),
        (float("nan"), None, None),
        (pd.NA, None, None),
    ],
)
def test_email_table(raw: Any, expected: str | None, code: str | None) -> None:
    assert one_email(raw) == (expected, code)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ann.example.com", "@-sign"),
        ("ann..lee@example.com", "two periods"),
        ("ann@example.com.", "end with a period"),
    ],
)
def test_email_message_says_what_is_wrong_and_how_to_fix(raw: str, reason: str) -> None:
    message = str(normalize_emails(pd.Series([raw])).loc[0, "message"])
    assert reason in message
    assert "name@example.com" in message


def test_emails_keep_the_index_and_columns() -> None:
    values = pd.Series(["a@example.com", None, "bad"], index=[7, 3, 7])  # even a repeated label
    out = normalize_emails(values)
    assert list(out.columns) == list(RESULT_COLUMNS)
    assert out.index.tolist() == [7, 3, 7]
    assert (out.dtypes == "object").all()
    assert out["code"].tolist() == [None, None, INVALID_EMAIL]


class CountingCalls:
    """Wraps a real function and counts the calls per first argument."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.calls: Counter[Any] = Counter()

    def __call__(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls[value] += 1
        return self.function(value, *args, **kwargs)


def test_a_callers_own_email_check_sees_every_distinct_value_once() -> None:
    validate = CountingCalls(email_validator.validate_email)
    values = pd.Series(
        ["ann@example.com", "bob@EXAMPLE.com", "ann@example.com", None, "bad", "bad", "cy@example.org"]
        + ["mailto:dee@example.com"] * 3
        + ["  ", ""]
    )
    out = normalize_emails(values, validate=validate)
    # No fast path stands in for a check of the caller's own: each distinct value reaches it once,
    # as normalize passes it (unwrapped); missing and blank values never do.
    assert validate.calls == Counter(
        {"ann@example.com": 1, "bob@EXAMPLE.com": 1, "bad": 1, "cy@example.org": 1, "dee@example.com": 1}
    )
    assert out["normalized"].tolist()[:3] == ["ann@example.com", "bob@example.com", "ann@example.com"]
    assert out["code"].tolist()[4:6] == [INVALID_EMAIL, INVALID_EMAIL]
    assert out["normalized"].tolist()[6:10] == ["cy@example.org"] + ["dee@example.com"] * 3


def test_a_callers_own_email_check_is_used_for_plain_addresses_too() -> None:
    def refuse_all(address: str, **_: Any) -> Any:
        raise email_validator.EmailSyntaxError(f"{address} is refused here")

    out = normalize_emails(pd.Series(["ann@example.com", "bob@example.org"]), validate=refuse_all)
    assert out["code"].tolist() == [INVALID_EMAIL, INVALID_EMAIL]
    assert out["message"].iloc[0].startswith("ann@example.com is refused here; ")


def test_a_callers_own_phone_parser_sees_every_distinct_value_once() -> None:
    parse = CountingCalls(phonenumbers.parse)
    values = pd.Series(
        ["202-555-0125"] * 50 + ["12"] * 20 + [None] * 5 + ["tel:+1-202-555-0126"] * 3 + ["+44 20 7946 0958"]
    )
    out = normalize_phones(values, parse=parse)
    # The plainly written numbers too: no fast path stands in for a parser of the caller's own.
    assert parse.calls == Counter({"202-555-0125": 1, "12": 1, "+1-202-555-0126": 1, "+44 20 7946 0958": 1})
    assert out["normalized"].iloc[0] == out["normalized"].iloc[49] == "+12025550125"
    assert (out["code"].iloc[50:70] == INVALID_PHONE).all()
    assert (out["normalized"].iloc[75:78] == "+12025550126").all()
    assert out["normalized"].iloc[78] == "+442079460958"


def test_with_the_default_parser_plain_numbers_give_the_same_outcome_as_a_callers() -> None:
    values = pd.Series(["202-555-0125", "12", "(202) 555-0199", "+49 (0)151 23456789"] * 3)
    own = normalize_phones(values, parse=CountingCalls(phonenumbers.parse))
    pd.testing.assert_frame_equal(normalize_phones(values), own)


@pytest.mark.parametrize(
    ("raw", "region", "expected", "code"),
    [
        ("2025550125", "US", "+12025550125", None),
        ("(202) 555-0125", "US", "+12025550125", None),
        ("202.555.0125", "US", "+12025550125", None),
        ("202-555-0125", "US", "+12025550125", None),
        ("+1 202-555-0125", "US", "+12025550125", None),
        ("1 202 555 0125", "US", "+12025550125", None),
        ("\u00a0+1\u00a0202\u00a0555\u00a00125 ", "US", "+12025550125", None),
        ("011 44 20 7946 0958", "US", "+442079460958", None),  # the US international prefix
        ("0044 20 7946 0958", "US", "+442079460958", None),  # 00 means + everywhere
        ("0044 20 7946 0958", "GB", "+442079460958", None),
        ("020 7946 0958", "GB", "+442079460958", None),
        ("+44 20 7946 0958", "US", "+442079460958", None),
        ("+49 151 23456789", "US", "+4915123456789", None),  # German mobile
        ("01512 3456789", "DE", "+4915123456789", None),
        ("+33 6 12 34 56 78", "US", "+33612345678", None),  # French mobile
        ("06 12 34 56 78", "FR", "+33612345678", None),
        ("0011 44 20 7946 0958", "AU", "+442079460958", None),  # 0011 is Australia's prefix
        ("+12025550125", None, "+12025550125", None),
        ("506 234 5678", "US", "+15062345678", None),  # Canadian: +1, but not a US number
        ("+1 506 234 5678", "GB", "+15062345678", None),
        ("tel:+1-202-555-0125", None, "+12025550125", None),
        ("2025550125.0", "US", "+12025550125", None),  # went through a float column
        ("+442079460958.0", "US", "+442079460958", None),
        (2025550125.0, "US", "+12025550125", None),
        (np.float64(2025550125.0), "US", "+12025550125", None),
        (2025550125, "US", "+12025550125", None),
        (np.int64(442079460958), "GB", "+442079460958", None),
        ("2.02555E+09", "US", None, MANGLED),
        ("4.47911E+11", "GB", None, MANGLED),
        ("4.47911e+11", "US", None, MANGLED),
        ("2,02555E+09", "US", None, MANGLED),  # comma decimals
        ("2E+09", "US", None, MANGLED),
        ("202-555-0125 ext. 123", "US", None, INVALID_PHONE),
        ("202-555-0125 x123", "US", None, INVALID_PHONE),
        ("+1 202 555 0125 #12", "US", None, INVALID_PHONE),
        ("1-800-FLOWERS", "US", None, INVALID_PHONE),  # letters
        ("call me", "US", None, INVALID_PHONE),
        ("12345", "US", None, INVALID_PHONE),  # too short
        ("2025550125", None, None, INVALID_PHONE),  # no country code, no region
        ("2025550125", "GB", None, INVALID_PHONE),  # a US number read as British
        ("020 7946 0958", "US", None, INVALID_PHONE),  # a British number read as American
        ("+999 1234 5678", "US", None, INVALID_PHONE),  # no such country code
        ("+1 202 555 0125 0125 0125", "US", None, INVALID_PHONE),  # too long
        (2025550125.5, "US", None, INVALID_PHONE),
        (True, "US", None, INVALID_PHONE),
        ("", "US", None, None),
        ("  ", "US", None, None),
        (None, "US", None, None),
        (float("nan"), "US", None, None),
    ],
)
def test_phone_table(raw: Any, region: str | None, expected: str | None, code: str | None) -> None:
    row = one_phone(raw, region)
    assert (row["normalized"], row["code"]) == (expected, code)


@pytest.mark.parametrize(
    ("raw", "region", "words"),
    [
        ("12345", "US", ["too short", "US", "country code"]),
        ("2025550125", "GB", ["not a valid GB number", "read as GB numbers", "country code"]),
        ("020 7946 0958", "US", ["too long", "read as US numbers", "+44"]),
        ("call me", "US", ["not a phone number"]),
        ("1-800-FLOWERS", "US", ["letters", "digits"]),
        ("202-555-0125 x123", "US", ["extension (123)", "direct or mobile number"]),
        ("2025550125", None, ["no country code", "default region"]),
        ("2.02555E+09", "US", ["scientific notation", "re-export", "as text"]),
    ],
)
def test_phone_message_says_why_and_how_to_fix(raw: str, region: str | None, words: list[str]) -> None:
    message = one_phone(raw, region)["message"]
    for word in words:
        assert word in message


@pytest.mark.parametrize("region", ["XX", "USA", "", "uk"])
def test_unknown_region_is_a_configuration_error(region: str) -> None:
    with pytest.raises(ConfigurationError, match="two-letter country code"):
        normalize_phones(pd.Series(["2025550125"]), region=region)


def test_region_is_case_insensitive() -> None:
    assert one_phone("020 7946 0958", "gb")["normalized"] == "+442079460958"


class ColumnNames:
    """A stand-in with the one method normalize needs from a mapping."""

    def column_of(self, target: str) -> str | None:
        return {"profile.email": "Email", "to.phone_number": "Mobile"}.get(target)


def targets_frame(columns: dict[str, list[Any]], rows: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(rows, name="bulk_row"), dtype="object")


def test_normalize_targets_changes_and_errors() -> None:
    targets = targets_frame(
        {
            "recipient": ["u1", "u2", "u3", "u4"],
            "profile.email": [" Ann@Example.COM", "bob@example.com", "nope", None],
            "to.email": [None, "BOB@EXAMPLE.COM", None, "dee@example.com"],
            "to.phone_number": ["(202) 555-0125", "+12025550125", "2.02555E+09", 2025550126.0],
            "data.note": [" keep me ", "=1+1", None, "x"],
        },
        [2, 3, 5, 8],
    )
    before = targets.copy()
    result = normalize(targets, mapping=ColumnNames())
    pd.testing.assert_frame_equal(targets, before)  # input untouched

    out = result.targets
    assert out.index.equals(targets.index)
    assert list(out.columns) == list(targets.columns)
    assert out["profile.email"].tolist() == ["Ann@example.com", "bob@example.com", "nope", None]
    assert out["to.email"].tolist() == [None, "BOB@example.com", None, "dee@example.com"]
    assert out["to.phone_number"].tolist() == ["+12025550125", "+12025550125", "2.02555E+09", "+12025550126"]
    assert out["data.note"].tolist() == [" keep me ", "=1+1", None, "x"]  # other targets untouched
    assert (out.dtypes == "object").all()

    changes = result.changes
    assert list(changes.columns) == list(CHANGE_COLUMNS)
    assert changes[["bulk_row", "field", "column"]].values.tolist() == [
        [2, "profile.email", "Email"],
        [2, "to.phone_number", "Mobile"],
        [3, "to.email", None],
        [8, "to.phone_number", "Mobile"],
    ]
    assert changes["original"].tolist() == [
        " Ann@Example.COM",
        "(202) 555-0125",
        "BOB@EXAMPLE.COM",
        2025550126.0,
    ]

    errors = result.errors
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert errors[["bulk_row", "stage", "field", "column", "code", "value"]].values.tolist() == [
        [5, "validate", "profile.email", "Email", INVALID_EMAIL, "nope"],
        [5, "validate", "to.phone_number", "Mobile", MANGLED, "2.02555E+09"],
    ]


def test_normalize_without_contact_targets_changes_nothing() -> None:
    targets = targets_frame({"recipient": ["u1"], "data.plan": ["pro"]}, [1])
    result = normalize(targets)
    pd.testing.assert_frame_equal(result.targets, targets)
    assert result.changes.empty
    assert list(result.changes.columns) == list(CHANGE_COLUMNS)
    assert result.errors.empty
    assert list(result.errors.columns) == list(ERROR_COLUMNS)


def test_normalize_region_none_requires_country_codes() -> None:
    targets = targets_frame({"profile.phone_number": ["2025550125", "+442079460958"]}, [1, 2])
    result = normalize(targets, region=None)
    assert result.errors["bulk_row"].tolist() == [1]
    with pytest.raises(ConfigurationError):
        normalize(targets, region="Mars")


def test_normalize_empty_frame() -> None:
    targets = targets_frame({"profile.email": [], "profile.phone_number": []}, [])
    result = normalize(targets)
    assert result.targets.empty
    assert result.changes.empty
    assert result.errors.empty


# Building blocks that mix clean, messy and broken values.
email_parts = st.sampled_from(
    ["ann", "Ann.Lee", "b+tag", "x", "", ".", "..", "@", " ", "\u00a0", "\u200b", "é", "e\u0301", "<", ">"]
)
emails = st.builds(
    lambda local, domain, pad: f"{pad}{local}@{domain}{pad}",
    st.lists(email_parts, max_size=3).map("".join),
    st.sampled_from(["example.com", "EXAMPLE.org", "bücher.de", "x", "a..b.com", ""]),
    st.sampled_from(["", " ", "\u00a0"]),
)
phones = st.one_of(
    st.sampled_from(["(202) 555-0125", "+44 20 7946 0958", "2.02555E+09", "12", "call", "+49 151 23456789"]),
    st.from_regex(r"\+?[0-9 ()\-.]{0,16}", fullmatch=True),
    st.none(),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(emails, st.none()), max_size=8))
def test_email_normalization_keeps_rows_and_is_idempotent(values: list[str | None]) -> None:
    index = pd.Index(range(100, 100 + len(values)))
    out = normalize_emails(pd.Series(values, index=index, dtype="object"))
    assert out.index.equals(index)
    valid = out["normalized"].dropna()
    again = normalize_emails(valid)
    assert again["normalized"].tolist() == valid.tolist()
    assert again["code"].isna().all()
    # every row is either normalized, refused with a message, or missing
    assert (out["normalized"].notna() ^ out["code"].notna() | pd.Series(values, index=index).isna()).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(phones, max_size=8))
def test_phone_normalization_keeps_rows_and_is_idempotent(values: list[str | None]) -> None:
    out = normalize_phones(pd.Series(values, dtype="object"))
    assert len(out) == len(values)
    valid = out["normalized"].dropna()
    assert valid.str.fullmatch(r"\+[1-9]\d{6,14}").all()
    assert normalize_phones(valid)["normalized"].tolist() == valid.tolist()
    assert out["message"].notna().tolist() == out["code"].notna().tolist()


def test_a_list_or_an_object_in_an_email_or_phone_cell_is_its_rows_problem_not_a_crash() -> None:
    from bulkprep import Mapping, prepare

    rows = [
        {"id": "u1", "email": "a@example.com", "phone": ["+12025550125"], "name": {"nested": [1, 2]}},
        {"id": "u2", "email": ["x@example.com"], "phone": None, "name": b"bytes"},
        {"id": "u3", "email": {"e": "x@example.com"}, "phone": "+12025550125"},
        {"id": "u4", "email": "n/a", "phone": ("+12025550125",)},
        {"id": "u5", "email": "c@example.com", "phone": None},
    ]
    mapping = Mapping.from_dict(
        {"recipient": "id", "profile": {"email": "email", "phone_number": "phone"}, "data": {"name": "name"}}
    )
    prepared = prepare(rows, mapping)
    assert prepared.df["bulk_status"].tolist() == ["invalid", "invalid", "invalid", "invalid", "ready"]
    problems = prepared.errors[["bulk_row", "field", "code"]].to_dict("records")
    assert problems == [
        {"bulk_row": 0, "field": "profile.phone_number", "code": "wrong_type"},
        {"bulk_row": 1, "field": "profile.email", "code": "wrong_type"},
        {"bulk_row": 2, "field": "profile.email", "code": "wrong_type"},
        {"bulk_row": 3, "field": "profile.phone_number", "code": "wrong_type"},
    ]
    said = prepared.errors["message"].tolist()[1]
    assert 'profile.email must be text, got a list ["x@example.com"]' in said
