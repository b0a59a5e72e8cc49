# -*- coding: utf-8 -*-
"""wsfc.csv.backup_prepare (plugins/action/backup_prepare.py): the run's plan, from what every host registered.

The action runs once on the controller and reads what the play's hosts registered (``cluster_info``, and
optionally ``network_info``) through real HostVars (controller_play.py); those results are the node actions' own,
on the lab's recorded answers (play_results.py): three hosts, one per node of the lab cluster RECLAB, whose
Online CSVs are Cluster Disk 1 (NODE1) and 2 (NODE2). The result has the run's keys at the top and each
cluster's part under ``clusters[<name>]``; a fleet is a play whose hosts answer for more than one cluster, here the
lab cluster's three hosts and three more answering for a copy of it called OTHER (PlayResults.fleet), each
cluster's hosts in their own inventory group (fleet_play), which is how a host that did not answer is placed. The
decisions themselves are tested in tests/unit/plugins/plugin_utils/run/test_prepare.py; these test the wiring and
the result a playbook gets.
"""

from __future__ import annotations

import os
import re

import pytest

from .checks import documented_returns, says_what_to_do
from .controller_play import HOSTS, OTHER_HOSTS, ControllerPlay, fleet_play, pipe_lookup
from .play_results import OTHER, in_cluster, rename_csv

ACTION = "backup_prepare"
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}
LAB = "RECLAB"  # the lab cluster's name (answers/topology.yml)


def _prepare(play, tmp_path, options=None, **args):
    task = {"facts_from": "cluster", "report_dir": str(tmp_path / "reports"),
            "options": dict(OPTIONS, **(options or {}))}
    task.update(args)
    return play.run(ACTION, task)


def _ready(play, results):
    play.register("cluster", results.cluster())
    return play


@pytest.fixture
def fleet(tmp_path, results):
    """A play of two clusters: HOSTS answer for the lab cluster, OTHER_HOSTS for OTHER, and every host answered."""
    play = fleet_play(tmp_path / "fleet")
    play.register("cluster", results.fleet())
    return play


def _csvs(reads):
    return dict((host, [r["csv"] for r in items]) for host, items in reads.items())


def test_returns_every_documented_key_and_changes_nothing(play, results, tmp_path, node):
    _ready(play, results)
    before = len(node.calls)  # cluster_info ran on the fake node to make the results
    result = _prepare(play, tmp_path)
    assert "failed" not in result and result["changed"] is False
    assert set(documented_returns(ACTION)) <= set(result)
    assert len(node.calls) == before  # and the controller action asked no node anything


def test_each_host_is_the_node_it_answered_for_and_gets_that_node_s_reads(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path)
    assert result["fleet"] is False and list(result["clusters"]) == [LAB]
    lab = result["clusters"][LAB]
    assert lab["hosts"] == dict(zip(HOSTS, ("NODE1", "NODE2", "NODE3"))) and result["unanswered"] == {}
    assert lab["facts_host"] == HOSTS[0] and lab["cluster"]["cluster"]["name"] == LAB
    assert result["host_cluster"] == dict((h, LAB) for h in HOSTS) and result["leaders"] == {HOSTS[0]: LAB}
    assert _csvs(result["reads"]) == {
        HOSTS[0]: ["Cluster Disk 1"], HOSTS[1]: ["Cluster Disk 2"]}  # NODE3 has nothing to back up
    assert lab["reads"] == result["reads"]
    assert result["providers"] == dict((h, "software") for h in HOSTS) and lab["provider"] == "software"
    assert result["moves"] == {HOSTS[0]: []}  # the leader makes the cluster's moves: the balanced plan has none
    assert [s["csv"] for s in lab["plan"]["skipped"]] == ["Cluster Disk 4", "Cluster Disk 3"]


def test_the_run_is_named_and_placed_in_the_report_dir(play, results, tmp_path):
    first, second = _prepare(_ready(play, results), tmp_path), _prepare(play, tmp_path)
    assert re.match(r"^\d{8}T\d{6}Z-[a-z0-9]{6}$", first["run_id"]) and first["run_id"] != second["run_id"]
    lab = first["clusters"][LAB]
    assert lab["dir"] == "%s/RECLAB-%s" % (tmp_path / "reports", first["run_id"])
    assert (lab["run_id"], lab["started"]) == (first["run_id"], first["started"])
    assert first["fleet_dir"] is None  # one cluster: no fleet summary
    assert first["run_id"].startswith(re.sub(r"[-:]|\.\d+", "", first["started"])[:15] + "Z")
    assert not (tmp_path / "reports").exists()  # it names the directory; the role writes into it later


def test_the_ownership_map_to_save_holds_the_owners_and_the_reads(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path)
    lab = result["clusters"][LAB]
    saved = lab["ownership"]
    assert saved["owners"] == lab["cluster"]["coordinators"]
    assert (saved["cluster"], saved["run_id"], saved["method"], saved["facts_node"]) == (
        "RECLAB", result["run_id"], "copy", HOSTS[0])
    assert saved["reads"] == lab["plan"]["nodes"] and saved["moves"] == lab["plan"]["moves"]
    assert result["maps"] == [{"dir": lab["dir"], "map": saved}]  # what the role saves before any move


def test_the_network_findings_of_every_node_come_with_the_plan(play, results, tmp_path):
    _ready(play, results).register("network", results.network())
    result = _prepare(play, tmp_path, network_from="network")
    lab = result["clusters"][LAB]
    # the lab's nodes are Hyper-V hosts of Windows Server 2022, so their LBFO teams are lbfo_on_hyperv (info)
    assert [(f["node"], f["severity"], f["id"]) for f in lab["network_findings"]] == [
        ("NODE1", "info", "lbfo_on_hyperv"), ("NODE1", "info", "rdma_not_enabled"),
        ("NODE2", "warning", "multichannel_disabled"), ("NODE2", "warning", "multichannel_disabled"),
        ("NODE2", "info", "lbfo_on_hyperv")]
    assert lab["network_lines"][2].startswith("warning on NODE2: SMB Multichannel is disabled on the SMB client")
    assert lab["lines"][-6:] == ["network findings:"] + lab["network_lines"]
    assert result["lines"] == lab["lines"]  # the run's lines are its one cluster's


def test_check_mode_decides_the_same(play, results, tmp_path):
    _ready(play, results)
    task = {"facts_from": "cluster", "report_dir": str(tmp_path), "options": OPTIONS}
    result = play.run(ACTION, task, check_mode=True)
    assert "failed" not in result and result["clusters"][LAB]["plan"] == play.run(ACTION, task)["clusters"][LAB]["plan"]


def test_a_host_that_did_not_answer_backs_up_nothing_and_is_named(play, results, tmp_path):
    views = results.cluster()
    views[HOSTS[0]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    lab = result["clusters"][LAB]
    assert lab["facts_host"] == HOSTS[1] and HOSTS[0] not in lab["hosts"] and result["leaders"] == {HOSTS[1]: LAB}
    # its inventory group is the cluster's: a node of it that is down, not a host that answered for no cluster
    assert result["unanswered"] == {} and list(lab["unanswered"]) == [HOSTS[0]]
    assert lab["unanswered"][HOSTS[0]].startswith("unreachable: ") and result["fleet"] is False
    assert HOSTS[0] not in result["host_cluster"] and HOSTS[0] not in result["providers"]
    assert any(line.startswith("cluster read through %s; did not answer: %s (unreachable: "
                               % (HOSTS[1], HOSTS[0])) for line in result["lines"])


def test_fewer_forks_than_busy_nodes_is_a_run_warning(play, results, tmp_path):
    _ready(play, results)
    task = {"facts_from": "cluster", "report_dir": str(tmp_path), "options": OPTIONS}
    assert "--forks 2 or more" in play.run(ACTION, task, forks=1)["run_warnings"][0]
    assert play.run(ACTION, task, forks=5)["run_warnings"] == []


def test_node_name_from_names_each_host_s_node_templated_in_the_host_s_context(results, tmp_path):
    play = ControllerPlay(tmp_path / "named", hosts=("alpha", "beta", "gamma"), host_vars={
        "alpha": {"node": "NODE3"}, "beta": {"node": "'{{ \"node\" ~ 1 }}'"}, "gamma": {"node": "NODE2"}})
    play.register("cluster", results.cluster(hosts=("alpha", "beta", "gamma")))
    result = _prepare(play, tmp_path, node_name_from="node")
    assert result["clusters"][LAB]["hosts"] == {"alpha": "NODE3", "beta": "NODE1", "gamma": "NODE2"}
    assert sorted(result["reads"]) == ["beta", "gamma"]


# ---- refusals -----------------------------------------------------------------------------------------------------

def test_an_option_out_of_range_is_refused_before_anything_is_read(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path, options={"concurrency": 0})
    assert result["failed"] is True
    assert result["msg"] == ("csv_backup_concurrency (got 0) must be at least 1. Fix them and run again; nothing was "
                             "read or changed.")


def test_a_copy_backup_without_a_target_is_refused(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path, options={"target": ""})
    assert result["failed"] is True and result["msg"].startswith("csv_backup_method=copy needs csv_backup_target")
    assert "nothing was read or changed" in result["msg"]


def test_no_host_answering_is_refused_saying_nothing_was_changed(play, results, tmp_path):
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster", dict((host, down) for host in HOSTS))
    result = _prepare(play, tmp_path)
    assert result["failed"] is True and result["msg"].startswith("No node of %s answered wsfc.csv.cluster_info"
                                                                 % ", ".join(HOSTS))
    assert result["msg"].endswith("nothing was changed.") and says_what_to_do(result["msg"])


def test_network_warnings_refuse_the_run_when_asked_to(play, results, tmp_path):
    _ready(play, results).register("network", results.network())
    result = _prepare(play, tmp_path, network_from="network", options={"network_findings": "fail"})
    assert result["failed"] is True
    assert result["msg"].startswith("The network of RECLAB does not meet the recommendations (2 finding(s)): "
                                    "warning on NODE2: SMB Multichannel is disabled")
    assert result["msg"].endswith("Nothing was changed.")


def test_an_unknown_node_name_is_refused_saying_nothing_was_changed(results, tmp_path):
    play = ControllerPlay(tmp_path / "named", host_vars={HOSTS[0]: {"node": "NODE9"}})
    play.register("cluster", results.cluster())
    result = _prepare(play, tmp_path, node_name_from="node")
    assert result["failed"] is True and result["msg"] == (
        "csv_backup_node_name of %s is 'NODE9', which is not a node of cluster RECLAB (nodes: NODE1, NODE2, NODE3). "
        "Fix it and run again; nothing was changed." % HOSTS[0])


def test_a_missing_required_option_is_refused(play, results, tmp_path):
    result = _ready(play, results).run(ACTION, {"facts_from": "cluster", "options": OPTIONS})
    assert result["failed"] is True and result["msg"] == "missing required arguments: report_dir"


# ---- what the nodes registered is data, never a template -------------------------------------------------------

def test_a_csv_name_with_a_template_in_it_comes_back_verbatim_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker)
    play.register("cluster", rename_csv(results.cluster(), "Cluster Disk 1", name))
    result = _prepare(play, tmp_path)
    lab = result["clusters"][LAB]
    assert "failed" not in result and result["reads"][HOSTS[0]][0]["csv"] == name
    assert name in lab["plan"]["selected"] and lab["ownership"]["owners"][name] == "NODE1"
    assert result["maps"][0]["map"]["owners"][name] == "NODE1"
    assert any(name in line for line in result["lines"])
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_a_host_that_did_not_answer(play, results, tmp_path):
    marker = tmp_path / "pwned"
    views = results.cluster()
    views[HOSTS[2]] = pipe_lookup(marker, prefix="")
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    assert result["clusters"][LAB]["unanswered"] == {HOSTS[2]: "it did not run"} and result["unanswered"] == {}
    assert not marker.exists()


# ---- a fleet: the play's hosts answer for more than one cluster ------------------------------------------------

def test_hosts_of_two_clusters_are_both_planned_each_on_its_own_not_refused(play, results, tmp_path):
    # The third host answers for another cluster: it is planned as that cluster's only node, not refused.
    play.register("cluster", in_cluster(results.cluster(), OTHER, hosts=[HOSTS[2]]))
    result = _prepare(play, tmp_path)
    assert "failed" not in result and result["fleet"] is True and list(result["clusters"]) == [LAB, OTHER]
    lab, other = result["clusters"][LAB], result["clusters"][OTHER]
    assert lab["hosts"] == {HOSTS[0]: "NODE1", HOSTS[1]: "NODE2"} and other["hosts"] == {HOSTS[2]: "NODE3"}
    assert result["leaders"] == {HOSTS[0]: LAB, HOSTS[2]: OTHER}
    # OTHER's only answering host is NODE3: both its CSVs move there, and its leader makes those moves
    assert [(m["csv"], m["from"], m["to"]) for m in result["moves"][HOSTS[2]]] == [
        ("Cluster Disk 1", "NODE1", "NODE3"), ("Cluster Disk 2", "NODE2", "NODE3")]
    assert _csvs(result["reads"]) == {HOSTS[0]: ["Cluster Disk 1"], HOSTS[1]: ["Cluster Disk 2"],
                                      HOSTS[2]: ["Cluster Disk 1", "Cluster Disk 2"]}
    assert "backs up nothing, no answering host of this play is that node: NODE1, NODE2" in other["lines"]


def test_a_fleet_is_planned_cluster_by_cluster_with_the_run_s_keys_spanning_them(fleet, tmp_path):
    result = _prepare(fleet, tmp_path)
    assert "failed" not in result and result["fleet"] is True and list(result["clusters"]) == [LAB, OTHER]
    lab, other = result["clusters"][LAB], result["clusters"][OTHER]
    assert lab["hosts"] == dict(zip(HOSTS, ("NODE1", "NODE2", "NODE3")))
    assert other["hosts"] == dict(zip(OTHER_HOSTS, ("NODE1", "NODE2", "NODE3")))
    assert (lab["facts_host"], other["facts_host"]) == (HOSTS[0], OTHER_HOSTS[0])
    assert other["cluster"]["cluster"]["name"] == OTHER and lab["cluster"]["cluster"]["name"] == LAB
    assert result["host_cluster"] == dict([(h, LAB) for h in HOSTS] + [(h, OTHER) for h in OTHER_HOSTS])
    assert result["leaders"] == {HOSTS[0]: LAB, OTHER_HOSTS[0]: OTHER}
    assert result["moves"] == {HOSTS[0]: lab["plan"]["moves"], OTHER_HOSTS[0]: other["plan"]["moves"]}
    assert result["reads"] == dict(list(lab["reads"].items()) + list(other["reads"].items()))
    assert _csvs(other["reads"]) == {OTHER_HOSTS[0]: ["Cluster Disk 1"], OTHER_HOSTS[1]: ["Cluster Disk 2"]}
    assert set(result["providers"]) == set(HOSTS + OTHER_HOSTS)
    assert result["unanswered"] == {} and lab["unanswered"] == other["unanswered"] == {}
    assert lab["lines"][0].startswith("Cluster RECLAB: balanced plan: 2 CSVs")
    assert other["lines"][0].startswith("Cluster OTHER: balanced plan: 2 CSVs")
    assert result["lines"] == lab["lines"] + other["lines"]


def test_each_cluster_of_a_fleet_has_its_own_directory_and_map_and_the_fleet_its_summary_s(fleet, tmp_path):
    result = _prepare(fleet, tmp_path)
    reports, run_id = tmp_path / "reports", result["run_id"]
    lab, other = result["clusters"][LAB], result["clusters"][OTHER]
    assert (lab["dir"], other["dir"]) == ("%s/RECLAB-%s" % (reports, run_id), "%s/OTHER-%s" % (reports, run_id))
    assert result["fleet_dir"] == "%s/fleet-%s" % (reports, run_id)
    assert result["maps"] == [{"dir": lab["dir"], "map": lab["ownership"]},
                              {"dir": other["dir"], "map": other["ownership"]}]
    assert [(m["map"]["cluster"], m["map"]["facts_node"], m["map"]["run_id"]) for m in result["maps"]] == [
        (LAB, HOSTS[0], run_id), (OTHER, OTHER_HOSTS[0], run_id)]
    assert not reports.exists()


def test_in_a_fleet_a_cluster_that_cannot_be_planned_carries_its_error_and_the_others_go_on(fleet, results, tmp_path):
    fleet.register("network", results.network())  # RECLAB's NODE2 warns: SMB Multichannel is disabled
    result = _prepare(fleet, tmp_path, network_from="network", options={"network_findings": "fail"})
    assert "failed" not in result and result["fleet"] is True
    lab, other = result["clusters"][LAB], result["clusters"][OTHER]
    assert lab["error"].startswith("The network of RECLAB does not meet the recommendations (2 finding(s)): ")
    assert says_what_to_do(lab["error"]) and lab["reads"] == {} and lab["hosts"] == {}
    assert lab["lines"] == ["RECLAB: %s" % lab["error"]] and lab["lines"][0] in result["lines"]
    assert not other.get("error") and result["leaders"] == {OTHER_HOSTS[0]: OTHER}
    assert list(result["moves"]) == [OTHER_HOSTS[0]] and result["reads"] == other["reads"]
    assert [m["map"]["cluster"] for m in result["maps"]] == [OTHER]  # no map of a cluster nothing will touch
    assert set(result["providers"]) == set(OTHER_HOSTS)


def test_a_fleet_none_of_whose_clusters_can_be_planned_is_refused(fleet, tmp_path):
    result = _prepare(fleet, tmp_path, options={"select": "[?name == 'Cluster Disk 9']"})
    assert result["failed"] is True and result["msg"].startswith("No cluster of this play could be planned: ")
    assert "The backup of RECLAB was not planned: " in result["msg"]
    assert "The backup of OTHER was not planned: " in result["msg"]
    assert "nothing was changed" in result["msg"] and says_what_to_do(result["msg"])


def test_in_a_fleet_a_host_that_did_not_answer_is_a_node_of_its_inventory_group_s_cluster(fleet, results, tmp_path):
    views = results.fleet()
    views[OTHER_HOSTS[2]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    fleet.register("cluster", views)
    result = _prepare(fleet, tmp_path)
    other = result["clusters"][OTHER]
    assert result["unanswered"] == {} and list(other["unanswered"]) == [OTHER_HOSTS[2]]
    assert other["unanswered"][OTHER_HOSTS[2]].startswith("unreachable: ")
    assert other["hosts"] == {OTHER_HOSTS[0]: "NODE1", OTHER_HOSTS[1]: "NODE2"}
    assert OTHER_HOSTS[2] not in result["host_cluster"] and result["clusters"][LAB]["unanswered"] == {}
    assert "cluster read through %s; did not answer: %s (%s)" % (
        OTHER_HOSTS[0], OTHER_HOSTS[2], other["unanswered"][OTHER_HOSTS[2]]) in other["lines"]


def test_a_host_whose_group_no_answering_host_is_in_answered_for_no_cluster_and_makes_the_run_a_fleet(
        results, tmp_path):
    branch = "branch1.example.com"
    play = ControllerPlay(tmp_path / "branch", hosts=HOSTS + (branch,),
                          groups={"reclab": list(HOSTS), "branch": [branch]})
    views = results.cluster()
    views[branch] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    why = views[branch]["msg"]
    assert list(result["clusters"]) == [LAB] and result["clusters"][LAB]["unanswered"] == {}
    assert result["fleet"] is True and result["unanswered"] == {branch: "unreachable: %s" % why}
    assert result["fleet_dir"] == "%s/fleet-%s" % (tmp_path / "reports", result["run_id"])
    assert result["lines"][-1] == "answered for no cluster: %s (unreachable: %s)" % (branch, why)


def test_a_fleet_cap_gives_each_answering_node_its_share_of_the_backup_server(fleet, tmp_path):
    def windows(**options):
        result = _prepare(fleet, tmp_path, options=options)
        return [result["clusters"][name]["plan"]["window_s"] for name in (LAB, OTHER)]

    # six answering nodes share 0.6 Gb/s: each writes at most 0.1 Gb/s, as with target_gbps=0.1 on every node
    assert windows(fleet_target_gbps=0.6) == windows(target_gbps=0.1)
    assert windows(target_gbps=0.1)[0] > windows()[0]
    assert windows(fleet_target_gbps=60.0, target_gbps=0.1) == windows(target_gbps=0.1)  # a lower own cap holds


def test_a_cluster_name_with_a_template_in_it_comes_back_verbatim_and_its_directory_is_a_plain_name(
        play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker, prefix="")
    play.register("cluster", in_cluster(results.cluster(), name, hosts=[HOSTS[2]]))
    result = _prepare(play, tmp_path)
    assert list(result["clusters"]) == [LAB, name] and result["host_cluster"][HOSTS[2]] == name
    assert result["leaders"][HOSTS[2]] == name and result["maps"][1]["map"]["cluster"] == name
    folder = result["clusters"][name]["dir"]
    assert os.path.dirname(folder) == str(tmp_path / "reports")  # a plain name inside report_dir
    assert re.match(r"^[A-Za-z0-9._-]+$", os.path.basename(folder))
    assert not marker.exists()


def test_listed_targets_pass_the_argument_spec_and_reach_the_plan(play, results, tmp_path):
    _ready(play, results)
    result = _prepare(play, tmp_path, options={"targets": [{"path": OPTIONS["target"], "gbps": "0.5"}]})
    plan = result["clusters"][LAB]["plan"]
    assert plan["target"]["gbps"] == 0.5 and plan["window_s"] >= plan["target"]["floor_s"] == plan["lower_bound_s"]
    missing = _prepare(play, tmp_path, options={"targets": [{"path": OPTIONS["target"]}]})
    assert missing["failed"] and "gbps" in missing["msg"]


def test_in_a_fleet_the_clusters_share_a_listed_target(fleet, tmp_path):
    result = _prepare(fleet, tmp_path, options={"targets": [{"path": OPTIONS["target"], "gbps": 6.0}]})
    # six answering hosts, three of each cluster: each cluster counts half of the share's 6 Gb/s
    assert [result["clusters"][name]["plan"]["target"]["gbps"] for name in (LAB, OTHER)] == [3.0, 3.0]
