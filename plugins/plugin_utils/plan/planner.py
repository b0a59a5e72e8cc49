# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan the backup of a cluster's CSVs: which node reads which CSV, what moves first, and how long it takes.

Pure functions, no I/O: :func:`plan_backup` takes the facts of ``cluster_info``
(and optionally ``network_info``) and returns a JSON-serialisable plan that the
role carries out and reports. Why a planner at all: with a software VSS
snapshot a CSV is read at disk speed on its coordinator but over SMB anywhere
else, and moving a CSV's ownership costs no downtime. So the plan decides, per
strategy, where each backup job runs and which CSVs move there first, times
every read with the lab's throughput model (:mod:`plan.model`), and always
compares all four strategies so the report can show what the choice is worth.

Strategies (see :mod:`plan.strategies`): ``balanced`` (shortest window, fewest
moves), ``coordinator`` (no moves), ``consolidate`` (everything moved to one
backup node), ``remote`` (one backup node, nothing moved, SMB reads; kept for
comparison). ``all`` returns ``balanced`` with every strategy's full plan.

The write path counts too when the target's bandwidth is known (options
``target`` and ``targets``; :class:`plan.model.Write`): every read is also a
write through the reader's NIC into a share's ingress, or into a node's local
folder, so a slow backup server sets the window and the lower bound.

Sites (the ``site`` of each node, from the cluster's fault domains): unless
``cross_site``, every strategy plans each site on its own, so no CSV leaves
its coordinator's site (see :func:`_plans`), and the plan says what that costs
against the same strategy across sites. The plan's ``findings`` come from the
Storage Spaces Direct sizing advice (:mod:`plan.findings`).
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan import strategies
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.findings import sizing_findings
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.inputs import prepare
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.model import DEFAULT_NIC_GBPS, Topology, simulate

__all__ = ["plan_backup", "STRATEGY_NAMES"]

STRATEGY_NAMES = ("balanced", "coordinator", "consolidate", "remote")
# Choosing the remote node simulates every allowed node while nodes x CSVs stays under
# this; above it only the _REMOTE_SHORTLIST nodes with the best estimates are simulated.
_EXACT_REMOTE_LIMIT = 4096
_REMOTE_SHORTLIST = 3
_NAMED = 10  # CSVs a warning names before it says how many more


def plan_backup(cluster, network=None, **options):
    """The backup plan of ``cluster`` (the result of ``cluster_info``); see the filter's documentation for options and the result."""
    inputs = prepare(cluster, network, options)
    topology = Topology(inputs.read_gbps, inputs.network, inputs.target_gbps, inputs.write)
    plans, problem = _plans(inputs, topology, inputs.constrained())
    chosen = "balanced" if inputs.strategy == "all" else inputs.strategy
    result = dict(plans[chosen])
    result["warnings"] = inputs.warnings + result["warnings"]
    result["comparison"] = dict((name, plans[name]["window_s"]) for name in STRATEGY_NAMES)
    result["sites"] = _site_report(inputs, topology, plans, chosen, result["warnings"])
    result["findings"] = sizing_findings(inputs, problem, result["window_s"])
    if inputs.strategy == "all":
        result["plans"] = plans
    return result


def _plans(inputs, topology, constrained):
    """Every strategy's plan, and the problem they solved; with ``constrained``, each CSV stays in its coordinator's site.

    Sites: in a stretched cluster the nodes of each site sit near their own
    storage. "Fault domain awareness" (windowsserverdocs,
    failover-clustering/fault-domains.md): "Stretch clustering allows faraway
    servers to join a common cluster. For the best performance, applications
    or virtual machines should be run on servers that are nearby to those
    providing their storage." A CSV's coordinator takes the I/O every other
    node redirects to it ("Use Cluster Shared Volumes in a failover cluster",
    failover-clustering/failover-cluster-csvs.md: "the node redirects the disk
    I/O through a cluster network to the coordinator node"; on ReFS "write
    access is sent to the coordinator node"), so a CSV moved to the other
    site, or read over SMB from it, sends its VMs' I/O and the backup's reads
    across the inter-site link. So no plan does that unless cross_site says so.
    """
    sites = dict((node, inputs.sites[node]) for node in inputs.allowed) if constrained else None
    problem = strategies.Problem(inputs.volumes, inputs.allowed, dict((n, topology.local_rate(n)) for n in inputs.allowed),
                                 shared=topology.shared, sites=sites, homes=inputs.homes() if constrained else None,
                                 **_bound_rates(inputs, topology))
    plans = dict((name, _Planner(name, inputs, topology, problem).plan()) for name in STRATEGY_NAMES)
    _keep_balanced_best(plans, inputs, topology, problem)
    return plans, problem


def _seconds(value):
    return "{:,.0f}".format(value)


def _site_report(inputs, topology, plans, chosen, warnings):
    """The plan's ``sites`` (None without sites); says what keeping sites costs, or which CSVs cross them."""
    if not inputs.sites:
        return None
    report = {"cross_site": inputs.cross_site, "nodes": dict(sorted(inputs.site_names.items())), "across_sites_window_s": None}
    plan = plans[chosen]
    if inputs.constrained():
        across = _plans(inputs, topology, False)[0][chosen]["window_s"]
        report["across_sites_window_s"] = across
        window = plan["window_s"]
        if across < window * (1 - strategies.TOLERANCE) and window - across >= 0.5:
            warnings.append("staying within sites costs %s s (window %s s; %s s across sites: set csv_backup_cross_site: "
                            "true to allow it)" % (_seconds(window - across), _seconds(window), _seconds(across)))
        return report
    homes = inputs.homes()
    crossing = sorted(read["csv"] for node, reads in plan["nodes"].items() for read in reads
                      if inputs.sites.get(node) != homes[read["csv"]] or inputs.sites.get(read["source"]) != homes[read["csv"]])
    if crossing and inputs.cross_site:
        shown = ", ".join(crossing[:_NAMED]) + (" and %d more" % (len(crossing) - _NAMED) if len(crossing) > _NAMED else "")
        warnings.append("%d CSV(s) are backed up from another site than their coordinator's (csv_backup_cross_site is "
                        "true): %s; their I/O crosses the inter-site link while they are there" % (len(crossing), shown))
    return report


def _bound_rates(inputs, topology):
    """The disks and the write paths of the allowed nodes apart, for the lower bound, when writes are modelled."""
    if not inputs.write:
        return {}
    return {"disks": dict((n, topology.capacities[("disk", n)]) for n in inputs.allowed),
            "writes": dict((n, topology.write_rate(n)) for n in inputs.allowed)}


def _keep_balanced_best(plans, inputs, topology, problem):
    """Make ``balanced`` the simulated best of itself, the plan that ignores the target, ``coordinator`` and ``consolidate``.

    ``balanced`` searches with the closed form of :mod:`plan.strategies`, which
    is exact when nodes share nothing. A target's shared ingress is fair to each
    read, not to the plan: a node that finishes early hands its share to the
    others only if they can use it, and a node left alone at the end cannot
    fill the ingress. So assignments the closed form ties at the target's floor
    (it then keeps the one with fewest moves) can differ once simulated, and
    the assignment balanced would make without the target, whose nodes finish
    together, may end earlier. Each is simulated; the shortest window wins, and
    within TOLERANCE of it (and no later than ``coordinator`` and
    ``consolidate``, so ``balanced`` is never worse than either) the fewest moves.
    """
    if problem.shared is None:
        return
    loose = strategies.Problem(problem.volumes, problem.nodes, problem.rates, sites=problem.sites, homes=problem.homes)
    candidates = [plans["balanced"], plans["coordinator"], plans["consolidate"]]
    if problem.floor > loose.lower_bound():  # else the floor changes no closed-form window, nor balanced's search
        candidates.append(_Planner("balanced", inputs, topology, problem, strategies.balanced(loose)).plan())
    limit = min([min(plan["window_s"] for plan in candidates) * (1 + strategies.TOLERANCE)]
                + [plans[name]["window_s"] for name in ("coordinator", "consolidate")])
    best = min((index for index, plan in enumerate(candidates) if plan["window_s"] <= limit),
               key=lambda index: (len(candidates[index]["moves"]), candidates[index]["window_s"], index))
    if best == 0:
        return
    if best == 3:
        plans["balanced"] = candidates[3]
        return
    assignment = dict((read["csv"], node) for node, reads in candidates[best]["nodes"].items() for read in reads)
    plans["balanced"] = _Planner("balanced", inputs, topology, problem, assignment).plan()


class _Planner:
    """One strategy's plan: the assignment, the reads and moves it implies, and their simulated timing."""

    def __init__(self, strategy, inputs, topology, problem, assignment=None):
        self.strategy = strategy
        self.inputs = inputs
        self.topology = topology
        self.problem = problem
        self.hardware = inputs.provider == "hardware"
        self.backup_node = None
        self.warnings = []
        self.given = assignment

    def plan(self):
        assignment = self.given or self._assignment()
        reads, moves = self._reads(assignment)
        timing = simulate(self._jobs(reads), self.topology.capacities, self.inputs.concurrency)
        return self._result(reads, moves, timing)

    def _assignment(self):
        problem = self.problem
        if self.strategy == "balanced":
            return strategies.balanced(problem)
        if self.strategy == "coordinator":
            return strategies.coordinator(problem)
        # One backup node, or with sites one per site that has CSVs (backup_node, where it is, in its own site).
        assignment, chosen, given = {}, [], self.inputs.backup_node
        for part in problem.parts():
            if not part.volumes:
                continue
            if given in part.nodes:
                node = given
            elif self.strategy == "consolidate":
                node = strategies.consolidation_node(part)
            else:
                node = self._best_remote_node(part)
            chosen.append(node)
            assignment.update(strategies.consolidate(part, node))
        self.backup_node = ", ".join(sorted(chosen))
        if given is not None and given not in chosen:
            self.warnings.append("backup_node %s is in another site than every CSV's coordinator: the %s plan uses %s "
                                 "(set csv_backup_cross_site: true to use %s for every CSV)"
                                 % (given, self.strategy, self.backup_node, given))
        elif given is not None and len(chosen) > 1:
            self.warnings.append("backup_node %s backs up the CSVs of its own site; the other sites' are backed up on %s "
                                 "(set csv_backup_cross_site: true to use %s for every CSV)"
                                 % (given, ", ".join(sorted(n for n in chosen if n != given)), given))
        return assignment

    def _best_remote_node(self, part):
        """The node of ``part`` from which a remote backup of its volumes ends first (simulated; shortlisted by estimate on big clusters)."""
        nodes = list(part.nodes)
        if len(nodes) * len(part.volumes) > _EXACT_REMOTE_LIMIT:
            owned = {}
            for volume in part.volumes:
                owned[volume.owner] = owned.get(volume.owner, 0) + volume.size
            nodes = sorted(nodes, key=lambda node: (self._remote_estimate(node, owned), node))[:_REMOTE_SHORTLIST]
        windows = []
        for node in nodes:
            reads, dummy = self._reads(strategies.consolidate(part, node), part.volumes)
            windows.append((simulate(self._jobs(reads), self.topology.capacities, self.inputs.concurrency)["window_s"], node))
        return min(windows)[1]

    def _remote_estimate(self, node, owned):
        """A quick lower bound of a remote backup from ``node``: its busiest resource, fully used.

        ``owned`` gives the selected bytes per coordinator.
        """
        caps, local, smb, times = self.topology.capacities, 0, 0, []
        for owner, size in owned.items():
            if self._source(owner, node) == node:
                local += size
                continue
            smb += size
            times.append(size / min(caps[res] for res in self.topology.read_uses(node, owner)))
        times.append(local / caps[("disk", node)])
        times.append(smb / caps[("in", node)])
        if self.topology.write is None:
            times.append((local + smb) / self.topology.local_rate(node) if ("target", node) in caps else 0.0)
        else:  # every byte is also written from this node: its write path, and the target's ingress
            times.append((local + smb) / self.topology.write_rate(node))
            times.append(self.problem.floor)
        return max(times)

    def _source(self, owner, node):
        """Where ``node`` reads a volume coordinated by ``owner`` from: itself, unless this is a remote software backup from an Up coordinator."""
        if self.strategy == "remote" and not self.hardware and owner != node and owner in self.inputs.up:
            return owner
        return node

    def _reads(self, assignment, volumes=None):
        reads, moves = [], []
        for volume in self.problem.volumes if volumes is None else volumes:
            node = assignment[volume.name]
            source = self._source(volume.owner, node)
            if not self.hardware and source == node and volume.owner != node:
                moves.append({"csv": volume.name, "from": volume.owner, "to": node})
            reads.append({"csv": volume.name, "bytes": volume.size, "node": node, "source": source,
                          "read": "local" if source == node else "smb", "why": self._why(volume, node, source) + self._refs(volume)})
        return reads, moves

    def _refs(self, volume):
        """Why a ReFS CSV is read where it is coordinated, for software snapshots.

        "Cluster Shared Volumes overview" (windowsserverdocs,
        failover-clustering/failover-cluster-csvs.md): a CSV on ReFS "is placed
        in redirected mode, meaning write access is sent to the coordinator
        node". Every node but the coordinator reaches it through the
        coordinator, so the backup reads it on the node that coordinates it
        (after its move, if it moves), never in place from another node.
        """
        facts = self.inputs.csv_facts.get(volume.name) or {}
        if self.hardware or str(facts.get("filesystem") or "").lower() != "refs":
            return ""
        return "; ReFS: redirected on every node, all I/O goes through the coordinator; read where it is coordinated"

    def _why(self, volume, node, source):
        owner = volume.owner
        if source != node:
            return "read over SMB from coordinator %s (path %g Gb/s)" % (owner, self.topology.path_gbps(node, owner))
        if owner == node:
            return "%s coordinates this CSV: local read" % node
        if owner not in self.inputs.up:
            return "coordinator %s is not Up; %s to %s, local read" % (owner, self._verb(), node)
        if owner not in self.problem.rates:
            where = ", which finishes earliest" if self.strategy == "coordinator" else ""
            return "coordinator %s may not run backups; %s to %s%s: local read" % (owner, self._verb(), node, where)
        if self.hardware:
            return "hardware snapshot surfaces on %s (coordinator %s): local read, %s" % (node, owner, self._purpose(node))
        return "moved from coordinator %s %s: local read" % (owner, self._purpose(node))

    def _verb(self):
        return "runs on" if self.hardware else "moved"

    def _purpose(self, node):
        if self.strategy == "balanced":
            return "to shorten the window"
        if self.problem.sites is not None and len(self.problem.parts()) > 1:
            return "to consolidate the backups of its site on %s" % node
        return "to consolidate every backup on %s" % node

    def _jobs(self, reads):
        """Per-node queues for the simulator: each node's reads, largest first (reads are already in that order)."""
        jobs = dict((node, []) for node in self.problem.nodes)
        for read in reads:
            jobs[read["node"]].append((read["csv"], read["bytes"], self.topology.uses(read["node"], read["source"])))
        return jobs

    def _result(self, reads, moves, timing):
        nodes = dict((node, []) for node in self.problem.nodes)
        for index, read in enumerate(reads):
            times = timing["reads"][read["csv"]]
            entry = dict((k, read[k]) for k in ("csv", "bytes", "read", "source", "why"))
            entry.update(index=index, start_s=round(times["start_s"], 3), end_s=round(times["end_s"], 3))
            nodes[read["node"]].append(entry)
        self._warn(reads)
        bound = self.problem.lower_bound()
        window = timing["window_s"]
        return {
            "strategy": self.strategy,
            "provider": self.inputs.provider,
            "concurrency": self.inputs.concurrency,
            "backup_node": self.backup_node,
            "nodes": nodes,
            "moves": moves,
            "undo": [{"csv": m["csv"], "from": m["to"], "to": m["from"]} for m in reversed(moves)],
            "window_s": round(window, 3),
            "lower_bound_s": round(bound, 3),
            "ratio_to_lower_bound": round(window / bound, 4) if bound > 0 else 1.0,
            "total_bytes": self.problem.total,
            "target": self._target(),
            "selected": list(self.inputs.selected),
            "skipped": [dict(s) for s in self.inputs.skipped],
            "warnings": self.warnings,
        }

    def _target(self):
        """The write path the plan counted: None when the target's bandwidth is unknown."""
        write = self.topology.write
        if write is None:
            return None
        if write.kind == "share":
            return {"path": write.path, "kind": "share", "gbps": write.gbps, "floor_s": round(self.problem.floor, 3)}
        return {"path": write.path, "kind": "local", "gbps": write.gbps, "node_gbps": dict(sorted(write.node_gbps.items()))}

    def _warn(self, reads):
        """Say what the plan assumes or costs that its numbers alone do not show."""
        smb = [r for r in reads if r["read"] == "smb"]
        assumed = sorted(n for n in self.topology.assumed_network if any(n in (r["node"], r["source"]) for r in smb))
        if assumed:
            self.warnings.append("no network facts for %s: SMB reads assume one %g Gb/s interface" % (", ".join(assumed), DEFAULT_NIC_GBPS))
        if self.topology.writes_over_network():
            writers = sorted(set(r["node"] for r in reads if r["bytes"] > 0 and self.topology.assumes_network(r["node"])))
            if writers:
                self.warnings.append("no network facts for %s: writes to %s assume one %g Gb/s interface"
                                     % (", ".join(writers), self.topology.write.path, DEFAULT_NIC_GBPS))
        stranded = [v.name for v in self.problem.volumes if v.owner not in self.inputs.up]
        if stranded and not self.hardware:
            self.warnings.append("the coordinator of %s is not Up; the plan moves them to a node that is" % ", ".join(stranded))
        if smb:
            self.warnings.append("%d CSV(s), %d bytes, are read over SMB: a plan that moves them first reads them locally"
                                 % (len(smb), sum(r["bytes"] for r in smb)))
