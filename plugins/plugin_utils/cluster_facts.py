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

# State values of Get-ClusterSharedVolumeState that are not direct I/O, compared without spaces or case
# (the cmdlet page shows 'File System Redirected'; the enum's name is written without spaces).
_REDIRECTED_STATES = ("filesystemredirected", "blockredirected")
# Reason values that mean "not redirected" (the documented 'NotRedirected', and empty).
_NO_REASON = ("", "none", "notredirected", "notfilesystemredirected", "notblockredirected")


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


def _reason(entry):
    """The redirection reason of one node's access entry, or None when I/O is direct."""
    state = entry.get("state") or ""
    if _compact(state) not in _REDIRECTED_STATES:
        return None
    reason = str(entry.get("reason") or "")
    if _compact(reason) not in _NO_REASON:
        return reason
    return state


def parse_access(entries):
    """Per-node access entries (``node``, ``state``, ``reason``) with ``redirected`` and its reason decided."""
    access = []
    for entry in _as_list(entries):
        reason = _reason(entry)
        access.append({
            "node": entry.get("node"),
            "state": entry.get("state"),
            "redirected": reason is not None,
            "reason": reason,
        })
    return access


def parse_csv(raw):
    """One CSV's facts from the script's entry."""
    name = _require(raw, "name", "a CSV entry")
    size = int(_require(raw, "size_bytes", "CSV %r" % name) or 0)
    free = int(_require(raw, "free_bytes", "CSV %r" % name) or 0)
    access = parse_access(raw.get("access"))
    redirected = [a for a in access if a["redirected"]]
    return {
        "name": name,
        "id": raw.get("id"),
        "owner": _require(raw, "owner", "CSV %r" % name),
        "state": _require(raw, "state", "CSV %r" % name),
        "path": _require(raw, "path", "CSV %r" % name),
        "size_bytes": size,
        "free_bytes": free,
        "used_bytes": max(size - free, 0),
        "redirected": bool(redirected),
        "redirected_reason": redirected[0]["reason"] if redirected else None,
        "redirected_nodes": sorted(a["node"] for a in redirected if a["node"]),
        "access": access,
        "vms": sorted(str(vm) for vm in _as_list(raw.get("vms"))),
    }


def parse_cluster_info(raw):
    """Facts for the ``cluster_info`` module from the script's JSON document."""
    cluster = _require(raw, "cluster", "the document")
    nodes = [
        {"name": _require(n, "name", "a node entry"), "state": n.get("state"), "id": n.get("id")}
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
    }
