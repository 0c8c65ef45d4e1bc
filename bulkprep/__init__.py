"""bulkprep: from a messy spreadsheet of users to a sent Courier bulk job, and back to the same rows."""

from __future__ import annotations

__version__ = "0.1.0"
