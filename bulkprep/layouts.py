"""The layouts of the exports people bring, and the marks those exports leave in a file.

Four things products and spreadsheets write that are not the users' own values:

- **The header of a known export.** :data:`LAYOUTS` names the products whose exports are
  recognized by their header (:func:`recognize_layout`); :func:`bulkprep.read.read_info` reports
  the layout found, so a caller can tell a Shopify file from a HubSpot one without guessing.
- **Report footers.** A Salesforce report exported as CSV ends with lines that are not records
  (``Grand Totals (604 records)``, ``Confidential Information - Do Not Distribute``, the copyright
  line). :func:`footer_start` finds such a block at the end of a file, by the text of its lines,
  whatever the layout (reports get opened and saved again under other names). A last line that
  is a total (``Total members:,15``, ``Razem: 16 rekordów``, ``Summe``, ``合計``: a total word first,
  numbers or nothing after it, :func:`is_total_line`) is a footer line too.
- **Report title lines.** QuickBooks and other report exports put a title and the company's name
  above the header: :func:`preamble_end` finds them, and a timestamp (or ``Page 1 of 3``) footer is
  one of the footer lines too.
- **Text-marker apostrophes.** A spreadsheet shows ``'02134`` as the text ``02134`` (the apostrophe
  only tells it not to read a number), and exports such as Shopify's write it so ids, phones and
  ZIPs keep their digits. :func:`strip_text_marker` removes it from digit-like cells only.

Example:
    >>> recognize_layout(["Customer ID", "First Name", "Total Spent", "Total Orders", "Tax Exempt"])
    'shopify'
    >>> strip_text_marker("'+1 555-0100"), strip_text_marker("'tis")
    ('+1 555-0100', None)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bulkprep import numbers

__all__ = [
    "FOOTER_LINES",
    "LAYOUTS",
    "MAX_FOOTER_LINES",
    "MAX_PREAMBLE_LINES",
    "SALESFORCE_REPORT",
    "SCRIPT_FLOAT",
    "SCRIPT_MARKS",
    "SCRIPT_MISSING",
    "SEP_LINE",
    "TEXT_FORMULA",
    "TEXT_MARKED",
    "Layout",
    "footer_start",
    "footer_start_in_rows",
    "is_footer_text",
    "is_total_line",
    "preamble_end",
    "preamble_end_in_rows",
    "recognize_layout",
    "sep_hint",
    "strip_text_marker",
    "unwrap_text_formula",
]


@dataclass(frozen=True, slots=True)
class Layout:
    """An export layout, recognized when its header holds every column of one of its marker sets.

    Attributes:
        name: the layout's name as :func:`bulkprep.read.read_info` reports it.
        title: what the file is, for people.
        markers: sets of column names (compared without case or surrounding spaces); the header
            must hold all the columns of at least one set.
        case_sensitive: marker columns whose letter case tells the product apart (HubSpot's
            ``Record ID`` from Zoho CRM's ``Record Id``): compared with their case too.

    Example:
        >>> Layout("stripe", "Stripe customers export", (("Created (UTC)", "Delinquent"),)).name
        'stripe'
    """

    name: str
    title: str
    markers: tuple[tuple[str, ...], ...]
    case_sensitive: tuple[str, ...] = ()


#: The layout of a file whose footer carries Salesforce's copyright line, whatever its header.
SALESFORCE_REPORT = "salesforce_report"

#: The recognized export layouts, most specific first (the first that matches names the file).
#: Marker columns are ones the product writes in every export of that kind and that a file of
#: someone's own rarely combines.
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "mailchimp",
        "Mailchimp audience export",
        (("Email Address", "MEMBER_RATING", "OPTIN_TIME"),),
    ),
    Layout(
        "hubspot",
        "HubSpot contacts export",
        # HubSpot writes "Record ID" in capitals (Zoho CRM's "Record Id" is another export), and
        # always both of these columns beside it.
        (("Record ID", "Contact owner", "Create Date"),),
        case_sensitive=("Record ID",),
    ),
    Layout(
        "zoho_crm",
        "Zoho CRM contacts export",
        (("Record Id", "Contact Owner", "Mailing Country"), ("Record Id", "Contact Owner", "Created Time")),
    ),
    Layout(
        "google_contacts",
        "Google Contacts export (Google CSV)",
        (("Given Name", "Family Name", "E-mail 1 - Value"), ("First Name", "Last Name", "E-mail 1 - Value")),
    ),
    Layout(
        "outlook",
        "Outlook contacts export",
        (("E-mail Address", "Business Phone", "Mobile Phone"), ("E-mail Address", "E-mail Display Name")),
    ),
    Layout(
        "woocommerce",
        "WooCommerce customers export",
        (("customer_id", "billing_phone", "billing_country"), ("customer_id", "billing_email")),
    ),
    Layout(
        "pipedrive",
        "Pipedrive people export",
        (("Person - Name", "Person - Email - Work"), ("Person - Name", "Person - Phone - Work")),
    ),
    Layout(
        SALESFORCE_REPORT,
        "Salesforce report",
        (("Contact ID", "Account Name"), ("Contact ID", "Contact Owner"), ("Lead ID", "Lead Owner")),
    ),
    Layout(
        "shopify",
        "Shopify customers export",
        (("Total Spent", "Total Orders", "Tax Exempt"),),
    ),
    Layout(
        "stripe",
        "Stripe customers export",
        (("Created (UTC)", "Delinquent"),),
    ),
    Layout(
        "klaviyo",
        "Klaviyo profiles export",
        (("Klaviyo ID",),),
    ),
)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def recognize_layout(header: Iterable[str]) -> str | None:
    """The name of the export layout whose marker columns ``header`` holds, or None.

    Args:
        header: the file's column names.

    Example:
        >>> recognize_layout(["Record ID", "First Name", "Email", "Contact owner", "Create Date"])
        'hubspot'
        >>> recognize_layout(["Record Id", "Contact Owner", "Email", "Mailing Country", "Create Date"])
        'zoho_crm'
        >>> recognize_layout(["id", "email"]) is None
        True
    """
    header = list(header)
    names = {_folded(name) for name in header}
    exact = {" ".join(name.split()) for name in header}
    for layout in LAYOUTS:
        if not all(marker in exact for marker in layout.case_sensitive):
            continue
        if any(all(_folded(marker) in names for marker in markers) for markers in layout.markers):
            return layout.name
    return None


# --- report footers ------------------------------------------------------------------------------

_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# 02:13 PM, 14:13:05, 2:13pm, each with an optional zone: GMT-08:00, UTC, +0100, PST.
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?: ?[ap]\.?m\.?)?(?: ?(?:(?:gmt|utc)?[+-]\d{1,2}(?::?\d{2})?|[a-z]{2,4}))?"

#: The texts of the footer lines a report export ends with, each as a whole cell (any letter case).
#: Salesforce writes them one per line, each quoted, after an empty line; a report saved again by a
#: spreadsheet may pad them with empty fields up to the header's width.
FOOTER_LINES: tuple[re.Pattern[str], ...] = (
    re.compile(r"grand totals? \(\d[\d,. ]* records?\)", re.IGNORECASE),
    re.compile(r"confidential information - do not distribute", re.IGNORECASE),
    re.compile(
        r"copyright (?:\(c\)|©) ?\d{4}(?:-\d{4})? salesforce\.com, inc\. all rights reserved\.",
        re.IGNORECASE,
    ),
    re.compile(r"generated by: .+", re.IGNORECASE),
    # The time a report was run, as QuickBooks and other report exports stamp it on their last line:
    # "Wednesday, March 6, 2024 02:13 PM GMT-08:00", "March 6, 2024 2:13 pm", "2024-03-06 14:13:05".
    re.compile(
        rf"(?:{_WEEKDAY},? )?(?:{_MONTH}\.? \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH}\.? \d{{4}})"
        rf"(?:,? (?:at )?{_TIME})?",
        re.IGNORECASE,
    ),
    re.compile(rf"\d{{4}}-\d{{2}}-\d{{2}}[T ]{_TIME}", re.IGNORECASE),
    # "Generated on 2024-03-06 14:13", "Report generated by Jane Doe", "Exported at 14:13".
    re.compile(
        r"(?:report )?(?:generated|created|exported|printed|run) (?:on|at|by)\b:? ?\S.*", re.IGNORECASE
    ),
    re.compile(r"page \d+ of \d+", re.IGNORECASE),
)
_GENERATED_BY = FOOTER_LINES[3]
_COPYRIGHT = FOOTER_LINES[2]
# Shapes added after Salesforce's: they could contain an address or an id someone typed, so a cell
# holding "@" or a run of six digits outside a date or time is never one of them.
_STAMPS = FOOTER_LINES[4:]
_USER_VALUE = re.compile(r"@|(?<![\d:+-])\d{6,}(?![\d:])")
MAX_FOOTER_LINES = 12  # the longest footer block looked for at the end of a file


def is_footer_text(text: str) -> bool:
    """Whether ``text`` (one cell) is the text of a known report footer line.

    Salesforce's footer lines, and the time stamps and "generated" or page lines other report
    exports end with; a cell with an email address or a long number in it is never a footer line.

    Example:
        >>> is_footer_text("Grand Totals (604 records)"), is_footer_text("Grand Totals")
        (True, False)
        >>> is_footer_text("Wednesday, March 6, 2024 02:13 PM GMT-08:00"), is_footer_text("Page 1 of 3")
        (True, True)
        >>> is_footer_text("Generated on 2024-03-06 14:13"), is_footer_text("Generated on a@example.com")
        (True, False)
    """
    text = " ".join(text.split())
    if any(pattern.fullmatch(text) for pattern in FOOTER_LINES[: len(FOOTER_LINES) - len(_STAMPS)]):
        return True
    return not _USER_VALUE.search(text) and any(pattern.fullmatch(text) for pattern in _STAMPS)


# A report's total line: a total word first (Total, Grand Total, Summe, Razem, Celkem, 合計...),
# then perhaps ":" and a count or a few words ("Razem: 16 rekordów", "Total members:").
_TOTAL_WORDS = (
    "grand totals?|totals?|sum|summe|gesamt(?:summe)?|insgesamt|totaal|razem|suma|celkem|celkom|spolu|"
    "total général|totale|totaux|subtotal|gesamtanzahl|summa|yhteensä|i alt|totalt|samtals|"
    "toplam|genel toplam|összesen|ukupno|skupaj|kokku|kopā|iš viso|итого|всего|разом|σύνολο|"
    'tổng cộng|jumlah|รวม|סה"כ|المجموع|합계|총계|'
    "合計|総計|総数|計|共计|合计|总计|共計|總計"
)
_TOTAL_LINE = re.compile(rf"(?:{_TOTAL_WORDS})(?=$|[\s:：,;(（\d])[^@]{{0,40}}", re.IGNORECASE)
# A count or an amount (15, 1,234.50, 12 %), not a phone: no "+", digit groups of three only; a
# count may carry its unit (10件, 16 rekordów, 12 kayıt, 5 records), letters only.
_NUMBER_CELL = re.compile(r"-?(?:\d{1,3}(?:[,.' ]\d{3})+|\d+)(?:[.,]\d+)?(?: ?%| ?[^\W\d_]{1,12})?")


def _is_amount(cell: str) -> bool:
    """A count or an amount, perhaps in a currency (``16``, ``LKR 108,750.00``, ``€ 12,50``)."""
    text = cell.strip()
    amount = numbers.without_currency(text)
    return _NUMBER_CELL.fullmatch(text) is not None or (
        amount != text and _NUMBER_CELL.fullmatch(amount) is not None
    )


def is_total_line(cells: Sequence[str]) -> bool:
    """Whether the non-blank ``cells`` of a line are a report's total line, never a user.

    The first cell starts with a total word (``Total``, ``Grand Total``, ``Summe``, ``Razem``,
    ``Celkem``, ``合計``...), perhaps with ``:`` and a count, and the other cells are numbers; a line
    with an email address or a long number (a phone, an id) in its first cell is never one.

    Example:
        >>> is_total_line(["Total members:", "15"]), is_total_line(["Razem: 16 rekordów"])
        (True, True)
        >>> is_total_line(["Total", "ann@example.com"]), is_total_line(["Totally Ann", "3"])
        (False, False)
        >>> is_total_line(["Sum", "+1 415 867 5310"]), is_total_line(["Summe", "1.234,50"])
        (False, True)
        >>> is_total_line(["Totals", "16", "LKR 108,750.00"])
        True
    """
    if not cells:
        return False
    first = " ".join(cells[0].split())
    return (
        _TOTAL_LINE.fullmatch(first) is not None
        and not _USER_VALUE.search(first)
        and all(_is_amount(cell) and not _USER_VALUE.search(cell) for cell in cells[1:])
    )


def _line_cells(line: str, delimiter: str) -> list[str]:
    """The non-blank cells of one physical line, as the CSV reader splits it."""
    fields = next(csv.reader([line], delimiter=delimiter, strict=False), [])
    return [cell for cell in fields if cell.strip()]


def _is_split_stamp(line: str, delimiter: str) -> bool:
    """Whether the whole ``line``, split into several cells at its delimiters, is one time-stamp text.

    QuickBooks writes ``Wednesday, March 6, 2024 02:13 PM GMT-08:00`` unquoted, so a comma-delimited
    reader sees three cells.
    """
    text = " ".join(line.strip().rstrip(delimiter).split())
    return not _USER_VALUE.search(text) and any(pattern.fullmatch(text) for pattern in _STAMPS)


def footer_start(lines: Sequence[str], *, delimiter: str) -> tuple[int, bool]:
    """Where the report footer among the last ``lines`` of a file starts, and whether it is Salesforce's.

    The footer is the longest run of lines at the end made of known footer lines (one non-blank
    cell whose text :func:`is_footer_text` recognizes, the other fields empty, or a time stamp
    written unquoted that the delimiter splits in several cells) and blank lines, that
    holds at least one footer line; the one line that follows ``Generated By: …`` (the company's
    name) belongs to it too. Lines before the run are records, however they look.

    Args:
        lines: the last physical lines of the file, in order (line breaks may be kept).
        delimiter: the file's field delimiter.

    Returns:
        The position in ``lines`` where the footer starts (``len(lines)`` when there is none), and
        whether it carries Salesforce's copyright line.

    Example:
        >>> footer_start(['"Ann","a@example.com"', '""', '"Grand Totals (1 record)"'], delimiter=",")
        (1, False)
        >>> footer_start(['"Ann","a@example.com"', '""'], delimiter=",")
        (2, False)
    """
    cells = [_line_cells(line, delimiter) for line in lines]
    return _footer_start(cells, lambda position: _is_split_stamp(lines[position], delimiter))


def footer_start_in_rows(rows: Sequence[Sequence[str]]) -> tuple[int, bool]:
    """:func:`footer_start` for the last rows of a sheet, each a list of cell texts.

    A sheet's cells are already split, so a time stamp is one cell there: there is no split stamp.

    Example:
        >>> footer_start_in_rows([["Ann", "a@example.com"], [], ["Grand Totals (1 record)", ""]])
        (1, False)
    """
    cells = [[cell for cell in row if cell and cell.strip()] for row in rows]
    return _footer_start(cells, lambda position: False)


def _footer_start(cells: Sequence[Sequence[str]], split_stamp: Callable[[int], bool]) -> tuple[int, bool]:
    """:func:`footer_start` on the non-blank cells of each line; ``split_stamp`` tells a split time stamp."""
    start = len(cells)
    found = salesforce = False
    position = len(cells) - 1
    while position >= 0:
        here = cells[position]
        if not here:
            position -= 1
            continue
        if len(here) == 1 and is_footer_text(here[0]):
            salesforce |= bool(_COPYRIGHT.fullmatch(" ".join(here[0].split())))
        elif is_total_line(here):
            pass  # "Total members:,15", "Razem: 16 rekordów": a count, not a user
        elif len(here) > 1 and split_stamp(position):
            pass  # a time stamp written unquoted, split at its commas
        elif (
            len(here) == 1
            and position > 0
            and len(cells[position - 1]) == 1
            and _GENERATED_BY.fullmatch(" ".join(cells[position - 1][0].split()))
        ):
            pass  # the company's name under "Generated By: …"
        else:
            break
        found = True
        position -= 1
        # The blank lines just above a footer line belong to the footer.
        while position >= 0 and not cells[position]:
            position -= 1
        start = position + 1
    return (start if found else len(cells)), salesforce


# --- report title lines -------------------------------------------------------------------------

MAX_PREAMBLE_LINES = 10  # the most title lines looked for above a header


def _names_a_column(cell: str) -> bool:
    """Whether a header's cell could be a column name: it has a letter, and it is no email address."""
    return "@" not in cell and any(character.isalpha() for character in cell)


def _header_cells(row: Sequence[str], cells: Sequence[str], width: int) -> bool:
    """Whether a line of ``width`` fields whose filled cells are ``cells`` looks like a header.

    Every field is named, or all but the first: a report whose records start with an empty field
    (QuickBooks' ``,Customer,Email,Phone``) leaves that header cell empty, and at least two others
    are named then.
    """
    if not all(map(_names_a_column, cells)):
        return False
    if len(cells) == width:
        return True
    return len(cells) == width - 1 >= 2 and not row[0].strip()


def preamble_end(lines: Sequence[str], *, delimiter: str) -> int:
    """How many lines of title above the header the first ``lines`` of a file start with (0 when none).

    Report exports (QuickBooks, Salesforce, spreadsheets' "report" views) put a title, the company's
    name or the report's period above the header. Those lines are a preamble when each is blank or
    holds a single non-blank cell (or far fewer fields than the records: at most half of them, as in
    the summary block above a Zoom report's registrants; below a one-cell title, a line padded to
    the records' width with at most half its cells filled, as Exact Online's administration line
    with its date), none holds an email address or a long number (a user's value), and the line
    after them looks like
    a header of the file's modal width (every field named, with letters, none an email address;
    or all but an empty first field, as a QuickBooks report's ``,Customer,Email``) with at least
    one record of that width after it. A file of one column (just emails) never has a
    preamble: its lines are all records. Blank lines alone above a header are no preamble (the
    reader skips them).

    Args:
        lines: the first physical lines of the file (line breaks may be kept).
        delimiter: the file's field delimiter.

    Example:
        >>> preamble_end(["Customer Contact List", "Acme Inc", "", "Name,Email", "Ann,a@example.com"],
        ...              delimiter=",")
        3
        >>> preamble_end(["email", "a@example.com", "b@example.com"], delimiter=",")
        0
    """
    rows = [next(csv.reader([line], delimiter=delimiter, strict=False), []) for line in lines]
    # A line with an odd count of quotes opens a quoted value that goes on below: a record.
    return _preamble_end(rows, [line.count('"') % 2 == 1 for line in lines])


def preamble_end_in_rows(rows: Sequence[Sequence[str]]) -> int:
    """:func:`preamble_end` for the first rows of a sheet, each a list of cell texts.

    Example:
        >>> preamble_end_in_rows([["Members 2024", "", ""], ["", "", ""], ["Name", "Email", "Phone"],
        ...                       ["Ann", "a@example.com", ""]])
        2
    """
    # As a spreadsheet writes the sheet to CSV: every row as wide as the columns in use, which are
    # those of the fullest rows (the header and records): a title row's date far to the right of
    # the table does not widen it.
    used = [[at for at, cell in enumerate(row) if cell and cell.strip()] for row in rows]
    if not any(used):
        return 0
    fullest = max(map(len, used))
    first = min(cells[0] for cells in used if cells)
    last = max(cells[-1] for cells in used if len(cells) == fullest) + 1
    padded = [
        [cell or "" for cell in [*row[first:last], *[""] * (last - first)][: last - first]] for row in rows
    ]
    return _preamble_end(padded, [False] * len(rows))


def _preamble_end(rows: Sequence[Sequence[str]], open_quotes: Sequence[bool]) -> int:
    """:func:`preamble_end` on the split ``rows``; ``open_quotes`` marks lines that leave a quote open."""
    filled = [[cell for cell in row if cell.strip()] for row in rows]
    # The records' width: that of the lines with two cells or more (a title line has one).
    widths = [len(row) for row, cells in zip(rows, filled, strict=True) if len(cells) >= 2]
    if not widths:
        return 0
    width = max(set(widths), key=lambda found: (widths.count(found), found))
    if width < 2:
        return 0
    titled = False  # a line of one cell (a title) came first
    for position, (row, cells) in enumerate(zip(rows[: MAX_PREAMBLE_LINES + 1], filled, strict=False)):
        # Below a title, a line with at most half the record's cells filled is a title too (Exact
        # Online's administration line, its date far to the right): padded to the width or not.
        subtitle = titled and 2 * len(cells) <= width
        if len(row) == width and len(cells) >= 2 and not subtitle:
            break
        if not cells:
            continue
        if open_quotes[position] or any(_USER_VALUE.search(cell) for cell in cells):
            return 0  # a quoted value going on below, or a user's value: a record, not a title
        if len(cells) > 1 and 2 * len(row) > width and not subtitle:
            return 0  # as wide as half a record: maybe a record with empty fields
        titled = titled or len(cells) == 1
    else:
        return 0
    if not any(filled[:position]) or not _header_cells(row, cells, width):
        return 0
    if not any(
        len(other) == width
        for other, more in zip(rows[position + 1 :], filled[position + 1 :], strict=True)
        if more
    ):
        return 0
    return position


# --- text-marker apostrophes ---------------------------------------------------------------------

#: A cell written with a spreadsheet's text-marker apostrophe before something digit-like: after
#: the ``'``, an optional ``+`` or ``(``, a digit, then only digits, spaces, dots, dashes and
#: parentheses (``'0123``, ``'+1 555-0100``, ``'(201) 555-0101``, ``'02134-1234``). Text such as
#: ``'tis`` or ``'n'`` has letters after the apostrophe, and ``O'Brien`` does not start with one.
TEXT_MARKED = re.compile(r"'(\+?\(?\d[\d .()\-]*)")


def strip_text_marker(cell: str) -> str | None:
    """``cell`` without its leading text-marker apostrophe, or None when it has none to strip.

    Example:
        >>> strip_text_marker("'02134"), strip_text_marker("'7210448301313")
        ('02134', '7210448301313')
        >>> strip_text_marker("O'Brien") is None, strip_text_marker("'") is None
        (True, True)
    """
    matched = TEXT_MARKED.fullmatch(cell)
    return matched.group(1) if matched else None


# --- text formulas, delimiter hints, script-written numbers --------------------------------------

#: A cell written as a spreadsheet text formula, ``="000123"`` or ``="+33612345680"``: exports write
#: ids and phones so, for a spreadsheet to show the text and keep its leading zeros. The whole cell
#: is the formula; a quote inside the text is doubled (``="say ""hi"""``).
TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


def unwrap_text_formula(cell: str) -> str | None:
    """The text of a ``="..."`` text-formula cell, or None when ``cell`` is not exactly one.

    Example:
        >>> unwrap_text_formula('="000123"'), unwrap_text_formula('="+33 6 12 34 56 80"')
        ('000123', '+33 6 12 34 56 80')
        >>> unwrap_text_formula('=SUM(A1:A3)') is None, unwrap_text_formula('="1"&"2"') is None
        (True, True)
    """
    matched = TEXT_FORMULA.fullmatch(cell)
    return matched.group(1).replace('""', '"') if matched else None


#: The first line Excel reads as the delimiter to use (``sep=;``, ``sep=,``, ``sep=`` and a tab),
#: perhaps quoted, perhaps followed by more of the delimiter when a spreadsheet saved it again.
SEP_LINE = re.compile(r'"?sep=([^\r\n"])"?(?:\1)*[ \t]*(?:\r\n|\r|\n)?', re.IGNORECASE)


def sep_hint(line: str) -> str | None:
    """The delimiter an Excel ``sep=`` first line names, or None when ``line`` is no such hint.

    Example:
        >>> sep_hint("sep=;\\r\\n"), sep_hint("sep=\\t\\n"), sep_hint("sep,email\\n")
        (';', '\\t', None)
    """
    matched = SEP_LINE.fullmatch(line)
    return matched.group(1) if matched else None


#: A whole number as pandas writes a float column: ``1001.0`` (a column of integers with a missing
#: value becomes floats, and ``to_csv`` writes each with ``.0``).
SCRIPT_FLOAT = re.compile(r"-?\d+\.0")

#: What pandas writes for a missing value once a frame was turned into text (``astype(str)``): the
#: exact spellings, so a first name ``Nan`` is never one.
SCRIPT_MISSING: frozenset[str] = frozenset({"NaN", "NaT", "nan"})

#: The spellings of :data:`SCRIPT_MISSING` that no person types for a missing value: a file holding
#: one of them was written by a script, and only then is ``nan`` taken for a missing value too.
SCRIPT_MARKS: frozenset[str] = frozenset({"NaN", "NaT"})
