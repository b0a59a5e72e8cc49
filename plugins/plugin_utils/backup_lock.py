# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster-wide backup lock, with no I/O: parse the lock file, age, stale decision, messages, diff.

The lock is a small JSON file on a Cluster Shared Volume (every node sees the same CSV namespace), written
atomically by ``New-Item -ItemType File`` without ``-Force`` (see ``scripts/backup_lock_acquire.ps1``). Its
content is ``{"run_id", "owner", "created", "node"}``; ``created`` is the node's UTC clock when the lock was taken.
Ages are computed from two times read on the node (its ``now`` and the lock's ``created``), never from the
controller's clock, so a controller in another time zone or with a skewed clock does not change the answer.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

DEFAULT_STALE_AFTER = 43200
LOCK_RELATIVE = ".wsfc.csv\\backup.lock"
UNKNOWN_OWNER = "unknown"
BREAK_VAR = "csv_backup_break_stale_lock"

_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$",
                   re.IGNORECASE)


class LockError(Exception):
    """A refusal whose message names the lock, its holder and what to do next."""


def parse_time(text):
    """An ISO 8601 time (``2026-11-25T02:00:00Z``, ``...00.1234567+00:00``) as an aware UTC datetime, or None.

    A time without a zone is read as UTC (the lock's times are always written in UTC).
    """
    if not isinstance(text, str):
        return None
    match = _TIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "0")[:6].ljust(6, "0")
    try:
        value = datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=timezone.utc)
    except ValueError:
        return None
    zone = match.group(8)
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value


def format_time(value):
    """``2026-11-25T02:00:00Z`` for an aware datetime; None stays None."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_age(seconds):
    """A readable age: ``45 s``, ``12 min``, ``1 h 12 min``, ``3 d 4 h``; None -> ``an unknown time``."""
    if seconds is None:
        return "an unknown time"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "%d s" % seconds
    minutes = seconds // 60
    if minutes < 60:
        return "%d min" % minutes
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return "%d h %d min" % (hours, minutes) if minutes else "%d h" % hours
    days, hours = divmod(hours, 24)
    return "%d d %d h" % (days, hours) if hours else "%d d" % days


def lock_path(csv_path):
    """The default lock path below a CSV's mount point."""
    return str(csv_path).rstrip("\\") + "\\" + LOCK_RELATIVE


def default_owner(user, host, pid):
    """``alice@ctl pid 4242``: who took the lock, built on the controller."""
    return "%s@%s pid %s" % (user or "unknown", host or "unknown", pid)


def parse_lock(text, last_write=None):
    """The lock file's content as ``{run_id, owner, created, node, valid}``.

    A file that is not a JSON object with a ``run_id`` (hand-edited, truncated, written by something else) is held
    by ``unknown`` since its ``LastWriteTimeUtc`` (``last_write``), so it is still reported and can go stale.
    """
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("run_id"), str) and data["run_id"]:
        created = parse_time(data.get("created"))
        return {"run_id": data["run_id"], "owner": str(data.get("owner") or UNKNOWN_OWNER),
                "created": format_time(created) if created else None,
                "node": str(data["node"]) if data.get("node") else None, "valid": True}
    return {"run_id": None, "owner": UNKNOWN_OWNER, "created": format_time(parse_time(last_write)),
            "node": None, "valid": False}


def describe(lock, path, now, stale_after):
    """The ``lock`` return value: the parsed lock plus ``path``, ``age_s`` and ``stale``, aged by the node's clock.

    ``now`` is the node's UTC time (text). A lock without a readable creation time has no age and is never stale
    by age (it must be removed with force).
    """
    created = parse_time(lock.get("created"))
    current = parse_time(now)
    age = None
    if created is not None and current is not None:
        age = max(0, int((current - created).total_seconds()))
    out = dict(lock)
    out.update(path=path, age_s=age, stale=age is not None and age > int(stale_after))
    return out


def new_lock(run_id, owner, node):
    """What a lock taken by this run looks like before it exists (check mode, diff)."""
    return {"run_id": run_id, "owner": owner, "created": None, "node": node, "valid": True}


def holder_text(lock):
    """``alice@ctl pid 4242 (run X) since 2026-11-25T02:00:00Z, 1 h 12 min ago``."""
    run = "run %s" % lock["run_id"] if lock.get("run_id") else "not a valid lock file"
    since = lock.get("created") or "an unknown time"
    text = "%s (%s) since %s" % (lock.get("owner") or UNKNOWN_OWNER, run, since)
    if lock.get("age_s") is not None:
        text += ", %s ago" % format_age(lock["age_s"])
    if lock.get("node"):
        text += ", taken through %s" % lock["node"]
    return text


def held_message(lock, where, stale_after):
    """Why ``state=present`` is refused: another run holds the lock."""
    msg = "The backup lock %s (seen from %s) is locked by %s. " % (lock["path"], where, holder_text(lock))
    if lock.get("stale"):
        msg += ("The lock is stale: it is older than stale_after (%s). If no backup of this cluster is running any "
                "more, rerun with break_stale=true (role variable %s=true) to break it; nothing was changed."
                % (format_age(stale_after), BREAK_VAR))
    else:
        msg += ("Another backup of this cluster is running: wait for it to finish and run again. Nothing was changed."
                " If that run is gone, the lock becomes stale after %s (stale_after) and can then be broken with "
                "break_stale=true (role variable %s=true), or removed now with state=absent force=true."
                % (format_age(stale_after), BREAK_VAR))
    return msg


def release_refused(lock, where, run_id):
    """Why ``state=absent`` is refused: the lock belongs to another run."""
    return ("The backup lock %s (seen from %s) is held by %s, not by run %s, so it was left in place. Remove it only "
            "when no backup of this cluster is running: rerun with force=true." % (
                lock["path"], where, holder_text(lock), run_id))


def broken_warning(lock, where):
    return "broke the stale backup lock %s (seen from %s) held by %s" % (lock["path"], where, holder_text(lock))


def forced_warning(lock, where):
    return "removed the backup lock %s (seen from %s) held by another run: %s" % (
        lock["path"], where, holder_text(lock))


def diff_side(path, lock):
    """One side of the diff: the path and who holds the lock (None when there is none)."""
    if lock is None:
        return {"path": path, "run_id": None, "owner": None}
    return {"path": path, "run_id": lock.get("run_id"), "owner": lock.get("owner")}


def diff(path, before, after):
    return {"before": diff_side(path, before), "after": diff_side(path, after)}


def public(lock):
    """The documented ``lock`` return keys (drops the internal ``valid`` flag)."""
    if lock is None:
        return None
    return {key: lock.get(key) for key in ("path", "run_id", "owner", "created", "node", "age_s", "stale")}
