# -*- coding: utf-8 -*-
"""wsfc.csv.backup_report (plugins/action/backup_report.py) with ``prepared``: the record assembled from the play.

The csv_backup role gives backup_report what backup_prepare and backup_review returned, the registered results
of its moves and of the lock, and the names of the variables every host registered its backup_queue result (and
its error) as; the action assembles the run record from them (plugin_utils/run/record.py, tested in
tests/unit/plugins/plugin_utils/run/test_record.py) and writes the report. Here all of it comes from the real
actions: backup_prepare and backup_review run in the same play (controller_play.py), and the node actions'
results are theirs on the lab's recorded answers (play_results.py). test_backup_report.py tests ``run``.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import md

from .checks import documented_returns
from .controller_play import HOSTS, pipe_lookup
from .play_results import rename_csv

ACTION = "backup_report"
FILES = ("report.json", "report.md", "report.html")
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}
DISK1_ONLY = dict(OPTIONS, select="[?name == 'Cluster Disk 1']")


def _prepared(play, results, tmp_path, options=None, views=None):
    play.register("cluster", views or results.cluster())
    prepared = play.run("backup_prepare", {"facts_from": "cluster", "report_dir": str(tmp_path / "reports"),
                                           "options": DISK1_ONLY if options is None else options})
    assert "failed" not in prepared, prepared.get("msg")
    return prepared


def _loop(result, item):
    """What a host registers for a loop of one item."""
    return {"changed": bool(result.get("changed")), "msg": "All items completed",
            "results": [dict(result, item=item, ansible_loop_var="item")]}


def _report(play, prepared, dest, check_mode=False, **args):
    return play.run(ACTION, dict({"prepared": prepared, "queue_from": "queue", "dest": str(dest)}, **args),
                    check_mode=check_mode)


def test_a_run_that_went_well_is_reported_and_written(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared, tmp_path / "report")
    assert set(documented_returns(ACTION)) <= set(result) and result["changed"] is True
    assert result["files"] == [str(tmp_path / "report" / name) for name in FILES]
    assert all((tmp_path / "report" / name).exists() for name in FILES)
    summary = result["summary"]
    assert (summary["cluster"], summary["result"], summary["csvs_backed_up"]) == (
        "RECLAB", "succeeded", ["Cluster Disk 1"])
    assert json.loads((tmp_path / "report" / FILES[0]).read_text())["summary"] == json.loads(json.dumps(summary))
    assert result["lines"][0] == "RECLAB: backup succeeded (balanced), 1 CSV(s) backed up, 0 not"


def test_the_jobs_are_the_queue_s_own_records(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    queue = results.queue("snapshot_dropped")
    play.register("queue", {HOSTS[0]: queue})
    job = _report(play, prepared, tmp_path)["report"]["jobs"][0]
    entry = queue["jobs"][0]
    assert (job["csv"], job["node"], job["job_id"], job["snapshot_id"], job["bytes"]) == (
        entry["csv"], "NODE1", entry["job_id"], entry["snapshot_id"], entry["bytes"])


def test_check_mode_builds_the_report_and_writes_no_file(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared, tmp_path / "report", check_mode=True)
    assert result["changed"] is False and result["summary"]["result"] == "succeeded"
    assert result["files"] == [str(tmp_path / "report" / name) for name in FILES]
    assert not (tmp_path / "report").exists()


def test_a_planned_csv_whose_host_ran_no_queue_is_reported_with_why(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path, options=OPTIONS)  # Cluster Disk 2 is NODE2's
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    report = _report(play, prepared, tmp_path)["report"]
    skipped = [j for j in report["jobs"] if j["csv"] == "Cluster Disk 2"]
    assert [(j["node"], j["state"]) for j in skipped] == [("NODE2", "skipped")]
    assert skipped[0]["message"] == "Cluster Disk 2: NODE2 did not back it up: the run stopped before its queue ran"
    assert report["summary"]["csvs_not_backed_up"] == ["Cluster Disk 2"]


def test_a_host_whose_queue_was_unreachable_is_reported_with_its_message(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path, options=OPTIONS)
    # The unreachable envelope is every action's (WsfcActionBase.run); the recorded one is cluster_info's.
    unreachable = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"), HOSTS[1]: unreachable})
    jobs = _report(play, prepared, tmp_path)["report"]["jobs"]
    assert [j["message"] for j in jobs if j["csv"] == "Cluster Disk 2"] == [
        "Cluster Disk 2: NODE2 did not back it up: %s" % unreachable["msg"]]


def test_a_failed_job_fails_the_run_and_says_why(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    queue = results.queue("job_fails_tolerated")
    play.register("queue", {HOSTS[0]: queue})
    result = _report(play, prepared, tmp_path)
    assert result["summary"]["result"] == "failed" and result["summary"]["csvs_not_backed_up"] == ["Cluster Disk 1"]
    assert result["report"]["jobs"][0]["message"] == queue["jobs"][0]["message"]


def test_the_error_a_host_kept_is_reported_once(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    message = "the move of Cluster Disk 2 to NODE1 failed: the cluster refused it"
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    play.register("step_error", {HOSTS[0]: message, HOSTS[1]: message})
    report = _report(play, prepared, tmp_path, error_from="step_error")["report"]
    assert report["errors"] == [message]


def test_the_moves_made_and_undone_come_from_the_registered_loops(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    moved = _loop(results.result("csv_owner", "move"), {"csv": "Cluster Disk 1", "from": "NODE1", "to": "NODE2"})
    restored = _loop(results.result("csv_owner", "move_dropped_after_done"),
                     {"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"})
    summary = _report(play, prepared, tmp_path, moved=moved, restored=restored)["summary"]
    assert (summary["moves_made"], summary["moves_undone"], summary["ownership_restored"]) == (1, 1, True)


def test_a_lock_that_was_not_released_is_an_error(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    lock = results.result("backup_lock", "take")
    unlock = results.result("backup_lock", "release_refused")
    report = _report(play, prepared, tmp_path, lock=lock, unlock=unlock)["report"]
    assert report["errors"] == ["the backup lock was not released: %s" % unlock["msg"]]


def test_a_review_that_could_not_read_the_cluster_means_ownership_was_not_restored(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", dict((h, down) for h in HOSTS))
    review = play.run("backup_review", {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    result = _report(play, prepared, tmp_path, review=review)
    assert result["summary"]["ownership_restored"] is False
    assert result["report"]["errors"] == ["ownership was not restored: %s" % review["restore"]["error"]]


@pytest.mark.parametrize("args, message", [
    ({"dest": "/tmp/x"}, "one of the following is required: run, prepared"),
    ({"dest": "/tmp/x", "run": {}, "prepared": {}}, "parameters are mutually exclusive: run|prepared"),
])
def test_exactly_one_of_run_and_prepared(play, args, message):
    result = play.run(ACTION, args)
    assert result["failed"] is True and result["msg"] == message


# ---- what the nodes registered is data, never a template -------------------------------------------------------

def test_a_csv_name_with_a_template_in_it_is_written_verbatim_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker)
    prepared = _prepared(play, results, tmp_path, options=dict(OPTIONS, select="[?owner == 'NODE1' && !redirected]"),
                         views=rename_csv(results.cluster(), "Cluster Disk 1", name))
    queue = results.queue("snapshot_dropped")
    queue["jobs"][0]["csv"] = name
    play.register("queue", {HOSTS[0]: queue})
    result = _report(play, prepared, tmp_path / "report")
    assert result["summary"]["csvs_backed_up"] == [name]
    assert json.loads((tmp_path / "report" / FILES[0]).read_text())["jobs"][0]["csv"] == name
    assert md(name) in (tmp_path / "report" / FILES[1]).read_text()  # escaped as Markdown, whole
    assert not marker.exists()


def test_a_registered_queue_that_is_a_string_is_a_queue_that_did_not_run(play, results, tmp_path):
    marker = tmp_path / "pwned"
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: pipe_lookup(marker, prefix="")})
    jobs = _report(play, prepared, tmp_path)["report"]["jobs"]
    assert [(j["csv"], j["state"]) for j in jobs] == [("Cluster Disk 1", "skipped")]
    assert not marker.exists()
