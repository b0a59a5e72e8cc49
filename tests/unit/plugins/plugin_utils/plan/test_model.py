# -*- coding: utf-8 -*-
"""The throughput model and the fluid simulator of the backup planner (plugins/plugin_utils/plan/model.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.model import (
    Topology, Write, gbps_to_bytes, max_min_rates, simulate, smb_side_gbps, up_adapters,
)

GB = 10 ** 9


def _nic(name, gbps, team=None, status="Up"):
    return {"name": name, "link_gbps": gbps, "status": status, "team": team}


def _facts(*adapters, client=True, server=True):
    return {"adapters": list(adapters), "smb_multichannel": {"client": client, "server": server}}


def _run(topology, reads, concurrency=2):
    """reads: {node: [(id, bytes, source)]} -> simulate() result."""
    jobs = dict((node, [(rid, size, topology.uses(node, source)) for rid, size, source in items]) for node, items in reads.items())
    return simulate(jobs, topology.capacities, concurrency)


def test_units_follow_the_lab():
    assert gbps_to_bytes(1) == 1.25e8
    assert gbps_to_bytes(8) == 1e9


def test_one_local_read_takes_bytes_over_rate():
    topo = Topology({"N1": 8.0})
    result = _run(topo, {"N1": [("a", 100 * GB, "N1")]})
    assert result["reads"]["a"]["start_s"] == 0.0
    assert result["reads"]["a"]["end_s"] == pytest.approx(100.0)
    assert result["window_s"] == pytest.approx(100.0)


def test_two_reads_on_one_disk_share_it_and_the_node_finishes_at_the_same_time():
    topo = Topology({"N1": 8.0})
    together = _run(topo, {"N1": [("a", 50 * GB, "N1"), ("b", 50 * GB, "N1")]}, concurrency=2)
    one_by_one = _run(topo, {"N1": [("a", 50 * GB, "N1"), ("b", 50 * GB, "N1")]}, concurrency=1)
    assert together["reads"]["a"]["end_s"] == pytest.approx(100.0)  # twice the 50 s it takes alone
    assert together["reads"]["b"]["end_s"] == pytest.approx(100.0)
    assert one_by_one["reads"]["a"]["end_s"] == pytest.approx(50.0)
    assert one_by_one["reads"]["b"]["start_s"] == pytest.approx(50.0)
    assert together["window_s"] == pytest.approx(one_by_one["window_s"])


def test_rates_are_recomputed_when_a_read_ends():
    topo = Topology({"N1": 8.0})
    result = _run(topo, {"N1": [("big", 30 * GB, "N1"), ("small", 10 * GB, "N1")]})
    assert result["reads"]["small"]["end_s"] == pytest.approx(20.0)  # half the disk until it ends
    assert result["reads"]["big"]["end_s"] == pytest.approx(40.0)    # then the whole disk


def test_a_node_runs_at_most_concurrency_reads_and_starts_the_next_when_one_ends():
    topo = Topology({"N1": 8.0})
    result = _run(topo, {"N1": [("a", 10 * GB, "N1"), ("b", 20 * GB, "N1"), ("c", 10 * GB, "N1")]})
    assert result["reads"]["c"]["start_s"] == pytest.approx(result["reads"]["a"]["end_s"])
    assert result["reads"]["a"]["end_s"] == pytest.approx(20.0)
    assert result["window_s"] == pytest.approx(40.0)


def test_nodes_with_local_reads_do_not_slow_each_other():
    topo = Topology({"N1": 8.0, "N2": 16.0})
    result = _run(topo, {"N1": [("a", 80 * GB, "N1")], "N2": [("b", 80 * GB, "N2")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(80.0)
    assert result["reads"]["b"]["end_s"] == pytest.approx(40.0)


def test_smb_read_is_limited_by_the_slower_side():
    network = {"R": _facts(_nic("A", 10), _nic("B", 10)), "K": _facts(_nic("A", 10))}
    topo = Topology({"R": 100.0, "K": 100.0}, network)
    assert topo.path_gbps("R", "K") == 10.0
    result = _run(topo, {"R": [("a", 125 * GB, "K")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(100.0)  # 125 GB at 10 Gb/s


def test_smb_read_is_limited_by_the_coordinator_disk():
    network = {"R": _facts(_nic("A", 25)), "K": _facts(_nic("A", 25))}
    topo = Topology({"R": 100.0, "K": 8.0}, network)
    result = _run(topo, {"R": [("a", 100 * GB, "K")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(100.0)  # K's disk, 8 Gb/s


def test_without_multichannel_only_the_fastest_interface_counts():
    adapters = [_nic("A", 10), _nic("B", 10), _nic("C", 1)]
    assert smb_side_gbps(_facts(*adapters), multichannel=True) == 21.0
    assert smb_side_gbps(_facts(*adapters), multichannel=False) == 10.0
    # Multichannel needs the reader's client and the coordinator's server side.
    fast = Topology({"R": 100.0, "K": 100.0}, {"R": _facts(*adapters), "K": _facts(*adapters)})
    no_client = Topology({"R": 100.0, "K": 100.0}, {"R": _facts(*adapters, client=False), "K": _facts(*adapters)})
    no_server = Topology({"R": 100.0, "K": 100.0}, {"R": _facts(*adapters), "K": _facts(*adapters, server=False)})
    assert fast.path_gbps("R", "K") == 21.0
    assert no_client.path_gbps("R", "K") == 10.0
    assert no_server.path_gbps("R", "K") == 10.0
    assert no_server.path_gbps("K", "R") == 21.0  # K's client and R's server both have it


def test_a_team_counts_as_its_members_together():
    teamed = _facts(_nic("A", 10, team="T1"), _nic("B", 10, team="T1"), _nic("C", 1))
    assert smb_side_gbps(teamed, multichannel=False) == 20.0
    assert smb_side_gbps(teamed, multichannel=True) == 21.0
    topo = Topology({"R": 100.0, "K": 100.0}, {"R": teamed, "K": teamed})
    topo_off = Topology({"R": 100.0, "K": 100.0}, {"R": dict(teamed, smb_multichannel={"client": False, "server": False}), "K": teamed})
    assert topo_off.path_gbps("R", "K") == 20.0
    result = _run(topo_off, {"R": [("a", 250 * GB, "K")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(100.0)
    assert topo.path_gbps("R", "K") == 21.0


def test_adapters_that_are_down_and_team_interfaces_do_not_count():
    facts = _facts(_nic("A", 10, team="T1"), _nic("B", 10, team="T1"), _nic("T1", 20), _nic("C", 25, status="Disconnected"))
    assert [a["name"] for a in up_adapters(facts)] == ["A", "B"]
    assert smb_side_gbps(facts, multichannel=True) == 20.0
    assert smb_side_gbps({"adapters": []}, multichannel=True) is None


def test_max_min_fairness_with_three_flows():
    # f2 crosses both links: B (4) is the bottleneck, shared by f2 and f3; f1 takes what A has left.
    rates = max_min_rates({"f1": ("A",), "f2": ("A", "B"), "f3": ("B",)}, {"A": 10.0, "B": 4.0})
    assert rates == {"f1": pytest.approx(8.0), "f2": pytest.approx(2.0), "f3": pytest.approx(2.0)}


def test_max_min_fairness_in_the_simulator_with_three_flows():
    # Two readers pull from K (disk 8 Gb/s) while R1 also reads locally (disk 4 Gb/s).
    network = dict((n, _facts(_nic("A", 100))) for n in ("R1", "R2", "K"))
    topo = Topology({"R1": 4.0, "R2": 100.0, "K": 8.0}, network)
    result = _run(topo, {"R1": [("smb1", 40 * GB, "K"), ("local", 10 * GB, "R1")], "R2": [("smb2", 40 * GB, "K")]})
    # K's disk is shared by smb1 and smb2 (4 Gb/s each = 0.5 GB/s): both end at 80 s; local has R1's disk alone.
    assert result["reads"]["smb1"]["end_s"] == pytest.approx(80.0)
    assert result["reads"]["smb2"]["end_s"] == pytest.approx(80.0)
    assert result["reads"]["local"]["end_s"] == pytest.approx(20.0)


def test_unlimited_and_unused_resources():
    assert max_min_rates({"f": ("X",)}, {}) == {"f": float("inf")}
    assert max_min_rates({}, {"A": 1.0}) == {}


def test_target_cap_limits_each_node_write():
    topo = Topology({"N1": 16.0, "N2": 16.0}, target_gbps=8.0)
    assert topo.local_rate("N1") == 1e9
    result = _run(topo, {"N1": [("a", 50 * GB, "N1"), ("b", 50 * GB, "N1")], "N2": [("c", 100 * GB, "N2")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(100.0)
    assert result["reads"]["c"]["end_s"] == pytest.approx(100.0)  # each node has its own cap


def test_zero_byte_read_and_empty_jobs():
    topo = Topology({"N1": 8.0})
    result = _run(topo, {"N1": [("empty", 0, "N1"), ("a", 8 * GB, "N1")]})
    assert result["reads"]["empty"]["end_s"] == 0.0
    assert result["window_s"] == pytest.approx(8.0)
    assert simulate({}, {}, 2) == {"reads": {}, "window_s": 0.0}


def test_simulation_is_deterministic():
    network = dict((n, _facts(_nic("A", 10), _nic("B", 10))) for n in ("N1", "N2", "N3"))
    reads = {"N1": [("a", 70 * GB, "N2"), ("b", 30 * GB, "N1"), ("c", 55 * GB, "N3")], "N2": [("d", 40 * GB, "N3")]}
    first = _run(Topology({"N1": 8.0, "N2": 12.0, "N3": 8.0}, network), reads)
    second = _run(Topology({"N1": 8.0, "N2": 12.0, "N3": 8.0}, network), reads)
    assert first == second


def test_simulate_rejects_bad_input():
    with pytest.raises(ValueError, match="concurrency"):
        simulate({}, {}, 0)
    with pytest.raises(ValueError, match="twice"):
        simulate({"N1": [("a", 1, (("disk", "N1"),)), ("a", 1, (("disk", "N1"),))]}, {("disk", "N1"): 1.0}, 1)
    with pytest.raises(ValueError, match="never finish"):
        simulate({"N1": [("a", 1, (("disk", "N1"),))]}, {("disk", "N1"): 0.0}, 1)


# --- the write path: what is read is written to the backup target -------------------------------------------------

SHARE = "\\\\backup01\\csv"


def test_writes_to_a_share_share_its_ingress():
    # Two nodes read locally at 16 Gb/s (2 GB/s) each; the share takes 8 Gb/s (1 GB/s) in all: 200 GB in 200 s.
    network = dict((n, _facts(_nic("A", 100))) for n in ("N1", "N2"))
    topo = Topology({"N1": 16.0, "N2": 16.0}, network, write=Write("share", SHARE, gbps=8.0))
    assert topo.shared == 1e9 and ("ingress",) in topo.uses("N1", "N1")
    result = _run(topo, {"N1": [("a", 100 * GB, "N1")], "N2": [("b", 100 * GB, "N2")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(200.0)
    assert result["window_s"] == pytest.approx(200.0)


def test_smb_read_then_share_write_crosses_the_readers_nic_twice():
    # R's two 10 GbE NICs: SMB Multichannel as a client (20 Gb/s in) but not as a server (10 Gb/s out).
    network = {"R": _facts(_nic("A", 10), _nic("B", 10), server=False), "K": _facts(_nic("A", 10), _nic("B", 10))}
    read_only = Topology({"R": 100.0, "K": 100.0}, network)
    written = Topology({"R": 100.0, "K": 100.0}, network, write=Write("share", SHARE, gbps=100.0))
    uses = written.uses("R", "K")
    assert ("in", "R") in uses and ("out", "R") in uses and ("out", "K") in uses
    assert len(set(uses)) == len(uses)
    # Read over SMB at the 20 Gb/s path (2.5 GB/s): 40 s; written out through R's 10 Gb/s egress as well: 80 s.
    assert _run(read_only, {"R": [("smb", 100 * GB, "K")]})["window_s"] == pytest.approx(40.0)
    assert _run(written, {"R": [("smb", 100 * GB, "K")]})["window_s"] == pytest.approx(80.0)


def test_a_nodes_egress_is_shared_by_the_smb_reads_it_serves_and_its_own_writes():
    # K (one 10 GbE NIC, 1.25 GB/s out) serves R's SMB read and writes its own local read to the share.
    network = {"R": _facts(_nic("A", 100)), "K": _facts(_nic("A", 10))}
    served = _run(Topology({"R": 100.0, "K": 100.0}, network), {"R": [("smb", 50 * GB, "K")], "K": [("local", 50 * GB, "K")]})
    assert served["reads"]["smb"]["end_s"] == pytest.approx(40.0)  # no write path: K's NIC serves the read alone
    topo = Topology({"R": 100.0, "K": 100.0}, network, write=Write("share", SHARE, gbps=100.0))
    result = _run(topo, {"R": [("smb", 50 * GB, "K")], "K": [("local", 50 * GB, "K")]})
    assert result["reads"]["smb"]["end_s"] == pytest.approx(80.0)    # 0.625 GB/s each through K's egress
    assert result["reads"]["local"]["end_s"] == pytest.approx(80.0)


def test_a_local_target_costs_the_nodes_write_rate_and_no_nic():
    write = Write("local", "E:\\Backups", gbps=4.0, node_gbps={"N1": 2.0})
    topo = Topology({"N1": 16.0, "N2": 16.0, "N3": 16.0}, write=write)
    assert topo.uses("N1", "N1") == (("disk", "N1"), ("write", "N1"))
    assert not [res for res in topo.uses("N2", "N2") + topo.uses("N2", "N1") if res[0] == "out" and res[1] == "N2"]
    assert topo.local_rate("N1") == gbps_to_bytes(2.0) and topo.local_rate("N2") == gbps_to_bytes(4.0)
    assert topo.shared is None and not topo.writes_over_network()
    unknown = Topology({"N1": 16.0}, write=Write("local", "E:\\Backups"))
    assert unknown.uses("N1", "N1") == (("disk", "N1"),) and unknown.local_rate("N1") == 2e9
    result = _run(topo, {"N1": [("a", 50 * GB, "N1")], "N2": [("b", 50 * GB, "N2")]})
    assert result["reads"]["a"]["end_s"] == pytest.approx(200.0)  # 0.25 GB/s into N1's own folder
    assert result["reads"]["b"]["end_s"] == pytest.approx(100.0)  # 0.5 GB/s: the others' rate


def test_without_a_known_target_the_resources_are_as_before():
    network = dict((n, _facts(_nic("A", 10))) for n in ("N1", "N2"))
    assert Topology({"N1": 8.0, "N2": 8.0}, network).uses("N1", "N2") == (("disk", "N2"), ("out", "N2"), ("in", "N1"), ("path", "N1", "N2"))
    capped = Topology({"N1": 8.0, "N2": 8.0}, network, target_gbps=4.0)
    assert capped.uses("N1", "N1") == (("disk", "N1"), ("target", "N1"))
    assert capped.shared is None and capped.write_rate("N1") == gbps_to_bytes(4.0)
    assert Topology({"N1": 8.0}).write_rate("N1") == float("inf")


def test_a_target_is_a_share_or_a_local_folder():
    with pytest.raises(ValueError, match="share or a local folder"):
        Write("tape", "T:")


def _scan_max_min(flows, capacities):
    """The progressive filling max_min_rates replaced: a scan of every resource per bottleneck."""
    left, users = {}, {}
    for fid, uses in flows.items():
        for res in uses:
            if capacities.get(res) is not None:
                left[res] = float(capacities[res])
                users.setdefault(res, {})[fid] = None
    rates = dict((fid, float("inf")) for fid in flows)
    while users:
        bottleneck = min(users, key=lambda res: left[res] / len(users[res]))
        share = max(left[bottleneck], 0.0) / len(users[bottleneck])
        for fid in list(users[bottleneck]):
            rates[fid] = share
            for res in flows[fid]:
                if res in users:
                    left[res] -= share
                    del users[res][fid]
                    if not users[res]:
                        del users[res]
    return rates


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_heap_progressive_filling_gives_exactly_the_scans_rates(data):
    resources = ["r%d" % i for i in range(data.draw(st.integers(1, 7)))]
    capacities = dict((res, data.draw(st.sampled_from([None, 1.0, 2.0, 3.0, 0.7, 5.5]))) for res in resources)
    flows = dict(("f%d" % i, tuple(data.draw(st.lists(st.sampled_from(resources), unique=True, max_size=len(resources)))))
                 for i in range(data.draw(st.integers(0, 8))))
    assert max_min_rates(flows, capacities) == _scan_max_min(flows, capacities)
