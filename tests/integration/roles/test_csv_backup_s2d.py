# -*- coding: utf-8 -*-
"""The csv_backup playbook on Storage Spaces Direct with ReFS volumes (issue 14), checked against the lab.

- ReFS volumes are redirected on every node by design: every CSV backed up, every read local, ownership
  restored, nothing left, the window within 10% of the lower bound.
- The CSV balancer moving a CSV after the plan's move: caught before its snapshot, moved back, read locally,
  and restored to its original owner at the end.
"""

from __future__ import annotations

import json

import pytest

import backup_run as run  # pylint: disable=import-error
from conftest import running_lab  # pylint: disable=import-error

S2D_SHARE = "\\\\BACKUP01\\s2d"


def _s2d_args(*extra):
    targets = json.dumps({"csv_backup_target": S2D_SHARE, "csv_backup_targets": [{"path": S2D_SHARE, "gbps": 200}]})
    return ("-e", "csv_backup_read_gbps=32", "-e", targets) + extra


@pytest.fixture(scope="module")
def s2d(tmp_path_factory):
    with running_lab("s2d-four-node-refs", tmp_path_factory.mktemp("lab-s2d")) as lab:
        yield lab


def test_s2d_refs_backs_up_every_csv_locally_near_the_lower_bound_and_leaves_nothing(s2d, tmp_path):
    before, mark = run.owners(s2d), len(s2d.events())
    result = run.backup(s2d, tmp_path, *_s2d_args())
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    access = s2d.state()["csvs"]["Volume01"]["access"]
    assert set(a["reason"] for a in access.values()) == {"ReFs"}  # redirected on every node, as the lab says
    reads = run.reads(s2d, mark)
    assert sorted(e["csv"] for e in reads) == sorted(before)
    assert all(e["ok"] and e["read"] == "local" for e in reads), reads
    assert run.owners(s2d) == before
    run.assert_nothing_left(s2d)
    report, dummy = run.report(tmp_path)
    assert report["summary"]["result"] == "succeeded" and report["summary"]["ownership_restored"] is True
    assert report["summary"]["moves_made"] == 3  # NODE1's five volumes spread to NODE3 and NODE4
    assert run.window(reads) <= 1.10 * report["summary"]["lower_bound_s"], (run.window(reads), report["summary"])
    assert any("ReFS: redirected on every node" in line for line in result.stdout.splitlines())


def test_a_csv_the_balancer_moves_after_our_move_is_moved_back_before_its_snapshot(s2d, tmp_path):
    before, mark = run.owners(s2d), len(s2d.events())
    # One CSV at a time per node: NODE4 reads Volume02, then Volume05, both moved there from NODE1 by the plan.
    process = run.start_backup(s2d, tmp_path, *_s2d_args("-e", "csv_backup_concurrency=1"))
    try:
        run.wait_until(s2d, run.reading("Volume02", "NODE4"), timeout=180, what="NODE4 reading Volume02")
        assert s2d.state()["csvs"]["Volume05"]["owner"] == "NODE4"  # the plan's move is done
        s2d.fault("csv_rebalance", csv="Volume05", to="NODE2")  # the balancer takes it to NODE2 before its snapshot
    finally:
        code, stdout, stderr = run.finish(process)
    assert code == 0, stdout[-5000:] + stderr[-2000:]
    events = s2d.events()[mark:]
    balancer = [i for i, e in enumerate(events) if e["op"] == "csv.balancer" and e["args"]["csv"] == "Volume05"]
    assert len(balancer) == 1 and events[balancer[0]]["args"]["to"] == "NODE2" and events[balancer[0]]["ok"]
    after = events[balancer[0]:]
    back = [i for i, e in enumerate(after) if e["op"] == "csv.move" and e["ok"] and e["args"]["csv"] == "Volume05"
            and e["args"]["to"] == "NODE4"]
    snapshot = [i for i, e in enumerate(after) if e["op"] == "snap.create" and e["args"]["csv"] == "Volume05"]
    assert back and snapshot and back[0] < snapshot[0], after
    read = [e for e in after if e["op"] == "backup.read" and e["csv"] == "Volume05"]
    assert [(e["node"], e["read"], e["ok"]) for e in read] == [("NODE4", "local", True)]
    assert run.owners(s2d) == before  # restored to the owners saved before the run, not where the balancer put it
    run.assert_nothing_left(s2d)
    report, dummy = run.report(tmp_path)
    job = run.jobs_by_csv(report)["Volume05"]
    assert job["rebalanced"] == {"from": "NODE4", "to": "NODE2", "moved_back": True}
    assert report["summary"]["rebalanced"] == ["Volume05"]
