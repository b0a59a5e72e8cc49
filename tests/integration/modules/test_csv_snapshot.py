# -*- coding: utf-8 -*-
"""wsfc.csv.csv_snapshot and csv_snapshot_info against the lab: results checked against the lab's own state and
event log (snap.create / snap.expose / snap.delete record the provider, the consistency, the node where the
snapshot is surfaced and where it is exposed; diskshadow.run every DiskShadow the node ran)."""

from __future__ import annotations

import json
import time

import pytest

from conftest import module_result, running_lab, start_lab, stop_lab  # pylint: disable=import-error

TOPOLOGY = """\
cluster: SNAPLAB
time_scale: 20
nodes:
  - {name: N1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: N2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: N3, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: N1}
  - {name: Disk B, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10, owner: N3}
  - {name: Disk C, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100, used_gb: 10, owner: N1, state: Offline}
  - {name: Disk D, path: 'C:\\ClusterStorage\\Backup Volume', size_gb: 100, used_gb: 10, owner: N2}
  - {name: Disk E, path: 'C:\\ClusterStorage\\100%%VSS_SHADOW_1%%', size_gb: 100, used_gb: 10, owner: N2}
vss: {hardware_provider: %s}
"""


def _start(tmp_path_factory, name, hardware):
    workdir = tmp_path_factory.mktemp(name)
    topology = workdir / "topology.yml"
    topology.write_text(TOPOLOGY % ("true" if hardware else "false"))
    return workdir, start_lab(topology, workdir)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    workdir, started = _start(tmp_path_factory, "snaplab", False)
    try:
        yield started
    finally:
        stop_lab(workdir)


@pytest.fixture(scope="module")
def hwlab(tmp_path_factory):
    workdir, started = _start(tmp_path_factory, "snaphw", True)
    try:
        yield started
    finally:
        stop_lab(workdir)


def _run(lab, host, module, args, check=False):
    extra = ["-a", json.dumps(args)] if args else []  # ansible reads "-a {}" as raw parameters
    if check:
        extra += ["--check", "--diff"]
    result = lab.ansible(host, "wsfc.csv." + module, *extra)
    return result.returncode, module_result(result)


def _events(lab, mark, op):
    return [e for e in lab.events()[mark:] if e["op"] == op]


def _host(lab, node):
    return "%s:&%s" % (lab.group, node)


def test_targets_against_the_shipped_lab(lab4, tmp_path):
    mark = len(lab4.events())
    result = lab4.run_targets(["csv_snapshot", "csv_snapshot_info"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    saved = json.loads((tmp_path / "csv_snapshot.json").read_text())["made"]
    (created,) = [e for e in _events(lab4, mark, "snap.create") if e["ok"]]  # check mode and the rerun created none
    assert created["snapshot"] == saved["snapshot"]["id"] and created["tool"] == "diskshadow"
    assert created["surfaced_on"] == saved["snapshot"]["surfaced_on"] == created["coordinator"]
    assert created["provider_type"] == saved["snapshot"]["provider_type"] == "system"
    assert created["consistency"] == saved["snapshot"]["consistency"] == "application"
    assert [e["args"]["id"] for e in _events(lab4, mark, "snap.delete") if e["ok"]] == [created["snapshot"]]
    assert lab4.state()["snapshots"] == []


def test_software_snapshot_from_a_non_coordinator(lab):
    mark = len(lab.events())
    rc, check = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "t1"}, check=True)
    assert rc == 0 and check["changed"] and check["snapshot"]["surfaced_on"] == "N1"
    assert lab.state()["snapshots"] == [] and not _events(lab, mark, "snap.create")
    assert not _events(lab, mark, "diskshadow.run") and len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    rc, made = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "t1"})
    assert rc == 0 and made["changed"], made
    # read, the registry's folder made with its own ACL (the node's first snapshot), create
    assert len(lab.commands_since(mark)) == 3
    assert [(e["node"], e["args"]["path"]) for e in _events(lab, mark, "fs.acl")] == [("N2", "C:\\ProgramData\\wsfc.csv")]
    (run,) = _events(lab, mark, "diskshadow.run")
    assert run["node"] == "N2" and run["ok"]
    (event,) = _events(lab, mark, "snap.create")
    assert event["ok"] and event["node"] == "N2" and event["provider_type"] == "system" and event["writers"]
    assert event["surfaced_on"] == "N1" == made["snapshot"]["surfaced_on"] and event["context"] == "AppRollback"
    assert made["snapshot"]["local_reads"] is False and made["snapshot"]["id"] == event["snapshot"]
    assert made["snapshot"]["consistency"] == "application"
    (exposed,) = _events(lab, mark, "snap.expose")
    assert exposed["node"] == "N2" and exposed["args"]["path"].rstrip("\\") == made["snapshot"]["exposed_path"]
    (snap,) = lab.state()["snapshots"]
    assert snap["id"] == made["snapshot"]["id"] and snap["node"] == "N1" and snap["created_by"] == "N2"
    assert snap["exposed"]["node"] == "N2" and snap["device_object"] == made["snapshot"]["device_object"]

    mark = len(lab.events())
    rc, again = _run(lab, _host(lab, "N2"), "csv_snapshot", {"path": "c:\\clusterstorage\\volume1", "tag": "t1"})
    assert rc == 0 and not again["changed"] and again["snapshot"]["id"] == made["snapshot"]["id"]
    assert len(lab.commands_since(mark)) == 1 and not _events(lab, mark, "snap.create")

    mark = len(lab.events())
    rc, info = _run(lab, _host(lab, "N2"), "csv_snapshot_info", {"name": "Disk A"})
    assert rc == 0 and [s["id"] for s in info["snapshots"]] == [made["snapshot"]["id"]]
    assert info["snapshots"][0]["managed"] and info["snapshots"][0]["tag"] == "t1"
    assert info["snapshots"][0]["exposed_path"] == made["snapshot"]["exposed_path"]
    assert info["auto_provider"]["kind"] == "software" and len(lab.commands_since(mark)) == 1
    assert info["volumes"] == [{"csv": "Disk A", "shadow_copies": 1, "limit": 512}]

    mark = len(lab.events())
    rc, gone = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "state": "absent"}, check=True)
    assert rc == 0 and gone["changed"] and lab.state()["snapshots"] and len(lab.commands_since(mark)) == 1
    mark = len(lab.events())
    rc, gone = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "state": "absent"})
    assert rc == 0 and gone["changed"] and gone["removed"] == [made["snapshot"]["id"]]
    assert len(lab.commands_since(mark)) == 2 and lab.state()["snapshots"] == []
    assert [e["args"]["id"] for e in _events(lab, mark, "snap.unexpose")] == [made["snapshot"]["id"]]
    (deleted,) = _events(lab, mark, "snap.delete")
    assert deleted["ok"] and deleted["surfaced_on"] == "N1" and deleted["provider_type"] == "system"
    mark = len(lab.events())
    rc, again = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "state": "absent"})
    assert rc == 0 and not again["changed"] and len(lab.commands_since(mark)) == 1


def test_snapshot_on_the_coordinator_reads_locally(lab):
    rc, made = _run(lab, _host(lab, "N3"), "csv_snapshot", {"name": "Disk B"})
    assert rc == 0 and made["snapshot"]["surfaced_on"] == "N3" and made["snapshot"]["local_reads"] is True
    rc, dummy = _run(lab, _host(lab, "N3"), "csv_snapshot", {"name": "Disk B", "state": "absent"})
    assert rc == 0 and lab.state()["snapshots"] == []


@pytest.mark.parametrize("args, words", [
    ({"name": "No Such Disk"}, ["No Such Disk", "N2", "Disk A", "cluster_info"]),
    ({"name": "Disk C"}, ["Disk C", "Offline", "N2", "Start-ClusterResource"]),
    ({"name": "Disk A", "provider": "hardware"}, ["no hardware VSS provider", "N2", "Disk A", "provider=auto"]),
    ({"name": "Disk A", "provider": "{00000000-0000-0000-0000-000000000001}"}, ["not registered", "N2", "Disk A"]),
    ({"name": "Disk A", "provider": "fast"}, ["provider must be"]),
    # DiskShadow documents no quoting: a path it could misread is refused before it runs
    ({"name": "Disk D"}, ["Disk D", "C:\\\\ClusterStorage\\\\Backup Volume", "cannot be passed to DiskShadow",
                          "Rename", "Nothing was created"]),
    ({"name": "Disk E"}, ["Disk E", "100%VSS_SHADOW_1%", "cannot be passed to DiskShadow"]),
])
def test_refusals_create_nothing(lab, args, words):
    mark = len(lab.events())
    rc, result = _run(lab, _host(lab, "N2"), "csv_snapshot", args)
    assert rc != 0
    for word in words:
        assert word in result["msg"], result["msg"]
    assert not _events(lab, mark, "snap.create") and not _events(lab, mark, "diskshadow.run")
    assert lab.state()["snapshots"] == []


@pytest.mark.parametrize("reason, words", [
    ("diff_area_full", ["VSS_E_INSUFFICIENT_STORAGE", "vssadmin resize shadowstorage"]),
    ("provider_missing", ["VSS_E_PROVIDER_NOT_REGISTERED", "re-register"]),
    ("volume_unsupported", ["VSS_E_VOLUME_NOT_SUPPORTED"]),
])
def test_failed_create_leaves_nothing(lab, reason, words):
    lab.fault("snapshot_fails", node="N2", reason=reason)
    mark = len(lab.events())
    rc, result = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A"})
    assert rc != 0
    for word in ["Disk A", "N2", "Nothing was created"] + words:
        assert word in result["msg"], result["msg"]
    (event,) = _events(lab, mark, "snap.create")
    assert event["ok"] is False and event["hresult"] == words[0]
    assert lab.state()["snapshots"] == []
    rc, info = _run(lab, _host(lab, "N2"), "csv_snapshot_info", {})
    assert rc == 0 and info["snapshots"] == [] and info["vanished"] == []


def test_a_node_whose_vss_slot_another_product_holds_is_waited_for(lab):
    # 60 modelled s at time scale 20, from the module's first creation on: the slot frees within its first waits
    lab.fault("vss_busy", node="N2", for_s=60, during="snapshot")
    mark = len(lab.events())
    result = lab.ansible(_host(lab, "N2"), "wsfc.csv.csv_snapshot", "-a", json.dumps({"name": "Disk A", "tag": "busy"}))
    made = module_result(result)
    assert result.returncode == 0 and made["changed"] and made["attempts"] > 1, made
    creates = _events(lab, mark, "snap.create")
    assert [e["ok"] for e in creates] == [False] * (len(creates) - 1) + [True]
    assert all(e["hresult"] == "VSS_E_SNAPSHOT_SET_IN_PROGRESS" for e in creates[:-1])
    assert "another shadow copy operation kept N2 busy" in result.stdout + result.stderr  # the task's warning
    rc, dummy = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "busy", "state": "absent"})
    assert rc == 0 and lab.state()["snapshots"] == []


def test_a_slot_held_past_busy_timeout_fails_naming_node_and_reason(lab):
    lab.fault("vss_busy", node="N3", for_s=600)  # 30 s at time scale 20
    mark = len(lab.events())
    # Disk A's coordinator is N1: N3's own slot is what is held
    rc, result = _run(lab, _host(lab, "N3"), "csv_snapshot", {"name": "Disk A", "busy_timeout": 3})
    assert rc != 0
    assert ("Creating a snapshot of Disk A on N3 failed: another shadow copy operation was in progress on N3 for 3 s"
            in result["msg"]) and "VSS_E_SNAPSHOT_SET_IN_PROGRESS" in result["msg"]
    assert len(_events(lab, mark, "snap.create")) >= 2 and lab.state()["snapshots"] == []
    assert not [e for e in _events(lab, mark, "snap.create") if e["ok"]]
    assert "N3" in lab.state()["vss_busy"]
    deadline = time.monotonic() + 60
    while lab.state()["vss_busy"] and time.monotonic() < deadline:  # leave N3 free for the tests after this one
        time.sleep(0.5)
    assert lab.state()["vss_busy"] == {}


def test_foreign_snapshot_is_never_deleted(lab):
    rc, made = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "mine"})
    assert rc == 0
    # N1 sees the snapshot (it is surfaced there) but did not create it: its registry does not list it.
    mark = len(lab.events())
    rc, refused = _run(lab, _host(lab, "N1"), "csv_snapshot", {"id": made["snapshot"]["id"], "state": "absent"})
    assert rc != 0 and "not created by wsfc.csv" in refused["msg"] and "N1" in refused["msg"]
    rc, cleanup = _run(lab, _host(lab, "N1"), "csv_snapshot", {"name": "Disk A", "state": "absent"})
    assert rc == 0 and not cleanup["changed"]
    assert not _events(lab, mark, "snap.delete") and len(lab.state()["snapshots"]) == 1
    rc, dummy = _run(lab, _host(lab, "N2"), "csv_snapshot", {"id": made["snapshot"]["id"], "state": "absent"})
    assert rc == 0 and lab.state()["snapshots"] == []


def test_hardware_provider_surfaces_on_the_requester(hwlab):
    mark = len(hwlab.events())
    rc, made = _run(hwlab, _host(hwlab, "N2"), "csv_snapshot", {"name": "Disk A", "provider": "hardware"})
    assert rc == 0, made
    (event,) = _events(hwlab, mark, "snap.create")
    assert event["provider_type"] == "hardware" and event["surfaced_on"] == "N2" and event["coordinator"] == "N1"
    assert event["consistency"] == "application"
    assert made["snapshot"]["surfaced_on"] == "N2" and made["snapshot"]["local_reads"] is True
    assert (made["snapshot"]["provider_type"], made["snapshot"]["consistency"]) == ("hardware", "application")
    rc, auto = _run(hwlab, _host(hwlab, "N3"), "csv_snapshot", {"name": "Disk B"})
    assert rc == 0 and "hardware" in auto["provider"] and auto["snapshot"]["surfaced_on"] == "N3"
    # DiskShadow names the provider: software (the system provider) is honoured where VSS would choose hardware
    mark = len(hwlab.events())
    rc, software = _run(hwlab, _host(hwlab, "N2"), "csv_snapshot", {"name": "Disk B", "provider": "software"})
    assert rc == 0 and software["snapshot"]["provider_type"] == "system", software
    (event,) = _events(hwlab, mark, "snap.create")
    assert event["provider_type"] == "system" and event["surfaced_on"] == "N3"  # the coordinator


def test_vanished_snapshots_are_reported(lab):
    rc, made = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk B", "tag": "v"})
    assert rc == 0 and made["snapshot"]["surfaced_on"] == "N3"
    lab.fault("node_down", node="N3")  # the snapshot lived on N3 and is lost with it
    assert lab.state()["snapshots"] == []
    rc, gone = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk B", "state": "absent"})
    assert rc == 0 and not gone["changed"] and gone["vanished"] == [made["snapshot"]["id"]]
    assert "no longer existed" in gone["msg"] and made["snapshot"]["id"] in gone["msg"]
    rc, info = _run(lab, _host(lab, "N2"), "csv_snapshot_info", {})
    assert rc == 0 and info["vanished"] == []  # the registry was cleaned


FULL_VOLUME = """\
cluster: FULLLAB
time_scale: 20
nodes:
  - {name: F1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: F2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Full Disk, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: F1, shadow_copies: 512}
"""


def test_a_volume_at_its_shadow_copy_limit_is_refused_before_anything_is_created(tmp_path):
    with running_lab(FULL_VOLUME, tmp_path / "lab") as full:
        mark = len(full.events())
        rc, refused = _run(full, _host(full, "F1"), "csv_snapshot", {"name": "Full Disk"})
        assert rc != 0 and "already has 512 shadow copies on F1" in refused["msg"], refused
        assert "Nothing was created" in refused["msg"] and "on_limit=warn" in refused["msg"]
        assert not _events(full, mark, "diskshadow.run") and not _events(full, mark, "snap.create")
        assert len(full.commands_since(mark)) == 1
        # on_limit=warn tries anyway: VSS refuses a 513th (the lab never deletes an older one to make room)
        rc, tried = _run(full, _host(full, "F1"), "csv_snapshot", {"name": "Full Disk", "on_limit": "warn"})
        assert rc != 0 and "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED" in tried["msg"]
        assert len(full.state()["snapshots"]) == 512  # the other product's shadow copies are all still there
        rc, info = _run(full, _host(full, "F1"), "csv_snapshot_info", {"name": "Full Disk"})
        assert rc == 0 and info["volumes"] == [{"csv": "Full Disk", "shadow_copies": 512, "limit": 512}]
        assert not [s for s in info["snapshots"] if s["managed"]] and len(info["snapshots"]) == 512
