"""Kerberos on the lab's WinRM endpoint: a real MIT KDC on loopback, real clients holding a ticket.

The KDC (``krb5kdc`` from Debian's krb5-kdc) runs in a temporary directory
with its own ``krb5.conf`` (``KRB5_CONFIG``); the endpoint accepts tickets for
its node's service principals with the keytab ``KRB5_KTNAME`` names; the
clients log in with a ticket from ``kinit`` (``KRB5CCNAME``), as on a
domain-joined controller: pywinrm's ``kerberos`` transport (ansible's
``winrm``) and pypsrp's ``kerberos`` and ``negotiate`` auth (ansible's
``psrp``). What Windows refuses is refused: a ticket for another node's
principal, a principal that is not one of the node's users, an authenticator
from a clock more than 5 minutes off (401), an expired ticket (the client
cannot get a service ticket from the KDC any more).

Without the Kerberos tools and libraries (``make kerberos-setup``) the module
is skipped, unless WSFC_LAB_REQUIRE_KERBEROS=1 (set by ``make kerberos-tests``)
makes that a failure.
"""

from __future__ import annotations

import os
import time

import pytest

from wsfc_lab import kerberos
from wsfc_lab.pwsh.pipeline_host import PipelineResult
from wsfc_lab.winrm import WinRMEndpoint
from wsfc_lab.winrm.auth import KerberosService


def _missing() -> str | None:
    if not kerberos.available():
        return "the MIT Kerberos tools (krb5-kdc, krb5-admin-server, krb5-user) are not installed"
    try:
        import gssapi  # noqa: F401
        import kerberos as pykerberos  # noqa: F401
        import krb5  # noqa: F401
    except ImportError as exc:
        return f"the Kerberos extras of pywinrm/pypsrp are not installed ({exc})"
    return None


MISSING = _missing()
if MISSING and os.environ.get("WSFC_LAB_REQUIRE_KERBEROS") == "1":
    raise RuntimeError(f"WSFC_LAB_REQUIRE_KERBEROS=1 but {MISSING}; run `make kerberos-setup`")
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

USER, PASSWORD = "labadmin", "Kerb-pa55 w0rd"
OUTSIDER, OUTSIDER_PASSWORD = "intruder", "0ther-pa55"


@pytest.fixture(scope="module")
def realm(tmp_path_factory):
    """A running KDC with the lab's user, an outsider, and NODE1's and NODE2's service principals."""
    base = tmp_path_factory.mktemp("kerberos")
    kdc = kerberos.KDC.create(base / "kdc")
    kdc.add_user(USER, PASSWORD)
    kdc.add_user(OUTSIDER, OUTSIDER_PASSWORD)
    keytab = kdc.add_services(kerberos.service_principals("NODE1", kdc.realm)
                              + kerberos.service_principals("NODE2", kdc.realm), base / "http.keytab")
    kdc.start()
    saved = {k: os.environ.get(k) for k in ("KRB5_CONFIG", "KRB5_KTNAME", "KRB5CCNAME")}
    os.environ.update(KRB5_CONFIG=str(kdc.krb5_conf), KRB5_KTNAME=f"FILE:{keytab}",
                      KRB5CCNAME=f"FILE:{base / 'ccache'}")
    yield kdc, base / "ccache"
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    kdc.stop()


@pytest.fixture
def events():
    return []


@pytest.fixture
def node1(realm, events):
    kdc, _ = realm
    ep = WinRMEndpoint(
        "NODE1", lambda node, cmd, args, stdin: (0, f"ran {cmd} on {node}\r\n".encode(), b""), {USER: PASSWORD},
        transport="kerberos", kerberos=KerberosService(kdc.realm, kerberos.host_name("NODE1", kdc.realm)),
        on_event=events.append,
        psrp_runner=lambda node, script, inputs: PipelineResult(records=[("output", f"pipeline on {node}")]))
    ep.start()
    yield ep
    ep.stop()


def _ticket(realm, principal: str = f"{USER}@LAB.TEST", password: str = PASSWORD, lifetime: str | None = None):
    kdc, ccache = realm
    ccache.unlink(missing_ok=True)
    kdc.kinit(principal, password, ccache, lifetime)


def _winrm(ep: WinRMEndpoint, host: str, principal: str = f"{USER}@LAB.TEST"):
    import winrm
    session = winrm.Session(f"http://127.0.0.1:{ep.port}/wsman", auth=(principal, None), transport="kerberos",
                            kerberos_hostname_override=host, message_encryption="always", proxy=None,
                            operation_timeout_sec=5, read_timeout_sec=10)
    return session.run_cmd("hostname")


def _psrp(ep: WinRMEndpoint, auth: str, host: str) -> list:
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.wsman import WSMan
    wsman = WSMan("127.0.0.1", port=ep.port, ssl=False, username=f"{USER}@LAB.TEST", auth=auth,
                  negotiate_hostname_override=host, encryption="always", no_proxy=True, cert_validation=False)
    with RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script("anything")
        return ps.invoke()


def _commands(events):
    return [e for e in events if e["op"] == "winrm.command"]


def test_pywinrm_logs_in_with_a_ticket(realm, node1, events):
    _ticket(realm)
    result = _winrm(node1, "node1.lab.test")
    assert result.status_code == 0
    assert result.std_out == b"ran hostname on NODE1\r\n"
    assert [(e["protocol"], e["auth"]) for e in _commands(events)] == [("winrs", "kerberos")]
    assert not [e for e in events if e["op"] == "winrm.auth"]


@pytest.mark.parametrize("auth", ["kerberos", "negotiate"])
def test_pypsrp_logs_in_with_a_ticket(realm, node1, events, auth):
    _ticket(realm)
    assert _psrp(node1, auth, "node1.lab.test") == ["pipeline on NODE1"]
    assert [(e["protocol"], e["auth"]) for e in _commands(events)] == [("psrp", "kerberos")]


def test_a_ticket_for_another_nodes_principal_is_refused_with_401(realm, node1, events):
    import winrm.exceptions
    _ticket(realm)
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):  # pywinrm's name for HTTP 401
        _winrm(node1, "node2.lab.test")  # a valid ticket, for HTTP/node2.lab.test
    assert _commands(events) == []
    refused = [e for e in events if e["op"] == "winrm.auth"]
    assert refused and all(not e["ok"] and e["user"] == f"{USER}@LAB.TEST" for e in refused)


def test_a_principal_that_is_not_a_user_of_the_node_is_refused_with_401(realm, node1, events):
    import winrm.exceptions
    _ticket(realm, f"{OUTSIDER}@LAB.TEST", OUTSIDER_PASSWORD)
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        _winrm(node1, "node1.lab.test", principal=f"{OUTSIDER}@LAB.TEST")
    assert _commands(events) == []
    refused = [e for e in events if e["op"] == "winrm.auth"]
    assert refused and all(e["user"] == f"{OUTSIDER}@LAB.TEST" for e in refused)


def test_an_expired_ticket_logs_nobody_in(realm, node1, events):
    """The KDC refuses an expired ticket-granting ticket, so the client has no service ticket to present.

    A Windows node never sees such a ticket either: the client's Kerberos library will not send an expired
    ticket, and the domain controller will not issue a new one for it.
    """
    kdc, _ = realm
    _ticket(realm, lifetime="5s")
    assert _winrm(node1, "node1.lab.test").status_code == 0  # valid at first
    time.sleep(6)
    with pytest.raises(Exception) as err:
        _winrm(node1, "node2.lab.test")  # needs a new service ticket: the TGT has expired
    assert "expired" in str(err.value).lower()
    with pytest.raises(Exception) as err:
        _winrm(node1, "node1.lab.test")  # the cached service ticket has expired as well
    assert "expired" in str(err.value).lower()
    assert len(_commands(events)) == 1


def test_a_controller_clock_more_than_five_minutes_ahead_is_refused_with_401(realm, node1, events):
    """Its tickets are valid, but the authenticator's time is an hour off: the node refuses the login (401).

    The server-side time check of Kerberos (RFC 4120 3.2.3, Windows' 5 minute "Maximum tolerance for computer
    clock synchronization"); what an expired ticket would meet if a client ever presented one.
    """
    import winrm.exceptions
    kdc, ccache = realm
    _ticket(realm)
    kdc.service_ticket(ccache, f"HTTP/node1.lab.test@{kdc.realm}")
    skewed = kerberos.skewed_copy(ccache, ccache.with_name("skewed"), 3600)
    os.environ["KRB5CCNAME"] = f"FILE:{skewed}"
    try:
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            _winrm(node1, "node1.lab.test")
    finally:
        os.environ["KRB5CCNAME"] = f"FILE:{ccache}"
    assert _commands(events) == []
    assert [e["ok"] for e in events if e["op"] == "winrm.auth"][:1] == [False]
    assert _winrm(node1, "node1.lab.test").status_code == 0  # the same ticket, from a right clock: accepted
