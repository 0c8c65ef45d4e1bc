"""Rich display for notebooks: the rows that need attention, with the offending cells marked.

:func:`problem_view` turns a result frame and its error table into a pandas ``Styler`` showing only
the rows that will not be (or were not) delivered: each offending cell is highlighted and carries
its message as a hover tooltip, the status cell is coloured by status. A cell whose only problems are
warnings (a field left out of the user, ``on_error: drop_field``) is marked in amber rather than red.
Only the first ``limit`` such rows are styled, so a frame of a million rows displays as fast as one
of a hundred.

Every value, column name and message is escaped: a cell holding ``<script>`` or
``=HYPERLINK(...)`` shows as that text and does nothing.

Example:
    >>> import pandas as pd
    >>> from bulkprep import prepare
    >>> users = pd.DataFrame({"Email": ["ann@example.com", "bob@example"]})
    >>> prepared = prepare(users, {"profile": {"email": "Email"}})
    >>> view = problem_view(prepared.df, prepared.errors)
    >>> view.data[["bulk_row", "bulk_status", "Email"]].to_dict("records")
    [{'bulk_row': 1, 'bulk_status': 'invalid', 'Email': 'bob@example'}]
"""

from __future__ import annotations

import hashlib
import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bulkprep.chart import bar_chart
from bulkprep.delivery import undelivered
from bulkprep.mapping import Mapping
from bulkprep.report import (
    ErrorCode,
    delivery_counts,
    of_severity,
    problems_by_column,
    top_problems,
    warnings_line,
)
from bulkprep.status import ROW_KEY, Column, RowStatus, Severity

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler
    from pandas.io.formats.style_render import CSSDict


__all__ = [
    "DEFAULT_LIMIT",
    "PROBLEM_STATUSES",
    "SHOWN_CODES",
    "STATUS_COLORS",
    "problem_view",
    "summary_card",
]

#: Rows styled at most by default; larger views are cut and say so in their caption.
DEFAULT_LIMIT = 200
#: The statuses of rows that need attention (everything but ready and accepted).
PROBLEM_STATUSES: tuple[str, ...] = (
    RowStatus.INVALID.value,
    RowStatus.DUPLICATE.value,
    RowStatus.REJECTED.value,
    RowStatus.FAILED.value,
)
#: Background and text colour of the status cell; explicit text colours keep dark themes readable.
STATUS_COLORS: dict[str, tuple[str, str]] = {
    RowStatus.INVALID.value: ("#fde2e1", "#7f1d1d"),
    RowStatus.DUPLICATE.value: ("#fef3c7", "#78350f"),
    RowStatus.REJECTED.value: ("#fde2e1", "#7f1d1d"),
    RowStatus.FAILED.value: ("#e5e7eb", "#1f2937"),
}
_SHOWN_BULK_COLUMNS = (ROW_KEY, Column.STATUS.value, Column.ERROR.value)
_OFFENDING_CSS = "background-color: #fecaca; color: #7f1d1d; font-weight: 600;"
_WARNING_CSS = "background-color: #fef3c7; color: #78350f;"
# A duplicate's shared cell: the same person as the kept row, nothing wrong with the value itself.
_DUPLICATE_CSS = "background-color: #fde68a; color: #713f12; font-weight: 600;"
# A cell that explains a problem beside it (the country a phone number is read in).
_CONTEXT_CSS = "background-color: #e0f2fe; color: #0c4a6e;"
_TOOLTIP_CSS: list[tuple[str, str | float]] = [
    ("visibility", "hidden"),
    ("position", "absolute"),
    ("z-index", "10"),
    ("background-color", "#1f2937"),
    ("color", "#ffffff"),
    ("padding", "4px 8px"),
    ("border-radius", "4px"),
    ("font-weight", "normal"),
    ("white-space", "pre-line"),
    ("max-width", "32em"),
    ("transform", "translate(-10px, 6px)"),
]
_TABLE_STYLES: list[CSSDict] = [
    {"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"), ("padding", "4px 0")]},
    # Notebook themes right-align table cells, which suits numbers, not emails and messages.
    {"selector": "td, th", "props": [("vertical-align", "top"), ("text-align", "left")]},
]
# Characters that may stand as they are inside a CSS string; every other one is written as a CSS
# escape, so no message can close the string, the rule or the <style> element the tooltips live in.
_CSS_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?()'@_/+=-#%*[]|~^$"
)


def _css_string(text: str) -> str:
    """``text`` escaped for a double-quoted CSS string (pandas writes tooltips into ``content: "..."``).

    Example:
        >>> print(_css_string('x"y</style>z'))
        x\\22 y\\3c /style\\3e z
    """
    return "".join(ch if ch in _CSS_SAFE else f"\\{ord(ch):x} " for ch in text)


_CODES = frozenset(code.value for code in ErrorCode)


def _input_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not str(c).startswith("bulk_")]


def _field_columns(errors: pd.DataFrame, mapping: Mapping | None) -> dict[str, str]:
    """Target field -> source column, from the mapping when given, else from the table's own rows.

    A problem that names a field but no column (a duplicate, say) is placed through it: without a
    mapping, another problem of the same field that names its column tells which column feeds it.
    """
    if "field" not in errors.columns:  # a table built by hand may leave it out
        return {}
    known = errors[errors["field"].notna() & errors["column"].notna()]
    found = {str(f): str(c) for f, c in zip(known["field"], known["column"], strict=True)}
    if mapping is not None:
        for target in errors["field"].dropna().unique():
            column = mapping.column_of(str(target))
            if column is not None:
                found[str(target)] = column
    return found


def _cell_messages(
    errors: pd.DataFrame, rows: pd.Series, columns: list[str], field_columns: dict[str, str]
) -> pd.DataFrame:
    """One line per (row, shown column) with the joined messages of the problems found in that cell.

    A problem without a source column (a duplicate, say) is placed on the column that feeds its
    ``field`` (``field_columns``), else on the ``bulk_status`` cell. ``warned`` says whether the cell's
    problems are all warnings, ``duplicate`` whether they are all duplicates.
    """
    table = errors[errors[ROW_KEY].isin(rows)]
    column = table["column"].astype("object")
    fields = (
        table["field"] if "field" in table.columns else pd.Series(None, index=table.index, dtype="object")
    )
    by_field = fields.astype("object").map(lambda target: field_columns.get(str(target)))
    column = column.where(column.notna(), by_field)
    column = column.where(column.isin(columns), Column.STATUS.value)
    text = table["code"].astype("object").astype(str) + ": " + table["message"].astype("object").astype(str)
    warned = table.index.isin(of_severity(table, Severity.WARNING).index)
    duplicate = (table["code"].astype("object") == ErrorCode.DUPLICATE_USER.value).to_numpy()
    cells = pd.DataFrame(
        {
            ROW_KEY: table[ROW_KEY].to_numpy(),
            "cell": column.to_numpy(),
            "text": text,
            "warned": warned,
            "duplicate": duplicate,
        }
    )
    grouped = cells.groupby([ROW_KEY, "cell"], sort=False)
    return grouped.agg(
        text=("text", "\n".join), warned=("warned", "all"), duplicate=("duplicate", "all")
    ).reset_index()


def _ordered_inputs(inputs: list[str], at_fault: set[str], explains: dict[str, list[str]]) -> list[str]:
    """The input columns, those at fault first (input order), each followed by the columns explaining it.

    Example:
        >>> _ordered_inputs(["Name", "Country", "Phone", "Email"], {"Phone", "Email"}, {"Phone": ["Country"]})
        ['Phone', 'Country', 'Email', 'Name']
    """
    ordered: dict[str, None] = {}
    for name in inputs:
        if name in at_fault:
            ordered[name] = None
            ordered.update((other, None) for other in explains.get(name, []) if other in inputs)
    ordered.update((name, None) for name in inputs)
    return list(ordered)


def _region_columns(mapping: Mapping | None, inputs: list[str]) -> dict[str, list[str]]:
    """Phone column -> the column holding each row's country (the mapping's ``region_column``)."""
    if mapping is None:
        return {}
    found: dict[str, list[str]] = {}
    for target, region in mapping.region_columns().items():
        phone = mapping.column_of(target)
        if phone is not None and region in inputs and region != phone:
            found.setdefault(phone, []).append(region)
    return found


def _fix_of(code: str, message: str) -> str | None:
    """The fix a message ends with: the code's own hint, else what follows its first top-level ``"; "``.

    Example:
        >>> _fix_of("cast_failed", "got 'x' (cast: int; strict); fix the value or clear the cell")
        'fix the value or clear the cell'
    """
    if code in _CODES and message.endswith(ErrorCode(code).hint):
        return ErrorCode(code).hint
    depth = 0
    for at, char in enumerate(message):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and message.startswith("; ", at):
            return message[at + 2 :] or None
    return None


def _legend(errors: pd.DataFrame, rows: pd.Series) -> dict[str, str]:
    """Label -> fix, for each fix that ends the messages of two or more shown problems (or is a hint).

    The label is the code, or the code and a number when one code has several fixes in the view.
    """
    table = errors[errors[ROW_KEY].isin(rows)]
    seen: dict[tuple[str, str], int] = {}
    for code, message in zip(table["code"].astype("object"), table["message"].astype("object"), strict=True):
        if isinstance(code, str) and isinstance(message, str):
            fix = _fix_of(code, message)
            if fix is not None:
                seen[(code, fix)] = seen.get((code, fix), 0) + 1
    legend: dict[str, str] = {}
    for (code, fix), count in seen.items():
        if count < 2 and not (code in _CODES and fix == ErrorCode(code).hint):
            continue  # said once anyway
        label, number = code, 1
        while label in legend:
            number += 1
            label = f"{code} {number}"
        legend[label] = fix
    return legend


def _shortened(texts: pd.Series, legend: dict[str, str]) -> pd.Series:
    """``bulk_error`` texts with each fix of the legend said once, in the caption, not on every row."""
    out = texts.astype("object")
    # Longest first, so that a fix ending in another fix is replaced whole.
    for label, fix in sorted(legend.items(), key=lambda item: -len(item[1])):
        out = out.map(
            lambda text, label=label, fix=fix: (
                text.replace(f"; {fix}", f" [{label}]").replace(f": {fix}", f" [{label}]")
                if isinstance(text, str)
                else text
            )
        )
    return out


def problem_view(
    df: pd.DataFrame,
    errors: pd.DataFrame,
    *,
    limit: int = DEFAULT_LIMIT,
    mapping: Mapping | None = None,
) -> Styler:
    """The rows that need attention, offending cells highlighted, each message as the cell's tooltip.

    The columns at fault come first, each followed by the columns that explain it: the country
    column a phone number is read in (the mapping's ``region_column``) beside the phone, and
    ``bulk_duplicate_of`` (the row kept in a duplicate's place) beside the status. A duplicate's
    shared cell is marked in yellow, a left-out field (a warning) in amber, an error in red. A fix
    that every message of a code ends with is said once, in the caption, keyed by the code
    (``[invalid_email]`` in ``bulk_error``); each cell's tooltip keeps its whole message.

    Args:
        df: a result frame (``Prepared.df`` or ``SubmitResult.df``) with ``bulk_row``, ``bulk_status``
            and ``bulk_error``.
        errors: its error table; its ``column`` says which source cell each problem is about.
        limit: most rows shown; a longer view is cut to its first ``limit`` rows and says so.
        mapping: the mapping used, to place problems that name a target field but no column and to
            find the country column of each phone number.

    Returns:
        A ``Styler`` over the invalid, duplicate, rejected and failed rows (input order) with
        ``bulk_row``, ``bulk_status``, ``bulk_error``, ``bulk_warning`` (when ``df`` has it),
        ``bulk_duplicate_of`` (when a shown row is a duplicate) and the input columns; ``.data`` is
        that frame.

    Raises:
        ValueError: ``limit`` is not a positive whole number.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"Email": ["a@b.co", "bad"], "bulk_row": [2, 3],
        ...                       "bulk_status": ["ready", "invalid"], "bulk_error": [None, "no @"]})
        >>> errors = pd.DataFrame({"bulk_row": [3], "stage": ["validate"], "field": ["profile.email"],
        ...                        "column": ["Email"], "code": ["invalid_email"], "message": ["no @"],
        ...                        "value": ["bad"]})
        >>> view = problem_view(frame, errors)
        >>> view.data["bulk_row"].tolist(), "invalid_email: no @" in view.to_html()
        ([3], True)
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit={limit!r} must be a whole number of rows, 1 or more")
    status = df[Column.STATUS.value].astype("object")
    failing = status.isin(PROBLEM_STATUSES).to_numpy() | undelivered(df)
    # Cut first: everything below is per shown cell, so it must only ever see `limit` rows.
    picked = df.iloc[np.flatnonzero(failing)[:limit]]
    shown_bulk = [*_SHOWN_BULK_COLUMNS, *([Column.WARNING.value] if Column.WARNING in df.columns else [])]
    if Column.DUPLICATE_OF in df.columns and (picked[Column.STATUS.value] == RowStatus.DUPLICATE.value).any():
        shown_bulk.append(Column.DUPLICATE_OF.value)
    inputs = _input_columns(df)
    field_columns = _field_columns(errors, mapping)
    regions = _region_columns(mapping, inputs)
    cells = _cell_messages(errors, picked[ROW_KEY], [*shown_bulk, *inputs], field_columns)
    columns = [*shown_bulk, *_ordered_inputs(inputs, set(cells["cell"]), regions)]
    view = picked[columns].reset_index(drop=True)
    view[Column.STATUS.value] = view[Column.STATUS.value].astype("object")
    legend = _legend(errors, view[ROW_KEY])
    view[Column.ERROR.value] = _shortened(view[Column.ERROR.value], legend)

    position = pd.Series(range(len(view)), index=view[ROW_KEY].to_numpy())
    tooltips = pd.DataFrame("", index=view.index, columns=columns, dtype="object")
    styles = pd.DataFrame("", index=view.index, columns=columns, dtype="object")
    for row, cell, text, warned, duplicate in cells.itertuples(index=False, name=None):
        at = int(position[row])
        tooltips.iat[at, columns.index(cell)] = _css_string(text)
        styles.iat[at, columns.index(cell)] = (
            _DUPLICATE_CSS if duplicate else _WARNING_CSS if warned else _OFFENDING_CSS
        )
        for region in regions.get(cell, []):
            # The country the number was read in: shown beside it, marked as its context.
            if not styles.iat[at, columns.index(region)]:
                styles.iat[at, columns.index(region)] = _CONTEXT_CSS
                tooltips.iat[at, columns.index(region)] = _css_string(f"the country {cell} is read in")
    for at, name in enumerate(view[Column.STATUS.value].tolist()):
        background, color = STATUS_COLORS.get(str(name), ("", ""))
        if background:
            # The status cell keeps its status colour even when it also carries a problem.
            styles.iat[at, 1] = f"background-color: {background}; color: {color}; font-weight: 600;"

    digest = hashlib.sha256(repr((view.to_numpy().tolist(), tooltips.to_numpy().tolist())).encode())

    from pandas.io.formats.style import Styler  # needs jinja2; imported only when a view is drawn

    styler = Styler(view, uuid=f"bulkprep_{digest.hexdigest()[:12]}", cell_ids=True)
    return (
        styler.format(escape="html", na_rep="")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
        .apply(lambda _: styles, axis=None)
        .set_tooltips(tooltips, props=_TOOLTIP_CSS)
        .set_properties(subset=[Column.ERROR.value], **{"min-width": "22em", "max-width": "36em"})
        .set_table_styles(_TABLE_STYLES, overwrite=False)
        .set_caption(_caption(status[failing], len(view), legend))
    )


def _caption(failing: pd.Series, shown: int, legend: dict[str, str]) -> str:
    """The view's caption (HTML, every part escaped): how many rows, by status, and the fixes by code."""
    total = len(failing)
    counts = failing.value_counts()
    by_status = ", ".join(f"{name} {int(counts[name]):,}" for name in PROBLEM_STATUSES if name in counts)
    if total > shown:
        caption = (
            f"Showing the first {shown:,} of {total:,} rows that need attention ({by_status}); "
            f"pass a larger limit to see more."
        )
    elif total:
        caption = (
            f"{total} row(s) need attention ({by_status}). Hover over a highlighted cell for its problem."
        )
    else:
        caption = "No rows need attention."
    fixes = "".join(
        f"<br><code>[{html.escape(code)}]</code> {html.escape(hint)}" for code, hint in legend.items()
    )
    return html.escape(caption) + (f"<br><b>What to do</b>:{fixes}" if fixes else "")


def _problem_rows(problems: pd.DataFrame) -> str:
    esc = html.escape
    return "".join(
        "<tr><td style='text-align:left'><code>{}</code></td><td style='text-align:right'>{:,}</td>"
        "<td style='text-align:left'>{}</td><td style='text-align:left'>{}</td></tr>".format(
            esc(str(code)), int(count), esc("" if example is None else str(example)), esc(str(fix))
        )
        for code, count, example, fix in problems.itertuples(index=False, name=None)
    )


_PROBLEM_HEADER = (
    "<tr><th style='text-align:left'>code</th><th>rows</th>"
    "<th style='text-align:left'>example</th><th style='text-align:left'>what to do</th></tr>"
)


def _problems_section(errors: pd.DataFrame) -> str:
    """Every error code with its rows, an example and its fix; past the first few, folded."""
    problems = top_problems(of_severity(errors, Severity.ERROR), limit=None)
    if problems.empty:
        return "<p>No problems found.</p>"
    noun = "code" if len(problems) == 1 else "codes"
    head = f"<p><b>Problems by code</b> ({len(problems)} {noun}, most rows first)</p>"
    shown, folded = problems.iloc[:SHOWN_CODES], problems.iloc[SHOWN_CODES:]
    table = f"<table>{_PROBLEM_HEADER}{_problem_rows(shown)}</table>"
    if folded.empty:
        return head + table
    more = (
        f"<details><summary>{len(folded)} more code(s), {int(folded['rows'].sum()):,} row(s)</summary>"
        f"<table>{_PROBLEM_HEADER}{_problem_rows(folded)}</table></details>"
    )
    return head + table + more


def _chart_section(errors: pd.DataFrame) -> str:
    """Rows per problem code and column as a bar chart, when there are two or more bars to compare."""
    by_column = problems_by_column(errors)
    if len(by_column) < 2:
        return ""
    bars = [
        (f"{code} · {column}" if column else str(code), int(rows))
        for code, column, rows in by_column.itertuples(index=False, name=None)
    ]
    return "<p><b>Problems by code and column</b></p>" + bar_chart(
        bars, title="Rows per problem code and column"
    )


def _delivery_section(df: pd.DataFrame | None) -> str:
    """The delivery states and outcomes of the rows, one small table per column that holds any."""
    if df is None:
        return ""
    esc = html.escape
    counts = delivery_counts(df)
    if not counts:
        return ""
    tables = []
    for name, values in counts.items():
        cells = "".join(
            f"<tr><td style='text-align:left'><code>{esc(value)}</code></td>"
            f"<td style='text-align:right'>{count:,}</td></tr>"
            for value, count in values.items()
        )
        tables.append(
            f"<table style='display:inline-table;margin-right:1.5em;vertical-align:top'>"
            f"<tr><th style='text-align:left'>{esc(name)}</th><th>rows</th></tr>{cells}</table>"
        )
    return "<p><b>Delivery</b></p>" + "".join(tables)


#: Problem codes shown in the summary card before the rest fold under a "more" line.
SHOWN_CODES = 5


def summary_card(
    title: str,
    summary: dict[str, int],
    errors: pd.DataFrame,
    *,
    notes: tuple[str, ...] = (),
    df: pd.DataFrame | None = None,
) -> str:
    """A compact HTML card: counts per status, the fields left out, the delivery, every problem code.

    ``notes`` are lines of HTML shown under the title (the caller escapes what it puts in them). The
    problems are the errors, every code with its rows, an example and what to do (past the first
    :data:`SHOWN_CODES`, folded under a line that opens them), and, when the problems fall in two or
    more (code, column) pairs, a bar chart of them. The warnings (fields left out of users that are
    sent without them, ``on_error: drop_field``) are counted on a line of their own. With ``df``, the
    delivery states and outcomes its rows hold (:data:`bulkprep.report.DELIVERY_COLUMNS`) are counted.

    Example:
        >>> from bulkprep.report import empty_errors
        >>> card = summary_card("Prepared", {"ready": 2, "invalid": 0}, empty_errors())
        >>> "<th>total</th><th style='text-align:right'>2</th>" in card
        True
    """
    esc = html.escape
    total = sum(summary.values())
    cells = "".join(
        f"<tr><td>{esc(name)}</td><td style='text-align:right'>{count}</td></tr>"
        for name, count in summary.items()
    )
    cells += f"<tr><th>total</th><th style='text-align:right'>{total}</th></tr>"
    lines = "".join(f"<p>{note}</p>" for note in notes)
    warned = warnings_line(errors)
    left_out = f"<p>{esc(warned)}</p>" if warned else ""
    chart = _chart_section(of_severity(errors, Severity.ERROR))
    return (
        f"<div class='bulkprep-summary'><p><b>{esc(title)}</b></p>{lines}"
        f"<table><tr><th>status</th><th>rows</th></tr>{cells}</table>{left_out}"
        f"{_delivery_section(df)}{_problems_section(errors)}{chart}</div>"
    )
