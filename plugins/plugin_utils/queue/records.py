# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One node's share of a backup run, as a queue: names, targets, records and messages. No I/O.

Why a queue and not one Ansible loop per step: the planner times a node's
CSVs as a queue that keeps ``concurrency`` backups running and starts the
next one as soon as one ends (:func:`plan.model.simulate`). Ansible loops run
their items one after another and, under the linear strategy, in lockstep
with every other node, so batches would wait for the slowest node and the
measured window would drift from the plan. The action plugin
``wsfc.csv.backup_queue`` therefore runs the queue itself
(:mod:`queue.scheduler` decides when, :mod:`queue.steps` what), calling the
same modules a user would (``csv_snapshot``, ``backup_job``), while every
node's queue runs in parallel as one task across the play's hosts.

Every record here follows the run record that ``wsfc.csv.backup_report``
reads (see :mod:`backup_report`): ``csv``, ``node``, ``state``, ``read``,
``start``, ``end``, ``bytes``, ``provider``, ``provider_type`` (system,
software or hardware), ``consistency`` (application or crash),
``snapshot_id``, ``job_id``, ``exit_code``, ``message``.
"""

from __future__ import annotations

import re

from ansible_collections.wsfc.csv.plugins.plugin_utils import targets
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError, validate_name

# A run id is also part of job names and snapshot tags: the job-name alphabet, short enough for both.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$")
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
    """The folder of one CSV's backup under ``<target>\\<run id>``: its safe name and a suffix of its Id."""
    return targets.folder_name(item)


def copy_target(target, run_id, item):
    """Where ``method=copy`` writes one CSV: ``<target>\\<run id>\\<folder>`` (see :mod:`targets`)."""
    if not target:
        raise QueueError("method copy needs target (a directory or share the backups are written to)")
    return targets.csv_target(target, run_id, item)


def job_target(method, target, run_id, item):
    """The target of one CSV's job: its own folder for copy and wbadmin, ``target`` as given for a command."""
    if method in ("copy", "wbadmin"):
        if not target:
            raise QueueError("method %s needs target (a directory or share the backups are written to)" % method)
        return targets.csv_target(target, run_id, item)
    return target or None


def check_target(method, target):
    """Refuse a copy or wbadmin target that is not a share or drive-letter path (see :mod:`targets`)."""
    if method in ("copy", "wbadmin") and target:
        error = targets.target_error(target, "target", method)
        if error:
            raise QueueError(error)


def concurrency_for(method, concurrency):
    """Jobs at once on one node: ``concurrency``, but 1 for wbadmin.

    Each wbadmin job is a backup of the node (the page's "computer backed up",
    https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wbadmin-start-backup).
    Microsoft does not document two ``wbadmin start backup`` operations running
    on one computer at once, so the queue makes the conservative choice and runs
    them one after another.
    """
    return 1 if method == "wbadmin" else concurrency


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
           "end": None, "bytes": None, "provider": None, "provider_type": None, "consistency": None,
           "snapshot_id": None,
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


class ClockSamples(object):
    """The node's clock against the controller's: ``[controller epoch s, node time ISO]`` pairs, first and last.

    Each pair is taken from one status read (the controller's time is the
    middle of the round trip). Two pairs give the node clock's rate as well as
    its offset, so :func:`run_record.clock_skews` can compare nodes at one
    instant (see there why).
    """

    def __init__(self):
        self.samples = []

    def sample(self, controller_epoch, node_time):
        if not node_time:
            return
        pair = [round(controller_epoch, 3), node_time]
        if len(self.samples) < 2:
            self.samples.append(pair)
        else:
            self.samples[1] = pair


def failover_source(item, snapshot):
    """The node whose failover would break this CSV's read: where its software snapshot lives.

    A hardware snapshot is surfaced on the reading node and survives a
    failover, so there is nothing to check; without a snapshot of ours
    (wbadmin takes its own) it is the coordinator the plan read from.
    """
    if snapshot:
        if snapshot.get("provider_type") == "hardware":
            return None
        return snapshot.get("surfaced_on") or item.get("source")
    return item.get("source")


def moved_before_start(item, snapshot, node):
    """A warning when a CSV planned as a local read got its snapshot on another node (its coordinator moved)."""
    if not snapshot or item.get("read") != "local" or snapshot.get("local_reads"):
        return None
    return ("%s on %s: planned as a local read, but its coordinator is now %s (it moved before its backup "
            "started), so it was read over SMB" % (item["csv"], node, snapshot.get("surfaced_on") or "another node"))


def failover_message(entry):
    """What to tell about a job that broke because the cluster failed its CSV over."""
    move = entry["failover"]
    return ("%s on %s: the cluster failed it over from %s to %s during its backup, which broke the read of its "
            "snapshot (backup job exit code %s)" % (entry["csv"], entry["node"], move["from"], move["to"],
                                                    entry.get("exit_code")))


def failover_reads(plan, queues, now=None):
    """Re-plan the CSVs whose backup a failover (or a lost node) broke: ``{new coordinator: [reads]}``.

    A queue marks a job that failed because the cluster failed its CSV over
    with ``failover`` (and where it went). ``now``, a fresh ``cluster_info``
    result, also catches the CSVs of a node that went down, whose queue could
    not say anything: a planned CSV that was not backed up and whose
    coordinator is now another node that is Up. Each goes to its new
    coordinator, where its software snapshot is local again, with the read it
    had in the plan (same index, so the same job name and backup folder).
    """
    planned = {}
    for node, reads in ((plan or {}).get("nodes") or {}).items():
        for read in reads or []:
            planned[str(read["csv"]).lower()] = (node, read)
    entries = {}
    for queue in queues or []:
        for entry in (queue.get("jobs") if isinstance(queue, dict) else None) or []:
            entries.setdefault(str(entry["csv"]).lower(), entry)
    owners = dict((str(k).lower(), v) for k, v in ((now or {}).get("coordinators") or {}).items())
    up = set(str(n["name"]).lower() for n in (now or {}).get("nodes") or [] if n.get("state") == "Up")
    out = {}
    for key, (node, read) in planned.items():
        entry = entries.get(key) or {}
        if entry.get("state") == "succeeded":
            continue
        target = (entry.get("failover") or {}).get("to")
        if now is not None:
            owner = owners.get(key)
            source = read.get("source") or node
            target = owner if owner and owner.lower() != str(source).lower() and owner.lower() in up else None
        if not target:
            continue
        again = dict(read)
        again.update(node=target, source=target, read="local", replanned_from=entry.get("node") or node,
                     why="re-planned on %s, its coordinator after the failure" % target)
        out.setdefault(target, []).append(again)
    for reads in out.values():
        reads.sort(key=lambda r: r.get("index", 0))
    return out


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
           "job_target", "check_target", "concurrency_for", "folder_name",
           "normalize_items", "record", "read_kind", "job_message", "summary", "failed", "FINAL_STATES",
           "failover_source", "moved_before_start", "failover_message", "failover_reads", "ClockSamples"]
