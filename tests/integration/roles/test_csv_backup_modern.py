# -*- coding: utf-8 -*-
"""The csv_backup playbook with what else runs on the cluster (issue 14), checked against the lab's state and events.

- Another product's backup holding one CSV: the run is refused before any change (``csv_backup_busy_csvs: fail``)
  or backs up the others without moving or snapshotting that one (``skip``).
- A Cluster-Aware Updating run in progress: refused before any change.
- A stretched cluster: no CSV is moved or read across sites by default.
"""

from __future__ import annotations

import json

import backup_run as run  # pylint: disable=import-error
from conftest import running_lab  # pylint: disable=import-error

CHANGES = ("csv.move", "snap.create", "task.register", "job.start")


def _changes(events, csv=None):
    """The events of ``events`` that change the cluster (moves, snapshots, tasks), of ``csv`` when given."""
    return [e for e in events if e["op"] in CHANGES and (csv is None or (e.get("args") or {}).get("csv") == csv)]


# ---- refusals before any change, on a small SAN cluster --------------------------------------------------------
SMALL = """
cluster: MODCLUSTER
time_scale: 60
%(top)s
nodes:
  - {name: MOD-N1, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
  - {name: MOD-N2, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\VolumeA', size_gb: 200, used_gb: 60, owner: MOD-N1}
  - {name: Disk B, path: 'C:\\ClusterStorage\\VolumeB', size_gb: 200, used_gb: 60, owner: MOD-N1%(held)s}
vss: {hardware_provider: false}
targets:
  - {path: '\\\\BACKUP01\\csv', gbps: 20}
"""


def _small(top="", held=""):
    return SMALL % {"top": top, "held": held}


def test_a_csv_another_backup_holds_refuses_the_run_before_any_change(tmp_path):
    with running_lab(_small(held=", backup_in_progress: true"), tmp_path / "lab") as lab:
        mark = len(lab.events())
        result = run.backup(lab, tmp_path / "reports")
        assert result.returncode != 0
        assert "Disk B cannot be backed up now: another backup holds it" in result.stdout
        assert "csv_backup_busy_csvs: skip" in result.stdout
        assert _changes(lab.events()[mark:]) == []
        assert all(files == [] for files in lab.state()["csv_files"].values())  # not even the lock


def test_with_busy_csvs_skip_the_held_csv_is_neither_moved_nor_snapshotted(tmp_path):
    with running_lab(_small(held=", backup_in_progress: true"), tmp_path / "lab") as lab:
        before, mark = run.owners(lab), len(lab.events())
        result = run.backup(lab, tmp_path / "reports", "-e", "csv_backup_busy_csvs=skip")
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        events = lab.events()[mark:]
        assert _changes(events, "Disk B") == []
        assert [(e["csv"], e["read"]) for e in run.reads(lab, mark)] == [("Disk A", "local")]
        assert lab.state()["csvs"]["Disk B"]["backup_in_progress"] is True
        assert run.owners(lab) == before
        report, dummy = run.report(tmp_path / "reports")
        assert report["summary"]["csvs_skipped"] == ["Disk B"]


def test_a_cluster_aware_updating_run_refuses_the_run_before_any_change(tmp_path):
    with running_lab(_small(top="cau_run: true"), tmp_path / "lab") as lab:
        mark = len(lab.events())
        result = run.backup(lab, tmp_path / "reports")
        assert result.returncode != 0
        assert "A Cluster-Aware Updating run is in progress on MODCLUSTER" in result.stdout
        assert "Get-CauRun -WaitForCompletion" in result.stdout
        assert _changes(lab.events()[mark:]) == []
        assert all(files == [] for files in lab.state()["csv_files"].values())


# ---- a stretched cluster ---------------------------------------------------------------------------------------
def test_on_a_stretched_cluster_no_csv_crosses_sites_by_default(tmp_path):
    with running_lab("stretched-two-sites", tmp_path / "lab") as lab:
        state = lab.state()
        site = dict((name, node["site"]) for name, node in state["nodes"].items())
        before, mark = run.owners(lab), len(lab.events())
        args = ("-e", json.dumps({"csv_backup_target": "\\\\SEA-BACKUP\\csv"}), "-e", "csv_backup_read_gbps=32")
        result = run.backup(lab, tmp_path / "reports", *args)
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        events = lab.events()[mark:]
        moves = [e for e in events if e["op"] == "csv.move" and e["ok"]]
        assert moves, "the site-aware plan still moves within each site"
        for move in moves:
            assert site[move["args"]["to"]] == site[before[move["args"]["csv"]]], move
        for read in run.reads(lab, mark):
            assert site[read["node"]] == site[before[read["csv"]]] and read["read"] == "local", read
        assert run.owners(lab) == before
        run.assert_nothing_left(lab)
