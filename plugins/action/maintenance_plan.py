# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.maintenance_plan (documentation in plugins/modules/maintenance_plan.py)."""

from __future__ import annotations

import json
import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcControllerAction
from ansible_collections.wsfc.csv.plugins.plugin_utils.node_maintenance import (
    NodeError,
    map_name,
    plan_evacuation,
    plan_return,
    target_nodes,
)


def _read_map(path):
    """The map saved at ``path``, or None when there is none."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            return json.loads(to_text(handle.read()))
    except (OSError, ValueError) as exc:
        raise NodeError("the saved map %s cannot be read: %s; fix or remove it, then run again" % (path, exc)) from exc


class ActionModule(WsfcControllerAction):
    """Decide which CSVs leave a node before its maintenance, or come back after it (no change is made here)."""

    ARGUMENT_SPEC = {
        "stage": {"type": "str", "required": True, "choices": ["evacuate", "return"]},
        "facts": {"type": "dict", "required": True},
        "nodes": {"type": "list", "elements": "str", "default": []},
        "lock": {"type": "dict"},
        "snapshots": {"type": "list", "elements": "dict", "default": []},
        "state_dir": {"type": "path", "required": True},
        "cross_site": {"type": "bool", "default": False},
        "allow_cau_run": {"type": "bool", "default": False},
        "assume_up": {"type": "bool", "default": False},
    }

    def execute(self, args, task_vars):
        facts = args["facts"]
        try:
            nodes = target_nodes(facts, args["nodes"])
            cluster = facts["cluster"]["name"]
            saved = dict((node, _read_map(os.path.join(args["state_dir"], map_name(cluster, node)))) for node in nodes)
            if args["stage"] == "evacuate":
                plan = plan_evacuation(facts, nodes, lock=args.get("lock"), snapshots=args["snapshots"],
                                       previous=saved, cross_site=args["cross_site"],
                                       allow_cau_run=args["allow_cau_run"])
            else:
                plan = plan_return(facts, saved, nodes, lock=args.get("lock"), allow_cau_run=args["allow_cau_run"],
                                   assume_up=args["assume_up"])
        except (NodeError, KeyError, TypeError) as exc:
            if isinstance(exc, NodeError):
                raise
            raise NodeError("facts must be what wsfc.csv.cluster_info returned: %s" % exc) from exc
        for entry in plan["maps"]:
            entry["path"] = os.path.join(args["state_dir"], entry["file"])
            entry["changed"] = saved.get(entry["node"]) != entry["map"]
        plan["changed"] = False
        return plan
