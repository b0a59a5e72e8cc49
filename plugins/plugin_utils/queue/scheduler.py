# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The order in which one node's queue starts, polls and stops its jobs; what a job does is given as callables.

The queue must schedule exactly as the planner times it (keep
``concurrency`` backups running, start the next one as soon as one ends; see
:mod:`queue.records` for why), and that is easiest to get right when the
scheduling can be tested alone. So it talks to nothing: ``start``, ``poll``,
``stop`` and ``not_started`` do the work (:class:`queue.steps.QueueSteps`
through the collection's modules) and ``sleep`` waits, so a test drives it
with recorded answers and a fake clock.

A job is any object with ``entry`` (its record) and ``running`` (true while
it runs on the node).
"""

from __future__ import annotations

from collections import deque


class QueueScheduler(object):
    """Run a node's items ``concurrency`` at a time; each item ends with exactly one record.

    ``start(item)`` starts the item's job and returns it (not ``running`` when
    it could not start: it has already been cleaned up). ``poll(job)`` reads a
    running job once and returns True while it keeps running; when it returns
    False it has recorded the outcome and cleaned up. ``stop(job)`` stops and
    cleans up a job that still runs when the queue stops early.
    ``not_started(item)`` returns the job of an item the queue never reached. ``halted()``, when given, is asked
    before each start: once it is true nothing more starts (the jobs that run are polled to their end).
    ``sleep(seconds)`` waits between rounds of polls.
    """

    def __init__(self, concurrency, poll_interval, start, poll, stop, not_started, sleep, halted=None):
        self._halted = halted
        self._concurrency = concurrency
        self._poll_interval = poll_interval
        self._start = start
        self._poll = poll
        self._stop = stop
        self._not_started = not_started
        self._sleep = sleep
        self.jobs = []

    def run(self, items):
        """Every item's record, in the order of ``items``.

        Whatever stops the queue early (KeyboardInterrupt, any exception) is
        raised again once the queue leaves nothing of its own behind: every
        job still running is stopped and cleaned up, and every item not yet
        started gets its record. :attr:`jobs` then holds each item's job, in
        the order of ``items`` (None for an item whose ``start`` was itself
        interrupted: what it had made so far is not known here).
        """
        self.jobs = [None] * len(items)
        pending, running = deque(enumerate(items)), []
        try:
            while pending or running:
                if pending and self._halted is not None and self._halted():
                    # Nothing more starts (the run lost its lock); what runs is polled to its end.
                    for position, item in pending:
                        self.jobs[position] = self._not_started(item)
                    pending.clear()
                while pending and len(running) < self._concurrency:
                    position, item = pending.popleft()
                    job = self.jobs[position] = self._start(item)
                    if job.running:
                        running.append(job)
                if not running:
                    continue
                self._sleep(self._poll_interval)
                still = []
                for job in running:
                    if self._poll(job):
                        still.append(job)
                running = still
        finally:
            for job in running:
                if job.running:
                    self._stop(job)
            for position, item in pending:
                self.jobs[position] = self._not_started(item)
        return [job.entry for job in self.jobs]
