# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_report (documentation in plugins/modules/backup_report.py).

Runs entirely on the controller: it writes report files there and never
touches the host the task names.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcControllerAction
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import (
    ReportError,
    build_report,
    neutralised,
    render_html,
    render_json,
    render_markdown,
    summary_lines,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import play_hosts, registered
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.record import record_of_run

RENDERERS = (("report.json", render_json), ("report.md", render_markdown), ("report.html", render_html))


class ActionModule(WsfcControllerAction):
    """Build the report of a backup run and write it as JSON, Markdown and HTML."""

    ARGUMENT_SPEC = {
        "run": {"type": "dict"},
        "prepared": {"type": "dict"},
        "review": {"type": "dict"},
        "queue_from": {"type": "str"},
        "requeue_from": {"type": "str"},
        "error_from": {"type": "str"},
        "moved": {"type": "dict"},
        "restored": {"type": "dict"},
        "lock": {"type": "dict"},
        "unlock": {"type": "dict"},
        "on_failover": {"type": "str", "default": "replan", "choices": ["replan", "fail"]},
        "dest": {"type": "path", "required": True},
    }
    MUTUALLY_EXCLUSIVE = [["run", "prepared"]]
    REQUIRED_ONE_OF = [["run", "prepared"]]

    def execute(self, args, task_vars):
        record = args["run"] if args.get("run") is not None else self._record(args, task_vars)
        try:
            report = build_report(record)
        except ReportError as exc:
            raise ValueError("cannot build the backup report: %s" % to_text(exc)) from None
        files = [os.path.join(args["dest"], name) for name, dummy in RENDERERS]
        stats = dict(report["summary"], report_dir=args["dest"], errors=report["errors"])
        result = dict(changed=False, report=report, summary=report["summary"], files=files,
                      lines=summary_lines(report, files), stats=neutralised(stats))
        if self._task.check_mode:
            return result
        try:
            os.makedirs(args["dest"], mode=0o750, exist_ok=True)
            for (name, render), path in zip(RENDERERS, files):
                text = render(report)
                old = None
                if os.path.exists(path):
                    with open(path, "r", encoding="utf-8") as handle:
                        old = handle.read()
                if old != text:
                    with open(path, "w", encoding="utf-8") as handle:
                        handle.write(text)
                    result["changed"] = True
        except OSError as exc:
            raise ValueError("cannot write the backup report to %s: %s. Set csv_backup_report_dir to a writable "
                             "directory on the controller." % (args["dest"], to_text(exc))) from None
        return result

    @staticmethod
    def _record(args, task_vars):
        """The run record from the steps of the csv_backup role and what every host registered (see run.record)."""
        hosts = play_hosts(task_vars)
        return record_of_run(
            args["prepared"], hosts, review=args.get("review"), queues=registered(task_vars, args.get("queue_from")),
            requeues=registered(task_vars, args.get("requeue_from")),
            errors=registered(task_vars, args.get("error_from")), moved=args.get("moved"),
            restored=args.get("restored"), lock=args.get("lock"), unlock=args.get("unlock"),
            finished=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), on_failover=args["on_failover"])
