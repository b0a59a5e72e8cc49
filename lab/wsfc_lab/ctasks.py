"""Clustered scheduled tasks (Register-ClusteredScheduledTask): stored once for the cluster, fired in modelled time.

What Microsoft documents (the ScheduledTasks module pages,
https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/register-clusteredscheduledtask?view=windowsserver2022-ps
and its Get-/Unregister- pages):

- "The new task runs scheduled actions as defined by task triggers. As specified in the TaskType parameter, an action
  runs on a resource specific node, an active failover node, or on all cluster nodes." TaskType: "AnyNode. Active
  cluster nodes."; "ClusterWide. All cluster nodes."; "ResourceSpecific. Resource specific cluster nodes." (not
  modelled: refused).
- Unregister-ClusteredScheduledTask "removes a clustered scheduled task from all nodes of a failover cluster".
- -TaskType has no documented default: the lab requires it (conservative).
- Registering a name that is already registered: the pages are silent; the lab refuses it with the error
  Register-ScheduledTask gives without -Force ("Cannot create a file when that file already exists.",
  ERROR_ALREADY_EXISTS) (conservative).

How the lab fires them (the rules Microsoft leaves to the Task Scheduler, each with its page; where it is silent the
lab's choice is marked so):

- Microsoft's Failover Clustering team describes the types so: "Any Node: There is one instance enabled of the task
  in the cluster, hence the task only triggers in one machine"; "Cluster Wide: There is one instance of the task
  enabled in each node of the cluster" ("How to Configure Clustered Tasks with Windows Server Failover Clustering",
  https://techcommunity.microsoft.com/t5/failover-clustering/how-to-configure-clustered-tasks-with-windows-server-failover/ba-p/371784).
- The trigger (wsfc_lab.triggers) is evaluated by each node's own clock (``Cluster.node_now``).
- ClusterWide: each node that is Up when its clock reaches a firing time runs it. AnyNode: one node runs each firing:
  the first Up node by name (the lab's deterministic choice; Microsoft does not say which active node is chosen), by
  that node's clock; when it is Down the next Up node by name runs it. A node that is Down (or Paused: whether a
  paused node counts as "active" is not documented, and fewer runs is the conservative reading) does not run it; the
  firings it missed are not run when it comes back, it runs the next one: a task runs late only with
  StartWhenAvailable: "If True, the property indicates that the Task Scheduler can start the task at any time after
  its scheduled time has passed. The default is False." (TaskSettings.StartWhenAvailable,
  https://learn.microsoft.com/en-us/windows/win32/taskschd/tasksettings-startwhenavailable; the lab does not model
  New-ScheduledTaskSettingsSet -StartWhenAvailable, so it is always False).
  The same holds when modelled time jumps over several firing times between two ticks (a large time_scale, a test's
  clock): the latest one runs, the earlier ones are counted as missed (``missed`` in task.fire).
- A firing that comes while the task's previous run on that node still runs is not started: MultipleInstances'
  default, "IgnoreNew: Default. Does not start a new instance if an existing instance of the task is running."
  (https://learn.microsoft.com/en-us/windows/win32/taskschd/taskschedulerschema-multipleinstancespolicy-settingstype-element).
- A run is stopped at the task's ExecutionTimeLimit ("By default, a task will be stopped 72 hours after it starts to
  run", https://learn.microsoft.com/en-us/windows/win32/api/taskschd/nf-taskschd-itasksettings-get_executiontimelimit;
  PT0S / a zero limit runs indefinitely; -ExecutionTimeLimit of New-ScheduledTaskSettingsSet sets it). The code the
  Task Scheduler records for a run it stopped at the limit is not documented: the lab records
  SCHED_S_TASK_TERMINATED (0x41306), as for a stopped task. The script goes no further than the statement, cmdlet
  call or sleep it is in.
- The account: Microsoft does not say which account a clustered task runs as (the cmdlet has no -User or
  -Principal; neither its pages nor the post above name one). The lab's assumption: ``NT AUTHORITY\\SYSTEM``, which is a member of every node's local
  Administrators and so may manage the cluster.
- Unregister while a run is in flight: the pages do not say whether running instances are stopped; the lab lets
  them run to their end (the harder case for the caller: the task may still act after Unregister returns) and
  fires nothing more.
- A run whose node goes Down ends with it (no exit code; task.end says why; last result SCHED_S_TASK_TERMINATED, the
  lab's choice: what is recorded then is not documented).

The action is a PowerShell script file (wsfc_lab.taskaction): ``powershell.exe -NoProfile -NonInteractive
-ExecutionPolicy Bypass -File "<path>"``, read from the lab file system as the node sees it when the run starts and
run by the lab's engine with the node as its computer, exactly as a WinRM command would run there (same cmdlets,
same model, same events, each with ``"task": <name>``, as is every event the model logs on the script's behalf,
``fs.*``, ``csv.move``, ``snap.*`` ...: ``Cluster.log_context``). Its exit code is the run's result
(about_PowerShell_exe, -File: ``exit N`` gives N, a script-terminating error 1, otherwise 0). A missing file fails the run as powershell.exe
does: "The argument '<path>' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an
argument to the -File parameter." with exit code -196608, which Microsoft shows for exactly this error ("View
extension status", https://learn.microsoft.com/en-us/azure/virtual-machines/extensions/features-windows). The Task
Scheduler records a run's exit code as its last result (LastTaskResult is the exit code of the task's last
execution: lab/reference/ScheduledTasks.json, MSFT_TaskDynamicInfo), an unsigned 32-bit value (0xFFFD0000 for
-196608).

Each run is a thread of its own, started outside the model's lock, so the cmdlets the script calls take the lock as a
WinRM command's do. ``wait_idle`` (and the control command ``wait_tasks``) waits until no run is in flight.

Events: ``ctask.register``, ``ctask.unregister``, ``task.fire`` (``node``, ``task``, ``clustered: true``,
``task_type``, ``user``, ``started``, ``missed``, ``scheduled``: the node-local firing time), ``task.end`` (``node``,
``task``, ``clustered: true``, ``exit_code``, ``last_result``, ``error`` when it failed), ``task.stop`` (the time
limit). State: ``clustered_tasks`` in ``Cluster.state()``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wsfc_lab.jobs import SCHED_S_TASK_HAS_NOT_RUN, SCHED_S_TASK_RUNNING, SCHED_S_TASK_TERMINATED, SYSTEM
from wsfc_lab.model import Cluster, ModelError
from wsfc_lab.taskaction import MISSING_FILE_EXIT, missing_file_message
from wsfc_lab.triggers import OnceTrigger

TASK_TYPES = ("ClusterWide", "AnyNode")
DEFAULT_TIME_LIMIT_S = 72 * 3600.0


@dataclass
class NodeRecord:
    """One node's view of a clustered task: what it ran last and what it runs next."""
    next_index: int = 0
    last_run: datetime | None = None
    last_result: int = SCHED_S_TASK_HAS_NOT_RUN
    run: dict | None = None           # the run in flight on this node


@dataclass
class ClusteredTask:
    name: str
    task_type: str
    execute: str
    argument: str
    script_path: str
    trigger: OnceTrigger
    settings: dict = field(default_factory=dict)
    description: str | None = None
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    any_index: int = 0                # AnyNode: the next firing of the cluster's one run

    @property
    def time_limit_s(self) -> float:
        return float(self.settings.get("execution_time_limit_s", DEFAULT_TIME_LIMIT_S))


class RunStopped(Exception):
    """The run was stopped (time limit, node down): the script must not go on acting on the model."""


class ClusteredScheduler:
    """The cluster's clustered scheduled tasks and their runs."""

    def __init__(self, model: Cluster):
        self.model = model
        self.tasks: dict[str, ClusteredTask] = {}
        self._runs = 0
        self._in_flight: set[str] = set()
        self._idle = threading.Condition(threading.Lock())
        model.tick_listeners.append(self._tick)
        model.state_sections["clustered_tasks"] = self.state

    # ---- registration -------------------------------------------------------------------------------------
    def register(self, caller: str, name: str, task_type: str, execute: str, argument: str, script_path: str,
                 trigger: OnceTrigger, settings: dict | None, description: str | None) -> ClusteredTask:
        model = self.model
        with model._lock:
            model._tick()
            if name.lower() in self.tasks:
                raise ModelError("Cannot create a file when that file already exists.", "ResourceExists")
            task = ClusteredTask(name, task_type, execute, argument, script_path, trigger, dict(settings or {}),
                                 description)
            for node in model.nodes:  # firings already past when the task is registered are never run
                task.nodes[node] = NodeRecord(next_index=trigger.first_index_at_or_after(model.node_now(node)))
            runner = self._any_runner()
            task.any_index = trigger.first_index_at_or_after(model.node_now(runner)) if runner else 0
            self.tasks[name.lower()] = task
            model.log({"op": "ctask.register", "node": caller, "changed": True,
                       "args": {"task": name, "task_type": task_type, "execute": execute, "argument": argument,
                                "trigger": trigger.describe(), "settings": dict(task.settings),
                                "description": description, "user": SYSTEM}})
            return task

    def find(self, name: str) -> ClusteredTask | None:
        with self.model._lock:
            return self.tasks.get(name.lower())

    def list(self) -> list[ClusteredTask]:
        with self.model._lock:
            return list(self.tasks.values())

    def unregister(self, caller: str, name: str) -> bool:
        with self.model._lock:
            self.model._tick()
            task = self.tasks.pop(name.lower(), None)
            if task is None:
                return False
            running = sorted(n for n, r in task.nodes.items() if r.run is not None)
            self.model.log({"op": "ctask.unregister", "node": caller, "changed": True,
                            "args": {"task": task.name, "runs_left_running": running}})
            return True

    # ---- firing (under the model's lock, from Cluster._tick) --------------------------------------------------
    def _any_runner(self) -> str | None:
        up = sorted(n for n, s in self.model.nodes.items() if s.state == "Up")
        return up[0] if up else None

    def _tick(self, now: float) -> None:
        model = self.model
        for task in list(self.tasks.values()):
            for node, record in task.nodes.items():
                run = record.run
                if run is None:
                    continue
                if model.nodes[node].state == "Down":
                    # what the node's Task Scheduler records after it went down is not documented: the lab records
                    # SCHED_S_TASK_TERMINATED, as for a stopped run
                    self._end(task, node, run, None, error=f"node {node} went down", result=SCHED_S_TASK_TERMINATED)
                elif task.time_limit_s > 0 and now - run["start"] >= task.time_limit_s:
                    model.log({"op": "task.stop", "node": node, "task": task.name, "clustered": True,
                               "changed": True, "args": {"task": task.name, "why": "ExecutionTimeLimit",
                                                         "limit_s": task.time_limit_s}})
                    self._end(task, node, run, None, error="stopped at the execution time limit",
                              result=SCHED_S_TASK_TERMINATED)
            if task.task_type == "ClusterWide":
                for node in sorted(task.nodes):
                    record = task.nodes[node]
                    due = self._due(task.trigger, record.next_index, model.node_now(node))
                    if due is None:
                        continue
                    missed = due - record.next_index
                    record.next_index = due + 1  # a node that is not Up lets the firing pass (it runs the next one)
                    if model.nodes[node].state == "Up":
                        self._fire(task, node, due, missed)
            else:
                runner = self._any_runner()
                if runner is None:
                    continue
                due = self._due(task.trigger, task.any_index, model.node_now(runner))
                if due is None:
                    continue
                missed = due - task.any_index
                task.any_index = due + 1
                self._fire(task, runner, due, missed)

    @staticmethod
    def _due(trigger: OnceTrigger, next_index: int, local: datetime) -> int | None:
        """The latest firing at or before ``local`` that has not come yet (index >= next_index), or None."""
        last = trigger.last_index_at_or_before(local)
        if last is None or last < next_index or trigger.time(last) is None:
            return None
        return last

    def _fire(self, task: ClusteredTask, node: str, index: int, missed: int) -> None:
        model = self.model
        record = task.nodes[node]
        scheduled = task.trigger.time(index)
        event = {"op": "task.fire", "node": node, "task": task.name, "clustered": True, "task_type": task.task_type,
                 "user": SYSTEM, "missed": max(missed, 0), "scheduled": scheduled.isoformat() if scheduled else None}
        if record.run is not None:
            model.log(dict(event, started=False, changed=False,
                           args={"why": "an instance is running (MultipleInstances IgnoreNew)",
                                 "run": record.run["id"]}))
            return
        self._runs += 1
        run = {"id": f"{task.name}#{self._runs}", "task": task.name, "node": node, "start": model.seconds(),
               "stopped": threading.Event()}
        record.run, record.last_run, record.last_result = run, model.node_now(node), SCHED_S_TASK_RUNNING
        model.log(dict(event, started=True, args={"run": run["id"], "execute": task.execute,
                                                   "argument": task.argument}))
        with self._idle:
            self._in_flight.add(run["id"])
        threading.Thread(target=self._run, args=(task, node, run), name=f"ctask-{run['id']}", daemon=True).start()

    # ---- a run (its own thread, outside the lock) -------------------------------------------------------------
    def _run(self, task: ClusteredTask, node: str, run: dict) -> None:
        code, error = 1, None
        try:
            code, error = self._execute(task, node, run)
        except RunStopped:
            code, error = None, "stopped"
        except Exception as exc:  # a lab bug must not leave the run in flight for ever
            code, error = 1, f"wsfc_lab: {type(exc).__name__}: {exc}"
        finally:
            with self.model._lock:
                if task.nodes[node].run is run:
                    self._end(task, node, run, code, error=error,
                              result=None if code is None else code & 0xFFFFFFFF)
            with self._idle:
                self._in_flight.discard(run["id"])
                self._idle.notify_all()

    def _execute(self, task: ClusteredTask, node: str, run: dict) -> tuple[int, str | None]:
        from wsfc_lab.taskaction import task_host
        from wsfc_lab.pwsh.powershell_exe import run_script
        fs = self.model.fs
        try:
            source = fs.read(node, task.script_path)
        except (FileNotFoundError, IsADirectoryError):
            return MISSING_FILE_EXIT, missing_file_message(task.script_path)
        host = task_host(self.model, node, task.name, run["stopped"], RunStopped)
        with self.model.log_context(task=task.name):  # what the model logs for the script carries its task too
            result = run_script(source.lstrip("\ufeff"), host, script_path=task.script_path)
        if result.refused:
            return result.exit_code, "wsfc_lab refused the script: " + result.error_text
        return result.exit_code, (result.error_text or None)

    def _end(self, task: ClusteredTask, node: str, run: dict, code: int | None, error: str | None,
             result: int | None) -> None:
        """Under the lock: the run on ``node`` ended (or was stopped); record it and log task.end."""
        record = task.nodes[node]
        record.run = None
        run["stopped"].set()
        if result is not None:
            record.last_result = result
        event = {"op": "task.end", "node": node, "task": task.name, "clustered": True, "exit_code": code,
                 "last_result": record.last_result, "ok": code == 0,
                 "args": {"run": run["id"], "start": round(run["start"], 3), "end": round(self.model.seconds(), 3)}}
        if error:
            event["error"] = error
        self.model.log(event)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait (outside the model's lock) until no run is in flight; False when ``timeout`` real seconds passed."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight, timeout=timeout)

    def settle(self, timeout: float = 60.0) -> bool:
        """Fire what is due now and wait for those runs to end (tests with a modelled clock that stands still)."""
        with self.model._lock:
            self.model._tick()
        return self.wait_idle(timeout)

    # ---- state ---------------------------------------------------------------------------------------------
    def next_run(self, task: ClusteredTask, node: str) -> datetime | None:
        if task.task_type == "AnyNode":
            return task.trigger.time(task.any_index) if node == self._any_runner() else None
        return task.trigger.time(task.nodes[node].next_index)

    def state(self) -> list[dict]:
        out = []
        for task in sorted(self.tasks.values(), key=lambda t: t.name.lower()):
            nodes = {}
            for node, record in sorted(task.nodes.items()):
                nxt = self.next_run(task, node)
                nodes[node] = {"last_run": record.last_run.isoformat() if record.last_run else None,
                               "last_result": record.last_result, "running": record.run is not None,
                               "next_run": nxt.isoformat() if nxt else None}
            out.append({"name": task.name, "type": task.task_type, "trigger": task.trigger.describe(),
                        "action": {"execute": task.execute, "argument": task.argument, "file": task.script_path},
                        "user": SYSTEM, "time_limit_s": task.time_limit_s, "description": task.description,
                        "next_run": {n: v["next_run"] for n, v in nodes.items() if v["next_run"]}, "nodes": nodes})
        return out


def clustered(model: Cluster) -> ClusteredScheduler:
    """The model's clustered task scheduler, created on first use."""
    with model._lock:
        existing = getattr(model, "clustered_scheduler", None)
        if existing is None:
            existing = ClusteredScheduler(model)
            model.clustered_scheduler = existing  # type: ignore[attr-defined]
        return existing
