# -*- coding: utf-8 -*-
"""Unit tests of the backup lock's pure logic: parsing, ages by the node's clock, stale decisions, messages, diff."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import (
    BREAK_VAR,
    default_owner,
    describe,
    diff,
    format_age,
    held_message,
    holder_text,
    lock_path,
    parse_lock,
    parse_time,
    public,
    release_refused,
)

LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"


def _text(**fields):
    record = {"run_id": "20261125T0200Z-ab12", "owner": "alice@ctl pid 4242", "created": "2026-11-25T02:00:00Z",
              "node": "NODE1"}
    record.update(fields)
    return json.dumps(record)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25T02:00:00Z", "2026-11-25T02:00:00+00:00"),
    ("2026-11-25T02:00:00.1234567Z", "2026-11-25T02:00:00.123456+00:00"),
    ("2026-11-25T03:30:00+01:30", "2026-11-25T02:00:00+00:00"),
    ("2026-11-24T21:00:00-0500", "2026-11-25T02:00:00+00:00"),
    ("2026-11-25T02:00:00", "2026-11-25T02:00:00+00:00"),
])
def test_parse_time(text, expected):
    assert parse_time(text).isoformat() == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2026-13-45T99:00:00Z", 12])
def test_parse_time_rejects(text):
    assert parse_time(text) is None


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (59, "59 s"), (60, "1 min"), (4320, "1 h 12 min"),
                                           (7200, "2 h"), (86400 * 3 + 3600 * 4, "3 d 4 h"), (86400, "1 d"),
                                           (-5, "0 s"), (None, "an unknown time")])
def test_format_age(seconds, text):
    assert format_age(seconds) == text


def test_paths_and_owner():
    assert lock_path("C:\\ClusterStorage\\Volume1\\") == LOCK == lock_path("C:\\ClusterStorage\\Volume1")
    assert default_owner("alice", "ctl", 4242) == "alice@ctl pid 4242"
    assert default_owner(None, None, 1) == "unknown@unknown pid 1"


def test_age_comes_from_the_node_clock_only():
    lock = parse_lock(_text())
    fresh = describe(lock, LOCK, "2026-11-25T03:12:00.0000000Z", 43200)
    assert fresh["age_s"] == 4320 and fresh["stale"] is False
    # The same instant written in another zone gives the same age: the controller's zone never enters.
    assert describe(lock, LOCK, "2026-11-25T04:12:00+01:00", 43200)["age_s"] == 4320
    assert describe(lock, LOCK, "2026-11-25T03:12:00Z", 4319)["stale"] is True
    assert describe(lock, LOCK, "2026-11-25T03:12:00Z", 4320)["stale"] is False
    # A node clock behind the creation time (another node took it) is age 0, not negative.
    assert describe(lock, LOCK, "2026-11-25T01:00:00Z", 0)["age_s"] == 0


def test_invalid_lock_is_unknown_and_aged_by_last_write():
    lock = parse_lock("{not json", "2026-11-25T00:00:00.0000000Z")
    assert lock == {"version": None, "nonce": None, "run_id": None, "owner": "unknown",
                    "created": "2026-11-25T00:00:00Z", "node": None, "valid": False}
    aged = describe(lock, LOCK, "2026-11-25T13:00:00Z", 43200)
    assert aged["age_s"] == 13 * 3600 and aged["stale"] is True
    assert parse_lock(json.dumps([1, 2]))["owner"] == "unknown"
    assert parse_lock(_text(run_id=""))["valid"] is False
    assert describe(parse_lock("x", None), LOCK, "2026-11-25T13:00:00Z", 0)["stale"] is False


def test_values_are_kept_verbatim():
    nasty = "'; Remove-Item C:\\ -Recurse # $(whoami)"
    lock = parse_lock(_text(run_id=nasty, owner=nasty))
    assert lock["run_id"] == nasty and lock["owner"] == nasty


def test_held_message_names_everything_and_what_to_do():
    lock = describe(parse_lock(_text()), LOCK, "2026-11-25T03:12:00Z", 43200)
    msg = held_message(lock, "NODE3 of cluster CLUSTER1", 43200)
    for part in (LOCK, "NODE3 of cluster CLUSTER1", "alice@ctl pid 4242", "run 20261125T0200Z-ab12",
                 "since 2026-11-25T02:00:00Z", "1 h 12 min ago", "Another backup of this cluster is running",
                 "wait for it to finish"):
        assert part in msg, part
    assert "is stale" not in msg
    stale = describe(parse_lock(_text()), LOCK, "2026-11-26T03:12:00Z", 43200)
    msg = held_message(stale, "NODE3", 43200)
    assert "stale" in msg and "break_stale=true" in msg and BREAK_VAR in msg and "1 d 1 h ago" in msg


def test_release_refused_and_holder_text():
    lock = describe(parse_lock("garbage", "2026-11-25T02:00:00Z"), LOCK, "2026-11-25T02:00:30Z", 10)
    text = holder_text(lock)
    assert text.startswith("unknown (not a valid lock file) since 2026-11-25T02:00:00Z, 30 s ago")
    msg = release_refused(describe(parse_lock(_text()), LOCK, "2026-11-25T02:00:00Z", 10), "NODE2", "mine")
    assert "not by this run (run mine" in msg and "force=true" in msg and "left in place" in msg


def test_diff_and_public():
    lock = describe(parse_lock(_text()), LOCK, "2026-11-25T02:00:00Z", 10)
    assert diff(LOCK, None, lock) == {
        "before": {"path": LOCK, "run_id": None, "owner": None},
        "after": {"path": LOCK, "run_id": "20261125T0200Z-ab12", "owner": "alice@ctl pid 4242"}}
    assert set(public(lock)) == {"path", "nonce", "run_id", "owner", "created", "node", "heartbeat", "age_s",
                                 "idle_s", "stale"}
    assert public(None) is None


# ---- nonce, heartbeat, decisions (issue 17) ------------------------------------------------------------------

NONCE = "0123456789abcdef" * 2
OTHER = "f" * 32


def _v2(nonce=NONCE, run_id="run-1", created="2026-11-25T02:00:00Z"):
    return json.dumps({"version": 2, "nonce": nonce, "run_id": run_id, "owner": "o", "created": created,
                       "node": "NODE1"}, separators=(",", ":"))


def _beat(nonce=NONCE, time="2026-11-25T05:00:00.1234567Z"):
    return json.dumps({"nonce": nonce, "time": time, "node": "NODE2"})


def test_new_nonces_are_32_hex_digits_and_differ():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import new_nonce, valid_nonce
    made = set(new_nonce() for dummy in range(50))
    assert len(made) == 50 and all(valid_nonce(n) for n in made)
    for bad in (None, "", "A" * 32, "g" * 32, "a" * 33, "..\\x" + "a" * 28, 12):
        assert not valid_nonce(bad)


def test_a_lock_of_an_older_version_has_no_nonce_and_is_version_1():
    lock = parse_lock(_text())
    assert lock["version"] == 1 and lock["nonce"] is None and lock["valid"]
    assert parse_lock(_v2())["version"] == 2 and parse_lock(_v2())["nonce"] == NONCE
    assert parse_lock(_v2(nonce="not-hex"))["nonce"] is None


def test_stale_counts_from_the_last_heartbeat_not_from_creation():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import parse_heartbeat
    lock = parse_lock(_v2(created="2026-11-25T02:00:00Z"))
    beat = parse_heartbeat(_beat(time="2026-11-26T01:59:00Z"), None, NONCE)
    # a run taken 24 h ago whose last poll was a minute ago is not stale with stale_after 30 min
    aged = describe(lock, LOCK, "2026-11-26T02:00:00Z", 1800, heartbeat=beat)
    assert aged["age_s"] == 24 * 3600 and aged["idle_s"] == 60 and aged["stale"] is False
    assert aged["heartbeat"] == "2026-11-26T01:59:00Z"
    # no heartbeat for 31 minutes: stale
    assert describe(lock, LOCK, "2026-11-26T02:30:01Z", 1800, heartbeat=beat)["stale"] is True
    # without a heartbeat file the creation time is the last sign of life
    assert describe(lock, LOCK, "2026-11-25T02:29:00Z", 1800)["stale"] is False
    assert describe(lock, LOCK, "2026-11-25T02:31:00Z", 1800)["stale"] is True


def test_a_heartbeat_of_another_nonce_or_torn_counts_from_its_write_time():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import parse_heartbeat
    assert parse_heartbeat(_beat(nonce=OTHER), "2026-11-25T03:00:00Z", NONCE) == "2026-11-25T03:00:00Z"
    assert parse_heartbeat('{"nonce": "01', "2026-11-25T03:00:00Z", NONCE) == "2026-11-25T03:00:00Z"
    assert parse_heartbeat(None, "2026-11-25T03:00:00Z", NONCE) is None
    assert parse_heartbeat(_beat(), None, NONCE) == "2026-11-25T05:00:00Z"


def test_decide_ours_reused_held_and_break():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import decide
    fresh = describe(parse_lock(_v2()), LOCK, "2026-11-25T02:01:00Z", 1800)
    stale = describe(parse_lock(_v2()), LOCK, "2026-11-25T03:00:00Z", 1800)
    assert decide(fresh, NONCE, "run-1", False) == "ours"
    assert decide(stale, NONCE, "run-1", True) == "ours"          # our own lock is never broken
    assert decide(fresh, OTHER, "run-1", True) == "reused"        # same run id, another nonce: refused
    assert decide(fresh, OTHER, "run-2", True) == "held"          # fresh heartbeat: never broken
    assert decide(stale, OTHER, "run-2", False) == "held"
    assert decide(stale, OTHER, "run-2", True) == "break"
    assert decide(stale, OTHER, "run-1", True) == "break"         # a stale lock of a dead run with our run id
    legacy = describe(parse_lock(_text()), LOCK, "2026-11-25T02:01:00Z", 1800)
    assert decide(legacy, NONCE, "20261125T0200Z-ab12", False) == "reused"  # an old lock is nobody's nonce


def test_the_reused_run_id_and_elsewhere_messages_say_what_to_do():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import elsewhere_message, reused_message
    lock = describe(parse_lock(_v2()), LOCK, "2026-11-25T02:01:00Z", 1800)
    msg = reused_message(lock, "NODE1", "run-1", 1800)
    assert "same run id run-1" in msg and "Give each run its own run id" in msg and "30 min" in msg
    other = "C:\\ClusterStorage\\Volume0\\.wsfc.csv\\backup.lock"
    msg = elsewhere_message(LOCK, [other], "NODE1")
    assert other in msg and LOCK in msg and "force=true" in msg and "Nothing was taken" in msg


def test_the_default_stale_after_is_far_above_the_poll_interval_and_a_move():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import DEFAULT_STALE_AFTER
    assert DEFAULT_STALE_AFTER >= 100 * 10 and DEFAULT_STALE_AFTER >= 5 * 300
