# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup watchdog, with no I/O: the run's record on the cluster, where its files live, decisions, messages.

A backup run that starts changing a cluster leaves on the cluster what is needed to undo it without the controller
(issue: "nothing left behind, even when the controller dies"):

- the **run record** ``run-<nonce>.json`` next to the backup lock (on a CSV, so every node reads the same file):
  the run's id and nonce, the original owners seen under the lock, the moves and reads it planned (its scheduled
  tasks are ``\\wsfc.csv\\csv-<run id>-*`` and its snapshots are tagged ``wsfc.csv run <run id>``, so every task
  and snapshot it may create is named by the record before it exists), how long the heartbeat may be silent
  (``after_s``) and the watchdog's task name. Written by ``backup_watchdog_set.ps1`` (temporary file, then
  ``File.Replace``) before the first move. A read re-planned after a failover needs no new record: its job and
  snapshot carry the same run id, and the watchdog removes them on whichever node they are;
- the **watchdog**: the script ``node_files/backup_watchdog.ps1``, installed as ``watchdog-<nonce>.ps1`` beside the
  record, run every ``interval`` seconds on every node by the clustered scheduled task ``wsfc.csv watchdog
  <nonce>`` (``Register-ClusteredScheduledTask -TaskType ClusterWide``: "All cluster nodes", so the loss of a node
  does not stop it). When the lock's heartbeat is older than ``after_s`` (or the controller marked it expired on
  SIGTERM/SIGINT) it undoes the run from the record, writes what it did into the record (``state: undone``,
  ``undo``), releases the lock and removes itself. The script's header says how, step by step.

The folder gets the same explicit, protected ACL as the snapshot registry (SYSTEM and Administrators only): the
watchdog runs as SYSTEM, so nobody else may write the script it runs.
"""

from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import DEFAULT_LOG_DIR
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import parse_time
from ansible_collections.wsfc.csv.plugins.plugin_utils.snapshots import REGISTRY_SDDL

# The heartbeat is refreshed at every poll of the backup queue (default 10 s), before every move (csv_owner's lock
# option) and between the role's steps; the longest silence of a live run is one move (csv_backup_move_timeout,
# default 300 s) or one snapshot. Fifteen minutes is three move timeouts: a live run never reaches it, and a dead
# run is undone within about sixteen minutes (plus one interval).
DEFAULT_AFTER = 900
DEFAULT_INTERVAL = 60
# The watchdog's own run may take this long at most (Task Scheduler stops it then: ExecutionTimeLimit).
TIME_LIMIT = 1800
TASK_PREFIX = "wsfc.csv watchdog "
FOLDER_SDDL = REGISTRY_SDDL
SCRIPT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_files", "backup_watchdog.ps1")
STATES = ("active", "undone", "ended")


class WatchdogError(Exception):
    """A refusal whose message names the cluster, the run and what to do next."""


def task_name(nonce):
    """The clustered scheduled task of the run with ``nonce``."""
    return TASK_PREFIX + nonce


def folder_of(lock_path):
    return str(lock_path).rsplit("\\", 1)[0]


def paths(lock_path, nonce):
    """The run's files beside the lock ``lock_path``."""
    folder = folder_of(lock_path)
    return {"folder": folder, "record": "%s\\run-%s.json" % (folder, nonce),
            "script": "%s\\watchdog-%s.ps1" % (folder, nonce), "heartbeat": "%s\\heartbeat-%s.json" % (folder, nonce)}


def script_text():
    """The watchdog script as it is installed (UTF-8 text, read from the collection)."""
    with open(SCRIPT_FILE, encoding="utf-8") as handle:
        return handle.read()


def check_timing(after, interval, move_timeout=None, poll_interval=None):
    """Why ``after`` and ``interval`` cannot keep a live run safe, as messages ([] when they can)."""
    errors = []
    if interval < 60 or interval > 3600:
        errors.append("the watchdog interval must be 60 to 3600 seconds, got %s" % interval)
    floor = max(2 * interval, 300)
    for what, value in (("the move timeout", move_timeout), ("three poll intervals", 3 * (poll_interval or 0))):
        if value:
            floor = max(floor, int(value) + interval)
            if after <= int(value):
                errors.append("the watchdog would undo a live run: after (%s s) must be longer than %s (%s s)"
                              % (after, what, int(value)))
    if after < floor and not errors:
        errors.append("the watchdog's after must be at least %d s (two intervals, five minutes, and longer than a "
                      "move or three polls), got %s" % (floor, after))
    return errors


def _scope(ownership):
    csvs = []
    for reads in (ownership.get("reads") or {}).values():
        for read in reads or []:
            if read.get("csv") not in csvs:
                csvs.append(read["csv"])
    for move in ownership.get("moves") or []:
        if move.get("csv") not in csvs:
            csvs.append(move["csv"])
    return csvs


def build_record(ownership, run_id, nonce, lock_path, after, log_dir=None):
    """The run record the controller writes (the node adds ``created`` and ``updated`` by its clock).

    ``ownership`` is the cluster's ownership map as the role saves it (``ownership.json``): cluster, owners,
    moves, reads (per node), method. ``digest`` is over everything the controller decides, so writing the same
    record again changes nothing (idempotence) and a re-planned one is written.
    """
    if not ownership.get("cluster"):
        raise WatchdogError("the ownership map has no cluster name; pass the map the role saved for the cluster")
    body = {
        "version": 1, "kind": "wsfc.csv backup run", "nonce": nonce, "run_id": run_id,
        "cluster": ownership["cluster"], "state": "active", "after_s": int(after), "task": task_name(nonce),
        "lock": lock_path, "owners": dict(ownership.get("owners") or {}),
        "moves": [{"csv": m.get("csv"), "from": m.get("from"), "to": m.get("to")} for m in ownership.get("moves") or []],
        "csvs": _scope(ownership),
        "reads": dict(ownership.get("reads") or {}),
        "method": ownership.get("method") or "copy", "log_dir": log_dir or DEFAULT_LOG_DIR,
        "undo": None, "created": None, "updated": None,
    }
    body["digest"] = digest(body)
    return body


def digest(body):
    canonical = json.dumps(dict((k, v) for k, v in body.items() if k not in ("digest", "created", "updated")),
                           sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_record(text):
    """A run record read from the cluster, or None when ``text`` is not one (missing, torn, something else)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") != "wsfc.csv backup run" or data.get("state") not in STATES:
        return None
    return data


def undo_lines(record):
    """What the watchdog did, as lines for people (the restore entry point and the report print them)."""
    undo = (record or {}).get("undo") or {}
    if not undo:
        return []
    if record.get("state") == "ended":
        return ["the watchdog of run %s of %s found the lock %s on %s (%s), undid nothing and removed itself" % (
            record.get("run_id"), record.get("cluster"), "gone or another run's", undo.get("by"), undo.get("finished"))]
    lines = ["the watchdog undid run %s of %s on %s (%s to %s)" % (
        record.get("run_id"), record.get("cluster"), undo.get("by"), undo.get("started"), undo.get("finished"))]
    nodes = undo.get("nodes") or {}
    for node in sorted(nodes):
        part = nodes[node] or {}
        lines.append("  %s: removed task(s) %s; deleted snapshot(s) %s%s" % (
            node, ", ".join(part.get("tasks") or []) or "none", ", ".join(part.get("snapshots") or []) or "none",
            "; kept %s" % ", ".join(k.get("id", "?") for k in part.get("kept") or []) if part.get("kept") else ""))
        for error in part.get("errors") or []:
            lines.append("  %s: %s" % (node, error))
    for move in undo.get("moves") or []:
        lines.append("  %s: %s -> %s %s" % (move.get("csv"), move.get("from"), move.get("to"),
                                            "moved back" if move.get("ok") else "NOT moved back: %s" % move.get("error")))
    lines.append("  lock: %s" % (undo.get("lock") or "unknown"))
    for error in undo.get("errors") or []:
        lines.append("  %s" % error)
    return lines


def took_seconds(record):
    """Seconds from the run's last update to the end of the watchdog's undo (by the nodes' clocks), or None."""
    undo = (record or {}).get("undo") or {}
    start, end = parse_time(record.get("updated")), parse_time(undo.get("finished"))
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def lost_message(state, lock_path, cluster, run_id):
    """Why the watchdog cannot be armed or changed: the lock is not this run's any more."""
    return ("The backup lock %s of %s is %s, so run %s no longer holds the cluster and its watchdog was not armed; "
            "nothing was changed. Run the backup again." % (
                lock_path, cluster or "the cluster", "held by another run" if state == "lost" else "gone", run_id))
