# -*- coding: utf-8 -*-
"""wsfc.csv.backup_report (plugins/action/backup_report.py) with ``prepared``: the records assembled from the play.

The csv_backup role gives backup_report what backup_prepare and backup_review returned and the names of the
variables the hosts registered the results of its steps as: every host its backup_queue (and its error), each
cluster's leader its moves and its lock, each control host its moves back and the lock's release. The action
assembles each cluster's run record from them (plugin_utils/run/record.py, tested in
tests/unit/plugins/plugin_utils/run/test_record.py), writes its report to the cluster's directory and, in a fleet
(a play whose hosts answer for more than one cluster), the fleet summary (plugin_utils/run/fleet.py). Here all of
it comes from the real actions: backup_prepare and backup_review run in the same play (controller_play.py), and
the node actions' results are theirs on the lab's recorded answers (play_results.py); a fleet's second cluster is
three more hosts answering for a copy of the lab cluster called OTHER, each cluster's hosts in their own inventory
group (fleet_play). test_backup_report.py tests ``run``.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import md

from .checks import documented_returns, says_what_to_do
from .controller_play import HOSTS, OTHER_HOSTS, fleet_play, pipe_lookup
from .play_results import OTHER, in_cluster, registered_loop, rename_csv

ACTION = "backup_report"
FILES = ("report.json", "report.md", "report.html")
FLEET_FILES = ("fleet.json", "fleet.md")
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}
DISK1_ONLY = dict(OPTIONS, select="[?name == 'Cluster Disk 1']")
LAB = "RECLAB"
MOVE = {"csv": "Cluster Disk 1", "from": "NODE1", "to": "NODE2"}  # a move and its undo, as the role loops over them
BACK = {"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}


def _prepared(play, results, tmp_path, options=None, views=None, **args):
    play.register("cluster", views or results.cluster())
    prepared = play.run("backup_prepare", dict({"facts_from": "cluster", "report_dir": str(tmp_path / "reports"),
                                                "options": DISK1_ONLY if options is None else options}, **args))
    assert "failed" not in prepared, prepared.get("msg")
    return prepared


def _report(play, prepared, dest=None, check_mode=False, **args):
    task = dict({"prepared": prepared, "queue_from": "queue"}, **args)
    if dest is not None:
        task["dest"] = str(dest)
    return play.run(ACTION, task, check_mode=check_mode)


def _written(directory, names=FILES):
    return [os.path.join(str(directory), name) for name in names]


def _json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def fleet(tmp_path):
    """A play of two clusters: HOSTS are the lab cluster's nodes, OTHER_HOSTS those of OTHER."""
    return fleet_play(tmp_path / "fleet")


def _fleet_prepared(fleet, results, tmp_path, **args):
    """The fleet's run: each cluster backs up its Cluster Disk 1 on its NODE1 (HOSTS[0], OTHER_HOSTS[0])."""
    return _prepared(fleet, results, tmp_path, views=results.fleet(), **args)


def test_a_run_that_went_well_is_reported_and_written(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared, tmp_path / "report")
    # every documented key but a fleet's reports (returned when the run covers more than one cluster)
    assert set(documented_returns(ACTION)) - {"reports"} <= set(result) and "reports" not in result
    assert result["changed"] is True and result["failure"] == []
    assert result["stats"]["report_dir"] == str(tmp_path / "report")
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
    play.register("moved", {HOSTS[0]: registered_loop((results.result("csv_owner", "move"), MOVE))})
    play.register("restored", {HOSTS[0]: registered_loop((results.result("csv_owner", "move_dropped_after_done"),
                                                          BACK))})
    result = _report(play, prepared, tmp_path, moved_from="moved", restored_from="restored")
    summary = result["summary"]
    assert (summary["moves_made"], summary["moves_undone"], summary["ownership_restored"]) == (1, 1, True)
    assert [(m["phase"], m["csv"], m["to"]) for m in result["report"]["moves"]] == [
        ("before", "Cluster Disk 1", "NODE2"), ("restore", "Cluster Disk 1", "NODE1")]
    assert result["failure"] == []


def test_the_moves_back_and_the_release_are_those_of_the_control_host_the_review_chose(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    now = results.cluster()
    now[HOSTS[0]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", now)
    review = play.run("backup_review", {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    assert review["clusters"][LAB]["control_host"] == HOSTS[1]
    back = registered_loop((results.result("csv_owner", "move_dropped_after_done"), BACK))
    failed_back = registered_loop((results.result("csv_owner", "move_fails"), BACK))
    # what the leader (HOSTS[0]) registered is not the restore: the review sent it to HOSTS[1]
    play.register("restored", {HOSTS[0]: failed_back, HOSTS[1]: back})
    play.register("unlocked", {HOSTS[0]: results.result("backup_lock", "release_refused"),
                               HOSTS[1]: results.result("backup_lock", "release")})
    result = _report(play, prepared, tmp_path, review=review, restored_from="restored", unlock_from="unlocked")
    assert result["summary"]["moves_undone"] == 1 and result["summary"]["ownership_restored"] is True
    assert result["report"]["errors"] == [] and result["failure"] == []


def test_a_lock_that_was_not_released_is_an_error_and_fails_the_run(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    unlock = results.result("backup_lock", "release_refused")
    play.register("lock", {HOSTS[0]: results.result("backup_lock", "take")})
    play.register("unlocked", {HOSTS[0]: unlock})
    result = _report(play, prepared, tmp_path, lock_from="lock", unlock_from="unlocked")
    assert result["report"]["errors"] == ["the backup lock was not released: %s" % unlock["msg"]]
    assert len(result["failure"]) == 1
    assert result["failure"][0].startswith("The backup of RECLAB did not complete. Not backed up: none. ")
    assert "the backup lock was not released: %s" % unlock["msg"] in result["failure"][0]


def test_a_lock_that_was_not_taken_is_an_error(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    lock = results.result("backup_lock", "held_by_other_run")
    play.register("lock", {HOSTS[0]: lock})
    report = _report(play, prepared, tmp_path, lock_from="lock")["report"]
    assert report["errors"] == ["the backup lock was not taken, so nothing was backed up: %s" % lock["msg"]]
    assert report["summary"]["csvs_not_backed_up"] == ["Cluster Disk 1"]


def test_a_review_that_could_not_read_the_cluster_means_ownership_was_not_restored(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster_now", dict((h, down) for h in HOSTS))
    review = play.run("backup_review", {"run": prepared, "now_from": "cluster_now", "queue_from": "queue"})
    result = _report(play, prepared, tmp_path, review=review)
    error = review["clusters"][LAB]["restore"]["error"]
    assert result["summary"]["ownership_restored"] is False
    assert result["report"]["errors"] == ["ownership was not restored: %s" % error]
    assert result["failure"] == [
        "The backup of RECLAB did not complete. Not backed up: none. ownership was not restored: %s Ownership "
        "restored: False. The report is in %s; each CSV's entry says what to do next." % (
            error, tmp_path)]  # where it was written: dest


def test_without_dest_the_report_goes_to_the_cluster_s_own_directory(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared)
    folder = prepared["clusters"][LAB]["dir"]
    assert result["files"] == _written(folder) and all(os.path.exists(path) for path in result["files"])
    assert result["stats"]["report_dir"] == folder and result["lines"][-1] == "report: %s" % ", ".join(result["files"])


def test_a_failed_job_is_a_failure_line_that_names_the_cluster_and_its_report(play, results, tmp_path):
    prepared = _prepared(play, results, tmp_path)
    play.register("queue", {HOSTS[0]: results.queue("job_fails_tolerated")})
    failure = _report(play, prepared)["failure"]
    assert len(failure) == 1 and failure[0].startswith(
        "The backup of RECLAB did not complete. Not backed up: Cluster Disk 1.")
    assert failure[0].endswith("Ownership restored: True. The report is in %s; each CSV's entry says what to do "
                               "next." % prepared["clusters"][LAB]["dir"])


def test_with_one_cluster_a_host_that_did_not_answer_is_no_failure_of_its_own(play, results, tmp_path):
    views = results.cluster()
    views[HOSTS[2]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    prepared = _prepared(play, results, tmp_path, views=views)
    assert list(prepared["clusters"][LAB]["unanswered"]) == [HOSTS[2]] and prepared["fleet"] is False
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared, tmp_path)
    assert result["summary"]["result"] == "succeeded" and result["failure"] == []


@pytest.mark.parametrize("args, message", [
    ({}, "one of the following is required: run, prepared"),
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


# ---- a fleet: one report per cluster, and the fleet's summary -----------------------------------------------------

def test_a_fleet_writes_each_cluster_s_report_to_its_own_directory_and_the_fleet_summary(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                             OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared)
    # every documented key ("report" is test_a_fleet_returns_every_documented_key's, a known bug)
    assert set(documented_returns(ACTION)) - {"report"} <= set(result) and result["changed"] is True
    lab_dir, other_dir = prepared["clusters"][LAB]["dir"], prepared["clusters"][OTHER]["dir"]
    assert result["files"] == _written(lab_dir) + _written(other_dir) + _written(prepared["fleet_dir"], FLEET_FILES)
    assert all(os.path.exists(path) for path in result["files"])
    assert list(result["reports"]) == [LAB, OTHER]
    for name, folder in ((LAB, lab_dir), (OTHER, other_dir)):
        report = result["reports"][name]
        assert report["summary"]["cluster"] == name and report["summary"]["csvs_backed_up"] == ["Cluster Disk 1"]
        assert _json(os.path.join(folder, "report.json")) == json.loads(json.dumps(report))
    summary = result["summary"]
    assert (summary["run_id"], summary["result"], summary["failures"]) == (prepared["run_id"], "succeeded", [])
    assert [(c["cluster"], c["result"], c["report_dir"]) for c in summary["clusters"]] == [
        (LAB, "succeeded", lab_dir), (OTHER, "succeeded", other_dir)]
    assert summary["report_dir"] == prepared["fleet_dir"] and summary["ownership_restored"] is True
    assert _json(os.path.join(prepared["fleet_dir"], "fleet.json")) == json.loads(json.dumps(summary))
    fleet_md = (tmp_path / "reports" / os.path.basename(prepared["fleet_dir"]) / "fleet.md").read_text()
    assert "| RECLAB | succeeded | 1 | none | yes | %s |" % md(lab_dir) in fleet_md
    assert result["failure"] == [] and result["stats"] == summary
    assert result["lines"][0] == "fleet run %s: succeeded, 2 cluster(s)" % prepared["run_id"]
    assert result["lines"][-1] == "fleet summary: %s" % ", ".join(_written(prepared["fleet_dir"], FLEET_FILES))


def test_a_fleet_returns_every_documented_key_but_the_one_cluster_report(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared)
    assert set(documented_returns(ACTION)) - {"report"} <= set(result)
    assert "report" not in result and sorted(result["reports"]) == sorted([LAB, OTHER])


def test_the_failure_names_the_cluster_that_failed_and_only_it(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                             OTHER_HOSTS[0]: results.queue("job_fails_tolerated")})
    result = _report(fleet, prepared)
    assert [(c["cluster"], c["result"]) for c in result["summary"]["clusters"]] == [
        (LAB, "succeeded"), (OTHER, "failed")]
    assert result["summary"]["result"] == "failed"
    assert len(result["failure"]) == 1
    assert result["failure"][0].startswith("The backup of OTHER did not complete. Not backed up: Cluster Disk 1.")
    assert result["failure"][0].endswith("The report is in %s; each CSV's entry says what to do next."
                                         % prepared["clusters"][OTHER]["dir"])
    assert _json(os.path.join(prepared["clusters"][LAB]["dir"], "report.json"))["summary"]["result"] == "succeeded"


def test_each_cluster_s_record_has_its_own_hosts_steps_only(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    message = "Back up each node's CSVs in parallel: OTHER's NODE1 refused"
    refused = results.result("backup_lock", "held_by_other_run")
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    fleet.register("step_error", {OTHER_HOSTS[1]: message})
    fleet.register("lock", {HOSTS[0]: results.result("backup_lock", "take"), OTHER_HOSTS[0]: refused})
    fleet.register("moved", {HOSTS[0]: registered_loop((results.result("csv_owner", "move"), MOVE))})
    reports = _report(fleet, prepared, error_from="step_error", lock_from="lock", moved_from="moved")["reports"]
    assert reports[LAB]["errors"] == [] and reports[LAB]["summary"]["moves_made"] == 1
    assert reports[OTHER]["errors"] == [
        message, "the backup lock was not taken, so nothing was backed up: %s" % refused["msg"]]
    assert reports[OTHER]["summary"]["moves_made"] == 0
    assert [(j["csv"], j["node"], j["state"]) for j in reports[OTHER]["jobs"]] == [
        ("Cluster Disk 1", "NODE1", "skipped")]


def test_a_cluster_that_could_not_be_planned_is_named_in_the_failure_and_the_summary(fleet, results, tmp_path):
    fleet.register("network", results.network())  # RECLAB's NODE2 warns
    prepared = _fleet_prepared(fleet, results, tmp_path, network_from="network",
                               options=dict(DISK1_ONLY, network_findings="fail"))
    error = prepared["clusters"][LAB]["error"]
    fleet.register("queue", {OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared)
    assert list(result["reports"]) == [OTHER] and not os.path.exists(prepared["clusters"][LAB]["dir"])
    assert result["summary"]["clusters"][0] == {
        "cluster": LAB, "result": "failed", "error": error, "csvs_backed_up": [], "csvs_not_backed_up": [],
        "ownership_restored": True, "report_dir": None}
    assert result["summary"]["result"] == "failed"
    assert result["failure"] == ["The backup of RECLAB was not made: %s" % error] and says_what_to_do(error)
    assert md(error) in (tmp_path / "reports" / os.path.basename(prepared["fleet_dir"]) / "fleet.md").read_text()


def test_a_host_that_answered_for_no_cluster_fails_the_fleet(results, tmp_path):
    branch = "branch1.example.com"  # the only host of its group, and it did not answer: its cluster was not read
    play = fleet_play(tmp_path / "branch", branch=[branch])
    views = results.fleet()
    views[branch] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    prepared = _prepared(play, results, tmp_path, views=views)
    why = prepared["unanswered"][branch]
    play.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                            OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(play, prepared)
    assert [c["result"] for c in result["summary"]["clusters"]] == ["succeeded", "succeeded"]
    assert result["summary"]["result"] == "failed"
    assert result["summary"]["failures"] == ["%s answered for no cluster: %s" % (branch, why)]
    assert result["failure"] == ["%s answered for no cluster (%s): check that it is up and reachable over WinRM"
                                 % (branch, why)]


def test_in_a_fleet_a_node_that_was_down_is_its_cluster_s_and_no_failure_of_its_own(fleet, results, tmp_path):
    views = results.fleet()
    views[OTHER_HOSTS[2]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    prepared = _prepared(fleet, results, tmp_path, views=views)
    assert prepared["unanswered"] == {} and list(prepared["clusters"][OTHER]["unanswered"]) == [OTHER_HOSTS[2]]
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                             OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared)
    assert result["summary"]["result"] == "succeeded" and result["failure"] == []


def test_check_mode_builds_the_fleet_s_reports_and_writes_no_file(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared, check_mode=True)
    assert result["changed"] is False and list(result["reports"]) == [LAB, OTHER]
    assert result["files"][-2:] == _written(prepared["fleet_dir"], FLEET_FILES) and len(result["files"]) == 8
    assert not (tmp_path / "reports").exists()


def test_with_dest_each_cluster_of_a_fleet_keeps_its_own_report(fleet, results, tmp_path):
    prepared = _fleet_prepared(fleet, results, tmp_path)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                             OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared, dest=tmp_path / "elsewhere")
    assert len(set(result["files"])) == len(result["files"]) == 8
    clusters = [_json(path)["summary"]["cluster"] for path in result["files"] if path.endswith("report.json")]
    assert clusters == [LAB, OTHER]
    for entry in result["summary"]["clusters"]:
        assert os.path.exists(os.path.join(entry["report_dir"], "report.json"))


def test_a_csv_name_with_a_template_in_it_reaches_the_fleet_summary_verbatim_and_runs_nothing(fleet, results,
                                                                                              tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker)
    views = results.fleet()
    views.update(rename_csv(dict((h, views[h]) for h in OTHER_HOSTS), "Cluster Disk 1", name))
    prepared = _prepared(fleet, results, tmp_path, options=dict(OPTIONS, select="[?owner == 'NODE1' && !redirected]"),
                         views=views)
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped")})  # OTHER's queue never ran
    result = _report(fleet, prepared)
    other = result["summary"]["clusters"][1]
    assert (other["cluster"], other["csvs_not_backed_up"]) == (OTHER, [name])
    assert _json(os.path.join(prepared["fleet_dir"], "fleet.json"))["clusters"][1]["csvs_not_backed_up"] == [name]
    fleet_md = (tmp_path / "reports" / os.path.basename(prepared["fleet_dir"]) / "fleet.md").read_text()
    assert md(name) in fleet_md  # escaped as Markdown, whole
    assert name in result["failure"][0]
    assert "{{" not in json.dumps(result["stats"])  # what set_stats publishes has its openers broken up
    assert not marker.exists()


def test_a_cluster_name_with_a_template_in_it_is_written_verbatim_and_runs_nothing(fleet, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker, prefix="")
    prepared = _prepared(fleet, results, tmp_path, views=in_cluster(results.fleet(), name, hosts=OTHER_HOSTS))
    fleet.register("queue", {HOSTS[0]: results.queue("snapshot_dropped"),
                             OTHER_HOSTS[0]: results.queue("snapshot_dropped")})
    result = _report(fleet, prepared)
    folder = prepared["clusters"][name]["dir"]
    assert os.path.dirname(folder) == str(tmp_path / "reports")
    assert _json(os.path.join(folder, "report.json"))["summary"]["cluster"] == name
    assert [c["cluster"] for c in _json(os.path.join(prepared["fleet_dir"], "fleet.json"))["clusters"]] == [LAB, name]
    assert list(result["reports"]) == [LAB, name]
    assert not marker.exists()
