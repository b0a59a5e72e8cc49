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
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.fleet import (
    failure_lines,
    fleet_lines,
    fleet_summary,
    render_fleet_json,
    render_fleet_markdown,
    report_failure,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.record import record_of_run

RENDERERS = (("report.json", render_json), ("report.md", render_markdown), ("report.html", render_html))


class ActionModule(WsfcControllerAction):
    """Build the report of a backup run and write it as JSON, Markdown and HTML (one per cluster, and the fleet's)."""

    ARGUMENT_SPEC = {
        "run": {"type": "dict"},
        "prepared": {"type": "dict"},
        "review": {"type": "dict"},
        "queue_from": {"type": "str"},
        "requeue_from": {"type": "str"},
        "error_from": {"type": "str"},
        "moved_from": {"type": "str"},
        "restored_from": {"type": "str"},
        "lock_from": {"type": "str"},
        "unlock_from": {"type": "str"},
        "disarm_from": {"type": "str"},
        "on_failover": {"type": "str", "default": "replan", "choices": ["replan", "fail"]},
        "dest": {"type": "path"},
    }
    MUTUALLY_EXCLUSIVE = [["run", "prepared"]]
    REQUIRED_ONE_OF = [["run", "prepared"]]

    def execute(self, args, task_vars):
        if args.get("run") is not None:
            if not args.get("dest"):
                raise ValueError("run needs dest, the directory the report is written to")
            report = self._build(args["run"])
            result = self._single(report, args["dest"])
            line = report_failure(report["summary"].get("cluster"), report, args["dest"])
            result["failure"] = [line] if line else []
            return result
        run = args["prepared"]
        reports = dict((name, self._build(record)) for name, record in self._records(args, task_vars).items())
        # With dest, one cluster's report goes there; in a fleet each cluster's goes to a folder of its own in it,
        # named as the cluster's own directory is.
        dirs = dict((name, run["clusters"][name]["dir"]) for name in reports)
        if args.get("dest"):
            dirs = dict((name, os.path.join(args["dest"], os.path.basename(folder)) if run.get("fleet")
                         else args["dest"]) for name, folder in dirs.items())
        if not run.get("fleet"):
            (name, report), = reports.items()
            result = self._single(report, dirs[name])
            result["failure"] = failure_lines(run, reports, dirs)
            return result
        summary = fleet_summary(run, reports, dirs)
        files = []
        result = {"changed": False, "summary": summary, "reports": reports,
                  "failure": failure_lines(run, reports, dirs), "stats": neutralised(summary)}
        for name, report in reports.items():
            written = self._write(dirs[name], [(n, r(report)) for n, r in RENDERERS])
            files += written[0]
            result["changed"] |= written[1]
        fleet_dir = args.get("dest") or run["fleet_dir"]
        written = self._write(fleet_dir, [("fleet.json", render_fleet_json(summary)),
                                          ("fleet.md", render_fleet_markdown(summary))])
        result.update(files=files + written[0], changed=result["changed"] or written[1],
                      lines=fleet_lines(summary) + ["fleet summary: %s" % ", ".join(written[0])])
        return result

    @staticmethod
    def _build(record):
        try:
            return build_report(record)
        except ReportError as exc:
            raise ValueError("cannot build the backup report: %s" % to_text(exc)) from None

    def _single(self, report, dest):
        files, changed = self._write(dest, [(n, r(report)) for n, r in RENDERERS])
        stats = dict(report["summary"], report_dir=dest, errors=report["errors"])
        return dict(changed=changed, report=report, summary=report["summary"], files=files,
                    lines=summary_lines(report, files), stats=neutralised(stats))

    def _write(self, dest, texts):
        """Write ``texts`` ((name, text) pairs) into ``dest`` where they differ; (paths, changed). Not in check mode."""
        paths = [os.path.join(dest, name) for name, dummy in texts]
        if self._task.check_mode:
            return paths, False
        changed = False
        try:
            os.makedirs(dest, mode=0o750, exist_ok=True)
            for path, (dummy, text) in zip(paths, texts):
                old = None
                if os.path.exists(path):
                    with open(path, "r", encoding="utf-8") as handle:
                        old = handle.read()
                if old != text:
                    with open(path, "w", encoding="utf-8") as handle:
                        handle.write(text)
                    changed = True
        except OSError as exc:
            raise ValueError("cannot write the backup report to %s: %s. Set csv_backup_report_dir to a writable "
                             "directory on the controller." % (dest, to_text(exc))) from None
        return paths, changed

    @staticmethod
    def _records(args, task_vars):
        """Each planned cluster's run record, from the role's steps and what every host registered (run.record)."""
        hosts = play_hosts(task_vars)
        run, review = args["prepared"], args.get("review") or {}
        got = dict((key, registered(task_vars, args.get(key + "_from")))
                   for key in ("queue", "requeue", "error", "moved", "restored", "lock", "unlock", "disarm"))
        finished = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        records = {}
        for name, crun in (run.get("clusters") or {}).items():
            if crun.get("error"):
                continue
            own = [h for h in hosts if h in crun["hosts"]]
            end = (review.get("clusters") or {}).get(name) or {}
            leader, control = crun["facts_host"], end.get("control_host") or crun["facts_host"]
            records[name] = record_of_run(
                dict(crun, run_warnings=run.get("run_warnings") or []), own, review=end, queues=got["queue"], requeues=got["requeue"],
                errors=dict((h, e) for h, e in got["error"].items() if h in own or h == leader),
                moved=got["moved"].get(leader), restored=got["restored"].get(control), lock=got["lock"].get(leader),
                unlock=got["unlock"].get(control), disarm=got["disarm"].get(control), finished=finished,
                on_failover=args["on_failover"])
        return records
