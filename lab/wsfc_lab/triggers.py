"""Time triggers of scheduled tasks: when a ``New-ScheduledTaskTrigger -Once`` trigger fires.

Only the Once parameter set is modelled (New-ScheduledTaskTrigger,
https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/new-scheduledtasktrigger?view=windowsserver2022-ps):
"-At: Specifies a date and time to trigger the task"; "-RepetitionInterval: Specifies an amount of time between each
restart of the task. The task will run, wait for the time interval specified, and then run again. This cycle
continues for the time that you specify for the RepetitionDuration parameter"; "-RepetitionDuration: Specifies how
long the repetition pattern repeats after the task starts".

The cmdlet page does not say what happens when -RepetitionDuration is omitted. The Task Scheduler does: "If no value
is specified for the duration, then the pattern is repeated indefinitely." (RepetitionPattern.Duration,
https://learn.microsoft.com/en-us/windows/win32/taskschd/repetitionpattern-duration, and the schema's Duration
(repetitionType) element, https://learn.microsoft.com/en-us/windows/win32/taskschd/taskschedulerschema-duration-repetitiontype-element).
So a trigger with an interval and no duration fires at At, At+interval, ... for ever; without an interval it fires
once, at At.

Limits, from the same pages: the interval is at least one minute and at most 31 days ("The maximum time allowed is
31 days, and the minimum time allowed is 1 minute.", RepetitionPattern.Interval,
https://learn.microsoft.com/en-us/windows/win32/taskschd/repetitionpattern-interval); the duration at least one minute;
"If you specify a repetition duration for a task, you must also specify the repetition interval." (Duration page).
The cmdlet's answer to a value outside them is not documented: the lab refuses it (conservative).

Whether a firing exactly at At+duration still runs is not documented: the lab fires only the times strictly before
the end of the duration (the conservative reading: fewer runs).

Times are the node's local wall-clock time (the lab's nodes keep UTC, each with its own clock offset:
``Cluster.node_now``): a trigger fires on a node when that node's clock reaches the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MIN_INTERVAL_S = 60.0
MAX_INTERVAL_S = 31 * 24 * 3600.0
MIN_DURATION_S = 60.0


class TriggerError(ValueError):
    """A trigger the Task Scheduler would not accept (see the module docstring)."""


def local_time(value: datetime) -> datetime:
    """``-At`` as a time on the lab's node clocks: a DateTime without a zone is the node's local time (UTC here)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class OnceTrigger:
    at: datetime                      # node-local time of the first firing (aware, UTC: see local_time)
    interval_s: float | None = None   # None: no repetition
    duration_s: float | None = None   # None with an interval: repeated indefinitely

    def __post_init__(self) -> None:
        if self.duration_s is not None and self.interval_s is None:
            raise TriggerError("A repetition duration needs a repetition interval (RepetitionPattern.Duration: "
                               "'you must also specify the repetition interval').")
        if self.interval_s is not None and not MIN_INTERVAL_S <= self.interval_s <= MAX_INTERVAL_S:
            raise TriggerError(f"The repetition interval {self.interval_s:g} s is not between one minute and 31 days "
                               f"(RepetitionPattern.Interval).")
        if self.duration_s is not None and self.duration_s < MIN_DURATION_S:
            raise TriggerError(f"The repetition duration {self.duration_s:g} s is shorter than one minute "
                               f"(RepetitionPattern.Duration).")

    def time(self, k: int) -> datetime | None:
        """The k-th firing (k = 0 is At), or None when the pattern has none."""
        if k < 0:
            return None
        if k == 0:
            return self.at
        if self.interval_s is None:
            return None
        offset = k * self.interval_s
        if self.duration_s is not None and offset >= self.duration_s:
            return None
        return self.at + timedelta(seconds=offset)

    def first_index_at_or_after(self, when: datetime) -> int:
        """The index of the first firing at or after ``when`` (a firing already past is not run later)."""
        if when <= self.at or self.interval_s is None:
            return 0 if when <= self.at else 1
        return int(math.ceil((when - self.at).total_seconds() / self.interval_s - 1e-9))

    def last_index_at_or_before(self, when: datetime) -> int | None:
        """The index of the last firing at or before ``when``, or None when none has come yet."""
        if when < self.at:
            return None
        if self.interval_s is None:
            return 0
        k = int(math.floor((when - self.at).total_seconds() / self.interval_s + 1e-9))
        if self.duration_s is not None:  # past the end of the duration: the last firing inside it
            k = min(k, max(int(math.ceil(self.duration_s / self.interval_s - 1e-9)) - 1, 0))
        return k

    def describe(self) -> dict:
        return {"kind": "Once", "at": self.at.isoformat(), "repetition_interval_s": self.interval_s,
                "repetition_duration_s": self.duration_s,
                "indefinitely": self.interval_s is not None and self.duration_s is None}
