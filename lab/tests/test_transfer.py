"""The read physics: max-min fair sharing and exact completion times."""

import pytest

from wsfc_lab.transfer import GBPS, Flow, TransferSimulation, max_min_rates


def test_single_flow_runs_at_its_bottleneck():
    sim = TransferSimulation({"disk": 8 * GBPS, "net": 10 * GBPS})
    sim.add(Flow("a", 8 * GBPS * 100, ("disk", "net"), 0.0), 0.0)
    (done,) = sim.advance(1000)
    assert done.info["end"] == pytest.approx(100.0)


def test_two_flows_share_a_disk_and_finish_together():
    sim = TransferSimulation({"disk": 100.0})
    sim.add(Flow("a", 1000.0, ("disk",), 0.0), 0.0)
    sim.add(Flow("b", 1000.0, ("disk",), 0.0), 0.0)
    finished = sim.advance(100)
    assert [f.info["end"] for f in finished] == [pytest.approx(20.0)] * 2


def test_capacity_left_by_a_bottlenecked_flow_goes_to_others():
    # a is limited by its own 10/s path; b gets the rest of the shared 100/s disk.
    flows = [Flow("a", 1.0, ("disk", "path"), 0.0), Flow("b", 1.0, ("disk",), 0.0)]
    rates = max_min_rates(flows, {"disk": 100.0, "path": 10.0})
    assert rates == {"a": pytest.approx(10.0), "b": pytest.approx(90.0)}


def test_rates_change_when_a_flow_ends():
    sim = TransferSimulation({"disk": 100.0})
    sim.add(Flow("short", 500.0, ("disk",), 0.0), 0.0)
    sim.add(Flow("long", 1500.0, ("disk",), 0.0), 0.0)
    finished = {f.key: f.info["end"] for f in sim.advance(1000)}
    # both at 50/s until short ends at t=10 (long has 1000 left), then long alone at 100/s: ends at 20.
    assert finished == {"short": pytest.approx(10.0), "long": pytest.approx(20.0)}


def test_removing_a_flow_reports_bytes_read():
    sim = TransferSimulation({"disk": 100.0})
    sim.add(Flow("a", 1000.0, ("disk",), 0.0), 0.0)
    flow, finished = sim.remove("a", 4.0)
    assert finished == [] and flow.done == pytest.approx(400.0)
