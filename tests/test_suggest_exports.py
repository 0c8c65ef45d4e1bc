"""Suggestions on exports as real tools write them: headers recognized by their words, cells that
decide, mobiles first, the country that goes with the phone, and date columns cast."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from bulkprep import prepare
from bulkprep.mapping import ColumnSource, Mapping
from bulkprep.read import read_csv
from bulkprep.status import Column, RowStatus
from bulkprep.suggest import SAMPLE_CELLS, frame_suggestion, suggested_spec


def _frame(**columns: Sequence[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _source(mapping: Mapping, target: str) -> ColumnSource:
    source = mapping.sources[target]
    assert isinstance(source, ColumnSource)
    return source


# -- identity columns named by their words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "target", "expected"),
    [
        # Contact managers number their emails and phones and put each one's label beside it.
        (["Full Name", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"],
         "profile.email", "E-mail 1 - Value"),
        (["Full Name", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value"],
         "profile.phone_number", "Phone 1 - Value"),
        # CRMs prefix the entity: "Person - Email - Work".
        (["Person - Name", "Person - Email - Work", "Person - Email - Home"], "profile.email",
         "Person - Email - Work"),
        (["Person - Phone - Work", "Person - Phone - Mobile", "Person - Phone - Home"],
         "profile.phone_number", "Person - Phone - Mobile"),
        # Forms write the question as the header.
        (["Your name", "What is your e-mail?", "Your phone number (optional)"], "profile.email",
         "What is your e-mail?"),
        (["Your name", "What is your e-mail?", "Your phone number (optional)"], "profile.phone_number",
         "Your phone number (optional)"),
        # Shop and newsletter exports.
        (["customer_id", "billing_email", "billing_phone"], "profile.phone_number", "billing_phone"),
        (["EMAIL", "SMS", "OPT_IN"], "profile.phone_number", "SMS"),
        (["Nom", "Téléphone portable", "Pays"], "profile.phone_number", "Téléphone portable"),
        (["Nome", "Cellulare"], "profile.phone_number", "Cellulare"),
        (["Nombre", "Correo electrónico", "Móvil"], "profile.email", "Correo electrónico"),
        # A person's id: an id word with a person's, in any language.
        (["Square Customer ID", "Nickname", "Email Address"], "recipient", "Square Customer ID"),
        (["Order #", "Attendee #", "Email"], "recipient", "Attendee #"),
        (["N° client", "E-mail"], "recipient", "N° client"),
        (["Nº de socio", "Correo"], "recipient", "Nº de socio"),
        (["Codice socio", "Email"], "recipient", "Codice socio"),
        (["Member ID", "Email"], "recipient", "Member ID"),
        (["Person - ID", "Person - Name"], "recipient", "Person - ID"),
        (["Patient Nr", "Mobile"], "recipient", "Patient Nr"),
    ],
)  # fmt: skip
def test_identity_headers_are_recognized_by_their_words(
    columns: list[str], target: str, expected: str
) -> None:
    spec = suggested_spec(columns)
    source = spec[target]
    assert (source if isinstance(source, str) else source["column"]) == expected
    if target == "recipient":
        assert spec["to.user_id"] == expected


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("E-mail 1 - Type", "profile.email"),  # the label of an email, not the email
        ("Email Marketing Consent", "profile.email"),
        ("Unsubscribed from Emails", "profile.email"),
        ("Email Opt Out", "profile.email"),
        ("Accepts SMS Marketing", "profile.phone_number"),
        ("SMS Subscription Status", "profile.phone_number"),
        ("Phone Country Code", "profile.phone_number"),
        ("Business Fax", "profile.phone_number"),
        ("Phone Extension", "profile.phone_number"),
        ("Order #", "recipient"),  # an id, but not a person's
        ("Network ID", "recipient"),
        ("Contact Owner ID", "recipient"),  # the owner's id, not the contact's
        ("Account Number", "recipient"),
    ],
)
def test_headers_about_something_else_are_not_identities(header: str, target: str) -> None:
    assert target not in suggested_spec([header])


def test_a_header_named_by_its_words_must_hold_what_it_says() -> None:
    frame = _frame(**{"Mail Stop": ["MS 12", "MS 40"], "Phone Model": ["Pixel 8", "iPhone 15"]})
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("profile.email") is None
    assert mapping.column_of("profile.phone_number") is None
    assert mapping.column_of("data.mail_stop") == "Mail Stop"
    # Without cells (a header-only frame) the header decides.
    assert Mapping.suggest(pd.DataFrame(columns=["Mail Stop"])).column_of("profile.email") == "Mail Stop"


def test_without_an_email_header_the_column_of_email_addresses_is_the_email() -> None:
    frame = _frame(
        Name=["Ann", "Bo", "Cy", "Di"],
        Login=["ann", "bo@example.org", "cy", "di"],
        Contact=["ann@example.com", "bo@example.org", "", "not given"],
    )
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("profile.email") == "Contact"  # 2 of its 3 filled cells are emails
    assert mapping.column_of("data.login") == "Login"  # 1 of 4: not mostly emails
    assert mapping.notes == (
        "profile.email: 'Contact', whose cells are email addresses (no header names an email)",
    )
    result = prepare(frame, None)
    assert result.df[Column.USER].iloc[0]["profile"]["email"] == "ann@example.com"


def test_the_email_by_cells_is_never_used_when_a_header_names_one() -> None:
    frame = _frame(Email=["ann@example.com"], Contact=["ann@example.org"])
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("profile.email") == "Email"
    assert mapping.column_of("data.contact") == "Contact"
    assert mapping.notes == ()


def test_no_column_of_emails_means_no_email() -> None:
    frame = _frame(Name=["Ann", "Bo"], Notes=["call back", "ann@example.com and more"])
    assert Mapping.suggest(frame).column_of("profile.email") is None


def test_the_cells_are_sampled_over_the_whole_column() -> None:
    rows = 20 * SAMPLE_CELLS
    late = [""] * (rows - 500) + [f"user{i}@example.com" for i in range(500)]
    frame = _frame(Name=["x"] * rows, Contact=late)
    assert Mapping.suggest(frame).column_of("profile.email") == "Contact"


# -- several phones: the mobile --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "phone"),
    [
        # A CRM's office Phone and the contact's Mobile: text messages go to the mobile.
        ({"Phone": ["+1 212 555 0100"], "Mobile": ["+1 415 555 0132"]}, "Mobile"),
        ({"Business Phone": ["+1 212 555 0100"], "Home Phone": ["+1 212 555 0101"],
          "Mobile Phone": ["+1 415 555 0132"]}, "Mobile Phone"),
        ({"Telefono": ["06 1234 5678"], "Cellulare": ["347 123 4567"]}, "Cellulare"),
        # An empty mobile column is no use: the filled phone comes first.
        ({"Phone": ["+1 212 555 0100"], "Mobile": [None]}, "Phone"),
        ({"Work Phone": [""], "Phone": ["+1 212 555 0100"]}, "Phone"),
    ],
)  # fmt: skip
def test_the_mobile_comes_first_among_filled_phones(cells: dict[str, list[object]], phone: str) -> None:
    assert Mapping.suggest(pd.DataFrame(cells)).column_of("profile.phone_number") == phone


# -- the country that goes with the phone ----------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "phone", "region"),
    [
        (["Cell Phone", "Home Country"], "Cell Phone", "Home Country"),
        (["Mobile Phone", "Business Country/Region"], "Mobile Phone", "Business Country/Region"),
        (["Phone", "Billing Country"], "Phone", "Billing Country"),
        (["Phone", "Country Code"], "Phone", "Country Code"),
        (["Phone 1 - Value", "Address 1 - Country"], "Phone 1 - Value", "Address 1 - Country"),
        (["Your phone number", "Which country do you live in?"], "Your phone number",
         "Which country do you live in?"),
        # The country sharing the phone's words, wherever it is.
        (["shipping_country", "billing_phone", "billing_country"], "billing_phone", "billing_country"),
        (["Home Country/Region", "Business Phone", "Business Country/Region"], "Business Phone",
         "Business Country/Region"),
        (["Country", "Delivery Country", "Phone"], "Phone", "Country"),  # else the better spelling
    ],
)  # fmt: skip
def test_the_phone_is_read_in_the_country_that_goes_with_it(
    columns: list[str], phone: str, region: str
) -> None:
    assert suggested_spec(columns)["profile.phone_number"] == {"column": phone, "region_column": region}


def test_a_filled_country_column_comes_before_an_empty_one() -> None:
    frame = pd.DataFrame(
        {"Mobile Phone": ["07400 482134"], "Home Country/Region": [None], "Business Country/Region": ["UK"]}
    )
    mapping = Mapping.suggest(frame)
    assert mapping.region_columns() == {"profile.phone_number": "Business Country/Region"}
    result = prepare(frame, None)
    assert result.df[Column.USER].iloc[0]["profile"]["phone_number"] == "+447400482134"


@pytest.mark.parametrize(
    "cells",
    [
        {"Phone": ["+1 212 555 0100"], "Country of birth": ["Peru"]},  # not where the phone is
        {"Phone": ["+1 212 555 0100"], "Land line": ["020 7946 0958"]},  # "land", but no country
    ],
)
def test_a_country_the_phone_is_not_in_is_no_region_column(cells: dict[str, list[object]]) -> None:
    assert Mapping.suggest(pd.DataFrame(cells)).region_columns() == {}


# -- which id is the user's ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "recipient"),
    [
        # An export's own record id is the recipient when the file has nothing better: it names
        # each user once, and the same export sent again updates the same users.
        (["CONTACT ID", "EMAIL", "SMS"], "CONTACT ID"),
        (["Record Id", "Email"], "Record Id"),
        # The app's own id comes first.
        (["Contact ID", "User ID", "Email"], "User ID"),
        (["Record ID", "External ID"], "External ID"),
        (["Square Customer ID", "user_id (metadata)"], "user_id (metadata)"),
        # An exact spelling before an id recognized by its words.
        (["Attendee #", "Customer ID"], "Customer ID"),
    ],
)
def test_the_recipient_is_the_best_id_the_file_has(columns: list[str], recipient: str) -> None:
    assert suggested_spec(columns)["recipient"] == recipient


# -- symbol-only headers ------------------------------------------------------------------------------


def test_a_number_sign_header_is_data_named_number() -> None:
    spec = suggested_spec(["#", "Order #", "Email", "!!"])
    assert spec == {
        "profile.email": "Email",
        "data.number": "#",
        "data.order_number": "Order #",
        "data.column_4": "!!",  # no word at all: named by its position
    }


# -- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Date Created", "Joined", "Birthday", "Signed up", "date_registered", "Geburtsdatum", "Kunde seit",
     "Date de naissance", "Fecha de alta", "Data iscrizione", "When were you born?", "First Visit",
     "Person - Person created", "signupDate"],
)  # fmt: skip
def test_a_date_column_is_cast_when_its_header_and_its_cells_say_so(header: str) -> None:
    frame = _frame(Email=["a@example.com", "b@example.com"], **{header: ["2024-03-14 10:22", "2023-12-25"]})
    sources = Mapping.suggest(frame).sources.values()
    source = next(s for s in sources if isinstance(s, ColumnSource) and s.column == header)
    assert (source.cast, source.dayfirst) == ("date", None)


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Renewal", ["2024-03-14", "2025-03-14", "soon"]),  # not all dates, and the header does not say so
        ("Date format", ["dd/mm/yyyy", "mm/dd/yyyy"]),  # the header says so, the cells do not
        ("Start date", ["ASAP", "next week", "2024-05-01"]),  # one date in three
        ("Birthday", ["03/14", "12/01", "07/04"]),  # no year: no date to send
        ("Anniversary", ["0/0/00", "0/0/00"]),  # an empty date as some exporters write it
    ],
)
def test_columns_that_are_not_dates_stay_uncast(header: str, cells: list[str]) -> None:
    mapping = Mapping.suggest(_frame(**{header: cells}))
    assert all(source.cast is None for source in mapping.sources.values() if isinstance(source, ColumnSource))
    assert mapping.notes == ()


def test_a_date_column_with_impossible_days_is_still_a_date_column() -> None:
    frame = _frame(
        Email=["a@example.com", "b@example.com", "c@example.com"],
        Birthday=["1985-04-12", "1990-02-29", None],
    )
    mapping = Mapping.suggest(frame)
    assert _source(mapping, "data.birthday").cast == "date"
    result = prepare(frame, None)
    assert result.df[Column.STATUS].tolist() == [RowStatus.READY, RowStatus.INVALID, RowStatus.READY]
    assert result.df[Column.USER].iloc[0]["data"]["birthday"] == "1985-04-12"


def test_a_date_column_reads_by_its_own_convention(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "Member ID,Email,Joined,Last login date\n"
        "M1,ann@example.co.uk,14/3/2024,03/14/2024 08:00\n"
        "M2,bo@example.co.uk,2/4/2024,04/02/2024 09:30\n",
        encoding="utf-8",
    )
    result = prepare(read_csv(path), None, region="GB")
    joined = _source(result.mapping, "data.joined")
    login = _source(result.mapping, "data.last_login_date")
    assert (joined.cast, joined.dayfirst, login.cast, login.dayfirst) == ("date", None, "date", None)
    users = result.df[Column.USER].tolist()
    assert [user["data"]["joined"] for user in users] == ["2024-03-14", "2024-04-02"]
    assert [user["data"]["last_login_date"] for user in users] == ["2024-03-14", "2024-04-02"]


def test_a_date_column_that_reads_both_ways_takes_the_files_convention(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "N° client;E-mail;Date de naissance;Date d'inscription\n"
        "101;elodie@exemple.fr;14/07/1989;03/01/2024 09:15\n"
        "102;remi@exemple.fr;02/03/1975;03/01/2024 09:15\n",
        encoding="utf-8",
    )
    result = prepare(read_csv(path), None, region="FR")
    registered = _source(result.mapping, "data.date_d_inscription")
    assert (registered.cast, registered.dayfirst) == ("date", True)
    born = _source(result.mapping, "data.date_de_naissance")
    assert (born.cast, born.dayfirst) == ("date", None)  # 14/07/1989 proves its own column
    assert result.mapping.notes == (
        'data.date_d_inscription: "Date d\'inscription" read day first (dayfirst: true): its dates read '
        "both ways, and 'Date de naissance' has 14/07/1989, day first",
    )
    users = result.df[Column.USER].tolist()
    assert [user["data"]["date_d_inscription"] for user in users] == ["2024-01-03", "2024-01-03"]
    assert [user["data"]["date_de_naissance"] for user in users] == ["1989-07-14", "1975-03-02"]


def test_a_date_column_nothing_settles_stays_uncast_with_a_note() -> None:
    frame = _frame(Email=["a@example.com", "b@example.com"], Created=["03/04/2024", "05/06/2024"])
    mapping = Mapping.suggest(frame)
    assert _source(mapping, "data.created").cast is None
    assert mapping.notes == (
        "data.created: 'Created' left uncast: its dates read both ways (day or month first) and no "
        "date of the file tells which; add cast: date with dayfirst: true or false",
    )


def test_columns_proving_different_conventions_settle_no_other() -> None:
    frame = _frame(
        Born=["25/12/1990"], Joined=["12/25/2023"], Created=["03/04/2024"], Email=["a@example.com"]
    )
    mapping = Mapping.suggest(frame)
    assert _source(mapping, "data.born").cast == "date"
    assert _source(mapping, "data.joined").cast == "date"
    assert _source(mapping, "data.created").cast is None
    assert len(mapping.notes) == 1
    assert mapping.notes[0].startswith("data.created: 'Created' left uncast")


def test_a_date_column_proving_both_conventions_stays_uncast_with_a_note() -> None:
    frame = _frame(Signup=["x"] * 3, **{"Signup Date": ["25/03/2024", "03/25/2024", "04/05/2024"]})
    mapping = Mapping.suggest(frame)
    assert _source(mapping, "data.signup_date").cast is None
    (note,) = mapping.notes
    assert note.startswith("data.signup_date: 'Signup Date' left uncast: column 'Signup Date' has both ")
    assert "25/03/2024 (day first) and 03/25/2024 (month first)" in note


def test_typed_date_cells_are_cast() -> None:
    frame = _frame(Email=["a@example.com"], **{"Data di nascita": [pd.Timestamp("1990-03-15")]})
    mapping = Mapping.suggest(frame)
    assert _source(mapping, "data.data_di_nascita").cast == "date"
    assert prepare(frame, None).df[Column.USER].iloc[0]["data"]["data_di_nascita"] == "1990-03-15"


def test_headers_alone_propose_no_cast() -> None:
    assert suggested_spec(["Email", "Signup Date"]) == {
        "profile.email": "Email",
        "data.signup_date": "Signup Date",
    }
    assert Mapping.suggest(pd.DataFrame(columns=["Email", "Signup Date"])).notes == ()


# -- notes ------------------------------------------------------------------------------------------------


def test_notes_belong_to_the_suggestion_not_to_the_mapping(tmp_path: Path) -> None:
    frame = _frame(Contact=["ann@example.com"], Created=["03/04/2024"])
    suggested = Mapping.suggest(frame)
    assert len(suggested.notes) == 2
    assert frame_suggestion(frame).notes == suggested.notes
    plain = Mapping(suggested.to_dict())
    assert plain.notes == ()
    assert plain == suggested
    file = tmp_path / "mapping.yaml"
    suggested.save(file)
    text = file.read_text(encoding="utf-8")
    assert text.startswith("# profile.email: 'Contact', whose cells are email addresses")
    assert "# data.created: 'Created' left uncast" in text
    assert Mapping.load(file) == suggested
    json_file = tmp_path / "mapping.json"
    suggested.save(json_file)
    assert Mapping.load(json_file) == suggested


def test_a_frame_with_two_columns_of_one_name_reads_the_first() -> None:
    frame = pd.DataFrame(
        [["not an email", "ann@example.com", "2024-03-14"]], columns=["Contact", "Contact", "Joined"]
    )
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("profile.email") is None  # the first Contact is the one a mapping reads
    assert _source(mapping, "data.joined").cast == "date"
