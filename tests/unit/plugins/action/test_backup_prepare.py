# -*- coding: utf-8 -*-
"""wsfc.csv.backup_prepare (plugins/action/backup_prepare.py): the run's plan, from what every host registered.

The action runs once on the controller and reads what the play's hosts registered (``cluster_info``, and
optionally ``network_info``) through real HostVars (controller_play.py); those results are the node actions' own,
on the lab's recorded answers (play_results.py): three hosts, one per node of the lab cluster RECLAB, whose
Online CSVs are Cluster Disk 1 (NODE1) and 2 (NODE2). The decisions themselves are tested in
tests/unit/plugins/plugin_utils/run/test_prepare.py; these test the wiring and the result a playbook gets.
"""

from __future__ import annotations

import re

from .checks import documented_returns, says_what_to_do
from .controller_play import HOSTS, ControllerPlay, pipe_lookup
from .play_results import rename_csv

ACTION = "backup_prepare"
OPTIONS = {"target": "\\\\backup01\\csv", "provider": "software"}


def _prepare(play, tmp_path, options=None, **args):
    task = {"facts_from": "cluster", "report_dir": str(tmp_path / "reports"),
            "options": dict(OPTIONS, **(options or {}))}
    task.update(args)
    return play.run(ACTION, task)


def _ready(play, results):
    play.register("cluster", results.cluster())
    return play


def test_returns_every_documented_key_and_changes_nothing(play, results, tmp_path, node):
    _ready(play, results)
    before = len(node.calls)  # cluster_info ran on the fake node to make the results
    result = _prepare(play, tmp_path)
    assert "failed" not in result and result["changed"] is False
    assert set(documented_returns(ACTION)) <= set(result)
    assert len(node.calls) == before  # and the controller action asked no node anything


def test_each_host_is_the_node_it_answered_for_and_gets_that_node_s_reads(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path)
    assert result["hosts"] == dict(zip(HOSTS, ("NODE1", "NODE2", "NODE3"))) and result["unanswered"] == {}
    assert result["facts_host"] == HOSTS[0] and result["cluster"]["cluster"]["name"] == "RECLAB"
    assert dict((h, [r["csv"] for r in reads]) for h, reads in result["reads"].items()) == {
        HOSTS[0]: ["Cluster Disk 1"], HOSTS[1]: ["Cluster Disk 2"]}  # NODE3 has nothing to back up
    assert [s["csv"] for s in result["plan"]["skipped"]] == ["Cluster Disk 4", "Cluster Disk 3"]


def test_the_run_is_named_and_placed_in_the_report_dir(play, results, tmp_path):
    first, second = _prepare(_ready(play, results), tmp_path), _prepare(play, tmp_path)
    assert re.match(r"^\d{8}T\d{6}Z-[a-z0-9]{6}$", first["run_id"]) and first["run_id"] != second["run_id"]
    assert first["dir"] == "%s/RECLAB-%s" % (tmp_path / "reports", first["run_id"])
    assert first["run_id"].startswith(re.sub(r"[-:]|\.\d+", "", first["started"])[:15] + "Z")
    assert not (tmp_path / "reports").exists()  # it names the directory; the role writes into it later


def test_the_ownership_map_to_save_holds_the_owners_and_the_reads(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path)
    saved = result["ownership"]
    assert saved["owners"] == result["cluster"]["coordinators"]
    assert (saved["cluster"], saved["run_id"], saved["method"], saved["facts_node"]) == (
        "RECLAB", result["run_id"], "copy", HOSTS[0])
    assert saved["reads"] == result["plan"]["nodes"] and saved["moves"] == result["plan"]["moves"]


def test_the_network_findings_of_every_node_come_with_the_plan(play, results, tmp_path):
    _ready(play, results).register("network", results.network())
    result = _prepare(play, tmp_path, network_from="network")
    assert [(f["node"], f["severity"], f["id"]) for f in result["network_findings"]] == [
        ("NODE1", "info", "rdma_not_enabled"), ("NODE2", "warning", "multichannel_disabled"),
        ("NODE2", "warning", "multichannel_disabled")]
    assert result["network_lines"][1].startswith("warning on NODE2: SMB Multichannel is disabled on the SMB client")
    assert result["lines"][-4:] == ["network findings:"] + result["network_lines"]


def test_check_mode_decides_the_same(play, results, tmp_path):
    _ready(play, results)
    task = {"facts_from": "cluster", "report_dir": str(tmp_path), "options": OPTIONS}
    result = play.run(ACTION, task, check_mode=True)
    assert "failed" not in result and result["plan"] == play.run(ACTION, task)["plan"]


def test_a_host_that_did_not_answer_backs_up_nothing_and_is_named(play, results, tmp_path):
    views = results.cluster()
    views[HOSTS[0]] = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    assert result["facts_host"] == HOSTS[1] and HOSTS[0] not in result["hosts"]
    assert result["unanswered"][HOSTS[0]].startswith("unreachable: ")
    assert any(line.startswith("cluster read through %s; did not answer: %s (unreachable: "
                               % (HOSTS[1], HOSTS[0])) for line in result["lines"])


def test_fewer_forks_than_busy_nodes_is_a_run_warning(play, results, tmp_path):
    _ready(play, results)
    task = {"facts_from": "cluster", "report_dir": str(tmp_path), "options": OPTIONS}
    assert "--forks 2 or more" in play.run(ACTION, task, forks=1)["run_warnings"][0]
    assert play.run(ACTION, task, forks=5)["run_warnings"] == []


def test_node_name_from_names_each_host_s_node_templated_in_the_host_s_context(results, tmp_path):
    play = ControllerPlay(tmp_path / "named", hosts=("alpha", "beta", "gamma"), host_vars={
        "alpha": {"node": "NODE3"}, "beta": {"node": "'{{ \"node\" ~ 1 }}'"}, "gamma": {"node": "NODE2"}})
    play.register("cluster", results.cluster(hosts=("alpha", "beta", "gamma")))
    result = _prepare(play, tmp_path, node_name_from="node")
    assert result["hosts"] == {"alpha": "NODE3", "beta": "NODE1", "gamma": "NODE2"}
    assert sorted(result["reads"]) == ["beta", "gamma"]


# ---- refusals -----------------------------------------------------------------------------------------------------

def test_an_option_out_of_range_is_refused_before_anything_is_read(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path, options={"concurrency": 0})
    assert result["failed"] is True
    assert result["msg"] == ("csv_backup_concurrency (got 0) must be at least 1. Fix them and run again; nothing was "
                             "read or changed.")


def test_a_copy_backup_without_a_target_is_refused(play, results, tmp_path):
    result = _prepare(_ready(play, results), tmp_path, options={"target": ""})
    assert result["failed"] is True and result["msg"].startswith("csv_backup_method=copy needs csv_backup_target")
    assert "nothing was read or changed" in result["msg"]


def test_no_host_answering_is_refused_saying_nothing_was_changed(play, results, tmp_path):
    down = results.result("cluster_info", "down_node_unreachable", host="NODE3")
    play.register("cluster", dict((host, down) for host in HOSTS))
    result = _prepare(play, tmp_path)
    assert result["failed"] is True and result["msg"].startswith("No node of %s answered wsfc.csv.cluster_info"
                                                                 % ", ".join(HOSTS))
    assert result["msg"].endswith("nothing was changed.") and says_what_to_do(result["msg"])


def test_network_warnings_refuse_the_run_when_asked_to(play, results, tmp_path):
    _ready(play, results).register("network", results.network())
    result = _prepare(play, tmp_path, network_from="network", options={"network_findings": "fail"})
    assert result["failed"] is True
    assert result["msg"].startswith("The network of RECLAB does not meet the recommendations (2 finding(s)): "
                                    "warning on NODE2: SMB Multichannel is disabled")
    assert result["msg"].endswith("Nothing was changed.")


def test_hosts_of_two_clusters_are_refused(play, results, tmp_path):
    views = results.cluster()
    views[HOSTS[2]]["cluster"]["name"] = "OTHER"
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    assert result["failed"] is True and result["msg"].startswith("The hosts of this play answer for 2 clusters")
    assert "nothing was changed" in result["msg"]


def test_a_missing_required_option_is_refused(play, results, tmp_path):
    result = _ready(play, results).run(ACTION, {"facts_from": "cluster", "options": OPTIONS})
    assert result["failed"] is True and result["msg"] == "missing required arguments: report_dir"


# ---- what the nodes registered is data, never a template -------------------------------------------------------

def test_a_csv_name_with_a_template_in_it_comes_back_verbatim_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker)
    play.register("cluster", rename_csv(results.cluster(), "Cluster Disk 1", name))
    result = _prepare(play, tmp_path)
    assert "failed" not in result and result["reads"][HOSTS[0]][0]["csv"] == name
    assert name in result["plan"]["selected"] and result["ownership"]["owners"][name] == "NODE1"
    assert any(name in line for line in result["lines"])
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_a_host_that_did_not_answer(play, results, tmp_path):
    marker = tmp_path / "pwned"
    views = results.cluster()
    views[HOSTS[2]] = pipe_lookup(marker, prefix="")
    play.register("cluster", views)
    result = _prepare(play, tmp_path)
    assert result["unanswered"] == {HOSTS[2]: "it did not run"} and not marker.exists()
