"""A local stand-in for Courier's Bulk API, served over real HTTP on loopback, with faults on demand.

Tests, notebooks, the demo and the benchmarks talk to a :class:`Sandbox` exactly as they would talk to
Courier: the five bulk endpoints and ``GET /messages/{message_id}``, bearer auth, Courier's error
bodies, the 6 MB limit, duplicate users, ``Idempotency-Key`` replay, the job lifecycle, paging, and
messages whose status moves over time. Where Courier's own documentation disagrees, :class:`Dialect`
picks the answer; :class:`Faults` injects 429s, 5xx, latency and dropped connections.

The parts, each in its own module:

- :mod:`~bulkprep.sandbox.service`: the :class:`Sandbox` itself: start, stop, and read access for tests;
- :mod:`~bulkprep.sandbox.server`: the standard library's threaded HTTP server, moving bytes only;
- :mod:`~bulkprep.sandbox.gateway`: auth, routing, faults, idempotency replay and the request log;
- :mod:`~bulkprep.sandbox.jobs`: the jobs behind the endpoints, duplicate users, lifecycle, paging;
- :mod:`~bulkprep.sandbox.messages`: what becomes of each enqueued message, read off its user;
- :mod:`~bulkprep.sandbox.rules`: Courier's request rules, the sandbox's own copy (its docstring says why);
- :mod:`~bulkprep.sandbox.faults`: which request meets which fault, by seeded draws;
- :mod:`~bulkprep.sandbox.command`: ``bulkprep sandbox`` on the command line.

Example:
    >>> import requests
    >>> with Sandbox(token="sk_test", processing_seconds=0) as sb:
    ...     auth = {"Authorization": f"Bearer {sb.token}"}
    ...     created = requests.post(f"{sb.url}/bulk", json={"message": {"event": "WELCOME"}}, headers=auth)
    ...     job = f"{sb.url}/bulk/{created.json()['jobId']}"
    ...     answer = requests.post(job, json={"users": [{"recipient": "u1"}]}, headers=auth)
    ...     print(answer.status_code, answer.json())
    ...     print(requests.post(f"{job}/run", headers=auth).status_code)
    ...     job_id = created.json()["jobId"]
    ...     print(sb.jobs[job_id]["status"], sb.offers(job_id))
    200 {'errors': [], 'total': 1}
    204
    COMPLETED {'u1': 1}
"""

from __future__ import annotations

from bulkprep.sandbox.command import TOKEN_ENV, add_arguments, run, sandbox_from_args
from bulkprep.sandbox.faults import Faults
from bulkprep.sandbox.gateway import RequestRecord
from bulkprep.sandbox.jobs import Dialect
from bulkprep.sandbox.rules import MAX_REQUEST_BYTES
from bulkprep.sandbox.service import DEFAULT_TOKEN, Sandbox

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
