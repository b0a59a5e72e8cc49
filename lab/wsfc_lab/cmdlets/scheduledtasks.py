"""ScheduledTasks cmdlets, acting on the lab's Task Scheduler (``wsfc_lab.jobs``).

Parameters follow the documented signatures (the shared cmdlets.json), output properties
``lab/reference/ScheduledTasks.json`` (copied from the MicrosoftDocs/windows-powershell-docs pages it cites). Tasks
are per node. Only what the collection's backup jobs need is modelled: tasks with exec actions, registered for a
user (``-User``/``-Password``/``-RunLevel``, the User parameter set) or with a principal from
New-ScheduledTaskPrincipal (``-UserId``/``-LogonType``/``-RunLevel``, the Principal set), with settings from
New-ScheduledTaskSettingsSet (``-ExecutionTimeLimit``, ``-Priority``, ``-AllowStartIfOnBatteries``,
``-DontStopIfGoingOnBatteries``), started on demand. What accounts, logon types and run levels do is in
``wsfc_lab.jobs``. Triggers, other settings, group principals, required privileges, XML definitions, task
folders other than a single path, CIM sessions and background jobs are refused as not modelled.
"""

from __future__ import annotations

from datetime import timedelta

from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.jobs import ActionNotModelled, NotModelledPrincipal, Task, scheduler
from wsfc_lab.model import ModelError
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError
from wsfc_lab.pwsh.objects import PSObject

TABLE = CmdletTable()
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
_UNMODELLED = ("CimSession", "AsJob", "ThrottleLimit", "Trigger", "Xml", "Description")
# New-ScheduledTaskSettingsSet parameters the lab models; every other one is refused as not modelled.
_SETTINGS = ("ExecutionTimeLimit", "Priority", "AllowStartIfOnBatteries", "DontStopIfGoingOnBatteries")


def _doc(ctx: Any) -> Documented:
    return Documented(ctx.host.reference)


def _refuse_unmodelled(name: str, params: dict, ctx: Any = None) -> None:
    if ctx is not None:  # bring modelled time (and the jobs' reads) up to now before answering
        with ctx.host._lock:
            ctx.host._tick()
    for p in _UNMODELLED:
        if p in params:
            raise NotModelled(f"{name} -{p}")


def _path(params: dict) -> str:
    path = params.get("TaskPath")
    if isinstance(path, (list, tuple)):
        if len(path) != 1:
            raise NotModelled("several task paths")
        path = path[0]
    path = str(path) if path not in (None, "") else "\\"
    if "*" in path:
        raise NotModelled("wildcards in -TaskPath")
    if not (path.startswith("\\") and path.endswith("\\")):
        raise NotModelled("a -TaskPath without leading and trailing '\\'")
    return path


def _not_found(ctx: Any, name: str, verb: str) -> PSError:
    return PSError(f"No MSFT_ScheduledTask objects found with property 'TaskName' equal to '{name}'.  Verify the "
                   f"value of the property and retry.", category="ObjectNotFound",
                   error_id=f"CmdletizationQuery_NotFound_TaskName,{verb}", target=name, exception=CIM_EXCEPTION)


def task_object(doc: Documented, task: Task) -> PSObject:
    return doc.make("MSFT_ScheduledTask", {"TaskName": task.name, "TaskPath": task.path, "State": task.state},
                    to_string="MSFT_ScheduledTask (TaskName = \"%s\", TaskPath = \"%s\")" % (task.name, task.path))


def _task_from(ctx: Any, params: dict, verb: str) -> Task | None:
    sched = scheduler(ctx.host)
    obj = params.get("InputObject")
    if obj is not None:
        if isinstance(obj, (list, tuple)):
            if len(obj) != 1:
                raise NotModelled(f"{verb} with several input objects")
            obj = obj[0]
        if not isinstance(obj, PSObject) or obj.type_name != "MSFT_ScheduledTask":
            raise NotModelled(f"{verb} -InputObject that is not a scheduled task")
        return sched.find(ctx.node, str(obj.get("TaskPath")), str(obj.get("TaskName")))
    name = params.get("TaskName")
    if isinstance(name, (list, tuple)):
        if len(name) != 1:
            raise NotModelled(f"{verb} with several task names")
        name = name[0]
    if name is None:
        raise NotModelled(f"{verb} without -TaskName")
    if "*" in str(name):
        raise NotModelled("wildcards in -TaskName")
    task = sched.find(ctx.node, _path(params), str(name))
    if task is None:
        ctx.write_error(_not_found(ctx, str(name), verb))
    return task


@TABLE.register("New-ScheduledTaskAction")
def new_scheduled_task_action(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("New-ScheduledTaskAction", params, ctx)
    if params.get("WorkingDirectory") is not None:
        raise NotModelled("New-ScheduledTaskAction -WorkingDirectory")
    action = _doc(ctx).make("MSFT_TaskAction", {}, to_string="MSFT_TaskExecAction")
    action.lab_action = {"execute": str(params["Execute"]), "argument": str(params.get("Argument") or "")}
    return [action]


def _enum_text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "name", value))


@TABLE.register("New-ScheduledTaskPrincipal")
def new_scheduled_task_principal(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """A principal for Register-ScheduledTask -Principal (``Principal`` parameter set of that cmdlet)."""
    _refuse_unmodelled("New-ScheduledTaskPrincipal", params, ctx)
    for p in ("GroupId", "ProcessTokenSidType", "RequiredPrivilege", "Id"):
        if p in params:
            raise NotModelled(f"New-ScheduledTaskPrincipal -{p}")
    principal = _doc(ctx).make("MSFT_TaskPrincipal", {}, to_string="MSFT_TaskPrincipal2")
    # The page: -LogonType and -RunLevel are optional; RunLevel's default is Limited (TASK_RUNLEVEL_LUA, "Tasks
    # will be run with the least privileges"); no default logon type is documented, so the lab refuses a principal
    # without one (conservative) rather than guess.
    logon = _enum_text(params.get("LogonType"))
    if logon is None:
        raise NotModelled("New-ScheduledTaskPrincipal without -LogonType (its default is not documented)")
    principal.lab_principal = {"user": str(params["UserId"]), "logon_type": logon,
                               "run_level": _enum_text(params.get("RunLevel")) or "Limited"}
    return [principal]


def _seconds(value: Any, what: str) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise NotModelled(f"{what} given as {type(value).__name__} (the lab takes a [TimeSpan])")


@TABLE.register("New-ScheduledTaskSettingsSet")
def new_scheduled_task_settings_set(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Settings for Register-ScheduledTask -Settings; only the parameters in _SETTINGS are modelled."""
    _refuse_unmodelled("New-ScheduledTaskSettingsSet", params, ctx)
    common = {p.lower() for p in ("Debug", "ErrorAction", "ErrorVariable", "InformationAction",
                                  "InformationVariable", "OutBuffer", "OutVariable", "PipelineVariable", "Verbose",
                                  "WarningAction", "WarningVariable")}
    for p in params:
        if p not in _SETTINGS and p.lower() not in common:
            raise NotModelled(f"New-ScheduledTaskSettingsSet -{p}")
    settings = {"allow_start_if_on_batteries": bool(params.get("AllowStartIfOnBatteries")),
                "dont_stop_if_going_on_batteries": bool(params.get("DontStopIfGoingOnBatteries"))}
    if params.get("ExecutionTimeLimit") is not None:
        # PT0S: "will enable the task to run indefinitely" (TaskSettings.ExecutionTimeLimit)
        settings["execution_time_limit_s"] = _seconds(params["ExecutionTimeLimit"], "-ExecutionTimeLimit")
    if params.get("Priority") is not None:
        priority = int(params["Priority"])
        if not 0 <= priority <= 10:
            # "The priority level (0-10) of the task" (TaskSettings.Priority,
            # https://learn.microsoft.com/en-us/windows/win32/taskschd/tasksettings-priority); the cmdlet's answer
            # to another value is not documented: refused (conservative).
            raise PSError(f"The priority {priority} is not in the range 0-10.", category="InvalidArgument",
                          error_id="HRESULT 0x80070057,New-ScheduledTaskSettingsSet", exception=CIM_EXCEPTION)
        settings["priority"] = priority
    obj = _doc(ctx).make("MSFT_TaskSettings", {}, to_string="MSFT_TaskSettings3")
    obj.lab_settings = settings
    return [obj]


def _from(value: Any, attr: str, what: str) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    found = getattr(value, attr, None)
    if found is None:
        raise NotModelled(f"Register-ScheduledTask {what} that does not come from the lab's own cmdlet")
    return found


@TABLE.register("Register-ScheduledTask")
def register_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    # The engine logs every cmdlet call with its bound parameters (ctx.bound); the run-as password must never
    # reach the lab's event log, so it is masked there before anything else happens.
    if isinstance(getattr(ctx, "bound", None), dict) and "Password" in ctx.bound:
        ctx.bound["Password"] = "********"
    _refuse_unmodelled("Register-ScheduledTask", params, ctx)
    if params.get("InputObject") is not None:
        raise NotModelled("Register-ScheduledTask -InputObject")
    actions = params.get("Action")
    actions = list(actions) if isinstance(actions, (list, tuple)) else [actions]
    if len(actions) != 1 or getattr(actions[0], "lab_action", None) is None:
        raise NotModelled("a task with other than one action from New-ScheduledTaskAction")
    sched = scheduler(ctx.host)
    settings = _from(params["Settings"], "lab_settings", "-Settings") if params.get("Settings") is not None else {}
    if params.get("Principal") is not None:
        principal = _from(params["Principal"], "lab_principal", "-Principal")
        user, password, logon, run_level = principal["user"], None, principal["logon_type"], principal["run_level"]
    else:
        user = params.get("User")
        if not user:
            raise NotModelled("Register-ScheduledTask without -User or -Principal (a task for the current user)")
        user, password, logon = str(user), params.get("Password"), None
        run_level = _enum_text(params.get("RunLevel")) or "Limited"
    action = actions[0].lab_action
    try:
        logon_type = sched.principal(str(user), str(password) if password else None, logon)
        password = None  # only whether one was given is kept
        task = sched.register(ctx.node, _path(params), str(params["TaskName"]), action["execute"],
                              action["argument"], str(user), bool(params.get("Password")), bool(params.get("Force")),
                              logon_type=logon_type, run_level=run_level, settings=settings)
    except NotModelledPrincipal as exc:
        raise NotModelled(f"Register-ScheduledTask: {exc}") from None
    except ModelError as exc:
        # HRESULTs: 0x800700b7 ERROR_ALREADY_EXISTS, 0x80070534 ERROR_NONE_MAPPED (1332), 0x8007052e
        # ERROR_LOGON_FAILURE (1326) (https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes)
        code = {"ObjectNotFound": "0x80070534", "AuthenticationError": "0x8007052e"}.get(exc.category, "0x800700b7")
        if exc.category == "InvalidArgument":
            code = "0x80070057"
        raise PSError(str(exc), category=exc.category, error_id=f"HRESULT {code},Register-ScheduledTask",
                      exception=CIM_EXCEPTION) from None
    return [task_object(_doc(ctx), task)]


@TABLE.register("Get-ScheduledTask")
def get_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("Get-ScheduledTask", params, ctx)
    doc = _doc(ctx)
    if params.get("TaskName") is None:
        path = _path(params) if params.get("TaskPath") is not None else None
        return [task_object(doc, t) for t in scheduler(ctx.host).list(ctx.node)
                if path is None or t.path.lower() == path.lower()]
    task = _task_from(ctx, params, "Get-ScheduledTask")
    return [task_object(doc, task)] if task is not None else []


@TABLE.register("Get-ScheduledTaskInfo")
def get_scheduled_task_info(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("Get-ScheduledTaskInfo", params, ctx)
    task = _task_from(ctx, params, "Get-ScheduledTaskInfo")
    if task is None:
        return []
    with ctx.host._lock:
        ctx.host._tick()
        return [_doc(ctx).make("MSFT_TaskDynamicInfo", {
            "LastRunTime": task.last_run, "LastTaskResult": task.last_result, "NextRunTime": None,
            "NumberOfMissedRuns": 0})]


@TABLE.register("Start-ScheduledTask")
def start_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("Start-ScheduledTask", params, ctx)
    task = _task_from(ctx, params, "Start-ScheduledTask")
    if task is None:
        return []
    try:
        scheduler(ctx.host).start(task)
    except ActionNotModelled as exc:
        raise NotModelled(str(exc)) from None
    except ModelError as exc:
        raise PSError(str(exc), category=exc.category, error_id="Start-ScheduledTask", exception=CIM_EXCEPTION) from None
    return []


@TABLE.register("Stop-ScheduledTask")
def stop_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("Stop-ScheduledTask", params, ctx)
    task = _task_from(ctx, params, "Stop-ScheduledTask")
    if task is not None:
        scheduler(ctx.host).stop(task)
    return []


@TABLE.register("Unregister-ScheduledTask")
def unregister_scheduled_task(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled("Unregister-ScheduledTask", params, ctx)
    if params.get("PassThru"):
        raise NotModelled("Unregister-ScheduledTask -PassThru")
    task = _task_from(ctx, params, "Unregister-ScheduledTask")
    if task is None:
        return []
    if not ctx.should_process(task.full_name, "Unregister-ScheduledTask"):
        return []
    scheduler(ctx.host).unregister(task)
    return []
