# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Assemble the record of one backup run from what the role's tasks returned. No I/O.

The csv_backup role registers the results of its steps (the moves, each
node's ``backup_queue``, the restores, the lock); this turns them into the run
record that ``wsfc.csv.backup_report`` renders (see :mod:`backup_report`).
Why here and not in Jinja: every planned CSV must appear in the report
exactly once, also when the node that should have backed it up never ran its
queue (unreachable, or the run stopped before), and that bookkeeping is
easier to get right, and to test, in Python.
"""

from __future__ import annotations

from datetime import timedelta

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import ReportError, parse_time

# A node whose clock is further than this from the others' has its times corrected in the report (and a warning).
# Below it, the measurement itself may be the difference: each node is read separately, a round trip apart.
CLOCK_TOLERANCE_S = 120.0


def _loop_results(registered):
    """The per-item results of a registered loop; [] when the task did not run."""
    if not isinstance(registered, dict):
        return []
    return [r for r in registered.get("results") or [] if isinstance(r, dict) and not r.get("skipped")]


def _move(phase, result):
    item = result.get("item") or {}
    ok = not (result.get("failed") or result.get("unreachable"))
    return {"phase": phase, "csv": item.get("csv"), "from": item.get("from"), "to": item.get("to"), "ok": ok,
            "changed": bool(result.get("changed")), "elapsed_s": result.get("elapsed"),
            "message": result.get("msg") or ""}


def _owner_of(plan):
    """Which node backs up each planned CSV."""
    owners = {}
    for node, reads in (plan.get("nodes") or {}).items():
        for read in reads or []:
            owners[read["csv"]] = (node, read)
    return owners


def _queue_jobs(queues):
    """Job entries of the queues, first report of each CSV wins, in queue order."""
    jobs = []
    seen = set()
    for queue in queues or []:
        if not isinstance(queue, dict):
            continue
        for job in queue.get("jobs") or []:
            if job.get("csv") in seen:
                continue
            seen.add(job.get("csv"))
            jobs.append(dict(job))
    return jobs


def _why_not_run(node, queues, nodes):
    """Why ``node`` reported nothing: its queue's own failure when there is one."""
    for queue, name in zip(queues or [], nodes or []):
        if name == node and isinstance(queue, dict) and (queue.get("failed") or queue.get("unreachable")):
            return "%s did not back it up: %s" % (node, queue.get("msg") or "the node was unreachable")
    return "%s did not back it up: the run stopped before its queue ran" % node


def _retried(jobs, requeues, on_failover):
    """Replace each CSV that was re-planned after a failover by its new attempt, keeping the first as history.

    A CSV whose node never reported it (the node went down) and that was
    re-planned is added with its new attempt.
    """
    again = dict((j["csv"], j) for j in _queue_jobs(requeues))
    out = []
    for job in jobs:
        if job["csv"] in again:
            retry = dict(again.pop(job["csv"]))
            retry["attempts"] = [job]
            retry["warnings"] = list(retry.get("warnings") or []) + ["%s; re-planned on %s: %s" % (
                job.get("message") or "%s on %s: %s" % (job["csv"], job["node"], job["state"]), retry["node"],
                retry["state"])]
            out.append(retry)
            continue
        if job.get("failover"):
            job = dict(job)
            job["message"] = "%s. %s" % (job.get("message"), "It was not re-planned (csv_backup_on_failover=fail)"
                                         if on_failover == "fail" else
                                         "It could not be re-planned on %s" % job["failover"]["to"])
        out.append(job)
    for csv, retry in sorted(again.items()):
        retry = dict(retry)
        retry["attempts"] = []
        retry["warnings"] = list(retry.get("warnings") or []) + [
            "%s: its node did not report it; re-planned on %s: %s" % (csv, retry["node"], retry["state"])]
        out.append(retry)
    return out


def _epoch(text):
    try:
        moment = parse_time(text)
    except ReportError:
        return None
    return moment.timestamp() if moment else None


def clock_skews(queues, nodes, requeues=None):
    """How far each node's clock is from the others' (seconds, positive: ahead), from the queues' clock samples.

    A queue samples its node's clock against the controller's at its status
    reads (:class:`queue.records.ClockSamples`). Comparing those offsets
    directly would be wrong wherever the node clocks do not run at the
    controller's rate (the lab runs them faster, by its time scale): samples
    taken a moment apart would differ by the rate times that moment. So each
    node's clock is extrapolated, at its measured rate, to one controller
    instant (the earliest sample), and compared with the median of the nodes.
    """
    readings = {}
    for queue, node in list(zip(queues or [], nodes or [])) + list(zip(requeues or [], nodes or [])):
        samples = (queue.get("clock") if isinstance(queue, dict) else None) or []
        points = [(float(c), _epoch(n)) for c, n in samples if _epoch(n) is not None]
        if not node or not points or node in readings:
            continue
        (c1, n1), (c2, n2) = points[0], points[-1]
        rate = (n2 - n1) / (c2 - c1) if c2 - c1 >= 0.5 else 1.0
        readings[node] = (c1, n1, rate)
    if not readings:
        return {}
    instant = min(c for c, dummy, dummy2 in readings.values())
    shown = dict((node, n1 + rate * (instant - c1)) for node, (c1, n1, rate) in readings.items())
    ordered = sorted(shown, key=lambda node: (shown[node], node))
    reference = ordered[(len(ordered) - 1) // 2]  # the median node (of two, the one behind): the others' yardstick
    return dict((node, round(value - shown[reference], 1)) for node, value in shown.items())


def _shift(job, seconds):
    out = dict(job)
    for key in ("start", "end"):
        moment = parse_time(job.get(key)) if job.get(key) else None
        if moment:
            out[key] = (moment - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out["clock_corrected_s"] = -seconds
    out["attempts"] = [_shift(a, seconds) if a.get("node") == job.get("node") else a for a in job.get("attempts") or []]
    return out


def correct_clocks(jobs, skews, tolerance=CLOCK_TOLERANCE_S):
    """Jobs with the times of nodes whose clock is off by more than ``tolerance`` put on the others' clock."""
    out, warnings = [], []
    reference = ", ".join(sorted(node for node, skew in skews.items() if skew == 0)) or "the others"
    for node, skew in sorted(skews.items()):
        if abs(skew) > tolerance:
            warnings.append("%s's clock is %.0f s %s %s's (the median of the nodes' clocks, each measured against the "
                            "controller's); its times in this report are corrected by that much. Check its time "
                            "synchronisation (w32tm /query /status)" % (node, abs(skew),
                                                                        "ahead of" if skew > 0 else "behind", reference))
    for job in jobs:
        skew = skews.get(job.get("node"), 0.0)
        job = _shift(job, skew) if abs(skew) > tolerance else job
        job["attempts"] = [_shift(a, skews.get(a.get("node"), 0.0))
                           if abs(skews.get(a.get("node"), 0.0)) > tolerance and a.get("node") != job.get("node") else a
                           for a in job.get("attempts") or []]
        out.append(job)
    return out, warnings


def run_record(plan, cluster=None, moved=None, queues=None, restored=None, errors=None, lock=None, unlock=None, disarm=None,
               started=None, finished=None, warnings=None, nodes=None, requeues=None, on_failover="replan",
               restore=None):
    """The run record of one csv_backup run.

    ``queues`` is the registered ``backup_queue`` result of every host (a host
    that did not run it gives ``None`` or a skipped result), and ``nodes`` the
    cluster node of each (same order) when known; ``requeues`` the results of
    the second queue that re-ran CSVs broken by a failover; ``errors`` the
    messages the role's rescue kept; ``warnings`` what the report should also
    say (network findings); ``restore`` what :func:`csv_ownership.restore_moves`
    decided, when ownership was restored from the cluster's state. A planned
    CSV that no queue reported is recorded as ``skipped`` with the reason.
    """
    plan = plan or {}
    moves = [_move("before", r) for r in _loop_results(moved)]
    moves += [_move("restore", r) for r in _loop_results(restored)]
    jobs = _retried(_queue_jobs(queues), requeues, on_failover)
    skews = clock_skews(queues, nodes, requeues)
    jobs, clock_warnings = correct_clocks(jobs, skews)
    seen = set(j["csv"] for j in jobs)
    problems = [str(e) for e in errors or [] if e]
    for csv, (node, read) in sorted(_owner_of(plan).items(), key=lambda kv: kv[1][1].get("index", 0)):
        if csv in seen:
            continue
        why = _why_not_run(node, queues, nodes)
        jobs.append({"csv": csv, "node": node, "state": "skipped", "read": read.get("read"), "bytes": read.get("bytes"),
                     "message": "%s: %s" % (csv, why)})
    failed_moves = [m for m in moves if not m["ok"]]
    for move in failed_moves:
        verb = "move" if move["phase"] == "before" else "restore"
        problems.append("the %s of %s to %s failed: %s" % (verb, move["csv"], move["to"], move["message"]))
    for job in jobs:
        for attempt in [job] + list(job.get("attempts") or []):
            problems.extend(attempt.get("cleanup_errors") or [])
    warnings = [str(w) for w in warnings or [] if w] + clock_warnings
    for job in jobs:
        warnings.extend(str(w) for w in job.get("warnings") or [])
        for attempt in [job] + list(job.get("attempts") or []):
            warnings.extend(str(w) for w in attempt.get("cleanup_warnings") or [])
    for result in (lock, unlock):
        if isinstance(result, dict):
            warnings.extend(str(w) for w in result.get("warnings") or [])
    if isinstance(lock, dict) and (lock.get("failed") or lock.get("unreachable")):
        why = lock.get("msg") or "unreachable"
        problems.append("the backup lock was not taken, so nothing was backed up: %s" % why)
    if isinstance(unlock, dict) and (unlock.get("failed") or unlock.get("unreachable")):
        problems.append("the backup lock was not released: %s" % (unlock.get("msg") or "unreachable"))
    if isinstance(disarm, dict) and disarm.get("undone"):
        problems.append("the cluster's watchdog undid this run while it ran (nothing refreshed its heartbeat for "
                        "longer than csv_backup_watchdog_after): %s" % "; ".join(
                            line.strip() for line in disarm.get("undo_lines") or []))
    elif isinstance(disarm, dict) and (disarm.get("failed") or disarm.get("unreachable")):
        warnings.append("the watchdog was not disarmed (%s); once the lock is released it finds the run over, undoes "
                        "nothing and removes itself" % (disarm.get("msg") or "unreachable"))
    restored_ok = not any(m for m in moves if m["phase"] == "restore" and not m["ok"])
    if isinstance(restore, dict):
        for kept in restore.get("kept") or []:
            warnings.append("%s stays on %s: %s" % (kept["csv"], kept.get("on") or "-", kept["why"]))
        if restore.get("error"):
            restored_ok = False
            problems.append("ownership was not restored: %s" % restore["error"])
    elif plan.get("undo") and not [m for m in moves if m["phase"] == "restore"]:
        restored_ok = False
        problems.append("ownership was not restored: the restore step did not run; use playbooks/restore_ownership.yml "
                        "with the saved ownership map")
    return {"cluster": cluster, "plan": plan, "jobs": jobs, "moves": moves, "warnings": warnings, "clock_skews": skews,
            "errors": problems, "started": started, "finished": finished, "ownership_restored": restored_ok}


def record_of_run(run, hosts, review=None, queues=None, requeues=None, errors=None, moved=None, restored=None,
                  lock=None, unlock=None, finished=None, on_failover="replan", disarm=None):
    """The run record from what ``wsfc.csv.backup_prepare`` and ``backup_review`` returned and every host registered.

    ``queues``, ``requeues`` and ``errors`` are ``{host: value}`` (what each
    host registered from the first and the second ``backup_queue`` and what
    the role's rescue kept); ``hosts`` the play's hosts, in order, so the
    record lists the nodes in the same order every time.
    """
    run = run or {}
    matched = run.get("hosts") or {}
    listed = [h for h in hosts if h in matched or h in (queues or {}) or h in (errors or {})]
    # A step that failed for every host (run once, such as a move) left the same message on each of them.
    problems = []
    for host in listed:
        message = (errors or {}).get(host)
        if message and message not in problems:
            problems.append(message)
    return run_record(
        run.get("plan") or {}, cluster=((run.get("cluster") or {}).get("cluster") or {}).get("name"), moved=moved,
        queues=[(queues or {}).get(h) for h in listed], nodes=[matched.get(h) for h in listed],
        requeues=[(requeues or {}).get(h) for h in listed], on_failover=on_failover, restored=restored,
        restore=(review or {}).get("restore"), errors=problems, lock=lock,
        unlock=unlock, disarm=disarm, warnings=list(run.get("network_lines") or []) + list(run.get("run_warnings") or []),
        started=run.get("started"), finished=finished)
