# -*- coding: utf-8 -*-
"""wsfc.csv.network_info (plugins/action/network_info.py) with the lab's recorded answers.

A read-only module: one ``network_info`` round trip, never a change, so there is no change to drop and no diff.
The adapter that carries the task's own connection is found from the connection's address (the fake
connection's is 127.0.0.1, the address every lab node is reached at) or from management_address.
"""

from __future__ import annotations

from .checks import says_what_to_do
from .recorded import answers, structured_error, structured_error_of

ACTION = "network_info"


def _findings(result):
    return sorted((f["id"], f["subject"]) for f in result["findings"])


def test_min_gbps_must_be_positive_and_is_checked_before_the_node_is_asked(node, run):
    result = run(ACTION, {"min_gbps": 0})
    assert result["failed"] and result["msg"] == "min_gbps must be greater than 0, got 0.0"
    assert node.calls == []


def test_an_unknown_option_is_refused(node, run):
    result = run(ACTION, {"adapter": "MGMT"})
    assert result["failed"] and "Unsupported parameters for (wsfc.csv.network_info) module: adapter" in result["msg"]
    assert node.calls == []


def test_reports_adapters_teams_multichannel_and_the_management_adapter(node, run):
    node.answer(*answers(ACTION, "node1"))
    result = run(ACTION)
    assert result["node"] == "NODE1" and result["changed"] is False
    assert [(a["name"], a["link_gbps"], a["team"]) for a in result["adapters"]] == [
        ("MGMT", 1.0, None), ("SLOT1-1", 10.0, "TEAM1"), ("SLOT1-2", 10.0, "TEAM1"), ("SLOT2-1", 25.0, None),
        ("SLOT2-2", 25.0, None)]
    assert [(t["name"], t["members"], t["link_gbps"]) for t in result["teams"]] == [
        ("TEAM1", ["SLOT1-1", "SLOT1-2"], 20.0)]
    assert result["smb_multichannel"] == {"client": True, "server": True}
    assert (result["management_interface"], result["management_addresses"]) == ("MGMT", ["127.0.0.1"])
    assert node.operations == ["network_info"] and node.calls[0].args == {}


def test_an_rdma_capable_adapter_with_rdma_off_is_a_finding(node, run):
    node.answer(*answers(ACTION, "node1"))
    # (NODE1 is a Hyper-V host of Windows Server 2022 with an LBFO team: lbfo_on_hyperv)
    assert _findings(run(ACTION)) == [("lbfo_on_hyperv", "TEAM1"), ("rdma_not_enabled", "SLOT2-1")]


def test_multichannel_off_is_a_finding_on_each_side_and_the_team_carries_the_connection(node, run):
    node.answer(*answers(ACTION, "node2"))
    result = run(ACTION, host="NODE2")
    assert _findings(result) == [("lbfo_on_hyperv", "TEAM1"), ("multichannel_disabled", "smb_client"),
                                 ("multichannel_disabled", "smb_server")]
    assert result["management_interface"] == "TEAM1"
    assert [a["name"] for a in result["adapters"] if a["management"]] == ["SLOT1-1", "SLOT1-2"]


def test_management_address_names_the_adapter_that_carries_the_connection(node, run):
    node.answer(*answers(ACTION, "node1"))
    result = run(ACTION, {"management_address": "198.18.2.1"})
    assert (result["management_interface"], result["management_addresses"]) == ("SLOT2-1", ["198.18.2.1"])


def test_reading_is_never_a_change_and_check_mode_reads_the_same(node, run):
    node.answer(*answers(ACTION, "node1"), *answers(ACTION, "node1"))
    normal, checked = run(ACTION), run(ACTION, check_mode=True)
    assert normal["changed"] is False and checked == normal and "diff" not in normal
    assert node.operations == ["network_info", "network_info"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.answer(*answers(ACTION, "read_dropped_once"))
    assert run(ACTION)["management_interface"] == "MGMT"
    assert node.operations == ["network_info", "network_info"] and harness.connection.resets == 1


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("network_info"))
    result = run(ACTION)
    assert result["failed"] is True and result["msg"].startswith(
        "network_info failed on NODE1: " + structured_error_of()["message"])
    assert node.operations == ["network_info"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("network_info"))
    assert says_what_to_do(run(ACTION)["msg"])
