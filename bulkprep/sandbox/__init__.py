"""A local stand-in for Courier's Bulk API (see :mod:`bulkprep.sandbox.service`)."""

from bulkprep.sandbox.service import (
    DEFAULT_TOKEN,
    MAX_REQUEST_BYTES,
    TOKEN_ENV,
    Dialect,
    Faults,
    RequestRecord,
    Sandbox,
    add_arguments,
    run,
    sandbox_from_args,
)

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_REQUEST_BYTES",
    "TOKEN_ENV",
    "Dialect",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "add_arguments",
    "run",
    "sandbox_from_args",
]
