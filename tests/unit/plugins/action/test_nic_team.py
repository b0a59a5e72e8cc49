# -*- coding: utf-8 -*-
"""wsfc.csv.nic_team (plugins/action/nic_team.py) with the lab's recorded answers.

Reads the node's adapters and teams (``network_info``), plans the steps, refuses a plan that touches the
adapter carrying the task's own connection, then applies every step in one change (``nic_team_set``, which undoes
the steps already done when one fails). Check mode and refusals stop after the read.
"""

from __future__ import annotations

from .recorded import answer, answers

ACTION = "nic_team"
TEAM2 = {"name": "TEAM2", "members": ["SLOT2-1", "SLOT2-2"]}
CREATE_TEAM2 = {"name": "TEAM2", "steps": [{
    "action": "create", "members": ["SLOT2-1", "SLOT2-2"], "teaming_mode": "SwitchIndependent",
    "load_balancing_algorithm": "Dynamic"}]}


def test_a_team_name_is_required(node, run):
    result = run(ACTION, {"members": ["SLOT2-1"]})
    assert result["failed"] and result["msg"] == "missing required arguments: name"
    assert node.calls == []


def test_an_undocumented_teaming_mode_is_refused(node, run):
    result = run(ACTION, dict(TEAM2, teaming_mode="RoundRobin"))
    assert result["failed"] and "teaming_mode must be one of: Static, SwitchIndependent, Lacp" in result["msg"]
    assert node.calls == []


def test_members_are_required_to_make_a_team_present(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"name": "TEAM2"})
    assert result["failed"] and result["msg"].startswith("members is required with state=present")
    assert node.operations == ["network_info"]


def test_check_mode_plans_the_team_and_changes_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, TEAM2, check_mode=True)
    assert result["changed"] is True and result["steps"] == ["create"]
    assert result["msg"] == "team TEAM2 on NODE1 would change: create"
    assert (result["team"]["present"], result["team"]["members"]) == (True, ["SLOT2-1", "SLOT2-2"])
    assert node.operations == ["network_info"]


def test_the_diff_shows_the_team_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    diff = run(ACTION, TEAM2, check_mode=True)["diff"]
    assert diff["before"] == {"name": "TEAM2", "present": False, "members": [], "teaming_mode": None,
                              "load_balancing_algorithm": None}
    assert diff["after"] == {"name": "TEAM2", "present": True, "members": ["SLOT2-1", "SLOT2-2"],
                             "teaming_mode": "SwitchIndependent", "load_balancing_algorithm": "Dynamic"}


def test_creates_the_team_in_one_change_and_reports_it_as_the_node_does(node, run):
    node.answer(*answers(ACTION, "create"))
    result = run(ACTION, TEAM2)
    assert result["changed"] is True and "failed" not in result
    assert result["team"] == {"name": "TEAM2", "present": True, "members": ["SLOT2-1", "SLOT2-2"],
                              "teaming_mode": "SwitchIndependent", "load_balancing_algorithm": "Dynamic",
                              "status": "Up"}
    assert result["touched"] == ["SLOT2-1", "SLOT2-2"] and result["management_interface"] == "MGMT"
    assert node.operations == ["network_info", "nic_team_set"]
    assert node.args_of("nic_team_set") == [CREATE_TEAM2]


def test_a_team_already_as_asked_is_left_alone(node, run):
    node.answer(*answers(ACTION, "already_as_asked"))
    result = run(ACTION, {"name": "TEAM2", "members": ["SLOT2-2", "SLOT2-1"]})
    assert result["changed"] is False and result["steps"] == []
    assert result["msg"] == "team TEAM2 on NODE1 is already as asked"
    assert node.operations == ["network_info"]


def test_a_team_carrying_the_tasks_connection_is_not_changed_without_force(node, run):
    node.answer(*answers(ACTION, "management_refused"))
    result = run(ACTION, {"name": "TEAM1", "members": ["SLOT1-1"]}, host="NODE2")
    assert result["failed"] is True and result["node"] == "NODE2"
    assert "TEAM1 carries the connection this task runs over (127.0.0.1)" in result["msg"]
    assert "force=true" in result["msg"]
    assert node.operations == ["network_info"]


def test_an_adapter_of_another_team_is_refused(node, run):
    node.answer(*answers(ACTION, "member_of_other_team"))
    result = run(ACTION, {"name": "TEAM3", "members": ["SLOT1-1"]})
    assert result["failed"] is True
    assert result["msg"] == "NODE1: adapter SLOT1-1 is a member of team TEAM1; remove it from that team first"
    assert node.operations == ["network_info"]


def test_an_unknown_adapter_is_refused_listing_the_adapters(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"name": "TEAM2", "members": ["SLOT9-1"]})
    assert result["failed"] is True and "NODE1 has no physical network adapter named 'SLOT9-1'" in result["msg"]
    assert node.operations == ["network_info"]


def test_absent_removes_the_team_remembering_how_to_restore_it(node, run):
    node.answer(*answers(ACTION, "remove"))
    result = run(ACTION, {"name": "TEAM2", "state": "absent"})
    assert result["changed"] is True and result["steps"] == ["remove"] and result["team"]["present"] is False
    assert node.args_of("nic_team_set") == [{"name": "TEAM2", "steps": [{
        "action": "remove", "members": ["SLOT2-1", "SLOT2-2"], "teaming_mode": "SwitchIndependent",
        "load_balancing_algorithm": "Dynamic"}]}]


def test_a_change_the_node_refuses_fails_saying_the_team_is_as_it_was_and_what_to_do(node, run):
    # Read while SLOT2-1 was free; by the change another admin had put it in TEAM4.
    node.answer(answer(ACTION, "create", "network_info"), *answers(ACTION, "set_refused_member_taken"))
    result = run(ACTION, TEAM2)
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("changing team TEAM2 on NODE1 failed: The network adapter 'SLOT2-1' is already "
                                    "a member of team 'TEAM4'.")
    assert "the team is as it was" in result["msg"] and "fix the cause and run the task again" in result["msg"]
    assert node.operations == ["network_info", "nic_team_set"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.drop("network_info").answer(*answers(ACTION, "check_mode_create"))
    assert run(ACTION, TEAM2, check_mode=True)["changed"] is True
    assert node.operations == ["network_info", "network_info"] and harness.connection.resets == 1


def test_a_dropped_change_is_not_repeated(node, run):
    node.answer(*answers(ACTION, "create_dropped"))
    run(ACTION, {"name": "TEAM5", "members": ["SLOT2-2"]})
    assert node.operations == ["network_info", "nic_team_set"]


def test_a_dropped_change_is_unreachable_and_does_not_claim_the_team_is_unchanged(node, run):
    node.answer(*answers(ACTION, "create_dropped"))
    result = run(ACTION, {"name": "TEAM5", "members": ["SLOT2-2"]})
    assert result.get("unreachable") is True
    assert "may or may not have happened" in result["msg"] and "as it was" not in result["msg"]
