"""Issue 19 in the lab: Suspend-ClusterNode (pause, drain, -TargetNode, -ForceDrain), the node's DrainStatus,
Resume-ClusterNode (-Failback NoFailback, Immediate, Policy) and the CSV balancer when a resumed node comes back,
asserted through the PowerShell engine scripts use (rules and pages: Cluster.suspend_node / resume_node)."""

import json

import pytest

from node_script import REFERENCE, run_on  # pylint: disable=import-error
from wsfc_lab.model import ROLE_MOVE_SECONDS, Cluster
from wsfc_lab.topology import TopologyError, parse_topology


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _model(balancer=False, **top):
    data = {"cluster": "C1", "time_scale": 1000, "csv_balancer": balancer,
            "nodes": [{"name": f"N{i}", "nics": [{"name": "A", "gbps": 10}]} for i in (1, 2, 3)],
            "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N2",
                      "vms": ["VM1", "VM2"]},
                     {"name": "D2", "path": "C:\\ClusterStorage\\Volume2", "size_gb": 100, "used_gb": 10, "owner": "N1",
                      "vms": ["VM3"]},
                     {"name": "D3", "path": "C:\\ClusterStorage\\Volume3", "size_gb": 100, "used_gb": 10, "owner": "N1"},
                     {"name": "D4", "path": "C:\\ClusterStorage\\Volume4", "size_gb": 100, "used_gb": 10, "owner": "N1"}]}
    data.update(top)
    clock = Clock()
    model = Cluster(parse_topology(data), reference=REFERENCE, clock=clock, ticker=False)
    model.test_clock = clock
    return model


def _run(model, source, node="N1"):
    return run_on(model, source, node)


def _ok(model, source, node="N1"):
    result = _run(model, source, node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def _node(model, name):
    out = _ok(model, f"$n = Get-ClusterNode -Name {name}; [ordered]@{{state = [string]$n.State; "
                     f"drain = [int]$n.DrainStatus; text = [string]$n.DrainStatus}} | ConvertTo-Json -Compress")
    return json.loads(out)


def _ops(model, op):
    return [e for e in model.events() if e["op"] == op]


def _owners(model):
    return {vm["name"]: vm["owner"] for csv in model.csvs.values() for vm in csv.vms}


def test_a_node_reports_its_drain_status_as_the_documented_number():
    model = _model()
    assert _node(model, "N2") == {"state": "Up", "drain": 0, "text": "NotInitiated"}


def test_suspend_without_drain_pauses_and_moves_nothing():
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 | Out-Null")
    assert _node(model, "N2")["state"] == "Paused"
    assert model.csv("D1").owner == "N2"          # groups owned by a paused node remain owned by it
    assert _owners(model)["VM1"] == "N2"
    assert _node(model, "N2")["drain"] == 0


def test_drain_moves_the_roles_keeps_the_csvs_and_completes():
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 -Drain | Out-Null")
    owners = _owners(model)
    assert owners["VM1"] != "N2" and owners["VM2"] != "N2"
    assert model.csv("D1").owner == "N2"          # the coordinator is not moved by a drain (conservative)
    # in progress until the drain's modelled end, then Completed
    assert _node(model, "N2") == {"state": "Paused", "drain": 1, "text": "InProgress"}
    model.test_clock.t += 2 * ROLE_MOVE_SECONDS / 1000 + 0.001
    assert _node(model, "N2")["drain"] == 2
    moves = _ops(model, "group.move")
    assert [m["args"]["group"] for m in moves] == ["VM1", "VM2"]
    assert all(m["args"]["reason"] == "drain" for m in moves)
    assert _ops(model, "node.suspend")[0]["csvs_kept"] == ["D1"]


def test_drain_to_a_target_node():
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 -TargetNode N3 -Drain | Out-Null")
    assert _owners(model)["VM1"] == "N3" and _owners(model)["VM2"] == "N3"


def test_a_drain_target_that_is_not_up_is_refused():
    model = _model()
    model.set_node_state("N3", "Paused")
    result = _run(model, "Suspend-ClusterNode -Name N2 -TargetNode N3 -Drain")
    assert result.exit_code != 0 and "drain target 'N3' is Paused" in result.stderr
    assert _node(model, "N2")["state"] == "Up"


def test_a_drain_that_cannot_move_a_role_fails_and_leaves_the_node_up():
    model = _model(faults=[{"kind": "drain_fails", "node": "N2"}])
    result = _run(model, "Suspend-ClusterNode -Name N2 -Drain")
    assert result.exit_code != 0 and "The drain of node 'N2' failed" in result.stderr
    assert _node(model, "N2") == {"state": "Up", "drain": 3, "text": "Failed"}
    assert _owners(model)["VM1"] == "N2"


def test_force_drain_moves_a_stuck_role_as_failed_and_pauses_anyway():
    model = _model(faults=[{"kind": "drain_fails", "node": "N2"}])
    _ok(model, "Suspend-ClusterNode -Name N2 -Drain -ForceDrain | Out-Null")
    assert _node(model, "N2")["state"] == "Paused"
    assert _ops(model, "group.move")[0]["args"]["failed"] is True


def test_drain_with_no_other_up_node_fails():
    model = _model()
    model.set_node_state("N1", "Down")
    model.set_node_state("N3", "Down")
    result = _run(model, "Suspend-ClusterNode -Name N2 -Drain")
    assert result.exit_code != 0 and "no other node is Up" in result.stderr


@pytest.mark.parametrize("source", [
    "Suspend-ClusterNode -Name N2 -Drain -Wait",
    "Suspend-ClusterNode -Name N2 -ForceDrain",
    "Resume-ClusterNode -Name N2",
])
def test_what_the_pages_do_not_define_is_refused_as_not_modelled(source):
    model = _model()
    result = _run(model, source)
    assert result.exit_code != 0 and "not modelled" in result.stderr


def test_resume_failback_values_are_the_documented_ones():
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 | Out-Null")
    result = _run(model, "Resume-ClusterNode -Name N2 -Failback Sometimes")
    assert result.exit_code != 0 and "NoFailback, Immediate, Policy" in result.stderr


@pytest.mark.parametrize("failback,back", [("Immediate", True), ("Policy", False), ("NoFailback", False)])
def test_resume_with_failback(failback, back):
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 -Drain | Out-Null")
    _ok(model, f"Resume-ClusterNode -Name N2 -Failback {failback} | Out-Null")
    assert _node(model, "N2") == {"state": "Up", "drain": 0, "text": "NotInitiated"}
    owners = _owners(model)
    assert (owners["VM1"] == "N2" and owners["VM2"] == "N2") is back
    failbacks = [e for e in _ops(model, "group.move") if e["args"]["reason"] == "failback"]
    assert len(failbacks) == (2 if back else 0)


def test_resume_of_an_up_node_changes_nothing():
    model = _model()
    _ok(model, "Resume-ClusterNode -Name N2 -Failback NoFailback | Out-Null")
    assert _ops(model, "node.resume")[0]["changed"] is False
    assert not _ops(model, "node.state")


@pytest.mark.parametrize("balancer", [True, False])
def test_a_resumed_node_is_rebalanced_as_a_rejoining_node_only_with_the_balancer(balancer):
    model = _model(balancer=balancer)
    _ok(model, "Suspend-ClusterNode -Name N2 -Drain | Out-Null")
    model.move_csv("D1", "N3", caller="N1")       # what the collection does before it drains
    _ok(model, "Resume-ClusterNode -Name N2 -Failback NoFailback | Out-Null")
    moved = [e for e in _ops(model, "csv.balancer") if e["ok"]]
    if balancer:     # N1 owns three, N2 none: the balancer evens it out
        assert moved and all(e["args"]["to"] == "N2" and e["args"]["reason"] == "node rejoin" for e in moved)
    else:
        assert not moved


def test_a_csv_cannot_move_to_a_paused_node_but_can_leave_it():
    model = _model()
    _ok(model, "Suspend-ClusterNode -Name N2 | Out-Null")
    result = _run(model, "Move-ClusterSharedVolume -Name D2 -Node N2")
    assert result.exit_code != 0
    _ok(model, "Move-ClusterSharedVolume -Name D1 -Node N3 | Out-Null")
    assert model.csv("D1").owner == "N3"


def test_state_reports_the_drain_status():
    model = _model()
    assert model.state()["nodes"]["N2"]["drain_status"] == "NotInitiated"


def test_drain_fails_fault_is_validated():
    with pytest.raises(TopologyError):
        parse_topology({"cluster": "C1", "nodes": [{"name": "N1", "nics": [{"name": "A", "gbps": 10}]}],
                        "csvs": [], "faults": [{"kind": "drain_fails"}]})
