"""Clustered scheduled tasks (wsfc_lab.ctasks): registered from a node, fired in modelled time by each node's clock,
their powershell.exe -File scripts run by the lab's engine as NT AUTHORITY\\SYSTEM on the nodes that are Up.

The model's clock stands still here (a test clock, no ticker): a test moves it, then ``settle`` fires what is due and
waits for those runs to end."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from node_script import REFERENCE, run_on
from wsfc_lab.ctasks import clustered
from wsfc_lab.jobs import SCHED_S_TASK_HAS_NOT_RUN, SCHED_S_TASK_TERMINATED
from wsfc_lab.model import EPOCH, Cluster
from wsfc_lab.topology import parse_topology
from wsfc_lab.triggers import OnceTrigger, TriggerError

SCALE = 100.0  # modelled seconds per test-clock second: a CSV move (2 s modelled) sleeps 20 ms
DIR = "C:\\ClusterStorage\\Volume1\\.wsfc.csv"
SCRIPT = DIR + "\\watchdog.ps1"
ARGUMENT = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%s"' % SCRIPT
SYSTEM = "NT AUTHORITY\\SYSTEM"


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _model(offsets=None):
    offsets = offsets or {}
    topo = parse_topology({"cluster": "C1", "time_scale": SCALE, "nodes": [
        {"name": n, "nics": [{"name": "A", "gbps": 10}], "clock_offset_s": offsets.get(n, 0.0)}
        for n in ("N1", "N2", "N3")],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}]})
    clock = Clock()
    model = Cluster(topo, reference=REFERENCE, clock=clock, ticker=False)
    model.fs.mkdir("N1", DIR)
    return model, clock


def _at(model, clock, seconds):
    """Move modelled time to ``seconds``, fire what is due and wait until those runs ended."""
    clock.t = seconds / SCALE
    assert clustered(model).settle(timeout=30)


def _register(model, node="N1", task_type="ClusterWide", extra="", interval="-RepetitionInterval "
              "([TimeSpan]::FromMinutes(1))", at="(Get-Date).AddMinutes(1)", name="wsfc-watchdog", ok=True,
              argument=ARGUMENT, execute="powershell.exe"):
    source = ("$a = New-ScheduledTaskAction -Execute '%s' -Argument '%s'\n" % (execute, argument.replace("'", "''")) +
              "$at = %s\n$t = New-ScheduledTaskTrigger -Once -At $at %s\n" % (at, interval) +
              "$o = Register-ClusteredScheduledTask -TaskName %s -TaskType %s -Action $a -Trigger $t %s\n"
              % (name, task_type, extra) + "$o.TaskName + '|' + $o.TaskType")
    result = run_on(model, source, node)
    if ok:
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip() == "%s|%s" % (name, task_type)
    return result


def _ops(model, op, **match):
    return [e for e in model.events() if e["op"] == op and all(e.get(k) == v for k, v in match.items())]


def _fired(model, started=True):
    return sorted((e["t"], e["node"]) for e in _ops(model, "task.fire") if e["started"] is started)


WATCHDOG = r"""
$me = $env:COMPUTERNAME
if (-not (Test-Path -LiteralPath "$PSScriptRoot\runs")) { New-Item -ItemType Directory -Path "$PSScriptRoot\runs" -Force | Out-Null }
$stamp = (Get-Date).ToString('HHmmss')
[System.IO.File]::WriteAllText("$PSScriptRoot\runs\$me-$stamp.json", (@{ node = $me; script = $PSCommandPath } | ConvertTo-Json -Compress))
if ($me -eq 'N2') { Move-ClusterSharedVolume -Name D1 -Node N2 | Out-Null }
"""


def _runs(model):
    folder = DIR + "\\runs"
    if not model.fs.exists("N1", folder):
        return []
    return sorted(p.rsplit("\\", 1)[-1] for p in model.fs.list("N1", folder))


def test_a_cluster_wide_task_runs_on_every_up_node_at_its_times_until_unregistered():
    model, clock = _model()
    model.fs.write("N1", SCRIPT, WATCHDOG)
    _register(model)
    (reg,) = _ops(model, "ctask.register")
    assert reg["node"] == "N1" and reg["args"]["trigger"]["indefinitely"] is True and reg["args"]["user"] == SYSTEM
    _at(model, clock, 59)
    assert _fired(model) == []
    _at(model, clock, 60)
    assert _fired(model) == [(60.0, "N1"), (60.0, "N2"), (60.0, "N3")]
    assert _runs(model) == ["N1-010100.json", "N2-010100.json", "N3-010100.json"]
    data = json.loads(model.fs.read("N3", DIR + "\\runs\\N3-010100.json"))
    assert data == {"node": "N3", "script": SCRIPT}  # $PSCommandPath, and the CSV is the same store on every node
    assert model.csv("D1").owner == "N2"
    fire = _ops(model, "task.fire", node="N2")[0]
    assert fire["task"] == "wsfc-watchdog" and fire["clustered"] is True and fire["task_type"] == "ClusterWide"
    assert fire["user"] == SYSTEM and fire["scheduled"] == "2026-01-05T01:01:00+00:00"
    assert sorted(e["node"] for e in _ops(model, "task.end") if e["exit_code"] == 0) == ["N1", "N2", "N3"]
    # every cmdlet the script ran is logged as a WinRM command's is, with the task's name
    (move,) = _ops(model, "Move-ClusterSharedVolume")
    assert move["node"] == "N2" and move["task"] == "wsfc-watchdog" and move["ok"] is True
    assert all(e.get("task") is None for e in _ops(model, "Register-ClusteredScheduledTask"))
    # and so is what the model logged on the script's behalf (Cluster.log_context)
    assert [(e["node"], e["task"]) for e in _ops(model, "csv.move")] == [("N2", "wsfc-watchdog")]
    assert {e.get("task") for e in _ops(model, "fs.write")} == {"wsfc-watchdog"}

    model.set_node_state("N3", "Down")
    _at(model, clock, 120)
    assert [n for t, n in _fired(model) if t == 120.0] == ["N1", "N2"]  # N3 is down: it does not run it
    model.set_node_state("N3", "Up")
    _at(model, clock, 150)
    assert [n for t, n in _fired(model) if t == 150.0] == []  # the firing N3 missed is not run when it is back
    _at(model, clock, 180)
    assert [n for t, n in _fired(model) if t == 180.0] == ["N1", "N2", "N3"]  # it runs the next one

    state = {t["name"]: t for t in model.state()["clustered_tasks"]}["wsfc-watchdog"]
    assert state["type"] == "ClusterWide" and state["user"] == SYSTEM
    assert state["next_run"] == {n: "2026-01-05T01:04:00+00:00" for n in ("N1", "N2", "N3")}
    assert state["nodes"]["N3"]["last_run"] == "2026-01-05T01:03:00+00:00" and state["nodes"]["N3"]["last_result"] == 0

    result = run_on(model, "Unregister-ClusteredScheduledTask -TaskName wsfc-watchdog", "N2")
    assert result.exit_code == 0, result.stderr
    assert _ops(model, "ctask.unregister")[0]["node"] == "N2"
    before = len(_ops(model, "task.fire"))
    _at(model, clock, 300)
    assert len(_ops(model, "task.fire")) == before and model.state()["clustered_tasks"] == []


def test_an_any_node_task_runs_once_per_firing_on_the_first_up_node():
    model, clock = _model()
    model.fs.write("N1", SCRIPT, WATCHDOG)
    _register(model, task_type="AnyNode", node="N3")
    _at(model, clock, 60)
    assert _fired(model) == [(60.0, "N1")]
    model.set_node_state("N1", "Down")
    _at(model, clock, 120)
    assert _fired(model) == [(60.0, "N1"), (120.0, "N2")]
    (fire,) = _ops(model, "task.fire", node="N2")
    assert fire["task_type"] == "AnyNode" and fire["user"] == SYSTEM


def test_each_node_fires_by_its_own_clock():
    model, clock = _model(offsets={"N2": 30.0})  # N2's clock is 30 s ahead
    model.fs.write("N1", SCRIPT, "$null = Get-Date")
    _register(model)  # At: one minute after N1's clock at registration, 01:01:00
    _at(model, clock, 30)
    assert _fired(model) == [(30.0, "N2")]
    _at(model, clock, 60)
    assert _fired(model) == [(30.0, "N2"), (60.0, "N1"), (60.0, "N3")]


def test_repetition_duration_ends_the_pattern_and_a_jump_over_firings_runs_the_latest_once():
    model, clock = _model()
    model.fs.write("N1", SCRIPT, "$null = Get-Date")
    _register(model, task_type="AnyNode", interval="-RepetitionInterval ([TimeSpan]::FromMinutes(1)) "
              "-RepetitionDuration ([TimeSpan]::FromMinutes(3))")
    _at(model, clock, 150)  # firings at 60 and 120 have come: the latest runs, the other is missed
    (fire,) = _ops(model, "task.fire")
    assert fire["scheduled"] == "2026-01-05T01:02:00+00:00" and fire["missed"] == 1
    _at(model, clock, 180)
    _at(model, clock, 240)  # 60 + 3 min is the end of the duration: no firing there
    assert [e["scheduled"][11:19] for e in _ops(model, "task.fire")] == ["01:02:00", "01:03:00"]
    assert model.state()["clustered_tasks"][0]["next_run"] == {}


@pytest.mark.parametrize("body, code", [
    ("Write-Error 'not fatal' -ErrorAction Continue", 0),  # -File: normal termination is always 0
    ("exit 3", 3),
    ("throw 'boom'", 1),
])
def test_the_run_result_is_the_script_exit_code_as_powershell_exe_file_gives_it(body, code):
    model, clock = _model()
    model.fs.write("N1", SCRIPT, body)
    _register(model, task_type="AnyNode")
    _at(model, clock, 60)
    (end,) = _ops(model, "task.end")
    assert end["exit_code"] == code and end["last_result"] == code
    assert model.state()["clustered_tasks"][0]["nodes"]["N1"]["last_result"] == code


def test_a_missing_script_fails_the_run_as_powershell_exe_does():
    model, clock = _model()
    _register(model, task_type="AnyNode")
    assert model.state()["clustered_tasks"][0]["nodes"]["N1"]["last_result"] == SCHED_S_TASK_HAS_NOT_RUN
    _at(model, clock, 60)
    (end,) = _ops(model, "task.end")
    assert end["exit_code"] == -196608 and end["last_result"] == 0xFFFD0000
    assert "to the -File parameter does not exist" in end["error"]


def test_a_firing_while_the_previous_run_runs_is_ignored_and_the_time_limit_stops_a_run():
    model, clock = _model()
    model.fs.write("N1", SCRIPT, "Start-Sleep -Seconds 2\n[System.IO.File]::WriteAllText('%s\\slept.txt', 'x')"
                   % DIR)
    _register(model, task_type="AnyNode", extra="-Settings $s", interval="-RepetitionInterval "
              "([TimeSpan]::FromMinutes(1))\n$s = New-ScheduledTaskSettingsSet -ExecutionTimeLimit "
              "([TimeSpan]::FromSeconds(100))")
    sched = clustered(model)
    clock.t = 60 / SCALE
    with model._lock:
        model._tick()
    clock.t = 120 / SCALE
    with model._lock:
        model._tick()  # the run of 60 still sleeps: IgnoreNew
    (ignored,) = [e for e in _ops(model, "task.fire") if e["started"] is False]
    assert ignored["t"] == 120.0 and "IgnoreNew" in ignored["args"]["why"]
    clock.t = 170 / SCALE
    with model._lock:
        model._tick()  # 110 s after it started: past the 100 s limit
    assert sched.wait_idle(10)
    (stop,) = _ops(model, "task.stop")
    assert stop["args"]["why"] == "ExecutionTimeLimit" and stop["clustered"] is True
    (end,) = _ops(model, "task.end")
    assert end["exit_code"] is None and end["last_result"] == SCHED_S_TASK_TERMINATED
    assert not model.fs.exists("N1", DIR + "\\slept.txt")  # the stopped script did not go on


def test_a_script_in_a_task_uses_the_same_cmdlets_as_under_winrm():
    model, clock = _model()
    created = run_on(model, "$a = New-ScheduledTaskAction -Execute cmd.exe -Argument '/d /s /c \"robocopy.exe "
                            "C:\\ClusterStorage\\Volume1 \\\\b\\s\"'\n$null = Register-ScheduledTask -TaskName job1 "
                            "-TaskPath '\\wsfc.csv\\' -Action $a -User 'NT AUTHORITY\\SYSTEM'", "N1")
    assert created.exit_code == 0, created.stderr
    model.fs.write("N1", "C:\\ProgramData\\ds.txt", "set context persistent\r\nadd volume C:\\ClusterStorage\\Volume1\\\r\n"
                   "create\r\n")
    made = run_on(model, "$null = & diskshadow.exe /s 'C:\\ProgramData\\ds.txt'\n$LASTEXITCODE", "N1")
    assert made.stdout.strip() == "0" and len(model.snapshots) == 1
    model.fs.write("N1", DIR + "\\run.json", '{"run": "r1", "csv": "D1"}')
    model.fs.write("N1", SCRIPT, r"""
$ErrorActionPreference = 'Stop'
$run = [System.IO.File]::ReadAllText("$PSScriptRoot\run.json") | ConvertFrom-Json
$out = [ordered]@{ node = $env:COMPUTERNAME; run = $run.run; at = (Get-Date).ToString('o') }
$out.nodes = @(Get-ClusterNode | ForEach-Object { [string]$_.Name })
$out.owner = [string](Get-ClusterSharedVolume -Name $run.csv).OwnerNode
$task = Get-ScheduledTask -TaskName job1 -TaskPath '\wsfc.csv\'
Stop-ScheduledTask -TaskName job1 -TaskPath '\wsfc.csv\'
Unregister-ScheduledTask -TaskName job1 -TaskPath '\wsfc.csv\' -Confirm:$false
$out.task = [string]$task.TaskName
$shadows = @(Get-CimInstance -ClassName Win32_ShadowCopy)
$out.shadows = $shadows.Count
[System.IO.File]::WriteAllText('C:\ProgramData\del.txt', "delete shadows id $($shadows[0].ID)")
$null = & diskshadow.exe /s 'C:\ProgramData\del.txt'
$out.diskshadow = $LASTEXITCODE
$out.after = @(Get-CimInstance -ClassName Win32_ShadowCopy).Count
New-Item -ItemType Directory -Path "$PSScriptRoot\undo" -Force | Out-Null
[System.IO.File]::WriteAllText("$PSScriptRoot\undo\a.txt", 'a')
[System.IO.File]::Move("$PSScriptRoot\undo\a.txt", "$PSScriptRoot\undo\b.txt")
[System.IO.File]::WriteAllText("$PSScriptRoot\undo\c.txt", 'c')
[System.IO.File]::Replace("$PSScriptRoot\undo\c.txt", "$PSScriptRoot\undo\b.txt", $null)
$out.b = Get-Content -LiteralPath "$PSScriptRoot\undo\b.txt" -Raw
[System.IO.File]::Delete("$PSScriptRoot\undo\b.txt")
[System.IO.File]::Delete("$PSScriptRoot\undo\never.txt")
$out.left = @(Get-ChildItem -LiteralPath "$PSScriptRoot\undo").Count
$out.exists = Test-Path -LiteralPath "$PSScriptRoot\undo\b.txt"
Unregister-ClusteredScheduledTask -TaskName wsfc-watchdog
[System.IO.File]::WriteAllText("$PSScriptRoot\result.json", ($out | ConvertTo-Json -Compress))
""")
    _register(model, task_type="AnyNode", node="N2")
    _at(model, clock, 60)
    (end,) = _ops(model, "task.end")
    assert end["exit_code"] == 0, end.get("error")
    out = json.loads(model.fs.read("N2", DIR + "\\result.json"))
    assert out == {"node": "N1", "run": "r1", "at": "2026-01-05T01:01:00.0000000+00:00", "nodes": ["N1", "N2", "N3"],
                   "owner": "N1", "task": "job1", "shadows": 1, "diskshadow": 0, "after": 0, "b": "c", "left": 0,
                   "exists": False}
    assert model.snapshots == [] and [(e["node"], e["task"]) for e in _ops(model, "snap.delete")] == [
        ("N1", "wsfc-watchdog")]
    assert [e.get("task") for e in _ops(model, "snap.create")] == [None]  # the controller's
    assert _ops(model, "task.unregister", node="N1")[0]["args"]["task"] == "\\wsfc.csv\\job1"
    assert {e["op"] for e in model.events() if e.get("task") == "wsfc-watchdog" and e["op"][0].isupper()} >= {
        "Get-ClusterNode", "Get-ScheduledTask", "Stop-ScheduledTask", "Unregister-ScheduledTask", "Get-CimInstance",
        "Unregister-ClusteredScheduledTask"}
    (unreg,) = _ops(model, "ctask.unregister")
    assert unreg["node"] == "N1"
    assert model.state()["clustered_tasks"] == []


def test_get_register_and_unregister_answer_for_the_cluster():
    model, clock = _model()
    _register(model)
    _register(model, name="other", task_type="AnyNode", node="N3")
    listing = run_on(model, "(Get-ClusteredScheduledTask | ForEach-Object { $_.TaskName + ':' + $_.TaskType }) -join ','"
                     "\n@(Get-ClusteredScheduledTask -TaskType AnyNode).Count\n"
                     "@(Get-ClusteredScheduledTask -TaskName nope).Count", "N2")
    assert listing.exit_code == 0, listing.stderr
    assert listing.stdout.split() == ["other:AnyNode,wsfc-watchdog:ClusterWide", "1", "0"]
    again = _register(model, ok=False, node="N2")
    assert again.exit_code == 1 and "already exists" in again.stderr
    missing = run_on(model, "Unregister-ClusteredScheduledTask -TaskName nope", "N1")
    assert missing.exit_code == 1 and "No MSFT_ClusteredScheduledTask objects found" in missing.stderr
    piped = run_on(model, "Get-ClusteredScheduledTask -TaskName other | Unregister-ClusteredScheduledTask", "N1")
    assert piped.exit_code == 0, piped.stderr
    assert [t["name"] for t in model.state()["clustered_tasks"]] == ["wsfc-watchdog"]


@pytest.mark.parametrize("change, refused", [
    ({"task_type": "ResourceSpecific"}, "ResourceSpecific"),
    ({"extra": "-Cluster OtherCluster"}, "-Cluster OtherCluster"),
    ({"extra": "-Resource 'Cluster Disk 1'"}, "-Resource"),
    ({"interval": "-RandomDelay ([TimeSpan]::FromMinutes(1))"}, "-RandomDelay"),
    ({"execute": "cmd.exe", "argument": "/d /s /c \"robocopy.exe a b\""}, "cmd.exe"),
    ({"argument": ARGUMENT.replace("-NonInteractive ", "")}, "powershell.exe arguments"),
    ({"argument": ARGUMENT + " -Force"}, "powershell.exe arguments"),
    ({"argument": '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "watchdog.ps1"'}, "absolute"),
])
def test_what_the_lab_does_not_model_is_refused(change, refused):
    model, _ = _model()
    result = _register(model, ok=False, **change)
    text = " ".join(result.error_text.split())
    assert result.exit_code == 1 and "not modelled" in text and refused in text
    assert model.state()["clustered_tasks"] == []


@pytest.mark.parametrize("source, refused", [
    ("New-ScheduledTaskTrigger -Daily -At (Get-Date)", "-Daily"),
    ("New-ScheduledTaskTrigger -AtStartup", "-AtStartup"),
    ("$a = New-ScheduledTaskAction -Execute powershell.exe\n"
     "Register-ClusteredScheduledTask -TaskName x -Action $a", "without -TaskType"),
    ("$a = New-ScheduledTaskAction -Execute powershell.exe\n"
     "Register-ClusteredScheduledTask -TaskName x -TaskType AnyNode -Action $a", "without -Trigger"),
    ("Register-ClusteredScheduledTask -TaskName x -Xml '<Task/>'", "-Xml"),
    ("Get-ClusteredScheduledTask -TaskName 'wsfc*'", "wildcards"),
])
def test_other_trigger_kinds_and_parameter_sets_are_refused(source, refused):
    model, _ = _model()
    result = run_on(model, source, "N1")
    text = " ".join(result.error_text.split())
    assert result.exit_code == 1 and "not modelled" in text and refused in text


def test_trigger_rules():
    at = datetime(2026, 1, 5, 1, 1, tzinfo=timezone.utc)
    forever = OnceTrigger(at, 60.0)
    assert forever.time(10 ** 6) == at + timedelta(seconds=60 * 10 ** 6)  # no duration: repeated indefinitely
    once = OnceTrigger(at)
    assert once.time(0) == at and once.time(1) is None
    bounded = OnceTrigger(at, 60.0, 150.0)
    assert [bounded.time(k) is not None for k in range(4)] == [True, True, True, False]
    assert bounded.last_index_at_or_before(at + timedelta(hours=1)) == 2
    assert forever.first_index_at_or_after(at + timedelta(seconds=61)) == 2
    for interval, duration in ((30.0, None), (32 * 86400.0, None), (None, 600.0), (60.0, 30.0)):
        with pytest.raises(TriggerError):
            OnceTrigger(at, interval, duration)


def test_an_out_of_range_interval_is_an_error_of_the_cmdlet():
    model, _ = _model()
    result = run_on(model, "New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval "
                           "([TimeSpan]::FromSeconds(30))", "N1")
    assert result.exit_code == 1 and "between one minute and 31 days" in result.stderr


def test_state_lists_clustered_tasks_even_before_any_is_registered():
    model, _ = _model()
    assert model.state()["clustered_tasks"] == []
    assert EPOCH.tzinfo is timezone.utc


def test_a_run_ends_with_its_node():
    model, clock = _model()
    model.fs.write("N1", SCRIPT, "Start-Sleep -Seconds 2\n[System.IO.File]::WriteAllText('%s\\slept.txt', 'x')" % DIR)
    _register(model, task_type="AnyNode")
    clock.t = 60 / SCALE
    with model._lock:
        model._tick()
    assert model.state()["clustered_tasks"][0]["nodes"]["N1"]["running"] is True
    model.set_node_state("N1", "Down")
    with model._lock:
        model._tick()
    assert clustered(model).wait_idle(10)
    (end,) = _ops(model, "task.end")
    assert end["node"] == "N1" and end["exit_code"] is None and "went down" in end["error"]
    assert end["last_result"] == SCHED_S_TASK_TERMINATED
    assert not model.fs.exists("N2", DIR + "\\slept.txt")
