"""PSRP on the lab's endpoint against ansible-core's ``psrp`` connection plugin (real ``ansible`` CLI).

``ansible.builtin.raw`` over psrp runs its argument as a script in the node's
runspace pool (the plugin appends ``exit $LASTEXITCODE``); the exit code comes
back through the host's ``SetShouldExit``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.pipeline_host import run_pipeline_script
from wsfc_lab.reference import Reference
from wsfc_lab.winrm import WinRMEndpoint

ANSIBLE = str(Path(sys.executable).with_name("ansible"))
USER = "labadmin"
PASSWORD = "An$ible-Pa55"
_REFERENCE = Reference.load_default()
_CMDLETS = build_cmdlet_table()

pytestmark = pytest.mark.skipif(not os.path.exists(ANSIBLE), reason="ansible CLI not installed next to python")


def engine(node: str, script: str, input_objects: list) -> object:
    host = Host(node=node, cmdlets=_CMDLETS, reference=_REFERENCE, env={"COMPUTERNAME": node, "USERNAME": USER})
    return run_pipeline_script(script, host, input_objects)


@pytest.fixture
def events() -> list[dict]:
    return []


@pytest.fixture
def endpoint(events):
    ep = WinRMEndpoint("NODE1", lambda *a: (1, b"", b"no WinRS here\r\n"), {USER: PASSWORD},
                       on_event=events.append, psrp_runner=engine)
    ep.start()
    yield ep
    ep.stop()


def _raw(tmp_path: Path, ep: WinRMEndpoint, script: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    (tmp_path / "inventory.yml").write_text(
        "all:\n  hosts:\n    node1:\n"
        f"      ansible_host: 127.0.0.1\n      ansible_port: {ep.port}\n      ansible_connection: psrp\n"
        "      ansible_psrp_protocol: http\n      ansible_psrp_auth: negotiate\n"
        "      ansible_psrp_message_encryption: always\n"
        f"      ansible_user: {USER}\n      ansible_password: '{password}'\n")
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    env.pop("ANSIBLE_CONFIG", None)
    return subprocess.run([ANSIBLE, "all", "-i", str(tmp_path / "inventory.yml"), "-m", "ansible.builtin.raw",
                           "-a", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_raw_over_psrp_runs_in_the_lab_engine(tmp_path, endpoint, events):
    result = _raw(tmp_path, endpoint, "'hello from ' + $env:COMPUTERNAME")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hello from NODE1" in result.stdout
    assert [e["protocol"] for e in events if e["op"] == "winrm.command"] == ["psrp"]


def test_the_exit_code_reaches_ansible(tmp_path, endpoint):
    result = _raw(tmp_path, endpoint, "'partial'; exit 3")
    assert result.returncode != 0
    assert "rc=3" in result.stdout or '"rc": 3' in result.stdout, result.stdout


def test_a_wrong_password_is_unreachable(tmp_path, endpoint, events):
    result = _raw(tmp_path, endpoint, "'never'", password="wrong-one")
    assert result.returncode != 0
    assert "UNREACHABLE" in result.stdout, result.stdout + result.stderr
    assert not [e for e in events if e["op"] == "winrm.command"]
    assert [e["ok"] for e in events if e["op"] == "winrm.auth"] == [False]
