# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One node's share of a backup run, as a queue: names, targets, records and messages. No I/O.

Why a queue and not one Ansible loop per step: the planner times a node's
CSVs as a queue that keeps ``concurrency`` backups running and starts the
next one as soon as one ends (:func:`plan_model.simulate`). Ansible loops run
their items one after another and, under the linear strategy, in lockstep
with every other node, so batches would wait for the slowest node and the
measured window would drift from the plan. The action plugin
``wsfc.csv.backup_queue`` therefore runs the queue itself, calling the same
modules a user would (``csv_snapshot``, ``backup_job``), while every node's
queue runs in parallel as one task across the play's hosts.

Every record here follows the run record that ``wsfc.csv.backup_report``
reads (see :mod:`backup_report`): ``csv``, ``node``, ``state``, ``read``,
``start``, ``end``, ``bytes``, ``provider``, ``provider_type``,
``snapshot_id``, ``job_id``, ``exit_code``, ``message``.
"""

from __future__ import annotations

import re

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError, validate_name

# A run id is also part of job names and snapshot tags: the job-name alphabet, short enough for both.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$")
_UNSAFE_PATH_CHARS = re.compile(r'[^A-Za-z0-9 ._-]+')
FINAL_STATES = ("succeeded", "failed", "cancelled", "skipped")


class QueueError(ValueError):
    """The queue's arguments cannot describe a safe run; the message says what to change."""


def validate_run_id(run_id):
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise QueueError("run_id %r is not usable: use 1-48 letters, digits, '.', '_' or '-', starting with a letter "
                         "or digit (it becomes part of job names and snapshot tags)" % (run_id,))
    return run_id


def snapshot_tag(run_id):
    """The tag of every snapshot a run takes, so cleanup finds exactly its own."""
    return "wsfc.csv run " + run_id


def job_name(run_id, index):
    """The scheduled task name of the ``index``-th CSV of the run (unique across the run's nodes)."""
    return validate_name("csv-%s-%03d" % (run_id, index))


def folder_name(item):
    """A directory name for one CSV's backup: the leaf of its path (``Volume3``), else its name, made safe."""
    path = str(item.get("path") or "").rstrip("\\")
    leaf = path.rsplit("\\", 1)[-1] if path else ""
    name = _UNSAFE_PATH_CHARS.sub("_", leaf or str(item.get("csv") or "")).strip(" .")
    return name or "csv"


def copy_target(target, run_id, item):
    """Where ``method=copy`` writes one CSV: ``<target>\\<run id>\\<volume folder>``."""
    if not target:
        raise QueueError("method copy needs target (a directory or share the backups are written to)")
    return "%s\\%s\\%s" % (str(target).rstrip("\\"), run_id, folder_name(item))


def normalize_items(reads):
    """The queue's items in order, each with its index in the whole run; refuses duplicates."""
    items, seen = [], set()
    for position, read in enumerate(reads or []):
        if isinstance(read, str):
            read = {"csv": read}
        if not isinstance(read, dict) or not read.get("csv"):
            raise QueueError("reads[%d] must name a CSV (a dict with 'csv', as in a plan's nodes)" % position)
        key = str(read["csv"]).lower()
        if key in seen:
            raise QueueError("the CSV %s appears twice in reads" % read["csv"])
        seen.add(key)
        item = dict(read)
        item["index"] = int(read.get("index", position))
        items.append(item)
    return items


def record(item, node, **fields):
    """One CSV's entry in the run record, with every key the report reads."""
    out = {"csv": item["csv"], "node": node, "state": "skipped", "read": item.get("read"), "start": None,
           "end": None, "bytes": None, "provider": None, "provider_type": None, "snapshot_id": None,
           "job_id": None, "exit_code": None, "message": None}
    out.update(fields)
    return out


def read_kind(snapshot, planned=None):
    """``local`` or ``smb`` from where the snapshot surfaced; the plan's word when there is no snapshot of ours."""
    if snapshot:
        return "local" if snapshot.get("local_reads") else "smb"
    return planned


def job_message(entry, method):
    """One line for one CSV's outcome, naming node and CSV."""
    state = entry["state"]
    where = "%s on %s" % (entry["csv"], entry["node"])
    if state == "succeeded":
        size = " (%d bytes)" % entry["bytes"] if entry.get("bytes") is not None else ""
        return "%s backed up with %s%s, %s read" % (where, method, size, entry.get("read") or "unknown")
    if state == "running":
        return ("%s is still running after the timeout; it was left running as %s. Wait for it with "
                "wsfc.csv.backup_job state=finished, or stop it with state=absent" % (where, entry.get("job_id")))
    return entry.get("message") or "%s: %s" % (where, state)


def summary(entries, node):
    """Counts and the one-line message of a node's queue."""
    counts = {}
    for entry in entries:
        counts[entry["state"]] = counts.get(entry["state"], 0) + 1
    parts = ", ".join("%d %s" % (counts[state], state) for state in sorted(counts))
    return counts, "%s: %d CSV(s): %s" % (node, len(entries), parts or "nothing to back up")


def failed(entries):
    return [e for e in entries if e["state"] not in ("succeeded",)]


__all__ = ["QueueError", "BackupJobError", "validate_run_id", "snapshot_tag", "job_name", "copy_target",
           "normalize_items", "record", "read_kind", "job_message", "summary", "failed", "FINAL_STATES"]
