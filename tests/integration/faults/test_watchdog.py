# -*- coding: utf-8 -*-
"""A controller that dies in the middle of a backup (issue 17): the cluster undoes the run by itself.

Each scenario starts the real csv_backup playbook against the lab, kills it (SIGKILL of the playbook and of every
worker, as a lost controller or a deleted execution environment pod; or SIGTERM, as an AWX Cancel) after its moves
and during its jobs, and then does nothing more from the controller. The lab alone must bring the cluster back:
its clustered scheduled task runs the run's watchdog script on the nodes, in modelled time. Everything is checked
from the lab's state and events: ownership as before the run, no snapshot, no task, no lock, no watchdog, and the
run record on the CSV saying what was undone.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import backup_run as run  # pylint: disable=import-error
from conftest import module_result, running_lab  # pylint: disable=import-error

# Time scale 50: the watchdog undoes a run 1500 modelled seconds (30 s of wall time) after its last heartbeat, and
# runs every 60 modelled seconds (1.2 s). Cluster Disk 1 takes 400 modelled seconds to read (8 s), so the run is
# killed while it still reads.
SCALE = ("--time-scale", "50")
AFTER = 1500
WATCHDOG = ("-e", "csv_backup_watchdog_after=%d" % AFTER, "-e", "csv_backup_watchdog_interval=60")


@pytest.fixture()
def lab2(tmp_path):
    with running_lab("two-node", tmp_path / "lab", *SCALE) as lab:
        yield lab


def _tree(pid):
    """``pid`` and every process below it (ansible-core's workers run in sessions of their own, so a signal to the
    playbook's process group does not reach them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _start_and_wait_for_reads(lab, report_dir, *extra):
    before, mark = run.owners(lab), len(lab.events())
    process = run.start_backup(lab, report_dir, "-e", "csv_backup_strategy=balanced", *WATCHDOG, *extra)
    try:
        state = run.wait_until(lab, lambda s: len(s["reads"]) >= 2, timeout=180, what="the run's reads")
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    moved = [e["args"]["csv"] for e in lab.events()[mark:] if e["op"] == "csv.move" and e.get("changed")]
    assert moved and run.owners(lab) != before and state["snapshots"] and state["clustered_tasks"]
    return process, before, mark


def _kill(process, number):
    """SIGKILL: the playbook and every worker at once (nothing of the controller survives). SIGTERM: to the playbook's
    process group only, as AWX cancels a job; ansible-playbook passes it on to its workers."""
    if number == signal.SIGKILL:
        for pid in _tree(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    else:
        os.killpg(process.pid, number)
    process.communicate(timeout=120)
    killed = time.monotonic()
    # nothing of the controller is left running
    assert all(not os.path.exists("/proc/%d" % pid) for pid in _tree(process.pid)[1:])
    return killed


def _undone(lab, timeout):
    """Wait until the watchdog has undone the run: no clustered task, lock file, or snapshot or job on an Up node (a
    Down node keeps what it had: nothing can reach it)."""
    def done(state):
        files = [f for fs in state["csv_files"].values() for f in fs]
        up = [n for n, node in state["nodes"].items() if node["state"] == "Up"]
        return (not state["clustered_tasks"] and not [s for s in state["snapshots"] if s["node"] in up]
                and not [j for j in state["jobs"] if j["node"] in up]
                and not [f for f in files if f.lower().endswith("\\backup.lock")])
    return run.wait_until(lab, done, timeout=timeout, what="the watchdog to undo the run")


def _record(lab, report_dir, node="BR-NODE2"):
    """The run record the watchdog left, read through the module (the run's nonce is in its ownership.json)."""
    saved = sorted(report_dir.glob("BRANCH-*/ownership.json"))
    assert len(saved) == 1, saved
    nonce = json.loads(saved[0].read_text())["lock_nonce"]
    result = module_result(lab.ansible(node, "wsfc.csv.backup_watchdog", "-a",
                                       json.dumps({"state": "query", "nonce": nonce})))
    assert not result.get("failed"), result
    return nonce, result


def _assert_cluster_as_before(lab, before, report_dir, nonce, result, mark):
    assert run.owners(lab) == before
    state = lab.state()
    assert state["snapshots"] == [] and state["jobs"] == [] and state["clustered_tasks"] == []
    # Only the lock's marker and the run record stay on the CSVs (no lock, heartbeat, script or working file).
    files = sorted(f.rsplit("\\", 1)[1] for fs in state["csv_files"].values() for f in fs)
    assert files == ["lock.home", "run-%s.json" % nonce], files
    record = result["record"]
    assert record["state"] == "undone" and result["undone"] is True and not result["armed"]
    undo = record["undo"]
    assert undo["lock"] == "released" and undo["errors"] == []
    assert all(m["ok"] for m in undo["moves"]) and undo["moves"]
    removed = [t for part in undo["nodes"].values() for t in part["tasks"]]
    deleted = [s for part in undo["nodes"].values() for s in part["snapshots"]]
    assert removed and deleted
    # From the lab's events: after the kill, every change was made by the watchdog's task, none by the controller.
    task = "wsfc.csv watchdog " + nonce
    changing = ("csv.move", "snap.delete", "task.unregister", "ctask.unregister")
    changes = [e for e in lab.events()[mark:] if e["op"] in changing and e.get("changed", True)]
    assert changes and all(e.get("task") == task for e in changes), [(e["op"], e.get("task")) for e in changes]
    fired = [e for e in lab.events()[mark:] if e["op"] == "task.fire" and e["task"] == task]
    assert {e["node"] for e in fired} <= {"BR-NODE1", "BR-NODE2"} and fired
    # a new run could take the lock
    run.assert_nothing_left(lab, records=True)
    return undo


def test_a_run_killed_with_sigkill_during_its_jobs_is_undone_by_the_cluster(lab2, tmp_path):
    process, before, dummy = _start_and_wait_for_reads(lab2, tmp_path)
    _kill(process, signal.SIGKILL)
    run.wait_for_quiet(lab2, ("csv.move", "snap.create", "task.start"))  # what the dead run had already sent
    mark = len(lab2.events())
    _undone(lab2, timeout=AFTER / 50 + 90)
    nonce, result = _record(lab2, tmp_path)
    _assert_cluster_as_before(lab2, before, tmp_path, nonce, result, mark)
    # The watchdog waited for the heartbeat to age: from the run's last heartbeat to the end of the undo, at least
    # `after` modelled seconds passed, and less than after plus a few intervals.
    took = result["undo_took_s"]
    assert took is not None and AFTER <= took + 60, result["record"]


def test_a_run_cancelled_with_sigterm_hands_over_and_is_undone_at_once(lab2, tmp_path):
    process, before, dummy = _start_and_wait_for_reads(lab2, tmp_path)
    mark = len(lab2.events())
    _kill(process, signal.SIGTERM)
    # The controller's last change: the heartbeat, rewritten (marked expired) by the queue as it stopped.
    beats = [e for e in lab2.events()[mark:] if e["op"] == "fs.replace" and "task" not in e
             and "\\heartbeat-" in e["args"]["dest"]]
    assert beats, "the queue did not rewrite the heartbeat on SIGTERM"
    _undone(lab2, timeout=60)
    nonce, result = _record(lab2, tmp_path)
    _assert_cluster_as_before(lab2, before, tmp_path, nonce, result, mark)
    # Handed over: by the lab's modelled clock, the watchdog removed itself within a few intervals of the hand-over,
    # long before the heartbeat could have aged (the record's undo_took_s counts from its arming, not from the kill).
    ended = [e for e in lab2.events()[mark:] if e["op"] == "ctask.unregister"]
    assert ended and ended[0]["t"] - beats[-1]["t"] < AFTER / 2, (beats[-1]["t"], ended[:1])


def test_the_node_that_armed_the_watchdog_going_down_does_not_stop_it(tmp_path):
    with running_lab("four-node-10gbe", tmp_path / "lab", *SCALE) as lab:
        process, before, mark = _start_and_wait_for_reads(lab, tmp_path)
        armed = [e for e in lab.events()[mark:] if e["op"] == "ctask.register"]
        assert len(armed) == 1
        _kill(process, signal.SIGTERM)
        lab.fault("node_down", node=armed[0]["node"])
        down = armed[0]["node"]
        _undone(lab, timeout=90)
        saved = sorted(tmp_path.glob("*/ownership.json"))
        nonce = json.loads(saved[0].read_text())["lock_nonce"]
        up = sorted(n for n, node in lab.state()["nodes"].items() if node["state"] == "Up")
        result = module_result(lab.ansible(up[0], "wsfc.csv.backup_watchdog", "-a",
                                           json.dumps({"state": "query", "nonce": nonce})))
        undo = result["record"]["undo"]
        assert result["record"]["state"] == "undone" and undo["lock"] == "released", result
        assert down not in undo["nodes"] and sorted(undo["nodes"]) == up
        # Every CSV whose owner before the run is Up is back there; the Down node's CSVs failed over, and the
        # watchdog says why it left them where they are.
        now = run.owners(lab)
        for csv, owner in before.items():
            if owner != down:
                assert now[csv] == owner, (csv, now[csv], owner)
        for move in undo["moves"]:
            assert move["ok"] or move["error"] == "%s is not Up" % down
        state = lab.state()
        assert [s for s in state["snapshots"] if s["node"] in up] == []
        assert [j for j in state["jobs"] if j["node"] in up] == [] and state["clustered_tasks"] == []
