# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_lock (documentation in plugins/modules/backup_lock.py)."""

from __future__ import annotations

import getpass
import os
import socket

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import (
    DEFAULT_STALE_AFTER,
    LockError,
    broken_warning,
    default_owner,
    describe,
    diff,
    forced_warning,
    held_message,
    holder_text,
    new_lock,
    parse_lock,
    public,
    release_refused,
)


def _controller_owner():
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-except
        user = os.environ.get("USER") or os.environ.get("USERNAME")
    return default_owner(user, socket.gethostname(), os.getpid())


class ActionModule(WsfcActionBase):
    """Take or release the cluster-wide backup lock through the node the task runs on."""

    NEXT_STEP = ("Check that the CSV is Online and that the account may create and delete files on it, "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "run_id": {"type": "str", "required": True},
        "owner": {"type": "str"},
        "path": {"type": "str"},
        "stale_after": {"type": "int", "default": DEFAULT_STALE_AFTER},
        "break_stale": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
    }

    def execute(self, args):
        if not args["run_id"].strip():
            return {"failed": True, "msg": "run_id must not be empty: give each backup run its own id"}
        if args["stale_after"] < 0:
            return {"failed": True, "msg": "stale_after must be 0 or more seconds, got %d" % args["stale_after"]}
        self._args = args
        try:
            if args["state"] == "present":
                return self._present(args)
            return self._absent(args)
        except LockError as exc:
            return {"failed": True, "msg": str(exc)}

    # ---- helpers ----------------------------------------------------------------------------------------
    @staticmethod
    def _where(raw):
        node = raw.get("node") or "?"
        return "%s of cluster %s" % (node, raw["cluster"]) if raw.get("cluster") else node

    def _holder(self, raw):
        """The lock as ``raw`` (a get/acquire/release result) shows it, aged by the node's clock."""
        return describe(parse_lock(raw.get("text"), raw.get("last_write")), raw.get("path"), raw.get("now"),
                        self._args["stale_after"])

    @staticmethod
    def _result(raw, changed, lock, before, after, msg, **extra):
        out = {"changed": changed, "node": raw.get("node"), "path": raw.get("path"), "lock": public(lock),
               "diff": diff(raw.get("path"), before, after), "msg": msg}
        out.update(extra)
        return out

    def _refuse(self, raw, lock, msg):
        return {"failed": True, "changed": False, "node": raw.get("node"), "path": raw.get("path"),
                "lock": public(lock), "msg": msg}

    # ---- present ----------------------------------------------------------------------------------------
    def _present(self, args):
        owner = args.get("owner") or _controller_owner()
        path = args.get("path") or ""
        if self._task.check_mode:
            raw = self.operation("backup_lock_get", {"path": path})
            mine = describe(new_lock(args["run_id"], owner, raw.get("node")), raw.get("path"), raw.get("now"),
                            args["stale_after"])
            if not raw.get("exists"):
                return self._result(raw, True, mine, None, mine, "would take the backup lock %s through %s" % (
                    raw.get("path"), self._where(raw)))
            return self._held(raw, self._holder(raw), mine, check=True)
        raw = self.operation("backup_lock_acquire", {"path": path, "run_id": args["run_id"], "owner": owner,
                                                     "replace": None}, read_only=False)
        lock = self._holder(raw)
        if raw.get("acquired"):
            return self._result(raw, True, lock, None, lock, "took the backup lock %s through %s for run %s" % (
                raw.get("path"), self._where(raw), args["run_id"]))
        return self._held(raw, lock, describe(new_lock(args["run_id"], owner, raw.get("node")), raw.get("path"),
                                              raw.get("now"), args["stale_after"]), check=False)

    def _held(self, raw, lock, mine, check):
        args = self._args
        where = self._where(raw)
        if lock.get("run_id") == args["run_id"]:
            return self._result(raw, False, lock, lock, lock, "run %s already holds the backup lock %s (seen from %s)"
                                % (args["run_id"], raw.get("path"), where))
        if not (lock.get("stale") and args["break_stale"]):
            return self._refuse(raw, lock, held_message(lock, where, args["stale_after"]))
        warning = broken_warning(lock, where)
        if check:
            return self._result(raw, True, mine, lock, mine, "would break the stale backup lock and take it: "
                                + holder_text(lock), broken=public(lock), warnings=[warning])
        again = self.operation("backup_lock_acquire", {"path": raw.get("path"), "run_id": args["run_id"],
                                                       "owner": mine["owner"], "replace": raw.get("text")},
                               read_only=False)
        now = self._holder(again)
        if not again.get("acquired"):
            # Someone else changed the lock between our two round trips: report who holds it now.
            if now.get("run_id") == args["run_id"]:
                return self._result(again, False, now, now, now, "run %s already holds the backup lock %s" % (
                    args["run_id"], again.get("path")))
            return self._refuse(again, now, "The stale lock changed while it was being broken. "
                                + held_message(now, self._where(again), args["stale_after"]))
        if not again.get("replaced"):
            warning = "the stale backup lock %s was gone before it was broken (held by %s); took the lock" % (
                lock["path"], holder_text(lock))
        return self._result(again, True, now, lock, now, "broke the stale backup lock (%s) and took it for run %s"
                            % (holder_text(lock), args["run_id"]), broken=public(lock), warnings=[warning])

    # ---- absent -----------------------------------------------------------------------------------------
    def _absent(self, args):
        raw = self.operation("backup_lock_get", {"path": args.get("path") or ""})
        where = self._where(raw)
        if not raw.get("exists"):
            return self._result(raw, False, None, None, None, "the backup lock %s does not exist (seen from %s)" % (
                raw.get("path"), where))
        lock = self._holder(raw)
        warnings = []
        if lock.get("run_id") != args["run_id"]:
            if not args["force"]:
                return self._refuse(raw, lock, release_refused(lock, where, args["run_id"]))
            warnings.append(forced_warning(lock, where))
        if self._task.check_mode:
            return self._result(raw, True, lock, lock, None, "would remove the backup lock %s held by %s" % (
                raw.get("path"), holder_text(lock)))
        done = self.operation("backup_lock_release", {"path": raw.get("path"), "expect": raw.get("text")},
                              read_only=False)
        if done.get("missing"):
            return self._result(done, False, None, None, None, "the backup lock %s was already gone (seen from %s)"
                                % (raw.get("path"), where))
        if not done.get("removed"):
            now = self._holder(done)
            return self._refuse(done, now, "The backup lock %s changed before it could be removed and was left in "
                                "place: it is now held by %s. Run again to decide on the new holder." % (
                                    raw.get("path"), holder_text(now)))
        return self._result(done, True, lock, lock, None, "removed the backup lock %s held by %s" % (
            raw.get("path"), holder_text(lock)), **({"warnings": warnings} if warnings else {}))
