# -*- coding: utf-8 -*-
"""Parsing of network_info output and the backup network findings (plugins/plugin_utils/network/facts.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.facts import (
    evaluate_findings,
    management_interface,
    parse_network_info,
)

G = 10 ** 9


def _raw(**over):
    raw = {
        "node": "NODE1",
        "adapters": [
            {"name": "MGMT", "description": "d", "index": 11, "speed_bps": 1 * G, "oper_status": "1"},
            {"name": "A", "description": "d", "index": 12, "speed_bps": 10 * G, "oper_status": "1"},
            {"name": "B", "description": "d", "index": 13, "speed_bps": 10 * G, "oper_status": "1"},
        ],
        "rdma": [],
        "teams": [{"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "0"}],
        "team_members": [{"name": "A", "team": "T1", "speed_bps": 10 * G, "failure_reason": "0"},
                         {"name": "B", "team": "T1", "speed_bps": 10 * G, "failure_reason": "0"}],
        "smb_multichannel": {"client": True, "server": True},
        "smb_connections": [],
        "addresses": [{"address": "10.0.0.5", "interface": "MGMT", "index": 11},
                      {"address": "198.18.1.1", "interface": "T1", "index": 101}],
        "cluster_networks": [{"name": "Cluster Network 1", "role": "InternalAndClient", "metric": "70001",
                              "state": "Up", "address": "10.0.0.0", "address_mask": "255.255.255.0"},
                             {"name": "Cluster Network 2", "role": "1", "metric": "30002", "state": "Up",
                              "address": "198.18.1.0", "address_mask": "255.255.255.0"}],
    }
    raw.update(over)
    return raw


def _ids(facts):
    return sorted((f["id"], f["subject"]) for f in facts["findings"])


def test_healthy_node_has_no_findings_and_normalises_values():
    facts = parse_network_info(_raw(), ["10.0.0.5"])
    assert facts["findings"] == []
    (team,) = facts["teams"]
    assert (team["teaming_mode"], team["load_balancing_algorithm"], team["status"]) == ("SwitchIndependent", "Dynamic", "Up")
    assert team["members"] == ["A", "B"] and team["link_gbps"] == 20
    assert [n["role"] for n in facts["cluster_networks"]] == ["ClusterAndClient", "Cluster"]
    assert facts["cluster_networks"][0]["metric"] == 70001
    assert facts["management_interface"] == "MGMT"
    assert [a["name"] for a in facts["adapters"] if a["management"]] == ["MGMT"]
    assert facts["smb_gbps"] == {"multichannel": 21, "single_channel": 20}


def test_names_from_newer_powershell_are_kept():
    raw = _raw(teams=[{"name": "T1", "teaming_mode": "Lacp", "load_balancing_algorithm": "hypervport", "status": "Up"}])
    team = parse_network_info(raw)["teams"][0]
    assert (team["teaming_mode"], team["load_balancing_algorithm"]) == ("Lacp", "HyperVPort")


def test_planner_consumes_the_nodes_key():
    facts = parse_network_info(_raw(smb_multichannel={"client": True, "server": False}))
    cluster = {"nodes": [{"name": "NODE1", "state": "Up"}, {"name": "NODE2", "state": "Up"}],
               "csvs": [{"name": "D1", "owner": "NODE1", "state": "Online", "used_bytes": 10 * G}]}
    plan = plan_backup(cluster, {"nodes": facts["nodes"]}, strategy="remote", backup_node="NODE2")
    assert "NODE1" in facts["nodes"] and facts["nodes"]["NODE1"]["smb_multichannel"]["server"] is False
    assert "no network facts for NODE1" not in " ".join(plan.get("warnings", []))


def test_multichannel_disabled_on_each_side():
    facts = parse_network_info(_raw(smb_multichannel={"client": False, "server": False}))
    assert ("multichannel_disabled", "smb_client") in _ids(facts)
    for finding in facts["findings"]:
        if finding["id"] == "multichannel_disabled":
            assert "enabled by default since Windows Server 2016, so someone turned it off" in finding["why"]
            assert "failover-clustering/smb-multichannel" in finding["why"]
    assert ("multichannel_disabled", "smb_server") in _ids(facts)
    assert all(f["node"] == "NODE1" and f["what"] and f["why"] and f["fix"] for f in facts["findings"])


def test_slow_path_threshold_is_a_parameter():
    raw = _raw(smb_multichannel={"client": False, "server": True})  # single channel: the 20 Gb/s team
    assert ("slow_path", "smb") not in _ids(parse_network_info(raw, min_gbps=20))
    assert ("slow_path", "smb") in _ids(parse_network_info(raw, min_gbps=25))


def test_degraded_and_single_member_and_unequal_teams():
    raw = _raw(
        adapters=[{"name": "A", "index": 12, "speed_bps": 10 * G, "oper_status": "1"},
                  {"name": "B", "index": 13, "speed_bps": 0, "oper_status": "2"},
                  {"name": "C", "index": 14, "speed_bps": 1 * G, "oper_status": "1"},
                  {"name": "D", "index": 15, "speed_bps": 25 * G, "oper_status": "1"},
                  {"name": "E", "index": 16, "speed_bps": 10 * G, "oper_status": "1"}],
        teams=[{"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "2"},
               {"name": "T2", "teaming_mode": "0", "load_balancing_algorithm": "0", "status": "0"},
               {"name": "T3", "teaming_mode": "2", "load_balancing_algorithm": "4", "status": "0"}],
        team_members=[{"name": "A", "team": "T1", "speed_bps": 10 * G, "failure_reason": "0"},
                      {"name": "B", "team": "T1", "speed_bps": 0, "failure_reason": "3"},
                      {"name": "C", "team": "T2", "speed_bps": 1 * G, "failure_reason": "0"},
                      {"name": "D", "team": "T3", "speed_bps": 25 * G, "failure_reason": "0"},
                      {"name": "E", "team": "T3", "speed_bps": 10 * G, "failure_reason": "0"}])
    facts = parse_network_info(raw)
    ids = _ids(facts)
    assert ("team_degraded", "T1") in ids and ("team_single_member", "T2") in ids
    assert ("team_unequal_speed", "T3") in ids and ("team_unequal_speed", "T1") not in ids
    assert facts["findings"][0]["severity"] == "critical"
    degraded = [f for f in facts["findings"] if f["id"] == "team_degraded"][0]
    assert "B" in degraded["what"]
    t1 = [t for t in facts["teams"] if t["name"] == "T1"][0]
    assert t1["member_details"][1]["failure_reason"] == "PhysicalMediaDisconnected"


def test_rdma_capable_but_disabled():
    facts = parse_network_info(_raw(rdma=[{"name": "MGMT", "enabled": False}]))
    assert _ids(facts) == [("rdma_not_enabled", "MGMT")]
    assert [a["rdma_capable"] for a in facts["adapters"]] == [True, False, False]


def test_rdma_capable_lbfo_members_are_flagged_not_told_to_enable_rdma():
    facts = parse_network_info(_raw(rdma=[{"name": "A", "enabled": False}, {"name": "B", "enabled": True}]))
    assert _ids(facts) == [("rdma_in_lbfo_team", "A"), ("rdma_in_lbfo_team", "B")]
    finding = facts["findings"][0]
    assert finding["severity"] == "info" and "LBFO team T1" in finding["what"]
    assert "RDMA does not work" in finding["why"] and "rdma-and-switch-embedded-teaming" in finding["why"]


OS_2022 = {"caption": "Microsoft Windows Server 2022 Datacenter", "version": "10.0.20348", "build": "20348"}
OS_2019 = {"caption": "Microsoft Windows Server 2019 Datacenter", "version": "10.0.17763", "build": "17763"}
OS_2012R2 = {"caption": "Microsoft Windows Server 2012 R2 Datacenter", "version": "6.3.9600", "build": "9600"}


def _set_raw(**over):
    """A node with an LBFO-free SET switch over two RDMA NICs and two host vNICs carrying SMB."""
    raw = _raw(
        adapters=[{"name": "MGMT", "description": "Lab 1", "index": 11, "speed_bps": 1 * G, "oper_status": "1"},
                  {"name": "S1", "description": "Mellanox #1", "index": 12, "speed_bps": 25 * G, "oper_status": "1"},
                  {"name": "S2", "description": "Mellanox #2", "index": 13, "speed_bps": 25 * G, "oper_status": "1"}],
        teams=[], team_members=[], hyperv=True, os=OS_2022,
        set_teams=[{"name": "SETSWITCH", "members": ["Mellanox #1", "Mellanox #2"],
                    "teaming_mode": "SwitchIndependent", "load_balancing_algorithm": "Dynamic"}],
        host_vnics=[{"name": "vEthernet (SMB1)", "description": "Hyper-V Virtual Ethernet Adapter #2", "index": 201,
                     "speed_bps": 50 * G, "oper_status": "1"},
                    {"name": "vEthernet (SMB2)", "description": "Hyper-V Virtual Ethernet Adapter #3", "index": 202,
                     "speed_bps": 50 * G, "oper_status": "1"}],
        rdma=[{"name": "S1", "enabled": True}, {"name": "S2", "enabled": True},
              {"name": "vEthernet (SMB1)", "enabled": True}, {"name": "vEthernet (SMB2)", "enabled": True}],
        addresses=[{"address": "10.0.0.5", "interface": "MGMT", "index": 11},
                   {"address": "198.18.1.1", "interface": "vEthernet (SMB1)", "index": 201},
                   {"address": "198.18.2.1", "interface": "vEthernet (SMB2)", "index": 202}])
    raw.update(over)
    return raw


def test_set_team_members_host_vnics_and_os_are_read():
    facts = parse_network_info(_set_raw(), ["10.0.0.5"])
    assert facts["findings"] == []
    assert facts["hyperv"] is True and facts["os"] == {"caption": OS_2022["caption"], "version": "10.0.20348",
                                                       "build": 20348}
    (team,) = facts["set_teams"]
    assert team["name"] == "SETSWITCH" and team["members"] == ["S1", "S2"] and team["link_gbps"] == 50
    assert (team["teaming_mode"], team["load_balancing_algorithm"]) == ("SwitchIndependent", "Dynamic")
    assert [(m["name"], m["link_gbps"], m["rdma_enabled"]) for m in team["member_details"]] == [
        ("S1", 25, True), ("S2", 25, True)]
    assert [(a["name"], a["team"], a["set_team"]) for a in facts["adapters"]] == [
        ("MGMT", None, None), ("S1", None, "SETSWITCH"), ("S2", None, "SETSWITCH")]
    assert [(v["name"], v["link_gbps"], v["rdma_enabled"]) for v in facts["host_vnics"]] == [
        ("vEthernet (SMB1)", 50, True), ("vEthernet (SMB2)", 50, True)]
    assert facts["teams"] == []


def test_smb_path_counts_a_set_team_like_an_lbfo_team():
    set_facts = parse_network_info(_set_raw())
    assert set_facts["smb_gbps"] == {"multichannel": 51, "single_channel": 50}
    assert [a["team"] for a in set_facts["nodes"]["NODE1"]["adapters"]] == [None, "SETSWITCH", "SETSWITCH"]
    lbfo = _raw(adapters=_set_raw()["adapters"],
                teams=[{"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "0"}],
                team_members=[{"name": "S1", "team": "T1", "speed_bps": 25 * G, "failure_reason": "0"},
                              {"name": "S2", "team": "T1", "speed_bps": 25 * G, "failure_reason": "0"}])
    assert parse_network_info(lbfo)["smb_gbps"] == set_facts["smb_gbps"]
    # the host vNICs are not counted on top of their members
    slow = parse_network_info(_set_raw(smb_multichannel={"client": False, "server": True}), min_gbps=60)
    assert ("slow_path", "smb") in _ids(slow) and "50 Gb/s" in slow["findings"][-1]["what"]


def _lbfo_twin(raw):
    """The same node with its SET members in an LBFO team T1 instead."""
    members = [a for a in raw["adapters"] if a["name"] in ("S1", "S2")]
    return dict(raw, set_teams=[], host_vnics=[], rdma=[],
                teams=[{"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "0"}],
                team_members=[{"name": a["name"], "team": "T1", "speed_bps": a["speed_bps"], "failure_reason": "0"}
                              for a in members])


@pytest.mark.parametrize("multichannel", [True, False])
def test_planner_counts_a_set_team_like_an_lbfo_team(multichannel):
    flags = {"client": multichannel, "server": multichannel}
    cluster = {"nodes": [{"name": "NODE1", "state": "Up"}, {"name": "NODE2", "state": "Up"}],
               "csvs": [{"name": "D1", "owner": "NODE1", "state": "Online", "used_bytes": 100 * G}]}
    plans = []
    for shape in (lambda raw: raw, _lbfo_twin, lambda raw: dict(raw, set_teams=[])):
        nodes = {}
        for node in ("NODE1", "NODE2"):
            nodes.update(parse_network_info(shape(_set_raw(node=node, smb_multichannel=flags)))["nodes"])
            nodes[node]["read_gbps"] = 400  # disks faster than any path: the network decides the window
        plans.append(plan_backup(cluster, {"nodes": nodes}, strategy="remote", backup_node="NODE2"))
    assert "no network facts" not in " ".join(plans[0].get("warnings", []))
    assert plans[0]["window_s"] == plans[1]["window_s"] and plans[0]["lower_bound_s"] == plans[1]["lower_bound_s"]
    # the same adapters without a team: one channel gets one 25 Gb/s adapter instead of the team's 50
    assert (plans[2]["window_s"] > plans[0]["window_s"]) is not multichannel


def test_lbfo_on_a_hyperv_host_of_2016_or_later_recommends_set():
    facts = parse_network_info(_raw(hyperv=True, os=OS_2022))
    assert _ids(facts) == [("lbfo_on_hyperv", "T1")]
    (finding,) = facts["findings"]
    assert "Microsoft Windows Server 2022 Datacenter" in finding["what"] and "LBFO team T1 (A, B)" in finding["what"]
    assert "Switch Embedded Teaming" in finding["why"] and "removed-deprecated-features-windows-server-2022" in finding["why"]
    assert "-EnableEmbeddedTeaming $true" in finding["fix"] and "'A','B'" in finding["fix"]
    older = parse_network_info(_raw(hyperv=True, os=OS_2019))["findings"][0]
    assert older["id"] == "lbfo_on_hyperv" and "stops developing" in older["why"]


@pytest.mark.parametrize("over", [
    {"hyperv": False, "os": OS_2022},          # no Hyper-V module: not a Hyper-V host
    {"hyperv": True, "os": OS_2012R2},         # before 2016 there is no SET
    {"hyperv": True},                          # the OS is unknown (facts of an older collection)
])
def test_no_set_recommendation_without_hyperv_2016_or_a_known_os(over):
    assert parse_network_info(_raw(**over))["findings"] == []


def test_host_vnics_with_rdma_capable_but_none_enabled():
    raw = _set_raw(rdma=[{"name": "S1", "enabled": True}, {"name": "S2", "enabled": True},
                         {"name": "vEthernet (SMB1)", "enabled": False}, {"name": "vEthernet (SMB2)", "enabled": False}])
    facts = parse_network_info(raw)
    assert _ids(facts) == [("rdma_not_enabled", "host_vnics")]
    assert "Enable-NetAdapterRdma -Name 'vEthernet (SMB1)'" in facts["findings"][0]["fix"]


def test_a_set_member_unknown_by_description_is_kept_by_its_description():
    raw = _set_raw(set_teams=[{"name": "SW", "members": ["Gone adapter"], "teaming_mode": "SwitchIndependent",
                               "load_balancing_algorithm": "HyperVPort"}])
    (team,) = parse_network_info(raw)["set_teams"]
    assert team["members"] == ["Gone adapter"] and team["member_details"][0]["status"] == "Unknown"
    assert team["link_gbps"] == 0


def test_evaluate_findings_works_on_hand_made_facts():
    facts = {"node": "N9", "adapters": [{"name": "X", "link_gbps": 1, "status": "Up"}],
             "teams": [], "smb_multichannel": {"client": True, "server": True}}
    (finding,) = evaluate_findings(facts, 10)
    assert finding["id"] == "slow_path" and "1 Gb/s" in finding["what"] and finding["node"] == "N9"


@pytest.mark.parametrize("addresses, wanted, expected", [
    ([{"address": "127.0.0.1", "interface": "T1"}], ["127.0.0.1"], "T1"),
    ([{"address": "fe80::1%12", "interface": "A"}], ["fe80:0::1"], "A"),
    ([{"address": "10.0.0.1", "interface": "A"}], ["node1.example.com"], None),
    ([{"address": "10.0.0.1", "interface": "A"}], [], None),
])
def test_management_interface(addresses, wanted, expected):
    assert management_interface(addresses, wanted) == expected
