# -*- coding: utf-8 -*-
"""wsfc.csv.backup_review (plugins/action/backup_review.py): what a run leaves to do, from the cluster as it is now.

Runs once on the controller (controller_play.py). With ``run`` (what backup_prepare returned, here the real
action's result in the same play) and ``stage=start``, after each cluster's leader took the lock and made the
moves, it decides which clusters go ahead; with ``stage=end``, after every host read the cluster again, it
re-plans cluster by cluster the CSVs a failover broke from what the hosts' backup_queue registered, decides what
to move back and through which host, and which locks to release. With ``ownership_map`` (the map a run saved) it
decides what to undo of a killed run. The results the hosts registered are the node actions' own, on the lab's
recorded answers (play_results.py); the derivations are a failover (Cluster Disk 1's coordinator moved from NODE1
to NODE2, ``fail_over``) and, for a fleet, three more hosts answering for a copy of the lab cluster called OTHER
(PlayResults.fleet), each cluster's hosts in their own inventory group (fleet_play). The decisions are tested
in tests/unit/plugins/plugin_utils/run/test_review.py.
"""

from __future__ import annotations

import json

import pytest

from .checks import documented_returns, says_what_to_do
from .controller_play import HOSTS, OTHER_HOSTS, fleet_play, pipe_lookup
from .play_results import OTHER, fail_over, in_cluster, registered_loop, rename_csv

ACTION = "backup_review"
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}
ONTO_NODE2 = dict(OPTIONS, strategy="consolidate", node="NODE2")  # moves Cluster Disk 1 from NODE1 to NODE2
LAB = "RECLAB"
START_KEYS = {"reads", "stopped", "locks"}
END_KEYS = {"clusters", "reads", "controls", "restores", "unlocks", "disarms"}
CLUSTER_KEYS = {"control_host", "now_host", "reads", "restore"}  # each cluster's entry of ``clusters``
MAP_KEYS = {"control_host", "now_host", "hosts", "clears", "run_id", "lock_nonce", "method", "restore"}
NOTHING_TO_RESTORE = {"moves": [], "kept": [], "error": None}


def _prepared(play, results, tmp_path, views=None, options=None, **args):
    """What backup_prepare returned for the run (it runs in the same play, on what the hosts registered)."""
    play.register("cluster", views or results.cluster())
    prepared = play.run("backup_prepare", dict({"facts_from": "cluster", "report_dir": str(tmp_path),
                                                "options": options or OPTIONS}, **args))
    assert "failed" not in prepared, prepared.get("msg")
    return prepared


def _saved_map(tmp_path, prepared, of=LAB, **changes):
    """The ownership.json the run saved of cluster ``of`` (what backup_prepare returned as its ``ownership``), with
    ``changes``."""
    path = tmp_path / "ownership.json"
    path.write_text(json.dumps(dict(prepared["clusters"][of]["ownership"], **changes)))
    return str(path)


def _down(results):
    """A host's cluster_info when its node is down (every try refused)."""
    return results.result("cluster_info", "down_node_unreachable", host="NODE3")


def _moved(results, prepared, leader, scenario="move"):
    """What ``leader`` registers for its loop of the cluster's moves, each answered as the recorded ``scenario``."""
    return registered_loop(*[(results.result("csv_owner", scenario), move) for move in prepared["moves"][leader]])


@pytest.fixture
def fleet(tmp_path):
    """A play of two clusters: HOSTS are the lab cluster's nodes, OTHER_HOSTS those of OTHER."""
    return fleet_play(tmp_path / "fleet")


def test_the_documented_keys_are_those_of_the_three_modes():
    assert set(documented_returns(ACTION)) == START_KEYS | END_KEYS | MAP_KEYS


# ---- stage=start: which clusters go ahead after their locks and moves --------------------------------------------

def test_a_cluster_whose_lock_was_taken_goes_ahead_with_every_read_of_the_plan(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    play.register("moved", {HOSTS[0]: registered_loop()})  # the balanced plan moves nothing
    result = play.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock", "moved_from": "moved"})
    assert set(result) == START_KEYS | {"changed"} and result["changed"] is False
    assert result["reads"] == prepared["reads"] and result["stopped"] == {}


def test_a_cluster_whose_moves_were_made_goes_ahead(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path, options=ONTO_NODE2)
    assert prepared["moves"][HOSTS[0]] == [{"csv": "Cluster Disk 1", "from": "NODE1", "to": "NODE2"}]
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    play.register("moved", {HOSTS[0]: _moved(results, prepared, HOSTS[0])})
    result = play.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock", "moved_from": "moved"})
    taken = results.result("backup_lock", "take")
    assert result == {"reads": prepared["reads"], "stopped": {}, "changed": False,
                      "locks": {HOSTS[1]: {"path": taken["path"], "nonce": taken["nonce"]}}}
    assert list(result["reads"]) == [HOSTS[1]]  # NODE2 backs up both CSVs, and its polls refresh the heartbeat


def test_a_cluster_one_of_whose_moves_failed_backs_up_nothing_and_says_why(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path, options=ONTO_NODE2)
    moved = _moved(results, prepared, HOSTS[0], scenario="move_fails")
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    play.register("moved", {HOSTS[0]: moved})
    result = play.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock", "moved_from": "moved"})
    assert result["reads"] == {}
    assert result["stopped"] == {LAB: "a move failed: %s" % moved["results"][0]["msg"]}


def test_a_cluster_whose_lock_another_run_holds_backs_up_nothing_and_says_why(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    lock = results.result("backup_lock", "held_by_other_run")
    play.register("lock", {HOSTS[0]: lock})
    result = play.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock"})
    assert result["reads"] == {}
    assert result["stopped"] == {LAB: "the cluster's backup lock was not taken: %s" % lock["msg"]}
    assert says_what_to_do(result["stopped"][LAB])


def test_a_lock_task_that_did_not_run_or_was_unreachable_stops_its_cluster(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    args = {"run": prepared, "stage": "start", "lock_from": "lock"}
    assert play.run(ACTION, args)["stopped"] == {LAB: "the cluster's backup lock was not taken: it did not run"}
    # The unreachable envelope is every action's (WsfcActionBase.run); the recorded one is cluster_info's.
    unreachable = _down(results)
    play.register("lock", {HOSTS[0]: unreachable})
    result = play.run(ACTION, args)
    assert result["reads"] == {}
    assert result["stopped"] == {LAB: "the cluster's backup lock was not taken: %s" % unreachable["msg"]}


def test_stage_start_without_a_run_is_refused(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared), "stage": "start"})
    assert result["failed"] is True
    assert result["msg"] == "stage=start reviews a run: give run (what wsfc.csv.backup_prepare returned)"


# ---- stage=end: after a run --------------------------------------------------------------------------------------

def test_after_a_run_that_went_well_nothing_is_left_to_do(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue",
                               "lock_from": "lock"})
    assert set(result) == END_KEYS | {"changed"} and result["changed"] is False
    assert list(result["clusters"]) == [LAB] and set(result["clusters"][LAB]) == CLUSTER_KEYS
    lab = result["clusters"][LAB]
    assert (lab["control_host"], lab["now_host"]) == (HOSTS[0], HOSTS[0])
    assert lab["reads"] == result["reads"] == {} and lab["restore"] == NOTHING_TO_RESTORE
    assert result["controls"] == {HOSTS[0]: LAB} and result["restores"] == {HOSTS[0]: []}
    assert result["unlocks"] == {HOSTS[0]: LAB}  # the lock it took is released through its control host


def test_a_csv_whose_job_failed_after_a_failover_is_re_planned_on_its_new_coordinator(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    play.register("queue", {HOSTS[0]: results.queue("job_fails")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    again = result["reads"][HOSTS[1]]
    assert list(result["reads"]) == [HOSTS[1]] and result["clusters"][LAB]["reads"] == result["reads"]
    assert [(r["csv"], r["read"], r["source"], r["replanned_from"], r["index"]) for r in again] == [
        ("Cluster Disk 1", "local", "NODE2", "NODE1", 0)]
    moves = [{"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]
    assert result["clusters"][LAB]["restore"]["moves"] == moves and result["restores"] == {HOSTS[0]: moves}


def test_on_failover_fail_re_plans_nothing_but_still_moves_back(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    play.register("queue", {HOSTS[0]: results.queue("job_fails")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue",
                               "on_failover": "fail"})
    assert result["reads"] == {} and result["clusters"][LAB]["reads"] == {}
    assert len(result["clusters"][LAB]["restore"]["moves"]) == 1 and len(result["restores"][HOSTS[0]]) == 1


def test_the_moves_back_go_through_the_first_host_that_answered_now(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    now = fail_over(results.cluster(), "Cluster Disk 1", "NODE2")
    now[HOSTS[0]] = _down(results)
    play.register("cluster_now", now)
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now"})
    lab = result["clusters"][LAB]
    assert (lab["control_host"], lab["now_host"]) == (HOSTS[1], HOSTS[1])
    assert result["controls"] == result["unlocks"] == {HOSTS[1]: LAB}
    assert result["restores"] == {HOSTS[1]: [{"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]}


def test_when_no_host_can_read_the_cluster_the_restore_says_so(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", dict((h, _down(results)) for h in HOSTS))
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now"})
    lab = result["clusters"][LAB]
    assert "failed" not in result and lab["now_host"] is None and lab["control_host"] == HOSTS[0]
    assert lab["restore"]["moves"] == [] and lab["restore"]["error"]
    assert result["controls"] == {HOSTS[0]: LAB} and result["restores"] == {HOSTS[0]: []}


def test_a_lock_another_run_holds_is_not_released_but_one_whose_take_did_not_answer_is(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    args = {"run": prepared, "now_from": "cluster_now", "lock_from": "lock"}
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "held_by_other_run")})
    refused = play.run(ACTION, args)
    assert refused["unlocks"] == {} and refused["controls"] == {HOSTS[0]: LAB}  # its moves still go back
    play.register("lock", {HOSTS[0]: _down(results)})  # the take may have been made: release it
    assert play.run(ACTION, args)["unlocks"] == {HOSTS[0]: LAB}


def test_stage_end_without_now_from_is_refused(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    result = play.run(ACTION, {"run": prepared})
    assert result["failed"] is True
    assert result["msg"] == "stage=end needs now_from (the variable every host registered its fresh cluster_info as)"


def test_check_mode_decides_the_same(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    args = {"run": prepared, "now_from": "cluster_now"}
    assert play.run(ACTION, args, check_mode=True) == play.run(ACTION, args)


# ---- a fleet: each cluster on its own ----------------------------------------------------------------------------

def test_at_the_start_only_the_cluster_whose_lock_was_refused_stops(fleet, results, tmp_path):
    prepared = _prepared(fleet, results, tmp_path, views=results.fleet())
    assert prepared["leaders"] == {HOSTS[0]: LAB, OTHER_HOSTS[0]: OTHER}
    refused = results.result("backup_lock", "held_by_other_run")
    fleet.register("lock", {HOSTS[0]: results.result("backup_lock", "take"), OTHER_HOSTS[0]: refused})
    result = fleet.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock"})
    assert result["stopped"] == {OTHER: "the cluster's backup lock was not taken: %s" % refused["msg"]}
    assert result["reads"] == prepared["clusters"][LAB]["reads"] and set(result["reads"]) == set(HOSTS[:2])


def test_at_the_start_only_the_cluster_whose_move_failed_stops(fleet, results, tmp_path):
    prepared = _prepared(fleet, results, tmp_path, views=results.fleet(), options=ONTO_NODE2)
    taken = results.result("backup_lock", "take")
    fleet.register("lock", {HOSTS[0]: taken, OTHER_HOSTS[0]: taken})
    failed = _moved(results, prepared, HOSTS[0], scenario="move_fails")
    fleet.register("moved", {HOSTS[0]: failed, OTHER_HOSTS[0]: _moved(results, prepared, OTHER_HOSTS[0])})
    result = fleet.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock", "moved_from": "moved"})
    assert result["stopped"] == {LAB: "a move failed: %s" % failed["results"][0]["msg"]}
    assert result["reads"] == prepared["clusters"][OTHER]["reads"] and list(result["reads"]) == [OTHER_HOSTS[1]]


def test_at_the_end_each_cluster_has_its_own_control_host_moves_back_and_lock(fleet, results, tmp_path):
    prepared = _prepared(fleet, results, tmp_path, views=results.fleet())
    now = results.fleet()
    now[HOSTS[0]] = _down(results)  # RECLAB's leader is gone: its clean-up goes through its next host
    now.update(fail_over(dict((h, now[h]) for h in OTHER_HOSTS), "Cluster Disk 1", "NODE2"))
    fleet.register("cluster_now", now)
    fleet.register("queue", {OTHER_HOSTS[0]: results.queue("job_fails"),
                             HOSTS[0]: results.queue("snapshot_dropped")})
    fleet.register("lock", {HOSTS[0]: results.result("backup_lock", "take"),
                            OTHER_HOSTS[0]: results.result("backup_lock", "held_by_other_run")})
    result = fleet.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue",
                                "lock_from": "lock"})
    assert list(result["clusters"]) == [LAB, OTHER]
    lab, other = result["clusters"][LAB], result["clusters"][OTHER]
    assert (lab["control_host"], lab["now_host"]) == (HOSTS[1], HOSTS[1])
    assert (other["control_host"], other["now_host"]) == (OTHER_HOSTS[0], OTHER_HOSTS[0])
    assert result["controls"] == {HOSTS[1]: LAB, OTHER_HOSTS[0]: OTHER}
    assert lab["restore"] == NOTHING_TO_RESTORE
    back = [{"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]
    assert other["restore"]["moves"] == back and result["restores"] == {HOSTS[1]: [], OTHER_HOSTS[0]: back}
    # OTHER's Cluster Disk 1 failed over during its job: re-planned on OTHER's NODE2, not on RECLAB's
    assert lab["reads"] == {} and list(result["reads"]) == [OTHER_HOSTS[1]] == list(other["reads"])
    assert [(r["csv"], r["source"]) for r in result["reads"][OTHER_HOSTS[1]]] == [("Cluster Disk 1", "NODE2")]
    assert result["unlocks"] == {HOSTS[1]: LAB}  # OTHER's lock is another run's


def test_at_the_end_a_cluster_that_could_not_be_planned_is_not_reviewed(fleet, results, tmp_path):
    fleet.register("network", results.network())  # RECLAB's NODE2 warns
    prepared = _prepared(fleet, results, tmp_path, views=results.fleet(), network_from="network",
                         options=dict(OPTIONS, network_findings="fail"))
    assert prepared["clusters"][LAB]["error"]
    fleet.register("cluster_now", results.fleet())
    result = fleet.run(ACTION, {"run": prepared, "now_from": "cluster_now"})
    assert list(result["clusters"]) == [OTHER]
    assert result["controls"] == result["unlocks"] == {OTHER_HOSTS[0]: OTHER}


def test_a_saved_map_of_one_cluster_of_a_fleet_is_undone_through_that_cluster_s_hosts(fleet, results, tmp_path):
    prepared = _prepared(fleet, results, tmp_path, views=results.fleet())
    fleet.register("cluster_now", results.fleet())
    result = fleet.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared, of=OTHER),
                                "now_from": "cluster_now"})
    assert (result["control_host"], result["now_host"]) == (OTHER_HOSTS[0], OTHER_HOSTS[0])
    assert result["hosts"] == prepared["clusters"][OTHER]["hosts"]
    assert dict((h, [r["csv"] for r in reads]) for h, reads in result["clears"].items()) == {
        OTHER_HOSTS[0]: ["Cluster Disk 1"], OTHER_HOSTS[1]: ["Cluster Disk 2"]}


# ---- from a saved ownership map -----------------------------------------------------------------------------------

def test_a_saved_map_gives_what_to_clear_on_each_host(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared), "now_from": "cluster_now"})
    assert set(result) == MAP_KEYS | {"changed"} and result["changed"] is False
    assert (result["run_id"], result["method"]) == (prepared["run_id"], "copy")
    assert result["hosts"] == prepared["clusters"][LAB]["hosts"]
    assert dict((h, [r["csv"] for r in reads]) for h, reads in result["clears"].items()) == {
        HOSTS[0]: ["Cluster Disk 1"], HOSTS[1]: ["Cluster Disk 2"]}


def test_restore_all_moves_back_every_csv_of_the_map_that_is_not_home(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    args = {"ownership_map": _saved_map(tmp_path, prepared), "now_from": "cluster_now"}
    assert play.run(ACTION, args)["restore"]["moves"] == []  # the run moved nothing
    assert play.run(ACTION, dict(args, restore_all=True))["restore"]["moves"] == [
        {"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]


def test_a_map_that_cannot_be_read_is_refused_saying_nothing_was_changed(play, results, tmp_path):
    play.register("cluster_now", results.cluster())
    result = play.run(ACTION, {"ownership_map": str(tmp_path / "missing.json"), "now_from": "cluster_now"})
    assert result["failed"] is True
    assert result["msg"].startswith("Cannot read the ownership map %s: " % (tmp_path / "missing.json"))
    assert "No such file or directory" in result["msg"]
    assert result["msg"].endswith(". Give the ownership.json of the run (in its report directory); nothing was "
                                  "changed.")


def test_a_file_that_is_not_an_ownership_map_is_refused(play, results, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"summary": {}}))
    play.register("cluster_now", results.cluster())
    result = play.run(ACTION, {"ownership_map": str(path), "now_from": "cluster_now"})
    assert result["failed"] is True and result["msg"] == (
        "%s is not an ownership map saved by wsfc.csv.csv_backup (no 'owners'); nothing was changed." % path)


def test_a_map_of_another_cluster_is_refused(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared, cluster="HVCLUSTER9"),
                               "now_from": "cluster_now"})
    assert result["failed"] is True and result["msg"] == (
        "The map is of cluster HVCLUSTER9, not RECLAB: run it against that cluster. Nothing was changed.")


def test_a_map_is_refused_when_no_host_can_read_the_cluster(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", dict((h, _down(results)) for h in HOSTS))
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared), "now_from": "cluster_now"})
    assert result["failed"] is True and result["msg"].startswith("No node of %s answered" % ", ".join(HOSTS))
    assert result["msg"].endswith("nothing was changed.")


@pytest.mark.parametrize("args, message", [
    ({}, "one of the following is required: run, ownership_map, record_from"),
    ({"run": {}, "ownership_map": "/x.json"}, "parameters are mutually exclusive: run|ownership_map|record_from"),
    ({"record_from": "r", "ownership_map": "/x.json"}, "parameters are mutually exclusive: run|ownership_map|record_from"),
])
def test_exactly_one_of_run_ownership_map_and_record_from(play, args, message):
    result = play.run(ACTION, dict(args, now_from="cluster_now"))
    assert result["failed"] is True and result["msg"] == message


# ---- what the nodes registered is data, never a template -------------------------------------------------------

def test_a_csv_name_with_a_template_in_it_comes_back_verbatim_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker)
    views = rename_csv(results.cluster(), "Cluster Disk 1", name)
    prepared = _prepared(play, results, tmp_path, views=views)
    play.register("cluster_now", fail_over(views, name, "NODE2"))
    play.register("queue", {HOSTS[0]: results.queue("job_fails")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    assert result["clusters"][LAB]["restore"]["moves"] == [{"csv": name, "from": "NODE2", "to": "NODE1"}]
    assert result["restores"][HOSTS[0]] == result["clusters"][LAB]["restore"]["moves"]
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_a_host_that_did_not_answer(play, results, tmp_path):
    marker = tmp_path / "pwned"
    prepared = _prepared(play, results, tmp_path)
    now = results.cluster()
    now[HOSTS[0]] = pipe_lookup(marker, prefix="")
    play.register("cluster_now", now)
    play.register("queue", {HOSTS[0]: pipe_lookup(marker, prefix="")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    assert result["clusters"][LAB]["now_host"] == HOSTS[1] and result["reads"] == {} and not marker.exists()


def test_a_registered_lock_or_move_that_is_a_string_stops_its_cluster_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    prepared = _prepared(play, results, tmp_path)
    play.register("lock", {HOSTS[0]: pipe_lookup(marker, prefix="")})
    play.register("moved", {HOSTS[0]: pipe_lookup(marker, prefix="")})
    result = play.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock", "moved_from": "moved"})
    assert result == {"reads": {}, "stopped": {LAB: "the cluster's backup lock was not taken: it did not run"},
                      "locks": {}, "changed": False}
    assert not marker.exists()


def test_a_cluster_name_with_a_template_in_it_comes_back_verbatim_and_runs_nothing(fleet, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker, prefix="")
    views = in_cluster(results.fleet(), name, hosts=OTHER_HOSTS)
    prepared = _prepared(fleet, results, tmp_path, views=views)
    fleet.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    start = fleet.run(ACTION, {"run": prepared, "stage": "start", "lock_from": "lock"})
    assert list(start["stopped"]) == [name] and set(start["reads"]) == set(HOSTS[:2])
    fleet.register("cluster_now", views)
    end = fleet.run(ACTION, {"run": prepared, "now_from": "cluster_now", "lock_from": "lock"})
    assert list(end["clusters"]) == [LAB, name] and end["controls"][OTHER_HOSTS[0]] == name
    assert not marker.exists()
