"""Countries as exports write them: calling codes, short names, a name with its code in brackets."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.countries import region_of, regions_of


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("91", "IN"),
        ("44", "GB"),
        ("+55", "BR"),
        (" +49 ", "DE"),
        ("1", "US"),  # the main country of the North American plan, not Canada
        ("7", "RU"),  # Russia, not Kazakhstan
        ("800", None),  # international freephone: no country
        ("999", None),  # unassigned
        ("0", None),
        ("1234", None),
        ("EE. UU.", "US"),
        ("EEUU", "US"),
        ("السعودية", "SA"),
        ("ประเทศไทย", "TH"),
        ("Australia (AU)", "AU"),
        ("Germany [DEU]", "DE"),
        ("Austria (AU)", None),  # the name and the code disagree: never a guess
        ("Narnia (NA)", None),
    ],
)
def test_region_of_reads_the_country_as_written(value: str, region: str | None) -> None:
    assert region_of(value) == region


def test_a_column_of_calling_codes_reads_each_rows_number_in_its_country() -> None:
    frame = pd.DataFrame(
        {
            "Phone": ["9845012345", "7911 123456", "11912345678", "(415) 392-0172", "98450 12345"],
            "Country Code": ["91", "44", "+55", "1", "91"],
        }
    )
    mapping = Mapping({"profile.phone_number": {"column": "Phone", "region_column": "Country Code"}})
    result = prepare(frame, mapping)
    phones = [user["profile"]["phone_number"] for user in result.ready["bulk_user"]]
    assert phones == ["+919845012345", "+447911123456", "+5511912345678", "+14153920172"]
    assert result.summary == {"ready": 4, "invalid": 0, "duplicate": 1}


def test_an_unknown_calling_code_is_reported_as_an_unknown_country() -> None:
    column = regions_of(pd.Series(["999", "44"]))
    assert column.regions.tolist() == [None, "GB"]
    assert column.unknown.tolist() == [True, False]
