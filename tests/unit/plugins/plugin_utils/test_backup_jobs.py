# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import backup_jobs as bj


def test_argv_per_method():
    assert bj.build_argv("wbadmin", "N1", volume="C:\\ClusterStorage\\Volume1\\", target="\\\\b\\s") == [
        "wbadmin.exe", "start", "backup", "-backupTarget:\\\\b\\s", "-include:C:\\ClusterStorage\\Volume1", "-quiet"]
    assert bj.build_argv("wbadmin", "N1", vms=["VM1", "VM2"], target="T")[4] == "-hyperv:VM1,VM2"
    exposed = "C:\\ProgramData\\wsfc.csv\\exposed\\snap-0123456789abcdef0123\\"
    copy = bj.build_argv("copy", "N1", snapshot_path=exposed, target="D:\\b")
    assert copy[:3] == ["robocopy.exe", exposed, "D:\\b"]


@pytest.mark.parametrize("device", ["\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3\\",
                                    "\\\\.\\HarddiskVolumeShadowCopy3", "//?/GLOBALROOT/Device/HarddiskVolumeShadowCopy3"])
def test_copy_never_reads_a_device_path(device):
    # robocopy's page documents a source directory; reading a shadow copy's device object is not documented
    with pytest.raises(bj.BackupJobError, match="not from its device object"):
        bj.build_argv("copy", "N1", snapshot_path=device, target="D:\\b")


@pytest.mark.parametrize("method, kwargs, needle", [
    ("wbadmin", {}, "target"), ("wbadmin", {"target": "T"}, "csv"), ("copy", {"target": "T"}, "snapshot_path"),
    ("command", {}, "command"), ("tar", {}, "unknown method")])
def test_missing_arguments_are_named(method, kwargs, needle):
    with pytest.raises(bj.BackupJobError, match=needle):
        bj.build_argv(method, "N1", **kwargs)


def test_placeholders_are_data_even_when_they_look_like_code():
    nasty = "'; Remove-Item C:\\ -Recurse #"
    argv = bj.build_argv("command", "N1", csv=nasty, volume="C:\\ClusterStorage\\Volume1",
                         command=["tool.exe", "--csv={csv}", "{volume}", "{unknown}", "$env:x"])
    assert argv == ["tool.exe", "--csv=" + nasty, "C:\\ClusterStorage\\Volume1", "{unknown}", "$env:x"]
    execute, argument = bj.build_action(argv, "C:\\l.log")
    assert execute == "cmd.exe"
    assert argument == ('/d /s /c ""tool.exe" "--csv=' + nasty + '" "C:\\ClusterStorage\\Volume1" "{unknown}" '
                        '"$env:x" > "C:\\l.log" 2>&1"')
    with pytest.raises(bj.BackupJobError, match="snapshot_path"):
        bj.build_argv("command", "N1", command=["tool.exe", "{snapshot_path}"])


@pytest.mark.parametrize("bad", ['a"b', "100%", "x\ny", "\x00"])
def test_values_that_could_leave_their_quotes_are_refused(bad):
    with pytest.raises(bj.BackupJobError):
        bj.quote(bad)


def test_trailing_backslashes_are_doubled_before_the_closing_quote():
    assert bj.quote("D:\\b\\") == '"D:\\b\\\\"'
    assert bj.quote("a\\b") == '"a\\b"'


@pytest.mark.parametrize("method, code, ok", [
    ("copy", 0, True), ("copy", 1, True), ("copy", 7, True), ("copy", 8, False), ("copy", 16, False),
    ("wbadmin", 0, True), ("wbadmin", 1, False), ("command", 2, False), ("command", None, False)])
def test_exit_codes(method, code, ok):
    assert bj.succeeded(method, code) is ok


@pytest.mark.parametrize("status, expected", [
    ({"exists": False}, "absent"),
    ({"exists": True, "task_state": "Running", "last_result": bj.SCHED_S_TASK_RUNNING, "last_run": "t"}, "running"),
    ({"exists": True, "task_state": "Ready", "last_result": bj.SCHED_S_TASK_HAS_NOT_RUN, "last_run": None},
     "not_started"),
    ({"exists": True, "task_state": "Ready", "last_result": bj.SCHED_S_TASK_TERMINATED, "last_run": "t"}, "cancelled"),
    ({"exists": True, "task_state": "Ready", "last_result": 1, "last_run": "t"}, "succeeded"),
    ({"exists": True, "task_state": "Ready", "last_result": 8, "last_run": "t"}, "failed"),
])
def test_job_state(status, expected):
    assert bj.job_state(status, "copy") == expected


def test_robocopy_bytes_from_summary():
    lines = ["               Total    Copied   Skipped  Mismatch    FAILED    Extras",
             "    Bytes :      1000       900         0         0       100         0"]
    assert bj.parse_bytes("copy", lines) == 900
    assert bj.parse_bytes("wbadmin", lines) is None
    assert bj.parse_bytes("copy", ["nothing"]) is None


def test_poll_schedule_never_overshoots_the_timeout():
    assert bj.next_delay(0, 10, 3) == 3
    assert bj.next_delay(9, 10, 3) == 1
    assert bj.next_delay(10, 10, 3) is None


def test_shape_and_messages_name_node_csv_and_next_step():
    running = bj.shape({"exists": True, "node": "N2", "task_state": "Running",
                        "last_result": bj.SCHED_S_TASK_RUNNING, "last_run": "2026"}, "copy", "j", False)
    assert running["state"] == "running" and running["exit_code"] is None and running["job_id"] == "\\wsfc.csv\\j"
    msg = bj.failure_message(running, "copy", "Disk 1", 5)
    assert "N2" in msg and "Disk 1" in msg and "state=absent" in msg and "still running" in msg
    failed = bj.shape({"exists": True, "node": "N2", "task_state": "Ready", "last_result": 9, "last_run": "2026"},
                      "copy", "j", True)
    assert failed["state"] == "failed" and failed["exit_code"] == 9
    assert "exit code 9" in bj.failure_message(failed, "copy", None)


def test_names():
    assert bj.validate_name("disk1-nightly.v2") == "disk1-nightly.v2"
    for bad in ("", "-x", "a b", "a\\b", "x" * 81):
        with pytest.raises(bj.BackupJobError):
            bj.validate_name(bad)


SUMMARY = ["-" * 79, "", "               Total    Copied   Skipped  Mismatch    FAILED    Extras",
           "    Dirs :         1         0         1         0         0         0",
           "   Files :         3         3         0         0         0         0",
           "   Bytes :      1000       900         0         0       100         0",
           "   Times :   0:00:01   0:00:01                       0:00:00   0:00:00",
           "   Ended : Monday, January 05, 2026 01:00:10 AM"]


def test_bytes_need_the_plain_numbers_of_bytes_and_only_robocopy_prints_them():
    assert bj.parse_bytes("copy", SUMMARY) == 900
    scaled = SUMMARY[:5] + ["   Bytes :    9.31 g    9.31 g         0         0         0         0"] + SUMMARY[6:]
    assert bj.parse_bytes("copy", scaled) is None  # without /BYTES the sizes are rounded: not claimed
    assert bj.parse_bytes("command", SUMMARY) is None and bj.parse_bytes("copy", []) is None


def test_log_tail_is_trimmed_to_log_lines_but_bytes_are_read_from_the_summary():
    status = {"exists": True, "node": "N1", "task_state": "Ready", "last_result": 1,
              "last_run": "2026-01-05T01:00:00.0000000Z", "log_written": "2026-01-05T01:00:10.0000000Z",
              "log": "C:\\l.log", "log_tail": ["header"] + SUMMARY}
    result = bj.shape(status, "copy", "j", False, log_lines=2)
    assert result["log_tail"] == SUMMARY[-2:] and result["bytes"] == 900
    assert result["start"] == "2026-01-05T01:00:00.0000000Z" and result["end"] == "2026-01-05T01:00:10.0000000Z"
    assert bj.shape(status, "copy", "j", False, log_lines=0)["log_tail"] == []
    assert bj.shape(status, "copy", "j", False, log_lines=100)["log_tail"] == ["header"] + SUMMARY
    assert bj.tail_lines(2) == bj.SUMMARY_LINES >= len(SUMMARY) and bj.tail_lines(50) == 50


def test_end_is_reported_only_once_the_job_has_finished():
    running = {"exists": True, "node": "N1", "task_state": "Running", "last_result": bj.SCHED_S_TASK_RUNNING,
               "last_run": "2026-01-05T01:00:00Z", "log_written": "2026-01-05T01:00:03Z", "log_tail": ["x"]}
    result = bj.shape(running, "copy", "j", False)
    assert result["state"] == "running" and result["end"] is None and result["exit_code"] is None
    cancelled = dict(running, task_state="Ready", last_result=bj.SCHED_S_TASK_TERMINATED)
    assert bj.shape(cancelled, "copy", "j", False)["end"] == "2026-01-05T01:00:03Z"


@pytest.mark.parametrize("user, password, kind, logon", [
    ("NT AUTHORITY\\SYSTEM", None, "auto", "service_account"),
    ("nt authority\\system", "", "system", "service_account"),
    ("CONTOSO\\svc-backup$", None, "auto", "gmsa"),
    ("CONTOSO\\svc-backup", None, "gmsa", "gmsa"),
    ("CONTOSO\\svc-backup", "S3cret", "auto", "password"),
    ("CONTOSO\\svc-backup", "S3cret", "user", "password"),
])
def test_the_logon_type_follows_the_account(user, password, kind, logon):
    assert bj.task_logon(user, password, kind) == logon


@pytest.mark.parametrize("user, password, kind, needle", [
    ("CONTOSO\\svc-backup", None, "auto", "needs run_as_password"),
    ("CONTOSO\\svc-backup", None, "user", "would never start"),
    ("CONTOSO\\svc-backup$", "S3cret", "auto", "has no password of its own"),
    ("NT AUTHORITY\\SYSTEM", "S3cret", "auto", "takes no password"),
    ("CONTOSO\\svc-backup", None, "system", "run_as_kind=system is for"),
    ("NT AUTHORITY\\SYSTEM", None, "gmsa", "is run_as_kind system"),
    ("", None, "auto", "run_as_user is empty"),
    ("CONTOSO\\x", "p", "robot", "is not one of"),
])
def test_accounts_that_cannot_run_a_task_are_refused_before_anything_changes(user, password, kind, needle):
    with pytest.raises(bj.BackupJobError, match=needle):
        bj.task_logon(user, password, kind)


def test_start_arguments_carry_the_password_only_for_a_password_logon_and_the_timeout_as_the_time_limit():
    args = bj.start_args("j", "cmd.exe", "/d", "CONTOSO\\svc$", "leak", "gmsa", 7200, "C:\\logs\\")
    assert args["password"] == "" and args["logon"] == "gmsa" and args["time_limit_s"] == 7200
    assert args["priority"] == bj.TASK_PRIORITY == 6 and args["log_dir"] == "C:\\logs"
    assert bj.start_args("j", "cmd.exe", "/d", "C\\u", "pw", "password", -5)["password"] == "pw"
    assert bj.start_args("j", "cmd.exe", "/d", "C\\u", "pw", "password", -5)["time_limit_s"] == 0


def test_robocopy_keeps_security_and_owner_skips_junctions_and_uses_backup_mode():
    argv = bj.build_argv("copy", "N1", snapshot_path="C:\\snap\\", target="\\\\b\\s")
    for option in ("/B", "/COPY:DATSO", "/DCOPY:DAT", "/XJ", "/BYTES"):
        assert option in argv
    assert "/COPY:DAT" not in argv


def test_a_queued_task_is_running_and_a_task_not_started_is_waited_for_only_a_while():
    assert bj.job_state({"exists": True, "task_state": "Queued", "last_result": bj.SCHED_S_TASK_HAS_NOT_RUN}, "copy") \
        == "running"
    assert bj.waiting("running", 1e9) and bj.waiting("not_started", 0)
    assert not bj.waiting("not_started", bj.NOT_STARTED_GRACE_S) and not bj.waiting("succeeded", 0)


@pytest.mark.parametrize("state, needle", [
    ("absent", "vanished: its scheduled task was removed by someone else"),
    ("not_started", "never started"),
    ("cancelled", "stopped by someone else"),
])
def test_a_job_that_vanished_never_started_or_was_stopped_by_someone_else_fails_naming_node_and_csv(state, needle):
    got, message = bj.ended_unexpectedly(state, "N2", "Disk 1", "\\wsfc.csv\\j", "CONTOSO\\svc")
    assert got == "failed" and needle in message and "N2" in message and "CSV Disk 1" in message
    assert bj.ended_unexpectedly("succeeded", "N2", "Disk 1", "\\wsfc.csv\\j") is None


def test_the_status_read_carries_the_runs_lock_so_that_each_poll_refreshes_its_heartbeat():
    lock = {"path": "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock", "nonce": "a" * 32}
    args = bj.status_args("job", csv="Cluster Disk 1", lock=lock)
    assert (args["lock"], args["lock_nonce"]) == (lock["path"], "a" * 32)
    for none in (None, {}, {"path": lock["path"]}, {"nonce": "a" * 32}, "text"):
        args = bj.status_args("job", lock=none)
        assert (args["lock"], args["lock_nonce"]) == ("", "")
