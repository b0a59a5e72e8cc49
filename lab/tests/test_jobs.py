"""The lab's Task Scheduler and backup tools (wsfc_lab.jobs), driven by the collection's own backup_job scripts."""

import json
import sys
from pathlib import Path

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.jobs import SCHED_S_TASK_RUNNING, SCHED_S_TASK_TERMINATED, ActionNotModelled, parse_action, scheduler
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import parse_topology

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "plugins" / "plugin_utils" / "scripts"
sys.path.insert(0, str(ROOT.parent))  # noqa: E402 - for the pure plugin_utils module below
REFERENCE = Reference.load_default()
SECRET = "Pa55-w0rd!-never-shown"
SYSTEM_START = {"user": "NT AUTHORITY\\SYSTEM", "password": "", "logon": "service_account", "time_limit_s": 60,
                "priority": 6}


def _backup_jobs():
    import importlib.util
    spec = importlib.util.spec_from_file_location("backup_jobs", ROOT / "plugins" / "plugin_utils" / "backup_jobs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BJ = _backup_jobs()


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


ACCOUNTS = [{"name": "LAB\\backup", "password": SECRET, "groups": ["Administrators"]},
            {"name": "LAB\\gmsa-backup$", "kind": "gmsa", "groups": ["Backup Operators"]},
            {"name": "LAB\\nobody", "password": SECRET}]
# Every destination these tests write to is a declared target, fast enough never to be the bottleneck.
TARGETS = [{"path": "\\\\backup\\share", "gbps": 1000}, {"path": "\\\\b\\s", "gbps": 1000}] + [
    {"path": path, "node": node, "gbps": 1000} for node in ("N1", "N2") for path in ("D:\\b", "D:\\c")]


def _model(**extra):
    extra.setdefault("accounts", ACCOUNTS)
    extra.setdefault("targets", TARGETS)
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": "N1", "disk_gbps": 8, "nics": [{"name": "A", "gbps": 10}]},
        {"name": "N2", "disk_gbps": 8, "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1",
                  "vms": ["VM1"]}], **extra})
    clock = Clock()
    return Cluster(topo, reference=REFERENCE, clock=clock, ticker=False), clock


def _operation(model, name, args, node="N2", ok=True):
    body = (SCRIPTS / (name + ".ps1")).read_text(encoding="utf-8")
    source = ("$ErrorActionPreference = 'Stop'\n$WsfcArgs = '%s' | ConvertFrom-Json\n"
              % json.dumps(args).replace("'", "''")) + body
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    result = run_script(source, host)
    if ok:
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return json.loads(result.stdout)
    return result


def _start(model, name, argv, node="N2", password=SECRET, user="LAB\\backup", log_dir=BJ.DEFAULT_LOG_DIR, ok=True,
           timeout=3600):
    execute, argument = BJ.build_action(argv, BJ.log_path(name))
    logon = BJ.task_logon(user, password)
    return _operation(model, "backup_job_start", BJ.start_args(name, execute, argument, user, password, logon, timeout,
                                                               log_dir), node, ok=ok)


def _status(model, name, node="N2", csv="", log_lines=BJ.SUMMARY_LINES):
    return _operation(model, "backup_job_status", {"name": name, "task_path": BJ.TASK_PATH, "log_lines": log_lines,
                                                   "log": BJ.log_path(name), "csv": csv}, node)


def _stop(model, name, node="N2"):
    return _operation(model, "backup_job_stop", {"name": name, "task_path": BJ.TASK_PATH, "log": BJ.log_path(name)},
                      node)


def _ops(model, op):
    return [e for e in model.events() if e["op"] == op]


def _snapshot(model, node, number=7, exposed_on=None):
    """A persistent shadow copy of D1 with writers, surfaced on ``node``, exposed at a folder on ``exposed_on``
    (default ``node``) as DiskShadow's expose leaves it (wsfc_lab.vss)."""
    exposed_on = exposed_on or node
    folder = "C:\\ProgramData\\wsfc.csv\\exposed\\snap-%d" % number
    model.fs.mkdir(exposed_on, folder)
    snap = {"id": model.new_id(), "csv": "D1", "volume": "C:\\ClusterStorage\\Volume1\\",
            "device_object": "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy%d" % number, "node": node,
            "provider_id": "{B5946137-7B9F-4925-AF80-51ABD60B20D5}", "provider_type": "system", "created": 0.0,
            "created_by": exposed_on, "context": "AppRollback", "persistent": True, "writers": True,
            "client_accessible": False, "consistency": "application", "backup_type": "copy", "tool": "diskshadow",
            "exposed": None}
    model.snapshots.append(snap)
    model.vss.expose(exposed_on, snap, folder + "\\")
    return snap


def _folder(snap):
    return snap["exposed"]["path"]


def test_wbadmin_on_a_non_coordinator_reads_its_own_snapshot_over_smb_and_cleans_it_up():
    model, clock = _model()
    argv = BJ.build_argv("wbadmin", "N2", volume="C:\\ClusterStorage\\Volume1", target="\\\\backup\\share")
    started = _start(model, "wb1", argv)
    assert started == {"node": "N2", "task_state": "Running"}
    status = _status(model, "wb1", csv="D1")
    assert status["exists"] and status["task_state"] == "Running" and status["last_result"] == SCHED_S_TASK_RUNNING
    assert status["csv"]["owner"] == "N1" and status["csv"]["path"] == "C:\\ClusterStorage\\Volume1"
    (snap,) = model.state()["snapshots"]
    assert snap["node"] == "N1" and snap["provider_type"] == "system" and snap["created_by"] == "N2"
    assert snap["consistency"] == "application" and snap["tool"] == "wbadmin"  # "a ... VSS copy backup"
    assert [j["state"] for j in model.state()["jobs"]] == ["running"]
    clock.t = 100
    status = _status(model, "wb1")
    assert status["task_state"] == "Ready" and status["last_result"] == 0
    assert BJ.job_state(status, "wbadmin") == "succeeded"
    (read,) = _ops(model, "backup.read")
    assert read["read"] == "smb" and read["node"] == "N2" and read["coordinator"] == "N1"
    assert (read["provider"], read["consistency"]) == ("system", "application")
    (end,) = _ops(model, "job.end")
    assert end["ok"] and end["exit_code"] == 0 and end["end"] == read["end"] and end["bytes"] == 10 ** 10
    assert model.state()["snapshots"] == []  # wbadmin's own snapshot is gone with the job
    assert "successfully completed" in scheduler(model).read_file("N2", BJ.log_path("wb1"))


def test_wbadmin_on_the_coordinator_reads_locally_and_vms_map_to_their_csv():
    model, clock = _model()
    _start(model, "wb2", BJ.build_argv("wbadmin", "N1", vms=["VM1"], target="\\\\backup\\share"), node="N1")
    clock.t = 100
    (read,) = _ops(model, "backup.read")
    assert read["read"] == "local" and read["node"] == "N1" and read["csv"] == "D1"


def test_second_start_of_a_running_task_is_ignored_and_stop_terminates_it():
    model, clock = _model()
    argv = BJ.build_argv("wbadmin", "N2", volume="C:\\ClusterStorage\\Volume1", target="\\\\b\\s")
    _start(model, "wb3", argv)
    sched = scheduler(model)
    task = sched.find("N2", BJ.TASK_PATH, "wb3")
    sched.start(task)
    assert len(_ops(model, "job.start")) == 1
    clock.t = 3
    stopped = _stop(model, "wb3")
    assert stopped == {"node": "N2", "stopped": True, "removed": True, "processes_stopped": 2, "log_removed": True}
    assert [e["args"]["name"] for e in _ops(model, "process.stop")] == ["wbadmin.exe"]  # cmd.exe ended with the task
    assert scheduler(model).read_file("N2", BJ.log_path("wb3")) is None
    assert task.last_result == SCHED_S_TASK_TERMINATED
    (read,) = _ops(model, "backup.read")
    assert read["ok"] is False and 0 < read["bytes"] < 10 ** 10
    (end,) = _ops(model, "job.end")
    assert end["stopped"] and not end["ok"]
    state = model.state()
    assert state["jobs"] == [] and state["snapshots"] == [] and state["reads"] == []
    assert _status(model, "wb3")["exists"] is False
    again = _stop(model, "wb3")
    assert again["removed"] is False and again["log_removed"] is False


def test_wbadmin_fails_while_another_product_holds_the_vss_slot():
    model, clock = _model(faults=[{"kind": "vss_busy", "node": "N1", "for_s": 50}])
    _start(model, "wb5", BJ.build_argv("wbadmin", "N1", volume="C:\\ClusterStorage\\Volume1", target="\\\\b\\s"),
           node="N1")
    assert _status(model, "wb5", node="N1")["last_result"] == 1
    assert _ops(model, "backup.read") == [] and model.state()["snapshots"] == []
    clock.t = 60  # the slot is free again
    _start(model, "wb6", BJ.build_argv("wbadmin", "N1", volume="C:\\ClusterStorage\\Volume1", target="\\\\b\\s"),
           node="N1")
    clock.t = 200
    assert _status(model, "wb6", node="N1")["last_result"] == 0


def test_robocopy_from_an_exposed_snapshot_reads_that_snapshot_and_logs_bytes():
    model, clock = _model()
    snap = _snapshot(model, "N1")
    argv = BJ.build_argv("copy", "N1", snapshot_path=_folder(snap), target="\\\\b\\s\\d1\\")
    _start(model, "rc1", argv, node="N1")
    clock.t = 100
    status = _status(model, "rc1", node="N1")
    assert status["last_result"] == 1 and BJ.job_state(status, "copy") == "succeeded"
    (read,) = _ops(model, "backup.read")
    assert read["read"] == "local" and read["args"]["snapshot"] == snap["id"]
    assert (read["provider"], read["consistency"]) == ("system", "application")
    log = scheduler(model).read_file("N1", BJ.log_path("rc1")).splitlines()
    assert BJ.parse_bytes("copy", log) == 10 ** 10
    assert model.state()["snapshots"] == [snap]  # a snapshot the job did not create stays


def test_robocopy_of_a_folder_nothing_is_exposed_at_is_a_serious_error():
    model, _ = _model()
    model.fs.mkdir("N1", "C:\\ProgramData\\wsfc.csv\\exposed\\snap-99")
    argv = BJ.build_argv("copy", "N1", snapshot_path="C:\\ProgramData\\wsfc.csv\\exposed\\snap-99\\",
                         target="D:\\b")
    _start(model, "rc2", argv, node="N1")
    status = _status(model, "rc2", node="N1")
    assert status["last_result"] == 16 and BJ.job_state(status, "copy") == "failed"
    assert _ops(model, "backup.read") == []


def test_robocopy_from_a_shadow_copy_device_object_is_refused():
    # The robocopy page documents a source directory, not a device path (wsfc_lab.jobs): not modelled.
    model, _ = _model()
    snap = _snapshot(model, "N1")
    execute, argument = BJ.build_action(["robocopy.exe", snap["device_object"] + "\\", "D:\\b", "/E"],
                                        BJ.log_path("rc2b"))
    result = _operation(model, "backup_job_start", {"name": "rc2b", "task_path": BJ.TASK_PATH, "execute": execute,
                                                    "argument": argument, **SYSTEM_START,
                                                    "log_dir": BJ.DEFAULT_LOG_DIR}, "N1", ok=False)
    assert result.exit_code == 1 and "does not say a shadow copy's device object" in result.stderr
    assert _ops(model, "backup.read") == [] and _ops(model, "job.start") == []
    with pytest.raises(BJ.BackupJobError, match="not from its device object"):
        BJ.build_argv("copy", "N1", snapshot_path=snap["device_object"] + "\\", target="D:\\b")


def test_robocopy_of_a_folder_exposed_on_another_node_is_not_that_snapshot():
    model, _ = _model()
    snap = _snapshot(model, "N1")
    model.fs.mkdir("N2", "C:\\ProgramData\\wsfc.csv\\exposed\\snap-7")  # the same path, on N2's own disk
    _start(model, "rc2c", BJ.build_argv("copy", "N2", snapshot_path=_folder(snap), target="D:\\b"))
    assert _status(model, "rc2c")["last_result"] == 16 and _ops(model, "backup.read") == []


def test_backup_fails_fault_sets_the_exit_code():
    model, clock = _model(faults=[{"kind": "backup_fails", "node": "N1", "exit_code": 9}])
    snap = _snapshot(model, "N1")
    _start(model, "rc3", BJ.build_argv("copy", "N1", snapshot_path=_folder(snap), target="D:\\b"), node="N1")
    clock.t = 100
    status = _status(model, "rc3", node="N1")
    assert status["last_result"] == 9 and BJ.job_state(status, "copy") == "failed"
    (end,) = _ops(model, "job.end")
    assert end["ok"] is False and end["exit_code"] == 9


def test_user_command_reads_what_its_arguments_name():
    model, clock = _model()
    snap = _snapshot(model, "N1", number=3)
    argv = BJ.build_argv("command", "N2", snapshot_path=snap["device_object"], volume="C:\\ClusterStorage\\Volume1",
                         command=["C:\\Tools\\mybackup.exe", "--source={snapshot_path}", "--tag={node}"])
    assert argv[1:] == ["--source=" + snap["device_object"], "--tag=N2"]
    _start(model, "uc1", argv)
    clock.t = 100
    (read,) = _ops(model, "backup.read")
    assert read["read"] == "smb" and read["args"]["snapshot"] == snap["id"]
    assert _status(model, "uc1")["last_result"] == 0


def test_user_command_that_names_nothing_it_reads_is_refused():
    model, _ = _model()
    argv = BJ.build_argv("command", "N2", command=["C:\\Tools\\mybackup.exe", "--all"])
    result = _start_raw = None
    execute, argument = BJ.build_action(argv, BJ.log_path("uc2"))
    result = _operation(model, "backup_job_start", {"name": "uc2", "task_path": BJ.TASK_PATH, "execute": execute,
                                                    "argument": argument, **SYSTEM_START},
                        ok=False)
    assert result.exit_code == 1 and b"not modelled" in (result.stdout + result.stderr).encode()
    del _start_raw


def test_password_never_reaches_events_state_or_task_arguments():
    model, clock = _model()
    _start(model, "wb4", BJ.build_argv("wbadmin", "N2", volume="C:\\ClusterStorage\\Volume1", target="\\\\b\\s"))
    clock.t = 100
    everything = json.dumps(model.events()) + json.dumps(model.state(), default=str)
    assert SECRET not in everything
    (reg,) = _ops(model, "task.register")
    assert reg["args"]["password_given"] is True and SECRET not in reg["args"]["argument"]


def test_action_parsing_refuses_what_cmd_would_interpret():
    with pytest.raises(ActionNotModelled):
        parse_action("robocopy.exe", "a b")
    with pytest.raises(ActionNotModelled):
        parse_action("cmd.exe", '/d /s /c "robocopy a b & del x"')
    with pytest.raises(ActionNotModelled):
        parse_action("cmd.exe", '/d /s /c ""robocopy" "%TEMP%" "b""')
    cmd = parse_action("cmd.exe", BJ.build_action(["robocopy.exe", "C:\\a\\", "D:\\b c\\"], "C:\\l.log")[1])
    assert cmd.argv == ["robocopy.exe", "C:\\a\\", "D:\\b c\\"] and cmd.log == "C:\\l.log" and cmd.tool == "robocopy"


def test_status_returns_the_log_tail_and_its_last_write_as_the_end_of_a_finished_robocopy():
    model, clock = _model()
    snap = _snapshot(model, "N1", exposed_on="N2")  # surfaced on the coordinator, exposed on the node that asked
    argv = BJ.build_argv("copy", "N2", snapshot_path=_folder(snap), target="D:\\b")
    clock.t = 10
    _start(model, "rc9", argv)
    running = _status(model, "rc9", log_lines=3)
    assert BJ.job_state(running, "copy") == "running" and running["log_exists"] is True
    header = scheduler(model).read_file("N2", BJ.log_path("rc9")).splitlines()
    assert running["log_tail"] == header[-3:] and "ROBOCOPY" in header[1]
    assert running["log_written"].startswith("2026-01-05T01:00:10")  # the header, written when the job started
    clock.t = 500
    done = _status(model, "rc9")
    (read,) = _ops(model, "backup.read")
    (end,) = _ops(model, "job.end")
    assert read["read"] == "smb" and end["end"] == read["end"] < 500
    log = scheduler(model).read_file("N2", BJ.log_path("rc9")).splitlines()
    assert done["log_tail"] == log[-BJ.SUMMARY_LINES:]
    # robocopy's summary with /BYTES: plain numbers, Copied = what the model's read delivered.
    (row,) = [line for line in log if line.strip().startswith("Bytes :")]
    assert row.split()[2:] == [str(read["bytes"]), str(read["bytes"]), "0", "0", "0", "0"]
    assert log[-4].split() == ["Total", "Copied", "Skipped", "Mismatch", "FAILED", "Extras"]
    result = BJ.shape(done, "copy", "rc9", False, log_lines=5)
    assert result["bytes"] == read["bytes"] == 10 ** 10 and result["log_tail"] == log[-5:]
    assert result["start"].startswith("2026-01-05T01:00:10")
    # No end time is documented for a task's run: the log's last write (robocopy's summary) is the end.
    from datetime import datetime, timedelta, timezone
    expected = datetime(2026, 1, 5, 1, 0, 0, tzinfo=timezone.utc) + timedelta(seconds=end["end"])
    written = datetime.strptime(result["end"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    assert abs((written - expected).total_seconds()) < 1


def test_robocopy_without_bytes_prints_scaled_sizes_and_a_failed_copy_fills_failed():
    model, clock = _model()
    snap = _snapshot(model, "N1")
    _start(model, "rc10", ["robocopy.exe", _folder(snap), "D:\\b", "/E"], node="N1")
    clock.t = 100
    assert _status(model, "rc10", node="N1")["last_result"] == 1
    log = scheduler(model).read_file("N1", BJ.log_path("rc10")).splitlines()
    (row,) = [line for line in log if line.strip().startswith("Bytes :")]
    assert "9.31 g" in row and BJ.parse_bytes("copy", log) is None  # not exact: no bytes claimed
    snap2 = _snapshot(model, "N1", number=8, exposed_on="N2")
    _start(model, "rc11", BJ.build_argv("copy", "N2", snapshot_path=_folder(snap2), target="D:\\c"))
    clock.t = 102
    (key,) = [k for j in model.jobs if j["task"].endswith("rc11") for k in j["reads"]]
    model.cancel_read(key, "the coordinator failed")  # a read that fails part-way, as a failover makes it
    log = scheduler(model).read_file("N2", BJ.log_path("rc11")).splitlines()
    (row,) = [line for line in log if line.strip().startswith("Bytes :")]
    total, copied, _, _, failed, _ = [int(x) for x in row.split()[2:]]
    assert total == 10 ** 10 and 0 < copied < total and failed == total - copied
    assert _status(model, "rc11")["last_result"] == 8


def test_a_log_folder_that_does_not_exist_fails_like_cmd_without_running_the_tool():
    model, clock = _model()
    snap = _snapshot(model, "N1")
    argv = BJ.build_argv("copy", "N1", snapshot_path=_folder(snap), target="D:\\b")
    execute, argument = BJ.build_action(argv, "C:\\NoSuchFolder\\rc.log")
    _operation(model, "backup_job_start", {"name": "rc12", "task_path": BJ.TASK_PATH, "execute": execute,
                                           "argument": argument, **SYSTEM_START, "log_dir": ""},
               "N1")
    (end,) = _ops(model, "job.end")
    assert end["exit_code"] == 1 and not end["ok"] and "path" in end["error"]
    assert _ops(model, "backup.read") == [] and not model.fs.exists("N1", "C:\\NoSuchFolder\\rc.log")


def test_the_start_script_creates_the_log_folder():
    model, clock = _model()
    snap = _snapshot(model, "N1")
    _start(model, "rc13", BJ.build_argv("copy", "N1", snapshot_path=_folder(snap), target="D:\\b"),
           node="N1", log_dir="C:\\ProgramData\\wsfc.csv\\jobs")
    assert model.fs.is_dir("N1", "C:\\ProgramData\\wsfc.csv\\jobs")
    assert not model.fs.exists("N2", "C:\\ProgramData\\wsfc.csv\\jobs")  # the node's own disk
    clock.t = 100
    assert BJ.job_state(_status(model, "rc13", node="N1"), "copy") == "succeeded"


def test_get_content_tail_and_get_item_file_times():
    model, clock = _model()
    clock.t = 42
    model.fs.write("N1", "C:\\Windows\\Temp\\a.log", "one\r\ntwo\r\nthree\r\n")
    script = ("$t = @(Get-Content -LiteralPath 'C:\\Windows\\Temp\\a.log' -Tail 2)\n"
              "$z = @(Get-Content -LiteralPath 'C:\\Windows\\Temp\\a.log' -Tail 10)\n"
              "$i = Get-Item -LiteralPath 'C:\\Windows\\Temp\\a.log'\n"
              "[ordered]@{ tail = $t; all = $z; written = $i.LastWriteTimeUtc.ToString('o'); length = $i.Length;"
              " name = $i.Name } | ConvertTo-Json -Compress")
    host = Host(node="N1", cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": "N1"},
                now=model.now, context=model, on_event=lambda e: None)
    result = run_script(script, host)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["tail"] == ["two", "three"] and out["all"] == ["one", "two", "three"]
    assert out["written"].startswith("2026-01-05T01:00:42") and out["length"] == 17 and out["name"] == "a.log"


# ---- accounts, logon types, run levels and settings (wsfc_lab.jobs module doc) ---------------------------------
def _ps(model, source, node="N1"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script("$ErrorActionPreference = 'Stop'\n" + source, host)


def _copy_action(model, name, node="N1", number=7):
    snap = _snapshot(model, node, number)
    argv = BJ.build_argv("copy", node, snapshot_path=_folder(snap), target="D:\\b\\" + name)
    return BJ.build_action(argv, BJ.log_path(name))


def _old_way(model, name, user, password=None, node="N1", run_level=None):
    """Register a task as backup_job_start.ps1 did before (-User [-Password], no -RunLevel, no -Settings)."""
    execute, argument = _copy_action(model, name, node)
    model.fs.mkdir(node, BJ.DEFAULT_LOG_DIR)
    source = ("$a = New-ScheduledTaskAction -Execute '%s' -Argument '%s'\n" % (execute, argument.replace("'", "''")) +
              "$null = Register-ScheduledTask -TaskName '%s' -TaskPath '%s' -Action $a -User '%s'%s%s\n"
              % (name, BJ.TASK_PATH, user, " -Password '%s'" % password if password else "",
                 " -RunLevel %s" % run_level if run_level else "") +
              "Start-ScheduledTask -TaskName '%s' -TaskPath '%s'\n" % (name, BJ.TASK_PATH))
    return _ps(model, source, node)


def test_an_administrator_task_without_run_level_highest_has_a_filtered_token_and_robocopy_b_fails():
    model, clock = _model()
    result = _old_way(model, "old1", "LAB\\backup", SECRET)
    assert result.exit_code == 0, result.stderr
    clock.t = 100
    status = _status(model, "old1", node="N1")
    assert status["last_result"] == 16 and BJ.job_state(status, "copy") == "failed"
    assert any("Backup and Restore Files user rights" in line for line in status["log_tail"])
    (end,) = _ops(model, "job.end")
    assert not end["ok"] and "user rights" in end["error"] and _ops(model, "backup.read") == []
    (reg,) = _ops(model, "task.register")
    assert (reg["args"]["logon_type"], reg["args"]["run_level"]) == ("Password", "Limited")
    assert SECRET not in json.dumps(model.events())


def test_the_same_task_with_run_level_highest_copies():
    model, clock = _model()
    assert _old_way(model, "old2", "LAB\\backup", SECRET, run_level="Highest").exit_code == 0
    clock.t = 100
    assert BJ.job_state(_status(model, "old2", node="N1"), "copy") == "succeeded"


def test_wbadmin_without_run_level_highest_fails_before_reading():
    model, clock = _model()
    argv = BJ.build_argv("wbadmin", "N1", volume="C:\\ClusterStorage\\Volume1", target="\\\\backup\\share")
    execute, argument = BJ.build_action(argv, BJ.log_path("wbold"))
    model.fs.mkdir("N1", BJ.DEFAULT_LOG_DIR)
    source = ("$a = New-ScheduledTaskAction -Execute '%s' -Argument '%s'\n" % (execute, argument) +
              "$null = Register-ScheduledTask -TaskName wbold -TaskPath '%s' -Action $a -User 'LAB\\backup' "
              "-Password '%s'\nStart-ScheduledTask -TaskName wbold -TaskPath '%s'\n"
              % (BJ.TASK_PATH, SECRET, BJ.TASK_PATH))
    assert _ps(model, source).exit_code == 0
    (end,) = _ops(model, "job.end")
    assert end["exit_code"] == 1 and not end["ok"] and model.state()["snapshots"] == []


def test_a_gmsa_registered_with_user_and_no_password_never_starts():
    model, clock = _model()
    assert _old_way(model, "old3", "LAB\\gmsa-backup$").exit_code == 0
    clock.t = 100
    status = _status(model, "old3", node="N1")
    assert status["last_run"] is None and BJ.job_state(status, "copy") == "not_started"
    (start,) = _ops(model, "task.start")
    assert "not logged on" in start["args"]["not_started"] and _ops(model, "job.start") == []


def test_a_gmsa_with_a_password_logon_principal_and_an_administrator_with_run_level_highest_copy():
    model, clock = _model()
    for number, name, user, password in ((7, "g1", "LAB\\gmsa-backup$", None), (8, "a1", "LAB\\backup", SECRET)):
        execute, argument = _copy_action(model, name, number=number)
        logon = BJ.task_logon(user, password)
        _operation(model, "backup_job_start", BJ.start_args(name, execute, argument, user, password, logon, 7200), "N1")
    clock.t = 1000
    assert [BJ.job_state(_status(model, n, node="N1"), "copy") for n in ("g1", "a1")] == ["succeeded"] * 2
    regs = {r["args"]["task"]: r["args"] for r in _ops(model, "task.register")}
    gmsa, admin = regs[BJ.TASK_PATH + "g1"], regs[BJ.TASK_PATH + "a1"]
    assert (gmsa["logon_type"], gmsa["run_level"], gmsa["password_given"]) == ("Password", "Highest", False)
    assert (admin["logon_type"], admin["run_level"], admin["password_given"]) == ("Password", "Highest", True)
    assert gmsa["settings"] == {"allow_start_if_on_batteries": True, "dont_stop_if_going_on_batteries": True,
                                "execution_time_limit_s": 7200.0, "priority": BJ.TASK_PRIORITY}


def test_system_registers_as_a_service_account_principal():
    model, clock = _model()
    execute, argument = _copy_action(model, "s1")
    _operation(model, "backup_job_start", BJ.start_args("s1", execute, argument, BJ.SYSTEM_ACCOUNT, None,
                                                        "service_account", 60), "N1")
    (reg,) = _ops(model, "task.register")
    assert (reg["args"]["user"], reg["args"]["logon_type"]) == (BJ.SYSTEM_ACCOUNT, "ServiceAccount")


@pytest.mark.parametrize("user,password,logon,message", [
    ("LAB\\stranger", SECRET, "password", "No mapping between account names and security IDs was done."),
    ("LAB\\backup", "wrong", "password", "The user name or password is incorrect."),
    ("LAB\\stranger$", None, "gmsa", "No mapping between account names and security IDs was done."),
    ("LAB\\backup", None, "gmsa", "The user name or password is incorrect."),  # a user, not a gMSA: no password
    ("LAB\\gmsa-backup$", "x", "password", "The user name or password is incorrect."),
])
def test_register_refuses_unknown_accounts_and_wrong_passwords(user, password, logon, message):
    model, clock = _model()
    execute, argument = _copy_action(model, "bad")
    result = _operation(model, "backup_job_start", BJ.start_args("bad", execute, argument, user, password, logon, 60),
                        "N1", ok=False)
    assert result.exit_code == 1 and message in result.stderr.replace("_x000D__x000A_", "")
    assert scheduler(model).find("N1", BJ.TASK_PATH, "bad") is None
    assert SECRET not in json.dumps(model.events())


def test_an_account_without_the_batch_logon_right_never_starts():
    model, clock = _model()
    execute, argument = _copy_action(model, "nb")
    _operation(model, "backup_job_start", BJ.start_args("nb", execute, argument, "LAB\\nobody", SECRET, "password", 60),
               "N1")
    status = _status(model, "nb", node="N1")
    assert status["exists"] and BJ.job_state(status, "copy") == "not_started"
    (start,) = _ops(model, "task.start")
    assert "Log on as a batch job" in start["args"]["not_started"]


def test_on_demand_tasks_are_not_stopped_at_their_execution_time_limit():
    # "If a task is started on demand, the ExecutionTimeLimit setting is bypassed" (ITaskSettings page)
    model, clock = _model()
    execute, argument = _copy_action(model, "lim")
    _operation(model, "backup_job_start", BJ.start_args("lim", execute, argument, BJ.SYSTEM_ACCOUNT, None,
                                                        "service_account", 1), "N1")
    clock.t = 5
    assert BJ.job_state(_status(model, "lim", node="N1"), "copy") == "running"


def test_a_priority_outside_0_to_10_is_refused():
    model, clock = _model()
    result = _ps(model, "$s = New-ScheduledTaskSettingsSet -Priority 11")
    assert result.exit_code == 1 and "0-10" in result.stderr
    assert "not modelled" in _ps(model, "$s = New-ScheduledTaskSettingsSet -WakeToRun").stderr


@pytest.mark.parametrize("account,message", [
    ({"name": "svc"}, "expected DOMAIN\\\\name"),
    ({"name": "LAB\\g$", "kind": "gmsa", "password": "x"}, "a gmsa has no password"),
    ({"name": "LAB\\g", "kind": "gmsa"}, "ends in '$'"),
    ({"name": "NT AUTHORITY\\SYSTEM"}, "always exists"),
    ({"name": "LAB\\u", "kind": "robot"}, "must be one of"),
])
def test_topology_accounts_are_validated(account, message):
    from wsfc_lab.topology import TopologyError
    with pytest.raises(TopologyError, match=message.replace("$", "\\$").replace("(", "\\(")):
        _model(accounts=[account])


def test_stop_scheduled_task_alone_leaves_the_tool_running_and_stop_process_ends_it():
    # Microsoft does not document that Stop-ScheduledTask ends the processes cmd.exe started: the lab keeps the
    # tool running (conservative), so only stopping its process stops the copy.
    model, clock = _model()
    execute, argument = _copy_action(model, "orph")
    _operation(model, "backup_job_start", BJ.start_args("orph", execute, argument, BJ.SYSTEM_ACCOUNT, None,
                                                        "service_account", 60), "N1")
    listed = _ps(model, "Get-CimInstance -ClassName Win32_Process | ForEach-Object { '' + $_.Name + ' ' + "
                        "$_.ProcessId + ' ' + $_.ParentProcessId }")
    (cmd, tool) = [line.split() for line in listed.stdout.strip().splitlines()]
    assert cmd[0] == "cmd.exe" and tool[0] == "robocopy.exe" and tool[2] == cmd[1]
    clock.t = 2
    assert _ps(model, "Stop-ScheduledTask -TaskName orph -TaskPath '%s'" % BJ.TASK_PATH).exit_code == 0
    task = scheduler(model).find("N1", BJ.TASK_PATH, "orph")
    assert task.state == "Ready" and task.last_result == SCHED_S_TASK_TERMINATED
    (stop,) = _ops(model, "task.stop")
    assert stop["args"]["tool_left_running"] is True and _ops(model, "job.end") == []
    assert [p["Name"] for p in scheduler(model).processes("N1")] == ["robocopy.exe"]
    clock.t = 4
    assert _ps(model, "Stop-Process -Id %s -Force" % tool[1]).exit_code == 0
    (end,) = _ops(model, "job.end")
    assert end["stopped"] and not end["ok"] and scheduler(model).processes("N1") == []
    assert model.state()["reads"] == []
    assert _stop(model, "orph", node="N1")["removed"] is True and model.state()["jobs"] == []


def test_stop_process_needs_force_and_reports_an_unknown_id():
    model, clock = _model()
    assert "not modelled" in _ps(model, "Stop-Process -Id 4").stderr
    result = _ps(model, "Stop-Process -Id 4 -Force -ErrorAction SilentlyContinue; Stop-Process -Id 4 -Force")
    assert result.exit_code == 1 and "Cannot find a process with the process identifier 4." in result.stderr
