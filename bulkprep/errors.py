"""Exceptions raised by bulkprep.

Only call-level problems raise; problems with single rows become rows of the error table
(see :mod:`bulkprep.report`). Every exception derives from one root::

    BulkprepError
    ├── InputError              a file or frame that cannot be read at all (missing, empty, binary)
    ├── MappingError            a mapping that is malformed or names a column that is not there
    ├── ConfigurationError      a missing API key, plain http:// to a remote host, a bad option
    ├── JournalError            a journal write that would break its record (a settled batch sent again)
    ├── InvariantError          a check only a bug in bulkprep can fail (counts that do not add up)
    ├── GuardError              a guard refused the file (max_invalid) or stopped the run (max_rejected)
    └── CourierError            an answer from Courier that stops the run (or ends a batch)
        ├── AuthenticationError     401: the key is wrong
        ├── AuthorizationError      403: the key lacks permission
        └── ProtocolError           a 2xx whose body is not what Courier sends (an HTML page, ...)

    SubmitInterrupted (a KeyboardInterrupt)   Ctrl-C during a submission, with what was done so far
    JournalWarning (a UserWarning)            the journal's file was deleted while a run held it

An error :func:`bulkprep.submit` raises once the job is open (the key refused midway, the job not run,
its users not read, the journal not written) carries the partial result in ``exc.result``: every row
with the status it earned, unsent rows ``failed`` with the reason, and ``result.left_to_do``.

Example:
    >>> try:
    ...     raise MappingError("column 'Emial' not found; did you mean 'Email'?")
    ... except BulkprepError as exc:
    ...     print(exc)
    column 'Emial' not found; did you mean 'Email'?
    >>> issubclass(ProtocolError, CourierError), issubclass(JournalError, ValueError)
    (True, False)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "BulkprepError",
    "ConfigurationError",
    "CourierError",
    "GuardError",
    "InputError",
    "InvariantError",
    "JournalError",
    "JournalWarning",
    "MappingError",
    "ProtocolError",
    "RunWithheld",
    "SubmitInterrupted",
]


class BulkprepError(Exception):
    """Root of every exception bulkprep raises on purpose.

    Attributes:
        result: for an error :func:`bulkprep.submit` raised after the job was open, the partial
            :class:`~bulkprep.results.SubmitResult` (None otherwise).
    """

    result: Any = None


class InputError(BulkprepError):
    """The input as a whole cannot be read (missing, empty or binary file, unknown encoding)."""


class MappingError(BulkprepError):
    """The mapping is malformed or refers to a column the frame does not have."""


class ConfigurationError(BulkprepError):
    """Settings that make a run impossible: no API key, insecure URL, contradictory options."""


class JournalError(BulkprepError):
    """The journal refused a write that would break what it records.

    For example: sending a batch that is already settled, recording a row in two batches, splitting a
    batch into halves that do not hold its rows. Nothing of the refused write is kept.
    """


class JournalWarning(UserWarning):
    """The journal's file went away (deleted, or its name given to another file) while a run held it.

    The run goes on with the file it holds open, so nothing it sends goes unrecorded; on closing, the
    journal is written again at its path when its folder is still there, and the warning says whether.
    """


class InvariantError(BulkprepError):
    """A check that only a bug in bulkprep can fail, such as row counts that do not add up.

    Seeing it means bulkprep itself went wrong, not the input or Courier; the message says what did not
    hold. Please report it with that message.
    """


class GuardError(BulkprepError):
    """A guard of :func:`bulkprep.submit` refused the submission.

    ``max_invalid`` refuses before the job is created (nothing is sent, ``result.job_id`` is None and
    every row keeps its prepare status); ``max_rejected`` stops sending once Courier refused too many
    users (the unsent rows end ``failed``, ``result.left_to_do`` says how to finish).

    Attributes:
        result: the :class:`~bulkprep.results.SubmitResult` so far (``result.guard`` holds the
            ``max_invalid`` decision).
    """

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class CourierError(BulkprepError):
    """An answer from Courier that stops the run, or ends one batch.

    Attributes:
        status: HTTP status code (0 when no answer was received).
        type: Courier's error ``type`` (for example ``invalid_request_error``), when it sent one.
        courier_message: Courier's own ``message``, when it sent one.
        batch: the number of the batch being sent, when there was one (set by the sending of batches;
            None for the calls that carry no batch: creating, running and reading the job).
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
        batch = f", batch={self.batch}" if self.batch is not None else ""
        return f"{type(self).__name__}({str(self)!r}, status={self.status}, type={self.type!r}{batch})"


class AuthenticationError(CourierError):
    """Courier answered 401: the API key is missing, wrong or revoked."""


class AuthorizationError(CourierError):
    """Courier answered 403: the API key is valid but may not use the Bulk API."""


class ProtocolError(CourierError):
    """Courier answered 2xx with a body that is not what Courier sends.

    An HTML page from a proxy, JSON cut short, a JSON array, a field of the wrong type, a missing
    ``jobId``: the base URL may point at something other than Courier's API, or something between
    rewrote the answer. Sending the same request again does not make the answer readable.
    """


class RunWithheld(CourierError):
    """The job was not run: the answer to some batch was lost, so Courier may or may not hold its users.

    A job that ran takes no more users; left in CREATED, the batch can go again (under the same
    idempotency key) and the job run after. ``exc.result`` says how.
    """


class SubmitInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a submission; ``result`` holds what was done (unsent rows ``failed``).

    A :class:`KeyboardInterrupt`, so code that stops on Ctrl-C still does. The journal is consistent:
    batches that were in flight stay ``sending`` (outcome unknown, sent again under the same key on resume).
    """

    def __init__(self, message: str, result: Any) -> None:
        super().__init__(message)
        self.result = result
