# -*- coding: utf-8 -*-
"""Hostile names and invalid options against the lab (issue 5, "Bad input").

A cluster whose CSVs are literally named like PowerShell and cmd.exe injections works with cluster_info,
csv_owner, csv_snapshot and backup_job: each name comes back verbatim, the lab's model changes exactly the CSV
named, every script the lab received parsed and ran (no ``winrm.command`` failed), and the event log holds no
cmdlet the operation's scripts do not contain (the injected ``Stop-ClusterNode``/``Suspend-ClusterNode`` would
be logged with their arguments, and would change the nodes' state). Values that cannot be passed safely through
cmd.exe (``"``, ``%``, ``!``, line breaks) are refused with a message naming them, before anything changes.
Invalid role options (unknown CSV, node, strategy, provider, a JMESPath expression that does not parse or selects
nothing, concurrency 0 or negative, timeouts that are not numbers) fail before any state-changing command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

SCRIPTS = Path(__file__).resolve().parents[3] / "plugins" / "plugin_utils" / "scripts"

DROP = "'; Remove-Item C:\\ -Recurse #"
STOP = "$(Stop-ClusterNode -Name BAD1) `Suspend-ClusterNode BAD2` \"; Stop-ClusterNode BAD2; \" & del /q C:\\ ; 100%"
UNICODE = "Sauvegarde ünïcødé ✓ 日本 & | < > ^ ( ) ;"
TOPOLOGY = """\
cluster: BADLAB
time_scale: 2000
nodes:
  - {name: BAD1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: BAD2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: %s, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: BAD1}
  - {name: %s, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10, owner: BAD1}
  - {name: %s, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100, used_gb: 10, owner: BAD2}
vss: {hardware_provider: false}
targets:
  - {path: '\\\\backup01\\csv', gbps: 100}
""" % tuple(json.dumps(name) for name in (DROP, STOP, UNICODE))

STATE_CHANGES = ("csv.move", "snap.create", "snap.delete", "task.register", "task.start", "job.start",
                 "lock.", "net.")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("badlab")) as running:
        yield running


def _intended(*operations):
    """The cmdlets the named operation scripts contain."""
    names = set()
    for operation in operations:
        names.update(re.findall(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b", (SCRIPTS / (operation + ".ps1")).read_text()))
    return names


def _module(lab, module, args, node=0):
    extra = ["-a", json.dumps(args)] if args else []
    return lab.ansible("%s[%d]" % (lab.group, node), module, *extra)


def _failed(run):
    """The result of a task that must have failed (ad-hoc output drops the 'failed' key)."""
    assert run.returncode != 0 and " | FAILED! => {" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    return module_result(run)


def _check_events(lab, mark, operations):
    """Every command ran and parsed; no cmdlet outside the operations' scripts; nodes untouched."""
    events = lab.events()[mark:]
    commands = [e for e in events if e["op"] == "winrm.command"]
    assert commands and all(e["ok"] for e in commands), [e for e in commands if not e["ok"]]
    cmdlets = set(e["op"] for e in events if re.match(r"^[A-Z][a-z]+-[A-Z]", e["op"]))
    assert cmdlets <= _intended(*operations), cmdlets - _intended(*operations)
    assert not [e for e in events if e["op"] in ("Stop-ClusterNode", "Suspend-ClusterNode", "Remove-Item")]
    assert all(n["state"] == "Up" for n in lab.state()["nodes"].values())
    return events


def _changes(lab, mark):
    return [e for e in lab.events()[mark:] if e["op"].startswith(STATE_CHANGES)]


def test_cluster_info_returns_the_names_verbatim(lab):
    mark = len(lab.events())
    result = module_result(_module(lab, "wsfc.csv.cluster_info", {}))
    assert sorted(c["name"] for c in result["csvs"]) == sorted([DROP, STOP, UNICODE])
    _check_events(lab, mark, ["cluster_info"])


@pytest.mark.parametrize("name", [DROP, STOP, UNICODE], ids=["drop", "stop", "unicode"])
def test_csv_owner_moves_exactly_the_named_csv_and_back(lab, name):
    before = dict((n, c["owner"]) for n, c in lab.state()["csvs"].items())
    other = "BAD2" if before[name] == "BAD1" else "BAD1"
    mark = len(lab.events())
    moved = module_result(_module(lab, "wsfc.csv.csv_owner", {"name": name, "node": other}))
    assert moved["changed"] is True and moved.get("failed") is not True, moved
    after = dict((n, c["owner"]) for n, c in lab.state()["csvs"].items())
    assert after == dict(before, **{name: other})
    (move,) = [e for e in lab.events()[mark:] if e["op"] == "csv.move"]
    assert move["args"]["csv"] == name
    back = module_result(_module(lab, "wsfc.csv.csv_owner", {"name": name, "node": before[name]}))
    assert back["changed"] is True
    assert dict((n, c["owner"]) for n, c in lab.state()["csvs"].items()) == before
    _check_events(lab, mark, ["csv_owner_get", "csv_owner_move"])


def test_csv_snapshot_of_the_drop_csv_is_taken_and_removed(lab):
    mark = len(lab.events())
    made = module_result(_module(lab, "wsfc.csv.csv_snapshot", {"name": DROP, "tag": "badinput"}))
    assert made["changed"] is True and made["csv"] == DROP, made
    (snap,) = lab.state()["snapshots"]
    assert snap["csv"] == DROP
    gone = module_result(_module(lab, "wsfc.csv.csv_snapshot", {"name": DROP, "tag": "badinput", "state": "absent"}))
    assert gone["changed"] is True, gone
    assert lab.state()["snapshots"] == []
    events = _check_events(lab, mark, ["csv_snapshot_get", "csv_snapshot_create", "csv_snapshot_remove"])
    # DiskShadow took the CSV's path (never its name) as data: both of its runs succeeded, none failed a command
    assert [e["ok"] for e in events if e["op"] == "diskshadow.run"] == [True, True]
    assert not [e for e in events if e["op"] == "diskshadow.error"]
    (created,) = [e for e in events if e["op"] == "snap.create"]
    assert created["args"]["csv"] == DROP and created["args"]["volume"] == "C:\\ClusterStorage\\Volume1"


def test_backup_job_takes_hostile_targets_log_dirs_and_placeholders_as_data(lab):
    target = "\\\\backup\\share & del ünï'; Remove-Item C:\\ -Recurse # $(x) `y` ^ | < >"
    log_dir = "C:\\logs\\" + DROP.replace("\\", "")
    args = {"name": "bad-cmd", "method": "command", "csv": STOP, "target": target, "log_dir": log_dir,
            "command": ["backup-tool.exe", "--from={volume}", "--label={csv}", "--to={target}", "--node={node}"],
            "poll_interval": 0.2, "timeout": 120}
    # STOP holds '"' and '%': as the {csv} placeholder value it is refused before anything changes
    mark = len(lab.events())
    result = _failed(_module(lab, "wsfc.csv.backup_job", args))
    assert "cannot be passed safely through cmd.exe" in result["msg"], result
    assert "Stop-ClusterNode -Name BAD1" in result["msg"] and "BAD1" in result["msg"]
    assert _changes(lab, mark) == []

    args["csv"] = UNICODE
    mark = len(lab.events())
    run = _module(lab, "wsfc.csv.backup_job", args)
    result = module_result(run)
    assert result.get("failed") is not True and result["state"] == "succeeded", result
    (register,) = [e for e in lab.events()[mark:] if e["op"] == "task.register"]
    assert register["args"]["execute"] == "cmd.exe"
    assert '"--label=%s"' % UNICODE in register["args"]["argument"]
    assert '"--to=%s"' % target in register["args"]["argument"]
    assert '> "%s\\bad-cmd.log"' % log_dir in register["args"]["argument"]
    assert result["log_path"] == log_dir + "\\bad-cmd.log"
    (read,) = [e for e in lab.events()[mark:] if e["op"] == "backup.read"]
    assert read["csv"] == UNICODE
    _check_events(lab, mark, ["backup_job_status", "backup_job_start"])
    gone = _module(lab, "wsfc.csv.backup_job", {"name": "bad-cmd", "state": "absent", "log_dir": log_dir})
    assert module_result(gone)["changed"] is True
    assert lab.state()["jobs"] == []


@pytest.mark.parametrize("target", ['\\\\server\\" & calc & "', "\\\\server\\100%PATH%", "\\\\server\\a!b!",
                                    "\\\\server\\line\r\nbreak"], ids=["quote", "percent", "bang", "newline"])
def test_backup_job_refuses_targets_cmd_cannot_quote_before_any_change(lab, target):
    mark = len(lab.events())
    result = _failed(_module(lab, "wsfc.csv.backup_job", {"name": "bad-target", "csv": UNICODE, "target": target}))
    assert "cannot be passed safely through cmd.exe" in result["msg"], result
    assert repr(target)[1:-1][:40] in result["msg"] and "BAD1" in result["msg"]
    assert _changes(lab, mark) == [] and lab.state()["jobs"] == []


@pytest.mark.parametrize("name", [DROP, "x" * 10000, "a/b"], ids=["drop", "long", "slash"])
def test_backup_job_refuses_unusable_job_names(lab, name):
    mark = len(lab.events())
    result = _failed(_module(lab, "wsfc.csv.backup_job", {"name": name, "csv": UNICODE, "target": "T"}))
    assert "not usable as a job name" in result["msg"]
    assert len(result["msg"]) < 1000
    assert lab.events()[mark:] == []  # refused before connecting


@pytest.mark.parametrize("args,words", [
    ({"name": "No Such CSV", "node": "BAD2"}, ["No Cluster Shared Volume named 'No Such CSV'", DROP]),
    ({"name": DROP, "node": "BAD2'; Stop-ClusterNode BAD1 #"}, ["Stop-ClusterNode BAD1", "not"]),
    ({"name": "x" * 10000, "node": "BAD2"}, ["No Cluster Shared Volume named 'xxx"]),
    ({"name": DROP, "node": "BAD2", "timeout": "soon"}, ["timeout"]),
], ids=["unknown-csv", "hostile-node", "long-name", "timeout-not-a-number"])
def test_csv_owner_refuses_unknown_csvs_nodes_and_bad_timeouts(lab, args, words):
    before = lab.state()["csvs"]
    mark = len(lab.events())
    result = _failed(_module(lab, "wsfc.csv.csv_owner", args))
    for word in words:
        assert word in result["msg"], result["msg"][:500]
    assert _changes(lab, mark) == [] and lab.state()["csvs"] == before


def test_csv_snapshot_refuses_an_unknown_csv_and_provider(lab):
    mark = len(lab.events())
    unknown = _failed(_module(lab, "wsfc.csv.csv_snapshot", {"name": STOP + "x"}))
    assert "was not found" in unknown["msg"]
    provider = _failed(_module(lab, "wsfc.csv.csv_snapshot", {"name": DROP, "provider": "magic"}))
    assert "magic" in provider["msg"], provider
    assert _changes(lab, mark) == [] and lab.state()["snapshots"] == []


ROLE_REFUSALS = [
    (["csv_backup_select=[?"], "is not a valid JMESPath expression"),
    (["csv_backup_select=[?name=='nope']"], "matched no CSV"),
    (["csv_backup_nodes=['GHOST']"], "is not a node of this cluster"),
    (["csv_backup_node=GHOST"], "is not a node of this cluster"),
    (["csv_backup_strategy=fastest"], "csv_backup_strategy must be one of"),
    (["csv_backup_provider=magic"], "csv_backup_provider must be one of"),
    (["csv_backup_concurrency=0"], "csv_backup_concurrency (got 0) must be at least 1"),
    (["csv_backup_concurrency=-2"], "csv_backup_concurrency (got -2) must be at least 1"),
    (["csv_backup_move_timeout=soon"], "csv_backup_move_timeout"),
    (["csv_backup_job_timeout=abc"], "csv_backup_job_timeout"),
    (["csv_backup_job_timeout=0"], "csv_backup_job_timeout (got 0) must be at least 1 second"),
    (["csv_backup_poll_interval=0"], "csv_backup_poll_interval (got 0) must be more than 0 seconds"),
    (["csv_backup_job_poll_interval=x"], "csv_backup_job_poll_interval"),
    (['{"csv_backup_target": "\\\\\\\\srv\\\\\\" & calc & \\""}'], "cannot be passed safely through cmd.exe"),
    (['{"csv_backup_target": "\\\\\\\\srv\\\\100%"}'], "cannot be passed safely through cmd.exe"),
    (['{"csv_backup_command": ["tool.exe", "line\\nbreak"]}', "csv_backup_method=command"],
     "cannot be passed safely through cmd.exe"),
]


@pytest.mark.parametrize("extra,message", ROLE_REFUSALS, ids=[re.sub(r"[^a-z0-9=_-]", "", e[0][:40])
                                                              for e, dummy in ROLE_REFUSALS])
def test_the_role_refuses_invalid_options_before_any_change(lab, tmp_path, extra, message):
    before = lab.state()
    mark = len(lab.events())
    args = ["wsfc.csv.csv_backup", "-e", "target=%s" % lab.group, "-e", '{"csv_backup_target": "\\\\\\\\backup01\\\\csv"}',
            "-e", "csv_backup_report_dir=%s" % tmp_path, "-e", "csv_backup_network_findings=skip"]
    for item in extra:
        args += ["-e", item]
    result = lab.ansible_playbook(*args)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]
    # a number refusal names the one option that is wrong, not every rule of every option
    refusals = [m for m in re.findall(r'"msg": "([^"]*)"', result.stdout) if " must be " in m]
    assert all(len(set(re.findall(r"csv_backup_\w+", m))) == 1 for m in refusals), refusals
    assert _changes(lab, mark) == []
    after = lab.state()
    assert after["csvs"] == before["csvs"] and after["jobs"] == [] and after["snapshots"] == []
    assert after["csv_files"] == before["csv_files"]  # no lock file (nor anything else) written on a CSV
