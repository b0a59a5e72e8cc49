"""The error stream as powershell.exe writes it to stderr under WinRM: CLIXML.

When its standard streams are redirected, powershell.exe serialises the
error stream (and warnings, verbose) as ``#< CLIXML`` followed by an
``<Objs>`` document whose ``<S S="Error">`` strings are the formatted error
lines, each ending in ``_x000D__x000A_``. Control characters and the
underscore-x escape itself are encoded the same way (``_xHHHH_``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

HEADER = "#< CLIXML\r\n"
OBJS_OPEN = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
OBJS_CLOSE = "</Objs>"


def encode_string(text: str) -> str:
    """CLIXML string encoding: XML escapes, ``_xHHHH_`` for control chars and literal ``_x``."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "_" and text[i + 1:i + 2] in ("x", "X"):
            out.append("_x005F_")
        elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff":
            out.append("_x%04X_" % ord(ch))
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append("_x%04X__x%04X_" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
        else:
            out.append(escape(ch))
        i += 1
    return "".join(out)


def stream_document(entries: list[tuple[str, str]]) -> str:
    """``entries``: (stream, line) pairs, stream in Error / warning / verbose / debug / information."""
    if not entries:
        return ""
    parts = [HEADER, OBJS_OPEN]
    for stream, line in entries:
        parts.append(f'<S S="{stream}">{encode_string(line + chr(13) + chr(10))}</S>')
    parts.append(OBJS_CLOSE)
    return "".join(parts)
