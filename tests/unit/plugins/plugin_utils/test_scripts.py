# -*- coding: utf-8 -*-
"""The operation scripts themselves (plugins/plugin_utils/scripts/*.ps1): what is sent, and the arguments they read.

* Stripping keeps meaning: for every script, the original and the text sent to the node parse (with the lab's
  tree-sitter PowerShell grammar, ``wsfc_lab.pwsh.parse``, as the lab parses every script it receives) to the
  same syntax tree once comment nodes are left out; string literals are compared whole, character for character.
* Each script's ``# Arguments:`` header line names exactly the ``$WsfcArgs.<name>`` its code reads.
* Every place in plugins/ that runs an operation sends exactly the declared keys (a static scan of the calls; the
  runtime check in the runner, tested here too, refuses anything else before it is sent).
"""

from __future__ import annotations

import ast
import base64
import os
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wsfc_lab.pwsh.parse import parse

from ansible_collections.wsfc.csv.plugins.plugin_utils import backup_jobs, powershell, runner, script_text

PLUGINS = os.path.dirname(os.path.dirname(powershell.SCRIPT_DIR))
OPERATIONS = sorted(name[:-4] for name in os.listdir(powershell.SCRIPT_DIR) if name.endswith(".ps1"))
# $WsfcArgs.<name>, in any case (PowerShell's variable and property names are case-insensitive).
REFERENCE = re.compile(r"\$WsfcArgs\.([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def shape(script, node):
    """A syntax tree as nested tuples: node types, the text of every token and of every string literal, no comments.

    String literals are taken whole: the grammar reads ``#`` inside an expandable here-string as a comment node,
    and what a string holds must not change at all. The white space between a command's elements
    (``command_argument_sep``: blanks, a line continuation) counts as "a separator is here", not as its
    characters, and one after the last element (before a removed comment) as nothing, as is a
    ``command_elements`` that holds nothing else.
    """
    if node.type == "command_argument_sep":
        return (node.type,)
    if node.type == "string_literal" or node.child_count == 0:
        return (node.type, script.text(node))
    children = [child for child in node.children if child.type != "comment"]
    if node.type == "command_elements":
        while children and children[-1].type == "command_argument_sep":
            children.pop()
    return (node.type, tuple(shape(script, child) for child in children
                             if child.type != "command_elements" or _elements(child)))


def _elements(node):
    """The elements of a ``command_elements`` node other than separators and comments."""
    return [child for child in node.children if child.type not in ("command_argument_sep", "comment")]


def same_tree(original, stripped):
    before, after = parse(original), parse(stripped)
    return shape(before, before.root) == shape(after, after.root)


def test_there_are_operation_scripts():
    assert len(OPERATIONS) >= 15 and "cluster_info" in OPERATIONS


@pytest.mark.parametrize("operation", OPERATIONS)
def test_stripped_script_has_the_same_syntax_tree(operation):
    original = powershell.operation_source(operation)
    sent = powershell.load_operation(operation)
    # No comment, blank line or indentation is left (no script holds a multi-line string).
    assert all(line and line == line.strip() and not line.startswith("#") for line in sent.splitlines()), sent
    assert len(sent) < len(original)
    assert same_tree(original, sent)
    # The whole script as sent parses too (preamble, body, error envelope).
    parse(powershell.build_script(sent))


def test_tree_comparison_notices_a_change():
    assert not same_tree("$a = 'x # y'\n", "$a = 'x'\n")
    assert not same_tree("Get-Item -Path a\n", "Get-Item -Path b\n")
    assert not same_tree("$a = 1; $b = 2\n", "$a = 1; $b = 3\n")
    assert not same_tree("Write-Output a\nWrite-Output b\n", "Write-Output a Write-Output b\n")
    assert not same_tree("Write-Output a b\n", "Write-Output ab\n")
    assert not same_tree("$h = @'\n  x\n'@\n", "$h = @'\nx\n'@\n")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_declared_arguments_are_the_ones_the_code_reads(operation):
    code = powershell.load_operation(operation)  # comments gone: a name in a comment is not read
    read = set(name.lower() for name in REFERENCE.findall(code))
    # Every use of $WsfcArgs is a plain property read, so this scan sees them all.
    assert len(re.findall(r"WsfcArgs", code, re.IGNORECASE)) == len(REFERENCE.findall(code)), code
    assert set(name.lower() for name in powershell.declared_arguments(operation)) == read


# ---- the runner refuses wrong keys ----------------------------------------------------------------------

class RecordingConnection:
    """Fails the test if the runner sends anything."""

    def exec_command(self, cmd, in_data=None, sudoable=True):
        raise AssertionError("the runner sent %r" % cmd[:80])


@pytest.mark.parametrize("operation", OPERATIONS)
def test_runner_refuses_other_keys_before_sending(operation):
    declared = powershell.declared_arguments(operation)
    exact = dict((name, None) for name in declared)
    with pytest.raises(powershell.OperationArgumentsError) as info:
        runner.run_operation(RecordingConnection(), operation, dict(exact, surplus=1), read_only=True, host="n1")
    assert info.value.extra == ["surplus"] and info.value.missing == []
    assert operation in str(info.value) and "extra: surplus" in str(info.value)
    if declared:
        partial = dict(exact)
        del partial[declared[-1]]
        with pytest.raises(powershell.OperationArgumentsError) as info:
            runner.run_operation(RecordingConnection(), operation, partial, read_only=True, host="n1")
        assert info.value.missing == [declared[-1]] and "missing: %s" % declared[-1] in str(info.value)


class AnsweringConnection:
    """Answers every command with one JSON document."""

    def __init__(self):
        from ansible.plugins.loader import shell_loader
        self._shell = shell_loader.get("powershell")
        self.commands = []

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.commands.append(cmd)
        return 0, b'{"ok": true}', b""


@pytest.mark.parametrize("operation", OPERATIONS)
def test_runner_sends_the_stripped_script_with_exactly_the_declared_keys(operation):
    conn = AnsweringConnection()
    args = dict((name, None) for name in powershell.declared_arguments(operation))
    assert runner.run_operation(conn, operation, args, read_only=True, host="n1") == {"ok": True}
    encoded = conn.commands[0].split("-EncodedCommand ")[1].split()[0]
    assert powershell.load_operation(operation) in base64.b64decode(encoded).decode("utf-16-le")


# ---- every caller sends exactly the declared keys ------------------------------------------------------

# Helpers that build an operation's arguments: called here as the actions call them.
BUILDERS = {
    "status_args": lambda: backup_jobs.status_args("job1", None, "Cluster Disk 1", 20),
    "start_args": lambda: backup_jobs.start_args("job1", "cmd.exe", "/d /s /c \"x\"", "NT AUTHORITY\\SYSTEM", None,
                                                 "service_account", 60),
}
# Where an operation is run with a name that is not a literal: the pass-through of every action.
PASS_THROUGH = {os.path.join("plugin_utils", "action.py"), os.path.join("plugin_utils", "runner.py")}


def _python_files():
    for folder, dummy, files in os.walk(PLUGINS):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def _called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def operation_calls():
    """``(where, operation, keys or None, why)`` for every call of ``*operation(...)`` in plugins/.

    ``keys`` is the set of argument keys the call sends, when it can be told from the code (a dict literal, a
    builder in BUILDERS, no arguments); otherwise None and ``why`` says what was found.
    """
    found = []
    for path in _python_files():
        relative = os.path.relpath(path, PLUGINS)
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _called_name(call)
            if not name or not name.endswith("operation"):
                continue
            where = "%s:%d" % (relative, call.lineno)
            first = call.args[0] if call.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                if relative not in PASS_THROUGH:
                    found.append((where, None, None, "the operation name is not a literal"))
                continue
            value = call.args[1] if len(call.args) > 1 else next(
                (k.value for k in call.keywords if k.arg == "args"), None)
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                found.append((where, first.value, set(), ""))
            elif isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
                found.append((where, first.value, set(k.value for k in value.keys), ""))
            elif isinstance(value, ast.Call) and _called_name(value) in BUILDERS:
                found.append((where, first.value, set(BUILDERS[_called_name(value)]()), ""))
            else:
                found.append((where, first.value, None, "arguments built by %s" % ast.dump(value)[:80]))
    return found


def test_every_operation_call_sends_exactly_the_declared_keys():
    calls = operation_calls()
    unreadable = [(where, why) for where, operation, keys, why in calls if keys is None]
    assert not unreadable, "calls whose arguments this test cannot read (add their builder to BUILDERS): %s" % (
        unreadable,)
    wrong = [(where, operation, sorted(keys), powershell.declared_arguments(operation))
             for where, operation, keys, dummy in calls if keys != set(powershell.declared_arguments(operation))]
    assert not wrong, wrong
    # Every script is run from somewhere, so every declaration was compared with a caller.
    assert set(operation for dummy, operation, dummy2, dummy3 in calls) == set(OPERATIONS)


def test_the_scan_sees_a_wrong_call(tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "bad.py").write_text('self.operation("csv_owner_get", {"name": "x"})\n'
                                    'self._run_operation("csv_owner_get", make_args())\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PLUGINS", str(plugins))
    calls = operation_calls()
    assert calls[0][1:3] == ("csv_owner_get", {"name"})
    assert calls[1][2] is None


# ---- stripping, case by case --------------------------------------------------------------------------

# (source, what is sent, whether the lab's grammar reads the source right, so that the trees can be compared too)
STRIP_CASES = [
    # '#' and '<#' inside strings are text; a comment after a string goes
    ("$a = 'x # y' # c\n", "$a = 'x # y'\n", True),
    ("$a = 'it''s # <# not' # c\n", "$a = 'it''s # <# not'\n", True),
    ('$b = "x # y `" # z" # c\n', '$b = "x # y `" # z"\n', True),
    ('$s = "`r#0" # c\n', '$s = "`r#0"\n', True),
    ('Write-Output "`$(#" # c\n', 'Write-Output "`$(#"\n', True),
    ("$q = '#'; $r = \"#\"\n", "$q = '#'; $r = \"#\"\n", True),
    ('$a = "x"#c\n', '$a = "x"\n', True),
    # a sub-expression in a string holds code, comments included: the string is sent as written
    ('$b = "a $(1 + 2 # one\n) b # c"\n', '$b = "a $(1 + 2 # one\n) b # c"\n', True),
    # lines that look like comments, inside here-strings and multi-line strings, indentation and all
    ("$h = @'\n# not a comment\n    <# nor this #>\n'@ # c\n",
     "$h = @'\n# not a comment\n    <# nor this #>\n'@\n", True),
    ('$e = @"\n  # $x $(1 + 2)\n<# no #>\n"@\n', '$e = @"\n  # $x $(1 + 2)\n<# no #>\n"@\n', True),
    ("$m = 'line1\n# line2\n    <# line3 #>'\n", "$m = 'line1\n# line2\n    <# line3 #>'\n", True),
    # '#' inside a token is part of it (lang-spec 2.2.3: hello#there is one token); a braced variable may hold '#'
    ("Write-Output a#b $c#d\n", "Write-Output a#b $c#d\n", True),
    ("${a#b} = 1 # c\n", "${a#b} = 1\n", True),
    ("if ($x) { 1 }#c\n", "if ($x) { 1 }\n", True),
    # block comments are white space, also inside a statement and across lines
    ("$z = 1 <# in\nline #> + 2\n", "$z = 1 + 2\n", True),
    ("<# header\n  #>\n$x = 1\n", "$x = 1\n", True),
    ("$a = @(1, # one\n    2)\n", "$a = @(1,\n2)\n", True),
    # indentation and blank lines go; CR LF becomes LF
    ("if ($x) {\n\n    # c\n    1\n}\n", "if ($x) {\n1\n}\n", True),
    ("$a = 1\r\n    # c\r\n$b = 2\r\n", "$a = 1\n$b = 2\n", True),
    # line continuations: kept with what follows them (no line is joined to a continued one)
    ("Get-Item `\n    -Path x # c\n", "Get-Item `\n -Path x\n", True),
    ("Write-Output a `\n    # c\nWrite-Output b\n", "Write-Output a `\n # c\nWrite-Output b\n", True),
    ("Write-Output a `\n\n    Write-Output b\n", "Write-Output a `\n\nWrite-Output b\n", True),
    ("Write-Output a `\n    \nWrite-Output b\n", "Write-Output a `\n \nWrite-Output b\n", True),
    # an escaped '#' is no comment (the grammar cannot read a backtick in a bare word)
    ("Write-Output `#notcomment # comment\n", "Write-Output `#notcomment\n", False),
    # #requires decides whether the script may run: kept
    ("#requires -Version 5.1\n$x = 1\n", "#requires -Version 5.1\n$x = 1\n", True),
    # the typographic quotes PowerShell accepts as quotes (lang-spec 2.3.5.2)
    ("$a = \u2018x # y\u2019 # c\n", "$a = \u2018x # y\u2019\n", False),
    ("$a = \u201cx # \u201d\u201d y\u201d # c\n", "$a = \u201cx # \u201d\u201d y\u201d\n", False),
    # where the grammar is wrong and PowerShell's rules decide: here-strings end at the first closing line (the
    # grammar takes the last), a '#' right after a closing quote starts a comment (lang-spec 2.2.3)
    ("@'\n'@ \n@'\n'@\n", "@'\n'@\n@'\n'@\n", False),
    ('"<#"#>"\n', '"<#"\n', False),
]


@pytest.mark.parametrize("source, sent, grammar_reads_it", STRIP_CASES, ids=lambda v: repr(v)[:40])
def test_strip_case(source, sent, grammar_reads_it):
    assert script_text.strip(source) == sent
    assert script_text.strip(sent) == sent
    if grammar_reads_it:
        assert same_tree(source, sent)


@pytest.mark.parametrize("source, reason", [
    ("$a[0]#x\n", "right after ']'"),
    ("Write-Output a<#b#>\n", "'<#' inside a token"),
    ("Write-Output a#b 'c'\n", "'#' inside a token, followed on its line by a quote"),
    ("$a = 'open\n", "no closing quote"),
    ('$a = "$(1\n', "no closing ')'"),
    ("<# never\n", "no closing '#>'"),
    ("@'x\n'@\n", "text after the opening of a here-string"),
    ('@"\nx\n', "a here-string has no closing line"),
    ('@"\nx`\n"@\n', "a backtick ends the line before a here-string's closing"),
    ("${a\n", "no closing '}'"),
    ("a `", "a backtick ends the text"),
])
def test_strip_refuses_what_it_cannot_strip_safely(source, reason):
    with pytest.raises(script_text.ScriptTextError, match=re.escape(reason)):
        script_text.strip(source)


TOKENS = st.lists(st.sampled_from([
    "#", "<#", "#>", "'", '"', "`", "$", "$(", "(", ")", "{", "}", "@'", "@\"", "'@", "\"@", "${", "]", " ", "    ",
    "\n", "\r\n", "a", "$x", ";", ",", "\u2019", "\u201d", "# c\n", "<# b #>", "'s'", '"q"', "''", '""']),
    max_size=24).map("".join)


@settings(max_examples=400, deadline=None)
@given(TOKENS)
def test_property_strip_keeps_every_token_and_string(text):
    """Whatever the text, stripping either refuses it or keeps every code character and string as it was."""
    try:
        sent = script_text.strip(text)
    except script_text.ScriptTextError:
        return
    assert "".join(piece for kind, piece in script_text.pieces(text)) == text

    def kept(source):
        return [(kind, piece) for kind, piece in script_text.pieces(source)
                if kind in (script_text.CODE, script_text.STRING, script_text.KEPT_COMMENT)]
    assert kept(sent) == kept(text)
    # The only comments left are those on the line after a line continuation, which is sent as it is so that no
    # line is ever joined to another (see script_text).
    pieces, left = script_text.pieces(sent), []
    for n, (kind, piece) in enumerate(pieces):
        before = "".join(p for dummy, p in pieces[:n]).rstrip(" \t")
        if kind == script_text.COMMENT and not before.endswith(("`\n", "`\r\n")):
            left.append(piece)
    assert not left
    assert script_text.strip(sent) == sent
