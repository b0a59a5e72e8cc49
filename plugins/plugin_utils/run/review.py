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


def _cluster_hosts(crun, hosts):
    """The play's hosts (in play order) that are nodes of one cluster of the run."""
    return [h for h in hosts if h in (crun.get("hosts") or {})]


def _why_stopped(lock, moved, watchdog=None):
    if not answered(lock):
        what = (lock if isinstance(lock, dict) else {}).get("msg") or "it did not run"
        return "the cluster's backup lock was not taken: %s" % what
    if isinstance(watchdog, dict) and (watchdog.get("failed") or watchdog.get("unreachable")):
        return ("the cluster's watchdog was not armed (%s), so nothing was changed there; fix it, or set "
                "csv_backup_watchdog=false to back up without one" % (watchdog.get("msg") or "unreachable"))
    moved = moved if isinstance(moved, dict) else {}
    bad = [item for item in moved.get("results") or [] if not answered(item) and not item.get("skipped")]
    if bad or moved.get("failed") or moved.get("unreachable"):
        item = (bad or [moved])[0]
        return "a move failed: %s" % (item.get("msg") or "unreachable")
    return None


def review_start(run, locks=None, moved=None, watchdogs=None):
    """Which clusters go ahead after the lock and the moves, and the reads of their hosts.

    A cluster whose lock its leader (the host it was read through) did not
    take, or one of whose moves failed, backs up nothing; its ``stopped``
    entry says why, and the end of the run still moves back what moved.
    """
    reads, stopped, held = {}, {}, {}
    for name, crun in (run.get("clusters") or {}).items():
        if crun.get("error"):
            continue
        leader = crun["facts_host"]
        why = _why_stopped((locks or {}).get(leader), (moved or {}).get(leader), (watchdogs or {}).get(leader))
        if why:
            stopped[name] = why
            continue
        reads.update(crun.get("reads") or {})
        lock = lock_of((locks or {}).get(leader))
        if lock:
            held.update((host, lock) for host in crun.get("reads") or {})
    return {"reads": reads, "stopped": stopped, "locks": held}


def lock_of(result):
    """``{"path", "nonce"}`` of a lock a leader took (its backup_lock result), for the queue's heartbeat; or None."""
    if not isinstance(result, dict) or not answered(result):
        return None
    path, nonce = result.get("path"), result.get("nonce")
    return {"path": path, "nonce": nonce} if path and nonce else None


def review_cluster(crun, hosts, queues=None, now=None, on_failover="replan"):
    """What is left to do after one cluster's backups, from the fresh reads of its own hosts."""
    plan = crun.get("plan") or {}
    own = dict((h, r) for h, r in (now or {}).items()
               if answered(r) and str(r["cluster"]["name"]).lower() == str(crun["cluster"]["cluster"]["name"]).lower())
    now_host, facts = first_answer(hosts, own)
    reads = {}
    if on_failover == "replan":
        by_node = dict((node.lower(), host) for host, node in (crun.get("hosts") or {}).items())
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
        "control_host": now_host or crun.get("facts_host"),
        "now_host": now_host,
        "reads": reads,
        "restore": restore_moves((crun.get("cluster") or {}).get("coordinators") or {}, facts, scope=scope),
    }


def _lock_refused(lock):
    """True when the node answered that the lock is another run's: there is nothing of ours to release."""
    return isinstance(lock, dict) and bool(lock.get("failed")) and not lock.get("unreachable")


def review_run(run, hosts, queues=None, now=None, on_failover="replan", locks=None):
    """What is left to do after a run's backups, cluster by cluster; see wsfc.csv.backup_review's RETURN.

    ``locks`` are what the leaders registered when they took the locks: a
    cluster whose lock was refused (another run holds it) has none of ours to
    release; one whose take did not answer may hold it, and is released.
    """
    clusters = {}
    for name, crun in (run.get("clusters") or {}).items():
        if not crun.get("error"):
            clusters[name] = review_cluster(crun, _cluster_hosts(crun, hosts), queues, now, on_failover)
    held = [name for name in clusters
            if not _lock_refused((locks or {}).get(run["clusters"][name]["facts_host"]))]
    taken = dict((name, lock_of((locks or {}).get(run["clusters"][name]["facts_host"]))) for name in held)
    return {
        "clusters": clusters,
        "reads": dict((h, r) for c in clusters.values() for h, r in c["reads"].items()),
        "controls": dict((c["control_host"], name) for name, c in clusters.items()),
        "restores": dict((c["control_host"], c["restore"]["moves"]) for c in clusters.values()),
        "unlocks": dict((clusters[name]["control_host"], name) for name in held),
        "disarms": dict((clusters[name]["control_host"], lock) for name, lock in taken.items() if lock),
    }


def review_saved_map(saved, hosts, now, node_names=None, restore_all=False, everywhere=False):
    """The restore entry point: what a saved ownership map (``ownership.json``) says to undo on this cluster.

    ``saved`` may also be the run's record on the cluster (wsfc.csv.backup_watchdog, the same keys). With
    ``everywhere`` every node that answered clears every CSV of the run: a failover may have re-planned a job onto a
    node the plan did not list, and clearing a job that is not there changes nothing.
    """
    wanted = str(saved.get("cluster") or "").lower()
    answers = dict((h, r) for h, r in (now or {}).items() if answered(r))
    own = dict((h, r) for h, r in answers.items() if str(r["cluster"]["name"]).lower() == wanted)
    now_host, facts = first_answer(hosts, own or answers)
    if facts is None:
        raise RunError("No node of %s answered wsfc.csv.cluster_info, so the cluster's ownership cannot be read. Check "
                       "that the nodes are up and reachable over WinRM, then run again; nothing was changed."
                       % ", ".join(hosts))
    name = facts["cluster"]["name"]
    if str(saved.get("cluster") or "").lower() != str(name).lower():
        raise RunError("The map is of cluster %s, not %s: run it against that cluster. Nothing was changed."
                       % (saved.get("cluster"), name))
    ok = [(host, own[host]) for host in hosts if host in own]
    matched = match_hosts(ok, facts, node_names or {})
    by_node = dict((node.lower(), host) for host, node in matched.items())
    clears = {}
    for node, items in (saved.get("reads") or {}).items():
        host = by_node.get(str(node).lower())
        if host is not None and items:
            clears[host] = items
    if everywhere:
        every = [read for items in (saved.get("reads") or {}).values() for read in items or []]
        clears = dict((host, every) for host in matched) if every else {}
    owners = saved.get("owners") or {}
    scope = None if restore_all else [move["csv"] for move in saved.get("moves") or []]
    return {
        "control_host": now_host,
        "now_host": now_host,
        "hosts": matched,
        "clears": clears,
        "run_id": saved.get("run_id"),
        "lock_nonce": saved.get("lock_nonce") or saved.get("nonce"),
        "method": saved.get("method") or "copy",
        "restore": restore_moves(owners, facts, scope=scope),
    }
