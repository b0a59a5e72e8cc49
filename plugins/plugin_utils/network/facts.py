# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parse a node's network facts and evaluate the backup network recommendations, with no I/O.

``parse_network_info`` turns what ``scripts/network_info.ps1`` printed into the facts ``wsfc.csv.network_info``
returns; ``evaluate_findings`` checks them against the recommendations for CSV backups. Both are pure so the
role can reuse them on facts gathered any way.

Windows reports CIM uint32 properties as numbers and some PowerShell versions as names; every value is
normalised to the documented name here (MSFT_NetLbfoTeam, MSFT_NetImPlatAdapter, MSFT_NetAdapter and
CLUSTER_NETWORK_ROLE pages, cited in lab/reference/*.json). The SET teams' TeamingMode and LoadBalancingAlgorithm
are Hyper-V enums whose numbers Microsoft does not document, so the script prints their names.

Switch Embedded Teaming (SET) is read from Get-VMSwitchTeam (its members are named by interface description,
matched here to the physical adapters) and the host vNICs from Get-NetAdapter ("vEthernet (...)", "Hyper-V Virtual
Ethernet Adapter ..."); see scripts/network_info.ps1 for what the pages document. Which switch a host vNIC is on
is not read (Get-VMNetworkAdapter -ManagementOS is not in the reference), so host vNICs are listed per node.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.model import smb_side_gbps

DEFAULT_MIN_GBPS = 10.0

TEAMING_MODES = {"0": "Static", "1": "SwitchIndependent", "2": "Lacp"}
LB_ALGORITHMS = {"0": "TransportPorts", "2": "IPAddresses", "3": "MacAddresses", "4": "HyperVPort", "5": "Dynamic"}
TEAM_STATUS = {"0": "Up", "1": "Down", "2": "Degraded"}
FAILURE_REASONS = {"0": "NoFailure", "1": "AdministrativeDecision", "3": "PhysicalMediaDisconnected",
                   "4": "WaitingForStableConnectivity", "5": "LacpNegotiationIssue", "6": "NicNotPresent",
                   "7": "UnknownFailure", "9": "VirtualSwitchLacksExternalConnectivity"}
OPER_STATUS = {"1": "Up", "2": "Down", "3": "Testing", "4": "Unknown", "5": "Dormant", "6": "NotPresent",
               "7": "LowerLayerDown"}
# CLUSTER_NETWORK_ROLE; PowerShell may print None, Cluster, Client, ClusterAndClient for the same values.
NETWORK_ROLES = {"0": "None", "1": "Cluster", "2": "Client", "3": "ClusterAndClient",
                 "none": "None", "internaluse": "Cluster", "cluster": "Cluster", "clientaccess": "Client",
                 "client": "Client", "internalandclient": "ClusterAndClient", "clusterandclient": "ClusterAndClient"}

SEVERITIES = ("critical", "warning", "info")
# Windows Server 2016 is build 14393 ("Windows Server release information",
# https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info): SET and RDMA on a Hyper-V
# switch exist from there on; 2022 is build 20348.
WS2016_BUILD = 14393
WS2022_BUILD = 20348
HOST_VNIC_DESCRIPTION = "hyper-v virtual ethernet adapter"
RDMA_SET_PAGE = ("Remote Direct Memory Access (RDMA) and Switch Embedded Teaming (SET), https://learn.microsoft.com/"
                 "en-us/windows-server/virtualization/hyper-v-virtual-switch/rdma-and-switch-embedded-teaming")
LBFO_2022_PAGE = ("Features removed or no longer developed starting with Windows Server 2022, https://learn.microsoft."
                  "com/en-us/windows-server/get-started/removed-deprecated-features-windows-server-2022")
MULTICHANNEL_PAGE = ("Simplified SMB Multichannel and Multi-NIC Cluster Networks, https://learn.microsoft.com/en-us/"
                     "windows-server/failover-clustering/smb-multichannel")


def _name(value, mapping):
    """The documented name for a number or a name (names are matched case-insensitively)."""
    text = "" if value is None else str(value).strip()
    if text in mapping:
        return mapping[text]
    if text.lower() in mapping:
        return mapping[text.lower()]
    for name in mapping.values():
        if name.lower() == text.lower():
            return name
    return text or None


def _gbps(bps):
    try:
        return round(float(bps) / 1e9, 3)
    except (TypeError, ValueError):
        return 0.0


def _int(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def management_interface(addresses, management_addresses):
    """The interface alias that holds one of ``management_addresses`` (the address the task connects to), or None.

    Addresses are compared as IP addresses (``::1`` and ``0:0::1`` are the same); a non-IP string never matches.
    """
    wanted = set()
    for text in management_addresses or []:
        try:
            wanted.add(ipaddress.ip_address(str(text).split("%", 1)[0]))
        except ValueError:
            continue
    for entry in addresses or []:
        try:
            address = ipaddress.ip_address(str(entry.get("address", "")).split("%", 1)[0])
        except ValueError:
            continue
        if address in wanted:
            return entry.get("interface")
    return None


def parse_teams(raw_teams, raw_members, adapters_by_name=None):
    """Teams with their members (name, link speed, failure reason) and normalised mode, algorithm and status."""
    adapters_by_name = adapters_by_name or {}
    teams = []
    for team in raw_teams or []:
        members = []
        for member in raw_members or []:
            if str(member.get("team", "")).lower() != str(team.get("name", "")).lower():
                continue
            adapter = adapters_by_name.get(member.get("name"), {})
            members.append({
                "name": member.get("name"),
                "link_gbps": _gbps(member.get("speed_bps")),
                "failure_reason": _name(member.get("failure_reason"), FAILURE_REASONS),
                "status": adapter.get("status") or ("Up" if _name(member.get("failure_reason"), FAILURE_REASONS)
                                                    == "NoFailure" else "Down"),
            })
        teams.append({
            "name": team.get("name"),
            "teaming_mode": _name(team.get("teaming_mode"), TEAMING_MODES),
            "load_balancing_algorithm": _name(team.get("load_balancing_algorithm"), LB_ALGORITHMS),
            "status": _name(team.get("status"), TEAM_STATUS),
            "members": [m["name"] for m in members],
            "member_details": members,
            "link_gbps": round(sum(m["link_gbps"] for m in members if m["status"] == "Up"), 3),
        })
    return teams


def parse_os(raw_os):
    """``{"caption", "version", "build"}`` with ``build`` an int (None when unknown), or None without facts."""
    if not isinstance(raw_os, dict) or not any(raw_os.values()):
        return None
    build = _int(raw_os.get("build"))
    if build is None and raw_os.get("version"):
        build = _int(str(raw_os["version"]).split(".")[-1])
    return {"caption": raw_os.get("caption") or None, "version": raw_os.get("version") or None, "build": build}


def parse_set_teams(raw_teams, adapters):
    """SET teams with their members matched to the physical adapters by interface description.

    A member whose description matches no adapter (or several) is kept by its description, with no speed.
    """
    by_description = {}
    for adapter in adapters:
        by_description.setdefault(str(adapter.get("description") or "").lower(), []).append(adapter)
    teams = []
    for team in raw_teams or []:
        members = []
        for description in team.get("members") or []:
            hits = by_description.get(str(description).lower(), [])
            adapter = hits[0] if len(hits) == 1 else {}
            members.append({
                "name": adapter.get("name") or description,
                "description": description,
                "link_gbps": adapter.get("link_gbps", 0.0),
                "status": adapter.get("status") or "Unknown",
                "rdma_capable": bool(adapter.get("rdma_capable")),
                "rdma_enabled": bool(adapter.get("rdma_enabled")),
            })
        teams.append({
            "name": team.get("name"),
            "teaming_mode": team.get("teaming_mode") or None,
            "load_balancing_algorithm": team.get("load_balancing_algorithm") or None,
            "members": [m["name"] for m in members],
            "member_details": members,
            "link_gbps": round(sum(m["link_gbps"] for m in members if m["status"] == "Up"), 3),
        })
    return teams


def parse_network_info(raw, management_addresses=None, min_gbps=DEFAULT_MIN_GBPS):
    """The facts of ``wsfc.csv.network_info`` for one node (see the module's RETURN for the shape)."""
    node = raw.get("node")
    rdma = dict((r.get("name"), bool(r.get("enabled"))) for r in raw.get("rdma") or [])
    team_of = dict((m.get("name"), m.get("team")) for m in raw.get("team_members") or [])
    mgmt = management_interface(raw.get("addresses"), management_addresses)
    adapters = []
    for adapter in raw.get("adapters") or []:
        name = adapter.get("name")
        team = team_of.get(name) or None
        adapters.append({
            "name": name,
            "description": adapter.get("description"),
            "index": _int(adapter.get("index")),
            "link_gbps": _gbps(adapter.get("speed_bps")),
            "status": _name(adapter.get("oper_status"), OPER_STATUS),
            "team": team,
            "set_team": None,
            "rdma_capable": name in rdma,
            "rdma_enabled": rdma.get(name, False),
            "management": mgmt is not None and mgmt in (name, team),
        })
    set_teams = parse_set_teams(raw.get("set_teams"), adapters)
    for team in set_teams:
        for adapter in adapters:
            if adapter["name"] in team["members"] and not adapter["team"]:
                adapter["set_team"] = team["name"]
    host_vnics = []
    for vnic in raw.get("host_vnics") or []:
        if HOST_VNIC_DESCRIPTION not in str(vnic.get("description") or "").lower():
            continue
        name = vnic.get("name")
        host_vnics.append({
            "name": name, "description": vnic.get("description"), "index": _int(vnic.get("index")),
            "link_gbps": _gbps(vnic.get("speed_bps")), "status": _name(vnic.get("oper_status"), OPER_STATUS),
            "rdma_capable": name in rdma, "rdma_enabled": rdma.get(name, False),
            "management": mgmt is not None and mgmt == name,
        })
    by_name = dict((a["name"], a) for a in adapters)
    teams = parse_teams(raw.get("teams"), raw.get("team_members"), by_name)
    multichannel = raw.get("smb_multichannel") or {}
    smb = {"client": bool(multichannel.get("client", True)), "server": bool(multichannel.get("server", True))}
    connections = [{
        "server": c.get("server"), "selected": bool(c.get("selected")), "client_interface": c.get("client_interface"),
        "client_ip": c.get("client_ip"), "server_ip": c.get("server_ip"),
        "client_link_gbps": _gbps(c.get("client_speed_bps")), "client_rdma_capable": bool(c.get("client_rdma_capable")),
        "server_rdma_capable": bool(c.get("server_rdma_capable")),
    } for c in raw.get("smb_connections") or []]
    networks = [{
        "name": n.get("name"), "role": _name(n.get("role"), NETWORK_ROLES), "metric": _int(n.get("metric")),
        "state": n.get("state"), "address": n.get("address"), "address_mask": n.get("address_mask"),
    } for n in raw.get("cluster_networks") or []]
    planner = {"adapters": planner_adapters(adapters), "smb_multichannel": dict(smb)}
    facts = {
        "node": node,
        "os": parse_os(raw.get("os")),
        "hyperv": bool(raw.get("hyperv")),
        "adapters": adapters,
        "teams": teams,
        "set_teams": set_teams,
        "host_vnics": host_vnics,
        "smb_multichannel": smb,
        "smb_connections": connections,
        "cluster_networks": networks,
        "management_interface": mgmt,
        "smb_gbps": {"multichannel": smb_side_gbps(planner, True) or 0.0,
                     "single_channel": smb_side_gbps(planner, False) or 0.0},
        "nodes": {node: planner},
    }
    facts["findings"] = evaluate_findings(facts, min_gbps)
    return facts


def planner_adapters(adapters):
    """The adapters as the SMB path model reads them: ``name``, ``link_gbps``, ``status``, ``team``.

    A SET team counts as an LBFO team does (``team`` is the switch's name): with SMB Multichannel every member
    carries traffic, without it the team is one interface as fast as its members together. SET is Switch
    Independent teaming and its Dynamic mode distributes outbound flows over every member (RDMA and SET page,
    "SET Modes and Settings"). The same page says Hyper-V Port mode "will also always limit a single VM (i.e., the
    traffic from a single switch port) to the bandwidth that is available on a single interface", and that Dynamic
    distributes inbound traffic that way too: a single SMB channel over one host vNIC may get one member's speed.
    Like the LBFO team's aggregate for one channel, that is not modelled. Host vNICs are not counted: their
    bandwidth is their switch members'.
    """
    return [{"name": a.get("name"), "link_gbps": a.get("link_gbps"), "status": a.get("status"),
             "team": a.get("team") or a.get("set_team")} for a in adapters or []]


def _finding(fid, severity, node, subject, what, why, fix):
    return {"id": fid, "severity": severity, "node": node, "subject": subject, "what": what, "why": why, "fix": fix}


def _teaming_findings(facts):
    """LBFO on a Hyper-V host of Windows Server 2016 or later, and RDMA-capable adapters in an LBFO team.

    Since Windows Server 2016 "you can enable RDMA on network adapters that are bound to a Hyper-V Virtual Switch
    with or without SET", while before it "it is not possible to configure RDMA on network adapters that are
    bound to a NIC Team or to a Hyper-V Virtual Switch" (RDMA and SET page): 2016 lifted the restriction for the
    Hyper-V switch only, so RDMA does not work on an LBFO member. "Hyper-V vSwitch on LBFO" is among the features
    no longer developed starting with Windows Server 2022: "In a future release, the Hyper-V vSwitch will no longer
    have the capability to be bound to an LBFO team. Instead, it must be bound via Switch Embedded Teaming (SET)."
    A host is a Hyper-V host here when Get-VMSwitchTeam exists on it (the Hyper-V PowerShell module: the facts
    cannot tell the role from its management tools); whether an LBFO team is under a vSwitch is not read
    (Get-VMSwitch is not in the reference), so the recommendation covers every LBFO team of such a host.
    """
    node = facts.get("node")
    out = []
    build = (facts.get("os") or {}).get("build")
    teams = facts.get("teams") or []
    if facts.get("hyperv") and build is not None and build >= WS2016_BUILD:
        for team in teams:
            members = team.get("members") or []
            out.append(_finding(
                "lbfo_on_hyperv", "info", node, team.get("name"),
                "%s is a Hyper-V host on %s with LBFO team %s (%s)"
                % (node, (facts.get("os") or {}).get("caption") or "Windows Server build %d" % build, team.get("name"),
                   ", ".join(members) or "no members"),
                "Since Windows Server 2016 the teaming for Hyper-V hosts is Switch Embedded Teaming (SET): RDMA works "
                "on SET members and host vNICs, not on NICs in an LBFO team (%s)%s." % (
                    RDMA_SET_PAGE,
                    "; a Hyper-V switch over an LBFO team is no longer developed from Windows Server 2022 and a future "
                    "release will not allow it (%s)" % LBFO_2022_PAGE if build >= WS2022_BUILD else
                    "; Windows Server 2022 stops developing a Hyper-V switch over LBFO (%s)" % LBFO_2022_PAGE),
                "Replace the team with a SET switch: remove it (Remove-NetLbfoTeam -Name '%s'), then New-VMSwitch "
                "-Name <switch> -NetAdapterName %s -EnableEmbeddedTeaming $true, add host vNICs for SMB "
                "(Add-VMNetworkAdapter -ManagementOS -SwitchName <switch> -Name SMB1) and enable RDMA on them. "
                "Plan it in a maintenance window: the node's addresses move to the host vNICs."
                % (team.get("name"), ",".join("'%s'" % m for m in members) or "<adapters>")))
    for adapter in facts.get("adapters") or []:
        if adapter.get("rdma_capable") and adapter.get("team"):
            out.append(_finding(
                "rdma_in_lbfo_team", "info", node, adapter.get("name"),
                "Adapter %s on %s is RDMA-capable but a member of LBFO team %s"
                % (adapter.get("name"), node, adapter.get("team")),
                "RDMA does not work on network adapters bound to an LBFO NIC team, so SMB Direct cannot use it and "
                "SMB backup reads over the team use TCP only (%s)." % RDMA_SET_PAGE,
                "Bind the adapter to a SET switch instead (New-VMSwitch -EnableEmbeddedTeaming $true, or "
                "Add-VMSwitchTeamMember) and enable RDMA on the host vNICs that carry SMB; or take it out of the team "
                "and use it on its own with SMB Multichannel."))
    return out


def evaluate_findings(facts, min_gbps=DEFAULT_MIN_GBPS):
    """Recommendations the node's network does not meet, most severe first.

    ``facts`` has the shape :func:`parse_network_info` returns (``adapters``, ``teams``, ``smb_multichannel``,
    ``node``). ``min_gbps`` is the slowest SMB bandwidth a backup path should have.
    """
    min_gbps = float(min_gbps)
    node = facts.get("node")
    smb = facts.get("smb_multichannel") or {}
    findings = []
    client, server = bool(smb.get("client", True)), bool(smb.get("server", True))
    for side, enabled in (("client", client), ("server", server)):
        if not enabled:
            findings.append(_finding(
                "multichannel_disabled", "warning", node, "smb_%s" % side,
                "SMB Multichannel is disabled on the SMB %s of %s" % (side, node),
                "SMB Multichannel is enabled by default since Windows Server 2016, so someone turned it off (%s). "
                "Without it an SMB backup read %s uses one interface instead of all of them."
                % (MULTICHANNEL_PAGE, "by this node" if side == "client" else "from this node's CSVs"),
                "Enable it: wsfc.csv.smb_multichannel with %s: true (Set-Smb%sConfiguration -EnableMultiChannel $true)."
                % (side, "Client" if side == "client" else "Server")))
    planner = {"adapters": planner_adapters(facts.get("adapters"))}
    gbps = smb_side_gbps(planner, client and server) or 0.0
    if gbps < min_gbps:
        findings.append(_finding(
            "slow_path", "warning", node, "smb",
            "%s can move SMB backup data at %g Gb/s, below the %g Gb/s threshold" % (node, gbps, min_gbps),
            "A backup that reads a CSV coordinated by another node (software snapshot) streams every byte over SMB, "
            "so this path limits it.",
            "Use faster adapters or more of them with SMB Multichannel, team adapters, or move CSV ownership to the "
            "backup node so the read stays local."))
    for team in facts.get("teams") or []:
        name, members = team.get("name"), team.get("member_details") or []
        if team.get("status") not in (None, "Up"):
            down = [m["name"] for m in members if m.get("status") != "Up"]
            findings.append(_finding(
                "team_degraded", "critical", node, name,
                "Team %s on %s is %s%s" % (name, node, team.get("status"),
                                           " (members not up: %s)" % ", ".join(down) if down else ""),
                "A degraded team has lost bandwidth and its redundancy; a down team carries nothing.",
                "Reconnect or replace the failed member adapters (Get-NetLbfoTeamMember shows FailureReason)."))
        if len(members) == 1:
            findings.append(_finding(
                "team_single_member", "warning", node, name,
                "Team %s on %s has one member (%s)" % (name, node, members[0]["name"]),
                "A team of one adds no bandwidth and no redundancy.",
                "Add a second adapter of the same speed: wsfc.csv.nic_team with both members."))
        speeds = sorted(set(m.get("link_gbps") for m in members if m.get("status") == "Up"))
        if len(speeds) > 1:
            findings.append(_finding(
                "team_unequal_speed", "warning", node, name,
                "Team %s on %s mixes adapter speeds (%s Gb/s)" % (name, node, ", ".join("%g" % s for s in speeds)),
                "Teaming network adapters of different speeds is not supported (New-NetLbfoTeam); traffic is "
                "distributed without regard to speed.",
                "Team adapters of one speed only."))
    findings.extend(_teaming_findings(facts))
    for adapter in facts.get("adapters") or []:
        if adapter.get("rdma_capable") and adapter.get("team"):
            continue  # RDMA does not work through an LBFO team: rdma_in_lbfo_team says so
        if adapter.get("rdma_capable") and not adapter.get("rdma_enabled"):
            findings.append(_finding(
                "rdma_not_enabled", "info", node, adapter.get("name"),
                "Adapter %s on %s is RDMA-capable but RDMA is disabled" % (adapter.get("name"), node),
                "SMB Direct (RDMA) moves backup data with lower latency and CPU use.",
                "Enable it with Enable-NetAdapterRdma -Name '%s' if the network is configured for RDMA."
                % adapter.get("name")))
    vnics = [v for v in facts.get("host_vnics") or [] if v.get("rdma_capable")]
    if vnics and not any(v.get("rdma_enabled") for v in vnics):
        findings.append(_finding(
            "rdma_not_enabled", "info", node, "host_vnics",
            "The host vNICs of %s (%s) are RDMA-capable but RDMA is enabled on none of them"
            % (node, ", ".join(str(v.get("name")) for v in vnics)),
            "SMB Direct (RDMA) moves backup data with lower latency and CPU use; on a SET switch it runs over the "
            "host vNICs that carry SMB (%s)." % RDMA_SET_PAGE,
            "Enable it on the vNICs that carry SMB, e.g. Enable-NetAdapterRdma -Name '%s', if the network is "
            "configured for RDMA." % vnics[0].get("name")))
    order = dict((s, i) for i, s in enumerate(SEVERITIES))
    findings.sort(key=lambda f: (order[f["severity"]], f["id"], str(f["subject"])))
    return findings
