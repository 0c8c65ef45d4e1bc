"""Exceptions raised by bulkprep.

Only call-level problems raise; problems with single rows become rows of the error table
(see :mod:`bulkprep.report`). Every exception derives from one root::

    BulkprepError
    ├── InputError              a file or frame that cannot be read at all (missing, empty, binary)
    ├── MappingError            a mapping that is malformed or names a column that is not there
    ├── ConfigurationError      a missing API key, plain http:// to a remote host, a bad option
    └── CourierError            an answer from Courier that stops the run
        ├── AuthenticationError     401: the key is wrong
        └── AuthorizationError      403: the key lacks permission

Example:
    >>> try:
    ...     raise MappingError("column 'Emial' not found; did you mean 'Email'?")
    ... except BulkprepError as exc:
    ...     print(exc)
    column 'Emial' not found; did you mean 'Email'?
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "BulkprepError",
    "ConfigurationError",
    "CourierError",
    "InputError",
    "MappingError",
]


class BulkprepError(Exception):
    """Root of every exception bulkprep raises on purpose."""


class InputError(BulkprepError):
    """The input as a whole cannot be read (missing, empty or binary file, unknown encoding)."""


class MappingError(BulkprepError):
    """The mapping is malformed or refers to a column the frame does not have."""


class ConfigurationError(BulkprepError):
    """Settings that make a run impossible: no API key, insecure URL, contradictory options."""


class CourierError(BulkprepError):
    """An answer from Courier that stops the run.

    Attributes:
        status: HTTP status code (0 when no answer was received).
        type: Courier's error ``type`` (for example ``invalid_request_error``), when it sent one.
        courier_message: Courier's own ``message``, when it sent one.
        batch: the number of the batch being sent, when there was one.
        retryable: whether sending the same request again later may succeed.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        type: str | None = None,
        courier_message: str | None = None,
        batch: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.courier_message = courier_message
        self.batch = batch
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, status={self.status}, type={self.type!r})"


class AuthenticationError(CourierError):
    """Courier answered 401: the API key is missing, wrong or revoked."""


class AuthorizationError(CourierError):
    """Courier answered 403: the API key is valid but may not use the Bulk API."""
