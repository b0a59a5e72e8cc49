# -*- coding: utf-8 -*-
"""The network_tuning role's findings report (plugins/plugin_utils/network/report.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.network.changes import multichannel_fixes
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.report import (
    failure_lines,
    node_record,
    render_json,
    render_markdown,
    summarise,
    summary_lines,
)


def _finding(node, fid, severity, subject="x"):
    return {"id": fid, "severity": severity, "node": node, "subject": subject, "what": "%s %s" % (fid, node),
            "why": "Why.", "fix": "Do it."}


def _read(node, *findings, teams=("TEAM1",)):
    return {"node": node, "findings": list(findings), "smb_multichannel": {"client": False, "server": True},
            "smb_gbps": {"multichannel": 20.0, "single_channel": 10.0}, "teams": [{"name": t} for t in teams]}


def test_a_node_that_could_not_be_read_is_one_critical_finding_named_after_its_host():
    record = node_record("n2.example.com", {"unreachable": True, "msg": "timed out"})
    assert record["summary"] == {"host": "n2.example.com", "node": "n2.example.com", "read": False,
                                 "read_again": False, "smb_multichannel": None, "smb_gbps": None, "teams": [],
                                 "set_teams": [], "findings": 1}
    [unreadable] = record["findings"]
    assert unreadable["id"] == "node_unreadable" and unreadable["severity"] == "critical"
    assert unreadable["what"] == "The network of n2.example.com could not be read: timed out"
    assert record["findings_before"] == record["findings"]


def test_the_second_reading_counts_when_it_worked_and_the_first_stays_as_before():
    before = _read("N1", _finding("N1", "multichannel_disabled", "warning", "smb_client"))
    after = _read("N1")
    record = node_record("n1", before, smb={"changed": True, "msg": "enabled"}, after=after)
    assert record["summary"]["read_again"] is True and record["findings"] == []
    assert [f["id"] for f in record["findings_before"]] == ["multichannel_disabled"]
    assert record["changes"] == [{"module": "smb_multichannel", "subject": "smb", "changed": True, "failed": False,
                                  "msg": "enabled", "node": "N1"}]


def test_a_failed_second_reading_keeps_the_first_and_is_an_error():
    before = _read("N1", _finding("N1", "slow_path", "warning"))
    record = node_record("n1", before, after={"failed": True, "msg": "WinRM broke"})
    assert [f["id"] for f in record["findings"]] == ["slow_path"]
    assert record["errors"][0]["subject"] == "reread"
    assert record["errors"][0]["msg"] == "The network of n1 could not be read again after the changes: WinRM broke"


def test_team_results_become_changes_and_refusals_skipped_steps_nothing():
    teams = {"results": [{"item": {"name": "TEAM1"}, "changed": True, "msg": "created"},
                         {"item": {"name": "TEAM2"}, "failed": True, "msg": "refused"},
                         {"item": {"name": "TEAM3"}, "skipped": True}]}
    record = node_record("n1", _read("N1"), smb={"skipped": True}, teams=teams)
    assert [(c["subject"], c["msg"]) for c in record["changes"]] == [("TEAM1", "created")]
    assert [(e["subject"], e["msg"]) for e in record["errors"]] == [("TEAM2", "refused")]


def _summary(fail_on="never", check_mode=False, applied=False):
    records = [node_record("n1", _read("N1", _finding("N1", "b", "info"), _finding("N1", "a", "warning"))),
               node_record("n2", _read("n2", _finding("n2", "z", "critical"))),
               node_record("n3", _read("N3", _finding("N3", "a", "warning")))]
    return summarise(records, 10, applied, check_mode, fail_on)


def test_findings_are_ordered_most_severe_first_then_by_node_case_insensitively():
    order = [(f["severity"], f["node"]) for f in _summary()["findings"]]
    assert order == [("critical", "n2"), ("warning", "N1"), ("warning", "N3"), ("info", "N1")]


@pytest.mark.parametrize("fail_on, failing", [("never", 0), ("critical", 1), ("error", 1), ("warning", 3),
                                              ("info", 4)])
def test_failing_counts_the_findings_at_or_above_fail_on(fail_on, failing):
    summary = _summary(fail_on)
    assert summary["failing"] == failing and summary["counts"] == {"critical": 1, "warning": 2, "info": 1}
    lines = summary_lines(summary)
    failure = failure_lines(summary, lines)
    if failing:
        assert failure[0] == "%d finding(s) at or above severity %s (network_tuning_fail_on) are left:" % (
            failing, fail_on) and failure[1:] == lines[1:]
    else:
        assert failure == []


def test_the_lines_say_the_headline_and_each_finding():
    lines = summary_lines(_summary())
    assert lines[0] == ("Network of 3 nodes (N1, n2, N3), backup path threshold 10 Gb/s: 1 critical, 2 warning, "
                        "1 info findings")
    assert lines[1] == "CRITICAL n2 x: z n2. Why. Fix: Do it."
    assert len(lines) == 5


def test_no_findings_is_said_in_words():
    summary = summarise([node_record("n1", _read("N1"))], 10, False, False)
    assert summary_lines(summary)[-1] == "No findings: every node meets the recommendations for a backup network."


def test_the_files_hold_the_summary_and_a_table_per_node():
    summary = _summary(check_mode=True)
    lines = summary_lines(summary)
    assert json.loads(render_json(summary)) == summary
    markdown = render_markdown(summary, lines)
    assert "Check mode: nothing was changed." in markdown
    assert "| n1 | N1 | yes | off/on | 20/10 | TEAM1 | 2 |" in markdown
    assert "### CRITICAL n2 x (z)" in markdown


def test_set_teams_are_listed_with_the_lbfo_teams():
    read = dict(_read("N1"), set_teams=[{"name": "SETSWITCH"}])
    summary = summarise([node_record("n1", read)], 10, False, False)
    assert summary["nodes"][0]["set_teams"] == ["SETSWITCH"]
    markdown = render_markdown(summary, summary_lines(summary))
    assert "| n1 | N1 | yes | off/on | 20/10 | TEAM1, SETSWITCH (SET) | 0 |" in markdown


@pytest.mark.parametrize("subjects, allowed, sides", [
    (["smb_client", "smb_server"], ["client", "server"], ["client", "server"]),
    (["smb_server"], ["client", "server"], ["server"]),
    (["smb_client", "smb_server"], ["server"], ["server"]),
    (["smb_client"], [], []),
])
def test_multichannel_fixes_are_the_disabled_sides_that_may_be_changed(subjects, allowed, sides):
    network = {"findings": [_finding("N1", "multichannel_disabled", "warning", s) for s in subjects]
               + [_finding("N1", "slow_path", "warning", "smb_client")]}
    assert multichannel_fixes(network, allowed) == sides
