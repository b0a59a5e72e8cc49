# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one node's backup queue does for each CSV: snapshot, start, poll, clean up, through the collection's modules.

:class:`queue.scheduler.QueueScheduler` decides when; this module decides
what, by calling the same modules a user would (``csv_snapshot``,
``backup_job``) and reading the job's state with the ``backup_job_status``
operation. It reaches the node only through the callables it is given
(``run_module`` is the action's ``run_action``, ``run_operation`` its
``operation``), and reads time only through ``monotonic`` and ``wall``, so
tests drive it with recorded answers and a fake clock.

Two rules about a node that stops answering:

- A connection that broke while a module was changing the node
  (:class:`runner.ChangeInterrupted`: the change may or may not have
  happened) is followed by one more run of the module on a fresh connection.
  That is safe because every module the queue runs reads the node's state
  before it changes anything (a snapshot with the run's tag, a task of the
  job's name), so a change that happened is found and not made twice.
- A node that did not answer even after the runner's retries
  (:class:`runner.OperationUnreachable`) is *lost*: nothing more is sent to it
  for the rest of the queue. Every later step would wait through the same
  retries, and the report only needs to say which CSVs were not backed up and
  why.
"""

from __future__ import annotations

import time

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import (
    TASK_PATH,
    ended_unexpectedly,
    shape,
    status_args,
    waiting,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import (
    ClockSamples,
    failover_message,
    failover_source,
    job_message,
    job_name,
    job_target,
    moved_before_start,
    read_kind,
    record,
    snapshot_tag,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import OwnershipError, require_csv
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import ChangeInterrupted, OperationUnreachable


class Job(object):
    """One CSV of the queue: its item, its record, its snapshot and when polling for it gives up."""

    def __init__(self, item, entry, snapshot=None, deadline=None, started=None):
        self.item = item
        self.entry = entry
        self.snapshot = snapshot
        self.deadline = deadline
        self.started = started  # monotonic time of the start call (a job not started yet is polled for a grace)

    @property
    def running(self):
        return self.entry["state"] == "running"

    @property
    def name(self):
        """The job's scheduled task name (its ``job_id`` without the task folder)."""
        return self.entry["job_id"][len(TASK_PATH):]


class QueueSteps(object):
    """The steps of one node's queue, with the queue's arguments (``args``: the backup_queue module's options).

    ``run_module(name, args, check_mode=None)`` runs a module of this
    collection and returns its result, raising the module's
    :class:`OperationUnreachable` when the node did not answer;
    ``run_operation(name, args)`` runs a read-only operation script (the
    runner gives the next command a fresh connection after one broke);
    ``warn(text)`` shows a warning. ``monotonic()`` times the deadlines
    and ``wall()`` (epoch seconds) the clock samples; both default to the
    ``time`` module's, looked up when the steps are made.
    """

    def __init__(self, node, args, run_module, run_operation, warn, monotonic=None, wall=None):
        self.node = node
        self.args = args
        self._run_module = run_module
        self._run_operation = run_operation
        self._warn = warn
        self._monotonic = monotonic or time.monotonic
        self._wall = wall or time.time
        self.clock = ClockSamples()
        self.lost = None
        self.lock_state = None  # the backup lock's heartbeat as the polls saw it (see _lock_seen)
        self.last_failure = None   # the result of the last module that failed (for its coordinator_now)

    # ---- one module --------------------------------------------------------------------------------------
    def _step(self, entry, module, args, check_mode=None):
        """Run one module; on failure record why in ``entry`` and return None (see the module docstring)."""
        if self.lost:
            entry.update(state="failed", message="%s on %s: %s was not run: %s" % (
                entry["csv"], self.node, module, self.lost))
            return None
        self.last_failure = None
        for attempt in range(2):
            try:
                result = self._run_module(module, args, check_mode=check_mode)
            except ChangeInterrupted as exc:
                if not attempt:
                    self._warn("%s on %s: the connection broke while %s was changing the node; reading its state "
                               "again before going on" % (entry["csv"], self.node, module))
                    continue
                result = self._lose(exc)
            except OperationUnreachable as exc:
                result = self._lose(exc)
            except OperationError as exc:
                result = {"failed": True, "msg": to_text(exc)}
            break
        if result.get("failed"):
            self.last_failure = result
            entry.update(state="failed", message="%s on %s: %s failed: %s" % (
                entry["csv"], self.node, module, result.get("msg") or "unreachable"))
            return None
        return result

    def _lose(self, exc):
        """The node did not answer even after the runner's retries: stop talking to it for the rest of the queue."""
        self.lost = "%s did not answer (%s)" % (self.node, to_text(exc))
        return {"failed": True, "msg": to_text(exc)}

    # ---- state=absent and check mode -----------------------------------------------------------------------
    def clear(self, item):
        """Remove what a killed run left of one CSV: its job and its snapshots. ``(entry, problems)``."""
        name = job_name(self.args["run_id"], item["index"])
        entry = {"csv": item["csv"], "job_id": TASK_PATH + name, "job_removed": False, "snapshots_removed": []}
        job = self._step(record(item, self.node), "backup_job",
                         self._removal(name))
        snaps = self._step(record(item, self.node), "csv_snapshot",
                           {"name": item["csv"], "state": "absent", "tag": snapshot_tag(self.args["run_id"])})
        problems = ["%s on %s: %s could not be removed" % (item["csv"], self.node, what)
                    for what, result in (("its backup job %s" % entry["job_id"], job), ("its snapshots", snaps))
                    if result is None]
        entry["job_removed"] = bool(job and job.get("changed"))
        entry["snapshots_removed"] = list((snaps or {}).get("removed") or [])
        return entry, problems

    def plan(self, item):
        """Check mode: the record of what backing up one CSV would do, with the read its snapshot would give."""
        entry = record(item, self.node, message="would back up %s on %s with %s" % (
            item["csv"], self.node, self.args["method"]), target_path=self._target_path(item))
        if self.args["method"] != "wbadmin":
            predicted = self._step(entry, "csv_snapshot", self._snapshot_args(item), check_mode=True)
            if predicted is not None:
                snapshot = predicted.get("snapshot") or {}
                entry.update(read=read_kind(snapshot, item.get("read")), provider=snapshot.get("provider_name"),
                             provider_type=snapshot.get("provider_type"), consistency=snapshot.get("consistency"))
        return entry

    # ---- the queue's callables ------------------------------------------------------------------------------
    def start(self, item):
        """Snapshot the CSV and start its backup job; a job that could not start has its snapshot removed.

        A CSV planned as a local read is checked to be coordinated here in the
        same round trip as its snapshot, and again as its job starts: the CSV
        balancer moves CSVs by itself ("Cluster Shared Volumes overview": on
        CSV failover, node rejoin, node add, node restart and cluster start),
        so the plan's move may have been undone. Such a CSV is moved back
        (with csv_owner's checks) and tried once more; if it cannot be, it is
        read where it is, over SMB. Either way its record says so.
        """
        job = self._start_once(item, self._expected_coordinator(item))
        moved = job.entry.get("coordinator_now")
        if not moved:
            return job
        note = {"from": self.node, "to": moved, "moved_back": self._move_back(item, job.entry)}
        retry = self._start_once(item, self.node if note["moved_back"] else None)
        retry.entry["rebalanced"] = note
        retry.entry.setdefault("warnings", []).append(
            "%s on %s: after the plan's move, the cluster moved it to %s (the CSV balancer or a failover); %s"
            % (item["csv"], self.node, moved, "it was moved back before its backup started" if note["moved_back"]
               else "it could not be moved back (%s), so it was read over SMB" % job.entry.get("move_back_error")))
        return retry

    def _expected_coordinator(self, item):
        """The node that must coordinate the CSV for the read the plan chose: this node for a local software read."""
        if not self.args.get("keep_coordinators", True) or item.get("read") != "local":
            return None
        if self.args["method"] == "wbadmin" or self.args["provider"] == "hardware":
            return None
        return self.node

    def _start_once(self, item, coordinator):
        """One try of :meth:`start`; a record with ``coordinator_now`` when the CSV is coordinated elsewhere."""
        name = job_name(self.args["run_id"], item["index"])
        entry = record(item, self.node, job_id=TASK_PATH + name, target_path=self._target_path(item))
        snapshot = None
        if self.args["method"] != "wbadmin":
            made = self._step(entry, "csv_snapshot", self._snapshot_args(item, coordinator))
            if made is None:
                self._moved(entry)
                return Job(item, entry)
            snapshot = made["snapshot"]
            entry.update(snapshot_id=snapshot.get("id"), provider=snapshot.get("provider_name"),
                         provider_type=snapshot.get("provider_type"), consistency=snapshot.get("consistency"),
                         read=read_kind(snapshot, item.get("read")))
            entry.setdefault("warnings", []).extend(made.get("warnings") or [])
            note = moved_before_start(item, snapshot, self.node)
            if note:
                entry.setdefault("warnings", []).append(note)
        started = self._step(entry, "backup_job", self._job_args(item, name, snapshot, coordinator))
        now = self._monotonic()
        job = Job(item, entry, snapshot, now + self.args["timeout"], started=now)
        if started is None:
            self._moved(entry)
            self._cleanup(job)
            return job
        entry.update(state="running", start=started.get("start"))
        return job

    def _moved(self, entry):
        """Note in ``entry`` where the CSV is when the module that just failed said another node coordinates it."""
        moved = (self.last_failure or {}).get("coordinator_now")
        if moved and str(moved).lower() != str(self.node).lower():
            entry["coordinator_now"] = moved

    def _move_back(self, item, entry):
        """Move the CSV back here (csv_owner, with its checks and waits); True when it is coordinated here again."""
        back = dict(entry)
        moved = self._step(back, "csv_owner", {"name": item["csv"], "node": self.node,
                                               "timeout": int(self.args.get("move_timeout") or 300)})
        if moved is None:
            entry["move_back_error"] = back.get("message")
            return False
        return True

    def poll(self, job):
        """Read the job once; True while it keeps running (and polling has not given up)."""
        try:
            if self.lost:
                raise OperationError("backup_job_status", self.lost, node=self.node)
            asked = self._wall()
            status = self._run_operation("backup_job_status", status_args(job.name, self.args.get("log_dir"),
                                                                          job.item["csv"], lock=self.args.get("lock")))
            self.clock.sample((asked + self._wall()) / 2, status.get("now"))
            self._lock_seen(status.get("lock_state"))
        except OperationError as exc:
            if isinstance(exc, OperationUnreachable):
                self._lose(exc)
            job.entry.update(state="failed", message="%s on %s: its backup job could not be read: %s" % (
                job.item["csv"], self.node, to_text(exc)))
            self._finish(job)
            return False
        now = shape(status, self.args["method"], job.name, changed=False)
        if not job.entry["start"]:
            # The Task Scheduler's LastRunTime: the start as the node recorded it (the start call returns before it).
            job.entry["start"] = now.get("start")
        since = self._monotonic() - job.started if job.started is not None else float("inf")
        if waiting(now["state"], since):
            return self._still_running(job)
        unexpected = ended_unexpectedly(now["state"], self.node, job.item["csv"], job.entry["job_id"],
                                        self.args.get("run_as_user"))
        if unexpected:
            # never started, vanished or stopped by someone else: a failure, said as such (the report is written)
            job.entry.update(state=unexpected[0], message=unexpected[1], end=now.get("end"),
                             exit_code=now.get("exit_code"), log_tail=now.get("log_tail") or [])
            job.entry["bytes"] = now.get("bytes")
            job.entry["bytes_measured"] = now.get("bytes") is not None
            self._finish(job)
            return False
        job.entry.update(state=now["state"], end=now.get("end"), exit_code=now.get("exit_code"),
                         log_tail=now.get("log_tail") or [])
        job.entry["bytes"] = now.get("bytes")
        job.entry["bytes_measured"] = now.get("bytes") is not None
        if job.entry["bytes"] is None:
            job.entry["bytes"] = job.item.get("bytes")
        if now["state"] == "succeeded":
            job.entry["message"] = job_message(job.entry, self.args["method"])
        else:
            job.entry["message"] = "%s on %s: backup job %s ended %s (exit code %s); see log_tail" % (
                job.item["csv"], self.node, job.entry["job_id"], now["state"], now.get("exit_code"))
            self._check_failover(job)
        self._finish(job)
        return False

    def _lock_seen(self, state):
        """The heartbeat that poll refreshed (``held``), or why not: kept as the queue's ``lock_state`` (the first
        state other than held stays, so the report says the lock was lost or missing at some point)."""
        if state is None:
            return
        if self.lock_state in (None, "held"):
            self.lock_state = state

    def _still_running(self, job):
        """A job still running: True until its deadline; then left running or stopped, as ``on_timeout`` says."""
        if self._monotonic() < job.deadline:
            return True
        if self.args["on_timeout"] == "leave":
            job.entry["message"] = job_message(job.entry, self.args["method"])
            return False
        job.entry.update(state="cancelled", message="%s on %s: still running after %d s, so it was stopped "
                         "(on_timeout=cancel)" % (job.item["csv"], self.node, self.args["timeout"]))
        self._finish(job)
        return False

    def stop(self, job):
        """The queue stopped while the job ran (a lost node, an interrupted run): stop it and leave nothing of ours."""
        job.entry.update(state="cancelled", message="%s on %s: the queue stopped before the job ended; it was "
                         "stopped" % (job.item["csv"], self.node))
        self._finish(job)

    def halted(self):
        """True once a poll found the run's backup lock lost or gone: nothing more may start on the cluster (the
        run's watchdog may be undoing it, or another run holds the cluster)."""
        return self.lock_state in ("lost", "missing")

    def not_started(self, item):
        """The job of a CSV the queue stopped before starting."""
        why = "the queue stopped first"
        if self.halted():
            why = "the run's backup lock was %s, so nothing more was started" % (
                "taken by another run" if self.lock_state == "lost" else "gone (its watchdog may have undone the run)")
        return Job(item, record(item, self.node, message="%s on %s: not started, %s" % (item["csv"], self.node, why)))

    # ---- after a job ------------------------------------------------------------------------------------------
    def _check_failover(self, job):
        """After a failed job, read where the CSV's coordinator is now (one round trip).

        A software snapshot lives on the coordinator that took it; when the
        cluster fails the CSV over, the read of it breaks. Saying so (and
        where the CSV went) lets the role re-plan the CSV on its new
        coordinator instead of reporting a mysterious exit code.
        """
        expected = failover_source(job.item, job.snapshot)
        if not expected or self.lost:
            return
        try:
            owner = require_csv(self._run_operation("csv_owner_get", {"name": job.item["csv"], "path": ""}),
                                job.item["csv"]).get("owner")
        except (OperationError, OwnershipError) as exc:
            job.entry.setdefault("warnings", []).append("%s on %s: could not read its coordinator after the failure: "
                                                        "%s" % (job.item["csv"], self.node, to_text(exc)))
            return
        if owner and owner.lower() != expected.lower():
            job.entry["failover"] = {"from": expected, "to": owner}
            job.entry["message"] = failover_message(job.entry)

    def _finish(self, job):
        """Remove the job's task (stopping it if it runs) and its snapshot."""
        removed = self._step(dict(job.entry), "backup_job",
                             self._removal(job.name))
        if removed is None:
            self._left(job, "the scheduled task %s on %s could not be removed; remove it with wsfc.csv.backup_job "
                       "state=absent" % (job.entry["job_id"], self.node))
        self._cleanup(job)

    def _cleanup(self, job):
        """Delete the job's snapshot; tried twice, and reported when it stays."""
        if not job.snapshot:
            return
        for dummy in range(2):
            if self._step(dict(job.entry), "csv_snapshot", {"id": job.snapshot["id"], "state": "absent"}) is not None:
                job.entry["snapshot_removed"] = True
                return
        job.entry["snapshot_removed"] = False
        self._left(job, "the snapshot %s of %s on %s could not be deleted; delete it with wsfc.csv.csv_snapshot "
                   "state=absent tag='%s'" % (job.snapshot["id"], job.item["csv"], self.node,
                                              snapshot_tag(self.args["run_id"])))

    def _left(self, job, note):
        """Record what stayed behind: an error, or a warning when the node itself is gone (it went down with it)."""
        if self.lost:
            job.entry.setdefault("cleanup_warnings", []).append("%s, when it is back (%s)" % (note, self.lost))
        else:
            job.entry.setdefault("cleanup_errors", []).append(note)

    # ---- module arguments -------------------------------------------------------------------------------------
    def _removal(self, name):
        """backup_job's arguments to stop and remove a job, and its log in the folder it was started with."""
        args = {"name": name, "state": "absent", "method": self.args["method"]}
        if self.args.get("log_dir"):
            args["log_dir"] = self.args["log_dir"]
        return args

    def _target_path(self, item):
        """The folder this CSV's backup goes to (None for a command, whose target is its own business)."""
        if self.args["method"] not in ("copy", "wbadmin"):
            return None
        return job_target(self.args["method"], self.args.get("target"), self.args["run_id"], item)

    def _snapshot_args(self, item, coordinator=None):
        args = {"name": item["csv"], "provider": self.args["provider"], "tag": snapshot_tag(self.args["run_id"])}
        if coordinator:
            args["coordinator"] = coordinator
        if self.args.get("snapshot_busy_timeout") is not None:
            args["busy_timeout"] = self.args["snapshot_busy_timeout"]
        return args

    def _job_args(self, item, name, snapshot, coordinator=None):
        args = {"name": name, "state": "started", "method": self.args["method"], "csv": item["csv"],
                "run_as_user": self.args["run_as_user"], "run_as_kind": self.args.get("run_as_kind") or "auto",
                "timeout": self.args["timeout"]}
        if coordinator and snapshot and snapshot.get("local_reads"):
            args["coordinator"] = coordinator
        for key in ("run_as_password", "log_dir", "command"):
            if self.args.get(key):
                args[key] = self.args[key]
        if snapshot and snapshot.get("exposed_path"):
            # the folder csv_snapshot exposed the snapshot at, never its device object (see backup_jobs.build_argv)
            args["snapshot_path"] = str(snapshot["exposed_path"]).rstrip("\\") + "\\"
        target = job_target(self.args["method"], self.args.get("target"), self.args["run_id"], item)
        if target:
            args["target"] = target
        return args
