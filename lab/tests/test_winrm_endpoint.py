"""WinRM endpoint against the real pywinrm client (no client mocks).

Covers NTLM with message encryption over HTTP (pywinrm's default
``message_encryption='auto'``), Basic over HTTPS with certificate validation
on, the WinRS operations and their faults, long commands through repeated
Receives, events, and a clean ``stop()``.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
import uuid

import pytest
import requests
import winrm
import xmltodict
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)

from wsfc_lab.winrm import WinRMEndpoint, make_tls_material

USER = "labadmin"
PASSWORD = "S3cret:pa55 w0rd!"  # a colon and a space on purpose


def _decode_encoded_command(line: str) -> str | None:
    m = re.search(r"-(?:e|ec|enc|encodedcommand)\s+(\S+)", line, re.IGNORECASE)
    if not m:
        return None
    return base64.b64decode(m.group(1)).decode("utf-16-le")


def lab_runner(node: str, command: str, arguments: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """A tiny stand-in for the lab's interpreter.

    ``exit N`` / ``fail N text`` / ``sleep S`` / ``boom`` / ``big N`` /
    PowerShell ``-EncodedCommand`` (``exit N`` or anything: echoed), and
    otherwise a JSON echo of everything received.
    """
    line = " ".join([command, *arguments])
    script = _decode_encoded_command(line)
    if script is not None:
        m = re.fullmatch(r"\s*exit\s+(\d+)\s*", script)
        if m:
            return int(m.group(1)), b"", b""
        return 0, f"PS[{node}]:{script}\r\n".encode(), b""
    words = line.split()
    verb = words[0].lower() if words else ""
    if verb == "exit":
        return int(words[1]), b"", b""
    if verb == "fail":
        return int(words[1]), b"", " ".join(words[2:]).encode()
    if verb == "sleep":
        time.sleep(float(words[1]))
        return 0, b"slept\r\n", b""
    if verb == "boom":
        raise RuntimeError("runner exploded")
    if verb == "big":
        n = int(words[1])
        return 0, bytes(range(256)) * (n // 256) + b"\x00" * (n % 256), b"e" * 1000
    payload = {"node": node, "command": command, "arguments": arguments, "stdin": stdin.decode("utf-8", "replace")}
    return 0, json.dumps(payload).encode(), b""


_BASELINE: set[threading.Thread] = set()


def _winrm_threads() -> list[threading.Thread]:
    """Endpoint threads (all named ``winrm-<node>-...``) that this module started and that are still alive."""
    return [t for t in threading.enumerate() if t.name.startswith("winrm-") and t not in _BASELINE]


@pytest.fixture(autouse=True, scope="module")
def winrm_thread_baseline():
    """Ignore endpoint threads that other test modules might have left running."""
    _BASELINE.update(t for t in threading.enumerate() if t.name.startswith("winrm-"))
    yield


@pytest.fixture
def winrm_events() -> list[dict]:
    return []


@pytest.fixture
def winrm_ntlm(winrm_events):
    ep = WinRMEndpoint(
        "NODE1",
        lab_runner,
        {USER: PASSWORD, "LAB\\operator": "0perator"},
        on_event=winrm_events.append,
        operation_timeout_cap=1.0,
    )
    ep.start()
    yield ep
    ep.stop()
    assert _winrm_threads() == []


def _session(ep: WinRMEndpoint, user: str = USER, password: str = PASSWORD, **kw) -> winrm.Session:
    kw.setdefault("operation_timeout_sec", 5)
    kw.setdefault("read_timeout_sec", 10)
    kw.setdefault("proxy", None)  # never route 127.0.0.1 through an environment proxy
    kw.setdefault("ca_trust_path", None)
    return winrm.Session(ep.url, auth=(user, password), transport="ntlm", **kw)


def _close(session: winrm.Session) -> None:
    session.protocol.transport.close_session()


# --------------------------------------------------------------------------- NTLM + encryption


def test_run_cmd_round_trip_is_encrypted(winrm_ntlm, winrm_events):
    s = _session(winrm_ntlm)
    r = s.run_cmd("ipconfig", ["/all", "secret-arg"])
    assert r.status_code == 0
    assert json.loads(r.std_out) == {
        "node": "NODE1",
        "command": "ipconfig",
        "arguments": ["/all secret-arg"],  # pywinrm joins arguments into one rsp:Arguments
        "stdin": "",
    }
    assert r.std_err == b""
    # the session really negotiated message encryption (pywinrm 'auto' over http)
    assert s.protocol.transport.encryption is not None
    cmd_events = [e for e in winrm_events if e["op"] == "winrm.command"]
    assert cmd_events == [
        {
            "op": "winrm.command",
            "node": "NODE1",
            "protocol": "winrs",
            "auth": "ntlm",
            "ok": True,
            "rc": 0,
            "command": "ipconfig",
            "stdout_bytes": len(r.std_out),
            "stderr_bytes": 0,
        }
    ]
    assert "secret-arg" not in json.dumps(winrm_events)
    _close(s)


def test_exit_code_and_stderr(winrm_ntlm, winrm_events):
    s = _session(winrm_ntlm)
    r = s.run_cmd("fail", ["3", "disk", "on", "fire"])
    assert (r.status_code, r.std_out, r.std_err) == (3, b"", b"disk on fire")
    assert winrm_events[-1]["ok"] is False and winrm_events[-1]["rc"] == 3
    assert winrm_events[-1]["stderr_bytes"] == len(b"disk on fire")
    _close(s)


def test_run_ps_round_trip(winrm_ntlm):
    s = _session(winrm_ntlm)
    r = s.run_ps("Get-ClusterNode | ConvertTo-Json")
    assert r.status_code == 0
    assert r.std_out == b"PS[NODE1]:Get-ClusterNode | ConvertTo-Json\r\n"
    assert s.run_ps("exit 7").status_code == 7
    _close(s)


def test_stdin_through_protocol_api(winrm_ntlm):
    p = _session(winrm_ntlm).protocol
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "findstr", ["x"])
    p.send_command_input(shell_id, command_id, b"first chunk, ")
    p.send_command_input(shell_id, command_id, b"last chunk", end=True)
    out, err, rc = p.get_command_output(shell_id, command_id)
    assert rc == 0 and err == b""
    assert json.loads(out)["stdin"] == "first chunk, last chunk"
    p.cleanup_command(shell_id, command_id)
    p.close_shell(shell_id)


def test_long_command_needs_repeated_receives(winrm_ntlm):
    p = _session(winrm_ntlm).protocol
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "sleep", ["1.6"])
    t0 = time.monotonic()
    # the server caps OperationTimeout (PT5S) at 1 s and answers w:TimedOut
    with pytest.raises(WinRMOperationTimeoutError):
        p.get_command_output_raw(shell_id, command_id)
    assert 0.8 < time.monotonic() - t0 < 3
    out, err, rc = p.get_command_output(shell_id, command_id)  # retries on timeouts itself
    assert (out, err, rc) == (b"slept\r\n", b"", 0)
    p.cleanup_command(shell_id, command_id)
    p.close_shell(shell_id)


def test_large_output_is_chunked_across_receives(winrm_ntlm):
    p = _session(winrm_ntlm).protocol
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "big", ["300000"])
    chunks = []
    done = False
    while not done:
        try:
            out, err, rc, done = p.get_command_output_raw(shell_id, command_id)
        except WinRMOperationTimeoutError:
            continue
        chunks.append((out, err))
    assert len(chunks) >= 4  # 64 KiB per Receive keeps envelopes under MaxEnvelopeSize
    assert b"".join(c[0] for c in chunks) == lab_runner("N", "big", ["300000"], b"")[1]
    assert b"".join(c[1] for c in chunks) == b"e" * 1000
    assert rc == 0
    p.close_shell(shell_id)


def test_runner_exception_is_exit_1_and_server_survives(winrm_ntlm, winrm_events):
    s = _session(winrm_ntlm)
    r = s.run_cmd("boom")
    assert r.status_code == 1
    assert b"RuntimeError: runner exploded" in r.std_err
    assert winrm_events[-1]["rc"] == 1 and winrm_events[-1]["ok"] is False
    assert s.run_cmd("exit", ["0"]).status_code == 0
    _close(s)


@pytest.mark.parametrize("user", ["labadmin", "LAB\\LabAdmin", "LABADMIN@lab.example", "operator", "lab\\OPERATOR"])
def test_user_name_forms(winrm_ntlm, user):
    password = "0perator" if "operator" in user.lower() else PASSWORD
    s = _session(winrm_ntlm, user=user, password=password)
    assert s.run_cmd("exit", ["0"]).status_code == 0
    _close(s)


@pytest.mark.parametrize("user,password", [(USER, "wrong"), ("nobody", PASSWORD), ("LAB\\operator", PASSWORD)])
def test_wrong_credentials_get_401(winrm_ntlm, winrm_events, user, password):
    with pytest.raises(InvalidCredentialsError):
        _session(winrm_ntlm, user=user, password=password).run_cmd("exit", ["0"])
    assert {"op": "winrm.auth", "ok": False, "user": user, "node": "NODE1"} in winrm_events
    assert PASSWORD not in json.dumps(winrm_events)
    assert not any(e["op"] == "winrm.command" for e in winrm_events)


def test_raw_401_challenge_headers(winrm_ntlm):
    r = requests.post(winrm_ntlm.url, data=b"<x/>", timeout=5)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Negotiate, NTLM"
    assert r.headers["Server"] == "Microsoft-HTTPAPI/2.0"
    assert requests.post(winrm_ntlm.url.replace("/wsman", "/other"), timeout=5).status_code == 404
    assert requests.get(winrm_ntlm.url, timeout=5).status_code == 405


def test_unencrypted_body_rejected_after_auth(winrm_ntlm, winrm_events):
    s = _session(winrm_ntlm, message_encryption="never")
    with pytest.raises(WinRMTransportError) as exc:
        s.protocol.open_shell()
    assert exc.value.code == 500
    assert not any(e["op"] == "winrm.auth" for e in winrm_events)  # auth itself succeeded


def _fault(exc: WSManFaultError) -> tuple:
    return exc.code, exc.fault_code, exc.fault_subcode, exc.wsman_fault_code


def test_unknown_shell_and_command_faults(winrm_ntlm):
    p = _session(winrm_ntlm).protocol
    bogus = str(uuid.uuid4()).upper()
    with pytest.raises(WSManFaultError) as exc:
        p.run_command(bogus, "exit", ["0"])
    assert _fault(exc.value) == (500, "s:Sender", "w:InvalidSelectors", 2150858843)
    assert f"ShellId {bogus} failed because the shell was not found" in exc.value.response

    shell_id = p.open_shell()
    with pytest.raises(WSManFaultError) as exc:
        p.get_command_output_raw(shell_id, bogus)
    assert _fault(exc.value) == (500, "s:Sender", "w:InvalidSelectors", 2150858843)
    assert "command identifier that does not exist" in exc.value.response

    # terminate forgets the command; the shell itself then goes away on Delete
    command_id = p.run_command(shell_id, "exit", ["0"])
    assert p.get_command_output(shell_id, command_id) == (b"", b"", 0)
    p.cleanup_command(shell_id, command_id)
    with pytest.raises(WSManFaultError) as exc:
        p.cleanup_command(shell_id, command_id)
    assert exc.value.wsman_fault_code == 2150858843
    p.close_shell(shell_id, close_session=False)
    with pytest.raises(WSManFaultError) as exc:
        p.close_shell(shell_id)
    assert exc.value.wsman_fault_code == 2150858843


def test_unsupported_action_and_identify(winrm_ntlm):
    p = _session(winrm_ntlm).protocol
    req = {
        "env:Envelope": p.build_wsman_header(
            action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate",
            resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        )
    }
    req["env:Envelope"]["env:Body"] = {"n:Enumerate": {}}
    with pytest.raises(WSManFaultError) as exc:
        p.send_message(xmltodict.unparse(req))
    assert _fault(exc.value) == (500, "s:Sender", "a:ActionNotSupported", 2150858771)

    identify = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
        "<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
    )
    res = xmltodict.parse(p.send_message(identify))
    assert res["s:Envelope"]["s:Body"]["wsmid:IdentifyResponse"]["wsmid:ProductVendor"] == "Microsoft Corporation"

    # Test-WSMan style: no credentials, WSMANIDENTIFY: unauthenticated
    r = requests.post(
        winrm_ntlm.url,
        data=identify.encode(),
        headers={"WSMANIDENTIFY": "unauthenticated", "Content-Type": "application/soap+xml;charset=UTF-8"},
        timeout=5,
    )
    assert r.status_code == 200 and b"IdentifyResponse" in r.content and b"OS: 0.0.0" in r.content


def test_two_nodes_concurrently(winrm_events):
    eps = [
        WinRMEndpoint(f"NODE{i}", lab_runner, {USER: f"pw-{i}"}, on_event=winrm_events.append) for i in (1, 2)
    ]
    for ep in eps:
        ep.start()
    results: dict[str, object] = {}

    def work(i: int) -> None:
        try:
            s = _session(eps[i - 1], password=f"pw-{i}")
            results[f"NODE{i}"] = [json.loads(s.run_cmd("hostname").std_out)["node"] for _ in range(3)]
            _close(s)
        except Exception as exc:  # pragma: no cover - reported below
            results[f"NODE{i}"] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in (1, 2) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for ep in eps:
        ep.stop()
    assert results == {"NODE1": ["NODE1"] * 3, "NODE2": ["NODE2"] * 3}
    assert _winrm_threads() == []


# --------------------------------------------------------------------------- stop()


def test_stop_frees_port_and_leaves_no_threads():
    ep = WinRMEndpoint("NODE9", lab_runner, {USER: PASSWORD}, operation_timeout_cap=30)
    ep.start()
    port = ep.port
    s = _session(ep, operation_timeout_sec=20, read_timeout_sec=30)
    assert s.run_cmd("exit", ["0"]).status_code == 0  # leaves a keep-alive connection open
    p = s.protocol
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "sleep", ["0.5"])
    # a second client blocked in a Receive when the endpoint stops
    p2 = _session(ep, operation_timeout_sec=20, read_timeout_sec=30).protocol
    shell2 = p2.open_shell()
    cmd2 = p2.run_command(shell2, "sleep", ["0.3"])
    blocked = threading.Thread(target=lambda: _swallow(p2.get_command_output_raw, shell2, cmd2))
    blocked.start()
    time.sleep(0.1)
    assert _winrm_threads()

    t0 = time.monotonic()
    ep.stop()
    assert time.monotonic() - t0 < 3
    blocked.join(5)
    assert _winrm_threads() == []
    del command_id, shell_id

    with socket.socket() as sock:  # the port is free again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    again = WinRMEndpoint("NODE9", lab_runner, {USER: PASSWORD}, port=port)
    again.start()
    assert again.port == port
    s2 = _session(again)
    assert s2.run_cmd("exit", ["4"]).status_code == 4
    _close(s2)
    again.stop()
    assert _winrm_threads() == []


def _swallow(fn, *args):
    try:
        fn(*args)
    except Exception:
        pass


# --------------------------------------------------------------------------- Basic over HTTPS


@pytest.fixture(scope="module")
def winrm_tls(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def winrm_https(winrm_tls, winrm_events):
    ep = WinRMEndpoint(
        "NODE2",
        lab_runner,
        {"LAB\\" + USER: PASSWORD},
        transport="basic-https",
        tls=winrm_tls,
        on_event=winrm_events.append,
        operation_timeout_cap=1.0,
    )
    ep.start()
    yield ep
    ep.stop()
    assert _winrm_threads() == []


def _https_session(ep, tls, password=PASSWORD, **kw) -> winrm.Session:
    return winrm.Session(
        ep.url,
        auth=(USER, password),
        transport="basic",
        server_cert_validation="validate",
        ca_trust_path=str(tls.ca_cert),
        operation_timeout_sec=5,
        read_timeout_sec=10,
        proxy=None,
        **kw,
    )


def test_basic_https_with_validated_certificate(winrm_https, winrm_tls):
    assert winrm_https.url.startswith("https://127.0.0.1:")
    s = _https_session(winrm_https, winrm_tls)
    r = s.run_cmd("fail", ["2", "oops"])
    assert (r.status_code, r.std_err) == (2, b"oops")
    r = s.run_ps("Get-ClusterSharedVolume")
    assert r.std_out == b"PS[NODE2]:Get-ClusterSharedVolume\r\n"
    p = s.protocol
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "sleep", ["1.3"])
    assert p.get_command_output(shell_id, command_id) == (b"slept\r\n", b"", 0)
    p.close_shell(shell_id)


def test_basic_https_localhost_name_validates(winrm_https, winrm_tls):
    s = winrm.Session(
        f"https://localhost:{winrm_https.port}/wsman",
        auth=(USER, PASSWORD),
        transport="ssl",
        server_cert_validation="validate",
        ca_trust_path=str(winrm_tls.ca_cert),
        proxy=None,
    )
    assert s.run_cmd("exit", ["0"]).status_code == 0


def test_basic_https_wrong_password_and_untrusted_ca(winrm_https, winrm_tls, winrm_events):
    with pytest.raises(InvalidCredentialsError):
        _https_session(winrm_https, winrm_tls, password="nope").run_cmd("exit", ["0"])
    assert winrm_events == [{"op": "winrm.auth", "ok": False, "user": USER, "node": "NODE2"}]
    # validation really is on: without the lab CA the handshake fails
    s = winrm.Session(winrm_https.url, auth=(USER, PASSWORD), transport="basic", ca_trust_path=None, proxy=None)
    with pytest.raises(requests.exceptions.SSLError):
        s.run_cmd("exit", ["0"])


# --------------------------------------------------------------------------- the Negotiate scheme, by hand


class _RawNTLMClient:
    """Drives one keep-alive HTTP connection with the ``Negotiate`` scheme (what a
    Windows listener offers by default), using pyspnego's NTLM initiator for the
    tokens and pywinrm's own ``Encryption`` class for the sealed framing."""

    def __init__(self, ep: WinRMEndpoint, user: str, password: str) -> None:
        import http.client

        import spnego
        from requests_ntlm.requests_ntlm import ShimSessionSecurity
        from winrm.encryption import Encryption

        self.conn = http.client.HTTPConnection("127.0.0.1", ep.port, timeout=10)
        self.ctx = spnego.client(user, password, protocol="ntlm", hostname="127.0.0.1", service="http")
        auth = type("Auth", (), {"session_security": ShimSessionSecurity(self.ctx)})()
        self.enc = Encryption(type("Sess", (), {"auth": auth})(), "ntlm")

    def post(self, body: bytes, headers: dict[str, str]):
        self.conn.request("POST", "/wsman", body=body, headers=headers)
        resp = self.conn.getresponse()
        return resp, resp.read()

    def authenticate(self) -> int:
        negotiate = base64.b64encode(self.ctx.step()).decode()
        resp, _ = self.post(b"", {"Authorization": f"Negotiate {negotiate}"})
        assert resp.status == 401
        scheme, _, challenge = resp.getheader("WWW-Authenticate").partition(" ")
        assert scheme == "Negotiate"
        authenticate = base64.b64encode(self.ctx.step(base64.b64decode(challenge))).decode()
        resp, _ = self.post(b"", {"Authorization": f"Negotiate {authenticate}"})
        return resp.status

    def sealed(self, soap_xml: bytes) -> bytes:
        return self.enc._encrypt_message(soap_xml, "127.0.0.1") + self.enc.MIME_BOUNDARY + b"--\r\n"

    def content_type(self) -> str:
        return 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'


_IDENTIFY = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    b"<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
)


def test_negotiate_scheme_and_connection_bound_context(winrm_ntlm):
    c = _RawNTLMClient(winrm_ntlm, "LAB\\" + USER, PASSWORD)
    assert c.authenticate() == 200
    for _ in range(2):  # same connection, no Authorization header, sequence numbers advance
        resp, body = c.post(c.sealed(_IDENTIFY), {"Content-Type": c.content_type()})
        assert resp.status == 200
        assert resp.getheader("Content-Type").startswith("multipart/encrypted;")
        fake = type("Resp", (), {"content": body})()
        assert b"<wsmid:ProductVendor>Microsoft Corporation" in c.enc._decrypt_response(fake, "127.0.0.1")

    # a tampered seal is refused with 400 and the connection is closed, as Windows does
    sealed = bytearray(c.sealed(_IDENTIFY))
    sealed[-40] ^= 0xFF
    resp, _ = c.post(bytes(sealed), {"Content-Type": c.content_type()})
    assert resp.status == 400 and resp.getheader("Connection") == "close"
    c.conn.close()

    # a fresh connection is not authenticated: the context belongs to the old one
    c2 = _RawNTLMClient(winrm_ntlm, USER, PASSWORD)
    resp, _ = c2.post(c.sealed(_IDENTIFY), {"Content-Type": c.content_type()})
    assert resp.status == 401
    c2.conn.close()


def test_runner_can_stop_its_own_endpoint():
    """A command that takes its own node down (the lab closes a Down node's endpoint)."""
    holder: dict[str, WinRMEndpoint] = {}

    def runner(node, command, arguments, stdin):
        holder["ep"].stop()
        return 0, b"", b""

    ep = holder["ep"] = WinRMEndpoint("NODE5", runner, {USER: PASSWORD}, operation_timeout_cap=5)
    ep.start()
    with pytest.raises((requests.exceptions.ConnectionError, WinRMTransportError)):
        _session(ep).run_cmd("Stop-ClusterNode")
    deadline = time.monotonic() + 5
    while _winrm_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _winrm_threads() == []
