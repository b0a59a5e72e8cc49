# -*- coding: utf-8 -*-
"""Running operations over a connection (plugins/plugin_utils/runner.py).

Most tests use a fake connection. The tests at the end go through the real ``winrm`` and ``psrp`` connection
plugins of the ansible-core that runs them, faked only below ``exec_command`` (where the plugin hands the command
to pywinrm or pypsrp): they show what reaches the node on that core, so the version matrix (noxfile.py) checks
the runner's one way of running a script on every core it claims.
"""

from __future__ import annotations

import base64
import json
import os

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.compat.version import LooseVersion
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible.release import __version__ as ansible_version
from ansible.utils.display import Display

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner
from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError

# What Windows accepts on one command line: "The maximum length of this string is 32,767 characters" (lpCommandLine,
# CreateProcessW, Win32 API). ansible-core 2.16-2.18's winrm plugin wraps the runner's line in a second one.
MAX_COMMAND_LINE = 32767
ENCODED = "-EncodedCommand "


class FakeConnection:
    """Answers exec_command from a list of outcomes; records what it was sent (no shell plugin: the runner needs
    none)."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.commands = []
        self.inputs = []
        self.resets = 0

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.commands.append(cmd)
        self.inputs.append(in_data)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def reset(self):
        self.resets += 1


def _decoded_script(command):
    encoded = command.split(ENCODED)[1].split()[0]
    return base64.b64decode(encoded).decode("utf-16-le")


def _layers(command):
    """The scripts inside a command line, outermost first: each ``-EncodedCommand`` decoded until one is no
    ``powershell -EncodedCommand`` line itself."""
    scripts = []
    while command.lower().startswith("powershell") and ENCODED in command:
        command = _decoded_script(command)
        scripts.append(command)
    return scripts


def _script(operation):
    return powershell.build_script(powershell.load_operation(operation))


def test_runs_encoded_script_with_strict_mode_and_rc_trailer():
    conn = FakeConnection([(0, b'{"ok": true}\r\n', b"")])
    assert runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1") == {"ok": True}
    script = _decoded_script(conn.commands[0])
    assert script.startswith("Set-StrictMode -Version Latest")
    assert "exit $LASTEXITCODE" in script
    assert "Get-ClusterSharedVolume" in script


def test_read_only_operation_is_retried_after_connection_failure():
    conn = FakeConnection([AnsibleConnectionFailure("reset by peer"), (0, b'{"ok": 1}', b"")])
    result = runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1", sleep=lambda s: None)
    assert result == {"ok": 1}
    assert conn.resets == 1 and len(conn.commands) == 2


def test_read_only_gives_up_after_retries():
    conn = FakeConnection([AnsibleConnectionFailure("down")] * 4)
    with pytest.raises(runner.OperationUnreachable, match="after 4 attempts"):
        runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1", sleep=lambda s: None)


def test_read_only_failure_is_not_a_change_interrupted():
    conn = FakeConnection([AnsibleConnectionFailure("down")] * 4)
    with pytest.raises(runner.OperationUnreachable) as info:
        runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1", sleep=lambda s: None)
    assert not isinstance(info.value, runner.ChangeInterrupted)


def test_change_is_never_retried_blindly():
    conn = FakeConnection([AnsibleConnectionFailure("dropped"), (0, b'{"ok": 1}', b"")])
    with pytest.raises(runner.ChangeInterrupted, match="may or may not have happened") as info:
        runner.run_operation(conn, "cluster_info", {}, read_only=False, host="n1", sleep=lambda s: None)
    assert isinstance(info.value, runner.OperationUnreachable)  # callers that only know "unreachable" still catch it
    assert len(conn.commands) == 1
    assert info.value.node == "n1"


def test_a_change_the_node_refused_to_connect_for_is_unreachable_not_interrupted():
    """Rejected credentials mean the command never ran: nothing to read again, the node is simply unreachable."""
    conn = FakeConnection([AnsibleConnectionFailure("the specified credentials were rejected by the server")])
    with pytest.raises(runner.OperationUnreachable, match="refused the connection") as info:
        runner.run_operation(conn, "cluster_info", {}, read_only=False, host="n1", sleep=lambda s: None)
    assert not isinstance(info.value, runner.ChangeInterrupted)


def test_a_password_the_psrp_connection_says_was_refused_is_not_tried_again():
    """ansible-core's psrp plugin words a refused login its own way; retrying it would count against the lockout."""
    refused = AnsibleConnectionFailure("failed to authenticate with the server: Failed to authenticate the user "
                                       "labadmin with negotiate")
    conn = FakeConnection([refused] * 4)
    with pytest.raises(runner.OperationUnreachable, match="refused the connection"):
        runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1", sleep=lambda s: None)
    assert len(conn.commands) == 1


def test_error_without_node_gets_inventory_host():
    conn = FakeConnection([(1, b"", b"boom")])
    with pytest.raises(OperationError) as info:
        runner.run_operation(conn, "cluster_info", {}, read_only=True, host="node7")
    assert str(info.value).startswith("cluster_info failed on node7:")


def test_reported_error_is_not_retried():
    doc = json.dumps({"wsfc_error": {"message": "nope", "node": "N1"}}).encode()
    conn = FakeConnection([(1, doc, b""), (0, b'{"ok": 1}', b"")])
    with pytest.raises(OperationError, match="nope"):
        runner.run_operation(conn, "cluster_info", {}, read_only=True, host="n1", sleep=lambda s: None)
    assert len(conn.commands) == 1


def test_arguments_travel_on_stdin_never_on_the_command_line():
    secret = "S3cr3t-Pa55word-\u00e9"
    conn = FakeConnection([(0, b'{"ok": 1}', b"")])
    args = {"name": "j", "task_path": "\\wsfc.csv\\", "execute": "cmd.exe", "argument": "/c", "user": "u",
            "password": secret, "logon": "password", "time_limit_s": 60, "priority": 6, "log_dir": "C:\\l"}
    runner.run_operation(conn, "backup_job_start", args, read_only=False, host="n1")
    command, stdin = conn.commands[0], conn.inputs[0]
    script = _decoded_script(command)
    for form in (secret, base64.b64encode(secret.encode()).decode()[:12], json.dumps(secret)):
        assert form not in command and form not in script
    assert "$input" in script and "password" not in script.split("try {")[0]
    assert json.loads(base64.b64decode(stdin.strip())) == args


def test_the_command_line_is_spelt_as_ansible_core_spells_an_encoded_command():
    """The connection plugins recognise an encoded command by these words (psrp 2.16-2.20 and winrm 2.19-2.20
    compare the start of the line with the shell plugin's ``_common_args``); a change of spelling would make them
    wrap it again."""
    from ansible.plugins.shell.powershell import _common_args  # the test may read it; the plugin must not
    assert runner.POWERSHELL_COMMAND == " ".join(_common_args) + " " + ENCODED
    command = runner.command_line(_script("cluster_info"))
    assert command.split(" ")[:-1] == _common_args + ["-EncodedCommand"]
    assert _layers(command) == ["\n".join((runner.STRICT_MODE, _script("cluster_info").rstrip(), runner.EXIT_CODE))]


def test_every_script_fits_on_one_command_line_even_wrapped_twice():
    """ansible-core 2.16-2.18's winrm plugin wraps the runner's command line in another -EncodedCommand (about 2.7
    times longer): every operation's line must still be one Windows accepts."""
    for operation in sorted(name[:-4] for name in os.listdir(powershell.SCRIPT_DIR) if name.endswith(".ps1")):
        command = runner.command_line(_script(operation))
        wrapped = runner.POWERSHELL_COMMAND + base64.b64encode(command.encode("utf-16-le")).decode()
        assert len(wrapped) < MAX_COMMAND_LINE, (operation, len(wrapped))


class _Deprecations:
    """Every ``Display.deprecated`` call while a test runs (ansible-core 2.21 deprecates ``_encode_script``)."""

    def __init__(self, monkeypatch):
        self.calls = []
        monkeypatch.setattr(Display, "deprecated", lambda display, msg, *a, **k: self.calls.append(msg))


def _connection(name):
    connection = connection_loader.get(name, PlayContext())
    connection._connected = True  # pylint: disable=protected-access
    connection._psrp_host = connection._winrm_host = "n1"  # pylint: disable=protected-access
    return connection


def _winrm_wire(monkeypatch, operation, args):
    """(command line, stdin) the real winrm plugin hands pywinrm for one operation, and the deprecations seen."""
    connection = _connection("winrm")
    sent = []

    def winrm_exec(command, arguments, from_exec=False, stdin_iterator=None):
        stdin = b"".join(chunk for chunk, dummy in stdin_iterator) if stdin_iterator else b""
        sent.append((" ".join([command] + list(arguments)), stdin))
        return 0, b'{"ok": 1}', b""

    monkeypatch.setattr(connection, "_winrm_exec", winrm_exec)
    deprecations = _Deprecations(monkeypatch)
    assert runner.run_operation(connection, operation, args, read_only=True, host="n1") == {"ok": 1}
    assert len(sent) == 1
    return sent[0][0], sent[0][1], deprecations.calls


def _psrp_wire(monkeypatch, operation, args):
    """(script, input lines) the real psrp plugin hands pypsrp's pipeline for one operation, and the deprecations."""
    connection = _connection("psrp")
    sent = []

    def exec_psrp_script(script, input_data=None, use_local_scope=True, arguments=None):
        sent.append((script, input_data, arguments))
        return 0, b'{"ok": 1}', b""

    monkeypatch.setattr(connection, "_exec_psrp_script", exec_psrp_script)
    deprecations = _Deprecations(monkeypatch)
    assert runner.run_operation(connection, operation, args, read_only=True, host="n1") == {"ok": 1}
    assert len(sent) == 1
    script, input_data, arguments = sent[0]
    assert not arguments
    # 2.16-2.18 give the text as one input object, 2.19 and later one object per line: as text either way.
    lines = input_data.splitlines() if isinstance(input_data, str) else list(input_data or [])
    return script, lines, deprecations.calls


SECRET_ARGS = {"name": "j", "task_path": "\\wsfc.csv\\", "execute": "cmd.exe", "argument": "/c", "user": "u",
               "password": "S3cr3t-Pa55word-\u00e9", "logon": "password", "time_limit_s": 60, "priority": 6,
               "log_dir": "C:\\l"}


def test_winrm_runs_the_script_once_with_the_arguments_on_stdin(monkeypatch):
    command, stdin, deprecations = _winrm_wire(monkeypatch, "backup_job_start", SECRET_ARGS)
    layers = _layers(command)
    # 2.19 and later run the line as it is; 2.16-2.18 wrap it in a PowerShell of their own, whose whole script is
    # the runner's line (the child it starts inherits stdin).
    if LooseVersion(ansible_version) < LooseVersion("2.19"):
        assert len(layers) == 2 and layers[0] == runner.command_line(_script("backup_job_start"))
    else:
        assert len(layers) == 1 and command == runner.command_line(_script("backup_job_start"))
    assert layers[-1].startswith(runner.STRICT_MODE + "\n") and _script("backup_job_start").rstrip() in layers[-1]
    assert stdin == powershell.build_input(SECRET_ARGS)
    assert SECRET_ARGS["password"] not in command and all(SECRET_ARGS["password"] not in layer for layer in layers)
    assert deprecations == []


def test_psrp_runs_the_script_in_the_runspace_with_the_arguments_as_input(monkeypatch):
    script, lines, deprecations = _psrp_wire(monkeypatch, "backup_job_start", SECRET_ARGS)
    assert script == _layers(runner.command_line(_script("backup_job_start")))[0]
    assert lines == [powershell.encode_arguments(SECRET_ARGS)] and all(isinstance(line, str) for line in lines)
    assert SECRET_ARGS["password"] not in script
    assert deprecations == []
