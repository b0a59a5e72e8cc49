# -*- coding: utf-8 -*-
"""The backup planner and sites: a CSV stays in its coordinator's site unless cross_site (plan/inputs.py, planner.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import STRATEGY_NAMES, plan_backup

GB = 10 ** 9
SITES = {"NODE1": "Seattle", "NODE2": "Seattle", "NODE3": "Portland", "NODE4": "Portland"}


def _csv(name, owner, used_gb):
    used = int(used_gb * GB)
    return {"name": name, "owner": owner, "state": "Online", "size_bytes": 2 * used + GB, "free_bytes": used + GB,
            "used_bytes": used, "redirected": False, "redirected_reason": None, "vms": []}


def _stretched(sites=None, csvs=None):
    """Two sites of two nodes; NODE1 (Seattle) coordinates three big CSVs, Portland one small one.

    Balanced across sites would move a Seattle CSV to Portland (3,000 s); within Seattle the two nodes need 6,000 s
    (8 Gb/s = 1 GB/s per node).
    """
    sites = SITES if sites is None else sites
    nodes = [{"name": n, "state": "Up", "id": str(i), "site": sites.get(n)} for i, n in enumerate(sorted(SITES))]
    csvs = csvs or [_csv("Disk 1", "NODE1", 3000), _csv("Disk 2", "NODE1", 3000), _csv("Disk 3", "NODE1", 3000),
                    _csv("Disk 4", "NODE3", 500)]
    return {"cluster": {"name": "STRETCH"}, "nodes": nodes, "csvs": csvs}


def _reads(plan):
    return [(node, read) for node, reads in plan["nodes"].items() for read in reads]


def _owners(cluster):
    return dict((c["name"], c["owner"]) for c in cluster["csvs"])


def _stays_in_sites(plan, cluster, sites=None):
    """No read by a node of another site than its CSV's coordinator, no SMB read from one, no move to one."""
    sites, owners = sites or SITES, _owners(cluster)
    for node, read in _reads(plan):
        assert sites[node] == sites[owners[read["csv"]]], (node, read)
        assert sites[read["source"]] == sites[owners[read["csv"]]], (node, read)
    for move in plan["moves"]:
        assert sites[move["from"]] == sites[move["to"]], move


def test_by_default_no_csv_crosses_sites_and_the_plan_says_what_that_costs():
    cluster = _stretched()
    plan = plan_backup(cluster)
    json.dumps(plan)
    _stays_in_sites(plan, cluster)
    assert plan["window_s"] == 6000.0
    assert [m["to"] for m in plan["moves"]] == ["NODE2"]
    assert plan["sites"] == {"cross_site": False, "across_sites_window_s": 3000.0, "nodes": SITES}
    assert ("staying within sites costs 3,000 s (window 6,000 s; 3,000 s across sites: set csv_backup_cross_site: "
            "true to allow it)") in plan["warnings"]


def test_cross_site_true_lets_the_balanced_plan_cross_and_says_which_csvs_do():
    cluster = _stretched()
    plan = plan_backup(cluster, cross_site=True)
    assert plan["window_s"] == 3000.0
    crossing = [m for m in plan["moves"] if SITES[m["from"]] != SITES[m["to"]]]
    assert len(crossing) == 1 and crossing[0]["from"] == "NODE1"
    assert plan["sites"]["cross_site"] is True and plan["sites"]["across_sites_window_s"] is None
    assert not any(w.startswith("staying within sites") for w in plan["warnings"])
    assert any(w.startswith("1 CSV(s) are backed up from another site than their coordinator's") and crossing[0]["csv"] in w
               for w in plan["warnings"])


@pytest.mark.parametrize("value, expected", [("true", 3000.0), ("yes", 3000.0), ("false", 6000.0), (0, 6000.0)])
def test_cross_site_accepts_what_ansible_accepts_for_a_boolean(value, expected):
    assert plan_backup(_stretched(), cross_site=value)["window_s"] == expected


def test_a_cross_site_that_is_not_a_boolean_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"^cross_site must be true or false; got 'maybe'$"):
        plan_backup(_stretched(), cross_site="maybe")


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_every_strategy_stays_within_sites(strategy):
    cluster = _stretched()
    plan = plan_backup(cluster, strategy=strategy)
    _stays_in_sites(plan, cluster)
    for name, each in plan_backup(cluster, strategy="all")["plans"].items():
        _stays_in_sites(each, cluster)
        assert each["window_s"] >= each["lower_bound_s"] - 1e-3, name


def test_consolidate_and_remote_use_one_backup_node_per_site():
    cluster = _stretched()
    consolidated = plan_backup(cluster, strategy="consolidate")
    assert consolidated["backup_node"] == "NODE1, NODE3"
    assert sorted(node for node, reads in consolidated["nodes"].items() if reads) == ["NODE1", "NODE3"]
    remote = plan_backup(cluster, strategy="remote")
    assert all(read["source"] == "NODE1" for node, read in _reads(remote) if node == "NODE1")
    assert remote["moves"] == []


def test_a_backup_node_serves_its_own_site_and_the_plan_says_where_the_others_go():
    plan = plan_backup(_stretched(), strategy="consolidate", backup_node="NODE2")
    assert plan["backup_node"] == "NODE2, NODE3"
    assert ("backup_node NODE2 backs up the CSVs of its own site; the other sites' are backed up on NODE3 (set "
            "csv_backup_cross_site: true to use NODE2 for every CSV)") in plan["warnings"]
    alone = plan_backup(_stretched(csvs=[_csv("Disk 4", "NODE3", 500)]), strategy="consolidate", backup_node="NODE1")
    assert alone["backup_node"] == "NODE3"
    assert any(w.startswith("backup_node NODE1 is in another site than every CSV's coordinator") for w in alone["warnings"])
    assert plan_backup(_stretched(), strategy="consolidate", backup_node="NODE2", cross_site=True)["backup_node"] == "NODE2"


def test_hardware_snapshots_stay_within_sites_too():
    cluster = _stretched()
    plan = plan_backup(cluster, provider="hardware")
    _stays_in_sites(plan, cluster)
    assert plan["moves"] == [] and plan["window_s"] == 6000.0


def test_a_node_without_a_site_beside_nodes_with_one_is_a_site_of_its_own_with_a_warning():
    sites = dict(SITES, NODE4=None)
    cluster = _stretched(sites)
    cluster["csvs"].append(_csv("Disk 5", "NODE4", 100))
    plan = plan_backup(cluster)
    alone = dict(sites, NODE4="(NODE4 alone)")
    _stays_in_sites(plan, cluster, alone)
    assert [r["csv"] for r in plan["nodes"]["NODE4"]] == ["Disk 5"]
    assert plan["sites"]["nodes"]["NODE4"] is None
    assert any(w.startswith("NODE4 has no site while other nodes do: each is taken as a site of its own") for w in plan["warnings"])


def test_without_any_site_the_cluster_is_one_site_and_the_plan_is_as_before():
    plain = _stretched(sites={})
    for node in plain["nodes"]:
        del node["site"]
    empty = _stretched(sites=dict((n, "") for n in SITES))
    before = plan_backup(plain)
    assert before["sites"] is None and before["window_s"] == 3000.0
    assert plan_backup(empty) == before
    assert not any("site" in w for w in before["warnings"])


def test_all_nodes_in_one_site_constrain_nothing():
    plan = plan_backup(_stretched(sites=dict((n, "Seattle") for n in SITES)))
    assert plan["window_s"] == 3000.0 and plan["sites"]["across_sites_window_s"] is None
    assert not any(w.startswith("staying within sites") for w in plan["warnings"])


def test_no_cost_note_when_staying_within_sites_costs_nothing():
    cluster = _stretched(csvs=[_csv("Disk 1", "NODE1", 1000), _csv("Disk 2", "NODE2", 1000), _csv("Disk 3", "NODE3", 1000),
                               _csv("Disk 4", "NODE4", 1000)])
    plan = plan_backup(cluster)
    assert plan["sites"]["across_sites_window_s"] == plan["window_s"] == 1000.0
    assert not any(w.startswith("staying within sites") for w in plan["warnings"])


def test_a_csv_whose_site_has_no_node_that_may_back_it_up_is_skipped_unless_cross_site():
    cluster = _stretched()
    plan = plan_backup(cluster, backup_nodes=["NODE1", "NODE2"])
    skipped = dict((s["csv"], s["reason"]) for s in plan["skipped"])
    assert skipped == {"Disk 4": "no node of its coordinator's site may back it up (NODE3 is in site Portland)"}
    assert "Disk 4" not in plan["selected"]
    assert ("Disk 4 is skipped: no node of its coordinator's site may back it up (NODE3 is in site Portland); allow a "
            "node there (csv_backup_nodes) or set csv_backup_cross_site: true to read it from another site") in plan["warnings"]
    crossing = plan_backup(cluster, backup_nodes=["NODE1", "NODE2"], cross_site=True)
    assert "Disk 4" in crossing["selected"] and crossing["skipped"] == []


def test_when_no_selected_csv_can_stay_in_its_site_the_plan_is_refused():
    cluster = _stretched(csvs=[_csv("Disk 4", "NODE3", 500)])
    with pytest.raises(ValueError, match=r"^none of the selected CSVs can be backed up within its site: Disk 4: no node"):
        plan_backup(cluster, backup_nodes=["NODE1"])


def test_a_coordinator_that_is_down_hands_its_csvs_to_a_node_of_its_own_site():
    cluster = _stretched()
    cluster["nodes"][0]["state"] = "Down"
    plan = plan_backup(cluster)
    assert all(m["to"] == "NODE2" for m in plan["moves"] if m["from"] == "NODE1")
    _stays_in_sites(plan, cluster)


def test_a_csv_of_a_node_without_a_site_that_may_not_back_up_is_skipped_as_a_site_of_its_own():
    cluster = _stretched(dict(SITES, NODE4=None))
    cluster["csvs"].append(_csv("Disk 5", "NODE4", 100))
    plan = plan_backup(cluster, backup_nodes=["NODE1", "NODE2", "NODE3"])
    reason = "no node of its coordinator's site may back it up (NODE4 has no site, so it is a site of its own)"
    assert {"csv": "Disk 5", "reason": reason} in plan["skipped"]
    assert "Disk 5 is skipped: %s; allow a node there (csv_backup_nodes) or set csv_backup_cross_site: true to read it " \
           "from another site" % reason in plan["warnings"]


def test_with_cross_site_a_node_without_a_site_is_no_warning():
    plan = plan_backup(_stretched(dict(SITES, NODE4=None)), cross_site=True)
    assert not any("has no site" in w for w in plan["warnings"])
