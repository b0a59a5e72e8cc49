# -*- coding: utf-8 -*-
"""plugin_utils/handover.py: SIGTERM/SIGINT hand the run over to its watchdog once, then act as before."""

from __future__ import annotations

import os
import signal
import threading

from ansible_collections.wsfc.csv.plugins.plugin_utils.handover import HandOver


def test_the_first_signal_hands_over_once_then_the_previous_handler_runs():
    seen, handed = [], []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: seen.append(number))
    try:
        with HandOver(lambda: handed.append(1)) as guard:
            os.kill(os.getpid(), signal.SIGTERM)
            assert guard.handed_over == signal.SIGTERM
            # The handler that was there before is back, and got the signal.
            assert seen == [signal.SIGTERM] and handed == [1]
            os.kill(os.getpid(), signal.SIGTERM)
            assert handed == [1] and seen == [signal.SIGTERM, signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_failed_hand_over_is_a_warning_and_the_signal_goes_on():
    seen, warnings = [], []
    previous = signal.signal(signal.SIGINT, lambda number, frame: seen.append(number))

    def broken():
        raise RuntimeError("connection refused")
    try:
        with HandOver(broken, warn=warnings.append):
            os.kill(os.getpid(), signal.SIGINT)
        assert seen == [signal.SIGINT]
        assert "could not hand the run over to its watchdog (connection refused)" in warnings[0]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_default_action_is_sent_again_when_nothing_else_was_installed():
    kills = []
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with HandOver(lambda: None, kill=lambda pid, number: kills.append((pid, number)), getpid=lambda: 42) as guard:
            # what the signal would call
            guard._handle(signal.SIGTERM, None)  # pylint: disable=protected-access
        assert kills == [(42, signal.SIGTERM)]
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_leaving_restores_the_handlers_and_outside_the_main_thread_nothing_is_installed():
    before = signal.getsignal(signal.SIGTERM)
    with HandOver(lambda: None):
        assert signal.getsignal(signal.SIGTERM) != before
    assert signal.getsignal(signal.SIGTERM) == before
    installed = []

    def elsewhere():
        with HandOver(lambda: None) as guard:
            installed.append(dict(guard._previous))  # pylint: disable=protected-access
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert installed == [{}]
