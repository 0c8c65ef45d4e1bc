"""Names that left a module keep working from their old place for a while, with a DeprecationWarning.

A module lists what left it and gives Python the lookup for missing attributes::

    __getattr__ = moved_names(__name__, {"ROW_KEY": Moved(status.ROW_KEY, "bulkprep.status.ROW_KEY")})

Example:
    >>> import warnings
    >>> lookup = moved_names("bulkprep.example", {"OLD": Moved(42, "bulkprep.example.NEW")})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = lookup("OLD")
    >>> value, str(caught[0].message)
    (42, 'bulkprep.example.OLD is deprecated; use bulkprep.example.NEW')
    >>> lookup("missing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'bulkprep.example' has no attribute 'missing'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Moved", "moved_names"]


@dataclass(frozen=True)
class Moved:
    """A name that left a module: the value it still gives, and what to write instead."""

    value: Any
    use: str


def moved_names(module: str, moved: Mapping[str, Moved]) -> Callable[[str], Any]:
    """The module ``__getattr__`` that serves the ``moved`` names of ``module`` with a DeprecationWarning."""

    def __getattr__(name: str) -> Any:
        entry = moved.get(name)
        if entry is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} is deprecated; use {entry.use}", DeprecationWarning, stacklevel=2)
        return entry.value

    return __getattr__
