# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.nic_team (documentation in plugins/modules/nic_team.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.changes import (
    ALGORITHMS,
    MODES,
    NetworkChangeError,
    plan_team,
    team_state,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import OperationUnreachable


class ActionModule(WsfcActionBase):
    """Ensure an LBFO team is present with the given members and settings, or absent."""

    NEXT_STEP = "Check the node's adapters and teams (Get-NetLbfoTeam), then run the task again."

    ARGUMENT_SPEC = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "members": {"type": "list", "elements": "str"},
        "teaming_mode": {"type": "str", "default": "SwitchIndependent", "choices": list(MODES)},
        "load_balancing_algorithm": {"type": "str", "default": "Dynamic", "choices": list(ALGORITHMS)},
        "force": {"type": "bool", "default": False},
        "management_address": {"type": "str"},
    }

    def execute(self, args):
        addresses = self.connection_addresses(args.get("management_address"))
        raw = self.operation("network_info", read_only=True)
        try:
            plan = plan_team(raw, args["name"], args["state"], args.get("members"), args["teaming_mode"],
                             args["load_balancing_algorithm"], addresses, args["force"])
        except NetworkChangeError as exc:
            return {"failed": True, "msg": str(exc), "node": raw.get("node")}
        result = {"changed": plan["changed"], "node": plan["node"], "team": plan["before"],
                  "steps": [s["action"] for s in plan["steps"]], "touched": plan["touched"],
                  "management_interface": plan["management_interface"],
                  "diff": {"before": plan["before"], "after": plan["after"]}}
        if not plan["changed"]:
            result["msg"] = "team %s on %s is already as asked" % (args["name"], plan["node"])
            return result
        if self._task.check_mode:
            result.update(team=plan["after"], msg="team %s on %s would change: %s" % (
                args["name"], plan["node"], ", ".join(result["steps"])))
            return result
        try:
            done = self.operation("nic_team_set", {"name": plan["before"]["name"], "steps": plan["steps"]},
                                  read_only=False)
        except OperationUnreachable:
            raise  # the change may or may not have happened: the base reports it unreachable, with what to do
        except OperationError as exc:
            message = ("changing team %s on %s failed: %s. The steps already done were undone, so the team is as it "
                       "was (%s); fix the cause and run the task again")
            return dict(result, changed=False, failed=True,
                        msg=message % (args["name"], exc.node or plan["node"], exc.reason, plan["before"]))
        now = team_state(done, plan["before"]["name"])
        result.update(team=now, msg="team %s on %s changed: %s" % (args["name"], plan["node"], ", ".join(result["steps"])))
        if dict((k, now[k]) for k in plan["after"]) != plan["after"]:
            return dict(result, failed=True, msg="team %s on %s is %s after the change, not %s as asked" % (
                args["name"], plan["node"], now, plan["after"]))
        return result
