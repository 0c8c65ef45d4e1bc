"""The ``bulkprep`` command line: ``check``, ``submit``, ``sandbox`` and ``demo``.

:func:`main` is the console script; ``python -m bulkprep.cli`` runs it too. Each command lives in a
module of its own (:mod:`bulkprep.cli.check`, :mod:`bulkprep.cli.submit`; ``sandbox`` and ``demo`` are
served by :mod:`bulkprep.sandbox` and :mod:`bulkprep.demo`), each with ``add_arguments(parser)`` and
``run(args)``.

Example:
    >>> main(["--version"])
    bulkprep 0.1.0
    0
"""

from __future__ import annotations

from bulkprep.cli.main import EXIT_NOT_ALL_OK, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_NOT_ALL_OK", "EXIT_OK", "EXIT_USAGE", "main"]
