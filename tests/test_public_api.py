"""The public face of the package is deliberate: exactly these names, each one importable, none by chance."""

from __future__ import annotations

import importlib
import types

import bulkprep
from bulkprep._version import __version__

# Adding a name to the package's face is a decision: make it here and in bulkprep/__init__.py together.
PUBLIC_NAMES = [
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


def test_the_public_names_are_exactly_these_and_sorted() -> None:
    assert bulkprep.__all__ == PUBLIC_NAMES
    assert sorted(PUBLIC_NAMES) == PUBLIC_NAMES


def test_every_public_name_resolves() -> None:
    namespace: dict[str, object] = {}
    exec("from bulkprep import *", namespace)
    for name in PUBLIC_NAMES:
        assert getattr(bulkprep, name) is namespace[name], name
        assert getattr(bulkprep, name) is not None, name


def test_nothing_else_is_public_by_accident() -> None:
    # Submodules are reachable as attributes once imported; every other public name is in __all__.
    public = {name for name in vars(bulkprep) if not name.startswith("_")}
    modules = {name for name in public if isinstance(getattr(bulkprep, name), types.ModuleType)}
    assert public - modules - {"annotations"} == set(PUBLIC_NAMES) - {"__version__"}


def test_each_public_name_comes_from_the_module_that_defines_it() -> None:
    for name in PUBLIC_NAMES:
        value = getattr(bulkprep, name)
        home = getattr(value, "__module__", None)
        if home is not None:  # classes and functions name their module; it must import and hold them
            assert getattr(importlib.import_module(home), name) is value, name


def test_the_version_is_the_one_of_its_own_module() -> None:
    assert bulkprep.__version__ == __version__
    assert __version__.count(".") >= 1
