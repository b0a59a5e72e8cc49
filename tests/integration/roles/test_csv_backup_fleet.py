# -*- coding: utf-8 -*-
"""Many clusters in one play: the csv_backup playbook over a group of two lab clusters' groups.

Each lab is its own cluster (its own WinRM endpoints, state and event log); one inventory group holds both
clusters' groups. The run must back up both, each planned, locked, backed up and restored on its own, write
one report per cluster and one fleet summary, and say so when a cluster cannot take part.
"""

from __future__ import annotations

import contextlib
import json
import time

import yaml

import backup_run as run  # pylint: disable=import-error
from conftest import running_lab, stop_lab  # pylint: disable=import-error

FLEET = "fleet"


@contextlib.contextmanager
def _fleet(tmp_path):
    """Two labs (BRANCH, two nodes; HVCLUSTER1, four nodes) and an inventory whose group ``fleet`` holds both."""
    with running_lab("two-node", tmp_path / "branch", "--time-scale", "400") as branch, \
            running_lab("four-node-10gbe", tmp_path / "hq", "--time-scale", "400") as hq:
        fleet = tmp_path / "fleet.yml"
        fleet.write_text(yaml.safe_dump({"all": {"children": {FLEET: {"children": {branch.group: {}, hq.group: {}}}}}}))
        yield branch, hq, [str(branch.inventory), str(hq.inventory), str(fleet)]


def _play(labs, inventories, report_dir, *extra):
    """Run the csv_backup playbook against the fleet group; the labs' state is read from ``labs``."""
    args = ["wsfc.csv.csv_backup", "-e", "target=%s" % FLEET, "-e", run.target_vars(),
            "-e", "csv_backup_report_dir=%s" % report_dir, "-e", "csv_backup_job_poll_interval=1",
            "-e", "csv_backup_poll_interval=0.5", "--forks", "8"] + list(extra)
    for inventory in inventories[1:]:
        args += ["-i", inventory]
    # the first inventory is the one Lab.ansible_playbook passes
    return labs[0].ansible_playbook(*args, env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})


def _online(lab):
    return sorted(name for name, csv in lab.state()["csvs"].items() if csv["state"] == "Online")


def test_one_play_backs_up_every_cluster_of_the_group_each_on_its_own(tmp_path):
    with _fleet(tmp_path) as (branch, hq, inventories):
        before = dict((lab.group, run.owners(lab)) for lab in (branch, hq))
        marks = dict((lab.group, len(lab.events())) for lab in (branch, hq))
        started = time.monotonic()
        result = _play((branch, hq), inventories, tmp_path / "reports")
        elapsed = time.monotonic() - started
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        for lab in (branch, hq):
            reads = run.reads(lab, marks[lab.group])
            assert sorted(e["csv"] for e in reads) == _online(lab), lab.group  # every CSV of each cluster
            assert run.owners(lab) == before[lab.group], lab.group
            run.assert_nothing_left(lab)
        reports = sorted(p.parent.name.split("-")[0] for p in (tmp_path / "reports").glob("*/report.json"))
        assert reports == ["BRANCH", "HVCLUSTER1"]
        [summary] = list((tmp_path / "reports").glob("fleet-*/fleet.json"))
        fleet = json.loads(summary.read_text())
        assert fleet["result"] == "succeeded" and fleet["failures"] == []
        assert sorted((c["cluster"], c["result"]) for c in fleet["clusters"]) == [
            ("BRANCH", "succeeded"), ("HVCLUSTER1", "succeeded")]
        assert '"wsfc_csv_backup"' in result.stdout and "fleet run" in result.stdout
        print("fleet of 2 clusters: %.1f s wall" % elapsed)


def test_a_cluster_whose_nodes_are_all_down_fails_in_the_summary_and_the_other_is_backed_up(tmp_path):
    with _fleet(tmp_path) as (branch, hq, inventories):
        down = sorted(branch.state()["nodes"])
        stop_lab(branch.workdir)  # the whole cluster is gone: none of its nodes answers
        mark = len(hq.events())
        result = _play((branch, hq), inventories, tmp_path / "reports")
        assert result.returncode != 0
        assert sorted(e["csv"] for e in run.reads(hq, mark)) == _online(hq)
        [summary] = list((tmp_path / "reports").glob("fleet-*/fleet.json"))
        fleet = json.loads(summary.read_text())
        assert fleet["result"] == "failed"
        assert [(c["cluster"], c["result"]) for c in fleet["clusters"]] == [("HVCLUSTER1", "succeeded")]
        assert sorted(f.split(" ")[0] for f in fleet["failures"]) == down, fleet["failures"]
        assert all("answered for no cluster" in f for f in fleet["failures"])
        run.assert_nothing_left(hq)
