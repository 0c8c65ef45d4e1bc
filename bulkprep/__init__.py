"""bulkprep: from a messy spreadsheet of users to a sent Courier bulk job, and back to the same rows.

The pipeline, each stage usable alone::

    read_csv -> Mapping.apply -> normalize -> validate -> flag_duplicates   (prepare: all of these)
             -> submit (batches, retries, journal) -> SubmitResult (a status and a reason per row)

Example:
    >>> import pandas as pd
    >>> from bulkprep import Sandbox, prepare, submit
    >>> users = pd.DataFrame({"id": ["u1", "u2"], "email": ["Ann@Example.com", "bob@example"]})
    >>> ready = prepare(users, {"recipient": "id", "profile": {"email": "email"}})
    >>> ready.summary
    {'ready': 1, 'invalid': 1, 'duplicate': 0}
    >>> with Sandbox() as courier:
    ...     result = submit(ready, event="WELCOME", api_key=courier.token, base_url=courier.url,
    ...                     progress=False)
    >>> result.df["bulk_status"].tolist()
    ['accepted', 'invalid']
"""

from __future__ import annotations

from bulkprep._version import __version__ as __version__
from bulkprep.csvsafe import write_results_csv
from bulkprep.duplicates import flag_duplicates
from bulkprep.errors import (
    AuthenticationError,
    AuthorizationError,
    BulkprepError,
    ConfigurationError,
    CourierError,
    GuardError,
    InputError,
    InvariantError,
    JournalError,
    JournalWarning,
    MappingError,
    ProtocolError,
    SubmitInterrupted,
)
from bulkprep.mapping import Mapping
from bulkprep.normalize import normalize, normalize_emails, normalize_phones
from bulkprep.payloads import build_payloads
from bulkprep.prepare import Prepared, prepare
from bulkprep.read import read_changes, read_csv, read_errors, read_info
from bulkprep.report import ErrorCode
from bulkprep.results import SubmitResult
from bulkprep.retry import RetryPolicy
from bulkprep.sandbox import Faults, Sandbox
from bulkprep.status import DeliveryStatus, KeepPolicy, RowStatus, Severity, Stage
from bulkprep.submit import submit
from bulkprep.validate import validate
from bulkprep.workbook import read_excel

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "BulkprepError",
    "ConfigurationError",
    "CourierError",
    "DeliveryStatus",
    "ErrorCode",
    "Faults",
    "GuardError",
    "InputError",
    "InvariantError",
    "JournalError",
    "JournalWarning",
    "KeepPolicy",
    "Mapping",
    "MappingError",
    "Prepared",
    "ProtocolError",
    "RetryPolicy",
    "RowStatus",
    "Sandbox",
    "Severity",
    "Stage",
    "SubmitInterrupted",
    "SubmitResult",
    "__version__",
    "build_payloads",
    "flag_duplicates",
    "normalize",
    "normalize_emails",
    "normalize_phones",
    "prepare",
    "read_changes",
    "read_csv",
    "read_errors",
    "read_excel",
    "read_info",
    "submit",
    "validate",
    "write_results_csv",
]
