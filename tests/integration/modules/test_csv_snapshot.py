# -*- coding: utf-8 -*-
"""wsfc.csv.csv_snapshot and csv_snapshot_info against the lab: results checked against the lab's own state and
event log (snap.create / snap.delete record the provider and the node where the snapshot is surfaced)."""

from __future__ import annotations

import json

import pytest

from conftest import module_result, start_lab, stop_lab  # pylint: disable=import-error

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
    assert created["snapshot"] == saved["snapshot"]["id"]
    assert created["surfaced_on"] == saved["snapshot"]["surfaced_on"] == created["coordinator"]
    assert created["provider_type"] == saved["snapshot"]["provider_type"] == "software"
    assert [e["args"]["id"] for e in _events(lab4, mark, "snap.delete") if e["ok"]] == [created["snapshot"]]
    assert lab4.state()["snapshots"] == []


def test_software_snapshot_from_a_non_coordinator(lab):
    mark = len(lab.events())
    rc, check = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "t1"}, check=True)
    assert rc == 0 and check["changed"] and check["snapshot"]["surfaced_on"] == "N1"
    assert lab.state()["snapshots"] == [] and not _events(lab, mark, "snap.create")
    assert len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    rc, made = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "tag": "t1"})
    assert rc == 0 and made["changed"], made
    assert len(lab.commands_since(mark)) == 2
    (event,) = _events(lab, mark, "snap.create")
    assert event["ok"] and event["node"] == "N2" and event["provider_type"] == "software"
    assert event["surfaced_on"] == "N1" == made["snapshot"]["surfaced_on"]
    assert made["snapshot"]["local_reads"] is False and made["snapshot"]["id"] == event["snapshot"]
    (snap,) = lab.state()["snapshots"]
    assert snap["id"] == made["snapshot"]["id"] and snap["node"] == "N1" and snap["created_by"] == "N2"
    assert snap["device_object"] == made["snapshot"]["device_object"]

    mark = len(lab.events())
    rc, again = _run(lab, _host(lab, "N2"), "csv_snapshot", {"path": "c:\\clusterstorage\\volume1", "tag": "t1"})
    assert rc == 0 and not again["changed"] and again["snapshot"]["id"] == made["snapshot"]["id"]
    assert len(lab.commands_since(mark)) == 1 and not _events(lab, mark, "snap.create")

    mark = len(lab.events())
    rc, info = _run(lab, _host(lab, "N2"), "csv_snapshot_info", {"name": "Disk A"})
    assert rc == 0 and [s["id"] for s in info["snapshots"]] == [made["snapshot"]["id"]]
    assert info["snapshots"][0]["managed"] and info["snapshots"][0]["tag"] == "t1"
    assert info["auto_provider"]["kind"] == "software" and len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    rc, gone = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "state": "absent"}, check=True)
    assert rc == 0 and gone["changed"] and lab.state()["snapshots"] and len(lab.commands_since(mark)) == 1
    mark = len(lab.events())
    rc, gone = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A", "state": "absent"})
    assert rc == 0 and gone["changed"] and gone["removed"] == [made["snapshot"]["id"]]
    assert len(lab.commands_since(mark)) == 2 and lab.state()["snapshots"] == []
    (deleted,) = _events(lab, mark, "snap.delete")
    assert deleted["ok"] and deleted["surfaced_on"] == "N1" and deleted["provider_type"] == "software"
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
])
def test_refusals_create_nothing(lab, args, words):
    mark = len(lab.events())
    rc, result = _run(lab, _host(lab, "N2"), "csv_snapshot", args)
    assert rc != 0
    for word in words:
        assert word in result["msg"], result["msg"]
    assert not _events(lab, mark, "snap.create") and lab.state()["snapshots"] == []


@pytest.mark.parametrize("reason, code, words", [
    ("diff_area_full", 6, ["Insufficient storage", "vssadmin resize shadowstorage"]),
    ("provider_missing", 11, ["provider not registered"]),
    ("volume_unsupported", 4, ["volume not supported"]),
])
def test_failed_create_leaves_nothing(lab, reason, code, words):
    lab.fault("snapshot_fails", node="N2", reason=reason)
    mark = len(lab.events())
    rc, result = _run(lab, _host(lab, "N2"), "csv_snapshot", {"name": "Disk A"})
    assert rc != 0
    for word in ["Disk A", "N2", "returned %d" % code, "Nothing was created"] + words:
        assert word in result["msg"], result["msg"]
    (event,) = _events(lab, mark, "snap.create")
    assert event["ok"] is False and event["return_code"] == code
    assert lab.state()["snapshots"] == []
    rc, info = _run(lab, _host(lab, "N2"), "csv_snapshot_info", {})
    assert rc == 0 and info["snapshots"] == [] and info["vanished"] == []


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
    assert made["snapshot"]["surfaced_on"] == "N2" and made["snapshot"]["local_reads"] is True
    assert made["snapshot"]["provider_type"] == "hardware"
    rc, auto = _run(hwlab, _host(hwlab, "N3"), "csv_snapshot", {"name": "Disk B"})
    assert rc == 0 and "hardware" in auto["provider"] and auto["snapshot"]["surfaced_on"] == "N3"
    mark = len(hwlab.events())
    rc, refused = _run(hwlab, _host(hwlab, "N2"), "csv_snapshot", {"name": "Disk B", "provider": "software"})
    assert rc != 0 and "prefers hardware" in refused["msg"] and not _events(hwlab, mark, "snap.create")


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
