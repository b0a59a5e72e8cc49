# -*- coding: utf-8 -*-
"""One node's backup queue (plugins/plugin_utils/queue/scheduler.py and queue_steps.py), driven through the lab's
recorded answers (fixtures/queue_answers.json) with a fake clock.

:class:`FakeNode` is BR-NODE2 as the queue sees it: it answers each module call with the recorded answer of that
module, made to fit the CSV, the job and the fake clock's times, and keeps what exists on the node (snapshots,
scheduled tasks). Operation scripts (``backup_job_status``, ``csv_owner_get``) go through the real runner over a
fake connection, so a dropped connection on a read is retried by the runner itself; a dropped connection during a
change is the runner's own :class:`runner.ChangeInterrupted`, made by running the runner over a connection that
drops.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner
from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import TASK_PATH, status_args
from ansible_collections.wsfc.csv.plugins.plugin_utils.diskshadow import exposure_name, exposure_path
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import folder_name, job_name, snapshot_tag
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import (
    build_script,
    decode_arguments,
    load_operation,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.scheduler import QueueScheduler
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.steps import QueueSteps

ANSWERS = json.loads((Path(__file__).parent / "fixtures" / "queue_answers.json").read_text())
NODE, OTHER, RUN = "BR-NODE2", "BR-NODE1", "fixture1"  # as recorded
RECORDED = {"csv": "Cluster Disk 3", "volume": "Volume3", "job": "csv-fixture1-000",
            "snapshot": ANSWERS["csv_snapshot created"]["snapshot"]["id"]}
EPOCH = datetime(2026, 1, 5, 1, 0, 0, tzinfo=timezone.utc)  # the node's time at the fake clock's 0
ROBOCOPY_BYTES = 100000000000  # the Copied column of the recorded robocopy summary
OPERATIONS = ("backup_job_status", "csv_owner_get")
# Each operation's command line, as the runner sends it to the connection.
COMMANDS = dict((runner.command_line(build_script(load_operation(name))), name) for name in OPERATIONS)


def iso(seconds):
    """The node's time ``seconds`` after the fake clock's 0, as the scripts print it."""
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def csv_name(n):
    return "Cluster Disk %d" % n


def item(n, **extra):
    """The ``n``-th CSV of a plan's reads for this node (index n - 1), read locally on its coordinator."""
    out = {"csv": csv_name(n), "path": "C:\\ClusterStorage\\Volume%d" % n, "index": n - 1, "read": "local",
           "source": NODE}
    out.update(extra)
    return out


def _dropped(operation, args, read_only):
    """The error the real runner raises when the connection drops under ``operation``."""

    class Dropping:
        def exec_command(self, cmd, in_data=None, sudoable=True):
            raise AnsibleConnectionFailure("failed to transmit request to the host: connection reset by peer")

        def reset(self):
            pass

    with pytest.raises(runner.OperationUnreachable) as info:
        runner.run_operation(Dropping(), operation, args, read_only=read_only, host=NODE, sleep=lambda s: None)
    return info.value


def change_interrupted(module):
    """What a module raises when the connection broke during its change (its change script's error)."""
    operation, args = {
        "backup_job": ("backup_job_start", {"name": RECORDED["job"], "task_path": TASK_PATH, "execute": "cmd.exe",
                                            "argument": "/d /s /c", "user": "NT AUTHORITY\\SYSTEM", "password": "",
                                            "logon": "service_account", "time_limit_s": 60, "priority": 6,
                                            "log_dir": "C:\\ProgramData\\wsfc.csv\\jobs"}),
        "csv_snapshot": ("csv_snapshot_create", {"csv": RECORDED["csv"], "tag": snapshot_tag(RUN), "mount": "",
                                                 "script_dir": "", "script": "", "lines": [], "cleanup_script": "",
                                                 "provider_id": "", "registry": "",
                                                 "entries": []}),
    }[module]
    return _dropped(operation, args, read_only=False)


class FakeClock:
    """Monotonic and wall time in seconds from 0; ``sleep`` advances both and is logged on the node."""

    def __init__(self, log):
        self.now = 0.0
        self.log = log
        self.interrupt_at_sleep = None  # raise KeyboardInterrupt in this sleep (1 = the first)
        self.sleeps = 0

    def monotonic(self):
        return self.now

    def wall(self):
        return 1767574800.0 + self.now

    def sleep(self, seconds):
        self.sleeps += 1
        if self.sleeps == self.interrupt_at_sleep:
            raise KeyboardInterrupt()
        self.log.append((self.now, "sleep", seconds))
        self.now += seconds


class FakeNode:
    """BR-NODE2 answering the queue from the recorded answers; ``calls`` logs ``(time, what, csv)`` in order."""

    def __init__(self, durations, exit_codes=None):
        self.calls = []
        self.clock = FakeClock(self.calls)
        self.durations = dict((csv_name(n), seconds) for n, seconds in durations.items())
        self.exit_codes = dict((csv_name(n), code) for n, code in (exit_codes or {}).items())
        self.snapshots = {}  # csv -> snapshot id
        self.tasks = {}  # job name -> {"csv", "start", "end", "stopped"}
        self.owners = {}  # csv -> coordinator, when it is not this node
        self.snapshot_args = []  # the arguments of every csv_snapshot call
        self.fail_over_on_start = {}  # csv -> the node the cluster fails it over to once its job has started
        self.module_faults = {}  # (module, csv) -> list of what to do on the next calls: "drop" or a result dict
        self.read_drops = 0  # the next status reads whose connection drops (each attempt of the runner counts)
        self.read_error = None  # an exception the next status read raises as is
        self.max_tasks = 0
        self.created = []  # (time, csv) of every task the node started
        self.warnings = []
        self.retry_pauses = []
        self.connection = _Connection(self)

    # ---- what the queue is given -----------------------------------------------------------------------
    def steps(self, **args):
        options = {"run_id": RUN, "method": "copy", "target": "\\\\backup01\\csv", "provider": "auto",
                   "concurrency": 2, "timeout": 86400, "on_timeout": "cancel", "poll_interval": 10.0,
                   "run_as_user": "NT AUTHORITY\\SYSTEM", "run_as_password": None, "log_dir": None, "command": None}
        options.update(args)
        return QueueSteps(NODE, options, run_module=self.run_module, run_operation=self.run_operation,
                          warn=self.warnings.append, monotonic=self.clock.monotonic,
                          wall=self.clock.wall)

    def queue(self, steps):
        return QueueScheduler(steps.args["concurrency"], steps.args["poll_interval"], start=steps.start,
                              poll=steps.poll, stop=steps.stop, not_started=steps.not_started, sleep=self.clock.sleep)

    def run(self, items, **args):
        steps = self.steps(**args)
        scheduler = self.queue(steps)
        return scheduler.run(items), steps, scheduler

    def run_operation(self, name, args):
        return runner.run_operation(self.connection, name, args, read_only=True, host=NODE,
                                    sleep=self.retry_pauses.append)

    # ---- modules -------------------------------------------------------------------------------------------
    def run_module(self, module, args, check_mode=None):
        csv = args.get("csv") or args.get("name")
        if module == "backup_job":
            csv = self._csv_of_job(args["name"])
        elif args.get("id"):
            csv = next((c for c, sid in self.snapshots.items() if sid == args["id"]), None)
        state = args.get("state", "present")
        self.calls.append((self.clock.now, "%s %s" % (module, state), csv))
        planned = self.module_faults.get((module, csv)) or []
        fault = planned.pop(0) if planned else None
        if isinstance(fault, dict):
            return copy.deepcopy(fault)
        answer = getattr(self, "_" + module)(csv, args, state, check_mode)
        if fault == "drop":
            raise change_interrupted(module)
        return answer

    def _csv_snapshot(self, csv, args, state, check_mode):
        self.snapshot_args.append(dict(args))
        if state == "present":
            moved = self._elsewhere(csv, args)
            if moved:
                return moved
            if check_mode:
                return self.answer("csv_snapshot check mode", csv)
            if csv in self.snapshots:
                return self.answer("csv_snapshot exists", csv)
            self.snapshots[csv] = _snapshot_id(csv)
            return self.answer("csv_snapshot created", csv)
        assert args.get("id") or args.get("tag") == snapshot_tag(RUN), args
        if csv not in self.snapshots:
            return self.answer("csv_snapshot absent by tag", csv)
        del self.snapshots[csv]
        return self.answer("csv_snapshot removed", csv)

    def _elsewhere(self, csv, args):
        """csv_snapshot's and backup_job's answer when ``coordinator`` is not where the CSV is (nothing is made)."""
        owner = self.owners.get(csv, NODE)
        if args.get("coordinator") and args["coordinator"] != owner:
            return {"failed": True, "node": NODE, "coordinator_now": owner,
                    "msg": "%s is coordinated by %s, not by %s as expected" % (csv, owner, args["coordinator"])}
        return None

    def _csv_owner(self, csv, args, state, dummy):
        before = self.owners.get(csv, NODE)
        self.owners[csv] = args["node"]
        if self.owners[csv] == NODE:
            del self.owners[csv]
        return {"changed": before != args["node"], "name": csv, "previous_owner": before, "owner": args["node"]}

    def _backup_job(self, csv, args, state, dummy):
        name = args["name"]
        task = self.tasks.get(name)
        if state == "started":
            moved = self._elsewhere(csv, args)
            if moved:
                return moved
            if task is not None:
                return self.answer("backup_job started again", csv, start=iso(task["start"]))
            # the folder csv_snapshot exposed the CSV's snapshot at, never its device object
            assert args["snapshot_path"] == exposure_path(csv, snapshot_tag(RUN)) + "\\", args
            assert args["target"] == "\\\\backup01\\csv\\%s\\%s" % (RUN, folder_name({"csv": csv})), args
            self.tasks[name] = {"csv": csv, "start": self.clock.now, "stopped": False,
                                "end": self.clock.now + self.durations[csv]}
            self.max_tasks = max(self.max_tasks, len(self.tasks))
            self.created.append((self.clock.now, csv))
            if csv in self.fail_over_on_start:
                self.owners[csv] = self.fail_over_on_start.pop(csv)
            return self.answer("backup_job started", csv)
        if task is None:
            return self.answer("backup_job absent already", csv)
        del self.tasks[name]
        if self._running(task):
            task["stopped"] = True
            return self.answer("backup_job stopped", csv, start=iso(task["start"]))
        return self.answer("backup_job removed", csv, start=iso(task["start"]), end=iso(task["end"]))

    # ---- operations, through the runner ------------------------------------------------------------------
    def operation(self, name, args):
        if name == "csv_owner_get":
            self.calls.append((self.clock.now, name, args["name"]))
            answer = self.answer("csv_owner_get", args["name"])
            answer["csv"]["owner"] = self.owners.get(args["name"], NODE)
            return answer
        assert args == status_args(args["name"], None, self._csv_of_job(args["name"])), args
        task = self.tasks.get(args["name"])
        csv = self._csv_of_job(args["name"])
        self.calls.append((self.clock.now, name, csv))
        if task is None:
            answer = self.answer("backup_job_status absent", csv)
        elif self._running(task):
            answer = self.answer("backup_job_status running", csv, last_run=iso(task["start"]),
                                 log_written=iso(task["start"]))
        else:
            code = self.exit_codes.get(csv, 1)
            answer = self.answer("backup_job_status succeeded" if code < 8 else "backup_job_status failed", csv,
                                 last_run=iso(task["start"]), log_written=iso(task["end"]), last_result=code)
        answer["now"] = iso(self.clock.now)
        return answer

    # ---- the recorded answers, made to fit --------------------------------------------------------------
    def answer(self, key, csv, **fields):
        """The recorded answer ``key``, for ``csv`` (its name, volume, job, snapshot), with ``fields`` set."""
        n = csv.split()[-1]
        text = json.dumps(ANSWERS[key])
        for old, new in ((RECORDED["csv"], csv), (RECORDED["volume"], "Volume" + n),
                         (RECORDED["job"], job_name(RUN, int(n) - 1)), (RECORDED["snapshot"], _snapshot_id(csv)),
                         (exposure_name(RECORDED["csv"], snapshot_tag(RUN)), exposure_name(csv, snapshot_tag(RUN)))):
            text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
        text = re.sub(r"HarddiskVolumeShadowCopy\d+", _device(csv), text)
        answer = json.loads(text)
        answer.update(fields)
        return answer

    def _csv_of_job(self, name):
        return csv_name(int(name.rsplit("-", 1)[1]) + 1)

    def _running(self, task):
        return not task["stopped"] and self.clock.now < task["end"]

    # ---- what the log shows -------------------------------------------------------------------------------
    def log(self, *kinds):
        return [(t, what, csv) for t, what, csv in [c for c in self.calls if c[1] != "sleep"] if what in kinds]

    def starts(self):
        """When the node started each backup job (a repeated start call that found it running is not one)."""
        return list(self.created)


def _snapshot_id(csv):
    return "{00000000-0000-0000-0000-%012d}" % int(csv.split()[-1])


def _device(csv):
    return "HarddiskVolumeShadowCopy%d" % (10 + int(csv.split()[-1]))


class _Connection:
    """The node below the real runner: decodes the operation and its arguments and answers as the script did."""

    def __init__(self, node):
        self.node = node
        self.resets = 0

    def exec_command(self, cmd, in_data=None, sudoable=True):
        name = COMMANDS[cmd]
        args = decode_arguments(in_data.decode("ascii").strip())
        if name == "backup_job_status":
            if self.node.read_error is not None:
                error, self.node.read_error = self.node.read_error, None
                raise error
            if self.node.read_drops:
                self.node.read_drops -= 1
                self.node.calls.append((self.node.clock.now, "dropped " + name, None))
                raise AnsibleConnectionFailure("failed to transmit request to the host: connection reset by peer")
        return 0, json.dumps(self.node.operation(name, args)).encode("utf-8"), b""

    def reset(self):
        self.resets += 1


# ---- a normal run ----------------------------------------------------------------------------------------------
def test_two_at_a_time_over_five_csvs_starts_the_next_as_soon_as_one_ends_and_reports_in_input_order():
    node = FakeNode({1: 25, 2: 5, 3: 12, 4: 30, 5: 8})
    entries, steps, dummy = node.run([item(n) for n in range(1, 6)], concurrency=2, poll_interval=10.0)
    # Polls at 10, 20, 30, ...: 2 ends by 10 and 3 starts in that round; 1 and 3 end by 30, then 4 and 5 start.
    assert node.starts() == [(0, csv_name(1)), (0, csv_name(2)), (10, csv_name(3)), (30, csv_name(4)),
                             (30, csv_name(5))]
    assert node.max_tasks == 2
    # "As soon as": no sleep between the read that saw 2 end (and its clean-up) and the start of 3.
    seen_end = node.calls.index((10, "backup_job_status", csv_name(2)))
    started = node.calls.index((10, "backup_job started", csv_name(3)))
    between = [c[1] for c in node.calls[seen_end + 1:started]]
    assert between == ["backup_job absent", "csv_snapshot absent", "csv_snapshot present"]
    assert [e["csv"] for e in entries] == [csv_name(n) for n in range(1, 6)]
    assert [e["state"] for e in entries] == ["succeeded"] * 5
    ends = {1: 25, 2: 5, 3: 22, 4: 60, 5: 38}
    for n, entry in enumerate(entries, 1):
        start = [t for t, csv in node.starts() if csv == csv_name(n)][0]
        assert entry["start"] == iso(start) and entry["end"] == iso(ends[n])
        assert entry["bytes"] == ROBOCOPY_BYTES and entry["bytes_measured"] is True
        assert entry["exit_code"] == 1 and entry["read"] == "local" and entry["provider_type"] == "system"
        assert entry["consistency"] == "application"
        assert entry["job_id"] == TASK_PATH + job_name(RUN, n - 1) and entry["snapshot_id"] == _snapshot_id(csv_name(n))
        assert entry["snapshot_removed"] is True and "cleanup_errors" not in entry
        assert entry["message"] == "%s on %s backed up with copy (%d bytes), local read" % (
            csv_name(n), NODE, ROBOCOPY_BYTES)
    assert node.snapshots == {} and node.tasks == {}
    assert len(node.log("csv_snapshot present")) == len(node.log("backup_job started")) == 5
    # The node's clock against the controller's: the first and the last status read.
    assert [pair[1] for pair in steps.clock.samples] == [iso(10), iso(60)]
    assert steps.lost is None and node.warnings == []


def test_a_job_ending_between_polls_is_recorded_with_the_times_the_node_gave():
    node = FakeNode({1: 15})
    entries, dummy, dummy2 = node.run([item(1)], poll_interval=10.0)
    assert [t for t, what, csv in node.log("backup_job_status")] == [10, 20]
    # The start call returns before the task runs: the start is the Task Scheduler's LastRunTime from the first
    # read; the end is when the tool last wrote its log (15 s), not when the queue saw it (20 s).
    assert entries[0]["start"] == iso(0) and entries[0]["end"] == iso(15)
    assert entries[0]["state"] == "succeeded"


# ---- dropped connections ------------------------------------------------------------------------------------------
def test_a_read_whose_connection_drops_is_retried_by_the_runner_and_the_queue_carries_on():
    node = FakeNode({1: 15, 2: 5})
    node.read_drops = 1
    entries, steps, dummy = node.run([item(1), item(2)])
    assert [e["state"] for e in entries] == ["succeeded", "succeeded"]
    assert node.connection.resets == 1 and len(node.retry_pauses) == 1
    assert node.log("dropped backup_job_status") == [(10, "dropped backup_job_status", None)]
    assert steps.lost is None


def test_a_node_that_does_not_answer_a_read_is_lost_and_nothing_more_is_sent_to_it():
    node = FakeNode({1: 30, 2: 30, 3: 5})
    node.read_drops = runner.READ_RETRIES + 1  # every attempt of the first status read
    entries, steps, dummy = node.run([item(1), item(2), item(3)])
    first_drop = node.calls.index((10, "dropped backup_job_status", None))
    assert [c for c in node.calls[first_drop:] if c[1] != "dropped backup_job_status"] == []
    assert len(node.retry_pauses) == runner.READ_RETRIES
    reason = ("backup_job_status failed on %s: could not reach the node after 4 attempts: failed to transmit request "
              "to the host: connection reset by peer" % NODE)
    assert steps.lost == "%s did not answer (%s)" % (NODE, reason)
    one, two, three = entries
    assert one["state"] == "failed"
    assert one["message"] == "%s on %s: its backup job could not be read: %s" % (csv_name(1), NODE, reason)
    assert two["state"] == "failed"
    assert two["message"] == ("%s on %s: its backup job could not be read: backup_job_status failed on %s: %s" % (
        csv_name(2), NODE, NODE, steps.lost))
    assert three["state"] == "failed"
    assert three["message"] == "%s on %s: csv_snapshot was not run: %s" % (csv_name(3), NODE, steps.lost)
    # What stays on the node is a warning for when it is back, not an error: it went away with it.
    for entry in (one, two):
        assert entry["snapshot_removed"] is False and "cleanup_errors" not in entry
        assert entry["cleanup_warnings"] == [
            "the scheduled task %s on %s could not be removed; remove it with wsfc.csv.backup_job state=absent, "
            "when it is back (%s)" % (entry["job_id"], NODE, steps.lost),
            "the snapshot %s of %s on %s could not be deleted; delete it with wsfc.csv.csv_snapshot state=absent "
            "tag='%s', when it is back (%s)" % (entry["snapshot_id"], entry["csv"], NODE, snapshot_tag(RUN),
                                                steps.lost)]


@pytest.mark.parametrize("module", ["csv_snapshot", "backup_job"])
def test_a_change_whose_connection_drops_is_read_again_and_not_made_twice(module):
    """The node made the change, then the answer was lost: the module runs once more, finds it, and goes on."""
    node = FakeNode({1: 15})
    node.module_faults[(module, csv_name(1))] = ["drop"]
    entries, steps, dummy = node.run([item(1)])
    assert entries[0]["state"] == "succeeded", entries[0]
    state = "present" if module == "csv_snapshot" else "started"
    assert [c[1] for c in node.calls].count("%s %s" % (module, state)) == 2  # the change, then the read again
    assert len(node.starts()) == 1 and entries[0]["snapshot_id"] == _snapshot_id(csv_name(1))
    assert node.warnings == ["%s on %s: the connection broke while %s was changing the node; reading its state again "
                             "before going on" % (csv_name(1), NODE, module)]
    assert steps.lost is None
    assert node.snapshots == {} and node.tasks == {}


def test_a_change_whose_connection_drops_twice_loses_the_node():
    node = FakeNode({1: 15, 2: 15})
    node.module_faults[("backup_job", csv_name(1))] = ["drop", "drop"]
    entries, steps, dummy = node.run([item(1), item(2)], concurrency=1)
    reason = str(change_interrupted("backup_job"))
    assert "The change may or may not have happened" in reason
    assert steps.lost == "%s did not answer (%s)" % (NODE, reason)
    assert entries[0]["state"] == "failed"
    assert entries[0]["message"] == "%s on %s: backup_job failed: %s" % (csv_name(1), NODE, reason)
    assert entries[1]["message"] == "%s on %s: csv_snapshot was not run: %s" % (csv_name(2), NODE, steps.lost)
    assert len(node.warnings) == 1
    assert [c[1] for c in node.calls] == ["csv_snapshot present", "backup_job started", "backup_job started"]


# ---- a job that never starts ------------------------------------------------------------------------------------
def test_a_snapshot_that_cannot_be_made_fails_its_csv_and_the_next_one_starts_at_once():
    node = FakeNode({1: 15, 2: 15, 3: 15})
    refused = node.answer("csv_snapshot failed", csv_name(2))
    node.module_faults[("csv_snapshot", csv_name(2))] = [refused]
    entries, dummy, dummy2 = node.run([item(1), item(2), item(3)], concurrency=2)
    assert node.starts() == [(0, csv_name(1)), (0, csv_name(3))]
    two = entries[1]
    assert two["state"] == "failed" and two["snapshot_id"] is None and two["start"] is None
    assert two["message"] == "%s on %s: csv_snapshot failed: %s" % (csv_name(2), NODE, refused["msg"])
    assert "VSS_E_INSUFFICIENT_STORAGE" in two["message"]
    assert [e["state"] for e in entries] == ["succeeded", "failed", "succeeded"]
    assert node.snapshots == {} and node.tasks == {}


def test_a_job_that_cannot_start_has_its_snapshot_removed_and_the_next_one_starts_at_once():
    # What backup_job returns when a task of that name exists but never ran (plugins/action/backup_job.py).
    refused = {"failed": True, "node": NODE,
               "msg": "A task %s exists on %s but never ran (not created by this module?). Remove it with "
                      "state=absent, then run the task again." % (TASK_PATH + job_name(RUN, 1), NODE)}
    node = FakeNode({1: 15, 2: 15, 3: 15})
    node.module_faults[("backup_job", csv_name(2))] = [refused]
    entries, dummy, dummy2 = node.run([item(1), item(2), item(3)], concurrency=2)
    assert node.starts() == [(0, csv_name(1)), (0, csv_name(3))]
    two = entries[1]
    assert two["state"] == "failed" and two["snapshot_removed"] is True
    assert two["message"] == "%s on %s: backup_job failed: %s" % (csv_name(2), NODE, refused["msg"])
    assert node.log("csv_snapshot absent")[0] == (0, "csv_snapshot absent", csv_name(2))
    assert node.snapshots == {} and node.tasks == {}


# ---- timeouts ------------------------------------------------------------------------------------------------------
def test_a_job_still_running_at_its_deadline_is_stopped_with_on_timeout_cancel_and_the_next_one_starts():
    node = FakeNode({1: 100, 2: 5})
    entries, dummy, dummy2 = node.run([item(1), item(2)], concurrency=1, timeout=25, on_timeout="cancel")
    one = entries[0]
    assert one["state"] == "cancelled"
    assert one["message"] == "%s on %s: still running after 25 s, so it was stopped (on_timeout=cancel)" % (
        csv_name(1), NODE)
    assert one["start"] == iso(0) and one["snapshot_removed"] is True
    # Polled at 10 and 20 (before the deadline), stopped at 30; the next job starts in the same round.
    assert [t for t, what, csv in node.log("backup_job_status") if csv == csv_name(1)] == [10, 20, 30]
    assert node.log("backup_job absent")[0] == (30, "backup_job absent", csv_name(1))
    assert node.starts() == [(0, csv_name(1)), (30, csv_name(2))]
    assert entries[1]["state"] == "succeeded"
    assert node.snapshots == {} and node.tasks == {}


def test_a_job_still_running_at_its_deadline_is_left_running_with_on_timeout_leave():
    node = FakeNode({1: 100, 2: 5})
    entries, dummy, dummy2 = node.run([item(1), item(2)], concurrency=1, timeout=25, on_timeout="leave")
    one = entries[0]
    assert one["state"] == "running"
    assert one["message"] == ("%s on %s is still running after the timeout; it was left running as %s. Wait for it "
                              "with wsfc.csv.backup_job state=finished, or stop it with state=absent" % (
                                  csv_name(1), NODE, TASK_PATH + job_name(RUN, 0)))
    # Its task and the snapshot it reads stay; the queue goes on without it.
    assert list(node.tasks) == [job_name(RUN, 0)] and list(node.snapshots) == [csv_name(1)]
    assert [c for c in node.calls if c[2] == csv_name(1) and "absent" in c[1]] == []
    assert node.starts() == [(0, csv_name(1)), (30, csv_name(2))]
    assert entries[1]["state"] == "succeeded"


# ---- a failed job -------------------------------------------------------------------------------------------------
def test_a_job_that_failed_because_its_csv_failed_over_says_where_it_went():
    node = FakeNode({1: 15, 2: 15}, exit_codes={1: 9, 2: 9})
    node.fail_over_on_start[csv_name(1)] = OTHER  # the cluster fails it over once its job runs
    entries, dummy, dummy2 = node.run([item(1), item(2)])
    one, two = entries
    assert one["state"] == "failed" and one["exit_code"] == 9 and one["failover"] == {"from": NODE, "to": OTHER}
    assert one["message"] == ("%s on %s: the cluster failed it over from %s to %s during its backup, which broke the "
                              "read of its snapshot (backup job exit code 9)" % (csv_name(1), NODE, NODE, OTHER))
    assert "failover" not in two
    assert two["message"] == "%s on %s: backup job %s ended failed (exit code 9); see log_tail" % (
        csv_name(2), NODE, TASK_PATH + job_name(RUN, 1))
    assert two["log_tail"][-1].strip().startswith("Ended :")
    assert [c[2] for c in node.log("csv_owner_get")] == [csv_name(1), csv_name(2)]
    assert node.snapshots == {} and node.tasks == {}


# ---- interruption ---------------------------------------------------------------------------------------------------
def test_an_interrupted_queue_stops_and_cleans_up_what_runs_and_reports_the_rest_not_started():
    node = FakeNode({1: 5, 2: 100, 3: 100, 4: 100})
    node.clock.interrupt_at_sleep = 2  # Ctrl-C while waiting for the second round of polls
    steps = node.steps(concurrency=2)
    scheduler = node.queue(steps)
    with pytest.raises(KeyboardInterrupt):
        scheduler.run([item(n) for n in range(1, 5)])
    one, two, three, four = [job.entry for job in scheduler.jobs]
    assert one["state"] == "succeeded"
    for entry in (two, three):
        assert entry["state"] == "cancelled" and entry["snapshot_removed"] is True
        assert entry["message"] == "%s on %s: the queue stopped before the job ended; it was stopped" % (
            entry["csv"], NODE)
    assert four["state"] == "skipped" and four["job_id"] is None
    assert four["message"] == "%s on %s: not started, the queue stopped first" % (csv_name(4), NODE)
    assert node.starts() == [(0, csv_name(1)), (0, csv_name(2)), (10, csv_name(3))]
    assert node.snapshots == {} and node.tasks == {}


def test_an_error_in_the_middle_of_a_round_of_polls_still_cleans_up_every_job_once():
    node = FakeNode({1: 5, 2: 100, 3: 100})
    steps = node.steps(concurrency=3)
    scheduler = node.queue(steps)
    original = node.operation

    def failing(name, args):
        if name == "backup_job_status" and node._csv_of_job(args["name"]) == csv_name(2):
            raise RuntimeError("a bug")
        return original(name, args)

    node.operation = failing
    with pytest.raises(RuntimeError):
        scheduler.run([item(n) for n in range(1, 4)])
    assert [job.entry["state"] for job in scheduler.jobs] == ["succeeded", "cancelled", "cancelled"]
    assert sorted(c[2] for c in node.log("backup_job absent")) == [csv_name(1), csv_name(2), csv_name(3)]
    assert node.snapshots == {} and node.tasks == {}


# ---- state=absent and check mode ------------------------------------------------------------------------------------
def test_clear_removes_the_job_and_the_snapshots_a_killed_run_left():
    node = FakeNode({1: 100, 2: 100})
    steps = node.steps()
    assert steps.start(item(1)).running
    entry, problems = steps.clear(item(1))
    assert entry == {"csv": csv_name(1), "job_id": TASK_PATH + job_name(RUN, 0), "job_removed": True,
                     "snapshots_removed": [_snapshot_id(csv_name(1))]}
    assert problems == [] and node.snapshots == {} and node.tasks == {}
    entry, problems = steps.clear(item(2))
    assert entry["job_removed"] is False and entry["snapshots_removed"] == [] and problems == []


def test_plan_says_what_the_snapshot_would_give_and_changes_nothing():
    node = FakeNode({1: 100})
    entry = node.steps().plan(item(1, read="smb"))
    assert entry["state"] == "skipped" and entry["read"] == "local" and entry["provider_type"] == "system"
    assert entry["message"] == "would back up %s on %s with copy" % (csv_name(1), NODE)
    assert node.calls == [(0, "csv_snapshot present", csv_name(1))] and node.snapshots == {}


# ---- the scheduler alone --------------------------------------------------------------------------------------------
class _Job:
    def __init__(self, name, rounds):
        self.entry = {"csv": name, "state": "running" if rounds else "failed"}
        self.rounds = rounds

    @property
    def running(self):
        return self.entry["state"] == "running"


def test_the_scheduler_keeps_concurrency_jobs_running_and_skips_jobs_that_did_not_start():
    log, rounds = [], {"a": 2, "b": 0, "c": 1, "d": 1, "e": 3}

    def start(name):
        log.append("start " + name)
        return _Job(name, rounds[name])

    def poll(job):
        job.rounds -= 1
        if not job.rounds:
            job.entry["state"] = "succeeded"
            log.append("end " + job.entry["csv"])
        return job.running

    scheduler = QueueScheduler(2, 5, start=start, poll=poll, stop=None, not_started=None,
                               sleep=lambda s: log.append("sleep"))
    entries = scheduler.run(list("abcde"))
    assert [e["csv"] for e in entries] == list("abcde")
    assert [e["state"] for e in entries] == ["succeeded", "failed", "succeeded", "succeeded", "succeeded"]
    assert log == ["start a", "start b", "start c", "sleep", "end c", "start d", "sleep", "end a", "end d",
                   "start e", "sleep", "sleep", "sleep", "end e"]


def test_once_halted_nothing_more_starts_and_what_runs_is_polled_to_its_end():
    log, lost = [], []

    def start(name):
        log.append("start " + name)
        return _Job(name, 2)

    def poll(job):
        lost.append(job.entry["csv"])  # the first poll finds the lock lost
        job.rounds -= 1
        if not job.rounds:
            job.entry["state"] = "succeeded"
            log.append("end " + job.entry["csv"])
        return job.running

    def not_started(name):
        job = _Job(name, 0)
        job.entry["state"] = "skipped"
        return job

    scheduler = QueueScheduler(1, 5, start=start, poll=poll, stop=None, not_started=not_started,
                               sleep=lambda s: log.append("sleep"), halted=lambda: bool(lost))
    entries = scheduler.run(list("abc"))
    assert [e["state"] for e in entries] == ["succeeded", "skipped", "skipped"]
    assert log == ["start a", "sleep", "sleep", "end a"]


# ---- tasks that vanish --------------------------------------------------------------------------------------------
def test_a_job_whose_task_vanished_is_failed_naming_node_and_csv_and_the_next_one_starts():
    node = FakeNode({1: 100, 2: 5})
    answer = node.operation

    def removed_by_someone_else(name, args):
        if name == "backup_job_status" and node.clock.now >= 10:
            node.tasks.pop(args["name"], None)
        return answer(name, args)

    node.operation = removed_by_someone_else
    entries, dummy, dummy2 = node.run([item(1), item(2)], concurrency=1)
    one = entries[0]
    assert one["state"] == "failed" and one["snapshot_removed"] is True
    assert "vanished" in one["message"] and NODE in one["message"] and csv_name(1) in one["message"]
    assert node.starts()[0] == (0, csv_name(1)) and len(node.starts()) == 2


# ---- the CSV balancer moved a CSV after the plan's move ---------------------------------------------------------
def test_a_csv_the_balancer_moved_away_is_moved_back_before_its_snapshot_and_read_locally():
    node = FakeNode({1: 15, 2: 15})
    node.owners[csv_name(2)] = OTHER
    entries, dummy, dummy2 = node.run([item(1), item(2)], concurrency=2)
    two = entries[1]
    assert two["state"] == "succeeded" and two["read"] == "local"
    assert two["rebalanced"] == {"from": NODE, "to": OTHER, "moved_back": True}
    assert any("moved it to %s" % OTHER in w and "moved back before its backup started" in w for w in two["warnings"])
    # the move back comes before the one snapshot of the CSV, and no snapshot of it existed while it moved
    kinds = [what for t, what, csv in node.calls if csv == csv_name(2) and what != "sleep"]
    assert kinds[:3] == ["csv_snapshot present", "csv_owner present", "csv_snapshot present"]
    assert node.owners == {} and node.snapshots == {} and node.tasks == {}
    assert [a.get("coordinator") for a in node.snapshot_args if a.get("state", "present") == "present"] == [NODE] * 3


def test_a_csv_that_cannot_be_moved_back_is_read_where_it_is():
    node = FakeNode({1: 15})
    node.owners[csv_name(1)] = OTHER
    node.module_faults[("csv_owner", csv_name(1))] = [{"failed": True, "msg": "Cannot move Cluster Disk 1 yet"}]
    entries, dummy, dummy2 = node.run([item(1)], concurrency=1)
    one = entries[0]
    assert one["state"] == "succeeded"
    assert one["rebalanced"] == {"from": NODE, "to": OTHER, "moved_back": False}
    assert any("could not be moved back" in w and "Cannot move Cluster Disk 1 yet" in w for w in one["warnings"])
    created = [a for a in node.snapshot_args if a.get("state", "present") == "present"]
    assert [a.get("coordinator") for a in created] == [NODE, None]


def test_a_csv_moved_between_its_snapshot_and_its_job_loses_its_snapshot_before_it_is_moved_back():
    node = FakeNode({1: 15})
    node.module_faults[("backup_job", csv_name(1))] = [
        {"failed": True, "node": NODE, "coordinator_now": OTHER, "msg": "Cluster Disk 1 is coordinated by BR-NODE1"}]
    entries, dummy, dummy2 = node.run([item(1)], concurrency=1)
    one = entries[0]
    assert one["state"] == "succeeded" and one["rebalanced"]["moved_back"] is True
    kinds = [what for t, what, csv in node.calls if csv == csv_name(1)]
    assert kinds[:5] == ["csv_snapshot present", "backup_job started", "csv_snapshot absent", "csv_owner present",
                         "csv_snapshot present"]


def test_keep_coordinators_false_and_smb_reads_take_the_snapshot_wherever_the_csv_is():
    node = FakeNode({1: 15, 2: 15})
    node.run([item(1), item(2, read="smb", source=OTHER)], concurrency=2, keep_coordinators=False)
    node2 = FakeNode({2: 15})
    node2.run([item(2, read="smb", source=OTHER)], concurrency=1)
    for fake in (node, node2):
        assert [a.get("coordinator") for a in fake.snapshot_args if a.get("state", "present") == "present"] == \
            [None] * len([a for a in fake.snapshot_args if a.get("state", "present") == "present"])
