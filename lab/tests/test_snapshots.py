"""VSS in the lab, driven by the collection's own scripts: DiskShadow snapshots (providers, contexts, exposure,
the creation slot, the per-volume limit), their deletion, Win32_ShadowCopy / Win32_ShadowProvider through the CIM
cmdlets, the file cmdlets, and the snap.* events."""

import importlib.util
import json
from pathlib import Path

import pytest

from wsfc_lab.model import Cluster
from wsfc_lab.reference import Reference
from node_script import run_on  # pylint: disable=import-error
from wsfc_lab.topology import TopologyError, parse_topology
from wsfc_lab.vss import HARDWARE_PROVIDER, SYSTEM_PROVIDER

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "plugins" / "plugin_utils" / "scripts"
REFERENCE = Reference.load_default()
REG = "C:\\ProgramData\\wsfc.csv\\snapshots.json"
VOL = "C:\\ClusterStorage\\Volume1\\"


def _module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "plugins" / "plugin_utils" / (name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DS = _module("diskshadow")  # the collection's DiskShadow scripts (pure)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _model(hardware=False, faults=(), shadow_copies=0, max_shadow_copies=None):
    vss = {"hardware_provider": hardware}
    if max_shadow_copies is not None:
        vss["max_shadow_copies"] = max_shadow_copies
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": "N1", "nics": [{"name": "A", "gbps": 10}]}, {"name": "N2", "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1",
                  "shadow_copies": shadow_copies}],
        "vss": vss, "faults": list(faults)})
    clock = Clock()
    model = Cluster(topo, reference=REFERENCE, clock=clock, ticker=False)
    model.test_clock = clock
    return model


def _run(model, source, node="N2"):
    return run_on(model, source, node)


def _operation(model, name, args, node="N2"):
    body = (SCRIPTS / (name + ".ps1")).read_text(encoding="utf-8")
    result = _run(model, "$WsfcArgs = '%s' | ConvertFrom-Json\n" % json.dumps(args).replace("'", "''") + body, node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _create(model, node="N2", provider_id="", tag="t"):
    name = DS.exposure_name("D1", tag)
    mount = DS.exposure_path("D1", tag)
    return _operation(model, "csv_snapshot_create", {
        "csv": "D1", "tag": tag, "mount": mount, "script_dir": DS.SCRIPT_DIR, "script": DS.script_path(name, "create"),
        "cleanup_script": DS.script_path(name, "cleanup"), "lines": DS.create_lines(VOL, provider_id, mount),
        "provider_id": provider_id, "registry": REG, "registry_dir": "C:\\ProgramData\\wsfc.csv", "entries": []}, node)


def _registry(model, node="N2"):
    return json.loads(model.fs.read(node, REG).lstrip("\ufeff"))["snapshots"]


def _remove(model, entries, node="N2", keep=()):
    targets = [{"entry": e, "lines": DS.remove_lines(e["id"], False), "lines_exposed": DS.remove_lines(e["id"], True),
                "volume_names": [e["volume_name"]], "created": e["created"], "script": DS.script_path(e["id"], "remove")}
               for e in entries]
    return _operation(model, "csv_snapshot_remove", {"targets": targets, "keep": list(keep),
                                                     "script_dir": DS.SCRIPT_DIR, "registry": REG,
                                                     "registry_dir": "C:\\ProgramData\\wsfc.csv"}, node)


def _ops(model, op):
    return [e for e in model.events() if e["op"] == op]


def test_diskshadow_snapshot_from_a_non_coordinator_is_surfaced_on_the_coordinator_and_exposed_here():
    model = _model()
    out = _create(model)
    assert out["exit_code"] == 0 and out["reason"] is None and out["removed"] == []
    shadow = out["shadow"]
    assert shadow["service_machine"] == "N1" and shadow["originating_machine"] == "N1"
    assert shadow["no_writers"] is False and shadow["persistent"] is True and shadow["client_accessible"] is False
    assert shadow["exposed_name"].rstrip("\\") == DS.exposure_path("D1", "t")
    assert DS.shadow_ids(out["output"]) == [shadow["id"]]  # the documented "* Shadow Copy ID = {...}" line
    (snap,) = model.snapshots
    assert (snap["node"], snap["created_by"], snap["provider_type"]) == ("N1", "N2", "system")
    assert snap["context"] == "AppRollback" and snap["consistency"] == "application" and snap["backup_type"] == "copy"
    assert snap["exposed"] == {"node": "N2", "path": DS.exposure_path("D1", "t") + "\\"}
    (event,) = _ops(model, "snap.create")
    assert event["ok"] and event["tool"] == "diskshadow" and event["surfaced_on"] == "N1"
    assert (event["provider_type"], event["consistency"], event["writers"]) == ("system", "application", True)
    assert [e["args"]["path"] for e in _ops(model, "snap.expose")] == [DS.exposure_path("D1", "t") + "\\"]
    (entry,) = _registry(model)
    assert entry["id"] == snap["id"] and entry["volume_name"] == shadow["volume_name"]
    assert entry["created"] == shadow["install_date"] and entry["exposed_path"] == DS.exposure_path("D1", "t")
    assert not model.fs.exists("N1", REG)  # the registry is the requesting node's own file
    assert model.fs.list("N2", DS.SCRIPT_DIR) == []  # the DiskShadow script is removed after the run


def test_hardware_provider_snapshot_is_surfaced_on_the_requester():
    model = _model(hardware=True)
    seen = _operation(model, "csv_snapshot_get", {"registry": REG})
    assert sorted(p["type"] for p in seen["providers"]) == [1, 3]
    out = _create(model)
    assert out["shadow"]["service_machine"] == "N2" and model.snapshots[0]["provider_type"] == "hardware"
    assert model.snapshots[0]["consistency"] == "application"
    (event,) = _ops(model, "snap.create")
    assert event["surfaced_on"] == "N2" and event["provider_id"] == HARDWARE_PROVIDER["id"]


def test_the_named_provider_is_used_even_when_vss_would_choose_another():
    model = _model(hardware=True)
    out = _create(model, provider_id=SYSTEM_PROVIDER["id"])
    assert out["shadow"]["provider_id"] == SYSTEM_PROVIDER["id"] and out["shadow"]["service_machine"] == "N1"


@pytest.mark.parametrize("reason, error", [("diff_area_full", "VSS_E_INSUFFICIENT_STORAGE"),
                                           ("provider_missing", "VSS_E_PROVIDER_NOT_REGISTERED"),
                                           (None, "VSS_E_UNEXPECTED_PROVIDER_ERROR"),
                                           ("in_progress", "VSS_E_SNAPSHOT_SET_IN_PROGRESS")])
def test_a_failed_creation_leaves_nothing_and_names_the_vss_error(reason, error):
    fault = {"kind": "snapshot_fails", "node": "N2"}
    if reason:
        fault["reason"] = reason
    model = _model(faults=[fault])
    out = _create(model)
    assert out["exit_code"] != 0 and out["shadow"] is None and DS.vss_error(out["output"]) == error
    assert model.snapshots == [] and not model.fs.exists("N2", REG)
    assert not model.fs.exists("N2", DS.exposure_path("D1", "t"))  # the folder made for it is gone too
    (event,) = _ops(model, "snap.create")
    assert event["ok"] is False and event["hresult"] == error
    assert _create(model)["exit_code"] == 0  # the fault is used up


def test_another_product_holding_the_slot_makes_creation_fail_until_it_frees():
    model = _model(faults=[{"kind": "vss_busy", "node": "N2", "for_s": 30}])
    busy = _create(model)
    assert DS.vss_error(busy["output"]) == "VSS_E_SNAPSHOT_SET_IN_PROGRESS" and model.snapshots == []
    model.test_clock.t = 31
    assert _create(model)["exit_code"] == 0 and len(model.snapshots) == 1


def test_a_software_snapshot_needs_the_coordinators_slot_a_hardware_one_does_not():
    model = _model(faults=[{"kind": "vss_busy", "node": "N1", "for_s": 30}])
    assert DS.vss_error(_create(model)["output"]) == "VSS_E_SNAPSHOT_SET_IN_PROGRESS"
    hardware = _model(hardware=True, faults=[{"kind": "vss_busy", "node": "N1", "for_s": 30}])
    assert _create(hardware)["exit_code"] == 0


def test_a_hold_during_snapshot_starts_at_the_nodes_next_creation_whenever_that_is():
    model = _model()
    assert model.inject_fault({"kind": "vss_busy", "node": "N2", "for_s": 30, "during": "snapshot"}) == {
        "scheduled": {"kind": "vss_busy", "node": "N2", "for_s": 30, "during": "snapshot"}}
    model.test_clock.t = 100  # long after the fault: the hold has not started yet
    assert model.state()["vss_busy"] == {}
    assert DS.vss_error(_create(model)["output"]) == "VSS_E_SNAPSHOT_SET_IN_PROGRESS"
    assert model.state()["vss_busy"] == {"N2": 30.0}
    model.test_clock.t = 131
    assert _create(model)["exit_code"] == 0 and len(model.snapshots) == 1
    with pytest.raises(TopologyError, match="during"):
        model.inject_fault({"kind": "vss_busy", "node": "N2", "for_s": 5, "during": "backup"})


def test_the_fault_can_be_injected_while_the_lab_runs_and_is_logged():
    model = _model()
    assert model.inject_fault({"kind": "vss_busy", "node": "N2", "for_s": 5}) == {
        "fired": {"kind": "vss_busy", "node": "N2", "for_s": 5}}
    assert model.vss.busy("N2") and not model.vss.busy("N1")
    assert [e["args"]["for_s"] for e in _ops(model, "fault.vss_busy")] == [5]
    with pytest.raises(TopologyError, match="for_s"):
        model.inject_fault({"kind": "vss_busy", "node": "N2"})


def test_a_volume_with_512_shadow_copies_takes_no_more_and_the_others_are_never_ours():
    model = _model(shadow_copies=512)
    seen = _operation(model, "csv_snapshot_get", {"registry": REG}, node="N1")
    assert len(seen["shadows"]) == 512 and seen["registry"] is None
    out = _create(model, node="N1")
    assert DS.vss_error(out["output"]) == "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED" and len(model.snapshots) == 512
    assert all(s["tool"] == "another backup product" and s["consistency"] == "application" for s in model.snapshots)


def test_remove_unexposes_deletes_and_removes_the_folder():
    model = _model()
    _create(model)
    (entry,) = _registry(model)
    out = _remove(model, [entry, dict(entry, id="{00000000-0000-0000-0000-000000000000}")])
    assert out["removed"] == [entry["id"]] and out["missing"] == ["{00000000-0000-0000-0000-000000000000}"]
    assert out["failed"] == [] and out["mismatched"] == []
    assert model.snapshots == [] and _registry(model) == []
    assert not model.fs.exists("N2", entry["exposed_path"])
    assert [e["args"]["id"] for e in _ops(model, "snap.unexpose")] == [entry["id"]]
    (event,) = [e for e in _ops(model, "snap.delete") if e["ok"]]
    assert event["surfaced_on"] == "N1" and event["node"] == "N2" and event["args"]["tool"] == "diskshadow"


def test_remove_leaves_a_shadow_copy_that_is_not_the_recorded_one_and_keeps_its_entry():
    model = _model()
    _create(model)
    (entry,) = _registry(model)
    out = _remove(model, [dict(entry, created="2020-01-01T00:00:00.0000000Z")])
    assert out["removed"] == [] and [m["id"] for m in out["mismatched"]] == [entry["id"]]
    assert len(model.snapshots) == 1 and [e["id"] for e in _registry(model)] == [entry["id"]]
    assert not [e for e in _ops(model, "snap.delete") if e["ok"]]


def test_a_delete_diskshadow_fails_keeps_the_snapshot_and_its_entry():
    model = _model(faults=[{"kind": "snapshot_delete_fails", "node": "N2"}])
    _create(model)
    (entry,) = _registry(model)
    out = _remove(model, [entry])
    (failed,) = out["failed"]
    assert failed["id"] == entry["id"] and failed["exit_code"] != 0 and DS.vss_error(failed["output"])
    assert len(model.snapshots) == 1 and [e["id"] for e in _registry(model)] == [entry["id"]]


def test_win32_shadowcopy_create_is_client_accessible_system_provider_and_crash_consistent():
    # VSS_SNAPSHOT_CONTEXT: ClientAccessible "is created without writer involvement"; "Only the system provider ...
    # can create this type of shadow copy", even with a hardware provider registered.
    model = _model(hardware=True, max_shadow_copies=1)
    out = _run(model, "$r = Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create "
                      "-Arguments @{ Volume = 'C:\\ClusterStorage\\Volume1\\' }\n"
                      "$s = Get-CimInstance -ClassName Win32_ShadowCopy | Select-Object -First 1\n"
                      "[ordered]@{ code = [int]$r.ReturnValue; provider = $s.ProviderID; nowriters = $s.NoWriters; "
                      "ca = $s.ClientAccessible; hw = $s.HardwareAssisted; machine = $s.ServiceMachine } "
                      "| ConvertTo-Json -Compress")
    assert json.loads(out.stdout) == {"code": 0, "provider": SYSTEM_PROVIDER["id"], "nowriters": True, "ca": True,
                                      "hw": False, "machine": "N1"}
    (snap,) = model.snapshots
    assert (snap["provider_type"], snap["consistency"], snap["tool"]) == ("system", "crash", "wmi")
    again = _run(model, "[int](Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create "
                        "-Arguments @{ Volume = 'C:\\ClusterStorage\\Volume1\\' }).ReturnValue")
    assert again.stdout.strip() == "8" and len(model.snapshots) == 1  # MaxShadowCopies (client-accessible): 1


def test_win32_shadowcopy_create_finds_the_slot_busy():
    model = _model(faults=[{"kind": "vss_busy", "node": "N2", "for_s": 10}])
    out = _run(model, "[int](Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create "
                      "-Arguments @{ Volume = 'C:\\ClusterStorage\\Volume1\\' }).ReturnValue")
    assert out.stdout.strip() == "9" and model.snapshots == []  # "Another shadow copy operation is already in progress"


def test_unknown_fault_reason_and_bad_limits_are_topology_errors():
    with pytest.raises(TopologyError, match="reason"):
        _model(faults=[{"kind": "snapshot_fails", "node": "N2", "reason": "bad"}])
    with pytest.raises(TopologyError, match="shadow_copies"):
        _model(shadow_copies=513)
    with pytest.raises(TopologyError, match="max_shadow_copies"):
        _model(max_shadow_copies=0)


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
    ("& vssadmin.exe list shadows", "not modelled"),
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
