# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.csv_owner (documentation in plugins/modules/csv_owner.py)."""

from __future__ import annotations

import time

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import (
    OwnershipError,
    OwnershipWait,
    require_csv,
    plan_move,
    settled,
    timeout_message,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import OperationUnreachable


class ActionModule(WsfcActionBase):
    """Move a CSV's coordinator to a node, and wait until it is Online there."""

    NEXT_STEP = ("Check the CSV and the node in Failover Cluster Manager (or Get-ClusterSharedVolume), "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "name": {"type": "str"},
        "path": {"type": "str"},
        "node": {"type": "str", "required": True},
        "wait": {"type": "bool", "default": True},
        "timeout": {"type": "int", "default": 300},
        "poll_interval": {"type": "float", "default": 2.0},
        "lock": {"type": "dict", "options": {"path": {"type": "str", "required": True},
                                             "nonce": {"type": "str", "required": True, "no_log": False}}},
    }
    MUTUALLY_EXCLUSIVE = [["name", "path"]]
    REQUIRED_ONE_OF = [["name", "path"]]

    def _read(self, args):
        return self.operation("csv_owner_get", {"name": args.get("name") or "", "path": args.get("path") or ""})

    def execute(self, args):
        if args["timeout"] < 1:
            return {"failed": True, "msg": "timeout must be at least 1 second, got %s" % args["timeout"]}
        started = time.monotonic()
        raw = self._read(args)
        waiting_for = None
        while True:
            try:
                csv, target, needed = plan_move(raw, args["node"], args.get("name"), args.get("path"))
                break
            except OwnershipWait as exc:
                if self._task.check_mode and args["wait"]:
                    # Check mode says what the task would do: wait for the redirect or backup, then move.
                    csv, target, needed = plan_move(raw, args["node"], args.get("name"), args.get("path"), wait_ok=True)
                    waiting_for = str(exc)
                    break
                if not args["wait"] or time.monotonic() - started > args["timeout"]:
                    waited = "" if not args["wait"] else " (waited %s seconds)" % args["timeout"]
                    return {"failed": True, "msg": str(exc) + waited, "node": raw.get("node")}
                time.sleep(args["poll_interval"])
                raw = self._read(args)
            except OwnershipError as exc:
                return {"failed": True, "msg": str(exc), "node": raw.get("node")}
        result = {
            "name": csv["name"], "path": csv["path"], "previous_owner": csv["owner"], "owner": csv["owner"],
            "changed": needed, "elapsed": 0.0,
            "diff": {"before": {"name": csv["name"], "owner": csv["owner"]},
                     "after": {"name": csv["name"], "owner": target}},
        }
        if not needed or self._task.check_mode:
            if needed:
                result["owner"] = target
                result["msg"] = "%s would move from %s to %s" % (csv["name"], csv["owner"], target)
            if waiting_for:
                result["msg"] += ", once what it waits for ends"
                result["warnings"] = ["%s (the task would wait for it, up to %s seconds)" % (waiting_for, args["timeout"])]
            return result
        lock = args.get("lock") or {}
        try:
            moved = self.operation("csv_owner_move", {"name": csv["name"], "node": target, "wait": args["timeout"],
                                                      "lock": lock.get("path") or "", "lock_nonce": lock.get("nonce") or ""},
                                   read_only=False)
        except (OperationError, OperationUnreachable) as exc:
            # The move may have finished before the error (a dropped connection): read again before judging.
            now = self._now(args)
            if not settled(now, target, csv):
                message = ("Moving %s to %s failed on %s: %s. %s is now %s on %s; nothing else was changed. Fix "
                           "the cause, then run the task again.")
                return dict(result, failed=True, owner=now.get("owner"), msg=message % (
                    csv["name"], target, exc.node or raw.get("node"), exc.reason.rstrip(". "),
                    csv["name"], now.get("state", "unknown"), now.get("owner", "unknown")))
            result.setdefault("warnings", []).append(
                "the connection failed during the move (%s), but %s is Online on %s" % (exc.reason, csv["name"], target))
        else:
            if lock and moved.get("lock_state") != "held":
                return dict(result, failed=True, changed=False, lock_state=moved.get("lock_state"), msg=(
                    "%s was not moved from %s to %s: the backup lock %s is %s, so this run no longer holds the "
                    "cluster (its watchdog may have undone the run). Nothing was changed; run the backup again."
                    % (csv["name"], csv["owner"], target, lock["path"],
                       "held by another run" if moved.get("lock_state") == "lost" else "gone")))
        current = self._now(args)
        while args["wait"] and not settled(current, target, csv):
            if time.monotonic() - started > args["timeout"]:
                message = timeout_message(current, target, args["timeout"], csv)
                return dict(result, failed=True, owner=current.get("owner"), msg=message)
            time.sleep(args["poll_interval"])
            current = self._now(args)
        result.update(owner=current.get("owner"), state=current.get("state"),
                      elapsed=round(time.monotonic() - started, 3),
                      msg="%s moved from %s to %s" % (csv["name"], csv["owner"], current.get("owner")))
        return result

    def _now(self, args):
        """The CSV as it is now (read-only, so retried after a dropped connection)."""
        try:
            return require_csv(self._read(args), args.get("name"), args.get("path"))
        except (OperationError, OwnershipError):
            return {}
