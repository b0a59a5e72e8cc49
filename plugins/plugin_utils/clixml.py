# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The error stream powershell.exe writes as CLIXML, read back as text, with no I/O.

With its standard streams redirected (as under WinRM), powershell.exe writes
its error stream to stderr as ``#< CLIXML`` followed by an ``<Objs>``
document: one ``<S S="Error">`` string per line of each formatted error.
Characters that XML cannot hold, the line ends among them, are written
``_xHHHH_`` (the UTF-16 code unit in hex; a character beyond U+FFFF as its
two surrogates), and a literal ``_x`` as ``_x005F_x`` ([MS-PSRP] 2.2.5.1.1
String, encoded as its section 2.2.5.3.2 says).

The ``winrm`` connection plugin usually decodes this itself, but not every
core does it for every shape of output, and the helpers it uses are private
to ansible-core (they moved in 2.21), so the collection reads it here. The
text comes from the node and is not trusted: it is read with a pattern, not
an XML parser (no entity is ever expanded), and anything that does not look
like CLIXML is returned as it is.
"""

from __future__ import annotations

import re

HEADER = "#< CLIXML"
_ERROR_STRING = re.compile(r'<S S="Error">(.*?)</S>', re.DOTALL)
_CODE_UNIT = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}
_XML_ENTITY = re.compile("|".join(re.escape(entity) for entity in _XML_ENTITIES))


def decode_string(text):
    """The text of one CLIXML string: XML entities and ``_xHHHH_`` code units decoded."""
    text = _XML_ENTITY.sub(lambda match: _XML_ENTITIES[match.group(0)], text)
    units = []
    position = 0
    for match in _CODE_UNIT.finditer(text):
        units.extend(ord(char) for char in text[position:match.start()])
        units.append(int(match.group(1), 16))
        position = match.end()
    units.extend(ord(char) for char in text[position:])
    # Surrogate pairs become one character; a lone surrogate (invalid in the text the node meant) is replaced.
    raw = b"".join(unit.to_bytes(2, "little") if unit <= 0xFFFF else chr(unit).encode("utf-16-le") for unit in units)
    return raw.decode("utf-16-le", errors="replace")


def error_text(stderr):
    """``stderr`` with a CLIXML document (and what follows it) replaced by its error lines, as text.

    Text before the ``#< CLIXML`` header (another program's output) is kept.
    Without the header, or without any error string in the document,
    ``stderr`` comes back unchanged.
    """
    start = stderr.find(HEADER)
    if start < 0:
        return stderr
    strings = _ERROR_STRING.findall(stderr, start)
    if not strings:
        return stderr
    return stderr[:start] + "".join(decode_string(string) for string in strings)
