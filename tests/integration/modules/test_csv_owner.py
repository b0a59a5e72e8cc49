# -*- coding: utf-8 -*-
"""wsfc.csv.csv_owner against the lab: moves checked against the lab's state and event log."""

from __future__ import annotations

import json

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

TOPOLOGY = """\
cluster: OWNERLAB
time_scale: 20
nodes:
  - {name: N1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: N2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: N3, state: Paused, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: N1}
  - {name: Disk B, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10, owner: N1, state: Offline}
  - {name: Disk C, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100, used_gb: 10, owner: N1, redirected: UserRequest}
  - {name: "Disk '; Remove-Item C:\\\\ -Recurse #", path: 'C:\\ClusterStorage\\Volume4', size_gb: 100, used_gb: 10, owner: N2}
vss: {hardware_provider: false}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("ownerlab")) as running:
        yield running


def _module(lab, *args, check=False):
    extra = ["-a", json.dumps(dict(a.split("=", 1) for a in args))]
    if check:
        extra += ["--check", "--diff"]
    return lab.ansible(lab.group + "[0]", "wsfc.csv.csv_owner", *extra)


def _moves(lab, mark):
    return [e for e in lab.events()[mark:] if e["op"] == "csv.move"]


def test_target_moves_and_restores(lab4, tmp_path):
    before = lab4.state()["csvs"]
    mark = len(lab4.events())
    result = lab4.run_targets(["csv_owner"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    moves = [e for e in _moves(lab4, mark) if e.get("changed")]
    assert len(moves) == 2, moves  # there and back; check mode and the repeated run move nothing
    assert moves[0]["args"]["to"] == moves[1]["args"]["from"] and moves[0]["args"]["from"] == moves[1]["args"]["to"]
    assert lab4.state()["csvs"] == before


def test_move_round_trips_check_mode_and_idempotence(lab):
    mark = len(lab.events())
    check = _module(lab, "name=Disk A", "node=N2", check=True)
    assert check.returncode == 0, check.stdout
    assert "N2" in check.stdout and lab.state()["csvs"]["Disk A"]["owner"] == "N1"
    assert len(lab.commands_since(mark)) == 1

    mark = len(lab.events())
    moved = _module(lab, "name=Disk A", "node=N2", "poll_interval=0.1")
    assert moved.returncode == 0, moved.stdout
    assert "CHANGED" in moved.stdout
    assert lab.state()["csvs"]["Disk A"]["owner"] == "N2"
    assert len(lab.commands_since(mark)) == 3  # read, move, read back
    assert [e["args"]["to"] for e in _moves(lab, mark) if e["ok"]] == ["N2"]

    mark = len(lab.events())
    again = _module(lab, "path=C:\\ClusterStorage\\Volume1", "node=n2")
    assert again.returncode == 0 and "CHANGED" not in again.stdout, again.stdout
    assert len(lab.commands_since(mark)) == 1 and not _moves(lab, mark)

    back = _module(lab, "name=Disk A", "node=N1", "poll_interval=0.1")
    assert back.returncode == 0 and lab.state()["csvs"]["Disk A"]["owner"] == "N1"


@pytest.mark.parametrize("args, words", [
    (["name=No Such Disk", "node=N2"], ["No Such Disk", "Disk A", "cluster_info"]),
    (["name=Disk A", "node=N9"], ["N9", "not a node", "N1, N2, N3"]),
    (["name=Disk A", "node=N3"], ["N3", "Paused", "Resume-ClusterNode", "Disk A stays on N1"]),
    (["name=Disk B", "node=N2"], ["Disk B", "Offline", "N1"]),
    (["name=Disk C", "node=N2"], ["Disk C", "redirected access", "UserRequest", "Disk C stays on N1"]),
])
def test_refusals_change_nothing(lab, args, words):
    before = lab.state()["csvs"]
    mark = len(lab.events())
    result = _module(lab, *args)
    assert result.returncode != 0
    message = module_result(result)["msg"]
    for word in words:
        assert word in message
    assert lab.state()["csvs"] == before
    assert not _moves(lab, mark)


@pytest.mark.parametrize("kind", ["move_fails", "move_hangs"])
def test_failed_move_reports_where_the_csv_is(lab, kind):
    lab.fault(kind, csv="Disk A")
    mark = len(lab.events())
    result = _module(lab, "name=Disk A", "node=N2", "timeout=30")
    assert result.returncode != 0
    message = module_result(result)["msg"]
    assert "Moving Disk A to N2 failed" in message and "Disk A is now Online on N1" in message
    assert lab.state()["csvs"]["Disk A"]["owner"] == "N1"
    assert [e["ok"] for e in _moves(lab, mark)] == [False]


def test_hostile_name_is_data(lab):
    name = "Disk '; Remove-Item C:\\ -Recurse #"
    result = _module(lab, "name=" + name, "node=N1", "poll_interval=0.1")
    assert result.returncode == 0, result.stdout
    assert lab.state()["csvs"][name]["owner"] == "N1"
    back = _module(lab, "name=" + name, "node=N2", "poll_interval=0.1")
    assert back.returncode == 0 and lab.state()["csvs"][name]["owner"] == "N2"
