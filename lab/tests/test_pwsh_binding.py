"""Binding reference cmdlets: positional, prefix, alias, switch, splat, pipeline ByValue, events."""

from test_pwsh_helpers import Recorder, make_host, run


def _calls(tmp_path, script):
    rec = Recorder()
    events: list = []
    r = run(script, make_host(tmp_path, rec, events))
    return r, rec.calls, events


def test_positional_binding_uses_reference_positions(tmp_path):
    r, calls, _ = _calls(tmp_path, "Move-ClusterSharedVolume 'Cluster Disk 1' NODE2 | Out-Null")
    assert r.exit_code == 0, r.error_text
    assert calls[0][1] == {"Name": "Cluster Disk 1", "Node": "NODE2"}   # documented as String


def test_prefix_alias_and_int_conversion(tmp_path):
    r, calls, _ = _calls(tmp_path, "Suspend-ClusterNode -Na NODE1 -Target NODE2 -Dr | Out-Null\n"
                                   "Move-ClusterSharedVolume -Na x -No y -Wai '30' | Out-Null")
    assert r.exit_code == 0, r.error_text
    assert calls[0][1] == {"Name": ["NODE1"], "TargetNode": "NODE2", "Drain": True}   # StringCollection, String
    assert calls[1][1] == {"Name": "x", "Node": "y", "Wait": 30}


def test_switch_with_explicit_value(tmp_path):
    r, calls, _ = _calls(tmp_path, "$d = $false\nSuspend-ClusterNode NODE1 -Drain:$d | Out-Null")
    assert calls[0][1]["Drain"] is False


def test_splatting_hashtable_and_array(tmp_path):
    r, calls, _ = _calls(tmp_path, "$p = @{ Name = 'Disk'; Node = 'NODE2'; Wait = 5 }\n"
                                   "Move-ClusterSharedVolume @p | Out-Null\n"
                                   "$a = @('D2', 'NODE1')\nMove-ClusterSharedVolume @a | Out-Null")
    assert r.exit_code == 0, r.error_text
    assert calls[0][1] == {"Name": "Disk", "Node": "NODE2", "Wait": 5}
    assert calls[1][1] == {"Name": "D2", "Node": "NODE1"}


def test_splat_with_unknown_key_fails_at_bind_time(tmp_path):
    r, calls, _ = _calls(tmp_path, "$p = @{ Nmae = 'Disk' }\nMove-ClusterSharedVolume @p")
    assert calls == []
    assert "A parameter cannot be found that matches parameter name 'Nmae'." in r.error_text
    assert r.exit_code == 1  # the trailer-free script's last statement failed


def test_pipeline_by_value_calls_once_per_input(tmp_path):
    r, calls, _ = _calls(tmp_path, "Get-ClusterNode | Suspend-ClusterNode -Drain | ForEach-Object { $_.Name }")
    assert r.stdout == "NODE1\r\nNODE2\r\n"
    suspend = [c for c in calls if c[0] == "Suspend-ClusterNode"]
    assert [str(c[2]) for c in suspend] == ["NODE1", "NODE2"]
    assert all(str(c[1]["InputObject"]) == str(c[2]) and c[1]["Drain"] is True for c in suspend)


def test_whatif_reaches_should_process(tmp_path):
    r, calls, _ = _calls(tmp_path, "Get-ClusterNode NODE1 | Suspend-ClusterNode -WhatIf")
    assert 'What if: Performing the operation "Suspend" on target "NODE1".' in r.stdout


def test_non_terminating_error_respects_error_action(tmp_path):
    r, _, _ = _calls(tmp_path, "$n = Get-ClusterNode nope -ErrorAction SilentlyContinue\n'after'")
    assert r.stdout == "after\r\n" and r.errors == []
    r, _, _ = _calls(tmp_path, "$n = Get-ClusterNode nope\n'after'")
    assert r.stdout == "after\r\n"
    assert r.errors[0].format().startswith("Get-ClusterNode : The cluster node 'nope' was not found.")
    assert "ObjectNotFound: (nope:String) [Get-ClusterNode], RuntimeException" in r.error_text
    assert "Get-ClusterNode,Microsoft.FailoverClusters.PowerShell.GetClusterNodeCommand" in r.error_text


def test_terminating_cmdlet_error_and_events(tmp_path):
    r, _, events = _calls(tmp_path, "try { Move-ClusterSharedVolume D1 BAD } catch { 'caught ' + $_.CategoryInfo.Category }")
    assert r.stdout == "caught InvalidOperation\r\n"
    assert events == [{"op": "Move-ClusterSharedVolume", "args": {"Name": "D1", "Node": "BAD"}, "ok": False}]


def test_enum_from_model_compares_by_name_and_casts(tmp_path):
    r, _, _ = _calls(tmp_path, "Get-ClusterNode | Where-Object { $_.State -eq 'Paused' } | ForEach-Object { [string]$_.State + ' ' + [int]$_.State }")
    assert r.stdout == "Paused 2\r\n"
