"""Load and validate a lab topology file (YAML).

A topology describes the cluster the lab simulates: nodes with their disks and
NICs, CSVs with their coordinators, the VSS providers, the accounts scheduled tasks may run as, and scheduled
faults.
It is strict on purpose: an unknown key or a dangling reference is an error
that names the key path, so a typo never silently becomes a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NODE_STATES = ("Up", "Down", "Paused")
NIC_STATUSES = ("Up", "Disconnected")
# Windows Server releases a node can run (Win32_OperatingSystem Version/BuildNumber/Caption in the model). The
# build numbers are those of "Windows Server release information"
# (https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info).
OS_RELEASES = ("2016", "2019", "2022", "2025")
DEFAULT_OS = "2022"
# A SET team's load-balancing modes: "The options for SET team Load Balancing distribution mode are Hyper-V Port and
# Dynamic" ("Remote Direct Memory Access (RDMA) and Switch Embedded Teaming (SET)",
# https://learn.microsoft.com/en-us/windows-server/virtualization/hyper-v-virtual-switch/rdma-and-switch-embedded-teaming).
SET_LOAD_BALANCING = ("Dynamic", "HyperVPort")
# "SET supports between one and eight network adapters in a team" (same page).
SET_MAX_MEMBERS = 8
CSV_STATES = ("Online", "Offline", "Failed")
FAULT_KINDS = {
    "node_down": {"node"},
    "node_pause": {"node"},
    "move_fails": {"csv"},
    "move_hangs": {"csv"},
    "snapshot_fails": {"node"},
    "snapshot_delete_fails": {"node"},  # Remove-CimInstance of a shadow copy on that node fails (times: how often)
    "winrm_timeout": {"node"},
    "winrm_drop": {"node"},      # the node runs the next command to its end, then the connection drops unanswered
    "csv_failover": {"csv"},
    "backup_fails": set(),     # keys node, csv, exit_code (default 8): a backup job's tool exits with exit_code
    # another VSS requester (a backup product) holds the node's shadow copy set creation for for_s modelled seconds:
    # "only one shadow copy creation operation can be in progress at one time" (IVssBackupComponents::
    # StartSnapshotSet, VSS_E_SNAPSHOT_SET_IN_PROGRESS, https://learn.microsoft.com/en-us/windows/win32/api/
    # vsbackup/nf-vsbackup-ivssbackupcomponents-startsnapshotset)
    "vss_busy": {"node", "for_s"},
    # another product's VSS backup holds the CSV (its BackupState is VolumeBackupInProgress) for for_s modelled
    # seconds, then lets go (CLUSTER_SHARED_VOLUME_BACKUP_STATE, https://learn.microsoft.com/en-us/windows/win32/api/
    # clusapi/ne-clusapi-cluster_shared_volume_backup_state; lab/README.md "Modern clusters")
    "foreign_backup": {"csv", "for_s"},
    # a Cluster-Aware Updating run is in progress for for_s modelled seconds (Get-CauRun answers a CauRun object)
    "cau_run": {"for_s"},
    # the CSV balancer moves the CSV's ownership to node ``to`` by itself ("ownership is automatically rebalanced",
    # Cluster Shared Volumes overview, https://learn.microsoft.com/en-us/windows-server/failover-clustering/
    # failover-cluster-csvs)
    "csv_rebalance": {"csv", "to"},
    # the node joins the cluster again (state Up); with ``csv_balancer: true`` the balancer then evens out ownership
    "node_up": {"node"},
}
# Documented redirected-I/O reasons, by mode, in the order of their bits: the member names of
# CLUSTER_SHARED_VOLUME_STATE_INFO_EX's RedirectedIOReason (file system) and VolumeRedirectedIOReason (block) without
# their RedirectedIOReason / VolumeRedirectedIOReason prefix (sdk-api clusapi, commit
# 09192f3d77e2ca7ad4bc1665d2ed85755f4ed7be, https://learn.microsoft.com/en-us/windows/win32/api/clusapi/
# ns-clusapi-cluster_shared_volume_state_info_ex). Get-ClusterSharedVolumeState's example shows this convention
# ('UserRequest', 'NoDiskConnectivity').
FILE_SYSTEM_REDIRECT_REASONS = ("UserRequest", "UnsafeFileSystemFilter", "UnsafeVolumeFilter", "FileSystemTiering",
                                "BitLockerInitializing", "ReFs")
BLOCK_REDIRECT_REASONS = ("NoDiskConnectivity", "StorageSpaceNotAttached", "VolumeReplicationEnabled")
FILESYSTEMS = ("NTFS", "ReFS")
STORAGE_KINDS = ("san", "s2d")
# snapshot_fails ``reason`` -> the Win32_ShadowCopy.Create return code it makes (codes and meanings from the
# Create method's page, lab/reference/wmi.json). Without a reason: provider_failure.
SNAPSHOT_FAILURE_REASONS = {
    "access_denied": 1,
    "volume_unsupported": 4,
    "diff_area_full": 6,          # 6: Insufficient storage (no room in the shadow storage / diff area)
    "volume_in_use": 7,
    "max_shadow_copies": 8,
    "in_progress": 9,
    "provider_veto": 10,
    "provider_missing": 11,
    "provider_failure": 12,
    "unknown": 13,
}
FAULT_KEYS = {"kind", "node", "csv", "to", "at", "after_ops", "times", "reason", "during", "seconds", "exit_code",
              "for_s"}
# Faults that fire (at a time, after a number of operations, or at once when injected without either) rather than
# wait for the operation they change.
FIRING_FAULTS = ("node_down", "node_pause", "csv_failover", "vss_busy", "foreign_backup", "cau_run", "csv_rebalance",
                 "node_up")
# MaxShadowCopies: "the maximum number of client-accessible shadow copies that can be stored on each volume";
# default 64, minimum 1, maximum 512; "For other types of shadow copies ... The maximum number of shadow copies is
# 512 per volume." (Registry Keys and Values for Backup and Restore,
# https://learn.microsoft.com/en-us/windows/win32/backup/registry-keys-for-backup-and-restore#maxshadowcopies)
MAX_SHADOW_COPIES_DEFAULT = 64
SHADOW_COPIES_PER_VOLUME = 512
# Accounts a scheduled task may run as (``accounts:``). ``NT AUTHORITY\SYSTEM`` always exists and needs no entry.
ACCOUNT_KINDS = ("user", "gmsa")
SYSTEM_ACCOUNT = "NT AUTHORITY\\SYSTEM"
TOPOLOGY_DIR = Path(__file__).resolve().parent.parent / "topologies"


class TopologyError(ValueError):
    """A topology file is invalid; the message names the key path."""


@dataclass
class Nic:
    name: str
    gbps: float
    team: str | None = None
    status: str = "Up"                  # Up | Disconnected (media disconnected: carries nothing)
    rdma_capable: bool | None = None    # None: the node's ``rdma`` value
    management: bool = False            # carries the node's management (WinRM) address


@dataclass
class HostVnic:
    """A host (management OS) virtual NIC on a Hyper-V switch; Get-NetAdapter shows it as ``vEthernet (<name>)``."""
    name: str
    management: bool = False            # holds the node's management (WinRM) address


@dataclass
class SetSwitch:
    """A Hyper-V virtual switch with Switch Embedded Teaming over ``members`` (names of the node's NICs)."""
    name: str
    members: list[str]
    load_balancing: str = "Dynamic"     # Dynamic | HyperVPort
    host_vnics: list[HostVnic] = field(default_factory=list)


@dataclass
class Node:
    name: str
    state: str = "Up"
    disk_gbps: float = 8.0
    nics: list[Nic] = field(default_factory=list)
    smb_multichannel: bool = True
    rdma: bool = False
    clock_offset_s: float = 0.0         # how far the node's clock is ahead (negative: behind) of true time
    site: str | None = None             # the site fault domain the node belongs to (Get-ClusterFaultDomain)
    os: str = DEFAULT_OS                # Windows Server release: 2016 | 2019 | 2022 | 2025
    hyperv: bool = True                 # the Hyper-V PowerShell module is installed (Get-VMSwitchTeam exists)
    set_switches: list[SetSwitch] = field(default_factory=list)


@dataclass
class Vm:
    name: str
    owner: str | None = None


@dataclass
class Csv:
    name: str
    path: str
    size_gb: float
    used_gb: float
    owner: str
    state: str = "Online"
    redirected: str | None = None
    vms: list[Vm] = field(default_factory=list)
    shadow_copies: int = 0              # persistent shadow copies another requester left on the volume at start
    filesystem: str = "NTFS"            # NTFS | ReFS (the file system under CSVFS)
    backup_in_progress: bool = False    # another product's backup holds the CSV from the start


@dataclass
class Account:
    name: str                           # DOMAIN\name (a gMSA's name ends in '$')
    kind: str = "user"                  # user | gmsa (a group managed service account: no password of its own)
    password: str | None = None         # a user's password; never logged by the lab
    groups: list[str] = field(default_factory=list)   # local groups on every node, e.g. Administrators

    def __repr__(self) -> str:          # the password stays out of reprs (and so out of tracebacks and logs)
        return f"Account(name={self.name!r}, kind={self.kind!r}, groups={self.groups!r})"


@dataclass
class Target:
    """Where backup tools may write: a share on a backup server (``node`` None) or a folder local to ``node``.

    ``gbps`` is the share's ingress bandwidth (every writer shares it) or, for a local folder, the node's write
    rate to it.
    """
    path: str
    gbps: float
    node: str | None = None


@dataclass
class Topology:
    cluster: str
    time_scale: float
    nodes: list[Node]
    csvs: list[Csv]
    hardware_provider: bool = False
    max_shadow_copies: int = MAX_SHADOW_COPIES_DEFAULT   # MaxShadowCopies (client-accessible shadow copies per volume)
    credentials: dict[str, str] = field(default_factory=dict)
    faults: list[dict] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    storage: str = "san"                # san (shared LUNs) | s2d (Storage Spaces Direct)
    cau_run: bool = False               # a Cluster-Aware Updating run is in progress from the start (and stays)
    csv_balancer: bool = False          # the CSV balancer evens out ownership when a node joins again

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name.lower() == name.lower():
                return node
        raise KeyError(name)


def _keys(where: str, data: Any, allowed: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(data, dict):
        raise TopologyError(f"{where}: expected a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise TopologyError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(data))
    if missing:
        raise TopologyError(f"{where}.{missing[0]}: required key is missing")
    return data


def _number(where: str, value: Any, minimum: float = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TopologyError(f"{where}: expected a number, got {value!r}")
    if value < minimum or (strict and value == minimum):
        raise TopologyError(f"{where}: must be {'>' if strict else '>='} {minimum}, got {value!r}")
    return float(value)


def _choice(where: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise TopologyError(f"{where}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _flag(where: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TopologyError(f"{where}: expected true or false, got {value!r}")
    return value


def _name(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TopologyError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _set_switch(where: str, data: Any, nics: dict[str, Nic]) -> SetSwitch:
    _keys(where, data, {"name", "members", "load_balancing", "host_vnics"}, {"name", "members"})
    members = data["members"]
    if not isinstance(members, list) or not members:
        raise TopologyError(f"{where}.members: expected a list of one to {SET_MAX_MEMBERS} NIC names")
    if len(members) > SET_MAX_MEMBERS:
        raise TopologyError(f"{where}.members: SET supports between one and {SET_MAX_MEMBERS} network adapters, "
                            f"got {len(members)}")
    names = []
    for j, member in enumerate(members):
        name = _name(f"{where}.members[{j}]", member)
        nic = nics.get(name.lower())
        if nic is None:
            raise TopologyError(f"{where}.members[{j}]: {name!r} is not a NIC of this node")
        if nic.team:
            # An adapter bound to an LBFO team is not free to bind to a virtual switch as a SET member: SET
            # "member adapters" are "network adapters that are bound to the Hyper-V Virtual Switch" (RDMA and
            # Switch Embedded Teaming page); the lab refuses an adapter in both.
            raise TopologyError(f"{where}.members[{j}]: {nic.name!r} is a member of LBFO team {nic.team!r}; "
                                f"a NIC is in an LBFO team or a SET switch, not both")
        if nic.management:
            raise TopologyError(f"{where}.members[{j}]: {nic.name!r} is bound to the switch, so it holds no address; "
                                f"flag one of the switch's host_vnics as management instead")
        names.append(nic.name)
    _unique(f"{where}.members", names)
    vnics = []
    for j, vnic in enumerate(data.get("host_vnics") or []):
        w = f"{where}.host_vnics[{j}]"
        if isinstance(vnic, str):
            vnics.append(HostVnic(_name(w, vnic)))
            continue
        _keys(w, vnic, {"name", "management"}, {"name"})
        management = bool(_flag(f"{w}.management", vnic.get("management", False)))
        vnics.append(HostVnic(_name(f"{w}.name", vnic["name"]), management))
    return SetSwitch(name=_name(f"{where}.name", data["name"]), members=names,
                     load_balancing=_choice(f"{where}.load_balancing", data.get("load_balancing", "Dynamic"),
                                            SET_LOAD_BALANCING),
                     host_vnics=vnics)


def _node(where: str, data: Any) -> Node:
    _keys(where, data, {"name", "state", "disk_gbps", "nics", "smb_multichannel", "rdma", "clock_offset_s", "site",
                        "os", "hyperv", "set_switches"}, {"name"})
    nics = []
    for i, nic in enumerate(data.get("nics") or []):
        w = f"{where}.nics[{i}]"
        _keys(w, nic, {"name", "gbps", "team", "status", "rdma_capable", "management"}, {"name", "gbps"})
        nics.append(Nic(_name(f"{w}.name", nic["name"]), _number(f"{w}.gbps", nic["gbps"], strict=True),
                        nic.get("team"), _choice(f"{w}.status", nic.get("status", "Up"), NIC_STATUSES),
                        _flag(f"{w}.rdma_capable", nic.get("rdma_capable")),
                        bool(_flag(f"{w}.management", nic.get("management", False)))))
    if not nics:
        raise TopologyError(f"{where}.nics: a node needs at least one NIC")
    _unique(f"{where}.nics", [n.name for n in nics])
    hyperv = _flag(f"{where}.hyperv", data.get("hyperv", True))
    by_name = {n.name.lower(): n for n in nics}
    if not isinstance(data.get("set_switches") or [], list):
        raise TopologyError(f"{where}.set_switches: expected a list")
    switches = [_set_switch(f"{where}.set_switches[{i}]", s, by_name)
                for i, s in enumerate(data.get("set_switches") or [])]
    if switches and not hyperv:
        raise TopologyError(f"{where}.set_switches: a SET switch is a Hyper-V virtual switch; this node has "
                            f"hyperv: false")
    _unique(f"{where}.set_switches", [s.name for s in switches])
    bound = [m for s in switches for m in s.members]
    for member in bound:
        if bound.count(member) > 1:
            raise TopologyError(f"{where}.set_switches: NIC {member!r} is a member of two SET switches")
    _unique(f"{where}.set_switches.host_vnics", [v.name for s in switches for v in s.host_vnics])
    flags = sum(1 for n in nics if n.management) + sum(1 for s in switches for v in s.host_vnics if v.management)
    if flags > 1:
        raise TopologyError(f"{where}.nics: at most one NIC (or host vNIC) may be the management NIC")
    if not flags and any(nics[0].name == m for m in bound):
        switch = next(s for s in switches if nics[0].name in s.members)
        if not switch.host_vnics:
            raise TopologyError(f"{where}.nics[0]: the first NIC carries the management address by default, but "
                                f"{nics[0].name!r} is bound to SET switch {switch.name!r}, which has no host_vnics")
    return Node(
        name=_name(f"{where}.name", data["name"]),
        state=_choice(f"{where}.state", data.get("state", "Up"), NODE_STATES),
        disk_gbps=_number(f"{where}.disk_gbps", data.get("disk_gbps", 8.0), strict=True),
        nics=nics,
        smb_multichannel=bool(data.get("smb_multichannel", True)),
        rdma=bool(data.get("rdma", False)),
        clock_offset_s=_number(f"{where}.clock_offset_s", data.get("clock_offset_s", 0.0)),
        site=_name(f"{where}.site", data["site"]) if data.get("site") is not None else None,
        os=_choice(f"{where}.os", str(data.get("os", DEFAULT_OS)), OS_RELEASES),
        hyperv=bool(hyperv),
        set_switches=switches,
    )


def _csv(where: str, data: Any) -> Csv:
    _keys(where, data, {"name", "path", "size_gb", "used_gb", "owner", "state", "redirected", "vms", "shadow_copies",
                        "filesystem", "backup_in_progress"},
          {"name", "path", "size_gb", "used_gb", "owner"})
    redirected = data.get("redirected")
    parts = [p.strip() for p in str(redirected).split(",")] if redirected is not None else []
    if redirected is not None and not (all(p in FILE_SYSTEM_REDIRECT_REASONS for p in parts)
                                       or all(p in BLOCK_REDIRECT_REASONS for p in parts)):
        raise TopologyError(f"{where}.redirected: not a documented redirected-I/O reason: {redirected!r} (file system: "
                            f"{', '.join(FILE_SYSTEM_REDIRECT_REASONS)}; block: {', '.join(BLOCK_REDIRECT_REASONS)}; several of one "
                            f"mode joined with ', ')")
    path = _name(f"{where}.path", data["path"])
    if not re.match(r"^[A-Za-z]:\\ClusterStorage\\[^\\]+$", path):
        raise TopologyError(f"{where}.path: expected a CSV path like C:\\ClusterStorage\\Volume1, got {path!r}")
    vms = []
    for i, vm in enumerate(data.get("vms") or []):
        if isinstance(vm, str):
            vms.append(Vm(vm))
        else:
            _keys(f"{where}.vms[{i}]", vm, {"name", "owner"}, {"name"})
            vms.append(Vm(_name(f"{where}.vms[{i}].name", vm["name"]), vm.get("owner")))
    size = _number(f"{where}.size_gb", data["size_gb"], strict=True)
    used = _number(f"{where}.used_gb", data["used_gb"])
    if used > size:
        raise TopologyError(f"{where}.used_gb: {used} is more than size_gb {size}")
    return Csv(
        name=_name(f"{where}.name", data["name"]), path=path, size_gb=size, used_gb=used,
        owner=_name(f"{where}.owner", data["owner"]),
        state=_choice(f"{where}.state", data.get("state", "Online"), CSV_STATES),
        redirected=redirected, vms=vms,
        shadow_copies=_count(f"{where}.shadow_copies", data.get("shadow_copies", 0), SHADOW_COPIES_PER_VOLUME),
        filesystem=_choice(f"{where}.filesystem", data.get("filesystem", "NTFS"), FILESYSTEMS),
        backup_in_progress=bool(_flag(f"{where}.backup_in_progress", data.get("backup_in_progress", False))),
    )


_SHARE_PATH = re.compile(r"^\\\\[^\\/:*?\"<>|]+\\[^\\/:*?\"<>|]+(\\[^\\/:*?\"<>|]+)*\\?$")
_LOCAL_PATH = re.compile(r"^[A-Za-z]:\\([^\\/:*?\"<>|]+(\\[^\\/:*?\"<>|]+)*\\?)?$")


def _target(where: str, data: Any) -> Target:
    _keys(where, data, {"path", "gbps", "node"}, {"path", "gbps"})
    path = _name(f"{where}.path", data["path"])
    node = data.get("node")
    if node is None and not _SHARE_PATH.match(path):
        raise TopologyError(f"{where}.path: a target without a node is a share, \\\\server\\share[\\folder], "
                            f"got {path!r}")
    if node is not None:
        _name(f"{where}.node", node)
        if not _LOCAL_PATH.match(path):
            raise TopologyError(f"{where}.path: a node's target is a drive-letter folder like E:\\Backups, "
                                f"got {path!r}")
    return Target(path=path.rstrip("\\") if len(path.rstrip("\\")) > 2 else path[:2] + "\\",
                  gbps=_number(f"{where}.gbps", data["gbps"], strict=True), node=node)


def _count(where: str, value: Any, maximum: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise TopologyError(f"{where}: expected a whole number from {minimum} to {maximum}, got {value!r}")
    return value


def _fault(where: str, data: Any) -> dict:
    _keys(where, data, FAULT_KEYS, {"kind"})
    kind = data["kind"]
    if kind not in FAULT_KINDS:
        raise TopologyError(f"{where}.kind: unknown fault kind {kind!r} (known: {', '.join(sorted(FAULT_KINDS))})")
    missing = sorted(FAULT_KINDS[kind] - set(data))
    if missing:
        raise TopologyError(f"{where}.{missing[0]}: required for a {kind} fault")
    for key in ("at", "after_ops", "times", "seconds"):
        if key in data:
            _number(f"{where}.{key}", data[key])
    if kind in ("foreign_backup", "cau_run"):
        _number(f"{where}.for_s", data["for_s"], strict=True)
    if kind == "vss_busy":
        _number(f"{where}.for_s", data["for_s"], strict=True)
        if data.get("during") not in (None, "snapshot"):
            raise TopologyError(f"{where}.during: a vss_busy fault takes during=snapshot (the hold starts when the "
                                f"node's next shadow copy creation does), got {data['during']!r}")
    if kind == "snapshot_fails" and data.get("reason") is not None and data["reason"] not in SNAPSHOT_FAILURE_REASONS:
        raise TopologyError(f"{where}.reason: unknown snapshot failure reason {data['reason']!r} "
                            f"(known: {', '.join(sorted(SNAPSHOT_FAILURE_REASONS))})")
    return dict(data)


def _account(where: str, data: Any) -> Account:
    _keys(where, data, {"name", "kind", "password", "groups"}, {"name"})
    name = _name(f"{where}.name", data["name"])
    if "\\" not in name or name.startswith("\\") or name.endswith("\\"):
        raise TopologyError(f"{where}.name: expected DOMAIN\\name, got {name!r}")
    if name.lower() in (SYSTEM_ACCOUNT.lower(), "system"):
        raise TopologyError(f"{where}.name: {SYSTEM_ACCOUNT} always exists; do not declare it")
    kind = _choice(f"{where}.kind", data.get("kind", "user"), ACCOUNT_KINDS)
    password = data.get("password")
    if password is not None and (not isinstance(password, str) or password == ""):
        raise TopologyError(f"{where}.password: expected a non-empty string")
    if kind == "gmsa" and password is not None:
        # A gMSA's password is generated and rotated by Active Directory; no one supplies it
        # (https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/group-managed-service-accounts/
        # group-managed-service-accounts/group-managed-service-accounts-overview).
        raise TopologyError(f"{where}.password: a gmsa has no password of its own (Active Directory manages it)")
    if kind == "gmsa" and not name.endswith("$"):
        raise TopologyError(f"{where}.name: a gmsa's account name ends in '$' (got {name!r})")
    groups = data.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) and g.strip() for g in groups):
        raise TopologyError(f"{where}.groups: expected a list of group names")
    return Account(name=name, kind=kind, password=password, groups=list(groups))


def parse_topology(data: Any, origin: str = "topology") -> Topology:
    _keys(origin, data, {"cluster", "time_scale", "credentials", "nodes", "csvs", "vss", "faults", "accounts",
          "targets", "storage", "cau_run", "csv_balancer"},
          {"cluster", "nodes", "csvs"})
    nodes = [_node(f"nodes[{i}]", n) for i, n in enumerate(data["nodes"] or [])]
    if not nodes:
        raise TopologyError("nodes: at least one node is required")
    csvs = [_csv(f"csvs[{i}]", c) for i, c in enumerate(data["csvs"] or [])]
    vss = _keys("vss", data.get("vss") or {}, {"hardware_provider", "max_shadow_copies"})
    creds = _keys("credentials", data.get("credentials") or {}, {"user", "password"})
    faults = [_fault(f"faults[{i}]", f) for i, f in enumerate(data.get("faults") or [])]
    if not isinstance(data.get("accounts") or [], list):
        raise TopologyError("accounts: expected a list")
    accounts = [_account(f"accounts[{i}]", a) for i, a in enumerate(data.get("accounts") or [])]
    targets = [_target(f"targets[{i}]", t) for i, t in enumerate(data.get("targets") or [])]
    topology = Topology(
        cluster=_name("cluster", data["cluster"]),
        time_scale=_number("time_scale", data.get("time_scale", 1.0), strict=True),
        nodes=nodes, csvs=csvs, hardware_provider=bool(vss.get("hardware_provider", False)),
        max_shadow_copies=_count("vss.max_shadow_copies", vss.get("max_shadow_copies", MAX_SHADOW_COPIES_DEFAULT),
                                 SHADOW_COPIES_PER_VOLUME, minimum=1),
        credentials=dict(creds), faults=faults, accounts=accounts, targets=targets,
        storage=_choice("storage", data.get("storage", "san"), STORAGE_KINDS),
        cau_run=bool(_flag("cau_run", data.get("cau_run", False))),
        csv_balancer=bool(_flag("csv_balancer", data.get("csv_balancer", False))),
    )
    _cross_check(topology)
    return topology


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value.lower() in seen:
            raise TopologyError(f"{what}: duplicate {value!r}")
        seen.add(value.lower())


def _cross_check(topology: Topology) -> None:
    names = {n.name.lower() for n in topology.nodes}
    _unique("nodes", [n.name for n in topology.nodes])
    _unique("csvs", [c.name for c in topology.csvs])
    _unique("csvs.path", [c.path for c in topology.csvs])
    _unique("vms", [vm.name for c in topology.csvs for vm in c.vms])
    _unique("accounts", [a.name for a in topology.accounts])
    sites = {n.site.lower(): n.site for n in topology.nodes if n.site}
    for i, node in enumerate(topology.nodes):
        if node.site and node.site.lower() in names:
            raise TopologyError(f"nodes[{i}].site: {node.site!r} is also a node's name (fault domain names are unique)")
        if node.site and sites[node.site.lower()] != node.site:
            raise TopologyError(f"nodes[{i}].site: {node.site!r} is spelled {sites[node.site.lower()]!r} elsewhere")
    for i, csv in enumerate(topology.csvs):
        if csv.owner.lower() not in names:
            raise TopologyError(f"csvs[{i}].owner: {csv.owner!r} is not a node")
        for j, vm in enumerate(csv.vms):
            if vm.owner and vm.owner.lower() not in names:
                raise TopologyError(f"csvs[{i}].vms[{j}].owner: {vm.owner!r} is not a node")
    _unique("targets", [f"{t.node or 'share'}: {t.path}" for t in topology.targets])
    for i, target in enumerate(topology.targets):
        if target.node is not None and target.node.lower() not in names:
            raise TopologyError(f"targets[{i}].node: {target.node!r} is not a node")
    csv_names = {c.name.lower() for c in topology.csvs}
    for i, fault in enumerate(topology.faults):
        for key in ("node", "to"):
            if key in fault and str(fault[key]).lower() not in names:
                raise TopologyError(f"faults[{i}].{key}: {fault[key]!r} is not a node")
        if "csv" in fault and str(fault["csv"]).lower() not in csv_names:
            raise TopologyError(f"faults[{i}].csv: {fault['csv']!r} is not a CSV")


def load_topology(path: str | Path) -> Topology:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise TopologyError(f"{path}: not valid YAML: {exc}") from None
    return parse_topology(data, origin=path.name)


def shipped_topology(name: str) -> Path:
    """The path of a topology shipped in ``lab/topologies`` (``four-node-10gbe`` or ``four-node-10gbe.yml``)."""
    candidates = [TOPOLOGY_DIR]
    try:
        from importlib.resources import files
        candidates.append(Path(str(files("wsfc_lab._topologies"))))
    except (ModuleNotFoundError, TypeError):
        pass
    filename = name if name.endswith(".yml") else name + ".yml"
    for directory in candidates:
        if (directory / filename).is_file():
            return directory / filename
    raise FileNotFoundError(f"no shipped topology named {name!r}")
