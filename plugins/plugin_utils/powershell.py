# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build operation scripts and read their results, with no I/O.

Every operation of this collection is a ``.ps1`` file under ``scripts/`` that
prints one JSON document. This module turns such a file and the task's
arguments into the script text that goes over the wire, and turns what comes
back (rc, stdout, stderr) into a Python dict or an :class:`OperationError`.

Why arguments travel as base64 JSON on standard input: a CSV may
legitimately be called ``'; Remove-Item C:\\ -Recurse #``. Splicing values
into PowerShell text would make such a name code. Instead the arguments are
serialised to JSON and encoded as base64 (:func:`build_input`), and the
script decodes them itself, so every value reaches the cmdlets as data.

They are not part of the script: the script text goes on the command line
(``powershell.exe -EncodedCommand``), which ``-vvvvv`` prints and which any
process listing on the node shows, and the arguments may hold a password
(``run_as_password``). The runner sends them as the command's standard input
(``exec_command(cmd, in_data=...)``), the way ansible-core sends a module's
payload: the ``winrm`` plugin writes it to powershell.exe's stdin, ``psrp``
gives it as the pipeline's input, and the script reads it from ``$input``
(about_Automatic_Variables), as ansible's own bootstrap wrapper does. The
script text is therefore the same for every call of an operation.

What is sent is not the file as written: :func:`load_operation` strips its
comments, blank lines and indentation (``script_text.py``, which never
touches the inside of a string), so the node gets only code.

Each script declares the arguments it reads in one line of its header (the
comment lines before its first code)::

    # Arguments: name, task_path, log

names separated by commas, or ``# Arguments: none`` for a script that reads
none; what each one means goes on the lines below. A unit test checks that
the names are exactly the ``$WsfcArgs.<name>`` the script's code reads, and
:func:`check_arguments` (which the runner calls before anything is sent)
refuses an argument dict whose keys are not exactly the declared names. So
every caller sends every key, ``None`` for a value not given: ``$WsfcArgs.x``
is then ``$null``, as it is for a key not sent at all.
"""

from __future__ import annotations

import base64
import json
import os
import re

MAX_DETAIL = 2000  # characters of error output quoted in a failure message
SCRIPT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
_DECLARATION = re.compile(r"^\s*Arguments:(.*)$")
_ARGUMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Wraps an operation body. powershell.exe writes stdout in the OEM code page
# under WinRS, which would mangle non-ASCII names; the preamble switches it to
# UTF-8. The arguments are read from standard input (``$input``: the lines the
# runner sent as in_data, one base64 line; joined with -join rather than
# Out-String, which formats for a line width). The body runs inside try/catch so that any
# terminating error comes back as one JSON document naming the node, instead
# of CLIXML on stderr; `exit 1` makes the failure visible in the rc as well.
_PREAMBLE = """\
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$WsfcArgs = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String((@($input) -join '').Trim())) | ConvertFrom-Json
try {
"""

_EPILOGUE = """
}
catch {
$wsfcRecord = $_
[ordered]@{
wsfc_error = [ordered]@{
message = $wsfcRecord.Exception.Message
category = [string]$wsfcRecord.CategoryInfo.Category
error_id = [string]$wsfcRecord.FullyQualifiedErrorId
node = $env:COMPUTERNAME
}
} | ConvertTo-Json -Compress -Depth 4
exit 1
}
"""


class OperationError(Exception):
    """An operation failed on a node; carries what the user needs to act on it."""

    def __init__(self, operation, message, node=None, category=None, error_id=None, rc=None, stderr=None):
        self.operation = operation
        self.node = node
        self.category = category
        self.error_id = error_id
        self.rc = rc
        self.stderr = stderr
        self.reason = message
        super(OperationError, self).__init__(message)

    def __str__(self):
        where = " on %s" % self.node if self.node else ""
        return "%s failed%s: %s" % (self.operation, where, self.reason)


class OperationArgumentsError(TypeError):
    """An operation was called with other argument keys than its script declares: a bug in the caller.

    A TypeError, as Python raises for a call with wrong keyword arguments: it
    is not an :class:`OperationError`, so no action turns it into a module
    failure that would look like the node's.
    """

    def __init__(self, operation, extra, missing, declared):
        self.operation = operation
        self.extra = list(extra)
        self.missing = list(missing)
        parts = (("extra: ", self.extra), ("missing: ", self.missing))
        wrong = "; ".join(label + ", ".join(keys) for label, keys in parts if keys)
        super(OperationArgumentsError, self).__init__(
            "operation %s was called with the wrong argument keys (%s); scripts/%s.ps1 declares: %s. This is a bug "
            "in the caller and nothing was sent: send exactly the declared keys, None for a value not given"
            % (operation, wrong, operation, ", ".join(declared) or "none"))


def operation_source(name, script_dir=SCRIPT_DIR):
    """Return the text of ``scripts/<name>.ps1`` as written (comments and all)."""
    if not re.match(r"^[a-z][a-z0-9_]*$", name):
        raise ValueError("invalid operation name %r" % name)
    path = os.path.join(script_dir, name + ".ps1")
    with open(path, "r", encoding="utf-8") as handle:
        return handle.read()


def load_operation(name, script_dir=SCRIPT_DIR):
    """Return the body of ``scripts/<name>.ps1`` as it is sent: no comments, blank lines or indentation."""
    # Imported here (and in declared_arguments), not at the top: the lab's tests load this file on its own.
    from ansible_collections.wsfc.csv.plugins.plugin_utils.script_text import strip
    return strip(operation_source(name, script_dir))


def declared_arguments(name, script_dir=SCRIPT_DIR):
    """The argument names ``scripts/<name>.ps1`` declares in its ``# Arguments:`` header line, in order.

    Raises ValueError for a script without exactly one such line, or with a
    name that is not an identifier or is given twice (in any case: PowerShell
    reads properties case-insensitively).
    """
    from ansible_collections.wsfc.csv.plugins.plugin_utils.script_text import leading_comments
    found = [match.group(1).strip() for match in (_DECLARATION.match(comment) for comment in
                                                  leading_comments(operation_source(name, script_dir))) if match]
    if len(found) != 1:
        raise ValueError("scripts/%s.ps1 must declare its arguments in exactly one header line '# Arguments: a, b' "
                         "(or '# Arguments: none'); it has %d" % (name, len(found)))
    if found[0] == "none":
        return ()
    names = tuple(part.strip() for part in found[0].split(","))
    if not all(_ARGUMENT_NAME.match(n) for n in names) or len(set(n.lower() for n in names)) != len(names):
        raise ValueError("scripts/%s.ps1: the line '# Arguments: %s' must list distinct names (letters, digits "
                         "and '_', separated by commas)" % (name, found[0]))
    return names


def check_arguments(operation, args, script_dir=SCRIPT_DIR):
    """Refuse ``args`` unless its keys are exactly the arguments ``operation`` declares (see the module docstring).

    Raises :class:`OperationArgumentsError`, naming the operation and the
    extra and missing keys.
    """
    declared = declared_arguments(operation, script_dir)
    if not isinstance(args, dict):
        raise OperationArgumentsError(operation, ["(not a dict but a %s)" % type(args).__name__], declared, declared)
    extra = sorted(str(key) for key in args if key not in declared)
    missing = [key for key in declared if key not in args]
    if extra or missing:
        raise OperationArgumentsError(operation, extra, missing, declared)


def encode_arguments(args):
    """Serialise ``args`` to the base64 JSON the preamble decodes.

    ``ensure_ascii`` keeps the JSON 7-bit so that no code page on the way can
    change a character; ConvertFrom-Json turns the escapes back into text.
    """
    payload = json.dumps(args, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(payload.encode("utf-8")).decode("ascii")


def decode_arguments(encoded):
    """Inverse of :func:`encode_arguments` (used by tests and the lab)."""
    return json.loads(base64.b64decode(encoded).decode("utf-8"))


def build_script(body):
    """The full script for one operation: argument preamble, body, error envelope (no argument values)."""
    return _PREAMBLE + body.rstrip() + "\n" + _EPILOGUE


def build_input(args):
    """The standard input of one operation: its arguments as one base64 line (bytes, for ``in_data``)."""
    return (encode_arguments(args) + "\r\n").encode("ascii")


def _last_json_object(text):
    """The last line of ``text`` that is a JSON object, or None.

    Operation scripts print exactly one compressed JSON document, but a
    profile or a noisy cmdlet may print lines before it; the document is
    always last.
    """
    for line in reversed(text.splitlines()):
        line = line.strip().lstrip("\ufeff")
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def _stderr_text(stderr):
    """Readable error text from stderr, which PowerShell writes as CLIXML under WinRM (``clixml.py``)."""
    if not stderr:
        return ""
    from ansible_collections.wsfc.csv.plugins.plugin_utils.clixml import error_text  # see load_operation
    return error_text(stderr).strip()


def parse_result(operation, rc, stdout, stderr):
    """Turn the raw result of one operation into its JSON dict.

    Raises :class:`OperationError` for a structured failure reported by the
    script, for a non-zero rc, and for output that is not the one JSON
    document every operation must print.
    """
    document = _last_json_object(stdout or "")
    if document is not None and "wsfc_error" in document:
        err = document["wsfc_error"] or {}
        raise OperationError(operation, err.get("message") or "unknown error", node=err.get("node"),
                             category=err.get("category"), error_id=err.get("error_id"), rc=rc,
                             stderr=_stderr_text(stderr))
    if rc != 0:
        detail = _stderr_text(stderr) or (stdout or "").strip() or "no output"
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL] + " ... (%d more characters)" % (len(detail) - MAX_DETAIL)
        raise OperationError(operation, "PowerShell exited with rc=%s: %s" % (rc, detail), rc=rc,
                             stderr=_stderr_text(stderr))
    if document is None:
        raise OperationError(operation, "the script printed no JSON result (stdout: %r)" % (stdout or "")[-500:],
                             rc=rc, stderr=_stderr_text(stderr))
    return document
