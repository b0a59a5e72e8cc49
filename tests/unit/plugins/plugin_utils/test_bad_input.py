# -*- coding: utf-8 -*-
"""Hostile input is data or a clear refusal, never code (issue 5, "Bad input").

Three places turn values into something a program parses:

- the operation scripts: arguments go as base64 JSON on standard input (``powershell.build_input``); the script
  text never depends on them;
- the backup job's action, which cmd.exe parses in the scheduled task (``backup_jobs.build_action``). Here a
  small model of how cmd.exe (``/d /s /c "..."``: quote state toggled by ``"``, metacharacters only outside
  quotes, ``%``/``!`` expansion everywhere) and the Microsoft C runtime (``CommandLineToArgvW`` rules) read the
  line checks that every value either comes back as exactly the argument it was, or is refused with a message
  that names it and says what to do;
- the DiskShadow script csv_snapshot writes (``diskshadow.create_lines``): DiskShadow documents no quoting, so a
  CSV's path is one word of a safe alphabet or refused, naming it; its name never goes into the script.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.wsfc.csv.plugins.plugin_utils import backup_jobs, diskshadow, powershell
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError

CORPUS = [
    "'; Remove-Item C:\\ -Recurse #",
    "& del /s /q C:\\*",
    '" & calc & "',
    "$(Stop-Computer -Force)",
    "`whoami`",
    "a; b; c",
    "line1\nline2",
    "line1\r\nRemove-Item C:\\",
    "100% done",
    "%PATH%",
    "!PATH!",
    "^& calc",
    "a | b > c < d",
    "(x) [y] {z}",
    "Sauvegarde ünïcødé ✓ 日本",
    "trailing backslash\\",
    "C:\\ClusterStorage\\Volume1\\",
    "\\\\server\\share&name",
    "x" * 10000,
    "'",
    '"',
    "\x00nul",
    "{target}",
]

# cmd.exe: characters that are syntax outside double quotes; %/! expand everywhere (the latter with delayed
# expansion on); a line break ends the command.
_CMD_SYNTAX = set("&|<>^()")


def cmd_parse(argument):
    """What ``cmd.exe /d /s /c <argument>`` runs: (the command text, its redirections), or raise ValueError.

    ``/s``: the first and the last quote of the text after /c are removed, the rest is the command. Outside
    quotes only the collection's ``> "<log>" 2>&1`` may be syntax.
    """
    prefix = '/d /s /c "'
    assert argument.startswith(prefix) and argument.endswith('"')
    line = argument[len(prefix):-1]
    if "%" in line or "!" in line or "\n" in line or "\r" in line or "\x00" in line:
        raise ValueError("expansion or a line break in %r" % line[:80])
    quoted = False
    outside = []
    for ch in line:
        if ch == '"':
            quoted = not quoted
            outside.append(" ")
        elif quoted:
            outside.append(" ")
        else:
            outside.append(ch)
    assert not quoted, "unbalanced quotes"
    bare = "".join(outside)
    # The only bare words: the redirection of the log and of stderr
    assert bare.split() == [">", "2>&1"], bare.split()
    assert not _CMD_SYNTAX & set(bare.replace(">", "", 1).replace("2>&1", "", 1))
    redirect = bare.index(">")
    assert line.endswith(" 2>&1")
    return line[:redirect].rstrip(" "), line[redirect + 1:-len(" 2>&1")].strip(" ")


def crt_argv(text):
    """CommandLineToArgvW / Microsoft C runtime splitting (2n backslashes + quote: n backslashes, quote toggles)."""
    args, cur, quoted, have, i = [], [], False, False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            j = i
            while j < len(text) and text[j] == "\\":
                j += 1
            if j < len(text) and text[j] == '"':
                cur.append("\\" * ((j - i) // 2))
                if (j - i) % 2:
                    cur.append('"')
                    j += 1
            else:
                cur.append("\\" * (j - i))
            i, have = j, True
            continue
        if ch == '"':
            quoted, have = not quoted, True
        elif ch in " \t" and not quoted:
            if have:
                args.append("".join(cur))
                cur, have = [], False
        else:
            cur.append(ch)
            have = True
        i += 1
    if have:
        args.append("".join(cur))
    return args


def _check_action(argv, log):
    """build_action(argv, log) is data (round-trips) or a refusal naming the value; returns 'ok' or 'refused'."""
    try:
        execute, argument = backup_jobs.build_action(argv, log)
    except BackupJobError as exc:
        message = str(exc)
        assert "cannot be passed safely through cmd.exe" in message and "Nothing was changed" in message
        offending = [v for v in list(argv) + [log] if re.search(r'["%!\x00-\x1f\x7f]', v)]
        assert offending, message
        assert repr(offending[0][:backup_jobs.SHOWN])[:-1] in message  # the value is named (cut when long)
        return "refused"
    assert execute == "cmd.exe"
    command, log_text = cmd_parse(argument)
    assert crt_argv(command) == list(argv)
    assert crt_argv(log_text) == [log]
    return "ok"


@pytest.mark.parametrize("value", CORPUS, ids=lambda v: repr(v[:30]))
def test_corpus_in_every_position_of_the_command_line(value):
    outcomes = set()
    for argv, log in (
        (["robocopy.exe", "C:\\ProgramData\\wsfc.csv\\exposed\\snap-0123456789abcdef0123\\", value, "/E"],
         "C:\\l\\a.log"),
        (["wbadmin.exe", "start", "backup", "-backupTarget:" + value, "-quiet"], "C:\\l\\a.log"),
        ([value, "--flag"], "C:\\l\\a.log"),
        (["tool.exe"], "C:\\logs\\" + value + "\\job.log"),
    ):
        outcomes.add(_check_action(argv, log))
    expected = "refused" if re.search(r'["%!\x00-\x1f]', value) else "ok"
    assert outcomes == {expected}


@pytest.mark.parametrize("value", CORPUS, ids=lambda v: repr(v[:30]))
def test_corpus_as_placeholder_values_is_substituted_as_text_once(value):
    argv = backup_jobs.build_argv("command", "NODE1", volume="C:\\ClusterStorage\\Volume1\\",
                                  snapshot_path="\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3\\",
                                  target=value, csv=value, name="job1",
                                  command=["mytool.exe", "--src={snapshot_path}", "--to={target}", "{csv}",
                                           "{node}"])
    assert argv == ["mytool.exe", "--src=\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3\\",
                    "--to=" + value, value, "NODE1"]  # "{target}" as a CSV name stays literal text
    _check_action(argv, "C:\\l\\a.log")


@pytest.mark.parametrize("value", CORPUS + ["C:\\Cluster Storage\\Volume1", "C:\\ClusterStorage\\Volume #1",
                                            "C:\\ClusterStorage\\Vol%VSS_SHADOW_1%", "C:\\ClusterStorage\\Volümé",
                                            "relative\\path", "C:\\ClusterStorage\\a\"b", ""],
                         ids=lambda v: repr(v[:30]))
def test_a_hostile_or_unquotable_path_never_becomes_diskshadow_syntax(value):
    """Every value is either refused, naming it, or one word of ASCII letters, digits, '.', '_', '-' and '\\'."""
    try:
        lines = diskshadow.create_lines(value, None, diskshadow.exposure_path("Cluster Disk 1", "wsfc.csv"))
    except diskshadow.UnsafeValue as exc:
        assert "cannot be passed to DiskShadow as data" in str(exc) and "Rename" in str(exc)
        assert repr(value[:120])[1:-1][:40] in str(exc)
        return
    volume = lines[3][len("add volume "):]
    assert re.fullmatch(r"[A-Za-z]:\\(?:[A-Za-z0-9._-]+\\)*", volume) and volume.rstrip("\\") == value.rstrip("\\")


@pytest.mark.parametrize("value", CORPUS + ["", "-job", ".hidden", "a" * 81, "a/b", "a\\b", "a b"],
                         ids=lambda v: repr(v[:30]))
def test_job_names_outside_the_safe_alphabet_are_refused_with_the_rule(value):
    with pytest.raises(BackupJobError, match="not usable as a job name: use 1-80 letters"):
        backup_jobs.validate_name(value)


def test_long_values_are_cut_in_messages():
    with pytest.raises(BackupJobError) as info:
        backup_jobs.quote("x" * 10000 + "%")
    assert "(10001 characters)" in str(info.value) and len(str(info.value)) < 700


@pytest.mark.parametrize("value", CORPUS, ids=lambda v: repr(v[:30]))
def test_corpus_in_operation_arguments_is_data(value):
    body = "$WsfcArgs.name | ConvertTo-Json"
    script = powershell.build_script(body)
    stdin = powershell.build_input({"name": value, "csv": value, "node": value, "path": value})
    assert value not in script or len(value) < 2
    assert re.fullmatch(rb"[A-Za-z0-9+/]*={0,2}\r\n", stdin)
    assert json.loads(base64.b64decode(stdin.strip())) == {"name": value, "csv": value, "node": value,
                                                           "path": value}


# ---- properties -----------------------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
ARGS = st.dictionaries(st.text(min_size=1, max_size=10), st.one_of(TEXT, st.integers(), st.booleans(), st.none(),
                                                                   st.lists(TEXT, max_size=4)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(ARGS)
def test_property_argument_encoding_round_trips_and_stays_in_the_base64_alphabet(args):
    stdin = powershell.build_input(args)
    assert re.fullmatch(rb"[A-Za-z0-9+/]*={0,2}\r\n", stdin)
    assert powershell.decode_arguments(stdin.decode("ascii").strip()) == args
    # What the script decodes is 7-bit JSON: no code page between controller and node can change a character.
    base64.b64decode(stdin.strip()).decode("ascii")


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5), TEXT)
@example(["robocopy.exe", "a\\", 'b\\"c'], "C:\\x\\")
@example(["t", "^&|<>()"], "C:\\l.log")
@example(["t", "a \\\\"], "C:\\l.log")
def test_property_cmd_line_is_data_or_refused(argv, log):
    _check_action(argv, log)
