"""Message encryption over HTTP with the HTTP authentication's context ([MS-WSMV] 2.2.9.1.1).

A Windows listener on HTTP with ``AllowUnencrypted=false`` (the default)
only accepts SOAP bodies sealed with the security context negotiated by the
HTTP authentication, framed as a MIME multipart::

    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/HTTP-SPNEGO-session-encrypted\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext length>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <uint32 LE signature length><NTLM signature (16)><RC4-sealed SOAP>--Encrypted Boundary--\\r\\n

with the HTTP header
``Content-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"``.
The server answers in the same framing, sealed with its outbound keys. This is
what pywinrm's ``winrm/encryption.py`` produces and expects.

The protocol names the context: ``application/HTTP-SPNEGO-session-encrypted``
after ``Negotiate`` authentication (NTLM or Kerberos chosen by SPNEGO) and
``application/HTTP-Kerberos-session-encrypted`` after ``Kerberos``
authentication (what pywinrm's ``kerberos`` transport sends); the server
answers with the protocol of the request. The signature is 16 bytes for NTLM
and longer for Kerberos (the RFC 4121 wrap token header: 60 bytes with AES).

The octet-stream part is parsed by length (signature length field + the
``Length`` of ``OriginalContent``; NTLM sealing is RC4 and Kerberos AES is a
CTS mode, so ciphertext and plaintext have the same length) instead of
searching for the closing boundary, which could in principle occur inside
ciphertext.
"""

from __future__ import annotations

import re
import struct
from typing import Protocol

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
KERBEROS_PROTOCOL = "application/HTTP-Kerberos-session-encrypted"
PROTOCOLS = (PROTOCOL, KERBEROS_PROTOCOL)
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
MAX_SIGNATURE = 1024  # far above any real wrap token header; a larger length field is a corrupt message
_BOUNDARY = b"--Encrypted Boundary"
_LENGTH = re.compile(rb"Length=(\d+)")
_OCTET_HEADER = b"\tContent-Type: application/octet-stream\r\n"


class SealingContext(Protocol):
    """What pyspnego's NTLM context offers for WinRM (``wrap_winrm``/``unwrap_winrm``)."""

    def wrap_winrm(self, data: bytes): ...  # noqa: E704

    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes: ...  # noqa: E704


class EncryptionError(ValueError):
    """The body is not a well-formed or correctly sealed encrypted message."""


def protocol_of(content_type: str | None) -> str | None:
    """The encryption protocol a ``multipart/encrypted`` Content-Type names, or None for any other body."""
    lowered = (content_type or "").lower()
    if not lowered.startswith("multipart/encrypted"):
        return None
    return next((p for p in PROTOCOLS if p.lower() in lowered), None)


def is_encrypted_content_type(content_type: str | None) -> bool:
    return protocol_of(content_type) is not None


def content_type(protocol: str = PROTOCOL) -> str:
    return f'multipart/encrypted;protocol="{protocol}";boundary="Encrypted Boundary"'


def decrypt(body: bytes, ctx: SealingContext, protocol: str = PROTOCOL) -> bytes:
    """Unseal every encrypted part of *body* (framed for *protocol*) and return the joined SOAP bytes."""
    pos = 0
    out: list[bytes] = []
    opener = _BOUNDARY + b"\r\n"
    while body.startswith(opener, pos):
        pos += len(opener)
        end = body.find(opener, pos)
        if end < 0:
            raise EncryptionError("missing octet-stream part")
        header = body[pos:end]
        if protocol.encode().lower() not in header.lower():
            raise EncryptionError("unexpected encrypted content type")
        m = _LENGTH.search(header)
        if not m:
            raise EncryptionError("OriginalContent has no Length")
        length = int(m.group(1))
        pos = end + len(opener)
        if not body.startswith(_OCTET_HEADER, pos):
            raise EncryptionError("missing application/octet-stream header")
        pos += len(_OCTET_HEADER)
        if len(body) < pos + 4:
            raise EncryptionError("truncated signature length")
        (sig_len,) = struct.unpack("<I", body[pos : pos + 4])
        pos += 4
        if not 16 <= sig_len <= MAX_SIGNATURE or len(body) < pos + sig_len + length:
            raise EncryptionError("truncated encrypted payload")
        signature = body[pos : pos + sig_len]
        pos += sig_len
        sealed = body[pos : pos + length]
        pos += length
        try:
            plain = ctx.unwrap_winrm(signature, sealed)
        except Exception as exc:  # pyspnego raises its own error types; all mean "bad seal"
            raise EncryptionError(f"unwrap failed: {type(exc).__name__}") from None
        if len(plain) != length:
            raise EncryptionError("decrypted length does not match OriginalContent")
        out.append(plain)
    if not out:
        raise EncryptionError("no encrypted part")
    if body[pos:] != _BOUNDARY + b"--\r\n":
        raise EncryptionError("missing closing boundary")
    return b"".join(out)


def encrypt(plain: bytes, ctx: SealingContext, protocol: str = PROTOCOL) -> bytes:
    """Seal *plain* and frame it as Windows does for *protocol*."""
    wrapped = ctx.wrap_winrm(plain)
    header, sealed = wrapped.header, wrapped.data
    return (
        _BOUNDARY
        + b"\r\n"
        + b"\tContent-Type: "
        + protocol.encode()
        + b"\r\n"
        + b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(plain)).encode()
        + b"\r\n"
        + _BOUNDARY
        + b"\r\n"
        + _OCTET_HEADER
        + struct.pack("<I", len(header))
        + header
        + sealed
        + _BOUNDARY
        + b"--\r\n"
    )
