# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_queue (documentation in plugins/modules/backup_queue.py).

The wiring only: the queue's checks, its steps (:mod:`queue.steps`) built on
this action's ``run_action`` and ``operation``, its scheduling
(:mod:`queue.scheduler`) and the result.
"""

from __future__ import annotations

import contextlib
import time

from ansible.utils.display import Display

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.argument_specs import backup_job_options
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError, task_logon
from ansible_collections.wsfc.csv.plugins.plugin_utils.handover import HandOver
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import (
    QueueError,
    check_target,
    concurrency_for,
    job_message,
    job_target,
    normalize_items,
    summary,
    validate_run_id,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.scheduler import QueueScheduler
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.steps import QueueSteps
from ansible_collections.wsfc.csv.plugins.plugin_utils.targets import folder_errors

display = Display()


class ActionModule(WsfcActionBase):
    """Back up a node's CSVs, ``concurrency`` at a time: snapshot, start, poll, clean up."""

    # method, command, run_as_user, run_as_password, run_as_kind and log_dir: passed to each job as backup_job
    # takes them.
    ARGUMENT_SPEC = {
        **backup_job_options(method_default="copy"),
        "reads": {"type": "list", "elements": "raw", "required": True},
        "run_id": {"type": "str", "required": True},
        "target": {"type": "str"},
        "provider": {"type": "str", "default": "auto"},
        "snapshot_busy_timeout": {"type": "int"},
        "concurrency": {"type": "int", "default": 2},
        "timeout": {"type": "int", "default": 86400},
        "on_timeout": {"type": "str", "default": "cancel", "choices": ["cancel", "leave"]},
        "poll_interval": {"type": "float", "default": 10.0},
        "keep_coordinators": {"type": "bool", "default": True},
        "move_timeout": {"type": "int", "default": 300},
        "lock": {"type": "dict", "options": {"path": {"type": "str", "required": True},
                                             "nonce": {"type": "str", "required": True, "no_log": False}}},
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
            if args["state"] == "present":
                # the account is checked before any snapshot is taken (backup_jobs.task_logon)
                task_logon(args["run_as_user"], args.get("run_as_password"), args["run_as_kind"])
                check_target(args["method"], args.get("target"))
                for item in items:
                    job_target(args["method"], args.get("target"), args["run_id"], item)
                folders = folder_errors(items) if args["method"] in ("copy", "wbadmin") else []
                if folders:
                    raise QueueError("; ".join(folders))
        except (QueueError, BackupJobError) as exc:
            return {"failed": True, "msg": "%s: %s. Nothing was started." % (self.host_name, exc)}
        node = self.host_name
        if not items:
            return {"changed": False, "jobs": [], "node": node, "counts": {},
                    "msg": "%s has no CSV to back up" % node}
        steps = QueueSteps(node, args, run_module=self.run_action, run_operation=self.operation,
                           warn=display.warning,
                           monotonic=time.monotonic, wall=time.time)
        if args["state"] == "absent":
            return self._clear(steps, items)
        if self._task.check_mode:
            return self._check(steps, items)
        scheduler = QueueScheduler(concurrency_for(args["method"], args["concurrency"]), args["poll_interval"],
                                   start=steps.start, poll=steps.poll, stop=steps.stop,
                                   not_started=steps.not_started, sleep=time.sleep, halted=steps.halted)
        lock = args.get("lock") or {}

        def hand_over():
            self.operation("backup_watchdog_expire", {"lock": lock["path"], "nonce": lock["nonce"]}, read_only=False)
        # Only a run that holds a lock has a watchdog to hand over to.
        with HandOver(hand_over, warn=display.warning) if lock else contextlib.nullcontext():
            entries = scheduler.run(items)
        counts, msg = summary(entries, node)
        result = {"changed": True, "jobs": entries, "node": node, "counts": counts, "msg": msg,
                  "clock": steps.clock.samples, "lock_state": steps.lock_state,
                  "diff": {"before": {"jobs": []}, "after": {"jobs": [e["job_id"] for e in entries if e["job_id"]]}}}
        problems = [e for e in entries if e["state"] != "succeeded"]
        if problems and args["fail_on_error"]:
            result["failed"] = True
            result["msg"] = "%s. %s" % (msg, " ".join(job_message(e, args["method"]) for e in problems))
        return result

    def _clear(self, steps, items):
        """state=absent: stop and remove the run's job of each CSV and delete its snapshots (check mode: say what)."""
        entries, problems = [], []
        for item in items:
            entry, left = steps.clear(item)
            entries.append(entry)
            problems.extend(left)
        cleared = [e["csv"] for e in entries if e["job_removed"] or e["snapshots_removed"]]
        result = {"changed": bool(cleared), "cleared": entries, "node": steps.node,
                  "diff": {"before": {"cleared": cleared}, "after": {"cleared": []}},
                  "msg": "%s: %s the jobs and snapshots of run %s for %d CSV(s)" % (
                      steps.node, "would remove" if self._task.check_mode else "removed", steps.args["run_id"],
                      len(cleared))}
        if problems:
            result.update(failed=True, msg="%s. %s. Run it again, or remove them with wsfc.csv.backup_job and "
                          "wsfc.csv.csv_snapshot state=absent" % (result["msg"], "; ".join(problems)))
        return result

    def _check(self, steps, items):
        """Check mode: what the queue would back up, with the read each snapshot would give."""
        entries = [steps.plan(item) for item in items]
        return {"changed": True, "jobs": entries, "node": steps.node, "counts": {"planned": len(entries)},
                "diff": {"before": {"jobs": []}, "after": {"jobs": [e["csv"] for e in entries]}},
                "msg": "would back up %d CSV(s) on %s, %d at a time" % (
                    len(entries), steps.node, steps.args["concurrency"])}
