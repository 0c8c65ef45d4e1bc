"""The gate of the fast paths: the switch, the proven versions, the corpus, and what the paths leave alone."""

from __future__ import annotations

import ast
import threading
from importlib import metadata
from pathlib import Path

import email_validator
import numpy as np
import pandas as pd
import phonenumbers
import pytest

from bulkprep import _accel as accel
from bulkprep._accel import corpus
from bulkprep._accel.email import EMAIL_MAX_LENGTH, LOCAL_PART_MAX_LENGTH, ROLE_NAMES, plain_addresses
from bulkprep._accel.phone import plain_numbers
from bulkprep.normalize import normalize_emails, normalize_phones

ACCEL = Path(accel.__file__).parent


def test_both_fast_paths_run_with_the_installed_libraries() -> None:
    assert accel.reason("email") is None
    assert accel.reason("phone", "US") is None
    assert accel.email_path() is not None
    assert accel.phone_path("GB") is not None


@pytest.mark.parametrize("word", ["0", "false", "No", " off "])
def test_the_environment_variable_turns_every_fast_path_off(
    monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    monkeypatch.setenv(accel.ENV_VAR, word)
    assert not accel.enabled("email")
    assert not accel.enabled("phone", "US")
    assert accel.email_path() is None
    assert accel.phone_path("US") is None
    assert accel.reason("email") == f"switched off by BULKPREP_ACCEL={word}"
    monkeypatch.setenv(accel.ENV_VAR, "1")
    assert accel.enabled("email")
    monkeypatch.delenv(accel.ENV_VAR)
    assert accel.enabled("phone", "US")


def test_disabled_nests_holds_in_other_threads_and_ends_on_errors() -> None:
    seen: list[bool] = []

    def nested_then_fail() -> None:
        with accel.disabled():
            with accel.disabled():
                assert not accel.enabled("email")
            assert not accel.enabled("email")  # the outer block still holds
            worker = threading.Thread(target=lambda: seen.append(accel.enabled("phone", "US")))
            worker.start()
            worker.join()
            raise RuntimeError("leaving the block on an error")

    with pytest.raises(RuntimeError, match="leaving the block"):
        nested_then_fail()
    assert seen == [False]
    assert accel.enabled("email")
    assert accel.enabled("phone", "US")


def test_normalize_gives_the_same_frame_with_the_fast_paths_off() -> None:
    emails = pd.Series(["Ann@Example.COM", "info@example.com", "bad", None, "a" * 65 + "@example.com"])
    phones = pd.Series(["(202) 555-0125", "12", "+44 20 7946 0958", "2.02555E+09", None])
    fast = normalize_emails(emails), normalize_phones(phones)
    with accel.disabled():
        slow = normalize_emails(emails), normalize_phones(phones)
    for one, other in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(one, other)


def test_the_proven_ranges_hold_the_installed_versions_and_say_why() -> None:
    for path, proven in accel.PROVEN.items():
        assert accel.version_verdict(proven) is None, path
        assert proven.why
    assert accel.PROVEN["email"].distribution == "email-validator"
    assert accel.PROVEN["phone"].distribution == "phonenumbers"


@pytest.mark.parametrize(
    ("version", "inside"),
    [((2, 0), False), ((2, 1), True), ((2, 4), True), ((2, 5), False), ((3, 0), False)],
)
def test_the_email_range_has_its_bounds(version: tuple[int, int], inside: bool) -> None:
    assert accel.PROVEN["email"].holds(version) is inside


def test_a_version_outside_its_range_turns_the_fast_path_off() -> None:
    installed = metadata.version("phonenumbers")
    major = int(installed.split(".")[0])
    older = accel.Range("phonenumbers", (major + 1, 0), (major + 2, 0), "a later release")
    assert accel.version_verdict(older) == (
        f"phonenumbers {major}.{int(installed.split('.')[1])} is outside the proven range "
        f">={major + 1}.0,<{major + 2}.0 (a later release)"
    )
    unknown = accel.Range("no-such-distribution-here", (0, 0), (99, 0), "never installed")
    assert accel.version_verdict(unknown) == "the version of no-such-distribution-here cannot be read"


@pytest.mark.parametrize("region", ["US", "GB", "DE", "BR", "FR", "IN", "AU", "CA", "JP", None])
def test_the_corpus_agrees_with_the_installed_libraries(region: str | None) -> None:
    assert corpus.first_disagreement("phone", region) is None
    assert corpus.first_disagreement("email") is None


def test_the_corpus_check_is_remembered_after_the_first_use() -> None:
    decide = accel.phone_path("NZ")
    assert decide is not None
    accepted, e164 = decide(np.array(["021 123 4567", "+64 21 123 4567", "1"], dtype=object))
    assert accepted.tolist() == [True, True, False]
    assert e164.tolist()[:2] == ["+64211234567", "+64211234567"]
    assert ("phone", "NZ") in accel._corpus_verdicts
    assert accel._corpus_verdicts[("phone", "NZ")] is None


def test_a_disagreement_is_reported_with_the_value_and_both_verdicts() -> None:
    wrong = (np.array([True, False]), np.array(["+12025550199", None], dtype=object))
    found = corpus.disagreement("phone", "US", ("(202) 555-0125", "12"), wrong)
    assert found == (
        "'(202) 555-0125': the fast path gives '+12025550199', the library '+12025550125' (default region US)"
    )
    refused = (np.array([True]), np.array(["ann@example"], dtype=object))
    found = corpus.disagreement("email", None, ("ann@example",), refused)
    assert found == "'ann@example': the fast path gives 'ann@example', the library None"


def test_the_corpus_holds_the_boundaries() -> None:
    locals_ = {address.strip().rpartition("@")[0] for address in corpus.EMAILS}
    assert {"a" * 64, "a" * 65, "MARKING", "Marketing"} <= locals_
    phones = corpus.phones("US")
    assert len(phones) == len(set(phones)) > 30


def test_the_email_fast_path_leaves_long_local_parts_and_role_names_to_the_library() -> None:
    values = np.array(
        ["a" * 64 + "@example.com", "a" * 65 + "@example.com", "Marketing@example.com", "MARKING@example.com"]
        + [f"{name.upper()}@example.com" for name in sorted(ROLE_NAMES)],
        dtype=object,
    )
    accepted, normalized = plain_addresses(values, email_validator.validate_email)
    assert accepted.tolist() == [True] + [False] * (len(values) - 1)
    assert normalized[0] == "a" * 64 + "@example.com"
    assert (LOCAL_PART_MAX_LENGTH, EMAIL_MAX_LENGTH) == (64, 254)


def test_every_role_name_the_library_lowercases_is_left_to_it() -> None:
    # Whatever the version: a local part the library lower-cases is never decided by the fast path.
    others = ["admin", "contact", "hello", "billing", "help", "office", "jobs", "privacy", "legal"]
    others += ["press", "root", "mail", "noreply", "no-reply", "hr", "team", "dns", "smtp", "mailer-daemon"]
    lowered = set()
    for name in [*ROLE_NAMES, *others]:
        checked = email_validator.validate_email(f"{name.upper()}@example.com", check_deliverability=False)
        if checked.normalized.startswith(name):
            lowered.add(name)
    assert lowered <= ROLE_NAMES
    assert len(lowered) >= len(ROLE_NAMES) - 1  # all of RFC 2142's, and one of marking / marketing


def test_no_fast_path_imports_a_module_inside_email_validator() -> None:
    # Only the package's public face: email_validator.rfc_constants and the like are not part of it.
    for source in ACCEL.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("email_validator."), source.name
            elif isinstance(node, ast.Import):
                assert not any(alias.name.startswith("email_validator.") for alias in node.names)


def test_textops_keeps_only_what_is_used() -> None:
    from bulkprep._accel import textops

    assert "translated" not in textops.__all__
    assert not hasattr(textops, "translated")


def test_the_phone_fast_path_reads_only_numbers_phonenumbers_knows() -> None:
    decide = accel.phone_path(None)
    assert decide is not None
    accepted, _ = decide(np.array(["+999 123 4567", "+1 202 555 0125"], dtype=object))
    assert accepted.tolist() == [False, True]
    assert phonenumbers.is_valid_number(phonenumbers.parse("+1 202 555 0125"))


def test_a_fast_path_that_disagrees_on_the_corpus_leaves_every_value_to_the_library() -> None:
    def lower_cases_everything(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = np.array([text.strip().lower() for text in texts], dtype=object)
        return np.ones(len(texts), dtype=bool), out

    values = np.array(["ann@example.com", "Bob@example.com"], dtype=object)
    (accepted, normalized), why = accel.checked_first_use("email", None, lower_cases_everything, values)
    assert accepted.tolist() == [False, False]
    assert normalized.tolist() == [None, None]
    assert why is not None
    assert why.startswith("the fast path disagrees with email-validator on ' Ann.Lee@EXAMPLE.com ': ")
    assert why.endswith("the fast path gives 'ann.lee@example.com', the library 'Ann.Lee@example.com'")


def test_a_fast_path_that_fails_leaves_every_value_to_the_library() -> None:
    def fails(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise AttributeError("'PhoneMetadata' object has no attribute 'general_desc'")

    values = np.array(["(202) 555-0125"], dtype=object)
    (accepted, _), why = accel.checked_first_use("phone", "US", fails, values)
    assert accepted.tolist() == [False]
    assert why == (
        "the fast path disagrees with phonenumbers on its first values: AttributeError: "
        "'PhoneMetadata' object has no attribute 'general_desc'"
    )


def test_a_fast_path_that_agrees_decides_the_values_alone() -> None:
    values = np.array(["(202) 555-0125", "12"], dtype=object)
    decided, why = accel.checked_first_use("phone", "US", lambda texts: plain_numbers(texts, "US"), values)
    assert why is None
    assert decided[0].tolist() == [True, False]
    assert decided[1].tolist() == ["+12025550125", None]
