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
    decide,
    default_owner,
    describe,
    diff,
    dropped_note,
    elsewhere_message,
    forced_warning,
    held_message,
    holder_text,
    new_lock,
    new_nonce,
    parse_heartbeat,
    parse_lock,
    public,
    release_refused,
    reused_message,
    valid_nonce,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import ChangeInterrupted


def _controller_owner():
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-except
        user = os.environ.get("USER") or os.environ.get("USERNAME")
    return default_owner(user, socket.gethostname(), os.getpid())


class ActionModule(WsfcActionBase):
    """Take, refresh or release the cluster-wide backup lock through the node the task runs on."""

    NEXT_STEP = ("Check that the CSV is Online and that the account may create and delete files on it, "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "run_id": {"type": "str", "required": True},
        "nonce": {"type": "str"},
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
        if args.get("nonce") is not None and not valid_nonce(args["nonce"]):
            return {"failed": True, "msg": "nonce must be 32 lower-case hexadecimal digits (the run's holder "
                                           "identity), or left out to make a new one"}
        self._args = args
        self._nonce = args.get("nonce") or new_nonce()
        try:
            if args["state"] == "present":
                return self._present(args)
            return self._absent(args)
        except LockError as exc:
            return {"failed": True, "msg": str(exc), "nonce": self._nonce}

    # ---- helpers ----------------------------------------------------------------------------------------
    @staticmethod
    def _where(raw):
        node = raw.get("node") or "?"
        return "%s of cluster %s" % (node, raw["cluster"]) if raw.get("cluster") else node

    def _holder(self, raw):
        """The lock as ``raw`` (a get/acquire/release result) shows it, aged by the node's clock."""
        lock = parse_lock(raw.get("text"), raw.get("last_write"))
        beat = parse_heartbeat(raw.get("heartbeat"), raw.get("heartbeat_written"), lock.get("nonce"))
        return describe(lock, raw.get("path"), raw.get("now"), self._args["stale_after"], heartbeat=beat)

    def _mine(self, raw, owner):
        return describe(new_lock(self._args["run_id"], owner, raw.get("node"), self._nonce), raw.get("path"),
                        raw.get("now"), self._args["stale_after"])

    def _result(self, raw, changed, lock, before, after, msg, **extra):
        out = {"changed": changed, "node": raw.get("node"), "path": raw.get("path"), "lock": public(lock),
               "nonce": self._nonce, "diff": diff(raw.get("path"), before, after), "msg": msg}
        out.update(extra)
        return out

    def _refuse(self, raw, lock, msg, **extra):
        out = {"failed": True, "changed": False, "node": raw.get("node"), "path": raw.get("path"),
               "lock": public(lock), "nonce": self._nonce, "msg": msg}
        out.update(extra)
        return out

    def _get(self, path):
        return self.operation("backup_lock_get", {"path": path or "", "nonce": self._nonce})

    def _acquire(self, path, owner, stale=None):
        if stale is None:
            return self.operation("backup_lock_acquire", {
                "path": path or "", "nonce": self._nonce, "run_id": self._args["run_id"], "owner": owner},
                read_only=False)
        return self.operation("backup_lock_break", {
            "path": path, "nonce": self._nonce, "run_id": self._args["run_id"], "owner": owner,
            "break_text": stale.get("text"), "break_heartbeat": stale.get("heartbeat")}, read_only=False)

    def _elsewhere(self, raw):
        if raw.get("elsewhere"):
            return self._refuse(raw, None, elsewhere_message(raw.get("path"), raw["elsewhere"], self._where(raw)),
                                elsewhere=list(raw["elsewhere"]))
        return None

    # ---- present ----------------------------------------------------------------------------------------
    def _present(self, args):
        owner = args.get("owner") or _controller_owner()
        path = args.get("path") or ""
        if self._task.check_mode:
            raw = self._get(path)
            refused = self._elsewhere(raw)
            if refused:
                return refused
            mine = self._mine(raw, owner)
            if not raw.get("exists"):
                return self._result(raw, True, mine, None, mine, "would take the backup lock %s through %s" % (
                    raw.get("path"), self._where(raw)))
            return self._held(raw, self._holder(raw), mine, owner, check=True)
        try:
            raw = self._acquire(path, owner)
        except ChangeInterrupted:
            return self._resolve_dropped(path, owner, "acquire")
        return self._acquired(raw, owner)

    def _acquired(self, raw, owner, note=None):
        """The answer of an acquire (or of the read after a dropped one)."""
        refused = self._elsewhere(raw)
        if refused:
            return refused
        lock = self._holder(raw)
        extra = {"warnings": [note]} if note else {}
        if raw.get("acquired"):
            return self._result(raw, True, lock, None, lock, "took the backup lock %s through %s for run %s" % (
                raw.get("path"), self._where(raw), self._args["run_id"]), **extra)
        if not raw.get("text"):
            raise LockError("The backup lock %s could not be read after it was taken through %s; run again."
                            % (raw.get("path"), self._where(raw)))
        return self._held(raw, lock, self._mine(raw, owner), owner, check=False, note=note)

    def _resolve_dropped(self, path, owner, operation, stale=None):
        """A dropped connection during an acquire or a break: read the lock again (a read is retried) and decide.

        Ours (our nonce): the acquire happened, carry on. Another run's: refuse. None: the acquire did not happen
        (or the break removed the stale lock and went no further): take it now, once.
        """
        note = dropped_note(operation)
        raw = self._get(path)
        if raw.get("exists"):
            lock = self._holder(raw)
            if lock.get("nonce") == self._nonce:
                return self._result(raw, True, lock, None, lock, "took the backup lock %s through %s for run %s "
                                    "(%s: it is ours)" % (raw.get("path"), self._where(raw), self._args["run_id"],
                                                          note), warnings=[note])
            if stale is not None and raw.get("text") == stale.get("text"):
                note += "; the stale lock is still there, unbroken"
            return self._held(raw, lock, self._mine(raw, owner), owner, check=False, note=note, retry=False)
        if raw.get("aside"):
            note += "; the lock this run was breaking or releasing is at %s" % raw["aside"]
        return self._acquired(self._acquire(raw.get("path"), owner), owner, note=note)

    def _held(self, raw, lock, mine, owner, check, note=None, retry=True):
        args = self._args
        where = self._where(raw)
        extra = {"warnings": [note]} if note else {}
        action = decide(lock, self._nonce, args["run_id"], args["break_stale"])
        if action == "ours":
            msg = "this run (run %s) already holds the backup lock %s (seen from %s)" % (
                args["run_id"], raw.get("path"), where)
            if not check:
                # Taking the lock again is how the role refreshes its heartbeat between long steps.
                beat = self.operation("backup_lock_heartbeat", {"path": raw.get("path"), "nonce": self._nonce},
                                      read_only=False)
                if beat.get("state") != "held":
                    raise LockError("The backup lock %s was %s while its heartbeat was being refreshed; run again."
                                    % (raw.get("path"), "taken by another run" if beat.get("state") == "lost"
                                       else "removed"))
                lock = dict(lock, heartbeat=parse_heartbeat(beat.get("heartbeat"), None, self._nonce), idle_s=0)
                msg += "; its heartbeat was refreshed"
            return self._result(raw, False, lock, lock, lock, msg, **extra)
        if action == "reused":
            return self._refuse(raw, lock, reused_message(lock, where, args["run_id"], args["stale_after"]), **extra)
        if action == "held":
            return self._refuse(raw, lock, held_message(lock, where, args["stale_after"]), **extra)
        warning = broken_warning(lock, where)
        if check:
            return self._result(raw, True, mine, lock, mine, "would break the stale backup lock and take it: "
                                + holder_text(lock), broken=public(lock), warnings=[warning])
        if not retry:
            return self._refuse(raw, lock, held_message(lock, where, args["stale_after"]), **extra)
        try:
            again = self._acquire(raw.get("path"), owner, stale=raw)
        except ChangeInterrupted:
            return self._resolve_dropped(raw.get("path"), owner, "break", stale=raw)
        now = self._holder(again)
        if again.get("put_back") == "untouched":
            if now.get("nonce") == self._nonce:
                return self._result(again, False, now, now, now, "this run already holds the backup lock %s" %
                                    again.get("path"))
            return self._refuse(again, now, "The stale backup lock %s changed before it could be broken (another "
                                "run broke it or took it first), so it was left alone. %s" % (
                                    raw.get("path"), held_message(now, self._where(again), args["stale_after"])))
        if again.get("put_back"):
            if again["put_back"] != "done":
                return self._refuse(again, now, "The stale backup lock %s changed while it was being broken, and "
                                    "could not be put back: another run took the lock's name meanwhile. The lock "
                                    "that was being broken is at %s. Check which backup is running before you "
                                    "remove either." % (raw.get("path"), again["put_back"]), aside=again["put_back"])
            return self._refuse(again, now, "The stale backup lock %s was refreshed (or replaced) while it was being "
                                "broken, so it was put back and left alone: %s" % (
                                    raw.get("path"), held_message(now, self._where(again), args["stale_after"])))
        if not again.get("acquired"):
            if now.get("nonce") == self._nonce:
                return self._result(again, False, now, now, now, "this run already holds the backup lock %s" %
                                    again.get("path"))
            return self._refuse(again, now, "The stale lock was gone, and another run took the lock first. "
                                + held_message(now, self._where(again), args["stale_after"]))
        if not again.get("replaced"):
            warning = "the stale backup lock %s was gone before it was broken (held by %s); took the lock" % (
                lock["path"], holder_text(lock))
        return self._result(again, True, now, lock, now, "broke the stale backup lock (%s) and took it for run %s"
                            % (holder_text(lock), args["run_id"]), broken=public(lock), warnings=[warning])

    # ---- absent -----------------------------------------------------------------------------------------
    def _absent(self, args):
        path = args.get("path") or ""
        if self._task.check_mode:
            raw = self._get(path)
            where = self._where(raw)
            if not raw.get("exists"):
                return self._result(raw, False, None, None, None, "the backup lock %s does not exist (seen from "
                                    "%s)" % (raw.get("path"), where))
            lock = self._holder(raw)
            if not self._mine_to_release(lock) and not args["force"]:
                return self._refuse(raw, lock, release_refused(lock, where, args["run_id"]))
            return self._result(raw, True, lock, lock, None, "would remove the backup lock %s held by %s" % (
                raw.get("path"), holder_text(lock)))
        note = None
        try:
            done = self._release(path)
        except ChangeInterrupted:
            note = dropped_note("release")
            raw = self._get(path)
            if raw.get("exists") and self._mine_to_release(self._holder(raw)):
                done = self._release(raw.get("path"))
            else:
                done = dict(raw, missing=not raw.get("exists"), removed=False, put_back=None)
                if raw.get("aside"):
                    note += "; this run's lock was renamed to %s before the connection dropped" % raw["aside"]
        return self._released(done, note)

    def _mine_to_release(self, lock):
        if lock.get("nonce"):
            return lock["nonce"] == self._nonce
        return lock.get("valid") and lock.get("run_id") == self._args["run_id"]  # a lock of an older wsfc.csv

    def _release(self, path):
        return self.operation("backup_lock_release", {"path": path or "", "nonce": self._nonce,
                                                      "run_id": self._args["run_id"], "force": self._args["force"]},
                              read_only=False)

    def _released(self, done, note):
        where = self._where(done)
        extra = {"warnings": [note]} if note else {}
        if done.get("missing"):
            return self._result(done, False, None, None, None, "the backup lock %s does not exist (seen from %s)"
                                % (done.get("path"), where), **extra)
        lock = self._holder(done)
        if done.get("put_back") and done["put_back"] != "done":
            return self._refuse(done, lock, "The backup lock %s changed while it was being released and could not "
                                "be put back (another run took the lock's name meanwhile); the lock that was found "
                                "is at %s." % (done.get("path"), done["put_back"]), aside=done["put_back"], **extra)
        if not done.get("removed"):
            return self._refuse(done, lock, release_refused(lock, where, self._args["run_id"]), **extra)
        warnings = [note] if note else []
        if not self._mine_to_release(lock):
            warnings.append(forced_warning(lock, where))
        return self._result(done, True, lock, lock, None, "removed the backup lock %s held by %s" % (
            done.get("path"), holder_text(lock)), **({"warnings": warnings} if warnings else {}))
