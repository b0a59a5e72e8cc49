# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_report (documentation in plugins/modules/backup_report.py).

Runs entirely on the controller: it writes report files there and never
touches the host the task names.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import (
    ReportError,
    build_report,
    render_html,
    render_json,
    render_markdown,
)

RENDERERS = (("report.json", render_json), ("report.md", render_markdown), ("report.html", render_html))


class ActionModule(ActionBase):
    """Build the report of a backup run and write it as JSON, Markdown and HTML."""

    _requires_connection = False
    _supports_check_mode = True
    TRANSFERS_FILES = False

    ARGUMENT_SPEC = {
        "run": {"type": "dict", "required": True},
        "dest": {"type": "path", "required": True},
    }

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        try:
            report = build_report(args["run"])
        except ReportError as exc:
            raise AnsibleActionFail("cannot build the backup report: %s" % to_text(exc))
        files = [os.path.join(args["dest"], name) for name, dummy in RENDERERS]
        result.update(changed=False, report=report, summary=report["summary"], files=files)
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
            raise AnsibleActionFail("cannot write the backup report to %s: %s. Set csv_backup_report_dir to a "
                                    "writable directory on the controller." % (args["dest"], to_text(exc)))
        return result
