# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run one operation script on the task's host through its own connection.

This is the only place that talks to a node. It uses the connection Ansible
already opened for the host (``winrm``, ``psrp``, or ``ssh`` with the
PowerShell shell), the same way the reboot helper of ``ansible.windows``
does: the shell plugin encodes the script (``-EncodedCommand``, strict mode,
and an exit-code trailer) and ``exec_command`` runs it. Inventories, AWX
machine credentials and connection options therefore work unchanged.

The operation's arguments (which may hold a password) are never part of the
command line: they go as ``in_data``, which ``winrm`` writes to the stdin of
powershell.exe and ``psrp`` passes as pipeline input; the script reads them
from ``$input`` (see ``powershell.py``). ``-vvvvv`` shows the command line
(``WINRM EXEC``) but not in_data.

Retries: an operation that only reads is retried after a connection failure
(after resetting the connection). An operation that changes something is
never retried here: the caller must re-read the state first, because the
change may have happened before the connection dropped.
"""

from __future__ import annotations

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

# Connection errors that retrying cannot cure: the node refused our credentials
# (pywinrm/pyspnego and pypsrp word it like this), or the certificate is not trusted.
_PERMANENT = ("credentials were rejected", "401", "unauthorized", "certificate verify failed",
              "access is denied", "logon failure")


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


def _exec(connection, script, in_data):
    command = connection._shell._encode_script(script)  # pylint: disable=protected-access
    try:
        rc, stdout, stderr = connection.exec_command(command, in_data=in_data, sudoable=False)
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
