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
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from wsfc_lab.topology import Topology, _fault
from wsfc_lab.transfer import GBPS, Flow, TransferSimulation

EPOCH = datetime(2026, 1, 5, 1, 0, 0, tzinfo=timezone.utc)
MOVE_SECONDS = 2.0  # modelled duration of a CSV ownership move


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

    def network_gbps(self, multichannel: bool) -> float:
        """SMB bandwidth: all NICs with multichannel, else the fastest single interface (a team is one interface)."""
        if multichannel:
            return sum(nic["gbps"] for nic in self.nics)
        interfaces: dict[str, float] = {}
        for nic in self.nics:
            key = "team:" + nic["team"] if nic.get("team") else "nic:" + nic["name"]
            interfaces[key] = interfaces.get(key, 0.0) + nic["gbps"]
        return max(interfaces.values())


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
        self._listeners: list[Callable[[str, str], None]] = []
        self._operations = 0
        self.nodes: dict[str, NodeState] = {}
        for index, node in enumerate(topology.nodes, start=1):
            self.nodes[node.name] = NodeState(
                node.name, str(index), node.state, node.disk_gbps,
                [{"name": n.name, "gbps": n.gbps, "team": n.team} for n in node.nics],
                node.smb_multichannel, node.smb_multichannel, node.rdma)
        self.csvs: dict[str, CsvState] = {}
        for csv in topology.csvs:
            owner = self._node_name(csv.owner)
            self.csvs[csv.name] = CsvState(
                csv.name, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topology.cluster}/{csv.name}")), csv.path,
                csv.size_gb, csv.used_gb, owner, csv.state, csv.redirected,
                [{"name": vm.name, "owner": self._node_name(vm.owner) if vm.owner else owner} for vm in csv.vms])
        self.hardware_provider = topology.hardware_provider
        self.snapshots: list[dict] = []
        self.jobs: list[dict] = []
        self.locks: list[dict] = []
        self.pending_faults: list[dict] = [dict(f) for f in topology.faults]
        self.transfers = TransferSimulation(self._capacities())
        self._reads: dict[str, dict] = {}
        self._finished_reads: dict[str, dict] = {}
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

    # ---- events -----------------------------------------------------------------------------------------
    def log(self, event: dict) -> dict:
        with self._lock:
            entry = {"t": round(self.seconds(), 3), "node": None, "op": "?", "ok": True, "args": {}}
            entry.update(event)
            self._events.append(entry)
            return entry

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
            return {
                "cluster": self.name,
                "time": round(self.seconds(), 3),
                "nodes": {n.name: {"state": n.state, "id": n.id, "disk_gbps": n.disk_gbps, "nics": n.nics,
                                   "smb_multichannel": {"client": n.smb_client_multichannel,
                                                        "server": n.smb_server_multichannel},
                                   "rdma": n.rdma} for n in self.nodes.values()},
                "csvs": {c.name: {"owner": c.owner, "state": c.state, "redirected": c.redirected, "path": c.path,
                                  "size_gb": c.size_gb, "used_gb": c.used_gb,
                                  "vms": sorted(vm["name"] for vm in c.vms)} for c in self.csvs.values()},
                "snapshots": [dict(s) for s in self.snapshots],
                "jobs": [dict(j) for j in self.jobs],
                "locks": [dict(lk) for lk in self.locks],
                "reads": [{"csv": r["csv"], "node": r["node"], "read": r["read"]} for r in self._reads.values()],
            }

    # ---- WinRM operations and faults --------------------------------------------------------------------
    def before_operation(self, node: str) -> None:
        """Called by the server before each WinRM command; fires op-count faults (a timeout sleeps past the client)."""
        sleep_for = 0.0
        with self._lock:
            self._operations += 1
            self._tick()
            for fault in list(self.pending_faults):
                if "after_ops" not in fault or self._operations <= fault["after_ops"]:
                    continue
                if fault["kind"] == "winrm_timeout":
                    if fault["node"].lower() != node.lower():
                        continue
                    sleep_for = max(sleep_for, float(fault.get("seconds", 120)))
                    self._consume(fault, {"node": node})
                elif fault["kind"] in ("node_down", "node_pause"):
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

    def inject_fault(self, fault: dict) -> dict:
        fault = _fault("fault", fault)
        with self._lock:
            if fault["kind"] in ("node_down", "node_pause", "csv_failover") and "at" not in fault \
                    and "after_ops" not in fault and fault.get("during") is None:
                self._fire(fault)
                return {"fired": fault}
            self.pending_faults.append(fault)
            return {"scheduled": fault}

    def take_fault(self, kind: str, **match: str) -> dict | None:
        """Consume a pending fault of ``kind`` matching ``match`` (e.g. a move or snapshot that must fail)."""
        with self._lock:
            for fault in self.pending_faults:
                if fault["kind"] != kind or "at" in fault or "after_ops" in fault:
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
                for csv in self.csvs.values():
                    if csv.owner == node.name:
                        self._failover(csv, None, reason="node down")
                    for vm in csv.vms:
                        if vm["owner"] == node.name:
                            vm["owner"] = self._least_loaded_up_node()
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
            if read["csv"] == csv.name and read["provider"] != "hardware":
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
            csv.owner = target.name
            self.log({"op": "csv.move", "node": caller, "args": args, "ok": True, "changed": True})
            return csv, MOVE_SECONDS

    # ---- backup reads -----------------------------------------------------------------------------------
    def _capacities(self) -> dict[str, float]:
        capacity: dict[str, float] = {}
        for node in self.nodes.values():
            capacity[f"disk:{node.name}"] = node.disk_gbps * GBPS
            capacity[f"out:{node.name}"] = node.network_gbps(node.smb_server_multichannel) * GBPS
            capacity[f"in:{node.name}"] = node.network_gbps(node.smb_client_multichannel) * GBPS
        return capacity

    def path_gbps(self, reader: str, server: str) -> float:
        """Bandwidth of the SMB path: multichannel only when the reader's client and the server both enable it."""
        r, s = self.node(reader), self.node(server)
        multichannel = r.smb_client_multichannel and s.smb_server_multichannel
        return min(r.network_gbps(multichannel), s.network_gbps(multichannel))

    def start_read(self, reader: str, csv_name: str, snapshot: dict, job: str | None = None) -> str:
        """Start reading a snapshot of a CSV on ``reader``; returns the read's key.

        Where the bytes come from is decided here, from the model: a software snapshot lives on the node that
        coordinated the CSV when it was taken; a hardware snapshot is surfaced on the node that created it.
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
            total = csv.used_gb * 1e9
            read = {"key": key, "csv": csv.name, "node": reader, "coordinator": source, "read": kind,
                    "bytes": total, "start": now, "job": job, "snapshot": snapshot.get("id"),
                    "provider": snapshot.get("provider_type", "software")}
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
        self._events.append({"t": round(end, 3), "op": "backup.read", "ok": True, "csv": read["csv"],
                             "node": read["node"], "coordinator": read["coordinator"], "read": read["read"],
                             "bytes": read["bytes"], "start": round(read["start"], 3), "end": round(end, 3),
                             "args": {"job": read["job"], "snapshot": read["snapshot"]}})

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
        self.log({"op": "backup.read", "ok": False, "csv": read["csv"], "node": read["node"],
                  "coordinator": read["coordinator"], "read": read["read"], "bytes": read["bytes"],
                  "start": round(read["start"], 3), "end": round(now, 3), "error": why,
                  "args": {"job": read["job"], "snapshot": read["snapshot"]}})

    # ---- ticking ----------------------------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.seconds()
        for flow in self.transfers.advance(now):
            self._finish_read(flow)
        for fault in list(self.pending_faults):
            if "at" in fault and now >= float(fault["at"]):
                self._fire(fault)

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
        """Where a new snapshot of ``csv_name`` is surfaced: software on the coordinator, hardware on the requester."""
        csv = self.csv(csv_name)
        return self._node_name(requester) if provider_type == "hardware" else csv.owner

    def new_id(self) -> str:
        return "{" + str(uuid.uuid4()).upper() + "}"
