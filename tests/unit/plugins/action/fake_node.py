# -*- coding: utf-8 -*-
"""The node, faked at the one place the collection talks to it: ``runner._exec(connection, script, in_data)``.

Everything above that seam is the real code: the action plugin, ``runner.run_operation`` (retries, connection
resets, error parsing) and ``powershell.parse_result``. The fake tells which operation the runner sent by
comparing the script with ``powershell.build_script(powershell.load_operation(name))`` for every script the
collection ships (never by reading comments, which may be stripped), decodes the arguments from ``in_data``
(the base64 JSON of ``powershell.encode_arguments``), records each call, and answers from a queue of recorded
answers (``rc, stdout, stderr``, or a dropped connection). A call that does not match the next queued answer, or
that finds the queue empty, fails the test at once: an action can never run on an answer meant for another step.

A dropped connection leaves the connection unusable until it is reset, as ansible-core's ``winrm`` plugin is
against the lab: the next command on it fails with the error the recorder saw (``stale_error``, an HTTP 400 from
pywinrm) without reaching the node. The runner resets the connection before it retries a read; an action that
reads again after a dropped change must reset it too (``runner._reset``).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections import deque
from dataclasses import dataclass, field

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell

# How the winrm connection plugin words a connection that closed without an answer (what the lab's winrm_drop
# fault produces; the recorder stores the real text in the answers files).
DROPPED = "failed to reach the host: ('Connection aborted.', RemoteDisconnected('Remote end closed connection " \
          "without response'))"


def operation_names(script_dir=powershell.SCRIPT_DIR):
    """The operations the collection ships: one per ``scripts/<name>.ps1``."""
    return sorted(name[:-4] for name in os.listdir(script_dir) if name.endswith(".ps1"))


@functools.lru_cache(maxsize=None)
def operation_scripts(script_dir=powershell.SCRIPT_DIR):
    """``{script text as the runner sends it: operation name}`` for every shipped operation (read once)."""
    return dict((powershell.build_script(powershell.load_operation(name, script_dir)), name)
                for name in operation_names(script_dir))


@dataclass
class Answer:
    """What the node answered one operation: ``rc, stdout, stderr``, or ``dropped`` (the connection failed)."""

    operation: str
    rc: int = 0
    stdout: str = ""
    stderr: str = ""
    dropped: str | None = None
    raised: dict | None = None
    note: str = ""

    @classmethod
    def from_record(cls, record):
        """An answer as ``record_answers.py`` stores it (see answers/README.md)."""
        return cls(operation=record["operation"], rc=record.get("rc", 0), stdout=record.get("stdout", ""),
                   stderr=record.get("stderr", ""), dropped=record.get("dropped"), raised=record.get("raised"),
                   note=record.get("note", ""))

    def error(self):
        """The exception the connection raised instead of answering, or None."""
        if self.dropped is not None:
            return AnsibleConnectionFailure(self.dropped)
        if self.raised is not None:
            module, dummy, name = self.raised["type"].rpartition(".")
            return getattr(importlib.import_module(module), name)(*self.raised["args"])
        return None


@dataclass
class Call:
    """One operation the action ran: its name and its decoded arguments."""

    operation: str
    args: dict = field(default_factory=dict)
    stale: bool = False  # sent on a connection a drop had broken: it never reached the node


class FakeNode:
    """Stands in for ``runner._exec``; install with ``monkeypatch.setattr(runner, "_exec", node)``."""

    def __init__(self, stale_error=None):
        self.scripts = operation_scripts()
        self.calls = []
        self.resets = 0
        self.stale_error = stale_error
        self._queue = deque()
        self._broken = False

    # ---- what the node will answer ----------------------------------------------------------------------
    def answer(self, *answers):
        """Queue answers, in the order the action is expected to ask."""
        self._queue.extend(answers)
        return self

    def drop(self, operation, message=DROPPED):
        """Queue a connection that fails while ``operation`` runs (the winrm plugin raises, no answer)."""
        return self.answer(Answer(operation, dropped=message))

    @property
    def pending(self):
        """The queued answers no call has used yet (a test that leaves some did not run the steps it meant to)."""
        return list(self._queue)

    # ---- what the action did ----------------------------------------------------------------------------
    @property
    def operations(self):
        """The operations run, in order (also those a broken connection never delivered)."""
        return [call.operation for call in self.calls]

    def args_of(self, operation):
        """The arguments of every call of ``operation``, in order."""
        return [call.args for call in self.calls if call.operation == operation]

    def connection_reset(self):
        """The connection was reset (``FakeConnection.reset``): the next command opens a fresh shell."""
        self.resets += 1
        self._broken = False

    # ---- the seam ---------------------------------------------------------------------------------------
    def identify(self, script):
        """The operation whose script this is; AssertionError for a script the collection does not ship."""
        try:
            return self.scripts[script]
        except KeyError:
            raise AssertionError("the runner sent a script that is not build_script(load_operation(name)) of any "
                                 "scripts/*.ps1 (first line: %r)" % script.strip().splitlines()[:1])

    def __call__(self, connection, script, in_data):
        operation = self.identify(script)
        args = powershell.decode_arguments(in_data.strip()) if in_data else {}
        if self._broken and self.stale_error is not None:
            self.calls.append(Call(operation, args, stale=True))
            raise self.stale_error.error()
        self.calls.append(Call(operation, args))
        if not self._queue:
            raise AssertionError("the action ran %s(%r) but no answer was queued (calls so far: %s)"
                                 % (operation, args, self.operations))
        answer = self._queue.popleft()
        if answer.operation != operation:
            raise AssertionError("the action ran %s but the next queued answer is for %s (calls so far: %s)"
                                 % (operation, answer.operation, self.operations))
        error = answer.error()
        if error is not None:
            self._broken = self._broken or answer.dropped is not None
            raise error
        return answer.rc, answer.stdout, answer.stderr
