# -*- coding: utf-8 -*-
"""wsfc.csv.backup_job against the lab: jobs checked against the lab's state and event log."""

from __future__ import annotations

import json

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

SECRET = "Run-As-Secret-7f3a"
TOPOLOGY = """\
cluster: JOBLAB
time_scale: 50
nodes:
  - {name: N1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: N2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Small, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 20, owner: N1}
  - {name: Big, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100000, used_gb: 90000, owner: N2}
vss: {hardware_provider: false}
accounts:
  - {name: 'JOBLAB\\svc', password: %s, groups: [Administrators]}
targets:
  - {path: '\\\\backup\\share', gbps: 100}
  - {path: 'D:\\backup', node: N1, gbps: 100}
  - {path: 'D:\\backup', node: N2, gbps: 100}
""" % SECRET


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("joblab")) as running:
        yield running


def _module(lab, args, check=False, node="N1", verbosity=None):
    extra = ["-a", json.dumps(args)]
    if check:
        extra += ["--check", "--diff"]
    if verbosity:
        extra.append(verbosity)
    host = lab.group + "[%d]" % (0 if node == "N1" else 1)
    return lab.ansible(host, "wsfc.csv.backup_job", *extra)


def _ops(lab, mark, op):
    return [e for e in lab.events()[mark:] if e["op"] == op]


def test_target_runs_a_backup_and_removes_it(lab4, tmp_path):
    mark = len(lab4.events())
    result = lab4.run_targets(["backup_job"], tmp_path, "-e", json.dumps({"backup_job_target": "\\\\BACKUP01\\csv"}))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    starts, ends = _ops(lab4, mark, "job.start"), _ops(lab4, mark, "job.end")
    assert len(starts) == 1 and len(ends) == 1 and ends[0]["ok"] and ends[0]["exit_code"] == 0
    saved = json.loads((tmp_path / "backup_job.json").read_text())
    assert saved["run"]["node"] == starts[0]["node"]
    assert lab4.state()["jobs"] == [] and lab4.state()["snapshots"] == []


def test_wbadmin_success_read_locality_idempotence_and_round_trips(lab):
    args = {"name": "small-wb", "csv": "Small", "target": "\\\\backup\\share", "run_as_user": "JOBLAB\\svc",
            "run_as_password": SECRET, "poll_interval": 0.2, "timeout": 120}
    mark = len(lab.events())
    check = _module(lab, args, check=True)
    assert check.returncode == 0, check.stdout
    assert lab.state()["jobs"] == [] and _ops(lab, mark, "task.register") == []
    assert len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    run = _module(lab, args, verbosity="-vvv")
    assert run.returncode == 0, run.stdout
    result = module_result(run)
    assert result["changed"] and result["state"] == "succeeded" and result["exit_code"] == 0 and result["node"] == "N1"
    (read,) = _ops(lab, mark, "backup.read")
    assert read["read"] == "local" and read["node"] == "N1" and read["coordinator"] == "N1"  # N1 coordinates Small
    (end,) = _ops(lab, mark, "job.end")
    assert end["ok"] and end["end"] == read["end"]
    trips = len(lab.commands_since(mark))
    assert trips >= 3  # status, start, at least one poll
    print("round trips, wbadmin finished:", trips)
    assert SECRET not in run.stdout + run.stderr
    assert SECRET not in json.dumps(lab.events()) + json.dumps(lab.state())
    assert SECRET not in (lab.workdir / "lab.log").read_text()

    mark = len(lab.events())
    again = _module(lab, dict(args, state="started"))
    assert again.returncode == 0 and '"changed": false' in again.stdout
    assert _ops(lab, mark, "job.start") == [] and len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    gone = _module(lab, {"name": "small-wb", "state": "absent"})
    assert gone.returncode == 0 and "CHANGED" in gone.stdout
    assert lab.state()["jobs"] == [] and len(lab.commands_since(mark)) == 2


def test_wbadmin_on_a_non_coordinator_reads_over_smb(lab):
    mark = len(lab.events())
    run = _module(lab, {"name": "small-smb", "csv": "Small", "target": "\\\\backup\\share", "poll_interval": 0.2}, node="N2")
    assert run.returncode == 0, run.stdout
    (read,) = _ops(lab, mark, "backup.read")
    assert read["read"] == "smb" and read["node"] == "N2" and read["coordinator"] == "N1"
    _module(lab, {"name": "small-smb", "state": "absent"}, node="N2")


def test_tool_failure_is_reported_with_exit_code(lab):
    lab.fault("backup_fails", node="N1", exit_code="8")
    mark = len(lab.events())
    run = _module(lab, {"name": "small-fail", "csv": "Small", "target": "\\\\backup\\share", "poll_interval": 0.2})
    assert run.returncode != 0
    result = module_result(run)
    assert result["state"] == "failed" and result["exit_code"] == 8
    assert "N1" in result["msg"] and "Small" in result["msg"] and "state=absent" in result["msg"]
    (end,) = _ops(lab, mark, "job.end")
    assert end["exit_code"] == 8 and not end["ok"]
    _module(lab, {"name": "small-fail", "state": "absent"})


def test_still_running_at_timeout_then_cancel(lab):
    mark = len(lab.events())
    run = _module(lab, {"name": "big", "csv": "Big", "target": "\\\\backup\\share", "poll_interval": 0.3, "timeout": 1}, node="N2")
    assert run.returncode != 0
    result = module_result(run)
    assert result["state"] == "running" and result["exit_code"] is None and "still running" in result["msg"]
    assert [j["state"] for j in lab.state()["jobs"]] == ["running"]
    assert _ops(lab, mark, "job.end") == []

    check = _module(lab, {"name": "big", "state": "absent"}, check=True, node="N2")
    assert check.returncode == 0 and [j["state"] for j in lab.state()["jobs"]] == ["running"]

    mark = len(lab.events())
    gone = _module(lab, {"name": "big", "state": "absent"}, node="N2")
    assert gone.returncode == 0, gone.stdout
    assert module_result(gone)["stopped"] is True
    # Stop-ScheduledTask ends the task's cmd.exe only (the lab's conservative model); the tool is stopped by its id
    (stop,) = _ops(lab, mark, "task.stop")
    assert stop["args"]["tool_left_running"] is True
    assert [e["args"]["name"] for e in _ops(lab, mark, "process.stop")] == ["wbadmin.exe"]
    (end,) = _ops(lab, mark, "job.end")
    assert end.get("stopped") and not end["ok"]
    (read,) = _ops(lab, mark, "backup.read")
    assert read["ok"] is False
    state = lab.state()
    assert state["jobs"] == [] and state["reads"] == [] and state["snapshots"] == []


def test_command_method_with_placeholders(lab):
    mark = len(lab.events())
    run = _module(lab, {"name": "tool", "method": "command", "csv": "Small", "poll_interval": 0.2,
                        "command": ["C:\\Tools\\backup.exe", "--source={volume}", "--host={node}"]})
    assert run.returncode == 0, run.stdout
    (start,) = _ops(lab, mark, "job.start")
    assert start["args"]["tool"] == "command" and start["args"]["csvs"] == ["Small"]
    (reg,) = _ops(lab, mark, "task.register")
    assert '"--host=N1"' in reg["args"]["argument"]
    _module(lab, {"name": "tool", "state": "absent"})


def test_refusals_change_nothing(lab):
    mark = len(lab.events())
    unknown = _module(lab, {"name": "x", "csv": "Nope", "target": "\\\\backup\\share"})
    assert unknown.returncode != 0 and "Nope" in unknown.stdout and "cluster_info" in unknown.stdout
    bad = _module(lab, {"name": "y", "method": "command", "command": ["tool.exe", "100%"]})
    assert bad.returncode != 0 and "%" in bad.stdout
    assert _ops(lab, mark, "task.register") == [] and lab.state()["jobs"] == []


def _on(lab, node, module, args, check=False):
    extra = ["-a", json.dumps(args)]
    if check:
        extra += ["--check", "--diff"]
    result = lab.ansible(lab.group + "[%d]" % (0 if node == "N1" else 1), "wsfc.csv." + module, *extra)
    return result, module_result(result)


def _seconds(iso):
    """Modelled seconds of an ISO 8601 UTC time from the lab (its clock starts at 2026-01-05T01:00:00Z)."""
    from datetime import datetime, timezone
    when = datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return (when - datetime(2026, 1, 5, 1, 0, 0, tzinfo=timezone.utc)).total_seconds() + float("0." + iso[20:26])


@pytest.mark.parametrize("node, locality", [("N1", "local"), ("N2", "smb")])
def test_copy_of_a_csv_snapshot_end_to_end(lab, node, locality):
    """csv_snapshot on a node, backup_job method=copy of the folder it exposed it at there, then both removed."""
    run, snap = _on(lab, node, "csv_snapshot", {"name": "Small", "tag": "copy-" + node})
    assert run.returncode == 0, run.stdout
    folder, snap_id = snap["snapshot"]["exposed_path"], snap["snapshot"]["id"]
    assert snap["snapshot"]["surfaced_on"] == "N1"  # the system provider: the coordinator of Small
    name = "small-copy-" + node.lower()
    args = {"name": name, "method": "copy", "snapshot_path": folder + "\\", "target": "D:\\backup\\small",
            "poll_interval": 0.2, "timeout": 120, "log_lines": 8}

    mark = len(lab.events())
    run, result = _on(lab, node, "backup_job", args)
    assert run.returncode == 0, run.stdout
    (register,) = _ops(lab, mark, "task.register")
    assert "/BYTES" in register["args"]["argument"] and folder in register["args"]["argument"]
    assert snap["snapshot"]["device_object"] not in register["args"]["argument"]
    (read,) = _ops(lab, mark, "backup.read")
    assert read["ok"] and read["read"] == locality and read["node"] == node and read["coordinator"] == "N1"
    assert read["args"]["snapshot"] == snap_id
    assert (read["provider"], read["consistency"]) == ("system", "application")
    (end,) = _ops(lab, mark, "job.end")
    assert result["state"] == "succeeded" and result["exit_code"] == end["exit_code"] == 1 and result["node"] == node
    assert result["bytes"] == read["bytes"] == end["bytes"] == 20 * 10 ** 9
    tail = result["log_tail"]
    assert len(tail) == 8 and any(line.split() == ["Total", "Copied", "Skipped", "Mismatch", "FAILED", "Extras"]
                                  for line in tail)
    (row,) = [line for line in tail if line.strip().startswith("Bytes :")]
    assert row.split()[3] == str(read["bytes"])
    assert tail[-1].strip().startswith("Ended :")
    assert abs(_seconds(result["start"]) - end["start"]) < 1.0
    assert abs(_seconds(result["end"]) - end["end"]) < 1.0 and result["end"] > result["start"]
    assert result["log_path"] == "C:\\ProgramData\\wsfc.csv\\jobs\\%s.log" % name

    mark = len(lab.events())
    again, same = _on(lab, node, "backup_job", dict(args, state="started"))
    assert again.returncode == 0 and not same["changed"] and same["bytes"] == read["bytes"]
    assert _ops(lab, mark, "job.start") == [] and len(lab.commands_since(mark)) == 1

    check, would = _on(lab, node, "backup_job", {"name": name, "state": "absent"}, check=True)
    assert check.returncode == 0 and would["changed"] and "log_exists" in check.stdout  # the diff names it
    gone, removed = _on(lab, node, "backup_job", {"name": name, "state": "absent"})
    assert gone.returncode == 0 and removed["changed"] and removed["log_removed"] is True
    assert "deleted" in removed["msg"]
    mark = len(lab.events())
    twice, unchanged = _on(lab, node, "backup_job", {"name": name, "state": "absent"})
    assert twice.returncode == 0 and not unchanged["changed"] and len(lab.commands_since(mark)) == 1

    run, dropped = _on(lab, node, "csv_snapshot", {"name": "Small", "state": "absent"})
    assert run.returncode == 0 and snap_id in dropped["removed"], run.stdout

    # the raw device object is not a source the copy method reads (robocopy does not document it)
    mark = len(lab.events())
    run, refused = _on(lab, node, "backup_job", dict(args, name=name + "-dev",
                                                     snapshot_path=snap["snapshot"]["device_object"] + "\\"))
    assert run.returncode != 0 and "not from its device object" in refused["msg"]
    assert _ops(lab, mark, "task.register") == []
    state = lab.state()
    assert state["snapshots"] == [] and state["jobs"] == [] and state["reads"] == []
