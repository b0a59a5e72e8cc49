"""The lab's network: topology keys, the model's teams and SMB Multichannel, and the NetAdapter, NetLbfo,
NetTCPIP and SmbShare cmdlets (and Get-ClusterNetwork) as scripts see them."""

import json
from pathlib import Path

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster, ModelError
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import TOPOLOGY_DIR, TopologyError, load_topology, parse_topology

SCRIPTS = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "scripts"
REFERENCE = Reference.load_default()


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _topology(**node1):
    n1 = {"name": "N1", "disk_gbps": 8, "nics": [
        {"name": "MGMT", "gbps": 1}, {"name": "A", "gbps": 10, "team": "T1"}, {"name": "B", "gbps": 10, "team": "T1"},
        {"name": "C", "gbps": 25, "rdma_capable": True}, {"name": "D", "gbps": 25}]}
    n1.update(node1)
    return parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        n1, {"name": "N2", "disk_gbps": 8, "nics": [{"name": "A", "gbps": 10}, {"name": "B", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}]})


def _model(**node1):
    clock = Clock()
    return Cluster(_topology(**node1), reference=REFERENCE, clock=clock, ticker=False), clock


def _run(model, source, node="N1"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script(source, host)


def _json(model, source, node="N1"):
    result = _run(model, source, node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _operation(model, name, args, node="N1"):
    """A collection script with its arguments, wrapped as plugins/plugin_utils/powershell.py wraps it."""
    body = (SCRIPTS / (name + ".ps1")).read_text(encoding="utf-8")
    source = ("$ErrorActionPreference = 'Stop'\n$WsfcArgs = '%s' | ConvertFrom-Json\n" % json.dumps(args)) + body
    return _json(model, source, node)


def _net_events(model):
    return [e for e in model.events() if e["op"].startswith("net.")]


# ---- topology -----------------------------------------------------------------------------------------

def test_shipped_topologies_still_load():
    for path in sorted(TOPOLOGY_DIR.glob("*.yml")):
        Cluster(load_topology(path), reference=REFERENCE, ticker=False).close()


@pytest.mark.parametrize("nic, where", [
    ({"name": "X", "gbps": 1, "status": "Broken"}, "nodes[0].nics[0].status"),
    ({"name": "X", "gbps": 1, "management": "yes"}, "nodes[0].nics[0].management"),
    ({"name": "X", "gbps": 1, "rdma": True}, "nodes[0].nics[0].rdma"),
])
def test_nic_keys_are_checked(nic, where):
    with pytest.raises(TopologyError, match=where.replace("[", r"\[").replace("]", r"\]")):
        parse_topology({"cluster": "C", "nodes": [{"name": "N1", "nics": [nic]}], "csvs": []})


def test_one_management_nic_per_node():
    with pytest.raises(TopologyError, match="management"):
        parse_topology({"cluster": "C", "csvs": [], "nodes": [{"name": "N1", "nics": [
            {"name": "X", "gbps": 1, "management": True}, {"name": "Y", "gbps": 1, "management": True}]}]})


def test_management_defaults_to_first_nic_and_moves_with_its_team():
    model, _ = _model()
    assert model.management_interface("N1") == "MGMT"
    assert model.management_interface("N2") == "A"
    teamed, _ = _model(nics=[{"name": "A", "gbps": 10, "team": "T1"}, {"name": "B", "gbps": 10, "team": "T1",
                                                                      "management": True}])
    assert teamed.management_interface("N1") == "T1"
    assert teamed.state()["nodes"]["N1"]["management_interface"] == "T1"


# ---- model --------------------------------------------------------------------------------------------

def test_disconnected_member_degrades_the_team_and_its_bandwidth():
    model, _ = _model(nics=[{"name": "A", "gbps": 10, "team": "T1"},
                            {"name": "B", "gbps": 10, "team": "T1", "status": "Disconnected"}], smb_multichannel=False)
    team = model.team_state("N1", "T1")
    assert team["status"] == "Degraded" and team["gbps"] == 10
    assert model.node("N1").network_gbps(False) == 10


def test_multichannel_toggle_rerates_a_running_read():
    model, clock = _model(nics=[{"name": "A", "gbps": 1}, {"name": "B", "gbps": 1}])
    # N2 reads N1's 10 GB snapshot over SMB: 2 Gb/s with multichannel on both sides -> 40 s
    model.start_read("N2", "D1", {"node": "N1", "id": "s"})
    clock.t = 10  # 2.5 GB done
    assert model.set_smb_multichannel("N1", caller="N1", server=False)
    clock.t = 1000
    (read,) = [e for e in model.events() if e["op"] == "backup.read"]
    assert read["end"] == pytest.approx(10 + 7.5e9 / 1.25e8, abs=0.01)  # the rest at 1 Gb/s
    (event,) = [e for e in _net_events(model) if e["op"] == "net.smb_multichannel"]
    assert event["args"]["to"] == {"client": True, "server": False} and event["changed"]
    assert not model.set_smb_multichannel("N1", caller="N1", server=False)


def test_team_changes_are_checked_and_logged():
    model, _ = _model()
    with pytest.raises(ModelError, match="already a member of team 'T1'"):
        model.new_team("N1", "T2", ["A"], "Lacp", "Dynamic")
    with pytest.raises(ModelError, match="No MSFT_NetAdapter"):
        model.new_team("N1", "T2", ["Z"], "Lacp", "Dynamic")
    model.new_team("N1", "T2", ["C", "D"], "Lacp", "HyperVPort")
    assert model.team_state("N1", "T2")["members"] == ["C", "D"]
    model.remove_team_member("N1", "T2", "D")
    with pytest.raises(ModelError, match="last member"):
        model.remove_team_member("N1", "T2", "C")
    model.remove_team("N1", "T2")
    ops = [(e["op"], e["ok"]) for e in _net_events(model)]
    assert ops == [("net.team.create", False), ("net.team.create", False), ("net.team.create", True),
                   ("net.team.remove_member", True), ("net.team.remove_member", False), ("net.team.remove", True)]


def test_teaming_the_management_nic_is_flagged():
    model, _ = _model()
    model.new_team("N1", "T2", ["MGMT", "C"], "SwitchIndependent", "Dynamic")
    event = _net_events(model)[-1]
    assert event["touches_management"] is True
    assert model.management_interface("N1") == "T2"


def test_cluster_networks_follow_interfaces():
    model, _ = _model()
    nets = model.cluster_networks()
    assert nets[0]["role"] == "InternalAndClient" and nets[0]["address"] == "127.0.0.0"
    assert all(n["role"] == "InternalUse" for n in nets[1:])


# ---- cmdlets ------------------------------------------------------------------------------------------

def test_get_cmdlets_return_documented_values():
    model, _ = _model(rdma=False)
    out = _json(model, "@(Get-NetLbfoTeam | ForEach-Object { [ordered]@{n=[string]$_.Name; m=[string]$_.TeamingMode;"
                       " l=[string]$_.LoadBalancingAlgorithm; s=[string]$_.Status} }) | ConvertTo-Json -Compress")
    assert out == {"n": "T1", "m": "1", "l": "5", "s": "0"}
    out = _json(model, "@(Get-NetAdapterRdma | ForEach-Object { $_.Name }) | ConvertTo-Json -Compress")
    assert out == "C"
    out = _json(model, "(Get-NetIPAddress -IPAddress 127.0.0.1).InterfaceAlias | ConvertTo-Json -Compress")
    assert out == "MGMT"
    out = _json(model, "@(Get-ClusterNetwork | ForEach-Object { [string]$_.Role }) | ConvertTo-Json -Compress")
    assert out[0] == "InternalAndClient"


@pytest.mark.parametrize("script, text", [
    ("New-NetLbfoTeam -Name T2 -Members C,D", "A parameter cannot be found that matches parameter name 'Members'"),
    ("New-NetLbfoTeam -Name T2 -TeamMembers C -TeamingMode Active", "Specify one of the following enumerator names"),
    ("New-NetLbfoTeam -Name T2 -TeamMembers C -LoadBalancingAlgorithm HyperVPorts", "HyperVPorts"),
    ("Set-SmbClientConfiguration -EnableMultiChannel $false -EnableLargeMtu $true -Force", "not modelled"),
    ("Set-SmbClientConfiguration -MultiChannel $false", "parameter name 'MultiChannel'"),
    ("Get-NetAdapter -CimSession NODE2", "not modelled"),
])
def test_undocumented_or_unsimulated_requests_are_refused(script, text):
    model, _ = _model()
    result = _run(model, "$ErrorActionPreference = 'Stop'\n" + script)
    assert result.exit_code != 0
    assert text in result.stderr + result.stdout
    assert not [e for e in _net_events(model) if e.get("changed")]


def test_whatif_changes_nothing():
    model, _ = _model()
    _run(model, "New-NetLbfoTeam -Name T2 -TeamMembers C -WhatIf\nSet-SmbServerConfiguration -EnableMultiChannel $false -WhatIf")
    assert "T2" not in model.node("N1").teams and model.node("N1").smb_server_multichannel


# ---- the collection's scripts -------------------------------------------------------------------------

def test_network_info_script():
    model, _ = _model(nics=[{"name": "MGMT", "gbps": 1}, {"name": "A", "gbps": 10, "team": "T1"},
                            {"name": "B", "gbps": 10, "team": "T1", "status": "Disconnected"}])
    out = _operation(model, "network_info", {})
    assert out["node"] == "N1" and [a["name"] for a in out["adapters"]] == ["MGMT", "A", "B"]
    assert out["teams"] == [{"name": "T1", "teaming_mode": "1", "load_balancing_algorithm": "5", "status": "2"}]
    assert {m["name"]: m["failure_reason"] for m in out["team_members"]} == {"A": "0", "B": "3"}
    assert {a["address"]: a["interface"] for a in out["addresses"]}["127.0.0.1"] == "MGMT"


def test_network_info_shows_smb_connections_of_running_reads():
    model, _ = _model(nics=[{"name": "A", "gbps": 1}, {"name": "B", "gbps": 1}])
    model.start_read("N2", "D1", {"node": "N1", "id": "s"})
    out = _operation(model, "network_info", {}, node="N2")
    assert {c["server"] for c in out["smb_connections"]} == {"N1"} and len(out["smb_connections"]) == 2


def test_smb_multichannel_script_check_mode_and_change():
    model, _ = _model()
    out = _operation(model, "smb_multichannel", {"client": False, "server": None, "check_mode": True})
    assert out["before"] == out["after"] == {"client": True, "server": True}
    assert not _net_events(model)
    out = _operation(model, "smb_multichannel", {"client": False, "server": None, "check_mode": False})
    assert out["after"] == {"client": False, "server": True}
    assert [e["args"]["to"] for e in _net_events(model)] == [{"client": False, "server": True}]


def test_nic_team_set_script_undoes_done_steps_on_failure():
    model, _ = _model()
    before = model.state()["nodes"]["N1"]["teams"]
    body = (SCRIPTS / "nic_team_set.ps1").read_text(encoding="utf-8")
    args = {"name": "T2", "steps": [
        {"action": "create", "members": ["C"], "teaming_mode": "Lacp", "load_balancing_algorithm": "Dynamic"},
        {"action": "add_member", "member": "A"}]}  # A is in T1: fails
    result = _run(model, "$ErrorActionPreference = 'Stop'\n$WsfcArgs = '%s' | ConvertFrom-Json\n%s" % (json.dumps(args), body))
    assert result.exit_code != 0 and "already a member of team 'T1'" in result.stderr + result.stdout
    assert model.state()["nodes"]["N1"]["teams"] == before
    assert [(e["op"], e["ok"]) for e in _net_events(model)] == [
        ("net.team.create", True), ("net.team.add_member", False), ("net.team.remove", True)]


def test_nic_team_set_script_applies_steps_in_order():
    model, _ = _model()
    out = _operation(model, "nic_team_set", {"name": "T1", "steps": [
        {"action": "add_member", "member": "C"}, {"action": "remove_member", "member": "B"},
        {"action": "set", "teaming_mode": "Static", "load_balancing_algorithm": "IPAddresses",
         "previous_teaming_mode": "SwitchIndependent", "previous_load_balancing_algorithm": "Dynamic"}]})
    assert sorted(m["name"] for m in out["team_members"]) == ["A", "C"]
    assert out["teams"][0]["teaming_mode"] == "0" and out["teams"][0]["load_balancing_algorithm"] == "2"
    assert model.team_state("N1", "T1")["mode"] == "Static"


# ---- Switch Embedded Teaming (SET), host vNICs, RDMA, the node's OS ----------------------------------------

SET_NICS = [{"name": "MGMT", "gbps": 1, "rdma_capable": False}, {"name": "A", "gbps": 10, "team": "T1", "rdma_capable": True},
            {"name": "B", "gbps": 10, "team": "T1", "rdma_capable": True},
            {"name": "S1", "gbps": 25, "rdma_capable": True}, {"name": "S2", "gbps": 25, "rdma_capable": True}]
SET_SWITCHES = [{"name": "SETSWITCH", "members": ["S1", "S2"], "host_vnics": ["SMB1", "SMB2"]}]


def _set_model(**node1):
    return _model(**dict({"nics": SET_NICS, "rdma": True, "set_switches": SET_SWITCHES}, **node1))


def _node_topology(**node):
    return parse_topology({"cluster": "C", "nodes": [dict({"name": "N1"}, **node)], "csvs": []})


@pytest.mark.parametrize("node, where, text", [
    ({"nics": [{"name": "A", "gbps": 1, "team": "T"}, {"name": "B", "gbps": 1}],
      "set_switches": [{"name": "SW", "members": ["A"]}]}, r"set_switches\[0\]\.members\[0\]", "LBFO team"),
    ({"nics": [{"name": "A", "gbps": 1}, {"name": "B", "gbps": 1}],
      "set_switches": [{"name": "SW", "members": ["C"]}]}, r"members\[0\]", "not a NIC"),
    ({"nics": [{"name": "M", "gbps": 1}, {"name": "A", "gbps": 1}], "set_switches": [
        {"name": "SW1", "members": ["A"]}, {"name": "SW2", "members": ["A"]}]}, "set_switches", "two SET switches"),
    ({"nics": [{"name": "M", "gbps": 1}, {"name": "A", "gbps": 1}], "hyperv": False,
      "set_switches": [{"name": "SW", "members": ["A"]}]}, "set_switches", "hyperv: false"),
    ({"nics": [{"name": "A", "gbps": 1}], "set_switches": [{"name": "SW", "members": ["A"]}]},
     r"nics\[0\]", "no host_vnics"),
    ({"nics": [{"name": "M", "gbps": 1}, {"name": "A", "gbps": 1, "management": True}],
      "set_switches": [{"name": "SW", "members": ["A"], "host_vnics": ["X"]}]}, r"members\[0\]", "holds no address"),
    ({"nics": [{"name": "M", "gbps": 1}, {"name": "A", "gbps": 1}],
      "set_switches": [{"name": "SW", "members": ["A"], "load_balancing": "TransportPorts"}]},
     "load_balancing", "Dynamic, HyperVPort"),
    ({"nics": [{"name": "M", "gbps": 1}] + [{"name": f"N{i}", "gbps": 1} for i in range(9)],
      "set_switches": [{"name": "SW", "members": [f"N{i}" for i in range(9)]}]}, "members", "between one and 8"),
    ({"nics": [{"name": "M", "gbps": 1}], "os": "2012"}, "os", "2016, 2019, 2022, 2025"),
])
def test_set_topology_keys_are_checked(node, where, text):
    with pytest.raises(TopologyError, match=where) as err:
        _node_topology(**node)
    assert text in str(err.value)


def test_lbfo_stays_the_default_and_a_set_nic_cannot_join_a_team():
    model, _ = _model()
    assert model.node("N1").set_switches == {} and model.node("N1").os == "2022" and model.node("N1").hyperv
    model, _ = _set_model()
    with pytest.raises(ModelError, match="bound to the Hyper-V virtual switch 'SETSWITCH'"):
        model.new_team("N1", "T2", ["S1"], "SwitchIndependent", "Dynamic")
    with pytest.raises(ModelError, match="Switch Embedded Teaming"):
        model.add_team_member("N1", "T1", "S2")


def test_get_vmswitchteam_and_host_vnics_as_scripts_see_them():
    model, _ = _set_model()
    out = _json(model, "@(Get-VMSwitchTeam | ForEach-Object { $t = $_; [ordered]@{name = $t.Name; id = [string]$t.Id;"
                       " members = @($t.NetAdapterInterfaceDescription); mode = [string]$t.TeamingMode;"
                       " lba = [string]$t.LoadBalancingAlgorithm} }) | ConvertTo-Json -Compress")
    team = out if isinstance(out, dict) else out[0]
    assert (team["name"], team["mode"], team["lba"]) == ("SETSWITCH", "SwitchIndependent", "Dynamic")
    assert team["members"] == ["Lab Ethernet Adapter 4", "Lab Ethernet Adapter 5"] and len(team["id"]) == 36
    adapters = _json(model, "@(Get-NetAdapter | ForEach-Object { [ordered]@{n = $_.Name; d = $_.InterfaceDescription;"
                            " s = $_.Speed; v = $_.Virtual} }) | ConvertTo-Json -Compress")
    vnics = [a for a in adapters if a["d"].startswith("Hyper-V Virtual Ethernet Adapter")]
    assert [(a["n"], a["s"], a["v"]) for a in vnics] == [("vEthernet (SMB1)", 50 * 10 ** 9, True),
                                                         ("vEthernet (SMB2)", 50 * 10 ** 9, True)]
    physical = _json(model, "@(Get-NetAdapter -Physical | ForEach-Object { $_.Name }) | ConvertTo-Json -Compress")
    assert physical == ["MGMT", "A", "B", "S1", "S2"]
    rdma = _json(model, "@(Get-NetAdapterRdma | ForEach-Object { $_.Name }) | ConvertTo-Json -Compress")
    assert rdma == ["A", "B", "S1", "S2", "vEthernet (SMB1)", "vEthernet (SMB2)"]
    # SET members hold no address; the host vNICs do
    assert [i["name"] for i in model.interfaces("N1")] == ["MGMT", "T1", "vEthernet (SMB1)", "vEthernet (SMB2)"]
    missing = _run(model, "Get-VMSwitchTeam -Name NOPE")
    assert "The virtual switch team 'NOPE' was not found." in missing.stderr


def test_a_node_without_hyperv_has_no_get_vmswitchteam():
    model, _ = _model(hyperv=False)
    assert _json(model, "$found = [bool](Get-Command -Name Get-VMSwitchTeam -ErrorAction SilentlyContinue)\n"
                        "$found | ConvertTo-Json") is False
    result = _run(model, "Get-VMSwitchTeam")
    assert result.exit_code != 0 and "The term 'Get-VMSwitchTeam' is not recognized" in result.stderr
    found = _json(model, "(Get-Command -Name Get-NetAdapter).Name | ConvertTo-Json")
    assert found == "Get-NetAdapter"


def test_management_address_goes_to_the_first_host_vnic_when_the_first_nic_is_in_a_set_switch():
    model, _ = _model(nics=[{"name": "S1", "gbps": 25}, {"name": "S2", "gbps": 25}],
                      set_switches=[{"name": "SW", "members": ["S1", "S2"], "host_vnics": ["MGMT", "SMB1"]}])
    assert model.management_interface("N1") == "vEthernet (MGMT)"
    model, _ = _model(nics=[{"name": "M", "gbps": 1}, {"name": "S1", "gbps": 25}], set_switches=[
        {"name": "SW", "members": ["S1"], "host_vnics": ["SMB1", {"name": "Mgmt", "management": True}]}])
    assert model.management_interface("N1") == "vEthernet (Mgmt)"


def test_smb_bandwidth_counts_a_set_team_like_an_lbfo_team_and_rdma_adds_none():
    set_model, _ = _model(nics=[{"name": "M", "gbps": 1}, {"name": "S1", "gbps": 25}, {"name": "S2", "gbps": 25}],
                          set_switches=[{"name": "SW", "members": ["S1", "S2"], "host_vnics": ["SMB1"]}], rdma=True)
    lbfo_model, _ = _model(nics=[{"name": "M", "gbps": 1}, {"name": "S1", "gbps": 25, "team": "T"},
                                 {"name": "S2", "gbps": 25, "team": "T"}], rdma=True)
    for multichannel, gbps in ((True, 51), (False, 50)):
        assert set_model.node("N1").network_gbps(multichannel) == gbps
        assert lbfo_model.node("N1").network_gbps(multichannel) == gbps
    plain, _ = _model(nics=[{"name": "M", "gbps": 1}, {"name": "S1", "gbps": 25, "team": "T"},
                            {"name": "S2", "gbps": 25, "team": "T"}], rdma=False)
    assert plain.node("N1").network_gbps(True) == lbfo_model.node("N1").network_gbps(True)


def test_smb_connections_report_rdma_on_host_vnics_never_on_an_lbfo_team():
    from wsfc_lab.cmdlets.network import _interface_rdma
    model, _ = _set_model()
    rdma = {i["name"]: _interface_rdma(model, "N1", i) for i in model.interfaces("N1")}
    # A and B have RDMA enabled, but RDMA does not work through LBFO
    assert rdma == {"MGMT": False, "T1": False, "vEthernet (SMB1)": True, "vEthernet (SMB2)": True}
    model.start_read("N1", "D1", {"node": "N2", "id": "s"})
    conns = _json(model, "@(Get-SmbMultichannelConnection | ForEach-Object { [ordered]@{c = $_.ClientInterfaceFriendlyName;"
                         " r = $_.ClientRdmaCapable} }) | ConvertTo-Json -Compress")
    assert {c["c"]: c["r"] for c in conns} == {"MGMT": False, "T1": False}


def test_win32_operatingsystem_follows_the_topology_os():
    model, _ = _model(os="2016")
    out = _json(model, "$os = Get-CimInstance -ClassName Win32_OperatingSystem\n"
                       "[ordered]@{c = $os.Caption; v = $os.Version; b = $os.BuildNumber} | ConvertTo-Json -Compress")
    assert out == {"c": "Microsoft Windows Server 2016 Datacenter", "v": "10.0.14393", "b": "14393"}


def test_network_info_script_reads_set_teams_host_vnics_and_the_os():
    model, _ = _set_model()
    out = _operation(model, "network_info", {})
    assert out["hyperv"] is True and out["os"]["build"] == "20348"
    assert out["set_teams"] == [{"name": "SETSWITCH", "members": ["Lab Ethernet Adapter 4", "Lab Ethernet Adapter 5"],
                                 "teaming_mode": "SwitchIndependent", "load_balancing_algorithm": "Dynamic"}]
    assert [v["name"] for v in out["host_vnics"]] == ["vEthernet (SMB1)", "vEthernet (SMB2)"]
    assert [a["name"] for a in out["adapters"]] == ["MGMT", "A", "B", "S1", "S2"]
    bare, _ = _model(hyperv=False)
    out = _operation(bare, "network_info", {})
    assert out["hyperv"] is False and out["set_teams"] == [] and out["host_vnics"] == []

