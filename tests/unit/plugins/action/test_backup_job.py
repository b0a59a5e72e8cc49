# -*- coding: utf-8 -*-
"""wsfc.csv.backup_job (plugins/action/backup_job.py) with the lab's recorded answers.

Every run reads the job first (``backup_job_status``: task, log tail, CSV); ``backup_job_start`` (register and
start the scheduled task) and ``backup_job_stop`` (stop, unregister, delete the log) are the changes; with
state=finished the status is read again every poll_interval until the job ends or timeout passes.
"""

from __future__ import annotations

import pytest

from .checks import says_what_to_do
from .recorded import answer, answers, document, structured_error

ACTION = "backup_job"
JOB = {"name": "nightly-disk1", "csv": "Cluster Disk 1", "method": "wbadmin", "target": "\\\\backup01\\csv",
       "poll_interval": 0.2, "timeout": 120}
LOG = "C:\\ProgramData\\wsfc.csv\\jobs\\nightly-disk1.log"
STATUS = {"name": "nightly-disk1", "task_path": "\\wsfc.csv\\", "log": LOG, "log_lines": 20, "csv": "Cluster Disk 1",
          "lock": "", "lock_nonce": ""}


def test_a_name_is_required(node, run):
    result = run(ACTION, {"csv": "Cluster Disk 1"})
    assert result["failed"] and result["msg"] == "missing required arguments: name"
    assert node.calls == []


def test_a_name_unusable_for_a_task_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, dict(JOB, name="nightly disk 1"))
    assert result["failed"] and "is not usable as a job name" in result["msg"]
    assert node.calls == []


def test_a_negative_timeout_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, dict(JOB, timeout=-1))
    assert result["failed"] and result["msg"].startswith("timeout must be >= 0")
    assert node.calls == []


@pytest.mark.parametrize("method, target, says", [
    ("wbadmin", "\\backup01\\csv", "one backslash"),
    ("wbadmin", "E:\\Backups", "remote shared folder"),
    ("copy", "backup01\\csv", "UNC path"),
])
def test_a_target_that_is_neither_a_share_nor_a_drive_letter_path_is_refused_before_the_node_is_asked(
        node, run, method, target, says):
    result = run(ACTION, dict(JOB, method=method, target=target, snapshot_path="C:\\x\\"))
    assert result["failed"] and result["msg"].startswith("target %r is not a backup target" % target)
    assert says in result["msg"] and result["msg"].endswith("Nothing was changed.")
    assert node.calls == []


def test_check_mode_reads_the_job_and_starts_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_start"))
    result = run(ACTION, JOB, check_mode=True)
    assert result["changed"] is True and result["msg"] == "would start backup job \\wsfc.csv\\nightly-disk1 on NODE1"
    assert node.operations == ["backup_job_status"] and node.calls[0].args == STATUS


def test_the_diff_shows_the_job_state_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_start"))
    assert run(ACTION, JOB, check_mode=True)["diff"] == {
        "before": {"job_id": "\\wsfc.csv\\nightly-disk1", "state": "absent"},
        "after": {"job_id": "\\wsfc.csv\\nightly-disk1", "state": "running"}}


def test_starts_the_job_and_polls_it_until_it_succeeds(node, run, clock):
    node.answer(*answers(ACTION, "run_to_success"))
    result = run(ACTION, JOB)
    assert result["changed"] is True and (result["state"], result["exit_code"]) == ("succeeded", 0)
    done = document(ACTION, "run_to_success", "backup_job_status", 2)
    assert (result["start"], result["end"]) == (done["last_run"], done["log_written"])  # the node's own times
    assert result["log_tail"][-1] == "The backup operation successfully completed."
    assert node.operations == ["backup_job_status", "backup_job_start", "backup_job_status", "backup_job_status"]
    assert clock.sleeps == [0.2, 0.2]


def test_the_task_runs_wbadmin_through_cmd_as_system_with_its_log(node, run):
    node.answer(*answers(ACTION, "run_to_success"))
    run(ACTION, JOB)
    assert node.args_of("backup_job_start") == [{
        "name": "nightly-disk1", "task_path": "\\wsfc.csv\\", "execute": "cmd.exe",
        "argument": '/d /s /c ""wbadmin.exe" "start" "backup" "-backupTarget:\\\\backup01\\csv" '
                    '"-include:C:\\ClusterStorage\\Volume1" "-quiet" > "%s" 2>&1"' % LOG,
        "user": "NT AUTHORITY\\SYSTEM", "password": "", "logon": "service_account", "time_limit_s": 120,
        "priority": 6, "log_dir": "C:\\ProgramData\\wsfc.csv\\jobs"}]


def test_the_run_as_password_goes_only_to_the_start_and_no_log_is_restored(node, run, harness):
    node.answer(*answers(ACTION, "run_to_success"))
    run(ACTION, dict(JOB, run_as_user="CONTOSO\\svc-backup", run_as_password="S3cret!"))
    assert [c.operation for c in node.calls if "S3cret!" in repr(c.args)] == ["backup_job_start"]
    assert harness.play_context.no_log is False


def test_a_job_that_succeeded_before_is_not_started_again(node, run):
    node.answer(*answers(ACTION, "finished_already"))
    result = run(ACTION, JOB)
    assert result["changed"] is False and result["state"] == "succeeded"
    assert node.operations == ["backup_job_status"]


def test_state_started_starts_the_job_and_does_not_wait(node, run, clock):
    node.answer(*answers(ACTION, "start_only"))
    result = run(ACTION, dict(JOB, name="nightly-started", state="started"))
    assert result["changed"] is True and result["state"] == "running" and "failed" not in result
    assert node.operations == ["backup_job_status", "backup_job_start"] and clock.sleeps == []


def test_a_job_still_running_at_the_timeout_fails_and_is_left_running(node, run, clock):
    absent, started, running, dummy = answers(ACTION, "run_to_success")
    node.answer(absent, started, running, running)
    result = run(ACTION, dict(JOB, timeout=1, poll_interval=0.6))
    assert result["failed"] is True and result["state"] == "running"
    assert "is still running after 1 s; it was left running" in result["msg"] and "state=absent" in result["msg"]
    assert node.operations.count("backup_job_start") == 1 and "backup_job_stop" not in node.operations
    assert clock.sleeps == pytest.approx([0.6, 0.4])  # the last pause ends at the timeout


def test_a_job_whose_tool_fails_fails_with_the_exit_code_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "run_fails"))
    result = run(ACTION, dict(JOB, name="nightly-fail"))
    assert result["failed"] is True and (result["state"], result["exit_code"]) == ("failed", 8)
    assert "on NODE1 failed with exit code 8" in result["msg"]
    assert "fix the cause, then remove the job with state=absent and start it again" in result["msg"]


def test_an_unknown_csv_is_refused_before_any_change(node, run):
    node.answer(*answers(ACTION, "unknown_csv"))
    result = run(ACTION, dict(JOB, name="nightly-x", csv="Cluster Disk 9"))
    assert result["failed"] is True and result["node"] == "NODE1"
    assert "The CSV 'Cluster Disk 9' was not found on NODE1, so no backup job was started" in result["msg"]
    assert node.operations == ["backup_job_status"]


def test_absent_removes_the_task_and_its_log(node, run):
    node.answer(*answers(ACTION, "remove"))
    result = run(ACTION, dict(JOB, state="absent"))
    assert result["changed"] is True and (result["state"], result["log_removed"]) == ("absent", True)
    assert result["diff"]["after"] == {"job_id": "\\wsfc.csv\\nightly-disk1", "state": "absent", "log_exists": False}
    assert node.operations == ["backup_job_status", "backup_job_stop"]
    assert node.args_of("backup_job_stop") == [{"name": "nightly-disk1", "task_path": "\\wsfc.csv\\", "log": LOG}]


def test_check_mode_absent_removes_nothing(node, run):
    node.answer(answer(ACTION, "remove", "backup_job_status"))
    result = run(ACTION, dict(JOB, state="absent"), check_mode=True)
    assert result["changed"] is True and node.operations == ["backup_job_status"]


def test_absent_when_neither_task_nor_log_exists_is_no_change(node, run):
    node.answer(*answers(ACTION, "removed_already"))
    result = run(ACTION, dict(JOB, state="absent"))
    assert result["changed"] is False and node.operations == ["backup_job_status"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.drop("backup_job_status").answer(*answers(ACTION, "check_mode_start"))
    assert run(ACTION, JOB, check_mode=True)["changed"] is True
    assert node.operations == ["backup_job_status", "backup_job_status"] and harness.connection.resets == 1


def test_a_dropped_start_is_not_repeated_and_the_task_is_unreachable(node, run, harness):
    node.answer(*answers(ACTION, "start_dropped"))
    result = run(ACTION, dict(JOB, name="nightly-dropped", state="started"))
    assert result["unreachable"] is True and "failed" not in result
    assert result["msg"].startswith("backup_job_start failed on NODE1: the connection failed while the change")
    assert "read the state again before retrying" in result["msg"]
    # the runner gives whoever reads the state again a fresh shell
    assert node.operations == ["backup_job_status", "backup_job_start"] and harness.connection.resets == 1


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(answer(ACTION, "check_mode_start", "backup_job_status"), structured_error("backup_job_start"))
    result = run(ACTION, dict(JOB, state="started"))
    assert result["failed"] is True and result["msg"].startswith("backup_job_start failed on NODE1:")
    assert node.operations == ["backup_job_status", "backup_job_start"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(answer(ACTION, "check_mode_start", "backup_job_status"), structured_error("backup_job_start"))
    assert says_what_to_do(run(ACTION, dict(JOB, state="started"))["msg"])


def test_a_job_whose_task_vanishes_after_it_was_started_is_failed_naming_node_and_csv(node, run):
    absent = answer(ACTION, "run_to_success", "backup_job_status", 0)  # the read before the start: no task
    node.answer(absent, answer(ACTION, "run_to_success", "backup_job_start", 0), absent)
    result = run(ACTION, JOB)
    assert result["failed"] is True and result["state"] == "failed"
    assert "vanished" in result["msg"] and "NODE1" in result["msg"] and "Cluster Disk 1" in result["msg"]
    assert node.operations == ["backup_job_status", "backup_job_start", "backup_job_status"]


def test_an_account_that_needs_a_password_is_refused_before_the_task_is_registered(node, run):
    node.answer(*answers(ACTION, "check_mode_start"))
    result = run(ACTION, dict(JOB, run_as_user="CONTOSO\\svc-backup"))
    assert result["failed"] is True and "needs run_as_password" in result["msg"] and "NODE1" in result["msg"]
    assert node.operations == ["backup_job_status"]


def test_a_gmsa_starts_with_a_password_logon_principal_and_no_password(node, run):
    node.answer(*answers(ACTION, "run_to_success"))
    run(ACTION, dict(JOB, run_as_user="CONTOSO\\svc-backup$"))
    (start,) = node.args_of("backup_job_start")
    assert (start["user"], start["logon"], start["password"]) == ("CONTOSO\\svc-backup$", "gmsa", "")
