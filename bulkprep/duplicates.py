"""Find the rows that are the same person, keep one row of each, and say why the others are duplicates.

Two rows are the same person when they share any identity key: a user id (``recipient`` and
``to.user_id``, one namespace, since Courier treats both as the user id), an email address
(``profile.email`` and ``to.email``, case-folded) or a phone number (``profile.phone_number`` and
``to.phone_number``, as normalized). The links are transitive: when row A shares an email with B and B a
phone with C, all three are one person, one cluster, and one of them is kept.

Example:
    >>> import pandas as pd
    >>> targets = pd.DataFrame(
    ...     {"profile.email": ["ann@example.com", "ANN@example.com", None, "bob@example.com"],
    ...      "profile.phone_number": [None, "+12025550125", "+12025550125", None]},
    ...     index=pd.Index([2, 3, 4, 5], name="bulk_row"))
    >>> flags = flag_duplicates(targets)
    >>> flags["bulk_duplicate_of"].tolist()
    [<NA>, 2, 2, <NA>]
    >>> flags.loc[4, "bulk_duplicate_reason"]
    'same phone number as row 3 (+12025550125), which links to kept row 2'
"""

from __future__ import annotations

import warnings
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import pandas as pd

from bulkprep.courier import IDENTITY_FIELDS as _IDENTITY_FIELDS
from bulkprep.errors import ConfigurationError
from bulkprep.report import ErrorCode, empty_errors, errors_where
from bulkprep.status import ROW_KEY, Column, KeepPolicy, Stage

__all__ = [
    "DUPLICATE_COLUMNS",
    "canonical_keys",
    "duplicate_errors",
    "flag_duplicates",
]

# Why a row is a duplicate: a column of flag_duplicates' answer only (prepare folds it into bulk_error),
# so it is none of status.Column's.
_REASON = "bulk_duplicate_reason"
#: Columns of what :func:`flag_duplicates` returns.
DUPLICATE_COLUMNS: tuple[str, ...] = (Column.DUPLICATE_OF.value, _REASON)

# The identity fields (courier.IDENTITY_FIELDS, strongest kind first: the order of preference when
# more than one key links two rows), and how a reason names each kind of key.
_FIELDS = tuple(_IDENTITY_FIELDS)
_LABELS: dict[str, str] = {"user_id": "user id", "email": "email", "phone": "phone number"}
_KEEP_CHOICES = ", ".join(repr(policy.value) for policy in KeepPolicy)


def _canonical(values: np.ndarray, kind: str) -> np.ndarray:
    """Keys as compared: user ids and phone numbers (already E.164) as written, emails case-folded.

    ``str`` methods mapped in C over the Python strings: measured several times faster here than
    chained ``.str`` methods, which under pandas 3 also convert to and from the string dtype.
    """
    if pd.api.types.infer_dtype(values, skipna=False) != "string":  # ids cast to int, for example
        values = np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
    if kind == "email":
        folded = np.empty(len(values), dtype=object)
        folded[:] = list(map(str.casefold, map(str.strip, values)))
        return folded
    return values


class _HasColumnOf(Protocol):
    def column_of(self, target: str) -> str | None: ...


class _Edges(NamedTuple):
    """The row-to-key graph: one edge per (row, key) pair, rows as positions, keys as dense codes."""

    rows: np.ndarray  # row position
    keys: np.ndarray  # key code, unique across namespaces
    fields: np.ndarray  # position in _FIELDS of the first field that holds the key for the row
    values: np.ndarray  # key code -> canonical value
    kinds: np.ndarray  # key code -> the namespace as reasons name it ("user id", "email", ...)


class _Links(NamedTuple):
    """For each flagged row (position), the row it directly shares a key with, and that key."""

    rows: np.ndarray
    partners: np.ndarray
    fields: np.ndarray
    keys: np.ndarray
    direct: np.ndarray  # the partner is the kept row itself


def canonical_keys(targets: pd.DataFrame) -> pd.DataFrame:
    """The identity keys of each row, in the form rows are compared by.

    User ids are compared as written, email addresses trimmed and case-folded, phone numbers as written
    (they are E.164 after :func:`bulkprep.normalize.normalize`). Blank values are no key.

    Args:
        targets: the targets frame. Not modified.

    Returns:
        A frame indexed like ``targets`` with one column per identity field present (see
        :data:`bulkprep.courier.IDENTITY_FIELDS` for the kind of each) holding the key, or None.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"recipient": ["u1", ""], "to.email": [" Ann@Example.com", None]})
        >>> canonical_keys(targets).to_dict("list")
        {'recipient': ['u1', None], 'to.email': ['ann@example.com', None]}
    """
    keys = pd.DataFrame(index=targets.index)
    for field in _FIELDS:
        if field not in targets.columns:
            continue
        values = targets[field].to_numpy(dtype=object)
        present = pd.notna(values)
        column = np.full(len(values), None, dtype=object)
        column[present] = _canonical(values[present], _IDENTITY_FIELDS[field])
        column[column == ""] = None
        keys[field] = pd.Series(column, index=targets.index, dtype="object")
    return keys


def _edges(keys: pd.DataFrame, excluded: np.ndarray) -> _Edges:
    """The graph between rows and the keys they hold; excluded rows hold none."""
    rows, codes, fields, values, kinds = [], [], [], [], []
    offset = 0
    for kind in dict.fromkeys(_IDENTITY_FIELDS.values()):
        in_kind = [field for field in keys.columns if _IDENTITY_FIELDS[field] == kind]
        if not in_kind:
            continue
        kind_rows, kind_values, kind_fields = [], [], []
        for field in in_kind:
            column = keys[field].to_numpy(dtype=object)
            present = np.flatnonzero(pd.notna(column) & ~excluded)
            kind_rows.append(present)
            kind_values.append(column[present])
            kind_fields.append(np.full(len(present), _FIELDS.index(field)))
        # One factorize per namespace: the same text as an email and as a user id are different keys.
        kind_codes, uniques = pd.factorize(np.concatenate(kind_values))
        edge_rows = np.concatenate(kind_rows).astype(np.int64)
        edge_fields = np.concatenate(kind_fields)
        if len(in_kind) > 1:
            # A row holding one key twice (profile.email == to.email) is one edge, of the first field.
            first = ~pd.Series(edge_rows * max(len(uniques), 1) + kind_codes).duplicated().to_numpy()
            edge_rows, kind_codes, edge_fields = edge_rows[first], kind_codes[first], edge_fields[first]
        rows.append(edge_rows)
        codes.append(kind_codes.astype(np.int64) + offset)
        fields.append(edge_fields)
        values.append(np.asarray(uniques, dtype=object))
        kinds.append(np.full(len(uniques), _LABELS[kind], dtype=object))
        offset += len(uniques)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Edges(empty, empty, empty, np.zeros(0, dtype=object), np.zeros(0, dtype=object))
    return _Edges(*(np.concatenate(part) for part in (rows, codes, fields, values, kinds)))


def _components(n_rows: int, edges: _Edges) -> np.ndarray:
    """The connected component of each row, labelled by its smallest row position.

    Rows and keys are the nodes of one graph. Each round hooks, for every edge, the labels of both ends
    onto the smaller of the two, then shortcuts labels to their labels' labels until that settles
    (pointer jumping). Labels only ever point to a smaller node of the same component, so at the fixed
    point every component carries its smallest node, which is a row. Pointer jumping is what makes a
    long chain of rows converge in a few rounds: plain min-label propagation would need as many rounds
    as the chain is long. Every step is a whole-array numpy operation; a union-find would need a Python
    loop over the edges.
    """
    label = np.arange(n_rows + len(edges.values), dtype=np.int64)
    if not len(edges.rows):
        return label[:n_rows]
    ends = (edges.rows, edges.keys + n_rows)
    while True:
        low = np.minimum(label[ends[0]], label[ends[1]])
        hooked = label.copy()
        # Hooking the labels (roots) is enough: the shortcut below carries every node to its root.
        for end in ends:
            np.minimum.at(hooked, label[end], low)
        while True:
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, label):
            return label[:n_rows]
        label = hooked


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """True where a run of equal values in a sorted array begins."""
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    return starts


def _kept_rows(cluster: np.ndarray, keep: KeepPolicy, completeness: np.ndarray) -> np.ndarray:
    """For each row position, the position of the row kept in its cluster."""
    positions = np.arange(len(cluster))
    if keep is KeepPolicy.FIRST:
        return cluster  # the label of a cluster is its smallest row position
    kept = np.full(len(cluster), -1, dtype=np.int64)
    if keep is KeepPolicy.LAST:
        np.maximum.at(kept, cluster, positions)
        last: np.ndarray = kept[cluster]
        return last
    # most_complete: most filled fields first, ties to the earliest row.
    order = np.lexsort((positions, -completeness, cluster))
    ordered = cluster[order]
    starts = _run_starts(ordered)
    kept[ordered[starts]] = order[starts]
    most_complete: np.ndarray = kept[cluster]
    return most_complete


def _links(edges: _Edges, cluster: np.ndarray, kept: np.ndarray, flagged: np.ndarray) -> _Links:
    """For every flagged row, one row of its cluster it shares a key with: the kept row when possible.

    Among several keys, the order of the identity fields decides (user id, then email, then phone).
    """
    n_rows = len(cluster)
    # Only rows of clusters with two rows or more can explain or be explained: usually a small part.
    shared = np.bincount(cluster, minlength=n_rows)[cluster[edges.rows]] > 1
    edges = edges._replace(rows=edges.rows[shared], keys=edges.keys[shared], fields=edges.fields[shared])
    if not len(edges.rows):
        none = np.zeros(0, dtype=np.int64)
        return _Links(none, none, none, none, np.zeros(0, dtype=bool))
    # Rows that share a key AND belong to the same cluster can explain each other.
    group = pd.factorize(edges.keys * max(n_rows, 1) + cluster[edges.rows])[0].astype(np.int64)
    order = np.argsort(group * max(n_rows, 1) + edges.rows)
    by_group, by_row = group[order], edges.rows[order]
    starts = np.flatnonzero(_run_starts(by_group))
    smallest = by_row[starts]
    second = np.full(len(starts), -1, dtype=np.int64)
    has_second = np.r_[starts[1:], len(by_row)] - starts > 1
    second[has_second] = by_row[starts[has_second] + 1]
    holds_kept = np.zeros(len(starts), dtype=bool)
    holds_kept[group[edges.rows == kept[edges.rows]]] = True

    own = flagged[edges.rows]
    rows, fields, keys, group = edges.rows[own], edges.fields[own], edges.keys[own], group[own]
    direct = holds_kept[group]
    other = np.where(smallest[group] != rows, smallest[group], second[group])
    partners = np.where(direct, kept[rows], other)
    usable = partners >= 0
    rows, fields, keys, direct, partners = (a[usable] for a in (rows, fields, keys, direct, partners))
    # Per row, the best edge first: a direct link to the kept row, then the earlier identity field.
    preference = (rows * 2 + ~direct) * len(_FIELDS) + fields
    best = np.argsort(preference)
    pick = best[_run_starts(rows[best])]
    return _Links(rows[pick], partners[pick], fields[pick], keys[pick], direct[pick])


def _nones(index: pd.Index) -> pd.Series:
    """An object Series of None (``pd.Series(None, dtype=object)`` would hold NaN)."""
    return pd.Series(np.full(len(index), None, dtype=object), index=index, dtype="object")


def _excluded(exclude: Any, index: pd.Index) -> np.ndarray:
    if exclude is None:
        return np.zeros(len(index), dtype=bool)
    if isinstance(exclude, pd.Series):
        return exclude.reindex(index).to_numpy(dtype=bool, na_value=False)
    mask = np.asarray(exclude, dtype=bool)
    if mask.shape != (len(index),):
        raise ConfigurationError(
            f"exclude has {mask.size} values for {len(index)} rows; pass a boolean Series indexed like "
            "the targets (True for rows that take no part in duplicate detection)"
        )
    return mask


def _reasons(links: _Links, edges: _Edges, kept: np.ndarray, labels: pd.Index) -> pd.Series:
    """'same email as row 12 (ann@example.com)', naming the kept row too when the link is indirect."""
    partners = labels[links.partners].tolist()
    kept_rows = labels[kept[links.rows]].tolist()
    # Formatting text per flagged row: a comprehension is several times faster than Series concatenation.
    text = [
        f"same {kind} as row {partner} ({value})"
        + ("" if direct else f", which links to kept row {kept_row}")
        for kind, partner, value, direct, kept_row in zip(
            edges.kinds[links.keys].tolist(),
            partners,
            edges.values[links.keys].tolist(),
            links.direct.tolist(),
            kept_rows,
            strict=True,
        )
    ]
    return pd.Series(text, index=labels[links.rows], dtype="object")


def _policy(keep: Any) -> KeepPolicy:
    """``keep`` as a :class:`KeepPolicy`: a member, or its value spelled exactly."""
    try:
        return KeepPolicy(keep)
    except (ValueError, TypeError):
        # str() of a StrEnum member is its value: a foreign enum's member would print its own text.
        shown = keep.value if isinstance(keep, KeepPolicy) else keep
        raise ConfigurationError(f"keep must be one of {_KEEP_CHOICES}, not {shown!r}") from None


def flag_duplicates(
    targets: pd.DataFrame,
    *,
    keep: KeepPolicy | Literal["first", "last", "most_complete"] = KeepPolicy.FIRST,
    exclude: pd.Series | None = None,
) -> pd.DataFrame:
    """Flag every row that is the same person as a row that is kept.

    Rows linked through any key form one cluster (see the module docstring); one row per cluster is
    kept, the others point at it. The reason names the key that links a row directly (the kept row's
    when it shares one, otherwise another row of the cluster, then also the kept row).

    Args:
        targets: the targets frame (indexed by ``bulk_row``). Not modified.
        keep: a :class:`bulkprep.status.KeepPolicy` or its value: ``"first"`` or ``"last"`` row of
            each cluster in the frame's order, or ``"most_complete"``: the row with most target
            fields filled, ties to the first.
        exclude: True for rows that take no part (invalid rows), aligned on the index; such rows are
            never flagged and never link others.

    Returns:
        A frame indexed like ``targets`` with ``bulk_duplicate_of`` (Int64: the kept row's
        ``bulk_row``, NA when the row is not a duplicate) and ``bulk_duplicate_reason`` (str or None).

    Raises:
        ConfigurationError: ``keep`` is not a :class:`bulkprep.status.KeepPolicy`.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"recipient": ["u1", "u2", "u1"], "data.plan": [None, None, "pro"]},
        ...                        index=pd.Index([10, 11, 12], name="bulk_row"))
        >>> flag_duplicates(targets, keep="most_complete")["bulk_duplicate_reason"].tolist()
        ['same user id as row 12 (u1)', None, None]
    """
    policy = _policy(keep)
    n_rows = len(targets)
    edges = _edges(canonical_keys(targets), _excluded(exclude, targets.index))
    cluster = _components(n_rows, edges)
    completeness = (
        targets.notna().sum(axis=1).to_numpy() if policy is KeepPolicy.MOST_COMPLETE else np.zeros(0)
    )
    kept = _kept_rows(cluster, policy, completeness)
    flagged = kept != np.arange(n_rows)
    links = _links(edges, cluster, kept, flagged)

    duplicate_of = pd.Series(pd.NA, index=targets.index, dtype="Int64")
    duplicate_of[flagged] = targets.index.to_numpy()[kept[flagged]]
    reason = _nones(targets.index)
    reason[flagged] = _reasons(links, edges, kept, targets.index).reindex(targets.index[flagged]).to_numpy()
    return pd.DataFrame({Column.DUPLICATE_OF.value: duplicate_of, _REASON: reason})


def duplicate_errors(
    flags: pd.DataFrame,
    *,
    targets: pd.DataFrame | None = None,
    mapping: _HasColumnOf | None = None,
) -> pd.DataFrame:
    """Error-table rows (stage ``duplicate``, code ``duplicate_user``) for every flagged row.

    Args:
        flags: what :func:`flag_duplicates` returned, or the flagged part of it.
        targets: the targets the flags were computed on; with them, each error names the ``field``
            that links the row and its ``value`` as written.
        mapping: anything with ``column_of(target)``, to name the source ``column`` too.

    Returns:
        The error table, one row per flagged row.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"to.user_id": ["u1", "u1"]}, index=pd.Index([1, 2], name="bulk_row"))
        >>> table = duplicate_errors(flag_duplicates(targets), targets=targets)
        >>> table[["bulk_row", "field", "value"]].to_dict("records")
        [{'bulk_row': 2, 'field': 'to.user_id', 'value': 'u1'}]
        >>> table.loc[0, "message"]
        'same user id as row 1 (u1), so only row 1 is sent; nothing to do if it is the same person; \
otherwise give the rows distinct ids'
    """
    flagged = flags[Column.DUPLICATE_OF].notna()
    if not flagged.any():
        return empty_errors()
    kept_labels = flags[Column.DUPLICATE_OF].astype("object").astype(str)
    reasons = (
        flags[_REASON].astype("object").where(flags[_REASON].notna(), "same person as row " + kept_labels)
    )
    message = reasons + ", so only row " + kept_labels + " is sent; " + ErrorCode.DUPLICATE_USER.hint
    if targets is None:
        return errors_where(flagged, stage=Stage.DUPLICATE, code=ErrorCode.DUPLICATE_USER, message=message)
    fields = _linking_fields(flags[flagged], targets)
    values = _nones(flags.index)
    for field in fields.dropna().unique():
        rows = fields.index[(fields == field).to_numpy()]
        values[rows] = targets.loc[rows, field].to_numpy(dtype=object)
    table = errors_where(
        flagged, stage=Stage.DUPLICATE, code=ErrorCode.DUPLICATE_USER, message=message, values=values
    )
    linked = fields.reindex(table[ROW_KEY]).to_numpy(dtype=object)
    table["field"] = pd.Series(linked, index=table.index, dtype="object")
    if mapping is not None:
        columns = np.array([None if f is None else mapping.column_of(f) for f in linked], dtype=object)
        table["column"] = pd.Series(columns, index=table.index, dtype="object")
    return table


def _linking_fields(flagged: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    """For each flagged row, the identity field that links it to its cluster (None when none does)."""
    positions = targets.index.get_indexer(flagged.index)
    kept_positions = targets.index.get_indexer(pd.Index(flagged[Column.DUPLICATE_OF].astype("int64")))
    found = (positions >= 0) & (kept_positions >= 0)
    # Only the flagged rows and the rows they point at can link: every other row is a cluster of its
    # own. Keeping their order keeps "the earliest row" the same, and spares the keys of the rest.
    involved = np.unique(np.concatenate([positions[found], kept_positions[found]]))
    targets = targets.iloc[involved]
    positions = np.searchsorted(involved, positions[found])
    kept_positions = np.searchsorted(involved, kept_positions[found])
    n_rows = len(targets)
    # Rebuild the clusters from the flags: a flagged row belongs to its kept row's cluster.
    kept = np.arange(n_rows)
    kept[positions] = kept_positions
    is_flagged = np.zeros(n_rows, dtype=bool)
    is_flagged[positions] = True
    edges = _edges(canonical_keys(targets), np.zeros(n_rows, dtype=bool))
    links = _links(edges, kept, kept, is_flagged)
    fields = _nones(flagged.index)
    linked = pd.Series(np.array(_FIELDS, dtype=object)[links.fields], index=targets.index[links.rows])
    common = fields.index.intersection(linked.index)
    fields[common] = linked[common].to_numpy()
    return fields


# Names that left __all__: IDENTITY_FIELDS lives in bulkprep.courier (its kinds spelled user_id, email,
# phone), KEEP_POLICIES is bulkprep.status.KeepPolicy.
_MOVED: dict[str, tuple[str, Any]] = {
    "IDENTITY_FIELDS": (
        "bulkprep.courier.IDENTITY_FIELDS",
        {field: _LABELS[kind] for field, kind in _IDENTITY_FIELDS.items()},
    ),
    "KEEP_POLICIES": ("bulkprep.status.KeepPolicy", tuple(policy.value for policy in KeepPolicy)),
}


def __getattr__(name: str) -> Any:
    """Names that moved still work from here, as they were, with a DeprecationWarning."""
    if name in _MOVED:
        home, value = _MOVED[name]
        warnings.warn(
            f"bulkprep.duplicates.{name} is deprecated: use {home}", DeprecationWarning, stacklevel=2
        )
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
