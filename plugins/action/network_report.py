# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.network_report (documentation in plugins/modules/network_report.py)."""

from __future__ import annotations

import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcControllerAction
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.report import (
    failure_lines,
    node_record,
    render_json,
    render_markdown,
    summarise,
    summary_lines,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import play_hosts, registered


class ActionModule(WsfcControllerAction):
    """Summarise every node's network findings and changes; optionally write them as JSON and Markdown."""

    ARGUMENT_SPEC = {
        "before_from": {"type": "str", "required": True},
        "multichannel_from": {"type": "str"},
        "teams_from": {"type": "str"},
        "after_from": {"type": "str"},
        "min_gbps": {"type": "float", "default": 10.0},
        "applied": {"type": "bool", "default": False},
        "fail_on": {"type": "str", "default": "never", "choices": ["never", "critical", "error", "warning", "info"]},
        "dest": {"type": "path"},
    }

    def execute(self, args, task_vars):
        before = registered(task_vars, args["before_from"])
        smb, teams = registered(task_vars, args.get("multichannel_from")), registered(task_vars, args.get("teams_from"))
        after = registered(task_vars, args.get("after_from"))
        records = [node_record(h, before[h], smb.get(h), teams.get(h), after.get(h))
                   for h in play_hosts(task_vars) if h in before]
        summary = summarise(records, args["min_gbps"], args["applied"], bool(task_vars.get("ansible_check_mode")),
                            args["fail_on"])
        lines = summary_lines(summary)
        result = {"changed": False, "summary": summary, "lines": lines, "failure": failure_lines(summary, lines),
                  "files": []}
        if args.get("dest"):
            result["files"] = [os.path.join(args["dest"], name)
                               for name in ("network_findings.json", "network_findings.md")]
            if not self._task.check_mode:
                result["changed"] = self._write(args["dest"], result["files"],
                                                (render_json(summary), render_markdown(summary, lines)))
        return result

    @staticmethod
    def _write(dest, files, texts):
        """Write the files that differ from what is there; True when one was written."""
        changed = False
        try:
            os.makedirs(dest, mode=0o755, exist_ok=True)
            for path, text in zip(files, texts):
                if os.path.exists(path):
                    with open(path, "r", encoding="utf-8") as handle:
                        if handle.read() == text:
                            continue
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.chmod(path, 0o644)
                changed = True
        except OSError as exc:
            raise ValueError("cannot write the network findings to %s: %s. Set network_tuning_report_dir to a "
                             "writable directory on the controller." % (dest, to_text(exc))) from None
        return changed
