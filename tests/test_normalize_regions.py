"""Phone numbers read in each row's country: one table per rule, messages, once per distinct pair."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import phonenumbers
import pytest

from bulkprep.errors import ConfigurationError
from bulkprep.mapping import Mapping
from bulkprep.normalize import normalize, normalize_phones
from bulkprep.prepare import prepare
from bulkprep.read import read_csv
from bulkprep.report import ErrorCode

ROOT = Path(__file__).resolve().parent.parent
INVALID = "invalid_phone"
UNKNOWN = "unknown_country"
AMBIGUOUS = "ambiguous_phone_region"
MANGLED = "excel_mangled_number"
PHONE = "profile.phone_number"


def one(raw: Any, country: Any, region: str | None = "US") -> pd.Series:
    values = pd.Series([raw], dtype="object")
    return normalize_phones(values, region=region, countries=pd.Series([country], dtype="object")).iloc[0]


def check(raw: Any, country: Any, region: str | None, expected: str | None, code: str | None) -> None:
    row = one(raw, country, region)
    assert (row["normalized"], row["code"]) == (expected, code), row["message"]
    assert (row["message"] is None) == (code is None)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("07400 123401", "GB", "+447400123401"),  # read as US it is too long
        ("07400 123401", "gb", "+447400123401"),
        ("07400 123401", " GB ", "+447400123401"),
        ("07400 123401", "GBR", "+447400123401"),
        ("3123517909", "IT", "+393123517909"),  # read as US it is +13123517909, someone else's
        ("0151 23456701", "DEU", "+4915123456701"),
        ("06 12 34 56 01", "FR", "+33612345601"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("(613) 555-0101", "CA", "+16135550101"),
        ("(201) 555-0123", "CA", "+12015550123"),  # one numbering plan: a US number on a CA row is valid
    ],
)
def test_the_rows_country_as_a_code(raw: str, country: str, expected: str) -> None:
    check(raw, country, "US", expected, None)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("07400 123401", "United Kingdom", "+447400123401"),
        ("07400 123401", "united kingdom", "+447400123401"),
        ("030 901820", "Germany", "+4930901820"),
        ("030 901820", "Deutschland", "+4930901820"),
        ("622 33 44 01", "España", "+34622334401"),
        ("622 33 44 01", "Spain", "+34622334401"),
        ("312 351 7909", "Italia", "+393123517909"),
        ("0612345601", "Frankreich", "+33612345601"),  # a German name of France
        ("0612345601", "The Netherlands", "+31612345601"),
    ],
)
def test_the_rows_country_as_a_name(raw: str, country: str, expected: str) -> None:
    check(raw, country, "US", expected, None)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("07400 123401", "UK", "+447400123401"),
        ("07400 123401", " u.k. ", "+447400123401"),
        ("07400 123401", "Great Britain", "+447400123401"),
        ("07400 123401", "England", "+447400123401"),
        ("201-555-0123", "USA", "+12015550123"),
        ("201-555-0123", "United States of America", "+12015550123"),
        ("0612345601", "Holland", "+31612345601"),
    ],
)
def test_the_rows_country_as_an_alias(raw: str, country: str, expected: str) -> None:
    check(raw, country, "GB", expected, None)


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan")])
@pytest.mark.parametrize(
    ("raw", "region", "expected", "code"),
    [
        ("201-555-0123", "US", "+12015550123", None),
        ("07400 123401", "GB", "+447400123401", None),
        ("07400 123401", "US", None, INVALID),  # the default region reads it, as without a column
        ("07400 123401", None, None, INVALID),  # no default region: a country code is needed
        ("+44 7400 123401", None, "+447400123401", None),
        # The default region reads numbers exactly as without a country column: phonenumbers takes
        # these digits as a German national number (on a Germany row they are +4915123456701).
        ("4915123456701", "DE", "+494915123456701", None),
    ],
)
def test_a_blank_country_means_the_default_region(
    blank: Any, raw: str, region: str | None, expected: str | None, code: str | None
) -> None:
    check(raw, blank, region, expected, code)
    without = normalize_phones(pd.Series([raw], dtype="object"), region=region).iloc[0]
    assert one(raw, blank, region).to_dict() == without.to_dict()


@pytest.mark.parametrize(
    ("raw", "country", "region"),
    [
        ("07400 123401", "Atlantis", "US"),
        ("201-555-0123", "Narnia", "US"),  # valid in the default region: still never read there
        ("201-555-0123", "Middle-earth", None),
        ("201-555-0123", "XK-1", "US"),
        ("201-555-0123", "N/A", "US"),  # a placeholder is no country (nor Namibia's NA)
        ("201-555-0123", "Antarctica", "US"),  # a country without phone numbers of its own
        ("2015550123.0", "Atlantis", "US"),
        (2015550123, "Atlantis", "US"),
    ],
)
def test_an_unknown_country_refuses_a_number_that_needs_it(
    raw: Any, country: str, region: str | None
) -> None:
    check(raw, country, region, None, UNKNOWN)


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("+44 7400 123401", "+447400123401", None),
        ("0044 7400 123401", "+447400123401", None),
        ("(+44) 7400 123401", "+447400123401", None),
        ("tel:+44-7400-123401", "+447400123401", None),
        ("+44 7400 1234", None, INVALID),  # the number is wrong whatever the country
        ("+44 7400 123401 ext. 9", None, INVALID),
        ("2.02555E+09", None, MANGLED),
        (None, None, None),  # no number: the country does not matter
        ("", None, None),
        ("   ", None, None),
    ],
)
def test_a_number_with_its_country_code_needs_no_country(
    raw: Any, expected: str | None, code: str | None
) -> None:
    check(raw, "Atlantis", "US", expected, code)
    check(raw, "Atlantis", None, expected, code)


@pytest.mark.parametrize(
    ("raw", "country", "region"),
    [
        ("2015550177", "France", "US"),
        ("(201) 555-0177", "FR", "US"),
        ("2015550177", "ESP", "US"),
        ("07400 123401", "FRA", "GB"),
        ("0151 23456701", "Schweiz", "DE"),
    ],
)
def test_a_number_valid_only_in_the_default_region_is_ambiguous(raw: str, country: str, region: str) -> None:
    check(raw, country, region, None, AMBIGUOUS)


@pytest.mark.parametrize(
    ("raw", "country", "region", "expected", "code"),
    [
        ("2015550177", "France", None, None, INVALID),  # no default region: nothing else to try
        ("2015550177", "United States", "US", "+12015550177", None),
        ("555-0100", "France", "US", None, INVALID),  # invalid in both readings
        ("+1 201 555 0177", "France", "US", "+12015550177", None),  # the + decides
        ("001 201 555 0177", "France", "US", "+12015550177", None),  # and so does 00
        ("3123517909", "Italy", "US", "+393123517909", None),  # valid in the row's country: taken
        ("020 7946 0958", "Deutschland", "US", None, INVALID),  # valid in GB, but only US is tried
        ("201 555 0177 x12", "France", "US", None, INVALID),  # an extension is refused in any reading
    ],
)
def test_what_is_not_ambiguous(
    raw: str, country: str, region: str | None, expected: str | None, code: str | None
) -> None:
    check(raw, country, region, expected, code)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("447400482943", "United Kingdom", "+447400482943"),
        ("44 7400 482943", "GB", "+447400482943"),
        ("4915123456701", "Germany", "+4915123456701"),  # although also a possible national number
        ("4915123456701", "DEU", "+4915123456701"),
        ("33612345601", "FRA", "+33612345601"),
        ("12015550101", "USA", "+12015550101"),
        ("393123517909", "Italy", "+393123517909"),
        ("4915123456701.0", "Germany", "+4915123456701"),
        (4915123456701, "Germany", "+4915123456701"),
        ("0055 61 96176 7401", "Brazil", "+5561961767401"),  # 00 then the row's own code
        ("0049 151 23456701", "DE", "+4915123456701"),
    ],
)
def test_international_digits_without_the_plus(raw: Any, country: str, expected: str) -> None:
    check(raw, country, "US", expected, None)
    check(raw, country, None, expected, None)


def test_international_digits_of_another_country_are_read_in_the_rows_country() -> None:
    # 44... on a Germany row is no British number: the row's country decides (here a German one).
    assert one("447400482943", "Germany", "US")["normalized"] == "+49447400482943"
    row = one("447400482943", "France", "US")
    assert row["code"] == INVALID
    assert "numbers without a country code are read in the row's country, FR" in row["message"]


def test_the_ambiguous_message_gives_both_readings() -> None:
    row = one("2015550177", "France", "US")
    assert row["message"] == (
        "2015550177 is not a valid number in FR (the row's country), but would be +12015550177 in US "
        f"(the default region); {ErrorCode.AMBIGUOUS_PHONE_REGION.hint}"
    )
    assert "write the number with its country code" in row["message"]


@pytest.mark.parametrize(
    ("country", "words"),
    [
        ("Germny", ["'Germny'", "did you mean 'Germany'", "07400 123401"]),
        ("Atlantis", ["'Atlantis' is not a country name or code bulkprep knows", "07400 123401"]),
        ("Kongo", ["'Kongo'", "'Congo-Kinshasa'", "'Congo-Brazzaville'"]),  # two countries: no guess
        ("Antarctica", ["'Antarctica' (AQ) has no phone numbers of its own"]),
    ],
)
def test_the_unknown_country_message_names_the_value_and_the_closest_names(
    country: str, words: list[str]
) -> None:
    message = one("07400 123401", country)["message"]
    for word in words:
        assert word in message
    assert message.endswith(ErrorCode.UNKNOWN_COUNTRY.hint)
    assert "Atlantis" not in message or "did you mean" not in message


def test_the_new_codes_have_hints() -> None:
    assert "country code" in ErrorCode.UNKNOWN_COUNTRY.hint
    assert "country code" in ErrorCode.AMBIGUOUS_PHONE_REGION.hint


def test_each_distinct_number_and_country_is_parsed_as_often_as_once() -> None:
    calls: Counter[tuple[str, str | None]] = Counter()

    def parse(text: str, region: str | None) -> Any:
        calls[(text, region)] += 1
        return phonenumbers.parse(text, region)

    numbers = ["07400 123401", "2015550177", "447400482943", "07400 123401"]
    countries = ["UK", "France", "GB", "Atlantis"]
    normalize_phones(pd.Series(numbers, dtype="object"), countries=pd.Series(countries), parse=parse)
    once = Counter(calls)
    calls.clear()
    # The same pairs many times, with the same countries written other ways.
    spellings = {"UK": ["UK", "GB", "United Kingdom"], "France": ["France", "FR"], "GB": ["GBR"]}
    many_numbers, many_countries = [], []
    for number, country in zip(numbers, countries, strict=True):
        for spelling in spellings.get(country, [country]) * 50:
            many_numbers.append(number)
            many_countries.append(spelling)
    out = normalize_phones(
        pd.Series(many_numbers, dtype="object"), countries=pd.Series(many_countries), parse=parse
    )
    assert calls == once
    assert out["code"].value_counts().to_dict() == {AMBIGUOUS: 100, UNKNOWN: 50}


def test_rows_keep_their_index_and_countries_align_on_it() -> None:
    numbers = pd.Series(["07400 123401", "3123517909", None], index=[7, 3, 5], dtype="object")
    countries = pd.Series(["IT", "UK", "DE"], index=[3, 7, 5])  # same rows, other order
    out = normalize_phones(numbers, countries=countries)
    assert out.index.tolist() == [7, 3, 5]
    assert out["normalized"].tolist() == ["+447400123401", "+393123517909", None]
    # A row without a country cell is never read in the default region instead.
    with pytest.raises(ConfigurationError, match="countries has no cell for some rows"):
        normalize_phones(numbers, countries=pd.Series(["UK"], index=[7]))
    with pytest.raises(ConfigurationError, match="the same index"):
        normalize(pd.DataFrame({"profile.phone_number": numbers}), countries=countries.reset_index(drop=True))


TARGETS = pd.DataFrame(
    {
        "profile.phone_number": ["07400 123401", "2015550177", "3123517909", "201 555 0123"],
        "data.other": ["x", "y", "z", "w"],
    },
    index=pd.Index([2, 3, 4, 5], name="bulk_row"),
    dtype="object",
)
COUNTRIES = pd.Series(["UK", "France", "Atlantis", None], index=TARGETS.index, name="Country")


class Columns:
    def column_of(self, target: str) -> str | None:
        return {"profile.phone_number": "Phone"}.get(target)


def test_normalize_reads_the_phone_targets_in_the_rows_countries() -> None:
    result = normalize(TARGETS, region="US", countries=COUNTRIES, mapping=Columns())
    assert result.targets["profile.phone_number"].tolist() == [
        "+447400123401", "2015550177", "3123517909", "+12015550123"
    ]  # fmt: skip
    assert result.errors[["bulk_row", "field", "column", "code", "value"]].to_dict("records") == [
        {"bulk_row": 3, "field": PHONE, "column": "Phone", "code": AMBIGUOUS, "value": "2015550177"},
        {"bulk_row": 4, "field": PHONE, "column": "Phone", "code": UNKNOWN, "value": "3123517909"},
    ]
    assert result.changes["bulk_row"].tolist() == [2, 5]
    # Without a default region nothing else is tried, and the blank country needs a country code.
    strict = normalize(TARGETS, region=None, countries=COUNTRIES)
    assert strict.errors["code"].tolist() == [INVALID, UNKNOWN, INVALID]


def test_normalize_takes_a_country_column_per_phone_target() -> None:
    targets = TARGETS.assign(**{"to.phone_number": TARGETS["profile.phone_number"]})
    result = normalize(targets, region="US", countries={"to.phone_number": COUNTRIES})
    assert result.targets["to.phone_number"].tolist() == [
        "+447400123401", "2015550177", "3123517909", "+12015550123"
    ]  # fmt: skip
    # The phone target the mapping gives no country column is read in the default region.
    assert result.targets["profile.phone_number"].tolist() == [
        "07400 123401", "+12015550177", "+13123517909", "+12015550123"
    ]  # fmt: skip


def test_prepare_reads_phones_in_the_region_column() -> None:
    users = pd.DataFrame(
        {
            "Email": ["ann@example.com", "bo@example.com", "cy@example.com", "di@example.com"],
            "Phone": ["07400 123401", "2015550177", "3123517909", "2015550123"],
            "Country": ["UK", "France", "Atlantis", ""],
        }
    )
    mapping = {"profile": {"email": "Email", "phone_number": "Phone"}}
    before = prepare(users, mapping)
    assert before.df["bulk_status"].tolist() == ["invalid", "ready", "ready", "ready"]
    after = prepare(users, mapping, region_column="Country")
    assert after.df["bulk_status"].tolist() == ["ready", "invalid", "invalid", "ready"]
    assert after.df.loc[0, "bulk_user"]["profile"]["phone_number"] == "+447400123401"
    assert after.df.loc[3, "bulk_user"]["profile"]["phone_number"] == "+12015550123"
    assert after.errors["code"].tolist() == [AMBIGUOUS, UNKNOWN]
    assert "'Atlantis'" in after.df.loc[2, "bulk_error"]


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ("country", "region column 'country' not found; did you mean 'Country'?"),
        ("Contry", "did you mean 'Country'?"),
        ("Land", "the columns are 'Email', 'Phone', 'Country'"),
        ("bulk_row", "region column 'bulk_row' not found"),
    ],
)
def test_prepare_refuses_a_region_column_the_frame_does_not_have(column: str, words: str) -> None:
    users = pd.DataFrame({"Email": ["ann@example.com"], "Phone": ["1"], "Country": ["UK"]})
    with pytest.raises(ConfigurationError, match="region column") as caught:
        prepare(users, {"profile": {"email": "Email"}}, region_column=column)
    assert words in str(caught.value)


def test_the_sample_data_with_its_country_column() -> None:
    users = read_csv(ROOT / "data" / "users_messy.csv")
    mapping = Mapping.load(ROOT / "data" / "users_messy.mapping.yaml")
    assert mapping.region_columns() == {"profile.phone_number": "Country"}
    spec = mapping.to_dict()
    spec["profile"]["phone_number"] = "Phone"  # the same mapping, every phone read in the default region
    before = prepare(users, Mapping(spec), region="US")
    after = prepare(users, mapping, region="US")
    assert before.summary == {"ready": 289, "invalid": 21, "duplicate": 5}
    assert after.summary == {"ready": 290, "invalid": 20, "duplicate": 5}
    # The one British national number, flagged when read as a US number, is now read as British.
    changed = after.df[after.df["bulk_status"] != before.df["bulk_status"]]
    assert changed[["bulk_row", "Phone", "Country", "bulk_status"]].to_dict("records") == [
        {"bulk_row": 163, "Phone": "07406 194974", "Country": "UK", "bulk_status": "ready"}
    ]
    assert changed["bulk_user"].iloc[0]["profile"]["phone_number"] == "+447406194974"
    same = after.df["bulk_status"] == before.df["bulk_status"]
    assert after.df["bulk_user"][same].map(str).equals(before.df["bulk_user"][same].map(str))
