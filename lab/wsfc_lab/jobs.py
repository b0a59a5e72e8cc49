"""The lab's Task Scheduler and the backup tools its tasks run, acting on the cluster model.

A registered task (Register-ScheduledTask) is stored per node. Start-ScheduledTask runs the task's action the
way the Task Scheduler service does: detached from the WinRM session that asked, as the task's account. The lab
runs only the action shape the collection documents (and that it can model honestly)::

    cmd.exe /d /s /c ""<tool>" "<arg>" ... > "<log>" 2>&1"

(``/s``: cmd strips the first and the last quote and runs the rest; the output of the tool goes to ``<log>``;
cmd's exit code is the tool's). Inside, every token is either a double-quoted string without ``"`` and ``%``,
or a bare word without cmd metacharacters; anything else is refused as not modelled. The tool is then:

- ``wbadmin.exe start backup -backupTarget:<t> -include:<volume>[,...] | -hyperv:<vm>[,...] [-quiet]``
  (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wbadmin-start-backup):
  wbadmin takes its own VSS snapshot of each CSV it backs up: with parameters "it creates a Volume Shadow Copy
  Service (VSS) copy backup", so writers take part (application-consistent). The lab creates it with the system
  provider where the model puts it (``Cluster.snapshot_node``: the coordinator), reads it, and removes it when
  the job ends. When the node's VSS creation slot is held (fault ``vss_busy``), the backup fails before reading
  (exit code 1; wbadmin's exit codes are not documented).
  A VM is backed up as a read of the CSV that holds it (the lab does not model VM sizes).
- ``robocopy.exe <source> <destination> [options]``
  (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/robocopy): a source in a
  folder a shadow copy is exposed at on this node (DiskShadow ``expose``, wsfc_lab.vss) reads that snapshot; a
  source under a CSV path reads the live volume (direct I/O on every node; SMB to the coordinator when the CSV
  is in redirected access). The robocopy page documents the source as "the path to the source directory"; it
  does not say that a shadow copy's device object (``\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopyN``)
  works as one, so the lab refuses such a source (not modelled): expose the shadow copy and read the folder, as
  "Exposing and Surfacing Shadow Copied Volumes" describes. An unknown source ends with exit code 16 ("serious
  error", no files copied).
- any other program (a user's own tool): the lab looks for what it reads in its arguments, as data: an argument
  that contains a snapshot's device object reads that snapshot; otherwise an argument that contains a CSV path
  reads that live CSV. A command that names neither is refused (not modelled): the lab cannot know what it reads.

Where the bytes come from (local or SMB) is decided by the model (``Cluster.start_read``), never by the task.
Where they go is the tool's destination (robocopy's second argument, wbadmin's ``-backupTarget``), which must be a
declared target of the topology or under one (``Cluster.resolve_target``, ``Scheduler._destination``; lab/README.md
"Backup targets"): otherwise the tool fails as Windows does and reads nothing.
The job ends when its reads end. Exit codes: wbadmin and user commands 0, robocopy 1 ("one or more files were
copied successfully"; 0 when there was nothing to copy); a read that fails (node down, failover) gives 8 for
robocopy and 1 otherwise; a ``backup_fails`` fault (keys ``node``, ``csv``, ``exit_code``, default 8) makes
the tool exit with its ``exit_code`` when its reads end. Stop-ScheduledTask stops the reads; the task's last
result is then SCHED_S_TASK_TERMINATED (the tool is ended and writes nothing more). The tool's output is written
to the log file through the lab filesystem (``model.fs`` when present), its last write dated when the tool ended.
As with cmd.exe, a ``> "<log>"`` into a folder that does not exist fails before the tool runs: no log, no read,
exit code 1 ("The system cannot find the path specified." goes to cmd's own error output, which is not
redirected).

robocopy's output ends with its job summary: a rule, the column header ``Total Copied Skipped Mismatch FAILED
Extras``, then rows. The lab writes the ``Bytes :`` row (Total: the bytes of the snapshot or volume it read;
Copied: the bytes the model's read delivered; FAILED: the rest when the copy failed), as plain numbers with
``/BYTES`` ("Prints sizes, as bytes.") and scaled (``10.00 g``) without, the ``Times :`` row (elapsed modelled time)
and ``Ended :``. The ``Dirs :`` and ``Files :`` rows are not written: the lab does not model files, so it cannot
count them. wbadmin prints no byte count.

Accounts, logon types and run levels (the topology's ``accounts:``; ``NT AUTHORITY\\SYSTEM`` always exists):

- An account that is neither SYSTEM nor declared is refused by Register-ScheduledTask the way Windows refuses a
  name it cannot map to a SID: "No mapping between account names and security IDs was done." (ERROR_NONE_MAPPED,
  1332, https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--1300-1699-). A wrong password,
  or any password for a gMSA (Active Directory manages it), is refused as "The user name or password is
  incorrect." (ERROR_LOGON_FAILURE, 1326, same page): the Task Scheduler needs the password of a
  TASK_LOGON_PASSWORD principal "at registration time" (Principal.LogonType,
  https://learn.microsoft.com/en-us/windows/win32/taskschd/principal-logontype). Register-ScheduledTask's page
  does not name these errors; the lab refuses at registration (conservative).
- Logon types (TASK_LOGON_TYPE, Principal.LogonType page): SYSTEM runs as ServiceAccount ("a Local System, Local
  Service, or Network Service account"); ServiceAccount for any other account is refused. Password: a user
  registered with ``-User -Password``, or a gMSA whose principal (New-ScheduledTaskPrincipal,
  https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/new-scheduledtaskprincipal) has ``-LogonType
  Password`` and no password. "A gMSA can be used for scheduled tasks" is Microsoft's (Windows Server 2012: Group
  Managed Service Accounts, https://techcommunity.microsoft.com/t5/core-infrastructure-and-security/
  windows-server-2012-group-managed-service-accounts/ba-p/255910); that it takes logon type Password without a
  password is not on a learn.microsoft.com page the lab could find (the cmdlet page documents the parameters
  only), so the lab accepts only exactly that form for a gMSA and refuses any password for one. A user with
  ``-LogonType Password`` but no password (the Principal parameter set has no -Password) is refused as a logon
  failure. A non-SYSTEM account registered with ``-User`` and no password: Register-ScheduledTask's page does not
  say which logon type it gets; the lab models the conservative one, an interactive token
  (TASK_LOGON_INTERACTIVE_TOKEN, "User must already be logged on. The task will be run only in an existing
  interactive session."). The lab has no interactive sessions, so such a task never starts: Start-ScheduledTask
  returns, the task stays Ready with SCHED_S_TASK_HAS_NOT_RUN and no LastRunTime. S4U, Group and the other logon
  types are not modelled (refused).
- "Tasks registered with the TASK_LOGON_PASSWORD or TASK_LOGON_S4U flag start only if the specified user has the
  'Log on as a batch job' privilege enabled. By default, users of the Administrators and Backup Operators groups
  have this privilege enabled." (Security Contexts for Tasks,
  https://learn.microsoft.com/en-us/windows/win32/taskschd/security-contexts-for-running-tasks). An account in
  neither group never starts (as above); the lab models no other grant of the right.
- Run level: "by default, when UAC is turned on, tasks run with low level privileges ... If the task's actions
  must have elevated privileges to run, then you must set the RunLevel property to TASK_RUNLEVEL_HIGHEST"; "If a
  task is registered using ... the Local System ... account, then the RunLevel property will be ignored" (same
  page, and Principal.RunLevel, https://learn.microsoft.com/en-us/windows/win32/taskschd/principal-runlevel).
  UAC is on (the Windows Server default). A non-SYSTEM task without RunLevel Highest therefore runs with the
  filtered token, which has no backup privilege (the Administrators and Backup Operators groups are among those
  UAC filters: https://learn.microsoft.com/en-us/windows/security/application-security/application-control/
  user-account-control/how-it-works). SeBackupPrivilege ("Required to perform backup operations",
  https://learn.microsoft.com/en-us/windows/win32/secauthz/privilege-constants) is held by SYSTEM and, elevated,
  by members of Administrators or Backup Operators. Then:

  - robocopy ``/B`` ("Copies files in backup mode", robocopy page) without the privilege copies nothing: the log
    says robocopy lacks the Backup and Restore Files user rights and the tool exits 16 (the robocopy page
    documents that 8 and above are failures; it does not print the message or the exact code, so both are the
    lab's conservative choice).
  - wbadmin: "you must be a member of the Backup Operators group or the Administrators group" and "you must run
    wbadmin from an elevated command prompt" (wbadmin start backup page): without both it backs up nothing and
    exits 1 (wbadmin's exit codes and message text are not documented).
- Settings (New-ScheduledTaskSettingsSet,
  https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/new-scheduledtasksettingsset): kept on the
  task (``execution_time_limit_s``, ``priority``, battery switches) and logged with task.register. Priority must
  be 0-10 ("The priority level (0-10) of the task. The default is 7.",
  https://learn.microsoft.com/en-us/windows/win32/taskschd/tasksettings-priority); the lab does not model a
  priority's effect on throughput (Microsoft documents only the process priority class it maps to). The default
  ExecutionTimeLimit is 72 hours, but "If a task is started on demand, the ExecutionTimeLimit setting is
  bypassed. Therefore, a task that is started on demand will not be terminated if it exceeds the
  ExecutionTimeLimit." (ITaskSettings::get_ExecutionTimeLimit,
  https://learn.microsoft.com/en-us/windows/win32/api/taskschd/nf-taskschd-itasksettings-get_executiontimelimit):
  the collection starts its tasks on demand (Start-ScheduledTask), so the lab never stops them at the limit, and
  a caller must stop an overrunning job itself. Lab nodes have no battery, so the battery switches change nothing.

Job records are in ``model.jobs`` from Start-ScheduledTask until the task is unregistered; events
``task.register``, ``task.start``, ``task.stop``, ``task.unregister``, ``job.start`` and ``job.end`` are logged.
The run-as password is never stored or logged: the lab keeps only whether one was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wsfc_lab.model import EPOCH, Cluster, ModelError, TargetNotFound

# Task Scheduler constants (https://learn.microsoft.com/en-us/windows/win32/taskschd/task-scheduler-error-and-success-constants)
SCHED_S_TASK_RUNNING = 0x00041301
SCHED_S_TASK_HAS_NOT_RUN = 0x00041303
SCHED_S_TASK_TERMINATED = 0x00041306

SYSTEM = "NT AUTHORITY\\SYSTEM"
LOGON_TYPES_MODELLED = ("Password", "ServiceAccount", "Interactive")
# SeBackupPrivilege holders (when elevated); group names as the topology gives them, BUILTIN\ optional.
BACKUP_GROUPS = ("administrators", "backup operators")
DEFAULT_PRIORITY = 7                 # TaskSettings.Priority: "The default is 7."
DEFAULT_TIME_LIMIT_S = 72 * 3600     # ExecutionTimeLimit: "By default, a task will be stopped 72 hours after it
#                                      starts to run" (bypassed for a task started on demand: module doc)
NO_BACKUP_RIGHTS = "ERROR : You do not have the Backup and Restore Files user rights."
WBADMIN_NOT_ELEVATED = ("ERROR - wbadmin needs an elevated token of a member of the Backup Operators or "
                        "Administrators group (wsfc_lab: the wording is the lab's; wbadmin's is not documented).")

# The process id the lab gives the Task Scheduler's host process, the parent of every task's cmd.exe (not listed).
TASK_SCHEDULER_PID = 1044

SHADOW_DEVICE = re.compile(r"\\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy\d+", re.IGNORECASE)
CMD_PREFIX = "/d /s /c \""
# cmd.exe metacharacters that would make a bare token more than a word.
CMD_SPECIAL = set('&|<>^()%!"')
# robocopy options the lab accepts (all from the robocopy page); values after ':' are not interpreted.
ROBOCOPY_OPTIONS = {"/s", "/e", "/z", "/b", "/zb", "/j", "/copy", "/dcopy", "/copyall", "/sec", "/mir", "/r", "/w",
                    "/np", "/nfl", "/ndl", "/njh", "/njs", "/bytes", "/mt", "/xj", "/fft", "/tee", "/v", "/ts", "/fp"}


class ActionNotModelled(Exception):
    """The task's action is not one the lab can run honestly."""


class NotModelledPrincipal(Exception):
    """A principal (logon type) the lab does not model."""


@dataclass
class Task:
    node: str
    path: str
    name: str
    execute: str
    argument: str
    user: str
    password_given: bool
    logon_type: str = "ServiceAccount"
    run_level: str = "Limited"
    settings: dict = field(default_factory=dict)
    state: str = "Ready"
    last_run: Any = None            # datetime of the last start
    last_result: int = SCHED_S_TASK_HAS_NOT_RUN
    job: dict | None = None

    @property
    def full_name(self) -> str:
        return self.path + self.name

    @property
    def is_system(self) -> bool:
        return self.user.lower() == SYSTEM.lower()


def _groups(account: Any) -> set[str]:
    return {g.lower().split("\\")[-1] if g.lower().startswith("builtin\\") else g.lower()
            for g in getattr(account, "groups", [])}


@dataclass
class Command:
    argv: list[str]
    log: str | None
    tool: str = field(init=False)

    def __post_init__(self) -> None:
        exe = re.split(r"[\\/]", self.argv[0])[-1].lower() if self.argv else ""
        self.tool = {"wbadmin.exe": "wbadmin", "wbadmin": "wbadmin",
                     "robocopy.exe": "robocopy", "robocopy": "robocopy"}.get(exe, "command")


def _tokens(text: str) -> list[str]:
    """Split the command cmd.exe runs into words; quoted words keep their quotes out."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise ActionNotModelled("an unterminated quoted argument")
            word = text[i + 1:end]
            if "%" in word:
                raise ActionNotModelled("'%' inside a quoted argument (cmd.exe expands variables there)")
            if end + 1 < len(text) and text[end + 1] not in " \t":
                raise ActionNotModelled("a quoted argument followed by more text")
            # Microsoft C runtime argument rules: 2n backslashes before the closing quote are n backslashes;
            # an odd number would escape the quote (not modelled).
            k = len(word) - len(word.rstrip("\\"))
            if k % 2:
                raise ActionNotModelled("a backslash-escaped quote")
            word = word[:len(word) - k // 2] if k else word
            out.append('"' + word + '"')
            i = end + 1
            continue
        j = i
        while j < len(text) and text[j] not in " \t":
            j += 1
        word = text[i:j]
        if word not in (">", "2>&1") and CMD_SPECIAL & set(word):
            raise ActionNotModelled(f"the cmd.exe metacharacters in {word!r}")
        out.append(word)
        i = j
    return out


def parse_action(execute: str, argument: str) -> Command:
    """The tool, its arguments and its log file from a task action (see the module docstring)."""
    exe = re.split(r"[\\/]", execute.strip().strip('"'))[-1].lower()
    if exe not in ("cmd.exe", "cmd"):
        raise ActionNotModelled(f"a task action that runs {execute!r} directly (the lab runs cmd.exe /d /s /c)")
    if not argument.startswith(CMD_PREFIX) or not argument.endswith('"'):
        raise ActionNotModelled("cmd.exe arguments other than /d /s /c \"...\"")
    words = _tokens(argument[len(CMD_PREFIX):-1])
    log = None
    if len(words) >= 3 and words[-3] == ">" and words[-1] == "2>&1":
        log = words[-2].strip('"')
        words = words[:-3]
    if any(w in (">", "2>&1") for w in words):
        raise ActionNotModelled("a redirection other than '> \"log\" 2>&1' at the end")
    argv = [w[1:-1] if w.startswith('"') else w for w in words]
    if not argv:
        raise ActionNotModelled("an empty command")
    return Command(argv, log)


def _norm(path: str) -> str:
    return path.rstrip("\\").lower()


class Scheduler:
    """Registered tasks of every node, and the backup jobs they run."""

    def __init__(self, model: Cluster):
        self.model = model
        self.tasks: dict[tuple[str, str, str], Task] = {}
        self.files: dict[tuple[str, str], str] = {}  # log files when the model has no filesystem
        self._shadow_numbers = 0
        self._pid = 4096
        model.read_listeners.append(self._read_ended)

    # ---- files ----------------------------------------------------------------------------------------
    def write_file(self, node: str, path: str, text: str, append: bool = False, when=None) -> None:
        fs = getattr(self.model, "fs", None)
        if fs is not None:
            before = fs.read(node, path) if append and fs.exists(node, path) else ""
            fs.write(node, path, (before or "") + text, when=when)
        else:
            key = (node, path.lower())
            self.files[key] = (self.files.get(key, "") if append else "") + text

    def read_file(self, node: str, path: str) -> str | None:
        fs = getattr(self.model, "fs", None)
        if fs is not None:
            return fs.read(node, path) if fs.exists(node, path) else None
        return self.files.get((node, path.lower()))

    def delete_file(self, node: str, path: str) -> None:
        fs = getattr(self.model, "fs", None)
        if fs is not None:
            if fs.exists(node, path):
                fs.delete(node, path)
        else:
            self.files.pop((node, path.lower()), None)

    # ---- tasks ----------------------------------------------------------------------------------------
    @staticmethod
    def _key(node: str, path: str, name: str) -> tuple[str, str, str]:
        return (node, (path or "\\").lower(), name.lower())

    def find(self, node: str, path: str | None, name: str) -> Task | None:
        with self.model._lock:
            return self.tasks.get(self._key(node, path or "\\", name))

    def list(self, node: str) -> list[Task]:
        with self.model._lock:
            return [t for (n, _, _), t in self.tasks.items() if n == node]

    def account(self, user: str) -> Any:
        """The topology's account named ``user`` (case-insensitive), or None; SYSTEM is not in the list."""
        for account in getattr(self.model.topology, "accounts", []) or []:
            if account.name.lower() == user.lower():
                return account
        return None

    def principal(self, user: str, password: str | None, logon_type: str | None) -> str:
        """The logon type a task registered for ``user`` gets, or a ModelError as Windows refuses it (module doc).

        ``logon_type`` None: registered with ``-User [-Password]`` (the User parameter set); otherwise the
        principal's ``-LogonType`` (the Principal set, which takes no password)."""
        if user.lower() == SYSTEM.lower():
            if logon_type not in (None, "ServiceAccount"):
                raise NotModelledPrincipal(f"{SYSTEM} with -LogonType {logon_type}")
            return "ServiceAccount"   # "The password is ignored for the well-known system accounts"
        account = self.account(user)
        if account is None:
            raise ModelError("No mapping between account names and security IDs was done.", "ObjectNotFound")
        if logon_type is None:
            if not password:
                return "Interactive"
            if account.kind == "gmsa" or password != account.password:
                raise ModelError("The user name or password is incorrect.", "AuthenticationError")
            return "Password"
        if logon_type == "ServiceAccount":
            # TASK_LOGON_SERVICE_ACCOUNT: "a Local System, Local Service, or Network Service account"
            raise ModelError(f"The account {user} is not a service account (TASK_LOGON_SERVICE_ACCOUNT is for "
                             f"Local System, Local Service or Network Service).", "InvalidArgument")
        if logon_type == "Password":
            if account.kind != "gmsa":
                # "The password must be supplied at registration time", and the Principal set takes none.
                raise ModelError("The user name or password is incorrect.", "AuthenticationError")
            return "Password"
        if logon_type == "Interactive":
            return "Interactive"
        raise NotModelledPrincipal(f"-LogonType {logon_type}")

    def register(self, node: str, path: str, name: str, execute: str, argument: str, user: str,
                 password_given: bool, force: bool, logon_type: str = "ServiceAccount", run_level: str = "Limited",
                 settings: dict | None = None) -> Task:
        with self.model._lock:
            key = self._key(node, path, name)
            existing = self.tasks.get(key)
            if existing is not None and not force:
                raise ModelError(f"Cannot create a file when that file already exists.", "ResourceExists")
            if existing is not None and existing.state == "Running":
                raise ModelError(f"The task {existing.full_name} is running; stop it before replacing it.",
                                 "ResourceBusy")
            if existing is not None:
                self._drop_job(existing)
            settings = dict(settings or {})
            settings.setdefault("priority", DEFAULT_PRIORITY)
            settings.setdefault("execution_time_limit_s", DEFAULT_TIME_LIMIT_S)
            settings.setdefault("allow_start_if_on_batteries", False)
            settings.setdefault("dont_stop_if_going_on_batteries", False)
            task = Task(node, path, name, execute, argument, user, password_given, logon_type=logon_type,
                        run_level=run_level, settings=settings)
            self.tasks[key] = task
            self.model.log({"op": "task.register", "node": node, "changed": True,
                            "args": {"task": task.full_name, "user": user, "password_given": password_given,
                                     "logon_type": logon_type, "run_level": run_level, "settings": dict(settings),
                                     "execute": execute, "argument": argument}})
            return task

    def why_not_started(self, task: Task) -> str | None:
        """Why the Task Scheduler would not start ``task`` (module doc), or None."""
        if task.is_system:
            return None
        if task.logon_type == "Interactive":
            return f"{task.user} is not logged on (interactive token: the task runs only in an interactive session)"
        account = self.account(task.user)
        if account is None or not (_groups(account) & set(BACKUP_GROUPS)):
            return f"{task.user} has no 'Log on as a batch job' right (not in Administrators or Backup Operators)"
        return None

    def token(self, task: Task) -> dict:
        """What the task's process token holds: elevated (full token) and SeBackupPrivilege."""
        if task.is_system:
            return {"elevated": True, "backup_privilege": True, "backup_groups": True}
        groups = bool(_groups(self.account(task.user)) & set(BACKUP_GROUPS))
        elevated = task.run_level == "Highest"
        return {"elevated": elevated, "backup_privilege": elevated and groups, "backup_groups": groups}

    def unregister(self, task: Task) -> None:
        with self.model._lock:
            if task.state == "Running":
                self._stop(task, "the task was unregistered")
            self._drop_job(task)
            self.tasks.pop(self._key(task.node, task.path, task.name), None)
            self.model.log({"op": "task.unregister", "node": task.node, "changed": True,
                            "args": {"task": task.full_name}})

    def _drop_job(self, task: Task) -> None:
        job = task.job
        # A tool left running after its task ended keeps its job record until it exits (it still reads and writes).
        if job is not None and job in self.model.jobs and not (job["state"] == "running" and job.get("orphaned")):
            self.model.jobs.remove(job)
        task.job = None

    def stop(self, task: Task) -> None:
        with self.model._lock:
            self.model._tick()
            if task.state == "Running":
                self._stop(task, "the task was stopped")

    def _stop(self, task: Task, why: str) -> None:
        """Stop-ScheduledTask (or Unregister-ScheduledTask) of a running task.

        The task's own process, cmd.exe, ends and the task's last result is SCHED_S_TASK_TERMINATED ("The last run
        of the task was terminated by the user"). Whether the Task Scheduler also ends the processes cmd.exe started
        is not documented (Stop-ScheduledTask,
        https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/stop-scheduledtask; TerminateProcess
        "terminates the specified process and all of its threads", not its children:
        https://learn.microsoft.com/en-us/windows/win32/api/processthreadsapi/nf-processthreadsapi-terminateprocess),
        so the lab models the conservative case: the tool keeps running, reading and writing its log, until it
        ends or is stopped itself (Stop-Process of its process, ``kill``).
        """
        job = task.job
        task.state = "Ready"
        task.last_result = SCHED_S_TASK_TERMINATED
        alive = job is not None and job["state"] == "running"
        self.model.log({"op": "task.stop", "node": task.node, "changed": True,
                        "args": {"task": task.full_name, "why": why,
                                 "tool_left_running": bool(alive and job["processes"].get("tool"))}})
        if alive:
            job["processes"].pop("cmd", None)
            job["orphaned"] = True

    # ---- processes (Win32_Process, Stop-Process) ------------------------------------------------------------
    def _new_pid(self) -> int:
        self._pid += 4
        return self._pid

    def processes(self, node: str) -> list[dict]:
        """The processes of running jobs on ``node``: each job's cmd.exe (while its task runs) and its tool.

        Win32_Process (https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-process): Name,
        ProcessId, ParentProcessId (the tool's is its cmd.exe, also after cmd.exe ended: "It is possible that the
        process identified by ParentProcessId is terminated"), CommandLine, CreationDate. Other processes of the
        node are not modelled.
        """
        with self.model._lock:
            self.model._tick()
            out = []
            for job in self.model.jobs:
                if job["node"] != node or job["state"] != "running":
                    continue
                for role in ("cmd", "tool"):
                    proc = job["processes"].get(role)
                    if proc:
                        out.append(dict(proc))
            return out

    def kill(self, node: str, pid: int) -> bool:
        """Stop-Process -Id ``pid``: end that process (TerminateProcess: not its children). False: no such process.

        The tool ended this way copies nothing more and writes nothing more to its log. cmd.exe, when it still
        runs, then exits, and the task's last result is 1; when cmd.exe itself is ended the task ends with 1 too
        and the tool keeps running. Neither exit code is documented (the lab's choice).
        """
        with self.model._lock:
            self.model._tick()
            for job in list(self.model.jobs):
                if job["node"] != node or job["state"] != "running":
                    continue
                role = next((r for r, p in job["processes"].items() if p and p["ProcessId"] == pid), None)
                if role is None:
                    continue
                task = next((t for t in self.tasks.values() if t.job is job), None)
                if role == "cmd":
                    job["processes"].pop("cmd", None)
                    job["orphaned"] = True
                    if task is not None:
                        task.state, task.last_result = "Ready", 1
                    self.model.log({"op": "process.stop", "node": node, "changed": True,
                                    "args": {"pid": pid, "name": "cmd.exe", "job": job["id"]}})
                    return True
                cmd_alive = bool(job["processes"].get("cmd"))
                self.model.log({"op": "process.stop", "node": node, "changed": True,
                                "args": {"pid": pid, "name": job["processes"]["tool"]["Name"], "job": job["id"]}})
                job["state"] = "stopped"
                for key in list(job["reads"]):
                    self.model.cancel_read(key, f"its process was stopped (job {job['id']})")
                self._finish(job, None, stopped=True)
                if task is not None and cmd_alive and not job.get("orphaned"):
                    task.state, task.last_result = "Ready", 1
                if task is None:  # its task is gone: nothing keeps the record any more
                    if job in self.model.jobs:
                        self.model.jobs.remove(job)
                return True
            return False

    # ---- jobs -----------------------------------------------------------------------------------------
    def start(self, task: Task) -> dict | None:
        """Run the task's action now; a task that is already running is not started again (IgnoreNew)."""
        model = self.model
        with model._lock:
            model._tick()
            if task.state == "Running":
                model.log({"op": "task.start", "node": task.node, "changed": False,
                           "args": {"task": task.full_name, "already_running": True}})
                return task.job
            if model.node(task.node).state != "Up":
                raise ModelError(f"The node {task.node} is {model.node(task.node).state}.", "ResourceUnavailable")
            refused = self.why_not_started(task)
            if refused is not None:
                # Start-ScheduledTask "starts a registered background task asynchronously": it returns, and the
                # Task Scheduler does not run the task (LastTaskResult stays SCHED_S_TASK_HAS_NOT_RUN).
                model.log({"op": "task.start", "node": task.node, "changed": False,
                           "args": {"task": task.full_name, "not_started": refused}})
                return None
            try:
                command = parse_action(task.execute, task.argument)
                plan = self._plan(task.node, command, self.token(task))
                plan = self._destination(task.node, command, plan)
            except ActionNotModelled as exc:
                raise ActionNotModelled(f"running the task action {task.execute} {task.argument!r}: {exc}") from None
            self._drop_job(task)
            job = {"id": model.new_id(), "task": task.full_name, "node": task.node, "user": task.user,
                   "tool": command.tool, "csvs": sorted({r["csv"] for r in plan["reads"]}), "state": "running",
                   "start": round(model.seconds(), 3), "end": None, "exit_code": None, "bytes": 0,
                   "log": command.log, "reads": [], "snapshots": [s["id"] for s in plan["own_snapshots"]],
                   "planned_exit": plan["exit_code"], "argv": list(command.argv), "tool_error": plan.get("error"),
                   "logon_type": task.logon_type, "run_level": task.run_level,
                   "planned_bytes": sum(int(round(self.model.csv(r["csv"]).used_gb * 1e9)) for r in plan["reads"])}
            created = model.node_now(task.node)
            cmd_pid, tool_pid = self._new_pid(), self._new_pid()
            inner = task.argument[len(CMD_PREFIX):-1]
            if command.log:
                inner = inner[:inner.rfind(" > ")]
            job["processes"] = {
                "cmd": {"Name": "cmd.exe", "ProcessId": cmd_pid, "ParentProcessId": TASK_SCHEDULER_PID,
                        "CommandLine": f"{task.execute} {task.argument}", "CreationDate": created.isoformat()},
                "tool": {"Name": re.split(r"[\\/]", command.argv[0])[-1], "ProcessId": tool_pid,
                         "ParentProcessId": cmd_pid, "CommandLine": inner, "CreationDate": created.isoformat()}}
            task.job, task.state, task.last_run, task.last_result = job, "Running", created, SCHED_S_TASK_RUNNING
            model.jobs.append(job)
            model.log({"op": "task.start", "node": task.node, "changed": True, "args": {"task": task.full_name}})
            model.log({"op": "job.start", "node": task.node, "args": {"job": job["id"], "task": task.full_name,
                                                                       "tool": command.tool, "csvs": job["csvs"],
                                                                       "user": task.user}})
            if command.log and not self._log_folder_exists(task.node, command.log):
                # cmd.exe cannot open the redirection target: the tool never starts.
                job["log_error"] = "The system cannot find the path specified."
                job["log"] = None
                self._finish(job, 1)
                return job
            if command.log:
                self.write_file(task.node, command.log, self._log_header(command, plan))
            if plan.get("write") is not None:
                job["target"], job["target_path"] = plan["write"]["target"]["path"], plan["write"]["path"]
                if plan["reads"]:
                    model.begin_write(task.node, plan["write"], command.tool)
            elif plan.get("write_error") is not None:
                job["target_error"] = plan["write_error"].text
            model.snapshots.extend(plan["own_snapshots"])
            if not plan["reads"]:
                self._finish(job, plan["exit_code"] if plan["exit_code"] is not None else 0)
                return job
            fault = self._fault(task.node, job["csvs"])
            if fault is not None:
                job["planned_exit"] = int(fault.get("exit_code", 8))
            job["open"] = len(plan["reads"])
            for read in plan["reads"]:
                key = model.start_read(task.node, read["csv"], read["snapshot"], job=job["id"], write=plan.get("write"))
                if job["state"] == "running" and model.read_status(key).get("status") not in ("done", "failed"):
                    job["reads"].append(key)
            return job

    def _fault(self, node: str, csvs: list[str]) -> dict | None:
        for fault in list(self.model.pending_faults):
            if fault["kind"] != "backup_fails" or "at" in fault or "after_ops" in fault:
                continue
            if "node" in fault and str(fault["node"]).lower() != node.lower():
                continue
            if "csv" in fault and str(fault["csv"]).lower() not in {c.lower() for c in csvs}:
                continue
            match = {k: fault[k] for k in ("node", "csv") if k in fault}
            return self.model.take_fault("backup_fails", **match) or fault
        return None

    def _log_folder_exists(self, node: str, path: str) -> bool:
        fs = getattr(self.model, "fs", None)
        if fs is None:
            return True
        folder = path.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[0]
        try:
            return fs.is_dir(node, folder if len(folder) > 2 else folder + "\\")
        except ValueError as exc:
            raise ActionNotModelled(f"a log file {path!r} the lab's file system does not model ({exc})") from None

    def _snapshot_for(self, text: str) -> dict | None:
        m = SHADOW_DEVICE.search(text)
        if not m:
            return None
        device = m.group(0).lower()
        return next((s for s in self.model.snapshots if str(s.get("device_object", "")).lower() == device), None)

    def _exposed_in(self, node: str, text: str) -> dict | None:
        """A shadow copy exposed on ``node`` whose folder an argument names (``--from=C:\\...\\snap\\``)."""
        for snap in self.model.snapshots:
            exposed = snap.get("exposed")
            if exposed and exposed["node"] == node and exposed["path"].rstrip("\\").lower() in text.lower():
                return snap
        return None

    def _csv_for(self, text: str):
        low = text.lower()
        for csv in self.model.csvs.values():
            path = _norm(csv.path)
            if path in low:
                at = low.index(path) + len(path)
                if at == len(low) or low[at] in "\\,; \"":
                    return csv
        return None

    def _live(self, node: str, csv) -> dict:
        """A read of the live CSV: direct I/O on every node, SMB to the coordinator in redirected access."""
        source = csv.owner if csv.redirected else node
        return {"csv": csv.name, "snapshot": {"id": None, "node": source, "provider_type": "live"}}

    def _plan(self, node: str, command: Command, token: dict | None = None) -> dict:
        argv = command.argv
        reads: list[dict] = []
        own: list[dict] = []
        exit_code = None
        token = token or {"elevated": True, "backup_privilege": True, "backup_groups": True}
        if command.tool == "wbadmin":
            words = [a.lower() for a in argv[1:3]]
            if words != ["start", "backup"]:
                raise ActionNotModelled(f"wbadmin {' '.join(argv[1:3])} (only 'start backup' is modelled)")
            options = {}
            for arg in argv[3:]:
                name, _, value = arg.partition(":")
                options[name.lower()] = value
            unknown = set(options) - {"-backuptarget", "-include", "-hyperv", "-quiet"}
            if unknown:
                raise ActionNotModelled(f"wbadmin options {sorted(unknown)}")
            if "-backuptarget" not in options:
                raise ActionNotModelled("wbadmin start backup without -backupTarget")
            if not options["-backuptarget"].startswith("\\\\"):
                # -backupTarget also takes a drive letter or a volume GUID path (a whole volume, not a folder): the
                # lab models only "a UNC path to a remote shared folder" (wbadmin start backup page)
                raise ActionNotModelled(f"wbadmin -backupTarget:{options['-backuptarget']} (only a remote shared "
                                        f"folder, \\\\server\\share, is modelled)")
            csvs = []
            for item in [v for v in options.get("-include", "").split(",") if v.strip()]:
                csv = self._csv_for(item.strip())
                if csv is None or _norm(item.strip()) != _norm(csv.path):
                    raise ActionNotModelled(f"wbadmin -include of {item!r} (only whole CSV volume paths)")
                csvs.append(csv)
            for vm in [v for v in options.get("-hyperv", "").split(",") if v.strip()]:
                holder = next((c for c in self.model.csvs.values()
                               if any(x["name"].lower() == vm.strip().lower() for x in c.vms)), None)
                if holder is None:
                    raise ModelError(f"The virtual machine '{vm.strip()}' was not found.", "ObjectNotFound")
                csvs.append(holder)
            if not csvs:
                raise ActionNotModelled("wbadmin start backup without -include or -hyperv")
            if not (token["elevated"] and token["backup_groups"]):
                # wbadmin start backup: Backup Operators or Administrators, from an elevated prompt (module doc)
                return {"reads": [], "own_snapshots": [], "exit_code": 1, "error": WBADMIN_NOT_ELEVATED}
            seen = set()
            for csv in csvs:
                if csv.name in seen:
                    continue
                seen.add(csv.name)
                if self.model.vss.busy(node) or (csv.owner != node and self.model.vss.busy(csv.owner)):
                    exit_code = 1  # VSS_E_SNAPSHOT_SET_IN_PROGRESS: wbadmin cannot take its snapshot
                    own, reads = [], []
                    break
                self._shadow_numbers += 1
                number = 1000 + self._shadow_numbers
                snap = {"id": self.model.new_id(), "csv": csv.name, "volume": csv.path.rstrip("\\") + "\\",
                        "device_object": f"\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy{number}",
                        "node": self.model.snapshot_node(csv.name, node, "system"),
                        "provider_id": "{B5946137-7B9F-4925-AF80-51ABD60B20D5}", "provider_type": "system",
                        "created": round(self.model.seconds(), 3), "created_by": node, "owner": "wbadmin",
                        "context": "Backup", "persistent": False, "writers": True, "client_accessible": False,
                        "consistency": "application", "backup_type": "copy", "tool": "wbadmin", "exposed": None,
                        "set_id": self.model.new_id(), "originating_machine": csv.owner}
                own.append(snap)
                reads.append({"csv": csv.name, "snapshot": snap})
        elif command.tool == "robocopy":
            if len(argv) < 3:
                raise ActionNotModelled("robocopy without a source and a destination")
            for opt in argv[3:]:
                if opt.split(":", 1)[0].lower() not in ROBOCOPY_OPTIONS:
                    raise ActionNotModelled(f"the robocopy option {opt!r}")
            source = argv[1]
            if any(o.lower() == "/b" for o in argv[3:]) and not token["backup_privilege"]:
                # backup mode without SeBackupPrivilege (filtered token or no backup group): nothing is copied
                return {"reads": [], "own_snapshots": [], "exit_code": 16, "error": NO_BACKUP_RIGHTS}
            if SHADOW_DEVICE.search(source) or "globalroot" in source.lower():
                raise ActionNotModelled(f"robocopy from {source!r}: the robocopy page documents a source directory "
                                        f"and does not say a shadow copy's device object works as one; expose the "
                                        f"shadow copy (DiskShadow expose) and copy from its folder")
            snap = self.model.vss.exposure(node, source)
            if snap is not None:
                reads.append({"csv": snap["csv"], "snapshot": snap})
            elif self._csv_for(source) is not None:
                reads.append(self._live(node, self._csv_for(source)))
            else:
                exit_code = 16  # "Serious error. Robocopy did not copy any files."
        else:
            for arg in argv[1:]:
                snap = self._snapshot_for(arg) or self._exposed_in(node, arg)
                if snap is not None and snap["csv"] not in {r["csv"] for r in reads}:
                    reads.append({"csv": snap["csv"], "snapshot": snap})
            if not reads:
                for arg in argv[1:]:
                    csv = self._csv_for(arg)
                    if csv is not None and csv.name not in {r["csv"] for r in reads}:
                        reads.append(self._live(node, csv))
            if not reads:
                raise ActionNotModelled(f"the command {argv[0]!r}: none of its arguments names a snapshot device "
                                        f"or a CSV path, so the lab cannot know what it reads")
        backup_target = options["-backuptarget"] if command.tool == "wbadmin" else None
        return {"reads": reads, "own_snapshots": own, "exit_code": exit_code, "backup_target": backup_target}

    def _destination(self, node: str, command: Command, plan: dict) -> dict:
        """Where robocopy or wbadmin writes: a declared target (``write``), or the error the tool ends with.

        robocopy's destination is its second argument; wbadmin's the ``-backupTarget`` shared folder, under which
        it writes ``WindowsImageBackup\\<computer>`` (wbadmin start backup page; see Cluster.begin_write). A
        destination that is not a declared target nor under one fails before anything is read
        (Cluster.resolve_target): robocopy with exit code 16, "Serious error. Robocopy did not copy any files.
        Either a usage error or an error due to insufficient access privileges on the source or destination
        directories." (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/robocopy),
        wbadmin with exit code 1 (its exit codes are not documented). A user's own command writes where it likes:
        the lab does not model its destination.
        """
        if command.tool not in ("robocopy", "wbadmin") or plan["exit_code"] == 16 or plan.get("error"):
            return plan  # the tool fails before it writes (its source, or its privileges: see _plan)
        destination = command.argv[2] if command.tool == "robocopy" else plan["backup_target"]
        try:
            write = dict(self.model.resolve_target(node, destination), tool=command.tool)
        except TargetNotFound as exc:
            return dict(plan, reads=[], own_snapshots=[], exit_code=16 if command.tool == "robocopy" else 1,
                        write_error=exc)
        if command.tool == "wbadmin":
            write["relative"] = "\\".join(p for p in (write["relative"], "WindowsImageBackup", node) if p)
        return dict(plan, write=write)

    def _log_header(self, command: Command, plan: dict) -> str:
        if command.tool == "robocopy":
            lines = ["-" * 79, "   ROBOCOPY     ::     Robust File Copy for Windows", "-" * 79, "",
                     f"  Started : {self.model.now().strftime('%A, %B %d, %Y %I:%M:%S %p')}",
                     f"   Source : {command.argv[1]}", f"     Dest : {command.argv[2]}", ""]
            error = plan.get("write_error")
            if plan.get("error"):
                lines.append(plan["error"])
            elif error is not None:
                destination = command.argv[2]
                lines.append(f"ERROR {error.code} (0x{error.code:08X}) Accessing Destination Directory {destination}")
                lines.append(error.text)
            elif plan["exit_code"] == 16:
                lines.append(f"ERROR 2 (0x00000002) Accessing Source Directory {command.argv[1]}")
                lines.append("The system cannot find the file specified.")
            return "\r\n".join(lines) + "\r\n"
        if command.tool == "wbadmin" and plan.get("error"):
            return "wbadmin 1.0 - Backup command-line tool\r\n" + plan["error"] + "\r\n"
        if command.tool == "wbadmin":
            if plan.get("write_error") is not None:
                return ("wbadmin 1.0 - Backup command-line tool\r\n"
                        f"ERROR - {plan['write_error'].text}\r\n")
            return ("wbadmin 1.0 - Backup command-line tool\r\n"
                    "Retrieving volume information...\r\n"
                    "Creating a shadow copy of the volumes specified for backup...\r\n")
        return f"wsfc_lab: {command.argv[0]} started (the lab models what it reads, not what it prints)\r\n"

    def _read_ended(self, read: dict) -> None:
        """Model listener (under the lock): a read ended; end its job when it was the job's last."""
        job = next((j for j in self.model.jobs if j["id"] == read.get("job")), None)
        if job is None or job["state"] != "running":
            return
        job["bytes"] += int(read.get("bytes") or 0)
        if read.get("status") == "failed":
            job["read_failed"] = read.get("error")
        if read["key"] in job["reads"]:
            job["reads"].remove(read["key"])
        job["open"] -= 1
        if job["open"] > 0:
            return
        if job.get("read_failed"):
            code = 8 if job["tool"] == "robocopy" else 1
        elif job["planned_exit"] is not None:
            code = job["planned_exit"]
        elif job["tool"] == "robocopy":
            code = 1 if job["bytes"] > 0 else 0
        else:
            code = 0
        self._finish(job, code, at=read.get("end"))

    def _finish(self, job: dict, code: int | None, stopped: bool = False, at: float | None = None) -> None:
        model = self.model
        job["reads"] = []
        job["processes"] = {}  # the tool exited (or was ended), and cmd.exe with it
        job["end"] = round(model.seconds() if at is None else at, 3)
        job["exit_code"] = code
        if not stopped:
            job["state"] = "exited"
        task = next((t for t in self.tasks.values() if t.job is job), None)
        if task is not None and not stopped and not job.get("orphaned"):
            task.state = "Ready"
            task.last_result = code
        own = set(job["snapshots"])
        model.snapshots[:] = [s for s in model.snapshots if s["id"] not in own]
        if job["log"] and not stopped:
            ended = model.node_now(job["node"]) if at is None else \
                EPOCH + timedelta(seconds=at + model.clock_offset(job["node"]))  # by the node's clock
            self.write_file(job["node"], job["log"], self._log_footer(job, code, ended), append=True, when=ended)
        ok = (not stopped) and not job.get("log_error") and code is not None and (code < 8 if job["tool"] == "robocopy" else code == 0)
        event = {"op": "job.end", "node": job["node"], "ok": ok, "exit_code": code, "bytes": job["bytes"],
                 "args": {"job": job["id"], "task": job["task"], "tool": job["tool"], "csvs": job["csvs"]},
                 "start": job["start"], "end": job["end"], "t": job["end"]}
        if stopped:
            event["stopped"] = True
        if job.get("read_failed"):
            event["error"] = job["read_failed"]
        if job.get("tool_error"):
            event["error"] = job["tool_error"]
        if job.get("log_error"):
            event["error"] = job["log_error"]
        model.log(event)
        if job.get("orphaned") and task is None and job in model.jobs:
            model.jobs.remove(job)  # a tool that outlived its unregistered task: nothing keeps its record

    def _log_footer(self, job: dict, code: int | None, ended: datetime) -> str:
        if job["tool"] == "robocopy":
            copied = int(job["bytes"])
            failed = max(int(job.get("planned_bytes") or 0) - copied, 0) if (code or 0) >= 8 else 0
            total = copied + failed
            as_bytes = any(a.lower() == "/bytes" for a in job["argv"][3:])
            size = (lambda n: str(n)) if as_bytes else _scaled
            elapsed = _clock_text((ended - EPOCH).total_seconds() - job["start"])
            return ("\r\n" + "-" * 79 + "\r\n\r\n"
                    "               Total    Copied   Skipped  Mismatch    FAILED    Extras\r\n"
                    f"   Bytes : {size(total):>9} {size(copied):>9} {size(0):>9} {size(0):>9} {size(failed):>9} "
                    f"{size(0):>9}\r\n"
                    f"   Times : {elapsed:>9} {elapsed:>9} {'':>9} {'':>9} {_clock_text(0):>9} {_clock_text(0):>9}\r\n"
                    f"   Ended : {ended.strftime('%A, %B %d, %Y %I:%M:%S %p')}\r\n")
        if job["tool"] == "wbadmin":
            if code == 0:
                return "The backup operation successfully completed.\r\n"
            return f"The backup operation stopped before completing (exit code {code}).\r\n"
        return f"wsfc_lab: {job['argv'][0]} exited with code {code}\r\n"


def _scaled(n: int) -> str:
    """A size as robocopy prints it without /BYTES (k, m, g, t with two decimals; plain below 1 k)."""
    value, unit = float(n), ""
    for unit in ("", "k", "m", "g", "t"):
        if value < 1024 or unit == "t":
            break
        value /= 1024
    return str(int(n)) if unit == "" else f"{value:.2f} {unit}"


def _clock_text(seconds: float) -> str:
    whole = int(max(seconds, 0))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def scheduler(model: Cluster) -> Scheduler:
    """The model's scheduler, created on first use."""
    with model._lock:
        existing = getattr(model, "task_scheduler", None)
        if existing is None:
            existing = Scheduler(model)
            model.task_scheduler = existing  # type: ignore[attr-defined]
        return existing
