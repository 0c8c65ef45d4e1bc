"""The targets frame of a mapping, one Courier user per row: nested dicts of strict JSON data.

Dotted targets nest (``profile.email`` under ``profile``), missing values are left out (never sent as
null, NaN or "nan"), numpy scalars, timestamps and decimals become plain JSON. The work is column-wise:
the tree of targets is planned once and each level is built for all rows at once.

Example:
    >>> import pandas as pd
    >>> targets = pd.DataFrame({"recipient": ["u1", "u2"], "profile.email": ["a@x.io", None]})
    >>> build_payloads(targets).tolist()
    [{'recipient': 'u1', 'profile': {'email': 'a@x.io'}}, {'recipient': 'u2'}]
"""

from __future__ import annotations

from itertools import islice, repeat
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd

from bulkprep import jsonsafe
from bulkprep._gc import collector_paused

__all__ = ["build_payloads"]


# Cells of a level of the users taken at once: a block of rows of a wide frame, not all of it.
_CELLS_AT_ONCE = 1 << 21


class _Column(NamedTuple):
    """A column of clean JSON values (an object array, MISSING where absent) and where values are present."""

    values: np.ndarray
    present: np.ndarray


class _Node:
    """One object of the user being built: its own column (an object target), if any, and children."""

    def __init__(self) -> None:
        self.own: _Column | None = None
        self.children: dict[str, _Node] = {}


def build_payloads(targets: pd.DataFrame) -> pd.Series:
    """One Courier user per row: nested dicts of strict JSON data, missing values left out.

    Dotted targets nest (``profile.email`` under ``profile``); an object target (a dict from a json
    cast) is merged with the targets under it, which win on a clash. Objects left empty are left out.
    The tree is planned once per call and each level is built column-wise, never row by row over
    the frame.

    Example:
        >>> import numpy as np, pandas as pd
        >>> targets = pd.DataFrame({"recipient": ["u1", None], "data": [{"a": 1}, None],
        ...                         "data.score": [np.float64(2.5), np.nan]})
        >>> build_payloads(targets).tolist()
        [{'recipient': 'u1', 'data': {'a': 1, 'score': 2.5}}, {}]
    """
    root = _Node()
    with collector_paused():
        for name in map(str, targets.columns):
            node = root
            for part in name.split("."):
                node = node.children.setdefault(part, _Node())
            node.own = _clean_column(targets[name])
        users = _build_node(root, len(targets))
        payloads = [
            user if present else {} for user, present in zip(users.values, users.present, strict=True)
        ]
    return pd.Series(payloads, index=targets.index, dtype=object)


# Types whose values are already strict JSON (text without lone surrogates, bools, ints in range and
# finite floats are checked column-wise below); anything else is cleaned once per distinct object.
def _clean_column(column: pd.Series) -> _Column:
    values = column.to_numpy(dtype=object)
    present = ~jsonsafe.missing_mask(values)
    out = values.copy()
    positions = np.flatnonzero(present)
    found = values[positions]
    kinds = set(map(type, found))
    if kinds <= {str}:
        if _has_lone_surrogates(found):
            out[positions] = _repaired_texts(found)
    elif kinds <= {bool} or (kinds <= {int} and _ints_fit(found)):
        pass
    elif kinds <= {float}:
        present[positions[~np.isfinite(found.astype("float64"))]] = False
    else:
        _clean_objects(found, positions, out, present)
    out[~present] = jsonsafe.MISSING
    return _Column(out, present)


def _has_lone_surrogates(texts: np.ndarray) -> bool:
    """Whether any text holds a lone surrogate (which UTF-8, hence JSON, cannot carry): one C pass."""
    joined = "".join(texts.tolist())
    if joined.isascii():
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _repaired_texts(texts: np.ndarray) -> np.ndarray:
    """The texts with lone surrogates replaced; each distinct text is repaired once."""
    codes, distinct = pd.factorize(texts)
    repaired = np.fromiter(map(jsonsafe.clean, distinct), dtype=object, count=len(distinct))
    return repaired[codes]


def _clean_objects(found: np.ndarray, positions: np.ndarray, out: np.ndarray, present: np.ndarray) -> None:
    """Clean the values of a column of objects into ``out``; values that clean to nothing stop being present.

    Cells cast from the same text hold the same object, so each distinct object is cleaned once.
    Each row still gets a value of its own, so that changing one user never changes another: the
    objects and lists of all rows are made at once by reading back one JSON array of their clean
    forms, which gives fresh containers with the same content (orjson writes and reads every clean
    value exactly).
    """
    by_id = dict(zip(map(id, found), found, strict=True))
    codes, ids = pd.factorize(np.fromiter(map(id, found), dtype=np.uint64, count=len(found)))
    originals = [by_id[key] for key in ids.tolist()]
    cleaned = list(map(jsonsafe.clean, originals))
    # An object whose every member is missing is empty and left out; {} written as such (a JSON cell
    # holding {}) is the cell's value, sent as written like [] and "".
    absent = np.fromiter(
        (
            value is jsonsafe.MISSING or (isinstance(value, dict) and not value and bool(original))
            for value, original in zip(cleaned, originals, strict=True)
        ),
        dtype=bool,
        count=len(cleaned),
    )
    nested = np.fromiter(map(isinstance, cleaned, repeat(dict | list)), dtype=bool, count=len(cleaned))
    present[positions[absent[codes]]] = False
    scalar = ~absent & ~nested
    if scalar.any():
        rows = scalar[codes]
        out[positions[rows]] = np.fromiter(cleaned, dtype=object, count=len(cleaned))[codes[rows]]
    containers = nested & ~absent
    if containers.any():
        rows = containers[codes]
        try:
            texts = np.full(len(cleaned), b"", dtype=object)
            for k in np.flatnonzero(containers).tolist():
                texts[k] = orjson.dumps(cleaned[k])
            copies = orjson.loads(b"[" + b",".join(texts[codes[rows]].tolist()) + b"]")
        except orjson.JSONEncodeError:  # nested too deep for orjson: clean each row's value again
            copies = [jsonsafe.clean(value) for value in found[rows]]
        out[positions[rows]] = np.fromiter(copies, dtype=object, count=len(copies))


def _ints_fit(found: np.ndarray) -> bool:
    numbers = found.tolist()
    return not numbers or (jsonsafe.clean(min(numbers)), jsonsafe.clean(max(numbers))) == (
        min(numbers),
        max(numbers),
    )


def _build_node(node: _Node, n: int) -> _Column:
    if not node.children:
        return node.own if node.own is not None else _Column(_missing_cells(n), np.zeros(n, dtype=bool))
    built = {name: _build_node(child, n) for name, child in node.children.items()}
    present = np.logical_or.reduce([c.present for c in built.values()])
    # A field missing on every row (an empty column) is no key of any object: left out from the start.
    names = [name for name, column in built.items() if column.present.any()]
    columns = [built[name] for name in names]
    objects = _objects(names, columns, n)
    if node.own is not None:
        for i in np.flatnonzero(node.own.present).tolist():
            objects[i] = _merge(node.own.values[i], objects[i])
        present = present | node.own.present
    for i in np.flatnonzero(~present).tolist():
        objects[i] = jsonsafe.MISSING
    return _Column(objects, present)


def _missing_cells(n: int) -> np.ndarray:
    cells = np.empty(n, dtype=object)
    cells[:] = jsonsafe.MISSING
    return cells


def _objects(names: list[str], columns: list[_Column], n: int) -> np.ndarray:
    """One dict per row holding the keys whose column has a value on that row, in ``names`` order.

    Built at C speed without a Python step per cell: the present cells of a block of rows are
    taken row by row from a matrix of the columns (one boolean index), and each row's dict takes
    its count of (name, value) pairs from one shared iterator.
    """
    if not columns:
        return np.fromiter(({} for _ in range(n)), dtype=object, count=n)
    keys = np.array(names, dtype=object)
    objects = np.empty(n, dtype=object)
    rows_at_once = max(1, _CELLS_AT_ONCE // len(columns))
    for start in range(0, n, rows_at_once):
        stop = min(n, start + rows_at_once)
        present = np.empty((stop - start, len(columns)), dtype=bool)
        values = np.empty((stop - start, len(columns)), dtype=object)
        for place, column in enumerate(columns):
            present[:, place] = column.present[start:stop]
            # From an object array: a list or dict cell stays one object, never a row of the matrix.
            values[:, place] = column.values[start:stop]
        taken = np.nonzero(present)  # row-major: each row's cells in the order of the names
        pairs = zip(keys[taken[1]].tolist(), values[taken].tolist(), strict=True)
        counts = np.bincount(taken[0], minlength=stop - start).tolist()
        objects[start:stop] = np.fromiter(
            map(dict, map(islice, repeat(pairs), counts)), dtype=object, count=stop - start
        )
    return objects


def _merge(own: Any, children: dict[str, Any]) -> Any:
    """An object target's value with the targets under it laid over it (theirs win)."""
    if not isinstance(own, dict):
        # Not an object (validation reports it); keep it unless fields under it have values.
        return children or own
    merged = dict(own)
    for key, value in children.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
