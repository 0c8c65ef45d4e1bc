"""MySQL's ``\\N`` is an empty cell; a phone word before the number without a colon is a label."""

from __future__ import annotations

import pandas as pd

from bulkprep import Mapping, prepare
from bulkprep.normalize import normalize_phones, placeholders

MAPPING = Mapping({"recipient": "id", "profile.email": "email", "profile.phone_number": "phone"})


def test_mysql_null_is_an_empty_email_or_phone() -> None:
    frame = pd.DataFrame(
        {"id": ["u1", "u2"], "email": ["\\N", "b@example.com"], "phone": ["+14153920162", "\\N"]}
    )
    result = prepare(frame, MAPPING, region="US")
    assert result.summary["ready"] == 2
    assert result.df.loc[0, "bulk_user"]["profile"] == {"phone_number": "+14153920162"}
    assert result.df.loc[1, "bulk_user"]["profile"] == {"email": "b@example.com"}
    assert placeholders(pd.Series(["\\N", "\\n", "N", "\\Nx"])).tolist() == [True, True, False, False]


def test_a_phone_word_without_a_colon_is_stripped() -> None:
    phones = pd.Series(
        ["Tel. 0152 2345 6789", "Tel 0152 2345 6789", "Mob.: 0171 1234567", "mobil 0171 1234567"]
    )
    assert normalize_phones(phones, region="DE")["normalized"].tolist() == [
        "+4915223456789",
        "+4915223456789",
        "+491711234567",
        "+491711234567",
    ]


def test_a_fax_or_another_word_without_a_colon_is_still_refused() -> None:
    out = normalize_phones(pd.Series(["Fax 030 1234567", "Anna 030 1234567"]), region="DE")
    assert out["normalized"].tolist() == [None, None]
    assert all("letters" in message for message in out["message"])
