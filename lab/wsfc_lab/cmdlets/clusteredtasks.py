"""New-ScheduledTaskTrigger and the clustered scheduled task cmdlets, acting on ``wsfc_lab.ctasks``.

Parameters follow the documented signatures (the shared cmdlets.json); output properties are in
``lab/reference/ScheduledTasks.json``. Modelled:

- ``New-ScheduledTaskTrigger -Once -At <DateTime> [-RepetitionInterval <TimeSpan> [-RepetitionDuration <TimeSpan>]]``
  (the Once parameter set; its rules are in wsfc_lab.triggers). The Daily, Weekly, AtStartup and AtLogOn sets,
  -RandomDelay ("a random time between the time the task triggers and the time that you specify": the lab does not
  model randomness), CIM sessions and background jobs are refused as not modelled. The trigger is used by
  Register-ClusteredScheduledTask only: Register-ScheduledTask -Trigger stays refused.
- ``Register-ClusteredScheduledTask -TaskName <n> -TaskType ClusterWide|AnyNode -Action <a> -Trigger <t>
  [-Settings <s>] [-Description <d>] [-Cluster <this cluster>]`` (the Params set). One action, the powershell.exe
  -File shape of wsfc_lab.taskaction, and one trigger. -Cluster is accepted only as the cluster's own name ("If you
  do not specify a cluster, the cmdlet uses the current node cluster name"); another cluster, -Resource and the
  ResourceSpecific type, -Xml, -InputObject, CIM sessions and background jobs are refused as not modelled. A task
  without -Trigger (which the page allows) never fires by itself and clustered tasks cannot be started on demand in
  the lab: refused as not modelled. -TaskType has no documented default: refused without it.
- ``Get-ClusteredScheduledTask [-TaskName <n>] [-TaskType <t>] [-Cluster <this cluster>]``: "gets the clustered
  scheduled tasks registered on a failover cluster". The page does not say what a name that matches no task gives:
  the lab writes nothing (no object, no error). Wildcards are not modelled.
- ``Unregister-ClusteredScheduledTask -TaskName <n> [-Cluster <this cluster>]`` or ``-InputObject`` (an object from
  the two cmdlets above): "removes a clustered scheduled task from all nodes of a failover cluster". An unknown name
  is an error (the page is silent; the lab answers as the CIM cmdlets do for an object they cannot find).

All four act on the cluster, not on the node they run on, from any node that is Up.
MSFT_ClusteredScheduledTask has no page on learn.microsoft.com: the lab's object carries only TaskName and TaskType
(the cmdlets' own parameters), TaskType as its name (the enum's numeric values are not documented).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.ctasks import TASK_TYPES, clustered
from wsfc_lab.model import ModelError
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError
from wsfc_lab.pwsh.objects import PSObject
from wsfc_lab.taskaction import ActionRefused, script_path
from wsfc_lab.triggers import OnceTrigger, TriggerError, local_time

TABLE = CmdletTable()
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
_UNMODELLED = ("CimSession", "AsJob", "ThrottleLimit")
_OTHER_TRIGGER_SETS = ("Daily", "DaysInterval", "Weekly", "WeeksInterval", "DaysOfWeek", "AtStartup", "AtLogOn", "User")


def _doc(ctx: Any) -> Documented:
    return Documented(ctx.host.reference)


def _refuse(name: str, params: dict, extra: tuple[str, ...] = ()) -> None:
    for p in _UNMODELLED + extra:
        if p in params:
            raise NotModelled(f"{name} -{p}")


def _enum_text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "name", value))


def _one(value: Any, what: str) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise NotModelled(f"{what} with other than one value")
        value = value[0]
    return value


def _cluster(ctx: Any, name: str, params: dict) -> None:
    cluster = params.get("Cluster")
    if cluster not in (None, "") and str(cluster).lower() not in (ctx.host.name.lower(), "."):
        raise NotModelled(f"{name} -Cluster {cluster} (only this node's own cluster, {ctx.host.name}, is modelled)")


def _seconds(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise NotModelled(f"{what} given as {type(value).__name__} (the lab takes a [TimeSpan])")


def task_object(doc: Documented, task: Any) -> PSObject:
    return doc.make("MSFT_ClusteredScheduledTask", {"TaskName": task.name, "TaskType": task.task_type},
                    to_string=f"MSFT_ClusteredScheduledTask (TaskName = \"{task.name}\")")


@TABLE.register("New-ScheduledTaskTrigger")
def new_scheduled_task_trigger(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse("New-ScheduledTaskTrigger", params, _OTHER_TRIGGER_SETS + ("RandomDelay",))
    if not params.get("Once"):
        raise NotModelled("New-ScheduledTaskTrigger without -Once (only the Once parameter set is modelled)")
    at = params.get("At")
    if not isinstance(at, datetime):
        raise NotModelled(f"New-ScheduledTaskTrigger -At given as {type(at).__name__} (the lab takes a [DateTime])")
    try:
        trigger = OnceTrigger(local_time(at), _seconds(params.get("RepetitionInterval"), "-RepetitionInterval"),
                              _seconds(params.get("RepetitionDuration"), "-RepetitionDuration"))
    except TriggerError as exc:
        # The cmdlet's own error for these values is not documented; the lab refuses them (wsfc_lab.triggers).
        raise PSError(str(exc), category="InvalidArgument", error_id="HRESULT 0x80070057,New-ScheduledTaskTrigger",
                      exception=CIM_EXCEPTION) from None
    obj = _doc(ctx).make("MSFT_TaskTrigger", {}, to_string="MSFT_TaskTimeTrigger")
    obj.lab_trigger = trigger
    return [obj]


@TABLE.register("Register-ClusteredScheduledTask")
def register_clustered_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    name = "Register-ClusteredScheduledTask"
    _refuse(name, params, ("InputObject", "Xml", "Resource"))
    _cluster(ctx, name, params)
    task_type = _enum_text(params.get("TaskType"))
    if task_type is None:
        raise NotModelled(f"{name} without -TaskType (its default is not documented)")
    task_type = next((t for t in TASK_TYPES if t.lower() == task_type.lower()), None) or task_type
    if task_type not in TASK_TYPES:
        raise NotModelled(f"{name} -TaskType {task_type} (only ClusterWide and AnyNode are modelled)")
    action = getattr(_one(params.get("Action"), f"{name} -Action"), "lab_action", None)
    if action is None:
        raise NotModelled(f"{name} -Action that does not come from New-ScheduledTaskAction")
    if params.get("Trigger") is None:
        raise NotModelled(f"{name} without -Trigger (the lab does not start clustered tasks on demand)")
    trigger = getattr(_one(params["Trigger"], f"{name} -Trigger"), "lab_trigger", None)
    if trigger is None:
        raise NotModelled(f"{name} -Trigger that does not come from New-ScheduledTaskTrigger")
    settings = {}
    if params.get("Settings") is not None:
        settings = getattr(_one(params["Settings"], f"{name} -Settings"), "lab_settings", None)
        if settings is None:
            raise NotModelled(f"{name} -Settings that does not come from New-ScheduledTaskSettingsSet")
    try:
        path = script_path(action["execute"], action["argument"])
    except ActionRefused as exc:
        raise NotModelled(f"{name}: {exc}") from None
    description = params.get("Description")
    try:
        task = clustered(ctx.host).register(ctx.node, str(params["TaskName"]), task_type, action["execute"],
                                            action["argument"], path, trigger, settings,
                                            None if description is None else str(description))
    except ModelError as exc:
        # 0x800700b7 ERROR_ALREADY_EXISTS (https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes)
        raise PSError(str(exc), category=exc.category, error_id=f"HRESULT 0x800700b7,{name}",
                      exception=CIM_EXCEPTION) from None
    return [task_object(_doc(ctx), task)]


@TABLE.register("Get-ClusteredScheduledTask")
def get_clustered_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse("Get-ClusteredScheduledTask", params)
    _cluster(ctx, "Get-ClusteredScheduledTask", params)
    wanted = params.get("TaskName")
    if wanted is not None and any(c in str(wanted) for c in "*?["):
        raise NotModelled("wildcards in -TaskName")
    task_type = _enum_text(params.get("TaskType"))
    sched = clustered(ctx.host)
    with ctx.host._lock:
        ctx.host._tick()
    doc = _doc(ctx)
    return [task_object(doc, t) for t in sorted(sched.list(), key=lambda t: t.name.lower())
            if (wanted is None or t.name.lower() == str(wanted).lower())
            and (task_type is None or t.task_type.lower() == task_type.lower())]


@TABLE.register("Unregister-ClusteredScheduledTask")
def unregister_clustered_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse("Unregister-ClusteredScheduledTask", params)
    _cluster(ctx, "Unregister-ClusteredScheduledTask", params)
    obj = params.get("InputObject")
    if obj is not None:
        obj = _one(obj, "Unregister-ClusteredScheduledTask -InputObject")
        if not isinstance(obj, PSObject) or obj.type_name != "MSFT_ClusteredScheduledTask":
            raise NotModelled("Unregister-ClusteredScheduledTask -InputObject that is not a clustered task")
        name = str(obj.get("TaskName"))
    elif params.get("TaskName") is not None:
        name = str(params["TaskName"])
    else:
        raise NotModelled("Unregister-ClusteredScheduledTask without -TaskName or -InputObject")
    if not clustered(ctx.host).unregister(ctx.node, name):
        ctx.write_error(PSError(f"No MSFT_ClusteredScheduledTask objects found with property 'TaskName' equal to "
                                f"'{name}'.  Verify the value of the property and retry.", category="ObjectNotFound",
                                error_id="CmdletizationQuery_NotFound_TaskName,Unregister-ClusteredScheduledTask",
                                target=name, exception=CIM_EXCEPTION))
    return []
