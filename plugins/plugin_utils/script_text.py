# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PowerShell source text: strip comments, blank lines and indentation without changing what the script means.

The operation scripts are written to be read (comments, indentation); the node
needs none of that, and every byte travels on each call, twice as large once
``-EncodedCommand`` has made it UTF-16 and base64. :func:`strip` removes it.

It is a lexer, not a pattern: it follows the lexical grammar of the PowerShell
Language Specification, chapter 2 (learn.microsoft.com/powershell/scripting/lang-spec/chapter-02):

* a comment is ``#`` to the end of the line, or ``<#`` to the first ``#>``
  (comments do not nest, §2.2.3); "a comment is treated as white space", so a
  removed comment becomes one space (a block comment that spans lines ends no
  statement, so none is added);
* "a character sequence is only recognized as a comment if that sequence
  begins with ``#`` or ``<#``": ``hello#there`` is one token (§2.2.3). A ``#``
  therefore starts a comment only at the start of a token: at the start of a
  line, after white space, or after a character that ends a token whatever the
  parsing mode (``{ } ( ) ; , | &``, which no generic token holds, §2.3.3, or
  a closing quote, which §2.2.3 names). Anywhere else (``$a#b``, ``a#b``) it
  is part of the token and kept;
* nothing inside a string literal is touched (§2.3.5.2): ``'...'`` with ``''``
  inside, ``"..."`` with backtick escapes, ``""`` and ``$( )`` sub-expressions
  (which hold code, strings and comments of their own), here-strings
  ``@'...'@`` and ``@"..."@`` (which end only at a line that starts with
  ``'@`` / ``"@``), with the typographic quotes the language also takes for
  quotes, and braced variables ``${...}`` (§2.3.2);
* a backtick escapes the next character (`` `# `` is no comment, §2.3.7) and a
  backtick before a line break continues the line (§2.2.4): the next line is
  then kept as it comes (its indentation as one space, a comment on it, an
  empty line), so no line is ever joined to a continued one.

Where PowerShell's reading could differ by parsing mode, :func:`strip` refuses
the text (:class:`ScriptTextError`) instead of guessing: a ``#`` right after
``]`` (a generic token may hold ``]``, yet §2.2.3 lists it as ending one), a
``<#`` inside a token, a ``#`` inside a token followed on its line by a quote or
parenthesis, an unterminated string or block comment, a backtick that ends
the text, and text after a here-string's opening ``@'``/``@"`` (PowerShell
refuses that too). A refused script fails the unit tests; it is never sent
half-understood.
``#requires`` comments (§2.2.3: they decide whether the script may run) are
kept.
"""

from __future__ import annotations

import re
import unicodedata

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"  # single-quote-character, lang-spec §2.3.5.2
DOUBLE_QUOTES = '"\u201c\u201d\u201e'  # double-quote-character, lang-spec §2.3.5.2
NEWLINES = "\r\n"
# Characters that end a token in any parsing mode: a generic token holds none of them (lang-spec §2.3.3).
TOKEN_ENDERS = "{}();,|&"
_REQUIRES = re.compile(r"#requires\b", re.IGNORECASE)

# Kinds of piece the lexer cuts the text into.
CODE, BLANK, NEWLINE, CONTINUATION, COMMENT, KEPT_COMMENT, STRING = (
    "code", "blank", "newline", "continuation", "comment", "kept_comment", "string")


class ScriptTextError(ValueError):
    """The text cannot be stripped safely (it is malformed, or PowerShell could read it two ways)."""


def is_blank(char):
    """White space other than a line break (lang-spec §2.2.4: Zs, Zl, Zp, tab, vertical tab, form feed)."""
    return char in "\t\v\f" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def _newline_end(text, i):
    """The index after the line break at ``i`` (CR LF is one)."""
    return i + 2 if text.startswith("\r\n", i) else i + 1


def _line_end(text, i):
    """The index of the line break that ends the line holding ``i`` (or the end of the text)."""
    ends = [pos for pos in (text.find("\r", i), text.find("\n", i)) if pos >= 0]
    return min(ends) if ends else len(text)


def _where(text, i):
    """Where ``i`` is, for an error message: its line number and the text from there."""
    line = text.count("\n", 0, i) + 1
    return "line %d: %r" % (line, text[i:_line_end(text, i)][:60])


class _Lexer:
    """Cuts PowerShell text into pieces ``(kind, text)``; see the module docstring for the rules."""

    def __init__(self, text):
        self.text = text

    def pieces(self):
        """Every piece of the whole text, in order."""
        return self._code(0, nested=False)[0]

    # ---- code -------------------------------------------------------------------------------------------
    def _code(self, i, nested):
        """Lex code from ``i``; when ``nested`` (inside ``$( )`` of a string), stop at the unmatched ``)``."""
        text, n = self.text, len(self.text)
        out = []
        at_token_start = True
        depth = 0
        while i < n:
            char = text[i]
            nxt = text[i + 1] if i + 1 < n else ""
            if char in NEWLINES:
                end = _newline_end(text, i)
                out.append((NEWLINE, text[i:end]))
                i, at_token_start = end, True
            elif is_blank(char):
                end = i
                while end < n and is_blank(text[end]):
                    end += 1
                out.append((BLANK, text[i:end]))
                i, at_token_start = end, True
            elif char == "`":
                if nxt and nxt in NEWLINES:
                    end = _newline_end(text, i + 1)
                    out.append((CONTINUATION, text[i:end]))
                    i, at_token_start = end, True
                elif not nxt:
                    raise ScriptTextError("a backtick ends the text: it escapes nothing, and with the line break "
                                          "that follows a script it would continue the line")
                else:
                    out.append((CODE, text[i:i + 2]))
                    i, at_token_start = i + 2, False
            elif char == "<" and nxt == "#":
                if not at_token_start:
                    raise ScriptTextError("'<#' inside a token, which PowerShell may or may not read as a block "
                                          "comment; put a space before it (%s)" % _where(text, i))
                end = text.find("#>", i + 2)
                if end < 0:
                    raise ScriptTextError("a block comment '<#' has no closing '#>' (%s)" % _where(text, i))
                out.append((COMMENT, text[i:end + 2]))
                i, at_token_start = end + 2, True
            elif char == "#":
                if at_token_start:
                    end = _line_end(text, i)
                    out.append((KEPT_COMMENT if _REQUIRES.match(text, i) else COMMENT, text[i:end]))
                    i = end
                else:
                    self._check_token_hash(i)
                    out.append((CODE, char))
                    i += 1
            elif char == "@" and nxt and (nxt in SINGLE_QUOTES or nxt in DOUBLE_QUOTES):
                end = self._here_string(i)
                out.append((STRING, text[i:end]))
                i, at_token_start = end, True
            elif char in SINGLE_QUOTES:
                end = self._verbatim_string(i)
                out.append((STRING, text[i:end]))
                i, at_token_start = end, True
            elif char in DOUBLE_QUOTES:
                end = self._expandable_string(i)
                out.append((STRING, text[i:end]))
                i, at_token_start = end, True
            elif char == "$" and nxt == "{":
                end = self._braced_variable(i)
                out.append((CODE, text[i:end]))
                i, at_token_start = end, False
            else:
                if nested and char == "(":
                    depth += 1
                elif nested and char == ")":
                    if depth == 0:
                        return out, i
                    depth -= 1
                out.append((CODE, char))
                i += 1
                at_token_start = char in TOKEN_ENDERS
        if nested:
            raise ScriptTextError("a sub-expression '$(' in a string has no closing ')'")
        return out, i

    def _check_token_hash(self, i):
        """Refuse a ``#`` inside a token where PowerShell's reading could depend on the parsing mode."""
        text = self.text
        if text[i - 1] == "]":
            raise ScriptTextError("'#' right after ']', which PowerShell reads as a comment or as part of a word "
                                  "depending on the parsing mode; put a space before it (%s)" % _where(text, i))
        rest = text[i + 1:_line_end(text, i)]
        if any(c in rest for c in SINGLE_QUOTES + DOUBLE_QUOTES + "()") or "<#" in rest:
            raise ScriptTextError("'#' inside a token, followed on its line by a quote or parenthesis: put a space "
                                  "before the '#' of a comment, or quote the word (%s)" % _where(text, i))

    # ---- strings ----------------------------------------------------------------------------------------
    def _verbatim_string(self, i):
        """The end of ``'...'`` starting at ``i`` (a doubled quote is a quote)."""
        text, n = self.text, len(self.text)
        j = i + 1
        while j < n:
            if text[j] in SINGLE_QUOTES:
                if j + 1 < n and text[j + 1] in SINGLE_QUOTES:
                    j += 2
                    continue
                return j + 1
            j += 1
        raise ScriptTextError("a string has no closing quote (%s)" % _where(text, i))

    def _expandable_string(self, i):
        """The end of ``"..."`` starting at ``i``: backtick escapes, doubled quotes, ``$( )`` and ``${ }``."""
        text, n = self.text, len(self.text)
        j = i + 1
        while j < n:
            char = text[j]
            if char == "`":
                j += 2
            elif text.startswith("$(", j):
                j = self._sub_expression(j)
            elif text.startswith("${", j):
                j = self._braced_variable(j)
            elif char in DOUBLE_QUOTES:
                if j + 1 < n and text[j + 1] in DOUBLE_QUOTES:
                    j += 2
                    continue
                return j + 1
            else:
                j += 1
        raise ScriptTextError("a string has no closing quote (%s)" % _where(text, i))

    def _here_string(self, i):
        """The end of a here-string whose ``@`` is at ``i``: after the quote and ``@`` at the start of a line."""
        text = self.text
        quotes = SINGLE_QUOTES if text[i + 1] in SINGLE_QUOTES else DOUBLE_QUOTES
        j = i + 2
        while j < len(text) and is_blank(text[j]):
            j += 1
        if j < len(text) and text[j] not in NEWLINES:
            raise ScriptTextError("text after the opening of a here-string, which PowerShell refuses (%s)"
                                  % _where(text, i))
        while j < len(text):
            char = text[j]
            if char in NEWLINES:
                start = _newline_end(text, j)
                if start + 1 < len(text) and text[start] in quotes and text[start + 1] == "@":
                    return start + 2
                j = start
            elif quotes is DOUBLE_QUOTES and char == "`":
                if j + 1 < len(text) and text[j + 1] in NEWLINES:
                    # Whether a backtick can keep the next line from closing the here-string is not specified.
                    start = _newline_end(text, j + 1)
                    if text[start:start + 1] in DOUBLE_QUOTES and text[start + 1:start + 2] == "@":
                        raise ScriptTextError("a backtick ends the line before a here-string's closing '\"@' "
                                              "(%s)" % _where(text, j))
                    j += 1
                else:
                    j += 2
            elif quotes is DOUBLE_QUOTES and text.startswith("$(", j):
                j = self._sub_expression(j)
            elif quotes is DOUBLE_QUOTES and text.startswith("${", j):
                j = self._braced_variable(j)
            else:
                j += 1
        raise ScriptTextError("a here-string has no closing line (%s)" % _where(text, i))

    def _sub_expression(self, i):
        """The end of ``$( ... )`` at ``i`` inside a string: its code is lexed (strings, comments) to find ``)``."""
        dummy, end = self._code(i + 2, nested=True)
        return end + 1

    def _braced_variable(self, i):
        """The end of ``${...}`` at ``i`` (a backtick escapes the next character, lang-spec §2.3.2)."""
        text, n = self.text, len(self.text)
        j = i + 2
        while j < n:
            if text[j] == "`":
                j += 2
            elif text[j] == "}":
                return j + 1
            else:
                j += 1
        raise ScriptTextError("a braced variable '${' has no closing '}' (%s)" % _where(text, i))


def pieces(text):
    """The text as ``(kind, text)`` pieces; joined, they give the text back unchanged."""
    return _Lexer(text).pieces()


def leading_comments(text):
    """The single-line comments before the first code of ``text`` (a script's header), without their ``#``."""
    found = []
    for kind, piece in pieces(text):
        if kind in (COMMENT, KEPT_COMMENT):
            if piece.startswith("#"):
                found.append(piece[1:])
        elif kind not in (BLANK, NEWLINE):
            break
    return found


def _logical_line(parts):
    """One line's pieces as sent: comments gone (a space in their place), no indentation, no trailing blanks.

    A line continuation is kept with what follows it on the next line: blanks
    (as one space), a comment (as written), an empty line. The grammar the lab
    uses reads a continuation before an empty line differently from lang-spec
    §2.2.4; sent as written, it means what it meant.
    """
    kept = []
    after_continuation = False
    for kind, piece in parts:
        if kind == COMMENT and not after_continuation:
            kind, piece = BLANK, " "
        if kind == BLANK and after_continuation:
            piece = " "
        elif kind == BLANK and (not kept or kept[-1][0] == BLANK):
            continue  # indentation, and runs of blanks
        kept.append((kind, piece))
        after_continuation = kind == CONTINUATION or (after_continuation and kind == BLANK)
    while kept and kept[-1][0] == BLANK and not after_continuation:
        kept.pop()
    return "".join(piece for kind, piece in kept)


def strip(text):
    """``text`` without comments, blank lines, indentation and trailing blanks; its meaning is unchanged.

    Line breaks outside strings become ``\\n``. Raises :class:`ScriptTextError`
    for text that cannot be stripped safely (see the module docstring).
    """
    lines, current = [], []
    for kind, piece in pieces(text):
        if kind == NEWLINE:
            lines.append(_logical_line(current))
            current = []
        else:
            current.append((kind, piece))
    lines.append(_logical_line(current))
    return "".join(line + "\n" for line in lines if line)
