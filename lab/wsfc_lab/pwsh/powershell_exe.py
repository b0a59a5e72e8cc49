"""``powershell.exe`` as WinRS runs it: command line, streams, exit code.

The WinRM server hands every WinRS command here. Only Windows PowerShell
5.1's ``powershell.exe`` is modelled, with the switches clients send
(``-NoProfile``, ``-NonInteractive``, ``-ExecutionPolicy``,
``-EncodedCommand`` and its abbreviations, ``-Command -`` with the script on
stdin, ``-OutputFormat Text``, ``-InputFormat``). Anything else is refused
with a plain statement that the lab does not model it.

Streams as powershell.exe writes them with redirected handles: stdout is the
output stream formatted as text with CRLF line ends, in the console's OEM
code page (437) unless the script sets ``[Console]::OutputEncoding``; the
error stream goes to stderr as CLIXML. Exit code: ``exit N`` gives N, a
script-terminating error gives 1, otherwise 0 when the last statement
succeeded and 1 when it failed (``$?``), as documented for ``-Command``.

Standard input: when the command is given with ``-EncodedCommand`` or
``-Command <text>`` and the client sends stdin, the script reads it through
``$input``, an enumerator of its lines (about_Automatic_Variables: "Contains
an enumerator that enumerates all input that's passed to a function"; the
command is the script block whose input is stdin: ansible-core's
bootstrap_wrapper.ps1 receives its payload under WinRM this way, with
``foreach ($in in $input)``). The bytes
are read as text in the console's input code page (OEM 437, like the output
stream) and split into lines as ``TextReader.ReadLine`` does (CRLF, LF or CR);
with no stdin ``$input`` enumerates nothing. ``-InputFormat XML`` with stdin
is not modelled.

A PowerShell started by the script: ansible-core 2.16-2.18's ``winrm`` plugin
wraps every command in a PowerShell of its own, so a command that is already a
``powershell.exe -EncodedCommand`` line arrives as a script that is nothing
but that line (it ran every Windows module so: the bootstrap wrapper inside
reads the module's payload from ``$input``). The lab runs such a script,
and only such a script (one ``powershell`` command with bare-word arguments,
nothing else on the line), as the child process it is; a script that does
more with powershell.exe is refused as any unmodelled program is. The child gets the parent's standard
input, output and error: a native command that is the whole pipeline and
whose output nothing captures writes to the console's handles
(about_Redirection: "stdin isn't connected to the PowerShell pipeline";
Microsoft does not say more, and this inheritance is what ansible-core's
wrapped modules rely on to read their payload). The parent's exit code is
that of its last command, 0 or 1: "If the last command is an external program
... that sets an exit code other than 0 or 1, that exit code is converted to
1" (about_PowerShell_exe, -Command).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from wsfc_lab.pwsh import clixml
from wsfc_lab.pwsh.errors import ErrorRecord, ParseFailure, PSRuntimeError, Refused


@dataclass
class ScriptResult:
    exit_code: int
    stdout: str
    stderr: str                                   # CLIXML (empty when nothing was written to the streams)
    errors: list[ErrorRecord] = field(default_factory=list)
    output_encoding: str = "cp437"
    refused: bool = False

    @property
    def error_text(self) -> str:
        return "\n".join(r.format() for r in self.errors)


def run_script(source: str, host: Any, input_lines: list[str] | None = None,
               script_path: str | None = None) -> ScriptResult:
    """Parse, check and run one script on ``host``; ``input_lines`` is what ``$input`` enumerates.

    ``script_path``: the script is the file at that (absolute) path, run as ``powershell.exe -File`` runs it: its
    exit code follows -File's rule (Interp.run), ``$PSCommandPath`` is the path ("the full path and filename of
    the script that's being run") and ``$PSScriptRoot`` its folder ("the full path of the executing script's
    parent directory"; about_Automatic_Variables,
    https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/about_automatic_variables).
    """
    from wsfc_lab.pwsh.builtins import BUILTINS
    from wsfc_lab.pwsh.check import check_script
    from wsfc_lab.pwsh.interp import Interp
    from wsfc_lab.pwsh.parse import parse
    try:
        script = parse(source)
        check_script(script, host)
    except ParseFailure as failure:
        return _refusal(failure.records)
    except Refused as refused:
        return _refusal([refused.record])
    interp = Interp(script, host, BUILTINS, getattr(host, "reference", None))
    interp.global_scope.set("input", list(input_lines or []))
    if script_path is not None:
        interp.global_scope.set("PSCommandPath", script_path)
        interp.global_scope.set("PSScriptRoot", script_path.rstrip("\\").rsplit("\\", 1)[0])
    code = interp.run(file_mode=script_path is not None)
    out_lines: list[str] = []
    err_entries: list[tuple[str, str]] = []
    errors: list[ErrorRecord] = []
    pending = ""
    for kind, item in interp.stream:
        if kind == "out":
            out_lines.append(pending + item)
            pending = ""
        elif kind == "host-nonl":
            pending += item
        elif kind == "err":
            errors.append(item)
            err_entries.extend(("Error", line) for line in item.format().split("\n"))
        elif kind == "warn":
            err_entries.append(("warning", item))
        elif kind == "verbose":
            err_entries.append(("verbose", item))
    if pending:
        out_lines.append(pending)
    stdout = "".join(line + "\r\n" for line in out_lines)
    return ScriptResult(code, stdout, clixml.stream_document(err_entries), errors, interp.output_encoding)


def _refusal(records: list[ErrorRecord]) -> ScriptResult:
    entries = [("Error", line) for r in records for line in r.format().split("\n")]
    return ScriptResult(1, "", clixml.stream_document(entries), list(records), refused=True)


# ---- the command line -----------------------------------------------------------------------------------

def split_command_line(text: str) -> list[str]:
    """CommandLineToArgvW-style splitting (quotes group, backslashes before quotes escape)."""
    args: list[str] = []
    cur: list[str] = []
    in_quotes = False
    have = False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            j = i
            while j < len(text) and text[j] == "\\":
                j += 1
            n = j - i
            if j < len(text) and text[j] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    i = j + 1
                else:
                    i = j
                have = True
                continue
            cur.append("\\" * n)
            i = j
            have = True
            continue
        if c == '"':
            in_quotes = not in_quotes
            have = True
            i += 1
            continue
        if c in " \t" and not in_quotes:
            if have:
                args.append("".join(cur))
                cur, have = [], False
            i += 1
            continue
        cur.append(c)
        have = True
        i += 1
    if have:
        args.append("".join(cur))
    return args


# (full switch name, shortest accepted prefix) as powershell.exe 5.1 matches them
SWITCHES = [
    ("encodedcommand", "e"), ("ec", "ec"), ("executionpolicy", "ex"), ("command", "c"), ("noprofile", "nop"),
    ("noninteractive", "noni"), ("nologo", "nol"), ("noexit", "noe"), ("outputformat", "o"),
    ("inputformat", "in"), ("windowstyle", "w"), ("file", "f"), ("version", "v"), ("sta", "s"), ("mta", "mta"),
    ("psconsolefile", "psc"), ("encodedarguments", "encodeda"), ("configurationname", "config"),
]


def _match_switch(arg: str) -> str | None:
    key = arg.lstrip("-/").lower()
    if not key:
        return None
    if key == "ec":
        return "encodedcommand"
    for full, shortest in SWITCHES:
        if full.startswith(key) and key.startswith(shortest):
            return full
    return None


def stdin_lines(stdin: bytes, encoding: str = "cp437") -> list[str]:
    """The lines ``$input`` enumerates for redirected stdin (TextReader.ReadLine: CRLF, LF or CR end a line)."""
    if not stdin:
        return []
    text = stdin.decode(encoding, "replace")
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# A script that is only a command line starting powershell.exe with bare-word arguments (no variable, quote,
# pipe, redirection or second statement): what ansible-core 2.16-2.18's winrm plugin makes of an encoded command.
_CHILD_POWERSHELL = re.compile(r"^\s*(powershell(?:\.exe)?)((?:[ \t]+[A-Za-z0-9+/=-]+)+)\s*$", re.IGNORECASE)


def _not_modelled(what: str) -> tuple[int, bytes, bytes]:
    return 1, b"", (f"wsfc_lab: {what} is not modelled by the lab; only powershell.exe (Windows PowerShell 5.1) "
                    "commands are run.\r\n").encode("utf-8")


def run_powershell_command(command: str, arguments: list[str], stdin: bytes, host: Any) -> tuple[int, bytes, bytes]:
    """Run one WinRS command line; return (exit code, stdout bytes, stderr bytes)."""
    # WinRS hands Windows one command line: the Command element, a space, then each Arguments element as sent
    # (pywinrm and ansible put all arguments in one element). The process splits it as CommandLineToArgvW does.
    argv = split_command_line(" ".join([command or ""] + list(arguments or [])).strip())
    if not argv:
        return _not_modelled("an empty command line")
    exe = argv[0].replace("/", "\\").rsplit("\\", 1)[-1].lower()
    if exe.endswith(".exe"):
        exe = exe[:-4]
    if exe != "powershell":
        return _not_modelled(f"the command '{argv[0]}'")
    script: str | None = None
    from_stdin = False
    input_format = "text"
    i = 1
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith(("-", "/")):
            # bare text is an implicit -Command
            script = " ".join(argv[i:])
            break
        sw = _match_switch(arg)
        if sw is None:
            return 1, b"", (f"-{arg.lstrip('-/')} : The term '-{arg.lstrip('-/')}' is not a recognized parameter of "
                            "powershell.exe (wsfc_lab models: -NoProfile -NonInteractive -ExecutionPolicy "
                            "-EncodedCommand -Command -OutputFormat -InputFormat).\r\n").encode("utf-8")
        if sw in ("noprofile", "noninteractive", "nologo", "sta", "mta"):
            i += 1
            continue
        if sw == "inputformat":
            input_format = argv[i + 1].lower() if i + 1 < len(argv) else ""
            i += 2
            continue
        if sw in ("executionpolicy", "windowstyle"):
            i += 2
            continue
        if sw == "outputformat":
            fmt = argv[i + 1].lower() if i + 1 < len(argv) else ""
            if fmt not in ("text", "t", "te", "tex"):
                return _not_modelled(f"powershell.exe -OutputFormat {argv[i + 1] if i + 1 < len(argv) else ''}")
            i += 2
            continue
        if sw == "encodedcommand":
            if i + 1 >= len(argv):
                return 1, b"", b"Cannot process the command because of a missing parameter. A command must follow " \
                               b"-Command.\r\n"
            try:
                script = base64.b64decode(argv[i + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return 1, b"", (b"Cannot process the command because the value specified with -EncodedCommand is "
                                b"not properly encoded. The value must be Base64 encoded.\r\n")
            i += 2
            if i < len(argv):
                return _not_modelled("arguments after -EncodedCommand")
            break
        if sw == "command":
            rest = argv[i + 1:]
            if rest == ["-"]:
                script = (stdin or b"").decode("utf-8-sig", "replace")
                from_stdin = True
            else:
                script = " ".join(rest)
            break
        return _not_modelled(f"powershell.exe -{sw}")
    if script is None:
        return _not_modelled("an interactive powershell.exe (no -Command or -EncodedCommand)")
    child = _CHILD_POWERSHELL.match(script)
    if child is not None and not from_stdin:
        # The whole script starts another powershell.exe (see the module docstring): it inherits the handles.
        code, out, err = run_powershell_command(child.group(1), child.group(2).split(), stdin, host)
        return (0 if code == 0 else 1), out, err
    lines: list[str] = []
    if stdin and not from_stdin:
        if not "text".startswith(input_format or "t"):
            return _not_modelled(f"powershell.exe -InputFormat {input_format} with input on stdin")
        lines = stdin_lines(stdin)
    result = run_script(script, host, lines)
    return result.exit_code, _encode(result.stdout, result.output_encoding), _encode(result.stderr,
                                                                                    result.output_encoding)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding, "replace")
    except LookupError:
        return text.encode("utf-8", "replace")
