# -*- coding: utf-8 -*-
"""Kerberos, as the README's real-cluster example logs in: a real MIT KDC, a ticket, the unmodified modules.

The realm's KDC (``python -m wsfc_lab kdc up``: MIT krb5kdc on 127.0.0.1, its own ``krb5.conf``) is started
for this module and stopped after it; the lab joins its nodes to the realm (``up --transport kerberos --kdc``);
the controller holds a ticket from ``kinit`` (``python -m wsfc_lab kinit``: ``KRB5CCNAME``, ``KRB5_CONFIG``),
as a domain-joined controller does, and the inventory carries no password.

Needs the Kerberos tools and the Kerberos extras of pywinrm/pypsrp (``make kerberos-setup``); without them the
module is skipped, unless WSFC_LAB_REQUIRE_KERBEROS=1 (``make kerberos-tests``) makes that a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error


def _missing():
    from wsfc_lab import kerberos  # pylint: disable=import-error
    if not kerberos.available():
        return "the MIT Kerberos tools (krb5-kdc, krb5-admin-server, krb5-user) are not installed"
    try:
        import gssapi  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        import kerberos as pykerberos  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as exc:
        return "the Kerberos extras of pywinrm/pypsrp are not installed (%s)" % exc
    return None


MISSING = _missing()
if MISSING and os.environ.get("WSFC_LAB_REQUIRE_KERBEROS") == "1":
    raise RuntimeError("WSFC_LAB_REQUIRE_KERBEROS=1 but %s; run `make kerberos-setup`" % MISSING)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def _wsfc_lab(*args):
    return subprocess.run([sys.executable, "-m", "wsfc_lab"] + [str(a) for a in args], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def kdc_dir(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kdc")
    _wsfc_lab("kdc", "up", "--workdir", workdir)
    try:
        yield workdir
    finally:
        _wsfc_lab("kdc", "down", "--workdir", workdir)


@pytest.fixture(scope="module")
def ticket_env():
    """The module's Kerberos environment for the ansible commands (restored afterwards)."""
    saved = {k: os.environ.get(k) for k in ("KRB5_CONFIG", "KRB5CCNAME")}
    yield os.environ
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _kinit(lab, ticket_env, *extra):
    """``python -m wsfc_lab kinit``: a ticket for the lab's user; its exports go to the ansible commands."""
    exports = _wsfc_lab("kinit", "--workdir", lab.workdir, *extra).split()
    for item in exports[1:]:
        key, dummy, value = item.partition("=")
        ticket_env[key] = value


@pytest.fixture(scope="module", params=["winrm", "psrp"])
def krb_lab(request, kdc_dir, ticket_env, tmp_path_factory):
    with running_lab("four-node-10gbe", tmp_path_factory.mktemp("krblab"), "--transport", "kerberos",
                     "--kdc", kdc_dir, "--connection", request.param) as lab:
        lab.connection = request.param
        yield lab


def test_cluster_info_logs_in_with_a_ticket(krb_lab, ticket_env, tmp_path):
    _kinit(krb_lab, ticket_env)
    inventory = krb_lab.inventory.read_text()
    assert "ansible_password" not in inventory
    before = len(krb_lab.events())
    result = krb_lab.run_targets(["cluster_info"], tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    facts = json.loads((tmp_path / "cluster_info.json").read_text())
    truth = krb_lab.state()
    assert {c["name"]: c["owner"] for c in facts["csvs"]} == {k: v["owner"] for k, v in truth["csvs"].items()}
    commands = [e for e in krb_lab.events()[before:] if e["op"] == "winrm.command"]
    assert len(commands) == 2 and all(e["ok"] for e in commands)
    protocol = "psrp" if krb_lab.connection == "psrp" else "winrs"
    assert {(e["auth"], e["protocol"]) for e in commands} == {("kerberos", protocol)}


def test_a_ticket_of_a_principal_that_is_not_a_node_user_is_refused(krb_lab, ticket_env, kdc_dir):
    from wsfc_lab import kerberos  # pylint: disable=import-error
    kdc = kerberos.KDC.load(kdc_dir)
    kdc.add_user("intruder", "Intrud3r-pa55")
    ccache = krb_lab.workdir / "intruder.cc"
    kdc.kinit("intruder@" + kdc.realm, "Intrud3r-pa55", ccache)
    ticket_env["KRB5CCNAME"] = "FILE:%s" % ccache
    before = len(krb_lab.events())
    result = krb_lab.ansible(krb_lab.group + "[0]", "wsfc.csv.cluster_info", "-e",
                             "ansible_user=intruder@" + kdc.realm)
    assert result.returncode != 0
    assert "UNREACHABLE" in result.stdout or "FAILED" in result.stdout, result.stdout
    new = krb_lab.events()[before:]
    assert not [e for e in new if e["op"] == "winrm.command"]
    refused = [e for e in new if e["op"] == "winrm.auth"]
    assert refused and all(not e["ok"] and e["user"] == "intruder@" + kdc.realm for e in refused)


def test_an_expired_ticket_runs_nothing(krb_lab, ticket_env):
    _kinit(krb_lab, ticket_env, "--lifetime", "3s")
    time.sleep(4)
    before = len(krb_lab.events())
    result = krb_lab.ansible(krb_lab.group + "[1]", "wsfc.csv.cluster_info")
    assert result.returncode != 0
    assert "expired" in result.stdout.lower(), result.stdout
    assert not [e for e in krb_lab.events()[before:] if e["op"] == "winrm.command"]


def test_the_module_result_names_the_node_it_ran_on(krb_lab, ticket_env):
    _kinit(krb_lab, ticket_env)
    result = krb_lab.ansible(krb_lab.group + "[2]", "wsfc.csv.cluster_info")
    assert result.returncode == 0, result.stdout + result.stderr
    assert module_result(result)["queried_node"] == "NODE3"
