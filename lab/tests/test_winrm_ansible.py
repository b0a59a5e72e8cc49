"""WinRM endpoint against ansible-core's ``winrm`` connection plugin (real ``ansible`` CLI).

``ansible.builtin.raw`` goes through ``Connection.exec_command``: the plugin
opens a shell (codepage 65001), runs ``PowerShell ... -EncodedCommand <b64>``,
polls Receive until Done, signals terminate and deletes the shell.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from wsfc_lab.winrm import WinRMEndpoint, make_tls_material

ANSIBLE = str(Path(sys.executable).with_name("ansible"))
USER = "labadmin"
PASSWORD = "An$ible-Pa55"

pytestmark = pytest.mark.skipif(not os.path.exists(ANSIBLE), reason="ansible CLI not installed next to python")


def ps_runner(node: str, command: str, arguments: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """Decode ``-EncodedCommand`` and act on ``echo X``, ``exit N``, ``Start-Sleep S``."""
    line = " ".join([command, *arguments])
    m = re.search(r"-EncodedCommand\s+(\S+)", line, re.IGNORECASE)
    if not m:
        return 1, b"", b"not a PowerShell command line\r\n"
    script = base64.b64decode(m.group(1)).decode("utf-16-le")
    out = b""
    for stmt in (s.strip() for s in script.split(";")):
        if mm := re.fullmatch(r"echo\s+(.*)", stmt):
            out += f"{mm.group(1)} from {node}\r\n".encode()
        elif mm := re.fullmatch(r"exit\s+(\d+)", stmt):
            return int(mm.group(1)), out, b""
        elif mm := re.fullmatch(r"Start-Sleep\s+([\d.]+)", stmt):
            time.sleep(float(mm.group(1)))
        elif stmt:
            return 1, out, f"unknown statement {stmt}\r\n".encode()
    return 0, out, b""


_BASELINE: set[threading.Thread] = set()


def _winrm_threads() -> list[threading.Thread]:
    """Endpoint threads (all named ``winrm-<node>-...``) that this module started and that are still alive."""
    return [t for t in threading.enumerate() if t.name.startswith("winrm-") and t not in _BASELINE]


@pytest.fixture(autouse=True, scope="module")
def winrm_thread_baseline():
    """Ignore endpoint threads that other test modules might have left running."""
    _BASELINE.update(t for t in threading.enumerate() if t.name.startswith("winrm-"))
    yield


def _run_ansible(tmp_path: Path, host_vars: dict[str, object], args: str) -> subprocess.CompletedProcess:
    inv = tmp_path / "inventory.yml"
    lines = ["all:", "  hosts:", "    node1:"]
    for key, value in host_vars.items():
        lines.append(f"      {key}: {value!r}" if isinstance(value, str) else f"      {key}: {value}")
    inv.write_text("\n".join(lines) + "\n")
    env = dict(os.environ)
    env.update(
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
    )
    for var in ("NO_PROXY", "no_proxy"):  # pywinrm honours environment proxies; keep 127.0.0.1 direct
        env[var] = ",".join(filter(None, [env.get(var), "127.0.0.1", "localhost"]))
    env.pop("ANSIBLE_CONFIG", None)
    return subprocess.run(
        [ANSIBLE, "all", "-i", str(inv), "-m", "ansible.builtin.raw", "-a", args],
        cwd=tmp_path,  # no stray ansible.cfg from the repository
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _ntlm_vars(ep: WinRMEndpoint, password: str = PASSWORD) -> dict[str, object]:
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": ep.port,
        "ansible_connection": "winrm",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "http",
        "ansible_user": USER,
        "ansible_password": password,
    }


@pytest.fixture
def winrm_events() -> list[dict]:
    return []


@pytest.fixture
def winrm_ntlm(winrm_events):
    ep = WinRMEndpoint("NODE1", ps_runner, {USER: PASSWORD}, on_event=winrm_events.append, operation_timeout_cap=1.0)
    ep.start()
    yield ep
    ep.stop()
    assert _winrm_threads() == []


def test_raw_over_ntlm(tmp_path, winrm_ntlm, winrm_events):
    res = _run_ansible(tmp_path, _ntlm_vars(winrm_ntlm), "echo hi")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "node1 | CHANGED | rc=0 >>" in res.stdout
    assert "hi from NODE1" in res.stdout
    assert [e["command"] for e in winrm_events if e["op"] == "winrm.command"] == ["PowerShell"]


def test_raw_nonzero_rc_and_long_command(tmp_path, winrm_ntlm):
    # 1.5 s of work against a 1 s operation timeout cap: ansible must poll Receive again
    res = _run_ansible(tmp_path, _ntlm_vars(winrm_ntlm), "echo slow; Start-Sleep 1.5; exit 3")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "node1 | FAILED | rc=3 >>" in res.stdout
    assert "slow from NODE1" in res.stdout


def test_raw_wrong_password_is_unreachable(tmp_path, winrm_ntlm, winrm_events):
    res = _run_ansible(tmp_path, _ntlm_vars(winrm_ntlm, password="wrong"), "echo hi")
    assert res.returncode == 4, res.stdout + res.stderr
    assert "UNREACHABLE" in res.stdout
    assert "the specified credentials were rejected by the server" in res.stdout
    assert {"op": "winrm.auth", "ok": False, "user": USER, "node": "NODE1"} in winrm_events
    assert not any(e["op"] == "winrm.command" for e in winrm_events)


def test_raw_over_basic_https_with_ca(tmp_path, winrm_events):
    tls = make_tls_material(tmp_path / "tls")
    ep = WinRMEndpoint(
        "NODE3", ps_runner, {USER: PASSWORD}, transport="basic-https", tls=tls, on_event=winrm_events.append
    )
    ep.start()
    try:
        host_vars = {
            "ansible_host": "127.0.0.1",
            "ansible_port": ep.port,
            "ansible_connection": "winrm",
            "ansible_winrm_transport": "basic",
            "ansible_winrm_scheme": "https",
            "ansible_winrm_server_cert_validation": "validate",
            "ansible_winrm_ca_trust_path": str(tls.ca_cert),
            "ansible_user": USER,
            "ansible_password": PASSWORD,
        }
        res = _run_ansible(tmp_path, host_vars, "echo secure")
        assert res.returncode == 0, res.stdout + res.stderr
        assert "secure from NODE3" in res.stdout

        res = _run_ansible(tmp_path, dict(host_vars, ansible_password="bad"), "echo secure")
        assert res.returncode == 4 and "UNREACHABLE" in res.stdout
        assert "the specified credentials were rejected by the server" in res.stdout
    finally:
        ep.stop()
    assert _winrm_threads() == []
    assert [e for e in winrm_events if e["op"] == "winrm.auth"] == [
        {"op": "winrm.auth", "ok": False, "user": USER, "node": "NODE3"}
    ]
