# -*- coding: utf-8 -*-
"""The harness the action tests stand on (fake_node.py, action_harness.py): it must fail loudly, never guess."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell

from .fake_node import Answer, operation_names
from .recorded import answer, answers


def test_every_shipped_operation_is_told_apart_by_its_script(node):
    assert sorted(node.scripts.values()) == operation_names() and len(node.scripts) == len(operation_names())


def test_a_call_is_recorded_with_its_operation_and_decoded_arguments(node):
    node.answer(Answer("csv_owner_get", stdout='{"node": "NODE1"}'))
    script = powershell.build_script(powershell.load_operation("csv_owner_get"))
    assert node(None, script, powershell.build_input({"name": "Cluster Disk 1", "path": ""})) == (
        0, '{"node": "NODE1"}', "")
    assert (node.calls[0].operation, node.calls[0].args) == ("csv_owner_get", {"name": "Cluster Disk 1", "path": ""})


def test_a_script_the_collection_does_not_ship_fails_the_test(node):
    with pytest.raises(AssertionError, match="not build_script"):
        node(None, "Get-Process", powershell.build_input({}))


def test_an_answer_queued_for_another_operation_fails_the_test(node, run):
    node.answer(*answers("cluster_info", "read"))
    with pytest.raises(AssertionError, match="ran csv_owner_get but the next queued answer is for cluster_info"):
        run("csv_owner", {"name": "Cluster Disk 1", "node": "NODE2"})


def test_a_call_without_a_queued_answer_fails_the_test(node, run):
    with pytest.raises(AssertionError, match="no answer was queued"):
        run("cluster_info")


def test_after_a_drop_the_connection_fails_until_it_is_reset(node, harness):
    script = powershell.build_script(powershell.load_operation("cluster_info"))
    node.drop("cluster_info").answer(answer("cluster_info", "read", "cluster_info"))
    for dummy in range(2):
        with pytest.raises(Exception):
            node(harness.connection, script, powershell.build_input({}))
    assert [c.stale for c in node.calls] == [False, True] and len(node.pending) == 1
    harness.connection.reset()
    assert node(harness.connection, script, powershell.build_input({}))[0] == 0


def test_an_action_reaches_its_sibling_modules_through_the_same_node(node, harness):
    node.answer(*answers("csv_owner", "check_mode_move"))
    action = harness.build("cluster_info")
    action._task_vars = dict(harness.task_vars)  # what run() sets before execute()
    result = action.run_action("csv_owner", {"name": "Cluster Disk 1", "node": "NODE2"}, check_mode=True)
    assert result["msg"] == "Cluster Disk 1 would move from NODE1 to NODE2"
    assert node.operations == ["csv_owner_get"]
