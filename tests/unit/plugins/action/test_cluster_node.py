# -*- coding: utf-8 -*-
"""wsfc.csv.cluster_node (plugins/action/cluster_node.py) with the lab's recorded answers.

Reads the node (``cluster_node_get``); pauses it (``cluster_node_suspend``, a change: Suspend-ClusterNode, which
waits for the drain) or resumes it (``cluster_node_resume``). Check mode and an unchanged node stop after the read.
"""

from __future__ import annotations

import dataclasses

from .checks import documented_returns
from .recorded import answer, answers, structured_error_of

ACTION = "cluster_node"
PAUSE_2 = {"name": "NODE2", "state": "paused"}


def test_state_is_required_and_checked(node, run):
    assert run(ACTION, {"name": "NODE2"})["msg"] == "missing required arguments: state"
    assert "value of state must be one of" in run(ACTION, {"state": "gone"})["msg"]
    assert node.calls == []


def test_a_timeout_under_one_second_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, dict(PAUSE_2, timeout=0))
    assert result["failed"] and node.calls == []


def test_check_mode_reads_the_node_and_changes_nothing(node, run):
    node.answer(*answers(ACTION, "check_pause"))
    result = run(ACTION, PAUSE_2, check_mode=True)
    assert result["changed"] is True and result["msg"] == "would pause node NODE2 after draining its roles (VM03)"
    assert result["diff"]["before"]["state"] == "Up" and result["diff"]["after"] == {
        "name": "NODE2", "state": "Paused", "drain_status": "Completed", "roles": []}
    assert node.operations == ["cluster_node_get"] and node.args_of("cluster_node_get") == [{"name": "NODE2"}]


def test_pauses_with_drain_and_reports_the_node_after(node, run, clock):
    node.answer(*answers(ACTION, "pause_drain"))
    result = run(ACTION, PAUSE_2)
    assert result["changed"] is True and result["node"] == {
        "name": "NODE2", "state": "Paused", "drain_status": "Completed", "roles": []}
    assert node.operations == ["cluster_node_get", "cluster_node_suspend"]
    assert node.args_of("cluster_node_suspend") == [{"name": "NODE2", "drain": True, "force_drain": False, "target": ""}]
    assert clock.sleeps == []
    assert set(documented_returns(ACTION)) <= set(result)


def test_a_drain_in_progress_is_waited_for(node, run, clock):
    suspended = answer(ACTION, "pause_drain", "cluster_node_suspend")
    in_progress = dataclasses.replace(suspended, stdout=suspended.stdout.replace(
        '"drain_status":2', '"drain_status":1'))
    node.answer(answer(ACTION, "pause_drain", "cluster_node_get"), in_progress,
                answer(ACTION, "pause_again", "cluster_node_get"))
    result = run(ACTION, dict(PAUSE_2, poll_interval=3))
    assert result["changed"] is True and result["node"]["drain_status"] == "Completed"
    assert node.operations == ["cluster_node_get", "cluster_node_suspend", "cluster_node_get"]
    assert clock.sleeps == [3]


def test_a_paused_node_without_roles_is_unchanged(node, run):
    node.answer(*answers(ACTION, "pause_again"))
    result = run(ACTION, PAUSE_2)
    assert result["changed"] is False and result["msg"] == "node NODE2 is already Paused"
    assert node.operations == ["cluster_node_get"]


def test_resumes_with_the_failback_asked(node, run):
    node.answer(*answers(ACTION, "resume"))
    result = run(ACTION, {"name": "NODE2", "state": "up", "failback": "immediate"})
    assert result["changed"] is True and result["node"]["state"] == "Up" and result["node"]["roles"] == ["VM03"]
    assert result["msg"] == "resumed node NODE2 (failback Immediate)"
    assert node.args_of("cluster_node_resume") == [{"name": "NODE2", "failback": "Immediate"}]


def test_an_up_node_is_unchanged(node, run):
    node.answer(*answers(ACTION, "resume_again"))
    result = run(ACTION, {"name": "NODE2", "state": "up"})
    assert result["changed"] is False and node.operations == ["cluster_node_get"]


def test_a_failed_drain_fails_with_the_nodes_message_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "drain_fails"))
    result = run(ACTION, {"state": "paused"})
    assert result["failed"] and "The drain of node 'NODE1' failed: the role VM01 could not be moved" in result["msg"]
    assert result["msg"].endswith("then run the task again.")
    assert node.args_of("cluster_node_get") == [{"name": ""}]
    assert structured_error_of()  # the same envelope every script fails in


def test_a_node_left_up_after_a_drain_fails_names_its_roles(node, run):
    suspended = answer(ACTION, "pause_drain", "cluster_node_suspend")
    failed = dataclasses.replace(suspended, stdout=suspended.stdout.replace(
        '"state":"Paused","drain_status":2', '"state":"Up","drain_status":3').replace('"roles":[]', '"roles":["VM03"]'))
    node.answer(answer(ACTION, "pause_drain", "cluster_node_get"), failed)
    result = run(ACTION, PAUSE_2)
    assert result["failed"] and result["msg"].startswith("The drain of node NODE2 (cluster RECLAB) failed: "
                                                         "NodeDrainStatus is Failed and the node is Up")
    assert "VM03" in result["msg"] and "force_drain" in result["msg"]


def test_a_down_node_is_refused_before_any_change(node, run):
    read = answer(ACTION, "check_pause", "cluster_node_get")
    down = dataclasses.replace(read, stdout=read.stdout.replace('"state":"Up"', '"state":"Down"'))
    node.answer(down)
    result = run(ACTION, PAUSE_2)
    assert result["failed"] and "node NODE2 of cluster RECLAB is Down" in result["msg"]
    assert node.operations == ["cluster_node_get"]
