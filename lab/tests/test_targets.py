"""Backup targets (topology ``targets:``): where robocopy and wbadmin may write, what lands there, how fast."""

from __future__ import annotations

import pytest

from wsfc_lab.jobs import scheduler
from wsfc_lab.topology import TopologyError, parse_topology

from test_jobs import BJ, _folder, _model, _ops, _snapshot, _start, _status  # pylint: disable=import-error

SHARE = "\\\\BACKUP01\\csv"


def _targets(*extra, gbps=1000):
    return [{"path": SHARE, "gbps": gbps}, *extra]


def _copy(model, name, node, target, number=7):
    snap = _snapshot(model, node, number=number)
    _start(model, name, BJ.build_argv("copy", node, snapshot_path=_folder(snap), target=target), node=node)
    return snap


def test_a_copy_to_a_declared_share_lands_there_with_its_bytes_csv_and_node():
    model, clock = _model(targets=_targets())
    _copy(model, "rc1", "N1", "\\\\backup01\\CSV\\run1\\D1-0a1b2c3d")
    clock.t = 100
    assert BJ.job_state(_status(model, "rc1", node="N1"), "copy") == "succeeded"
    (read,) = _ops(model, "backup.read")
    assert read["target"] == SHARE and read["target_path"] == "\\\\backup01\\CSV\\run1\\D1-0a1b2c3d"
    files = model.state()["targets"][SHARE]["files"]
    assert [(f["path"], f["bytes"], f["csv"], f["node"], f["complete"]) for f in files] == [
        ("run1\\D1-0a1b2c3d", 10 ** 10, "D1", "N1", True)]


@pytest.mark.parametrize("target, code, text", [
    ("\\\\backup02\\csv\\run1\\D1", 53, "The network path was not found."),
    ("\\\\backup01\\other\\run1\\D1", 67, "The network name cannot be found."),
])
def test_a_copy_to_an_unknown_share_fails_as_robocopy_does_and_reads_nothing(target, code, text):
    model, clock = _model(targets=_targets())
    _copy(model, "rc2", "N1", target)
    clock.t = 100
    status = _status(model, "rc2", node="N1")
    assert status["last_result"] == 16 and BJ.job_state(status, "copy") == "failed"
    log = scheduler(model).read_file("N1", BJ.log_path("rc2"))
    assert "ERROR %d (0x%08X) Accessing Destination Directory %s" % (code, code, target) in log and text in log
    assert _ops(model, "backup.read") == [] and model.state()["targets"][SHARE]["files"] == []


def test_a_local_folder_is_a_target_only_on_the_node_it_is_declared_for():
    model, clock = _model(targets=_targets({"path": "E:\\Backups", "node": "N1", "gbps": 8}))
    _copy(model, "rc3", "N1", "E:\\Backups\\run1\\D1")
    _copy(model, "rc4", "N2", "E:\\Backups\\run1\\D1", number=8)
    _copy(model, "rc5", "N1", "C:\\backup01\\csv\\run1\\D1", number=9)  # what \backup01\csv is on a node
    clock.t = 200
    assert BJ.job_state(_status(model, "rc3", node="N1"), "copy") == "succeeded"
    for name, node in (("rc4", "N2"), ("rc5", "N1")):
        assert _status(model, name, node=node)["last_result"] == 16
        assert "The system cannot find the path specified." in scheduler(model).read_file(node, BJ.log_path(name))
    (entry,) = model.state()["targets"]["E:\\Backups"]["files"]
    assert (entry["path"], entry["node"]) == ("run1\\D1", "N1")


def test_the_share_s_ingress_is_shared_max_min_fairly_by_its_writers():
    # two local reads at 8 Gb/s each into a 4 Gb/s share: 2 Gb/s each, so 10 GB take 40 s
    model, clock = _model(targets=_targets(gbps=4))
    _copy(model, "rc6", "N1", SHARE + "\\r\\a")
    _copy(model, "rc7", "N2", SHARE + "\\r\\b", number=8)
    clock.t = 100
    reads = sorted(_ops(model, "backup.read"), key=lambda e: e["node"])
    assert [(e["node"], e["read"]) for e in reads] == [("N1", "local"), ("N2", "local")]
    assert [round(e["end"] - e["start"], 1) for e in reads] == [40.0, 40.0]


def test_a_write_to_a_share_goes_out_of_the_writer_s_nic():
    # a 2 Gb/s NIC in front of an 8 Gb/s disk and a fast share: the NIC's egress is the limit, 10 GB in 40 s
    model, clock = _model(targets=_targets())
    model.transfers.set_capacity("out:N1", 2 * 1e9 / 8, 0.0)
    _copy(model, "rc8", "N1", SHARE + "\\r\\a")
    clock.t = 100
    (read,) = _ops(model, "backup.read")
    assert round(read["end"] - read["start"], 1) == 40.0


def _wbadmin(model, name, node, folder):
    _start(model, name, BJ.build_argv("wbadmin", node, volume="C:\\ClusterStorage\\Volume1", target=folder),
           node=node)


def test_wbadmin_overwrites_the_previous_backup_of_the_computer_in_the_same_folder_only():
    model, clock = _model(targets=_targets())
    _wbadmin(model, "wb1", "N1", SHARE)
    clock.t = 100
    _wbadmin(model, "wb2", "N2", SHARE)  # another computer: its own WindowsImageBackup folder
    clock.t = 200
    _wbadmin(model, "wb3", "N1", SHARE + "\\run2\\D1")  # the same computer, another folder
    clock.t = 300
    files = model.state()["targets"][SHARE]["files"]
    assert sorted(f["path"] for f in files) == ["WindowsImageBackup\\N1", "WindowsImageBackup\\N2",
                                                "run2\\D1\\WindowsImageBackup\\N1"]
    _wbadmin(model, "wb4", "N1", SHARE)  # the same computer and folder again: the first backup is gone at once
    files = model.state()["targets"][SHARE]["files"]
    assert "WindowsImageBackup\\N1" not in [f["path"] for f in files]
    clock.t = 400
    files = model.state()["targets"][SHARE]["files"]
    assert [f["written"] for f in files if f["path"] == "WindowsImageBackup\\N1"] == [
        max(e["end"] for e in _ops(model, "backup.read"))]


def test_wbadmin_to_an_unknown_share_fails_before_taking_a_snapshot():
    model, clock = _model(targets=_targets())
    _wbadmin(model, "wb5", "N1", "\\\\nowhere\\wsb")
    clock.t = 10
    status = _status(model, "wb5", node="N1")
    assert status["last_result"] == 1 and model.state()["snapshots"] == []
    assert "The network path was not found." in scheduler(model).read_file("N1", BJ.log_path("wb5"))


@pytest.mark.parametrize("target, says", [
    ({"path": "\\backup01\\csv", "gbps": 1}, "a share"),
    ({"path": "E:\\Backups", "gbps": 1}, "a share"),
    ({"path": "\\\\b\\s", "node": "N1", "gbps": 1}, "drive-letter folder"),
    ({"path": "E:\\Backups", "node": "N9", "gbps": 1}, "is not a node"),
    ({"path": "\\\\b\\s", "gbps": 0}, "must be >"),
    ({"path": "\\\\b\\s"}, "required key"),
])
def test_a_bad_target_is_refused_naming_its_key(target, says):
    with pytest.raises(TopologyError, match="targets\\[0\\]") as caught:
        parse_topology({"cluster": "C1", "nodes": [{"name": "N1", "nics": [{"name": "A", "gbps": 10}]}], "csvs": [],
                        "targets": [target]})
    assert says in str(caught.value)
