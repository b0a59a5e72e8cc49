# -*- coding: utf-8 -*-
"""plugins/plugin_utils/node_maintenance.py: pausing and resuming a node, and which CSVs leave and come back."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import node_maintenance as nm

GB = 10 ** 9


def _csv(name, owner, used_gb=100, **extra):
    csv = {"name": name, "owner": owner, "state": "Online", "path": "C:\\ClusterStorage\\" + name,
           "size_bytes": 2 * used_gb * GB, "free_bytes": used_gb * GB, "used_bytes": used_gb * GB,
           "redirected": False, "access_class": "direct", "access_detail": None, "backup_in_progress": False,
           "filesystem": "NTFS"}
    csv.update(extra)
    return csv


def _facts(csvs=None, states=None, queried="NODE2", **extra):
    states = states or {}
    facts = {"cluster": {"name": "HVC"}, "queried_node": queried,
             "nodes": [{"name": "NODE%d" % i, "state": states.get("NODE%d" % i, "Up"), "site": None}
                       for i in (1, 2, 3, 4)],
             "csvs": csvs if csvs is not None else [
                 _csv("D1", "NODE1", 800), _csv("D2", "NODE2", 300), _csv("D3", "NODE2", 200),
                 _csv("D4", "NODE2", 100), _csv("D5", "NODE3"), _csv("D6", "NODE4")],
             "cau": {"in_progress": False}}
    facts.update(extra)
    return facts


# ---- cluster_node ---------------------------------------------------------------------------------------------

def _view(state="Up", drain=0, roles=()):
    return nm.node_view({"node": "NODE1", "cluster": "HVC", "name": "NODE2", "state": state, "drain_status": drain,
                         "csvs": [], "roles": list(roles)})


def test_drain_status_is_read_as_its_documented_number():
    assert [_view(drain=n)["drain_status"] for n in range(4)] == ["NotInitiated", "InProgress", "Completed", "Failed"]
    assert _view(drain=9)["drain_status"] == "Unknown (9)"


@pytest.mark.parametrize("state,roles,want,drain,needed", [
    ("Up", (), "paused", True, True),
    ("Paused", (), "paused", True, False),
    ("Paused", ("VM1",), "paused", True, True),      # paused without drain: drained now
    ("Paused", ("VM1",), "paused", False, False),
    ("Paused", (), "up", True, True),
    ("Up", (), "up", True, False),
])
def test_plan_node_is_idempotent(state, roles, want, drain, needed):
    assert nm.plan_node(_view(state, roles=roles), want, drain) is needed


@pytest.mark.parametrize("state", ["Down", "Joining", None])
def test_a_node_that_is_not_up_or_paused_is_refused_with_what_to_do(state):
    with pytest.raises(nm.NodeError, match="node NODE2 of cluster HVC is .*Start-ClusterNode"):
        nm.plan_node(_view(state), "paused", True)


def test_a_failed_drain_names_the_node_the_roles_and_what_to_do():
    text = nm.drain_failed_message(_view("Up", 3, ["VM1"]), _view())
    assert "node NODE2 (cluster HVC)" in text and "VM1" in text and "force_drain" in text


# ---- evacuate ---------------------------------------------------------------------------------------------------

def test_evacuation_moves_every_csv_of_the_node_to_the_others_balanced():
    plan = nm.plan_evacuation(_facts())
    assert plan["nodes"] == ["NODE2"] and plan["stay"] == ["NODE1", "NODE3", "NODE4"]
    moved = dict((m["csv"], m["to"]) for m in plan["moves"])
    assert sorted(moved) == ["D2", "D3", "D4"]
    assert all(m["from"] == "NODE2" for m in plan["moves"])
    assert "NODE1" not in moved.values()      # NODE1 already holds 800 GB: the others take them
    assert len(set(moved.values())) == 2      # spread, not piled on one node
    saved = plan["maps"][0]
    assert saved["file"] == "HVC_NODE2.json"
    assert saved["map"] == {"schema": 1, "cluster": "HVC", "node": "NODE2",
                            "csvs": dict((c, {"from": "NODE2", "to": t}) for c, t in moved.items())}


def test_only_the_evacuated_nodes_csvs_move():
    facts = _facts([_csv("D1", "NODE1", 5000), _csv("D2", "NODE1", 5000), _csv("D3", "NODE2", 10)])
    plan = nm.plan_evacuation(facts)
    assert [m["csv"] for m in plan["moves"]] == ["D3"]


def test_a_node_without_csvs_moves_nothing_and_keeps_the_earlier_map():
    facts = _facts([_csv("D1", "NODE1"), _csv("D2", "NODE3")], states={"NODE2": "Paused"})
    earlier = {"NODE2": {"schema": 1, "cluster": "HVC", "node": "NODE2",
                         "csvs": {"D2": {"from": "NODE2", "to": "NODE3"}, "D1": {"from": "NODE2", "to": "NODE4"}}}}
    plan = nm.plan_evacuation(facts, previous=earlier)
    assert plan["moves"] == [] and "nothing to move" in plan["lines"][0]
    # D2 is still where evacuate put it; D1 is not (someone moved it), so it is no longer ours to return
    assert plan["maps"][0]["map"]["csvs"] == {"D2": {"from": "NODE2", "to": "NODE3"}}


def test_the_last_up_node_is_refused():
    facts = _facts([_csv("D1", "NODE2")], states={"NODE1": "Down", "NODE3": "Paused", "NODE4": "Down"})
    with pytest.raises(nm.NodeError, match="would leave no node of cluster HVC Up"):
        nm.plan_evacuation(facts)


def test_a_node_that_is_down_is_refused():
    with pytest.raises(nm.NodeError, match="NODE2 is Down"):
        nm.plan_evacuation(_facts(states={"NODE2": "Down"}))


def test_an_unknown_node_is_refused():
    with pytest.raises(nm.NodeError, match="NODE9 is not a node of cluster HVC"):
        nm.plan_evacuation(_facts(), nodes=["NODE9"])


def test_a_csv_another_backup_holds_is_refused_naming_it():
    facts = _facts()
    facts["csvs"][2]["backup_in_progress"] = True
    with pytest.raises(nm.NodeError, match=r"Nothing was changed on cluster HVC: another product's backup holds D3 "
                                           r"\(coordinated by NODE2\)"):
        nm.plan_evacuation(facts)


def test_a_busy_csv_of_another_node_does_not_stop_the_evacuation():
    facts = _facts()
    facts["csvs"][0]["backup_in_progress"] = True
    assert len(nm.plan_evacuation(facts)["moves"]) == 3


def test_a_csv_with_our_snapshot_is_refused():
    snaps = [{"snapshots": [{"csv": "D2", "managed": True, "id": "{abc}"}, {"csv": "D3", "managed": False}]}]
    with pytest.raises(nm.NodeError, match=r"D2 \(coordinated by NODE2\) has shadow copies this collection made "
                                           r"\(\{abc\}\)"):
        nm.plan_evacuation(_facts(), snapshots=snaps)


def test_snapshots_not_read_on_the_evacuated_node_are_a_warning():
    assert nm.plan_evacuation(_facts(), snapshots=[{"node": "NODE2", "snapshots": []}])["warnings"] == []
    warned = nm.plan_evacuation(_facts(), snapshots=[{"node": "NODE1", "snapshots": []}])["warnings"]
    assert warned == ["the shadow copies of NODE2 were not read (csv_snapshot_info answered on NODE1): run the role "
                      "through NODE2's own host to check them before its CSVs move"]


def test_a_cau_run_is_refused_unless_allowed():
    facts = _facts(cau={"in_progress": True, "run_id": "r1", "orchestrator": "NODE1"})
    with pytest.raises(nm.NodeError, match="Cluster-Aware Updating run is in progress on cluster HVC"):
        nm.plan_evacuation(facts)
    assert nm.plan_evacuation(facts, allow_cau_run=True)["moves"]


def test_the_backup_lock_held_is_refused_with_its_holder():
    lock = {"failed": True, "lock": {"path": "C:\\x\\backup.lock", "run_id": "nightly-1", "taken": "t"}}
    with pytest.raises(nm.NodeError, match="a backup run holds the backup lock of cluster HVC .*run nightly-1"):
        nm.plan_evacuation(_facts(), lock=lock)
    with pytest.raises(nm.NodeError, match="could not be read"):
        nm.plan_evacuation(_facts(), lock={"failed": True, "msg": "no answer"})
    assert nm.plan_evacuation(_facts(), lock={"changed": True, "msg": "would take the backup lock"})["moves"]


def test_every_refusal_is_said_at_once():
    facts = _facts(cau={"in_progress": True})
    facts["csvs"][1]["state"] = "Offline"
    with pytest.raises(nm.NodeError) as err:
        nm.plan_evacuation(facts)
    assert "Cluster-Aware Updating" in str(err.value) and "D2 (coordinated by NODE2) is Offline" in str(err.value)


def test_sites_keep_csvs_in_their_site():
    facts = _facts([_csv("D1", "NODE1"), _csv("D2", "NODE2"), _csv("D3", "NODE3")])
    for node, site in zip(facts["nodes"], ["A", "A", "B", "B"]):
        node["site"] = site
    plan = nm.plan_evacuation(facts)
    assert plan["moves"] == [{"csv": "D2", "from": "NODE2", "to": "NODE1"}]


def test_a_site_with_no_other_up_node_is_refused_unless_cross_site():
    facts = _facts([_csv("D1", "NODE1"), _csv("D2", "NODE2")], states={"NODE1": "Paused"})
    for node, site in zip(facts["nodes"], ["A", "A", "B", "B"]):
        node["site"] = site
    with pytest.raises(nm.NodeError, match="the CSVs of NODE2 have no node to go to.*cross_site"):
        nm.plan_evacuation(facts)
    assert nm.plan_evacuation(facts, cross_site=True)["moves"][0]["to"] in ("NODE3", "NODE4")


def test_two_nodes_at_once_go_to_the_nodes_that_stay():
    plan = nm.plan_evacuation(_facts(), nodes=["NODE2", "NODE3"])
    assert set(m["to"] for m in plan["moves"]) <= {"NODE1", "NODE4"}
    assert [m["file"] for m in plan["maps"]] == ["HVC_NODE2.json", "HVC_NODE3.json"]


# ---- return -----------------------------------------------------------------------------------------------------

def _saved(**csvs):
    return {"NODE2": {"schema": 1, "cluster": "HVC", "node": "NODE2",
                      "csvs": dict((c, {"from": "NODE2", "to": t}) for c, t in csvs.items())}}


def test_return_moves_back_exactly_what_is_still_where_evacuate_put_it():
    facts = _facts([_csv("D2", "NODE3"), _csv("D3", "NODE4"), _csv("D4", "NODE1"), _csv("D5", "NODE2")])
    plan = nm.plan_return(facts, _saved(D2="NODE3", D3="NODE4", D4="NODE3", D5="NODE1", D9="NODE1"))
    assert plan["moves"] == [{"csv": "D2", "from": "NODE3", "to": "NODE2"}, {"csv": "D3", "from": "NODE4", "to": "NODE2"}]
    kept = dict((k["csv"], k["reason"]) for k in plan["kept"])
    assert "moved to NODE1 since evacuate put it on NODE3" in kept["D4"]
    assert "no longer a CSV" in kept["D9"]
    assert plan["home"] == ["D5"]
    assert plan["maps"][0]["map"]["csvs"] == {}       # what moves back, is home, moved elsewhere or is gone leaves it


def test_return_keeps_in_the_map_what_cannot_go_back_yet():
    facts = _facts([_csv("D2", "NODE3", backup_in_progress=True), _csv("D3", "NODE4")], states={"NODE2": "Paused"})
    plan = nm.plan_return(facts, _saved(D2="NODE3", D3="NODE4"))
    assert plan["moves"] == []
    assert set(plan["maps"][0]["map"]["csvs"]) == {"D2", "D3"}
    assert all("resume it first" in k["reason"] for k in plan["kept"])
    assumed = nm.plan_return(facts, _saved(D2="NODE3", D3="NODE4"), assume_up=True)   # check mode, before resume
    assert assumed["moves"] == [{"csv": "D3", "from": "NODE4", "to": "NODE2"}]


def test_return_of_a_csv_another_backup_holds_waits_for_a_later_return():
    facts = _facts([_csv("D2", "NODE3", backup_in_progress=True)])
    plan = nm.plan_return(facts, _saved(D2="NODE3"))
    assert plan["moves"] == [] and "another product's backup holds it" in plan["kept"][0]["reason"]


def test_a_second_return_changes_nothing():
    facts = _facts([_csv("D2", "NODE2")])
    plan = nm.plan_return(facts, _saved(D2="NODE3"))
    assert plan["moves"] == [] and plan["kept"] == [] and plan["home"] == ["D2"]
    again = nm.plan_return(facts, {"NODE2": plan["maps"][0]["map"]})
    assert again["moves"] == [] and again["maps"] == plan["maps"]


def test_return_without_a_map_moves_nothing():
    plan = nm.plan_return(_facts(), {"NODE2": None})
    assert plan["moves"] == [] and plan["maps"] == [] and "no saved map" in plan["lines"][0]


def test_return_refuses_a_map_of_another_node_or_cluster():
    saved = _saved(D2="NODE3")
    other = copy.deepcopy(saved)
    other["NODE2"]["cluster"] = "OTHER"
    with pytest.raises(nm.NodeError, match="the saved map is of node NODE2 of cluster OTHER"):
        nm.plan_return(_facts(), other)
    with pytest.raises(nm.NodeError, match="not a map this role wrote"):
        nm.plan_return(_facts(), {"NODE2": {"x": 1}})


def test_return_refuses_while_a_backup_holds_the_lock_or_cau_runs():
    with pytest.raises(nm.NodeError, match="backup lock"):
        nm.plan_return(_facts(), _saved(), lock={"failed": True, "lock": {"run_id": "r"}})
    with pytest.raises(nm.NodeError, match="Cluster-Aware Updating"):
        nm.plan_return(_facts(cau={"in_progress": True}), _saved())


def test_a_node_paused_by_someone_else_still_has_its_csvs_moved():
    plan = nm.plan_evacuation(_facts(states={"NODE2": "Paused"}))
    assert sorted(m["csv"] for m in plan["moves"]) == ["D2", "D3", "D4"]
    assert all(m["to"] in ("NODE1", "NODE3", "NODE4") for m in plan["moves"])


def test_the_placement_balances_bytes_over_the_nodes_that_stay():
    csvs = [_csv("E%d" % i, "NODE2", 100 * i) for i in range(1, 9)]
    csvs += [_csv("F1", "NODE1", 900), _csv("F2", "NODE3", 1000), _csv("F3", "NODE4", 1100)]
    plan = nm.plan_evacuation(_facts(csvs))
    load = {"NODE1": 900, "NODE3": 1000, "NODE4": 1100}
    for move in plan["moves"]:
        load[move["to"]] += int(move["csv"][1:]) * 100
    assert len(plan["moves"]) == 8 and load == {"NODE1": 2200, "NODE3": 2200, "NODE4": 2200}
