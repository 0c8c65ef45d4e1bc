"""The installed version of bulkprep, in a module of its own so that no module imports the package root.

Example:
    >>> __version__.count(".") >= 1
    True
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
