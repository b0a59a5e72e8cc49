# -*- coding: utf-8 -*-
"""wsfc.csv.cluster_info (plugins/action/cluster_info.py) with the lab's recorded answers.

A read-only module: one ``cluster_info`` round trip, never a change, so there is no change to drop and no diff.
"""

from __future__ import annotations

from .checks import says_what_to_do
from .recorded import answers, structured_error, structured_error_of

ACTION = "cluster_info"


def test_an_unknown_option_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, {"csv": "Cluster Disk 1"})
    assert result["failed"] and "Unsupported parameters for (wsfc.csv.cluster_info) module: csv" in result["msg"]
    assert node.calls == []


def test_reports_the_cluster_nodes_and_each_csvs_coordinator(node, run):
    node.answer(*answers(ACTION, "read"))
    result = run(ACTION)
    assert result["cluster"] == {"name": "RECLAB"} and result["queried_node"] == "NODE1"
    assert [(n["name"], n["state"]) for n in result["nodes"]] == [("NODE1", "Up"), ("NODE2", "Up"), ("NODE3", "Up")]
    assert result["coordinators"] == {"Cluster Disk 1": "NODE1", "Cluster Disk 2": "NODE2", "Cluster Disk 3": "NODE1",
                                      "Cluster Disk 4": "NODE3"}
    disk1 = result["csvs"][0]
    assert (disk1["used_bytes"], disk1["vms"], disk1["redirected"]) == (30 * 10 ** 9, ["VM01", "VM02"], False)
    assert node.operations == ["cluster_info"] and node.calls[0].args == {}


def test_a_redirected_csv_is_reported_with_its_reason_and_the_redirected_nodes(node, run):
    node.answer(*answers(ACTION, "read"))
    facts = run(ACTION)
    disk3 = facts["csvs"][2]
    assert (disk3["name"], disk3["redirected"], disk3["redirected_reason"]) == ("Cluster Disk 3", True, "NoDiskConnectivity")
    assert disk3["redirected_nodes"] == ["NODE2", "NODE3"]
    assert disk3["access_class"] == "fatal" and "Block Redirected on NODE2 (NoDiskConnectivity" in disk3["access_detail"]
    assert [c["access_class"] for c in facts["csvs"]] == ["direct", "direct", "fatal", "direct"]
    assert facts["cau"]["in_progress"] is False and facts["cau"]["state"] == "RunNotInProgress"
    assert [n["site"] for n in facts["nodes"]] == [None, None, None]


def test_reading_is_never_a_change(node, run):
    node.answer(*answers(ACTION, "read"), *answers(ACTION, "read"))
    assert run(ACTION)["changed"] is False
    assert run(ACTION)["changed"] is False
    assert node.operations == ["cluster_info", "cluster_info"]


def test_check_mode_reads_the_same_and_returns_no_diff(node, run):
    node.answer(*answers(ACTION, "read"))
    result = run(ACTION, check_mode=True)
    assert result["changed"] is False and "diff" not in result
    assert len(result["csvs"]) == 4 and node.operations == ["cluster_info"]


def test_a_node_that_went_down_is_shown_down_and_its_csv_on_its_new_coordinator(node, run):
    node.answer(*answers(ACTION, "node3_down"))
    result = run(ACTION)
    assert {n["name"]: n["state"] for n in result["nodes"]}["NODE3"] == "Down"
    assert result["coordinators"]["Cluster Disk 4"] == "NODE2"


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness, clock):
    node.answer(*answers(ACTION, "read_dropped_once"))
    result = run(ACTION)
    assert result["changed"] is False and result["cluster"]["name"] == "RECLAB"
    assert node.operations == ["cluster_info", "cluster_info"]
    assert harness.connection.resets == 1 and len(clock.sleeps) == 1


def test_a_node_that_refuses_every_connection_is_unreachable_after_four_tries(node, run, harness):
    node.answer(*answers(ACTION, "down_node_unreachable"))
    result = run(ACTION, host="NODE3")
    assert result["unreachable"] is True and "failed" not in result
    assert result["msg"].startswith("cluster_info failed on NODE3: could not reach the node after 4 attempts")
    # the runner gives whoever reads the state again a fresh shell
    assert node.operations == ["cluster_info"] * 4 and harness.connection.resets == 4


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("cluster_info"))
    result = run(ACTION)
    assert result["failed"] is True and result["msg"].startswith(
        "cluster_info failed on NODE1: " + structured_error_of()["message"])
    assert result["error_id"] == structured_error_of()["error_id"]
    assert node.operations == ["cluster_info"]  # a node's answer is final: not retried


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("cluster_info"))
    assert says_what_to_do(run(ACTION)["msg"])
