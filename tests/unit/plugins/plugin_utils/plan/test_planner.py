# -*- coding: utf-8 -*-
"""The backup planner: strategies, selection, options and the plan it returns (plugins/plugin_utils/plan/planner.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import STRATEGY_NAMES, plan_backup

GB = 10 ** 9


def _csv(name, owner, used_gb, state="Online", redirected=False, reason=None):
    used = int(used_gb * GB)
    return {"name": name, "owner": owner, "state": state, "path": "C:\\ClusterStorage\\" + name.replace(" ", ""),
            "size_bytes": 2 * used + GB, "free_bytes": used + GB, "used_bytes": used,
            "redirected": redirected, "redirected_reason": reason, "vms": []}


def _cluster(csvs, nodes=4, down=()):
    names = ["NODE%d" % (i + 1) for i in range(nodes)]
    return {"cluster": {"name": "CLUSTER1"},
            "nodes": [{"name": n, "state": "Down" if n in down else "Up", "id": str(i)} for i, n in enumerate(names)],
            "csvs": csvs}


def _network(nodes=4, gbps=10, multichannel=True, read_gbps=8.0):
    return {"nodes": dict(
        ("NODE%d" % (i + 1), {
            "adapters": [{"name": "NIC1", "link_gbps": gbps, "status": "Up", "team": "TEAM1"},
                         {"name": "NIC2", "link_gbps": gbps, "status": "Up", "team": "TEAM1"}],
            "smb_multichannel": {"client": multichannel, "server": multichannel},
            "read_gbps": read_gbps,
        }) for i in range(nodes))}


def _uneven():
    """4 nodes, 8 CSVs, 6 TB, 60% of it coordinated by NODE1."""
    sizes = [(1500, "NODE1"), (1200, "NODE1"), (900, "NODE1"), (700, "NODE2"), (600, "NODE3"), (500, "NODE4"), (400, "NODE2"), (200, "NODE3")]
    return _cluster([_csv("Cluster Disk %d" % (i + 1), owner, used) for i, (used, owner) in enumerate(sizes)])


def _reads(plan):
    return [(node, read) for node, reads in plan["nodes"].items() for read in reads]


def _apply(owners, moves):
    owners = dict(owners)
    for move in moves:
        assert owners[move["csv"]] == move["from"]
        owners[move["csv"]] = move["to"]
    return owners


# --- the shape of the plan ---------------------------------------------------------------------------------------

def test_plan_is_json_and_has_every_documented_key():
    plan = plan_backup(_uneven(), _network())
    json.dumps(plan)
    for key in ("strategy", "provider", "concurrency", "nodes", "moves", "undo", "window_s", "lower_bound_s",
                "ratio_to_lower_bound", "total_bytes", "selected", "skipped", "warnings", "comparison"):
        assert key in plan
    assert plan["strategy"] == "balanced" and plan["provider"] == "software" and plan["concurrency"] == 2
    assert set(plan["comparison"]) == set(STRATEGY_NAMES)
    assert plan["total_bytes"] == 6000 * GB
    for node, read in _reads(plan):
        assert set(read) == {"csv", "bytes", "read", "source", "why", "index", "start_s", "end_s"}
        assert read["end_s"] <= plan["window_s"] + 1e-6


def test_each_node_runs_its_csvs_largest_first():
    plan = plan_backup(_uneven(), _network(), strategy="remote", backup_node="NODE1")
    sizes = [read["bytes"] for read in plan["nodes"]["NODE1"]]
    assert sizes == sorted(sizes, reverse=True)


def test_comparison_is_the_same_whatever_the_strategy():
    plans = dict((s, plan_backup(_uneven(), _network(), strategy=s)) for s in STRATEGY_NAMES)
    for name, plan in plans.items():
        assert plan["strategy"] == name
        assert plan["comparison"] == plans["balanced"]["comparison"]
        assert plan["comparison"][name] == plan["window_s"]


def test_strategy_all_returns_balanced_with_every_plan():
    plan = plan_backup(_uneven(), _network(), strategy="all")
    assert plan["strategy"] == "balanced"
    assert set(plan["plans"]) == set(STRATEGY_NAMES)
    assert plan["window_s"] == plan["plans"]["balanced"]["window_s"]
    json.dumps(plan)


# --- strategies --------------------------------------------------------------------------------------------------

def test_coordinator_makes_no_moves_and_reads_locally():
    plan = plan_backup(_uneven(), _network(), strategy="coordinator")
    assert plan["moves"] == [] and plan["undo"] == []
    for node, read in _reads(plan):
        assert read["read"] == "local" and read["source"] == node
    assert plan["window_s"] == pytest.approx(3600.0)  # NODE1's 3.6 TB at 8 Gb/s


def test_coordinator_moves_csvs_of_a_node_that_may_not_back_up_and_says_why():
    plan = plan_backup(_uneven(), _network(), strategy="coordinator", backup_nodes=["NODE1", "NODE2", "NODE3"])
    assert "NODE4" not in plan["nodes"]
    assert plan["moves"] == [{"csv": "Cluster Disk 6", "from": "NODE4", "to": "NODE3"}]  # NODE3 finishes earliest
    why = [r["why"] for n, r in _reads(plan) if r["csv"] == "Cluster Disk 6"][0]
    assert "NODE4 may not run backups" in why and "earliest" in why


def test_consolidate_moves_everything_to_one_node():
    plan = plan_backup(_uneven(), _network(), strategy="consolidate", backup_node="NODE2")
    assert plan["backup_node"] == "NODE2"
    assert [r["csv"] for r in plan["nodes"]["NODE2"]] == plan["selected"]
    assert all(not reads for node, reads in plan["nodes"].items() if node != "NODE2")
    assert all(r["read"] == "local" and r["source"] == "NODE2" for r in plan["nodes"]["NODE2"])
    assert sorted(m["csv"] for m in plan["moves"]) == ["Cluster Disk %d" % i for i in (1, 2, 3, 5, 6, 8)]
    assert all(m["to"] == "NODE2" for m in plan["moves"])
    assert plan["window_s"] == pytest.approx(6000.0)


def test_consolidate_picks_the_node_that_owns_most_when_nodes_are_equal():
    plan = plan_backup(_uneven(), _network(), strategy="consolidate")
    assert plan["backup_node"] == "NODE1"
    assert len(plan["moves"]) == 5


def test_consolidate_picks_the_fastest_node():
    network = _network()
    network["nodes"]["NODE3"]["read_gbps"] = 16.0
    plan = plan_backup(_uneven(), network, strategy="consolidate")
    assert plan["backup_node"] == "NODE3"
    assert plan["window_s"] == pytest.approx(3000.0)


def test_balanced_on_an_uneven_cluster_moves_some_csvs_and_nears_the_lower_bound():
    plan = plan_backup(_uneven(), _network())
    assert 0 < len(plan["moves"]) < 8
    assert plan["lower_bound_s"] == pytest.approx(1500.0)
    assert plan["window_s"] <= 1.10 * plan["lower_bound_s"]
    assert plan["window_s"] == pytest.approx(1600.0)  # the best partition of these sizes
    assert plan["comparison"]["coordinator"] == pytest.approx(3600.0)
    for node, read in _reads(plan):
        assert read["read"] == "local" and read["source"] == node
    assert sum(1 for m in plan["moves"] if m["from"] == "NODE1") == 2  # NODE1 keeps one of its three big CSVs


def test_balanced_is_at_least_three_times_faster_than_remote_when_one_node_owns_most():
    sizes = [900, 800, 700, 600, 400, 300, 250, 200, 150, 100, 100]
    owners = ["NODE1"] * 5 + ["NODE2", "NODE3", "NODE4", "NODE5", "NODE6", "NODE2"]
    csvs = [_csv("Volume %02d" % i, owner, used) for i, (used, owner) in enumerate(zip(sizes, owners))]
    plan = plan_backup(_cluster(csvs, nodes=6), _network(nodes=6))
    assert plan["moves"]
    assert plan["window_s"] <= 1.10 * plan["lower_bound_s"]
    assert plan["comparison"]["remote"] >= 3 * plan["window_s"]


def test_balanced_makes_no_moves_when_ownership_is_already_balanced():
    sizes = {"NODE1": (800, 200), "NODE2": (500, 500), "NODE3": (600, 400), "NODE4": (700, 300)}
    csvs = [_csv("%s-%d" % (node, i), node, used) for node, pair in sizes.items() for i, used in enumerate(pair)]
    plan = plan_backup(_cluster(csvs), _network())
    assert plan["moves"] == []
    assert plan["window_s"] == pytest.approx(plan["lower_bound_s"])
    assert plan["window_s"] == plan["comparison"]["coordinator"]


def test_balanced_prefers_owners_when_moving_gains_nothing():
    # NODE1's two volumes could swap with NODE2's, for the same window: nothing should move.
    csvs = [_csv("A", "NODE1", 600), _csv("B", "NODE1", 100), _csv("C", "NODE2", 400), _csv("D", "NODE2", 300)]
    plan = plan_backup(_cluster(csvs, nodes=2), _network(nodes=2))
    assert plan["moves"] == []


def test_undo_reverses_the_moves_exactly():
    cluster = _uneven()
    owners = dict((c["name"], c["owner"]) for c in cluster["csvs"])
    for strategy in ("balanced", "consolidate"):
        plan = plan_backup(cluster, _network(), strategy=strategy)
        assert plan["moves"]
        assert plan["undo"] == [{"csv": m["csv"], "from": m["to"], "to": m["from"]} for m in reversed(plan["moves"])]
        moved = _apply(owners, plan["moves"])
        for node, read in _reads(plan):
            assert moved[read["csv"]] == node  # software snapshots: each read runs on the coordinator after the moves
        assert _apply(moved, plan["undo"]) == owners


def test_remote_reads_over_smb_from_the_coordinators_and_moves_nothing():
    plan = plan_backup(_uneven(), _network(), strategy="remote", backup_node="NODE2")
    assert plan["moves"] == []
    reads = plan["nodes"]["NODE2"]
    assert len(reads) == 8
    for read in reads:
        owner = [c["owner"] for c in _uneven()["csvs"] if c["name"] == read["csv"]][0]
        assert read["source"] == owner
        assert read["read"] == ("local" if owner == "NODE2" else "smb")
    assert any("over SMB" in w for w in plan["warnings"])


def test_remote_picks_the_backup_node_with_the_shortest_window():
    windows = dict((n, plan_backup(_uneven(), _network(), strategy="remote", backup_node=n)["window_s"]) for n in ("NODE1", "NODE2", "NODE3", "NODE4"))
    plan = plan_backup(_uneven(), _network(), strategy="remote")
    assert plan["window_s"] == min(windows.values())
    assert windows[plan["backup_node"]] == plan["window_s"]


def test_slow_network_makes_remote_slower():
    fast = plan_backup(_uneven(), _network(gbps=10), strategy="remote", backup_node="NODE2")
    slow = plan_backup(_uneven(), _network(gbps=1, multichannel=False), strategy="remote", backup_node="NODE2")
    assert slow["window_s"] > 2 * fast["window_s"]


def test_hardware_provider_needs_no_moves():
    for strategy in STRATEGY_NAMES:
        plan = plan_backup(_uneven(), _network(), strategy=strategy, provider="hardware")
        assert plan["provider"] == "hardware"
        assert plan["moves"] == [] and plan["undo"] == []
        for node, read in _reads(plan):
            assert read["read"] == "local" and read["source"] == node
    hardware = plan_backup(_uneven(), _network(), provider="hardware")
    software = plan_backup(_uneven(), _network())
    assert hardware["window_s"] == software["window_s"]
    assert hardware["comparison"]["remote"] == hardware["comparison"]["consolidate"]


def test_concurrency_changes_read_times_but_not_a_local_window():
    one = plan_backup(_uneven(), _network(), strategy="coordinator", concurrency=1)
    three = plan_backup(_uneven(), _network(), strategy="coordinator", concurrency=3)
    assert one["window_s"] == pytest.approx(three["window_s"])
    assert one["nodes"]["NODE1"][1]["start_s"] > 0 and three["nodes"]["NODE1"][2]["start_s"] == 0


def test_target_cap_lengthens_the_window_and_the_lower_bound():
    plan = plan_backup(_uneven(), _network(), strategy="coordinator", target_gbps=4)
    assert plan["window_s"] == pytest.approx(7200.0)
    assert plan_backup(_uneven(), _network(), target_gbps=4)["lower_bound_s"] == pytest.approx(3000.0)


def test_read_gbps_option_when_network_facts_have_none():
    cluster = _uneven()
    assert plan_backup(cluster, strategy="coordinator", read_gbps=16)["window_s"] == pytest.approx(1800.0)
    assert plan_backup(cluster, strategy="coordinator", read_gbps="16")["window_s"] == pytest.approx(1800.0)
    per_node = plan_backup(cluster, strategy="coordinator", read_gbps={"node1": 24})
    assert per_node["window_s"] == pytest.approx(1200.0)  # NODE1: 3.6 TB at 24 Gb/s; NODE2: 1.1 TB at the default 8 Gb/s
    network = _network()
    network["nodes"]["NODE1"]["read_gbps"] = 12.0
    assert plan_backup(cluster, network, strategy="coordinator", read_gbps=100)["window_s"] == pytest.approx(2400.0)


def test_missing_network_facts_are_assumed_and_reported_for_smb_reads():
    plan = plan_backup(_uneven(), strategy="remote", backup_node="NODE2")
    assert any("no network facts" in w and "NODE1" in w for w in plan["warnings"])
    assert not any("no network facts" in w for w in plan_backup(_uneven())["warnings"])


def test_network_facts_may_name_nodes_by_fqdn():
    network = {"nodes": dict(("%s.example.com" % k.lower(), v) for k, v in _network(gbps=1, multichannel=False)["nodes"].items())}
    network["nodes"]["stranger.example.com"] = {}
    plan = plan_backup(_uneven(), network, strategy="remote", backup_node="NODE2")
    assert "path 2 Gb/s" in plan["nodes"]["NODE2"][0]["why"]  # the team of two 1 Gb/s NICs, without multichannel
    assert any("stranger" in w for w in plan["warnings"])


# --- nodes -------------------------------------------------------------------------------------------------------

def test_nodes_that_are_not_up_are_never_used():
    csvs = [_csv("A", "NODE1", 100), _csv("B", "NODE2", 100), _csv("C", "NODE3", 300)]
    plan = plan_backup(_cluster(csvs, nodes=3, down=("NODE3",)), strategy="all")
    for name, each in plan["plans"].items():
        assert "NODE3" not in each["nodes"], name
    assert {"csv": "C", "from": "NODE3", "to": plan["moves"][0]["to"]} in plan["moves"]
    assert any("not Up" in w for w in plan["warnings"])
    listed = plan_backup(_cluster(csvs, nodes=3, down=("NODE3",)), backup_nodes=["NODE1", "NODE3"])
    assert list(listed["nodes"]) == ["NODE1"]
    assert any("NODE3 is Down" in w for w in listed["warnings"])


def test_node_names_match_case_insensitively():
    plan = plan_backup(_uneven(), _network(), strategy="consolidate", backup_node="node3", backup_nodes="node3, NODE4")
    assert plan["backup_node"] == "NODE3" and list(plan["nodes"]) == ["NODE3", "NODE4"]


# --- selection ---------------------------------------------------------------------------------------------------

def _mixed():
    return _cluster([
        _csv("Cluster Disk 1", "NODE1", 100), _csv("Cluster Disk 2", "NODE2", 200), _csv("Data 1", "NODE3", 300),
        _csv("Cluster Disk 3", "NODE1", 50, state="Offline"),
        _csv("Cluster Disk 4", "NODE2", 70, redirected=True, reason="UserRequest"),
    ])


def test_default_selection_is_every_online_csv_and_skips_the_rest_with_a_reason():
    plan = plan_backup(_mixed())
    assert sorted(plan["selected"]) == ["Cluster Disk 1", "Cluster Disk 2", "Data 1"]
    skipped = dict((s["csv"], s["reason"]) for s in plan["skipped"])
    assert skipped["Cluster Disk 3"] == "state is Offline, not Online"
    assert "redirected" in skipped["Cluster Disk 4"] and "UserRequest" in skipped["Cluster Disk 4"]
    assert any("Cluster Disk 4" in w for w in plan["warnings"])


def test_select_a_list_of_csv_dicts():
    plan = plan_backup(_mixed(), select="[?starts_with(name, 'Cluster Disk')]")
    assert plan["selected"] == ["Cluster Disk 1", "Cluster Disk 2"]
    skipped = dict((s["csv"], s["reason"]) for s in plan["skipped"])
    assert skipped["Data 1"] == "not selected"
    assert skipped["Cluster Disk 3"] == "state is Offline, not Online"
    assert plan["total_bytes"] == 300 * GB


def test_select_a_list_of_names():
    plan = plan_backup(_mixed(), select="[?used_bytes > `150000000000`].name")
    assert plan["selected"] == ["Cluster Disk 2", "Data 1"]


def test_select_parse_error_is_a_clear_value_error():
    with pytest.raises(ValueError, match=r"select: .*not a valid JMESPath"):
        plan_backup(_mixed(), select="[?name == ")


def test_select_that_matches_nothing_is_an_error():
    with pytest.raises(ValueError, match="matched no CSV"):
        plan_backup(_mixed(), select="[?name == 'nope']")


@pytest.mark.parametrize("expression, message", [
    ("[0]", "must give a list"),
    ("[*].used_bytes", "must give a list of CSVs or CSV names"),
    ("['nope']", "not CSVs of this cluster"),
    ("", "non-empty string"),
])
def test_select_must_give_csvs_or_names(expression, message):
    with pytest.raises(ValueError, match=message):
        plan_backup(_mixed(), select=expression)


def test_selection_with_nothing_to_back_up_is_an_error():
    with pytest.raises(ValueError, match="none of the selected CSVs can be backed up"):
        plan_backup(_mixed(), select="[?name == 'Cluster Disk 3']")
    with pytest.raises(ValueError, match="no CSV is Online"):
        plan_backup(_cluster([_csv("A", "NODE1", 1, state="Failed")]))


# --- validation --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"strategy": "fastest"}, r"strategy must be one of .*'fastest'"),
    ({"provider": "magic"}, r"provider must be one of .*'magic'"),
    ({"concurrency": 0}, r"concurrency must be an integer >= 1; got 0"),
    ({"concurrency": "two"}, r"concurrency .*'two'"),
    ({"concurrency": 1.5}, r"concurrency .*1.5"),
    ({"concurrency": True}, r"concurrency .*True"),
    ({"backup_nodes": ["NODE9"]}, r"backup_nodes: 'NODE9' is not a node of this cluster"),
    ({"backup_nodes": []}, r"backup_nodes must be a non-empty list"),
    ({"backup_node": "NODE9"}, r"backup_node: 'NODE9' is not a node"),
    ({"backup_node": "NODE4", "backup_nodes": ["NODE1"]}, r"backup_node: NODE4 may not run backups"),
    ({"read_gbps": "fast"}, r"read_gbps must be a number .*'fast'"),
    ({"read_gbps": 0}, r"read_gbps must be a number .*0"),
    ({"read_gbps": {"NODE9": 8}}, r"read_gbps: 'NODE9' is not a node"),
    ({"read_gbps": {"NODE1": "x"}}, r"read_gbps\['NODE1'\] must be a number"),
    ({"target_gbps": -1}, r"target_gbps must be a number .*-1"),
    ({"colour": "blue"}, r"unknown option\(s\): colour"),
])
def test_bad_options_are_value_errors_that_name_option_and_value(options, message):
    with pytest.raises(ValueError, match=message):
        plan_backup(_uneven(), _network(), **options)


def test_bad_inputs_are_value_errors():
    with pytest.raises(ValueError, match="cluster must be the result of wsfc.csv.cluster_info"):
        plan_backup({"csvs": []})
    with pytest.raises(ValueError, match="network must be"):
        plan_backup(_uneven(), ["x"])
    with pytest.raises(ValueError, match="no node can run backups"):
        plan_backup(_cluster([_csv("A", "NODE1", 1)], nodes=2, down=("NODE1", "NODE2")))
    network = _network()
    network["nodes"]["NODE2"]["read_gbps"] = "quick"
    with pytest.raises(ValueError, match="network facts of NODE2: read_gbps"):
        plan_backup(_uneven(), network)


def test_options_set_to_none_take_their_defaults():
    plan = plan_backup(_uneven(), _network(), strategy=None, concurrency=None, select=None, provider=None)
    assert plan["strategy"] == "balanced" and plan["concurrency"] == 2 and plan["provider"] == "software"


# --- the write path: the backup target's bandwidth ------------------------------------------------------------------

SHARE = "\\\\backup01\\csv"


def _share(gbps, path=SHARE, target=SHARE):
    return {"target": target, "targets": [{"path": path, "gbps": gbps}]}


def test_the_targets_ingress_is_part_of_the_lower_bound():
    # 6,000 GB through 10 Gb/s (1.25 GB/s) take 4,800 s; the nodes alone (4 x 1 GB/s) would need 1,500 s.
    assert plan_backup(_uneven(), _network())["lower_bound_s"] == pytest.approx(1500.0)
    plan = plan_backup(_uneven(), _network(), **_share(10))
    assert plan["lower_bound_s"] == pytest.approx(4800.0)
    assert plan["target"] == {"path": SHARE, "kind": "share", "gbps": 10.0, "floor_s": 4800.0}
    assert plan_backup(_uneven(), _network())["target"] is None


def test_a_slow_target_makes_every_window_target_bound():
    # 5 Gb/s (0.625 GB/s) is less than any one node's 1 GB/s: whatever runs where, the share is the bottleneck.
    plan = plan_backup(_uneven(), _network(), strategy="all", **_share(5))
    assert plan["lower_bound_s"] == pytest.approx(9600.0)
    for name in STRATEGY_NAMES:
        assert plan["comparison"][name] == pytest.approx(9600.0), name
    fast = plan_backup(_uneven(), _network(), strategy="all")
    assert all(plan["comparison"][name] > fast["comparison"][name] for name in STRATEGY_NAMES)


def test_which_strategy_wins_when_the_target_is_the_bottleneck():
    # All four end at the floor; balanced keeps the one with fewest moves: the coordinator's own assignment, no move
    # (consolidate ties on time but moves 5 CSVs). With a target as fast as the nodes, balanced moves as before.
    slow = plan_backup(_uneven(), _network(), strategy="all", **_share(5))
    assert slow["moves"] == [] and slow["nodes"] == slow["plans"]["coordinator"]["nodes"]
    assert len(slow["plans"]["consolidate"]["moves"]) == 5
    middle = plan_backup(_uneven(), _network(), strategy="all", **_share(10))
    assert middle["comparison"]["balanced"] < middle["comparison"]["coordinator"] < middle["comparison"]["remote"]
    assert middle["window_s"] <= middle["lower_bound_s"] * 1.02
    fast = plan_backup(_uneven(), _network(), strategy="all", **_share(100))
    assert fast["comparison"] == plan_backup(_uneven(), _network(), strategy="all")["comparison"]


def test_remote_reads_cross_the_backup_nodes_nic_twice():
    # Two nodes, disks at 20 Gb/s (2.5 GB/s), a 10 Gb/s team each (1.25 GB/s each way); each owns 1,000 GB.
    # Remote from NODE1: its own CSV locally, NODE2's over SMB (NODE1's NIC in). Writing both to the share sends all
    # 2,000 GB out through NODE1's NIC as well: 1,600 s, against 800 s (the SMB read alone) when the write is free.
    cluster = _cluster([_csv("Cluster Disk 1", "NODE1", 1000), _csv("Cluster Disk 2", "NODE2", 1000)], nodes=2)
    network = _network(nodes=2, gbps=5, read_gbps=20.0)
    free = plan_backup(cluster, network, strategy="remote", backup_node="NODE1")
    assert free["window_s"] == pytest.approx(800.0)
    plan = plan_backup(cluster, network, strategy="remote", backup_node="NODE1", **_share(1000))
    assert plan["window_s"] == pytest.approx(1600.0)
    assert plan["comparison"]["balanced"] == pytest.approx(800.0)  # each node writes its own CSV: 1.25 GB/s each


def test_a_local_target_costs_each_nodes_write_rate():
    targets = [{"path": "E:\\Backups", "gbps": 4}, {"path": "e:\\backups\\", "node": "node1", "gbps": 2}]
    local = {"target": "E:\\Backups\\run", "targets": targets}
    plan = plan_backup(_uneven(), _network(gbps=1), strategy="coordinator", **local)
    # NODE1 writes its 3,600 GB at 0.25 GB/s; the NICs (1 Gb/s) carry nothing.
    assert plan["window_s"] == pytest.approx(14400.0)
    assert plan["target"] == {"path": "E:\\Backups", "kind": "local", "gbps": 4.0, "node_gbps": {"NODE1": 2.0}}
    assert not [w for w in plan["warnings"] if "assume" in w]


def test_which_listed_target_counts():
    deeper = {"target": SHARE + "\\hv1", "targets": [{"path": SHARE, "gbps": 5}, {"path": SHARE + "\\HV1\\", "gbps": 10}]}
    assert plan_backup(_uneven(), _network(), **deeper)["target"]["gbps"] == 10.0
    only = {"targets": [{"path": SHARE, "gbps": 5}]}
    assert plan_backup(_uneven(), _network(), **only)["target"]["gbps"] == 5.0
    other = plan_backup(_uneven(), _network(), **_share(5, target="\\\\backup02\\csv"))
    assert other["target"] is None and other["window_s"] == plan_backup(_uneven(), _network())["window_s"]
    assert any("not under any listed target" in w for w in other["warnings"])
    two = plan_backup(_uneven(), _network(), targets=[{"path": SHARE, "gbps": 5}, {"path": "\\\\b2\\x", "gbps": 5}])
    assert two["target"] is None and any("2 targets listed" in w for w in two["warnings"])


def test_writes_from_nodes_without_network_facts_are_said_to_assume_a_nic():
    network = _network()
    del network["nodes"]["NODE2"]
    plan = plan_backup(_uneven(), network, strategy="coordinator", **_share(100))
    assert "no network facts for NODE2: writes to %s assume one 10 Gb/s interface" % SHARE in plan["warnings"]


@pytest.mark.parametrize("targets, message", [
    ({"path": SHARE, "gbps": 5}, r"targets must be a list"),
    (["\\\\b\\c"], r"targets\[0\] must be a dictionary"),
    ([{"path": SHARE, "gbps": 5, "speed": 1}], r"targets\[0\]: unknown key\(s\) speed"),
    ([{"path": "\\backup01\\csv", "gbps": 5}], r"targets\[0\]\.path must be a share .*key=value"),
    ([{"path": SHARE}], r"targets\[0\]\.gbps must be a number .*None"),
    ([{"path": SHARE, "gbps": 0}], r"targets\[0\]\.gbps must be a number .*0"),
    ([{"path": SHARE, "gbps": 5, "node": "NODE1"}], r"node is only for a folder"),
    ([{"path": "E:\\B", "gbps": 5, "node": "NODE9"}], r"targets\[0\]\.node: 'NODE9' is not a node"),
    ([{"path": SHARE, "gbps": 5}, {"path": SHARE.upper(), "gbps": 6}], r"listed 2 times"),
    ([{"path": "E:\\B", "gbps": 5}, {"path": "E:\\B", "gbps": 6}], r"more than once"),
])
def test_bad_targets_are_value_errors_that_name_the_entry(targets, message):
    with pytest.raises(ValueError, match=message):
        plan_backup(_uneven(), _network(), target=targets[0]["path"] if targets and isinstance(targets, list) and isinstance(targets[0], dict)
                    else None, targets=targets)
