# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run one operation script on the task's host through its own connection.

This is the only place that talks to a node. It uses the connection Ansible
already opened for the host (``winrm`` or ``psrp``), so inventories, AWX
machine credentials and connection options work unchanged.

How a script is run, with no private API of ansible-core: the runner writes
the command line itself, ``PowerShell -NoProfile -NonInteractive
-ExecutionPolicy Unrestricted -EncodedCommand <script>`` (:func:`command_line`:
the script, with strict mode before it and the exit-code trailer after it, as
UTF-16-LE base64), and hands it to the connection's public
``exec_command(cmd, in_data=..., sudoable=False)``. That is what
``ansible.windows`` does today (``plugins/plugin_utils/_reboot.py``,
``_execute_command``) and what ansible-core's own PowerShell shell plugin has
always produced for the connection plugins (``build_module_command``, and
the ``exists``/``checksum``/``remove`` commands in 2.21). These words, in this
spelling, are the ones every connection plugin recognises:

* ``psrp`` (every core): it sees ``-EncodedCommand`` (2.16-2.20 compare the
  start of the line with these words, 2.21 parses the line), decodes the
  script, runs it in the runspace and gives ``in_data`` as the pipeline's
  input lines;
* ``winrm`` 2.19 and later: it sees the same (2.19-2.20 compare the start,
  2.21 looks for ``-EncodedCommand``) and runs the command line as it is,
  with ``in_data`` as powershell.exe's stdin;
* ``winrm`` 2.16-2.18: it wraps every command in a PowerShell of its own,
  which starts ours as a child process; the child inherits stdin, so the
  script reads ``in_data`` there. This is how those cores ran every Windows
  module: ``build_module_command`` returned an ``-EncodedCommand`` line
  that ``winrm`` wrapped again, and the bootstrap wrapper inside it read the
  module's payload from ``$input``. Wrapped twice, the line is about 2.7
  times longer; a unit test keeps every script's doubled line within the
  32,767 characters Windows accepts for one command line.

Before this, the runner called the shell plugin's private ``_encode_script``,
which ``winrm`` 2.16-2.18 encoded again like any command (so the lab, which
does not model a PowerShell started from a script, refused it) and which
2.21 deprecates.

The operation's arguments (which may hold a password) are never part of the
command line: they go as ``in_data``, which ``winrm`` writes to the stdin of
powershell.exe and ``psrp`` passes as pipeline input; the script reads them
from ``$input`` (see ``powershell.py``). ``-vvvvv`` shows the command line
(``WINRM EXEC``; ``psrp`` 2.16-2.20 show the decoded script, ``PSRP: EXEC``)
but never in_data. The runner uses nothing of the connection but
``exec_command`` and ``reset``: not its shell plugin.

``ssh`` with the PowerShell shell is not supported: the lab serves only
WS-Management (WinRS and PSRP), so nothing tests it, and Windows OpenSSH's
default shell (cmd.exe) takes at most 8,191 characters on a command line,
which the larger scripts come close to.

Retries: an operation that only reads is retried after a connection failure
(after resetting the connection). An operation that changes something is
never retried here: the caller must re-read the state first, because the
change may have happened before the connection dropped.
"""

from __future__ import annotations

import base64
import random
import time

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import (
    OperationError,
    build_input,
    build_script,
    check_arguments,
    load_operation,
    parse_result,
)

try:
    from requests.exceptions import RequestException
except ImportError:  # pragma: no cover - requests comes with pywinrm
    RequestException = AnsibleConnectionFailure

display = Display()

READ_RETRIES = 3

# Connection errors that retrying cannot cure: the node refused our credentials (pywinrm/pyspnego word it "the
# specified credentials were rejected"; ansible-core's psrp plugin "failed to authenticate with the server", around
# pypsrp's "Failed to authenticate the user ..."), or the certificate is not trusted. Retrying a refused password
# would only count against the account's lockout threshold.
_PERMANENT = ("credentials were rejected", "failed to authenticate", "401", "unauthorized",
              "certificate verify failed", "access is denied", "logon failure")


def is_permanent(message):
    """True when a connection error will not go away by trying again."""
    lowered = message.lower()
    return any(marker in lowered for marker in _PERMANENT)


class OperationUnreachable(OperationError):
    """The node could not be reached to run (or finish) an operation."""


class ChangeInterrupted(OperationUnreachable):
    """The connection broke while an operation was changing the node: the change may or may not have happened.

    The runner never retries a change (see the module docstring). A caller
    that wants to go on catches this type, reads the node's state again and
    decides from what it finds; any other :class:`OperationUnreachable` means
    the node did not answer at all.
    """


# The command line of a PowerShell script, spelt as ansible-core's shell plugin spells it: the connection plugins
# recognise these words (see the module docstring) and run the script once, in one PowerShell.
POWERSHELL_COMMAND = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand "
# Strict mode first and an exit-code trailer last, as ansible-core's shell plugin has always put them around a script
# (``_encode_script``'s strict_mode and preserve_rc) and ansible.windows' reboot helper still does: a failed last
# command exits with its own code rather than the 1 that about_PowerShell_exe documents for -Command.
STRICT_MODE = "Set-StrictMode -Version Latest"
EXIT_CODE = ("If (-not $?) { If (Get-Variable LASTEXITCODE -ErrorAction SilentlyContinue) { exit $LASTEXITCODE } "
             "Else { exit 1 } }")


def command_line(script):
    """The ``powershell.exe -EncodedCommand`` line that runs ``script`` (which holds no argument values)."""
    text = "\n".join((STRICT_MODE, script.rstrip(), EXIT_CODE))
    return POWERSHELL_COMMAND + base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def _exec(connection, script, in_data):
    try:
        rc, stdout, stderr = connection.exec_command(command_line(script), in_data=in_data, sudoable=False)
    except RequestException as exc:
        raise AnsibleConnectionFailure("failed to reach the host: %s" % to_text(exc))
    return rc or 0, to_text(stdout, errors="surrogate_or_strict"), to_text(stderr, errors="surrogate_or_strict")


def _reset(connection):
    try:
        connection.reset()
    except Exception as exc:  # pylint: disable=broad-except
        display.vvv("wsfc.csv: connection reset failed: %s" % to_text(exc))


def run_operation(connection, operation, args, read_only, host=None, retries=READ_RETRIES, sleep=time.sleep):
    """Run ``scripts/<operation>.ps1`` with ``args`` and return its JSON result.

    ``host`` names the inventory host in error messages until the script
    reports the node's own computer name. Raises :class:`OperationError` for a
    failure reported by the node, :class:`OperationUnreachable` when the node
    cannot be reached (after retries, for read-only operations) and its
    subclass :class:`ChangeInterrupted` when the connection broke during a
    change.
    """
    check_arguments(operation, args)  # OperationArgumentsError, before anything is sent
    script = build_script(load_operation(operation))
    in_data = build_input(args)
    attempts = retries + 1 if read_only else 1
    last_error = None
    for attempt in range(attempts):
        if attempt:
            delay = min(2 ** attempt, 10) + random.random()
            display.vv("wsfc.csv: %s on %s: retrying after %s (%.1fs)" % (operation, host, last_error, delay))
            sleep(delay)
            _reset(connection)
        display.vvv("wsfc.csv: running operation %s on %s" % (operation, host))
        try:
            rc, stdout, stderr = _exec(connection, script, in_data)
        except AnsibleConnectionFailure as exc:
            last_error = to_text(exc)
            if is_permanent(last_error):
                raise OperationUnreachable(operation, "the node refused the connection: %s. Check the host's "
                                           "credentials and transport settings" % last_error, node=host)
            continue
        try:
            return parse_result(operation, rc, stdout, stderr)
        except OperationError as exc:
            if exc.node is None:
                exc.node = host
            raise
    # The connection is unusable after a failure (ansible-core's winrm plugin answers the next command on the same
    # shell with HTTP 400): whoever talks to the node next, to read the state again, gets a fresh shell.
    _reset(connection)
    if read_only:
        raise OperationUnreachable(operation, "could not reach the node after %d attempts: %s" % (attempts, last_error),
                                   node=host)
    raise ChangeInterrupted(operation, "the connection failed while the change was being made: %s. The change may or "
                            "may not have happened; read the state again before retrying" % last_error, node=host)
