"""Issue 14 in the lab: per-node CSV access (ReFS, Storage Spaces Direct, the topology's redirect, the snapshot-caused
redirect), BackupState and other products' backups, the CSV balancer, Cluster-Aware Updating (Get-CauRun from the
lab's supplement of documented syntax) and sites (Get-ClusterFaultDomain), all asserted through the PowerShell engine
scripts use."""

import json
import shutil
from pathlib import Path

import pytest

from wsfc_lab import shared_reference
from wsfc_lab.cli import main
from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference, default_reference_dir
from wsfc_lab.topology import TopologyError, load_topology, parse_topology, shipped_topology

REFERENCE = Reference.load_default()
VOL1 = "C:\\ClusterStorage\\Volume1"
VOL2 = "C:\\ClusterStorage\\Volume2"


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _topology(**top):
    csvs = top.pop("csvs", None) or [{}, {}]
    nodes = top.pop("nodes", None) or [{}, {}, {}]
    data = {"cluster": "C1", "time_scale": 1,
            "nodes": [{"name": f"N{i + 1}", "nics": [{"name": "A", "gbps": 10}], **n} for i, n in enumerate(nodes)],
            "csvs": [{"name": f"D{i + 1}", "path": f"C:\\ClusterStorage\\Volume{i + 1}", "size_gb": 100,
                      "used_gb": 10, "owner": "N1", **c} for i, c in enumerate(csvs)]}
    data.update(top)
    return data


def _model(**top):
    clock = Clock()
    model = Cluster(parse_topology(_topology(**top)), reference=REFERENCE, clock=clock, ticker=False)
    model.test_clock = clock
    return model


def _run(model, source, node="N2"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script("$ErrorActionPreference = 'Stop'\n" + source, host)


def _json(model, source, node="N2"):
    result = _run(model, source + " | ConvertTo-Json -Depth 4", node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    if not result.stdout.strip():       # an empty pipeline: ConvertTo-Json writes nothing
        return []
    out = json.loads(result.stdout)
    return out if isinstance(out, list) else [out]


def _access(model, node="N2"):
    rows = _json(model, "@(Get-ClusterSharedVolumeState | Select-Object Name, Node, State, RedirectedIOReason)", node)
    return {(r["Name"], r["Node"]): (r["State"], r["RedirectedIOReason"]) for r in rows}


def _ops(model, op):
    return [e for e in model.events() if e["op"] == op]


# ---- topology keys ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change,path", [
    ({"csvs": [{"filesystm": "ReFS"}]}, "csvs[0].filesystm: unknown key"),
    ({"csvs": [{"filesystem": "FAT32"}]}, "csvs[0].filesystem: must be one of NTFS, ReFS"),
    ({"csvs": [{"backup_in_progress": "yes"}]}, "csvs[0].backup_in_progress: expected true or false"),
    ({"csvs": [{"redirected": "Backup"}]}, "csvs[0].redirected: not a documented redirected-I/O reason"),
    ({"csvs": [{"redirected": "UserRequest, NoDiskConnectivity"}]}, "csvs[0].redirected"),
    ({"storage": "nas"}, "storage: must be one of san, s2d"),
    ({"cau_run": 1}, "cau_run: expected true or false"),
    ({"csv_balancer": "on"}, "csv_balancer: expected true or false"),
    ({"nodes": [{"sites": "A"}]}, "nodes[0].sites: unknown key"),
    ({"nodes": [{"site": ""}]}, "nodes[0].site: expected a non-empty string"),
    ({"nodes": [{"site": "N2"}, {}]}, "nodes[0].site: 'N2' is also a node's name"),
    ({"faults": [{"kind": "foreign_backup", "csv": "D1"}]}, "faults[0].for_s: required for a foreign_backup fault"),
    ({"faults": [{"kind": "csv_rebalance", "csv": "D1"}]}, "faults[0].to: required for a csv_rebalance fault"),
    ({"faults": [{"kind": "csv_rebalance", "csv": "D1", "to": "N9"}]}, "faults[0].to: 'N9' is not a node"),
    ({"faults": [{"kind": "cau_run", "for_s": 0}]}, "faults[0].for_s: must be > 0"),
])
def test_new_keys_are_validated_with_their_path(change, path):
    with pytest.raises(TopologyError, match=path.replace("[", r"\[").replace("]", r"\]")):
        parse_topology(_topology(**change))


def test_defaults_keep_existing_topologies_unchanged():
    topo = parse_topology(_topology())
    assert (topo.storage, topo.cau_run, topo.csv_balancer) == ("san", False, False)
    assert [(c.filesystem, c.backup_in_progress) for c in topo.csvs] == [("NTFS", False)] * 2
    assert [n.site for n in topo.nodes] == [None] * 3
    model = _model()
    assert set(_access(model).values()) == {("Direct", "NotRedirected")}


# ---- per-node access -------------------------------------------------------------------------------------------

def test_refs_is_file_system_redirected_with_reason_refs_on_every_up_node():
    model = _model(csvs=[{"filesystem": "ReFS"}, {}], nodes=[{}, {}, {"state": "Paused"}])
    access = _access(model)
    assert access == {("D1", "N1"): ("File System Redirected", "ReFs"),
                      ("D1", "N2"): ("File System Redirected", "ReFs"),
                      ("D2", "N1"): ("Direct", "NotRedirected"), ("D2", "N2"): ("Direct", "NotRedirected")}
    fs = _json(model, "Get-ClusterSharedVolume | ForEach-Object { $_.SharedVolumeInfo[0].Partition.FileSystem }")
    assert fs == ["CSVFS_ReFS", "CSVFS_NTFS"]


def test_s2d_ntfs_is_block_redirected_on_non_owners_and_s2d_refs_redirected_everywhere():
    model = _model(storage="s2d", csvs=[{}, {"filesystem": "ReFS", "owner": "N2"}])
    access = _access(model)
    assert access[("D1", "N1")] == ("Direct", "NotRedirected")
    assert access[("D1", "N2")] == access[("D1", "N3")] == ("Block Redirected", "StorageSpaceNotAttached")
    assert {access[("D2", n)] for n in ("N1", "N2", "N3")} == {("File System Redirected", "ReFs")}


def test_the_topologys_redirect_keeps_its_mode_and_flag_enum_order():
    model = _model(csvs=[{"redirected": "NoDiskConnectivity"}, {"redirected": "ReFs, UserRequest",
                                                                  "filesystem": "ReFS"}])
    access = _access(model)
    assert access[("D1", "N1")] == ("Direct", "NotRedirected")
    assert access[("D1", "N2")] == ("Block Redirected", "NoDiskConnectivity")
    assert access[("D2", "N1")] == ("File System Redirected", "ReFs")
    assert access[("D2", "N2")] == ("File System Redirected", "UserRequest, ReFs")


def test_a_software_snapshot_redirects_the_other_nodes_while_it_exists():
    model = _model(csvs=[{}, {"filesystem": "ReFS"}])
    code, snap = model.create_snapshot("N2", VOL1 + "\\")
    assert code == 0 and snap["node"] == "N1"
    code, snap2 = model.create_snapshot("N3", VOL2 + "\\")
    access = _access(model)
    assert access[("D1", "N1")] == ("Direct", "NotRedirected")
    assert access[("D1", "N2")] == access[("D1", "N3")] == ("File System Redirected", "NotRedirected")
    assert access[("D2", "N2")] == ("File System Redirected", "ReFs")   # the structural reason stays the reason
    assert model.state()["csvs"]["D1"]["access"]["N2"] == {"state": "File System Redirected",
                                                           "reason": "NotRedirected"}
    model.delete_snapshot("N2", snap["id"])
    assert set(v for k, v in _access(model).items() if k[0] == "D1") == {("Direct", "NotRedirected")}


def test_leftover_shadow_copies_of_another_product_do_not_redirect():
    model = _model(csvs=[{"shadow_copies": 2}, {}])
    assert set(_access(model).values()) == {("Direct", "NotRedirected")}


# ---- backups of other products ---------------------------------------------------------------------------------

def _backup_states(model):
    return _json(model, "Get-ClusterSharedVolume | ForEach-Object { [string]$_.SharedVolumeInfo[0].BackupState }")


def test_backup_state_from_the_topology_and_in_json_as_its_number():
    model = _model(csvs=[{"backup_in_progress": True}, {}])
    assert _backup_states(model) == ["VolumeBackupInProgress", "VolumeBackupNone"]
    numbers = _json(model, "Get-ClusterSharedVolume | ForEach-Object { $_.SharedVolumeInfo[0] } | "
                           "Select-Object BackupState")
    assert [n["BackupState"] for n in numbers] == [1, 0]
    assert model.state()["csvs"]["D1"]["backup_in_progress"] is True


def test_foreign_backup_fault_holds_the_csv_for_its_time_with_start_and_end_events():
    model = _model()
    model.inject_fault({"kind": "foreign_backup", "csv": "D2", "for_s": 30})
    assert _backup_states(model) == ["VolumeBackupNone", "VolumeBackupInProgress"]
    model.test_clock.t = 29
    assert model.state()["csvs"]["D2"]["backup_in_progress"] is True
    model.test_clock.t = 31
    assert _backup_states(model) == ["VolumeBackupNone", "VolumeBackupNone"]
    start, = _ops(model, "backup.foreign.start")
    end, = _ops(model, "backup.foreign.end")
    assert (start["csv"], start["t"], end["csv"], end["t"]) == ("D2", 0.0, "D2", 30.0)


def test_a_move_of_a_csv_held_by_another_backup_is_refused_and_logged():
    model = _model(faults=[{"kind": "foreign_backup", "csv": "D1", "for_s": 60}])
    result = _run(model, "Move-ClusterSharedVolume -Name D1 -Node N2")
    assert result.exit_code != 0 and "Back up is in progress" in result.stderr and "5949" in result.stderr
    move, = _ops(model, "csv.move")
    assert move["ok"] is False and move["args"]["backup_in_progress"] is True
    assert model.csv("D1").owner == "N1"
    model.test_clock.t = 61
    assert _run(model, "Move-ClusterSharedVolume -Name D1 -Node N2 | Out-Null").exit_code == 0
    assert model.csv("D1").owner == "N2"


def test_a_move_while_a_lab_shadow_copy_exists_loses_it_and_says_so():
    model = _model()
    code, snap = model.create_snapshot("N2", VOL1 + "\\")
    key = model.start_read("N2", "D1", snap)
    assert _run(model, "Move-ClusterSharedVolume -Name D1 -Node N3 | Out-Null").exit_code == 0
    move = _ops(model, "csv.move")[-1]
    assert move["with_shadow_copies"] == [snap["id"]]
    lost, = _ops(model, "snap.lost")
    assert lost["snapshot"] == snap["id"] and model.snapshots == []
    assert model.read_status(key)["status"] == "failed"


# ---- the CSV balancer ------------------------------------------------------------------------------------------

def test_csv_rebalance_moves_ownership_after_n_operations():
    model = _model(faults=[{"kind": "csv_rebalance", "csv": "D1", "to": "N3", "after_ops": 2}])
    model.before_operation("N2")
    model.before_operation("N2")
    assert model.csv("D1").owner == "N1"
    model.before_operation("N2")
    owners = _json(model, "Get-ClusterSharedVolume | ForEach-Object { $_.OwnerNode.Name }")
    assert owners == ["N3", "N1"]
    move, = _ops(model, "csv.balancer")
    assert move["ok"] and move["args"] == {"csv": "D1", "from": "N1", "to": "N3", "reason": "fault"}
    assert _ops(model, "csv.move") == []


def test_the_balancer_does_not_move_a_csv_held_by_a_backup():
    model = _model(csvs=[{"backup_in_progress": True}, {}])
    model.inject_fault({"kind": "csv_rebalance", "csv": "D1", "to": "N2"})
    move, = _ops(model, "csv.balancer")
    assert move["ok"] is False and "backup in progress" in move["error"] and model.csv("D1").owner == "N1"


@pytest.mark.parametrize("balancer", [True, False])
def test_a_node_rejoining_is_rebalanced_only_when_the_topology_asks(balancer):
    model = _model(csv_balancer=balancer, csvs=[{"owner": "N2"}, {"owner": "N2"}, {}, {}],
                   faults=[{"kind": "node_down", "node": "N2"}])
    model.inject_fault({"kind": "node_down", "node": "N2"})
    assert {c.owner for c in model.csvs.values()} <= {"N1", "N3"}
    model.inject_fault({"kind": "node_up", "node": "N2"})
    owners = [c.owner for c in model.csvs.values()]
    moves = [e for e in _ops(model, "csv.balancer") if e["ok"]]
    if balancer:
        assert owners.count("N2") == 1 and max(owners.count(n) for n in ("N1", "N3")) - 1 <= 1
        assert moves and all(m["args"]["reason"] == "node rejoin" and m["args"]["to"] == "N2" for m in moves)
    else:
        assert "N2" not in owners and moves == []


# ---- Cluster-Aware Updating ------------------------------------------------------------------------------------

def test_get_caurun_without_a_run_answers_run_not_in_progress():
    model = _model()
    assert _json(model, "[string](Get-CauRun -ClusterName C1)") == ["RunNotInProgress"]
    assert _json(model, "(Get-CauRun -ClusterName C1) -eq 'RunNotInProgress'") == [True]


def test_get_caurun_during_a_run_answers_a_cau_run_and_the_fault_ends_it():
    model = _model(faults=[{"kind": "cau_run", "for_s": 120}])
    run, = _json(model, "Get-CauRun -ClusterName C1 | Select-Object RunId, CurrentOrchestrator, "
                        "NodeStatusNotifications, NodeResults, @{n='Start'; e={$_.RunStartTime.ToString('o')}}")
    assert run["CurrentOrchestrator"] == "N1" and run["NodeStatusNotifications"] == [] and run["NodeResults"] == []
    assert len(run["RunId"]) == 36 and run["Start"].startswith("2026-01-05T01:00:00")
    assert model.state()["cau_run"] is True
    model.test_clock.t = 121
    assert _json(model, "[string](Get-CauRun)") == ["RunNotInProgress"]
    assert [e["op"] for e in model.events() if e["op"].startswith("cau.")] == ["cau.start", "cau.end"]
    assert model.state()["cau_run"] is False


def test_cau_run_in_the_topology_stays():
    model = _model(cau_run=True)
    model.test_clock.t = 10 ** 6
    assert _json(model, "(Get-CauRun -ClusterName C1).CurrentOrchestrator") == ["N1"]


def test_get_caurun_is_bound_against_its_documented_syntax():
    model = _model()
    wrong = _run(model, "Get-CauRun -ClusterNmae C1")
    assert wrong.exit_code != 0 and "ClusterNmae" in wrong.stderr
    assert _json(model, "[string](Get-CauRun C1)") == ["RunNotInProgress"]      # ClusterName is position 0
    other = _run(model, "Get-CauRun -ClusterName OTHER")
    assert other.exit_code != 0 and "not modelled" in other.stderr.lower()
    waits = _run(model, "Get-CauRun -ClusterName C1 -WaitForStart")
    assert waits.exit_code != 0 and "not modelled" in waits.stderr.lower()
    both = _run(model, "Get-CauRun -WaitForStart -WaitForCompletion")
    assert both.exit_code != 0 and "parameter set" in both.stderr.lower()


def test_the_supplement_is_a_documented_source_with_its_page_and_commit():
    cmdlet = REFERENCE.cmdlet("Get-CauRun")
    assert cmdlet is not None and cmdlet.module == "ClusterAwareUpdating"
    assert cmdlet.parameter_sets == ["DefaultParamSet", "WaitForStart", "WaitForCompletion", "ShowClusterNodeState"]
    assert cmdlet.default_set == "DefaultParamSet"
    assert cmdlet.outputs == ["Microsoft.ClusterAwareUpdating.CauRun", "Microsoft.ClusterAwareUpdating.RunState"]
    path, = shared_reference.supplement_files(default_reference_dir())
    data = shared_reference.read_supplement(path)
    source, = data["sources"]
    assert source["repo"] == "MicrosoftDocs/windows-powershell-docs" and len(source["commit"]) == 40
    assert data["cmdlets"]["Get-CauRun"]["source"] in source["paths"]
    shared = shared_reference.read(shared_reference.locate())
    assert "Get-CauRun" not in shared["cmdlets"], "the shared file has the cmdlet now: drop it from the supplement"
    # the supplement's schema is the shared file's, key for key
    sample = shared["cmdlets"]["Get-ClusterNode"]
    assert set(data["cmdlets"]["Get-CauRun"]) - {"commit"} == set(sample)


def _check(capsys, *argv):
    code = main(["reference-check", *argv])
    out, _ = capsys.readouterr()
    return code, [line for line in out.splitlines() if line]


def test_reference_check_reports_a_supplement_cmdlet_the_shared_file_also_has(tmp_path, capsys):
    assert _check(capsys) == (0, [])
    data = shared_reference.read(shared_reference.locate())
    supplement = shared_reference.read_supplement(shared_reference.supplement_files(default_reference_dir())[0])
    both = {**data, "cmdlets": {**data["cmdlets"], "Get-CauRun": supplement["cmdlets"]["Get-CauRun"]}}
    shared = tmp_path / "cmdlets.json"
    shared.write_text(json.dumps(both), encoding="utf-8")
    assert _check(capsys, "--shared", str(shared)) == (1, [
        "Get-CauRun: in the lab's supplement (lab/reference/supplement) and in the shared cmdlets.json; remove it "
        "from the supplement"])


def test_a_supplement_without_its_commit_cannot_be_read(tmp_path, capsys):
    d = tmp_path / "reference"
    shutil.copytree(default_reference_dir(), d)
    path = d / "supplement" / "ClusterAwareUpdating.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sources"][0]["commit"] = "main"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["reference-check", "--lab-reference", str(d)]) == 2
    assert "40-digit commit" in capsys.readouterr().err


# ---- sites and fault domains -----------------------------------------------------------------------------------

def _domains(model, args=""):
    return _json(model, f"@(Get-ClusterFaultDomain {args} | Select-Object Name, Type, ParentName, ChildrenNames)")


def test_without_sites_only_node_fault_domains_with_no_parent():
    model = _model()
    assert _domains(model) == [{"Name": f"N{i}", "Type": "Node", "ParentName": "", "ChildrenNames": []}
                               for i in (1, 2, 3)]
    assert _domains(model, "-Type Site") == []


def test_sites_are_site_fault_domains_holding_their_nodes():
    model = _model(nodes=[{"site": "SEA"}, {"site": "SEA"}, {"site": "NYC"}])
    assert _domains(model, "-Type Site") == [
        {"Name": "SEA", "Type": "Site", "ParentName": "", "ChildrenNames": ["N1", "N2"]},
        {"Name": "NYC", "Type": "Site", "ParentName": "", "ChildrenNames": ["N3"]}]
    assert _domains(model, "-Name N3") == [{"Name": "N3", "Type": "Node", "ParentName": "NYC", "ChildrenNames": []}]
    assert {n: s["site"] for n, s in model.state()["nodes"].items()} == {"N1": "SEA", "N2": "SEA", "N3": "NYC"}
    refused = _run(model, "Get-ClusterFaultDomain -CimSession N1")
    assert refused.exit_code != 0


# ---- state and shipped topologies ------------------------------------------------------------------------------

def test_state_describes_the_new_model():
    model = _model(storage="s2d", csvs=[{"filesystem": "ReFS"}, {}], nodes=[{"site": "A"}, {"site": "B"}, {}])
    state = model.state()
    assert state["storage"] == "s2d" and state["cau_run"] is False
    d1, d2 = state["csvs"]["D1"], state["csvs"]["D2"]
    assert (d1["filesystem"], d1["backup_in_progress"], d2["filesystem"]) == ("ReFS", False, "NTFS")
    assert d1["access"]["N1"] == {"state": "File System Redirected", "reason": "ReFs"}
    assert d2["access"] == {"N1": {"state": "Direct", "reason": "NotRedirected"},
                            "N2": {"state": "Block Redirected", "reason": "StorageSpaceNotAttached"},
                            "N3": {"state": "Block Redirected", "reason": "StorageSpaceNotAttached"}}
    assert [state["nodes"][n]["site"] for n in ("N1", "N2", "N3")] == ["A", "B", None]


def test_s2d_topology_is_four_equal_nodes_with_refs_volumes_in_a_multiple_of_four():
    topo = load_topology(shipped_topology("s2d-four-node-refs"))
    assert topo.storage == "s2d" and len(topo.nodes) == 4
    assert len({(n.disk_gbps, tuple((c.gbps, c.team) for c in n.nics)) for n in topo.nodes}) == 1
    assert len(topo.csvs) % len(topo.nodes) == 0 and {c.filesystem for c in topo.csvs} == {"ReFS"}
    assert len({c.size_gb for c in topo.csvs}) == 1
    owners = [c.owner for c in topo.csvs]
    assert max(owners.count(n.name) for n in topo.nodes) > len(topo.csvs) // len(topo.nodes)   # a move pays
    assert topo.targets and all(t.node is None for t in topo.targets)                           # a share
    model = Cluster(topo, reference=REFERENCE, ticker=False)
    assert {(a["state"], a["reason"]) for c in model.state()["csvs"].values() for a in c["access"].values()} == \
        {("File System Redirected", "ReFs")}


def test_stretched_topology_has_two_sites_of_two_nodes_and_csvs_in_each():
    topo = load_topology(shipped_topology("stretched-two-sites"))
    sites = {}
    for node in topo.nodes:
        sites.setdefault(node.site, []).append(node.name)
    assert sorted(len(v) for v in sites.values()) == [2, 2] and None not in sites
    site_of = {n.name: n.site for n in topo.nodes}
    assert {site_of[c.owner] for c in topo.csvs} == set(sites)
    # unbalanced within a site: one node owns more than its share while the other site has an idle-ish node
    load = {n: sum(c.used_gb for c in topo.csvs if c.owner == n) for n in site_of}
    assert min(load.values()) == 0 and max(load.values()) > sum(load.values()) / len(load)
    assert topo.targets


def test_shipped_topology_files_document_themselves():
    for name in ("s2d-four-node-refs", "stretched-two-sites"):
        text = Path(shipped_topology(name)).read_text(encoding="utf-8")
        assert text.startswith("# ") and "time_scale" in text


def test_the_importer_carries_filesystem_site_and_only_documented_reasons():
    from wsfc_lab.importer import build_topology
    facts = {"cluster_info": {"cluster": {"name": "C1"},
                              "nodes": [{"name": "N1", "state": "Up", "site": "SEA"}, {"name": "N2", "state": "Up"}],
                              "csvs": [{"name": "D1", "path": VOL1, "owner": "N1", "state": "Online",
                                        "size_bytes": 10 ** 11, "used_bytes": 10 ** 10, "filesystem": "CSVFS_ReFS",
                                        "redirected": True, "redirected_reason": "ReFs"},
                                       {"name": "D2", "path": VOL2, "owner": "N2", "state": "Online",
                                        "size_bytes": 10 ** 11, "used_bytes": 10 ** 10, "redirected": True,
                                        "redirected_reason": "Something else"}]}}
    topology, warnings = build_topology(facts)
    d1, d2 = topology["csvs"]
    assert (d1["filesystem"], d1["redirected"], d2["redirected"]) == ("ReFS", "ReFs", "UserRequest")
    assert topology["nodes"][0]["site"] == "SEA" and "site" not in topology["nodes"][1]
    assert any("Something else" in w for w in warnings)


def test_reference_check_covers_the_supplements_outputs(tmp_path, capsys):
    d = tmp_path / "reference"
    shutil.copytree(default_reference_dir(), d)
    path = d / "ClusterAwareUpdating.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["types"]["Microsoft.ClusterAwareUpdating.CauRun"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _check(capsys, "--lab-reference", str(d)) == (1, [
        "Get-CauRun: documented output Microsoft.ClusterAwareUpdating.CauRun has no types entry in lab/reference"])
