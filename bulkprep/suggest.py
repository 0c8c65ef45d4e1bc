"""What column names say: the header spellings of emails, phones and user ids, and field names from headers.

:meth:`bulkprep.mapping.Mapping.suggest` reads a frame's headers with :func:`suggested_spec`; the
mapping's hints name fields with :func:`snake_case`. Headers are compared by their letters and digits
only, whatever their case, spacing or punctuation (``E-mail Address`` is ``emailaddress``).

Example:
    >>> suggested_spec(["User ID", "E-mail", "Plan"])
    {'recipient': 'User ID', 'profile.email': 'E-mail', 'data.plan': 'Plan', 'to.user_id': 'User ID'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["snake_case", "suggested_spec"]

# Header spellings (lower case, letters and digits only) in order of preference per target.
_EMAIL_HEADERS = ("email", "emailaddress", "mail", "emailaddr", "mailaddress", "primaryemail")
_PHONE_HEADERS = (
    "phone",
    "phonenumber",
    "mobile",
    "mobilenumber",
    "mobilephone",
    "cell",
    "cellphone",
    "cellnumber",
    "tel",
    "telephone",
    "telephonenumber",
    "phoneno",
    "mobileno",
)
_ID_HEADERS = (
    "userid",
    "recipient",
    "recipientid",
    "externalid",
    "customerid",
    "memberid",
    "contactid",
    "clientid",
    "uid",
    "id",
)
_RECOGNISED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recipient", _ID_HEADERS),
    ("profile.email", _EMAIL_HEADERS),
    ("profile.phone_number", _PHONE_HEADERS),
)
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


def suggested_spec(columns: Iterable[object], *, reserved: Iterable[str] = ()) -> dict[str, str]:
    """A flat mapping spec (dotted target -> column) proposed from column names.

    Email, phone and user-id columns are recognised whatever their case, spacing or punctuation;
    an id column feeds both ``recipient`` and ``to.user_id`` (the legacy and the current way of
    naming the user). Every other column goes to ``data.<snake_case>``, numbered when names clash or
    fall in ``reserved`` (names the mapping format keeps for itself). Columns named ``bulk_*``
    (bulkprep's own) are left out.

    Args:
        columns: the frame's column names, in order.
        reserved: field names that must not be used under ``data``.

    Example:
        >>> suggested_spec(["bulk_row", "Mobile", "Name", "name", "!!"], reserved={"column"})
        {'profile.phone_number': 'Mobile', 'data.name': 'Name', 'data.name_2': 'name', 'data.column_4': '!!'}
    """
    names = [str(c) for c in columns if not str(c).startswith(_OWN_PREFIX)]
    taken = frozenset(reserved)
    chosen: dict[str, str] = {}
    for target, spellings in _RECOGNISED:
        free = [c for c in _matches(names, spellings) if c not in chosen.values()]
        if free:
            chosen[target] = free[0]
    spec: dict[str, str] = dict(chosen)
    used_names: set[str] = set()
    for position, column in enumerate(names):
        if column in chosen.values():
            continue
        name = snake_case(column) or f"column_{position + 1}"
        unique, n = name, 2
        while unique in used_names or unique in taken:
            unique, n = f"{name}_{n}", n + 1
        used_names.add(unique)
        spec[f"data.{unique}"] = column
    if "recipient" in chosen:
        spec["to.user_id"] = chosen["recipient"]
    return spec


def _header_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _matches(columns: list[str], spellings: tuple[str, ...]) -> list[str]:
    """Columns whose header spells one of ``spellings``, best spelling first, then in frame order."""
    ranked = [
        (spellings.index(key), i, c) for i, c in enumerate(columns) if (key := _header_key(c)) in spellings
    ]
    return [c for _, _, c in sorted(ranked)]
