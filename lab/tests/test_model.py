"""The cluster model: moves, failover, reads local vs SMB, faults — all from the model's own state."""

import pytest

from wsfc_lab.model import Cluster, ModelError
from wsfc_lab.topology import parse_topology


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _cluster(multichannel=True, **extra):
    topo = parse_topology({
        "cluster": "C1", "time_scale": 1,
        "nodes": [
            {"name": "N1", "disk_gbps": 8, "smb_multichannel": multichannel,
             "nics": [{"name": "A", "gbps": 1}, {"name": "B", "gbps": 1}]},
            {"name": "N2", "disk_gbps": 8, "smb_multichannel": multichannel,
             "nics": [{"name": "A", "gbps": 1}, {"name": "B", "gbps": 1}]},
            {"name": "N3", "state": "Paused", "nics": [{"name": "A", "gbps": 1}]},
        ],
        "csvs": [{"name": "Disk 1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10,
                  "owner": "N1"}],
        **extra,
    })
    clock = Clock()
    return Cluster(topo, clock=clock, ticker=False), clock


def test_local_read_runs_at_disk_speed_and_is_logged_from_model_state():
    model, clock = _cluster()
    model.start_read("N1", "Disk 1", {"node": "N1", "id": "s1"})
    clock.t = 100
    (read,) = [e for e in model.events() if e["op"] == "backup.read"]
    assert read["read"] == "local" and read["coordinator"] == "N1" and read["node"] == "N1"
    assert read["end"] == pytest.approx(10e9 / (8 * 1.25e8), abs=0.01)  # 10 GB at 8 Gb/s = 10 s


@pytest.mark.parametrize("multichannel, seconds", [(True, 40.0), (False, 80.0)])
def test_smb_read_uses_the_network_path(multichannel, seconds):
    model, clock = _cluster(multichannel)
    model.start_read("N2", "Disk 1", {"node": "N1", "id": "s1"})
    clock.t = 1000
    (read,) = [e for e in model.events() if e["op"] == "backup.read"]
    assert read["read"] == "smb" and read["coordinator"] == "N1"
    assert read["end"] == pytest.approx(seconds, abs=0.01)  # 10 GB over 2 Gb/s (both NICs) or 1 Gb/s


def test_move_rules_and_idempotence():
    model, _ = _cluster()
    with pytest.raises(ModelError, match="Paused"):
        model.move_csv("Disk 1", "N3", caller="N1")
    csv, took = model.move_csv("Disk 1", "N2", caller="N1")
    assert csv.owner == "N2" and took > 0
    _, took = model.move_csv("disk 1", "n2", caller="N1")
    assert took == 0
    moves = [e for e in model.events() if e["op"] == "csv.move"]
    assert [m["ok"] for m in moves] == [False, True, True]


def test_node_down_fails_over_and_fails_its_reads():
    model, clock = _cluster()
    model.start_read("N2", "Disk 1", {"node": "N1", "id": "s1"})
    clock.t = 5
    model.set_node_state("N1", "Down")
    assert model.state()["csvs"]["Disk 1"]["owner"] == "N2"
    failed = [e for e in model.events() if e["op"] == "backup.read"]
    assert len(failed) == 1 and failed[0]["ok"] is False and 0 < failed[0]["bytes"] < 10e9


def test_move_fault_fires_once():
    model, _ = _cluster(faults=[{"kind": "move_fails", "csv": "Disk 1", "times": 1}])
    with pytest.raises(ModelError, match="failed"):
        model.move_csv("Disk 1", "N2", caller="N1")
    model.move_csv("Disk 1", "N2", caller="N1")
    assert model.state()["csvs"]["Disk 1"]["owner"] == "N2"


def test_scheduled_node_down_at_modelled_time():
    model, clock = _cluster(faults=[{"kind": "node_down", "node": "N2", "at": 30}])
    clock.t = 29
    assert model.state()["nodes"]["N2"]["state"] == "Up"
    clock.t = 31
    assert model.state()["nodes"]["N2"]["state"] == "Down"


def test_winrm_timeout_delays_the_next_command_of_its_node(monkeypatch):
    """Without after_ops the node's next command is delayed; with it, the first one after that many commands."""
    slept = []
    monkeypatch.setattr("wsfc_lab.model.time.sleep", slept.append)
    model, _ = _cluster()
    model.inject_fault({"kind": "winrm_timeout", "node": "N2", "seconds": 5})
    model.inject_fault({"kind": "winrm_timeout", "node": "N1", "seconds": 7, "after_ops": 3})
    model.before_operation("N1")   # 1: N1's fault waits for after_ops
    model.before_operation("N2")   # 2: N2's next command
    model.before_operation("N2")   # 3: its fault is used up
    model.before_operation("N1")   # 4: more than 3 commands in all
    model.before_operation("N1")   # 5
    assert slept == [5.0, 7.0]
    assert [(e["op"], e["node"]) for e in model.events() if e["op"].startswith("fault.")] == [
        ("fault.winrm_timeout", "N2"), ("fault.winrm_timeout", "N1")]
