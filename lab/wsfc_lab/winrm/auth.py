"""HTTP authentication: NTLM (via pyspnego's acceptor) and Basic.

Users
    The endpoint is given ``{user: password}``; a key may be ``user``,
    ``DOMAIN\\user`` or ``user@domain``. A client may present any of those
    forms; the match is on the bare user name, case-insensitively, the way a
    Windows node accepts ``NODE1\\admin``, ``.\\admin`` or ``admin`` for the
    same local account.

NTLM
    The cryptography is pyspnego's NTLM acceptor (``spnego.server(...,
    protocol="ntlm")``). That acceptor looks the user up in the file named by
    the ``NTLM_USER_FILE`` environment variable, matching the *domain and user
    exactly as the client sent them* (the NTLMv2 response is computed over
    both). So for each AUTHENTICATE message we read the user and domain the
    client sent, look the password up ourselves, and, under a process-wide
    lock, write a one-line credential file for exactly that (domain, user),
    point ``NTLM_USER_FILE`` at it, let pyspnego verify, then restore the
    variable and empty the file. The line uses the smbpasswd form
    (``NAME:UID:LMHASH:NTHASH:[U]:LCT-0``), so no clear-text password is ever
    written to disk; the file lives in a private 0700 temp directory removed
    at exit. The lock serialises all endpoints of the process, which keeps
    the environment variable consistent without races.

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
from typing import Iterator

import spnego
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from spnego._ntlm_raw.messages import Authenticate

__all__ = ["AuthFailed", "CredentialStore", "NTLMAcceptor", "check_basic", "bare_user"]


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


class NTLMAcceptor:
    """One NTLM handshake / security context (one per TCP connection).

    ``step(token)`` returns the CHALLENGE for a NEGOTIATE token and ``None``
    once an AUTHENTICATE token has been verified; afterwards ``user`` is the
    authenticated name and ``wrap_winrm``/``unwrap_winrm`` seal and unseal
    message bodies.
    """

    def __init__(self, store: CredentialStore) -> None:
        self._store = store
        self._ctx: spnego.ContextProxy | None = None
        self.user: str | None = None

    @property
    def complete(self) -> bool:
        return self.user is not None

    def step(self, token: bytes) -> bytes | None:
        if len(token) < 12 or not token.startswith(b"NTLMSSP\x00"):
            raise AuthFailed(None, "not an NTLM token")
        (msg_type,) = token[8:9]
        if msg_type == 1:
            self.user = None
            with _ntlm_user_file(""):
                self._ctx = spnego.server(protocol="ntlm")
                return self._ctx.step(token)
        if msg_type == 3:
            return self._authenticate(token)
        raise AuthFailed(None, "unexpected NTLM message type")

    def _authenticate(self, token: bytes) -> None:
        try:
            auth = Authenticate.unpack(token)
            user = auth.user_name or ""
            domain = auth.domain_name or ""
        except Exception:
            raise AuthFailed(None, "malformed AUTHENTICATE message") from None
        shown = f"{domain}\\{user}" if domain else user
        if self._ctx is None:
            raise AuthFailed(shown or None, "AUTHENTICATE without NEGOTIATE")
        password = self._store.password_for(user) if user else None
        if password is None or ":" in user or ":" in domain or "\n" in user + domain:
            self._ctx = None
            raise AuthFailed(shown or None, "unknown user")
        try:
            with _ntlm_user_file(_hash_line(domain, user, password)):
                self._ctx.step(token)
        except Exception:
            self._ctx = None
            raise AuthFailed(shown, "invalid NTLM response") from None
        if not self._ctx.complete:
            self._ctx = None
            raise AuthFailed(shown, "NTLM context incomplete")
        self.user = shown
        return None

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
