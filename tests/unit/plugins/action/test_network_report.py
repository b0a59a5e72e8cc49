# -*- coding: utf-8 -*-
"""wsfc.csv.network_report (plugins/action/network_report.py): every node's network findings, summarised once.

Runs on the controller (controller_play.py) over what the hosts registered: their ``network_info`` results are
the real action's on the lab's recorded answers (play_results.py; NODE1 and NODE2 were recorded, NODE3 is left
out or unreachable), as are the ``smb_multichannel`` and ``nic_team`` results of the fixes. The summary's rules
are tested in tests/unit/plugins/plugin_utils/network/test_report.py; these test the wiring, the result and the
files.
"""

from __future__ import annotations

import json

from .checks import documented_returns
from .controller_play import HOSTS, pipe_lookup

ACTION = "network_report"
FILES = ("network_findings.json", "network_findings.md")


def _loop(result, item):
    """What a host registers for a loop of one item (``results``, each with its ``item``)."""
    return {"changed": bool(result.get("changed")), "msg": "All items completed",
            "results": [dict(result, item=item, ansible_loop_var="item")]}


def _read(play, results):
    play.register("network_before", results.network())
    return play


def test_returns_every_documented_key_and_writes_nothing_without_dest(play, results, tmp_path):
    result = _read(play, results).run(ACTION, {"before_from": "network_before"})
    assert set(documented_returns(ACTION)) <= set(result) and result["changed"] is False
    assert result["files"] == [] and result["failure"] == []
    assert [n["host"] for n in result["summary"]["nodes"]] == [HOSTS[0], HOSTS[1]]  # node3 registered nothing


def test_the_findings_are_ordered_most_severe_first(play, results):
    summary = _read(play, results).run(ACTION, {"before_from": "network_before"})["summary"]
    assert [(f["severity"], f["node"], f["id"]) for f in summary["findings"]] == [
        ("warning", "NODE2", "multichannel_disabled"), ("warning", "NODE2", "multichannel_disabled"),
        ("info", "NODE1", "lbfo_on_hyperv"), ("info", "NODE1", "rdma_not_enabled"), ("info", "NODE2", "lbfo_on_hyperv")]
    assert summary["counts"] == {"critical": 0, "warning": 2, "info": 3}


def test_fail_on_warning_gives_the_lines_to_fail_with(play, results):
    _read(play, results)
    result = play.run(ACTION, {"before_from": "network_before", "fail_on": "warning"})
    assert result["summary"]["failing"] == 2 and result["failure"]
    assert any("NODE2 smb_client" in line for line in result["failure"])
    assert play.run(ACTION, {"before_from": "network_before", "fail_on": "critical"})["failure"] == []


def test_a_node_that_could_not_be_read_is_a_critical_finding(play, results):
    _read(play, results).register("network_before", {
        HOSTS[2]: results.result("cluster_info", "down_node_unreachable", host="NODE3")})
    result = play.run(ACTION, {"before_from": "network_before", "fail_on": "critical"})
    first = result["summary"]["findings"][0]
    assert (first["severity"], first["id"], first["node"]) == ("critical", "node_unreadable", HOSTS[2])
    assert first["what"].startswith("The network of %s could not be read: " % HOSTS[2])
    assert "could not reach the node after 4 attempts" in first["what"]  # the unreachable result's msg
    assert result["failure"]


def test_the_fixes_are_listed_as_changes(play, results):
    _read(play, results)
    play.register("network_smb", {HOSTS[1]: results.result("smb_multichannel", "enable", host="NODE2")})
    play.register("network_teams", {HOSTS[0]: _loop(results.result("nic_team", "create"), {"name": "TEAM2"})})
    result = play.run(ACTION, {"before_from": "network_before", "multichannel_from": "network_smb",
                               "teams_from": "network_teams", "applied": True})
    assert [(c["node"], c["module"], c["subject"]) for c in result["summary"]["changes"]] == [
        ("NODE1", "nic_team", "TEAM2"), ("NODE2", "smb_multichannel", "smb")]
    assert result["summary"]["errors"] == [] and result["summary"]["applied"] is True
    assert result["lines"][1] == "CHANGED NODE1 nic_team TEAM2: team TEAM2 on NODE1 changed: create"


def test_a_refused_fix_is_an_error_that_fails(play, results):
    _read(play, results)
    refused = results.result("nic_team", "member_of_other_team")
    play.register("network_teams", {HOSTS[0]: _loop(refused, {"name": "TEAM3"})})
    result = play.run(ACTION, {"before_from": "network_before", "teams_from": "network_teams"})
    assert [(e["module"], e["subject"], e["failed"]) for e in result["summary"]["errors"]] == [
        ("nic_team", "TEAM3", True)]
    assert result["failure"]


# ---- the files --------------------------------------------------------------------------------------------------

def test_dest_gets_the_findings_as_json_and_markdown(play, results, tmp_path):
    dest = tmp_path / "findings"
    result = _read(play, results).run(ACTION, {"before_from": "network_before", "dest": str(dest)})
    assert result["changed"] is True and result["files"] == [str(dest / name) for name in FILES]
    assert json.loads((dest / FILES[0]).read_text()) == json.loads(json.dumps(result["summary"]))
    markdown = (dest / FILES[1]).read_text()
    assert markdown.startswith("# Backup network findings") and "| %s | NODE2 |" % HOSTS[1] in markdown


def test_writing_the_same_findings_again_is_no_change(play, results, tmp_path):
    args = {"before_from": "network_before", "dest": str(tmp_path)}
    assert _read(play, results).run(ACTION, args)["changed"] is True
    assert play.run(ACTION, args)["changed"] is False


def test_check_mode_lists_the_files_and_writes_none(play, results, tmp_path):
    dest = tmp_path / "findings"
    result = _read(play, results).run(ACTION, {"before_from": "network_before", "dest": str(dest)}, check_mode=True)
    assert result["changed"] is False and result["files"] == [str(dest / name) for name in FILES]
    assert result["summary"]["check_mode"] is True and not dest.exists()


def test_a_task_out_of_check_mode_in_a_checked_play_writes_the_files_and_says_check_mode(play, results, tmp_path):
    """The role runs it with ``check_mode: false`` under ``--check``: nothing was changed, the files are written."""
    result = _read(play, results).run(ACTION, {"before_from": "network_before", "dest": str(tmp_path)},
                                      cli_check_mode=True)
    assert result["summary"]["check_mode"] is True and (tmp_path / FILES[0]).exists()
    assert "Check mode: nothing was changed." in (tmp_path / FILES[1]).read_text()


def test_a_dest_that_cannot_be_written_fails_saying_which_variable_to_set(play, results, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = _read(play, results).run(ACTION, {"before_from": "network_before", "dest": str(blocker / "findings")})
    assert result["failed"] is True
    assert result["msg"].startswith("cannot write the network findings to %s: " % (blocker / "findings"))
    assert result["msg"].endswith("Set network_tuning_report_dir to a writable directory on the controller.")


def test_before_from_is_required(play):
    result = play.run(ACTION, {})
    assert result["failed"] is True and result["msg"] == "missing required arguments: before_from"


# ---- what the nodes registered is data, never a template -------------------------------------------------------

def test_an_adapter_name_with_a_template_in_it_comes_back_verbatim_and_runs_nothing(play, results, tmp_path):
    marker = tmp_path / "pwned"
    name = pipe_lookup(marker, prefix="SLOT")
    network = results.network()
    finding = [f for f in network[HOSTS[0]]["findings"] if f["id"] == "rdma_not_enabled"][0]
    finding.update(subject=name, what="Adapter %s on NODE1 is RDMA-capable but RDMA is disabled" % name)
    play.register("network_before", network)
    result = play.run(ACTION, {"before_from": "network_before", "dest": str(tmp_path / "findings")})
    assert [f["subject"] for f in result["summary"]["findings"] if f["id"] == "rdma_not_enabled"] == [name]
    assert any(name in line for line in result["lines"])
    assert name in (tmp_path / "findings" / FILES[1]).read_text()
    saved = json.loads((tmp_path / "findings" / FILES[0]).read_text())["findings"]
    assert [f["subject"] for f in saved if f["id"] == "rdma_not_enabled"] == [name]
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_never_templated(play, results, tmp_path):
    marker = tmp_path / "pwned"
    network = results.network()
    network[HOSTS[2]] = pipe_lookup(marker, prefix="")
    play.register("network_before", network)
    play.run(ACTION, {"before_from": "network_before"})
    assert not marker.exists()


def test_a_registered_value_that_is_a_string_is_a_node_that_could_not_be_read(play, results, tmp_path):
    marker = tmp_path / "pwned"
    network = results.network()
    network[HOSTS[2]] = pipe_lookup(marker, prefix="")
    play.register("network_before", network)
    result = play.run(ACTION, {"before_from": "network_before"})
    assert [(f["id"], f["node"]) for f in result["summary"]["findings"] if f["severity"] == "critical"] == [
        ("node_unreadable", HOSTS[2])]
