# -*- coding: utf-8 -*-
"""plugin_utils/watchdog.py: the run record a backup leaves on the cluster, and the watchdog's timing rules."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import watchdog

NONCE = "0123456789abcdef0123456789abcdef"
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
MAP = {"cluster": "CLU1", "run_id": "r1", "owners": {"Disk 1": "NODE1", "Disk 2": "NODE2", "Disk 3": "NODE1"},
       "moves": [{"csv": "Disk 3", "from": "NODE1", "to": "NODE2"}],
       "reads": {"NODE1": [{"csv": "Disk 1", "bytes": 10}], "NODE2": [{"csv": "Disk 2"}, {"csv": "Disk 3"}]},
       "method": "copy"}


def test_the_record_names_every_csv_the_run_may_touch_and_their_owners_before_it():
    record = watchdog.build_record(MAP, "r1", NONCE, LOCK, 900)
    assert record["csvs"] == ["Disk 1", "Disk 2", "Disk 3"]
    assert record["owners"] == MAP["owners"] and record["moves"] == MAP["moves"]
    assert (record["state"], record["after_s"], record["lock"]) == ("active", 900, LOCK)
    assert record["task"] == "wsfc.csv watchdog " + NONCE
    assert record["reads"] == MAP["reads"]  # as planned: the restore entry point clears their jobs by index
    # The node fills the times in; the properties exist so that a script can set them.
    assert record["created"] is None and record["updated"] is None and record["undo"] is None


def test_the_digest_changes_with_the_plan_and_not_with_the_times():
    first = watchdog.build_record(MAP, "r1", NONCE, LOCK, 900)
    stamped = dict(first, created="2026-12-02T01:00:00Z", updated="2026-12-02T01:05:00Z")
    assert watchdog.digest(stamped) == first["digest"]
    replanned = watchdog.build_record(dict(MAP, reads={"NODE1": [{"csv": "Disk 1"}, {"csv": "Disk 2"}]}), "r1",
                                      NONCE, LOCK, 900)
    assert replanned["digest"] != first["digest"]


def test_a_map_without_a_cluster_is_refused():
    with pytest.raises(watchdog.WatchdogError, match="no cluster name"):
        watchdog.build_record(dict(MAP, cluster=""), "r1", NONCE, LOCK, 900)


def test_paths_live_beside_the_lock():
    files = watchdog.paths(LOCK, NONCE)
    assert files["record"] == "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\run-%s.json" % NONCE
    assert files["script"].endswith("\\watchdog-%s.ps1" % NONCE)
    assert files["heartbeat"].endswith("\\heartbeat-%s.json" % NONCE)


@pytest.mark.parametrize("after, interval, move, poll, wanted", [
    (900, 60, 300, 10, []),
    (300, 60, 300, 10, ["longer than the move timeout"]),
    (200, 60, None, None, ["at least 300 s"]),
    (900, 30, None, None, ["interval must be 60 to 3600"]),
    (400, 60, 10, 200, ["longer than three poll intervals"]),
])
def test_the_timing_never_lets_the_watchdog_undo_a_live_run(after, interval, move, poll, wanted):
    errors = watchdog.check_timing(after, interval, move_timeout=move, poll_interval=poll)
    assert len(errors) == len(wanted)
    for error, text in zip(errors, wanted):
        assert text in error


def test_parse_record_refuses_what_is_not_a_run_record():
    record = watchdog.build_record(MAP, "r1", NONCE, LOCK, 900)
    assert watchdog.parse_record("\ufeff" + json.dumps(record))["run_id"] == "r1"
    for text in (None, "", "{torn", json.dumps({"kind": "other"}), json.dumps(dict(record, state="weird"))):
        assert watchdog.parse_record(text) is None


def test_undo_lines_say_what_each_node_and_the_finisher_did():
    record = dict(watchdog.build_record(MAP, "r1", NONCE, LOCK, 900), state="undone",
                  updated="2026-12-02T01:00:00Z")
    record["undo"] = {"by": "NODE2", "started": "2026-12-02T01:16:00Z", "finished": "2026-12-02T01:16:30Z",
                      "nodes": {"NODE1": {"tasks": ["csv-r1-000"], "snapshots": ["{A}"], "kept": [], "errors": []},
                                "NODE2": {"tasks": [], "snapshots": [], "kept": [{"id": "{B}"}], "errors": []}},
                      "moves": [{"csv": "Disk 3", "from": "NODE2", "to": "NODE1", "ok": True},
                                {"csv": "Disk 9", "from": "NODE2", "to": "NODE3", "ok": False, "error": "NODE3 is not Up"}],
                      "lock": "released", "errors": []}
    lines = watchdog.undo_lines(record)
    assert lines[0] == "the watchdog undid run r1 of CLU1 on NODE2 (2026-12-02T01:16:00Z to 2026-12-02T01:16:30Z)"
    assert "  NODE1: removed task(s) csv-r1-000; deleted snapshot(s) {A}" in lines
    assert "  NODE2: removed task(s) none; deleted snapshot(s) none; kept {B}" in lines
    assert "  Disk 3: NODE2 -> NODE1 moved back" in lines
    assert "  Disk 9: NODE2 -> NODE3 NOT moved back: NODE3 is not Up" in lines
    assert lines[-1] == "  lock: released"
    assert watchdog.took_seconds(record) == 990
    assert watchdog.undo_lines(dict(record, undo=None)) == []


def test_the_installed_script_is_the_collections_and_names_its_run_by_its_file_name():
    text = watchdog.script_text()
    assert "watchdog-([0-9a-f]{32})" in text and "$PSCommandPath" in text
    assert "Register-ClusteredScheduledTask" in text and "Unregister-ClusteredScheduledTask -TaskName" in text


def test_a_record_the_watchdog_ended_says_it_undid_nothing():
    record = dict(watchdog.build_record(MAP, "r1", NONCE, LOCK, 900), state="ended")
    record["undo"] = {"by": "NODE1", "started": "t", "finished": "2026-12-02T01:16:30Z", "nodes": {}, "moves": [],
                      "lock": "not this run's", "errors": []}
    assert watchdog.parse_record(json.dumps(record))["state"] == "ended"
    assert watchdog.undo_lines(record) == ["the watchdog of run r1 of CLU1 found the lock gone or another run's on "
                                           "NODE1 (2026-12-02T01:16:30Z), undid nothing and removed itself"]
