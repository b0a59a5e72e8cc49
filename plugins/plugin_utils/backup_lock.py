# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster-wide backup lock, with no I/O: parse the lock and its heartbeat, age, decisions, messages, diff.

The lock is a small JSON file on a Cluster Shared Volume (every node sees the same CSV namespace):
``<CSV>\\.wsfc.csv\\backup.lock``, on the CSV that the marker ``<CSV>\\.wsfc.csv\\lock.home`` records (written
once, by the first acquire, on the first CSV by path; from then on the location does not move when CSVs are added
or renamed). Its content, ``{"version": 2, "nonce", "run_id", "owner", "created", "node"}``, is written once with
``New-Item -ItemType File`` without ``-Force`` (atomic create) and never rewritten. ``nonce`` is the holder's
identity: 32 random hex digits the run keeps (not the run id, which a job template may reuse).

The heartbeat is a second file next to it, ``heartbeat-<nonce>.json`` (``{"nonce", "time", "node"}``), rewritten
(temporary file, then ``[System.IO.File]::Replace``) by every poll of the backup queue and by the role between its
long steps. A lock is stale when its last sign of life (the newer of ``created`` and the heartbeat's ``time``) is
older than ``stale_after``; ages are computed from times read on the node (its ``now``), never from the
controller's clock. Breaking and releasing rename the lock to a name of the run's first (``File.Move`` fails when
the source is gone, so one renamer wins), check the renamed file, then delete it or move it back (see the scripts).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta, timezone

# 30 minutes without a heartbeat. The queue refreshes it at every poll (default every 10 s) and the role after the
# lock, after the moves and before the release; the longest gap is a move (at most csv_backup_move_timeout, 300 s,
# per CSV) or a snapshot taken before the first poll. Thirty minutes is 180 default poll intervals and six full
# move timeouts: a live run never reaches it, a dead run's lock can be broken half an hour after it died.
DEFAULT_STALE_AFTER = 1800
LOCK_RELATIVE = ".wsfc.csv\\backup.lock"
UNKNOWN_OWNER = "unknown"
BREAK_VAR = "csv_backup_break_stale_lock"

_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$",
                   re.IGNORECASE)


_NONCE = re.compile(r"^[0-9a-f]{32}$")


def new_nonce():
    """A random holder identity: 32 lower-case hex digits (128 bits from ``secrets``)."""
    return secrets.token_hex(16)


def valid_nonce(value):
    return isinstance(value, str) and bool(_NONCE.match(value))


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
    """The lock file's content as ``{version, nonce, run_id, owner, created, node, valid}``.

    A lock written by an older wsfc.csv has no nonce (``version`` 1): it is held by its run id. A file that is not
    a JSON object with a ``run_id`` (hand-edited, truncated, written by something else) is held by ``unknown``
    since its ``LastWriteTimeUtc`` (``last_write``), so it is still reported and can go stale.
    """
    try:
        data = json.loads(text.lstrip("\ufeff")) if isinstance(text, str) else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("run_id"), str) and data["run_id"]:
        created = parse_time(data.get("created"))
        nonce = data.get("nonce") if valid_nonce(data.get("nonce")) else None
        return {"version": 2 if nonce else 1, "nonce": nonce, "run_id": data["run_id"],
                "owner": str(data.get("owner") or UNKNOWN_OWNER),
                "created": format_time(created) if created else None,
                "node": str(data["node"]) if data.get("node") else None, "valid": True}
    return {"version": None, "nonce": None, "run_id": None, "owner": UNKNOWN_OWNER,
            "created": format_time(parse_time(last_write)), "node": None, "valid": False}


def parse_heartbeat(text, written=None, nonce=None):
    """The heartbeat's time (UTC text) for the lock with ``nonce``, or None when there is none.

    A heartbeat file that cannot be read as ours (torn, or another nonce) counts from its ``LastWriteTimeUtc``
    (``written``): something wrote it then.
    """
    if text is None:
        return None
    try:
        data = json.loads(text.lstrip("\ufeff")) if isinstance(text, str) else None
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("nonce") == nonce and parse_time(data.get("time")):
        return format_time(parse_time(data["time"]))
    return format_time(parse_time(written))


def describe(lock, path, now, stale_after, heartbeat=None):
    """The ``lock`` return value: the parsed lock plus ``path``, ``heartbeat``, ``age_s``, ``idle_s`` and ``stale``.

    ``now`` is the node's UTC time (text); ``heartbeat`` the heartbeat's time (:func:`parse_heartbeat`). ``age_s``
    counts from ``created``, ``idle_s`` from the last sign of life (the newer of ``created`` and ``heartbeat``);
    a lock is stale when ``idle_s`` is more than ``stale_after``. A lock without a readable time has no age and is
    never stale (it must be removed with force).
    """
    created = parse_time(lock.get("created"))
    beat = parse_time(heartbeat)
    current = parse_time(now)
    age = idle = None
    if current is not None and created is not None:
        age = max(0, int((current - created).total_seconds()))
    times = [t for t in (created, beat) if t is not None]
    last = max(times) if times else None
    if current is not None and last is not None:
        idle = max(0, int((current - last).total_seconds()))
    out = dict(lock)
    out.update(path=path, heartbeat=format_time(beat) if beat else None, age_s=age, idle_s=idle,
               stale=idle is not None and idle > int(stale_after))
    return out


def decide(lock, nonce, run_id, break_stale):
    """What a run (``nonce``, ``run_id``) does about an existing ``lock``: ``ours`` (no change), ``break``,
    ``reused`` (another run with this run id holds it: refused) or ``held`` (refused)."""
    if lock.get("nonce") and lock["nonce"] == nonce:
        return "ours"
    if lock.get("stale") and break_stale:
        return "break"
    if lock.get("run_id") == run_id:
        return "reused"
    return "held"


def new_lock(run_id, owner, node, nonce=None):
    """What a lock taken by this run looks like before it exists (check mode, diff)."""
    return {"version": 2, "nonce": nonce, "run_id": run_id, "owner": owner, "created": None, "node": node,
            "valid": True}


def holder_text(lock):
    """``alice@ctl pid 4242 (run X) since 2026-11-25T02:00:00Z, 1 h 12 min ago``."""
    run = "run %s" % lock["run_id"] if lock.get("run_id") else "not a valid lock file"
    since = lock.get("created") or "an unknown time"
    text = "%s (%s) since %s" % (lock.get("owner") or UNKNOWN_OWNER, run, since)
    if lock.get("age_s") is not None:
        text += ", %s ago" % format_age(lock["age_s"])
    if lock.get("node"):
        text += ", taken through %s" % lock["node"]
    if lock.get("heartbeat"):
        text += ", last heartbeat %s" % lock["heartbeat"]
        if lock.get("idle_s") is not None:
            text += " (%s ago)" % format_age(lock["idle_s"])
    elif lock.get("valid") and lock.get("version") == 2:
        text += ", no heartbeat since it was taken"
    return text


def held_message(lock, where, stale_after):
    """Why ``state=present`` is refused: another run holds the lock."""
    msg = "The backup lock %s (seen from %s) is locked by %s. " % (lock["path"], where, holder_text(lock))
    if lock.get("stale"):
        msg += ("The lock is stale: nothing has refreshed it for longer than stale_after (%s). If no backup of this cluster is running any "
                "more, rerun with break_stale=true (role variable %s=true) to break it; nothing was changed."
                % (format_age(stale_after), BREAK_VAR))
    else:
        msg += ("Another backup of this cluster is running (its heartbeat is fresh): wait for it to finish and run "
                "again. Nothing was changed. If that run is gone, the lock becomes stale %s after its last heartbeat "
                "(stale_after) and can then be broken with break_stale=true (role variable %s=true), or removed now "
                "with state=absent force=true."
                % (format_age(stale_after), BREAK_VAR))
    return msg


def reused_message(lock, where, run_id, stale_after):
    """Why a second run with the same run id is refused: the lock is another run's, whatever its run id says."""
    return ("The backup lock %s (seen from %s) is held by another run with the same run id %s: %s. A run id names "
            "one run (its job names, snapshot tags and report folder); two runs must not share one, so this run was "
            "refused and nothing was changed. Give each run its own run id (the csv_backup role makes a new one for "
            "every run: do not set it in a job template). %s" % (
                lock["path"], where, run_id, holder_text(lock),
                "The lock is stale: break it with break_stale=true if that run is gone." if lock.get("stale") else
                "If that run is gone, its lock goes stale %s after its last heartbeat." % format_age(stale_after)))


def elsewhere_message(path, elsewhere, where):
    """Why nothing is taken while a lock file exists at another location than the cluster's."""
    return ("A backup lock exists at %s, not at this cluster's lock location %s (seen from %s; recorded by its "
            "lock.home marker). It was left by an older wsfc.csv (which put the lock on the first CSV by path) or "
            "by a run with path set. Nothing was taken and nothing was changed: check that no backup of this "
            "cluster is running, then remove it with wsfc.csv.backup_lock state=absent path=<that file> force=true."
            % (", ".join(elsewhere), path, where))


def dropped_note(operation):
    return ("the connection dropped while the %s ran, so the lock was read again to see whether it happened" %
            operation)


def release_refused(lock, where, run_id):
    """Why ``state=absent`` is refused: the lock belongs to another run."""
    return ("The backup lock %s (seen from %s) is held by %s, not by this run (run %s; its holder is the run whose "
            "nonce is in the lock), so it was left in place. Remove it only when no backup of this cluster is "
            "running: rerun with force=true." % (lock["path"], where, holder_text(lock), run_id))


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
    return {key: lock.get(key) for key in ("path", "nonce", "run_id", "owner", "created", "node", "heartbeat",
                                           "age_s", "idle_s", "stale")}
