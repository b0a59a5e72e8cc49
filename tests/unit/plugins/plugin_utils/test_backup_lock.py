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
    assert lock == {"run_id": None, "owner": "unknown", "created": "2026-11-25T00:00:00Z", "node": None,
                    "valid": False}
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
    assert "not by run mine" in msg and "force=true" in msg and "left in place" in msg


def test_diff_and_public():
    lock = describe(parse_lock(_text()), LOCK, "2026-11-25T02:00:00Z", 10)
    assert diff(LOCK, None, lock) == {
        "before": {"path": LOCK, "run_id": None, "owner": None},
        "after": {"path": LOCK, "run_id": "20261125T0200Z-ab12", "owner": "alice@ctl pid 4242"}}
    assert set(public(lock)) == {"path", "run_id", "owner", "created", "node", "age_s", "stale"}
    assert public(None) is None
