# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Node maintenance, decided with no I/O: pause and resume a node (``cluster_node``), and which CSVs leave a node
before its maintenance and come back after it (``maintenance_plan``, the ``node_maintenance`` role).

What Windows does, from Microsoft's pages:

- ``Suspend-ClusterNode`` pauses a node; with ``-Drain`` "clustered roles currently running on the node will be
  drained before the node is paused", and without ``-Wait`` the cmdlet waits for that. "Groups that are owned by a
  paused node remain owned by the node" (PauseClusterNode, clusapi). No page says that a drain moves the
  coordinator of a CSV, so this collection moves the CSVs itself, before it drains the node.
- The node's drain status is its NodeDrainStatus common property: 0 NotInitiated, 1 InProgress, 2 Completed,
  3 Failed (CLUSTER_NODE_DRAIN_STATUS).
- ``Resume-ClusterNode -Failback`` takes NoFailback, Immediate or Policy. A node that comes back may get CSVs from
  the CSV balancer ("ownership is automatically rebalanced when ... a node rejoins the cluster", Cluster Shared
  Volumes overview), so ``return`` moves a CSV back only when it is still where ``evacuate`` put it.

Evacuation reuses the backup planner (:func:`plan.planner.plan_backup`): planning every CSV with ``backup_nodes``
the Up nodes that stay, strategy ``balanced``, gives each CSV of the evacuated nodes (whose coordinator may not run
the "backup") the node where the whole cluster's local reads end first, counting the CSVs each node already
coordinates, their sizes and the nodes' read rates, with the fewest moves ``balanced`` can make (a CSV of another
node stays home whenever that costs no more than the tolerance). Only the moves off the evacuated nodes are taken;
the planner's sites rule (no CSV leaves its coordinator's site unless ``cross_site``) applies unchanged.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup

DRAIN_STATUS = {0: "NotInitiated", 1: "InProgress", 2: "Completed", 3: "Failed"}
FAILBACK = {"immediate": "Immediate", "policy": "Policy", "no_failback": "NoFailback"}
MAP_SCHEMA = 1


class NodeError(ValueError):
    """A node change this collection refuses, or that did not end as asked."""


# ---- cluster_node ---------------------------------------------------------------------------------------------

def node_view(raw):
    """The node as ``cluster_node_get.ps1`` (and the suspend and resume scripts) report it."""
    if not isinstance(raw, dict) or not raw.get("name"):
        raise NodeError("the node's answer has no node name: %r" % (raw,))
    status = raw.get("drain_status")
    try:
        drain = DRAIN_STATUS.get(int(status), "Unknown (%s)" % status)
    except (TypeError, ValueError):
        drain = "Unknown (%s)" % status
    return {
        "name": raw["name"], "cluster": raw.get("cluster"), "state": raw.get("state"), "drain_status": drain,
        "csvs": sorted(raw.get("csvs") or [], key=str.lower), "roles": sorted(raw.get("roles") or [], key=str.lower),
        "answered_by": raw.get("node"),
    }


def public(view):
    """What the module returns and diffs of a node."""
    return dict((k, view[k]) for k in ("name", "state", "drain_status", "roles"))


def plan_node(view, state, drain):
    """Whether the node must change to reach ``state`` (``paused`` or ``up``); NodeError when it cannot.

    Paused with ``drain``: a paused node that still owns roles is drained again (a pause without drain, or a drain
    that failed); a paused node without roles is left alone.
    """
    where = "node %s of cluster %s" % (view["name"], view.get("cluster") or "?")
    current = view["state"]
    if current not in ("Up", "Paused"):
        verb = "paused" if state == "paused" else "resumed"
        raise NodeError("%s is %s: only a node that is Up or Paused can be %s. Bring it back into the cluster "
                        "(Start-ClusterNode), then run again." % (where, current, verb))
    if state == "up":
        return current == "Paused"
    if current == "Up":
        return True
    return bool(drain and view["roles"])


def drain_failed_message(view, before):
    """Why a drain did not finish, with what to do next."""
    left = ", ".join(view["roles"]) or "none"
    return ("The drain of node %s (cluster %s) failed: NodeDrainStatus is %s and the node is %s; roles still on it: "
            "%s. Nothing else was changed (its CSVs were %s). Move those roles by hand (Move-ClusterVirtualMachineRole"
            " or Failover Cluster Manager), or run again with force_drain to stop and move them as failed roles."
            % (view["name"], view.get("cluster") or "?", view["drain_status"], view["state"], left,
               ", ".join(before["csvs"]) or "none"))


def node_diff(before, after):
    return {"before": public(before), "after": public(after)}


# ---- maintenance_plan: evacuate -------------------------------------------------------------------------------

def _named(items, name):
    for item in items or []:
        if str(item.get("name", "")).lower() == str(name).lower():
            return item
    return None


def _facts(facts):
    if not isinstance(facts, dict) or not isinstance(facts.get("nodes"), list) or not isinstance(facts.get("csvs"), list):
        raise NodeError("facts must be what wsfc.csv.cluster_info returned (with 'nodes' and 'csvs')")
    return facts["cluster"]["name"] if isinstance(facts.get("cluster"), dict) else str(facts.get("cluster"))


def target_nodes(facts, nodes):
    """The cluster node names to work on: ``nodes``, or the node that answered ``facts``."""
    names = [n for n in (nodes or []) if str(n).strip()] or [facts.get("queried_node")]
    out = []
    for name in names:
        node = _named(facts["nodes"], name)
        if node is None:
            raise NodeError("%s is not a node of cluster %s (nodes: %s)" % (
                name, _facts(facts), ", ".join(n["name"] for n in facts["nodes"])))
        if node["name"] not in out:
            out.append(node["name"])
    return out


def lock_refusal(lock, cluster):
    """Why the backup lock stops a maintenance step, or None: the result of wsfc.csv.backup_lock in check mode."""
    if not lock:
        return None
    if lock.get("failed"):
        holder = lock.get("lock") or {}
        if holder:
            return ("a backup run holds the backup lock of cluster %s (%s, run %s, taken %s): wait for it to end, or "
                    "release a stale lock with the csv_backup role's restore entry point, then run again"
                    % (cluster, holder.get("path") or "?", holder.get("run_id") or "?", holder.get("taken") or "?"))
        return ("the backup lock of cluster %s could not be read (%s): check it, then run again"
                % (cluster, lock.get("msg") or "no answer"))
    return None


def cau_refusal(facts, allow_cau_run):
    cau = facts.get("cau") or {}
    if cau.get("in_progress") and not allow_cau_run:
        return ("a Cluster-Aware Updating run is in progress on cluster %s (run %s, orchestrator %s): it pauses and "
                "restarts nodes itself. Wait for it to end, or set allow_cau_run when this runs from the run's own "
                "pre- or post-update script" % (_facts(facts), cau.get("run_id") or "?", cau.get("orchestrator") or "?"))
    return None


def _our_snapshots(snapshots):
    """CSV name (lower) -> ids of the shadow copies wsfc.csv.csv_snapshot made, from csv_snapshot_info results."""
    held = {}
    for result in snapshots or []:
        for snap in (result or {}).get("snapshots") or []:
            if snap.get("managed") and snap.get("csv"):
                held.setdefault(str(snap["csv"]).lower(), []).append(snap.get("id") or "?")
    return held


def _refuse(refusals, cluster):
    if refusals:
        raise NodeError("Nothing was changed on cluster %s: %s." % (cluster, "; ".join(refusals)))


def map_name(cluster, node):
    """The file name of a node's map in the state directory."""
    return "%s_%s.json" % (cluster, node)


def _stay_up(facts, evacuated):
    return [n["name"] for n in facts["nodes"] if n.get("state") == "Up" and n["name"] not in evacuated]


def _planned_targets(facts, stay, cross_site):
    """CSV -> node the backup planner (balanced over the nodes that stay) puts it on; and why the others are not."""
    plan = plan_backup(facts, backup_nodes=stay, strategy="balanced", busy_csvs="skip", cross_site=cross_site,
                       provider="software")
    targets = dict((m["csv"], m["to"]) for m in plan.get("moves") or [])
    for node, reads in (plan.get("nodes") or {}).items():
        for read in reads:
            targets.setdefault(read["csv"], node)
    skipped = dict((s["csv"], s["reason"]) for s in plan.get("skipped") or [])
    return targets, skipped


def plan_evacuation(facts, nodes=None, lock=None, snapshots=None, previous=None, cross_site=False,
                    allow_cau_run=False):
    """Which CSVs leave ``nodes``, and where to; refusals (NodeError) before any change.

    ``previous``: node -> the map an earlier evacuate saved, or None. Its entries whose CSV is still where it put
    it are kept in the new map, so a second evacuate (nothing left to move) does not forget the owners to restore.
    """
    cluster = _facts(facts)
    evacuated = target_nodes(facts, nodes)
    refusals = []
    for name in evacuated:
        state = _named(facts["nodes"], name).get("state")
        if state not in ("Up", "Paused"):
            refusals.append("%s is %s; its CSVs have failed over already, nothing is left to evacuate" % (name, state))
    stay = _stay_up(facts, evacuated)
    if not stay:
        states = ", ".join("%s=%s" % (n["name"], n.get("state")) for n in facts["nodes"])
        refusals.append("%s would leave no node of cluster %s Up (states: %s); at least one other node must stay Up"
                        % (", ".join(evacuated), cluster, states))
    for reason in (cau_refusal(facts, allow_cau_run), lock_refusal(lock, cluster)):
        if reason:
            refusals.append(reason)
    ours = _our_snapshots(snapshots)
    leaving = [c for c in facts["csvs"] if c.get("owner") in evacuated]
    for csv in leaving:
        where = "%s (coordinated by %s)" % (csv["name"], csv["owner"])
        if csv.get("backup_in_progress"):
            refusals.append("another product's backup holds %s (BackupState VolumeBackupInProgress); moving its owner "
                            "now can take it offline: wait for that backup to end (a crashed one clears itself after "
                            "30 minutes), then run again" % where)
        if csv["name"].lower() in ours:
            refusals.append("%s has shadow copies this collection made (%s): a move now loses them; let the backup "
                            "run finish, or delete them (wsfc.csv.csv_snapshot state=absent), then run again"
                            % (where, ", ".join(ours[csv["name"].lower()])))
        if csv.get("state") != "Online":
            refusals.append("%s is %s and cannot be moved: bring it Online (or fix it), then run again"
                            % (where, csv.get("state")))
    _refuse(refusals, cluster)
    moves, lines = [], []
    if leaving:
        try:
            targets, skipped = _planned_targets(facts, stay, cross_site)
        except ValueError as exc:
            raise NodeError("Nothing was changed on cluster %s: the CSVs of %s have no node to go to: %s. Bring "
                            "another node of that site Up, or set cross_site to let them move to another site."
                            % (cluster, ", ".join(evacuated), str(exc).rstrip("."))) from exc
        for csv in sorted(leaving, key=lambda c: c["name"].lower()):
            to = targets.get(csv["name"])
            if to is None or to in evacuated:
                refusals.append("%s has no node to go to (%s); %s" % (
                    csv["name"], skipped.get(csv["name"], "the planner left it out"),
                    "allow another site with cross_site" if "site" in skipped.get(csv["name"], "") else
                    "fix its access from the other nodes, then run again"))
                continue
            moves.append({"csv": csv["name"], "from": csv["owner"], "to": to})
        _refuse(refusals, cluster)
    maps = []
    for name in evacuated:
        entries = {}
        for csv_name, entry in sorted(((previous or {}).get(name) or {}).get("csvs", {}).items()):
            now = _named(facts["csvs"], csv_name)
            if now is not None and now.get("owner") == entry.get("to") and entry.get("from") == name:
                entries[csv_name] = entry
        for move in moves:
            if move["from"] == name:
                entries[move["csv"]] = {"from": move["from"], "to": move["to"]}
        maps.append({"node": name, "file": map_name(cluster, name),
                     "map": {"schema": MAP_SCHEMA, "cluster": cluster, "node": name, "csvs": entries}})
    # Software shadow copies surface on the CSV's coordinator (csv_snapshot_info lists what one node sees), so the
    # snapshots of a node's CSVs are only known when that node answered.
    seen = dict((str((r or {}).get("node") or "").lower(), str((r or {}).get("node") or "")) for r in snapshots or [])
    warnings = ["the shadow copies of %s were not read (csv_snapshot_info answered on %s): run the role through %s's "
                "own host to check them before its CSVs move" % (n, ", ".join(sorted(seen.values())) or "no node", n)
                for n in evacuated if n.lower() not in seen and any(c["owner"] == n for c in leaving)]
    for move in moves:
        lines.append("%s: %s -> %s" % (move["csv"], move["from"], move["to"]))
    if not moves:
        lines.append("%s coordinate%s no CSV: nothing to move" % (", ".join(evacuated), "" if len(evacuated) > 1 else "s"))
    return {"cluster": cluster, "nodes": evacuated, "stay": stay, "moves": moves, "maps": maps, "lines": lines,
            "kept": [], "warnings": warnings}


# ---- maintenance_plan: return ---------------------------------------------------------------------------------

def check_map(saved, cluster, node):
    """A saved map, checked against the cluster and node it is read for."""
    if not isinstance(saved, dict) or not isinstance(saved.get("csvs"), dict):
        raise NodeError("the saved map of %s is not a map this role wrote (no 'csvs')" % node)
    if str(saved.get("cluster", "")).lower() != str(cluster).lower() or str(saved.get("node", "")).lower() != node.lower():
        raise NodeError("the saved map is of node %s of cluster %s, not of node %s of cluster %s"
                        % (saved.get("node"), saved.get("cluster"), node, cluster))
    return saved


def plan_return(facts, maps, nodes=None, lock=None, allow_cau_run=False, assume_up=False):
    """Which CSVs go back to ``nodes``, as their saved maps say; the others are kept, each with why.

    ``maps``: node -> its saved map (None when there is none). A CSV goes back only when it is still on the node
    evacuate moved it to, its home node is Up, and no other product's backup holds it. What is not back yet stays
    in the map the role writes again (``maps``), so a later return tries it again; a CSV that is home, or gone,
    leaves the map. ``assume_up``: plan as if the nodes were Up already (check mode, before a resume that was not
    made).
    """
    cluster = _facts(facts)
    returning = target_nodes(facts, nodes)
    _refuse([r for r in (cau_refusal(facts, allow_cau_run), lock_refusal(lock, cluster)) if r], cluster)
    moves, kept, home, out, lines = [], [], [], [], []
    for name in returning:
        saved = (maps or {}).get(name)
        if saved is None:
            lines.append("%s: no saved map, nothing to move back" % name)
            continue
        saved = check_map(saved, cluster, name)
        state = "Up" if assume_up else _named(facts["nodes"], name).get("state")
        left = {}
        for csv_name, entry in sorted(saved["csvs"].items(), key=lambda item: item[0].lower()):
            now = _named(facts["csvs"], csv_name)
            why = None
            if now is None:
                kept.append({"csv": csv_name, "owner": None, "reason": "no longer a CSV of cluster %s" % cluster})
                continue
            if now["owner"] == entry["from"]:
                home.append(csv_name)
                continue
            if now["owner"] != entry["to"]:
                why = ("moved to %s since evacuate put it on %s (by the CSV balancer or someone else): left there"
                       % (now["owner"], entry["to"]))
            elif state != "Up":
                why = "%s is %s: resume it first" % (name, state)
            elif now.get("backup_in_progress"):
                why = "another product's backup holds it: run return again when that backup ends"
            elif now.get("state") != "Online":
                why = "it is %s on %s" % (now.get("state"), now["owner"])
            if why:
                kept.append({"csv": csv_name, "owner": now["owner"], "reason": why})
                if now["owner"] == entry["to"]:
                    left[csv_name] = entry
                continue
            moves.append({"csv": csv_name, "from": now["owner"], "to": entry["from"]})
        out.append({"node": name, "file": map_name(cluster, name),
                    "map": {"schema": MAP_SCHEMA, "cluster": cluster, "node": name, "csvs": left}})
        if not saved["csvs"]:
            lines.append("%s: its saved map lists no CSV still away, nothing to move back" % name)
    lines += ["%s: %s -> %s (back home)" % (m["csv"], m["from"], m["to"]) for m in moves]
    lines += ["%s stays on %s: %s" % (k["csv"], k["owner"], k["reason"]) for k in kept]
    if home:
        lines.append("already home: %s" % ", ".join(home))
    return {"cluster": cluster, "nodes": returning, "moves": moves, "kept": kept, "home": home, "maps": out,
            "lines": lines}
