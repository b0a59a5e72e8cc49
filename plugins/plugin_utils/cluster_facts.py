# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn the raw JSON of ``cluster_info.ps1`` into the facts users and the planner read.

Pure functions, no I/O. The script reports what Windows says, per node and
per volume; this module derives what a backup needs to know: who coordinates
each CSV, whether any node reaches it in redirected mode and why, and how
many bytes a backup of it will read.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_access import classify_csv, classify_entry, in_backup


def _compact(text):
    return "".join(str(text or "").split()).lower()


class ClusterFactsError(ValueError):
    """The script's output does not have the shape this collection expects."""


def _require(mapping, key, where):
    if not isinstance(mapping, dict) or key not in mapping:
        raise ClusterFactsError("cluster_info output is missing %r in %s" % (key, where))
    return mapping[key]


def _as_list(value):
    """PowerShell may give ``null`` for an empty array; normalise to a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def parse_access(entries, backup=False):
    """Per-node access entries (``node``, ``state``, ``reason``), each classified (see :mod:`csv_access`)."""
    return [classify_entry(entry, backup) for entry in _as_list(entries)]


def file_system(value):
    """``NTFS`` or ``ReFS`` from the partition's file system (CSVFS_NTFS, CSVFS_ReFS), or None when not said."""
    text = _compact(value)
    if text.endswith("refs"):
        return "ReFS"
    if text.endswith("ntfs"):
        return "NTFS"
    return None


def access_facts(raw):
    """How the nodes reach one CSV (its ``access`` entries and ``backup_state``), as cluster_info and csv_owner say it.

    ``redirected``, its first reason and nodes, the classified ``access``
    entries, the CSV's class and detail (:mod:`csv_access`), and whether a
    backup holds it.
    """
    backup = in_backup(raw.get("backup_state"))
    access = parse_access(raw.get("access"), backup)
    redirected = [a for a in access if a["redirected"]]
    access_class, access_detail = classify_csv(access)
    return {
        "redirected": bool(redirected),
        "redirected_reason": redirected[0]["reason"] if redirected else None,
        "redirected_nodes": sorted(a["node"] for a in redirected if a["node"]),
        "access": access,
        "access_class": access_class,
        "access_detail": access_detail,
        "backup_in_progress": backup,
    }


def parse_csv(raw):
    """One CSV's facts from the script's entry."""
    name = _require(raw, "name", "a CSV entry")
    size = int(_require(raw, "size_bytes", "CSV %r" % name) or 0)
    free = int(_require(raw, "free_bytes", "CSV %r" % name) or 0)
    facts = {
        "name": name,
        "id": raw.get("id"),
        "owner": _require(raw, "owner", "CSV %r" % name),
        "state": _require(raw, "state", "CSV %r" % name),
        "path": _require(raw, "path", "CSV %r" % name),
        "size_bytes": size,
        "free_bytes": free,
        "used_bytes": max(size - free, 0),
        "filesystem": file_system(raw.get("file_system")),
        "vms": sorted(str(vm) for vm in _as_list(raw.get("vms"))),
    }
    facts.update(access_facts(raw))
    return facts


def node_sites(domains):
    """Node name (lower case) -> the name of the Site fault domain above it, for the nodes that have one.

    Fault domains name their parent (``ParentName``); a node's site is the
    first domain of type Site up that chain ("Fault domain awareness",
    learn.microsoft.com/windows-server/failover-clustering/fault-domains).
    """
    by_name = dict((_compact(d.get("name")), d) for d in _as_list(domains) if isinstance(d, dict) and d.get("name"))
    sites = {}
    for key, domain in by_name.items():
        if _compact(domain.get("type")) != "node":
            continue
        seen, parent = set(), by_name.get(_compact(domain.get("parent")))
        while parent is not None and _compact(parent.get("name")) not in seen:
            if _compact(parent.get("type")) == "site":
                sites[key] = parent["name"]
                break
            seen.add(_compact(parent.get("name")))
            parent = by_name.get(_compact(parent.get("parent")))
    return sites


def storage_kind(csvs):
    """``s2d`` when a node reaches a CSV by Storage Spaces Direct's block redirection, else None (not known).

    ``StorageSpaceNotAttached`` (clusapi's VolumeRedirectedIOReason) is only
    reported for a storage space that is attached on another node. Whether
    Storage Spaces Direct is enabled is what Get-ClusterStorageSpacesDirect
    says, but the properties of its answer are not documented, so this
    collection does not read it; a cluster whose CSVs are all ReFS gives no
    such sign and stays unknown.
    """
    for csv in csvs:
        for entry in csv.get("access") or []:
            if any(r["name"] == "StorageSpaceNotAttached" for r in entry.get("reasons") or []):
                return "s2d"
    return None


def cau_run(raw):
    """The Cluster-Aware Updating run in progress: ``{available, in_progress, run_id, started, orchestrator, state, error}``.

    Get-CauRun returns a CauRun object while a run is in progress, and a
    RunState value otherwise (its page's OUTPUTS). A RunState that does not
    say "not in progress" counts as a run: the page does not list its values,
    and a backup that waits is safer than one that moves CSVs under a run.
    """
    raw = raw if isinstance(raw, dict) else {}
    state = raw.get("state")
    in_progress = bool(raw.get("run_id")) or (state not in (None, "") and "notinprogress" not in _compact(state))
    return {
        "available": bool(raw.get("available")),
        "in_progress": in_progress,
        "run_id": raw.get("run_id") or None,
        "started": raw.get("started") or None,
        "orchestrator": raw.get("orchestrator") or None,
        "state": state or None,
        "error": raw.get("error") or None,
    }


def parse_cluster_info(raw):
    """Facts for the ``cluster_info`` module from the script's JSON document."""
    cluster = _require(raw, "cluster", "the document")
    sites = node_sites(raw.get("fault_domains"))
    nodes = [
        {"name": _require(n, "name", "a node entry"), "state": n.get("state"), "id": n.get("id"),
         "site": sites.get(_compact(n.get("name")))}
        for n in _as_list(_require(raw, "nodes", "the document"))
    ]
    csvs = [parse_csv(c) for c in _as_list(_require(raw, "csvs", "the document"))]
    nodes.sort(key=lambda n: n["name"].lower())
    csvs.sort(key=lambda c: c["name"].lower())
    return {
        "cluster": {"name": _require(cluster, "name", "cluster")},
        "queried_node": raw.get("node"),
        "nodes": nodes,
        "csvs": csvs,
        "coordinators": dict((c["name"], c["owner"]) for c in csvs),
        "storage": storage_kind(csvs),
        "cau": cau_run(raw.get("cau")),
    }
