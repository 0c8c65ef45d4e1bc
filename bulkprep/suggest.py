"""What column names (and a sample of their cells) say: emails, phones, user ids, countries, dates.

:meth:`bulkprep.mapping.Mapping.suggest` reads a frame with :func:`frame_suggestion` (its headers,
the layout :func:`bulkprep.read.read_csv` recognized, and a sample of the cells: :data:`SAMPLE_CELLS`
per column), which returns the spec and the notes a reviewer needs (what the cells decided);
:func:`suggested_spec` holds the rules for headers alone; the mapping's hints name fields with
:func:`snake_case`. Headers are compared by their letters and digits only, whatever their case,
spacing, punctuation or accents (``E-mail Address`` is ``emailaddress``, ``Téléphone`` is
``telephone``, ``Straße`` is ``strasse``), then by their words: ``Person - Email - Work``,
``E-mail 1 - Value`` (not its ``- Type``), ``billing_phone``, ``What's your email address?``,
``Square Customer ID``, ``Attendee #``, ``N° client`` and ``Codice socio`` (an id word with a
person's) are recognized though no spelling names them exactly.

The spellings cover the exports people bring: HubSpot (``Record ID``), Klaviyo (``Klaviyo ID``),
Stripe (the app's id in ``user_id (metadata)`` over Stripe's own ``id``), Mailchimp (``Email
Address``, ``LEID``), Shopify (``Customer ID``), Salesforce reports (``Contact ID``, ``Mobile``),
and spreadsheets in German (``Kundennummer``, ``E-Mail``, ``Mobil``, ``Handy``, ``Telefon``,
``Land``), French (``Identifiant``, ``Courriel``, ``Portable``, ``Téléphone``, ``Pays``), Spanish
(``Número de cliente``, ``Correo electrónico``, ``Móvil``, ``Teléfono``, ``País``), Italian
(``Codice cliente``, ``Posta elettronica``, ``Cellulare``, ``Paese``), Portuguese (``Telemóvel``,
``Celular``, ``Telefone``), Dutch (``Klantnummer``, ``E-mailadres``, ``Mobiel``, ``Land``), Japanese
(``顧客ID``, ``会員番号``, ``メールアドレス``, ``携帯番号``, ``電話番号``, ``国``, ``姓``/``名``), Polish
(``Nr klienta``, ``Identyfikator``, ``Telefon komórkowy``, ``Kraj``, ``Imię``/``Nazwisko``), Czech and
Slovak (``Číslo zákazníka``, ``Mobilní telefon``, ``Země``), Swedish, Danish and Norwegian
(``Kundnummer``, ``Kundenummer``, ``E-post``, ``Mobilnummer``, ``Medlem sedan``, ``Fødselsdato``),
Finnish (``Asiakasnumero``, ``Sähköposti``, ``Matkapuhelin``, ``Maa``, ``Syntymäaika``), Turkish
(``Müşteri No``, ``E-posta``, ``Cep Telefonu``, ``Ülke``, ``Doğum Tarihi``), Baltic, Balkan,
Icelandic, Bulgarian, Arabic, Persian, Indonesian and Malay ones (Estonian ``Kood`` and ``Riik``,
Latvian ``Klienta kods`` and ``Tālrunis``, Croatian ``Šifra``, ``Mobitel`` and ``Država``, Serbian
``Шифра`` and ``Држава``, Bulgarian ``Код`` and ``Държава``, ``Farsími``, ``No. Telepon``,
``No. Telefon``; a record's code alone only when the file has no plain id), the shop, accounting and
helpdesk exports (Shopware's ``customerNumber`` over its 32-hex ``id``, Lightspeed's and NetSuite's
``Internal ID``, Freshdesk's ``Unique External ID``, Odoo's ``Reference`` when there is no id,
Xero's ``AccountNumber`` when each row has its own and its ``POCountry``), and Microsoft Dynamics'
contact GUID (``(Do Not Modify) Contact``, the recipient when nothing better names the user). In
every language a mobile (text messages reach it, ``SMS`` too) comes before a landline or an office
phone, and the phone is read in the country that goes with it (``billing_phone`` in
``billing_country``). Data columns whose header speaks of a date and whose cells mostly read as
dates get ``cast: date`` (whatever the header, when every cell is a full date), and a data column
whose values all read as one yes/no pair, amounts or counts, or JSON gets ``cast: bool``, ``int``,
``float`` or ``json`` (:mod:`bulkprep.suggest_casts`). First and last names become
``data.first_name`` and ``data.last_name``
(``Prénom``/``Nom``, ``Nombre``/``Apellidos``, ``Nome``/``Cognome``, ``Voornaam``/``Achternaam``...);
``Nombre`` and ``Nome`` name the first name only beside a last-name column, since alone they are as
often the whole name (they then stay ``data.nombre``, ``data.nome``), while French ``Nom`` is the
last name.

Example:
    >>> suggested_spec(["User ID", "E-mail", "Plan"])
    {'recipient': 'User ID', 'profile.email': 'E-mail', 'data.plan': 'Plan', 'to.user_id': 'User ID'}
    >>> suggested_spec(["Kundennummer", "Mobil", "Land"])["profile.phone_number"]
    {'column': 'Mobil', 'region_column': 'Land'}
    >>> suggested_spec(["Prénom", "Nom", "Courriel", "Téléphone", "Pays"])  # doctest: +NORMALIZE_WHITESPACE
    {'profile.email': 'Courriel', 'profile.phone_number': {'column': 'Téléphone', 'region_column': 'Pays'},
     'data.first_name': 'Prénom', 'data.last_name': 'Nom', 'data.pays': 'Pays'}
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Final, NamedTuple, TypeAlias

import numpy as np
import pandas as pd

from bulkprep import casts, suggest_casts
from bulkprep.countries import region_of
from bulkprep.layouts import SALESFORCE_REPORT
from bulkprep.report import ErrorCode
from bulkprep.status import ATTRS_KEY

__all__ = [
    "MOSTLY",
    "SAMPLE_CELLS",
    "Spec",
    "Suggestion",
    "frame_suggestion",
    "snake_case",
    "suggested_frame_spec",
    "suggested_spec",
]

Spec: TypeAlias = dict[str, str | dict[str, str | bool]]
"""A flat mapping spec: dotted target -> column name, or a column source with its options."""

# Header spellings (lower case, letters and digits only) in order of preference per target.
_EMAIL_HEADERS: tuple[str, ...] = (
    "email",
    "emailaddress",
    "mail",
    "emailaddr",
    "mailaddress",
    "primaryemail",
    "courriel",  # French
    "adresseemail",
    "adressemail",
    "adressecourriel",
    "correoelectronico",  # Spanish
    "correo",
    "direcciondecorreo",
    "direcciondecorreoelectronico",
    "postaelettronica",  # Italian
    "indirizzoemail",
    "enderecodeemail",  # Portuguese
    "enderecoemail",
    "correioeletronico",  # Brazil's eletrônico and Portugal's eletrónico
    "correioelectronico",
    "emailadres",  # Dutch
    "メールアトレス",  # Japanese メールアドレス, its dakuten folded away like an accent
    "メール",
    "eメール",
    "電子メール",
    "adresemail",  # Polish
    "epost",  # Swedish, Norwegian and Danish
    "epostadress",
    "epostadresse",
    "sahkoposti",  # Finnish
    "sahkopostiosoite",
    "eposta",  # Turkish
    "epostaadresi",
)
# Mobiles first (Courier sends text messages to the profile's phone_number), then landlines and
# office lines, in every language: French writes "Mobile" too, and "Portable" (telephone portable).
_MOBILE_HEADERS: tuple[str, ...] = (
    "mobile",
    "mobilenumber",
    "mobilephone",
    "cell",
    "cellphone",
    "cellnumber",
    "mobil",
    "mobilnummer",
    "mobiltelefon",
    "handy",
    "handynummer",
    "portable",
    "telephoneportable",
    "telportable",
    "movil",
    "telefonomovil",
    "celular",
    "telefonocelular",
    "numerodecelular",
    "cellulare",
    "numerodicellulare",
    "telemovel",
    "mobiel",
    "mobielnummer",
    "mobieltelefoonnummer",
    "gsm",  # Belgium and the Netherlands
    "gsmnummer",
    "mobileno",
    "携帯番号",  # Japanese
    "携帯電話",
    "携帯電話番号",
    "携帯",
    "telefonkomorkowy",  # Polish
    "komorka",
    "komorkowy",
    "mobilnitelefon",  # Czech and Slovak
    "mobilny",
    "mobilni",
    "matkapuhelin",  # Finnish
    "matkapuhelinnumero",
    "kannykka",
    "ceptelefonu",  # Turkish: the pocket phone (a word alone, "cep" is a Brazilian postcode)
    "ceptel",
    "ceptelefonnumarasi",
    "mobiltelefonnummer",
)
_PHONE_HEADERS: tuple[str, ...] = (
    *_MOBILE_HEADERS,
    "phone",
    "phonenumber",
    "tel",
    "telephone",
    "telephonenumber",
    "phoneno",
    "telefon",
    "telefonnummer",
    "numerodetelephone",
    "telefono",
    "numerodetelefono",
    "telefone",
    "numerodetelefone",
    "telefoonnummer",
    "telefoon",
    "officephone",
    "workphone",
    "businessphone",
    "電話番号",  # Japanese
    "電話",
    "numertelefonu",  # Polish
    "telefonnicislo",  # Czech
    "telefonnecislo",  # Slovak
    "puhelin",  # Finnish
    "puhelinnumero",
    "telefonnumarasi",  # Turkish
    "telefonu",
)
_ID_HEADERS: tuple[str, ...] = (
    "userid",
    "recipient",
    "recipientid",
    "externalid",
    "externaluserid",  # OneSignal's app user, over the id of one subscription (a device)
    "uniqueexternalid",  # Freshdesk
    "customerid",
    "customernumber",  # Shopware's customerNumber, the shop's own number, over its 32-hex "id"
    "customerno",
    "customernr",
    "memberid",
    "contactid",
    "clientid",
    "recordid",  # HubSpot
    "donotmodifycontact",  # Microsoft Dynamics: "(Do Not Modify) Contact", the contact's GUID
    "kundennummer",  # German: customer number
    "kundennr",
    "kundenid",
    "kundnummer",  # Swedish
    "kundnr",
    "kundenummer",  # Danish and Norwegian
    "kundenr",
    "asiakasnumero",  # Finnish
    "asiakasnro",
    "asiakastunnus",
    "musterino",  # Turkish: Müşteri No
    "musterinumarasi",
    "musterinumara",
    "musteriid",
    "idclient",  # French
    "numeroclient",
    "numerodeclient",
    "idutilisateur",
    "numerodecliente",  # Spanish and Portuguese
    "idcliente",
    "codigodecliente",
    "codigocliente",
    "codigodocliente",
    "idusuario",
    "codicecliente",  # Italian
    "idutente",
    "klantnummer",  # Dutch
    "klantid",
    "顧客id",  # Japanese: customer id, customer number, member number
    "顧客番号",
    "会員番号",
    "会員id",
    "nrklienta",  # Polish
    "numerklienta",
    "idklienta",
    "identyfikator",
    "cislozakaznika",  # Czech and Slovak
    "idzakaznika",
    "uid",
    "leid",  # Mailchimp's id of the member in the audience
    # An export's own number for the record: Xero's AccountNumber (the contact's account with the
    # business, not a bank's), Lightspeed's and NetSuite's Internal ID.
    "accountnumber",
    "internalid",
    "identifiant",  # French and Spanish for a plain "ID"
    "identificador",
    "id",
    "reference",  # Odoo's contact Reference: only when the file has no id at all
)
# An account's number names a person when each row has its own (Xero's contacts); in a CRM it is
# often the company's, shared by its contacts: proposed only when the sampled cells say which.
_DISTINCT_ONLY_IDS: frozenset[str] = frozenset({"accountnumber"})
_DISTINCT_SHARE = 0.9  # of the sampled filled cells, at least this share distinct
# Klaviyo's own profile id: External ID is set only for profiles synced from elsewhere.
_KLAVIYO_ID = "klaviyoid"
_COUNTRY_HEADERS: tuple[str, ...] = (
    "country",
    "countrycode",
    "cc",  # Mailchimp
    "countryregion",  # HubSpot's Country/Region
    "mailingcountry",  # Salesforce contacts
    "pocountry",  # Xero's postal address (its street address is SACountry)
    "postalcountry",
    "postaladdresscountry",
    "mailingaddresscountry",
    "defaultaddresscountrycode",  # Shopify
    "defaultaddresscountry",
    "addresscountry",  # Stripe
    "billingcountry",
    "shippingcountry",
    "sacountry",  # Xero's street address
    "streetcountry",
    "streetaddresscountry",
    "land",  # German and Dutch
    "pays",  # French
    "codepays",
    "pais",  # Spanish and Portuguese
    "codigodepais",
    "paese",  # Italian
    "nazione",
    "landcode",  # Dutch
    "国",  # Japanese
    "国名",
    "kraj",  # Polish
    "zeme",  # Czech
    "krajina",  # Slovak
    "maa",  # Finnish
    "ulke",  # Turkish
)
_LOCALE_HEADERS: tuple[str, ...] = ("locale", "language", "langue", "idioma", "lingua", "taal", "sprache")
# First and last names: sent as data.first_name and data.last_name, whatever the header's language.
_FIRST_NAME_HEADERS: tuple[str, ...] = (
    "firstname",
    "prenom",
    "voornaam",
    "vorname",
    "nombre",
    "nome",
    "imie",  # Polish
    "jmeno",  # Czech
    "meno",  # Slovak
    "名",  # Japanese, beside 姓
)
_LAST_NAME_HEADERS: tuple[str, ...] = (
    "lastname",
    "nom",  # French: "Nom" beside "Prénom", and alone too
    "apellidos",
    "apellido",
    "primerapellido",
    "cognome",
    "sobrenome",
    "achternaam",
    "nachname",
    "nazwisko",  # Polish
    "prijmeni",  # Czech
    "priezvisko",  # Slovak
    "姓",  # Japanese
)
# Spanish "Nombre" and Italian/Portuguese "Nome" are the first name beside a last-name column, and
# as often the whole name alone: without a last name they stay data fields of their own name.
_FIRST_NAME_ONLY_BESIDE_A_LAST_NAME: frozenset[str] = frozenset({"nombre", "nome"})
_NAME_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("last_name", _LAST_NAME_HEADERS),
    ("first_name", _FIRST_NAME_HEADERS),
)
_TENANT_HEADERS: tuple[str, ...] = ("tenantid",)
# Columns whose cells may be whole JSON objects for a root of the payload (names as written, any case).
_JSON_ROOTS: tuple[str, ...] = ("preferences", "data")
# Stripe writes a customer's metadata as "<key> (metadata)": the app's own values, its user id among them.
_METADATA = re.compile(r"\s*\(metadata\)\s*$", re.IGNORECASE)
# Where a recognized layout says which of two fitting columns is meant.
_LAYOUT_PREFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    # A Salesforce contact's Phone is the office line; text messages go to the Mobile (as elsewhere).
    SALESFORCE_REPORT: {"profile.phone_number": ("mobile",)},
    # HubSpot's Phone Number is the contact's own number, its Mobile Phone Number an extra property.
    "hubspot": {"profile.phone_number": ("phonenumber",)},
}
_PHONE_TARGET = "profile.phone_number"
_EMAIL_TARGET = "profile.email"
# bulkprep's own columns (bulk_row, bulk_status, ...) and any other it may add: never user data.
_OWN_PREFIX = "bulk_"

# -- words in a header: for the headers no spelling above names exactly ---------------------------
# "Person - Email - Work", "E-mail 1 - Value", "billing_phone", "What's your email address?",
# "Square Customer ID", "Attendee #", "N° client", "Business Country/Region" are recognized by
# their words (accents and case folded; "#", "N°" and "Nº" read as "number").
_EMAIL_WORDS = frozenset(
    {"email", "emails", "mail", "courriel", "correo", "emailadres", "emailadresse", "epost", "eposta"}
    | {"sahkoposti"}
)
_MOBILE_WORDS = frozenset(
    {"mobile", "mobil", "cell", "cellphone", "cellular", "handy", "portable", "movil", "celular"}
    | {"cellulare", "telemovel", "mobiel", "gsm", "sms", "matkapuhelin", "mobilnummer"}
)
_PHONE_WORDS = _MOBILE_WORDS | frozenset(
    {"phone", "phonenumber", "telephone", "tel", "telefon", "telefono", "telefone", "telefoon"}
    | {"telefonu", "puhelin", "puhelinnumero"}
)
# Words that make an email or phone header about something else: its type or label, consent to
# marketing, a fax, an extension, a date, the owner of the record, the number's country...
_NOT_AN_ADDRESS_WORDS = frozenset(
    {"type", "label", "kind", "marketing", "consent", "subscription", "subscribed", "unsubscribed"}
    | {"opt", "optin", "optout", "status", "verified", "display", "domain", "fax", "extension", "ext"}
    | {"count", "date", "time", "created", "updated", "bounce", "bounced", "format", "provider"}
    | {"confirmed", "country", "code", "prefix", "owner", "accepts", "permission", "sent"}
)
# An id is a person's when its header also names a person: "Customer ID", "Attendee #", "Codice socio".
_ID_WORDS = frozenset(
    {"id", "number", "no", "nr", "nro", "num", "nummer", "numero", "code", "codice", "codigo"}
    | {"identifier", "identifiant", "identificador", "numara", "numarasi", "tunnus"}
)
_PERSON_WORDS = frozenset(
    {"user", "customer", "client", "cliente", "contact", "member", "membre", "miembro", "socio"}
    | {"attendee", "participant", "guest", "subscriber", "person", "profile", "patient", "student"}
    | {"employee", "kunde", "kunden", "klant", "lid", "mitglied", "utente", "usuario", "utilisateur"}
    | {"adherent", "abonne", "donor", "supporter", "lead", "recipient"}
    | {"kund", "asiakas", "jasen", "musteri", "uye", "medlem"}  # Swedish, Finnish, Turkish
)
# ... unless it is the id of something else the person has: an owner, an order, an account.
_NOT_A_PERSON_ID_WORDS = frozenset(
    {"owner", "order", "account", "company", "organization", "organisation", "group", "parent"}
    | {"ticket", "event", "transaction", "invoice", "ip", "tax", "vat", "phone", "email", "mail"}
)
_COUNTRY_WORDS = frozenset(
    {"country", "countryregion", "land", "pays", "pais", "paese", "nazione", "kraj", "zeme", "krajina"}
    | {"maa", "ulke"}
)
# A country the phone is not dialled in: where the person was born, or has been.
_NOT_A_HOME_COUNTRY_WORDS = frozenset({"birth", "origin", "nationality", "citizenship", "visited"})
# Words that only say which phone or country a column is ("Phone 1 - Value"): no kinship between the two.
_KIND_WORDS = _PHONE_WORDS | _COUNTRY_WORDS | _ID_WORDS | frozenset({"region", "value", "address"})
_NUMBER_SIGN = re.compile(r"#|№|\b[Nn]\.?\s*[°º]")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# -- dates -------------------------------------------------------------------------------------------
# A data column is cast as a date when its header says so and its cells mostly read as dates.
_DATE_WORDS = frozenset(
    {"date", "dates", "datum", "birthday", "birthdate", "dob", "born", "created", "joined", "signed"}
    | {"signup", "registered", "registration", "visit", "since", "seit", "anniversary", "naissance"}
    | {"inscription", "fecha", "nacimiento", "data", "nascita", "iscrizione", "nascimento", "cadastro"}
    | {"sedan", "dato", "fodt", "syntymaaika", "syntymapaiva", "paivamaara", "pvm", "liittynyt"}
    | {"tarih", "tarihi", "dogum", "kayit"}  # Swedish, Danish, Norwegian, Finnish, Turkish
    | {"inscrit", "inscrite", "inscrits", "enregistre", "cree"}  # French: Inscrit le, Créé le
)
# Inside compounds: Geburtsdatum, Japanese 生年月日 (birth date), 登録日 (registration day), 日付 (date).
_DATE_STEMS: tuple[str, ...] = (
    *("datum", "geburt", "birth", "年月日", "登録日", "日付", "urodzenia"),
    *("fodselsdato", "syntyma", "tarihi"),  # Fødselsdato, Syntymäpäivä, DoğumTarihi
)
_DATE_SUFFIX = "date"  # signupdate, createdate, birthdate
_FOUR_DIGITS = re.compile(r"\d{4}")
# Written as a date, whether or not it is one: 2024-02-30, 0/0/00, 31.11.2024.
_DATE_SHAPE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))(?!\d)")

SAMPLE_CELLS: Final = 300
"""How many non-blank cells of a column (spread over the column) suggest reads to tell its contents."""
MOSTLY: Final = 0.5
"""The share of a column's sampled cells that must look like emails (or phones, dates, countries)."""
_EMAIL_CELL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_DIGITS = 5  # a phone cell holds at least this many digits
# A phone number as the world dials it: a plus, then 8 to 15 digits, grouped by spaces, dashes or dots.
_INTERNATIONAL_CELL = re.compile(r"^\+\d(?:[ .-]?\(?\d\)?){7,14}$")


class Suggestion(NamedTuple):
    """A proposed mapping spec and the notes that say what the cells decided, for the reviewer."""

    spec: Spec
    notes: tuple[str, ...]


def snake_case(name: str) -> str:
    """A header as a field name: words in lower case joined by underscores (``#`` is ``number``).

    Example:
        >>> [snake_case(n) for n in ("First Name", "customerID", "E-mail", "  signupDate ", "Order #")]
        ['first_name', 'customer_id', 'e_mail', 'signup_date', 'order_number']
    """
    spaced = _CAMEL_HUMP.sub("_", name.strip().replace("#", " number "))
    return "_".join(re.findall(r"[^\W_]+", spaced.casefold()))


def suggested_frame_spec(df: pd.DataFrame, *, reserved: Iterable[str] = ()) -> Spec:
    """A flat mapping spec proposed from a frame: :func:`frame_suggestion` without its notes.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"id": ["1"], "Preferences": ['{"categories": {}}']})
        >>> suggested_frame_spec(frame)
        {'recipient': 'id', 'preferences': {'column': 'Preferences', 'cast': 'json'}, 'to.user_id': 'id'}
    """
    return frame_suggestion(df, reserved=reserved).spec


def frame_suggestion(df: pd.DataFrame, *, reserved: Iterable[str] = ()) -> Suggestion:
    """A mapping spec proposed from a frame, its headers and its cells, with notes for the reviewer.

    The headers decide as in :func:`suggested_spec`; the cells (:data:`SAMPLE_CELLS` of each column)
    then check and complete them:

    - a header recognized by its words only (``Person - Email - Work``, ``billing_phone``) must hold
      emails, phones or countries in most of its cells; an empty column ranks after a filled one;
    - when no header names an email, the column whose cells are mostly email addresses is the email;
    - a data column whose header speaks of a date (``Date``, ``Birthday``, ``Joined``, ``Created``,
      ``Geburtsdatum``, ``Date de naissance``, ``Fecha``, ``Data iscrizione``...) and whose cells
      mostly read as dates gets ``cast: date``. Its convention is the column's own, as
      :func:`bulkprep.casts.convert` decides it; a column whose dates all read both ways takes the
      convention the file's other date columns prove (``dayfirst``, with a note); a column proving
      both conventions, or one that nothing in the file settles, stays uncast, with a note;
    - the layout :func:`bulkprep.read.read_csv` recognized (kept in ``df.attrs``) breaks ties
      between columns that both fit (HubSpot's ``Phone Number`` over its ``Mobile Phone Number``);
    - a column named ``preferences`` or ``data`` whose non-blank cells are all JSON objects feeds
      that root with ``cast: json``;
    - when no header names a phone, the column whose cells are mostly international numbers (a
      ``+`` and 8 to 15 digits: OneSignal's ``identifier``) is the phone, with a note;
    - a data column whose header does not speak of a date gets ``cast: date`` when every sampled
      cell is a full date (``Purchased at``, ``Время создания``);
    - then every value of each remaining data column decides its cast:
      :func:`bulkprep.suggest_casts.column_cast` proposes ``bool``, ``int``, ``float`` or ``json``
      only when all of them read under it and the proof is strong, with a note saying why.

    Args:
        df: the frame, as read.
        reserved: field names that must not be used under ``data``.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"Contact": ["ann@example.com"], "Joined": ["14/3/2024"],
        ...                       "Renewed on (date)": ["03/04/2025"]})
        >>> suggestion = frame_suggestion(frame)
        >>> suggestion.spec  # doctest: +NORMALIZE_WHITESPACE
        {'profile.email': 'Contact', 'data.joined': {'column': 'Joined', 'cast': 'date'},
         'data.renewed_on_date': {'column': 'Renewed on (date)', 'cast': 'date', 'dayfirst': True}}
        >>> print(suggestion.notes[0])
        profile.email: 'Contact', whose cells are email addresses (no header names an email)
    """
    attrs = df.attrs.get(ATTRS_KEY)
    layout = attrs.get("layout") if isinstance(attrs, Mapping) else None
    names = [str(column) for column in df.columns]
    # By position: a frame may have two columns of one name, and the first is the one a mapping reads.
    first_position: dict[str, int] = {}
    for position, name in enumerate(names):
        first_position.setdefault(name, position)
    json_columns = [
        name
        for name, position in first_position.items()
        if name.casefold() in _JSON_ROOTS and _holds_json_objects(df.iloc[:, position].tolist())
    ]
    samples: dict[str, list[object]] = {}

    def cells(name: str) -> list[object]:
        if name not in samples:
            position = first_position.get(name)
            samples[name] = [] if position is None else _sample(df.iloc[:, position])
        return samples[name]

    suggestion = _suggest(
        names,
        reserved=frozenset(reserved),
        layout=layout if isinstance(layout, str) else None,
        json_columns=json_columns,
        cells=cells if len(df) else None,
    )
    return _with_value_casts(df, suggestion, first_position) if len(df) else suggestion


def _with_value_casts(df: pd.DataFrame, suggestion: Suggestion, first_position: dict[str, int]) -> Suggestion:
    """The suggestion with the casts its data columns' values prove (:mod:`bulkprep.suggest_casts`)."""
    spec: Spec = {}
    notes = list(suggestion.notes)
    for target, source in suggestion.spec.items():
        spec[target] = source
        if not target.startswith("data.") or not isinstance(source, str) or source not in first_position:
            continue
        distinct, rows = _filled_values(df.iloc[:, first_position[source]])
        proposal = suggest_casts.column_cast(source, distinct, rows=rows)
        if proposal is not None:
            spec[target] = {"column": source, "cast": proposal.cast}
            notes.append(f"{target}: {source!r} cast: {proposal.cast}: {proposal.reason}")
    return Suggestion(spec, tuple(notes))


def _filled_values(series: pd.Series) -> tuple[list[object], int]:
    """A column's distinct non-blank values (each once, in order) and how many rows are filled."""
    filled = series[~series.isna()]
    try:
        distinct = pd.unique(filled.to_numpy()).tolist()
    except TypeError:  # unhashable cells (a dict from a JSON reader): each one kept
        distinct = filled.tolist()
    blanks = [value for value in distinct if _blank(value)]
    if not blanks:
        return distinct, len(filled)
    rows = int((~filled.isin(blanks)).sum())
    return [value for value in distinct if not _blank(value)], rows


def suggested_spec(
    columns: Iterable[object],
    *,
    reserved: Iterable[str] = (),
    layout: str | None = None,
    json_columns: Iterable[str] = (),
) -> Spec:
    """A flat mapping spec (dotted target -> source) proposed from column names.

    Email, phone and user-id columns are recognised whatever their case, spacing, punctuation or
    accents: by the spellings this module knows, then by the words of the header (``Person - Email -
    Work``, ``E-mail 1 - Value`` but not ``E-mail 1 - Type``, ``billing_phone``, ``SMS``, ``Your
    phone number``, ``Square Customer ID``, ``Attendee #``, ``N° client``, ``Codice socio``: an id
    word with a person's). A mobile comes before a landline or an office phone (text messages reach
    it), then a column named exactly before one recognized by its words. An id column feeds both
    ``recipient`` and ``to.user_id`` (the legacy and the current way of naming the user). The app's
    own id is preferred: a ``... (metadata)`` column named like an id (Stripe's), ``User ID``,
    ``External ID``; an export's own record id (``Record ID``, ``Contact ID``, Brevo's ``CONTACT
    ID``) is proposed when the file has nothing better, since it names each user once. When a
    country column exists (``Country``, ``Home Country``, ``Billing Country``, ``Country Code``,
    ``Pays``...) and a phone is mapped, the phone is read in each row's country
    (``region_column``), the country that shares the phone's words first (``billing_phone`` with
    ``billing_country``); else a plain ``Country``, then the person's own address (``Mailing
    Country``, Xero's postal ``POCountry``), then the one who pays (``Billing Country``), and last
    where goods go (``Shipping Country``, Xero's street ``SACountry``), which may be someone else's.
    ``locale``/``language`` feed ``to.locale`` and ``tenant_id`` feeds
    ``to.tenant_id``. Every other column goes to ``data.<snake_case>`` (the country column too;
    ``#`` is ``number``), numbered when names clash or fall in ``reserved`` (names the mapping
    format keeps for itself). Columns named ``bulk_*`` (bulkprep's own) are left out.

    Args:
        columns: the frame's column names, in order.
        reserved: field names that must not be used under ``data``.
        layout: the export layout the file was recognized as (:data:`bulkprep.layouts.LAYOUTS`),
            which breaks ties between columns that both fit; None for the headers alone.
        json_columns: columns named ``preferences`` or ``data`` (any case) known to hold JSON
            objects: each feeds that root with ``cast: json``.

    Example:
        >>> suggested_spec(["bulk_row", "Mobile", "Name", "name", "!!"], reserved={"column"})
        {'profile.phone_number': 'Mobile', 'data.name': 'Name', 'data.name_2': 'name', 'data.column_4': '!!'}
        >>> spec = suggested_spec(["Phone", "Mobile", "Mailing Country"])
        >>> spec["profile.phone_number"]
        {'column': 'Mobile', 'region_column': 'Mailing Country'}
        >>> spec = suggested_spec(["Person - Email - Work", "billing_phone", "shipping_country",
        ...                        "billing_country"])
        >>> spec["profile.email"], spec["profile.phone_number"]
        ('Person - Email - Work', {'column': 'billing_phone', 'region_column': 'billing_country'})
    """
    return _suggest(
        [str(c) for c in columns],
        reserved=frozenset(reserved),
        layout=layout,
        json_columns=list(json_columns),
        cells=None,
    ).spec


def _suggest(
    columns: list[str],
    *,
    reserved: frozenset[str],
    layout: str | None,
    json_columns: list[str],
    cells: Callable[[str], list[object]] | None,
) -> Suggestion:
    names = [c for c in columns if not c.startswith(_OWN_PREFIX)]
    preferences = _LAYOUT_PREFERENCES.get(layout or "", {})
    notes: list[str] = []
    chosen: dict[str, str] = {}
    for target in ("recipient", _EMAIL_TARGET, _PHONE_TARGET):
        free = [
            column
            for column in _identity_columns(names, target, preferences.get(target, ()), cells)
            if column not in chosen.values()
        ]
        if free:
            chosen[target] = free[0]
    if _EMAIL_TARGET not in chosen and cells is not None:
        found = _email_by_cells(names, exclude=set(chosen.values()), cells=cells)
        if found is not None:
            chosen[_EMAIL_TARGET] = found
            notes.append(
                f"{_EMAIL_TARGET}: {found!r}, whose cells are email addresses (no header names an email)"
            )
    if _PHONE_TARGET not in chosen and cells is not None:
        found = _phone_by_cells(names, exclude=set(chosen.values()), cells=cells)
        if found is not None:
            chosen[_PHONE_TARGET] = found
            notes.append(
                f"{_PHONE_TARGET}: {found!r}, whose cells are international phone numbers (no header "
                f"names a phone)"
            )
    extra: dict[str, str] = {}
    for target, spellings in (("to.locale", _LOCALE_HEADERS), ("to.tenant_id", _TENANT_HEADERS)):
        free = [c for c in _matches(names, spellings) if c not in chosen.values()]
        if free:
            extra[target] = free[0]
    roots: dict[str, str] = {}
    for column in json_columns:
        root = column.casefold()
        if column in names and root in _JSON_ROOTS and root not in roots:
            roots[root] = column
    phone = chosen.get(_PHONE_TARGET)
    country = _country_column(names, phone, cells) if phone is not None else None
    named = _name_fields(names, exclude={*chosen.values(), *extra.values(), *roots.values()}, taken=reserved)

    spec: Spec = dict(chosen)
    if country is not None and phone is not None:
        spec[_PHONE_TARGET] = {"column": phone, "region_column": country}
    for root, column in roots.items():
        spec[root] = {"column": column, "cast": "json"}
    consumed = {*chosen.values(), *extra.values(), *roots.values()}
    used_names: set[str] = set(named.values())
    data: dict[str, str] = {}
    for position, column in enumerate(names):
        if column in consumed:
            continue
        if column in named:
            data[named[column]] = column
            continue
        name = snake_case(column) or f"column_{position + 1}"
        unique, n = name, 2
        while unique in used_names or unique in reserved:
            unique, n = f"{name}_{n}", n + 1
        used_names.add(unique)
        data[unique] = column
    dates = _date_casts(data, cells, notes) if cells is not None else {}
    for field_name, column in data.items():
        spec[f"data.{field_name}"] = dates.get(column, column)
    if "recipient" in chosen:
        spec["to.user_id"] = chosen["recipient"]
    spec.update(extra)
    return Suggestion(spec, tuple(notes))


def _words(header: str) -> tuple[str, ...]:
    """A header's words, accents and case folded, ``#``/``N°`` read as ``number``, e-mail as ``email``.

    Example:
        >>> _words("Person - E-mail 1 - Value"), _words("N° client"), _words("billingPhone #")
        (('person', 'email', '1', 'value'), ('number', 'client'), ('billing', 'phone', 'number'))
    """
    text = _CAMEL_HUMP.sub(" ", _NUMBER_SIGN.sub(" number ", header))
    words = re.findall(r"[^\W_]+", _fold(text))
    merged: list[str] = []
    for word in words:
        if word == "mail" and merged and merged[-1] == "e":
            merged[-1] = "email"  # E-mail, e_mail
        else:
            merged.append(word)
    return tuple(merged)


def _identity_columns(
    names: list[str], target: str, preferred: tuple[str, ...], cells: Callable[[str], list[object]] | None
) -> list[str]:
    """The columns that may feed ``target``, best first.

    Ranked by: a column the layout prefers; a filled column before an empty one; for ids, one
    before a platform's internal record id (24 hexadecimal digits in every sampled cell); for
    phones, a mobile before a landline; a header spelled exactly as this module knows before one recognized
    by its words (its cells checked); then the spelling's rank, fewer words, the frame's order.
    """
    spellings = {"recipient": _ID_HEADERS, _EMAIL_TARGET: _EMAIL_HEADERS, _PHONE_TARGET: _PHONE_HEADERS}[
        target
    ]
    exact = {
        column: rank for rank, column in enumerate(_matches(names, spellings, ids=target == "recipient"))
    }
    ranked: list[tuple[tuple[int, ...], str]] = []
    for position, column in enumerate(names):
        words = _words(column)
        key = _header_key(column)
        if column in exact:
            if key in _DISTINCT_ONLY_IDS and not _mostly_distinct(cells, column):
                continue
            tier, rank = 0, exact[column]
        elif _named_by_words(target, words) and _cells_fit(target, column, cells):
            tier, rank = 1, len(words)
        else:
            continue
        mobile = key in _MOBILE_HEADERS or bool(_MOBILE_WORDS.intersection(words))
        ranked.append(
            (
                (
                    0 if key in preferred else 1,
                    1 if cells is not None and not cells(column) else 0,
                    1 if target == "recipient" and _internal_record_ids(cells, column) else 0,
                    0 if target != _PHONE_TARGET or mobile else 1,
                    tier,
                    rank,
                    position,
                ),
                column,
            )
        )
    return [column for _, column in sorted(ranked)]


def _named_by_words(target: str, words: tuple[str, ...]) -> bool:
    """Whether a header's words name ``target``: an email, a phone, or a person's id."""
    found = set(words)
    if target == "recipient":
        return bool(found & _ID_WORDS and found & _PERSON_WORDS) and not found & _NOT_A_PERSON_ID_WORDS
    vocabulary = _EMAIL_WORDS if target == _EMAIL_TARGET else _PHONE_WORDS
    return bool(found & vocabulary) and not found & _NOT_AN_ADDRESS_WORDS


def _internal_record_ids(cells: Callable[[str], list[object]] | None, column: str) -> bool:
    """Whether every sampled cell of a column is a platform's 24-hex internal record id (Holded's ``ID``)."""
    sample = cells(column) if cells is not None else []
    return bool(sample) and all(_INTERNAL_RECORD_ID.fullmatch(str(cell).strip()) for cell in sample)


def _mostly_distinct(cells: Callable[[str], list[object]] | None, column: str) -> bool:
    """Whether a column's sampled cells are filled and nearly all different (so one per person)."""
    sample = cells(column) if cells is not None else []
    if not sample:
        return False
    return len({str(cell).strip() for cell in sample}) >= _DISTINCT_SHARE * len(sample)


def _cells_fit(target: str, column: str, cells: Callable[[str], list[object]] | None) -> bool:
    """Whether the sampled cells of a column found by its words hold what ``target`` needs."""
    if cells is None or target == "recipient":
        return True
    sample = cells(column)
    if not sample:
        return True  # nothing to tell: the header decides, and the column ranks after filled ones
    fits = _looks_like_email if target == _EMAIL_TARGET else _looks_like_phone
    return _share(sample, fits) > MOSTLY


def _email_by_cells(
    names: list[str], *, exclude: set[str], cells: Callable[[str], list[object]]
) -> str | None:
    """The column whose cells are most often email addresses (more than :data:`MOSTLY`), if any."""
    best: tuple[float, str] | None = None
    for column in names:
        sample = cells(column) if column not in exclude else []
        if not sample:
            continue
        share = _share(sample, _looks_like_email)
        if share > MOSTLY and (best is None or share > best[0]):
            best = (share, column)
    return best[1] if best else None


def _phone_by_cells(
    names: list[str], *, exclude: set[str], cells: Callable[[str], list[object]]
) -> str | None:
    """The column whose cells are most often written as international numbers (``+974 3312 3456``).

    OneSignal keeps a subscription's phone or email in ``identifier``: only a leading ``+`` and the
    digits of a full number (:data:`_INTERNATIONAL_CELL`) tell a phone from another number there.
    """
    best: tuple[float, str] | None = None
    for column in names:
        unfit = column in exclude or bool(_NOT_AN_ADDRESS_WORDS.intersection(_words(column)))  # a Fax
        sample = [] if unfit else cells(column)
        if not sample:
            continue
        share = _share(sample, lambda text: bool(_INTERNATIONAL_CELL.match(text)))
        if share > MOSTLY and (best is None or share > best[0]):
            best = (share, column)
    return best[1] if best else None


def _country_column(names: list[str], phone: str, cells: Callable[[str], list[object]] | None) -> str | None:
    """The column holding each row's country for ``phone``, best first.

    A filled column before an empty one, then the one sharing most of the phone's words
    (``Business Phone`` with ``Business Country/Region``), then, for a phone that is not an
    office's, the person's own country before an office's (``Mobile Phone`` with ``Home
    Country/Region``), then an exact spelling before a header
    recognized by its words (whose cells must mostly be countries), then the spelling's rank.
    """
    exact = {column: rank for rank, column in enumerate(_matches(names, _COUNTRY_HEADERS))}
    qualifiers = set(_words(phone)) - _KIND_WORDS
    ranked: list[tuple[tuple[int, ...], str]] = []
    for position, column in enumerate(names):
        if column == phone:
            continue
        words = set(_words(column))
        if column in exact:
            tier, rank = 0, exact[column]
        elif (
            words & _COUNTRY_WORDS
            and not words & _NOT_A_HOME_COUNTRY_WORDS
            and (cells is None or not cells(column) or _share(cells(column), _looks_like_country) > MOSTLY)
        ):
            tier, rank = 1, len(words)
        else:
            continue
        empty = 1 if cells is not None and not cells(column) else 0
        office = 1 if words & _OFFICE_WORDS and not qualifiers & _OFFICE_WORDS else 0
        shared = -len(qualifiers & (words - _KIND_WORDS))
        ranked.append(((empty, shared, office, tier, rank, position), column))
    return min(ranked)[1] if ranked else None


class _DateColumn(NamedTuple):
    """What a data column's sampled cells say as dates."""

    dates: bool  # most cells read as dates
    proves: bool | None  # the convention its own cells prove (True: day first), None if none
    evidence: str  # the cell that proves it
    unsettled: bool  # some dates read both ways and the column does not say which
    conflict: str | None  # the message of a column proving both conventions
    yearless: str | None = None  # a cell with a day and a month but no year (a birthday's 14 Mar)
    every: bool = False  # every cell reads as a full date, with a day, a month and a four-digit year


def _date_casts(
    data: dict[str, str], cells: Callable[[str], list[object]], notes: list[str]
) -> dict[str, dict[str, str | bool]]:
    """Column -> its ``cast: date`` source, for the data columns that hold dates (notes added)."""
    readings: dict[str, tuple[str, _DateColumn]] = {}
    for field_name, column in data.items():
        named = _speaks_of_dates(column)
        if named or _date_shaped(cells(column)):
            reading = _read_dates(cells(column), column)
            if reading.dates if named else reading.every:
                readings[column] = (field_name, reading)
    proofs = {(r.proves, column, r.evidence) for column, (_, r) in readings.items() if r.proves is not None}
    conventions = {proves for proves, _, _ in proofs}
    casts: dict[str, dict[str, str | bool]] = {}
    for column, (field_name, reading) in readings.items():
        target = f"data.{field_name}"
        if reading.conflict is not None:
            notes.append(f"{target}: {column!r} left uncast: {reading.conflict}")
            continue
        if reading.yearless is not None:
            # A birthday given without its year (Fresha's 14 Mar beside full dates) is no reason to
            # refuse the user: the field is left out of that user, with a warning.
            notes.append(
                f"{target}: {column!r} holds dates without a year ({reading.yearless!r}): on_error: "
                f"drop_field leaves the field out of those users instead of refusing them"
            )
        dropping: dict[str, str | bool] = {} if reading.yearless is None else {"on_error": "drop_field"}
        if reading.proves is not None or not reading.unsettled:
            casts[column] = {"column": column, "cast": "date", **dropping}
            continue
        if len(conventions) == 1:
            dayfirst = conventions.pop()
            conventions.add(dayfirst)
            _, witness, evidence = min(p for p in proofs if p[1] != column)
            order = "day first" if dayfirst else "month first"
            casts[column] = {"column": column, "cast": "date", "dayfirst": dayfirst, **dropping}
            notes.append(
                f"{target}: {column!r} read {order} (dayfirst: {str(dayfirst).lower()}): its dates read "
                f"both ways, and {witness!r} has {evidence}, {order}"
            )
            continue
        notes.append(
            f"{target}: {column!r} left uncast: its dates read both ways (day or month first) and no "
            f"date of the file tells which; add cast: date with dayfirst: true or false"
        )
    return casts


def _speaks_of_dates(header: str) -> bool:
    """Whether a header names a date: ``Signup Date``, ``Birthday``, ``Joined``, ``Geburtsdatum``..."""
    words = _words(header)
    key = _header_key(header)
    return (
        bool(_DATE_WORDS.intersection(words))
        or any(word.endswith(_DATE_SUFFIX) for word in words)
        or any(stem in key for stem in _DATE_STEMS)
    )


def _read_dates(sample: list[object], column: str) -> _DateColumn:
    """A column's sampled cells read as dates the ways :func:`bulkprep.casts.convert` reads them."""
    if not sample:
        return _DateColumn(dates=False, proves=None, evidence="", unsettled=False, conflict=None)
    raw = np.empty(len(sample), dtype=object)
    raw[:] = sample
    auto, auto_failed = casts.convert(raw, casts.Cast.DATE, name=column)
    conflict = next((f.message for f in auto_failed if f.code is ErrorCode.AMBIGUOUS_DATE_CONVENTION), None)
    day, day_failed = casts.convert(raw, casts.Cast.DATE, dates=casts.DateOptions(dayfirst=True))
    month, month_failed = casts.convert(raw, casts.Cast.DATE, dates=casts.DateOptions(dayfirst=False))
    # A cell without a four-digit year (Mailchimp's 03/14 birthday) is no full date, whatever pandas
    # makes of it; one that does not exist (1990-02-29) or has a two-digit year is still written as one.
    read = [
        (a is not None or d is not None or m is not None) and _has_a_year(cell)
        for a, d, m, cell in zip(auto, day, month, sample, strict=True)
    ]
    shaped = sum(
        ok or bool(_DATE_SHAPE.match(str(cell).strip())) for ok, cell in zip(read, sample, strict=True)
    )
    dates = any(read) and shaped / len(sample) > MOSTLY
    proves: bool | None = None
    evidence = ""
    for i, value in enumerate(auto.tolist()):
        if value is None or day[i] == month[i]:
            continue
        proves = value == day[i]  # read one way only, or dotted (day first wherever it is written)
        evidence = str(sample[i]).strip()
        break
    unsettled = len(auto_failed) > min(len(day_failed), len(month_failed))
    yearless = next((str(cell).strip() for cell in sample if _day_and_month_only(cell)), None)
    return _DateColumn(dates, proves, evidence, unsettled, conflict, yearless, all(read))


def _date_shaped(sample: list[object]) -> bool:
    """Whether every sampled cell is text written as a date could be (digits and something else).

    A column whose header does not speak of dates is read as dates only when every cell is one
    (``Purchased at``, ``Время создания``); cells of digits alone (``20240305``) are numbers or codes.
    """
    return bool(sample) and all(
        isinstance(cell, str) and _FOUR_DIGITS.search(cell) and not cell.strip().isdigit() for cell in sample
    )


# A day and a month without a year: 14 Mar, Mar 14, 14.03., 03/14 (a birthday kept without its year).
_DAY_AND_MONTH = re.compile(
    r"^(?:\d{1,2}\.?\s*[^\W\d_]{3,}\.?|[^\W\d_]{3,}\.?\s*\d{1,2}|\d{1,2}[./-]\d{1,2}\.?)$"
)


def _day_and_month_only(cell: object) -> bool:
    return isinstance(cell, str) and bool(_DAY_AND_MONTH.match(cell.strip()))


def _has_a_year(cell: object) -> bool:
    return not isinstance(cell, str) or bool(_FOUR_DIGITS.search(cell))


def _sample(series: pd.Series) -> list[object]:
    """Up to :data:`SAMPLE_CELLS` non-blank cells of a column, spread over it, in its order."""
    size = len(series)
    if size > 10 * SAMPLE_CELLS:  # a long column: look at evenly spread rows, not all of them
        series = series.iloc[np.linspace(0, size - 1, 10 * SAMPLE_CELLS).astype(int)]
    filled = [cell for cell in series.tolist() if not _blank(cell)]
    if len(filled) <= SAMPLE_CELLS:
        return filled
    return [filled[i] for i in np.linspace(0, len(filled) - 1, SAMPLE_CELLS).astype(int).tolist()]


def _blank(cell: object) -> bool:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and cell != cell):  # NaN
        return True
    return isinstance(cell, str) and not cell.strip()


def _share(sample: list[object], fits: Callable[[str], bool]) -> float:
    return sum(1 for cell in sample if fits(str(cell).strip())) / len(sample)


def _looks_like_email(text: str) -> bool:
    return bool(_EMAIL_CELL.match(text))


def _looks_like_phone(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= _PHONE_DIGITS


def _looks_like_country(text: str) -> bool:
    return region_of(text) is not None


def _name_fields(names: list[str], *, exclude: set[str], taken: frozenset[str]) -> dict[str, str]:
    """Column -> ``first_name`` or ``last_name``, for the columns that hold a person's names."""
    named: dict[str, str] = {}
    for field_name, spellings in _NAME_FIELDS:
        if field_name in taken:
            continue
        if field_name == "first_name" and not named:
            spellings = tuple(s for s in spellings if s not in _FIRST_NAME_ONLY_BESIDE_A_LAST_NAME)
        free = [c for c in _matches(names, spellings) if c not in exclude and c not in named]
        if free:
            named[free[0]] = field_name
    return named


# Letters with no mark for NFKD to split off, read as their plain letters: Turkish ı (Kayıt Tarihi),
# Danish and Norwegian ø and æ (Fødselsdato), Polish ł, Croatian đ.
_UNMARKED_LETTERS = str.maketrans({"ı": "i", "ø": "o", "æ": "ae", "ł": "l", "đ": "d"})


def _fold(text: str) -> str:
    """Text with its accents dropped and its case folded (NFKD splits a letter from its marks; casefold
    writes ß as ss; Turkish dotless i, ø, æ, ł and đ are read as i, o, ae, l and d)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return plain.translate(_UNMARKED_LETTERS)


def _header_key(name: str) -> str:
    """A header's letters and digits, case and accents folded: ``Téléphone`` is ``telephone``.

    Example:
        >>> [_header_key(n) for n in ("E-mail Address", "Téléphone", "Straße", "Número de cliente")]
        ['emailaddress', 'telephone', 'strasse', 'numerodecliente']
    """
    return "".join(ch for ch in _fold(name) if ch.isalnum())


def _matches(columns: list[str], spellings: tuple[str, ...], *, ids: bool = False) -> list[str]:
    """Columns whose header spells one of ``spellings``, best spelling first, then in frame order.

    With ``ids``, Klaviyo's own id and then ``... (metadata)`` columns named like an id (the app's
    own, in a Stripe export) come before every other spelling.
    """
    ranked: list[tuple[int, int, int, str]] = []
    for i, column in enumerate(columns):
        key = _header_key(column)
        if ids and key == _KLAVIYO_ID:
            ranked.append((0, 0, i, column))
            continue
        metadata = ids and bool(_METADATA.search(column))
        if metadata:
            key = _header_key(_METADATA.sub("", column))
        if key in spellings:
            ranked.append((1 if metadata else 2, spellings.index(key), i, column))
    return [column for *_, column in sorted(ranked)]


def _holds_json_objects(cells: list[object]) -> bool:
    """Whether the non-blank cells are JSON objects, all of them (and there is at least one)."""
    found = False
    for cell in cells:
        if cell is None or (isinstance(cell, float) and cell != cell):  # None or NaN: blank
            continue
        if isinstance(cell, dict):
            found = True
            continue
        text = str(cell).strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            return False
        if not isinstance(value, dict):
            return False
        found = True
    return found


# -- headers in the other scripts Excel's code pages write -------------------------------------------
# Greek, Cyrillic, Korean and Chinese headers, folded as every header is when it is read (NFKD parts
# Hangul into its letters, so the spellings are folded here rather than written out folded).
def _folded(*names: str) -> tuple[str, ...]:
    return tuple(_header_key(name) for name in names)


def _folded_words(*names: str) -> frozenset[str]:
    return frozenset(word for name in names for word in _words(name))


_OTHER_SCRIPT_MOBILES = _folded(
    *("Κινητό", "Κινητό τηλέφωνο", "Αριθμός κινητού"),  # Greek
    *("Мобильный", "Мобильный телефон", "Моб. телефон", "Сотовый", "Сотовый телефон"),  # Russian
    *("Мобільний", "Мобільний телефон"),  # Ukrainian
    *("휴대폰", "휴대전화", "핸드폰", "휴대폰 번호"),  # Korean
    *("手机", "手机号", "手机号码", "移动电话", "手機", "手機號碼"),  # Chinese, simplified and traditional
    "Text Reminder Number",  # Calendly: the number its text reminders go to
)
_OTHER_SCRIPT_PHONES = _folded(
    *("Τηλέφωνο", "Αριθμός τηλεφώνου"),
    *("Телефон", "Номер телефона", "Контактный телефон"),
    *("전화번호", "연락처", "전화"),
    *("电话", "电话号码", "联系电话", "電話", "聯絡電話"),
    "Telefonszám",  # Hungarian
)
_OTHER_SCRIPT_EMAILS = _folded(
    *("Ηλεκτρονικό ταχυδρομείο", "Διεύθυνση email"),
    *("Электронная почта", "Эл. почта", "Почта", "Електронна пошта"),
    *("이메일", "전자우편", "메일"),
    *("邮箱", "电子邮件", "电子邮箱", "邮件地址", "電子郵件"),
)
_OTHER_SCRIPT_COUNTRIES = _folded(
    *("Χώρα", "Страна", "Країна", "국가", "나라", "国家", "国家/地区", "國家", "Ország"),
)
_MOBILE_HEADERS = (*_MOBILE_HEADERS, *_OTHER_SCRIPT_MOBILES)
_PHONE_HEADERS = (
    *_MOBILE_HEADERS,
    *_PHONE_HEADERS[len(_MOBILE_HEADERS) - len(_OTHER_SCRIPT_MOBILES) :],
    *_OTHER_SCRIPT_PHONES,
)
_EMAIL_HEADERS = (*_EMAIL_HEADERS, *_OTHER_SCRIPT_EMAILS)
_COUNTRY_HEADERS = (*_COUNTRY_HEADERS, *_OTHER_SCRIPT_COUNTRIES)
_COUNTRY_WORDS = _COUNTRY_WORDS | _folded_words("Χώρα", "Страна", "Країна", "국가", "国家", "Ország")
# Plural table names before a column: Chargebee's customers.id, an app's users.email.
_PERSON_WORDS = _PERSON_WORDS | frozenset({"customers", "users", "contacts", "members", "subscribers"})
_DATE_STEMS = (
    *_DATE_STEMS,
    *_folded("ημερομηνία", "дата", "日期", "가입일", "생년월일", "날짜", "등록일"),
)
# Ids by the names more exports give them: Sage's A/C Ref (the customer's account), Recurly's
# account_code (an account per person there, but a company's in a CRM: so only when the cells are
# nearly all distinct), Bubble's "unique id", a legacy
# system's CUSTNO, German Patientennummer and Mitgliedsnr., member numbers in Chinese and Korean.
_MORE_IDS = (
    *("uniqueid", "custno", "custnr", "custid", "custnum", "custnumber"),
    *("patientennummer", "patientennr", "patientenid", "mitgliedsnummer", "mitgliedsnr", "mitgliedernummer"),
    *("mitgliedsid", "mitgliednummer", "ledennummer", "lidnummer", "medlemsnummer", "medlemsnr"),
    *_folded("會員編號", "会员编号", "會員ID", "会员ID", "客戶編號", "客户编号", "用戶ID", "用户ID"),
    *_folded("회원번호", "고객번호", "회원ID", "고객ID", "Номер клиента", "Код клиента", "ID клиента"),
    *("acref", "acreference"),
)
# Neon CRM's Account ID is the person's own record; a CRM's account is often a company's.
_DISTINCT_IDS = ("accountcode", "accountid")
_ID_HEADERS = (
    *_ID_HEADERS[: _ID_HEADERS.index("id")],
    *_MORE_IDS,
    *_DISTINCT_IDS,
    *_ID_HEADERS[_ID_HEADERS.index("id") :],
    "rowid",  # a no-code app's users table (Glide's Row ID): each row is one user
)
_DISTINCT_ONLY_IDS = _DISTINCT_ONLY_IDS | frozenset(_DISTINCT_IDS)
_PERSON_WORDS = _PERSON_WORDS | frozenset({"prospect", "patienten", "klient", "klienta", "cust"})
# Phones and emails in more languages: Québec's Cellulaire, Swiss German Natel, Lithuanian,
# Vietnamese, Thai, Hebrew and Arabic headers.
_MORE_MOBILES = (
    *("cellulaire", "telcellulaire", "natel", "natelnummer", "mobilusis", "mobilusistelefonas"),
    *_folded("Di động", "Số di động", "มือถือ", "เบอร์มือถือ", "טלפון נייד", "נייד", "الجوال", "جوال"),
    *_folded("رقم الجوال", "الهاتف المحمول", "موبايل"),
)
_MORE_PHONES = (
    *("telefonas", "telefononumeris"),
    *_folded("Số điện thoại", "Điện thoại", "SĐT", "โทรศัพท์", "เบอร์โทร", "เบอร์โทรศัพท์", "טלפון"),
    *_folded("מספר טלפון", "الهاتف", "رقم الهاتف", "هاتف"),
)
_MORE_EMAILS = (
    *("elpastas", "elektroninispastas"),
    *_folded("Thư điện tử", "อีเมล", "อีเมล์", 'דוא"ל', "דואל", "אימייל", "דואר אלקטרוני"),
    *_folded("البريد الإلكتروني", "البريد الالكتروني", "الإيميل"),
)
_MOBILE_HEADERS = (*_MOBILE_HEADERS, *_MORE_MOBILES)
_PHONE_HEADERS = (
    *_MOBILE_HEADERS,
    *_PHONE_HEADERS[len(_MOBILE_HEADERS) - len(_MORE_MOBILES) :],
    *_MORE_PHONES,
)
_EMAIL_HEADERS = (*_EMAIL_HEADERS, *_MORE_EMAILS)
_MOBILE_WORDS = _MOBILE_WORDS | frozenset({"cellulaire", "natel"})
_PHONE_WORDS = _PHONE_WORDS | _MOBILE_WORDS | frozenset({"telefonas"})
_MORE_COUNTRIES = (
    *("ctry", "cntry", "salis", "quocgia"),
    *_folded("ประเทศ", "ארץ", "מדינה", "الدولة", "البلد", "دولة"),
)
_COUNTRY_HEADERS = (*_COUNTRY_HEADERS, *_MORE_COUNTRIES)
_COUNTRY_WORDS = _COUNTRY_WORDS | frozenset({"ctry", "cntry", "salis"})
# Ids, phones, emails and countries in the languages of the accounting and shop software of the
# Baltics, the Balkans, Iceland, South-East Asia and Iran: an id named by a person's word and an id
# word (Jäsennumero, Klienta kods, Cod client, Registrant ID), and the code of the record alone
# (Estonian Kood, Croatian Šifra, Bulgarian and Ukrainian Код, Serbian Шифра, Arabic الكود, Persian
# کد), taken only when the file has no plain id.
_MEMBER_IDS = (
    *("jasennumero", "jasennro", "jasentunnus", "registrantid", "klientakods", "klientanumurs"),
    *("kliendikood", "kliendinumber", "codclient", "codulclient", "sifrakupca", "sifraklijenta"),
    *("idpelanggan", "nopelanggan", "nomorpelanggan", "idahli", "noahli", "nomborahli"),
    *_folded("Код на клиент", "Шифра купца", "كود العميل", "رقم العميل", "کد مشتری", "كد مشتري"),
)
_RECORD_CODES = (
    *("kood", "kods", "sifra"),
    *_folded("Код", "Шифра", "الكود", "كود", "كد", "کد"),
)
_ID_HEADERS = (
    *_ID_HEADERS[: _ID_HEADERS.index("id")],
    *_MEMBER_IDS,
    "id",
    *_RECORD_CODES,
    *_ID_HEADERS[_ID_HEADERS.index("id") + 1 :],
)
_ID_WORDS = (
    _ID_WORDS
    | frozenset({"kood", "kods", "kod", "cod", "sifra", "kodas", "nomor", "nombor"})
    | _folded_words("Код", "Шифра", "Номер")
)
_PERSON_WORDS = _PERSON_WORDS | frozenset(
    {"registrant", "kliendi", "klients", "klijenta", "kupca", "kupac", "pelanggan", "ahli", "anggota"}
    | _folded_words("клиент", "клиента", "купца", "купац")
)
_LAST_MOBILES = (
    *("mobitel", "mobiil", "mobiiltelefon", "farsimi", "farsimanumer", "mobilais", "mobilaistalrunis"),
    *("nohp", "nomorhp", "handphone", "nohandphone", "telefonbimbit", "notelefonbimbit"),
    *_folded("Мобилен", "Мобилен телефон", "Мобилни", "Мобилни телефон", "Мобител"),
    *_folded("رقم الموبايل", "الموبايل", "رقم المحمول", "محمول", "موبایل", "تلفن همراه", "شماره موبایل"),
    *_folded("شماره همراه"),
)
_LAST_PHONES = (
    *("talrunis", "talrunanumurs", "simi", "simanumer", "telefoninumber"),
    *("telepon", "notelepon", "nomortelepon", "notelefon", "nombortelefon", "notel"),
    *_folded("Број телефона", "Тел.", "تلفن", "شماره تلفن", "تليفون", "رقم التليفون"),
)
_LAST_EMAILS = (
    *("epasts", "netfang", "emel", "alamatemel", "surel", "alamatemail"),
    *_folded("Имейл", "Е-пошта", "Е-мейл", "Електронна поща", "Имейл адрес", "ایمیل", "ايميل"),
    *_folded("پست الکترونیک"),
)
_MOBILE_HEADERS = (*_MOBILE_HEADERS, *_LAST_MOBILES)
_PHONE_HEADERS = (
    *_MOBILE_HEADERS,
    *_PHONE_HEADERS[len(_MOBILE_HEADERS) - len(_LAST_MOBILES) :],
    *_LAST_PHONES,
)
_EMAIL_HEADERS = (*_EMAIL_HEADERS, *_LAST_EMAILS)
_MOBILE_WORDS = _MOBILE_WORDS | frozenset({"mobitel", "mobiil", "farsimi", "mobilais", "bimbit", "handphone"})
_PHONE_WORDS = _PHONE_WORDS | _MOBILE_WORDS | frozenset({"talrunis", "simi", "telepon"})
_EMAIL_WORDS = _EMAIL_WORDS | frozenset({"epasts", "netfang", "emel", "surel"})
# Romanian Ţara and Țara fold to "tara": a header alone, never a word (it is a name too).
_LAST_COUNTRIES = (
    *("riik", "valsts", "drzava", "tara", "negara"),
    *_folded("Държава", "Држава", "کشور"),
)
_COUNTRY_HEADERS = (*_COUNTRY_HEADERS, *_LAST_COUNTRIES)
_COUNTRY_WORDS = (
    _COUNTRY_WORDS | frozenset({"riik", "valsts", "drzava", "negara"}) | _folded_words("Държава", "Држава")
)
# Person ids in Spanish, Dutch, Japanese, Hebrew, Vietnamese and Thai exports: Odoo's ID externo
# (the id the contact has in another system), Lightspeed's Klantcode, kintone's レコード番号 (the
# app's record number), customer numbers and codes (מספר לקוח, Mã khách hàng, รหัสลูกค้า); a
# HelloAsso Numéro de billet (one per participant, unlike a ticket's type); Square's Reference ID
# (the merchant's own id, over Square's); Dynamics' contact GUID
# in Dutch, German and Spanish; and a record's code alone (Fatture in Cloud's Codice, Holded's
# Código) when there is no plain id.
_PEOPLE_IDS = (
    *("idexterno", "identificadorexterno", "klantcode", "klantnr", "debiteurnummer", "numerodebillet"),
    "referenceid",
    *("donotmodifycontactpersoon", "donotmodifykontakt", "donotmodifycontacto"),  # Dynamics, localized
    *_folded("レコード番号", "レコードID", "顧客コード", "会員コード"),
    *_folded("מספר לקוח", "מזהה לקוח", "קוד לקוח", "מספר חבר"),
    *_folded("Mã khách hàng", "Mã KH", "ID khách hàng", "Số khách hàng", "Mã thành viên"),
    *_folded("รหัสลูกค้า", "รหัสสมาชิก", "เลขที่ลูกค้า", "หมายเลขลูกค้า"),
)
_ID_HEADERS = (
    *_ID_HEADERS[: _ID_HEADERS.index("id")],
    *_PEOPLE_IDS,
    *_ID_HEADERS[_ID_HEADERS.index("id") : _ID_HEADERS.index("id") + 1 + len(_RECORD_CODES)],
    "codice",
    "codigo",
    *_ID_HEADERS[_ID_HEADERS.index("id") + 1 + len(_RECORD_CODES) :],
)
_ID_WORDS = _ID_WORDS | _folded_words("מספר", "מזהה", "קוד")
_PERSON_WORDS = _PERSON_WORDS | frozenset({"asistente", "participante", "inscrito", "deelnemer"})
_PERSON_WORDS = _PERSON_WORDS | _folded_words("לקוח", "חבר")
# A platform's internal record id written as 24 hexadecimal digits (Holded's ID): the export's own
# record id, which the recipient is only when the file holds no other id.
_INTERNAL_RECORD_ID = re.compile(r"[0-9a-fA-F]{24}")
# Dutch Mobiele telefoon (over Zakelijke telefoon, the office's), German PayPal's Telefonnummer der
# Kontaktperson.
_MOBILE_HEADERS = (*_MOBILE_HEADERS, "mobieletelefoon", "mobieletelefoonnummer")
_PHONE_HEADERS = (*_MOBILE_HEADERS, *_PHONE_HEADERS[len(_MOBILE_HEADERS) - 2 :], "zakelijketelefoon")
_MOBILE_WORDS = _MOBILE_WORDS | frozenset({"mobiele"})
_PHONE_WORDS = _PHONE_WORDS | _MOBILE_WORDS | frozenset({"telefonnummer", "telefoonnummer", "rufnummer"})
# Words of an office's address or line: a phone with none of them is read in the person's own
# country (Outlook's Mobile Phone in Home Country/Region, not Business Country/Region).
_OFFICE_WORDS = frozenset(
    {"business", "work", "office", "company", "zakelijk", "zakelijke", "geschaftlich", "geschaftliche"}
    | {"bureau", "travail", "trabajo", "oficina", "lavoro", "ufficio", "empresa", "arbeit"}
)
# PayPal's Ländervorwahl holds the contact's country code (DE, IT): read by its cells, as a header
# recognized by its words is.
_COUNTRY_WORDS = _COUNTRY_WORDS | frozenset({"landervorwahl"})
