"""The duplicate rule of bulkprep.duplicates written the slow, obvious way, to test the fast one against."""

from __future__ import annotations

import unicodedata

import pandas as pd

from bulkprep.courier import IDENTITY_FIELDS


def row_keys(
    targets: pd.DataFrame, excluded: list[bool], kinds: tuple[str, ...]
) -> list[set[tuple[str, str]]]:
    """Each row's identity keys as (kind, value), the slow, obvious way; excluded rows hold none."""
    keys: list[set[tuple[str, str]]] = []
    for position, (_, row) in enumerate(targets.iterrows()):
        held: set[tuple[str, str]] = set()
        for field, kind in IDENTITY_FIELDS.items():
            value = row.get(field)
            if excluded[position] or kind not in kinds or value is None or pd.isna(value):
                continue
            if str(value).strip():
                held.add((kind, _folded(str(value)) if kind == "email" else str(value)))
        keys.append(held)
    return keys


class UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            i = self.parent[i]
        return i

    def union(self, rows: list[int]) -> None:
        for row in rows[1:]:
            a, b = sorted((self.root(rows[0]), self.root(row)))
            self.parent[b] = a


def reference_clusters(
    targets: pd.DataFrame, excluded: list[bool], kinds: tuple[str, ...] = ("user_id", "email", "phone")
) -> list[int]:
    """Cluster ids by the module docstring's four steps, with plain union-find, row by row."""
    keys = row_keys(targets, excluded, kinds)
    n = len(keys)
    holders: dict[tuple[str, str], list[int]] = {}
    for position, held in enumerate(keys):
        for key in held:
            holders.setdefault(key, []).append(position)
    anchors = [kind for kind in ("user_id", "email") if kind in kinds]
    # 1. user ids and emails always link; 2. rows without them are linked by their phones.
    units = UnionFind(n)
    for (kind, _), rows in holders.items():
        if kind in anchors:
            units.union(rows)
    anonymous = [not any(kind in anchors for kind, _ in held) for held in keys]
    for (kind, _), rows in holders.items():
        if kind == "phone":
            units.union([row for row in rows if anonymous[row]])
    unit = [units.root(i) for i in range(n)]

    def bears(u: int, kind: str) -> bool:
        return any(unit[row] == u and any(k == kind for k, _ in keys[row]) for row in range(n))

    # 3. a phone joins its units when at most one has a user id and at most one an email.
    merged = UnionFind(n)
    for i in range(n):
        merged.union([i, unit[i]])
    for (kind, _), rows in holders.items():
        if kind != "phone":
            continue
        held_by = sorted({unit[row] for row in rows})
        if all(sum(bears(u, anchor) for u in held_by) <= 1 for anchor in anchors):
            merged.union(held_by)
    # 4. a group that would hold two user ids or two emails stays as its units.
    group = [merged.root(i) for i in range(n)]
    roots = set(unit)
    undone = {
        g
        for g in set(group)
        if any(sum(bears(u, anchor) for u in roots if group[u] == g) > 1 for anchor in anchors)
    }
    return [unit[i] if group[i] in undone else group[i] for i in range(n)]


def _folded(email: str) -> str:
    """NFKC, case folding, NFKC again: Unicode's NFKC_Casefold, near enough for emails."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email.strip()).casefold())
