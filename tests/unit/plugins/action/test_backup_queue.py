# -*- coding: utf-8 -*-
"""wsfc.csv.backup_queue (plugins/action/backup_queue.py) end to end on the fake node, with the lab's answers.

The queue runs the collection's own modules for each CSV (``csv_snapshot``, ``backup_job``) through the harness's
sibling loader, and reads each running job with ``backup_job_status`` itself, so every step of every sibling goes
through the same fake node and ``node.operations`` lists them all, in order. The scheduling and the steps have
their own unit tests (tests/unit/plugins/plugin_utils/queue/); these check the wiring: what the action refuses
before it talks to the node, what check mode and state=absent do, the result it returns, and what it does when a
job fails or the connection drops. Time is the fake clock's: the queue's pauses are recorded, never slept.
"""

from __future__ import annotations

import importlib
import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import folder_name, snapshot_tag

from .checks import says_what_to_do
from .recorded import answers, document, scenario

ACTION = "backup_queue"
# What changes the node: every other operation the queue runs only reads.
CHANGES = {"csv_snapshot_create", "csv_snapshot_remove", "backup_job_start", "backup_job_stop"}
TARGET = "\\\\backup01\\csv"


def _args(name):
    """The task a scenario was recorded with (its reads, run id, target, concurrency and poll interval)."""
    return scenario(ACTION, name)["task"]["args"]


def _run(node, run, name, check_mode=False, **args):
    node.answer(*answers(ACTION, name))
    return run(ACTION, dict(_args(name), **args), check_mode=check_mode)


def _created(name):
    """The ids of the snapshots the node created in a scenario, in order."""
    return [document(ACTION, name, "csv_snapshot_create", i)["shadow"]["id"]
            for i in range(sum(1 for c in scenario(ACTION, name)["calls"] if c["operation"] == "csv_snapshot_create"
                               and "stdout" in c))]


def _status_reads(name, job):
    """The documents of a scenario's ``backup_job_status`` reads of one job, in order: backup_job's read before it
    starts the job, the queue's own polls, and backup_job's read before it removes the job."""
    calls = [c for c in scenario(ACTION, name)["calls"] if c["operation"] == "backup_job_status"]
    return [document(ACTION, name, "backup_job_status", i) for i, c in enumerate(calls) if c["args"]["name"] == job]


def _registry(name, index):
    """The snapshots wsfc.csv's registry on the node listed, as the ``index``-th csv_snapshot_get read it."""
    return json.loads(document(ACTION, name, "csv_snapshot_get", index)["registry"])["snapshots"]


def _warnings(monkeypatch):
    """What the queue shows as warnings (it warns through its module's Display)."""
    shown = []
    module = importlib.import_module("ansible_collections.wsfc.csv.plugins.action.backup_queue")
    monkeypatch.setattr(module.display, "warning", shown.append)
    return shown


# ---- refused before the node is asked ------------------------------------------------------------------------

@pytest.mark.parametrize("run_id", ["nightly run", "-leading-dash", "x" * 49, "run/1"])
def test_a_run_id_unusable_in_job_names_is_refused_and_nothing_is_started(node, run, run_id):
    result = run(ACTION, dict(_args("run"), run_id=run_id))
    assert result["failed"] is True and result["msg"].startswith("NODE1: run_id %r is not usable" % run_id)
    assert result["msg"].endswith(". Nothing was started.")
    assert node.calls == []


def test_a_concurrency_of_zero_is_refused_and_nothing_is_started(node, run):
    result = run(ACTION, dict(_args("run"), concurrency=0))
    assert result["failed"] is True
    assert result["msg"] == "NODE1: concurrency must be 1 or more, got 0. Nothing was started."
    assert node.calls == []


def test_a_copy_without_a_target_is_refused_and_nothing_is_started(node, run):
    args = _args("run")
    del args["target"]
    result = run(ACTION, args)
    assert result["failed"] is True and result["msg"] == (
        "NODE1: method copy needs target (a directory or share the backups are written to). Nothing was started.")
    assert node.calls == []


def test_a_csv_listed_twice_is_refused_and_nothing_is_started(node, run):
    reads = _args("run")["reads"]
    result = run(ACTION, dict(_args("run"), reads=reads + [{"csv": reads[0]["csv"].upper()}]))
    assert result["failed"] is True and "the CSV CLUSTER DISK 1 appears twice in reads" in result["msg"]
    assert node.calls == []


def test_a_zero_poll_interval_is_refused_and_nothing_is_started(node, run):
    result = run(ACTION, dict(_args("run"), poll_interval=0))
    assert result["failed"] is True and "poll_interval > 0" in result["msg"] and node.calls == []


def test_a_copy_without_a_target_may_still_clear_a_run(node, run):
    """state=absent writes nothing, so it needs no target (the restore entry point clears without one)."""
    args = _args("clear_again")
    del args["target"]
    node.answer(*answers(ACTION, "clear_again"))
    assert run(ACTION, args)["changed"] is False and not node.pending


def test_no_reads_is_no_change_and_no_call(node, run):
    result = run(ACTION, dict(_args("run"), reads=[]))
    assert result["changed"] is False and result["jobs"] == [] and result["msg"] == "NODE1 has no CSV to back up"
    assert node.calls == []


# ---- check mode -------------------------------------------------------------------------------------------------

def test_check_mode_reads_each_snapshot_it_would_take_and_changes_nothing(node, run, clock):
    result = _run(node, run, "check_mode", check_mode=True)
    assert node.operations == ["csv_snapshot_get"] * 3 and not CHANGES & set(node.operations)
    assert result["changed"] is True and result["counts"] == {"planned": 3}
    assert result["msg"] == "would back up 3 CSV(s) on NODE1, 2 at a time"
    assert clock.sleeps == [] and not node.pending


def test_check_mode_predicts_where_each_snapshot_would_be_read(node, run):
    result = _run(node, run, "check_mode", check_mode=True)
    # Cluster Disk 2's coordinator is NODE2: its system (software) snapshot would surface there, so NODE1 reads it
    # over SMB; DiskShadow's persistent context involves the writers.
    assert [(j["csv"], j["read"], j["provider_type"], j["consistency"]) for j in result["jobs"]] == [
        ("Cluster Disk 1", "local", "system", "application"), ("Cluster Disk 2", "smb", "system", "application"),
        ("Cluster Disk 3", "local", "system", "application")]
    assert all(j["job_id"] is None and j["snapshot_id"] is None for j in result["jobs"])
    assert result["diff"] == {"before": {"jobs": []},
                              "after": {"jobs": ["Cluster Disk 1", "Cluster Disk 2", "Cluster Disk 3"]}}


# ---- a run --------------------------------------------------------------------------------------------------------

def test_a_run_backs_up_every_csv_and_returns_the_documented_keys(node, run):
    result = _run(node, run, "run")
    assert result["changed"] is True and "failed" not in result
    assert {"jobs", "counts", "msg", "diff", "node"} <= set(result)
    assert result["counts"] == {"succeeded": 3} and result["node"] == "NODE1"
    assert result["msg"] == "NODE1: 3 CSV(s): 3 succeeded"
    assert [j["csv"] for j in result["jobs"]] == ["Cluster Disk 1", "Cluster Disk 2", "Cluster Disk 3"]
    assert [j["job_id"] for j in result["jobs"]] == ["\\wsfc.csv\\csv-q-run-%03d" % i for i in range(3)]
    assert result["diff"] == {"before": {"jobs": []}, "after": {"jobs": [j["job_id"] for j in result["jobs"]]}}
    assert not node.pending


def test_each_job_record_has_what_backup_report_reads_from_the_node(node, run):
    jobs = _run(node, run, "run")["jobs"]
    report_keys = {"csv", "node", "state", "read", "start", "end", "bytes", "provider", "provider_type",
                   "snapshot_id", "job_id", "exit_code", "message"}
    assert all(report_keys <= set(job) for job in jobs)
    assert [j["snapshot_id"] for j in jobs] == _created("run")
    assert [(j["read"], j["bytes"], j["bytes_measured"]) for j in jobs] == [
        ("local", 30 * 10 ** 9, True), ("smb", 20 * 10 ** 9, True), ("local", 10 * 10 ** 9, True)]
    # start and end are the node's: the task's last run time and the log's last write, from the last poll
    last = [_status_reads("run", "csv-q-run-%03d" % i)[-2] for i in range(3)]
    assert [(j["start"], j["end"]) for j in jobs] == [(s["last_run"], s["log_written"]) for s in last]
    assert jobs[1]["message"] == "Cluster Disk 2 on NODE1 backed up with copy (20000000000 bytes), smb read"


def test_each_csv_is_snapshotted_then_backed_up_from_the_snapshot_into_its_own_folder(node, run):
    _run(node, run, "run")
    created = node.args_of("csv_snapshot_create")
    assert [a["csv"] for a in created] == ["Cluster Disk 1", "Cluster Disk 2", "Cluster Disk 3"]
    assert set(a["tag"] for a in created) == {snapshot_tag("q-run")}
    starts = node.args_of("backup_job_start")
    for i, (start, csv) in enumerate(zip(starts, ("Cluster Disk 1", "Cluster Disk 2", "Cluster Disk 3"))):
        shadow = document(ACTION, "run", "csv_snapshot_create", i)["shadow"]
        assert start["name"] == "csv-q-run-%03d" % i
        # robocopy reads the folder the snapshot is exposed at (its trailing backslash doubled before the quote),
        # never its device object
        folder = shadow["exposed_name"].rstrip("\\")
        assert '"robocopy.exe" "%s\\\\"' % folder in start["argument"]
        assert shadow["device_object"] not in start["argument"]
        assert '"%s\\q-run\\%s"' % (TARGET, folder_name({"csv": csv})) in start["argument"]


def test_never_more_jobs_run_at_once_than_concurrency_and_the_next_starts_when_one_is_removed(node, run):
    _run(node, run, "run")
    running, most = 0, 0
    for operation in node.operations:
        running += {"backup_job_start": 1, "backup_job_stop": -1}.get(operation, 0)
        most = max(most, running)
    assert most == 2 and running == 0
    third = [i for i, c in enumerate(node.calls) if c.operation == "csv_snapshot_create"][2]
    assert node.operations[:third].count("backup_job_stop") >= 1  # a slot was freed before it was taken


def test_every_job_and_snapshot_is_removed_after_its_job_ends(node, run):
    result = _run(node, run, "run")
    assert [a["name"] for a in node.args_of("backup_job_stop")] == ["csv-q-run-%03d" % i for i in range(3)]
    assert [[t["entry"]["id"] for t in a["targets"]] for a in node.args_of("csv_snapshot_remove")] == [
        [i] for i in _created("run")]
    assert all(j["snapshot_removed"] is True and not j.get("cleanup_errors") for j in result["jobs"])
    stops = [i for i, c in enumerate(node.calls) if c.operation == "backup_job_stop"]
    removes = [i for i, c in enumerate(node.calls) if c.operation == "csv_snapshot_remove"]
    starts = [i for i, c in enumerate(node.calls) if c.operation == "backup_job_start"]
    assert all(start < stop < remove for start, stop, remove in zip(starts, stops, removes))


def test_the_queue_waits_poll_interval_between_rounds_on_the_fake_clock(node, run, clock):
    result = _run(node, run, "run")
    assert clock.sleeps and set(clock.sleeps) == {_args("run")["poll_interval"]}
    assert clock.now == pytest.approx(sum(clock.sleeps))
    # The clock samples pair the controller's (fake) time with the node's own, at the first and the last poll.
    polls = [_status_reads("run", "csv-q-run-%03d" % i)[1:-1] for i in range(3)]
    assert [pair[1] for pair in result["clock"]] == [polls[0][0]["now"], polls[2][-1]["now"]]
    assert [pair[0] for pair in result["clock"]] == sorted(pair[0] for pair in result["clock"])


def test_jobs_are_removed_with_the_log_dir_they_were_started_with(node, run):
    log_dir = "D:\\Logs\\wsfc"
    _run(node, run, "run", log_dir=log_dir)
    assert [a["log_dir"] for a in node.args_of("backup_job_start")] == [log_dir] * 3
    assert all(a["log"].startswith(log_dir + "\\") for a in node.args_of("backup_job_status"))
    assert [a["log"] for a in node.args_of("backup_job_stop")] == [
        "%s\\csv-q-run-%03d.log" % (log_dir, i) for i in range(3)]


# ---- state=absent ---------------------------------------------------------------------------------------------

def test_absent_clears_the_jobs_and_snapshots_a_killed_run_left(node, run):
    result = _run(node, run, "clear_killed")
    killed = [e["id"] for e in _registry("clear_killed", 0) if e["tag"] == snapshot_tag("q-killed")]
    assert node.operations == ["backup_job_status", "backup_job_stop", "csv_snapshot_get", "csv_snapshot_remove",
                               "backup_job_status", "csv_snapshot_get"]
    assert result["changed"] is True and "failed" not in result
    assert result["msg"] == "NODE1: removed the jobs and snapshots of run q-killed for 1 CSV(s)"
    removed = [t["entry"]["id"] for t in node.args_of("csv_snapshot_remove")[0]["targets"]]
    assert removed == killed and len(removed) == 1
    assert result["cleared"] == [
        {"csv": "Cluster Disk 1", "job_id": "\\wsfc.csv\\csv-q-killed-000", "job_removed": True,
         "snapshots_removed": removed},
        {"csv": "Cluster Disk 2", "job_id": "\\wsfc.csv\\csv-q-killed-001", "job_removed": False,
         "snapshots_removed": []}]
    assert result["diff"] == {"before": {"cleared": ["Cluster Disk 1"]}, "after": {"cleared": []}}


def test_absent_removes_only_the_run_s_own_jobs_and_snapshots(node, run):
    result = _run(node, run, "clear_killed")
    assert [a["name"] for a in node.args_of("backup_job_stop")] == ["csv-q-killed-000"]
    assert [a["name"] for a in node.args_of("backup_job_status")] == ["csv-q-killed-000", "csv-q-killed-001"]
    assert "jobs" not in result and "counts" not in result  # absent reports what it cleared (RETURN: cleared)


def test_absent_a_second_time_is_no_change(node, run):
    result = _run(node, run, "clear_again")
    assert result["changed"] is False and not CHANGES & set(node.operations)
    assert result["msg"] == "NODE1: removed the jobs and snapshots of run q-killed for 0 CSV(s)"
    assert all(not e["job_removed"] and e["snapshots_removed"] == [] for e in result["cleared"])


def test_check_mode_absent_says_what_it_would_remove_and_removes_nothing(node, run):
    node.answer(*answers(ACTION, "clear_killed", only=("backup_job_status", "csv_snapshot_get")))
    result = run(ACTION, _args("clear_killed"), check_mode=True)
    assert node.operations == ["backup_job_status", "csv_snapshot_get"] * 2 and not node.pending
    assert result["changed"] is True
    assert result["msg"] == "NODE1: would remove the jobs and snapshots of run q-killed for 1 CSV(s)"


# ---- a job that fails ---------------------------------------------------------------------------------------------

def test_a_failed_job_fails_the_task_with_the_job_s_message(node, run):
    result = _run(node, run, "job_fails")
    job = result["jobs"][0]
    assert result["failed"] is True and result["counts"] == {"failed": 1}
    assert (job["state"], job["exit_code"]) == ("failed", 8) and job["log_tail"]
    assert job["message"] == ("Cluster Disk 1 on NODE1: backup job \\wsfc.csv\\csv-q-fail-000 ended failed "
                              "(exit code 8); see log_tail")
    assert result["msg"] == "NODE1: 1 CSV(s): 1 failed. " + job["message"]


def test_a_failed_job_is_cleaned_up_and_its_coordinator_read_once(node, run):
    result = _run(node, run, "job_fails")
    assert node.operations[-5:] == ["csv_owner_get", "backup_job_status", "backup_job_stop", "csv_snapshot_get",
                                    "csv_snapshot_remove"]
    assert node.args_of("csv_owner_get") == [{"name": "Cluster Disk 1", "path": ""}]
    job = result["jobs"][0]
    assert "failover" not in job and job["snapshot_removed"] is True  # the CSV is still on NODE1: not a failover
    assert not node.pending


def test_with_fail_on_error_false_a_failed_job_does_not_fail_the_task(node, run):
    result = _run(node, run, "job_fails_tolerated")
    assert "failed" not in result and result["changed"] is True
    assert result["counts"] == {"failed": 1} and result["jobs"][0]["state"] == "failed"
    assert result["msg"] == "NODE1: 1 CSV(s): 1 failed"
    assert result["jobs"][0]["message"].endswith("ended failed (exit code 8); see log_tail")
    assert node.operations.count("backup_job_stop") == 1 and node.operations.count("csv_snapshot_remove") == 1


def test_the_failure_message_tells_the_operator_where_to_look(node, run):
    assert "see log_tail" in _run(node, run, "job_fails")["msg"]


# ---- a connection that drops during a change ----------------------------------------------------------------------

def test_a_snapshot_whose_answer_dropped_is_read_again_and_not_taken_twice(node, run, harness, monkeypatch):
    shown = _warnings(monkeypatch)
    result = _run(node, run, "snapshot_dropped")
    assert node.operations[:4] == ["csv_snapshot_get", "csv_snapshot_create", "csv_snapshot_get",
                                   "backup_job_status"]
    assert node.operations.count("csv_snapshot_create") == 1 and not any(c.stale for c in node.calls)
    assert harness.connection.resets >= 1  # the second csv_snapshot ran on a fresh shell
    assert shown == ["Cluster Disk 1 on NODE1: the connection broke while csv_snapshot was changing the node; "
                     "reading its state again before going on"]
    job = result["jobs"][0]
    assert result["counts"] == {"succeeded": 1} and "failed" not in result
    # the backup used the snapshot the dropped create had made, found by the second read, and removed it
    (remove,) = node.args_of("csv_snapshot_remove")
    assert [t["entry"]["id"] for t in remove["targets"]] == [job["snapshot_id"]]
    assert [e["id"] for e in _registry("snapshot_dropped", 1)] == [job["snapshot_id"]]


def test_a_job_start_whose_answer_dropped_is_read_again_and_not_started_twice(node, run, harness, monkeypatch):
    shown = _warnings(monkeypatch)
    result = _run(node, run, "start_dropped")
    starts = [i for i, c in enumerate(node.calls) if c.operation == "backup_job_start"]
    assert len(starts) == 1 and node.operations[starts[0] + 1] == "backup_job_status"
    assert not any(c.stale for c in node.calls) and harness.connection.resets >= 1
    assert shown == ["Cluster Disk 1 on NODE1: the connection broke while backup_job was changing the node; "
                     "reading its state again before going on"]
    assert result["counts"] == {"succeeded": 1} and result["jobs"][0]["job_id"] == "\\wsfc.csv\\csv-q-drop2-000"
    assert node.operations[-2:] == ["csv_snapshot_get", "csv_snapshot_remove"] and not node.pending


def test_a_refusal_message_says_what_to_change(node, run):
    assert says_what_to_do(run(ACTION, dict(_args("run"), run_id="bad id"))["msg"])


@pytest.mark.parametrize("target", ["\\backup01\\csv", "csv"])
def test_a_target_that_is_not_a_share_or_drive_letter_path_is_refused_and_nothing_is_started(node, run, target):
    args = _args("run")
    args["target"] = target
    result = run(ACTION, args)
    assert result["failed"] is True and "is not a backup target" in result["msg"]
    assert result["msg"].endswith("Nothing was started.") and node.calls == []
