"""``python -m bulkprep.cli``: the command line, as the ``bulkprep`` console script runs it."""

from __future__ import annotations

import sys

from bulkprep.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
