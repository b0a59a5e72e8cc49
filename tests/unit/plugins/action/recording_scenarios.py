# -*- coding: utf-8 -*-
"""What ``record_answers.py`` runs against the lab, per action, in order (each action gets a fresh lab).

A scenario is one task (action, host, args, check mode) run after its setup steps (faults injected with
``python -m wsfc_lab fault``, other tasks whose answers are not kept). ``expect`` says what the scenario is
meant to show (result keys and the operations run, ``!`` marking a dropped connection); the recorder refuses to
write answers that do not show it, so a re-recording never silently changes what a test is built on.

A scenario with ``operations`` runs those operations through the runner, on one connection, instead of a task:
the answer to a change whose state changed between the action's read and its change (another admin, another
run) cannot be produced by one task, so the test composes it from two recorded answers, each real; and what a
connection does after a dropped command when nothing resets it is recorded the same way. ``reset_after_drop``
resets the connection after a dropped command (what an action that reads again after a dropped change must do),
so the answers are those the node gives once the connection is recovered.

The cluster is ``answers/topology.yml``. Its lab time runs 60 times faster than real time, so a backup job of
30 GB at 8 Gb/s takes half a second.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from ansible_collections.wsfc.csv.plugins.filter.backup_plan import backup_plan
from ansible_collections.wsfc.csv.plugins.plugin_utils import diskshadow, runner
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import copy_target, job_name, snapshot_tag

from .action_harness import ActionHarness

OWNER = "awx@ctl01 pid 4242"  # a fixed lock owner, so the answers do not name the recording machine
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
# Fixed holder nonces, so the answers are the same at every recording.
NONCE1, NONCE2, NONCE3, NONCE4, NONCE5 = ("%x" % n * 32 for n in range(1, 6))
TARGET = "\\\\backup01\\csv"


# ---- setup steps ------------------------------------------------------------------------------------------

@dataclass
class Fault:
    """Inject a lab fault (lab/README.md lists the kinds and keys)."""

    kind: str
    keys: dict

    def __call__(self, lab):
        lab.fault(self.kind, **self.keys)

    def describe(self):
        return "fault %s %s" % (self.kind, " ".join("%s=%s" % kv for kv in sorted(self.keys.items())))


def fault(kind, **keys):
    return Fault(kind, keys)


@dataclass
class Drop:
    """The lab's ``winrm_drop`` on ``node``'s ``nth`` next WinRM command (1: the task's first operation)."""

    node: str
    nth: int = 1

    def __call__(self, lab):
        lab.fault("winrm_drop", node=self.node, after_ops=lab.commands() + self.nth - 1)

    def describe(self):
        return "fault winrm_drop node=%s on the task's WinRM command number %d" % (self.node, self.nth)


@dataclass
class Task:
    """Run another task first, without keeping its answers (it must succeed)."""

    action: str
    args: dict
    host: str = "NODE1"

    def __call__(self, lab):
        harness = ActionHarness(connection=lab.connection(self.host, fresh=True), host=self.host)
        result = harness.run(self.action, self.args)
        if result.get("failed") or result.get("unreachable"):
            raise SystemExit("setup task %s failed: %s" % (self.describe(), result.get("msg")))

    def describe(self):
        return "task %s on %s %s" % (self.action, self.host, json.dumps(self.args, sort_keys=True))


@dataclass
class Operation:
    """Run one operation directly (what another tool would do on the node), without keeping its answer."""

    operation: str
    args: dict
    host: str = "NODE1"

    def __call__(self, lab):
        runner.run_operation(lab.connection(self.host, fresh=True), self.operation, self.args, read_only=False,
                             host=self.host)

    def describe(self):
        return "operation %s on %s %s" % (self.operation, self.host, json.dumps(self.args, sort_keys=True))


@dataclass
class Wait:
    """Let lab time pass (a lock must age past stale_after)."""

    seconds: float

    def __call__(self, lab):
        time.sleep(self.seconds)

    def describe(self):
        return "wait %s s (%s s of lab time)" % (self.seconds, self.seconds * 60)


@dataclass
class KilledQueue:
    """What a backup_queue killed in the middle of a run leaves on ``host``: for each CSV (its index in the run is
    its position) the snapshot tagged for the run and the backup job started from it, as the queue's steps make
    them (queue/steps.py); nothing is cleaned up."""

    run_id: str
    csvs: list
    host: str = "NODE1"

    def __call__(self, lab):
        for index, csv in enumerate(self.csvs):
            snapshot = self._task(lab, "csv_snapshot", {"name": csv, "tag": snapshot_tag(self.run_id)})["snapshot"]
            self._task(lab, "backup_job", {
                "name": job_name(self.run_id, index), "csv": csv, "method": "copy", "state": "started",
                "snapshot_path": snapshot["exposed_path"].rstrip("\\") + "\\",
                "target": copy_target(TARGET, self.run_id, {"csv": csv})})

    def _task(self, lab, action, args):
        harness = ActionHarness(connection=lab.connection(self.host, fresh=True), host=self.host)
        result = harness.run(action, args)
        if result.get("failed") or result.get("unreachable"):
            raise SystemExit("setup %s: %s failed: %s" % (self.describe(), action, result.get("msg")))
        return result

    def describe(self):
        return "a backup_queue of run %s on %s killed after it snapshotted and started the job of %s" % (
            self.run_id, self.host, ", ".join(self.csvs))


# ---- scenarios --------------------------------------------------------------------------------------------

@dataclass
class Scenario:  # pylint: disable=too-many-instance-attributes
    """One task run against the lab (or ``operations`` run through the runner), and what it must show."""

    name: str
    what: str
    args: dict = field(default_factory=dict)
    host: str = "NODE1"
    check_mode: bool = False
    setup: list = field(default_factory=list)
    expect: dict = field(default_factory=dict)
    ops: list = None
    operations: list = None
    reset_after_drop: bool = False
    # {operation: how many times it must run}: for a task whose number of status reads depends on timing (a
    # queue polls until its jobs end), the operations that change the node are counted instead of listing all.
    counts: dict = None

    def run(self, lab, action):
        """Run the task (or the operations, each as a change, on one connection); return what it returned."""
        connection = lab.connection(self.host, fresh=True)
        if self.operations is None:
            harness = ActionHarness(connection=connection, host=self.host)
            return harness.run(action, self.args, check_mode=self.check_mode)
        result = {}
        for operation, args in self.operations:
            try:
                result[operation] = runner.run_operation(connection, operation, args, read_only=False, host=self.host)
            except OperationError as exc:
                result.update(failed=True, msg=str(exc))
        return result

    def entry(self, calls):
        """What the answers file keeps of this scenario: what it shows, the task, and every call with its answer."""
        task = {"host": self.host, "args": self.args, "check_mode": self.check_mode,
                "setup": [step.describe() for step in self.setup]}
        if self.operations:
            task["operations"] = [operation for operation, dummy in self.operations]
        if self.reset_after_drop:
            task["reset_after_drop"] = True
        return {"what": self.what, "task": task, "calls": calls}

    def check(self, result, calls):
        """Why the recording does not show what the scenario means, or None."""
        if self.ops is not None:
            ran = [c["operation"] + ("!" if "dropped" in c or "raised" in c else "") for c in calls]
            if ran != self.ops:
                return "operations %s, expected %s" % (ran, self.ops)
        for operation, wanted in (self.counts or {}).items():
            ran = [c["operation"] + ("!" if "dropped" in c or "raised" in c else "") for c in calls]
            if ran.count(operation) != wanted:
                return "%s ran %d time(s), expected %d (operations %s)" % (
                    operation, ran.count(operation), wanted, ran)
        for key, wanted in self.expect.items():
            if result.get(key) != wanted:
                return "%s is %r, expected %r" % (key, result.get(key), wanted)
        return None


class BackupRun(Scenario):
    """A small backup of the lab, run task by task, whose run record is what ``backup_report`` is given.

    The plan is the ``backup_plan`` filter's (strategy consolidate onto NODE1, so one CSV moves there and back);
    each CSV is read from a software snapshot with robocopy (method copy), then the snapshot is deleted. The
    record has the keys the module documents for ``run`` (plugins/modules/backup_report.py), with the nodes' own
    times and byte counts. Only the record is kept (``record``); the node answers of these tasks are in the other
    actions' files.
    """

    record = None

    def run(self, lab, action):
        started = _node_now(lab)
        facts = self._task(lab, "NODE1", "cluster_info", {})
        plan = backup_plan(facts, strategy="consolidate", backup_node="NODE1")
        moves = [self._move(lab, "before", move) for move in plan["moves"]]
        jobs = []
        for node, reads in sorted(plan["nodes"].items()):
            for read in reads:
                jobs.append(self._backup(lab, node, read))
        moves += [self._move(lab, "restore", move) for move in plan["undo"]]
        self.record = {"cluster": facts["cluster"]["name"], "plan": plan, "jobs": jobs, "moves": moves,
                       "warnings": [], "errors": [], "started": started, "finished": _node_now(lab)}
        return {"changed": True}

    def entry(self, calls):
        return {"what": self.what, "record": self.record}

    @staticmethod
    def _task(lab, host, action, args):
        result = ActionHarness(connection=lab.connection(host, fresh=True), host=host).run(action, args)
        if result.get("failed") or result.get("unreachable"):
            raise SystemExit("backup run: %s on %s failed: %s" % (action, host, result.get("msg")))
        return result

    def _move(self, lab, phase, move):
        done = self._task(lab, "NODE1", "csv_owner", {"name": move["csv"], "node": move["to"], "poll_interval": 0.1})
        return {"phase": phase, "csv": move["csv"], "from": done["previous_owner"], "to": done["owner"], "ok": True}

    def _backup(self, lab, node, read):
        snap = self._task(lab, node, "csv_snapshot", {"name": read["csv"], "tag": "report-run"})["snapshot"]
        job = self._task(lab, node, "backup_job", {
            "name": "report-" + read["csv"].replace(" ", "-"), "csv": read["csv"], "method": "copy",
            "snapshot_path": snap["exposed_path"], "target": TARGET + "\\" + read["csv"].replace(" ", ""),
            "poll_interval": 0.2})
        self._task(lab, node, "csv_snapshot", {"name": read["csv"], "tag": "report-run", "state": "absent"})
        self._task(lab, node, "backup_job", {"name": job["name"], "state": "absent"})
        return {"csv": read["csv"], "node": node, "state": job["state"], "read": read["read"],
                "coordinator": read["source"], "provider": snap["provider_name"],
                "provider_type": snap["provider_type"], "consistency": snap["consistency"],
                "snapshot_id": snap["id"], "job_id": job["job_id"],
                "bytes": job["bytes"], "exit_code": job["exit_code"], "start": job["start"], "end": job["end"],
                "message": ""}


def _node_now(lab, host="NODE1"):
    """The cluster's clock (NODE1's UTC time, as backup_lock_get reads it): the lab's time, not the controller's."""
    return runner.run_operation(lab.connection(host, fresh=True), "backup_lock_get", {"path": "", "nonce": ""}, read_only=True,
                                host=host)["now"]


def _other_tool(csv, path):
    """csv_snapshot_create's arguments as another tool would use DiskShadow: its own registry, not wsfc.csv's."""
    name = diskshadow.exposure_name(csv, "other-tool")
    mount = diskshadow.exposure_path(csv, "other-tool")
    return {"csv": csv, "tag": "other-tool", "mount": mount, "script_dir": diskshadow.SCRIPT_DIR,
            "script": diskshadow.script_path(name, "create"), "cleanup_script": diskshadow.script_path(name, "cleanup"),
            "lines": diskshadow.create_lines(path, None, mount), "provider_id": "", "entries": [],
            "registry": "C:\\ProgramData\\othertool-shadows.json"}


def _job(**args):
    base = {"name": "nightly-disk1", "csv": "Cluster Disk 1", "method": "wbadmin", "target": TARGET,
            "poll_interval": 0.2, "timeout": 120}
    base.update(args)
    return base


# NODE1's reads for backup_queue, as a plan lists them: Cluster Disk 1 and 3 are NODE1's (Cluster Disk 3 is in
# redirected access, which a snapshot does not mind), Cluster Disk 2 is NODE2's, so its snapshot surfaces there.
QUEUE_READS = [
    {"csv": "Cluster Disk 1", "path": "C:\\ClusterStorage\\Volume1", "bytes": 30 * 10 ** 9, "read": "local",
     "source": "NODE1", "index": 0},
    {"csv": "Cluster Disk 2", "path": "C:\\ClusterStorage\\Volume2", "bytes": 20 * 10 ** 9, "read": "smb",
     "source": "NODE2", "index": 1},
    {"csv": "Cluster Disk 3", "path": "C:\\ClusterStorage\\Volume3", "bytes": 10 * 10 ** 9, "read": "local",
     "source": "NODE1", "index": 2},
]
# What every state-changing operation of one CSV's backup runs once: snapshot, start, remove the job, delete the
# snapshot (the status reads in between depend on timing, so they are not counted).
ONE_BACKUP = {"csv_snapshot_create": 1, "backup_job_start": 1, "backup_job_stop": 1, "csv_snapshot_remove": 1}


def _queue(run_id, reads=None, **args):
    base = {"reads": QUEUE_READS if reads is None else reads, "run_id": run_id, "method": "copy", "target": TARGET,
            "concurrency": 2, "poll_interval": 0.2}
    base.update(args)
    return base


def _watchdog(nonce, run_id="run-1"):
    """Arm the watchdog of ``run_id`` (which holds the lock at LOCK with ``nonce``): it moved Cluster Disk 2 from NODE2
    to NODE1 and reads Cluster Disk 1 and 2 there."""
    return {"run_id": run_id, "nonce": nonce, "lock_path": LOCK, "after": 300, "interval": 60, "ownership": {
        "cluster": "RECLAB", "owners": {"Cluster Disk 1": "NODE1", "Cluster Disk 2": "NODE2"},
        "moves": [{"csv": "Cluster Disk 2", "from": "NODE2", "to": "NODE1"}], "method": "copy",
        "reads": {"NODE1": [{"csv": "Cluster Disk 1", "index": 0}, {"csv": "Cluster Disk 2", "index": 1}]}}}


SCENARIOS = {
    "backup_queue": [
        Scenario("check_mode", "check mode: three CSVs; each snapshot's read is predicted, nothing is started",
                 args=_queue("q-check"), check_mode=True, ops=["csv_snapshot_get"] * 3, expect={"changed": True}),
        Scenario("run", "three CSVs, two at a time: snapshot, job, status reads, job removed, snapshot deleted",
                 args=_queue("q-run"), counts=dict((op, 3 * n) for op, n in ONE_BACKUP.items()),
                 expect={"changed": True, "counts": {"succeeded": 3}}),
        Scenario("clear_killed", "state=absent after a killed run: the job and snapshot it left of Cluster Disk 1 "
                 "are removed; it had not reached Cluster Disk 2",
                 args=_queue("q-killed", QUEUE_READS[:2], state="absent"),
                 setup=[KilledQueue("q-killed", ["Cluster Disk 1"])],
                 ops=["backup_job_status", "backup_job_stop", "csv_snapshot_get", "csv_snapshot_remove",
                      "backup_job_status", "csv_snapshot_get"], expect={"changed": True}),
        Scenario("clear_again", "state=absent again: nothing of the run is left",
                 args=_queue("q-killed", QUEUE_READS[:2], state="absent"),
                 ops=["backup_job_status", "csv_snapshot_get"] * 2, expect={"changed": False}),
        Scenario("job_fails", "the copy of Cluster Disk 1 exits with 8 (fault backup_fails); its coordinator is "
                 "read, then job and snapshot are removed", args=_queue("q-fail", QUEUE_READS[:1]),
                 setup=[fault("backup_fails", node="NODE1", csv="Cluster Disk 1", exit_code=8)],
                 counts=dict(ONE_BACKUP, csv_owner_get=1), expect={"failed": True, "counts": {"failed": 1}}),
        Scenario("job_fails_tolerated", "the same failure with fail_on_error=false",
                 args=_queue("q-fail2", QUEUE_READS[:1], fail_on_error=False),
                 setup=[fault("backup_fails", node="NODE1", csv="Cluster Disk 1", exit_code=8)],
                 counts=dict(ONE_BACKUP, csv_owner_get=1), expect={"failed": None, "counts": {"failed": 1}}),
        Scenario("snapshot_dropped", "the connection drops while the snapshot is created (it was): csv_snapshot "
                 "runs again, finds it, and the backup goes on", args=_queue("q-drop", QUEUE_READS[:1]),
                 setup=[Drop("NODE1", 2)],
                 counts={"csv_snapshot_create!": 1, "csv_snapshot_create": 0, "csv_snapshot_get": 3,
                         "backup_job_start": 1, "backup_job_stop": 1, "csv_snapshot_remove": 1},
                 expect={"changed": True, "counts": {"succeeded": 1}}),
        Scenario("start_dropped", "the connection drops while the job is started (it was): backup_job runs again, "
                 "finds it, and does not start it twice", args=_queue("q-drop2", QUEUE_READS[:1]),
                 setup=[Drop("NODE1", 4)],
                 counts={"csv_snapshot_create": 1, "backup_job_start!": 1, "backup_job_start": 0,
                         "backup_job_stop": 1, "csv_snapshot_remove": 1},
                 expect={"changed": True, "counts": {"succeeded": 1}}),
    ],
    "backup_report": [
        BackupRun("run", "a consolidate run onto NODE1: Cluster Disk 2 moved there and back, two CSVs copied "
                  "from software snapshots (robocopy), Cluster Disk 3 and 4 skipped by the plan"),
    ],
    "cluster_node": [
        Scenario("check_pause", "check mode: NODE2 is Up and owns VM03; it would be drained and paused",
                 args={"name": "NODE2", "state": "paused"}, check_mode=True, ops=["cluster_node_get"],
                 expect={"changed": True}),
        Scenario("pause_drain", "NODE2 drained (VM03 moves off) and paused; Cluster Disk 2, which it coordinates, "
                 "stays on it", args={"name": "NODE2", "state": "paused"},
                 ops=["cluster_node_get", "cluster_node_suspend"], expect={"changed": True}),
        Scenario("pause_again", "NODE2 is Paused with no role: nothing to do", args={"name": "NODE2", "state": "paused"},
                 ops=["cluster_node_get"], expect={"changed": False}),
        Scenario("resume", "NODE2 resumed with failback Immediate: VM03 comes back",
                 args={"name": "NODE2", "state": "up", "failback": "immediate"},
                 ops=["cluster_node_get", "cluster_node_resume"], expect={"changed": True}),
        Scenario("resume_again", "NODE2 is Up: nothing to do", args={"name": "NODE2", "state": "up"},
                 ops=["cluster_node_get"], expect={"changed": False}),
        Scenario("drain_fails", "a role of NODE1 cannot be moved (fault drain_fails): the drain fails and NODE1 "
                 "stays Up", args={"state": "paused"}, setup=[fault("drain_fails", node="NODE1")],
                 ops=["cluster_node_get", "cluster_node_suspend"], expect={"failed": True}),
    ],
    "cluster_info": [
        Scenario("read", "the cluster as NODE1 sees it: 3 nodes Up, 4 CSVs, one redirected, one Offline",
                 ops=["cluster_info"], expect={"changed": False}),
        Scenario("read_dropped_once", "the connection drops on the first try; the retry is answered",
                 setup=[Drop("NODE1")], ops=["cluster_info!", "cluster_info"], expect={"changed": False}),
        Scenario("node3_down", "NODE3 went down: it is Down, its CSV failed over to another node",
                 setup=[fault("node_down", node="NODE3")], ops=["cluster_info"], expect={"changed": False}),
        Scenario("down_node_unreachable", "cluster_info on NODE3, which is down: every try is refused",
                 host="NODE3", ops=["cluster_info!"] * 4, expect={"unreachable": True}),
    ],
    "csv_owner": [
        Scenario("check_mode_move", "check mode: Cluster Disk 1 would move from NODE1 to NODE2",
                 args={"name": "Cluster Disk 1", "node": "NODE2"}, check_mode=True, ops=["csv_owner_get"],
                 expect={"changed": True}),
        Scenario("move", "Cluster Disk 1 moves from NODE1 to NODE2 and is Online there",
                 args={"name": "Cluster Disk 1", "node": "NODE2", "poll_interval": 0.1},
                 ops=["csv_owner_get", "csv_owner_move", "csv_owner_get"], expect={"changed": True, "owner": "NODE2"}),
        Scenario("already_there", "Cluster Disk 1 is already on NODE2",
                 args={"name": "Cluster Disk 1", "node": "NODE2"},
                 ops=["csv_owner_get"], expect={"changed": False}),
        Scenario("move_fails", "the move is refused by the cluster (fault move_fails); the CSV stays on NODE2",
                 args={"name": "Cluster Disk 1", "node": "NODE1"}, setup=[fault("move_fails", csv="Cluster Disk 1")],
                 ops=["csv_owner_get", "csv_owner_move", "csv_owner_get"], expect={"failed": True}),
        Scenario("move_dropped_after_done", "the connection drops during the move, which the node finished; the "
                 "connection is reset before the next read", args={"name": "Cluster Disk 1", "node": "NODE1",
                                                                   "poll_interval": 0.1},
                 setup=[Drop("NODE1", 2)], reset_after_drop=True,
                 ops=["csv_owner_get", "csv_owner_move!", "csv_owner_get", "csv_owner_get"],
                 expect={"changed": True, "owner": "NODE1"}),
        Scenario("stale_after_drop", "operations alone: a move whose answer is dropped, then a read on the same "
                 "connection, not reset: the winrm plugin fails it (HTTP 400) before it reaches the node",
                 setup=[Drop("NODE1")], operations=[
                     ("csv_owner_move", {"name": "Cluster Disk 2", "node": "NODE1", "wait": 300}),
                     ("csv_owner_get", {"name": "Cluster Disk 2", "path": ""})],
                 ops=["csv_owner_move!", "csv_owner_get!"]),
        Scenario("redirected", "Cluster Disk 3 is in redirected access (UserRequest): the move is refused",
                 args={"name": "Cluster Disk 3", "node": "NODE2"}, ops=["csv_owner_get"], expect={"failed": True}),
        Scenario("offline", "Cluster Disk 4 is Offline: the move is refused",
                 args={"name": "Cluster Disk 4", "node": "NODE1"}, ops=["csv_owner_get"], expect={"failed": True}),
        Scenario("unknown_csv", "there is no CSV named Cluster Disk 9",
                 args={"name": "Cluster Disk 9", "node": "NODE2"}, ops=["csv_owner_get"], expect={"failed": True}),
        Scenario("target_paused", "NODE3 is Paused: a move to it is refused",
                 args={"name": "Cluster Disk 2", "node": "NODE3"}, setup=[fault("node_pause", node="NODE3")],
                 ops=["csv_owner_get"], expect={"failed": True}),
    ],
    "csv_snapshot": [
        Scenario("check_mode_create", "check mode: a software snapshot of Cluster Disk 1 would be taken on NODE1",
                 args={"name": "Cluster Disk 1"}, check_mode=True, ops=["csv_snapshot_get"], expect={"changed": True}),
        Scenario("create", "a software snapshot of Cluster Disk 1, surfaced on its coordinator NODE1",
                 args={"name": "Cluster Disk 1"}, ops=["csv_snapshot_get", "csv_snapshot_registry", "csv_snapshot_create"],
                 expect={"changed": True}),
        Scenario("already_there", "the tagged snapshot of Cluster Disk 1 exists", args={"name": "Cluster Disk 1"},
                 ops=["csv_snapshot_get"], expect={"changed": False}),
        Scenario("create_remote", "a snapshot of Cluster Disk 2, surfaced on its coordinator NODE2 (SMB reads)",
                 args={"name": "Cluster Disk 2", "tag": "run-7"}, ops=["csv_snapshot_get", "csv_snapshot_create"],
                 expect={"changed": True}),
        Scenario("create_fails", "VSS returns 6 (diff area full, fault snapshot_fails) for Cluster Disk 3",
                 args={"name": "Cluster Disk 3"},
                 setup=[fault("snapshot_fails", node="NODE1", reason="diff_area_full")],
                 ops=["csv_snapshot_get", "csv_snapshot_create"], expect={"failed": True}),
        Scenario("offline", "Cluster Disk 4 is Offline: nothing is created", args={"name": "Cluster Disk 4"},
                 ops=["csv_snapshot_get"], expect={"failed": True}),
        Scenario("no_hardware_provider", "provider=hardware but only the system provider is registered",
                 args={"name": "Cluster Disk 3", "provider": "hardware"}, ops=["csv_snapshot_get"],
                 expect={"failed": True}),
        Scenario("create_busy", "another product holds NODE1's VSS creation slot for 60 s of lab time (fault "
                 "vss_busy): the first creation finds it busy, the one after the wait succeeds",
                 args={"name": "Cluster Disk 3", "tag": "busy"}, setup=[fault("vss_busy", node="NODE1", for_s=60)],
                 ops=["csv_snapshot_get", "csv_snapshot_create", "csv_snapshot_create"], expect={"changed": True}),
        Scenario("create_busy_gives_up", "the slot is held for an hour of lab time and busy_timeout=0: one try, "
                 "then the task fails naming the node and the reason",
                 args={"name": "Cluster Disk 1", "tag": "busy2", "busy_timeout": 0},
                 setup=[fault("vss_busy", node="NODE1", for_s=3600)],
                 ops=["csv_snapshot_get", "csv_snapshot_create"], expect={"failed": True}),
        Scenario("create_dropped", "the connection drops during the create (the node took the snapshot)",
                 args={"name": "Cluster Disk 3", "tag": "dropped"}, setup=[Drop("NODE1", 2)],
                 ops=["csv_snapshot_get", "csv_snapshot_create!"], expect={"unreachable": True}),
        Scenario("remove_fails", "deleting the snapshot of Cluster Disk 2 fails (fault snapshot_delete_fails)",
                 args={"name": "Cluster Disk 2", "state": "absent", "tag": "run-7"},
                 setup=[fault("snapshot_delete_fails", node="NODE1")], ops=["csv_snapshot_get", "csv_snapshot_remove"],
                 expect={"failed": True}),
        Scenario("check_mode_remove", "check mode: the snapshot of Cluster Disk 1 would be deleted",
                 args={"name": "Cluster Disk 1", "state": "absent"}, check_mode=True, ops=["csv_snapshot_get"],
                 expect={"changed": True}),
        Scenario("remove", "the snapshot of Cluster Disk 1 is deleted and dropped from the registry",
                 args={"name": "Cluster Disk 1", "state": "absent"}, ops=["csv_snapshot_get", "csv_snapshot_remove"],
                 expect={"changed": True}),
        Scenario("remove_nothing", "no snapshot of Cluster Disk 1 is left", args={"name": "Cluster Disk 1",
                                                                                  "state": "absent"},
                 ops=["csv_snapshot_get"], expect={"changed": False}),
    ],
    "csv_snapshot_info": [
        Scenario("empty", "no shadow copy on NODE1 yet", ops=["csv_snapshot_get"], expect={"changed": False}),
        Scenario("listed", "two snapshots wsfc.csv took (Cluster Disk 1 local, Cluster Disk 2 on NODE2)",
                 setup=[Task("csv_snapshot", {"name": "Cluster Disk 1"}),
                        Task("csv_snapshot", {"name": "Cluster Disk 2", "tag": "run-7"})],
                 ops=["csv_snapshot_get"], expect={"changed": False}),
        Scenario("read_dropped_once", "the connection drops on the first try; the retry is answered",
                 setup=[Drop("NODE1")], ops=["csv_snapshot_get!", "csv_snapshot_get"], expect={"changed": False}),
        Scenario("foreign_and_vanished", "a shadow copy of Cluster Disk 3 another tool took (not in wsfc.csv's "
                 "registry), and NODE2 went down, losing the snapshot of Cluster Disk 2 surfaced there",
                 setup=[Operation("csv_snapshot_create", _other_tool("Cluster Disk 3", "C:\\ClusterStorage\\Volume3")),
                        fault("node_down", node="NODE2")],
                 ops=["csv_snapshot_get"], expect={"changed": False}),
    ],
    "backup_lock": [
        Scenario("check_mode_take", "check mode: the lock is free", args={"run_id": "run-1", "owner": OWNER,
                                                                          "nonce": NONCE1},
                 check_mode=True, ops=["backup_lock_get"], expect={"changed": True}),
        Scenario("take", "run-1 takes the lock on Cluster Disk 1's volume (and records the location)",
                 args={"run_id": "run-1", "owner": OWNER, "nonce": NONCE1},
                 ops=["backup_lock_acquire"], expect={"changed": True}),
        Scenario("take_again", "run-1 asks again: it already holds the lock, and its heartbeat is refreshed",
                 args={"run_id": "run-1", "owner": OWNER, "nonce": NONCE1},
                 ops=["backup_lock_acquire", "backup_lock_heartbeat"], expect={"changed": False}),
        Scenario("reused_run_id", "another run with the same run id run-1 (another nonce) is refused",
                 args={"run_id": "run-1", "owner": OWNER, "nonce": NONCE2},
                 ops=["backup_lock_acquire"], expect={"failed": True}),
        Scenario("held_by_other_run", "run-2 asks while run-1 holds the lock", args={"run_id": "run-2",
                                                                                     "owner": OWNER, "nonce": NONCE2},
                 ops=["backup_lock_acquire"], expect={"failed": True}),
        Scenario("check_mode_held", "check mode: run-2 would be refused", args={"run_id": "run-2", "owner": OWNER,
                                                                                "nonce": NONCE2},
                 check_mode=True, ops=["backup_lock_get"], expect={"failed": True}),
        Scenario("release_refused", "run-2 may not release run-1's lock", args={"run_id": "run-2", "state": "absent",
                                                                                "nonce": NONCE2},
                 ops=["backup_lock_release"], expect={"failed": True}),
        Scenario("check_mode_release", "check mode: run-1 would release its lock",
                 args={"run_id": "run-1", "state": "absent", "nonce": NONCE1}, check_mode=True,
                 ops=["backup_lock_get"], expect={"changed": True}),
        Scenario("release", "run-1 releases its lock", args={"run_id": "run-1", "state": "absent", "nonce": NONCE1},
                 ops=["backup_lock_release"], expect={"changed": True}),
        Scenario("release_absent", "the lock is gone already", args={"run_id": "run-1", "state": "absent",
                                                                     "nonce": NONCE1},
                 ops=["backup_lock_release"], expect={"changed": False}),
        Scenario("break_stale", "run-4 breaks run-3's lock, without a heartbeat for longer than stale_after=1 s",
                 args={"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True, "nonce": NONCE4},
                 setup=[Task("backup_lock", {"run_id": "run-3", "owner": "ops@ctl02 pid 77", "nonce": NONCE3}),
                        Wait(0.2)],
                 ops=["backup_lock_acquire", "backup_lock_break"], expect={"changed": True}),
        Scenario("take_dropped", "the connection drops while run-5 takes a lock on another path (it was taken): the "
                 "lock is read again, it holds run-5's nonce, the run carries on",
                 args={"run_id": "run-5", "owner": OWNER, "path": "C:\\ClusterStorage\\Volume2\\.wsfc.csv\\b.lock",
                       "nonce": NONCE5},
                 setup=[Drop("NODE1")], ops=["backup_lock_acquire!", "backup_lock_get"], expect={"changed": True}),
    ],
    "backup_watchdog": [
        Scenario("check_mode_arm", "check mode: run-1 holds the lock and would arm its watchdog",
                 args=_watchdog(NONCE1), check_mode=True,
                 setup=[Task("backup_lock", {"run_id": "run-1", "owner": OWNER, "nonce": NONCE1})],
                 ops=["backup_watchdog_get"], expect={"changed": True}),
        Scenario("arm", "run-1 arms its watchdog: the record, the script and the clustered task",
                 args=_watchdog(NONCE1), ops=["backup_watchdog_set"], expect={"changed": True}),
        Scenario("arm_again", "the same record again: nothing changes", args=_watchdog(NONCE1),
                 ops=["backup_watchdog_set"], expect={"changed": False}),
        Scenario("check_mode_armed", "check mode: armed already", args=_watchdog(NONCE1), check_mode=True,
                 ops=["backup_watchdog_get"], expect={"changed": False}),
        Scenario("query_active", "the record of the run that holds the lock", args={"state": "query"},
                 ops=["backup_watchdog_get"], expect={"changed": False}),
        Scenario("arm_lost", "run-2 does not hold the lock: its watchdog is not armed", args=_watchdog(NONCE2, "run-2"),
                 ops=["backup_watchdog_set"], expect={"failed": True}),
        Scenario("expire", "run-1 hands over to its watchdog (its heartbeat is marked expired)",
                 args={"state": "expired", "nonce": NONCE1, "lock_path": LOCK},
                 ops=["backup_watchdog_expire"], expect={"changed": True}),
        Scenario("query_undone", "two seconds of wall time (two watchdog runs) later, the watchdog has undone run-1",
                 args={"state": "query", "nonce": NONCE1}, setup=[Wait(3)],
                 ops=["backup_watchdog_get"], expect={"changed": False, "undone": True}),
        Scenario("disarm_after_undo", "disarming after the watchdog acted: nothing is left to remove, the record stays",
                 args={"state": "absent", "nonce": NONCE1, "lock_path": LOCK},
                 ops=["backup_watchdog_clear"], expect={"changed": False, "undone": True}),
        Scenario("disarm", "run-3 takes the lock, arms its watchdog, and disarms it at its end",
                 args={"state": "absent", "nonce": NONCE3, "lock_path": LOCK},
                 setup=[Task("backup_lock", {"run_id": "run-3", "owner": OWNER, "nonce": NONCE3}),
                        Task("backup_watchdog", _watchdog(NONCE3, "run-3"))],
                 ops=["backup_watchdog_clear"], expect={"changed": True}),
        Scenario("disarm_again", "disarmed already", args={"state": "absent", "nonce": NONCE3, "lock_path": LOCK},
                 ops=["backup_watchdog_clear"], expect={"changed": False}),
        Scenario("ended", "run-4 released its lock but did not disarm its watchdog: two seconds later the watchdog "
                 "found the lock gone, undid nothing and removed itself",
                 args={"state": "query", "nonce": NONCE4},
                 setup=[Task("backup_lock", {"run_id": "run-3", "state": "absent", "nonce": NONCE3}),
                        Task("backup_lock", {"run_id": "run-4", "owner": OWNER, "nonce": NONCE4}),
                        Task("backup_watchdog", _watchdog(NONCE4, "run-4")),
                        Task("backup_lock", {"run_id": "run-4", "state": "absent", "nonce": NONCE4}), Wait(3)],
                 ops=["backup_watchdog_get"], expect={"changed": False}),
    ],
    "backup_job": [
        Scenario("check_mode_start", "check mode: the job does not exist, it would be started",
                 args=_job(), check_mode=True, ops=["backup_job_status"], expect={"changed": True}),
        Scenario("run_to_success", "the wbadmin job runs about half a second and succeeds",
                 args=_job(), expect={"changed": True, "state": "succeeded"}),
        Scenario("finished_already", "the job has succeeded before", args=_job(), ops=["backup_job_status"],
                 expect={"changed": False, "state": "succeeded"}),
        Scenario("remove", "the finished job's task and log are removed", args=_job(state="absent"),
                 ops=["backup_job_status", "backup_job_stop"], expect={"changed": True}),
        Scenario("removed_already", "neither task nor log exists", args=_job(state="absent"),
                 ops=["backup_job_status"], expect={"changed": False}),
        Scenario("run_fails", "the tool exits with 8 (fault backup_fails)", args=_job(name="nightly-fail"),
                 setup=[fault("backup_fails", node="NODE1", exit_code=8)], expect={"failed": True, "state": "failed"}),
        Scenario("start_only", "state=started: the job is started and left running",
                 args=_job(name="nightly-started", state="started"), ops=["backup_job_status", "backup_job_start"],
                 expect={"changed": True}),
        Scenario("unknown_csv", "there is no CSV named Cluster Disk 9",
                 args=_job(name="nightly-x", csv="Cluster Disk 9"),
                 ops=["backup_job_status"], expect={"failed": True}),
        Scenario("start_dropped", "the connection drops while the job is registered and started",
                 args=_job(name="nightly-dropped", state="started"), setup=[Drop("NODE1", 2)],
                 ops=["backup_job_status", "backup_job_start!"], expect={"unreachable": True}),
    ],
    "network_info": [
        Scenario("node1", "NODE1: management NIC, a 10 GbE team, an RDMA-capable 25 GbE NIC with RDMA off",
                 ops=["network_info"], expect={"changed": False}),
        Scenario("node2", "NODE2: the management address is on its team; SMB Multichannel is off", host="NODE2",
                 ops=["network_info"], expect={"changed": False}),
        Scenario("read_dropped_once", "the connection drops on the first try; the retry is answered",
                 setup=[Drop("NODE1")], ops=["network_info!", "network_info"], expect={"changed": False}),
    ],
    "nic_team": [
        Scenario("check_mode_create", "check mode: TEAM2 of SLOT2-1 and SLOT2-2 would be created on NODE1",
                 args={"name": "TEAM2", "members": ["SLOT2-1", "SLOT2-2"]}, check_mode=True, ops=["network_info"],
                 expect={"changed": True}),
        Scenario("create", "TEAM2 is created on NODE1 (not the management NIC)",
                 args={"name": "TEAM2", "members": ["SLOT2-1", "SLOT2-2"]}, ops=["network_info", "nic_team_set"],
                 expect={"changed": True}),
        Scenario("already_as_asked", "TEAM2 already has these members and settings",
                 args={"name": "TEAM2", "members": ["SLOT2-2", "SLOT2-1"]}, ops=["network_info"],
                 expect={"changed": False}),
        Scenario("management_refused", "NODE2: TEAM1 carries the connection, so changing it is refused",
                 host="NODE2", args={"name": "TEAM1", "members": ["SLOT1-1"]}, ops=["network_info"],
                 expect={"failed": True}),
        Scenario("member_of_other_team", "SLOT1-1 is in TEAM1: a new team with it is refused",
                 args={"name": "TEAM3", "members": ["SLOT1-1"]}, ops=["network_info"], expect={"failed": True}),
        Scenario("remove", "TEAM2 is removed", args={"name": "TEAM2", "state": "absent"},
                 ops=["network_info", "nic_team_set"], expect={"changed": True}),
        Scenario("set_refused_member_taken", "nic_team_set alone: creating TEAM2 fails because SLOT2-1 joined TEAM4 "
                 "after the read (another admin); the node undoes nothing because nothing was done",
                 setup=[Task("nic_team", {"name": "TEAM4", "members": ["SLOT2-1"]})],
                 operations=[("nic_team_set", {"name": "TEAM2", "steps": [{
                     "action": "create", "members": ["SLOT2-1", "SLOT2-2"], "teaming_mode": "SwitchIndependent",
                     "load_balancing_algorithm": "Dynamic"}]})],
                 ops=["nic_team_set"], expect={"failed": True}),
        Scenario("create_dropped", "the connection drops while TEAM5 is created (the node created it)",
                 args={"name": "TEAM5", "members": ["SLOT2-2"]}, setup=[Drop("NODE1", 2)],
                 ops=["network_info", "nic_team_set!"]),
    ],
    "smb_multichannel": [
        Scenario("check_mode_enable", "check mode on NODE2, where SMB Multichannel is off on both sides",
                 host="NODE2", args={"client": True, "server": True}, check_mode=True, ops=["smb_multichannel"],
                 expect={"changed": True}),
        Scenario("enable", "SMB Multichannel is enabled on NODE2's client and server", host="NODE2",
                 args={"client": True, "server": True}, ops=["smb_multichannel"], expect={"changed": True}),
        Scenario("already_enabled", "it is already on", host="NODE2", args={"client": True, "server": True},
                 ops=["smb_multichannel"], expect={"changed": False}),
        Scenario("disable_dropped", "the connection drops while the server side is disabled (it was)",
                 host="NODE2", args={"server": False}, setup=[Drop("NODE2")], ops=["smb_multichannel!"],
                 expect={"unreachable": True}),
        Scenario("check_mode_dropped_once", "check mode only reads: the dropped first try is retried", host="NODE2",
                 args={"server": True}, check_mode=True, setup=[Drop("NODE2")],
                 ops=["smb_multichannel!", "smb_multichannel"], expect={"changed": True}),
    ],
}
