# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_job (documentation in plugins/modules/backup_job.py)."""

from __future__ import annotations

import time

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.argument_specs import backup_job_options
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import (
    DEFAULT_LOG_DIR,
    DEFAULT_LOG_LINES,
    TASK_PATH,
    BackupJobError,
    build_action,
    build_argv,
    ended_unexpectedly,
    failure_message,
    job_state,
    log_path,
    next_delay,
    shape,
    start_args,
    status_args,
    task_logon,
    validate_name,
    waiting,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.snapshots import coordinator_moved
from ansible_collections.wsfc.csv.plugins.plugin_utils.targets import target_error


class ActionModule(WsfcActionBase):
    """Start a backup job as a scheduled task on the node, wait for it, or stop and remove it."""

    # method, command, run_as_user, run_as_password, run_as_kind and log_dir: shared with backup_queue
    # (argument_specs.py).
    NEXT_STEP = ("Check the Task Scheduler service on the node and the account the job runs as (run_as_user), "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        **backup_job_options(method_default="wbadmin"),
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "finished", "choices": ["started", "finished", "absent"]},
        "csv": {"type": "str"},
        "snapshot_path": {"type": "str"},
        "target": {"type": "str"},
        "vms": {"type": "list", "elements": "str"},
        "timeout": {"type": "int", "default": 3600},
        "poll_interval": {"type": "float", "default": 5.0},
        "log_lines": {"type": "int", "default": DEFAULT_LOG_LINES},
        "coordinator": {"type": "str"},
    }

    def _status(self, args):
        return self.operation("backup_job_status", status_args(args["name"], args.get("log_dir"), args.get("csv"),
                                                               args["log_lines"]))

    def execute(self, args):
        try:
            validate_name(args["name"])
        except BackupJobError as exc:
            return {"failed": True, "msg": str(exc)}
        if args["state"] != "absent" and args["method"] in ("copy", "wbadmin") and args.get("target"):
            refused = target_error(args["target"], "target", args["method"])
            if refused:
                return {"failed": True, "msg": "%s. Nothing was changed." % refused}
        if args["timeout"] < 0 or args["poll_interval"] <= 0 or args["log_lines"] < 0:
            return {"failed": True, "msg": "timeout must be >= 0, poll_interval > 0 and log_lines >= 0"}
        method, name, csv = args["method"], args["name"], args.get("csv")
        status = self._status(args)
        node = status.get("node")
        if csv and status.get("csv") is None:
            return {"failed": True, "node": node, "msg": "The CSV %r was not found on %s, so no backup job was "
                    "started. Check the name with wsfc.csv.cluster_info and run the task again." % (csv, node)}
        current = job_state(status, method)
        before = {"job_id": TASK_PATH + name, "state": current}
        lines = args["log_lines"]
        if args["state"] == "absent":
            # The job is gone only when its task and its log file are: a log left alone (e.g. by an earlier run
            # whose task was removed by hand) is removed too.
            log_exists = bool(status.get("log_exists"))
            result = shape(status, method, name, changed=current != "absent" or log_exists, log_lines=lines)
            result["diff"] = {"before": dict(before, log_exists=log_exists),
                              "after": {"job_id": TASK_PATH + name, "state": "absent", "log_exists": False}}
            if not result["changed"] or self._task.check_mode:
                return result
            stopped = self.operation("backup_job_stop", {"name": name, "task_path": TASK_PATH,
                                                         "log": log_path(name, args.get("log_dir"))}, read_only=False)
            result.update(state="absent", stopped=bool(stopped.get("stopped")),
                          log_removed=bool(stopped.get("log_removed")),
                          msg="backup job %s on %s %s, its task removed%s" % (
                              TASK_PATH + name, node, "stopped" if stopped.get("stopped") else "was not running",
                              " and its log %s deleted" % result["log_path"] if stopped.get("log_removed") else ""))
            return result
        changed = False
        if current == "not_started":
            return {"failed": True, "node": node, "msg": "A task %s exists on %s but never ran (not created by this "
                    "module?). Remove it with state=absent, then run the task again." % (TASK_PATH + name, node)}
        if current == "absent" and args.get("coordinator") and status.get("csv"):
            moved = coordinator_moved(status["csv"], args["coordinator"], node, "started no backup job for it")
            if moved:
                return {"failed": True, "node": node, "coordinator_now": status["csv"].get("owner"), "msg": moved}
        if current == "absent":
            volume = (status.get("csv") or {}).get("path")
            try:
                argv = build_argv(method, node, volume=volume, snapshot_path=args.get("snapshot_path"),
                                  target=args.get("target"), vms=args.get("vms"), command=args.get("command"),
                                  csv=csv, name=name)
                execute, argument = build_action(argv, log_path(name, args.get("log_dir")))
                logon = task_logon(args["run_as_user"], args.get("run_as_password"), args["run_as_kind"])
            except BackupJobError as exc:
                return {"failed": True, "node": node, "msg": "backup job %s%s on %s: %s" % (
                    TASK_PATH + name, " for CSV %s" % csv if csv else "", node, exc)}
            after = {"job_id": TASK_PATH + name, "state": "running"}
            if self._task.check_mode:
                result = shape(status, method, name, changed=True, log_lines=lines)
                result.update(state="absent", diff={"before": before, "after": after},
                              msg="would start backup job %s on %s" % (TASK_PATH + name, node))
                return result
            self._start(args, name, execute, argument, logon)
            changed = True
            status = dict(status, exists=True, task_state="Running", last_result=None)
        started = time.monotonic()
        watched = changed or current == "running"
        while args["state"] == "finished" and waiting(job_state(status, method), time.monotonic() - started):
            delay = next_delay(time.monotonic() - started, args["timeout"], args["poll_interval"])
            if delay is None:
                break
            time.sleep(delay)
            status = self._status(args)
        result = shape(status, method, name, changed=changed, log_lines=lines)
        unexpected = ended_unexpectedly(result["state"], node, csv, TASK_PATH + name, args["run_as_user"]) \
            if watched and args["state"] == "finished" else None
        if unexpected:
            result["state"], result["msg"] = unexpected
            result["failed"] = True
        result["diff"] = {"before": before, "after": {"job_id": TASK_PATH + name, "state": result["state"]}}
        if args["state"] == "finished" and result["state"] != "succeeded" and not unexpected:
            result.update(failed=True, msg=failure_message(result, method, csv, args["timeout"]))
        return result

    def _start(self, args, name, execute, argument, logon):
        """Register and start the task. The password travels only in this operation's encoded arguments: the
        connection's own result logging is censored while it runs, and the script never prints it."""
        previous = self._play_context.no_log
        self._play_context.no_log = True
        try:
            self.operation("backup_job_start", start_args(name, execute, argument, args["run_as_user"],
                                                          args.get("run_as_password"), logon, args["timeout"],
                                                          args.get("log_dir") or DEFAULT_LOG_DIR), read_only=False)
        finally:
            self._play_context.no_log = previous
