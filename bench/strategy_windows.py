# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup window per strategy on the lab: measured (from the lab's event log), predicted, lower bound.

A benchmark, not a test: it prints a table and asserts nothing. For each
topology it starts the lab once and runs the real ``csv_backup`` playbook
once per strategy (each run restores ownership, so the runs start from the
same cluster). The measured window is the span of the lab's own
``backup.read`` events of that run (first start to last end, in modelled
seconds); predicted window and lower bound come from the run's report.
The planner is told each node's disk read rate from the topology (what a
user would know of their storage) through ``csv_backup_read_gbps``. Run from
the repository root after ``make collection``::

    python bench/strategy_windows.py [--topology four-node-10gbe ...] [--strategy balanced ...] [--time-scale N]

Wall time is about the remote window divided by the time scale, per topology.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
STRATEGIES = ("remote", "consolidate", "coordinator", "balanced")


def _lab(workdir, *args):
    return subprocess.run([sys.executable, "-m", "wsfc_lab", args[0], "--workdir", workdir] + list(args[1:]),
                          check=True, capture_output=True, text=True).stdout


def _events(workdir):
    return [json.loads(line) for line in _lab(workdir, "events").splitlines() if line.strip()]


def _state(workdir):
    return json.loads(_lab(workdir, "state"))


def _owners(state):
    return dict((name, csv["owner"]) for name, csv in state["csvs"].items())


def _run(workdir, group, strategy, rates, reports, forks=None):
    # One fork per node, so every node's queue runs at once (Ansible's default is 5 forks).
    forks = forks or max(5, len(rates))
    command = [os.path.join(BIN, "ansible-playbook"), "wsfc.csv.csv_backup", "-f", str(forks),
               "-i", os.path.join(workdir, "inventory.yml"),
               "-e", "target=%s" % group, "-e", "csv_backup_strategy=%s" % strategy,
               "-e", json.dumps({"csv_backup_read_gbps": rates}), "-e", json.dumps({"csv_backup_target": "\\\\backup01\\csv"}),
               "-e", "csv_backup_report_dir=%s" % reports, "-e", "csv_backup_job_poll_interval=1"]
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, "build", "collections"))
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    report_files = glob.glob(os.path.join(reports, "*", "report.json"))
    report = json.load(open(report_files[0])) if report_files else {}
    return done.returncode, report


def bench_topology(name, strategies, time_scale):
    path = name if os.sep in name else os.path.join(ROOT, "lab", "topologies", name + ".yml")
    topology = yaml.safe_load(open(path))
    rates = dict((node["name"], node["disk_gbps"]) for node in topology["nodes"])
    rows = []
    with tempfile.TemporaryDirectory(prefix="wsfc-bench-") as tmp:
        workdir = os.path.join(tmp, "lab")
        _lab(workdir, "up", "--topology", path, *(["--time-scale", str(time_scale)] if time_scale else []))
        try:
            group = _lab(workdir, "group").strip()
            for strategy in strategies:
                mark, before = len(_events(workdir)), _owners(_state(workdir))
                rc, report = _run(workdir, group, strategy, rates, os.path.join(tmp, strategy))
                after = _state(workdir)
                reads = [e for e in _events(workdir)[mark:] if e["op"] == "backup.read"]
                moves = [e for e in _events(workdir)[mark:] if e["op"] == "csv.move" and e["ok"]]
                summary = report.get("summary") or {}
                measured = max(e["end"] for e in reads) - min(e["start"] for e in reads) if reads else None
                bound = summary.get("lower_bound_s")
                rows.append((name, strategy, rc, measured, summary.get("measured_window_s"),
                             summary.get("predicted_window_s"), bound,
                             measured / bound if measured and bound else None,
                             sum(1 for e in reads if e["read"] == "local"), sum(1 for e in reads if e["read"] == "smb"),
                             len(moves), _owners(after) == before,
                             len(after["snapshots"]) + len(after["jobs"]) + sum(map(len, after["csv_files"].values()))))
        finally:
            _lab(workdir, "down")
    return rows


def _fmt(value, pattern="%.1f"):
    return "-" if value is None else pattern % value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topology", action="append", help="shipped topology name or path (repeatable)")
    parser.add_argument("--strategy", action="append", choices=STRATEGIES, help="strategy (repeatable)")
    parser.add_argument("--time-scale", type=float, help="lab time scale (modelled s per wall s); default: the "
                        "topology's own (20 for two-node and four-node-10gbe, 60 for sixteen-node-mixed)")
    args = parser.parse_args()
    topologies = args.topology or ["two-node", "four-node-10gbe", "sixteen-node-mixed"]
    strategies = args.strategy or list(STRATEGIES)
    print("| topology | strategy | rc | measured (events) s | measured (report) s | predicted s | lower bound s "
          "| measured / bound | local | SMB | moves | ownership as before | snapshots, jobs, lock files left |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in topologies:
        for row in bench_topology(name, strategies, args.time_scale):
            print("| %s | %s | %d | %s | %s | %s | %s | %s | %d | %d | %d | %s | %d |" % (
                row[0], row[1], row[2], _fmt(row[3]), _fmt(row[4]), _fmt(row[5]), _fmt(row[6]),
                _fmt(row[7], "%.3f"), row[8], row[9], row[10], "yes" if row[11] else "NO", row[12]))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
