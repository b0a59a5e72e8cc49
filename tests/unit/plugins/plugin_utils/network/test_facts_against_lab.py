# -*- coding: utf-8 -*-
"""scripts/network_info.ps1 run by the lab's PowerShell engine on a node with a SET switch, parsed by facts.py.

The SMB bandwidth the facts give the planner must be the lab's own (its transfer model reads the same NICs), and the
findings must be what the node's network is. Skipped where the lab (``wsfc_lab``) is not importable.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.facts import parse_network_info

lab_model = pytest.importorskip("wsfc_lab.model")
# pylint: disable=import-error,wrong-import-position
from wsfc_lab.cmdlets import build_cmdlet_table  # noqa: E402
from wsfc_lab.pwsh.host import Host  # noqa: E402
from wsfc_lab.pwsh.powershell_exe import run_script  # noqa: E402
from wsfc_lab.reference import Reference  # noqa: E402
from wsfc_lab.topology import parse_topology  # noqa: E402

REFERENCE = Reference.load_default()


def _lab(node):
    topology = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        dict({"name": "N1", "disk_gbps": 8}, **node),
        {"name": "N2", "disk_gbps": 8, "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}]})
    return lab_model.Cluster(topology, reference=REFERENCE, clock=lambda: 0.0, ticker=False)


def _network_info(model, node="N1"):
    with open(os.path.join(powershell.SCRIPT_DIR, "network_info.ps1"), encoding="utf-8") as handle:
        body = handle.read()
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log(dict({"node": node}, **e)))
    result = run_script("$ErrorActionPreference = 'Stop'\n$WsfcArgs = '{}' | ConvertFrom-Json\n" + body, host)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


NICS = [{"name": "MGMT", "gbps": 1, "rdma_capable": False},
        {"name": "A", "gbps": 10, "team": "T1", "rdma_capable": True},
        {"name": "B", "gbps": 10, "team": "T1", "rdma_capable": True},
        {"name": "S1", "gbps": 25, "rdma_capable": True}, {"name": "S2", "gbps": 25, "rdma_capable": True}]
SET = [{"name": "SETSWITCH", "members": ["S1", "S2"], "host_vnics": ["SMB1", "SMB2"]}]


@pytest.mark.parametrize("multichannel", [True, False])
def test_a_set_node_as_the_lab_answers_it(multichannel):
    model = _lab({"nics": NICS, "rdma": True, "os": "2019", "set_switches": SET, "smb_multichannel": multichannel})
    try:
        facts = parse_network_info(_network_info(model), ["127.0.0.1"])
        assert [(t["name"], t["members"], t["link_gbps"]) for t in facts["set_teams"]] == [
            ("SETSWITCH", ["S1", "S2"], 50)]
        assert [(a["name"], a["team"], a["set_team"]) for a in facts["adapters"]] == [
            ("MGMT", None, None), ("A", "T1", None), ("B", "T1", None), ("S1", None, "SETSWITCH"),
            ("S2", None, "SETSWITCH")]
        assert [(v["name"], v["link_gbps"], v["rdma_enabled"]) for v in facts["host_vnics"]] == [
            ("vEthernet (SMB1)", 50, True), ("vEthernet (SMB2)", 50, True)]
        assert facts["os"]["build"] == 17763 and facts["hyperv"] is True
        ids = sorted((f["id"], f["subject"]) for f in facts["findings"])
        assert ("lbfo_on_hyperv", "T1") in ids and ("rdma_in_lbfo_team", "A") in ids and ("rdma_in_lbfo_team", "B") in ids
        key = "multichannel" if multichannel else "single_channel"
        assert facts["smb_gbps"][key] == model.node("N1").network_gbps(multichannel)
    finally:
        model.close()


def test_a_node_without_hyperv_has_no_set_facts_and_no_set_recommendation():
    model = _lab({"nics": NICS, "hyperv": False})
    try:
        facts = parse_network_info(_network_info(model), ["127.0.0.1"])
        assert facts["hyperv"] is False and facts["set_teams"] == [] and facts["host_vnics"] == []
        assert "lbfo_on_hyperv" not in {f["id"] for f in facts["findings"]}
    finally:
        model.close()
