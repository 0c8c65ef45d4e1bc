"""Fixtures shared by the test modules: one sandbox over real loopback HTTP, and a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from bulkprep.sandbox import Sandbox

# In CI the property tests draw the same examples on every run, so that a run's verdict depends on
# the code alone; on a developer's machine they explore anew each time (and keep what they found).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: The API key the shared sandbox accepts; secret-looking, so that a leak of it is easy to grep for.
TOKEN = "sk_test_5ecret-shared-KEY"
#: The header that authenticates a raw request to the shared sandbox.
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A Courier sandbox on loopback that finishes jobs at once, accepting :data:`TOKEN`."""
    with Sandbox(token=TOKEN, processing_seconds=0) as running:
        yield running


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Courier key or base URL in the environment, whatever the shell running the tests has."""
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch
