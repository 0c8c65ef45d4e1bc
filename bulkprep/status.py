"""The vocabularies shared by every stage: row statuses and error-table stages.

Every input row ends in exactly one :class:`RowStatus`; the counts always add up to the input rows.

Example:
    >>> RowStatus.READY == "ready"
    True
    >>> [s.value for s in Stage][:3]
    ['read', 'map', 'validate']
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ALL_STATUSES", "DeliveryStatus", "RowStatus", "Stage"]


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


class DeliveryStatus(StrEnum):
    """A user's state in a job that has run (``bulk_delivery_status``), as Courier reports it."""

    PENDING = "PENDING"
    ENQUEUED = "ENQUEUED"
    ERROR = "ERROR"
