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


def run_record(plan, cluster=None, moved=None, queues=None, restored=None, errors=None, lock=None, unlock=None,
               started=None, finished=None, warnings=None):
    """The run record of one csv_backup run.

    ``queues`` is the registered ``backup_queue`` result of every host (a host
    that did not run it gives ``None`` or a skipped result); ``errors`` the
    messages the role's rescue kept; ``warnings`` what the report should also
    say (network findings). A planned CSV that no queue reported is
    recorded as ``skipped`` with the reason.
    """
    plan = plan or {}
    moves = [_move("before", r) for r in _loop_results(moved)]
    moves += [_move("restore", r) for r in _loop_results(restored)]
    jobs, seen = [], set()
    for queue in queues or []:
        if not isinstance(queue, dict):
            continue
        for job in queue.get("jobs") or []:
            if job.get("csv") in seen:
                continue
            seen.add(job.get("csv"))
            jobs.append(dict(job))
    problems = [str(e) for e in errors or [] if e]
    for csv, (node, read) in sorted(_owner_of(plan).items(), key=lambda kv: kv[1][1].get("index", 0)):
        if csv in seen:
            continue
        why = "%s did not back it up: the run stopped before its queue ran" % node
        jobs.append({"csv": csv, "node": node, "state": "skipped", "read": read.get("read"), "bytes": read.get("bytes"),
                     "message": "%s: %s" % (csv, why)})
    failed_moves = [m for m in moves if not m["ok"]]
    for move in failed_moves:
        verb = "move" if move["phase"] == "before" else "restore"
        problems.append("the %s of %s to %s failed: %s" % (verb, move["csv"], move["to"], move["message"]))
    for job in jobs:
        for note in job.get("cleanup_errors") or []:
            problems.append(note)
    warnings = [str(w) for w in warnings or [] if w]
    for result in (lock, unlock):
        if isinstance(result, dict):
            warnings.extend(str(w) for w in result.get("warnings") or [])
    if isinstance(unlock, dict) and (unlock.get("failed") or unlock.get("unreachable")):
        problems.append("the backup lock was not released: %s" % (unlock.get("msg") or "unreachable"))
    restored_ok = not any(m for m in moves if m["phase"] == "restore" and not m["ok"])
    planned_restores = len(plan.get("undo") or [])
    if planned_restores and not [m for m in moves if m["phase"] == "restore"]:
        restored_ok = False
        problems.append("ownership was not restored: the restore step did not run; use playbooks/restore_ownership.yml "
                        "with the saved ownership map")
    return {"cluster": cluster, "plan": plan, "jobs": jobs, "moves": moves, "warnings": warnings,
            "errors": problems, "started": started, "finished": finished, "ownership_restored": restored_ok}
