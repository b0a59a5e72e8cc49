# -*- coding: utf-8 -*-
"""The record of a backup run from the role's registered results (plugins/plugin_utils/run_record.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import build_report
from ansible_collections.wsfc.csv.plugins.plugin_utils.run_record import run_record

PLAN = {
    "strategy": "balanced", "provider": "software", "window_s": 100.0, "lower_bound_s": 95.0,
    "nodes": {"N1": [{"csv": "A", "bytes": 10, "read": "local", "index": 0}],
              "N2": [{"csv": "B", "bytes": 20, "read": "local", "index": 1},
                     {"csv": "C", "bytes": 5, "read": "local", "index": 2}]},
    "moves": [{"csv": "B", "from": "N1", "to": "N2"}],
    "undo": [{"csv": "B", "from": "N2", "to": "N1"}],
}


def _job(csv, node, state="succeeded", **extra):
    job = {"csv": csv, "node": node, "state": state, "read": "local", "bytes": 1,
           "start": "2026-01-05T01:00:00Z", "end": "2026-01-05T01:01:00Z"}
    job.update(extra)
    return job


def _moves(ok=True):
    return {"results": [{"item": {"csv": "B", "from": "N1", "to": "N2"}, "changed": True, "failed": not ok,
                         "msg": "moved" if ok else "refused"}]}


def _restores(ok=True):
    return {"results": [{"item": {"csv": "B", "from": "N2", "to": "N1"}, "changed": True, "failed": not ok,
                         "msg": "moved" if ok else "timed out"}]}


def test_a_clean_run_reports_every_csv_once_and_ownership_restored():
    queues = [{"jobs": [_job("A", "N1")]}, {"jobs": [_job("B", "N2"), _job("C", "N2")]}]
    run = run_record(PLAN, cluster="CL", moved=_moves(), queues=queues, restored=_restores())
    assert sorted(j["csv"] for j in run["jobs"]) == ["A", "B", "C"]
    assert run["errors"] == [] and run["ownership_restored"] is True
    report = build_report(run)
    assert report["summary"]["result"] == "succeeded"
    assert report["summary"]["moves_made"] == 1 and report["summary"]["moves_undone"] == 1


def test_csvs_of_a_node_that_never_ran_its_queue_are_reported_skipped_with_the_reason():
    run = run_record(PLAN, queues=[{"jobs": [_job("A", "N1")]}, None, {"skipped": True}], moved=_moves(),
                     restored=_restores())
    skipped = dict((j["csv"], j) for j in run["jobs"] if j["state"] == "skipped")
    assert sorted(skipped) == ["B", "C"] and "N2 did not back it up" in skipped["B"]["message"]
    assert build_report(run)["summary"]["csvs_not_backed_up"] == ["B", "C"]


def test_a_failed_restore_is_an_error_and_ownership_is_not_restored():
    queues = [{"jobs": [_job("A", "N1"), _job("B", "N2"), _job("C", "N2")]}]
    run = run_record(PLAN, queues=queues, moved=_moves(), restored=_restores(ok=False))
    assert run["ownership_restored"] is False
    assert any("restore of B to N1 failed: timed out" in e for e in run["errors"])
    assert build_report(run)["summary"]["result"] == "failed"


def test_a_restore_step_that_never_ran_points_to_the_restore_playbook():
    run = run_record(PLAN, queues=[], moved=_moves(), restored=None)
    assert run["ownership_restored"] is False
    assert any("restore_ownership.yml" in e for e in run["errors"])


def test_cleanup_problems_and_rescue_messages_are_errors_lock_warnings_are_kept():
    queues = [{"jobs": [_job("A", "N1", cleanup_errors=["the snapshot {x} of A on N1 could not be deleted"])]}]
    run = run_record(PLAN, queues=queues, restored=_restores(), errors=["", "Move CSVs: refused"],
                     lock={"warnings": ["broke a stale lock of bob"]}, unlock={"failed": True, "msg": "gone"},
                     warnings=["warning on N2: SMB Multichannel is off", ""])
    assert "the snapshot {x} of A on N1 could not be deleted" in run["errors"]
    assert "Move CSVs: refused" in run["errors"] and "" not in run["errors"]
    assert any("lock was not released: gone" in e for e in run["errors"])
    assert run["warnings"] == ["warning on N2: SMB Multichannel is off", "broke a stale lock of bob"]


def test_a_csv_reported_twice_counts_once():
    queues = [{"jobs": [_job("A", "N1")]}, {"jobs": [_job("A", "N2", state="failed")]}]
    run = run_record(PLAN, queues=queues, restored=_restores())
    assert [j["state"] for j in run["jobs"] if j["csv"] == "A"] == ["succeeded"]
