"""``python -m wsfc_lab import``: saved cluster_info/network_info output becomes a lab topology.

The round trip starts the shipped 4-node lab, reads it with the real ``wsfc.csv.cluster_info`` and
``wsfc.csv.network_info`` modules through ``ansible`` (skipped when the collection is not installed in
ANSIBLE_COLLECTIONS_PATH, e.g. before ``make collection``), saves what they returned, imports it, and compares the
imported topology with the one the lab was started from; then a lab is started from the imported topology and must
show the same cluster. Costs about 10 seconds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wsfc_lab.importer import DEFAULT_DISK_GBPS, DEFAULT_NIC_GBPS, build_topology
from wsfc_lab.topology import load_topology, parse_topology, shipped_topology

BIN = Path(sys.executable).parent


def _lab(*args):
    return subprocess.run([sys.executable, "-m", "wsfc_lab"] + [str(a) for a in args], capture_output=True, text=True,
                          check=False)


def _collection_installed():
    for root in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if root and (Path(root) / "ansible_collections" / "wsfc" / "csv" / "MANIFEST.json").exists():
            return True
    return False


def _adhoc(pattern, inventory, module):
    """Each host's result of an ad-hoc module run (``HOST | SUCCESS => {...}`` blocks of the default output)."""
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_NOCOLOR="1")
    result = subprocess.run([str(BIN / "ansible"), pattern, "-i", str(inventory), "-m", module], capture_output=True,
                            text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    hosts, decoder = {}, json.JSONDecoder()
    for match in re.finditer(r"^(\S+) \| SUCCESS => ", result.stdout, re.M):
        hosts[match.group(1)] = decoder.raw_decode(result.stdout, match.end())[0]
    return hosts


FACTS = {
    "cluster_info": {
        "cluster": {"name": "REAL1"},
        "nodes": [{"name": "HV1", "state": "Up"}, {"name": "HV2", "state": "Joining"}],
        "csvs": [{"name": "Cluster Disk 1", "path": "C:\\ClusterStorage\\Volume1\\", "owner": "HV1", "state": "Online",
                  "size_bytes": 2_000_000_000_000, "used_bytes": 500_000_000_000, "redirected": True,
                  "redirected_reason": None, "vms": ["VM1"]},
                 {"name": "Cluster Disk 2", "path": "C:\\ClusterStorage\\Volume2", "owner": "HV2",
                  "state": "OnlinePending", "size_bytes": 1_000_000_000_000, "used_bytes": 1_000_000_000,
                  "redirected": False, "redirected_reason": None, "vms": []}],
    },
    "network_info": [{
        "node": "HV1",
        "adapters": [{"name": "A", "link_gbps": 25.0, "status": "Up", "team": "T", "rdma_capable": True,
                      "rdma_enabled": True, "management": False},
                     {"name": "B", "link_gbps": 0, "status": "Down", "team": "T", "rdma_capable": True,
                      "rdma_enabled": True, "management": False},
                     {"name": "MGMT", "link_gbps": 1.0, "status": "Up", "team": None, "rdma_capable": False,
                      "rdma_enabled": False, "management": True}],
        "teams": [{"name": "T", "teaming_mode": "Lacp", "load_balancing_algorithm": "Dynamic"}],
        "smb_multichannel": {"client": True, "server": False},
    }],
}


def _set_facts(host_vnics, teams=1):
    adapters = [{"name": "MGMT", "link_gbps": 1.0, "status": "Up", "team": None, "set_team": None,
                 "rdma_capable": False, "rdma_enabled": False, "management": True}]
    set_teams = []
    for t in range(teams):
        members = [f"S{t}{i}" for i in (1, 2)]
        adapters += [{"name": m, "link_gbps": 25.0, "status": "Up", "team": None, "set_team": f"SW{t}",
                      "rdma_capable": True, "rdma_enabled": False, "management": False} for m in members]
        set_teams.append({"name": f"SW{t}", "members": members, "teaming_mode": "SwitchIndependent",
                          "load_balancing_algorithm": "HyperVPort"})
    return {"cluster_info": FACTS["cluster_info"], "network_info": [{
        "node": "HV1", "adapters": adapters, "teams": [], "set_teams": set_teams, "host_vnics": host_vnics,
        "hyperv": True, "os": {"caption": "Microsoft Windows Server 2019 Datacenter", "version": "10.0.17763",
                               "build": 17763}, "smb_multichannel": {"client": True, "server": True}}]}


def test_set_teams_host_vnics_and_the_release_are_imported():
    vnics = [{"name": "vEthernet (SMB1)", "rdma_enabled": True, "management": False},
             {"name": "vEthernet (SMB2)", "rdma_enabled": True, "management": False}]
    topology, warnings = build_topology(_set_facts(vnics))
    parsed = parse_topology(topology)
    hv1 = topology["nodes"][0]
    assert hv1["set_switches"] == [{"name": "SW0", "members": ["S01", "S02"], "load_balancing": "HyperVPort",
                                    "host_vnics": [{"name": "SMB1"}, {"name": "SMB2"}]}]
    assert hv1["os"] == "2019" and hv1["rdma"] is True and parsed.nodes[0].set_switches[0].members == ["S01", "S02"]
    # two switches: the host vNICs cannot be placed
    topology, warnings = build_topology(_set_facts(vnics, teams=2))
    parse_topology(topology)
    assert all("host_vnics" not in s for s in topology["nodes"][0]["set_switches"])
    assert "which switch a host vNIC is on is not in the facts" in "\n".join(warnings)


def test_what_the_facts_do_not_say_gets_a_default_and_a_warning():
    topology, warnings = build_topology(FACTS)
    parse_topology(topology)
    text = "\n".join(warnings)
    hv1, hv2 = topology["nodes"]
    assert hv2["state"] == "Down" and "HV2: state 'Joining' is not modelled" in text
    assert hv2["nics"] == [{"name": "NIC1", "gbps": DEFAULT_NIC_GBPS}] and "HV2: no network_info" in text
    assert hv1["disk_gbps"] == DEFAULT_DISK_GBPS and "disk_gbps" in text
    assert hv1["nics"][0] == {"name": "A", "gbps": 25.0, "team": "T", "rdma_capable": True}
    assert hv1["nics"][1]["status"] == "Disconnected" and "adapter B is Down" in text
    assert hv1["nics"][2]["management"] is True and hv1["rdma"] is True
    assert hv1["smb_multichannel"] is False and "one setting: off" in text
    assert "team T is Lacp/Dynamic" in text
    disk1, disk2 = topology["csvs"]
    assert disk1["path"] == "C:\\ClusterStorage\\Volume1" and disk1["size_gb"] == 2000 and disk1["used_gb"] == 500
    assert disk1["redirected"] == "UserRequest" and "no reported reason" in text and disk1["vms"] == ["VM1"]
    assert disk2["state"] == "Offline" and "'OnlinePending' is not modelled" in text and disk2["used_gb"] == 1
    assert topology["vss"] == {"hardware_provider": False} and "hardware VSS provider" in text


def test_the_cli_refuses_what_is_not_cluster_info(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"adapters": []}))
    result = _lab("import", facts)
    assert result.returncode == 2 and "no cluster_info result" in result.stderr
    facts.write_text(json.dumps(dict(FACTS["cluster_info"], csvs=[dict(FACTS["cluster_info"]["csvs"][0], owner="X")])))
    result = _lab("import", facts)
    assert result.returncode == 2 and "'X' is not a node" in result.stderr


@pytest.mark.skipif(not _collection_installed(), reason="wsfc.csv is not installed (make collection)")
def test_round_trip_through_the_modules(tmp_path):
    source = load_topology(shipped_topology("four-node-10gbe"))
    work = tmp_path / "lab"
    assert _lab("up", "--topology", shipped_topology("four-node-10gbe"), "--workdir", work,
                "--time-scale", "600").returncode == 0
    try:
        group = _lab("group", "--workdir", work).stdout.strip()
        cluster_info = _adhoc("%s[0]" % group, work / "inventory.yml", "wsfc.csv.cluster_info")
        network_info = _adhoc(group, work / "inventory.yml", "wsfc.csv.network_info")
    finally:
        _lab("down", "--workdir", work)
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"cluster_info": next(iter(cluster_info.values())), "network_info": network_info}))
    out = tmp_path / "imported.yml"
    result = _lab("import", facts, "--output", out, "--disk-gbps", "32", "--time-scale", "600")
    assert result.returncode == 0, result.stderr
    assert "no network_info" not in result.stderr and "disk_gbps" in result.stderr
    imported = load_topology(out)
    assert imported.cluster == source.cluster
    assert [(n.name, n.state, n.disk_gbps, n.smb_multichannel, n.rdma) for n in imported.nodes] == \
        [(n.name, n.state, n.disk_gbps, n.smb_multichannel, n.rdma) for n in source.nodes]
    for mine, theirs in zip(imported.nodes, source.nodes):
        assert [(c.name, c.gbps, c.team, c.status) for c in mine.nics] == \
            [(c.name, c.gbps, c.team, c.status) for c in theirs.nics], mine.name
        assert [c.management for c in mine.nics] == [i == 0 for i in range(len(theirs.nics))]
    assert [(c.name, c.path, c.owner, c.state, c.redirected, c.size_gb, c.used_gb, sorted(v.name for v in c.vms))
            for c in imported.csvs] == \
        [(c.name, c.path, c.owner, c.state, c.redirected, c.size_gb, c.used_gb, sorted(v.name for v in c.vms))
         for c in sorted(source.csvs, key=lambda c: c.name)]
    # A lab starts from the imported topology and shows the same cluster.
    work2 = tmp_path / "lab2"
    assert _lab("up", "--topology", out, "--workdir", work2).returncode == 0
    try:
        state = json.loads(_lab("state", "--workdir", work2).stdout)
    finally:
        _lab("down", "--workdir", work2)
    assert {name: csv["owner"] for name, csv in state["csvs"].items()} == {c.name: c.owner for c in source.csvs}
    assert sorted(state["nodes"]) == sorted(n.name for n in source.nodes)
    assert yaml.safe_load(out.read_text())["time_scale"] == 600
