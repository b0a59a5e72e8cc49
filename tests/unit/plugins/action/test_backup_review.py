# -*- coding: utf-8 -*-
"""wsfc.csv.backup_review (plugins/action/backup_review.py): what a run leaves to do, from the cluster as it is now.

Runs once on the controller (controller_play.py) after every host read the cluster again. With ``run`` (what
backup_prepare returned, here the real action's result in the same play) it re-plans the CSVs a failover broke
from what the hosts' backup_queue registered and decides what to move back; with ``ownership_map`` (the map a run
saved) it decides what to undo of a killed run. The results the hosts registered are the node actions' own, on
the lab's recorded answers (play_results.py); the failover is the one derivation: Cluster Disk 1's coordinator
moved from NODE1 to NODE2 (``fail_over``). The decisions are tested in
tests/unit/plugins/plugin_utils/run/test_review.py.
"""

from __future__ import annotations

import json

import pytest

from .checks import documented_returns
from .controller_play import HOSTS, pipe_lookup
from .play_results import fail_over, rename_csv

ACTION = "backup_review"
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}
RUN_KEYS = {"control_host", "now_host", "reads", "restore"}
MAP_KEYS = {"control_host", "now_host", "hosts", "clears", "run_id", "method", "restore"}


def _prepared(play, results, tmp_path, views=None):
    """What backup_prepare returned for the run (it runs in the same play, on what the hosts registered)."""
    play.register("cluster", views or results.cluster())
    prepared = play.run("backup_prepare", {"facts_from": "cluster", "report_dir": str(tmp_path), "options": OPTIONS})
    assert "failed" not in prepared, prepared.get("msg")
    return prepared


def _saved_map(tmp_path, prepared, **changes):
    """The ownership.json the run saved (what backup_prepare returned as ``ownership``), with ``changes``."""
    path = tmp_path / "ownership.json"
    path.write_text(json.dumps(dict(prepared["ownership"], **changes)))
    return str(path)


def test_the_documented_keys_are_those_of_the_two_modes():
    assert set(documented_returns(ACTION)) == RUN_KEYS | MAP_KEYS


# ---- after a run ----------------------------------------------------------------------------------------------

def test_after_a_run_that_went_well_nothing_is_left_to_do(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    assert set(result) == RUN_KEYS | {"changed"} and result["changed"] is False
    assert (result["control_host"], result["now_host"]) == (HOSTS[0], HOSTS[0])
    assert result["reads"] == {} and result["restore"] == {"moves": [], "kept": [], "error": None}


def test_a_csv_whose_job_failed_after_a_failover_is_re_planned_on_its_new_coordinator(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    play.register("queue", {HOSTS[0]: results.queue("job_fails")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    again = result["reads"][HOSTS[1]]
    assert list(result["reads"]) == [HOSTS[1]]
    assert [(r["csv"], r["read"], r["source"], r["replanned_from"], r["index"]) for r in again] == [
        ("Cluster Disk 1", "local", "NODE2", "NODE1", 0)]
    assert result["restore"]["moves"] == [{"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]


def test_on_failover_fail_re_plans_nothing_but_still_moves_back(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    play.register("queue", {HOSTS[0]: results.queue("job_fails")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue",
                               "on_failover": "fail"})
    assert result["reads"] == {} and len(result["restore"]["moves"]) == 1


def test_the_moves_back_go_through_the_first_host_that_answered_now(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    now = fail_over(results.cluster(), "Cluster Disk 1", "NODE2")
    now[HOSTS[0]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", now)
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now"})
    assert (result["control_host"], result["now_host"]) == (HOSTS[1], HOSTS[1])


def test_when_no_host_can_read_the_cluster_the_restore_says_so(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", dict((h, down) for h in HOSTS))
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now"})
    assert "failed" not in result and result["now_host"] is None and result["control_host"] == HOSTS[0]
    assert result["restore"]["moves"] == [] and result["restore"]["error"]


def test_check_mode_decides_the_same(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", fail_over(results.cluster(), "Cluster Disk 1", "NODE2"))
    args = {"run": prepared, "now_from": "cluster_now"}
    assert play.run(ACTION, args, check_mode=True) == play.run(ACTION, args)


# ---- from a saved ownership map -----------------------------------------------------------------------------------

def test_a_saved_map_gives_what_to_clear_on_each_host(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("cluster_now", results.cluster())
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared), "now_from": "cluster_now"})
    assert set(result) == MAP_KEYS | {"changed"} and result["changed"] is False
    assert (result["run_id"], result["method"]) == (prepared["run_id"], "copy")
    assert result["hosts"] == prepared["hosts"]
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
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", dict((h, down) for h in HOSTS))
    result = play.run(ACTION, {"ownership_map": _saved_map(tmp_path, prepared), "now_from": "cluster_now"})
    assert result["failed"] is True and result["msg"].startswith("No node of %s answered" % ", ".join(HOSTS))
    assert result["msg"].endswith("nothing was changed.")


@pytest.mark.parametrize("args, message", [
    ({}, "one of the following is required: run, ownership_map"),
    ({"run": {}, "ownership_map": "/x.json"}, "parameters are mutually exclusive: run|ownership_map"),
])
def test_exactly_one_of_run_and_ownership_map(play, args, message):
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
    assert result["restore"]["moves"] == [{"csv": name, "from": "NODE2", "to": "NODE1"}]
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_a_host_that_did_not_answer(play, results, tmp_path):
    marker = tmp_path / "pwned"
    prepared = _prepared(play, results, tmp_path)
    now = results.cluster()
    now[HOSTS[0]] = pipe_lookup(marker, prefix="")
    play.register("cluster_now", now)
    play.register("queue", {HOSTS[0]: pipe_lookup(marker, prefix="")})
    result = play.run(ACTION, {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    assert result["now_host"] == HOSTS[1] and result["reads"] == {} and not marker.exists()
