# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_queue (documentation in plugins/modules/backup_queue.py)."""

from __future__ import annotations

import time
from collections import deque

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import (
    METHODS,
    TASK_PATH,
    BackupJobError,
    shape,
    status_args,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_queue import (
    QueueError,
    copy_target,
    job_message,
    job_name,
    normalize_items,
    read_kind,
    record,
    snapshot_tag,
    summary,
    validate_run_id,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError


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
    }

    def execute(self, args):
        try:
            validate_run_id(args["run_id"])
            items = normalize_items(args["reads"])
            if args["concurrency"] < 1:
                raise QueueError("concurrency must be 1 or more, got %d" % args["concurrency"])
            if args["timeout"] < 0 or args["poll_interval"] <= 0:
                raise QueueError("timeout must be >= 0 and poll_interval > 0")
            if args["method"] == "copy":
                for item in items:
                    copy_target(args.get("target"), args["run_id"], item)
        except (QueueError, BackupJobError) as exc:
            return {"failed": True, "msg": "%s: %s. Nothing was started." % (self.host_name, exc)}
        self._args = args
        self._node = self.host_name
        if not items:
            return {"changed": False, "jobs": [], "node": self._node, "counts": {},
                    "msg": "%s has no CSV to back up" % self._node}
        if self._task.check_mode:
            return self._check(items)
        entries = self._run(items)
        counts, msg = summary(entries, self._node)
        result = {"changed": True, "jobs": entries, "node": self._node, "counts": counts, "msg": msg,
                  "diff": {"before": {"jobs": []}, "after": {"jobs": [e["job_id"] for e in entries if e["job_id"]]}}}
        problems = [e for e in entries if e["state"] != "succeeded"]
        if problems and args["fail_on_error"]:
            result["failed"] = True
            result["msg"] = "%s. %s" % (msg, " ".join(job_message(e, args["method"]) for e in problems))
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
        """Run one module; on failure record why in ``entry`` and return None."""
        try:
            result = self.run_action(module, args, check_mode=check_mode)
        except (OperationError, QueueError) as exc:
            result = {"failed": True, "msg": to_text(exc)}
        if result.get("failed") or result.get("unreachable"):
            entry.update(state="failed", message="%s on %s: %s failed: %s" % (
                entry["csv"], self._node, module, result.get("msg") or "unreachable"))
            return None
        return result

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
            status = self.operation("backup_job_status", status_args(name, self._args.get("log_dir"), job.item["csv"]))
        except OperationError as exc:
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
        self._finish(job)
        return False

    def _finish(self, job):
        """Remove the job's task (stopping it if it runs) and its snapshot."""
        name = job.entry["job_id"][len(TASK_PATH):]
        removed = self._step(dict(job.entry), "backup_job",
                             {"name": name, "state": "absent", "method": self._args["method"]})
        if removed is None:
            job.entry.setdefault("cleanup_errors", []).append("the scheduled task %s on %s could not be removed; "
                                                              "remove it with wsfc.csv.backup_job state=absent"
                                                              % (job.entry["job_id"], self._node))
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
        job.entry.setdefault("cleanup_errors", []).append(
            "the snapshot %s of %s on %s could not be deleted; delete it with wsfc.csv.csv_snapshot state=absent "
            "tag='%s'" % (job.snapshot["id"], job.item["csv"], self._node, snapshot_tag(self._args["run_id"])))
