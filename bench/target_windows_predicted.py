# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Predicted backup window per strategy on the shipped topologies, with backup targets of several bandwidths.

A benchmark, not a test: it prints a Markdown table and asserts nothing. The
planner alone, no lab: each topology in lab/topologies/ is turned into the
facts cluster_info and network_info would report for it (nodes, CSVs with
their used bytes and owners, NICs, teams, SMB Multichannel, and each node's
disk rate as its ``read_gbps``, as bench/strategy_windows.py tells the role),
the provider is the one the role's ``auto`` would pick (hardware when the
topology registers one), and every node writes to one share,
``\\\\backup01\\csv``, whose ingress is each ``--target-gbps`` in turn, or
nothing (``unlimited``: the write path costs nothing, the planner's model
before targets). It shows what the planner predicts once the lab models the
target, to set beside bench/strategy_windows.py's measured windows. Run from
the repository root::

    python bench/target_windows_predicted.py [--topology two-node ...] [--target-gbps 10 --target-gbps 25 ...]
"""

import argparse
import glob
import os

import yaml

from plan_speed import import_planner  # the same checkout-linking import (bench/ is on sys.path when run)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRATEGIES = ("remote", "consolidate", "coordinator", "balanced")
SHARE = "\\\\backup01\\csv"


def facts(topology):
    """(cluster facts, network facts, provider) of a lab topology, as the role would read and plan them."""
    nodes = topology["nodes"]
    cluster = {
        "cluster": {"name": topology["cluster"]},
        "nodes": [{"name": n["name"], "state": n.get("state", "Up"), "id": str(i + 1)} for i, n in enumerate(nodes)],
        "csvs": [],
    }
    for csv in topology["csvs"]:
        used = int(round(float(csv["used_gb"]) * 1e9))
        size = int(round(float(csv["size_gb"]) * 1e9))
        redirected = csv.get("redirected")
        cluster["csvs"].append({"name": csv["name"], "owner": csv["owner"], "state": csv.get("state", "Online"),
                                "path": csv["path"], "size_bytes": size, "free_bytes": size - used, "used_bytes": used,
                                "redirected": bool(redirected), "redirected_reason": redirected or None, "vms": []})
    network = {"nodes": {}}
    for node in nodes:
        multichannel = bool(node.get("smb_multichannel", True))
        network["nodes"][node["name"]] = {
            "adapters": [{"name": nic["name"], "link_gbps": nic["gbps"], "status": nic.get("status", "Up"),
                          "team": nic.get("team")} for nic in node.get("nics") or []],
            "smb_multichannel": {"client": multichannel, "server": multichannel},
            "read_gbps": float(node["disk_gbps"]),
        }
    provider = "hardware" if (topology.get("vss") or {}).get("hardware_provider") else "software"
    return cluster, network, provider


def rows(plan_backup, name, topology, targets):
    """One row per target and strategy: the plan's figures, and whether it wins (shortest, then fewest moves)."""
    cluster, network, provider = facts(topology)
    out = []
    for gbps in targets:
        options = {} if gbps is None else {"target": SHARE, "targets": [{"path": SHARE, "gbps": gbps}]}
        plan = plan_backup(cluster, network, strategy="all", provider=provider, concurrency=2, **options)
        plans = plan["plans"]
        # The winners: the shortest window (within the planner's 0.1% tolerance), then the fewest moves; ties all win.
        shortest = min(plans[s]["window_s"] for s in STRATEGIES) * 1.001
        fewest = min(len(plans[s]["moves"]) for s in STRATEGIES if plans[s]["window_s"] <= shortest)
        winners = [s for s in STRATEGIES if plans[s]["window_s"] <= shortest and len(plans[s]["moves"]) == fewest]
        for strategy in STRATEGIES:
            each = plans[strategy]
            reads = [r for items in each["nodes"].values() for r in items]
            out.append({
                "topology": name, "target": "unlimited" if gbps is None else "%g" % gbps, "strategy": strategy,
                "window": each["window_s"], "bound": each["lower_bound_s"], "ratio": each["ratio_to_lower_bound"],
                "floor": (each["target"] or {}).get("floor_s"), "moves": len(each["moves"]),
                "smb": sum(1 for r in reads if r["read"] == "smb"), "wins": strategy in winners,
            })
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topology", action="append", help="a topology of lab/topologies (default: every one)")
    parser.add_argument("--target-gbps", action="append", type=float, help="a target ingress in Gb/s (default: 10, 25, 100)")
    args = parser.parse_args()
    plan_backup = import_planner()
    paths = sorted(glob.glob(os.path.join(ROOT, "lab", "topologies", "*.yml")))
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    chosen = args.topology or names
    targets = [None] + (args.target_gbps or [10.0, 25.0, 100.0])
    print("| topology | target Gb/s | strategy | predicted s | lower bound s | target floor s | predicted / bound "
          "| moves | SMB reads | wins |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path, name in zip(paths, names):
        if name not in chosen:
            continue
        with open(path) as handle:
            topology = yaml.safe_load(handle)
        for row in rows(plan_backup, name, topology, targets):
            print("| %s | %s | %s | %.1f | %.1f | %s | %.3f | %d | %d | %s |" % (
                row["topology"], row["target"], row["strategy"], row["window"], row["bound"],
                "-" if row["floor"] is None else "%.1f" % row["floor"], row["ratio"], row["moves"], row["smb"],
                "yes" if row["wins"] else ""))


if __name__ == "__main__":
    main()
