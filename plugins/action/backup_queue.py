# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_queue (documentation in plugins/modules/backup_queue.py)."""

from __future__ import annotations

import time
from collections import deque

from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import (
    METHODS,
    TASK_PATH,
    BackupJobError,
    shape,
    status_args,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_queue import (
    ClockSamples,
    QueueError,
    copy_target,
    failover_message,
    failover_source,
    job_message,
    moved_before_start,
    job_name,
    normalize_items,
    read_kind,
    record,
    snapshot_tag,
    summary,
    validate_run_id,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import OwnershipError, require_csv
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import (
    CHANGE_MAY_HAVE_HAPPENED,
    OperationUnreachable,
    reset_connection,
)

display = Display()


class _Running(object):
    """A started job the queue polls: its record, its snapshot and when polling for it gives up."""

    def __init__(self, item, entry, snapshot, deadline):
        self.item = item
        self.entry = entry
        self.snapshot = snapshot
        self.deadline = deadline


class ActionModule(WsfcActionBase):
    """Back up a node's CSVs, ``concurrency`` at a time: snapshot, start, poll, clean up."""

    ARGUMENT_SPEC = {
        "reads": {"type": "list", "elements": "raw", "required": True},
        "run_id": {"type": "str", "required": True},
        "method": {"type": "str", "default": "copy", "choices": list(METHODS)},
        "target": {"type": "str"},
        "command": {"type": "list", "elements": "str"},
        "provider": {"type": "str", "default": "auto"},
        "concurrency": {"type": "int", "default": 2},
        "timeout": {"type": "int", "default": 86400},
        "on_timeout": {"type": "str", "default": "cancel", "choices": ["cancel", "leave"]},
        "poll_interval": {"type": "float", "default": 10.0},
        "run_as_user": {"type": "str", "default": "NT AUTHORITY\\SYSTEM"},
        "run_as_password": {"type": "str", "no_log": True},
        "log_dir": {"type": "str"},
        "fail_on_error": {"type": "bool", "default": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }

    def execute(self, args):
        try:
            validate_run_id(args["run_id"])
            items = normalize_items(args["reads"])
            if args["concurrency"] < 1:
                raise QueueError("concurrency must be 1 or more, got %d" % args["concurrency"])
            if args["timeout"] < 0 or args["poll_interval"] <= 0:
                raise QueueError("timeout must be >= 0 and poll_interval > 0")
            if args["method"] == "copy" and args["state"] == "present":
                for item in items:
                    copy_target(args.get("target"), args["run_id"], item)
        except (QueueError, BackupJobError) as exc:
            return {"failed": True, "msg": "%s: %s. Nothing was started." % (self.host_name, exc)}
        self._args = args
        self._node = self.host_name
        self._clock = ClockSamples()
        self._lost = None
        if not items:
            return {"changed": False, "jobs": [], "node": self._node, "counts": {},
                    "msg": "%s has no CSV to back up" % self._node}
        if args["state"] == "absent":
            return self._clear(items)
        if self._task.check_mode:
            return self._check(items)
        entries = self._run(items)
        counts, msg = summary(entries, self._node)
        result = {"changed": True, "jobs": entries, "node": self._node, "counts": counts, "msg": msg,
                  "clock": self._clock.samples,
                  "diff": {"before": {"jobs": []}, "after": {"jobs": [e["job_id"] for e in entries if e["job_id"]]}}}
        problems = [e for e in entries if e["state"] != "succeeded"]
        if problems and args["fail_on_error"]:
            result["failed"] = True
            result["msg"] = "%s. %s" % (msg, " ".join(job_message(e, args["method"]) for e in problems))
        return result

    # ---- state=absent: what a killed run left on this node ---------------------------------------------
    def _clear(self, items):
        """Stop and remove the run's job of each CSV and delete the run's snapshots of it (check mode: say what)."""
        entries, problems = [], []
        for item in items:
            name = job_name(self._args["run_id"], item["index"])
            entry = {"csv": item["csv"], "job_id": TASK_PATH + name, "job_removed": False, "snapshots_removed": []}
            job = self._step(dict(record(item, self._node)), "backup_job",
                             {"name": name, "state": "absent", "method": self._args["method"]})
            snaps = self._step(dict(record(item, self._node)), "csv_snapshot",
                               {"name": item["csv"], "state": "absent", "tag": snapshot_tag(self._args["run_id"])})
            for what, result in (("its backup job %s" % entry["job_id"], job), ("its snapshots", snaps)):
                if result is None:
                    problems.append("%s on %s: %s could not be removed" % (item["csv"], self._node, what))
            entry["job_removed"] = bool(job and job.get("changed"))
            entry["snapshots_removed"] = list((snaps or {}).get("removed") or [])
            entries.append(entry)
        changed = any(e["job_removed"] or e["snapshots_removed"] for e in entries)
        result = {"changed": changed, "cleared": entries, "node": self._node,
                  "diff": {"before": {"cleared": [e["csv"] for e in entries if e["job_removed"] or e["snapshots_removed"]]},
                           "after": {"cleared": []}},
                  "msg": "%s: %s the jobs and snapshots of run %s for %d CSV(s)" % (
                      self._node, "would remove" if self._task.check_mode else "removed", self._args["run_id"],
                      sum(1 for e in entries if e["job_removed"] or e["snapshots_removed"]))}
        if problems:
            result.update(failed=True, msg="%s. %s. Run it again, or remove them with wsfc.csv.backup_job and "
                          "wsfc.csv.csv_snapshot state=absent" % (result["msg"], "; ".join(problems)))
        return result

    # ---- check mode -----------------------------------------------------------------------------------
    def _check(self, items):
        entries = []
        for item in items:
            entry = record(item, self._node, message="would back up %s on %s with %s" % (
                item["csv"], self._node, self._args["method"]))
            if self._args["method"] != "wbadmin":
                predicted = self._step(entry, "csv_snapshot", self._snapshot_args(item), check_mode=True)
                if predicted is None:
                    entries.append(entry)
                    continue
                snapshot = predicted.get("snapshot") or {}
                entry.update(read=read_kind(snapshot, item.get("read")), provider=snapshot.get("provider_name"),
                             provider_type=snapshot.get("provider_type"))
            entries.append(entry)
        return {"changed": True, "jobs": entries, "node": self._node, "counts": {"planned": len(entries)},
                "diff": {"before": {"jobs": []}, "after": {"jobs": [e["csv"] for e in entries]}},
                "msg": "would back up %d CSV(s) on %s, %d at a time" % (
                    len(entries), self._node, self._args["concurrency"])}

    # ---- the queue ------------------------------------------------------------------------------------
    def _run(self, items):
        pending, running, done = deque(items), [], []
        try:
            while pending or running:
                while pending and len(running) < self._args["concurrency"]:
                    job = self._start(pending.popleft())
                    (running if job.entry["state"] == "running" else done).append(job)
                if not running:
                    continue
                time.sleep(self._args["poll_interval"])
                still = []
                for job in running:
                    (still if self._poll(job) else done).append(job)
                running = still
        finally:
            # Whatever stopped the queue (a node that went away, an interrupted run), leave nothing of ours.
            for job in running:
                if job.entry["state"] == "running":
                    job.entry.update(state="cancelled", message="%s on %s: the queue stopped before the job ended; "
                                     "it was stopped" % (job.item["csv"], self._node))
                    self._finish(job)
                done.append(job)
            for item in pending:
                done.append(_Running(item, record(item, self._node, message="%s on %s: not started, the queue "
                                                  "stopped first" % (item["csv"], self._node)), None, None))
        order = dict((item["index"], n) for n, item in enumerate(items))
        return [job.entry for job in sorted(done, key=lambda j: order[j.item["index"]])]

    def _step(self, entry, module, args, check_mode=None):
        """Run one module; on failure record why in ``entry`` and return None.

        When the connection broke while the module was changing something
        (the runner does not retry a change), the step is run once more on a
        fresh connection. That is safe because every module the queue runs
        reads the node's state before it changes anything (a snapshot with the
        run's tag, a task of the job's name), so a change that happened before
        the connection broke is found and not made twice.
        """
        if self._lost:
            entry.update(state="failed", message="%s on %s: %s was not run: %s" % (
                entry["csv"], self._node, module, self._lost))
            return None
        for attempt in range(2):
            try:
                result = self.run_action(module, args, check_mode=check_mode)
            except (OperationError, QueueError) as exc:
                result = {"failed": True, "msg": to_text(exc)}
            if not result.get("unreachable"):
                break
            if CHANGE_MAY_HAVE_HAPPENED not in (result.get("msg") or "") or attempt:
                self._lose(result.get("msg"))
                break
            display.warning("%s on %s: the connection broke while %s was changing the node; reading its state again "
                            "before going on" % (entry["csv"], self._node, module))
            reset_connection(self._connection)
        if result.get("failed") or result.get("unreachable"):
            entry.update(state="failed", message="%s on %s: %s failed: %s" % (
                entry["csv"], self._node, module, result.get("msg") or "unreachable"))
            return None
        return result

    def _lose(self, why):
        """The node did not answer even after the runner's retries: stop talking to it for the rest of the queue.

        Every later step would wait through the same retries (a node that
        went down takes the whole backoff each time), and the report only
        needs to say which CSVs were not backed up and why.
        """
        self._lost = "%s did not answer (%s)" % (self._node, why or "unreachable")

    def _snapshot_args(self, item):
        return {"name": item["csv"], "provider": self._args["provider"], "tag": snapshot_tag(self._args["run_id"])}

    def _job_args(self, item, name, snapshot):
        args = {"name": name, "state": "started", "method": self._args["method"], "csv": item["csv"],
                "run_as_user": self._args["run_as_user"]}
        for key in ("run_as_password", "log_dir", "command"):
            if self._args.get(key):
                args[key] = self._args[key]
        if snapshot:
            args["snapshot_path"] = snapshot["device_object"].rstrip("\\") + "\\"
        if self._args["method"] == "copy":
            args["target"] = copy_target(self._args["target"], self._args["run_id"], item)
        elif self._args.get("target"):
            args["target"] = self._args["target"]
        return args

    def _start(self, item):
        name = job_name(self._args["run_id"], item["index"])
        entry = record(item, self._node, job_id=TASK_PATH + name)
        snapshot = None
        if self._args["method"] != "wbadmin":
            made = self._step(entry, "csv_snapshot", self._snapshot_args(item))
            if made is None:
                return _Running(item, entry, None, None)
            snapshot = made["snapshot"]
            entry.update(snapshot_id=snapshot.get("id"), provider=snapshot.get("provider_name"),
                         provider_type=snapshot.get("provider_type"), read=read_kind(snapshot, item.get("read")))
            note = moved_before_start(item, snapshot, self._node)
            if note:
                entry.setdefault("warnings", []).append(note)
        started = self._step(entry, "backup_job", self._job_args(item, name, snapshot))
        job = _Running(item, entry, snapshot, time.monotonic() + self._args["timeout"])
        if started is None:
            self._cleanup(job)
            return job
        entry.update(state="running", start=started.get("start"))
        return job

    def _poll(self, job):
        """Read the job once; True while it keeps running (and polling has not given up)."""
        name = job.entry["job_id"][len(TASK_PATH):]
        try:
            if self._lost:
                raise OperationError("backup_job_status", self._lost, node=self._node)
            asked = time.time()
            status = self.operation("backup_job_status", status_args(name, self._args.get("log_dir"), job.item["csv"]))
            self._clock.sample((asked + time.time()) / 2, status.get("now"))
        except OperationError as exc:
            if isinstance(exc, OperationUnreachable):
                self._lose(to_text(exc))
            job.entry.update(state="failed", message="%s on %s: its backup job could not be read: %s" % (
                job.item["csv"], self._node, to_text(exc)))
            self._finish(job)
            return False
        now = shape(status, self._args["method"], name, changed=False)
        if not job.entry["start"]:
            # The Task Scheduler's LastRunTime: the start as the node recorded it (the start call returns before it).
            job.entry["start"] = now.get("start")
        if now["state"] == "running":
            if time.monotonic() < job.deadline:
                return True
            if self._args["on_timeout"] == "leave":
                job.entry["message"] = job_message(job.entry, self._args["method"])
                return False
            job.entry.update(state="cancelled", message="%s on %s: still running after %d s, so it was stopped "
                             "(on_timeout=cancel)" % (job.item["csv"], self._node, self._args["timeout"]))
            self._finish(job)
            return False
        job.entry.update(state=now["state"], end=now.get("end"), exit_code=now.get("exit_code"),
                         log_tail=now.get("log_tail") or [])
        job.entry["bytes"] = now.get("bytes")
        job.entry["bytes_measured"] = now.get("bytes") is not None
        if job.entry["bytes"] is None:
            job.entry["bytes"] = job.item.get("bytes")
        if now["state"] == "succeeded":
            job.entry["message"] = job_message(job.entry, self._args["method"])
        else:
            job.entry["message"] = "%s on %s: backup job %s ended %s (exit code %s); see log_tail" % (
                job.item["csv"], self._node, job.entry["job_id"], now["state"], now.get("exit_code"))
            self._check_failover(job)
        self._finish(job)
        return False

    def _check_failover(self, job):
        """After a failed job, read where the CSV's coordinator is now (one round trip).

        A software snapshot lives on the coordinator that took it; when the
        cluster fails the CSV over, the read of it breaks. Saying so (and
        where the CSV went) lets the role re-plan the CSV on its new
        coordinator instead of reporting a mysterious exit code.
        """
        expected = failover_source(job.item, job.snapshot)
        if not expected or self._lost:
            return
        try:
            owner = require_csv(self.operation("csv_owner_get", {"name": job.item["csv"], "path": ""}),
                             job.item["csv"]).get("owner")
        except (OperationError, OwnershipError) as exc:
            job.entry.setdefault("warnings", []).append("%s on %s: could not read its coordinator after the failure: "
                                                        "%s" % (job.item["csv"], self._node, to_text(exc)))
            return
        if owner and owner.lower() != expected.lower():
            job.entry["failover"] = {"from": expected, "to": owner}
            job.entry["message"] = failover_message(job.entry)

    def _finish(self, job):
        """Remove the job's task (stopping it if it runs) and its snapshot."""
        name = job.entry["job_id"][len(TASK_PATH):]
        removed = self._step(dict(job.entry), "backup_job",
                             {"name": name, "state": "absent", "method": self._args["method"]})
        if removed is None:
            self._left(job, "the scheduled task %s on %s could not be removed; remove it with wsfc.csv.backup_job "
                       "state=absent" % (job.entry["job_id"], self._node))
        self._cleanup(job)

    def _left(self, job, note):
        """Record what stayed behind: an error, or a warning when the node itself is gone (it went down with it)."""
        if self._lost:
            job.entry.setdefault("cleanup_warnings", []).append("%s, when it is back (%s)" % (note, self._lost))
        else:
            job.entry.setdefault("cleanup_errors", []).append(note)

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
                   "state=absent tag='%s'" % (job.snapshot["id"], job.item["csv"], self._node,
                                              snapshot_tag(self._args["run_id"])))
