# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How long the backup planner takes on a big cluster: 64 nodes x 1000 CSVs, per strategy.

A benchmark, not a test: it prints timings and asserts nothing. Every call
plans all four strategies (the result's ``comparison`` always holds them), so
each figure includes the other three; the ``strategy`` only chooses which plan
comes back. Run from the repository root::

    python bench/plan_speed.py [--nodes 64] [--csvs 1000] [--repeat 3] [--seed 1] [--target-gbps 25]

With ``--target-gbps`` every node also writes to one share of that ingress
(``\\\\backup01\\csv``), so every read of a plan shares one resource: the
simulator's worst case.
"""

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time


def import_planner():
    """Import the collection from this checkout, linking it under ansible_collections/ when needed."""
    try:
        from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup
        return plan_backup
    except ImportError:
        pass
    root = tempfile.mkdtemp(prefix="wsfc-bench-")
    atexit.register(shutil.rmtree, root, True)  # the link only; the checkout it points to is left alone
    os.makedirs(os.path.join(root, "ansible_collections", "wsfc"))
    os.symlink(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.join(root, "ansible_collections", "wsfc", "csv"))
    sys.path.insert(0, root)
    from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup
    return plan_backup


def make_cluster(nodes, csvs, seed):
    """A skewed cluster: a quarter of the nodes own most CSVs; sizes 10 GB to 4 TB, log-uniform; mixed networks."""
    rng = random.Random(seed)
    names = ["NODE%02d" % (i + 1) for i in range(nodes)]
    heavy = names[: max(1, nodes // 4)]
    volumes = []
    for i in range(csvs):
        used = int(10 ** rng.uniform(10, 12.6))
        owner = rng.choice(heavy) if rng.random() < 0.7 else rng.choice(names)
        volumes.append({"name": "Cluster Disk %d" % (i + 1), "owner": owner, "state": "Online", "path": "C:\\ClusterStorage\\Volume%d" % (i + 1),
                        "size_bytes": used * 2, "free_bytes": used, "used_bytes": used, "redirected": False, "redirected_reason": None, "vms": []})
    network = {"nodes": {}}
    for name in names:
        speed = rng.choice([10, 25])
        network["nodes"][name] = {
            "adapters": [{"name": "NIC1", "link_gbps": speed, "status": "Up", "team": "TEAM1"},
                         {"name": "NIC2", "link_gbps": speed, "status": "Up", "team": "TEAM1"}],
            "smb_multichannel": {"client": True, "server": rng.random() < 0.8},
            "read_gbps": rng.choice([8.0, 12.0, 16.0]),
        }
    cluster = {"cluster": {"name": "BENCH"}, "nodes": [{"name": n, "state": "Up", "id": str(i)} for i, n in enumerate(names)], "csvs": volumes}
    return cluster, network


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=64)
    parser.add_argument("--csvs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target-gbps", type=float, default=None, help="ingress of a share every node writes to (default: no target)")
    args = parser.parse_args()
    plan_backup = import_planner()
    cluster, network = make_cluster(args.nodes, args.csvs, args.seed)
    target = {}
    if args.target_gbps:
        target = {"target": "\\\\backup01\\csv", "targets": [{"path": "\\\\backup01\\csv", "gbps": args.target_gbps}]}
    print("planning %d nodes x %d CSVs (best of %d runs)%s" % (
        args.nodes, args.csvs, args.repeat, ", target %g Gb/s" % args.target_gbps if target else ""))
    for strategy in ("balanced", "coordinator", "consolidate", "remote", "all"):
        best, plan = None, None
        for dummy in range(args.repeat):
            start = time.perf_counter()
            plan = plan_backup(cluster, network, strategy=strategy, **target)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        print("%-12s %7.3f s   window %9.0f s   %4d moves   ratio to lower bound %.3f"
              % (strategy, best, plan["window_s"], len(plan["moves"]), plan["ratio_to_lower_bound"]))
    print("windows: %s" % ", ".join("%s %.0f s" % item for item in plan["comparison"].items()))


if __name__ == "__main__":
    main()
