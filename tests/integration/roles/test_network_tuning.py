# -*- coding: utf-8 -*-
"""The network_check playbook (role wsfc.csv.network_tuning) against a lab whose network needs work.

N1 is fine but has two untaught 10 GbE adapters the user wants teamed; N2 has SMB Multichannel off and a team of
one member; N3 has a team that lost a member. Every run is checked against the lab's own state and event log
(``net.*`` events are the changes the lab saw) and against the summary the role publishes with set_stats.

The tests run in order on one lab: read-only runs first, then check mode, then the changes.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import running_lab  # pylint: disable=import-error

TOPOLOGY = """\
cluster: TUNELAB
time_scale: 20
nodes:
  - name: N1
    disk_gbps: 8
    nics:
      - {name: MGMT, gbps: 1}
      - {name: SLOT1-1, gbps: 10}
      - {name: SLOT1-2, gbps: 10}
  - name: N2
    disk_gbps: 8
    smb_multichannel: false
    nics:
      - {name: MGMT, gbps: 1}
      - {name: SLOT1-1, gbps: 10, team: SOLO}
      - {name: SLOT1-2, gbps: 10}
  - name: N3
    disk_gbps: 8
    nics:
      - {name: MGMT, gbps: 1}
      - {name: SLOT1-1, gbps: 10, team: TEAM1}
      - {name: SLOT1-2, gbps: 10, team: TEAM1, status: Disconnected}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 20, owner: N1}
vss: {hardware_provider: false}
"""

SEVERITY = {"critical": 0, "warning": 1, "info": 2}
BACKUP_TEAM = {"name": "BACKUP", "members": ["SLOT1-1", "SLOT1-2"]}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("tunelab")) as running:
        yield running


def _host_vars(lab, host, teams):
    """Declare (or, with None, forget) a node's teams next to the lab's inventory, as a user's host_vars would."""
    path = lab.inventory.parent / "host_vars" / ("%s.yml" % host)
    if teams is None:
        if path.exists():
            path.unlink()
        return
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"network_tuning_teams": teams}))


class Played:
    """One run of the playbook: exit code, output, the summary it published with set_stats, the lab's new events."""

    def __init__(self, result, events):
        self.rc, self.stdout, self.events = result.returncode, result.stdout, events
        stats = [line for line in self.stdout.splitlines() if line.startswith("\tRUN: ")]
        assert len(stats) == 1, "no custom stats:\n%s\n%s" % (self.stdout[-4000:], result.stderr[-3000:])
        self.summary = json.loads(stats[0][len("\tRUN: "):])["network_tuning"]

    def _result(self, task, status):
        """The JSON result printed for ``task`` (the first host's, with status ``ok`` or ``fatal``)."""
        text = self.stdout[self.stdout.index(task):]
        text = text[text.index("%s: [" % status):]
        text = text[text.index("=> {") + 3:]
        return json.JSONDecoder().raw_decode(text)[0]

    @property
    def lines(self):
        return self._result("Print the findings]", "ok")["msg"]

    @property
    def failure(self):
        return self._result("findings at network_tuning_fail_on are left]", "fatal")["msg"]

    @property
    def changed(self):
        """changed= of each host in the PLAY RECAP."""
        recap = self.stdout[self.stdout.index("PLAY RECAP"):]
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+:.*?changed=(\d+)", recap, re.M)}


def _play(lab, *extra):
    mark = len(lab.events())
    result = lab.ansible_playbook("wsfc.csv.network_check", "-e", "target=%s" % lab.group, *extra,
                                  env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    return Played(result, lab.events()[mark:])


def _state(lab):
    """The lab's state without its clock."""
    state = lab.state()
    state.pop("time", None)
    return state


def _net(events):
    return [e for e in events if e["op"].startswith("net.")]


def _keys(findings):
    return {(f["node"], f["id"], f["subject"]) for f in findings}


def _expected_findings(state):
    """What the recommendations say about the lab's network as it is now (independent of the collection)."""
    expected = set()
    for name, node in state["nodes"].items():
        for side, enabled in node["smb_multichannel"].items():
            if not enabled:
                expected.add((name, "multichannel_disabled", "smb_%s" % side))
        for team, data in node["teams"].items():
            members = [n for n in node["nics"] if n["team"] == team]
            if any(n["status"] != "Up" for n in members):
                expected.add((name, "team_degraded", team))
            if len(members) == 1:
                expected.add((name, "team_single_member", team))
            # LBFO on a Hyper-V host of Windows Server 2016 or later (the lab's nodes are, by default): use SET
            if node["hyperv"] and node["os"] >= "2016":
                expected.add((name, "lbfo_on_hyperv", team))
            for nic in members:
                if nic["rdma_capable"]:
                    expected.add((name, "rdma_in_lbfo_team", nic["name"]))
    return expected


def test_check_reports_every_finding_sorted_and_changes_nothing(lab, tmp_path):
    before = _state(lab)
    run = _play(lab, "-e", "network_tuning_report_dir=%s" % tmp_path)
    assert run.rc == 0, run.stdout[-4000:]
    assert not _net(run.events)
    assert _state(lab) == before
    # one network_info round trip per node, run in parallel
    commands = [e for e in run.events if e["op"] == "winrm.command"]
    assert sorted(e["node"] for e in commands) == sorted(before["nodes"])

    summary = run.summary
    assert _keys(summary["findings"]) == _expected_findings(before)
    assert {("N2", "multichannel_disabled", "smb_client"), ("N3", "team_degraded", "TEAM1"),
            ("N2", "team_single_member", "SOLO")} <= _keys(summary["findings"])
    order = [(SEVERITY[f["severity"]], f["node"]) for f in summary["findings"]]
    assert order == sorted(order)
    assert summary["counts"] == {s: sum(f["severity"] == s for f in summary["findings"]) for s in SEVERITY}
    assert summary["counts"]["critical"] == 1 and summary["changes"] == [] and summary["errors"] == []
    assert [n["node"] for n in summary["nodes"]] == ["N1", "N2", "N3"]
    assert all(f["what"] and f["why"] and f["fix"] for f in summary["findings"])

    lines = run.lines
    assert "1 critical, %d warning, %d info findings" % (summary["counts"]["warning"], summary["counts"]["info"]) \
        in lines[0]
    assert lines[1].startswith("CRITICAL N3 TEAM1: Team TEAM1 on N3 is Degraded")
    assert len(lines) == 1 + len(summary["findings"])

    assert json.loads((tmp_path / "network_findings.json").read_text()) == summary
    markdown = (tmp_path / "network_findings.md").read_text()
    assert "### CRITICAL N3 TEAM1 (team_degraded)" in markdown and "| N2 | N2 | yes | off/off |" in markdown


@pytest.mark.parametrize("fail_on, failing", [("warning", {"critical", "warning"}), ("critical", {"critical"}),
                                              ("error", {"critical"})])
def test_fail_on_fails_after_listing_the_findings(lab, fail_on, failing):
    before = _state(lab)
    run = _play(lab, "-e", "network_tuning_fail_on=%s" % fail_on)
    assert run.rc != 0 and not _net(run.events) and _state(lab) == before
    summary = run.summary  # published before the play fails
    failure = run.failure
    expected = [f for f in summary["findings"] if f["severity"] in failing]
    assert summary["failing"] == len(expected) > 0
    assert "%d finding(s) at or above severity %s" % (len(expected), fail_on) in failure[0]
    for finding in expected:
        assert any(line.startswith("%s %s %s: %s" % (finding["severity"].upper(), finding["node"], finding["subject"],
                                                     finding["what"])) for line in failure)


def test_check_mode_apply_shows_the_changes_and_makes_none(lab):
    _host_vars(lab, "N1", [BACKUP_TEAM])
    before = _state(lab)
    run = _play(lab, "-e", "network_tuning_apply=true", "--check")
    assert run.rc == 0, run.stdout[-4000:]
    assert not _net(run.events) and _state(lab) == before
    summary = run.summary
    assert summary["check_mode"] and summary["errors"] == []
    assert {(c["node"], c["module"], c["subject"]) for c in summary["changes"]} == {
        ("N1", "nic_team", "BACKUP"), ("N2", "smb_multichannel", "smb")}
    assert _keys(summary["findings"]) == _expected_findings(before)  # nothing changed, nothing read again
    assert any(line.startswith("WOULD CHANGE N2 smb_multichannel smb:") for line in run.lines)


def test_apply_enables_multichannel_and_creates_the_declared_team_only(lab):
    _host_vars(lab, "N1", [BACKUP_TEAM])
    before = _state(lab)
    assert not before["nodes"]["N2"]["smb_multichannel"]["client"]
    run = _play(lab, "-e", "network_tuning_apply=true")
    assert run.rc == 0, run.stdout[-4000:]
    after = _state(lab)
    changes = sorted((e["op"], e["args"].get("node", e["node"]), e["args"].get("team")) for e in _net(run.events)
                     if e["changed"])
    # SMB Multichannel: one Set-Smb*Configuration per side on N2; the declared team on N1; nothing else
    assert changes == [("net.smb_multichannel", "N2", None), ("net.smb_multichannel", "N2", None),
                       ("net.team.create", "N1", "BACKUP")]
    assert all(e["ok"] for e in _net(run.events))
    assert after["nodes"]["N2"]["smb_multichannel"] == {"client": True, "server": True}
    assert sorted(after["nodes"]["N1"]["teams"]["BACKUP"]["members"]) == ["SLOT1-1", "SLOT1-2"]
    # teams nobody declared are reported, not "fixed"
    for node in ("N2", "N3"):
        assert after["nodes"][node]["teams"] == before["nodes"][node]["teams"]
        assert after["nodes"][node]["nics"] == before["nodes"][node]["nics"]

    summary = run.summary
    assert summary["applied"] and not summary["check_mode"] and summary["errors"] == []
    assert _keys(summary["findings"]) == _expected_findings(after) == {
        ("N2", "team_single_member", "SOLO"), ("N3", "team_degraded", "TEAM1"), ("N1", "lbfo_on_hyperv", "BACKUP"),
        ("N2", "lbfo_on_hyperv", "SOLO"), ("N3", "lbfo_on_hyperv", "TEAM1")}
    # fixed: N2's two multichannel_disabled; new: the declared LBFO team BACKUP on N1 is an lbfo_on_hyperv (info)
    assert summary["counts_before"]["warning"] == summary["counts"]["warning"] + 2
    assert summary["counts"]["info"] == summary["counts_before"]["info"] + 1
    assert {(c["node"], c["module"], c["subject"]) for c in summary["changes"]} == {
        ("N1", "nic_team", "BACKUP"), ("N2", "smb_multichannel", "smb")}
    # the changed nodes were read again (a second round trip for network_info), N3 was not
    assert {n["node"]: n["read_again"] for n in summary["nodes"]} == {"N1": True, "N2": True, "N3": False}
    assert "BACKUP" in {n["node"]: n["teams"] for n in summary["nodes"]}["N1"]


def test_second_apply_is_unchanged(lab):
    _host_vars(lab, "N1", [BACKUP_TEAM])
    before = _state(lab)
    run = _play(lab, "-e", "network_tuning_apply=true")
    assert run.rc == 0, run.stdout[-4000:]
    assert not _net(run.events) and _state(lab) == before
    assert run.changed == {"N1": 0, "N2": 0, "N3": 0}
    assert run.summary["changes"] == []


def test_refusal_to_touch_the_connection_passes_through(lab):
    _host_vars(lab, "N3", [{"name": "MGMTTEAM", "members": ["MGMT"]}])
    try:
        before = _state(lab)
        run = _play(lab, "-e", "network_tuning_apply=true")
        assert run.rc != 0
        assert not _net(run.events) and _state(lab) == before
        summary = run.summary
        (error,) = summary["errors"]
        assert error["node"] == "N3" and error["subject"] == "MGMTTEAM"
        assert "MGMT carries the connection this task runs over" in error["msg"] and "force" in error["msg"]
        assert any("MGMT carries the connection" in line for line in run.failure)
        # the other nodes were still checked and summarised
        assert [n["node"] for n in summary["nodes"]] == ["N1", "N2", "N3"]
    finally:
        _host_vars(lab, "N3", None)


def test_a_node_that_cannot_be_read_is_a_critical_finding(lab):
    lab.fault("node_down", node="N2")
    run = _play(lab, "-e", "network_tuning_fail_on=critical")
    assert run.rc != 0 and not _net(run.events)
    summary = run.summary
    unreadable = [f for f in summary["findings"] if f["id"] == "node_unreadable"]
    assert [(f["node"], f["severity"]) for f in unreadable] == [("N2", "critical")]
    assert {n["node"]: n["read"] for n in summary["nodes"]} == {"N1": True, "N2": False, "N3": True}
    assert ("N3", "team_degraded", "TEAM1") in _keys(summary["findings"])
