"""Which identity keys make rows the same person: the rule for shared phones, ``keys=``, ``--keys``.

The rule (bulkprep.duplicates' docstring): a shared user id or email always links; rows with neither
are linked by their phones; a shared phone joins only where at most one side has a user id and at
most one an email; a chain of phones that would join two ids or two emails joins nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from duplicate_reference import UnionFind, row_keys
from export_corpus import CORPUS, corpus_module
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import Mapping, prepare, read_csv
from bulkprep.cli import main
from bulkprep.duplicates import duplicate_errors, flag_duplicates, identity_kinds
from bulkprep.errors import ConfigurationError
from bulkprep.normalize import normalize
from bulkprep.prepare import with_row_keys

SWITCHBOARD = "+12015550100"
ALL_KINDS = ("user_id", "email", "phone")


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Targets from short rows: ``id`` is ``recipient``, ``email`` and ``phone`` are the profile's."""
    names = {"id": "recipient", "email": "profile.email", "phone": "profile.phone_number"}
    columns = ["recipient", "profile.email", "profile.phone_number", "to.phone_number"]
    renamed = [{names.get(key, key): value for key, value in row.items()} for row in rows]
    targets = pd.DataFrame(renamed, columns=columns, dtype="object")
    targets.index = pd.Index(range(1, len(rows) + 1), name="bulk_row")
    return targets.where(targets.notna(), None)


def partition(flags: pd.DataFrame) -> set[frozenset[int]]:
    """The clusters of the flags as sets of row labels (a kept row with the rows pointing at it)."""
    kept = flags["bulk_duplicate_of"]
    groups: dict[int, set[int]] = {}
    for label, of in kept.items():
        groups.setdefault(int(label) if pd.isna(of) else int(of), set()).add(int(label))
    return {frozenset(group) for group in groups.values()}


def kept_of(flags: pd.DataFrame) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in flags["bulk_duplicate_of"]]


# --- the rule, two rows at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # a shared phone, and what else the rows say
        ({"id": "u1", "phone": SWITCHBOARD}, {"id": "u2", "phone": SWITCHBOARD}, False),
        ({"email": "a@x.io", "phone": SWITCHBOARD}, {"email": "b@x.io", "phone": SWITCHBOARD}, False),
        (
            {"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD},
            {"email": "b@x.io", "phone": SWITCHBOARD},
            False,
        ),
        ({"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD}, {"id": "u2", "phone": SWITCHBOARD}, False),
        ({"id": "u1", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, True),
        ({"email": "a@x.io", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, True),
        ({"phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, True),
        ({"id": "u1", "phone": SWITCHBOARD}, {"email": "b@x.io", "phone": SWITCHBOARD}, True),
        ({"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD}, {"id": "u1", "phone": SWITCHBOARD}, True),
        ({"email": "a@x.io", "phone": SWITCHBOARD}, {"email": "A@X.io", "phone": SWITCHBOARD}, True),
        # emails compared in NFKC, in lower case: fullwidth letters and ligatures are the letters
        ({"email": "\uff41\uff4c\uff49\uff43\uff45@example.com"}, {"email": "alice@example.com"}, True),
        ({"email": "\uff21LICE@example.com"}, {"email": "alice@example.com"}, True),
        ({"email": "\ufb01n@x.io"}, {"email": "fin@x.io"}, True),
        ({"email": "stra\u00dfe@x.io"}, {"email": "strasse@x.io"}, False),  # ß is no ss (IDNA2008)
        ({"email": "\u03c0\u0391\u03a3@x.io"}, {"email": "\u03c0\u03b1\u03c3@x.io"}, True),  # final sigma
        ({"email": "\u00e9@x.io"}, {"email": "e\u0301@x.io"}, True),
        ({"email": "\u00e9@x.io"}, {"email": "e@x.io"}, False),
        # user ids and emails link whatever else differs
        ({"id": "u1", "email": "a@x.io"}, {"id": "u1", "email": "b@x.io"}, True),
        ({"id": "u1", "email": "a@x.io"}, {"id": "u2", "email": "A@x.io"}, True),
        (
            {"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD},
            {"id": "u2", "email": "a@x.io", "phone": SWITCHBOARD},
            True,
        ),
        # nothing shared
        ({"id": "u1", "phone": SWITCHBOARD}, {"id": "u2", "phone": "+12015550101"}, False),
    ],
)
def test_two_rows_are_the_same_person_when(first: dict[str, Any], second: dict[str, Any], same: bool) -> None:
    for rows in ([first, second], [second, first]):  # either order
        flags = flag_duplicates(frame(rows))
        assert kept_of(flags) == ([None, 1] if same else [None, None])


# --- the rule for groups and chains ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "clusters"),
    [
        # a switchboard of two people and a row with only that number: whose it is cannot be told
        (
            [{"id": "u1", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, {"id": "u2", "phone": SWITCHBOARD}],
            [{1}, {2}, {3}],
        ),
        # ... rows with only that number are still one another's duplicates
        (
            [
                {"id": "u1", "phone": SWITCHBOARD},
                {"phone": SWITCHBOARD},
                {"id": "u2", "phone": SWITCHBOARD},
                {"phone": SWITCHBOARD},
            ],
            [{1}, {2, 4}, {3}],
        ),
        # one person with an id, and two rows with only the phone: one person
        ([{"id": "u1", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, {"phone": SWITCHBOARD}], [{1, 2, 3}]),
        # A~B by email, B~C by phone, C has another id than A: C is another person
        (
            [
                {"id": "u1", "email": "a@x.io"},
                {"email": "a@x.io", "phone": SWITCHBOARD},
                {"id": "u2", "phone": SWITCHBOARD},
            ],
            [{1, 2}, {3}],
        ),
        # two phones chained through row 2 would join u1 and u3: neither phone joins
        (
            [
                {"id": "u1", "phone": SWITCHBOARD},
                {"email": "b@x.io", "phone": SWITCHBOARD, "to.phone_number": "+12015550101"},
                {"id": "u3", "phone": "+12015550101"},
            ],
            [{1}, {2}, {3}],
        ),
        # the same chain without the second id: one person
        (
            [
                {"id": "u1", "phone": SWITCHBOARD},
                {"email": "b@x.io", "phone": SWITCHBOARD, "to.phone_number": "+12015550101"},
                {"phone": "+12015550101"},
            ],
            [{1, 2, 3}],
        ),
        # the same email under two ids is one person, and a phone-only row of theirs joins them
        (
            [
                {"id": "u1", "email": "a@x.io"},
                {"id": "u2", "email": "a@x.io", "phone": SWITCHBOARD},
                {"phone": SWITCHBOARD},
            ],
            [{1, 2, 3}],
        ),
    ],
)
def test_groups_and_chains(rows: list[dict[str, Any]], clusters: list[set[int]]) -> None:
    targets = frame(rows)
    expected = {frozenset(cluster) for cluster in clusters}
    assert partition(flag_duplicates(targets)) == expected
    # Any order of the rows gives the same people (labels travel with their rows).
    assert partition(flag_duplicates(targets.iloc[::-1])) == expected
    assert partition(flag_duplicates(targets.iloc[[*range(1, len(rows)), 0]])) == expected


def test_the_first_row_of_a_cluster_in_the_frames_order_is_kept() -> None:
    rows = [{"phone": SWITCHBOARD}, {"id": "u1", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}]
    targets = frame(rows)
    assert kept_of(flag_duplicates(targets)) == [None, 1, 1]
    reordered = targets.loc[[2, 3, 1]]
    assert kept_of(flag_duplicates(reordered)) == [None, 2, 2]
    assert kept_of(flag_duplicates(targets, keep="last")) == [3, 3, None]


def test_excluded_rows_neither_join_nor_keep_apart() -> None:
    # Row 3 (another id) would keep rows 1 and 2 apart; excluded, it takes no part.
    targets = frame(
        [{"id": "u1", "phone": SWITCHBOARD}, {"phone": SWITCHBOARD}, {"id": "u2", "phone": SWITCHBOARD}]
    )
    assert kept_of(flag_duplicates(targets)) == [None, None, None]
    exclude = pd.Series([False, False, True], index=targets.index)
    assert kept_of(flag_duplicates(targets, exclude=exclude)) == [None, 1, None]


# --- keys= ------------------------------------------------------------------------------------------


def test_keys_choose_the_kinds_that_link() -> None:
    targets = frame(
        [
            {"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD},
            {"id": "u2", "email": "A@x.io", "phone": SWITCHBOARD},
            {"id": "u3", "phone": SWITCHBOARD},
            {"phone": SWITCHBOARD},
        ]
    )
    assert kept_of(flag_duplicates(targets)) == [None, 1, None, None]
    assert kept_of(flag_duplicates(targets, keys=ALL_KINDS)) == [None, 1, None, None]
    # Emails left out: they neither link rows 1 and 2 nor keep anything apart.
    assert kept_of(flag_duplicates(targets, keys=("user_id", "phone"))) == [None, None, None, None]
    # Phones left out: row 4 has no identity that takes part.
    assert kept_of(flag_duplicates(targets, keys="user_id,email")) == [None, 1, None, None]
    assert kept_of(flag_duplicates(targets, keys=["user_id"])) == [None, None, None, None]
    # Phones alone: nothing stronger takes part, so one number is one person.
    assert kept_of(flag_duplicates(targets, keys=("phone",))) == [None, 1, 1, 1]
    # Emails and phones: rows 1 and 2 share an email; rows 3 and 4, with no email, are linked by the
    # phone; and the phone joins both, since only one side has an email: one person.
    assert kept_of(flag_duplicates(targets, keys=("email", "phone"))) == [None, 1, 1, 1]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (None, ("user_id", "email", "phone")),
        ("phone,user_id", ("user_id", "phone")),
        (" email , phone ", ("email", "phone")),
        (["phone", "phone"], ("phone",)),
        (("email",), ("email",)),
        (iter(["user_id"]), ("user_id",)),
    ],
)
def test_identity_kinds_are_checked_and_ordered_strongest_first(keys: Any, expected: tuple[str, ...]) -> None:
    assert identity_kinds(keys) == expected


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ("user_id,mail", "'mail'"),
        ("user_id,", "''"),
        (["email", "Phone"], "'Phone'"),
        ([3], "3"),
        (["email", None], "None"),
    ],
)
def test_unknown_kinds_are_a_configuration_error_naming_the_allowed_ones(keys: Any, shown: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        flag_duplicates(frame([{"id": "u1"}]), keys=keys)
    assert str(raised.value) == f"keys must be identity kinds among 'user_id', 'email', 'phone', not {shown}"


@pytest.mark.parametrize("keys", [[], ()])
def test_no_kind_at_all_is_a_configuration_error(keys: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        identity_kinds(keys)
    assert str(raised.value) == "keys must name at least one identity kind among 'user_id', 'email', 'phone'"


def test_prepare_passes_keys_on_and_checks_them_first() -> None:
    users = pd.DataFrame(
        {
            "id": ["CT-1", "CT-2", "CT-3"],
            "email": ["ann@x.example.com", "bo@x.example.com", "cy@x.example.com"],
            "phone": ["(201) 555-0100"] * 3,
        }
    )
    spec = {"recipient": "id", "profile": {"email": "email", "phone_number": "phone"}}
    assert prepare(users, spec).df["bulk_status"].tolist() == ["ready"] * 3
    merged = prepare(users, spec, keys=["phone"]).df
    assert merged["bulk_status"].tolist() == ["ready", "duplicate", "duplicate"]
    assert merged["bulk_duplicate_of"].tolist()[1:] == [0, 0]
    # A bad kind is refused before the mapping is even looked at.
    with pytest.raises(ConfigurationError, match="not 'mobile'"):
        prepare(users, {"recipient": "no such column"}, keys="mobile")


# --- messages ----------------------------------------------------------------------------------------


def test_each_message_says_how_to_keep_both_rows_for_its_kind_of_key() -> None:
    targets = frame(
        [
            {"id": "u1", "email": "a@x.io", "phone": SWITCHBOARD},
            {"id": "u1"},
            {"id": "u2", "email": "A@x.io"},
            {"phone": SWITCHBOARD},
        ]
    )
    flags = flag_duplicates(targets)
    assert flags["bulk_duplicate_field"].tolist() == [
        None,
        "recipient",
        "profile.email",
        "profile.phone_number",
    ]
    messages = duplicate_errors(flags, targets=targets)["message"].tolist()
    assert messages == [
        "same user id as row 1 (u1), so only row 1 is sent; nothing to do if it is the same person; "
        "otherwise give the rows distinct ids",
        "same email as row 1 (a@x.io), so only row 1 is sent; nothing to do if it is the same person; "
        "otherwise give both rows an email of their own, or run with --keys user_id,phone so that emails "
        "link no rows",
        f"same phone number as row 1 ({SWITCHBOARD}), so only row 1 is sent; nothing to do if it is the "
        "same person; otherwise give both rows a user id of their own (or both an email of their own), "
        "or run with --keys user_id,email so that phone numbers link no rows",
    ]
    # Without the targets the messages are the same (the flags name the linking field).
    assert duplicate_errors(flags)["message"].tolist() == messages


def test_a_row_is_explained_by_a_key_that_links_it() -> None:
    # Row 3 shares the switchboard with the kept row 1, but the switchboard links nobody here (row 4
    # has another id): row 3 is row 1's duplicate through row 2's email and row 1's id.
    targets = frame(
        [
            {"id": "u1", "phone": SWITCHBOARD},
            {"id": "u1", "email": "b@x.io"},
            {"email": "b@x.io", "phone": SWITCHBOARD},
            {"id": "u9", "phone": SWITCHBOARD},
        ]
    )
    flags = flag_duplicates(targets)
    assert kept_of(flags) == [None, 1, 1, None]
    assert flags.loc[3, "bulk_duplicate_reason"] == "same email as row 2 (b@x.io), which links to kept row 1"
    assert flags.loc[3, "bulk_duplicate_field"] == "profile.email"


# --- properties ---------------------------------------------------------------------------------------

values = {
    "recipient": st.sampled_from(["u1", "u2", None, None]),
    "to.user_id": st.sampled_from(["u1", "u3", None, None, None]),
    "profile.email": st.sampled_from(["a@x.com", "A@X.com", "b@x.com", None, None]),
    "to.email": st.sampled_from(["c@x.com", None, None, None]),
    "profile.phone_number": st.sampled_from(["+12025550125", "+12025550126", None]),
    "to.phone_number": st.sampled_from(["+12025550125", "+12025550127", None, None]),
}
kinds_strategy = st.sampled_from(
    [ALL_KINDS, ALL_KINDS, ("user_id", "phone"), ("email", "phone"), ("user_id", "email"), ("phone",)]
)


def clusters_of(flags: pd.DataFrame) -> dict[int, int]:
    """Row label -> the label of the row kept for it."""
    return {
        int(label): int(label) if pd.isna(of) else int(of) for label, of in flags["bulk_duplicate_of"].items()
    }


def components(keys: list[set[tuple[str, str]]], kinds: tuple[str, ...]) -> list[int]:
    """Rows linked by any shared key of the given kinds, transitively: union-find."""
    found = UnionFind(len(keys))
    holders: dict[tuple[str, str], list[int]] = {}
    for position, held in enumerate(keys):
        for key in held:
            if key[0] in kinds:
                holders.setdefault(key, []).append(position)
    for rows in holders.values():
        found.union(rows)
    return [found.root(i) for i in range(len(keys))]


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(values), max_size=10), kinds=kinds_strategy, data=st.data())
def test_properties_of_the_rule(
    rows: list[dict[str, Any]], kinds: tuple[str, ...], data: st.DataObject
) -> None:
    targets = pd.DataFrame(rows, columns=list(values), dtype="object")
    targets.index = pd.Index(range(len(rows)), name="bulk_row", dtype="int64")
    flags = flag_duplicates(targets, keys=kinds)
    person = clusters_of(flags)
    keys = row_keys(targets, [False] * len(rows), kinds)
    anchors = tuple(kind for kind in ("user_id", "email") if kind in kinds)
    anchored = components(keys, anchors)
    everything = components(keys, kinds)  # the rule before: any shared key links
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            shares_anchor = any(key[0] in anchors for key in keys[a] & keys[b])
            if shares_anchor:
                assert person[a] == person[b]  # a shared user id or email always links
            if person[a] != person[b]:
                continue
            assert everything[a] == everything[b]  # never more than before: the clusters refine the old
            for kind in anchors:
                own_a = {value for k, value in keys[a] if k == kind}
                own_b = {value for k, value in keys[b] if k == kind}
                if own_a and own_b and not own_a & own_b:
                    # Two user ids (or emails) in one cluster: linked without any phone.
                    assert anchored[a] == anchored[b]
    if kinds == ("user_id", "phone"):  # with one strong kind, a cluster holds one user id or one row's
        for members in pd.Series(list(person)).groupby(list(person.values())):
            anchored_clusters = {anchored[m] for m in members[1] if any(k == "user_id" for k, _ in keys[m])}
            assert len(anchored_clusters) <= 1
    # The people do not depend on the order of the rows.
    order = data.draw(st.permutations(list(range(len(rows)))))
    shuffled = flag_duplicates(targets.iloc[order], keys=kinds)
    assert partition(shuffled) == partition(flags)
    # keep="first": the kept row is the first of its people in the frame's order.
    for label, kept in clusters_of(shuffled).items():
        assert order.index(kept) <= order.index(label)


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture
def switchboard_files(tmp_path: Path) -> tuple[Path, Path]:
    users = tmp_path / "contacts.csv"
    users.write_text(
        "id,email,phone\n"
        "CT-1,ann@x.example.com,(201) 555-0100\n"
        "CT-2,bo@x.example.com,(201) 555-0100\n"
        ",,(201) 555-0100\n"
        "CT-1,ann@x.example.com,\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "contacts.mapping.yaml"
    mapping.write_text(
        yaml.safe_dump({"recipient": "id", "profile": {"email": "email", "phone_number": "phone"}}),
        encoding="utf-8",
    )
    return users, mapping


def statuses(path: Path) -> list[str]:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")["bulk_status"].tolist()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], ["ready", "ready", "ready", "duplicate"]),  # the switchboard's own row: whose is unknown
        (["--keys", "user_id,email,phone"], ["ready", "ready", "ready", "duplicate"]),
        (["--keys", "user_id"], ["ready", "ready", "ready", "duplicate"]),
        (["--keys", "phone"], ["ready", "duplicate", "duplicate", "ready"]),
        (["--keys", "phone,email"], ["ready", "ready", "ready", "duplicate"]),
    ],
)
def test_check_takes_keys(
    switchboard_files: tuple[Path, Path],
    tmp_path: Path,
    keys: list[str],
    expected: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    users, mapping = switchboard_files
    out = tmp_path / "out.csv"
    status = main(["check", str(users), "--mapping", str(mapping), "--out", str(out), *keys])
    capsys.readouterr()
    assert status == 1
    assert statuses(out) == expected


@pytest.mark.parametrize("command", [["check"], ["submit", "--event", "E", "--dry-run"]])
@pytest.mark.parametrize("keys", ["user_id,mail", "", "USER_ID"])
def test_unknown_keys_exit_2_naming_the_allowed_kinds(
    switchboard_files: tuple[Path, Path], command: list[str], keys: str, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = switchboard_files
    status = main([command[0], str(users), "--mapping", str(mapping), *command[1:], "--keys", keys])
    err = capsys.readouterr().err
    assert status == 2
    assert "argument --keys: keys must be identity kinds among 'user_id', 'email', 'phone', not " in err


def test_submit_dry_run_takes_keys(
    switchboard_files: tuple[Path, Path],
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    users, mapping = switchboard_files
    args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--dry-run", "--no-progress"]
    assert main([*args, "--keys", "phone"]) == 1
    assert "1 batch(es) of 2 user(s) would be sent" in capsys.readouterr().out
    assert statuses(tmp_path / "contacts.planned.csv") == ["ready", "duplicate", "duplicate", "ready"]
    assert main(args) == 1
    assert "1 batch(es) of 3 user(s) would be sent" in capsys.readouterr().out


# --- the corpus of real exports ------------------------------------------------------------------------


LAYOUTS = {layout.name: layout for layout in corpus_module("make_exports").layouts()}


def _expected(name: str) -> dict[int, dict[str, str]]:
    with open(CORPUS / "expected" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return {int(record["line"]): record for record in csv.DictReader(handle)}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_corpus_duplicates_are_the_planted_ones(name: str) -> None:
    """Among the records the corpus expects sent or dropped as duplicates, exactly the planted
    duplicates are flagged, the rest of the file's outcomes taken as the corpus states them."""
    layout = LAYOUTS[name]
    expected = _expected(name)
    mapping = Mapping.load(CORPUS / f"{name}.mapping.yaml")
    mapped = mapping.apply(with_row_keys(read_csv(CORPUS / layout.file_name)))
    targets = normalize(mapped.targets, region=layout.region, mapping=mapping).targets
    taking_part = {line for line, record in expected.items() if record["status"] in ("ready", "duplicate")}
    flags = flag_duplicates(
        targets, exclude=pd.Series(~targets.index.isin(list(taking_part)), index=targets.index)
    )
    flagged = set(flags.index[flags["bulk_duplicate_of"].notna()])
    assert flagged == {line for line in taking_part if expected[line]["status"] == "duplicate"}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_corpus_rows_that_are_not_duplicates_are_never_flagged(name: str) -> None:
    layout = LAYOUTS[name]
    expected = _expected(name)
    prepared = prepare(
        read_csv(CORPUS / layout.file_name), CORPUS / f"{name}.mapping.yaml", region=layout.region
    )
    duplicate = prepared.df.loc[prepared.df["bulk_status"] == "duplicate", "bulk_row"].tolist()
    assert [line for line in duplicate if expected[line]["status"] != "duplicate"] == []


def test_b2b_switchboard_contacts_are_each_their_own_person() -> None:
    layout = LAYOUTS["b2b_shared_switchboard"]
    expected = _expected("b2b_shared_switchboard")
    prepared = prepare(
        read_csv(CORPUS / layout.file_name),
        CORPUS / "b2b_shared_switchboard.mapping.yaml",
        region=layout.region,
    )
    rows = prepared.df.set_index("bulk_row")
    switchboard = [line for line, record in expected.items() if "switchboard shared" in record["why"]]
    assert len(switchboard) == 24
    assert (rows.loc[switchboard, "bulk_status"] != "duplicate").all()
    # The same id and email exported twice is still one person, with the id's message.
    assert expected[28]["status"] == "duplicate"
    assert rows.loc[28, "bulk_status"] == "duplicate"
    assert rows.loc[28, "bulk_duplicate_of"] == 2
    assert rows.loc[28, "bulk_error"].startswith(
        "recipient: same user id as row 2 (CT-50100), so only row 2 is sent"
    )
    # With the phone as the only key, the switchboards merge again (the old behaviour, on request).
    merged = prepare(
        read_csv(CORPUS / layout.file_name),
        CORPUS / "b2b_shared_switchboard.mapping.yaml",
        region=layout.region,
        keys="phone",
    ).df.set_index("bulk_row")
    assert (merged.loc[[3, 4, 21], "bulk_status"] == "duplicate").all()


def test_a_fullwidth_email_is_a_duplicate_but_sent_as_written() -> None:
    fullwidth = "\uff41\uff4c\uff49\uff43\uff45@example.com"
    users = pd.DataFrame({"email": [fullwidth, "alice@example.com"]})
    prepared = prepare(users, {"profile": {"email": "email"}}).df
    assert prepared["bulk_status"].tolist() == ["ready", "duplicate"]
    assert prepared["bulk_user"].iloc[0] == {"profile": {"email": fullwidth}}
