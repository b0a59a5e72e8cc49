# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hand a run over to its watchdog when the controller is being stopped (SIGTERM, SIGINT), then stop as before.

ansible-playbook forwards SIGTERM and SIGINT to its workers, whose handler kills what the worker started and exits
at once (ansible-core's ``WorkerProcess._term``), so no ``finally`` or role ``always`` runs: an AWX Cancel or a
Ctrl-C in the middle of the backups used to leave moved CSVs, snapshots and running tasks behind. While a long action
runs (the backup queue), :class:`HandOver` puts a handler of its own in front: on the first signal it calls
``hand_over`` once (one short round trip that marks the run's heartbeat expired, so the watchdog on the cluster
undoes the run at its next run instead of waiting for the heartbeat to age), then gives the signal to the handler
that was there before, exactly as if it had been there alone. A hand-over that fails changes nothing: the watchdog
still acts once the heartbeat has been silent for long enough. ``kill -9`` cannot be caught; the heartbeat's age
covers it. Python runs signal handlers only in the main thread, so elsewhere this does nothing.
"""

from __future__ import annotations

import os
import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class HandOver(object):
    """A context manager: while inside, SIGTERM and SIGINT first call ``hand_over`` (once), then act as before."""

    def __init__(self, hand_over, warn=None, signals=SIGNALS, kill=os.kill, getpid=os.getpid):
        self._hand_over = hand_over
        self._warn = warn
        self._signals = signals
        self._kill = kill
        self._getpid = getpid
        self._previous = {}
        self.handed_over = None  # the signal number once handed over

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in self._signals:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc_info):
        self._restore()
        return False

    def _restore(self):
        for number, previous in self._previous.items():
            signal.signal(number, previous if previous is not None else signal.SIG_DFL)
        self._previous = {}

    def _handle(self, number, frame):
        previous = self._previous.get(number, signal.SIG_DFL)
        if self.handed_over is None:
            self.handed_over = number
            try:
                self._hand_over()
            except Exception as exc:  # pylint: disable=broad-except
                # the signal must go on whatever happened
                if self._warn is not None:
                    self._warn("could not hand the run over to its watchdog (%s); it acts once the heartbeat is "
                               "old enough" % (exc,))
        self._restore()
        if callable(previous):
            previous(number, frame)
        elif previous == signal.SIG_DFL:
            self._kill(self._getpid(), number)
