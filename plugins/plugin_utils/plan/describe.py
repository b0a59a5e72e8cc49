# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Say a backup plan in lines a person reads at 2 a.m. Pure, no I/O."""

from __future__ import annotations


def _gb(value):
    return "%.1f GB" % (float(value or 0) / 1e9)


def _target_line(target):
    """What the plan counted for the write path, so a window longer than the nodes need says why."""
    if target.get("kind") == "share":
        return "writes to %s: a share taking %g Gb/s from all nodes together, so no window is shorter than %.0f s" % (
            target.get("path"), target.get("gbps") or 0, target.get("floor_s") or 0)
    rates = ", ".join("%s %g Gb/s" % item for item in sorted((target.get("node_gbps") or {}).items()))
    every = "%g Gb/s" % target["gbps"] if target.get("gbps") is not None else "a rate not given"
    return "writes to %s on each node's own drive at %s%s" % (target.get("path"), every, " (%s)" % rates if rates else "")


def describe_plan(plan, cluster=None):
    """Lines: the headline, the strategies compared, the target counted, each move, each node's reads, skipped CSVs, warnings, findings."""
    head = "%s%s plan: %d CSVs, %s, %d moves, predicted window %.0f s (lower bound %.0f s, ratio %.2f)" % (
        "Cluster %s: " % cluster if cluster else "", plan.get("strategy"), len(plan.get("selected") or []),
        _gb(plan.get("total_bytes")), len(plan.get("moves") or []), plan.get("window_s") or 0,
        plan.get("lower_bound_s") or 0, plan.get("ratio_to_lower_bound") or 0)
    lines = [head]
    comparison = plan.get("comparison") or {}
    if comparison:
        lines.append("predicted window per strategy: " + ", ".join(
            "%s %.0f s" % (name, seconds) for name, seconds in sorted(comparison.items(), key=lambda kv: kv[1])))
    target = plan.get("target")
    if target:
        lines.append(_target_line(target))
    for move in plan.get("moves") or []:
        lines.append("move %s: %s -> %s" % (move["csv"], move["from"], move["to"]))
    for node in sorted(plan.get("nodes") or {}):
        for read in plan["nodes"][node]:
            lines.append("%s backs up %s (%s, %s read, %.0f-%.0f s): %s" % (
                node, read["csv"], _gb(read["bytes"]), read["read"], read["start_s"], read["end_s"], read["why"]))
    for skipped in plan.get("skipped") or []:
        lines.append("skipped %s: %s" % (skipped["csv"], skipped["reason"]))
    for warning in plan.get("warnings") or []:
        lines.append("warning: %s" % warning)
    for finding in plan.get("findings") or []:
        lines.append("finding (%s): %s" % (finding.get("kind"), finding.get("message")))
    return lines
