# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_review (documentation in plugins/modules/backup_review.py)."""

from __future__ import annotations

import json

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcControllerAction
from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import host_variable, play_hosts, registered
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import RunError
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.review import review_run, review_saved_map, review_start


class ActionModule(WsfcControllerAction):
    """Decide what a run leaves to do (back up again, move back) from the cluster as every host reads it now."""

    ARGUMENT_SPEC = {
        "run": {"type": "dict"},
        "ownership_map": {"type": "path"},
        "record_from": {"type": "str"},
        "stage": {"type": "str", "default": "end", "choices": ["start", "end"]},
        "lock_from": {"type": "str"},
        "moved_from": {"type": "str"},
        "watchdog_from": {"type": "str"},
        "now_from": {"type": "str"},
        "queue_from": {"type": "str"},
        "node_name_from": {"type": "str"},
        "on_failover": {"type": "str", "default": "replan", "choices": ["replan", "fail"]},
        "restore_all": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["run", "ownership_map", "record_from"]]
    REQUIRED_ONE_OF = [["run", "ownership_map", "record_from"]]

    def execute(self, args, task_vars):
        hosts = play_hosts(task_vars)
        if args["stage"] == "start":
            if args.get("run") is None:
                raise RunError("stage=start reviews a run: give run (what wsfc.csv.backup_prepare returned)")
            review = review_start(args["run"], registered(task_vars, args.get("lock_from")),
                                  registered(task_vars, args.get("moved_from")),
                                  registered(task_vars, args.get("watchdog_from")) if args.get("watchdog_from") else None)
            review["changed"] = False
            return review
        if not args.get("now_from"):
            raise RunError("stage=end needs now_from (the variable every host registered its fresh cluster_info as)")
        now = registered(task_vars, args["now_from"])
        if args.get("run") is not None:
            review = review_run(args["run"], hosts, queues=registered(task_vars, args.get("queue_from")), now=now,
                                on_failover=args["on_failover"], locks=registered(task_vars, args.get("lock_from")))
        else:
            node_names = {}
            if args.get("node_name_from"):
                node_names = dict((h, host_variable(task_vars, h, args["node_name_from"], "")) for h in hosts)
            if args.get("record_from"):
                saved = self._cluster_record(registered(task_vars, args["record_from"]))
            else:
                saved = self._saved_map(args["ownership_map"])
            review = review_saved_map(saved, hosts, now, node_names=node_names, restore_all=args["restore_all"],
                                      everywhere=bool(args.get("record_from")))
        review["changed"] = False
        return review

    @staticmethod
    def _cluster_record(results):
        """The run record a host read from the cluster (wsfc.csv.backup_watchdog state=query)."""
        for result in (results or {}).values():
            if isinstance(result, dict) and isinstance(result.get("record"), dict):
                record = result["record"]
                if record.get("state") in ("undone", "ended"):
                    record = dict(record, moves=[], reads={})  # the watchdog undid it (or found it over): nothing to clear
                return record
        raise RunError("No run record was found on the cluster (no backup run holds its lock, or it left none): "
                       "give the ownership.json of the run with csv_backup_ownership_map. Nothing was changed.")

    @staticmethod
    def _saved_map(path):
        """The saved ownership map, read here (node data from a file is never templated)."""
        try:
            with open(path, "r", encoding="utf-8") as handle:
                saved = json.load(handle)
        except (OSError, ValueError) as exc:
            raise RunError("Cannot read the ownership map %s: %s. Give the ownership.json of the run (in its report "
                           "directory); nothing was changed." % (path, to_text(exc))) from None
        if not isinstance(saved, dict) or not isinstance(saved.get("owners"), dict):
            raise RunError("%s is not an ownership map saved by wsfc.csv.csv_backup (no 'owners'); nothing was "
                           "changed." % path)
        return saved
