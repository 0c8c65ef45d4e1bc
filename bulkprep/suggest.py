"""What column names say: the header spellings of emails, phones, user ids and countries, and field names.

:meth:`bulkprep.mapping.Mapping.suggest` reads a frame with :func:`suggested_frame_spec` (its headers,
the layout :func:`bulkprep.read.read_csv` recognized, and the cells of ``preferences``/``data``
columns); :func:`suggested_spec` holds the rules for headers alone; the mapping's hints name fields
with :func:`snake_case`. Headers are compared by their letters and digits only, whatever their
case, spacing, punctuation or accents (``E-mail Address`` is ``emailaddress``, ``Téléphone`` is
``telephone``, ``Straße`` is ``strasse``).

The spellings cover the exports people bring: HubSpot (``Record ID``), Klaviyo (``Klaviyo ID``),
Stripe (the app's id in ``user_id (metadata)`` over Stripe's own ``id``), Mailchimp (``Email
Address``, ``LEID``), Shopify (``Customer ID``), Salesforce reports (``Contact ID``, ``Mobile``),
and spreadsheets in German (``Kundennummer``, ``E-Mail``, ``Mobil``, ``Handy``, ``Telefon``,
``Land``), French (``Identifiant``, ``Courriel``, ``Portable``, ``Téléphone``, ``Pays``), Spanish
(``Número de cliente``, ``Correo electrónico``, ``Móvil``, ``Teléfono``, ``País``), Italian
(``Codice cliente``, ``Posta elettronica``, ``Cellulare``, ``Paese``), Portuguese (``Telemóvel``,
``Celular``, ``Telefone``) and Dutch (``Klantnummer``, ``E-mailadres``, ``Mobiel``, ``Land``). In
every language a mobile (text messages reach it) comes before a landline. First and last names
become ``data.first_name`` and ``data.last_name`` (``Prénom``/``Nom``, ``Nombre``/``Apellidos``,
``Nome``/``Cognome``, ``Voornaam``/``Achternaam``...); ``Nombre`` and ``Nome`` name the first name
only beside a last-name column, since alone they are as often the whole name (they then stay
``data.nombre``, ``data.nome``), while French ``Nom`` is the last name.

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
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeAlias

from bulkprep.layouts import SALESFORCE_REPORT
from bulkprep.status import ATTRS_KEY

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Spec", "snake_case", "suggested_frame_spec", "suggested_spec"]

Spec: TypeAlias = dict[str, str | dict[str, str]]
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
)
_PHONE_HEADERS: tuple[str, ...] = (
    "phone",
    "phonenumber",
    "mobile",
    "mobilenumber",
    "mobilephone",
    "cell",
    "cellphone",
    "cellnumber",
    # German, French, Spanish, Italian, Portuguese, Dutch: a mobile (text messages reach it) before
    # the landline. French writes "Mobile" too, and "Portable" (telephone portable).
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
    "tel",
    "telephone",
    "telephonenumber",
    "phoneno",
    "mobileno",
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
)
_ID_HEADERS: tuple[str, ...] = (
    "userid",
    "recipient",
    "recipientid",
    "externalid",
    "customerid",
    "memberid",
    "contactid",
    "clientid",
    "recordid",  # HubSpot
    "kundennummer",  # German: customer number
    "kundennr",
    "kundenid",
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
    "uid",
    "leid",  # Mailchimp's id of the member in the audience
    "identifiant",  # French and Spanish for a plain "ID"
    "identificador",
    "id",
)
# Klaviyo's own profile id: External ID is set only for profiles synced from elsewhere.
_KLAVIYO_ID = "klaviyoid"
_COUNTRY_HEADERS: tuple[str, ...] = (
    "country",
    "countrycode",
    "cc",  # Mailchimp
    "countryregion",  # HubSpot's Country/Region
    "mailingcountry",  # Salesforce contacts
    "defaultaddresscountrycode",  # Shopify
    "defaultaddresscountry",
    "addresscountry",  # Stripe
    "billingcountry",
    "shippingcountry",
    "land",  # German and Dutch
    "pays",  # French
    "codepays",
    "pais",  # Spanish and Portuguese
    "codigodepais",
    "paese",  # Italian
    "nazione",
    "landcode",  # Dutch
)
_LOCALE_HEADERS: tuple[str, ...] = ("locale", "language", "langue", "idioma", "lingua", "taal", "sprache")
# First and last names: sent as data.first_name and data.last_name, whatever the header's language.
_FIRST_NAME_HEADERS: tuple[str, ...] = ("firstname", "prenom", "voornaam", "vorname", "nombre", "nome")
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
    # A Salesforce contact's Phone is the office line; text messages go to the Mobile.
    SALESFORCE_REPORT: {"profile.phone_number": ("mobile",)},
}
_PHONE_TARGET = "profile.phone_number"
# bulkprep's own columns (bulk_row, bulk_status, ...) and any other it may add: never user data.
_OWN_PREFIX = "bulk_"


def snake_case(name: str) -> str:
    """A header as a field name: words in lower case joined by underscores.

    Example:
        >>> [snake_case(n) for n in ("First Name", "customerID", "E-mail", "  signupDate ")]
        ['first_name', 'customer_id', 'e_mail', 'signup_date']
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return "_".join(re.findall(r"[^\W_]+", spaced.casefold()))


def suggested_frame_spec(df: pd.DataFrame, *, reserved: Iterable[str] = ()) -> Spec:
    """A flat mapping spec proposed from a frame: :func:`suggested_spec` with what the frame tells.

    The layout :func:`bulkprep.read.read_csv` recognized (kept in ``df.attrs``) breaks ties between
    columns that both fit (a Salesforce report's ``Mobile`` over its office ``Phone``); without it,
    the headers alone decide. A column named ``preferences`` or ``data`` whose non-blank cells are
    all JSON objects feeds that root with ``cast: json``.

    Args:
        df: the frame, as read.
        reserved: field names that must not be used under ``data``.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"id": ["1"], "Preferences": ['{"categories": {}}']})
        >>> suggested_frame_spec(frame)
        {'recipient': 'id', 'preferences': {'column': 'Preferences', 'cast': 'json'}, 'to.user_id': 'id'}
    """
    attrs = df.attrs.get(ATTRS_KEY)
    layout = attrs.get("layout") if isinstance(attrs, Mapping) else None
    json_columns = [
        str(column)
        for column in df.columns
        if str(column).casefold() in _JSON_ROOTS and _holds_json_objects(df[column].tolist())
    ]
    return suggested_spec(
        df.columns,
        reserved=reserved,
        layout=layout if isinstance(layout, str) else None,
        json_columns=json_columns,
    )


def suggested_spec(
    columns: Iterable[object],
    *,
    reserved: Iterable[str] = (),
    layout: str | None = None,
    json_columns: Iterable[str] = (),
) -> Spec:
    """A flat mapping spec (dotted target -> source) proposed from column names.

    Email, phone and user-id columns are recognised whatever their case, spacing or punctuation;
    an id column feeds both ``recipient`` and ``to.user_id`` (the legacy and the current way of
    naming the user). A ``... (metadata)`` column named like an id (Stripe's) is preferred over
    the product's own ids. When a country column exists and a phone is mapped, the phone is read in
    each row's country (``region_column``). ``locale``/``language`` feed ``to.locale`` and
    ``tenant_id`` feeds ``to.tenant_id``. Every other column goes to ``data.<snake_case>``
    (the country column too), numbered when names clash or fall in ``reserved`` (names the mapping
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
        >>> spec = suggested_spec(["Phone", "Mobile", "Mailing Country"], layout="salesforce_report")
        >>> spec["profile.phone_number"]
        {'column': 'Mobile', 'region_column': 'Mailing Country'}
    """
    names = [str(c) for c in columns if not str(c).startswith(_OWN_PREFIX)]
    taken = frozenset(reserved)
    preferences = _LAYOUT_PREFERENCES.get(layout or "", {})
    chosen: dict[str, str] = {}
    recognised = (
        ("recipient", _ID_HEADERS),
        ("profile.email", _EMAIL_HEADERS),
        (_PHONE_TARGET, _PHONE_HEADERS),
    )
    for target, spellings in recognised:
        preferred = preferences.get(target, ())
        ranked = preferred + tuple(s for s in spellings if s not in preferred)
        free = [c for c in _matches(names, ranked, ids=target == "recipient") if c not in chosen.values()]
        if free:
            chosen[target] = free[0]
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
    country = next(iter(_matches(names, _COUNTRY_HEADERS)), None)
    named = _name_fields(names, exclude={*chosen.values(), *extra.values(), *roots.values()}, taken=taken)

    spec: Spec = dict(chosen)
    if country is not None and _PHONE_TARGET in chosen:
        spec[_PHONE_TARGET] = {"column": chosen[_PHONE_TARGET], "region_column": country}
    for root, column in roots.items():
        spec[root] = {"column": column, "cast": "json"}
    consumed = {*chosen.values(), *extra.values(), *roots.values()}
    used_names: set[str] = set(named.values())
    for position, column in enumerate(names):
        if column in consumed:
            continue
        if column in named:
            spec[f"data.{named[column]}"] = column
            continue
        name = snake_case(column) or f"column_{position + 1}"
        unique, n = name, 2
        while unique in used_names or unique in taken:
            unique, n = f"{name}_{n}", n + 1
        used_names.add(unique)
        spec[f"data.{unique}"] = column
    if "recipient" in chosen:
        spec["to.user_id"] = chosen["recipient"]
    spec.update(extra)
    return spec


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


def _header_key(name: str) -> str:
    """A header's letters and digits, case and accents folded: ``Téléphone`` is ``telephone``.

    Example:
        >>> [_header_key(n) for n in ("E-mail Address", "Téléphone", "Straße", "Número de cliente")]
        ['emailaddress', 'telephone', 'strasse', 'numerodecliente']
    """
    # NFKD splits an accented letter into its base and combining marks, which are dropped;
    # casefold then writes ß as ss.
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


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
