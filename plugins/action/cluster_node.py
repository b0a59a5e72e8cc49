# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.cluster_node (documentation in plugins/modules/cluster_node.py)."""

from __future__ import annotations

import time

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.node_maintenance import (
    FAILBACK,
    NodeError,
    drain_failed_message,
    node_diff,
    node_view,
    plan_node,
    public,
)


class ActionModule(WsfcActionBase):
    """Pause (with drain) or resume a cluster node, through the node the task runs on."""

    NEXT_STEP = ("Check the node in Failover Cluster Manager (or Get-ClusterNode) and that the account may manage "
                 "the cluster, then run the task again.")

    ARGUMENT_SPEC = {
        "name": {"type": "str"},
        "state": {"type": "str", "required": True, "choices": ["paused", "up"]},
        "drain": {"type": "bool", "default": True},
        "force_drain": {"type": "bool", "default": False},
        "target_node": {"type": "str"},
        "failback": {"type": "str", "default": "no_failback", "choices": sorted(FAILBACK)},
        "wait": {"type": "bool", "default": True},
        "timeout": {"type": "int", "default": 1800},
        "poll_interval": {"type": "float", "default": 5.0},
    }

    def _get(self, name):
        return node_view(self.operation("cluster_node_get", {"name": name}))

    def execute(self, args):
        if args["timeout"] < 1:
            return {"failed": True, "msg": "timeout must be at least 1 second, got %s" % args["timeout"]}
        started = time.monotonic()
        before = self._get(args.get("name") or "")
        try:
            needed = plan_node(before, args["state"], args["drain"])
        except NodeError as exc:
            return {"failed": True, "changed": False, "node": public(before), "msg": str(exc)}
        verb = "pause" if args["state"] == "paused" else "resume"
        after = dict(before, state="Paused" if args["state"] == "paused" else "Up")
        if args["state"] == "paused" and args["drain"]:
            after.update(roles=[], drain_status="Completed")
        result = {"changed": needed, "node": public(before), "diff": node_diff(before, after if needed else before)}
        if not needed:
            result["msg"] = "node %s is already %s" % (before["name"], before["state"])
            return result
        if self._task.check_mode:
            result["msg"] = "would %s node %s%s" % (verb, before["name"], self._how(args, before))
            return result
        if args["state"] == "paused":
            now = node_view(self.operation("cluster_node_suspend", {
                "name": before["name"], "drain": args["drain"], "force_drain": args["force_drain"],
                "target": args.get("target_node") or ""}, read_only=False))
            while args["drain"] and args["wait"] and now["drain_status"] == "InProgress":
                if time.monotonic() - started > args["timeout"]:
                    return dict(result, failed=True, node=public(now), msg=(
                        "The drain of node %s (cluster %s) did not complete in %s seconds: NodeDrainStatus is still "
                        "InProgress, roles still on it: %s. Wait for it in Failover Cluster Manager, then run the "
                        "task again." % (now["name"], now.get("cluster"), args["timeout"], ", ".join(now["roles"])
                                         or "none")))
                time.sleep(args["poll_interval"])
                now = self._get(before["name"])
            if now["state"] != "Paused" or (args["drain"] and now["drain_status"] == "Failed"):
                return dict(result, failed=True, node=public(now), msg=drain_failed_message(now, before))
        else:
            now = node_view(self.operation("cluster_node_resume", {
                "name": before["name"], "failback": FAILBACK[args["failback"]]}, read_only=False))
            if now["state"] != "Up":
                message = ("Node %s (cluster %s) is %s after Resume-ClusterNode; nothing else was changed. Check it "
                           "in Failover Cluster Manager, then run the task again.")
                return dict(result, failed=True, node=public(now),
                            msg=message % (now["name"], now.get("cluster"), now["state"]))
        result.update(node=public(now), diff=node_diff(before, now), elapsed=round(time.monotonic() - started, 3),
                      msg="%s node %s%s" % ("paused" if verb == "pause" else "resumed", now["name"],
                                            self._how(args, before)))
        return result

    @staticmethod
    def _how(args, before):
        if args["state"] == "up":
            return " (failback %s)" % FAILBACK[args["failback"]]
        if not args["drain"]:
            return " without draining it"
        roles = ", ".join(before["roles"]) or "none"
        return " after draining its roles (%s)%s" % (roles, " to %s" % args["target_node"] if args.get("target_node")
                                                     else "")
