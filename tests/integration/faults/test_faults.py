# -*- coding: utf-8 -*-
"""Faults during a backup run (issue 5): the real csv_backup playbook against the lab, with a fault injected.

Each scenario checks the lab's own state and event log afterwards, not only the
play's exit code: the run ends with a clear message; ownership is back as it
was for every node still Up; no snapshot, job or lock of ours remains; the
report says exactly which CSVs were backed up and which were not.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import backup_run as run  # pylint: disable=import-error
from conftest import module_result, running_lab  # pylint: disable=import-error

# Two nodes; Cluster Disk 1 takes 400 modelled s to read (8 s of wall time at time scale 50), long enough to
# inject a fault while it is being read.
TWO_NODES = "two-node"
SCALE = ("--time-scale", "50")


@pytest.fixture()
def lab2(tmp_path):
    with running_lab(TWO_NODES, tmp_path / "lab", *SCALE) as lab:
        yield lab


def _fail_over_during_read(lab, report_dir, *extra):
    """Run a coordinator-strategy backup and fail Cluster Disk 1 over to BR-NODE2 while BR-NODE1 reads it."""
    process = run.start_backup(lab, report_dir, "-e", "csv_backup_strategy=coordinator", *extra)
    try:
        run.wait_until(lab, run.reading("Cluster Disk 1", "BR-NODE1"), what="the read of Cluster Disk 1")
        lab.fault("csv_failover", csv="Cluster Disk 1", to="BR-NODE2")
    finally:
        code, stdout, stderr = run.finish(process)
    return code, stdout, stderr


def test_a_csv_failed_over_during_its_backup_is_backed_up_again_on_its_new_coordinator(lab2, tmp_path):
    before, mark = run.owners(lab2), len(lab2.events())
    code, stdout, stderr = _fail_over_during_read(lab2, tmp_path)
    assert code == 0, stdout[-5000:] + stderr[-2000:]
    reads = run.reads(lab2, mark)
    disk1 = [e for e in reads if e["csv"] == "Cluster Disk 1"]
    # The first read broke; the second ran on the new coordinator, locally, to the end.
    assert [(e["node"], e["read"], e["ok"]) for e in disk1] == [("BR-NODE1", "local", False), ("BR-NODE2", "local", True)]
    assert all(e["ok"] for e in reads if e["csv"] != "Cluster Disk 1")
    report, dummy = run.report(tmp_path)
    job = run.jobs_by_csv(report)["Cluster Disk 1"]
    assert job["state"] == "succeeded" and job["node"] == "BR-NODE2" and job["attempts"] == 1
    assert report["summary"]["result"] == "succeeded"
    assert any("failed it over from BR-NODE1 to BR-NODE2" in w for w in report["warnings"])
    attempts = [e for e in report["timeline"]["BR-NODE1"] if e["csv"] == "Cluster Disk 1"]
    assert attempts and attempts[0]["attempt"] is True
    # The cluster moved it; the run put it back.
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_with_on_failover_fail_the_csv_is_reported_and_the_others_carry_on(lab2, tmp_path):
    before, mark = run.owners(lab2), len(lab2.events())
    code, stdout, stderr = _fail_over_during_read(lab2, tmp_path, "-e", "csv_backup_on_failover=fail")
    assert code != 0
    assert "Not backed up: Cluster Disk 1." in stdout
    report, dummy = run.report(tmp_path)
    jobs = run.jobs_by_csv(report)
    assert jobs["Cluster Disk 1"]["state"] == "failed"
    assert "failed it over from BR-NODE1 to BR-NODE2" in jobs["Cluster Disk 1"]["message"]
    assert "not re-planned" in jobs["Cluster Disk 1"]["message"]
    assert jobs["Cluster Disk 2"]["state"] == "succeeded" and jobs["Cluster Disk 3"]["state"] == "succeeded"
    assert len([e for e in run.reads(lab2, mark) if e["csv"] == "Cluster Disk 1"]) == 1
    assert run.owners(lab2) == before and report["summary"]["ownership_restored"] is True
    run.assert_nothing_left(lab2)


def test_the_node_running_a_backup_goes_down_and_its_csvs_are_backed_up_on_their_new_coordinator(lab2, tmp_path):
    """BR-NODE1 (also the facts node) goes Down while it reads: the clean-up goes through BR-NODE2."""
    mark = len(lab2.events())
    process = run.start_backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator")
    try:
        run.wait_until(lab2, run.reading("Cluster Disk 1", "BR-NODE1"), what="the read of Cluster Disk 1")
        lab2.fault("node_down", node="BR-NODE1")
    finally:
        code, stdout, stderr = run.finish(process)
    state = lab2.state()
    assert state["nodes"]["BR-NODE1"]["state"] == "Down"
    report, dummy = run.report(tmp_path)
    jobs = run.jobs_by_csv(report)
    # The cluster failed BR-NODE1's CSVs over to BR-NODE2; the run backed them up there, locally.
    assert all(jobs[name]["state"] == "succeeded" for name in jobs), jobs
    assert jobs["Cluster Disk 1"]["node"] == "BR-NODE2" and jobs["Cluster Disk 2"]["node"] == "BR-NODE2"
    finished = [e for e in run.reads(lab2, mark) if e["ok"]]
    assert sorted((e["csv"], e["node"], e["read"]) for e in finished) == [
        ("Cluster Disk 1", "BR-NODE2", "local"), ("Cluster Disk 2", "BR-NODE2", "local"),
        ("Cluster Disk 3", "BR-NODE2", "local")]
    # Their owner is Down: they stay on BR-NODE2, and the report says why; that counts as restored.
    assert any("stays on BR-NODE2: its original owner BR-NODE1 is Down" in w for w in report["warnings"])
    assert report["summary"]["ownership_restored"] is True
    assert code == 0, stdout[-5000:] + stderr[-2000:]
    run.assert_nothing_left(lab2)  # the lock is probed through BR-NODE2, the node still Up


def test_the_coordinator_of_a_csv_read_over_smb_goes_down_after_its_snapshot(lab2, tmp_path):
    """BR-NODE2 reads BR-NODE1's CSVs over SMB from snapshots on BR-NODE1, which goes Down (with the snapshots)."""
    mark = len(lab2.events())
    process = run.start_backup(lab2, tmp_path, "-e", "csv_backup_strategy=remote", "-e", "csv_backup_node=BR-NODE2")
    try:
        run.wait_until(lab2, run.reading("Cluster Disk 1", "BR-NODE2"), what="the SMB read of Cluster Disk 1")
        lab2.fault("node_down", node="BR-NODE1")
    finally:
        code, stdout, stderr = run.finish(process)
    assert code == 0, stdout[-5000:] + stderr[-2000:]
    reads = run.reads(lab2, mark)
    broken = [e for e in reads if not e["ok"]]
    assert broken and all(e["read"] == "smb" and e["node"] == "BR-NODE2" for e in broken)
    assert sorted(e["csv"] for e in reads if e["ok"]) == ["Cluster Disk 1", "Cluster Disk 2", "Cluster Disk 3"]
    report, dummy = run.report(tmp_path)
    assert report["summary"]["result"] == "succeeded" and report["summary"]["ownership_restored"] is True
    assert any("failed it over from BR-NODE1 to BR-NODE2" in w for w in report["warnings"]), report["warnings"]
    run.assert_nothing_left(lab2)


def test_a_snapshot_deletion_that_fails_once_is_retried(lab2, tmp_path):
    lab2.fault("snapshot_delete_fails", node="BR-NODE2")
    mark = len(lab2.events())
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator")
    assert result.returncode == 0, result.stdout[-4000:]
    assert [e["op"] for e in lab2.events()[mark:] if e["op"].startswith("fault.")] == ["fault.snapshot_delete_fails"]
    run.assert_nothing_left(lab2)


def test_a_snapshot_that_cannot_be_deleted_is_reported_with_what_to_do(lab2, tmp_path):
    lab2.fault("snapshot_delete_fails", node="BR-NODE2", times=2)  # the queue tries twice
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator")
    assert result.returncode != 0
    report, dummy = run.report(tmp_path)
    left = lab2.state()["snapshots"]
    assert [s["csv"] for s in left] == ["Cluster Disk 3"]
    # The data was backed up; the snapshot left behind is an error of the run, named with the command to delete it.
    assert run.jobs_by_csv(report)["Cluster Disk 3"]["state"] == "succeeded"
    assert any(left[0]["id"] in e and "csv_snapshot state=absent" in e for e in report["errors"]), report["errors"]
    assert report["summary"]["result"] == "failed"
    deleted = lab2.ansible("BR-NODE2", "wsfc.csv.csv_snapshot", "-a", "name='Cluster Disk 3' state=absent")
    assert '"changed": true' in deleted.stdout, deleted.stdout


CHANGES = ("csv.move", "snap.create", "snap.delete", "task.register", "task.start", "task.stop", "task.unregister",
           "job.start")


def _no_change_since(lab, mark):
    """Nothing was moved, snapshotted, started, stopped or removed since event ``mark`` (a job's own end is not a
    change someone made)."""
    changes = [e for e in lab.events()[mark:] if e["op"] in CHANGES]
    assert not changes, changes


@pytest.mark.parametrize("fault", ["move_fails", "move_hangs"])
def test_a_move_that_fails_or_never_completes_stops_the_run_and_puts_back_what_moved(lab2, tmp_path, fault):
    before, mark = run.owners(lab2), len(lab2.events())
    plan = run.backup(lab2, tmp_path / "plan", "-e", "csv_backup_strategy=balanced", check=True)
    assert plan.returncode == 0, plan.stdout[-3000:]
    moved = run.report_plan_moves(plan.stdout)
    assert moved, "the balanced plan of the two-node lab moves a CSV"
    lab2.fault(fault, csv=moved[0])
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=balanced", "-e", "csv_backup_move_timeout=3")
    assert result.returncode != 0
    report, dummy = run.report(tmp_path)
    assert any(moved[0] in e and "failed" in e for e in report["errors"]), report["errors"]
    assert report["summary"]["csvs_backed_up"] == [] and report["summary"]["ownership_restored"] is True
    assert all("did not back it up" in j["message"] for j in report["jobs"])
    assert not [e for e in lab2.events()[mark:] if e["op"] == "backup.read"]
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_a_paused_backup_node_is_refused_before_anything_changes(lab2, tmp_path):
    lab2.fault("node_pause", node="BR-NODE2")
    mark = len(lab2.events())
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=consolidate", "-e", "csv_backup_node=BR-NODE2")
    assert result.returncode != 0
    assert "BR-NODE2" in result.stdout and "Paused" in result.stdout
    _no_change_since(lab2, mark)


@pytest.mark.parametrize("reason, words", [("diff_area_full", "Insufficient storage"),
                                           ("provider_missing", "provider")])
def test_a_snapshot_that_cannot_be_made_fails_only_its_csv(lab2, tmp_path, reason, words):
    before, mark = run.owners(lab2), len(lab2.events())
    lab2.fault("snapshot_fails", node="BR-NODE2", reason=reason)
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator")
    assert result.returncode != 0 and "Not backed up: Cluster Disk 3." in result.stdout
    report, dummy = run.report(tmp_path)
    jobs = run.jobs_by_csv(report)
    assert jobs["Cluster Disk 3"]["state"] == "failed"
    assert "BR-NODE2" in jobs["Cluster Disk 3"]["message"] and words.lower() in jobs["Cluster Disk 3"]["message"].lower()
    assert jobs["Cluster Disk 1"]["state"] == jobs["Cluster Disk 2"]["state"] == "succeeded"
    assert sorted(e["csv"] for e in run.reads(lab2, mark)) == ["Cluster Disk 1", "Cluster Disk 2"]
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_a_node_whose_vss_slot_another_product_holds_is_waited_for_and_the_run_succeeds(lab2, tmp_path):
    """Issue 12: only one shadow copy set can be in creation on a machine; while another product holds BR-NODE2's
    (300 s of lab time, 6 s here), its snapshot is tried again with backoff and taken once the slot frees."""
    before, mark = run.owners(lab2), len(lab2.events())
    lab2.fault("vss_busy", node="BR-NODE2", for_s=300, during="snapshot")  # from its first creation on
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator")
    assert result.returncode == 0, result.stdout[-4000:]
    creates = [e for e in lab2.events()[mark:] if e["op"] == "snap.create" and e["node"] == "BR-NODE2"]
    assert creates[0]["ok"] is False and creates[0]["hresult"] == "VSS_E_SNAPSHOT_SET_IN_PROGRESS"
    assert creates[-1]["ok"] is True and all(not e["ok"] for e in creates[:-1])
    reads = run.reads(lab2, mark)
    assert sorted(e["csv"] for e in reads) == sorted(before) and all(e["ok"] for e in reads)
    report, dummy = run.report(tmp_path)
    assert report["summary"]["result"] == "succeeded"
    assert any("kept BR-NODE2 busy" in w for w in report["warnings"]), report["warnings"]
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_a_backup_still_running_when_polling_gives_up_is_stopped_and_reported(lab2, tmp_path):
    before, mark = run.owners(lab2), len(lab2.events())
    result = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator", "-e", "csv_backup_job_timeout=3")
    assert result.returncode != 0
    report, dummy = run.report(tmp_path)
    jobs = run.jobs_by_csv(report)
    # Cluster Disk 1 takes 8 s of wall time here; Cluster Disk 3 takes 4.
    assert jobs["Cluster Disk 1"]["state"] == "cancelled"
    assert "still running after 3 s, so it was stopped" in jobs["Cluster Disk 1"]["message"]
    stopped = [e for e in lab2.events()[mark:] if e["op"] == "task.stop"]
    assert stopped, "the lab saw no scheduled task stopped"
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_a_second_run_is_refused_by_the_lock_and_leaves_the_first_alone(lab2, tmp_path):
    before, mark = run.owners(lab2), len(lab2.events())
    first = run.start_backup(lab2, tmp_path / "first", "-e", "csv_backup_strategy=coordinator")
    try:
        run.wait_until(lab2, run.reading("Cluster Disk 1"), what="the first run's reads")
        second_mark = len(lab2.events())
        second = run.backup(lab2, tmp_path / "second", "-e", "csv_backup_strategy=coordinator")
        second_events = lab2.events()[second_mark:]
    finally:
        code, stdout, stderr = run.finish(first)
    assert second.returncode != 0 and "is locked by" in second.stdout
    assert "Another backup of this cluster is running" in second.stdout
    # The first run keeps going meanwhile and may remove its own finished tasks inside that window; nothing is moved
    # or stopped, and every job of the first run ends succeeded (one the second run stopped or removed would not).
    assert not [e for e in second_events if e["op"] in ("csv.move", "task.stop")]
    assert code == 0, stdout[-4000:] + stderr[-2000:]
    first_report, dummy = run.report(tmp_path / "first")
    assert [j["state"] for j in first_report["jobs"]] == ["succeeded"] * 3, first_report["jobs"]
    assert len([e for e in run.reads(lab2, mark) if e["ok"]]) == 3
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


def test_a_stale_lock_is_reported_with_its_owner_and_age_and_broken_only_on_request(lab2, tmp_path):
    taken = lab2.ansible("BR-NODE1", "wsfc.csv.backup_lock", "-a", "run_id=20261124T020000Z-old001")
    assert taken.returncode == 0, taken.stdout
    time.sleep(1)  # 50 modelled seconds: older than stale_after=10 by the node's clock
    mark = len(lab2.events())
    refused = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator", "-e", "csv_backup_lock_stale_after=10")
    assert refused.returncode != 0
    assert "20261124T020000Z-old001" in refused.stdout and "The lock is stale" in refused.stdout and " ago" in refused.stdout
    _no_change_since(lab2, mark)
    broken = run.backup(lab2, tmp_path, "-e", "csv_backup_strategy=coordinator", "-e", "csv_backup_lock_stale_after=10",
                        "-e", "csv_backup_break_stale_lock=true")
    assert broken.returncode == 0, broken.stdout[-4000:]
    report, dummy = run.report(tmp_path)
    assert any("broke the stale backup lock" in w for w in report["warnings"]), report["warnings"]
    run.assert_nothing_left(lab2)


@pytest.mark.parametrize("source", ["cluster record", "saved map"])
def test_a_run_killed_after_its_moves_is_undone_by_restore_ownership(lab2, tmp_path, source):
    # The way back before the watchdog acts (its limit is far away here), from the run's record on the cluster; and
    # for clusters where it is turned off, from the saved map.
    quiet = ("csv_backup_watchdog_after=1000000" if source == "cluster record" else "csv_backup_watchdog=false")
    before, mark = run.owners(lab2), len(lab2.events())
    process = run.start_backup(lab2, tmp_path, "-e", "csv_backup_strategy=balanced", "-e", quiet)
    try:
        state = run.wait_until(lab2, lambda s: len(s["reads"]) >= 2, what="the run's reads")
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # as a cancelled AWX job whose worker is gone
        process.communicate()
    run.wait_for_quiet(lab2, CHANGES)  # commands the killed run had already sent finish on the nodes
    moved = [e["args"]["csv"] for e in lab2.events()[mark:] if e["op"] == "csv.move" and e.get("changed")]
    assert moved and run.owners(lab2) != before
    assert state["snapshots"]
    saved = sorted(tmp_path.glob("BRANCH-*/ownership.json"))
    assert len(saved) == 1
    args = ["wsfc.csv.restore_ownership", "-e", "target=%s" % lab2.group]
    if source == "saved map":
        args += ["-e", "csv_backup_ownership_map=%s" % saved[0]]
    check_mark = len(lab2.events())
    check = lab2.ansible_playbook(*(args + ["--check"]))
    assert check.returncode == 0, check.stdout[-3000:]
    _no_change_since(lab2, check_mark)
    restored = lab2.ansible_playbook(*args)
    assert restored.returncode == 0, restored.stdout[-4000:]
    if source == "cluster record":
        assert "is active, its watchdog armed" in restored.stdout, restored.stdout[-4000:]
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)
    again = lab2.ansible_playbook(*args) if source == "saved map" else None
    if again is None:
        # The lock and the record are gone: a second run of the record's restore finds nothing to undo, and says so.
        again = lab2.ansible_playbook(*(args + ["-e", "csv_backup_ownership_map=%s" % saved[0]]))
    assert again.returncode == 0 and "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]


def _operations(lab):
    return len([e for e in lab.events() if e["op"] == "winrm.command"])


def test_a_dropped_connection_is_retried_for_a_read_and_the_state_read_again_before_a_change_is_retried(lab2):
    """The connection drops twice after the node did the work: for the snapshot's first read, and for the job's
    start (a change).

    Commands from here: 1 snapshot read (answer lost), 2 its retry, 3 the snapshot registry's folder made with its
    ACL (a fresh node), 4 snapshot create, 5 job read, 6 job start (answer lost after the node started the job), 7
    the job's state read again: it runs, so it is not started a second time, and the queue polls it to the end.
    """
    ops, mark = _operations(lab2), len(lab2.events())
    lab2.fault("winrm_drop", node="BR-NODE1")
    lab2.fault("winrm_drop", node="BR-NODE1", after_ops=ops + 5)
    result = lab2.ansible("BR-NODE1", "wsfc.csv.backup_queue", "-a", json.dumps({
        "reads": [{"csv": "Cluster Disk 3", "read": "smb", "source": "BR-NODE2", "index": 0}],
        "run_id": "drops1", "target": run.BACKUP_TARGET, "poll_interval": 1}), "-vv")
    queue = module_result(result)
    events = lab2.events()[mark:]
    assert [e["op"] for e in events if e["op"].startswith("fault.")] == ["fault.winrm_drop"] * 2
    assert queue["jobs"][0]["state"] == "succeeded", queue
    assert len([e for e in events if e["op"] == "snap.create"]) == 1
    assert len([e for e in events if e["op"] == "job.start"]) == 1
    assert len([e for e in events if e["op"] == "backup.read"]) == 1
    assert "reading its state again" in result.stdout + result.stderr
    assert "retrying after" in result.stdout + result.stderr  # -vv shows the read's retry (see the slow call below)
    run.assert_nothing_left(lab2)


def test_a_slow_winrm_call_is_waited_for_and_nothing_is_done_twice(lab2):
    """Two commands answer only after 6 s of wall time: the snapshot's first read and the job's start (a change).

    The WinRM client keeps polling (the lab answers Receive with OperationTimeout meanwhile, as Windows does), so
    the module waits for the answer instead of giving up and trying again: one snapshot, one job, one read.
    Commands from here: 1 snapshot read (slow), 2 the snapshot registry's folder made with its ACL (a fresh node), 3
    snapshot create, 4 job read, 5 job start (slow), then status reads.
    """
    ops, mark = _operations(lab2), len(lab2.events())
    lab2.fault("winrm_timeout", node="BR-NODE1", seconds=6)
    lab2.fault("winrm_timeout", node="BR-NODE1", seconds=6, after_ops=ops + 4)
    started = time.monotonic()
    result = lab2.ansible("BR-NODE1", "wsfc.csv.backup_queue", "-a", json.dumps({
        "reads": [{"csv": "Cluster Disk 3", "read": "smb", "source": "BR-NODE2", "index": 0}],
        "run_id": "slow1", "target": run.BACKUP_TARGET, "poll_interval": 1}), "-vv")
    took = time.monotonic() - started
    queue = module_result(result)
    events = lab2.events()[mark:]
    assert [e["op"] for e in events if e["op"].startswith("fault.")] == ["fault.winrm_timeout"] * 2
    assert took >= 12, took
    assert queue["jobs"][0]["state"] == "succeeded", queue
    assert [e["op"] for e in events if e["op"] in ("snap.create", "job.start", "backup.read")] == [
        "snap.create", "job.start", "backup.read"]
    assert "retrying after" not in result.stdout + result.stderr  # -vv would show a retry, as for the dropped call
    run.assert_nothing_left(lab2)


SKEWED = """\
cluster: SKEWED
time_scale: 50
nodes:
  - {name: SK-NODE1, disk_gbps: 4, nics: [{name: Ethernet0, gbps: 10}]}
  - {name: SK-NODE2, disk_gbps: 4, clock_offset_s: 900, nics: [{name: Ethernet0, gbps: 10}]}
  - {name: SK-NODE3, disk_gbps: 4, nics: [{name: Ethernet0, gbps: 10}]}
csvs:
  - {name: Cluster Disk 1, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 100, owner: SK-NODE1}
  - {name: Cluster Disk 2, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 100, owner: SK-NODE2}
  - {name: Cluster Disk 3, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100, used_gb: 100, owner: SK-NODE3}
targets:
  - {path: '\\\\backup01\\csv', gbps: 100}
"""


def test_a_node_clock_ahead_and_another_controller_time_zone_leave_the_report_times_right(tmp_path):
    """SK-NODE2's clock is 15 minutes ahead, and the controller runs in another time zone."""
    with running_lab(SKEWED, tmp_path / "lab") as lab:
        mark = len(lab.events())
        result = lab.ansible_playbook(*run.backup_args(lab, tmp_path, "-e", "csv_backup_strategy=coordinator"),
                                      env={"TZ": "America/Los_Angeles"})
        assert result.returncode == 0, result.stdout[-4000:]
        reads = run.reads(lab, mark)
        report, dummy = run.report(tmp_path)
    summary = report["summary"]
    # The three reads ran at the same time (by the lab's true clock); so they do in the report.
    assert abs(summary["measured_window_s"] - run.window(reads)) < 5, (summary["measured_window_s"], run.window(reads))
    starts = dict((e["csv"], e["start"]) for e in reads)
    for job in report["jobs"]:
        offset = (run.parse_iso(job["start"]) - run.parse_iso(report["summary"]["window_start"])).total_seconds()
        assert abs(offset - (starts[job["csv"]] - min(starts.values()))) < 5, job
    assert abs(summary["clock_skews_s"]["SK-NODE2"] - 900) < 30, summary["clock_skews_s"]
    assert any("SK-NODE2's clock is" in w and "ahead of" in w for w in report["warnings"]), report["warnings"]
    # The controller's time zone does not leak into the report: its run times are UTC.
    assert summary["started"].endswith("Z") and summary["finished"].endswith("Z")
    assert abs((run.parse_iso(summary["finished"]) - run.utc_now()).total_seconds()) < 120


# ---- the lock that cannot lie and the snapshot registry (issue 17) --------------------------------------------

PEEK = json.dumps({"run_id": "peek", "state": "absent", "force": True, "nonce": "f" * 32})


def _peek_lock(lab, node="BR-NODE2"):
    """The lock as ``node`` sees it (check mode of a forced release: one read, nothing changes), or None."""
    return module_result(lab.ansible(node, "wsfc.csv.backup_lock", "-a", PEEK, "--check"))["lock"]


def test_a_run_longer_than_stale_after_keeps_its_lock_fresh_and_a_breaker_is_refused(lab2, tmp_path):
    # stale_after 400 modelled seconds (8 s of wall time at time scale 50); the first run polls every wall second
    # (50 modelled s) and reads 350 GB on BR-NODE1 (700 modelled s), so it holds its lock far longer than that.
    stale = ("-e", "csv_backup_strategy=coordinator", "-e", "csv_backup_lock_stale_after=400")
    before = run.owners(lab2)
    first = run.start_backup(lab2, tmp_path / "first", *stale)
    try:
        run.wait_until(lab2, run.reading("Cluster Disk 1", "BR-NODE1"), what="the read of Cluster Disk 1")
        deadline = time.monotonic() + 60
        while True:
            lock = _peek_lock(lab2)
            if lock and lock["age_s"] > 450:
                break
            assert time.monotonic() < deadline and first.poll() is None, "the first run ended too soon: %s" % lock
            time.sleep(0.5)
        # older than stale_after, but its heartbeat is fresh: not stale
        assert lock["idle_s"] < 400 and not lock["stale"] and lock["heartbeat"], lock
        mark = len(lab2.events())
        second = run.backup(lab2, tmp_path / "second", *stale, "-e", "csv_backup_break_stale_lock=true")
        second_events = lab2.events()[mark:]
        assert first.poll() is None, "the first run must still be running while the second is refused"
    finally:
        code, stdout, stderr = run.finish(first)
    assert second.returncode != 0 and "Another backup of this cluster is running" in second.stdout, \
        second.stdout[-4000:]
    # From the lab: the second run renamed no lock (no break), moved nothing, took no snapshot and started nothing.
    assert not [e for e in second_events if e["op"] == "fs.move" and ".break-" in e["args"]["dest"]]
    assert not [e for e in second_events if e["op"] in ("csv.move", "snap.create", "task.register")]
    assert code == 0, stdout[-4000:] + stderr[-2000:]
    first_report, dummy = run.report(tmp_path / "first")
    assert [j["state"] for j in first_report["jobs"]] == ["succeeded"] * 3, first_report["jobs"]
    assert run.owners(lab2) == before
    run.assert_nothing_left(lab2)


TORN = (open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lab", "topologies",
                          "two-node.yml"), encoding="utf-8").read()
        .replace("owner: BR-NODE1,\n     vms: [BR-DC01, BR-FS01]}", "owner: BR-NODE1, shadow_copies: 1,\n     vms: [BR-DC01, BR-FS01]}"))


def test_a_truncated_snapshot_registry_is_moved_aside_the_node_keeps_working_and_nothing_foreign_is_deleted(tmp_path):
    assert "shadow_copies: 1" in TORN
    with running_lab(TORN, tmp_path / "lab", *SCALE) as lab:
        foreign = [s["id"] for s in lab.state()["snapshots"]]
        assert len(foreign) == 1
        # a registry torn in the middle of a write (an older version's truncate-then-write), naming the other
        # product's shadow copy as one of ours
        torn = '{"version":2,"snapshots":[{"id":"%s","csv":"Cluster Disk 1","tag":"wsfc.csv run x","vol' % foreign[0]
        wrote = lab.ansible("BR-NODE1", "ansible.builtin.raw", "-a",
                            "New-Item -ItemType Directory -Path 'C:\\ProgramData\\wsfc.csv' -Force | Out-Null; "
                            "Set-Content -LiteralPath 'C:\\ProgramData\\wsfc.csv\\snapshots.json' -Value '%s' "
                            "-NoNewline" % torn)
        assert wrote.returncode == 0, wrote.stdout + wrote.stderr
        mark = len(lab.events())
        done = run.backup(lab, tmp_path, "-e", "csv_backup_strategy=coordinator")
        assert done.returncode == 0, done.stdout[-4000:]
        events = lab.events()[mark:]
        # the torn registry was moved aside (never deleted), and the node went on snapshotting and backing up
        aside = [e for e in events if e["op"] == "fs.move" and e["ok"] and ".corrupt-" in e["args"]["dest"]]
        assert len(aside) == 1 and aside[0]["node"] == "BR-NODE1", aside
        # the registry's folder got its ACL once (the watchdog's folder on the CSV gets its own)
        assert [e["ok"] for e in events if e["op"] == "fs.acl" and e["node"] == "BR-NODE1"
                and e["args"]["path"].lower().startswith("c:\\programdata")] == [True]
        report, dummy = run.report(tmp_path)
        assert [j["state"] for j in report["jobs"]] == ["succeeded"] * 3, report["jobs"]
        # nothing foreign was deleted: the other product's shadow copy is still there, and only it
        deleted = [e for e in events if e["op"] == "snap.delete"]
        assert foreign[0] not in json.dumps(deleted)
        assert [s["id"] for s in lab.state()["snapshots"]] == foreign
