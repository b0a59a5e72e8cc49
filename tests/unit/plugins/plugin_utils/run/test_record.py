# -*- coding: utf-8 -*-
"""The record of a backup run from the role's registered results (plugins/plugin_utils/run/record.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import build_report
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import prepare_run
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.record import (
    clock_skews,
    correct_clocks,
    record_of_run,
    run_record,
)

from run_answers import OPTIONS, every_host_answers, hosts as play_hosts  # pylint: disable=import-error

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


# ---- failover re-plan, state-driven restore, clock skew --------------------------------------------------------

def test_a_csv_re_planned_after_a_failover_is_reported_once_with_its_first_attempt():
    first = _job("A", "N1", state="failed", exit_code=8, failover={"from": "N1", "to": "N2"},
                 message="A on N1: the cluster failed it over from N1 to N2 during its backup")
    queues = [{"jobs": [first]}, {"jobs": [_job("B", "N2"), _job("C", "N2")]}]
    requeues = [None, {"jobs": [_job("A", "N2", start="2026-01-05T01:02:00Z", end="2026-01-05T01:03:00Z")]}]
    run = run_record(PLAN, queues=queues, requeues=requeues, nodes=["N1", "N2"], restored=_restores())
    jobs = dict((j["csv"], j) for j in run["jobs"])
    assert len(run["jobs"]) == 3 and jobs["A"]["node"] == "N2" and jobs["A"]["state"] == "succeeded"
    assert jobs["A"]["attempts"][0]["node"] == "N1"
    assert any("re-planned on N2: succeeded" in w for w in run["warnings"])
    report = build_report(run)
    assert report["summary"]["result"] == "succeeded"
    # The failed first attempt counts in the window and shows on N1's timeline, marked as an attempt.
    assert report["summary"]["measured_window_s"] == 180.0
    assert [e["attempt"] for e in report["timeline"]["N1"]] == [True]


def test_with_on_failover_fail_the_failed_over_csv_says_it_was_not_re_planned():
    first = _job("A", "N1", state="failed", failover={"from": "N1", "to": "N2"}, message="A on N1: failed over")
    run = run_record(PLAN, queues=[{"jobs": [first]}, {"jobs": [_job("B", "N2"), _job("C", "N2")]}],
                     on_failover="fail", restored=_restores())
    job = [j for j in run["jobs"] if j["csv"] == "A"][0]
    assert job["state"] == "failed" and "not re-planned (csv_backup_on_failover=fail)" in job["message"]


def test_a_node_whose_queue_was_unreachable_is_named_with_its_own_message():
    queues = [{"unreachable": True, "msg": "connection refused"}, {"jobs": [_job("B", "N2"), _job("C", "N2")]}]
    run = run_record(PLAN, queues=queues, nodes=["N1", "N2"], restored=_restores())
    job = [j for j in run["jobs"] if j["csv"] == "A"][0]
    assert job["state"] == "skipped" and "N1 did not back it up: connection refused" in job["message"]


def test_a_restore_decided_from_the_state_reports_what_it_kept_and_an_unanswered_read_as_not_restored():
    queues = [{"jobs": [_job("A", "N1")]}, {"jobs": [_job("B", "N2"), _job("C", "N2")]}]
    kept = {"moves": [], "kept": [{"csv": "A", "on": "N2", "owner": "N1", "why": "its original owner N1 is Down"}],
            "error": None}
    run = run_record(PLAN, queues=queues, restore=kept, restored={"results": []})
    assert run["ownership_restored"] is True and "A stays on N2: its original owner N1 is Down" in run["warnings"]
    nobody = {"moves": [], "kept": [], "error": "no node answered"}
    run = run_record(PLAN, queues=queues, restore=nobody)
    assert run["ownership_restored"] is False and "ownership was not restored: no node answered" in run["errors"]


def _clock(at, node_time, later=None):
    samples = [[at, node_time]]
    if later:
        samples.append(later)
    return samples


def test_clock_skews_compare_nodes_at_one_instant_at_their_measured_rate():
    # Clocks that run 20x faster than the controller's (as in the lab), read 2 s apart: no skew.
    n1 = _clock(1000.0, "2026-01-05T01:00:00Z", [1010.0, "2026-01-05T01:03:20Z"])
    n2 = _clock(1002.0, "2026-01-05T01:00:40Z", [1012.0, "2026-01-05T01:04:00Z"])
    n3 = _clock(1001.0, "2026-01-05T01:20:20Z", [1011.0, "2026-01-05T01:23:40Z"])  # 1200 s ahead
    skews = clock_skews([{"clock": n1}, {"clock": n2}, {"clock": n3}], ["N1", "N2", "N3"])
    assert skews == {"N1": 0.0, "N2": 0.0, "N3": 1200.0}


def test_times_of_a_skewed_node_are_corrected_and_warned_about_and_small_skews_left_alone():
    jobs = [_job("A", "N1"), _job("B", "N3", start="2026-01-05T01:20:00Z", end="2026-01-05T01:21:00Z")]
    fixed, warnings = correct_clocks(jobs, {"N1": 0.0, "N2": 30.0, "N3": 1200.0})
    assert fixed[0]["start"] == "2026-01-05T01:00:00Z"
    assert fixed[1]["start"].startswith("2026-01-05T01:00:00") and fixed[1]["clock_corrected_s"] == -1200.0
    assert len(warnings) == 1 and warnings[0].startswith("N3's clock is 1200 s ahead of N1's")


# ---- record_of_run: the record from the role's steps and what every host registered -------------------------------

def _prepared():
    fleet = prepare_run(play_hosts(), every_host_answers(), options=OPTIONS, token="t", forks=1,
                        started=datetime(2026, 12, 1, tzinfo=timezone.utc))
    run = list(fleet["clusters"].values())[0]
    return dict(run, run_warnings=fleet["run_warnings"]), play_hosts()


def test_record_of_run_reports_every_planned_csv_once_with_its_host_s_node():
    run, hosts = _prepared()
    first = next(iter(run["reads"]))
    queues = {first: {"jobs": [{"csv": r["csv"], "node": run["hosts"][first], "state": "succeeded", "read": "local",
                                "start": "2026-12-01T00:00:10Z", "end": "2026-12-01T00:01:10Z", "bytes": 1}
                               for r in run["reads"][first]]}}
    queues.update((h, {"skipped": True}) for h in hosts if h not in queues)
    record = record_of_run(run, hosts, queues=queues, errors={h: "Move CSVs: failed" for h in hosts})
    planned = sorted(r["csv"] for reads in run["reads"].values() for r in reads)
    assert sorted(j["csv"] for j in record["jobs"]) == planned
    skipped = [j for j in record["jobs"] if j["state"] == "skipped"]
    assert skipped and all("did not back it up: the run stopped before its queue ran" in j["message"] for j in skipped)
    assert record["errors"].count("Move CSVs: failed") == 1
    assert record["cluster"] == "HVCLUSTER1" and record["started"] == run["started"]
    assert any(w.startswith("Ansible runs 1 fork(s)") for w in record["warnings"])
