# -*- coding: utf-8 -*-
"""Decisions of smb_multichannel and nic_team (plugins/plugin_utils/network/changes.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.network.changes import (
    ManagementRefused,
    NetworkChangeError,
    multichannel_result,
    plan_team,
)

G = 10 ** 9


def _mc(before, after):
    return {"node": "N1", "before": before, "after": after}


def test_multichannel_change_and_diff():
    res = multichannel_result(_mc({"client": True, "server": True}, {"client": False, "server": True}), client=False)
    assert res["changed"]
    assert res["diff"] == {"before": {"client": True, "server": True}, "after": {"client": False, "server": True}}
    assert "client of N1 was disabled" in res["msg"]


def test_multichannel_unchanged_and_check_mode():
    same = _mc({"client": True, "server": False}, {"client": True, "server": False})
    assert not multichannel_result(same, client=True)["changed"]
    check = multichannel_result(same, server=True, check_mode=True)
    assert check["changed"] and check["smb_multichannel"] == {"client": True, "server": True}
    assert "would be enabled" in check["msg"]


def test_multichannel_not_applied_is_an_error():
    with pytest.raises(NetworkChangeError, match="Group Policy"):
        multichannel_result(_mc({"client": True, "server": True}, {"client": True, "server": True}), client=False)


def _raw(teams=(), members=(), mgmt="MGMT"):
    return {
        "node": "N1",
        "adapters": [{"name": n, "index": i, "speed_bps": 10 * G, "oper_status": "1"}
                     for i, n in enumerate(["MGMT", "A", "B", "C"], start=11)],
        "teams": list(teams), "team_members": list(members),
        "addresses": [{"address": "10.0.0.5", "interface": mgmt, "index": 11}],
    }


T1 = {"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "0"}
T1_MEMBERS = [{"name": "A", "team": "T1", "speed_bps": 10 * G, "failure_reason": "0"},
              {"name": "B", "team": "T1", "speed_bps": 10 * G, "failure_reason": "0"}]
MGMT = ["10.0.0.5"]


def test_create_when_absent():
    plan = plan_team(_raw(), "T1", members=["a", "B"], management_addresses=MGMT)
    assert [s["action"] for s in plan["steps"]] == ["create"] and plan["steps"][0]["members"] == ["A", "B"]
    assert plan["before"]["present"] is False and plan["after"]["members"] == ["A", "B"]


def test_idempotent_when_as_asked():
    plan = plan_team(_raw([T1], T1_MEMBERS), "t1", members=["B", "A"], management_addresses=MGMT)
    assert not plan["changed"] and plan["steps"] == []


def test_members_and_settings_change_add_before_remove():
    plan = plan_team(_raw([T1], T1_MEMBERS), "T1", members=["A", "C"], teaming_mode="Lacp",
                     management_addresses=MGMT)
    assert [s["action"] for s in plan["steps"]] == ["add_member", "remove_member", "set"]
    assert plan["steps"][2]["previous_teaming_mode"] == "SwitchIndependent"
    assert plan["before"]["members"] == ["A", "B"] and plan["after"]["members"] == ["A", "C"]


def test_absent():
    plan = plan_team(_raw([T1], T1_MEMBERS), "T1", state="absent", management_addresses=MGMT)
    assert [s["action"] for s in plan["steps"]] == ["remove"] and plan["steps"][0]["members"] == ["A", "B"]
    assert not plan_team(_raw(), "T1", state="absent", management_addresses=MGMT)["changed"]


@pytest.mark.parametrize("kwargs, match", [
    ({"members": ["Z"]}, "no physical network adapter named 'Z'"),
    ({"members": []}, "members is required"),
])
def test_bad_requests(kwargs, match):
    with pytest.raises(NetworkChangeError, match=match):
        plan_team(_raw(), "T2", management_addresses=MGMT, **kwargs)


def test_adapter_in_another_team_is_refused():
    with pytest.raises(NetworkChangeError, match="member of team T1"):
        plan_team(_raw([T1], T1_MEMBERS), "T2", members=["A"], management_addresses=MGMT)


def test_adapter_in_a_set_switch_is_refused():
    raw = _raw()
    for adapter in raw["adapters"]:
        adapter["description"] = "Lab Ethernet Adapter %d" % (adapter["index"] - 10)
    raw["set_teams"] = [{"name": "SETSWITCH", "members": ["Lab Ethernet Adapter 3", "Lab Ethernet Adapter 4"],
                         "teaming_mode": "SwitchIndependent", "load_balancing_algorithm": "Dynamic"}]
    with pytest.raises(NetworkChangeError, match="adapter B is a member of the SET team of Hyper-V switch SETSWITCH"):
        plan_team(raw, "T2", members=["A", "B"], management_addresses=MGMT)
    assert plan_team(raw, "T2", members=["A"], management_addresses=MGMT)["steps"][0]["action"] == "create"


def test_management_adapter_is_refused_unless_forced():
    with pytest.raises(ManagementRefused, match="MGMT carries the connection"):
        plan_team(_raw(), "T2", members=["MGMT", "C"], management_addresses=MGMT)
    assert plan_team(_raw(), "T2", members=["MGMT", "C"], management_addresses=MGMT, force=True)["changed"]


def test_team_carrying_management_is_refused_for_any_change():
    raw = _raw([T1], T1_MEMBERS, mgmt="T1")
    with pytest.raises(ManagementRefused):
        plan_team(raw, "T1", state="absent", management_addresses=MGMT)
    with pytest.raises(ManagementRefused):
        plan_team(raw, "T1", members=["A", "B"], teaming_mode="Static", management_addresses=MGMT)
    # unchanged is never refused
    assert not plan_team(raw, "T1", members=["A", "B"], management_addresses=MGMT)["changed"]
    # a different team that does not touch T1 is fine
    assert plan_team(raw, "T2", members=["C"], management_addresses=MGMT)["changed"]


def test_unknown_management_interface_is_refused():
    with pytest.raises(ManagementRefused, match="no interface of the node holds"):
        plan_team(_raw(), "T2", members=["C"], management_addresses=["192.0.2.9"])
