"""The one PowerShell action a clustered task may run, and the engine host its run gets.

A task action is what New-ScheduledTaskAction records: ``-Execute`` ("the path to an executable file") and
``-Argument`` ("the arguments associated with a command-line operation") (New-ScheduledTaskAction,
https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/new-scheduledtaskaction?view=windowsserver2022-ps).
The lab runs exactly one shape of it, Windows PowerShell 5.1 running a script file::

    -Execute powershell.exe | C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe
    -Argument '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "<absolute path>"'

(about_PowerShell_exe, https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/
about_powershell_exe?view=powershell-5.1: -NoProfile "Does not load the PowerShell profile", -NonInteractive "Does
not present an interactive prompt to the user", -ExecutionPolicy "Sets the default execution policy for the current
session", -File "must be the last parameter in the command"). The switches are matched case-insensitively, in that
order, with nothing else: other switches, script arguments after the path, a relative path (the task has no
working directory the lab models) are refused as not modelled.

The run's host is the one a WinRM command on that node gets (wsfc_lab.server.Lab._host): the node as computer name,
the node's clock, the model-backed cmdlets, every cmdlet call logged with the node, plus ``"task": <task name>`` so a
test can tell the task's actions from the controller's. The account is ``NT AUTHORITY\\SYSTEM`` (wsfc_lab.ctasks);
what USERNAME and USERDOMAIN hold in a SYSTEM process is not documented, so the lab sets neither.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from wsfc_lab.filesystem import normalize
from wsfc_lab.pwsh.cmdlet import CmdletTable
from wsfc_lab.pwsh.host import Host

POWERSHELL_EXES = ("powershell.exe", "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe")
_ARGUMENT = re.compile(r'^-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "([^"]+)"$', re.IGNORECASE)
# powershell.exe's exit code when the -File script does not exist (0xFFFD0000): shown by Microsoft for exactly that
# error ("View extension status", https://learn.microsoft.com/en-us/azure/virtual-machines/extensions/features-windows).
MISSING_FILE_EXIT = -196608


class ActionRefused(Exception):
    """An action the lab does not run (the message says what)."""


def missing_file_message(path: str) -> str:
    """What powershell.exe writes when the -File script does not exist (the page above)."""
    return (f"The argument '{path}' to the -File parameter does not exist. Provide the path to an existing '.ps1' "
            f"file as an argument to the -File parameter.")


def script_path(execute: str, argument: str) -> str:
    """The script file of a ``powershell.exe ... -File "<path>"`` action, or ActionRefused (module docstring)."""
    if execute.strip().lower() not in POWERSHELL_EXES:
        raise ActionRefused(f"a task action that runs {execute!r} (the lab runs only powershell.exe -File for a "
                            f"clustered task)")
    match = _ARGUMENT.match(argument.strip())
    if match is None:
        raise ActionRefused(f"powershell.exe arguments {argument!r} (the lab runs exactly: -NoProfile "
                            f"-NonInteractive -ExecutionPolicy Bypass -File \"<absolute path>\")")
    path = match.group(1)
    try:
        normalize(path)
    except ValueError:
        raise ActionRefused(f"the -File path {path!r} (only an absolute C:\\ path is modelled)") from None
    if not re.match(r"^[A-Za-z]:\\", path):
        raise ActionRefused(f"the -File path {path!r} (only an absolute C:\\ path is modelled)")
    return path


class _StoppableTable(CmdletTable):
    """The model-backed cmdlets, each refusing to run once the task's run was stopped."""

    def __init__(self, base: CmdletTable, stopped: threading.Event, stop: Callable[[str], Exception]):
        super().__init__(dict(base.impls))
        self._stopped = stopped
        self._stop = stop

    def get(self, name: str) -> Any:
        impl = super().get(name)
        if impl is None:
            return None
        stopped, stop = self._stopped, self._stop

        def guarded(ctx: Any, params: dict, obj: Any) -> Any:
            if stopped.is_set():
                raise stop(f"{name}: the run was stopped")
            return list(impl(ctx, params, obj) or [])
        return guarded


def task_host(model: Any, node: str, task: str, stopped: threading.Event, stop: Callable[[str], Exception]) -> Host:
    """The engine host of one run of ``task`` on ``node`` (module docstring)."""
    from wsfc_lab.cmdlets import build_cmdlet_table

    def sleep(seconds: float) -> None:  # Start-Sleep: as under WinRM (real seconds), ended by a stop
        if stopped.wait(max(float(seconds), 0.0)):
            raise stop("Start-Sleep: the run was stopped")

    def checkpoint() -> None:  # before each statement: a stopped run goes no further
        if stopped.is_set():
            raise stop("the run was stopped")

    return Host(node=node, cmdlets=_StoppableTable(build_cmdlet_table(), stopped, stop),
                reference=getattr(model, "reference", None), env={"COMPUTERNAME": node},
                now=lambda: model.node_now(node), context=model, sleep=sleep, checkpoint=checkpoint,
                on_event=lambda event: model.log({"node": node, "task": task, **event}))
