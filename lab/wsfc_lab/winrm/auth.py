"""HTTP authentication: Negotiate (NTLM or Kerberos, through pyspnego's acceptors) and Basic.

Users
    The endpoint is given ``{user: password}``; a key may be ``user``,
    ``DOMAIN\\user`` or ``user@domain``. A client may present any of those
    forms; the match is on the bare user name, case-insensitively, the way a
    Windows node accepts ``NODE1\\admin``, ``.\\admin`` or ``admin`` for the
    same local account.

Negotiate
    :class:`HTTPAcceptor` takes what a Windows listener takes with its default
    settings: raw NTLM, SPNEGO (RFC 4178/4559) around NTLM or Kerberos, and a
    raw Kerberos token. The SPNEGO and Kerberos work is pyspnego's
    (``spnego.server``; Kerberos through GSSAPI with the keytab that
    ``KRB5_KTNAME`` names, see :mod:`wsfc_lab.kerberos`).

NTLM
    The cryptography is pyspnego's NTLM acceptor. That acceptor looks the user
    up in the file named by the ``NTLM_USER_FILE`` environment variable,
    matching the *domain and user exactly as the client sent them* (the NTLMv2
    response is computed over both). So for each AUTHENTICATE message (raw, or
    inside a SPNEGO NegTokenResp) we read the user and domain the client sent,
    look the password up ourselves, and, under a process-wide lock, write a
    one-line credential file for exactly that (domain, user), point
    ``NTLM_USER_FILE`` at it, let pyspnego verify, then restore the variable
    and empty the file. The line uses the smbpasswd form
    (``NAME:UID:LMHASH:NTHASH:[U]:LCT-0``), so no clear-text password is ever
    written to disk; the file lives in a private 0700 temp directory removed
    at exit. The lock serialises all endpoints of the process, which keeps
    the environment variable consistent without races.

Kerberos
    A ticket is accepted when GSSAPI accepts it (right service principal, not
    expired, authenticator within the clock skew) and its client principal is
    a user of the node in the node's realm.

Basic
    ``Authorization: Basic`` on every request (HTTPS only), checked against
    the same user table.

Nothing here logs or returns a password.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import contextlib
import hmac
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from typing import Iterator

import spnego
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from spnego._ntlm_raw.messages import Authenticate
from spnego._spnego import unpack_token

__all__ = ["AuthFailed", "CredentialStore", "HTTPAcceptor", "KerberosService", "check_basic", "bare_user"]


class AuthFailed(Exception):
    """Authentication was refused. ``user`` is the name the client gave (never a password)."""

    def __init__(self, user: str | None, reason: str) -> None:
        super().__init__(reason)
        self.user = user
        self.reason = reason


def bare_user(name: str) -> str:
    """``DOMAIN\\user`` / ``user@domain`` / ``user`` -> ``user`` (lower case)."""
    if "\\" in name:
        name = name.split("\\", 1)[1]
    elif "@" in name:
        name = name.split("@", 1)[0]
    return name.lower()


class CredentialStore:
    """The user table of one endpoint, keyed by bare, lower-cased user name."""

    def __init__(self, credentials: dict[str, str]) -> None:
        self._by_user: dict[str, tuple[str, str]] = {}
        for name, password in credentials.items():
            self._by_user[bare_user(name)] = (name, password)

    def password_for(self, presented_user: str) -> str | None:
        entry = self._by_user.get(bare_user(presented_user))
        return entry[1] if entry else None

    def __repr__(self) -> str:  # never show passwords
        return f"CredentialStore(users={sorted(self._by_user)})"


# --------------------------------------------------------------------------- NTLM_USER_FILE management

_NTLM_LOCK = threading.Lock()
_ntlm_dir: str | None = None


def _ntlm_file_path() -> str:
    global _ntlm_dir
    if _ntlm_dir is None:
        _ntlm_dir = tempfile.mkdtemp(prefix="wsfc-lab-ntlm-")  # mode 0700
        atexit.register(shutil.rmtree, _ntlm_dir, True)
    return os.path.join(_ntlm_dir, "ntlm_users")


@contextlib.contextmanager
def _ntlm_user_file(line: str) -> Iterator[None]:
    """Hold the lock, expose *line* as the NTLM credential store, then clean up."""
    with _NTLM_LOCK:
        path = _ntlm_file_path()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(line)
        previous = os.environ.get("NTLM_USER_FILE")
        os.environ["NTLM_USER_FILE"] = path
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("NTLM_USER_FILE", None)
            else:
                os.environ["NTLM_USER_FILE"] = previous
            with open(path, "w", encoding="utf-8"):
                pass


def _hash_line(domain: str, user: str, password: str) -> str:
    name = f"{domain}\\{user}" if domain else user
    lm = binascii.hexlify(lmowfv1(password)).decode().upper()
    nt = binascii.hexlify(ntowfv1(password)).decode().upper()
    return f"{name}:0:{lm}:{nt}:[U]:LCT-00000000\n"


_KERBEROS_OIDS = (b"\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02",   # 1.2.840.113554.1.2.2 (RFC 4121)
                  b"\x06\x09\x2a\x86\x48\x82\xf7\x12\x01\x02\x02")   # 1.2.840.48018.1.2.2 (MS Kerberos)


# As clients spell them: pywinrm ``HTTP``, ansible's psrp ``WSMAN``, pyspnego's default ``host``. Windows matches
# SPNs case-insensitively; MIT's database does not, so each spelling is its own principal there.
SERVICE_CLASSES = ("HTTP", "WSMAN", "host")


@dataclass(frozen=True)
class KerberosService:
    """What a node needs to accept Kerberos: its realm and its host name.

    Clients ask for a ticket to ``<class>/<host>``: pywinrm (ansible's
    ``winrm``) for ``HTTP``, ansible's ``psrp`` for ``WSMAN``, pypsrp on its
    own for ``host``. On a domain member every such name belongs to the
    computer account (``HOST`` and its aliases, ``WSMAN`` registered by the
    WinRM service), so the node accepts all of them and nothing else. The keys
    come from the keytab the process points ``KRB5_KTNAME`` at;
    :mod:`wsfc_lab.kerberos` makes both.
    """

    realm: str
    hostname: str

    def principals(self) -> set[str]:
        """The service principals this node accepts tickets for, lower-cased."""
        return {f"{cls}/{self.hostname}@{self.realm}".lower() for cls in SERVICE_CLASSES}


def _ntlm_authenticate(token: bytes) -> bytes | None:
    """The NTLM AUTHENTICATE message in a raw NTLM or a SPNEGO token, or None when there is none."""
    if token.startswith(b"NTLMSSP\x00"):
        return token if token[8:9] == b"\x03" else None
    if token[:1] != b"\xa1":  # only a NegTokenResp carries the initiator's second leg
        return None
    try:
        inner = unpack_token(token)
    except Exception:
        return None
    response = getattr(inner, "response_token", None)
    if isinstance(response, bytes) and response.startswith(b"NTLMSSP\x00\x03"):
        return response
    return None


def _is_kerberos(token: bytes) -> bool:
    """A raw Kerberos GSS token (RFC 4121 4.1: [APPLICATION 0] with the Kerberos OID first)."""
    return token[:1] == b"\x60" and any(token[2:24].find(oid) >= 0 for oid in _KERBEROS_OIDS) and \
        not token.startswith(b"NTLMSSP")


def _acceptor_name(ctx: object) -> str | None:
    """The service principal a Kerberos ticket was for (GSSAPI's acceptor name), through pyspnego's proxies."""
    inner = getattr(ctx, "_context", None)  # NegotiateProxy -> GSSAPIProxy; GSSAPIProxy -> gssapi.SecurityContext
    if inner is not None and not hasattr(inner, "target_name"):
        inner = getattr(inner, "_context", None)
    try:
        name = getattr(inner, "target_name", None)
    except Exception:
        return None
    return str(name).rstrip("\x00") if name is not None else None


class HTTPAcceptor:
    """One HTTP authentication handshake and the security context it makes (one per TCP connection).

    Accepts what a Windows WinRM listener accepts with its default ``Negotiate`` and ``Kerberos`` settings
    ([MS-WSMV] 2.2.4.34 ServiceAuthType, both true by default; RFC 4559 for the HTTP exchange): a raw NTLM
    handshake (the ``NTLM`` scheme or pywinrm's ``ntlm`` transport), SPNEGO ``Negotiate`` wrapping NTLM (pypsrp's
    default) or Kerberos, and a raw Kerberos token (pywinrm's ``kerberos`` transport). Kerberos is accepted only
    when the endpoint has a :class:`KerberosService`; without one a Kerberos token is refused as a node that is
    not joined to the client's realm refuses it.

    ``step(token)`` returns the token for the client (a challenge while the handshake goes on; after the last
    leg the final token, such as Kerberos' AP-REP, that RFC 4559 puts in the ``WWW-Authenticate`` header of the
    200 answer) and raises :class:`AuthFailed` when the client is refused. Afterwards ``user`` is the
    authenticated name, ``mechanism`` ``ntlm`` or ``kerberos``, and ``wrap_winrm``/``unwrap_winrm`` seal and
    unseal message bodies.
    """

    def __init__(self, store: CredentialStore, kerberos: KerberosService | None = None) -> None:
        self._store = store
        self._kerberos = kerberos
        self._ctx: spnego.ContextProxy | None = None
        self.user: str | None = None
        self.mechanism: str | None = None

    @property
    def complete(self) -> bool:
        return self.user is not None

    def step(self, token: bytes) -> bytes | None:
        if len(token) < 12:
            raise AuthFailed(None, "not an authentication token")
        if self._ctx is None:
            self._ctx = self._new_context(token)
        authenticate = _ntlm_authenticate(token)
        try:
            if authenticate is not None:
                out = self._step_ntlm(authenticate, token)
            else:
                with _ntlm_user_file(""):
                    out = self._ctx.step(token)
        except AuthFailed:
            self._ctx = None
            raise
        except Exception as exc:  # pyspnego and GSSAPI raise their own types; all mean "refused"
            self._ctx = None
            raise AuthFailed(None, f"{type(exc).__name__}: {exc}") from None
        if self._ctx.complete:
            self._finish()
        return out

    def _new_context(self, token: bytes) -> spnego.ContextProxy:
        with _ntlm_user_file(""):
            if token.startswith(b"NTLMSSP\x00"):
                return spnego.server(protocol="ntlm")
            if _is_kerberos(token) and self._kerberos is None:
                raise AuthFailed(None, "Kerberos is not available on this node")
            if self._kerberos is None:
                return spnego.server(protocol="negotiate")  # a Kerberos result is refused in _finish
            return spnego.server(hostname=self._kerberos.hostname, service="HTTP",
                                 protocol="kerberos" if _is_kerberos(token) else "negotiate")

    def _step_ntlm(self, authenticate: bytes, token: bytes) -> bytes | None:
        try:
            auth = Authenticate.unpack(authenticate)
            user = auth.user_name or ""
            domain = auth.domain_name or ""
        except Exception:
            raise AuthFailed(None, "malformed AUTHENTICATE message") from None
        shown = f"{domain}\\{user}" if domain else user
        password = self._store.password_for(user) if user else None
        if password is None or ":" in user or ":" in domain or "\n" in user + domain:
            raise AuthFailed(shown or None, "unknown user")
        try:
            with _ntlm_user_file(_hash_line(domain, user, password)):
                out = self._ctx.step(token)
        except Exception:
            raise AuthFailed(shown, "invalid NTLM response") from None
        if not self._ctx.complete:
            raise AuthFailed(shown, "NTLM context incomplete")
        self.user = shown
        return out

    def _finish(self) -> None:
        protocol = (getattr(self._ctx, "negotiated_protocol", None) or "ntlm").lower()
        if protocol != "kerberos":
            self.mechanism = "ntlm"
            return
        principal = self._ctx.client_principal or ""
        name, _, realm = principal.rpartition("@")
        expected = self._kerberos.principals() if self._kerberos else set()
        if (_acceptor_name(self._ctx) or "").lower() not in expected:
            # A ticket for another node's (or another service's) principal: this node's computer account key
            # cannot have decrypted it on Windows; the lab's keytab holds every node's key, so it checks the name.
            self._ctx = None
            raise AuthFailed(principal or None, "ticket for another service principal")
        # A valid ticket from a principal that is not one of the node's users: refused with 401. about_Remote_
        # Requirements says a remote connection needs membership of Administrators (or Remote Management Users);
        # Microsoft does not document the HTTP status for an authenticated outsider, 401 is the conservative one.
        if (self._kerberos is None or realm.upper() != self._kerberos.realm.upper()
                or self._store.password_for(name) is None):
            self._ctx = None
            raise AuthFailed(principal or None, "principal not authorised on this node")
        self.mechanism = "kerberos"
        self.user = principal

    def wrap_winrm(self, data: bytes):
        assert self._ctx is not None
        return self._ctx.wrap_winrm(data)

    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes:
        assert self._ctx is not None
        return self._ctx.unwrap_winrm(header, data)


def check_basic(value: str, store: CredentialStore) -> str:
    """Verify the credentials of an ``Authorization: Basic`` value; return the user."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthFailed(None, "malformed Basic credentials") from None
    user, sep, password = decoded.partition(":")
    if not sep or not user:
        raise AuthFailed(user or None, "malformed Basic credentials")
    expected = store.password_for(user)
    if expected is None or not _constant_time_equal(expected, password):
        raise AuthFailed(user, "wrong user or password")
    return user


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
