# -*- coding: utf-8 -*-
"""Build and run a real ``ActionModule`` of this collection, as ansible-core's task executor would.

The action gets a real ``Task`` (args, check_mode, diff), a ``PlayContext``, a ``DataLoader`` and a ``Templar``.
Its connection is either :class:`FakeConnection` (unit tests: the node is faked below it, at ``runner._exec``,
see fake_node.py) or a real connection plugin (``record_answers.py`` records the lab's answers through one).

Orchestrating actions (``backup_queue``) run their sibling modules with ``WsfcActionBase.run_action``, which asks
``self._shared_loader_obj.action_loader`` for ``wsfc.csv.<name>``. Outside ansible-playbook the collection loader
is not configured, so :class:`SiblingActions` stands in for that loader: it builds the sibling from this
collection's own ``plugins/action/<name>.py`` with the same connection, so a sibling's node calls go through the
same fake node and are recorded in the same list.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import time

from ansible.errors import AnsibleAction, AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import shell_loader
from ansible.template import Templar

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner

COLLECTION = "wsfc.csv"
PLUGINS = "ansible_collections.wsfc.csv.plugins"
DEFAULT_HOST = "NODE1"
DEFAULT_ADDRESS = "127.0.0.1"  # the address the lab's nodes are reached at, and carry on their management NIC


def action_class(name):
    """The ``ActionModule`` class of ``plugins/action/<name>.py``."""
    return importlib.import_module("%s.action.%s" % (PLUGINS, name)).ActionModule


def task_result(exc):
    """What the task executor makes of an ``AnsibleAction`` an action raised: its result and, for an
    ``AnsibleActionFail``, ``failed`` and ``msg``. ansible-core 2.16-2.20 put those two in ``exc.result``; 2.21
    adds them only when it turns the exception into the task's result, so they are added here if missing."""
    result = dict(exc.result)
    if isinstance(exc, AnsibleActionFail):
        result.setdefault("failed", True)
        result.setdefault("msg", exc.message)
    return result


class FakeConnection:
    """A connection that was opened but must never be used directly: the node is faked at ``runner._exec``.

    It has what the action layer reads (the PowerShell shell plugin, ``remote_addr``) and counts ``reset()``,
    which the runner calls before it retries a read; ``on_reset`` tells the fake node, whose connection a drop
    had broken.
    """

    transport = "winrm"

    def __init__(self, remote_addr=DEFAULT_ADDRESS, on_reset=None):
        self._shell = shell_loader.get("powershell")
        self.remote_addr = remote_addr
        self.resets = 0
        self._on_reset = on_reset

    def get_option(self, name):
        if name == "remote_addr":
            return self.remote_addr
        raise KeyError(name)

    def reset(self):
        self.resets += 1
        if self._on_reset is not None:
            self._on_reset()

    def exec_command(self, cmd, in_data=None, sudoable=True):
        raise AssertionError("exec_command was called: the fake node is installed at runner._exec, so nothing may "
                             "reach the connection itself")


class SiblingActions:
    """The part of ``ansible.plugins.loader`` an orchestrating action uses: ``action_loader.get('wsfc.csv.X')``."""

    def __init__(self, harness):
        self.action_loader = self
        self._harness = harness

    def get(self, name, task=None, connection=None, play_context=None, loader=None, templar=None,
            shared_loader_obj=None):
        prefix = COLLECTION + "."
        if not name.startswith(prefix):
            raise AssertionError("an action asked for %s; only this collection's actions are available here" % name)
        return self._harness.build(name[len(prefix):], task=task, connection=connection, play_context=play_context)


class FakeClock:
    """``time`` for the collection's modules: ``sleep`` advances ``monotonic``/``time`` at once and is recorded."""

    def __init__(self, start=0.0):
        self.now = start
        self.sleeps = []

    def monotonic(self):
        return self.now

    def time(self):
        return self.now

    perf_counter = monotonic

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += max(float(seconds), 0.0)


def with_runner_sleep(sleep):
    """``runner.run_operation.__defaults__`` with ``sleep`` as its retry pause (bound to ``time.sleep`` when the
    runner was imported, so patching the ``time`` module does not reach it)."""
    function = runner.run_operation
    names = [p.name for p in inspect.signature(function).parameters.values() if p.default is not p.empty]
    defaults = list(function.__defaults__)
    defaults[names.index("sleep")] = sleep
    return tuple(defaults)


def install_clock(monkeypatch, clock):
    """Make every loaded module of the collection that imported ``time`` use ``clock``, and the runner's retry pause.

    Modules loaded later (the action a test builds, the siblings an orchestrating action runs) are patched when
    the harness builds them: it calls this again (see ``ActionHarness(on_build=...)``); a module already patched
    is left as it is."""
    for name, module in list(sys.modules.items()):
        if name.startswith(PLUGINS + ".") and getattr(module, "time", None) is time:
            monkeypatch.setattr(module, "time", clock)
    monkeypatch.setattr(runner.run_operation, "__defaults__", with_runner_sleep(clock.sleep))


class ActionHarness:
    """Builds actions of this collection for one host and runs them as tasks."""

    def __init__(self, connection=None, host=DEFAULT_HOST, task_vars=None, on_build=None):
        self.connection = connection if connection is not None else FakeConnection()
        self.on_build = on_build
        self.host = host
        self.task_vars = dict(task_vars or {}, inventory_hostname=host)
        self.loader = DataLoader()
        self.templar = Templar(loader=self.loader)
        self.play_context = PlayContext()
        self.play_context.remote_addr = getattr(self.connection, "remote_addr", None)

    def task(self, name, args=None, check_mode=False, diff=False):
        task = Task()
        task.action = "%s.%s" % (COLLECTION, name)
        task.args = dict(args or {})
        task.check_mode = check_mode
        task.diff = diff
        return task

    def build(self, name, args=None, check_mode=False, diff=False, task=None, connection=None, play_context=None):
        """The ``ActionModule`` of ``name`` for a task with ``args`` (or for ``task``)."""
        cls = action_class(name)
        if self.on_build is not None:
            self.on_build()
        action = cls(
            task=task if task is not None else self.task(name, args, check_mode, diff),
            connection=connection if connection is not None else self.connection,
            play_context=play_context if play_context is not None else self.play_context,
            loader=self.loader, templar=self.templar, shared_loader_obj=None)
        action._load_name = "%s.%s" % (COLLECTION, name)  # what the plugin loader sets; used in messages
        action._shared_loader_obj = SiblingActions(self)
        return action

    def run(self, name, args=None, check_mode=False, diff=True, host=None):
        """Run ``name`` as one task (for ``host``, default this harness's) and return its result as the play would.

        An ``AnsibleActionFail`` (argument validation, a refusal an action raises) becomes the result the task
        executor makes of it: ``failed``, ``msg``.
        """
        action = self.build(name, args, check_mode=check_mode, diff=diff)
        task_vars = dict(self.task_vars, inventory_hostname=host or self.host)
        try:
            return action.run(task_vars=task_vars)
        except AnsibleAction as exc:
            return task_result(exc)
