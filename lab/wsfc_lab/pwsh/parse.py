"""Parse scripts with the tree-sitter PowerShell grammar; refuse what does not parse.

PowerShell parses a whole script before running any of it, and refuses it
with a ParserError when any part is malformed. The lab does the same with a
real PowerShell grammar (tree-sitter-powershell): any ERROR or MISSING node
refuses the script, with a message in Windows PowerShell's words where the
kind of mistake can be told (missing ``}``, ``)``, string terminator).

Two known grammar deviations are handled here, not papered over silently:

* A statement that starts with a number (``1..3``, ``1GB * 2``) is read by
  the grammar as a command named ``1..3``. PowerShell reads a number there.
  :func:`numeric_command_expression` re-reads such a command as an expression.
* ``&&`` / ``||`` pipeline chains parse, but Windows PowerShell 5.1 rejects
  them; they are refused with 5.1's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_powershell as tsp
from tree_sitter import Language, Node, Parser

from wsfc_lab.pwsh.errors import ErrorRecord, ParseFailure, Position

LANGUAGE = Language(tsp.language())

# Expression wrapper kinds that, with one child, just pass it through.
WRAPPERS = {
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression",
    "unary_expression", "logical_argument_expression", "bitwise_argument_expression",
    "comparison_argument_expression", "additive_argument_expression", "multiplicative_argument_expression",
    "format_argument_expression", "range_argument_expression", "argument_expression", "key_expression",
    "left_assignment_expression",
}

NUMERIC_COMMAND = re.compile(r"^[+-]?(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)(?:l|d)?(?:kb|mb|gb|tb|pb)?"
                             r"(?:\.\..*)?$", re.I)


def _parser() -> Parser:
    return Parser(LANGUAGE)


@dataclass
class Script:
    """A parsed script: the tree and the text it came from."""

    source: str
    data: bytes
    tree: object

    @property
    def root(self) -> Node:
        return self.tree.root_node  # type: ignore[attr-defined]

    def lines(self) -> list[str]:
        return self.source.split("\n")

    def text(self, node: Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def position(self, node: Node, end: Node | None = None) -> Position:
        row, bcol = node.start_point
        line_bytes = self.data.split(b"\n")[row] if row < self.data.count(b"\n") + 1 else b""
        col = len(line_bytes[:bcol].decode("utf-8", "replace")) + 1
        line_text = line_bytes.decode("utf-8", "replace").rstrip("\r")
        last = end or node
        if last.end_point[0] == row:
            length = len(line_bytes[bcol:last.end_point[1]].decode("utf-8", "replace"))
        else:
            length = len(line_text) - col + 1
        return Position(row + 1, col, line_text, max(1, length))


def parse_text(source: str) -> Script:
    data = source.encode("utf-8")
    return Script(source, data, _parser().parse(_grammar_input(data)))


def parse(source: str) -> Script:
    """Parse and refuse with a ParserError (as PowerShell would) when the script is malformed."""
    script = parse_text(source)
    script = _patch_param_blocks(script)
    problems = find_problems(script)
    if problems:
        raise ParseFailure(problems)
    return script


_SUFFIX = re.compile(rb"(?<![\w\\/.:$@-])(\d+(?:\.\d+)?)([kKmMgGtTpP][bB])(?![\w\\/.])")
_BARE = rb"[A-Za-z_*?][^\s,;|(){}'\"$@`]*"
_BARE_LIST = re.compile(rb"(?:(?<=[ \t])" + _BARE + rb"(?=[ \t]*,))|(?:(?<=,)[ \t]*" + _BARE + rb")")


def _grammar_input(data: bytes) -> bytes:
    """The bytes given to the grammar: number multipliers blanked (``1GB`` -> ``1  ``).

    The grammar has no ``KB``/``MB``/``GB`` suffixes; the interpreter reads the
    suffix from the original text after the literal. Same length, same positions.
    """
    return _SUFFIX.sub(lambda m: m.group(1) + b"  ", data)


def _patch_param_blocks(script: Script) -> Script:
    """Work around three places where the grammar refuses valid PowerShell.

    * ``function f { param($x) $x }`` on one line (the grammar wants a newline
      or ``;`` after the param block);
    * switch clauses on one line (``'a' { 1 } 'b' { 2 }``), same cause;
    * bareword lists as command arguments (``Select-Object Name, State``),
      which the grammar cannot read at all;
    * a ``#`` later in a double-quoted string that holds a backtick escape
      (``"`r#0"``), which the grammar's scanner takes for a comment: the
      ``#`` becomes ``_`` in the grammar's input.

    Each fix rewrites the grammar's input only, byte for byte in place (a
    blank becomes ``;``; a bareword becomes a same-length quoted string or
    digit that the interpreter reads back from the original text), so every
    position stays the same and the script's text is kept as written. When
    the fixes do not remove every error, the original errors are reported.
    """
    data = bytearray(_grammar_input(script.data))
    tree = _parser().parse(bytes(data))
    if tree.root_node.has_error and _blank_hashes_in_strings(data):
        tree = _parser().parse(bytes(data))
    patched = Script(script.source, script.data, tree)
    for _ in range(64):
        if not patched.root.has_error:
            return patched
        spot = _stuck_block(patched.root)
        if spot is not None and spot < len(data) and data[spot:spot + 1] in (b" ", b"\t"):
            data[spot:spot + 1] = b";"
        elif not _patch_barewords(patched, data):
            break
        patched = Script(script.source, script.data, _parser().parse(bytes(data)))
    if patched.root.has_error:
        return script
    return patched


def _blank_hashes_in_strings(data: bytearray) -> bool:
    """Turn ``#`` into ``_`` inside double-quoted strings (outside subexpressions); True when any changed.

    A small lexer: single-quoted strings (``''`` escapes), double-quoted
    strings (backtick escapes, ``""``), ``#`` comments and ``<# #>`` blocks.
    Here-strings and ``$( )`` in strings are left alone.
    """
    changed, i, n = False, 0, len(data)
    while i < n:
        c = data[i:i + 1]
        if c == b"#":
            i = n if data.find(b"\n", i) < 0 else data.find(b"\n", i)
        elif data[i:i + 2] == b"<#":
            end = data.find(b"#>", i + 2)
            i = n if end < 0 else end + 2
        elif c == b"'":
            i += 1
            while i < n and not (data[i:i + 1] == b"'" and data[i + 1:i + 2] != b"'"):
                i += 2 if data[i:i + 2] == b"''" else 1
            i += 1
        elif c == b'"' and data[max(i - 1, 0):i] != b"@":
            i += 1
            depth = 0
            while i < n:
                d = data[i:i + 1]
                if d == b"`":
                    i += 2
                    continue
                if data[i:i + 2] == b"$(":
                    depth += 1
                elif d == b")" and depth:
                    depth -= 1
                elif d == b'"' and not depth:
                    if data[i + 1:i + 2] == b'"':
                        i += 2
                        continue
                    break
                elif d == b"#" and not depth:
                    data[i:i + 1] = b"_"
                    changed = True
                i += 1
            i += 1
        else:
            i += 1
    return changed


def _stuck_block(node: Node) -> int | None:
    if node.type == "switch_clause" and node.has_error and not any(c.has_error or c.type == "ERROR"
                                                                  for c in node.children):
        blocks = [c for c in node.children if c.type == "statement_block"]
        if blocks:
            return blocks[-1].end_byte
    if node.type == "ERROR" and node.children and node.parent is not None:
        first = node.children[0]
        if first.type == "param_block" and node.parent.type == "function_statement":
            return first.end_byte
        if first.type == "statement_block" and node.parent.type == "switch_clause":
            return first.end_byte
    for c in node.children:
        if c.has_error or c.type == "ERROR":
            hit = _stuck_block(c)
            if hit is not None:
                return hit
    return None


def _error_ranges(node: Node, out: list[tuple[int, int]]) -> None:
    if node.type == "ERROR" or node.is_missing:
        start = node.start_byte
        # the list may start before the error node (``Select-Object Name, State``): widen to the line start
        out.append((start, node.end_byte))
        return
    for c in node.children:
        if c.has_error or c.is_missing or c.type == "ERROR":
            _error_ranges(c, out)


def _patch_barewords(script: Script, data: bytearray) -> bool:
    ranges: list[tuple[int, int]] = []
    _error_ranges(script.root, ranges)
    changed = False
    for start, end in ranges:
        line_start = bytes(data).rfind(b"\n", 0, start) + 1
        line_end = bytes(data).find(b"\n", end)
        line_end = len(data) if line_end == -1 else line_end
        segment = bytes(data[line_start:line_end])
        for m in _BARE_LIST.finditer(segment):
            if _in_quotes(segment, m.start()):
                continue
            for w in re.finditer(_BARE, m.group(0)):
                a = line_start + m.start() + w.start()
                b = line_start + m.start() + w.end()
                word = bytes(data[a:b])
                if word.startswith((b"'", b"0")):
                    continue
                if len(word) == 1:
                    data[a:b] = b"0"
                else:
                    data[a:b] = b"'" + b"x" * (len(word) - 2) + b"'"
                changed = True
    return changed


def _in_quotes(segment: bytes, pos: int) -> bool:
    return segment[:pos].count(b"'") % 2 == 1 or segment[:pos].count(b'"') % 2 == 1


def children(node: Node) -> list[Node]:
    return list(node.children)


def named(node: Node) -> list[Node]:
    return [c for c in node.children if c.is_named and c.type != "comment"]


def unwrap(node: Node) -> Node:
    """Skip single-child precedence wrappers (``logical_expression`` -> ... -> ``variable``)."""
    while node.type in WRAPPERS:
        kids = [c for c in node.children if c.type != "comment"]
        if len(kids) != 1:
            break
        node = kids[0]
    return node


# ---- parse errors ------------------------------------------------------------------------------------

def _first_leaf(node: Node) -> Node:
    while node.child_count:
        node = node.children[0]
    return node


def _parse_error(script: Script, node: Node, message: str, error_id: str, end: Node | None = None) -> ErrorRecord:
    return ErrorRecord(message, "ParserError", error_id, "System.Management.Automation.ParentContainsErrorRecordException",
                       position=script.position(node, end), parse_error=True)


def _opening_for(node: Node, closing: str) -> Node | None:
    opener = {"}": ("{", "@{", "${"), ")": ("(", "@(", "$("), "]": ("[",)}[closing]
    parent = node.parent
    while parent is not None:
        found = None
        for c in parent.children:
            if c.type in opener and c.end_byte <= node.start_byte:
                found = c
        if found is not None:
            return found
        parent = parent.parent
    return None


BINARY_OPS = {"+", "-", "*", "/", "%", "=", "+=", "-=", ",", "..", "-and", "-or", "-f", "|"}


def find_problems(script: Script) -> list[ErrorRecord]:
    """ParserErrors for the first malformed spot (PowerShell reports every one; the first is what matters)."""
    root = script.root
    if not root.has_error:
        chain = _find_kind(root, "pipeline_chain_tail")
        if chain is not None:
            tok = chain.children[0] if chain.children else chain
            return [_parse_error(script, tok, f"The token '{script.text(tok)}' is not a valid statement separator "
                                 "in this version.", "InvalidEndOfLine")]
        return []
    bad = _first_bad(root)
    if bad is None:
        return [_parse_error(script, root, "Unexpected token in expression or statement.", "UnexpectedToken")]
    if bad.is_missing:
        kind = bad.type
        if kind == "}":
            opener = _opening_for(bad, "}")
            anchor = opener or bad
            if opener is not None and opener.type == "@{":
                return [_parse_error(script, anchor, "Missing closing '}' in hash literal.", "MissingEndCurlyBrace")]
            return [_parse_error(script, anchor, "Missing closing '}' in statement block or type definition.",
                                 "MissingEndCurlyBrace")]
        if kind == ")":
            opener = _opening_for(bad, ")")
            return [_parse_error(script, opener or bad, "Missing closing ')' in expression.",
                                 "MissingEndParenthesisInExpression")]
        if kind == "]":
            return [_parse_error(script, bad, "Missing ']' after array index expression.", "MissingEndSquareBracket")]
        return [_parse_error(script, bad, f"Missing '{kind}'.", "MissingToken")]
    return [_describe_error(script, bad)]


def _find_kind(node: Node, kind: str) -> Node | None:
    if node.type == kind:
        return node
    for c in node.children:
        hit = _find_kind(c, kind)
        if hit is not None:
            return hit
    return None


def _first_bad(node: Node) -> Node | None:
    if node.is_missing or node.type == "ERROR":
        return node
    for c in node.children:
        if c.has_error or c.is_missing or c.type == "ERROR":
            hit = _first_bad(c)
            if hit is not None:
                return hit
    return None


def _leaves(node: Node) -> list[Node]:
    if node.child_count == 0:
        return [node]
    out: list[Node] = []
    for c in node.children:
        out.extend(_leaves(c))
    return out


def _describe_error(script: Script, err: Node) -> ErrorRecord:
    text = script.text(err)
    leaves = [leaf for leaf in _leaves(err) if script.text(leaf).strip()]
    stripped = text.lstrip()
    if stripped.startswith('"') or stripped.startswith("@\""):
        if stripped.count('"') % 2 == 1 or (stripped.startswith('@"') and '"@' not in stripped):
            return _parse_error(script, err, 'The string is missing the terminator: ".', "TerminatorExpectedAtEndOfString")
    if stripped.startswith("'") and stripped.count("'") % 2 == 1:
        return _parse_error(script, err, "The string is missing the terminator: '.", "TerminatorExpectedAtEndOfString")
    types = [leaf.type for leaf in leaves]
    opens = {"(": ")", "@(": ")", "$(": ")", "{": "}", "@{": "}", "[": "]"}
    depth: list[Node] = []
    for leaf in leaves:
        t = leaf.type
        if t in opens:
            depth.append(leaf)
        elif t in (")", "}", "]") and depth:
            depth.pop()
    if depth and err.end_byte >= len(script.data.rstrip()):
        opener = depth[-1]
        if opens[opener.type] == "}":
            msg = "Missing closing '}' in hash literal." if opener.type == "@{" else \
                "Missing closing '}' in statement block or type definition."
            return _parse_error(script, opener, msg, "MissingEndCurlyBrace")
        if opens[opener.type] == ")":
            return _parse_error(script, opener, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression")
        return _parse_error(script, opener, "Missing ']' after array index expression.", "MissingEndSquareBracket")
    if leaves and types[-1] in BINARY_OPS and err.end_byte >= len(script.data.rstrip()):
        op = leaves[-1]
        return _parse_error(script, op, f"You must provide a value expression following the '{script.text(op)}' "
                            "operator.", "ExpectedValueExpression")
    # The unexpected token: the first leaf of the error that is not part of a valid prefix.
    tok = leaves[0] if leaves else err
    if err.child_count and err.children[0].is_named and err.children[0].type != "ERROR" and len(leaves) > 1:
        # the error node wraps a valid construct followed by the stray token(s)
        for leaf in leaves:
            if leaf.start_byte >= err.children[0].end_byte:
                tok = leaf
                break
    return _parse_error(script, tok, f"Unexpected token '{script.text(tok)}' in expression or statement.",
                        "UnexpectedToken")


# ---- re-reading what the grammar gets wrong ----------------------------------------------------------

def is_numeric_command(script: Script, command: Node) -> bool:
    name = command.child_by_field_name("command_name")
    if name is None or name.type != "command_name":
        return False
    if any(c.type == "command_invokation_operator" for c in command.children):
        return False
    return bool(NUMERIC_COMMAND.match(script.text(name)))


_NUM_TOKEN = re.compile(r"(?<![\w$.])((?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:l|d)?(?:kb|mb|gb|tb|pb)?)(\.\.)?",
                        re.I)


@lru_cache(maxsize=256)
def numeric_command_expression(text: str) -> Script:
    """Re-read ``1..3 | ...``-style command text as the expression PowerShell sees.

    Only the leading number token is rewritten (``1GB`` to ``(1073741824)``,
    ``1..`` to ``1 ..``); the rest of the text is parsed as written.
    """
    from wsfc_lab.pwsh.values import parse_number
    m = _NUM_TOKEN.match(text)
    if not m:
        return parse_text("(" + text + ")")
    lit = m.group(1)
    rng = m.group(2)
    val = parse_number(lit)
    head = f"({val!r})" if isinstance(val, (int, float)) else lit
    rest = text[m.end():]
    if rng:
        rest_m = _NUM_TOKEN.match(rest)
        if rest_m:
            v2 = parse_number(rest_m.group(1))
            rest = f"({v2!r})" + rest[rest_m.end():]
        return parse_text(f"{head} .. {rest}")
    return parse_text(head + rest)
