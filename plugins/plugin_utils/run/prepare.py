# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Prepare one backup run from what every node answered: which host is which node, the plan, the run's name.

Pure, no I/O. The csv_backup role reads the cluster and the network on every
node at once, then ``wsfc.csv.backup_prepare`` (run once) calls
:func:`prepare_run` with those answers. Everything the rest of the run needs
comes back in one dictionary, registered for every host: the cluster as the
first node that answered saw it, the plan, each host's share of the reads,
the lines to print, and the ownership map to save before any move.

Why the decisions are here: which host is which node, which nodes cannot
take part, when the network findings stop the run, and what the plan says
were Jinja in the role; here they are one function with unit tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import answered, why_not
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.describe import describe_plan
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.options import option_errors
from ansible_collections.wsfc.csv.plugins.plugin_utils.targets import folder_errors, folder_name

FAILING_SEVERITIES = ("critical", "warning")


class RunError(ValueError):
    """The run cannot be prepared; the message says why and what to do, and that nothing was changed."""


def _clean(result):
    """A registered result without Ansible's bookkeeping keys."""
    return dict((k, v) for k, v in result.items() if not k.startswith("_ansible") and k not in (
        "changed", "failed", "invocation", "warnings", "deprecations"))


def _answers(hosts, facts):
    """The hosts whose cluster_info answered, in play order, and why each of the others did not."""
    ok = [(host, facts[host]) for host in hosts if answered(facts.get(host))]
    missing = dict((host, why_not(facts.get(host))) for host in hosts if not answered(facts.get(host)))
    return ok, missing


def match_hosts(ok, cluster, node_names):
    """``{host: node}``: the node each answering host is (``csv_backup_node_name``, else the name it reported)."""
    canonical = dict((n["name"].lower(), n["name"]) for n in cluster.get("nodes") or [])
    hosts, taken = {}, {}
    for host, result in ok:
        wanted = node_names.get(host) or result.get("queried_node") or ""
        node = canonical.get(str(wanted).lower())
        if node is None:
            if node_names.get(host):
                raise RunError("csv_backup_node_name of %s is %r, which is not a node of cluster %s (nodes: %s). Fix "
                               "it and run again; nothing was changed." % (host, wanted, cluster["cluster"]["name"],
                                                                           ", ".join(sorted(canonical.values()))))
            continue
        if node in taken:
            raise RunError("The hosts %s and %s are both cluster node %s. Keep one host per node in the inventory "
                           "group (or set csv_backup_node_name); nothing was changed." % (taken[node], host, node))
        hosts[host], taken[node] = node, host
    return hosts


def _network(networks):
    """The combined network facts of the nodes that answered network_info, and all their findings."""
    read = [r for r in networks.values() if answered(r) and isinstance(r.get("nodes"), Mapping)]
    nodes = {}
    for result in read:
        nodes.update(result["nodes"])
    findings = [f for result in read for f in result.get("findings") or []]
    return ({"nodes": nodes} if nodes else None), findings


def finding_lines(findings):
    """One line per network finding: severity, node, what, and the fix."""
    return ["%s on %s: %s (%s)" % (f.get("severity"), f.get("node"), f.get("what"), f.get("fix")) for f in findings]


def snapshot_provider(option, vss):
    """The provider to plan and snapshot with: the option, or for ``auto`` the kind VSS would choose on the node."""
    if option != "auto":
        return option
    chosen = (vss or {}).get("auto_provider") if answered(vss) else None
    return "hardware" if (chosen or {}).get("kind") == "hardware" else "software"


def backup_nodes(option, matched, cluster):
    """Which nodes may back up, and the Up nodes left out because no answering host of the play is them.

    The nodes are ``csv_backup_nodes`` (default: every Up node) that are the
    node of an answering host; None when that is every Up node, as the
    planner's default. A node without such a host could not run its queue.
    """
    up = sorted(n["name"] for n in cluster.get("nodes") or [] if n.get("state") == "Up")
    usable = set(node.lower() for node in matched.values())
    wanted = list(option) if option else up
    kept = [name for name in wanted if str(name).lower() in usable]
    up_names = set(name.lower() for name in up)
    left_out = sorted(str(name) for name in wanted if str(name).lower() not in usable and str(name).lower() in up_names)
    if not option and not left_out:
        return None, []
    return (kept or wanted), left_out


def _plan(cluster, network, options, provider, nodes):
    read_gbps = options.get("read_gbps", 8.0)
    target = float(options.get("target_gbps") or 0)
    try:
        return plan_backup(
            cluster, network, strategy=options.get("strategy", "balanced"), select=options.get("select") or None,
            backup_nodes=nodes, backup_node=options.get("node") or None, provider=provider,
            concurrency=int(float(options.get("concurrency", 2))),
            read_gbps=read_gbps if isinstance(read_gbps, Mapping) else float(read_gbps),
            target_gbps=target if target > 0 else None, target=options.get("target") or None,
            targets=list(options.get("targets") or []) or None, cross_site=options.get("cross_site", False),
            busy_csvs=options.get("busy_csvs", "fail"))
    except ValueError as exc:
        raise RunError("The backup of %s was not planned: %s. Check the option it names (csv_backup_select, "
                       "csv_backup_nodes, csv_backup_node, ...) and run again; nothing was changed."
                       % (cluster["cluster"]["name"], exc)) from None


def _notes(facts_host, missing, left_out, matched, plan):
    """What the plan lines add about the nodes: which one was read, which could not take part and why."""
    busy = set(node for node, reads in (plan.get("nodes") or {}).items() if reads)
    unmatched = sorted(busy - set(matched.values()))
    if unmatched:
        raise RunError("The plan backs up CSVs on %s, but no answering host of this play is that cluster node. Add "
                       "the node to the inventory group (or set csv_backup_node_name for its host), or leave it out "
                       "with csv_backup_nodes; nothing was changed." % ", ".join(unmatched))
    notes = []
    if missing:
        notes.append("cluster read through %s; did not answer: %s" % (
            facts_host, "; ".join("%s (%s)" % item for item in sorted(missing.items()))))
    if left_out:
        notes.append("backs up nothing, no answering host of this play is that node: %s" % ", ".join(left_out))
    return notes


def run_dir(report_dir, cluster, run_id):
    """``<report_dir>/<cluster>-<run id>``, with the cluster's name (it comes from the node) made a plain file name.

    A name with a path separator, ``..`` or anything but letters, digits,
    ``.``, ``_`` and ``-`` could put the report elsewhere on the controller;
    the resolved path is checked to be inside ``report_dir`` as well.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(cluster)).strip(".") or "cluster"
    path = os.path.join(str(report_dir).rstrip("/") or "/", "%s-%s" % (safe, run_id))
    base = os.path.realpath(str(report_dir))
    if os.path.commonpath([base, os.path.realpath(path)]) != base:
        raise RunError("The report directory of cluster %r would be %s, outside csv_backup_report_dir %s; nothing was "
                       "changed." % (cluster, path, report_dir))
    return path


def _forks_warning(forks, busy):
    if forks is None or int(forks) >= busy:
        return []
    return ["Ansible runs %s fork(s) but %d nodes have CSVs to back up, so their queues run batch after batch and the "
            "window grows; run with --forks %d or more (AWX: the forks of the job template)" % (forks, busy, busy)]


def _by_cluster(ok):
    """The answering hosts grouped by the cluster they answered for, clusters in the order of their first host."""
    groups = {}
    for host, result in ok:
        groups.setdefault(str(result["cluster"]["name"]), []).append((host, result))
    return groups


def attribute_missing(missing, groups, members):
    """Which cluster each host that did not answer belongs to, by the inventory groups it is in.

    A host that did not answer cannot say its cluster; the inventory can. If
    one of its groups holds no host that answered, that group's cluster could
    not be read at all: the host answered for no cluster, a failure of the
    run, never silence. Otherwise a group that holds hosts of exactly one
    answering cluster makes it a node of that cluster that is down (groups
    that span clusters, such as the fleet's parent group, say nothing). A host
    no group ties to one cluster answered for none either. Returns
    ``({cluster: {host: why}}, {host: why})``.
    """
    cluster_of = dict((h, name) for name, hosts in members.items() for h in hosts)
    per_group = {}
    for host, names in (groups or {}).items():
        for group in names or []:
            per_group.setdefault(group, set()).add(host)
    attributed, lost = {}, {}
    for host, why in missing.items():
        ties = [set(cluster_of[h] for h in per_group.get(group, ()) if h in cluster_of)
                for group in (groups or {}).get(host) or []]
        candidates = set().union(*[t for t in ties if len(t) == 1]) if ties else set()
        if all(ties) and len(candidates) == 1:
            attributed.setdefault(candidates.pop(), {})[host] = why
        else:
            lost[host] = why
    return attributed, lost


def _cluster_options(options, fleet_nodes, cluster_nodes=None):
    """One cluster's options: with ``fleet_target_gbps``, each node's target cap is its share of the fleet's.

    Each cluster is planned on its own, but in a fleet the clusters write to
    the same targets at once, so a listed target's bandwidth (``targets``) is
    shared the same way: each cluster counts the part of it its answering
    nodes are of all the fleet's (``cluster_nodes`` of ``fleet_nodes``).
    """
    options = dict(options)
    fleet = float(options.pop("fleet_target_gbps", 0) or 0)
    if fleet > 0 and fleet_nodes:
        share = fleet / fleet_nodes
        own = float(options.get("target_gbps") or 0)
        options["target_gbps"] = min(own, share) if own > 0 else share
    if options.get("targets") and cluster_nodes and fleet_nodes and cluster_nodes < fleet_nodes:
        options["targets"] = [dict(entry, gbps=float(entry["gbps"]) * cluster_nodes / fleet_nodes)
                              if isinstance(entry, Mapping) and _is_share(entry) else entry for entry in options["targets"]]
    return options


def _is_share(entry):
    """A listed target that is a share (the clusters of a fleet share it); a node's own folder is not shared."""
    return isinstance(entry.get("path"), str) and entry["path"].startswith("\\\\")


def _name_folders(plan, cluster, options):
    """Give each planned read its CSV's cluster Id and the folder its backup goes to (see :mod:`targets`).

    The folder is part of the plan, so a CSV backed up again after a failover
    (queue.records.failover_reads) goes to the same folder. Two CSVs whose
    folders would be the same (compared as Windows does, without case) are refused.
    """
    ids = dict((str(c.get("name")).lower(), c.get("id")) for c in cluster.get("csvs") or [])
    reads = [read for items in (plan.get("nodes") or {}).values() for read in items or []]
    for read in reads:
        read["id"] = ids.get(str(read["csv"]).lower())
        read["folder"] = folder_name(read)
    clashes = folder_errors(reads) if options.get("method", "copy") in ("copy", "wbadmin") else []
    if clashes:
        raise RunError("%s. Nothing was changed." % "; ".join(clashes))


def refuse_maintenance(name, cluster):
    """Refuse a run while Cluster-Aware Updating updates the cluster (before any change).

    An updating run pauses (drains) and restarts nodes one by one, and the
    cluster moves their CSVs as it does ("Cluster-Aware Updating overview",
    learn.microsoft.com/windows-server/failover-clustering/cluster-aware-updating), so a backup's moves and
    snapshots would race it. ``cau`` comes from Get-CauRun (cluster_facts.cau_run).
    """
    cau = cluster.get("cau") or {}
    if cau.get("in_progress"):
        what = ", ".join("%s %s" % (k, cau[k]) for k in ("run_id", "orchestrator", "started", "state") if cau.get(k))
        raise RunError("A Cluster-Aware Updating run is in progress on %s (%s): it pauses and restarts nodes, which "
                       "moves CSVs. Wait for it to end (Get-CauRun -WaitForCompletion), then run again; nothing was "
                       "changed." % (name, what or "Get-CauRun"))


def prepare_cluster(name, members, missing, networks, vss, node_names, options, report_dir, run_id, stamp):
    """One cluster's part of the run, planned from the first of ``members`` (its answering hosts, in play order)."""
    facts_host, cluster = members[0][0], _clean(members[0][1])
    refuse_maintenance(name, cluster)
    matched = match_hosts(members, cluster, node_names)
    network, findings = _network(dict((h, networks[h]) for h, dummy in members if h in networks))
    failing = [f for f in findings if f.get("severity") in FAILING_SEVERITIES]
    if options.get("network_findings") == "fail" and failing:
        raise RunError("The network of %s does not meet the recommendations (%d finding(s)): %s. Fix them (playbook "
                       "wsfc.csv.network_check helps), or set csv_backup_network_findings=warn. Nothing was changed."
                       % (name, len(failing), "; ".join(finding_lines(failing))))
    provider = snapshot_provider(options.get("provider", "auto"), vss.get(facts_host))
    nodes, left_out = backup_nodes(options.get("nodes"), matched, cluster)
    plan = _plan(cluster, network, options, provider, nodes)
    _name_folders(plan, cluster, options)
    notes = _notes(facts_host, missing, left_out, matched, plan)
    cau = cluster.get("cau") or {}
    if cau and not cau.get("available"):
        notes.append("could not tell whether a Cluster-Aware Updating run is in progress (Get-CauRun: %s)"
                     % (cau.get("error") or "no answer"))
    by_node = dict((node, host) for host, node in matched.items())
    reads = dict((by_node[node], list(items)) for node, items in (plan.get("nodes") or {}).items() if items)
    network_lines = finding_lines(findings)
    return {
        "cluster": cluster,
        "facts_host": facts_host,
        "hosts": matched,
        "unanswered": missing,
        "provider": provider,
        "plan": plan,
        "reads": reads,
        "network_findings": findings,
        "network_lines": network_lines,
        "lines": (describe_plan(plan, name) + notes
                  + (["network findings:"] + network_lines if network_lines else [])),
        "run_id": run_id,
        "started": stamp,
        "dir": run_dir(report_dir, name, run_id),
        "ownership": {
            "cluster": name, "run_id": run_id, "saved": stamp, "facts_node": facts_host,
            "owners": cluster.get("coordinators") or {}, "moves": plan.get("moves") or [],
            "method": options.get("method", "copy"), "reads": plan.get("nodes") or {},
        },
    }


def changed_under_lock(first, again):
    """Lines saying which coordinators changed between the first read (``first``, the plan shown before the lock)
    and the read under the lock (``again``); the run goes on with what it read under the lock."""
    lines = []
    for name, crun in sorted((again.get("clusters") or {}).items()):
        before = ((((first.get("clusters") or {}).get(name) or {}).get("ownership")) or {}).get("owners") or {}
        after = (crun.get("ownership") or {}).get("owners") or {}
        for csv in sorted(set(before) | set(after)):
            if str(before.get(csv) or "").lower() != str(after.get(csv) or "").lower():
                lines.append("%s: %s was coordinated by %s when the cluster was first read and by %s under the "
                             "lock; the run records and restores what it read under the lock" % (
                                 name, csv, before.get(csv) or "nobody", after.get(csv) or "nobody"))
    return lines


def leaders_changed(first, again):
    """Why a run planned again under its locks cannot go on (a cluster's lock was taken through a host that is not
    its leader any more: that host did not answer the read under the lock), or None."""
    before = dict((name, host) for host, name in (first.get("leaders") or {}).items())
    after = dict((name, host) for host, name in (again.get("leaders") or {}).items())
    changed = sorted(name for name in before if after.get(name) != before[name])
    if not changed:
        return None
    return ("The cluster %s was read again under its lock, but %s, the host its lock was taken through, did not "
            "answer that read first (%s did). Nothing was moved; the lock is released. Run again." % (
                ", ".join(changed), ", ".join(before[n] for n in changed),
                ", ".join(after.get(n) or "no host" for n in changed)))


def prepare_run(hosts, facts, networks=None, vss=None, node_names=None, options=None, forks=None,
                report_dir=".", started=None, token="000000", groups=None, run_id=None):
    """The run of every cluster the play's hosts answer for: see wsfc.csv.backup_prepare's RETURN for every key.

    ``hosts`` are the play's hosts in order; ``facts``, ``networks`` and
    ``vss`` what each registered from cluster_info, network_info and
    csv_snapshot_info; ``node_names`` each host's csv_backup_node_name;
    ``started`` a UTC datetime and ``token`` a few random characters, which
    name the run; ``groups`` each host's inventory groups. Hosts are grouped
    by the cluster they answered for, and each cluster is planned on its own
    (:func:`prepare_cluster`). A host that did not answer belongs to the
    cluster its inventory groups tie it to (:func:`attribute_missing`), else
    it is a failure of a fleet run. With one cluster, a refusal raises
    :class:`RunError`; in a fleet, a cluster that cannot be planned carries
    its ``error`` and the others go on.
    """
    options = dict(options or {})
    errors = option_errors(options)
    if errors:
        raise RunError("%s Fix them and run again; nothing was read or changed." % " ".join(errors))
    ok, missing = _answers(hosts, facts or {})
    if not ok:
        raise RunError("No node of %s answered wsfc.csv.cluster_info (%s). Check that the nodes are up and reachable "
                       "over WinRM, then run again; nothing was changed." % (
                           ", ".join(hosts), "; ".join("%s: %s" % item for item in sorted(missing.items()))))
    by_cluster = _by_cluster(ok)
    attributed, lost = attribute_missing(missing, groups if groups is not None else {},
                                         dict((n, [h for h, dummy in m]) for n, m in by_cluster.items()))
    if groups is None and len(by_cluster) == 1:  # no inventory groups given: every host is of the one cluster
        attributed, lost = {next(iter(by_cluster)): missing}, {}
    fleet = len(by_cluster) > 1 or bool(lost)
    if not run_id:  # given: the run planned again under its lock keeps its name
        run_id = "%s-%s" % (started.strftime("%Y%m%dT%H%M%SZ"), token) if started else token
    stamp = started.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if started else None
    up = sum(1 for members in by_cluster.values() for dummy in members)
    clusters = {}
    for name, members in by_cluster.items():
        try:
            clusters[name] = prepare_cluster(
                name, members, attributed.get(name) or {}, networks or {}, vss or {}, node_names or {},
                _cluster_options(options, up, len(members)), report_dir, run_id, stamp)
        except RunError as exc:
            if not fleet:
                raise
            clusters[name] = {"error": str(exc), "cluster": {"cluster": {"name": name}}, "hosts": {},
                              "reads": {}, "facts_host": members[0][0], "run_id": run_id, "started": stamp,
                              "dir": run_dir(report_dir, name, run_id), "lines": ["%s: %s" % (name, exc)]}
    planned = dict((n, c) for n, c in clusters.items() if not c.get("error"))
    if not planned:
        raise RunError("No cluster of this play could be planned: %s" % " ".join(c["error"] for c in clusters.values()))
    reads = dict((h, r) for c in planned.values() for h, r in c["reads"].items())
    lines = [line for c in clusters.values() for line in c["lines"]]
    if lost:
        lines.append("answered for no cluster: %s" % "; ".join("%s (%s)" % item for item in sorted(lost.items())))
    return {
        "run_id": run_id,
        "started": stamp,
        "fleet": fleet,
        "clusters": clusters,
        "host_cluster": dict((h, n) for n, members in by_cluster.items() for h, dummy in members),
        "leaders": dict((c["facts_host"], n) for n, c in planned.items()),
        "moves": dict((c["facts_host"], c["plan"].get("moves") or []) for c in planned.values()),
        "reads": reads,
        "providers": dict((h, c["provider"]) for c in planned.values() for h in c["hosts"]),
        "maps": [{"dir": c["dir"], "map": c["ownership"]} for c in planned.values()],
        "unanswered": lost,
        "fleet_dir": run_dir(report_dir, "fleet", run_id) if fleet else None,
        "lines": lines,
        "run_warnings": _forks_warning(forks, len(reads)),
    }
