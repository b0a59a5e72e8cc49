"""NetAdapter, NetLbfo, NetTCPIP and SmbShare cmdlets (and Get-ClusterNetwork), acting on the lab's model.

Parameters (and their accepted values) follow the documented signatures (the shared cmdlets.json); output
properties follow ``lab/reference/NetAdapter.json``, ``NetLbfo.json``, ``NetTCPIP.json``, ``SmbShare.json`` and
the ClusterNetwork entries of ``FailoverClusters.json``, each citing Microsoft's page.
Output objects are CIM instances on Windows: their uint32 properties (``TeamingMode``, ``Status``,
``InterfaceOperationalStatus`` ...) are plain numbers with the values the class pages document, so the lab
returns numbers too. Every change goes through :class:`wsfc_lab.model.Cluster`, which logs a ``net.*`` event
and re-rates the SMB reads; a parameter the lab does not simulate is refused as "not modelled".
"""

from __future__ import annotations

import fnmatch
from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.model import Cluster, ModelError
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError

TABLE = CmdletTable()
CLUSTER_NS = "Microsoft.FailoverClusters.PowerShell."

# Documented values of the MSFT_NetLbfoTeam / MSFT_NetImPlatAdapter / MSFT_NetAdapter uint32 properties
# (class pages cited in the types' source_note of lab/reference/NetLbfo.json and NetAdapter.json).
TEAMING_MODE_VALUES = {"Static": 0, "SwitchIndependent": 1, "Lacp": 2}
LBA_VALUES = {"TransportPorts": 0, "IPAddresses": 2, "MacAddresses": 3, "HyperVPort": 4, "Dynamic": 5}
TEAM_STATUS_VALUES = {"Up": 0, "Down": 1, "Degraded": 2}
FAILURE_REASON = {"NoFailure": 0, "PhysicalMediaDisconnected": 3}
OPER_STATUS = {"Up": 1, "Down": 2}


def _enum_arg(ctx: Any, cmdlet: str, param: str, type_name: str, value: Any) -> str | None:
    """The accepted value ``value`` names (case-insensitive), or the binder's conversion error."""
    if value is None:
        return None
    # ``accepted_values`` as the shared reference records them from the cmdlet's page
    accepted = ctx.host.reference.cmdlet(cmdlet).parameter(param).accepted_values
    for item in accepted:
        if item.lower() == str(value).lower():
            return item
    raise PSError(f"Cannot bind parameter '{param}'. Cannot convert value \"{value}\" to type \"{type_name}\". "
                  f"Error: \"Unable to match the identifier name {value} to a valid enumerator name. Specify one of "
                  f"the following enumerator names and try again:\n{', '.join(accepted)}\"",
                  category="InvalidArgument", error_id=f"CannotConvertArgumentNoMessage,{cmdlet}",
                  exception="System.Management.Automation.ParameterBindingException")


def _doc(ctx: Any) -> Documented:
    return Documented(ctx.host.reference)


def _model(ctx: Any) -> Cluster:
    return ctx.host


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _match(name: str, patterns: list[str]) -> bool:
    return not patterns or any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns)


def _refuse_remote(params: dict) -> None:
    if params.get("CimSession") is not None:
        raise NotModelled("-CimSession (only the local computer is simulated)")
    if params.get("AsJob"):
        raise NotModelled("-AsJob")


def _cim_error(exc: ModelError, cmdlet: str, target: Any = None) -> PSError:
    return PSError(str(exc), category=exc.category, error_id=f"Windows System Error,{cmdlet}", target=target,
                   exception="Microsoft.Management.Infrastructure.CimException")


def _not_found(ctx: Any, cmdlet: str, what: str, prop: str, value: str) -> None:
    ctx.write_error(PSError(f"No {what} objects found with property '{prop}' equal to '{value}'.  Verify the value "
                            f"of the property and retry.", category="ObjectNotFound",
                            error_id=f"CmdletizationQuery_NotFound_{prop},{cmdlet}", target=value))


# ---- NetAdapter ---------------------------------------------------------------------------------------

def _adapter_objects(ctx: Any, physical_only: bool) -> list[tuple[dict, Any]]:
    model = _model(ctx)
    doc = _doc(ctx)
    node = model.node(ctx.node)
    out = []
    for nic in node.nics:
        up = nic["status"] == "Up"
        out.append((nic, doc.make("MSFT_NetAdapter", {
            "Name": nic["name"], "InterfaceDescription": f"Lab Ethernet Adapter {nic['index'] - 10}",
            "InterfaceIndex": nic["index"], "Speed": int(nic["gbps"] * 1e9) if up else 0, "Virtual": False,
            "HardwareInterface": True, "InterfaceOperationalStatus": OPER_STATUS["Up" if up else "Down"],
        }, to_string=nic["name"])))
    if not physical_only:
        # Host vNICs of SET switches: virtual adapters "vEthernet (<name>)", "Hyper-V Virtual Ethernet Adapter #n",
        # at the switch's speed (Cluster.host_vnics cites the page). -Physical leaves them out: the page's -Physical
        # "gets only physical network adapters".
        for vnic in model.host_vnics(node.name):
            out.append((vnic, doc.make("MSFT_NetAdapter", {
                "Name": vnic["name"], "InterfaceDescription": vnic["description"], "InterfaceIndex": vnic["index"],
                "Speed": int(vnic["gbps"] * 1e9) if vnic["up"] else 0, "Virtual": True, "HardwareInterface": False,
                "InterfaceOperationalStatus": OPER_STATUS["Up" if vnic["up"] else "Down"],
            }, to_string=vnic["name"])))
        for team in sorted(node.teams):
            state = model.team_state(node.name, team)
            out.append(({"name": team}, doc.make("MSFT_NetAdapter", {
                "Name": team, "InterfaceDescription": f"Lab team interface {team}", "InterfaceIndex": state["index"],
                "Speed": int(state["gbps"] * 1e9), "Virtual": True, "HardwareInterface": False,
                "InterfaceOperationalStatus": OPER_STATUS["Down" if state["status"] == "Down" else "Up"],
            }, to_string=team)))
    return out


@TABLE.register("Get-NetAdapter")
def get_net_adapter(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("IncludeHidden"):
        raise NotModelled("Get-NetAdapter -IncludeHidden (hidden adapters)")
    names = _list(params.get("Name"))
    indexes = [int(i) for i in _list(params.get("InterfaceIndex"))]
    descriptions = _list(params.get("InterfaceDescription"))
    out = []
    for _, obj in _adapter_objects(ctx, bool(params.get("Physical"))):
        if names and not _match(str(obj.get("Name")), names):
            continue
        if indexes and obj.get("InterfaceIndex") not in indexes:
            continue
        if descriptions and not _match(str(obj.get("InterfaceDescription")), descriptions):
            continue
        out.append(obj)
    for name in names:
        if not any(ch in name for ch in "*?[") and not any(str(o.get("Name")).lower() == name.lower() for o in out):
            _not_found(ctx, "Get-NetAdapter", "MSFT_NetAdapter", "Name", name)
    return out


@TABLE.register("Get-NetAdapterRdma")
def get_net_adapter_rdma(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Only RDMA-capable adapters are returned (the page: 'the RDMA properties of an RDMA-capable network adapter')."""
    _refuse_remote(params)
    if params.get("IncludeHidden") or params.get("InterfaceDescription"):
        raise NotModelled("Get-NetAdapterRdma -IncludeHidden / -InterfaceDescription")
    names = _list(params.get("Name"))
    doc = _doc(ctx)
    model = _model(ctx)
    # Physical RDMA-capable NICs (Enabled: the node's rdma; for an LBFO member that is the adapter's setting, which
    # SMB cannot use through the team, see get_smb_multichannel_connection), then the RDMA-capable host vNICs
    # (the Converged NIC page lists "vEthernet (SMB1)" and its Enabled state; Cluster.host_vnics).
    adapters = [(nic["name"], nic["rdma_enabled"]) for nic in model.node(ctx.node).nics if nic["rdma_capable"]]
    adapters += [(v["name"], v["rdma_enabled"]) for v in model.host_vnics(ctx.node) if v["rdma_capable"]]
    return [doc.make("MSFT_NetAdapterRdmaSettingData", {"Name": name, "Enabled": enabled}, to_string=name)
            for name, enabled in adapters if _match(name, names)]


# ---- NetTCPIP -----------------------------------------------------------------------------------------

@TABLE.register("Get-NetIPAddress")
def get_net_ip_address(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    for unsupported in ("AssociatedIPInterface", "IncludeAllCompartments", "PolicyStore", "PreferredLifetime",
                        "PrefixLength", "PrefixOrigin", "SkipAsSource", "SuffixOrigin", "Type", "ValidLifetime",
                        "AddressState"):
        if params.get(unsupported) is not None:
            raise NotModelled(f"Get-NetIPAddress -{unsupported}")
    families = [_enum_arg(ctx, "Get-NetIPAddress", "AddressFamily", "AddressFamily", f)
                for f in _list(params.get("AddressFamily"))]
    addresses = _list(params.get("IPAddress"))
    aliases = _list(params.get("InterfaceAlias"))
    indexes = [int(i) for i in _list(params.get("InterfaceIndex"))]
    doc = _doc(ctx)
    out = []
    if families and "IPv4" not in families:
        return out  # the lab's interfaces have IPv4 addresses only
    for iface in _model(ctx).interfaces(ctx.node):
        if addresses and iface["address"] not in addresses:
            continue
        if aliases and not _match(iface["name"], aliases):
            continue
        if indexes and iface["index"] not in indexes:
            continue
        out.append(doc.make("MSFT_NetIPAddress", {"IPAddress": iface["address"], "InterfaceAlias": iface["name"],
                                                  "InterfaceIndex": iface["index"]}, to_string=iface["address"]))
    for address in addresses:
        if not any(o.get("IPAddress") == address for o in out):
            _not_found(ctx, "Get-NetIPAddress", "MSFT_NetIPAddress", "IPAddress", address)
    return out


# ---- NetLbfo ------------------------------------------------------------------------------------------

def _team_object(ctx: Any, team: str) -> Any:
    state = _model(ctx).team_state(ctx.node, team)
    return _doc(ctx).make("MSFT_NetLbfoTeam", {
        "Name": team, "InstanceID": "{%08X-0000-4000-8000-%012X}" % (state["index"], state["index"]),
        "TeamingMode": TEAMING_MODE_VALUES[state["mode"]], "LoadBalancingAlgorithm": LBA_VALUES[state["lba"]],
        "Status": TEAM_STATUS_VALUES[state["status"]],
    }, to_string=team)


def _member_object(ctx: Any, nic: dict) -> Any:
    up = nic["status"] == "Up"
    speed = int(nic["gbps"] * 1e9) if up else 0
    return _doc(ctx).make("MSFT_NetLbfoTeamMember", {
        "Name": nic["name"], "InstanceID": "{%08X-0000-4000-8000-%012X}" % (nic["index"], nic["index"]),
        "InterfaceDescription": f"Lab Ethernet Adapter {nic['index'] - 10}", "Team": nic["team"],
        "TransmitLinkSpeed": speed, "ReceiveLinkSpeed": speed,
        "FailureReason": FAILURE_REASON["NoFailure" if up else "PhysicalMediaDisconnected"],
    }, to_string=nic["name"])


@TABLE.register("Get-NetLbfoTeam")
def get_net_lbfo_team(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("MemberOfTheTeam") is not None or params.get("TeamNicForTheTeam") is not None:
        raise NotModelled("Get-NetLbfoTeam -MemberOfTheTeam / -TeamNicForTheTeam")
    names = _list(params.get("Name"))
    teams = sorted(_model(ctx).node(ctx.node).teams)
    out = [_team_object(ctx, t) for t in teams if _match(t, names)]
    for name in names:
        if not any(ch in name for ch in "*?[") and not any(t.lower() == name.lower() for t in teams):
            _not_found(ctx, "Get-NetLbfoTeam", "MSFT_NetLbfoTeam", "Name", name)
    return out


@TABLE.register("Get-NetLbfoTeamMember")
def get_net_lbfo_team_member(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("TeamOfTheMember") is not None:
        raise NotModelled("Get-NetLbfoTeamMember -TeamOfTheMember")
    names, teams = _list(params.get("Name")), _list(params.get("Team"))
    return [_member_object(ctx, nic) for nic in _model(ctx).node(ctx.node).nics
            if nic["team"] and _match(nic["name"], names) and _match(nic["team"], teams)]


def _apply(ctx: Any, cmdlet: str, target: str, action: str, change) -> Any:
    if not ctx.should_process(target, action):
        return None
    try:
        return change()
    except ModelError as exc:
        raise _cim_error(exc, cmdlet, target) from None


@TABLE.register("New-NetLbfoTeam")
def new_net_lbfo_team(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    name = str(params["Name"])
    if params.get("LacpTimer") is not None:
        raise NotModelled("New-NetLbfoTeam -LacpTimer")
    if params.get("TeamNicName") not in (None, name):
        raise NotModelled("New-NetLbfoTeam -TeamNicName other than the team's name")
    mode = _enum_arg(ctx, "New-NetLbfoTeam", "TeamingMode", "TeamingModes", params.get("TeamingMode"))
    lba = _enum_arg(ctx, "New-NetLbfoTeam", "LoadBalancingAlgorithm", "LBAlgos", params.get("LoadBalancingAlgorithm"))
    patterns = _list(params.get("TeamMembers"))
    nics = _model(ctx).node(ctx.node).nics
    members = []
    for pattern in patterns:
        hits = [n["name"] for n in nics if _match(n["name"], [pattern])]
        members.extend(h for h in (hits or [pattern]) if h not in members)
    done = _apply(ctx, "New-NetLbfoTeam", name, "New", lambda: _model(ctx).new_team(
        ctx.node, name, members, mode or "SwitchIndependent", lba or "Dynamic"))
    return [] if done is None else [_team_object(ctx, name)]


@TABLE.register("Remove-NetLbfoTeam")
def remove_net_lbfo_team(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("InputObject") is not None or params.get("PassThru"):
        raise NotModelled("Remove-NetLbfoTeam -InputObject / -PassThru")
    for name in _list(params.get("Name")):
        _apply(ctx, "Remove-NetLbfoTeam", name, "Remove", lambda name=name: _model(ctx).remove_team(ctx.node, name))
    return []


@TABLE.register("Set-NetLbfoTeam")
def set_net_lbfo_team(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    for unsupported in ("InputObject", "MemberOfTheTeam", "TeamNicForTheTeam", "LacpTimer"):
        if params.get(unsupported) is not None:
            raise NotModelled(f"Set-NetLbfoTeam -{unsupported}")
    mode = _enum_arg(ctx, "Set-NetLbfoTeam", "TeamingMode", "TeamingModes", params.get("TeamingMode"))
    lba = _enum_arg(ctx, "Set-NetLbfoTeam", "LoadBalancingAlgorithm", "LBAlgos", params.get("LoadBalancingAlgorithm"))
    out = []
    for name in _list(params.get("Name")):
        done = _apply(ctx, "Set-NetLbfoTeam", name, "Modify",
                      lambda name=name: _model(ctx).set_team(ctx.node, name, mode, lba))
        if done is not None and params.get("PassThru"):
            out.append(_team_object(ctx, name))
    return out


@TABLE.register("Add-NetLbfoTeamMember")
def add_net_lbfo_team_member(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if _enum_arg(ctx, "Add-NetLbfoTeamMember", "AdministrativeMode", "AdminModes",
                 params.get("AdministrativeMode")) not in (None, "Active"):
        raise NotModelled("standby team members (-AdministrativeMode Standby)")
    team, member = str(params["Team"]), str(params["Name"])
    if not ctx.should_process(member, "Add"):
        return []
    try:
        _model(ctx).add_team_member(ctx.node, team, member)
    except ModelError as exc:
        raise _cim_error(exc, "Add-NetLbfoTeamMember", member) from None
    nic = next(n for n in _model(ctx).node(ctx.node).nics if n["name"].lower() == member.lower())
    return [_member_object(ctx, nic)]


@TABLE.register("Remove-NetLbfoTeamMember")
def remove_net_lbfo_team_member(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("InputObject") is not None or params.get("PassThru"):
        raise NotModelled("Remove-NetLbfoTeamMember -InputObject / -PassThru")
    for team in _list(params.get("Team")):
        for member in _list(params.get("Name")):
            _apply(ctx, "Remove-NetLbfoTeamMember", member, "Remove",
                   lambda team=team, member=member: _model(ctx).remove_team_member(ctx.node, team, member))
    return []


# ---- SmbShare -----------------------------------------------------------------------------------------

@TABLE.register("Get-SmbClientConfiguration")
def get_smb_client_configuration(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    node = _model(ctx).node(ctx.node)
    return [_doc(ctx).make("MSFT_SmbClientConfiguration", {"EnableMultiChannel": node.smb_client_multichannel})]


@TABLE.register("Get-SmbServerConfiguration")
def get_smb_server_configuration(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    node = _model(ctx).node(ctx.node)
    return [_doc(ctx).make("MSFT_SmbServerConfiguration", {"EnableMultiChannel": node.smb_server_multichannel})]


def _set_smb(ctx: Any, params: dict, cmdlet: str, side: str) -> list:
    _refuse_remote(params)
    others = sorted(k for k in params if k not in ("EnableMultiChannel", "Force", "Confirm", "WhatIf")
                    and k.lower() not in {"verbose", "debug", "erroraction", "warningaction", "informationaction",
                                          "errorvariable", "warningvariable", "informationvariable", "outvariable",
                                          "outbuffer", "pipelinevariable"})
    if others:
        raise NotModelled(f"{cmdlet} -{others[0]} (only -EnableMultiChannel is simulated)")
    if "EnableMultiChannel" not in params:
        return []
    value = bool(params["EnableMultiChannel"])
    if ctx.should_process("SMB Service Configuration" if side == "server" else "SMB Client Configuration", "Modify"):
        _model(ctx).set_smb_multichannel(ctx.node, caller=ctx.node, **{side: value})
    return []


@TABLE.register("Set-SmbClientConfiguration")
def set_smb_client_configuration(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    return _set_smb(ctx, params, "Set-SmbClientConfiguration", "client")


@TABLE.register("Set-SmbServerConfiguration")
def set_smb_server_configuration(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    return _set_smb(ctx, params, "Set-SmbServerConfiguration", "server")


def _interface_rdma(model: Cluster, node: str, iface: dict) -> bool:
    """Whether SMB sees an IP interface as RDMA-capable: a standalone NIC or a host vNIC with RDMA enabled.

    Never an LBFO team interface: "In editions of Windows Server previous to Windows Server 2016, it is not possible
    to configure RDMA on network adapters that are bound to a NIC Team or to a Hyper-V Virtual Switch. In Windows
    Server 2016, you can enable RDMA on network adapters that are bound to a Hyper-V Virtual Switch with or without
    SET" ("Remote Direct Memory Access (RDMA) and Switch Embedded Teaming (SET)",
    https://learn.microsoft.com/en-us/windows-server/virtualization/hyper-v-virtual-switch/rdma-and-switch-embedded-teaming):
    2016 lifts the restriction for a Hyper-V switch only, so RDMA does not work through an LBFO team, whatever its
    members' settings. The lab's throughput model gives RDMA no bandwidth (NodeState.network_gbps), so this only
    decides what Get-SmbMultichannelConnection reports.
    """
    if iface.get("team"):
        return False
    if iface.get("vnic"):
        return bool(iface.get("rdma_enabled"))
    return any(n["rdma_enabled"] for n in model.node(node).nics if n["name"] == iface["name"])


@TABLE.register("Get-SmbMultichannelConnection")
def get_smb_multichannel_connection(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_remote(params)
    if params.get("IncludeNotSelected") or params.get("SmbInstance") not in (None, "Default"):
        raise NotModelled("Get-SmbMultichannelConnection -IncludeNotSelected / -SmbInstance")
    servers = _list(params.get("ServerName"))
    model = _model(ctx)
    doc = _doc(ctx)
    out = []
    for conn in model.smb_connections(ctx.node):
        if not _match(conn["server"], servers):
            continue
        client, server = conn["client"], conn["server_interface"]
        client_rdma = _interface_rdma(model, ctx.node, client)
        server_rdma = _interface_rdma(model, conn["server"], server)
        out.append(doc.make("MSFT_SmbMultichannelConnection", {
            "ServerName": conn["server"], "Selected": True, "ClientInterfaceFriendlyName": client["name"],
            "ClientInterfaceIndex": client["index"], "ClientIpAddress": client["address"],
            "ClientLinkSpeed": int(client["gbps"] * 1e9), "ClientRdmaCapable": client_rdma,
            "ClientRSSCapable": False, "ServerInterfaceIndex": server["index"], "ServerIpAddress": server["address"],
            "ServerLinkSpeed": int(server["gbps"] * 1e9), "ServerRdmaCapable": server_rdma,
            "ServerRSSCapable": False, "CurrentChannels": 1, "MaxChannels": 1, "Failed": False, "FailureCount": 0,
        }))
    return out


# ---- FailoverClusters: Get-ClusterNetwork -------------------------------------------------------------

@TABLE.register("Get-ClusterNetwork")
def get_cluster_network(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _model(ctx)
    cluster = params.get("Cluster")
    if cluster not in (None, ".") and str(cluster).lower() != model.name.lower():
        raise NotModelled(f"-Cluster {cluster!r} (only the local cluster is simulated)")
    if params.get("InputObject") is not None:
        raise NotModelled("Get-ClusterNetwork -InputObject")
    names = _list(params.get("Name"))
    doc = _doc(ctx)
    out = []
    for net in model.cluster_networks():
        if names and net["name"].lower() not in [n.lower() for n in names]:
            continue
        out.append(doc.make(CLUSTER_NS + "ClusterNetwork", {
            "Name": net["name"], "Role": net["role"], "Metric": net["metric"], "State": net["state"],
            "Address": net["address"], "AddressMask": net["mask"],
        }, to_string=net["name"]))
    return out
