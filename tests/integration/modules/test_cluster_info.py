# -*- coding: utf-8 -*-
"""wsfc.csv.cluster_info against the lab, checked against the lab's own state and event log."""

from __future__ import annotations

import json
import os

import pytest

from conftest import start_lab, stop_lab  # pylint: disable=import-error

# How each connection words a refused password: pywinrm (pyspnego), and ansible-core's psrp plugin around pypsrp.
REFUSED = {"winrm": "credentials were rejected", "psrp": "Failed to authenticate the user"}


def _played(result):
    assert result.returncode == 0, "ansible-playbook failed:\n%s\n%s" % (result.stdout[-6000:], result.stderr[-3000:])


def test_target_matches_lab_state(lab4, tmp_path):
    before = len(lab4.events())
    _played(lab4.run_targets(["cluster_info"], tmp_path))
    facts = json.loads((tmp_path / "cluster_info.json").read_text())
    truth = lab4.state()

    assert facts["cluster"]["name"] == truth["cluster"]
    assert {n["name"]: n["state"] for n in facts["nodes"]} == {k: v["state"] for k, v in truth["nodes"].items()}
    assert {c["name"] for c in facts["csvs"]} == set(truth["csvs"])
    for csv in facts["csvs"]:
        real = truth["csvs"][csv["name"]]
        assert csv["owner"] == real["owner"]
        assert csv["state"] == real["state"]
        assert csv["path"] == real["path"]
        assert csv["used_bytes"] == int(real["used_gb"] * 10 ** 9)
        assert csv["redirected"] == bool(real["redirected"])
        assert sorted(csv["vms"]) == sorted(real["vms"])

    # One round trip per cluster_info call (normal and check mode), and nothing changed in the cluster.
    new = lab4.events()[before:]
    commands = [e for e in new if e["op"] == "winrm.command"]
    assert len(commands) == 2, new
    assert all(e["ok"] for e in commands)
    assert lab4.state()["csvs"] == truth["csvs"]


def test_adhoc_module_works_from_the_lab_inventory(lab4):
    result = lab4.ansible(lab4.group + "[0]", "wsfc.csv.cluster_info")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "coordinators" in result.stdout


@pytest.mark.parametrize("topology", ["two-node", "sixteen-node-mixed"])
def test_every_shipped_topology_answers(tmp_path, topology):
    workdir = tmp_path / topology
    try:
        lab = start_lab(topology, workdir)
        result = lab.ansible(lab.group + "[0]", "wsfc.csv.cluster_info")
        assert result.returncode == 0, result.stdout + result.stderr
        truth = lab.state()
        for name, csv in truth["csvs"].items():
            assert '"%s"' % name in result.stdout
            assert csv["owner"] in result.stdout
    finally:
        stop_lab(workdir)


def test_wrong_password_is_refused(lab4, tmp_path):
    before = len(lab4.events())
    result = lab4.ansible(lab4.group + "[0]", "wsfc.csv.cluster_info", "-e", "ansible_password=not-the-password")
    assert result.returncode != 0
    assert "UNREACHABLE" in result.stdout
    # The runner tells a refused login from a node that is down, on either connection, with the connection's reason.
    assert "the node refused the connection" in result.stdout
    assert REFUSED[os.environ.get("WSFC_LAB_CONNECTION", "winrm")] in result.stdout
    auth = [e for e in lab4.events()[before:] if e["op"] == "winrm.auth" and not e["ok"]]
    # Refused once: a rejected password is not retried (retrying could lock the account out).
    assert len(auth) == 1, auth
    assert "not-the-password" not in json.dumps(lab4.events())
