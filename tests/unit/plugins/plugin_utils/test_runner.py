# -*- coding: utf-8 -*-
"""Running operations over a connection (plugins/plugin_utils/runner.py), with a fake connection."""

from __future__ import annotations

import base64
import json

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.loader import shell_loader

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError


class FakeConnection:
    """Answers exec_command from a list of outcomes; records what it was sent."""

    def __init__(self, outcomes):
        self._shell = shell_loader.get("powershell")
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
    encoded = command.split("-EncodedCommand ")[1].split()[0]
    return base64.b64decode(encoded).decode("utf-16-le")


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
            "password": secret, "log_dir": "C:\\l"}
    runner.run_operation(conn, "backup_job_start", args, read_only=False, host="n1")
    command, stdin = conn.commands[0], conn.inputs[0]
    script = _decoded_script(command)
    for form in (secret, base64.b64encode(secret.encode()).decode()[:12], json.dumps(secret)):
        assert form not in command and form not in script
    assert "$input" in script and "password" not in script.split("try {")[0]
    assert json.loads(base64.b64decode(stdin.strip())) == args
