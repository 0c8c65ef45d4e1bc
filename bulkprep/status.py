"""The vocabularies every stage shares: row statuses, stages, batch and job states, keep policies, columns.

Every input row ends in exactly one :class:`RowStatus`; the counts always add up to the input rows. The
row key (:data:`ROW_KEY`) names each input row from the moment it enters until its result is written.

Example:
    >>> RowStatus.READY == "ready"
    True
    >>> [s.value for s in Stage][:3]
    ['read', 'map', 'validate']
    >>> ROW_KEY, BULK_COLUMNS[:3]
    ('bulk_row', ('bulk_row', 'bulk_user', 'bulk_status'))
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

__all__ = [
    "ALL_STATUSES",
    "ATTRS_KEY",
    "BULK_COLUMNS",
    "FINAL_BATCH_STATES",
    "PREPARED_COLUMNS",
    "ROW_KEY",
    "AttrsRecords",
    "BatchState",
    "Column",
    "DeliveryStatus",
    "JobStatus",
    "KeepPolicy",
    "RowStatus",
    "Severity",
    "Stage",
]


class RowStatus(StrEnum):
    """What happened to one input row (the ``bulk_status`` column)."""

    READY = "ready"  # valid and unique, not sent yet
    INVALID = "invalid"  # failed local validation
    DUPLICATE = "duplicate"  # same person as another row, which is kept
    ACCEPTED = "accepted"  # ingested by Courier
    REJECTED = "rejected"  # refused by Courier
    FAILED = "failed"  # could not be delivered to Courier; safe to retry


ALL_STATUSES: tuple[str, ...] = tuple(s.value for s in RowStatus)


class Stage(StrEnum):
    """Which stage found a problem (the ``stage`` column of the error table)."""

    READ = "read"
    MAP = "map"
    VALIDATE = "validate"
    DUPLICATE = "duplicate"
    INGEST = "ingest"
    DELIVERY = "delivery"


class Severity(StrEnum):
    """How much a problem weighs (the ``severity`` column of the error table).

    An ``error`` decides the row's status (the row is not sent); a ``warning`` does not: the value at
    fault is left out of the user (``on_error: drop_field``) and the row is sent without it.
    """

    ERROR = "error"
    WARNING = "warning"


class DeliveryStatus(StrEnum):
    """A user's state in a job that has run (``bulk_delivery_status``), as Courier reports it."""

    PENDING = "PENDING"
    ENQUEUED = "ENQUEUED"
    ERROR = "ERROR"


class JobStatus(StrEnum):
    """A bulk job's state, as ``GET /bulk/{job_id}`` reports it."""

    CREATED = "CREATED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"

    @property
    def done(self) -> bool:
        """Whether the job has stopped moving (waiting longer changes nothing)."""
        return self in (JobStatus.COMPLETED, JobStatus.ERROR)


class BatchState(StrEnum):
    """Where one batch of users stands in the journal.

    ``sending`` means the request went out and no answer was recorded: its outcome is unknown until the
    batch is sent again under the same idempotency key.
    """

    PENDING = "pending"  # not sent yet
    SENDING = "sending"  # sent, no answer recorded
    ACKED = "acked"  # Courier took the request (per-user errors aside)
    REJECTED = "rejected"  # Courier refused the whole batch
    FAILED = "failed"  # given up after retries; safe to send again

    @property
    def final(self) -> bool:
        """Whether the batch's rows must never be sent again."""
        return self in FINAL_BATCH_STATES


FINAL_BATCH_STATES: Final = frozenset({BatchState.ACKED, BatchState.REJECTED})


class KeepPolicy(StrEnum):
    """Which row of a group of duplicates stays: the first, the last, or the one with most fields filled."""

    FIRST = "first"
    LAST = "last"
    MOST_COMPLETE = "most_complete"


class Column(StrEnum):
    """The columns bulkprep adds to the user's frame; every one starts with ``bulk_``."""

    ROW = "bulk_row"  # the row key: the source line, or the position in a frame built by hand
    READ_ERROR = "bulk_read_error"  # read_csv's record of a row it could not parse cleanly (intake only)
    USER = "bulk_user"  # the Courier user built from the row (a dict), for ready and sent rows
    STATUS = "bulk_status"  # one RowStatus
    ERROR = "bulk_error"  # the row's problems (errors), each with its fix, in one text
    WARNING = "bulk_warning"  # the fields left out of the row's user (warnings), each with its reason
    DUPLICATE_OF = "bulk_duplicate_of"  # the row key of the row kept in its place
    BATCH = "bulk_batch"  # the batch that carried the row
    DELIVERY_STATUS = "bulk_delivery_status"  # Courier's state for the user once the job has run
    MESSAGE_ID = "bulk_message_id"  # Courier's message id for the user once enqueued
    OUTCOME = "bulk_outcome"  # what became of the message (Messages API status: DELIVERED, ...)
    OUTCOME_REASON = "bulk_outcome_reason"  # why it was not delivered (BOUNCED, UNSUBSCRIBED, ...)


ATTRS_KEY: Final = "bulkprep"
"""The key of ``DataFrame.attrs`` under which the readers keep what they found out about the file."""


class AttrsRecords(tuple[Any, ...]):
    """Records the readers keep in ``DataFrame.attrs`` (one per changed cell): a tuple never copied.

    pandas deep-copies ``attrs`` into nearly every frame and column an operation returns; a plain
    tuple of 600,000 records (a Shopify export, its ids, phones and ZIPs behind apostrophes) cost
    minutes that way. The records are immutable, so a copy may share them.

    Example:
        >>> import copy
        >>> records = AttrsRecords([(2, "zip", "'02134", "02134")])
        >>> copy.deepcopy(records) is records
        True
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> AttrsRecords:
        return self


ROW_KEY: Final = Column.ROW.value
"""The name of the row key column, ``bulk_row``."""

PREPARED_COLUMNS: tuple[str, ...] = (
    Column.ROW.value,
    Column.USER.value,
    Column.STATUS.value,
    Column.ERROR.value,
    Column.WARNING.value,
    Column.DUPLICATE_OF.value,
)
"""The ``bulk_*`` columns of a prepared frame, in order."""

BULK_COLUMNS: tuple[str, ...] = tuple(c.value for c in Column if c is not Column.READ_ERROR)
"""Every ``bulk_*`` column of a result, in order (``bulk_read_error`` is the intake's, never a result's)."""
