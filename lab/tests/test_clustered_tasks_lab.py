"""A clustered task in the whole lab (``up``): registered over WinRM (PSRP), fired by the lab's ticker in modelled
time, its runs awaited with ``wait-tasks`` and listed by ``state``."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import yaml
from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from wsfc_lab.topology import shipped_topology

SCRIPT = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\watchdog.ps1"
REGISTER = r"""
New-Item -ItemType Directory -Path 'C:\ClusterStorage\Volume1\.wsfc.csv' -Force | Out-Null
Set-Content -LiteralPath '%s' -Value '[System.IO.File]::WriteAllText("$PSScriptRoot\$env:COMPUTERNAME.txt", (Get-Date).ToString("o")); $null = Get-ClusterNode'
$a = New-ScheduledTaskAction -Execute powershell.exe -Argument '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%s"'
$at = (Get-Date).AddMinutes(1)
$t = New-ScheduledTaskTrigger -Once -At $at -RepetitionInterval ([TimeSpan]::FromMinutes(1))
(Register-ClusteredScheduledTask -TaskName wsfc-watchdog -TaskType ClusterWide -Action $a -Trigger $t).TaskName
""" % (SCRIPT, SCRIPT)


def _lab(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsfc_lab", *[str(a) for a in args]], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    work = tmp_path_factory.mktemp("ctask-lab")
    result = _lab("up", "--topology", shipped_topology("two-node"), "--workdir", work, "--connection", "psrp",
                  "--time-scale", "120")
    assert result.returncode == 0, result.stderr
    try:
        yield work
    finally:
        _lab("down", "--workdir", work)


def test_a_cluster_wide_task_fires_on_both_nodes_in_the_running_lab(lab):
    inv = yaml.safe_load((lab / "inventory.yml").read_text())
    [group] = inv["all"]["children"].values()
    hosts, vars_ = group["hosts"], group["vars"]
    host = hosts["BR-NODE1"]
    wsman = WSMan(host["ansible_host"], port=host["ansible_port"], ssl=False, username=vars_["ansible_user"],
                  password=vars_["ansible_password"], auth=vars_["ansible_psrp_auth"],
                  encryption=vars_["ansible_psrp_message_encryption"], no_proxy=True)
    with RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script(REGISTER)
        output = ps.invoke()
    assert ps.state == PSInvocationState.COMPLETED, [str(e) for e in ps.streams.error]
    assert output == ["wsfc-watchdog"]
    deadline = time.monotonic() + 30  # one modelled minute is half a real second at time scale 120
    ends = []
    while time.monotonic() < deadline and len(ends) < 2:
        time.sleep(0.2)
        events = [json.loads(line) for line in _lab("events", "--workdir", lab).stdout.splitlines()]
        ends = [e for e in events if e["op"] == "task.end" and e.get("task") == "wsfc-watchdog"]
    assert _lab("wait-tasks", "--workdir", lab, "--timeout", "20").returncode == 0
    assert sorted(e["node"] for e in ends[:2]) == ["BR-NODE1", "BR-NODE2"] and all(e["exit_code"] == 0 for e in ends)
    events = [json.loads(line) for line in _lab("events", "--workdir", lab).stdout.splitlines()]
    assert {e["node"] for e in events if e["op"] == "Get-ClusterNode" and e.get("task") == "wsfc-watchdog"} == {
        "BR-NODE1", "BR-NODE2"}
    state = json.loads(_lab("state", "--workdir", lab).stdout)
    (task,) = state["clustered_tasks"]
    assert task["name"] == "wsfc-watchdog" and task["user"] == "NT AUTHORITY\\SYSTEM"
    assert task["nodes"]["BR-NODE2"]["last_result"] in (0, 267009)  # a later firing may be running
    assert ".wsfc.csv\\BR-NODE2.txt" in " ".join(state["csv_files"]["Cluster Disk 1"])
