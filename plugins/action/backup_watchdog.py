# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.backup_watchdog (documentation in plugins/modules/backup_watchdog.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import valid_nonce
from ansible_collections.wsfc.csv.plugins.plugin_utils.watchdog import (
    DEFAULT_AFTER,
    DEFAULT_INTERVAL,
    FOLDER_SDDL,
    TIME_LIMIT,
    WatchdogError,
    build_record,
    check_timing,
    lost_message,
    parse_record,
    paths,
    script_text,
    task_name,
    took_seconds,
    undo_lines,
)


class ActionModule(WsfcActionBase):
    """Arm, disarm, hand over to or read the watchdog that undoes a backup run when its controller goes away."""

    NEXT_STEP = ("Check that the node is Up, that the backup lock's CSV is Online and that the account may manage "
                 "clustered scheduled tasks, then run the task again.")

    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent", "expired", "query"]},
        "run_id": {"type": "str"},
        "nonce": {"type": "str"},
        "lock_path": {"type": "str"},
        "ownership": {"type": "dict"},
        "after": {"type": "int", "default": DEFAULT_AFTER},
        "interval": {"type": "int", "default": DEFAULT_INTERVAL},
    }

    def execute(self, args):
        state = args["state"]
        if state != "query":
            missing = [name for name in ("nonce", "lock_path") if not args.get(name)]
            if state == "present":
                missing += [name for name in ("run_id", "ownership") if not args.get(name)]
            if missing:
                return {"failed": True, "msg": "state=%s needs %s" % (state, ", ".join(missing))}
        if args.get("nonce") and not valid_nonce(args["nonce"]):
            return {"failed": True, "msg": "nonce must be 32 lower-case hexadecimal digits (the run's lock nonce)"}
        if state == "present":
            errors = check_timing(args["after"], args["interval"])
            if errors:
                return {"failed": True, "msg": "; ".join(errors) + ". Nothing was changed."}
        try:
            return getattr(self, "_" + state)(args)
        except WatchdogError as exc:
            return {"failed": True, "msg": str(exc)}

    def _read(self, args):
        raw = self.operation("backup_watchdog_get", {"lock": args.get("lock_path") or "", "nonce": args.get("nonce") or ""})
        record = parse_record(raw.get("record"))
        return raw, record

    @staticmethod
    def _shown(raw, record):
        """The watchdog as the node answered: what is armed, and what the watchdog did (when it acted)."""
        return {"node": raw.get("node"), "lock_path": raw.get("lock"), "nonce": raw.get("nonce"),
                "lock_nonce": raw.get("lock_nonce"), "task": task_name(raw["nonce"]) if raw.get("nonce") else None,
                "armed": bool(raw.get("task")), "script": bool(raw.get("script")), "record": record,
                "undone": bool(record and record.get("state") == "undone"),
                "undo_lines": undo_lines(record), "undo_took_s": took_seconds(record) if record else None}

    # ---- present ----------------------------------------------------------------------------------------
    def _present(self, args):
        record = build_record(args["ownership"], args["run_id"], args["nonce"], args["lock_path"], args["after"])
        where = args["ownership"]["cluster"]
        if self._task.check_mode:
            raw, before = self._read(args)
            if raw.get("lock_nonce") != args["nonce"]:
                return {"failed": True, "msg": lost_message("lost" if raw.get("lock_nonce") else "missing",
                                                            args["lock_path"], where, args["run_id"])}
            same = bool(before and before.get("digest") == record["digest"] and raw.get("task") and raw.get("script"))
            out = self._shown(raw, before)
            out.update(changed=not same, diff={"before": _side(before, raw.get("task")), "after": _side(record, True)},
                       msg=("the watchdog of run %s is armed" if same else "would arm the watchdog of run %s")
                       % args["run_id"])
            return out
        done = self.operation("backup_watchdog_set", {
            "lock": args["lock_path"], "nonce": args["nonce"], "record": record, "script": script_text(),
            "sddl": FOLDER_SDDL, "task": task_name(args["nonce"]), "interval_s": args["interval"],
            "time_limit_s": TIME_LIMIT}, read_only=False)
        if done.get("state") != "held":
            return {"failed": True, "node": done.get("node"),
                    "msg": lost_message(done.get("state"), args["lock_path"], where, args["run_id"])}
        before = parse_record(done.get("before"))
        changed = bool(done.get("record_written") or done.get("script_written") or done.get("task_registered"))
        files = paths(args["lock_path"], args["nonce"])
        return {"changed": changed, "node": done.get("node"), "lock_path": args["lock_path"], "nonce": args["nonce"],
                "task": task_name(args["nonce"]), "armed": True, "script": True, "record_path": files["record"],
                "record": dict(record, created=None, updated=done.get("now")), "acl": done.get("acl"),
                "diff": {"before": _side(before, not done.get("task_registered")), "after": _side(record, True)},
                "msg": ("armed the watchdog of run %s on %s" if changed else "the watchdog of run %s on %s is armed "
                        "already") % (args["run_id"], where) + " (task %s, after %d s without a heartbeat)" % (
                            task_name(args["nonce"]), args["after"])}

    # ---- absent -----------------------------------------------------------------------------------------
    def _absent(self, args):
        if self._task.check_mode:
            raw, record = self._read(args)
            out = self._shown(raw, record)
            present = bool(raw.get("task") or raw.get("script") or (record and record.get("state") == "active"))
            out.update(changed=present, msg="would disarm the watchdog" if present else "no watchdog is armed",
                       diff={"before": _side(record, raw.get("task")), "after": _side(None, False)})
            return out
        done = self.operation("backup_watchdog_clear", {"lock": args["lock_path"], "nonce": args["nonce"]},
                              read_only=False)
        record = parse_record(done.get("record"))
        changed = bool(done.get("task") or done.get("script") or done.get("record_removed"))
        undone = bool(record and record.get("state") == "undone")
        msg = "disarmed the watchdog" if changed else "no watchdog was armed"
        if undone:
            msg += "; the watchdog had undone the run before: " + " ".join(undo_lines(record)[:1])
        return {"changed": changed, "node": done.get("node"), "nonce": args["nonce"], "task": task_name(args["nonce"]),
                "armed": False, "record": record, "undone": undone, "undo_lines": undo_lines(record),
                "undo_took_s": took_seconds(record) if record else None,
                "diff": {"before": _side(record, done.get("task")), "after": _side(None, False)}, "msg": msg}

    # ---- expired ----------------------------------------------------------------------------------------
    def _expired(self, args):
        if self._task.check_mode:
            return {"changed": True, "msg": "would hand the run over to its watchdog now"}
        done = self.operation("backup_watchdog_expire", {"lock": args["lock_path"], "nonce": args["nonce"]},
                              read_only=False)
        held = done.get("state") == "held"
        return {"changed": held, "node": done.get("node"), "state": done.get("state"),
                "msg": ("handed the run over to its watchdog (heartbeat marked expired)" if held else
                        "the lock is not this run's (%s): nothing to hand over" % done.get("state"))}

    # ---- query ------------------------------------------------------------------------------------------
    def _query(self, args):
        raw, record = self._read(args)
        out = self._shown(raw, record)
        if record is None:
            who = "run with nonce " + raw["nonce"] if raw.get("nonce") else "any run"
            msg = "no run record of %s at %s" % (who, raw.get("lock"))
        elif record.get("state") in ("undone", "ended"):
            msg = " ".join(undo_lines(record)[:1])
        else:
            armed = "armed" if raw.get("task") else "NOT armed"
            msg = "run %s is active, its watchdog %s" % (record.get("run_id"), armed)
        out.update(changed=False, msg=msg)
        return out


def _side(record, armed):
    if record is None:
        return {"record": None, "armed": bool(armed)}
    return {"record": {"run_id": record.get("run_id"), "state": record.get("state"), "digest": record.get("digest")},
            "armed": bool(armed)}
