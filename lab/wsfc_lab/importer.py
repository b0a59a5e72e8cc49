"""Turn facts saved from a real cluster into a lab topology: ``python -m wsfc_lab import facts.json``.

The input is JSON holding what ``wsfc.csv.cluster_info`` returned (required) and, optionally, what
``wsfc.csv.network_info`` returned on each node, in any of these shapes:

- the ``cluster_info`` result itself (an object with ``cluster``, ``nodes`` and ``csvs``);
- ``{"cluster_info": <result>, "network_info": {<node>: <result>, ...}}`` (``network_info`` may also be a list of
  results, each naming its ``node``), e.g. written by a play with ``ansible.builtin.copy: content="{{ ... | to_json }}"``.

Facts map to the topology as documented in lab/README.md ("Rehearse against your own cluster"). What the facts do
not say gets a documented default and a warning: a node's local read rate (``disk_gbps``, default
``DEFAULT_DISK_GBPS`` or ``--disk-gbps``), a node without ``network_info`` (one NIC of ``DEFAULT_NIC_GBPS``), an
adapter that is down (its speed is unknown: ``DEFAULT_NIC_GBPS``, status Disconnected), states the lab does not
model, and whether a hardware VSS provider exists (``--hardware-provider``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from wsfc_lab.topology import (BLOCK_REDIRECT_REASONS, CSV_STATES, DEFAULT_OS, FILE_SYSTEM_REDIRECT_REASONS,
                               NODE_STATES, parse_topology)

# Win32_OperatingSystem BuildNumber -> the topology's ``os`` (wsfc_lab.model.OS_BUILDS)
OS_OF_BUILD = {14393: "2016", 17763: "2019", 20348: "2022", 26100: "2025"}

DEFAULT_TIME_SCALE = 60.0
DEFAULT_DISK_GBPS = 8.0
DEFAULT_NIC_GBPS = 10.0
GB = 1e9  # the lab reads used_gb as 10^9 bytes per GB


def _results(data: Any) -> tuple[dict, list[dict]]:
    if not isinstance(data, dict):
        raise ValueError("facts: expected a JSON object (a cluster_info result, or {cluster_info, network_info})")
    if "csvs" in data and "nodes" in data:
        cluster_info, network = data, []
    elif isinstance(data.get("cluster_info"), dict):
        cluster_info, network = data["cluster_info"], data.get("network_info") or []
    else:
        raise ValueError("facts: no cluster_info result (an object with cluster, nodes and csvs) found")
    if isinstance(network, dict):
        network = [dict(result, node=result.get("node") or name) for name, result in network.items()]
    if not isinstance(network, list) or not all(isinstance(r, dict) for r in network):
        raise ValueError("facts.network_info: expected an object of node to result, or a list of results")
    return cluster_info, network


def _gb(value: Any) -> float:
    return round(float(value or 0) / GB, 3)


def _nics(node: str, result: dict, warn) -> tuple[list[dict], bool | None, bool]:
    nics = []
    for adapter in result.get("adapters") or []:
        nic: dict[str, Any] = {"name": adapter["name"]}
        speed = adapter.get("link_gbps") or 0
        if adapter.get("status") == "Up" and speed > 0:
            nic["gbps"] = float(speed)
        else:
            nic["gbps"] = DEFAULT_NIC_GBPS
            nic["status"] = "Disconnected"
            warn(f"{node}: adapter {adapter['name']} is {adapter.get('status')}, its link speed is unknown; "
                 f"modelled as Disconnected at {DEFAULT_NIC_GBPS:g} Gb/s")
        if adapter.get("team"):
            nic["team"] = adapter["team"]
        if adapter.get("rdma_capable") is not None:
            nic["rdma_capable"] = bool(adapter["rdma_capable"])
        if adapter.get("management") and not any(n.get("management") for n in nics):
            nic["management"] = True  # network_info flags every member of the team that carries it; the lab: one NIC
        nics.append(nic)
    for team in result.get("teams") or []:
        if (team.get("teaming_mode"), team.get("load_balancing_algorithm")) != ("SwitchIndependent", "Dynamic"):
            warn(f"{node}: team {team.get('name')} is {team.get('teaming_mode')}/{team.get('load_balancing_algorithm')}; "
                 "the lab starts every team as SwitchIndependent/Dynamic")
    multichannel = result.get("smb_multichannel") or {}
    smb = None
    if multichannel:
        smb = bool(multichannel.get("client")) and bool(multichannel.get("server"))
        if bool(multichannel.get("client")) != bool(multichannel.get("server")):
            warn(f"{node}: SMB Multichannel is {'on' if multichannel.get('client') else 'off'} on the client and "
                 f"{'on' if multichannel.get('server') else 'off'} on the server; the lab has one setting: "
                 f"{'on' if smb else 'off'}")
    rdma = any(a.get("rdma_enabled") for a in (result.get("adapters") or []) + (result.get("host_vnics") or []))
    return nics, smb, rdma


def _vnic_name(adapter_name: str) -> str:
    match = re.match(r"^vEthernet \((.+)\)$", str(adapter_name))
    return match.group(1) if match else str(adapter_name)


def _set_switches(node: str, result: dict, nics: list[dict], warn) -> list[dict]:
    """The node's SET teams as ``set_switches``; host vNICs go to the switch only when there is one switch.

    network_info does not read which switch a host vNIC is on (Get-VMNetworkAdapter is not in the reference).
    """
    teams = result.get("set_teams") or []
    names = {n["name"]: n for n in nics}
    switches = []
    for team in teams:
        members = [m for m in team.get("members") or [] if m in names and not names[m].get("team")]
        if not members:
            warn(f"{node}: SET team {team.get('name')} has no member among the adapters; not imported")
            continue
        for member in members:
            names[member].pop("management", None)  # a SET member holds no address of its own
        switch: dict[str, Any] = {"name": team["name"], "members": members}
        if team.get("load_balancing_algorithm") in ("Dynamic", "HyperVPort"):
            switch["load_balancing"] = team["load_balancing_algorithm"]
        switches.append(switch)
    vnics = result.get("host_vnics") or []
    if len(switches) == 1:
        switches[0]["host_vnics"] = [dict({"name": _vnic_name(v["name"])}, **({"management": True}
                                                                              if v.get("management") else {}))
                                     for v in vnics]
        if any(v.get("management") for v in vnics):
            for nic in nics:
                nic.pop("management", None)
    elif vnics and switches:
        warn(f"{node}: {len(vnics)} host vNICs and {len(switches)} SET teams: which switch a host vNIC is on is not "
             f"in the facts; no host vNIC imported")
    for switch in switches:
        if nics and nics[0]["name"] in switch["members"] and not switch.get("host_vnics") \
                and not any(n.get("management") for n in nics):
            switch["host_vnics"] = [{"name": "Management", "management": True}]
            warn(f"{node}: the first adapter is a member of SET team {switch['name']}; a host vNIC 'Management' "
                 f"holds the management address")
    return switches


def _modelled_state(name: str, state: Any, known: Any, fallback: str, warnings: list[str]) -> str:
    """``state`` when the lab models it; otherwise ``fallback`` (the safe reading: not available), with a warning."""
    if state in known:
        return state
    warnings.append(f"{name}: state {state!r} is not modelled; imported as {fallback}")
    return fallback


def build_topology(data: Any, disk_gbps: float = DEFAULT_DISK_GBPS, time_scale: float = DEFAULT_TIME_SCALE,
                   hardware_provider: bool = False) -> tuple[dict, list[str]]:
    """The topology (a dict, valid for ``parse_topology``) and the warnings about what the facts did not say."""
    warnings: list[str] = []
    cluster_info, network = _results(data)
    by_node = {str(r.get("node", "")).lower(): r for r in network}
    nodes = []
    for node in cluster_info.get("nodes") or []:
        name = node["name"]
        state = _modelled_state(name, node.get("state"), NODE_STATES, "Down", warnings)
        entry: dict[str, Any] = {"name": name, "state": state, "disk_gbps": disk_gbps}
        if node.get("site"):
            entry["site"] = str(node["site"])
        result = by_node.pop(name.lower(), None)
        if result is None:
            entry["nics"] = [{"name": "NIC1", "gbps": DEFAULT_NIC_GBPS}]
            warnings.append(f"{name}: no network_info; modelled with one {DEFAULT_NIC_GBPS:g} Gb/s NIC (NIC1)")
        else:
            nics, smb, rdma = _nics(name, result, warnings.append)
            if not nics:
                nics = [{"name": "NIC1", "gbps": DEFAULT_NIC_GBPS}]
                warnings.append(f"{name}: network_info lists no adapters; modelled with one {DEFAULT_NIC_GBPS:g} Gb/s NIC")
            entry["nics"] = nics
            switches = _set_switches(name, result, nics, warnings.append)
            if switches:
                entry["set_switches"] = switches
            if result.get("hyperv") is False:
                entry["hyperv"] = False
            build = (result.get("os") or {}).get("build")
            if build is not None:
                entry["os"] = OS_OF_BUILD.get(int(build), DEFAULT_OS)
                if int(build) not in OS_OF_BUILD:
                    warnings.append(f"{name}: Windows build {build} is not a release the lab models; imported as "
                                    f"{DEFAULT_OS}")
            if smb is not None:
                entry["smb_multichannel"] = smb
            entry["rdma"] = rdma
        nodes.append(entry)
    for extra in sorted(by_node):
        warnings.append(f"network_info of {extra!r} ignored: it is not a node of the cluster")
    csvs = []
    for csv in cluster_info.get("csvs") or []:
        name = csv["name"]
        state = _modelled_state(name, csv.get("state"), CSV_STATES, "Offline", warnings)
        path = str(csv.get("path") or "").rstrip("\\")
        if not re.match(r"^[A-Za-z]:\\ClusterStorage\\[^\\]+$", path):
            raise ValueError(f"{name}: path {csv.get('path')!r} is not a CSV path like C:\\ClusterStorage\\Volume1")
        size, used = _gb(csv.get("size_bytes")), _gb(csv.get("used_bytes"))
        if size <= 0:
            warnings.append(f"{name}: size is unknown; imported as {max(used, 1.0):g} GB")
            size = max(used, 1.0)
        entry = {"name": name, "path": path, "size_gb": size, "used_gb": min(used, size), "owner": csv.get("owner"),
                 "state": state}
        filesystem = str(csv.get("filesystem") or "").upper().replace("CSVFS_", "")
        if filesystem in ("NTFS", "REFS"):
            entry["filesystem"] = "ReFS" if filesystem == "REFS" else "NTFS"
        elif filesystem:
            warnings.append(f"{name}: file system {csv.get('filesystem')!r} is not modelled; imported as NTFS")
        if csv.get("redirected"):
            reason = csv.get("redirected_reason")
            parts = [p.strip() for p in str(reason or "").split(",") if p.strip()]
            documented = FILE_SYSTEM_REDIRECT_REASONS + BLOCK_REDIRECT_REASONS
            if parts and all(p in FILE_SYSTEM_REDIRECT_REASONS for p in parts) or \
                    parts and all(p in BLOCK_REDIRECT_REASONS for p in parts):
                entry["redirected"] = ", ".join(parts)
            else:
                entry["redirected"] = "UserRequest"
                if not reason:
                    warnings.append(f"{name}: in redirected access for no reported reason; imported as UserRequest")
                else:
                    warnings.append(f"{name}: redirected for {reason!r}, not documented reasons of one mode "
                                    f"({', '.join(documented)}); imported as UserRequest")
        if csv.get("vms"):
            entry["vms"] = [vm if isinstance(vm, str) else vm["name"] for vm in csv["vms"]]
        csvs.append(entry)
    warnings.append(f"disk_gbps (a node's local read rate) is not in the facts; every node reads at {disk_gbps:g} "
                    "Gb/s (set --disk-gbps to your storage's figure)")
    if not hardware_provider:
        warnings.append("no hardware VSS provider modelled (use --hardware-provider if your nodes have one)")
    topology = {"cluster": cluster_info["cluster"]["name"], "time_scale": time_scale, "nodes": nodes, "csvs": csvs,
                "vss": {"hardware_provider": hardware_provider}}
    parse_topology(topology, "imported topology")  # raises TopologyError naming the key when the result is invalid
    return topology, warnings


def load_facts(path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def dump_topology(topology: dict, source: str) -> str:
    header = (f"# Imported by `python -m wsfc_lab import` from {source}.\n"
              "# disk_gbps and the time scale are not in the facts: check them before you rehearse.\n")
    return header + yaml.safe_dump(topology, sort_keys=False, default_flow_style=None, width=120)
