# -*- coding: utf-8 -*-
"""Fixtures of the action plugin tests: a fake node at ``runner._exec``, a fake clock, and a task runner.

A test queues the node's answers (recorded from the lab, see recorded.py), runs one task and asserts on the
result and on ``node.calls`` (which operations ran, in which order, with which arguments). Nothing sleeps: the
clock is installed in every module of the collection that uses ``time`` and as the runner's retry pause.
Controller-only actions run in ``play`` (controller_play.py), from what ``results`` makes the node actions return.
"""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner

from .action_harness import ActionHarness, FakeClock, FakeConnection, install_clock
from .controller_play import ControllerPlay
from .fake_node import FakeNode
from .play_results import PlayResults
from .recorded import stale_connection_error


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    install_clock(monkeypatch, fake)
    return fake


@pytest.fixture
def node(monkeypatch, clock):
    """The node the task runs on; its answers are queued by the test. After a dropped connection, commands on the
    connection fail as the lab's did until it is reset."""
    fake = FakeNode(stale_error=stale_connection_error())
    monkeypatch.setattr(runner, "_exec", fake)
    return fake


@pytest.fixture
def harness(node, clock, monkeypatch):
    """Builds and runs actions on the fake node; each action module it loads gets the fake clock."""
    return ActionHarness(connection=FakeConnection(on_reset=node.connection_reset),
                         on_build=lambda: install_clock(monkeypatch, clock))


@pytest.fixture
def run(harness):
    """``run(action, args, check_mode=False, host=None)``: the task's result, as the play would see it."""
    return harness.run


@pytest.fixture
def play(tmp_path):
    """The play a controller-only action runs in (controller_play.py): three hosts, one per lab node."""
    return ControllerPlay(tmp_path / "play")


@pytest.fixture
def results(node, run):
    """Registered results of the node actions, run on the fake node with recorded answers (play_results.py)."""
    return PlayResults(node, run)
