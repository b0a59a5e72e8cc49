# -*- coding: utf-8 -*-
"""The sizing findings of "Plan volumes in Storage Spaces Direct" in the plan (plugins/plugin_utils/plan/findings.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.describe import describe_plan
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.findings import MAX_SOFTWARE_VOLUME_BYTES, TB
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup

GB = 10 ** 9


def _csv(name, owner, used_gb, size_bytes=None):
    used = int(used_gb * GB)
    return {"name": name, "owner": owner, "state": "Online", "size_bytes": size_bytes or 2 * used + GB,
            "free_bytes": (size_bytes or 2 * used + GB) - used, "used_bytes": used, "redirected": False}


def _cluster(csvs, nodes=4, storage="s2d"):
    cluster = {"cluster": {"name": "C1"}, "csvs": csvs,
               "nodes": [{"name": "NODE%d" % (i + 1), "state": "Up", "id": str(i)} for i in range(nodes)]}
    if storage is not None:
        cluster["storage"] = storage
    return cluster


def _even(count, nodes=4, used_gb=1000):
    return [_csv("Volume%d" % (i + 1), "NODE%d" % (i % nodes + 1), used_gb) for i in range(count)]


def _kinds(plan):
    return [f["kind"] for f in plan["findings"]]


def test_a_balanced_s2d_cluster_has_no_finding():
    plan = plan_backup(_cluster(_even(4)))
    assert plan["findings"] == []
    assert not any(line.startswith("finding") for line in describe_plan(plan))


def test_a_csv_over_10_tb_backed_up_with_the_software_provider_is_a_finding():
    big = _csv("Volume1", "NODE1", 1000, size_bytes=12 * TB)
    plan = plan_backup(_cluster([big] + _even(4)[1:]))
    [finding] = plan["findings"]
    assert finding == {"kind": "volume_size", "csv": "Volume1", "message": (
        'Volume1 is 12.0 TB: "Plan volumes in Storage Spaces Direct" recommends at most 10 TB per volume when backups '
        "rely on VSS and the Volsnap software provider, as this plan's do, for performance and reliability; split its "
        "data over volumes of 10 TB or less, or back it up with a hardware provider")}
    assert "finding (volume_size): " + finding["message"] in describe_plan(plan)


def test_no_size_finding_with_a_hardware_provider_at_10_tb_or_without_a_size():
    big = _csv("Volume1", "NODE1", 1000, size_bytes=12 * TB)
    assert plan_backup(_cluster([big] + _even(4)[1:]), provider="hardware")["findings"] == []
    exact = _csv("Volume1", "NODE1", 1000, size_bytes=MAX_SOFTWARE_VOLUME_BYTES)
    assert plan_backup(_cluster([exact] + _even(4)[1:]))["findings"] == []
    sizeless = dict(big)
    del sizeless["size_bytes"]
    assert plan_backup(_cluster([sizeless] + _even(4)[1:]))["findings"] == []


def test_on_s2d_a_volume_count_that_is_no_multiple_of_the_up_nodes_is_a_finding_with_its_cost():
    # 5 volumes of 1,000 GB on 4 nodes at 1 GB/s: one node reads two, 2,000 s; spread evenly, 5,000 GB / 4 GB/s = 1,250 s
    plan = plan_backup(_cluster(_even(5)))
    assert plan["window_s"] == 2000.0
    [finding] = plan["findings"]
    assert finding == {"kind": "volume_count_balance", "message": (
        'the cluster has 5 volumes for 4 Up nodes: "Plan volumes in Storage Spaces Direct" recommends a multiple of the '
        "number of servers, so that each coordinates as many; this plan's window is 2,000 s against 1,250 s with every "
        "byte spread evenly over the nodes that back up (each site's bytes over its nodes' combined read rate): the "
        "imbalance costs 750 s. 4 or 8 volumes would divide evenly")}


def test_a_volume_count_finding_that_costs_nothing_says_so():
    # 5 volumes on 4 nodes, but one is tiny: the window is the even spread's, to the second
    csvs = _even(4) + [_csv("Volume5", "NODE1", 0)]
    [finding] = plan_backup(_cluster(csvs))["findings"]
    assert finding["kind"] == "volume_count_balance"
    assert "in this plan it costs nothing measurable (window 1,000 s, 1,000 s with every byte spread evenly)" in finding["message"]


def test_the_volume_count_finding_is_only_for_s2d():
    assert plan_backup(_cluster(_even(5), storage="san"))["findings"] == []
    assert plan_backup(_cluster(_even(5), storage=None))["findings"] == []
    assert _kinds(plan_backup(_cluster(_even(5), storage="S2D"))) == ["volume_count_balance"]


def test_the_volume_count_counts_every_csv_of_the_cluster_and_only_up_nodes():
    csvs = _even(4)
    csvs[3]["state"] = "Offline"
    assert plan_backup(_cluster(csvs))["findings"] == []  # 4 volumes, 4 nodes: the Offline one counts
    down = _cluster(_even(4))
    down["nodes"][3]["state"] = "Down"
    [finding] = plan_backup(down)["findings"]
    assert finding["message"].startswith("the cluster has 4 volumes for 3 Up nodes") and "3 or 6 volumes" in finding["message"]


def test_more_than_64_volumes_is_a_finding_and_64_is_not():
    assert plan_backup(_cluster(_even(64, used_gb=10)))["findings"] == []
    plan = plan_backup(_cluster(_even(65, used_gb=10), storage="san"))
    assert plan["findings"] == [{"kind": "volume_count", "message": (
        'the cluster has 65 volumes: "Plan volumes in Storage Spaces Direct" recommends at most 64 per cluster; merge '
        "volumes or move workloads to another cluster")}]


def test_findings_are_in_the_all_plan_too():
    plan = plan_backup(_cluster(_even(5)), strategy="all")
    assert _kinds(plan) == ["volume_count_balance"]
