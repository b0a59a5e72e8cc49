# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decide and describe a CSV ownership move, with no I/O.

``csv_owner`` reads the CSV and the nodes (``csv_owner_get.ps1``), asks
:func:`plan_move` whether a move is needed and allowed (waiting while a
transient redirect or a backup lasts), moves (``csv_owner_move.ps1``), then
reads again until :func:`settled` says the CSV is Online on its new owner with
no redirect beyond what it had before the move. Every refusal names the node and
the CSV and says what to do next, because the people reading it are in a
maintenance window.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import shown
from ansible_collections.wsfc.csv.plugins.plugin_utils.cluster_facts import access_facts
from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_access import FATAL, TRANSIENT, describe_entries, new_redirects

# What Microsoft says about moving a CSV that a backup holds: "moving or pausing the owner while VSS holds a CSV is
# reported to take the CSV offline" (Cluster Shared Volumes overview and the CSV backup pages); a crashed backup's
# "backup in progress" clears itself after 30 minutes (ClusterClearBackupStateForSharedVolume, clusapi), which
# Microsoft says to call with caution, so this collection never calls it.
_IN_BACKUP_NEXT = ("Wait for that backup to end (a backup that crashed clears the state by itself 30 minutes "
                   "later), then run again")


class OwnershipError(Exception):
    """A move this module refuses to make (or could not finish)."""


class OwnershipWait(OwnershipError):
    """A move that can be made once a transient redirect (or a backup) is over."""


def _named(items, name):
    for item in items or []:
        if str(item.get("name", "")).lower() == str(name).lower():
            return item
    return None


def describe(csv, node_name=None):
    """The CSV as the module returns it, its per-node access classified as cluster_info's (cluster_facts.access_facts)."""
    described = {"name": csv["name"], "owner": csv.get("owner"), "state": csv.get("state"), "path": csv.get("path")}
    described.update(access_facts(csv))
    return described


def require_csv(raw, name=None, path=None):
    """The CSV entry of a ``csv_owner_get`` answer, or an error that lists what exists."""
    csv = raw.get("csv")
    if not csv:
        wanted = "named %s" % shown("%s" % (name,)) if name else "at path %s" % shown("%s" % (path,))
        known = ", ".join(sorted(raw.get("known") or [])) or "none"
        raise OwnershipError("No Cluster Shared Volume %s on the cluster of %s (CSVs: %s). Check the name with "
                             "wsfc.csv.cluster_info." % (wanted, raw.get("node"), known))
    return describe(csv)


def check_movable(csv, target):
    """Raise when ``csv`` must not move now: :class:`OwnershipWait` for a passing state, OwnershipError for a fault.

    Structural redirects (ReFS, Storage Spaces Direct's non-owners) do not
    stop a move: they are how the volume works. A transient one (someone
    turned redirected access on, BitLocker is encrypting) or a backup that
    holds the CSV is waited for; a fatal one (a node without a path to the
    disk, an incompatible volume filter) is refused.
    """
    if csv.get("backup_in_progress"):
        raise OwnershipWait("Cannot move %s to %s now: a backup holds it (its BackupState is in progress), and moving "
                            "the coordinator of a CSV that VSS holds can take it offline; %s stays on %s. %s."
                            % (csv["name"], target, csv["name"], csv["owner"], _IN_BACKUP_NEXT))
    if csv.get("access_class") == FATAL:
        raise OwnershipError("Cannot move %s to %s: %s. %s stays on %s; fix that, then run again."
                             % (csv["name"], target, csv.get("access_detail"), csv["name"], csv["owner"]))
    if csv.get("access_class") == TRANSIENT:
        raise OwnershipWait("Cannot move %s to %s yet: %s. %s stays on %s until that ends."
                            % (csv["name"], target, csv.get("access_detail"), csv["name"], csv["owner"]))


def plan_move(raw, target, name=None, path=None, wait_ok=False):
    """Return ``(csv, target_node_name, changed)`` or raise :class:`OwnershipError` (:class:`OwnershipWait`).

    Checks, in the order an operator would: the CSV exists, the target node
    exists and is Up, the CSV is already there (nothing to do), the CSV is
    Online, and how its nodes reach it allows a move (:func:`check_movable`;
    with ``wait_ok``, one it would wait for counts as allowed, for check mode).
    """
    csv = require_csv(raw, name, path)
    node = _named(raw.get("nodes"), target)
    if node is None:
        known = ", ".join(sorted(n["name"] for n in raw.get("nodes") or []))
        raise OwnershipError("Cannot move %s: %r is not a node of this cluster (nodes: %s)." % (csv["name"], target, known))
    if csv["owner"] and csv["owner"].lower() == node["name"].lower():
        return csv, node["name"], False
    if node.get("state") != "Up":
        raise OwnershipError("Cannot move %s to %s: the node is %s. Resume the node (Resume-ClusterNode) or choose "
                             "another node; %s stays on %s." % (csv["name"], node["name"], node.get("state"),
                                                                csv["name"], csv["owner"]))
    if csv["state"] != "Online":
        raise OwnershipError("Cannot move %s to %s: the CSV is %s on %s. Bring it Online first (check the cluster "
                             "events of its Physical Disk resource)." % (csv["name"], node["name"], csv["state"],
                                                                         csv["owner"]))
    try:
        check_movable(csv, node["name"])
    except OwnershipWait:
        if not wait_ok:
            raise
    return csv, node["name"], True


def settled(csv, target, before=None):
    """True when the CSV is Online on ``target`` with no redirect the move added.

    ``before`` is the CSV as it was before the move: a node may keep what it
    had, and structural redirects follow the coordinator, but a transient or
    fatal redirect that was not there means the move has not settled (or
    broke something). Without ``before``, no node may have one.
    """
    if not (str(csv.get("owner", "")).lower() == str(target).lower() and csv.get("state") == "Online"):
        return False
    return not new_redirects((before or {}).get("access"), csv.get("access"))


def timeout_message(csv, target, timeout, before=None):
    """What to say when a move has not settled in time: where the CSV is now, and what to do."""
    added = new_redirects((before or {}).get("access"), csv.get("access"))
    return ("The move of %s to %s did not finish within %s seconds: it is now %s on %s%s. Check the cluster events "
            "of its Physical Disk resource, then run the task again (it is safe to repeat) or move it back."
            % (csv["name"], target, timeout, csv.get("state"), csv.get("owner"),
               ", in redirected access: %s" % describe_entries(added) if added else ""))


def restore_moves(before, now, scope=None):
    """Which CSVs to move back after a run, decided from the cluster as it is now.

    ``before`` is the saved ownership map (CSV name -> owner), ``now`` a fresh
    ``cluster_info`` result (None when no node answered) and ``scope`` the CSVs
    the run touched (None: all of ``before``). Why from the state and not from
    the plan's undo list: by the end of a run the cluster may have failed CSVs
    over, or lost a node, so a CSV goes back only where it is not already, and
    only to an original owner that is still Up; the others are kept with the
    reason, for the report.
    """
    if not now:
        return {"moves": [], "kept": [], "error": "no node answered to read the cluster's ownership, so nothing "
                "was moved back; run playbooks/restore_ownership.yml with the run's ownership.json when a node "
                "is reachable"}
    owners_now = dict((str(k).lower(), v) for k, v in (now.get("coordinators") or {}).items())
    states = dict((str(n.get("name")).lower(), n.get("state")) for n in now.get("nodes") or [])
    wanted = None if scope is None else set(str(c).lower() for c in scope)
    moves, kept = [], []
    for csv, owner in sorted((before or {}).items(), key=lambda kv: str(kv[0]).lower()):
        if wanted is not None and str(csv).lower() not in wanted:
            continue
        current = owners_now.get(str(csv).lower())
        if current is None:
            kept.append({"csv": csv, "on": None, "owner": owner, "why": "it is no longer a CSV of the cluster"})
            continue
        if str(current).lower() == str(owner).lower():
            continue
        state = states.get(str(owner).lower())
        if state != "Up":
            kept.append({"csv": csv, "on": current, "owner": owner, "why": "its original owner %s is %s" % (
                owner, state or "no longer a cluster node")})
            continue
        moves.append({"csv": csv, "from": current, "to": owner})
    return {"moves": moves, "kept": kept, "error": None}
