# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Review a backup run from the cluster as it is now: what to back up again, what to move back, and through whom.

Pure, no I/O. At the end of a run (and in the restore entry point, from a
saved ownership map) every node reads the cluster once more and
``wsfc.csv.backup_review`` (run once) calls these functions. The answers:

- the *control host*, the first host (in play order) whose read answered: the
  moves back and the lock's release go through it, so a node that went down
  during the run does not stop the clean-up;
- the CSVs a failover (or a lost node) broke, re-planned on their new
  coordinators (:func:`queue.records.failover_reads`), per host;
- the CSVs to move back, decided from the cluster's state
  (:func:`csv_ownership.restore_moves`): only those not already home, and only
  to an original owner that is still Up.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import failover_reads
from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import restore_moves
from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import answered
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import RunError, match_hosts


def first_answer(hosts, now):
    """``(host, facts)`` of the first host whose fresh cluster_info answered, or ``(None, None)``."""
    for host in hosts:
        if answered(now.get(host)):
            return host, now[host]
    return None, None


def _queues_that_ran(hosts, queues):
    """The hosts, in play order, whose backup_queue ran: it answered, failed, or its node was lost while it ran."""
    return [h for h in hosts if isinstance(queues.get(h), dict) and not queues[h].get("skipped")]


def _planned_csvs(plan):
    return [read["csv"] for reads in (plan.get("nodes") or {}).values() for read in reads or []]


def review_run(run, hosts, queues=None, now=None, on_failover="replan"):
    """What is left to do after a run's backups; see wsfc.csv.backup_review's RETURN."""
    plan = run.get("plan") or {}
    now_host, facts = first_answer(hosts, now or {})
    reads = {}
    if on_failover == "replan":
        by_node = dict((node.lower(), host) for host, node in (run.get("hosts") or {}).items())
        ran = _queues_that_ran(hosts, queues or {})
        # Only the CSVs of queues that ran (or went down while running): when the run stopped before its queues
        # (a move failed), nothing was broken by a failover, and nothing is backed up after all.
        started = dict(plan, nodes=dict((node, reads) for node, reads in (plan.get("nodes") or {}).items()
                                        if by_node.get(str(node).lower()) in ran))
        for node, items in failover_reads(started, [queues[h] for h in ran], now=facts).items():
            host = by_node.get(str(node).lower())
            if host is not None:
                reads[host] = items
    scope = _planned_csvs(plan) + [move["csv"] for move in plan.get("moves") or []]
    return {
        "control_host": now_host or run.get("facts_host"),
        "now_host": now_host,
        "reads": reads,
        "restore": restore_moves((run.get("cluster") or {}).get("coordinators") or {}, facts, scope=scope),
    }


def review_saved_map(saved, hosts, now, node_names=None, restore_all=False):
    """The restore entry point: what a saved ownership map (``ownership.json``) says to undo on this cluster."""
    now_host, facts = first_answer(hosts, now or {})
    if facts is None:
        raise RunError("No node of %s answered wsfc.csv.cluster_info, so the cluster's ownership cannot be read. Check "
                       "that the nodes are up and reachable over WinRM, then run again; nothing was changed."
                       % ", ".join(hosts))
    name = facts["cluster"]["name"]
    if str(saved.get("cluster") or "").lower() != str(name).lower():
        raise RunError("The map is of cluster %s, not %s: run it against that cluster. Nothing was changed."
                       % (saved.get("cluster"), name))
    ok = [(host, now[host]) for host in hosts if answered(now.get(host))]
    matched = match_hosts(ok, facts, node_names or {})
    by_node = dict((node.lower(), host) for host, node in matched.items())
    clears = {}
    for node, items in (saved.get("reads") or {}).items():
        host = by_node.get(str(node).lower())
        if host is not None and items:
            clears[host] = items
    owners = saved.get("owners") or {}
    scope = None if restore_all else [move["csv"] for move in saved.get("moves") or []]
    return {
        "control_host": now_host,
        "now_host": now_host,
        "hosts": matched,
        "clears": clears,
        "run_id": saved.get("run_id"),
        "method": saved.get("method") or "copy",
        "restore": restore_moves(owners, facts, scope=scope),
    }
