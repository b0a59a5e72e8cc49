"""VSS in the lab: Win32_ShadowCopy / Win32_ShadowProvider through the CIM cmdlets, the file cmdlets, the
snap.create / snap.delete events, and the snapshot_fails reasons; driven by the collection's own scripts."""

import json
from pathlib import Path

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import TopologyError, parse_topology

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "plugins" / "plugin_utils" / "scripts"
REFERENCE = Reference.load_default()
REG = "C:\\ProgramData\\wsfc.csv\\snapshots.json"
VOL = "C:\\ClusterStorage\\Volume1\\"


def _model(hardware=False, faults=()):
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": "N1", "nics": [{"name": "A", "gbps": 10}]}, {"name": "N2", "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}],
        "vss": {"hardware_provider": hardware}, "faults": list(faults)})
    return Cluster(topo, reference=REFERENCE, ticker=False)


def _run(model, source, node="N2"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script("$ErrorActionPreference = 'Stop'\n" + source, host)


def _operation(model, name, args, node="N2"):
    body = (SCRIPTS / (name + ".ps1")).read_text(encoding="utf-8")
    result = _run(model, "$WsfcArgs = '%s' | ConvertFrom-Json\n" % json.dumps(args).replace("'", "''") + body, node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _create(model, node="N2", provider_id=""):
    return _operation(model, "csv_snapshot_create", {"volume": VOL, "provider_id": provider_id, "registry": REG,
                                                     "registry_dir": "C:\\ProgramData\\wsfc.csv", "csv": "D1",
                                                     "tag": "t", "entries": []}, node)


def _ops(model, op):
    return [e for e in model.events() if e["op"] == op]


def test_software_snapshot_is_surfaced_on_the_coordinator_and_recorded():
    model = _model()
    out = _create(model)
    assert out["return_code"] == 0 and not out["removed"]
    shadow = out["shadow"]
    assert shadow["service_machine"] == "N1" and shadow["originating_machine"] == "N1"
    (snap,) = model.snapshots
    assert snap["node"] == "N1" and snap["created_by"] == "N2" and snap["provider_type"] == "software"
    assert shadow["id"] == snap["id"] and shadow["device_object"] == snap["device_object"]
    (event,) = _ops(model, "snap.create")
    assert event["ok"] and event["surfaced_on"] == "N1" and event["provider_type"] == "software"
    registry = json.loads(model.fs.read("N2", REG).lstrip("\ufeff"))
    assert [e["id"] for e in registry["snapshots"]] == [snap["id"]]
    assert not model.fs.exists("N1", REG)  # the registry is the requesting node's own file


def test_hardware_snapshot_is_surfaced_on_the_requester():
    model = _model(hardware=True)
    seen = _operation(model, "csv_snapshot_get", {"registry": REG})
    assert sorted(p["type"] for p in seen["providers"]) == [1, 3]
    out = _create(model)
    assert out["shadow"]["service_machine"] == "N2" and model.snapshots[0]["provider_type"] == "hardware"
    assert _ops(model, "snap.create")[0]["surfaced_on"] == "N2"


def test_unexpected_provider_is_deleted_again():
    model = _model()
    out = _create(model, provider_id="{00000000-0000-0000-0000-000000000009}")
    assert out["removed"] and "not {00000000" in out["reason"]
    assert model.snapshots == [] and [e["ok"] for e in _ops(model, "snap.delete")] == [True]
    assert not model.fs.exists("N2", REG)


@pytest.mark.parametrize("reason, code", [("diff_area_full", 6), ("provider_missing", 11), (None, 12)])
def test_snapshot_fails_reason_maps_to_the_documented_code(reason, code):
    fault = {"kind": "snapshot_fails", "node": "N2"}
    if reason:
        fault["reason"] = reason
    model = _model(faults=[fault])
    out = _create(model)
    assert out["return_code"] == code and out["shadow"] is None
    assert model.snapshots == [] and not model.fs.exists("N2", REG)
    (event,) = _ops(model, "snap.create")
    assert event["ok"] is False and event["return_code"] == code
    assert _create(model)["return_code"] == 0  # the fault is used up


def test_unknown_fault_reason_is_a_topology_error():
    with pytest.raises(TopologyError, match="reason"):
        _model(faults=[{"kind": "snapshot_fails", "node": "N2", "reason": "bad"}])


def test_remove_deletes_only_what_exists_and_rewrites_the_registry():
    model = _model()
    sid = _create(model)["shadow"]["id"]
    out = _operation(model, "csv_snapshot_remove", {"ids": [sid, "{00000000-0000-0000-0000-000000000000}"],
                                                    "keep": [], "registry": REG,
                                                    "registry_dir": "C:\\ProgramData\\wsfc.csv"})
    assert out["removed"] == [sid] and out["missing"] == ["{00000000-0000-0000-0000-000000000000}"]
    assert model.snapshots == [] and json.loads(model.fs.read("N2", REG).lstrip("\ufeff"))["snapshots"] == []
    (event,) = [e for e in _ops(model, "snap.delete") if e["ok"]]
    assert event["surfaced_on"] == "N1" and event["node"] == "N2"


@pytest.mark.parametrize("source, words", [
    ("Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments @{ Volume = 'x'; Provider = 'y' }",
     "Invalid parameter"),
    ("Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Revert -Arguments @{}", "Method not found"),
    ("Get-CimInstance -ClassName Win32_NoSuchClass", "Invalid class"),
    ("Get-CimInstance -ClassName Win32_Volume", "not modelled"),
    ("Get-CimInstance -ClassName Win32_ShadowCopy -Filter \"ID='x'\"", "not modelled"),
    ("Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments @{ Volume = 'C:\\'; Context = 'Backup' }",
     "not modelled"),
    ("Get-Content -Path 'C:\\*.txt'", "not modelled"),
    ("Set-Content -LiteralPath 'C:\\no\\dir\\x.txt' -Value 'x'", "Could not find a part of the path"),
    ("Get-Content -LiteralPath 'C:\\missing.txt'", "because it does not exist"),
    ("New-Item -ItemType SymbolicLink -Path 'C:\\x.txt' -Value 'C:\\y.txt'", "not modelled"),
])
def test_refusals(source, words):
    result = _run(_model(), source)
    assert result.exit_code != 0 and words in result.stderr, result.stderr


def test_create_return_codes_without_faults():
    model = _model()
    out = _run(model, "$r = Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create "
                      "-Arguments @{ Volume = 'C:\\ClusterStorage\\Volume9\\' }\n"
                      "[ordered]@{ code = [int]$r.ReturnValue; id = $r.ShadowID } | ConvertTo-Json -Compress")
    assert json.loads(out.stdout) == {"code": 3, "id": None} and model.snapshots == []
    whatif = _run(model, "Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create "
                         "-Arguments @{ Volume = 'C:\\ClusterStorage\\Volume1\\' } -WhatIf")
    assert whatif.exit_code == 0 and model.snapshots == []


def test_file_cmdlets_round_trip():
    model = _model()
    out = _run(model, "New-Item -ItemType Directory -Path 'C:\\ClusterStorage\\Volume1\\jobs' -Force | Out-Null\n"
                      "Set-Content -LiteralPath 'C:\\ClusterStorage\\Volume1\\jobs\\a.log' -Value 'one','two'\n"
                      "[ordered]@{ t = (Test-Path -LiteralPath 'C:\\ClusterStorage\\Volume1\\jobs\\a.log');"
                      " lines = @(Get-Content -LiteralPath 'C:\\ClusterStorage\\Volume1\\jobs\\a.log') } "
                      "| ConvertTo-Json -Compress")
    assert json.loads(out.stdout) == {"t": True, "lines": ["one", "two"]}
    assert model.fs.read("N1", "C:\\ClusterStorage\\Volume1\\jobs\\a.log") == "one\r\ntwo\r\n"
    gone = _run(model, "Remove-Item -LiteralPath 'C:\\ClusterStorage\\Volume1\\jobs' -Recurse\n"
                       "Test-Path -LiteralPath 'C:\\ClusterStorage\\Volume1\\jobs' | ConvertTo-Json", node="N1")
    assert gone.stdout.strip() == "false"
