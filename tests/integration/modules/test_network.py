# -*- coding: utf-8 -*-
"""wsfc.csv.network_info, smb_multichannel and nic_team against the lab, checked against its state and event log.

Round trips are counted as the lab's ``winrm.command`` events per module run.
"""

from __future__ import annotations

import json

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

TOPOLOGY = """\
cluster: NETLAB
time_scale: 20
nodes:
  - name: N1
    disk_gbps: 8
    nics:
      - {name: MGMT, gbps: 1}
      - {name: SLOT1-1, gbps: 10, team: TEAM1}
      - {name: SLOT1-2, gbps: 10, team: TEAM1, status: Disconnected}
      - {name: SLOT2-1, gbps: 25, rdma_capable: true}
      - {name: SLOT2-2, gbps: 25}
      - {name: SLOT3-1, gbps: 1, team: SOLO}
  - name: N2
    disk_gbps: 8
    smb_multichannel: false
    nics:
      - {name: MGMT, gbps: 1}
      - {name: E2, gbps: 5, team: MIX}
      - {name: E3, gbps: 1, team: MIX}
  - name: N3
    disk_gbps: 8
    os: 2019
    rdma: true
    nics:
      - {name: MGMT, gbps: 1, rdma_capable: false}
      - {name: SLOT1-1, gbps: 25}
      - {name: SLOT1-2, gbps: 25}
    set_switches:
      - {name: SETSWITCH, members: [SLOT1-1, SLOT1-2], load_balancing: HyperVPort, host_vnics: [SMB1, SMB2]}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 20, owner: N1}
vss: {hardware_provider: false}
"""

# The lab's nodes are Hyper-V hosts of Windows Server 2022 unless the topology says otherwise (lab/README.md), so
# every LBFO team is an lbfo_on_hyperv finding; N3's SET switch with RDMA is what they recommend and has none.
EXPECTED_FINDINGS = {
    "N1": {("team_degraded", "TEAM1"), ("team_single_member", "SOLO"), ("rdma_not_enabled", "SLOT2-1"),
           ("lbfo_on_hyperv", "TEAM1"), ("lbfo_on_hyperv", "SOLO")},
    "N2": {("multichannel_disabled", "smb_client"), ("multichannel_disabled", "smb_server"), ("slow_path", "smb"),
           ("team_unequal_speed", "MIX"), ("lbfo_on_hyperv", "MIX")},
    "N3": set(),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("netlab")) as running:
        yield running


def _played(result):
    assert result.returncode == 0, "ansible-playbook failed:\n%s\n%s" % (result.stdout[-8000:], result.stderr[-3000:])


def _module(lab, host, module, args=None, check=False):
    extra = ["-a", json.dumps(args)] if args else []
    if check:
        extra += ["--check", "--diff"]
    else:
        extra += ["--diff"]
    return lab.ansible(host, "wsfc.csv." + module, *extra)


def _run(lab, host, module, args=None, check=False):
    """Run one module; return its result, the lab events it caused and its WinRM round trips."""
    mark = len(lab.events())
    played = _module(lab, host, module, args, check)
    result = module_result(played)
    # ad-hoc output drops "failed" from the printed result; the status word and the exit code say it
    result["failed"] = played.returncode != 0 and "FAILED!" in played.stdout
    events = lab.events()[mark:]
    commands = [e for e in events if e["op"] == "winrm.command"]
    assert all(e["node"] == host for e in commands), commands
    return result, events, len(commands)


def _net(events):
    return [e for e in events if e["op"].startswith("net.")]


def _host(lab, node):
    return node  # the lab's inventory names hosts after the nodes


# ---- network_info -------------------------------------------------------------------------------------

def test_network_info_target_matches_lab_state(lab, tmp_path):
    mark = len(lab.events())
    _played(lab.run_targets(["network_info"], tmp_path))
    truth = lab.state()
    commands = [e for e in lab.events()[mark:] if e["op"] == "winrm.command"]
    assert len(commands) == 2 * len(truth["nodes"])  # one round trip per run (normal and check mode) per node
    assert not _net(lab.events()[mark:])
    for node, real in truth["nodes"].items():
        facts = json.loads((tmp_path / ("network_info-%s.json" % node)).read_text())
        assert facts["node"] == node
        assert [(a["name"], a["link_gbps"], a["team"]) for a in facts["adapters"]] == [
            (n["name"], n["gbps"] if n["status"] == "Up" else 0, n["team"]) for n in real["nics"]]
        assert [a["status"] for a in facts["adapters"]] == ["Up" if n["status"] == "Up" else "Down" for n in real["nics"]]
        assert {t["name"]: (sorted(t["members"]), t["status"], t["teaming_mode"], t["load_balancing_algorithm"])
                for t in facts["teams"]} == {
            name: (sorted(t["members"]), t["status"], t["mode"], t["lba"]) for name, t in real["teams"].items()}
        assert facts["smb_multichannel"] == real["smb_multichannel"]
        assert facts["management_interface"] == real["management_interface"] == "MGMT"
        assert {(f["id"], f["subject"]) for f in facts["findings"]} == EXPECTED_FINDINGS[node]
        assert facts["nodes"][node]["smb_multichannel"] == real["smb_multichannel"]
        assert facts["hyperv"] is real["hyperv"] and facts["os"]["caption"] == "Microsoft Windows Server %s Datacenter" % real["os"]
        assert {t["name"]: (t["members"], t["load_balancing_algorithm"], t["link_gbps"]) for t in facts["set_teams"]} == {
            name: (s["members"], s["lba"], s["gbps"]) for name, s in real["set_switches"].items()}
        assert [v["name"] for v in facts["host_vnics"]] == [
            "vEthernet (%s)" % v["name"] for s in real["set_switches"].values() for v in s["host_vnics"]]
        roles = {n["address"]: n["role"] for n in facts["cluster_networks"]}
        assert roles["127.0.0.0"] == "ClusterAndClient" and set(roles.values()) == {"ClusterAndClient", "Cluster"}


def test_network_info_counts_a_set_team_like_the_lab(lab):
    result, events, trips = _run(lab, "N3", "network_info")
    assert trips == 1 and not _net(events) and result["findings"] == []
    (team,) = result["set_teams"]
    assert team["members"] == ["SLOT1-1", "SLOT1-2"] and team["link_gbps"] == 50
    assert [(v["name"], v["link_gbps"], v["rdma_enabled"]) for v in result["host_vnics"]] == [
        ("vEthernet (SMB1)", 50, True), ("vEthernet (SMB2)", 50, True)]
    assert result["smb_gbps"] == {"multichannel": 51, "single_channel": 50}
    assert result["management_interface"] == "MGMT"


def test_network_info_threshold_and_round_trip(lab):
    result, events, trips = _run(lab, "N1", "network_info", {"min_gbps": 100})
    assert trips == 1 and not _net(events)
    assert ("slow_path", "smb") in {(f["id"], f["subject"]) for f in result["findings"]}
    assert result["smb_gbps"]["multichannel"] == 62  # 1 + 10 + 25 + 25 + 1 (SLOT1-2 is disconnected)


# ---- smb_multichannel ---------------------------------------------------------------------------------

def test_smb_multichannel_target_changes_and_restores(lab, tmp_path):
    before = lab.state()["nodes"]
    mark = len(lab.events())
    _played(lab.run_targets(["smb_multichannel"], tmp_path))
    saved = json.loads((tmp_path / "smb_multichannel.json").read_text())
    changes = [e for e in _net(lab.events()[mark:]) if e["changed"]]
    node = changes[0]["args"]["node"]
    # the check-mode run changed nothing; the change and the restore are the only changes the lab saw
    assert [e["args"]["to"]["client"] for e in changes] == [not saved["facts"]["client"], saved["facts"]["client"]]
    assert lab.state()["nodes"][node]["smb_multichannel"] == before[node]["smb_multichannel"]


def test_smb_multichannel_check_mode_idempotence_and_round_trips(lab):
    result, events, trips = _run(lab, "N1", "smb_multichannel", {"server": False}, check=True)
    assert trips == 1 and result["changed"] and not [e for e in _net(events) if e["changed"]]
    # (ad-hoc output prints the diff instead of returning it; the target asserts the diff itself)
    assert result["smb_multichannel"] == {"client": True, "server": False}
    assert lab.state()["nodes"]["N1"]["smb_multichannel"]["server"] is True

    result, events, trips = _run(lab, "N1", "smb_multichannel", {"server": False})
    assert trips == 1 and result["changed"]
    (event,) = [e for e in _net(events) if e["changed"]]
    assert event["args"] == {"node": "N1", "from": {"client": True, "server": True},
                             "to": {"client": True, "server": False}}
    assert lab.state()["nodes"]["N1"]["smb_multichannel"] == {"client": True, "server": False}

    result, events, trips = _run(lab, "N1", "smb_multichannel", {"server": False})
    assert trips == 1 and not result["changed"] and not [e for e in _net(events) if e["changed"]]

    result, dummy, dummy2 = _run(lab, "N1", "network_info")
    assert ("multichannel_disabled", "smb_server") in {(f["id"], f["subject"]) for f in result["findings"]}

    result, dummy, dummy2 = _run(lab, "N1", "smb_multichannel", {"server": True})
    assert result["changed"] and lab.state()["nodes"]["N1"]["smb_multichannel"]["server"] is True


def test_smb_multichannel_needs_a_side(lab):
    mark = len(lab.events())
    result = _module(lab, "N1", "smb_multichannel", {})
    assert result.returncode != 0 and "one of the following is required: client, server" in result.stdout, result.stdout
    assert not [e for e in lab.events()[mark:] if e["op"] == "winrm.command"]


# ---- nic_team -----------------------------------------------------------------------------------------

def test_nic_team_target(lab, tmp_path):
    before = lab.state()["nodes"]["N1"]["teams"]
    mark = len(lab.events())
    _played(lab.run_targets(["nic_team"], tmp_path))
    saved = json.loads((tmp_path / "nic_team.json").read_text())
    assert saved["members"] == ["SLOT2-1", "SLOT2-2"] and saved["management"] == "MGMT"
    ops = [(e["op"], e["args"].get("team"), e["ok"]) for e in _net(lab.events()[mark:])]
    # exactly the changes the module claimed; the refusals and check mode touched nothing
    assert ops == [("net.team.create", "WSFCCSVTEST", True), ("net.team.set", "WSFCCSVTEST", True),
                   ("net.team.remove", "WSFCCSVTEST", True)]
    assert lab.state()["nodes"]["N1"]["teams"] == before


def test_nic_team_round_trips_check_mode_and_diff(lab):
    args = {"name": "BACKUP", "members": ["SLOT2-1", "SLOT2-2"], "teaming_mode": "Lacp"}
    result, events, trips = _run(lab, "N1", "nic_team", args, check=True)
    assert trips == 1 and result["changed"] and not _net(events)
    assert result["team"]["members"] == ["SLOT2-1", "SLOT2-2"] and result["steps"] == ["create"]
    assert "BACKUP" not in lab.state()["nodes"]["N1"]["teams"]

    result, events, trips = _run(lab, "N1", "nic_team", args)
    assert trips == 2 and result["changed"] and result["team"]["status"] == "Up"
    (event,) = _net(events)
    assert event["op"] == "net.team.create" and event["ok"] and not event["touches_management"]
    assert lab.state()["nodes"]["N1"]["teams"]["BACKUP"]["mode"] == "Lacp"

    result, events, trips = _run(lab, "N1", "nic_team", args)
    assert trips == 1 and not result["changed"] and not _net(events)

    result, events, trips = _run(lab, "N1", "nic_team", dict(args, members=["SLOT2-1"]))
    assert trips == 2 and result["steps"] == ["remove_member"]
    assert [e["op"] for e in _net(events)] == ["net.team.remove_member"]
    assert lab.state()["nodes"]["N1"]["teams"]["BACKUP"]["members"] == ["SLOT2-1"]

    result, events, trips = _run(lab, "N1", "nic_team", {"name": "BACKUP", "state": "absent"})
    assert trips == 2 and result["changed"] and "BACKUP" not in lab.state()["nodes"]["N1"]["teams"]


@pytest.mark.parametrize("args, words", [
    ({"name": "T9", "members": ["MGMT", "SLOT2-2"]}, "MGMT carries the connection this task runs over"),
    ({"name": "T9", "members": ["SLOT1-1"]}, "is a member of team TEAM1"),
    ({"name": "T9", "members": ["NOPE"]}, "no physical network adapter named 'NOPE'"),
    ({"name": "T9", "members": ["SLOT2-2"], "management_address": "192.0.2.77"}, "no interface of the node holds"),
    ({"name": "T9"}, "members is required"),
])
def test_nic_team_refusals_change_nothing(lab, args, words):
    before = lab.state()["nodes"]["N1"]
    result, events, trips = _run(lab, "N1", "nic_team", args)
    assert result.get("failed") and words in result["msg"] and "N1" in result["msg"]
    assert trips == 1 and not _net(events)
    assert lab.state()["nodes"]["N1"] == before


def test_nic_team_refuses_a_set_member_and_changes_nothing(lab):
    before = lab.state()["nodes"]["N3"]
    result, events, trips = _run(lab, "N3", "nic_team", {"name": "T9", "members": ["SLOT1-1"], "force": True})
    assert result.get("failed") and "SLOT1-1 is a member of the SET team of Hyper-V switch SETSWITCH" in result["msg"]
    assert trips == 1 and not _net(events)
    assert lab.state()["nodes"]["N3"] == before


def test_nic_team_force_touches_management_and_the_lab_says_so(lab):
    result, events, dummy = _run(lab, "N1", "nic_team", {"name": "MGMTTEAM", "members": ["MGMT"], "force": True})
    assert result["changed"]
    (event,) = _net(events)
    assert event["op"] == "net.team.create" and event["touches_management"] is True
    assert lab.state()["nodes"]["N1"]["management_interface"] == "MGMTTEAM"
    # the team now carries the connection: removing it is refused without force
    result, events, dummy = _run(lab, "N1", "nic_team", {"name": "MGMTTEAM", "state": "absent"})
    assert result.get("failed") and "MGMTTEAM carries the connection" in result["msg"] and not _net(events)
    result, events, dummy = _run(lab, "N1", "nic_team", {"name": "MGMTTEAM", "state": "absent", "force": True})
    assert result["changed"] and [e["op"] for e in _net(events)] == ["net.team.remove"]
    assert lab.state()["nodes"]["N1"]["management_interface"] == "MGMT"
