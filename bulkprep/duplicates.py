"""Find the rows that are the same person, keep one row of each, and say why the others are duplicates.

The identity keys of a row are its user id (``recipient`` and ``to.user_id``, one namespace, since
Courier treats both as the user id), its email address (``profile.email`` and ``to.email``,
case-folded) and its phone number (``profile.phone_number`` and ``to.phone_number``, as normalized).
``keys=`` chooses the kinds that take part (default: all of :data:`bulkprep.courier.IDENTITY_KINDS`);
a kind left out is no identity at all, neither linking rows nor keeping them apart.

The rule, in four steps:

1. **A shared user id or email address links rows, always**: each names one person. The links are
   transitive, so rows joined through a chain of ids and emails are one *anchored* cluster, even when
   two of its rows carry different user ids (the same email under a new id is the same person).
2. **Rows with neither a user id nor an email are linked by their phone numbers**: a phone is then
   all that tells them apart. Anchored clusters and these phone-only groups are the *units*.
3. **A shared phone number joins units only where nothing stronger differs.** Offices, switchboards
   and households share numbers. A phone joins the units holding it when, among them, at most one
   has a user id and at most one has an email: two rows that share a phone but have different user
   ids, or different emails, are different people; a row with only the phone, or one with only an
   email beside one with only an id, is the same person as the one it shares the phone with.
4. **No chain of phones may join what step 3 keeps apart.** Phones are applied together; when the
   units that they would join into one hold two user ids or two emails between them, none of those
   phones join (the evidence contradicts itself, and a row is never dropped on contradictory
   evidence): the group stays as its units.

Every step depends on the set of rows only, so the clusters do not depend on the row order (the row
kept does, for ``keep="first"`` and ``"last"``). With ``keys=("phone",)`` phones link unconditionally:
no stronger kind takes part.

Example:
    >>> import pandas as pd
    >>> targets = pd.DataFrame(
    ...     {"profile.email": ["ann@example.com", "ANN@example.com", None, "bob@example.com"],
    ...      "profile.phone_number": [None, "+12025550125", "+12025550125", "+12025550125"]},
    ...     index=pd.Index([2, 3, 4, 5], name="bulk_row"))
    >>> flags = flag_duplicates(targets)
    >>> flags["bulk_duplicate_of"].tolist()   # row 5 shares the phone but has another email
    [<NA>, 2, <NA>, <NA>]
    >>> flags = flag_duplicates(targets.drop(index=5))
    >>> flags["bulk_duplicate_of"].tolist()
    [<NA>, 2, 2]
    >>> flags.loc[4, "bulk_duplicate_reason"]
    'same phone number as row 3 (+12025550125), which links to kept row 2'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import pandas as pd

from bulkprep._moved import Moved, moved_names
from bulkprep.courier import IDENTITY_FIELDS as _IDENTITY_FIELDS
from bulkprep.courier import IDENTITY_KINDS
from bulkprep.errors import ConfigurationError
from bulkprep.report import ErrorCode, empty_errors, errors_where
from bulkprep.status import ROW_KEY, Column, KeepPolicy, Stage

__all__ = [
    "DUPLICATE_COLUMNS",
    "canonical_keys",
    "duplicate_errors",
    "email_key",
    "flag_duplicates",
    "identity_kinds",
]

# Why a row is a duplicate, and the identity field of the row that links it: columns of
# flag_duplicates' answer only (prepare folds them into bulk_error), so they are none of status.Column's.
_REASON = "bulk_duplicate_reason"
_FIELD = "bulk_duplicate_field"
#: Columns of what :func:`flag_duplicates` returns.
DUPLICATE_COLUMNS: tuple[str, ...] = (Column.DUPLICATE_OF.value, _REASON, _FIELD)

# The identity fields (courier.IDENTITY_FIELDS, strongest kind first: the order of preference when
# more than one key links two rows), and how a reason names each kind of key.
_FIELDS = tuple(_IDENTITY_FIELDS)
_LABELS: dict[str, str] = {"user_id": "user id", "email": "email", "phone": "phone number"}
_KEEP_CHOICES = ", ".join(repr(policy.value) for policy in KeepPolicy)
_KIND_CHOICES = ", ".join(repr(kind) for kind in IDENTITY_KINDS)
# Position in IDENTITY_KINDS of each field's kind, by position in _FIELDS.
_FIELD_KINDS = np.array([IDENTITY_KINDS.index(_IDENTITY_FIELDS[field]) for field in _FIELDS], dtype=np.int64)
# A user id or an email names one person: a shared one always links rows. A phone number is shared by
# offices and households: it links rows only where no user id or email differs (the module docstring).
_ANCHOR_KINDS: tuple[int, ...] = (IDENTITY_KINDS.index("user_id"), IDENTITY_KINDS.index("email"))
_SHARED_KIND = IDENTITY_KINDS.index("phone")
# What to do about a duplicate, by the kind of key that links it: each says how to keep both rows.
_HINTS: dict[str, str] = {
    "user_id": ErrorCode.DUPLICATE_USER.hint,
    "email": (
        "nothing to do if it is the same person; otherwise give both rows an email of their own, "
        "or run with --keys user_id,phone so that emails link no rows"
    ),
    "phone": (
        "nothing to do if it is the same person; otherwise give both rows a user id of their own "
        "(or both an email of their own), or run with --keys user_id,email so that phone numbers "
        "link no rows"
    ),
}


def email_key(email: str) -> str:
    """An email as the duplicate check compares it: stripped, NFKC-normalized and in lower case.

    NFKC folds the compatibility forms a keyboard or a converter leaves (fullwidth letters, U+FF41 on,
    ligatures) onto the letters they stand for, so one person's two spellings are one key. Only the
    key is folded: the email sent is the one the row holds. Lower case, not Unicode's case folding,
    which spells ``ß`` ``ss``: ``straße.de`` and ``strasse.de`` are two domains (IDNA2008), and
    ``weiß@`` and ``weiss@`` two mailboxes. Greek's final sigma (U+03C2) is the plain one (U+03C3),
    as folding has it: lower case gives a capital sigma at the end of a word the final form.

    Example:
        >>> email_key(" \uff21lice@Example.com"), email_key("alice@example.com")
        ('alice@example.com', 'alice@example.com')
        >>> email_key("Jonas@Straße.de") == email_key("jonas@strasse.de")
        False
    """
    email = email.strip()
    if email.isascii():  # most emails: NFKC changes no ASCII text
        return email.lower()
    # NFKC again after lowering: a change of case can undo a normal form.
    lowered = unicodedata.normalize("NFKC", email).lower().replace("\u03c2", "\u03c3")
    return unicodedata.normalize("NFKC", lowered)


def _canonical(values: np.ndarray, kind: str) -> np.ndarray:
    """Keys as compared: user ids and phone numbers (already E.164) as written, emails by :func:`email_key`.

    ``str`` methods mapped in C over the Python strings: measured several times faster here than
    chained ``.str`` methods, which under pandas 3 also convert to and from the string dtype.
    """
    if pd.api.types.infer_dtype(values, skipna=False) != "string":  # ids cast to int, for example
        values = np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
    if kind == "email":
        folded = np.empty(len(values), dtype=object)
        folded[:] = list(map(email_key, values))
        return folded
    return values


def identity_kinds(keys: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The kinds of identity key that link rows, checked, in the order of strength.

    Args:
        keys: kinds from :data:`bulkprep.courier.IDENTITY_KINDS` (``user_id``, ``email``, ``phone``),
            as a sequence or one comma-separated text; ``None`` for all of them.

    Returns:
        The kinds chosen, each once, strongest first.

    Raises:
        ConfigurationError: a name that is not a kind, or no name at all.

    Example:
        >>> identity_kinds("phone, user_id")
        ('user_id', 'phone')
        >>> identity_kinds(None)
        ('user_id', 'email', 'phone')
    """
    if keys is None:
        return IDENTITY_KINDS
    names = keys.split(",") if isinstance(keys, str) else list(keys)
    chosen = set()
    for name in names:
        kind = name.strip() if isinstance(name, str) else name
        if kind not in IDENTITY_KINDS:
            raise ConfigurationError(f"keys must be identity kinds among {_KIND_CHOICES}, not {name!r}")
        chosen.add(kind)
    if not chosen:
        raise ConfigurationError(f"keys must name at least one identity kind among {_KIND_CHOICES}")
    return tuple(kind for kind in IDENTITY_KINDS if kind in chosen)


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


def _edges(keys: pd.DataFrame, excluded: np.ndarray, chosen: tuple[str, ...] = IDENTITY_KINDS) -> _Edges:
    """The graph between rows and the keys of the chosen kinds they hold; excluded rows hold none."""
    rows, codes, fields, values, kinds = [], [], [], [], []
    offset = 0
    for kind in chosen:
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


def _subset(edges: _Edges, mask: np.ndarray) -> _Edges:
    """The edges where ``mask`` holds (the keys keep their codes)."""
    return edges._replace(rows=edges.rows[mask], keys=edges.keys[mask], fields=edges.fields[mask])


def _clusters(n_rows: int, edges: _Edges) -> tuple[np.ndarray, np.ndarray]:
    """The person (cluster) of each row, labelled by its smallest row position, and the edges that link.

    The four steps of the module docstring, each over whole arrays. The edges that link are the user
    id and email edges, the phone edges of rows with no user id or email, the edges of phones that
    join (and are not undone), and those of phones held inside one unit only.
    """
    links = np.ones(len(edges.rows), dtype=bool)
    shared = _FIELD_KINDS[edges.fields] == _SHARED_KIND
    if shared.all() or not shared.any():  # no phones, or nothing stronger to tell their holders apart
        return _components(n_rows, edges), links
    anchored = _subset(edges, ~shared)
    phones = _subset(edges, shared)
    # Steps 1 and 2: the units, anchored clusters and the phone-only rows joined by their phones.
    has_anchor = np.zeros(n_rows, dtype=bool)
    has_anchor[anchored.rows] = True
    anonymous = ~has_anchor[phones.rows]
    unit = _components(n_rows, _concat(anchored, _subset(phones, anonymous)))
    # For each kind of anchor, the units (by label) holding a key of that kind.
    edge_kinds = _FIELD_KINDS[anchored.fields]
    bearing = []
    for kind in _ANCHOR_KINDS:
        holds = np.zeros(n_rows, dtype=bool)
        holds[unit[anchored.rows[edge_kinds == kind]]] = True
        bearing.append(holds)
    # Step 3: each phone's holders as units; the phone joins them when at most one has a user id
    # and at most one an email.
    # Sorting and keeping run starts: several times faster here than np.unique (a hash table).
    pairs = np.sort(phones.keys * n_rows + unit[phones.rows])
    pairs = pairs[_run_starts(pairs)]
    pair_keys, pair_units = np.divmod(pairs, n_rows)
    n_keys = len(edges.values)
    holders = np.bincount(pair_keys, minlength=n_keys)
    joins = holders > 1
    for holds in bearing:
        joins &= np.bincount(pair_keys, weights=holds[pair_units], minlength=n_keys) <= 1
    joining = joins[phones.keys]
    merged = _components(n_rows, _concat(anchored, _subset(phones, joining | anonymous)))
    # Step 4: where the phones together would join two user ids or two emails, none of them join.
    roots = np.flatnonzero(unit == np.arange(n_rows))
    conflicted = np.zeros(n_rows, dtype=bool)
    for holds in bearing:
        conflicted |= np.bincount(merged[roots[holds[roots]]], minlength=n_rows) > 1
    undone = conflicted[merged]
    links[shared] = (holders[phones.keys] == 1) | anonymous | (joining & ~undone[phones.rows])
    cluster: np.ndarray = np.where(undone, unit, merged)
    return cluster, links


def _concat(first: _Edges, second: _Edges) -> _Edges:
    """The edges of both (over the same keys)."""
    return first._replace(
        rows=np.concatenate([first.rows, second.rows]),
        keys=np.concatenate([first.keys, second.keys]),
        fields=np.concatenate([first.fields, second.fields]),
    )


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
    keys: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Flag every row that is the same person as a row that is kept.

    Rows that are one person by the rule of the module docstring form a cluster; one row per cluster
    is kept, the others point at it. The reason names the key that links a row directly (the kept
    row's when it shares one, otherwise another row of the cluster, then also the kept row).

    Args:
        targets: the targets frame (indexed by ``bulk_row``). Not modified.
        keep: a :class:`bulkprep.status.KeepPolicy` or its value: ``"first"`` or ``"last"`` row of
            each cluster in the frame's order, or ``"most_complete"``: the row with most target
            fields filled, ties to the first.
        exclude: True for rows that take no part (invalid rows), aligned on the index; such rows are
            never flagged and never link others.
        keys: the kinds of identity key that link rows (see :func:`identity_kinds`); default all:
            user ids, emails, and phones where no user id or email differs.

    Returns:
        A frame indexed like ``targets`` with ``bulk_duplicate_of`` (Int64: the kept row's
        ``bulk_row``, NA when the row is not a duplicate), ``bulk_duplicate_reason`` (str or None)
        and ``bulk_duplicate_field`` (the row's identity field that links it, or None).

    Raises:
        ConfigurationError: ``keep`` is not a :class:`bulkprep.status.KeepPolicy`, or ``keys``
            names no identity kind.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"recipient": ["u1", "u2", "u1"], "data.plan": [None, None, "pro"]},
        ...                        index=pd.Index([10, 11, 12], name="bulk_row"))
        >>> flag_duplicates(targets, keep="most_complete")["bulk_duplicate_reason"].tolist()
        ['same user id as row 12 (u1)', None, None]
    """
    policy = _policy(keep)
    kinds = identity_kinds(keys)
    n_rows = len(targets)
    edges = _edges(canonical_keys(targets), _excluded(exclude, targets.index), kinds)
    cluster, links_mask = _clusters(n_rows, edges)
    completeness = (
        targets.notna().sum(axis=1).to_numpy() if policy is KeepPolicy.MOST_COMPLETE else np.zeros(0)
    )
    kept = _kept_rows(cluster, policy, completeness)
    flagged = kept != np.arange(n_rows)
    # Only the edges that link may explain: a switchboard shared with other people explains nothing.
    links = _links(_subset(edges, links_mask), cluster, kept, flagged)

    duplicate_of = pd.Series(pd.NA, index=targets.index, dtype="Int64")
    duplicate_of[flagged] = targets.index.to_numpy()[kept[flagged]]
    reason = _nones(targets.index)
    reason[flagged] = _reasons(links, edges, kept, targets.index).reindex(targets.index[flagged]).to_numpy()
    field = _nones(targets.index)
    linked = pd.Series(np.array(_FIELDS, dtype=object)[links.fields], index=targets.index[links.rows])
    field[flagged] = linked.reindex(targets.index[flagged]).to_numpy(dtype=object)
    return pd.DataFrame({Column.DUPLICATE_OF.value: duplicate_of, _REASON: reason, _FIELD: field})


def duplicate_errors(
    flags: pd.DataFrame,
    *,
    targets: pd.DataFrame | None = None,
    mapping: _HasColumnOf | None = None,
) -> pd.DataFrame:
    """Error-table rows (stage ``duplicate``, code ``duplicate_user``) for every flagged row.

    The message says what links the row and how to keep both rows when they are different people,
    which depends on the kind of key: a shared user id, email, or phone number.

    Args:
        flags: what :func:`flag_duplicates` returned, or the flagged part of it (its
            ``bulk_duplicate_field`` says which kind of key links each row; without that column
            the message gives the user id's advice).
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
    fields = flags[_FIELD].where(flagged, None) if _FIELD in flags.columns else _nones(flags.index)
    hints = pd.Series(
        [_HINTS[_IDENTITY_FIELDS[f]] if f in _IDENTITY_FIELDS else _HINTS["user_id"] for f in fields],
        index=flags.index,
        dtype="object",
    )
    message = reasons + ", so only row " + kept_labels + " is sent; " + hints
    if targets is None:
        return errors_where(flagged, stage=Stage.DUPLICATE, code=ErrorCode.DUPLICATE_USER, message=message)
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


# Names that left __all__: IDENTITY_FIELDS lives in bulkprep.courier (its kinds spelled user_id, email,
# phone), KEEP_POLICIES is bulkprep.status.KeepPolicy.
__getattr__ = moved_names(
    __name__,
    {
        "IDENTITY_FIELDS": Moved(
            {field: _LABELS[kind] for field, kind in _IDENTITY_FIELDS.items()},
            "bulkprep.courier.IDENTITY_FIELDS",
        ),
        "KEEP_POLICIES": Moved(tuple(policy.value for policy in KeepPolicy), "bulkprep.status.KeepPolicy"),
    },
)
