# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_prepare (documentation in plugins/modules/backup_prepare.py)."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timezone

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcControllerAction
from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import host_variable, play_hosts, registered
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.options import OPTION_SPEC
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import changed_under_lock, leaders_changed, prepare_run

_TOKEN_CHARS = string.ascii_lowercase + string.digits


class ActionModule(WsfcControllerAction):
    """Check a backup's options, read what every host answered, plan the run and name it."""

    ARGUMENT_SPEC = {
        "facts_from": {"type": "str", "required": True},
        "network_from": {"type": "str"},
        "vss_from": {"type": "str"},
        "node_name_from": {"type": "str"},
        "options": {"type": "dict", "required": True, "options": OPTION_SPEC},
        "report_dir": {"type": "path", "required": True},
        "again": {"type": "dict"},
    }

    def execute(self, args, task_vars):
        hosts = play_hosts(task_vars)
        node_names = {}
        if args.get("node_name_from"):
            node_names = dict((h, host_variable(task_vars, h, args["node_name_from"], "")) for h in hosts)
        again = args.get("again") or {}
        started = datetime.now(timezone.utc)
        if again.get("started"):
            started = datetime.strptime(again["started"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        run = prepare_run(
            hosts, registered(task_vars, args["facts_from"]), networks=registered(task_vars, args.get("network_from")),
            vss=registered(task_vars, args.get("vss_from")), node_names=node_names,
            options=dict((k, v) for k, v in args["options"].items() if v is not None),
            forks=task_vars.get("ansible_forks"), report_dir=args["report_dir"], started=started,
            token="".join(secrets.choice(_TOKEN_CHARS) for dummy in range(6)),
            groups=dict((h, list(host_variable(task_vars, h, "group_names", []))) for h in hosts),
            run_id=again.get("run_id"))
        if again:
            moved = leaders_changed(again, run)
            if moved:
                raise ValueError(moved)
            run["run_warnings"] = changed_under_lock(again, run) + list(run.get("run_warnings") or [])
        run["changed"] = False
        return run
