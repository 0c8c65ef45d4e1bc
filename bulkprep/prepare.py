"""Every local stage in one call: map, normalize, validate, flag duplicates, build the payloads.

``prepare`` never sends anything and never raises for a row problem: each input row comes back with
exactly one ``bulk_status`` (``ready``, ``invalid`` or ``duplicate``) and, when it is not ready, the
reason in ``bulk_error``. The error table lists every problem, one row each. A target with
``on_error: drop_field`` whose value fails is left out of the row's user instead (see
:mod:`bulkprep.field_policy`): the problem is a ``warning``, told in ``bulk_warning``, and the row
stays ready unless something else is wrong.

Example:
    >>> import pandas as pd
    >>> users = pd.DataFrame({"Email": ["Ann@Example.COM ", "not-an-email", "ann@example.com"],
    ...                       "Phone": ["(202) 555-0125", None, None]})
    >>> result = prepare(users, {"profile": {"email": "Email", "phone_number": "Phone"}})
    >>> result.df["bulk_status"].tolist()
    ['ready', 'invalid', 'duplicate']
    >>> result.df.loc[0, "bulk_user"]
    {'profile': {'email': 'Ann@example.com', 'phone_number': '+12025550125'}}
    >>> result.summary
    {'ready': 1, 'invalid': 1, 'duplicate': 1}
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

import numpy as np
import pandas as pd

from bulkprep import casts, courier, display, numbers, status
from bulkprep._gc import collector_paused
from bulkprep._moved import Moved, moved_names
from bulkprep.csvsafe import write_results_csv
from bulkprep.duplicates import duplicate_errors, flag_duplicates, identity_kinds
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.field_policy import apply_field_policy
from bulkprep.frames import as_pandas
from bulkprep.mapping import ColumnSource, Mapping, closest_column, frame_column
from bulkprep.normalize import Normalized, normalize
from bulkprep.parquet import write_results_parquet
from bulkprep.read import read_changes, read_errors
from bulkprep.report import concat_errors, count_warnings, join_messages, of_severity
from bulkprep.status import ATTRS_KEY, Column, KeepPolicy, RowStatus, Severity
from bulkprep.validate import validate

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["Prepared", "as_mapping", "prepare", "with_row_keys"]

_ROW_KEY = status.ROW_KEY
_PHONE_TARGETS = tuple(path for path, kind in courier.IDENTITY_FIELDS.items() if kind == "phone")
_LOCAL_STATUSES = (RowStatus.READY, RowStatus.INVALID, RowStatus.DUPLICATE)
# Names that moved to bulkprep.status, the home of every bulk_* name; the old imports keep working.
__getattr__ = moved_names(
    __name__,
    {
        name: Moved(getattr(status, name), f"bulkprep.status.{name}")
        for name in ("BULK_COLUMNS", "PREPARED_COLUMNS")
    },
)


@dataclass(frozen=True, repr=False)
class Prepared:
    """What :func:`prepare` found: the rows with their status, the problems and what was changed.

    Attributes:
        df: the input columns plus ``bulk_row``, ``bulk_user``, ``bulk_status``, ``bulk_error``,
            ``bulk_warning`` and ``bulk_duplicate_of``, in the input's order and with its index.
        errors: the error table (one row per problem; ``severity`` tells the errors, which decide
            the statuses, from the warnings, fields left out of users by ``on_error: drop_field``).
        changes: every value the reader or normalization changed (``bulk_row``, ``field``,
            ``column``, ``original``, ``normalized``; ``field`` is empty for the reader's changes,
            see :func:`bulkprep.read.read_changes`).
        mapping: the mapping that was applied.
        blank_rows: fully blank lines the reader dropped (they are not input rows).
    """

    df: pd.DataFrame
    errors: pd.DataFrame
    changes: pd.DataFrame
    mapping: Mapping
    blank_rows: int = 0
    # Each input column the mapping read, as prepare() read it (see check_unchanged).
    _read: dict[str, _Snapshot] = field(default_factory=dict, repr=False, compare=False)

    def check_unchanged(self) -> None:
        """Refuse a :attr:`df` whose mapped input columns were edited after :func:`prepare`.

        ``bulk_user`` holds what is sent, made from the columns as they were: an edit of them
        afterwards would be shown by the results and never sent. Edits of ``bulk_status`` (a row
        set aside by hand) are the caller's to make and are not refused.

        Raises:
            ConfigurationError: naming the edited columns; prepare the frame again.

        Example:
            >>> import pandas as pd
            >>> frame = pd.DataFrame({"email": ["a@example.com"]})
            >>> prepared = prepare(frame, {"profile": {"email": "email"}})
            >>> prepared.check_unchanged()
            >>> prepared.df.loc[0, "email"] = "b@example.com"
            >>> prepared.check_unchanged()  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            bulkprep.errors.ConfigurationError: column 'email' of prepared.df changed after prepare(): ...
        """
        columns = _by_text(self.df)
        edited = [
            name
            for name, snapshot in self._read.items()
            if name not in columns or not snapshot.matches(self.df[columns[name]])
        ]
        if edited:
            raise ConfigurationError(
                f"column{'s' if len(edited) > 1 else ''} {', '.join(map(repr, edited))} of prepared.df "
                "changed after prepare(): its users (bulk_user) were made from the values before the edit; "
                "prepare the edited frame again (prepare(frame, mapping)) and submit that"
            )

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status; the counts add up to the number of input rows."""
        counts = self.df[Column.STATUS].value_counts()
        return {str(status): int(counts.get(status, 0)) for status in _LOCAL_STATUSES}

    @property
    def ready(self) -> pd.DataFrame:
        """The rows that would be sent."""
        return self.df[self.df[Column.STATUS] == RowStatus.READY]

    @property
    def problems(self) -> pd.DataFrame:
        """The rows that will not be sent (invalid or duplicate), with their reasons."""
        return self.df[self.df[Column.STATUS] != RowStatus.READY]

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={count}" for name, count in self.summary.items())
        warned = count_warnings(self.errors)
        left_out = f", {warned} fields left out" if warned else ""
        return f"<Prepared {len(self.df)} rows: {counts}; {len(self.errors) - warned} problems{left_out}>"

    def _repr_html_(self) -> str:
        return display.summary_card("Prepared", self.summary, self.errors)

    def to_csv(self, path: str | PathLike[str]) -> Path:
        """Write every row with its status, errors and user to ``path``, safe to open in a spreadsheet.

        The file ``bulkprep check --out`` writes: ``bulk_user`` as JSON, formulas guarded, UTF-8 with
        a byte-order mark; see :func:`bulkprep.csvsafe.write_results_csv`.

        Example:
            >>> import pandas as pd, tempfile, os
            >>> prepared = prepare(pd.DataFrame({"email": ["a@example.com"], "note": ["=1+1"]}),
            ...                    {"profile": {"email": "email"}, "data": {"note": "note"}})
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     back = pd.read_csv(prepared.to_csv(os.path.join(folder, "checked.csv")))
            >>> back.loc[0, "note"], back.loc[0, "bulk_user"]
            ("'=1+1", '{"profile":{"email":"a@example.com"},"data":{"note":"=1+1"}}')
        """
        return write_results_csv(self.df, path)

    def to_parquet(self, path: str | PathLike[str]) -> Path:
        """Write every row with its status, errors and user to ``path`` as Parquet (needs pyarrow).

        The columns are those of the results CSV; see :func:`bulkprep.parquet.write_results_parquet`.
        """
        return write_results_parquet(self.df, path)

    def problem_view(self, limit: int = display.DEFAULT_LIMIT) -> Styler:
        """The invalid and duplicate rows as a styled table: offending cells marked, messages on hover.

        See :func:`bulkprep.display.problem_view` (needs jinja2, as every pandas ``Styler`` does).
        """
        return display.problem_view(self.df, self.errors, limit=limit, mapping=self.mapping)


_CHANGING_CASTS = frozenset({casts.Cast.DATE, casts.Cast.INT, casts.Cast.FLOAT})


def _date_cast_changes(keyed: pd.DataFrame, mapping: Mapping, targets: pd.DataFrame) -> list[pd.DataFrame]:
    """What the date and number casts changed: zero dates (``0/0/00``, ``0000-00-00``) left out,
    changed to nothing, the time of day of a date with a time (``2021-05-01 08:15``) dropped, and
    numbers read from a local format (``1.234,50``, ``$2,500.00``)."""
    parts = []
    for target, source in mapping.sources.items():
        if not isinstance(source, ColumnSource) or source.cast not in _CHANGING_CASTS:
            continue
        raw = keyed[source.column].to_numpy(dtype=object)
        kept = (
            targets[target].to_numpy(dtype=object) if target in targets.columns else np.full(len(raw), None)
        )
        if source.cast is not casts.Cast.DATE:
            # A number read from its local format (1.234,50, $2,500.00) into a plain number.
            zero = np.zeros(len(raw), dtype=bool)
            changed = numbers.localized_cells(raw, kept)
        else:
            zero = casts.zero_dates(raw)
            timed = casts.timed_dates(raw) & np.fromiter(map(isinstance, kept, repeat(str)), bool, len(kept))
            changed = zero | timed
        if changed.any():
            parts.append(
                pd.DataFrame(
                    {
                        _ROW_KEY: keyed[_ROW_KEY].to_numpy()[changed].astype("int64"),
                        "field": target,
                        "column": source.column,
                        "original": raw[changed],
                        "normalized": pd.Series(
                            [None if z else k for z, k in zip(zero[changed], kept[changed], strict=True)],
                            dtype="object",
                        ),
                    }
                )
            )
    return parts


def _row_messages(errors: pd.DataFrame) -> pd.Series:
    """:func:`~bulkprep.report.join_messages`, with the rows holding a single problem labelled column-wise.

    Joining per group calls Python once per row with a problem; most such rows have only one. Every
    problem of ``errors`` is joined, whatever its severity (the caller picks them).
    """
    if errors.empty:
        return join_messages(errors, None)
    rows = errors[_ROW_KEY].to_numpy()
    repeated = pd.Series(rows).duplicated(keep=False).to_numpy()
    single = errors[~repeated]
    labelled = single["message"].astype(str)
    labelled = labelled.where(single["field"].isna(), single["field"].astype(str) + ": " + labelled)
    alone = pd.Series(labelled.to_numpy(dtype=object), index=rows[~repeated], dtype="object")
    messages: pd.Series = pd.concat([alone, join_messages(errors[repeated], None).astype("object")])
    return messages


def as_mapping(mapping: Mapping | dict[str, Any] | str | PathLike[str] | None, df: pd.DataFrame) -> Mapping:
    """Accept a :class:`Mapping`, a dict, or the path of a YAML/JSON mapping file; ``None`` suggests one."""
    if mapping is None:
        return Mapping.suggest(df)
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.from_dict(mapping)
    return Mapping.load(Path(mapping))


def with_row_keys(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with a ``bulk_row`` key as its first column and bulkprep's own result columns removed.

    Frames from :func:`bulkprep.read_csv` keep their line numbers; other frames get their position.
    A ``bulk_row`` column that is not a unique integer key raises :class:`~bulkprep.errors.InputError`.
    The intake's ``bulk_read_error`` column is no result column: it stays, for :func:`prepare` to read.

    Example:
        >>> with_row_keys(pd.DataFrame({"a": ["x", "y"]}))["bulk_row"].tolist()
        [0, 1]
    """
    repeated = df.columns[df.columns.duplicated()]
    if len(repeated):
        names = ", ".join(map(repr, dict.fromkeys(str(label) for label in repeated)))
        raise InputError(
            f"the frame has more than one column named {names}: each column needs a name of its own, "
            "to be told apart in the mapping and the results; rename them (read_csv names a second "
            "'email' 'email.1')"
        )
    out = df.drop(columns=[c for c in df.columns if c in status.BULK_COLUMNS and c != _ROW_KEY])
    if _ROW_KEY in out.columns:
        keys = out[_ROW_KEY]
        if keys.isna().any() or not pd.api.types.is_integer_dtype(keys) or not keys.is_unique:
            raise InputError(
                f"column {_ROW_KEY!r} must hold unique whole numbers (it is bulkprep's row key); "
                "rename or drop that column"
            )
        keys = keys.astype("int64")
        out = out.drop(columns=_ROW_KEY)
    else:
        keys = pd.Series(range(len(out)), index=out.index, dtype="int64")
    out.insert(0, _ROW_KEY, keys.to_numpy())
    out.attrs = dict(df.attrs)
    return out


def prepare(
    df: pd.DataFrame,
    mapping: Mapping | dict[str, Any] | str | PathLike[str] | None = None,
    *,
    region: str | None = "US",
    region_column: str | None = None,
    keep: KeepPolicy | str = KeepPolicy.FIRST,
    keys: str | Iterable[str] | None = None,
    require_email: bool = False,
) -> Prepared:
    """Map, normalize, validate and deduplicate every row; build each ready row's Courier user.

    Args:
        df: the users, one per row (from :func:`bulkprep.read_csv` or any DataFrame). Not modified.
            A pyarrow ``Table``, a polars frame or a list of dicts is converted first
            (:func:`bulkprep.frames.as_pandas`).
        mapping: a :class:`Mapping`, a dict in the mapping format, or a YAML/JSON mapping file;
            ``None`` uses :meth:`Mapping.suggest`.
        region: the default region for phone numbers written without a country code (with
            ``region_column``, only where the row's country cell is blank).
        region_column: the column of ``df`` holding each row's country (a code, an English or
            local name, or an alias such as ``UK``): a phone number without a country code is
            read in its row's country. A country nobody knows makes such a number
            ``unknown_country``; a number valid only in the default region is
            ``ambiguous_phone_region`` (see :func:`bulkprep.normalize.normalize_phones`). Without
            it, each phone target reads the column its mapping names (``region_column`` on the
            target); with it, every phone target reads this one.
        keep: which row of a group of duplicates is kept: a :class:`~bulkprep.status.KeepPolicy`
            or its value (``"first"``, ``"last"``, ``"most_complete"``).
        keys: the kinds of identity key that make rows the same person (``"user_id"``, ``"email"``,
            ``"phone"``, as a sequence or comma-separated); default all three, a shared phone
            linking only rows whose user ids and emails do not differ (see :mod:`bulkprep.duplicates`).
        require_email: the job sends email, so every user needs ``profile.email``.

    Returns:
        A :class:`Prepared` whose ``df`` has the input columns plus ``bulk_row``, ``bulk_user``,
        ``bulk_status``, ``bulk_error`` (the row's errors), ``bulk_warning`` (the fields left out of
        its user, ``on_error: drop_field``) and ``bulk_duplicate_of``. The rows of a frame from
        :func:`bulkprep.read_csv` that it could not parse cleanly (its ``bulk_read_error`` column)
        are invalid, with the reader's message; that column is not carried into ``df``.

    Raises:
        InputError: the ``bulk_row`` or ``bulk_read_error`` column is not bulkprep's, or ``df`` is no
            table (or one that cannot be converted, such as a polars frame without pyarrow).
        ConfigurationError: ``keep`` is not a keep policy, ``keys`` names no identity kind, or
            ``region_column`` is not a column of ``df`` (the message names the closest one).
        MappingError: the mapping is not valid, or names a column ``df`` does not have.
    """
    kinds = identity_kinds(keys)  # checked before any work
    df = as_pandas(df)  # an Arrow or polars table, or a list of dicts, is converted at the door
    mapping = as_mapping(mapping, df)
    with collector_paused():
        return _prepare(
            df,
            mapping,
            region=region,
            region_column=region_column,
            keep=keep,
            kinds=kinds,
            require_email=require_email,
        )


def _country_column(keyed: pd.DataFrame, keys: pd.Index, region_column: str | None) -> pd.Series | None:
    """The rows' countries (indexed by ``bulk_row``) from ``region_column``; a missing column raises."""
    if region_column is None:
        return None
    found = frame_column(region_column, [c for c in keyed.columns if c != _ROW_KEY])
    if found is None:
        existing = [str(c) for c in keyed.columns if c != _ROW_KEY]
        guess = closest_column(str(region_column), existing)
        hint = f"did you mean {guess!r}?" if guess else f"the columns are {', '.join(map(repr, existing))}"
        raise ConfigurationError(f"region column {region_column!r} not found; {hint}")
    return pd.Series(keyed[found].to_numpy(dtype=object), index=keys, name=region_column)


class _LocalStages(NamedTuple):
    """What the stages that look at one row at a time found: everything but the duplicates."""

    keyed: pd.DataFrame
    keys: pd.Index
    normalized: Normalized
    targets: pd.DataFrame
    payloads: pd.Series
    errors: pd.DataFrame
    invalid: pd.Series


def _local_stages(
    df: pd.DataFrame,
    mapping: Mapping,
    *,
    region: str | None,
    region_column: str | None,
    require_email: bool,
) -> _LocalStages:
    """Map, normalize and validate ``df``: each row's outcome depends on that row only.

    Shared by :func:`prepare` and the streaming path (:mod:`bulkprep.streaming`), which runs it per
    chunk of a file and resolves the duplicates over the whole file afterwards.
    """
    keyed = with_row_keys(df)
    keys = pd.Index(keyed[_ROW_KEY].to_numpy(), name=_ROW_KEY)

    # The intake's problems travel with their rows in a column (never in attrs, which pandas drops).
    intake = read_errors(keyed)
    if Column.READ_ERROR in keyed.columns:
        keyed = keyed.drop(columns=Column.READ_ERROR.value)
    mapped = mapping.apply(keyed)
    # The argument names one country column for every phone; without it, each phone target may name
    # its own in the mapping (region_column on the target).
    by_target = mapping.region_columns()
    if region_column is not None:
        by_target = dict.fromkeys(by_target or _PHONE_TARGETS, region_column)
    countries = {
        target: found
        for target, column in by_target.items()
        if (found := _country_column(keyed, keys, column)) is not None
    }
    normalized = normalize(mapped.targets, region=region, mapping=mapping, countries=countries or None)
    # The targets' on_error policies leave failing values out of their users, then the users are checked.
    checked = apply_field_policy(
        normalized.targets,
        concat_errors([mapped.errors, normalized.errors]),
        mapping=mapping,
        check=lambda targets, payloads: validate(
            targets, mapping=mapping, require_email=require_email, payloads=payloads
        ),
    )
    local_errors = concat_errors([intake, checked.errors])
    # Only errors decide a status: a warning is a field left out of a user that is still sent.
    invalid = pd.Series(keys.isin(of_severity(local_errors, Severity.ERROR)[_ROW_KEY]), index=keys)
    return _LocalStages(keyed, keys, normalized, checked.targets, checked.payloads, local_errors, invalid)


def _prepare(
    df: pd.DataFrame,
    mapping: Mapping,
    *,
    region: str | None,
    region_column: str | None,
    keep: KeepPolicy | str,
    kinds: tuple[str, ...],
    require_email: bool,
) -> Prepared:
    local = _local_stages(
        df, mapping, region=region, region_column=region_column, require_email=require_email
    )
    keyed, keys, normalized, targets, payloads = local[:5]
    local_errors, invalid = local.errors, local.invalid
    # str(): a KeepPolicy's value, as flag_duplicates takes it (and checks it).
    policy = cast(Literal["first", "last", "most_complete"], str(keep))
    flags = flag_duplicates(targets, keep=policy, exclude=invalid, keys=kinds)
    duplicate_of = flags[Column.DUPLICATE_OF]
    duplicate = duplicate_of.notna() & ~invalid
    errors = concat_errors([local_errors, duplicate_errors(flags[duplicate], targets=targets)])

    statuses = pd.Series(RowStatus.READY.value, index=keys, dtype="object")
    statuses[duplicate] = RowStatus.DUPLICATE.value
    statuses[invalid] = RowStatus.INVALID.value
    messages = _row_messages(of_severity(errors, Severity.ERROR)).reindex(keys)
    warnings = _row_messages(of_severity(errors, Severity.WARNING)).reindex(keys)

    out = keyed.copy()
    out[Column.USER.value] = payloads.reindex(keys).to_numpy()
    out[Column.STATUS.value] = statuses.to_numpy()
    out[Column.ERROR.value] = messages.to_numpy(dtype=object)
    out[Column.WARNING.value] = warnings.to_numpy(dtype=object)
    out[Column.DUPLICATE_OF.value] = duplicate_of.astype("Int64").where(duplicate).array
    return Prepared(
        df=out,
        errors=errors,
        # What the reader changed (text markers, repaired lines) first: it came before the mapping.
        changes=pd.concat(
            [read_changes(keyed), *_date_cast_changes(keyed, mapping, targets), normalized.changes],
            ignore_index=True,
        ).sort_values(_ROW_KEY, kind="stable", ignore_index=True),
        mapping=mapping,
        # What the reader found out about the file, not a status: it may come from attrs.
        blank_rows=int(df.attrs.get(ATTRS_KEY, {}).get("blank_rows", 0)),
        _read=_snapshots(out, _read_labels(out, mapping)),
    )


def _read_labels(frame: pd.DataFrame, mapping: Mapping) -> list[str]:
    """The frame's columns the mapping reads, by their labels as text."""
    wanted = dict.fromkeys([*mapping.columns, *mapping.region_columns().values()])
    labels = [frame_column(column, list(frame.columns)) for column in wanted]
    return [str(label) for label in labels if label is not None]


class _Snapshot:
    """One column's values as prepare() read them, to tell an edit apart later.

    Arrow's arrays never change in place (an edit gives the column new ones), so an Arrow-backed
    column is kept as its arrays, at no cost, and found unchanged while it still holds them; any
    other column is kept as a digest of its values. Either way, a column whose values are all as
    they were (replaced by an equal one) is unchanged.
    """

    __slots__ = ("_arrow", "_digest")

    def __init__(self, column: pd.Series) -> None:
        values = column.array
        # copy() of an Arrow-backed array shares its (immutable) arrays: no data is copied.
        self._arrow = values.copy() if isinstance(values, pd.arrays.ArrowExtensionArray) else None
        self._digest = None if self._arrow is not None else _digest(column)

    def matches(self, column: pd.Series) -> bool:
        """Whether ``column`` holds the values this one held."""
        if self._arrow is None:  # no digest: cells of lists or dicts, no edit told apart
            return self._digest is None or _digest(column) == self._digest
        values = column.array
        if isinstance(values, pd.arrays.ArrowExtensionArray) and (
            values.__arrow_array__() is self._arrow.__arrow_array__()
        ):
            return True
        kept = _digest(pd.Series(self._arrow, copy=False))
        return kept is not None and _digest(column) == kept


def _digest(column: pd.Series) -> bytes | None:
    """A digest of a column's values in order; None for one that cannot be hashed (lists, dicts)."""
    try:
        hashed = pd.util.hash_pandas_object(column, index=False, categorize=False)
    except (TypeError, ValueError):  # cells of lists or dicts (pandas raises either): no edit told apart
        return None
    return hashlib.blake2b(hashed.to_numpy().tobytes(), digest_size=16).digest()


def _by_text(frame: pd.DataFrame) -> dict[str, Any]:
    """The labels of ``frame``'s columns by their text (how the snapshots name them)."""
    return {str(label): label for label in frame.columns}


def _snapshots(frame: pd.DataFrame, names: Iterable[str]) -> dict[str, _Snapshot]:
    """A snapshot of each named column (a label as text) of ``frame``."""
    columns = _by_text(frame)
    return {name: _Snapshot(frame[columns[name]]) for name in names if name in columns}
