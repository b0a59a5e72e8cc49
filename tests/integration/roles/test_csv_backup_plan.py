# -*- coding: utf-8 -*-
"""The csv_backup playbook in check mode against the lab: it reads, plans, prints, and changes nothing."""

from __future__ import annotations

import pytest

from conftest import start_lab, stop_lab  # pylint: disable=import-error


def _plan_check(lab, *extra):
    return lab.ansible_playbook("wsfc.csv.csv_backup", "-e", "target=%s" % lab.group, "--check",
                                "-e", '{"csv_backup_target": "\\\\\\\\backup01\\\\csv"}', *extra)


def test_check_mode_plans_from_three_round_trips_per_node_and_changes_nothing(lab4):
    before = lab4.state()
    mark = len(lab4.events())
    result = _plan_check(lab4)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Cluster HVCLUSTER1: balanced plan: 8 CSVs, 7700.0 GB" in result.stdout
    assert "predicted window per strategy" in result.stdout
    # cluster_info, network_info and csv_snapshot_info (which provider VSS would choose) on each of the four nodes,
    # each step on all nodes at once: every node says which cluster it is a node of, and each cluster of a play is
    # planned with its own provider
    commands = lab4.commands_since(mark)
    assert len(commands) == 12, [c["node"] for c in commands]
    assert sorted(c["node"] for c in commands) == ["NODE1"] * 3 + ["NODE2"] * 3 + ["NODE3"] * 3 + ["NODE4"] * 3
    assert not [e for e in lab4.events()[mark:] if e["op"].startswith("csv.")]
    assert lab4.state()["csvs"] == before["csvs"]


@pytest.mark.parametrize("strategy, moves", [("coordinator", 0), ("balanced", 4)])
def test_strategy_and_selection_reach_the_planner(lab4, strategy, moves):
    result = _plan_check(lab4, "-e", "csv_backup_strategy=%s" % strategy)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "%s plan: 8 CSVs" % strategy in result.stdout
    assert ", %d moves," % moves in result.stdout
    selected = _plan_check(lab4, "-e", "csv_backup_select=[?name=='Cluster Disk 8']")
    assert "plan: 1 CSVs, 400.0 GB" in selected.stdout


def test_check_mode_refuses_what_the_run_would_refuse(lab4):
    result = lab4.ansible_playbook("wsfc.csv.csv_backup", "-e", "target=%s" % lab4.group, "--check")
    assert result.returncode != 0
    assert "csv_backup_method=copy needs csv_backup_target" in result.stdout, result.stdout[-3000:]


def test_a_bad_selection_fails_before_anything_changes(lab4):
    result = _plan_check(lab4, "-e", "csv_backup_select=[?name==")
    assert result.returncode != 0
    assert "select" in result.stdout


def test_facts_come_from_the_next_node_when_the_first_is_down(tmp_path):
    workdir = tmp_path / "lab"
    try:
        lab = start_lab("four-node-10gbe", workdir)
        lab.fault("node_down", node="NODE1")
        result = _plan_check(lab)
        assert result.returncode == 0, result.stdout[-4000:]
        assert "cluster read through NODE2; did not answer: NODE1" in result.stdout
        assert "Cluster HVCLUSTER1: balanced plan: 8 CSVs" in result.stdout
        assert "NODE1 backs up" not in result.stdout  # a Down node runs no backups
    finally:
        stop_lab(workdir)


def test_listed_targets_reach_the_planner_and_a_bad_one_is_refused(lab4):
    share = '{"csv_backup_targets": [{"path": "\\\\\\\\BACKUP01\\\\csv", "gbps": 10}]}'
    result = _plan_check(lab4, "-e", share)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # 7,700 GB through the share's 10 Gb/s (1.25 GB/s): no plan ends before 6,160 s
    assert "lower bound 6160 s" in result.stdout, result.stdout[-3000:]
    bad = _plan_check(lab4, "-e", '{"csv_backup_targets": [{"path": "\\\\\\\\backup01\\\\csv", "gbps": 0}]}')
    assert bad.returncode != 0
    assert "csv_backup_targets[0].gbps (got 0) must be more than 0 (Gb/s)" in bad.stdout, bad.stdout[-3000:]
