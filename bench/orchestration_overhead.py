# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Orchestration overhead of a whole csv_backup run, for 4, 16 and 64 nodes with 8 CSVs per node.

A benchmark, not a test: it prints a table and asserts nothing. For each
size it generates a uniform topology (every node alike, 8 CSVs owned by each,
so the balanced plan moves nothing and every read is local), starts the lab
at a high time scale, runs the real ``csv_backup`` playbook once with one
fork per node, and measures from outside:

- wall time of the ``ansible-playbook`` run;
- modelled transfer time: what the bytes alone need, the plan's predicted
  window (every node reading its CSVs at its disk rate, nothing else),
  converted to wall seconds (divided by the time scale);
- overhead = wall time - transfer time: facts, plan, lock, snapshots, job
  starts, polls, clean-up, restore and report;
- the span of the lab's ``backup.read`` events, in wall seconds: transfer
  plus the part of the overhead that falls between the first read's start
  and the last read's end (starting the other CSVs, noticing their ends);
- WinRM round trips: the lab's ``winrm.command`` events during the run, in
  all and per CSV.

Run from the repository root after ``make collection``::

    python bench/orchestration_overhead.py [--nodes 4 --nodes 16 --nodes 64] [--csvs-per-node 8]
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

from strategy_windows import BIN, ROOT, _events, _lab

TIME_SCALE = 1000.0     # modelled seconds per wall second
CSV_GB = 100            # each CSV: 100 GB used at 16 Gb/s is 50 modelled s, 0.05 s of wall time
DISK_GBPS = 16


def topology(nodes, per_node):
    lines = ["cluster: BENCH-%d" % nodes, "time_scale: %g" % TIME_SCALE, "nodes:"]
    names = ["B%02d" % (i + 1) for i in range(nodes)]
    for name in names:
        lines.append("  - {name: %s, disk_gbps: %d, nics: [{name: NIC1, gbps: 25}, {name: NIC2, gbps: 25}]}"
                     % (name, DISK_GBPS))
    lines.append("csvs:")
    number = 0
    for name in names:
        for dummy in range(per_node):
            number += 1
            lines.append("  - {name: Cluster Disk %d, path: 'C:\\ClusterStorage\\Volume%d', size_gb: %d, used_gb: %d, "
                         "owner: %s}" % (number, number, CSV_GB * 2, CSV_GB, name))
    return "\n".join(lines) + "\n"


def bench(nodes, per_node, poll):
    with tempfile.TemporaryDirectory(prefix="wsfc-overhead-") as tmp:
        path = os.path.join(tmp, "topology.yml")
        with open(path, "w") as handle:
            handle.write(topology(nodes, per_node))
        workdir = os.path.join(tmp, "lab")
        _lab(workdir, "up", "--topology", path)
        try:
            group = _lab(workdir, "group").strip()
            mark = len(_events(workdir))
            env = dict(os.environ)
            env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, "build", "collections"))
            command = [os.path.join(BIN, "ansible-playbook"), "wsfc.csv.csv_backup", "-f", str(nodes),
                       "-i", os.path.join(workdir, "inventory.yml"), "-e", "target=%s" % group,
                       "-e", json.dumps({"csv_backup_target": "\\\\backup01\\csv"}), "-e", "csv_backup_report_dir=%s" % tmp,
                       "-e", "csv_backup_job_poll_interval=%g" % poll, "-e", "csv_backup_concurrency=%d" % per_node,
                       "-e", json.dumps({"csv_backup_read_gbps": DISK_GBPS})]
            started = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            wall = time.monotonic() - started
            events = _events(workdir)[mark:]
            reports = glob.glob(os.path.join(tmp, "*", "report.json"))
            summary = json.load(open(reports[0])).get("summary", {}) if reports else {}
        finally:
            _lab(workdir, "down")
    reads = [e for e in events if e["op"] == "backup.read" and e["ok"]]
    span = (max(e["end"] for e in reads) - min(e["start"] for e in reads)) / TIME_SCALE if reads else 0.0
    transfer = (summary.get("predicted_window_s") or 0.0) / TIME_SCALE
    commands = sum(1 for e in events if e["op"] == "winrm.command")
    csvs = nodes * per_node
    return {"nodes": nodes, "csvs": csvs, "rc": done.returncode, "wall": wall, "transfer": transfer, "span": span,
            "overhead": wall - transfer, "per_csv": (wall - transfer) / csvs, "commands": commands,
            "commands_per_csv": commands / float(csvs), "local": sum(1 for e in reads if e["read"] == "local"),
            "tail": done.stdout[-2000:] if done.returncode else ""}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, action="append", help="cluster sizes (repeatable; default 4 16 64)")
    parser.add_argument("--csvs-per-node", type=int, default=8)
    parser.add_argument("--poll", type=float, default=2.0, help="csv_backup_job_poll_interval, in s")
    args = parser.parse_args()
    print("| nodes | CSVs | rc | wall s | transfer s | overhead s | overhead per CSV s | read span s "
          "| WinRM round trips | round trips per CSV | local reads |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for nodes in args.nodes or [4, 16, 64]:
        row = bench(nodes, args.csvs_per_node, args.poll)
        rows.append(row)
        print("| %(nodes)d | %(csvs)d | %(rc)d | %(wall).1f | %(transfer).1f | %(overhead).1f | %(per_csv).3f "
              "| %(span).1f | %(commands)d | %(commands_per_csv).2f | %(local)d |" % row)
        if row["rc"]:
            print(row["tail"], file=sys.stderr)
        sys.stdout.flush()
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = last["per_csv"] / first["per_csv"] if first["per_csv"] else float("nan")
        print("\nFrom %d to %d nodes (%dx the CSVs), overhead per CSV changed %.2fx and round trips per CSV %.2fx."
              % (first["nodes"], last["nodes"], last["csvs"] // first["csvs"], growth,
                 last["commands_per_csv"] / first["commands_per_csv"]))


if __name__ == "__main__":
    main()
