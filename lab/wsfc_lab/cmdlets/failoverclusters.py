"""FailoverClusters cmdlets, acting on the lab's cluster model.

Parameters follow the documented signatures (the shared cmdlets.json), output
properties ``lab/reference/FailoverClusters.json`` (which cites Microsoft's pages). Objects are built by
:class:`wsfc_lab.cmdlets.documented.Documented`, so only documented properties
ever reach a script. ``ctx.host`` is the :class:`wsfc_lab.model.Cluster`;
``ctx.node`` the node the script runs on.
"""

from __future__ import annotations

import time
from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.model import Cluster, CsvState, ModelError
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError
from wsfc_lab.pwsh.objects import PSObject

NS = "Microsoft.FailoverClusters.PowerShell."
TABLE = CmdletTable()


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _object_name(value: Any) -> str:
    """A name from a string or from a cluster object piped in (-InputObject)."""
    if isinstance(value, PSObject) and value.has("Name"):
        return str(value.get("Name"))
    return str(value)


def _check_cluster(ctx: Any, params: dict) -> Cluster:
    model: Cluster = ctx.host
    cluster = params.get("Cluster")
    if cluster not in (None, ".") and str(cluster).lower() != model.name.lower():
        raise NotModelled(f"-Cluster {cluster!r} (only the local cluster is simulated)")
    return model


def _error(ctx: Any, exc: ModelError, cmdlet_class: str, target: Any = None) -> PSError:
    return PSError(str(exc), category=exc.category, error_id=f"{type(exc).__name__},{NS}{cmdlet_class}",
                   target=target, exception="Microsoft.FailoverClusters.PowerShell.ClusterCmdletException")


def _doc(ctx: Any) -> Documented:
    return Documented(ctx.host.reference)


def node_object(doc: Documented, model: Cluster, name: str) -> PSObject:
    node = model.node(name)
    return doc.make(NS + "ClusterNode", {"Name": node.name, "Id": node.id, "State": node.state}, to_string=node.name)


def csv_object(doc: Documented, model: Cluster, csv: CsvState) -> PSObject:
    size = int(csv.size_gb * 1e9)
    used = int(csv.used_gb * 1e9)
    partition = doc.make(NS + "ClusterDiskPartitionInfo", {
        "Name": csv.path, "Size": size, "FreeSpace": size - used, "UsedSpace": used,
        # CSVFS over the CSV's file system: "After you add a disk as a CSV, it's designated in the CSV File System
        # (CSVFS) format" (Cluster Shared Volumes overview); the lab writes CSVFS_<file system> (CSVFS_NTFS,
        # CSVFS_ReFS), the szFileSystem of [MS-CMRP] CLUS_PARTITION_INFO_EX as the lab models it (not confirmed
        # from a documented example for ReFS).
        "PercentFree": round(100.0 * (size - used) / size, 2) if size else 0.0,
        "FileSystem": f"CSVFS_{csv.filesystem}", "PartitionNumber": 2,
    })
    info = doc.make(NS + "ClusterSharedVolumeInfo", {
        "FriendlyVolumeName": csv.path, "Partition": partition, "MaintenanceMode": False,
        "RedirectedAccess": bool(csv.redirected),
        # CLUSTER_SHARED_VOLUME_BACKUP_STATE (sdk-api clusapi; [MS-CMRP] CLUS_CSV_VOLUME_INFO BackupState):
        # VolumeBackupInProgress while another product's backup holds the CSV, else VolumeBackupNone
        "BackupState": "VolumeBackupInProgress" if model.backup_in_progress(csv) else "VolumeBackupNone",
    })
    return doc.make(NS + "ClusterSharedVolume", {
        "Name": csv.name, "State": csv.state, "OwnerNode": node_object(doc, model, csv.owner),
        "SharedVolumeInfo": [info], "Id": csv.id,
    }, to_string=csv.name)


@TABLE.register("Get-Cluster")
def get_cluster(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    yield _doc(ctx).make(NS + "Cluster", {"Name": model.name}, to_string=model.name)


@TABLE.register("Get-ClusterNode")
def get_cluster_node(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    doc = _doc(ctx)
    wanted = _names(params.get("Name"))
    if not wanted:
        return [node_object(doc, model, n) for n in model.nodes]
    out = []
    for name in wanted:
        try:
            out.append(node_object(doc, model, name))
        except ModelError as exc:
            ctx.write_error(_error(ctx, exc, "GetNodeCommand", name))
    return out


@TABLE.register("Get-ClusterSharedVolume")
def get_cluster_shared_volume(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    doc = _doc(ctx)
    wanted = _names(params.get("Name"))
    if not wanted:
        return [csv_object(doc, model, c) for c in list(model.csvs.values())]
    out = []
    for name in wanted:
        try:
            out.append(csv_object(doc, model, model.csv(name)))
        except ModelError as exc:
            ctx.write_error(_error(ctx, exc, "GetClusterSharedVolumeCommand", name))
    return out


# Per-node access state, with the State and RedirectedIOReason values the Get-ClusterSharedVolumeState page shows
# ('Direct', 'File System Redirected', 'Block Redirected'; 'NotRedirected', 'UserRequest', 'NoDiskConnectivity').
# The rules (ReFS, Storage Spaces Direct, the topology's redirect, a snapshot being taken) are Cluster.csv_access's,
# each with its page.
@TABLE.register("Get-ClusterSharedVolumeState")
def get_cluster_shared_volume_state(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    doc = _doc(ctx)
    names = _names(params.get("Name")) or ([_object_name(params["InputObject"])] if params.get("InputObject") else [])
    csvs = [model.csv(n) for n in names] if names else list(model.csvs.values())
    nodes = [model.node(n).name for n in _names(params.get("Node"))] or list(model.nodes)
    out = []
    for csv in csvs:
        for node in nodes:
            state = model.node(node).state
            if state != "Up":
                continue
            info, reason = model.csv_access(csv, node)
            out.append(doc.make(NS + "ClusterSharedVolumeStateInfo", {
                "Name": csv.name, "VolumeName": f"\\\\?\\Volume{{{csv.id}}}\\", "Node": node, "State": info,
                "VolumeFriendlyName": csv.path.rsplit("\\", 1)[-1], "RedirectedIOReason": reason,
            }))
    return out


@TABLE.register("Move-ClusterSharedVolume")
def move_cluster_shared_volume(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    name = params.get("Name") or (_object_name(params["InputObject"]) if params.get("InputObject") else None)
    if name is None:
        raise PSError("Cannot validate argument on parameter 'Name'. Specify a cluster shared volume.",
                      category="InvalidArgument", error_id=f"MissingName,{NS}MoveClusterSharedVolumeCommand")
    node = params.get("Node")
    if node is None:
        raise NotModelled("Move-ClusterSharedVolume without -Node (best-possible-node placement)")
    try:
        csv, duration = model.move_csv(_object_name(name), _object_name(node), caller=ctx.node)
    except ModelError as exc:
        raise _error(ctx, exc, "MoveClusterSharedVolumeCommand", name) from None
    if duration:
        time.sleep(duration / model.time_scale)
    return [csv_object(_doc(ctx), model, csv)]


@TABLE.register("Get-ClusterGroup")
def get_cluster_group(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    doc = _doc(ctx)
    first_up = next((n.name for n in model.nodes.values() if n.state == "Up"), next(iter(model.nodes)))
    groups = [("Cluster Group", first_up, True), ("Available Storage", first_up, True)]
    groups += [(vm["name"], vm["owner"], False) for csv in model.csvs.values() for vm in csv.vms]
    wanted = {n.lower() for n in _names(params.get("Name"))}
    out = []
    for name, owner, core in groups:
        if wanted and name.lower() not in wanted:
            continue
        out.append(doc.make(NS + "ClusterGroup", {
            "Name": name, "OwnerNode": node_object(doc, model, owner), "State": "Online", "IsCoreGroup": core,
            "Cluster": model.name,
        }, to_string=name))
    return out


def _resources(doc: Documented, model: Cluster) -> list[tuple[PSObject, dict]]:
    out = []
    for csv in model.csvs.values():
        out.append((doc.make(NS + "ClusterResource", {
            "Name": csv.name, "State": csv.state, "ResourceType": "Physical Disk",
            "OwnerNode": node_object(doc, model, csv.owner), "OwnerGroup": "Cluster Shared Volume",
        }, to_string=csv.name), {}))
        for vm in csv.vms:
            out.append((doc.make(NS + "ClusterResource", {
                "Name": f"Virtual Machine {vm['name']}", "State": "Online", "ResourceType": "Virtual Machine",
                "OwnerNode": node_object(doc, model, vm["owner"]), "OwnerGroup": vm["name"],
            }, to_string=f"Virtual Machine {vm['name']}"), {}))
            out.append((doc.make(NS + "ClusterResource", {
                "Name": f"Virtual Machine Configuration {vm['name']}", "State": "Online",
                "ResourceType": "Virtual Machine Configuration",
                "OwnerNode": node_object(doc, model, vm["owner"]), "OwnerGroup": vm["name"],
            }, to_string=f"Virtual Machine Configuration {vm['name']}"),
                {"ConfigStoreRootPath": f"{csv.path}\\{vm['name']}"}))
    return out


@TABLE.register("Get-ClusterResource")
def get_cluster_resource(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    wanted = {n.lower() for n in _names(params.get("Name"))}
    return [r for r, _ in _resources(_doc(ctx), model) if not wanted or str(r.get("Name")).lower() in wanted]


@TABLE.register("Get-ClusterParameter")
def get_cluster_parameter(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model = _check_cluster(ctx, params)
    doc = _doc(ctx)
    target = params.get("InputObject")
    if target is None:
        raise NotModelled("Get-ClusterParameter without -InputObject (cluster common properties)")
    target_name = _object_name(target)
    private = next((p for r, p in _resources(doc, model) if str(r.get("Name")) == target_name), None)
    if private is None:
        raise NotModelled(f"cluster parameters of {target_name!r}")
    wanted = _names(params.get("Name")) or list(private)
    out = []
    for name in wanted:
        key = next((k for k in private if k.lower() == name.lower()), None)
        if key is None:
            ctx.write_error(PSError(f"The property '{name}' does not exist on resource '{target_name}'.",
                                    category="ObjectNotFound", error_id=f"ParameterNotFound,{NS}GetClusterParameterCommand"))
            continue
        out.append(doc.make(NS + "ClusterParameter", {"Name": key, "Value": private[key]}))
    return out


# Get-ClusterFaultDomain (a CDXML cmdlet, ClusterFaultDomain.cdxml: its objects are CIM instances of a class the pages
# do not name). Properties: Name, Type, Id (the cmdlet's -Name/-Type/-Id), ParentName, ChildrenNames, Location,
# Description (Fault domain awareness, https://learn.microsoft.com/en-us/windows-server/failover-clustering/
# fault-domains); the fault domains are Cluster.fault_domains'.
FAULT_DOMAIN = "ClusterFaultDomain"


@TABLE.register("Get-ClusterFaultDomain")
def get_cluster_fault_domain(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model: Cluster = ctx.host
    for name in ("CimSession", "ThrottleLimit", "AsJob"):
        if params.get(name) is not None:
            raise NotModelled(f"Get-ClusterFaultDomain -{name} (the lab answers for the local cluster only)")
    doc = _doc(ctx)
    names = {n.lower() for n in _names(params.get("Name"))}
    types = {t.lower() for t in _names(params.get("Type"))}
    ids = {i.lower() for i in _names(params.get("Id"))}
    out = []
    for fd in model.fault_domains():
        if (names and fd["name"].lower() not in names) or (types and fd["type"].lower() not in types) \
                or (ids and fd["id"].lower() not in ids):
            continue
        out.append(doc.make(FAULT_DOMAIN, {
            "Name": fd["name"], "Type": fd["type"], "Id": fd["id"], "ParentName": fd["parent"],
            "ChildrenNames": list(fd["children"]), "Location": "", "Description": "",
        }, to_string=fd["name"]))
    return out
