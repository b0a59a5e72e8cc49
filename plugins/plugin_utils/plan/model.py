# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The throughput model of a backup window, and a fluid simulator for it.

Pure functions, no I/O. The backup planner needs to predict how long a set of
backup reads takes, and the prediction is only useful if it agrees with the
lab, which documents its model (lab/README.md, "Model of a backup read"):

- a local read on node N runs at N's read throughput (its disk);
- an SMB read by N from coordinator K uses K's disk, K's network out and N's
  network in, and is limited by the path between them;
- concurrent reads share every resource they use fairly (max-min fair share,
  found by progressive filling), recomputed whenever a read starts or ends.

What is read is also written to the backup target, and when the planner knows
the target's bandwidth (:class:`Write`) the write is part of the same flow:

- to a share (a UNC path) the bytes leave the reader through its network out,
  the same resource that serves the SMB reads of the CSVs it coordinates, and
  enter the target through its ingress, which every writing node shares. So
  a CSV read over SMB and written to a share crosses the reader's NIC twice:
  in for the read, out for the write;
- to a node-local folder (a drive-letter path) they cost that node's write
  rate into it and no NIC.

Without a known target the write costs nothing beyond the optional per-node
cap (``target_gbps``), exactly as before the write path was modelled.

A read is therefore a *flow* over a set of *resources* (hashable keys such as
``("disk", "NODE1")``), each resource with a capacity in bytes per second.
:class:`Topology` turns cluster and network facts into those resources;
:func:`simulate` runs per-node queues of reads through them.
"""

from __future__ import annotations

import heapq

# 1 Gb/s in bytes per second: the lab counts 10^9 bits per gigabit.
BYTES_PER_GBIT = 1e9 / 8
# An adapter whose facts give no speed, or a node with no adapter facts at all, is
# assumed to have one 10 GbE interface: the most common backup network, and the
# assumption is reported as a warning whenever a plan relies on it.
DEFAULT_NIC_GBPS = 10.0


def gbps_to_bytes(gbps):
    """Gigabits per second to bytes per second, as the lab converts them."""
    return float(gbps) * BYTES_PER_GBIT


def _speed(adapter):
    try:
        return max(float(adapter.get("link_gbps") or 0), 0.0)
    except (TypeError, ValueError):
        return 0.0


def up_adapters(facts):
    """The adapters of one node that can carry SMB traffic.

    An adapter counts when it is Up (a missing status is taken as Up) and has a
    speed. The virtual interface of an LBFO team is left out when its members
    are listed too, so a team is never counted twice.
    """
    adapters = [a for a in (facts or {}).get("adapters") or [] if isinstance(a, dict)]
    teams = set(a.get("team") for a in adapters if a.get("team"))
    return [
        a for a in adapters
        if str(a.get("status") or "Up").lower() == "up" and _speed(a) > 0
        and not (a.get("name") in teams and not a.get("team"))
    ]


def smb_side_gbps(facts, multichannel):
    """One node's SMB bandwidth in Gb/s, or None when its facts name no usable adapter.

    With SMB Multichannel every Up adapter carries traffic, so the node has the
    sum of their speeds. Without it one connection uses one interface: the
    fastest one, where an LBFO team is one interface as fast as its members
    together.
    """
    adapters = up_adapters(facts)
    if not adapters:
        return None
    if multichannel:
        return sum(_speed(a) for a in adapters)
    interfaces = {}
    for index, adapter in enumerate(adapters):
        key = ("team", adapter["team"]) if adapter.get("team") else ("nic", index)
        interfaces[key] = interfaces.get(key, 0.0) + _speed(adapter)
    return max(interfaces.values())


def multichannel_flags(facts):
    """(client, server) SMB Multichannel flags; Windows enables both by default."""
    flags = (facts or {}).get("smb_multichannel") or {}
    return bool(flags.get("client", True)), bool(flags.get("server", True))


class Write:
    """Where the bytes of every read go: the backup target the planner knows a bandwidth for.

    ``kind`` is ``"share"`` (a UNC path: ``gbps`` is its ingress, shared by
    every node that writes to it) or ``"local"`` (a drive-letter path on each
    node: ``node_gbps`` gives a node's write rate into it, ``gbps`` the rate of
    the nodes it does not name, None for unknown). ``path`` is the target as
    listed, for the plan's report.
    """

    def __init__(self, kind, path, gbps=None, node_gbps=None):
        if kind not in ("share", "local"):
            raise ValueError("a backup target is a share or a local folder, not %r" % (kind,))
        self.kind = kind
        self.path = path
        self.gbps = gbps
        self.node_gbps = dict(node_gbps or {})

    def local_gbps(self, node):
        """A node's write rate into a local target in Gb/s, or None when unknown."""
        return self.node_gbps.get(node, self.gbps)


class Topology:
    """The resources of a cluster for backup reads and their writes, and their capacities.

    ``read_gbps`` gives every node's local read throughput (the serving side of
    an SMB read needs it even when that node runs no backup); ``network`` the
    per-node facts of ``network_info`` (``{node: {"adapters", "smb_multichannel"}}``);
    ``target_gbps`` an optional cap on each node's write to the backup target;
    ``write`` the target (:class:`Write`) when its bandwidth is known, else None.
    """

    def __init__(self, read_gbps, network=None, target_gbps=None, write=None):
        self.network = dict(network or {})
        self.target_gbps = target_gbps
        self.write = write
        self.assumed_network = set()  # nodes whose SMB bandwidth an SMB read had to assume
        self.capacities = {}
        self.shared = None            # the target's ingress in bytes/s, shared by every writing node
        self._sides = {}
        self._writes = {}             # node -> the resources its writes use, after the read's
        if write is not None and write.kind == "share" and write.gbps is not None:
            self.shared = gbps_to_bytes(write.gbps)
            self.capacities[("ingress",)] = self.shared
        for node, gbps in read_gbps.items():
            client, server = multichannel_flags(self.network.get(node))
            self.capacities[("disk", node)] = gbps_to_bytes(gbps)
            self.capacities[("in", node)] = gbps_to_bytes(self._side(node, client))
            self.capacities[("out", node)] = gbps_to_bytes(self._side(node, server))
            writes = ()
            if target_gbps is not None:
                self.capacities[("target", node)] = gbps_to_bytes(target_gbps)
                writes = (("target", node),)
            if write is not None and write.kind == "share":
                writes += (("out", node),) + ((("ingress",),) if self.shared is not None else ())
            elif write is not None and write.local_gbps(node) is not None:
                self.capacities[("write", node)] = gbps_to_bytes(write.local_gbps(node))
                writes += (("write", node),)
            self._writes[node] = writes

    def _side(self, node, multichannel, record=False):
        key = (node, multichannel)
        if key not in self._sides:
            self._sides[key] = smb_side_gbps(self.network.get(node), multichannel)
        gbps = self._sides[key]
        if gbps is None:
            if record:
                self.assumed_network.add(node)
            return DEFAULT_NIC_GBPS
        return gbps

    def path_gbps(self, reader, server):
        """Bandwidth of an SMB read by ``reader`` from ``server``: the slower side.

        Multichannel applies to the pair only when the reader's client and the
        server's server side both enable it.
        """
        multichannel = multichannel_flags(self.network.get(reader))[0] and multichannel_flags(self.network.get(server))[1]
        return min(self._side(reader, multichannel, True), self._side(server, multichannel, True))

    def writes_over_network(self):
        """True when every byte read also leaves its reader's NIC towards a share."""
        return self.write is not None and self.write.kind == "share"

    def assumes_network(self, node):
        """True when ``node``'s facts name no usable adapter, so its NIC is the assumed one."""
        return smb_side_gbps(self.network.get(node), multichannel_flags(self.network.get(node))[1]) is None

    def write_rate(self, node):
        """Bytes per second ``node`` can write on its own (its per-node write resources; the shared ingress left out)."""
        rates = [self.capacities[res] for res in self._writes.get(node, ()) if res != ("ingress",)]
        return min(rates) if rates else float("inf")

    def local_rate(self, node):
        """Bytes per second of local reads on ``node``, all of them together: its disk, then its write path."""
        return min(self.capacities[("disk", node)], self.write_rate(node))

    def read_uses(self, reader, source):
        """The resources the read half of a read by ``reader`` of data served by ``source`` uses."""
        if reader == source:
            return (("disk", reader),)
        path = ("path", reader, source)
        if path not in self.capacities:
            self.capacities[path] = gbps_to_bytes(self.path_gbps(reader, source))
        return (("disk", source), ("out", source), ("in", reader), path)

    def uses(self, reader, source):
        """The resources a read by ``reader`` of data served by ``source`` uses, its write to the target included."""
        return self.read_uses(reader, source) + self._writes.get(reader, ())


def max_min_rates(flows, capacities):
    """Max-min fair rates of ``flows`` ({id: resources}) by progressive filling.

    All unfrozen flows grow together; the resource that runs out first (the
    smallest remaining capacity per flow using it) freezes its flows at that
    share; repeat. A resource missing from ``capacities`` (or None) is
    unlimited; a flow that uses no limited resource gets an infinite rate.
    Ties go to the resource first met in ``flows``' order, so the result is
    deterministic.

    The next bottleneck comes from a heap whose stale entries are skipped, not
    from a scan of every resource: once a target's ingress joins every read in
    one component, a scan per frozen resource made each recomputation
    quadratic in the number of resources.
    """
    left, users, order = {}, {}, {}
    for fid, uses in flows.items():
        for res in uses:
            if capacities.get(res) is not None:
                if res not in users:
                    left[res] = float(capacities[res])
                    users[res] = {}
                    order[res] = len(order)
                users[res][fid] = None
    rates = dict((fid, float("inf")) for fid in flows)
    heap = [(left[res] / len(members), order[res], len(members), res) for res, members in users.items()]
    heapq.heapify(heap)
    while heap:
        dummy, dummy_order, count, bottleneck = heapq.heappop(heap)
        members = users.get(bottleneck)
        if members is None or len(members) != count:
            continue  # stale: a later entry holds its current share
        share = max(left[bottleneck], 0.0) / count
        touched = {}
        for fid in list(members):
            rates[fid] = share
            for res in flows[fid]:
                if res in users:
                    left[res] -= share
                    del users[res][fid]
                    if users[res]:
                        touched[res] = None
                    else:
                        del users[res]
                        touched.pop(res, None)
        for res in touched:
            if res in users:
                heapq.heappush(heap, (left[res] / len(users[res]), order[res], len(users[res]), res))
    return rates


class _Run:
    """Mutable state of one simulation; :func:`simulate` is its only user."""

    def __init__(self, jobs, capacities, concurrency):
        self.capacities = capacities
        self.concurrency = concurrency
        self.queues = dict((node, list(reads)) for node, reads in jobs.items())
        self.next_index = dict((node, 0) for node in jobs)
        self.now = 0.0
        self.active = {}      # read id -> [remaining bytes, rate, since, version, node, uses]
        self.users = {}       # resource -> {read id: None} for active reads
        self.events = []      # heap of (end time, sequence, read id, version)
        self.sequence = 0
        self.timeline = {}    # read id -> {"node", "bytes", "start_s", "end_s"}

    def start_next(self, node):
        """Start the next queued read of ``node``; its resources, or () when the queue is empty."""
        index = self.next_index[node]
        if index >= len(self.queues[node]):
            return ()
        self.next_index[node] = index + 1
        rid, size, uses = self.queues[node][index]
        if rid in self.timeline:
            raise ValueError("read %r appears twice in the simulated jobs" % (rid,))
        self.active[rid] = [float(size), 0.0, self.now, 0, node, tuple(uses)]
        self.timeline[rid] = {"node": node, "bytes": size, "start_s": self.now, "end_s": None}
        for res in uses:
            self.users.setdefault(res, {})[rid] = None
        return tuple(uses)

    def finish(self, rid):
        """End read ``rid`` now; return the resources it frees."""
        state = self.active.pop(rid)
        self.timeline[rid]["end_s"] = self.now
        for res in state[5]:
            del self.users[res][rid]
            if not self.users[res]:
                del self.users[res]
        return state[5]

    def component(self, resources):
        """Active reads whose rates can change when ``resources`` gain or lose a flow."""
        seen, stack, reads = set(resources), list(resources), {}
        while stack:
            for rid in self.users.get(stack.pop(), ()):
                if rid not in reads:
                    reads[rid] = None
                    for res in self.active[rid][5]:
                        if res not in seen:
                            seen.add(res)
                            stack.append(res)
        return reads

    def reschedule(self, resources):
        """Recompute the fair rates of every read sharing ``resources`` and queue their ends.

        A read whose rate did not change keeps its queued end. With a target's
        ingress in every read, most events are a read ending and its node's next
        one starting, which leaves every other share as it was; re-queueing all
        of them made each event cost a heap push per running read.
        """
        reads = self.component(resources)
        if not reads:
            return
        rates = max_min_rates(dict((rid, self.active[rid][5]) for rid in reads), self.capacities)
        for rid in reads:
            state = self.active[rid]
            if rates[rid] == state[1] and 0.0 < state[1] < float("inf"):
                continue
            state[0] = max(state[0] - state[1] * (self.now - state[2]), 0.0) if state[1] != float("inf") else 0.0
            state[1], state[2], state[3] = rates[rid], self.now, state[3] + 1
            if state[0] <= 0.0 or state[1] == float("inf"):
                end = self.now
            elif state[1] > 0.0:
                end = self.now + state[0] / state[1]
            else:
                continue
            self.sequence += 1
            heapq.heappush(self.events, (end, self.sequence, rid, state[3]))

    def run(self):
        started = []
        for node in self.queues:
            for dummy in range(self.concurrency):
                started.extend(self.start_next(node))
        self.reschedule(started)
        while self.events:
            end, dummy, rid, version = heapq.heappop(self.events)
            state = self.active.get(rid)
            if state is None or state[3] != version:
                continue
            self.now = max(self.now, end)
            freed = self.finish(rid)
            self.reschedule(freed + self.start_next(state[4]))
        if self.active:
            raise ValueError("reads %s can never finish: a resource they use has no capacity" % sorted(self.active))


def simulate(jobs, capacities, concurrency=2):
    """Run backup reads through the fluid model and time them.

    ``jobs`` maps each node to its reads in the order it runs them, each read a
    tuple ``(read id, bytes, resources)`` (see :meth:`Topology.uses`). Each node
    runs at most ``concurrency`` reads at once and starts its next read as one
    ends; every start and end recomputes the max-min fair rates of the reads
    that share a resource with it. Returns ``{"reads": {id: {"node", "bytes",
    "start_s", "end_s"}}, "window_s"}``, where the window is the end of the
    last read (0 when there is none).
    """
    if int(concurrency) < 1:
        raise ValueError("concurrency must be at least 1, got %r" % (concurrency,))
    run = _Run(jobs, capacities, int(concurrency))
    run.run()
    window = max([read["end_s"] for read in run.timeline.values()] or [0.0])
    return {"reads": run.timeline, "window_s": window}
