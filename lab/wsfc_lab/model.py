"""The simulated cluster: its state, its modelled clock, its event log and its faults.

Everything the lab reports comes from here, computed from the model's own
state: who coordinates a CSV, which node a read ran on and whether it was
local. Many WinRM threads call in at once, so every public method takes the
model's lock. Modelled time is real elapsed time multiplied by the topology's
``time_scale``; a background ticker moves reads forward and fires faults
scheduled at a modelled time even while no client is talking to the lab.
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from wsfc_lab.filesystem import FileSystem, normalize
from wsfc_lab.topology import (BLOCK_REDIRECT_REASONS, FILE_SYSTEM_REDIRECT_REASONS, FIRING_FAULTS,
                               SNAPSHOT_FAILURE_REASONS, Topology, _fault)
from wsfc_lab.transfer import GBPS, Flow, TransferSimulation
from wsfc_lab.vss import HARDWARE_PROVIDER, SYSTEM_PROVIDER, ShadowCopyService  # noqa: F401 (re-exported)

EPOCH = datetime(2026, 1, 5, 1, 0, 0, tzinfo=timezone.utc)
MOVE_SECONDS = 2.0  # modelled duration of a CSV ownership move
# Modelled duration of one clustered role's move in a drain or a failback (a VM's live migration); the lab moves
# one role at a time (no page gives a duration; Hyper-V's simultaneous live migrations are not modelled).
ROLE_MOVE_SECONDS = 4.0
FOREIGN_TOOL = "another backup product"  # the tool of the shadow copies another product left (topology shadow_copies)
OS_BUILDS = {"2016": "14393", "2019": "17763", "2022": "20348", "2025": "26100"}  # Windows Server release: build
MANAGEMENT_ADDRESS = "127.0.0.1"  # the address every node's WinRM endpoint is reached at (see interfaces())


# System error codes a write to a destination that is not a declared target fails with
# (https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499-).
ERROR_PATH_NOT_FOUND = (3, "The system cannot find the path specified.")
ERROR_BAD_NETPATH = (53, "The network path was not found.")
ERROR_BAD_NET_NAME = (67, "The network name cannot be found.")
# "Back up is in progress. Please wait for backup completion before trying this operation again."
# (https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--4000-5999-)
ERROR_CLUSTER_BACKUP_IN_PROGRESS = (5949, "Back up is in progress. Please wait for backup completion before trying "
                                          "this operation again.")


class TargetNotFound(Exception):
    """A backup tool's destination is neither a declared target nor under one: ``code`` and ``text`` say why."""

    def __init__(self, path: str, error: tuple[int, str]):
        super().__init__(f"{path}: {error[1]}")
        self.path, self.code, self.text = path, error[0], error[1]


class ModelError(Exception):
    """A request the cluster refuses; ``category`` is the PowerShell ErrorCategory to report."""

    def __init__(self, message: str, category: str = "InvalidOperation"):
        super().__init__(message)
        self.category = category


@dataclass
class NodeState:
    name: str
    id: str
    state: str
    disk_gbps: float
    nics: list[dict]
    smb_client_multichannel: bool
    smb_server_multichannel: bool
    rdma: bool
    teams: dict[str, dict] = field(default_factory=dict)  # LBFO teams: name -> {"mode", "lba", "index"}
    os: str = "2022"                    # Windows Server release (Win32_OperatingSystem)
    hyperv: bool = True                 # the Hyper-V module is installed (its cmdlets exist on the node)
    # SET switches: name -> {"lba", "id", "host_vnics": [{"name", "index", "management"}]}; members are the NICs
    # whose ``set`` field names the switch.
    set_switches: dict[str, dict] = field(default_factory=dict)
    # Node maintenance (Suspend-ClusterNode / Resume-ClusterNode): the NodeDrainStatus common property's value
    # (CLUSTER_NODE_DRAIN_STATUS: NotInitiated, InProgress, Completed, Failed), the modelled time a drain in
    # progress ends, and the roles (VM names) the last drain moved off the node, for a failback.
    drain_status: str = "NotInitiated"
    drain_until: float | None = None
    drained_roles: list[str] = field(default_factory=list)

    def network_gbps(self, multichannel: bool) -> float:
        """SMB bandwidth: all NICs with multichannel, else the fastest single interface (a team is one interface).

        A NIC whose ``status`` is not Up (media disconnected) carries nothing. A SET switch's members count as one
        interface as fast as the members together, as an LBFO team's do: SET is Switch Independent teaming and its
        Dynamic mode spreads outbound flows over every member ("Remote Direct Memory Access (RDMA) and Switch
        Embedded Teaming (SET)", SET Modes and Settings). The same page says a single switch port (one host vNIC)
        is limited to one member's bandwidth in Hyper-V Port mode, and that inbound traffic is distributed that
        way in Dynamic mode too; the lab, like the collection's planner, does not model that for one SMB
        channel (it does not model it for an LBFO team either), so without multichannel it is optimistic.
        RDMA changes nothing here: the lab models bandwidth, and RDMA (SMB Direct) lowers CPU use and latency, not
        link speed, so no NIC, in a team or not, gets more bandwidth from it.
        """
        up = [nic for nic in self.nics if nic.get("status", "Up") == "Up"]
        if multichannel:
            return sum(nic["gbps"] for nic in up)
        interfaces: dict[str, float] = {}
        for nic in up:
            if nic.get("team"):
                key = "team:" + nic["team"]
            elif nic.get("set"):
                key = "set:" + nic["set"]
            else:
                key = "nic:" + nic["name"]
            interfaces[key] = interfaces.get(key, 0.0) + nic["gbps"]
        return max(interfaces.values(), default=0.0)


@dataclass
class CsvState:
    name: str
    id: str
    path: str
    size_gb: float
    used_gb: float
    owner: str
    state: str
    redirected: str | None
    vms: list[dict] = field(default_factory=list)
    filesystem: str = "NTFS"
    # another product's backup holds the CSV until this modelled time (inf: for good; None: no backup)
    backup_until: float | None = None


class Cluster:
    """The cluster model behind every endpoint of one lab."""

    def __init__(self, topology: Topology, reference=None, clock: Callable[[], float] = time.monotonic,
                 ticker: bool = True):
        self.topology = topology
        self.reference = reference  # the documented reference cmdlets build their output objects from
        self.name = topology.cluster
        self.time_scale = topology.time_scale
        self._clock = clock
        self._t0 = clock()
        self._offset = 0.0
        self._lock = threading.RLock()
        self._events: list[dict] = []
        # Keys added to every event a thread logs while it is in log_context (a clustered task's run: "task").
        self._log_fields = threading.local()
        self._listeners: list[Callable[[str, str], None]] = []
        self._operations = 0
        self.nodes: dict[str, NodeState] = {}
        for index, node in enumerate(topology.nodes, start=1):
            self.nodes[node.name] = NodeState(
                node.name, str(index), node.state, node.disk_gbps,
                [{"name": n.name, "gbps": n.gbps, "team": n.team,
                  "set": next((s.name for s in node.set_switches if n.name in s.members), None)} for n in node.nics],
                node.smb_multichannel, node.smb_multichannel, node.rdma, os=node.os, hyperv=node.hyperv)
        self.csvs: dict[str, CsvState] = {}
        for csv in topology.csvs:
            owner = self._node_name(csv.owner)
            self.csvs[csv.name] = CsvState(
                csv.name, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topology.cluster}/{csv.name}")), csv.path,
                csv.size_gb, csv.used_gb, owner, csv.state, csv.redirected,
                [{"name": vm.name, "owner": self._node_name(vm.owner) if vm.owner else owner} for vm in csv.vms],
                filesystem=csv.filesystem, backup_until=float("inf") if csv.backup_in_progress else None)
        self.storage = topology.storage
        self.csv_balancer = topology.csv_balancer
        # A Cluster-Aware Updating run (Get-CauRun): None, or {"id", "start", "until", "orchestrator"}
        self.cau: dict | None = None
        if topology.cau_run:
            self._start_cau(float("inf"), announce=False)
        self.hardware_provider = topology.hardware_provider
        self.snapshots: list[dict] = []
        self.jobs: list[dict] = []
        # Local files per node, one shared store per CSV path (wsfc_lab.filesystem; lab/README.md).
        self.fs = FileSystem(list(self.nodes), [c.path for c in self.csvs.values()])
        # File times (LastWriteTimeUtc) in modelled time, by the clock of the node that writes (NTFS stores the
        # writer's time).
        self.fs.clock = self.node_now
        self._shadow_numbers = 0
        self.vss = ShadowCopyService(self)  # the nodes' Volume Shadow Copy Service (wsfc_lab.vss)
        self._foreign_snapshots()
        self.pending_faults: list[dict] = [dict(f) for f in topology.faults]
        for fault in list(self.pending_faults):  # another product holds a VSS slot from the start
            if fault["kind"] == "vss_busy" and "at" not in fault and "after_ops" not in fault \
                    and fault.get("during") is None:
                self.pending_faults.remove(fault)
                self.vss.hold(self._node_name(fault["node"]), float(fault["for_s"]))
            elif fault["kind"] in ("foreign_backup", "cau_run") and "at" not in fault and "after_ops" not in fault:
                self._fire(fault)  # held from the start (the event says so at t=0)
        self._init_network()
        # Backup targets (topology ``targets:``): where the tools may write, and what each holds (lab/README.md).
        self.targets: list[dict] = [
            {"path": t.path, "node": self._node_name(t.node) if t.node else None, "gbps": t.gbps, "files": []}
            for t in topology.targets]
        self.transfers = TransferSimulation(self._capacities())
        self._reads: dict[str, dict] = {}
        self._finished_reads: dict[str, dict] = {}
        # Called under the lock with the read's record when a read ends (done or failed); backup jobs use it.
        self.read_listeners: list[Callable[[dict], None]] = []
        # Called under the lock at the end of every tick with the modelled seconds: what runs on modelled time
        # without a read behind it (the clustered tasks' triggers, wsfc_lab.ctasks) fires from here.
        self.tick_listeners: list[Callable[[float], None]] = []
        # Further sections of state(), by key, each computed under the lock (wsfc_lab.ctasks adds its own).
        self.state_sections: dict[str, Callable[[], object]] = {}
        self._stop = threading.Event()
        self._ticker = None
        if ticker:
            self._ticker = threading.Thread(target=self._tick_loop, name="lab-ticker", daemon=True)
            self._ticker.start()

    # ---- time -------------------------------------------------------------------------------------------
    def seconds(self) -> float:
        """Modelled seconds since the lab started."""
        return (self._clock() - self._t0) * self.time_scale + self._offset

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.seconds())

    def clock_offset(self, node: str | None) -> float:
        """How far ``node``'s clock is ahead of true (modelled) time: the topology's ``clock_offset_s``."""
        for spec in self.topology.nodes:
            if node is not None and spec.name.lower() == str(node).lower():
                return spec.clock_offset_s
        return 0.0

    def node_now(self, node: str | None = None) -> datetime:
        """The time ``node``'s own clock shows now (what Get-Date, Task Scheduler and file times on it say)."""
        return self.now() + timedelta(seconds=self.clock_offset(node))

    # ---- events -----------------------------------------------------------------------------------------
    def log(self, event: dict) -> dict:
        with self._lock:
            entry = {"t": round(self.seconds(), 3), "node": None, "op": "?", "ok": True, "args": {}}
            entry.update(getattr(self._log_fields, "fields", None) or {})
            entry.update(event)
            self._events.append(entry)
            return entry

    @contextmanager
    def log_context(self, **fields):
        """Within: every event this thread logs carries ``fields`` (what the model does on behalf of a clustered
        task's run is told from the controller's by its ``task``), except what a tick logs (its own events)."""
        before = getattr(self._log_fields, "fields", None)
        self._log_fields.fields = dict(before or {}, **fields)
        try:
            yield
        finally:
            self._log_fields.fields = before

    def events(self) -> list[dict]:
        with self._lock:
            self._tick()
            return [dict(e) for e in self._events]

    def on_node_state(self, listener: Callable[[str, str], None]) -> None:
        self._listeners.append(listener)

    # ---- lookups ----------------------------------------------------------------------------------------
    def _node_name(self, name: str) -> str:
        for node in self.topology.nodes:
            if node.name.lower() == str(name).lower():
                return node.name
        raise ModelError(f"The cluster node '{name}' was not found.", "ObjectNotFound")

    def node(self, name: str) -> NodeState:
        with self._lock:
            return self.nodes[self._node_name(name)]

    def csv(self, name: str) -> CsvState:
        with self._lock:
            for csv in self.csvs.values():
                if csv.name.lower() == str(name).lower():
                    return csv
            raise ModelError(f"The cluster shared volume '{name}' was not found.", "ObjectNotFound")

    # ---- state ------------------------------------------------------------------------------------------
    def state(self) -> dict:
        with self._lock:
            self._tick()
            files = self.fs.csv_files()
            return {
                "cluster": self.name,
                "time": round(self.seconds(), 3),
                "nodes": {n.name: {"state": n.state, "id": n.id, "disk_gbps": n.disk_gbps, "nics": n.nics,
                                   "smb_multichannel": {"client": n.smb_client_multichannel,
                                                        "server": n.smb_server_multichannel},
                                   "rdma": n.rdma,
                                   "teams": {t: self.team_state(n.name, t) for t in sorted(n.teams)},
                                   "set_switches": {s: self.set_switch_state(n.name, s) for s in sorted(n.set_switches)},
                                   "os": n.os, "hyperv": n.hyperv,
                                   "management_interface": self.management_interface(n.name),
                                   "site": self.site(n.name), "drain_status": self.drain_status(n.name)}
                          for n in self.nodes.values()},
                "csvs": {c.name: {"owner": c.owner, "state": c.state, "redirected": c.redirected, "path": c.path,
                                  "size_gb": c.size_gb, "used_gb": c.used_gb,
                                  "vms": sorted(vm["name"] for vm in c.vms),
                                  "filesystem": c.filesystem, "backup_in_progress": self.backup_in_progress(c),
                                  # what Get-ClusterSharedVolumeState answers on each Up node: state and reason
                                  "access": {node: dict(zip(("state", "reason"), self.csv_access(c, node)))
                                             for node, n in self.nodes.items() if n.state == "Up"}}
                         for c in self.csvs.values()},
                "storage": self.storage,
                # a Cluster-Aware Updating run is in progress (topology cau_run, fault cau_run)
                "cau_run": self.cau_in_progress(),
                "snapshots": [dict(s) for s in self.snapshots],
                "jobs": [dict(j) for j in self.jobs],
                # Files on the CSVs (by CSV name), read from the file system: a lock file a run left shows here.
                "csv_files": {c.name: files.get(normalize(c.path), []) for c in self.csvs.values()},
                "reads": [{"csv": r["csv"], "node": r["node"], "read": r["read"]} for r in self._reads.values()],
                # what each declared backup target holds: a folder per entry, with its bytes, CSV and writer
                "targets": {t["path"]: {"node": t["node"], "gbps": t["gbps"], "files": [dict(f) for f in t["files"]]}
                            for t in self.targets},
                # nodes whose VSS creation slot another product holds (fault vss_busy): modelled seconds left
                "vss_busy": {n: round(until - self.seconds(), 3) for n, until in sorted(self.vss.busy_until.items())
                             if until > self.seconds()},
                # clustered scheduled tasks (Register-ClusteredScheduledTask; wsfc_lab.ctasks fills it when used)
                "clustered_tasks": [],
                **{name: section() for name, section in self.state_sections.items()},
            }

    # ---- WinRM operations and faults --------------------------------------------------------------------
    def before_operation(self, node: str) -> None:
        """Called by the server before each WinRM command; fires op-count faults (a timeout sleeps past the client)."""
        sleep_for = 0.0
        with self._lock:
            self._operations += 1
            self._tick()
            for fault in list(self.pending_faults):
                if "after_ops" in fault and self._operations <= fault["after_ops"]:
                    continue
                if fault["kind"] == "winrm_timeout":
                    # the node's next command (after after_ops commands in all, when given)
                    if fault["node"].lower() != node.lower():
                        continue
                    sleep_for = max(sleep_for, float(fault.get("seconds", 120)))
                    self._consume(fault, {"node": node})
                elif fault["kind"] in FIRING_FAULTS and "after_ops" in fault and fault.get("during") is None:
                    self._fire(fault)
        if sleep_for:
            time.sleep(sleep_for)

    def _consume(self, fault: dict, details: dict) -> None:
        fault["times"] = fault.get("times", 1) - 1
        if fault["times"] <= 0 and fault in self.pending_faults:
            self.pending_faults.remove(fault)
        self.log({"op": f"fault.{fault['kind']}", "args": {k: v for k, v in fault.items() if k != "times"}, **details})

    def _fire(self, fault: dict) -> None:
        if fault in self.pending_faults:
            self.pending_faults.remove(fault)
        kind = fault["kind"]
        self.log({"op": f"fault.{kind}", "node": fault.get("node"), "args": dict(fault)})
        if kind == "node_down":
            self.set_node_state(fault["node"], "Down")
        elif kind == "node_pause":
            self.set_node_state(fault["node"], "Paused")
        elif kind == "csv_failover":
            self._failover(self.csv(fault["csv"]), fault.get("to"), reason="fault")
        elif kind == "vss_busy":
            self.vss.hold(self._node_name(fault["node"]), float(fault["for_s"]))
        elif kind == "foreign_backup":
            self._start_foreign_backup(self.csv(fault["csv"]), float(fault["for_s"]))
        elif kind == "cau_run":
            self._start_cau(float(fault["for_s"]))
        elif kind == "csv_rebalance":
            self._balancer_move(self.csv(fault["csv"]), self._node_name(fault["to"]), reason="fault")
        elif kind == "node_up":
            self.set_node_state(fault["node"], "Up")

    def inject_fault(self, fault: dict) -> dict:
        fault = _fault("fault", fault)
        with self._lock:
            if fault["kind"] in FIRING_FAULTS and "at" not in fault \
                    and "after_ops" not in fault and fault.get("during") is None:
                self._fire(fault)
                return {"fired": fault}
            self.pending_faults.append(fault)
            return {"scheduled": fault}

    def take_fault(self, kind: str, **match: str) -> dict | None:
        """Consume a pending fault of ``kind`` matching ``match`` (e.g. a move or snapshot that must fail)."""
        with self._lock:
            for fault in self.pending_faults:
                if fault["kind"] != kind or "at" in fault:
                    continue
                if "after_ops" in fault and self._operations <= fault["after_ops"]:
                    continue
                if all(str(fault.get(k, "")).lower() == str(v).lower() for k, v in match.items()):
                    self._consume(fault, {"node": match.get("node")})
                    return fault
            return None

    # ---- node and ownership changes ---------------------------------------------------------------------
    def set_node_state(self, name: str, state: str) -> None:
        with self._lock:
            node = self.node(name)
            if node.state == state:
                return
            previous, node.state = node.state, state
            self.log({"op": "node.state", "node": node.name, "args": {"from": previous, "to": state}})
            if state == "Down":
                for read_key, read in list(self._reads.items()):
                    if node.name in (read["node"], read["coordinator"]):
                        self._fail_read(read_key, f"node {node.name} went down")
                self.snapshots = [s for s in self.snapshots if s["node"] != node.name]
                for snap in self.snapshots:  # a folder a shadow copy was exposed at goes down with its node
                    if (snap.get("exposed") or {}).get("node") == node.name:
                        snap["exposed"] = None
                for csv in self.csvs.values():
                    if csv.owner == node.name:
                        self._failover(csv, None, reason="node down")
                    for vm in csv.vms:
                        if vm["owner"] == node.name:
                            vm["owner"] = self._least_loaded_up_node()
            elif state == "Up" and previous in ("Down", "Paused"):
                self._rebalance_for(node.name)   # a node rejoins: the balancer (csv_balancer: true)
        for listener in list(self._listeners):
            listener(node.name, state)

    def _least_loaded_up_node(self, exclude: str | None = None) -> str:
        candidates = [n for n in self.nodes.values() if n.state == "Up" and n.name != exclude]
        if not candidates:
            raise ModelError("No cluster node is Up.", "ResourceUnavailable")
        load = {n.name: sum(1 for c in self.csvs.values() if c.owner == n.name) for n in candidates}
        return min(candidates, key=lambda n: (load[n.name], n.name.lower())).name

    def _failover(self, csv: CsvState, to: str | None, reason: str) -> None:
        target = self._node_name(to) if to else self._least_loaded_up_node(exclude=csv.owner)
        previous = csv.owner
        csv.owner = target
        for read_key, read in list(self._reads.items()):
            if read["csv"] == csv.name and read["provider"] != "hardware":  # software, system and live reads
                self._fail_read(read_key, f"{csv.name} failed over from {previous} to {target}")
        self.log({"op": "csv.failover", "node": target, "args": {"csv": csv.name, "from": previous, "to": target,
                                                                   "reason": reason}})

    def move_csv(self, name: str, node: str, caller: str) -> tuple[CsvState, float]:
        """Move a CSV's coordinator as Move-ClusterSharedVolume does; returns the CSV and the modelled duration."""
        with self._lock:
            self._tick()
            csv = self.csv(name)
            target = self.node(node)
            args = {"csv": csv.name, "from": csv.owner, "to": target.name}
            try:
                if target.state != "Up":
                    raise ModelError(f"The node '{target.name}' is {target.state}; a cluster shared volume can only "
                                     f"be moved to a node that is Up.", "InvalidOperation")
                if csv.state != "Online":
                    raise ModelError(f"The cluster shared volume '{csv.name}' is {csv.state}.", "InvalidOperation")
                if self.backup_in_progress(csv) and csv.owner != target.name:
                    # While another product's backup holds the CSV it is pinned to its node ("unpinned from this
                    # Cluster node" when the backup state clears, ClusterClearBackupStateForSharedVolume) and
                    # [MS-CMRP] has ERROR_CLUSTER_BACKUP_IN_PROGRESS for controls refused during a backup. Whether
                    # a move is refused or, as reported, takes the CSV offline is not documented; the lab refuses
                    # it with that error and logs it (csv.move ok false, backup_in_progress true).
                    args["backup_in_progress"] = True
                    raise ModelError(f"{ERROR_CLUSTER_BACKUP_IN_PROGRESS[1]} (error {ERROR_CLUSTER_BACKUP_IN_PROGRESS[0]}"
                                     f" / 0x{ERROR_CLUSTER_BACKUP_IN_PROGRESS[0]:X}: {csv.name})", "ResourceBusy")
                if self.take_fault("move_fails", csv=csv.name):
                    raise ModelError(f"The move of '{csv.name}' to '{target.name}' failed: the resource could not "
                                     f"be brought online on the destination node.", "OperationStopped")
                if csv.owner == target.name:
                    self.log({"op": "csv.move", "node": caller, "args": args, "ok": True, "changed": False})
                    return csv, 0.0
                if self.take_fault("move_hangs", csv=csv.name):
                    raise ModelError(f"The operation to move '{csv.name}' timed out.", "OperationTimeout")
            except ModelError as exc:
                self.log({"op": "csv.move", "node": caller, "args": args, "ok": False, "error": str(exc)})
                raise
            lost = self._transfer_ownership(csv, target.name)
            event = {"op": "csv.move", "node": caller, "args": args, "ok": True, "changed": True}
            if lost:
                event["with_shadow_copies"] = lost
            self.log(event)
            return csv, MOVE_SECONDS

    def _transfer_ownership(self, csv: CsvState, target: str) -> list[str]:
        """A planned move of the CSV's coordinator (Move-ClusterSharedVolume, the balancer); returns the ids of the
        lab-made software shadow copies of the CSV it discarded.

        Where a software (system provider) shadow copy of a CSV goes when the CSV's coordinator moves is not
        documented. The lab takes the conservative reading: the shadow copies surfaced on the old coordinator are
        lost (``snap.lost`` events) and any read of them fails, so a move made while one exists is visible in the
        events (``csv.move`` carries ``with_shadow_copies``) and costs the backup. Shadow copies another product left
        (topology ``shadow_copies``) and hardware ones (surfaced on the requester) are kept.
        """
        previous = csv.owner
        csv.owner = target
        lost = [s for s in self.snapshots
                if s["csv"] == csv.name and s["provider_type"] != "hardware" and s["node"] == previous
                and s.get("tool") != FOREIGN_TOOL]
        for snap in lost:
            self.snapshots.remove(snap)
            for read_key, read in list(self._reads.items()):
                if read.get("snapshot") == snap["id"]:
                    self._fail_read(read_key, f"the shadow copy {snap['id']} was lost when {csv.name} moved from "
                                              f"{previous} to {target}")
            self.log({"op": "snap.lost", "node": previous, "csv": csv.name, "snapshot": snap["id"],
                      "args": {"from": previous, "to": target}, "provider_type": snap["provider_type"]})
        return [s["id"] for s in lost]

    # ---- modern clusters: per-node access, other backups, the CSV balancer, CAU, sites -----------------
    # (lab/README.md "Modern clusters"; each rule cites its page)

    def snapshot_redirected(self, csv: CsvState) -> bool:
        """A software shadow copy of the CSV made in the lab exists: "File system redirection ... for example, when
        CSV snapshots are taken by a backup application" (Cluster Shared Volumes overview,
        https://learn.microsoft.com/en-us/windows-server/failover-clustering/failover-cluster-csvs). Leftover
        persistent copies of another product (topology ``shadow_copies``) are not being taken and do not count;
        hardware shadow copies are made by the array, not by CSV's snapshot path, and do not count either."""
        return any(s["csv"] == csv.name and s["provider_type"] != "hardware" and s.get("tool") != FOREIGN_TOOL
                   for s in self.snapshots)

    def csv_access(self, csv: CsvState, node: str) -> tuple[str, str]:
        """(State, RedirectedIOReason) of ``csv`` on ``node`` as Get-ClusterSharedVolumeState shows them.

        State is 'Direct', 'File System Redirected' or 'Block Redirected' and RedirectedIOReason 'NotRedirected' or
        the documented reasons joined with ', ' in the order of their bits, as .NET prints a flags enum (the page's
        example, https://learn.microsoft.com/en-us/powershell/module/failoverclusters/get-clustersharedvolumestate;
        the reason names are CLUSTER_SHARED_VOLUME_STATE_INFO_EX's members without their prefix, wsfc_lab.topology).
        The page's example pairs 'File System Redirected' with UserRequest and 'Block Redirected' with
        NoDiskConnectivity, so a reason's mode decides the state. File-system reasons win over block ones (the
        property is one; file-system redirection is the slower mode, so the lab reports it). The rules:

        - ReFS: 'File System Redirected', reason ReFs, on every Up node. "The disk can be provisioned as Resilient
          File System (ReFS); however, the CSV drive is placed in redirected mode, meaning write access is sent to
          the coordinator node"; "CSVs formatted with ReFS on SANs operate in redirected I/O mode" (overview page).
          The page does not say what the coordinator itself reports; the lab reports the redirect there too (the
          conservative reading, and what the issue records).
        - Storage Spaces Direct with NTFS: nodes other than the coordinator 'Block Redirected', reason
          StorageSpaceNotAttached ("The storage space is not attached.", the VolumeRedirectedIOReason member). No
          page found says that S2D NTFS volumes report it on non-owners; the lab models the slower path there.
        - the topology's ``redirected: <reason>``: nodes other than the coordinator, in the mode of the reason.
        - a lab-made software shadow copy of the CSV exists (:meth:`snapshot_redirected`): nodes other than the
          coordinator 'File System Redirected'. No documented reason bit names a snapshot, so RedirectedIOReason is
          what a flags enum with no bit set prints, 'NotRedirected', unless another rule adds one.
        """
        fs_reasons: set[str] = set()
        block_reasons: set[str] = set()
        snapshot = False
        coordinator = node == csv.owner
        if csv.filesystem == "ReFS":
            fs_reasons.add("ReFs")
        if self.storage == "s2d" and csv.filesystem == "NTFS" and not coordinator:
            block_reasons.add("StorageSpaceNotAttached")
        if csv.redirected and not coordinator:
            for part in (p.strip() for p in csv.redirected.split(",")):
                (block_reasons if part in BLOCK_REDIRECT_REASONS else fs_reasons).add(part)
        if not coordinator and self.snapshot_redirected(csv):
            snapshot = True
        if fs_reasons or snapshot:
            names = [r for r in FILE_SYSTEM_REDIRECT_REASONS if r in fs_reasons]
            return "File System Redirected", ", ".join(names) or "NotRedirected"
        if block_reasons:
            return "Block Redirected", ", ".join(r for r in BLOCK_REDIRECT_REASONS if r in block_reasons)
        return "Direct", "NotRedirected"

    def backup_in_progress(self, csv: CsvState) -> bool:
        """Another product's backup holds the CSV (BackupState VolumeBackupInProgress)."""
        return csv.backup_until is not None and self.seconds() < csv.backup_until

    def _start_foreign_backup(self, csv: CsvState, for_s: float) -> None:
        """Another product's VSS backup holds ``csv`` for ``for_s`` modelled seconds: "the CSV 'Backup in Progress'
        state (set by ClusterPrepareSharedVolumeForBackup) is automatically cleared - meaning that the CSV volume
        is unpinned from this Cluster node" when the backup completes (ClusterClearBackupStateForSharedVolume,
        https://learn.microsoft.com/en-us/windows/win32/api/resapi/nf-resapi-clusterclearbackupstateforsharedvolume).
        Logged as ``backup.foreign.start``; :meth:`_tick` logs ``backup.foreign.end`` when it lets go."""
        until = self.seconds() + for_s
        csv.backup_until = max(until, csv.backup_until or 0.0)
        self.log({"op": "backup.foreign.start", "node": csv.owner, "csv": csv.name,
                  "args": {"csv": csv.name, "for_s": for_s, "until": round(csv.backup_until, 3)}})

    def _start_cau(self, for_s: float, announce: bool = True) -> None:
        """A Cluster-Aware Updating run starts (``cau.start``), in progress for ``for_s`` modelled seconds."""
        orchestrator = next((n.name for n in self.nodes.values() if n.state == "Up"), next(iter(self.nodes)))
        start = self.seconds()
        self.cau = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/cau/{start}")), "start": start,
                    "until": start + for_s, "orchestrator": orchestrator}
        self.log({"op": "cau.start", "node": orchestrator,
                  "args": {"run_id": self.cau["id"], "for_s": for_s, "initial": not announce}})

    def cau_in_progress(self) -> bool:
        return self.cau is not None and self.seconds() < self.cau["until"]

    def cau_run(self) -> dict | None:
        """The run in progress (with its start as the orchestrator's clock shows it), or None."""
        with self._lock:
            self._tick()
            if not self.cau_in_progress():
                return None
            run = dict(self.cau)
            run["start_time"] = self.node_now(run["orchestrator"]) - timedelta(seconds=self.seconds() - run["start"])
            return run

    def _expire(self) -> None:
        """Foreign backups and CAU runs whose time is up end (``backup.foreign.end``, ``cau.end``)."""
        now = self.seconds()
        for csv in self.csvs.values():
            if csv.backup_until is not None and now >= csv.backup_until:
                end, csv.backup_until = csv.backup_until, None
                self._events.append({"t": round(end, 3), "node": csv.owner, "op": "backup.foreign.end", "ok": True,
                                     "csv": csv.name, "args": {"csv": csv.name}})
        if self.cau is not None and now >= self.cau["until"]:
            run, self.cau = self.cau, None
            self._events.append({"t": round(run["until"], 3), "node": run["orchestrator"], "op": "cau.end", "ok": True,
                                 "args": {"run_id": run["id"]}})

    def _balancer_move(self, csv: CsvState, target: str, reason: str) -> bool:
        """The cluster moves ``csv``'s ownership to ``target`` by itself: "ownership is automatically rebalanced
        when there are conditions such as CSV failover, a node rejoins the cluster, you add a new node to the
        cluster, you restart a cluster node, or you start the failover cluster after it was shut down" (Cluster
        Shared Volumes overview, https://learn.microsoft.com/en-us/windows-server/failover-clustering/
        failover-cluster-csvs). Logged as ``csv.balancer`` (``reason``: fault or node rejoin). The balancer does not
        move a CSV that is not Online, is held by a backup (pinned to its node, see :meth:`move_csv`) or to a node
        that is not Up; it logs that it did not (ok false)."""
        args = {"csv": csv.name, "from": csv.owner, "to": target, "reason": reason}
        why = None
        if self.nodes[target].state != "Up":
            why = f"{target} is {self.nodes[target].state}"
        elif csv.state != "Online":
            why = f"{csv.name} is {csv.state}"
        elif self.backup_in_progress(csv):
            why = f"{csv.name} has a backup in progress"
        elif csv.owner == target:
            why = f"{target} already owns {csv.name}"
        if why:
            self.log({"op": "csv.balancer", "node": target, "ok": False, "changed": False, "args": args,
                      "error": why})
            return False
        lost = self._transfer_ownership(csv, target)
        event = {"op": "csv.balancer", "node": target, "ok": True, "changed": True, "args": args}
        if lost:
            event["with_shadow_copies"] = lost
        self.log(event)
        return True

    def _rebalance_for(self, node: str) -> None:
        """``csv_balancer: true``: when ``node`` joins again, the balancer moves CSVs to it from the nodes that own
        the most until no Up node owns two more than another ("CSV ownership is evenly distributed across the
        failover cluster nodes based on the number of CSVs that each node owns", overview page). Which CSVs it
        picks is not documented; the lab takes them in name order from the most loaded node. With the key false
        (the default) the lab models no automatic rebalancing on rejoin, so existing topologies keep their owners."""
        if not self.csv_balancer:
            return
        for _ in range(len(self.csvs)):
            up = [n for n in self.nodes if self.nodes[n].state == "Up"]
            load = {n: [c for c in self.csvs.values() if c.owner == n] for n in up}
            busiest = max(up, key=lambda n: (len(load[n]), n.lower()))
            if len(load[busiest]) - len(load[node]) < 2:
                return
            movable = sorted((c for c in load[busiest] if c.state == "Online" and not self.backup_in_progress(c)),
                             key=lambda c: c.name.lower())
            if not movable or not self._balancer_move(movable[0], node, reason="node rejoin"):
                return

    def site(self, node: str) -> str | None:
        spec = self.topology.node(node)
        return spec.site

    def fault_domains(self) -> list[dict]:
        """Get-ClusterFaultDomain's fault domains: a Site per topology site (its nodes as children), then a Node per
        node (its site as parent). "Nodes are discovered automatically; each additional level is optional" and
        "Use Get-ClusterFaultDomain to see the current fault domain topology. This will list all nodes in the
        cluster, plus any chassis, racks, or sites you have created" (Fault domain awareness,
        https://learn.microsoft.com/en-us/windows-server/failover-clustering/fault-domains). Without sites, only the
        Node fault domains, with no parent. The page does not show the value of an absent parent; the lab gives the
        empty string, the value Set-ClusterFaultDomain takes to move a fault domain outside all others."""
        out = []
        sites: dict[str, list[str]] = {}
        for spec in self.topology.nodes:
            if spec.site:
                sites.setdefault(spec.site, []).append(spec.name)
        for site, members in sites.items():
            out.append({"name": site, "type": "Site", "parent": "", "children": list(members),
                        "id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/site/{site}")).upper() + "}"})
        for spec in self.topology.nodes:
            out.append({"name": spec.name, "type": "Node", "parent": spec.site or "", "children": [],
                        "id": self.nodes[spec.name].id})
        return out

    # ---- node maintenance: Suspend-ClusterNode, Resume-ClusterNode (lab/README.md "Node maintenance") -------

    def drain_status(self, name: str) -> str:
        """The node's NodeDrainStatus ("Specifies the status of a node drain", https://learn.microsoft.com/en-us/
        previous-versions/windows/desktop/mscs/nodes-nodedrainstatus): InProgress until the drain's modelled end."""
        with self._lock:
            node = self.node(name)
            if node.drain_until is not None and self.seconds() < node.drain_until:
                return "InProgress"
            return node.drain_status

    def _roles_on(self, node: str) -> list[dict]:
        return sorted((vm for csv in self.csvs.values() for vm in csv.vms if vm["owner"] == node),
                      key=lambda vm: vm["name"].lower())

    def _role_target(self, exclude: str) -> str | None:
        """Where a drain places a role without -TargetNode: the Up node (not ``exclude``) with the fewest roles,
        then by name. Microsoft says only "using the best placement logic" (Suspend-ClusterNode, -Drain); the lab's
        placement is its own."""
        up = [n for n in self.nodes.values() if n.state == "Up" and n.name != exclude]
        if not up:
            return None
        load = {n.name: len(self._roles_on(n.name)) for n in up}
        return min(up, key=lambda n: (load[n.name], n.name.lower())).name

    def suspend_node(self, name: str, drain: bool, force_drain: bool, target: str | None,
                     caller: str) -> tuple[NodeState, float]:
        """Suspend-ClusterNode: pause ``name`` and, with ``drain``, move its clustered roles off first; returns the
        node and the drain's modelled duration (the cmdlet waits for it).

        Rules and pages:

        - pause: "suspends activity on a failover cluster node, that is, pauses the node"; "Groups that are owned
          by a paused node remain owned by the node" and groups cannot be moved to it (PauseClusterNode remarks,
          https://learn.microsoft.com/en-us/windows/win32/api/clusapi/nf-clusapi-pauseclusternode). So pausing
          moves no CSV: a CSV the node coordinates stays on it.
        - drain: "clustered roles currently running on the node will be drained before the node is paused"
          (Suspend-ClusterNode); the node is put in the Paused state first, its roles are then distributed to the
          other active nodes and the drain completes when all are moved ("Draining Nodes for Planned Maintenance
          with Windows Server 2012", Microsoft Failover Clustering blog). The lab's roles are its VM groups. No
          page says that a drain moves the coordinator of a CSV the node owns; the lab (conservatively) does not
          move it: the collection moves CSVs itself before it drains a node. NodeDrainStatus is InProgress, then
          Completed (CLUSTER_NODE_DRAIN_STATUS).
        - -TargetNode: "moves the workloads from it to the node named" (example 3); it must be Up.
        - a role that cannot be moved (fault ``drain_fails``), or no other Up node: without -ForceDrain the drain
          fails, NodeDrainStatus Failed, and the node is not paused (the -ForceDrain text, "Thereafter, the node will
          be forced to pause", implies that without it the node is not; the lab's reading); with -ForceDrain and an
          Up node "any workload that failed will be stopped and moved to another node as a failed role.
          Thereafter, the node will be forced to pause" (Suspend-ClusterNode -ForceDrain); the lab then reports
          NodeDrainStatus Failed (not documented either way; the conservative reading).
        - a node that is Down cannot be paused (the lab refuses; not documented).
        """
        with self._lock:
            self._tick()
            node = self.node(name)
            args = {"node": node.name, "drain": drain, "force_drain": force_drain, "target": target}
            if node.state == "Down":
                error = f"The node '{node.name}' is Down; only a node that is Up can be paused."
                self.log({"op": "node.suspend", "node": caller, "ok": False, "args": args, "error": error})
                raise ModelError(error, "InvalidOperation")
            if target is not None:
                target_node = self.node(target)
                if target_node.state != "Up" or target_node.name == node.name:
                    error = (f"The drain target '{target_node.name}' is {target_node.state}; roles can only be moved "
                             f"to another node that is Up.")
                    self.log({"op": "node.suspend", "node": caller, "ok": False, "args": args, "error": error})
                    raise ModelError(error, "InvalidOperation")
                target = target_node.name
            if not drain:
                changed = node.state != "Paused"
                self.log({"op": "node.suspend", "node": caller, "ok": True, "changed": changed, "args": args})
                self.set_node_state(node.name, "Paused")
                return node, 0.0
            roles = self._roles_on(node.name)
            stuck = self.take_fault("drain_fails", node=node.name)
            has_target = target is not None or self._role_target(node.name) is not None
            if (stuck and roles) or (roles and not has_target):
                if not (force_drain and has_target):
                    node.drain_status, node.drain_until = "Failed", None
                    why = "no other node is Up" if not has_target else f"the role {roles[0]['name']} could not be moved"
                    error = (f"The drain of node '{node.name}' failed: {why}. The node was not paused; its roles "
                             f"stay on it.")
                    self.log({"op": "node.drain", "node": node.name, "ok": False, "args": args, "error": error})
                    raise ModelError(error, "OperationStopped")
            self.log({"op": "node.suspend", "node": caller, "ok": True, "changed": True, "args": args,
                      "csvs_kept": sorted(c.name for c in self.csvs.values() if c.owner == node.name)})
            self.set_node_state(node.name, "Paused")
            moved = []
            for index, vm in enumerate(roles):
                to = target or self._role_target(node.name)
                failed = bool(stuck) and index == 0
                vm["owner"] = to
                moved.append(vm["name"])
                self.log({"op": "group.move", "node": to,
                          "args": {"group": vm["name"], "from": node.name, "to": to, "reason": "drain", "failed": failed}})
            node.drained_roles = moved
            duration = ROLE_MOVE_SECONDS * len(moved)
            node.drain_status = "Failed" if stuck and roles else "Completed"
            node.drain_until = self.seconds() + duration if duration else None
            self.log({"op": "node.drain", "node": node.name, "ok": True, "changed": bool(moved),
                      "args": dict(args, roles=moved, seconds=duration, status=node.drain_status)})
            return node, duration

    def resume_node(self, name: str, failback: str, caller: str) -> tuple[NodeState, float]:
        """Resume-ClusterNode: the node takes part in the cluster again; returns it and the failback's duration.

        - -Failback (NoFailback, Immediate, Policy: the page's accepted values): Immediate moves back the roles the
          last drain moved off the node that are still where the drain put them; Policy moves back those whose
          failback policy allows it: the AutoFailbackType group common property, default ClusterGroupPreventFailback
          (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/mscs/groups-autofailbacktype), which
          the lab's groups keep, so Policy moves none; NoFailback moves none.
        - the node comes back Up: the lab treats it as a node rejoining the cluster, so with ``csv_balancer: true``
          the CSV balancer evens out CSV ownership ("Ownership is automatically rebalanced when ... a node rejoins
          the cluster", Cluster Shared Volumes overview); whether Windows counts a resume from Paused as a rejoin
          is not documented: the lab takes the reading under which CSVs may move by themselves (the conservative
          one for a caller that moves them back), as fault ``node_up`` does.
        - NodeDrainStatus after a resume is not documented; the lab resets it to NotInitiated.
        - a node that is Up already is left as it is (the event says changed false); a Down node cannot be resumed.
        """
        with self._lock:
            self._tick()
            node = self.node(name)
            args = {"node": node.name, "failback": failback}
            if node.state == "Down":
                error = f"The node '{node.name}' is Down; only a paused node can be resumed."
                self.log({"op": "node.resume", "node": caller, "ok": False, "args": args, "error": error})
                raise ModelError(error, "InvalidOperation")
            if node.state == "Up":
                self.log({"op": "node.resume", "node": caller, "ok": True, "changed": False, "args": args})
                return node, 0.0
            self.log({"op": "node.resume", "node": caller, "ok": True, "changed": True, "args": args})
            node.drain_status, node.drain_until = "NotInitiated", None
            drained, node.drained_roles = node.drained_roles, []
            self.set_node_state(node.name, "Up")
            moved = []
            if failback == "Immediate":
                for vm in (vm for csv in self.csvs.values() for vm in csv.vms):
                    if vm["name"] in drained and vm["owner"] != node.name \
                            and self.nodes[vm["owner"]].state == "Up":
                        self.log({"op": "group.move", "node": node.name,
                                  "args": {"group": vm["name"], "from": vm["owner"], "to": node.name,
                                           "reason": "failback"}})
                        vm["owner"] = node.name
                        moved.append(vm["name"])
            return node, ROLE_MOVE_SECONDS * len(moved)

    # ---- network: adapters, LBFO teams, SMB Multichannel (NetAdapter, NetLbfo, SmbShare cmdlets) ---------
    # Each NIC dict carries name, gbps, team, status (Up|Disconnected), rdma_capable, rdma_enabled, management
    # and index (its interface index). Teams are derived from the NICs' ``team`` field; a team's settings live
    # in ``NodeState.teams``. Interfaces (a team counts as one, through its team NIC) get addresses derived from
    # their order: the interface holding the management NIC has MANAGEMENT_ADDRESS, the address the node's WinRM
    # endpoint is reached at; the k-th other interface has 198.18.k.<node number> (RFC 2544 benchmarking range;
    # no traffic is ever sent there). Changes are logged as ``net.*`` events and update the SMB capacities of
    # the node, so reads that run after (or during) a change go faster or slower.

    def _init_network(self) -> None:
        for spec in self.topology.nodes:
            node = self.nodes[spec.name]
            flagged = (any(n.management for n in spec.nics)
                       or any(v.management for s in spec.set_switches for v in s.host_vnics))
            for i, (nic, nic_spec) in enumerate(zip(node.nics, spec.nics)):
                capable = spec.rdma if nic_spec.rdma_capable is None else nic_spec.rdma_capable
                nic.update(status=nic_spec.status, rdma_capable=bool(capable), rdma_enabled=bool(capable and spec.rdma),
                           management=nic_spec.management if flagged else (i == 0 and not nic["set"]), index=11 + i)
            for nic in node.nics:
                if nic["team"] and nic["team"] not in node.teams:
                    node.teams[nic["team"]] = {"mode": "SwitchIndependent", "lba": "Dynamic",
                                               "index": 101 + len(node.teams)}
            # Host vNICs: interface index 201, 202, ... in topology order. Without a management flag the first NIC
            # carries the management address; when it is bound to a SET switch, the switch's first host vNIC does.
            vnic_index = 201
            first = spec.nics[0].name
            for n, switch in enumerate(spec.set_switches):
                vnics = []
                for j, vnic in enumerate(switch.host_vnics):
                    vnics.append({"name": vnic.name, "index": vnic_index,
                                  "management": vnic.management if flagged else (first in switch.members and j == 0)})
                    vnic_index += 1
                node.set_switches[switch.name] = {
                    "lba": switch.load_balancing, "host_vnics": vnics,
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/{spec.name}/vmswitch/{switch.name}"))}

    def set_switch_state(self, node: str, switch: str) -> dict:
        """A SET switch as the model sees it: members, load balancing, speed of the Up members, host vNICs."""
        with self._lock:
            state = self.node(node)
            settings = state.set_switches[switch]
            members = [n for n in state.nics if n.get("set") == switch]
            up = [m for m in members if m["status"] == "Up"]
            return {"members": [m["name"] for m in members], "lba": settings["lba"], "mode": "SwitchIndependent",
                    "gbps": sum(m["gbps"] for m in up), "up": bool(up), "id": settings["id"],
                    "rdma_capable": any(m["rdma_capable"] for m in members),
                    "host_vnics": [dict(v) for v in settings["host_vnics"]]}

    def host_vnics(self, node: str) -> list[dict]:
        """The node's host vNICs as adapters: ``vEthernet (<name>)``, the switch's speed, RDMA.

        Get-NetAdapter shows a host vNIC as "vEthernet (SMB1)" with InterfaceDescription "Hyper-V Virtual Ethernet
        Adapter #3" and the link speed of the SET team (80 Gbps over two 40 Gb/s members), and Get-NetAdapterRdma
        lists host vNICs, disabled until Enable-NetAdapterRdma ("Converged NIC configuration with multiple network
        adapters", https://learn.microsoft.com/en-us/windows-server/networking/technologies/conv-nic/cnic-datacenter).
        A host vNIC is RDMA-capable when a member of its switch is ("Using SET teams with RDMA-capable physical NICs
        provides more RDMA resources for the vNICs to consume", RDMA and SET page); the lab's node ``rdma: true``
        means RDMA was enabled on the node's host vNICs and RDMA-capable NICs.
        """
        with self._lock:
            state = self.node(node)
            out = []
            number = 1
            for switch in state.set_switches:
                sw = self.set_switch_state(state.name, switch)
                for vnic in sw["host_vnics"]:
                    number += 1
                    out.append({"name": f"vEthernet ({vnic['name']})", "vnic": vnic["name"], "switch": switch,
                                "index": vnic["index"], "gbps": sw["gbps"], "up": sw["up"],
                                "description": f"Hyper-V Virtual Ethernet Adapter #{number}",
                                "management": vnic["management"], "rdma_capable": sw["rdma_capable"],
                                "rdma_enabled": sw["rdma_capable"] and state.rdma})
            return out

    def team_members(self, node: str, team: str) -> list[dict]:
        return [nic for nic in self.node(node).nics if nic["team"] == team]

    def team_state(self, node: str, team: str) -> dict:
        """A team as the model sees it: members, settings, status (Up, Degraded, Down) and speed."""
        with self._lock:
            settings = self.node(node).teams[team]
            members = self.team_members(node, team)
            up = [m for m in members if m["status"] == "Up"]
            status = "Up" if len(up) == len(members) and members else ("Degraded" if up else "Down")
            return {"members": [m["name"] for m in members], "mode": settings["mode"], "lba": settings["lba"],
                    "status": status, "gbps": sum(m["gbps"] for m in up), "index": settings["index"]}

    def interfaces(self, node: str) -> list[dict]:
        """The node's IP interfaces: standalone NICs and team NICs, with their derived addresses."""
        with self._lock:
            state = self.node(node)
            number = list(self.nodes).index(state.name) + 1
            seen: list[str] = []
            out = []
            for nic in state.nics:
                if nic.get("set"):
                    continue  # bound to a SET switch: it holds no address, its switch's host vNICs do
                key = nic["team"] or nic["name"]
                if key in seen:
                    continue
                seen.append(key)
                if nic["team"]:
                    team = self.team_state(state.name, nic["team"])
                    members = self.team_members(state.name, nic["team"])
                    out.append({"name": nic["team"], "team": True, "index": team["index"], "gbps": team["gbps"],
                                "up": team["status"] != "Down", "management": any(m["management"] for m in members)})
                else:
                    out.append({"name": nic["name"], "team": False, "index": nic["index"],
                                "gbps": nic["gbps"] if nic["status"] == "Up" else 0.0, "up": nic["status"] == "Up",
                                "management": nic["management"]})
            for vnic in self.host_vnics(state.name):
                out.append({"name": vnic["name"], "team": False, "vnic": True, "index": vnic["index"],
                            "gbps": vnic["gbps"] if vnic["up"] else 0.0, "up": vnic["up"],
                            "management": vnic["management"], "rdma_enabled": vnic["rdma_enabled"]})
            k = 0
            for iface in out:
                if iface["management"]:
                    iface["address"], iface["subnet"] = MANAGEMENT_ADDRESS, ("127.0.0.0", "255.0.0.0")
                else:
                    k += 1
                    iface["address"], iface["subnet"] = f"198.18.{k}.{number}", (f"198.18.{k}.0", "255.255.255.0")
            return out

    def management_interface(self, node: str) -> str | None:
        return next((i["name"] for i in self.interfaces(node) if i["management"]), None)

    def cluster_networks(self) -> list[dict]:
        """One cluster network per subnet any node has an interface on; the management subnet carries clients."""
        with self._lock:
            nets: dict[tuple[str, str], dict] = {}
            for node in self.nodes.values():
                for iface in self.interfaces(node.name):
                    net = nets.setdefault(iface["subnet"], {"address": iface["subnet"][0], "mask": iface["subnet"][1],
                                                            "client": iface["management"], "up": False})
                    net["up"] = net["up"] or (node.state == "Up" and iface["up"])
            out = []
            for i, net in enumerate(sorted(nets.values(), key=lambda n: (not n["client"], n["address"])), start=1):
                out.append({"name": f"Cluster Network {i}", "address": net["address"], "mask": net["mask"],
                            "role": "InternalAndClient" if net["client"] else "InternalUse",
                            "metric": 70000 + i if net["client"] else 30000 + i, "state": "Up" if net["up"] else "Down"})
            return out

    def _refresh_network(self, name: str) -> None:
        """Apply a node's new SMB capacities to the transfer simulation (running reads are re-rated)."""
        self._tick()
        now = self.seconds()
        capacities = self._capacities()
        for key in (f"out:{name}", f"in:{name}"):
            self.transfers.set_capacity(key, capacities[key], now)
        for key in list(self.transfers.capacity):
            if key.startswith("path:"):
                reader, _, server = key[len("path:"):].partition("->")
                if name in (reader, server):
                    self.transfers.set_capacity(key, self.path_gbps(reader, server) * GBPS, now)

    def set_smb_multichannel(self, node: str, caller: str, client: bool | None = None,
                             server: bool | None = None) -> bool:
        """Set-SmbClientConfiguration / Set-SmbServerConfiguration -EnableMultiChannel; returns whether it changed."""
        with self._lock:
            state = self.node(node)
            before = {"client": state.smb_client_multichannel, "server": state.smb_server_multichannel}
            if client is not None:
                state.smb_client_multichannel = bool(client)
            if server is not None:
                state.smb_server_multichannel = bool(server)
            after = {"client": state.smb_client_multichannel, "server": state.smb_server_multichannel}
            changed = before != after
            if changed:
                self._refresh_network(state.name)
            self.log({"op": "net.smb_multichannel", "node": caller, "changed": changed,
                      "args": {"node": state.name, "from": before, "to": after}})
            return changed

    def _team_event(self, op: str, node: NodeState, args: dict, touched: list[str], error: str | None = None,
                    changed: bool = True) -> None:
        management = self.management_interface(node.name)
        nic_names = {n["name"]: n for n in node.nics}
        touches = any(t == management or (t in nic_names and nic_names[t]["management"]) for t in touched)
        event = {"op": op, "node": node.name, "ok": error is None, "changed": changed and error is None,
                 "args": args, "touches_management": touches}
        if error:
            event["error"] = error
        self.log(event)

    def _adapter(self, node: NodeState, name: str) -> dict:
        for nic in node.nics:
            if nic["name"].lower() == str(name).lower():
                return nic
        raise ModelError(f"No MSFT_NetAdapter objects found with property 'Name' equal to '{name}'.",
                         "ObjectNotFound")

    @staticmethod
    def _refuse_set_member(nic: dict) -> None:
        """An adapter bound to a SET switch cannot join an LBFO team: SET members are "network adapters that are
        bound to the Hyper-V Virtual Switch" (RDMA and SET page). Microsoft documents neither the refusal nor its
        text; the lab refuses (the conservative choice) with its own wording."""
        if nic.get("set"):
            raise ModelError(f"The network adapter '{nic['name']}' is bound to the Hyper-V virtual switch "
                             f"'{nic['set']}' (Switch Embedded Teaming) and cannot be a member of a team.",
                             "InvalidOperation")

    def os_info(self, node: str) -> dict:
        """Win32_OperatingSystem's Caption, Version and BuildNumber for the node's release (topology ``os``).

        Build numbers from "Windows Server release information"
        (https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info); the caption's
        edition (Datacenter) is the lab's choice.
        """
        build = OS_BUILDS[self.node(node).os]
        return {"Caption": f"Microsoft Windows Server {self.node(node).os} Datacenter", "Version": f"10.0.{build}",
                "BuildNumber": build}

    def module_available(self, node: str, module: str) -> bool:
        """Whether a PowerShell module's cmdlets exist on the node: the Hyper-V module only where ``hyperv``."""
        if str(module).lower() == "hyper-v":
            try:
                return self.node(node).hyperv
            except (KeyError, ModelError):
                return True
        return True

    def _team_name(self, node: NodeState, name: str) -> str:
        for team in node.teams:
            if team.lower() == str(name).lower():
                return team
        raise ModelError(f"No MSFT_NetLbfoTeam objects found with property 'Name' equal to '{name}'.",
                         "ObjectNotFound")

    def new_team(self, node: str, name: str, members: list[str], mode: str, lba: str) -> dict:
        """New-NetLbfoTeam: the members must exist and belong to no team."""
        with self._lock:
            state = self.node(node)
            args = {"team": name, "members": list(members), "mode": mode, "lba": lba}
            try:
                if any(t.lower() == name.lower() for t in state.teams):
                    raise ModelError(f"A team named '{name}' already exists.", "ResourceExists")
                if not members:
                    raise ModelError("A team needs at least one member.", "InvalidArgument")
                nics = [self._adapter(state, m) for m in members]
                for nic in nics:
                    if nic["team"]:
                        raise ModelError(f"The network adapter '{nic['name']}' is already a member of team "
                                         f"'{nic['team']}'.", "InvalidOperation")
                    self._refuse_set_member(nic)
            except ModelError as exc:
                self._team_event("net.team.create", state, args, list(members), str(exc))
                raise
            touched = [n["name"] for n in nics]
            state.teams[name] = {"mode": mode, "lba": lba,
                                 "index": max([t["index"] for t in state.teams.values()], default=100) + 1}
            for nic in nics:
                nic["team"] = name
            self._refresh_network(state.name)
            self._team_event("net.team.create", state, args, touched)
            return self.team_state(state.name, name)

    def _existing_team(self, state, name: str, op: str) -> str:
        """The team's name as the node spells it; an unknown team is logged as a refused ``op`` and raised."""
        try:
            return self._team_name(state, name)
        except ModelError as exc:
            self._team_event(op, state, {"team": name}, [], str(exc))
            raise

    def remove_team(self, node: str, name: str) -> None:
        with self._lock:
            state = self.node(node)
            team = self._existing_team(state, name, "net.team.remove")
            touched = [team] + [m["name"] for m in self.team_members(state.name, team)]
            management_before = self.management_interface(state.name)
            for nic in self.team_members(state.name, team):
                nic["team"] = None
            del state.teams[team]
            self._refresh_network(state.name)
            self._team_event("net.team.remove", state, {"team": team}, touched + ([team] if management_before == team else []))

    def set_team(self, node: str, name: str, mode: str | None, lba: str | None) -> dict:
        with self._lock:
            state = self.node(node)
            team = self._existing_team(state, name, "net.team.set")
            settings = state.teams[team]
            before = {"mode": settings["mode"], "lba": settings["lba"]}
            if mode:
                settings["mode"] = mode
            if lba:
                settings["lba"] = lba
            after = {"mode": settings["mode"], "lba": settings["lba"]}
            self._team_event("net.team.set", state, {"team": team, "from": before, "to": after}, [team],
                             changed=before != after)
            return self.team_state(state.name, team)

    def add_team_member(self, node: str, team: str, member: str) -> None:
        with self._lock:
            state = self.node(node)
            args = {"team": team, "member": member}
            try:
                team = self._team_name(state, team)
                nic = self._adapter(state, member)
                if nic["team"]:
                    raise ModelError(f"The network adapter '{nic['name']}' is already a member of team "
                                     f"'{nic['team']}'.", "InvalidOperation")
                self._refuse_set_member(nic)
            except ModelError as exc:
                self._team_event("net.team.add_member", state, args, [member], str(exc))
                raise
            nic["team"] = team
            self._refresh_network(state.name)
            self._team_event("net.team.add_member", state, {"team": team, "member": nic["name"]}, [nic["name"], team])

    def remove_team_member(self, node: str, team: str, member: str) -> None:
        with self._lock:
            state = self.node(node)
            args = {"team": team, "member": member}
            try:
                team = self._team_name(state, team)
                nic = self._adapter(state, member)
                if nic["team"] != team:
                    raise ModelError(f"The network adapter '{nic['name']}' is not a member of team '{team}'.",
                                     "ObjectNotFound")
                if len(self.team_members(state.name, team)) == 1:
                    raise ModelError(f"'{nic['name']}' is the last member of team '{team}': remove the team with "
                                     f"Remove-NetLbfoTeam instead.", "InvalidOperation")
            except ModelError as exc:
                self._team_event("net.team.remove_member", state, args, [member], str(exc))
                raise
            nic["team"] = None
            self._refresh_network(state.name)
            self._team_event("net.team.remove_member", state, {"team": team, "member": nic["name"]},
                             [nic["name"], team])

    def smb_connections(self, reader: str) -> list[dict]:
        """SMB connections the node's client has open now: one per running SMB read's server, one channel per
        interface pair with multichannel (client and server both enable it), else the fastest pair."""
        with self._lock:
            self._tick()
            reader = self._node_name(reader)
            servers = sorted({r["coordinator"] for r in self._reads.values()
                              if r["node"] == reader and r["read"] == "smb"})
            out = []
            for server in servers:
                mine = [i for i in self.interfaces(reader) if i["up"]]
                theirs = [i for i in self.interfaces(server) if i["up"]]
                multichannel = self.node(reader).smb_client_multichannel and self.node(server).smb_server_multichannel
                if not multichannel:
                    mine = sorted(mine, key=lambda i: -i["gbps"])[:1]
                    theirs = sorted(theirs, key=lambda i: -i["gbps"])[:1]
                for a, b in zip(mine, theirs):
                    out.append({"server": server, "client": a, "server_interface": b, "multichannel": multichannel})
            return out

    # ---- backup reads -----------------------------------------------------------------------------------
    def _capacities(self) -> dict[str, float]:
        capacity: dict[str, float] = {}
        for node in self.nodes.values():
            capacity[f"disk:{node.name}"] = node.disk_gbps * GBPS
            capacity[f"out:{node.name}"] = node.network_gbps(node.smb_server_multichannel) * GBPS
            capacity[f"in:{node.name}"] = node.network_gbps(node.smb_client_multichannel) * GBPS
        for target in self.targets:
            capacity[_target_key(target)] = target["gbps"] * GBPS
        return capacity

    # ---- backup targets ---------------------------------------------------------------------------------
    def resolve_target(self, node: str, path: str) -> dict:
        """The declared target that ``path`` (a tool's destination on ``node``) is, or is under.

        A UNC path must be under a declared share; a drive-letter path under a folder declared for ``node``.
        Anything else fails as Windows reports an unreachable destination (system error codes,
        https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499-):
        ERROR_BAD_NETPATH (53, "The network path was not found.") for a share on a server that declares none,
        ERROR_BAD_NET_NAME (67, "The network name cannot be found.") for an undeclared share of a server that
        has one, and ERROR_PATH_NOT_FOUND (3, "The system cannot find the path specified.") for a local path on
        a node without a declared target there. The last is conservative: a real node may well have such a
        folder (its system drive, say), but the lab does not model what is not declared, so nothing lands there.
        """
        text = str(path).replace("/", "\\")
        trimmed = text.rstrip("\\")
        low = trimmed.lower()
        node = self._node_name(node)
        share = text.startswith("\\\\")
        for target in self.targets:
            if share != (target["node"] is None) or (target["node"] is not None and target["node"] != node):
                continue
            root = target["path"].rstrip("\\").lower()
            if low == root or low.startswith(root + "\\"):
                return {"target": target, "path": text, "relative": trimmed[len(root) + 1:]}
        if share:
            server = low[2:].split("\\", 1)[0]
            known = any(t["node"] is None and t["path"][2:].split("\\", 1)[0].lower() == server for t in self.targets)
            raise TargetNotFound(text, ERROR_BAD_NET_NAME if known else ERROR_BAD_NETPATH)
        raise TargetNotFound(text, ERROR_PATH_NOT_FOUND)

    def write_resources(self, node: str, write: dict) -> tuple[str, ...]:
        """What a write to a target uses: the share's ingress and the writer's NIC egress, or the local folder."""
        target = write["target"]
        if target["node"] is None:
            # toward a share: out of the writer's NICs (the same egress its SMB reads for others use), then into
            # the backup server (its ingress, every writer's share of it)
            return (f"out:{self._node_name(node)}", _target_key(target))
        return (_target_key(target),)

    def begin_write(self, node: str, write: dict, tool: str) -> None:
        """A tool starts writing a backup of ``node`` to ``write``.

        wbadmin: a backup to a shared folder goes to ``<folder>\\WindowsImageBackup\\<computer>`` ("By default,
        the backup will be saved at: \\\\<servername>\\<sharename>\\WindowsImageBackup\\<ComputerBackedUp>\\"), and
        "If you save your backup to a remote shared folder, and then perform another backup to the same computer
        and the same remote shared folder, you will overwrite your previous backup"; "If your backup operation
        fails, you can end up without a backup because the older backup is overwritten"
        (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wbadmin-start-backup).
        So the previous backup of this computer in this folder is gone as soon as the new one starts.
        """
        if tool != "wbadmin":
            return
        folder = write["relative"].lower()
        write["target"]["files"][:] = [f for f in write["target"]["files"] if f["path"].lower() != folder]

    def _record_write(self, read: dict) -> None:
        """A read that ended put its bytes into its target: one entry per folder and CSV (robocopy merges trees)."""
        write = read.get("write")
        if not write:
            return
        files = write["target"]["files"]
        folder = write["relative"].lower()
        files[:] = [f for f in files if not (f["path"].lower() == folder and f["csv"] == read["csv"])]
        files.append({"path": write["relative"], "bytes": int(read["bytes"]), "csv": read["csv"], "node": read["node"],
                      "tool": write.get("tool"), "complete": read.get("status") == "done",
                      "written": round(read["end"], 3)})

    def path_gbps(self, reader: str, server: str) -> float:
        """Bandwidth of the SMB path: multichannel only when the reader's client and the server both enable it."""
        r, s = self.node(reader), self.node(server)
        multichannel = r.smb_client_multichannel and s.smb_server_multichannel
        return min(r.network_gbps(multichannel), s.network_gbps(multichannel))

    def start_read(self, reader: str, csv_name: str, snapshot: dict, job: str | None = None,
                   write: dict | None = None) -> str:
        """Start reading a snapshot of a CSV on ``reader``; returns the read's key.

        Where the bytes come from is decided here, from the model: a software snapshot lives on the node that
        coordinated the CSV when it was taken; a hardware snapshot is surfaced on the node that created it.
        ``write`` (from :meth:`resolve_target`) is where the bytes go: the flow then also uses the write path
        (:meth:`write_resources`), all of it shared max-min fairly with every other flow.
        """
        with self._lock:
            self._tick()
            csv = self.csv(csv_name)
            reader = self._node_name(reader)
            source = snapshot["node"]
            kind = "local" if source == reader else "smb"
            key = uuid.uuid4().hex
            now = self.seconds()
            if kind == "local":
                resources: tuple[str, ...] = (f"disk:{reader}",)
            else:
                path = f"path:{reader}->{source}"
                self.transfers.capacity[path] = self.path_gbps(reader, source) * GBPS
                resources = (f"disk:{source}", f"out:{source}", f"in:{reader}", path)
            if write is not None:
                resources = tuple(dict.fromkeys(resources + self.write_resources(reader, write)))
            total = csv.used_gb * 1e9
            # provider: the snapshot's VSS provider type (hardware, software, system); consistency: application when
            # writers took part in it, crash when none did (wsfc_lab.vss); a read of the live volume has neither.
            live = snapshot.get("provider_type") == "live"
            read = {"key": key, "csv": csv.name, "node": reader, "coordinator": source, "read": kind,
                    "bytes": total, "start": now, "job": job, "snapshot": snapshot.get("id"),
                    "provider": None if live else snapshot.get("provider_type"),
                    "consistency": "none" if live else snapshot.get("consistency"), "write": write}
            self._reads[key] = read
            if total <= 0:
                self._finish_read(Flow(key, 0.0, resources, now, info={"end": now}))
            else:
                for flow in self.transfers.add(Flow(key, total, resources, now), now):
                    self._finish_read(flow)
            return key

    def read_status(self, key: str) -> dict:
        with self._lock:
            self._tick()
            return dict(self._reads.get(key) or self._finished_reads.get(key) or {"key": key, "status": "unknown"})

    def _finish_read(self, flow: Flow) -> None:
        read = self._reads.pop(flow.key, None)
        if read is None:
            return
        end = flow.info.get("end", self.seconds())
        read.update(status="done", end=end, bytes=int(round(flow.total)))
        self._finished_reads[flow.key] = read
        self._record_write(read)
        self._events.append({"t": round(end, 3), "op": "backup.read", "ok": True, "csv": read["csv"],
                             "node": read["node"], "coordinator": read["coordinator"], "read": read["read"],
                             "provider": read["provider"], "consistency": read["consistency"],
                             "bytes": read["bytes"], "start": round(read["start"], 3), "end": round(end, 3),
                             **_write_fields(read),
                             "args": {"job": read["job"], "snapshot": read["snapshot"]}})
        for listener in list(self.read_listeners):
            listener(read)

    def cancel_read(self, key: str, why: str) -> None:
        """Stop a running read early (its backup job was stopped); logged like any failed read."""
        with self._lock:
            self._tick()
            self._fail_read(key, why)

    def _fail_read(self, key: str, why: str) -> None:
        now = self.seconds()
        flow, finished = self.transfers.remove(key, now)
        for done in finished:
            self._finish_read(done)
        read = self._reads.pop(key, None)
        if read is None:
            return
        read.update(status="failed", end=now, bytes=int(flow.done) if flow else 0, error=why)
        self._finished_reads[key] = read
        self._record_write(read)
        self.log({"op": "backup.read", "ok": False, "csv": read["csv"], "node": read["node"],
                  "coordinator": read["coordinator"], "read": read["read"], "bytes": read["bytes"],
                  "provider": read["provider"], "consistency": read["consistency"], **_write_fields(read),
                  "start": round(read["start"], 3), "end": round(now, 3), "error": why,
                  "args": {"job": read["job"], "snapshot": read["snapshot"]}})
        for listener in list(self.read_listeners):
            listener(read)

    # ---- ticking ----------------------------------------------------------------------------------------
    def _tick(self) -> None:
        fields, self._log_fields.fields = getattr(self._log_fields, "fields", None), None
        try:
            self._tick_now()
        finally:
            self._log_fields.fields = fields

    def _tick_now(self) -> None:
        now = self.seconds()
        for flow in self.transfers.advance(now):
            self._finish_read(flow)
        self._expire()
        for fault in list(self.pending_faults):
            if "at" in fault and now >= float(fault["at"]):
                self._fire(fault)
        for listener in list(self.tick_listeners):
            listener(now)

    def _tick_loop(self) -> None:
        while not self._stop.wait(0.02):
            with self._lock:
                self._tick()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)

    # ---- helpers for cmdlets ----------------------------------------------------------------------------
    def snapshot_node(self, csv_name: str, requester: str, provider_type: str) -> str:
        """Where a new snapshot of ``csv_name`` is surfaced: a system or software one on the coordinator, a hardware
        one on the requester (lab/README.md, "Model of a backup read")."""
        csv = self.csv(csv_name)
        return self._node_name(requester) if provider_type == "hardware" else csv.owner

    def new_id(self) -> str:
        return "{" + str(uuid.uuid4()).upper() + "}"

    # ---- VSS shadow copies (the rules are in wsfc_lab.vss, each with its Microsoft page) --------------------
    def shadow_providers(self) -> list[dict]:
        """The VSS providers registered on every node: the system provider, and a hardware one when the
        topology's ``vss.hardware_provider`` is true. ``type`` is Win32_ShadowProvider.Type (1 System, 3 Hardware)."""
        with self._lock:
            return self.vss.providers()

    def _csv_for_volume(self, volume: str) -> CsvState | None:
        """The CSV a requester's volume names: its mount point (``C:\\ClusterStorage\\Volume1\\``, trailing
        backslash optional) or its volume GUID path (``\\\\?\\Volume{id}\\``)."""
        wanted = str(volume).rstrip("\\").lower()
        for csv in self.csvs.values():
            if wanted in (csv.path.rstrip("\\").lower(), f"\\\\?\\volume{{{csv.id}}}".lower()):
                return csv
        return None

    def log_snapshot(self, requester: str, snap: dict, args: dict) -> None:
        """The ``snap.create`` event of a shadow copy that was made: provider, where it surfaced, consistency."""
        self.log({"op": "snap.create", "node": requester, "ok": True, "args": args, "return_code": 0,
                  "snapshot": snap["id"], "provider_id": snap["provider_id"], "provider_type": snap["provider_type"],
                  "surfaced_on": snap["node"], "coordinator": snap["originating_machine"],
                  "device_object": snap["device_object"], "context": snap["context"],
                  "consistency": snap["consistency"], "writers": snap["writers"], "tool": snap["tool"],
                  "backup_type": snap["backup_type"]})

    def create_snapshot(self, requester: str, volume: str, context: str = "ClientAccessible") -> tuple[int, dict | None]:
        """Win32_ShadowCopy.Create run on ``requester``: returns (documented return code, snapshot record or None).

        The context is ClientAccessible (the method's default and the only one the lab models for it): no writers
        and only the system provider, whatever else is registered (wsfc_lab.vss), so the snapshot is
        crash-consistent and surfaced on the CSV's coordinator. A ``snapshot_fails`` fault for the requester makes it
        fail with the code of the fault's ``reason``; a failed create leaves no snapshot. Logged as ``snap.create``.
        """
        from wsfc_lab.vss import VssError
        with self._lock:
            self._tick()
            requester = self._node_name(requester)
            csv = self._csv_for_volume(volume)
            args = {"volume": str(volume), "context": context, "csv": csv.name if csv else None, "tool": "wmi"}
            code, why = 0, None
            if csv is None:
                code, why = 3, "no CSV has that volume name"
            elif csv.state != "Online":
                code, why = 3, f"the CSV is {csv.state}"
            else:
                fault = self.take_fault("snapshot_fails", node=requester)
                if fault is not None:
                    why = fault.get("reason") or "provider_failure"
                    code = SNAPSHOT_FAILURE_REASONS[why]
            snap = None
            if not code:
                try:
                    snap = self.vss.create(requester, csv, context, tool="wmi", fault_checked=True)
                except VssError as exc:
                    code, why = exc.wmi_code, f"{exc.name}: {exc}"
            if code:
                self.log({"op": "snap.create", "node": requester, "ok": False, "args": args, "return_code": code,
                          "error": why, "provider_type": "system"})
                return code, None
            self.log_snapshot(requester, snap, args)
            return 0, dict(snap)

    def visible_snapshots(self, node: str) -> list[dict]:
        """Shadow copies Win32_ShadowCopy lists on ``node``: those surfaced there and those it asked for."""
        with self._lock:
            node = self._node_name(node)
            return [dict(s) for s in self.snapshots if node in (s["node"], s.get("created_by"))]

    def delete_snapshot(self, node: str, shadow_id: str, tool: str = "wmi") -> dict:
        """Delete a shadow copy visible on ``node`` (and its exposure); logged as ``snap.delete``."""
        with self._lock:
            self._tick()
            node = self._node_name(node)
            for snap in list(self.snapshots):
                if snap["id"].lower() == str(shadow_id).lower() and node in (snap["node"], snap.get("created_by")):
                    self.snapshots.remove(snap)
                    self.log({"op": "snap.delete", "node": node, "ok": True, "args": {"id": snap["id"], "tool": tool},
                              "csv": snap["csv"], "provider_type": snap["provider_type"], "surfaced_on": snap["node"],
                              "exposed": (snap.get("exposed") or {}).get("path")})
                    return dict(snap)
            self.log({"op": "snap.delete", "node": node, "ok": False, "args": {"id": str(shadow_id), "tool": tool},
                      "error": "not found"})
            raise ModelError(f"No shadow copy with ID {shadow_id} is visible on {node}.", "ObjectNotFound")

    def _foreign_snapshots(self) -> None:
        """The topology's ``shadow_copies`` per CSV: persistent shadow copies another backup product left (with
        writers, the system provider, surfaced on the coordinator, created before the lab started). wsfc.csv's
        registry does not list them, so it must never delete them."""
        for csv in self.csvs.values():
            spec = next(c for c in self.topology.csvs if c.name == csv.name)
            for k in range(spec.shadow_copies):
                self._shadow_numbers += 1
                self.snapshots.append({
                    "id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/{csv.name}/foreign/{k}")).upper() + "}",
                    "csv": csv.name, "volume": csv.path.rstrip("\\") + "\\",
                    "device_object": f"\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy{self._shadow_numbers}",
                    "node": csv.owner, "provider_id": SYSTEM_PROVIDER["id"], "provider_type": "system",
                    "created": -3600.0 * (spec.shadow_copies - k), "created_by": csv.owner,
                    "set_id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/{csv.name}/set/{k}")).upper() + "}",
                    "context": "AppRollback", "originating_machine": csv.owner, "persistent": True, "writers": True,
                    "client_accessible": False, "consistency": "application", "backup_type": "copy",
                    "tool": FOREIGN_TOOL, "exposed": None})


def _target_key(target: dict) -> str:
    """The transfer resource of a target's ingress (a share) or write rate (a node's folder)."""
    return "target:" + (f"{target['node']}:" if target["node"] else "") + target["path"].lower()


def _write_fields(read: dict) -> dict:
    """``target`` and ``target_path`` of a ``backup.read`` event (None when the lab does not know where it wrote)."""
    write = read.get("write")
    return {"target": write["target"]["path"] if write else None, "target_path": write["path"] if write else None}
