# -*- coding: utf-8 -*-
"""What a run leaves to do, from the cluster as it is now (plugins/plugin_utils/run/review.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import RunError, prepare_run
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.review import (
    review_cluster,
    review_run,
    review_saved_map,
    review_start,
)

from run_answers import OPTIONS, cluster_info, every_host_answers, hosts, unreachable  # pylint: disable=import-error

OWNERS = {"Disk A": "NODE1", "Disk B": "NODE1", "Disk C": "NODE1", "Disk D": "NODE1"}


def _fleet():
    return prepare_run(hosts(), every_host_answers(owners=OWNERS), options=OPTIONS,
                       started=datetime(2026, 12, 1, tzinfo=timezone.utc), token="t")


def _run():
    """The one cluster's part of the run (what review_cluster reviews)."""
    run = list(_fleet()["clusters"].values())[0]
    assert run["plan"]["moves"], "the fixture must make the plan move CSVs"
    return run


def _after_moves(run, **kw):
    owners = dict(OWNERS)
    for move in run["plan"]["moves"]:
        owners[move["csv"]] = move["to"]
    return every_host_answers(owners=owners, **kw)


def _queues(run, state="succeeded", **extra):
    return dict((h, {"jobs": [dict({"csv": r["csv"], "node": run["hosts"][h], "state": state}, **extra)
                              for r in reads]}) for h, reads in run["reads"].items())


def test_after_a_good_run_the_moved_csvs_go_back_through_the_first_host_that_answered():
    run = _run()
    now = _after_moves(run)
    now["node1.example.com"] = unreachable()
    review = review_cluster(run, hosts(), queues=_queues(run), now=now)
    assert review["control_host"] == review["now_host"] == "node2.example.com"
    assert review["reads"] == {}
    moved = sorted((m["csv"], m["to"]) for m in run["plan"]["moves"])
    assert sorted((m["csv"], m["from"]) for m in review["restore"]["moves"]) == moved
    assert all(m["to"] == "NODE1" for m in review["restore"]["moves"])


def test_a_csv_the_cluster_failed_over_is_replanned_on_the_host_of_its_new_coordinator():
    run = _run()
    host, reads = next((h, r) for h, r in run["reads"].items() if run["hosts"][h] != "NODE4")
    csv = reads[0]["csv"]
    owners = dict(OWNERS, **dict((m["csv"], m["to"]) for m in run["plan"]["moves"]))
    owners[csv] = "NODE4"
    queues = _queues(run)
    for job in queues[host]["jobs"]:
        if job["csv"] == csv:
            job["state"] = "failed"
    review = review_cluster(run, hosts(), queues=queues, now=every_host_answers(owners=owners))
    assert list(review["reads"]) == ["node4.example.com"]
    assert [(r["csv"], r["node"], r["read"]) for r in review["reads"]["node4.example.com"]] == [(csv, "NODE4", "local")]
    failed = review_cluster(run, hosts(), queues=queues, now=every_host_answers(owners=owners), on_failover="fail")
    assert failed["reads"] == {}


def test_no_node_answering_at_the_end_keeps_the_facts_host_and_says_why_nothing_moves_back():
    run = _run()
    review = review_cluster(run, hosts(), queues=_queues(run), now=dict((h, unreachable()) for h in hosts()))
    assert review["control_host"] == run["facts_host"] and review["now_host"] is None
    assert review["restore"]["moves"] == [] and "no node answered" in review["restore"]["error"]


def test_a_csv_whose_original_owner_is_down_stays_with_the_reason():
    run = _run()
    review = review_cluster(run, hosts(), queues=_queues(run), now=_after_moves(run, down=("NODE1",)))
    assert review["restore"]["moves"] == []
    assert {k["why"] for k in review["restore"]["kept"]} == {"its original owner NODE1 is Down"}


def _saved(run):
    return dict(run["ownership"])


def test_a_saved_map_clears_each_host_s_jobs_and_moves_back_only_what_the_run_moved():
    run = _run()
    review = review_saved_map(_saved(run), hosts(), _after_moves(run))
    assert review["run_id"] == run["run_id"] and review["method"] == "copy"
    assert review["clears"] == run["reads"]
    assert sorted(m["csv"] for m in review["restore"]["moves"]) == sorted(m["csv"] for m in run["plan"]["moves"])


def test_a_saved_map_moves_back_everything_with_restore_all():
    run = _run()
    now = every_host_answers(owners=dict((c, "NODE2") for c in OWNERS))
    assert len(review_saved_map(_saved(run), hosts(), now, restore_all=True)["restore"]["moves"]) == len(OWNERS)
    moved = review_saved_map(_saved(run), hosts(), now)["restore"]["moves"]
    assert sorted(m["csv"] for m in moved) == sorted(m["csv"] for m in run["plan"]["moves"])


def test_a_cluster_record_clears_every_csv_of_the_run_on_every_node_that_answered():
    run = _run()
    record = dict(_saved(run), nonce="b" * 32)  # the watchdog's record carries the map's keys
    review = review_saved_map(record, hosts(), _after_moves(run), everywhere=True)
    every = [read for reads in run["ownership"]["reads"].values() for read in reads]
    assert sorted(review["clears"]) == sorted(hosts()) and all(v == every for v in review["clears"].values())
    assert review["lock_nonce"] == "b" * 32
    assert sorted(m["csv"] for m in review["restore"]["moves"]) == sorted(m["csv"] for m in run["plan"]["moves"])


def test_a_watchdog_that_was_not_armed_stops_the_cluster_before_any_move_and_a_skipped_one_does_not():
    fleet = _fleet()
    run = fleet["clusters"]["HVCLUSTER1"]
    lock = dict(_lock(), path="C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock", nonce="a" * 32)
    failed = review_start(fleet, locks={"node1.example.com": lock},
                          watchdogs={"node1.example.com": {"failed": True, "msg": "access denied"}})
    assert failed["reads"] == {} and "watchdog was not armed (access denied)" in failed["stopped"]["HVCLUSTER1"]
    skipped = review_start(fleet, locks={"node1.example.com": lock}, watchdogs={"node1.example.com": {"skipped": True}})
    assert skipped["reads"] == run["reads"]


def test_the_end_disarms_the_watchdog_of_each_cluster_whose_lock_the_run_took():
    fleet = _fleet()
    lock = dict(_lock(), path="C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock", nonce="a" * 32)
    review = review_run(fleet, hosts(), now=every_host_answers(owners=OWNERS), locks={"node1.example.com": lock})
    assert review["disarms"] == {"node1.example.com": {"path": lock["path"], "nonce": "a" * 32}}
    refused = review_run(fleet, hosts(), now=every_host_answers(owners=OWNERS),
                         locks={"node1.example.com": _lock(False)})
    assert refused["disarms"] == {}


def test_a_saved_map_of_another_cluster_is_refused():
    saved = dict(_saved(_run()), cluster="OTHER")
    with pytest.raises(RunError, match="The map is of cluster OTHER, not HVCLUSTER1"):
        review_saved_map(saved, hosts(), every_host_answers())


def test_a_saved_map_needs_one_node_that_answers():
    with pytest.raises(RunError, match="No node of .* answered"):
        review_saved_map(_saved(_run()), hosts(), dict((h, unreachable()) for h in hosts()))


def test_hosts_are_matched_by_the_name_their_node_reports():
    facts = every_host_answers()
    facts["node3.example.com"] = cluster_info("NODE1")
    with pytest.raises(RunError, match="both cluster node NODE1"):
        review_saved_map(_saved(_run()), hosts(), facts)


def test_nothing_is_replanned_when_the_run_stopped_before_its_queues():
    run = _run()
    now = every_host_answers(owners=OWNERS)  # a move failed: the CSVs are still on NODE1, nothing was read
    assert review_cluster(run, hosts(), queues={}, now=now)["reads"] == {}
    skipped = dict((h, {"skipped": True}) for h in hosts())
    assert review_cluster(run, hosts(), queues=skipped, now=now)["reads"] == {}


def test_the_csvs_of_a_node_lost_during_its_queue_are_replanned_on_their_new_coordinator():
    run = _run()
    lost = next(h for h in run["reads"] if run["hosts"][h] != "NODE1")
    owners = dict(OWNERS, **dict((m["csv"], m["to"]) for m in run["plan"]["moves"]))
    for read in run["reads"][lost]:
        owners[read["csv"]] = "NODE1"  # the cluster failed them over to NODE1 when their node went down
    queues = _queues(run)
    queues[lost] = unreachable()
    now = every_host_answers(owners=owners, down=(run["hosts"][lost],))
    now[lost] = unreachable()
    review = review_cluster(run, hosts(), queues=queues, now=now)
    assert sorted(r["csv"] for r in review["reads"]["node1.example.com"]) == sorted(r["csv"] for r in run["reads"][lost])


# ---- the whole run: every cluster, and which clusters go ahead ------------------------------------------------------

def _lock(ok=True, msg="held by run other"):
    return {"changed": ok} if ok else {"failed": True, "msg": msg}


def test_the_run_review_gives_each_control_host_its_cluster_s_moves_back_and_its_lock():
    fleet = _fleet()
    run = fleet["clusters"]["HVCLUSTER1"]
    review = review_run(fleet, hosts(), queues=_queues(run), now=_after_moves(run),
                        locks={"node1.example.com": _lock()})
    assert review["controls"] == review["unlocks"] == {"node1.example.com": "HVCLUSTER1"}
    assert review["restores"]["node1.example.com"] == review["clusters"]["HVCLUSTER1"]["restore"]["moves"]
    assert len(review["restores"]["node1.example.com"]) == len(run["plan"]["moves"])


def test_a_lock_another_run_holds_is_not_released_but_one_whose_take_did_not_answer_is():
    fleet = _fleet()
    run = fleet["clusters"]["HVCLUSTER1"]
    refused = review_run(fleet, hosts(), now=every_host_answers(owners=OWNERS),
                         locks={"node1.example.com": _lock(False)})
    assert refused["unlocks"] == {}
    unknown = review_run(fleet, hosts(), now=every_host_answers(owners=OWNERS),
                         locks={"node1.example.com": unreachable()})
    assert unknown["unlocks"] == {"node1.example.com": "HVCLUSTER1"}
    assert run["facts_host"] == "node1.example.com"


def test_a_cluster_goes_ahead_only_with_its_lock_taken_and_every_move_made():
    fleet = _fleet()
    run = fleet["clusters"]["HVCLUSTER1"]
    moves = {"results": [{"changed": True, "item": m} for m in run["plan"]["moves"]]}
    go = review_start(fleet, locks={"node1.example.com": _lock()}, moved={"node1.example.com": moves})
    assert go == {"reads": run["reads"], "stopped": {}, "locks": {}}  # a lock result without path and nonce
    taken = dict(_lock(), path="C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock", nonce="a" * 32)
    go = review_start(fleet, locks={"node1.example.com": taken}, moved={"node1.example.com": moves})
    assert go["locks"] == dict((host, {"path": taken["path"], "nonce": "a" * 32}) for host in run["reads"])
    refused = review_start(fleet, locks={"node1.example.com": _lock(False)})
    assert refused["reads"] == {} and "lock was not taken: held by run other" in refused["stopped"]["HVCLUSTER1"]
    moves["results"][0] = {"failed": True, "msg": "the node refused", "item": run["plan"]["moves"][0]}
    failed = review_start(fleet, locks={"node1.example.com": _lock()}, moved={"node1.example.com": moves})
    assert failed["reads"] == {} and failed["stopped"] == {"HVCLUSTER1": "a move failed: the node refused"}


def test_each_cluster_is_reviewed_through_its_own_hosts():
    facts = every_host_answers(owners=OWNERS)
    facts.update(("other%d" % n, cluster_info("NODE%d" % n, name="OTHER")) for n in (1, 2))
    play = hosts() + ["other1", "other2"]
    fleet = prepare_run(play, facts, options=OPTIONS, started=datetime(2026, 12, 1, tzinfo=timezone.utc), token="t")
    now = dict(facts)
    now["other1"] = unreachable()
    review = review_run(fleet, play, now=now)
    assert review["controls"] == {"node1.example.com": "HVCLUSTER1", "other2": "OTHER"}
    assert review["clusters"]["OTHER"]["now_host"] == "other2"
