# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup jobs run as scheduled tasks: command construction, exit codes, polling, results. No I/O.

A job is a scheduled task (``\\wsfc.csv\\<name>``) whose one action is::

    cmd.exe /d /s /c ""<tool>" "<arg>" ... > "<log>" 2>&1"

cmd.exe with ``/s`` strips the first and the last quote and runs the rest, so the tool's output lands in the
log and cmd's exit code is the tool's, which the Task Scheduler keeps as the task's last result.

Values are data, never script text: the command line is built here, in Python, from the task's arguments
(placeholders such as ``{snapshot_path}`` are replaced inside each argument, once: a value that itself looks
like a placeholder stays text), every argument is double-quoted, and a value that could escape its quotes is
refused: a double quote, ``%`` (cmd.exe expands ``%variables%`` even inside quotes), ``!`` (expanded inside
quotes too when delayed expansion is enabled on the node, e.g. by the ``DelayedExpansion`` registry value), or a
control character such as a newline (it ends cmd.exe's command). Inside double quotes cmd.exe takes ``&``,
``|``, ``<``, ``>``, ``^``, ``(``, ``)``, ``;`` and spaces literally, so these stay data. Trailing backslashes
are doubled, as the Microsoft C runtime's argument rules require before a closing quote. The command line then
travels to the node inside the base64 JSON arguments of the operation script (on its standard input), which
passes it to ``New-ScheduledTaskAction -Argument``.
"""

from __future__ import annotations

import re

TASK_PATH = "\\wsfc.csv\\"
DEFAULT_LOG_DIR = "C:\\ProgramData\\wsfc.csv\\jobs"
METHODS = ("wbadmin", "copy", "command")
PLACEHOLDERS = ("snapshot_path", "volume", "node", "csv", "target", "name")

# Task Scheduler constants (learn.microsoft.com/windows/win32/taskschd/task-scheduler-error-and-success-constants)
SCHED_S_TASK_RUNNING = 0x00041301
SCHED_S_TASK_HAS_NOT_RUN = 0x00041303
SCHED_S_TASK_TERMINATED = 0x00041306

# robocopy (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/robocopy): /E
# subfolders, empty ones too; /B backup mode ("robocopy overrides file and folder permission settings (ACLs), which
# might otherwise block access"); /COPY:DATSO data, attributes, time stamps, NTFS ACLs and owner of each file (the
# default DAT drops ACLs and owners, so a restored file server would lose its permissions; U, auditing, needs the
# security privilege and is left out); /DCOPY:DAT data, attributes and time stamps of folders; /XJ "Excludes
# junction points, which are normally included by default" (inside a snapshot a junction leads into live data or
# loops); /R:1 /W:1 one retry after one second; /NP no progress; /BYTES sizes as bytes (parse_bytes).
ROBOCOPY_OPTIONS = ("/E", "/B", "/COPY:DATSO", "/DCOPY:DAT", "/XJ", "/R:1", "/W:1", "/NP", "/BYTES")

SYSTEM_ACCOUNT = "NT AUTHORITY\\SYSTEM"
RUN_AS_KINDS = ("auto", "system", "user", "gmsa")
# The task's Priority (TaskSettings.Priority, https://learn.microsoft.com/en-us/windows/win32/taskschd/
# tasksettings-priority): the default 7 is BELOW_NORMAL_PRIORITY_CLASS, "used for background tasks"; 4, 5 and 6 all
# start the action in NORMAL_PRIORITY_CLASS. 6 is the lowest of them: the backup runs at normal priority, as when
# started by hand, and no higher.
TASK_PRIORITY = 6
DEFAULT_LOG_LINES = 20
# Lines read from the end of the log at least, whatever log_lines is, so that robocopy's job summary (rule, header,
# Dirs, Files, Bytes, Times, Speed, Speed, Ended) is inside what is parsed for bytes.
SUMMARY_LINES = 16

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_PLACEHOLDER = re.compile(r"\{(%s)\}" % "|".join(PLACEHOLDERS))
_FORBIDDEN = re.compile(r'["%!\x00-\x1f\x7f]')
SHOWN = 120  # characters of a refused value quoted in a message


class BackupJobError(ValueError):
    """The task's arguments cannot make a safe, well-defined job; the message says what to change."""


def validate_name(name):
    if not isinstance(name, str) or not _NAME.match(name):
        raise BackupJobError("name %s is not usable as a job name: use 1-80 letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit" % shown("%s" % (name,)))
    return name


def task_logon(user, password=None, kind="auto"):
    """How the task's account logs on: ``service_account``, ``gmsa`` or ``password`` (backup_job_start.ps1).

    ``NT AUTHORITY\\SYSTEM`` logs on as a service account (TASK_LOGON_SERVICE_ACCOUNT, no password). A group
    managed service account (``kind`` gmsa, or ``auto`` and a name ending in ``$``) logs on with LogonType Password
    and no password: Active Directory keeps it (New-ScheduledTaskPrincipal). Any other account needs its password
    (TASK_LOGON_PASSWORD: "The password must be supplied at registration time"); registered without one, the task
    would get an interactive token and never start when nobody is logged on, so it is refused here.
    """
    user = "%s" % (user or "",)
    if kind not in RUN_AS_KINDS:
        raise BackupJobError("run_as_kind %r is not one of %s" % (kind, ", ".join(RUN_AS_KINDS)))
    if not user.strip():
        raise BackupJobError("run_as_user is empty: give the account the backup job runs as")
    system = user.lower() == SYSTEM_ACCOUNT.lower()
    if kind == "system" or (kind == "auto" and system):
        if not system:
            raise BackupJobError("run_as_kind=system is for %s, not %s" % (SYSTEM_ACCOUNT, shown(user)))
        if password:
            raise BackupJobError("%s takes no password; remove run_as_password" % SYSTEM_ACCOUNT)
        return "service_account"
    if system:
        raise BackupJobError("%s is run_as_kind system (or auto), not %s" % (SYSTEM_ACCOUNT, kind))
    if kind == "gmsa" or (kind == "auto" and user.endswith("$")):
        if password:
            raise BackupJobError("%s is a group managed service account, which has no password of its own (Active "
                                 "Directory manages it); remove run_as_password" % shown(user))
        return "gmsa"
    if not password:
        raise BackupJobError("run_as_user %s needs run_as_password: without it the scheduled task would only run "
                             "while that account is logged on, so it would never start. For a group managed "
                             "service account end its name with $ (DOMAIN\\name$) or set run_as_kind=gmsa"
                             % shown(user))
    return "password"


def start_args(name, execute, argument, user, password, logon, timeout, log_dir=None):
    """The arguments of ``backup_job_start.ps1``: ExecutionTimeLimit is the job's timeout (0: none)."""
    return {"name": name, "task_path": TASK_PATH, "execute": execute, "argument": argument, "user": user,
            "password": (password or "") if logon == "password" else "", "logon": logon,
            "time_limit_s": max(int(timeout or 0), 0), "priority": TASK_PRIORITY,
            "log_dir": (log_dir or DEFAULT_LOG_DIR).rstrip("\\")}


def task_id(name):
    """The job id: the scheduled task's full path."""
    return TASK_PATH + name


def log_path(name, log_dir=None):
    return (log_dir or DEFAULT_LOG_DIR).rstrip("\\") + "\\" + name + ".log"


def shown(text):
    """A value as a message quotes it: repr, cut after SHOWN characters."""
    if len(text) <= SHOWN:
        return repr(text)
    return "%r... (%d characters)" % (text[:SHOWN], len(text))


def cmd_unsafe(value):
    """True when cmd.exe would read part of ``value`` as syntax even inside double quotes (see the module doc)."""
    return _FORBIDDEN.search("%s" % (value,)) is not None


def quote(value):
    """One command-line argument, double-quoted; refuses what could leave the quotes."""
    text = "%s" % (value,)
    bad = _FORBIDDEN.search(text)
    if bad:
        names = {'"': "a double quote", "%": "'%'", "!": "'!'"}
        what = names.get(bad.group(0), "a control character (%r)" % bad.group(0))
        raise BackupJobError("the argument %s contains %s, which cannot be passed safely through cmd.exe (the "
                             "backup job's scheduled task runs the tool through cmd.exe, which would read it as "
                             "syntax, not text). Nothing was changed; use a path or value without it (for a "
                             "target, a share or folder name without \", %%, ! or line breaks)" % (shown(text), what))
    stripped = text.rstrip("\\")
    return '"' + stripped + "\\" * (2 * (len(text) - len(stripped))) + '"'


def include_error(values, option="-include"):
    """wbadmin's ``-include`` and ``-hyperv`` are comma-delimited lists: an item with ``,`` would become two."""
    bad = [v for v in values or [] if "," in "%s" % (v,)]
    if not bad:
        return None
    return ("%s contains ',', which wbadmin reads as a separator of its comma-delimited %s list, so it would back up "
            "other items than this one "
            "(https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wbadmin-start-backup); "
            "rename it or back it up with another method" % (", ".join(shown("%s" % (v,)) for v in bad), option))


def is_device_path(path):
    """A ``\\\\?\\GLOBALROOT\\...`` (or other ``\\\\?\\``/``\\\\.\\``) device path rather than a folder."""
    text = str(path or "").replace("/", "\\")
    return text.startswith(("\\\\?\\", "\\\\.\\")) or "globalroot" in text.lower()


def substitute(template, values):
    """Replace ``{placeholder}`` in one argument with its value (as text, not as code)."""
    def repl(match):
        key = match.group(1)
        value = values.get(key)
        if value is None:
            raise BackupJobError("the placeholder {%s} in %r has no value here (set the option it comes from)"
                                 % (key, template))
        return "%s" % (value,)
    return _PLACEHOLDER.sub(repl, template)


def build_argv(method, node, volume=None, snapshot_path=None, target=None, vms=None, command=None,
               csv=None, name=None):
    """The tool's argument vector for ``method``."""
    if method == "wbadmin":
        if not target:
            raise BackupJobError("method wbadmin needs target (the backup target, e.g. \\\\server\\share)")
        if not volume and not vms:
            raise BackupJobError("method wbadmin needs csv (its volume is backed up) or vms")
        refused = include_error([volume.rstrip("\\")] if volume else [], "-include") or include_error(vms, "-hyperv")
        if refused:
            raise BackupJobError(refused)
        argv = ["wbadmin.exe", "start", "backup", "-backupTarget:" + target]
        if volume:
            argv.append("-include:" + volume.rstrip("\\"))
        if vms:
            argv.append("-hyperv:" + ",".join(vms))
        return argv + ["-quiet"]
    if method == "copy":
        if not snapshot_path or not target:
            raise BackupJobError("method copy needs snapshot_path (the folder the snapshot is exposed at, the "
                                 "exposed_path wsfc.csv.csv_snapshot returns) and target")
        if is_device_path(snapshot_path):
            raise BackupJobError("method copy reads a snapshot from the folder it is exposed at (exposed_path of "
                                 "wsfc.csv.csv_snapshot), not from its device object %s: the robocopy documentation "
                                 "does not say that it accepts a device path as its source" % shown(snapshot_path))
        return ["robocopy.exe", snapshot_path, target] + list(ROBOCOPY_OPTIONS)
    if method == "command":
        if not command:
            raise BackupJobError("method command needs command (the program and its arguments, as a list)")
        values = {"snapshot_path": snapshot_path, "volume": volume, "node": node, "csv": csv, "target": target,
                  "name": name}
        return [substitute(part, values) for part in command]
    raise BackupJobError("unknown method %r (known: %s)" % (method, ", ".join(METHODS)))


def build_action(argv, log):
    """``(execute, argument)`` for ``New-ScheduledTaskAction``."""
    inner = " ".join(quote(a) for a in argv) + " > " + quote(log) + " 2>&1"
    return "cmd.exe", '/d /s /c "' + inner + '"'


def succeeded(method, exit_code):
    """robocopy: 0-7 success, 8 and more failure; wbadmin and commands: 0 success."""
    if exit_code is None:
        return False
    return exit_code < 8 if method == "copy" else exit_code == 0


def job_state(status, method):
    """``absent``, ``not_started``, ``running``, ``succeeded``, ``failed`` or ``cancelled`` from a status read.

    ``Queued`` (TASK_STATE_QUEUED: the Task Scheduler is about to run it) counts as running.
    """
    if not status.get("exists"):
        return "absent"
    result = status.get("last_result")
    if status.get("task_state") in ("Running", "Queued") or result == SCHED_S_TASK_RUNNING:
        return "running"
    if result == SCHED_S_TASK_HAS_NOT_RUN or status.get("last_run") is None:
        return "not_started"
    if result == SCHED_S_TASK_TERMINATED:
        return "cancelled"
    return "succeeded" if succeeded(method, result) else "failed"


# Start-ScheduledTask "starts a registered background task asynchronously": a task that has not run yet this long
# after it was started is taken as never started.
NOT_STARTED_GRACE_S = 30.0


def waiting(state, seconds_since_start):
    """True while a job just started is to be polled again: running, or not started yet within the grace."""
    return state == "running" or (state == "not_started" and seconds_since_start < NOT_STARTED_GRACE_S)


def ended_unexpectedly(state, node, csv, job, user=None):
    """After this module started a job: ``(state, message)`` for a task that vanished, never started or was
    stopped by someone else (each is a failure), or None for any other state."""
    where = "%s%s: backup job %s" % ("CSV %s on " % csv if csv else "", node or "the node", job)
    if state == "absent":
        return "failed", ("%s vanished: its scheduled task was removed by someone else before the job ended, so the "
                          "backup is incomplete. Find out who removes tasks under %s on %s, then back the CSV up "
                          "again." % (where, TASK_PATH, node))
    if state == "not_started":
        return "failed", ("%s never started: the Task Scheduler has not run it (its last result is still "
                          "SCHED_S_TASK_HAS_NOT_RUN). Check that the account %s exists, may log on as a batch job "
                          "(Administrators and Backup Operators may by default) and, for a password account, that "
                          "run_as_password is current; then back the CSV up again."
                          % (where, shown(user) if user else "it runs as"))
    if state == "cancelled":
        return "failed", ("%s was stopped by someone else before it finished (the Task Scheduler's last result is "
                          "SCHED_S_TASK_TERMINATED), so the backup is incomplete. Back the CSV up again." % where)
    return None


def parse_bytes(method, log_lines):
    """Bytes copied, from the tool's own output, or None.

    robocopy (method ``copy``) ends its output with a job summary whose columns are Total, Copied, Skipped,
    Mismatch, FAILED and Extras; its ``Bytes :`` row, with ``/BYTES`` ("Prints sizes, as bytes", which the copy
    method passes), holds plain numbers: the Copied column is returned. Without ``/BYTES`` robocopy prints scaled
    sizes (``1.5 g``), which are not exact, so None. wbadmin prints no byte count in its output and a user's
    command prints what it likes: None for both.
    """
    if method != "copy":
        return None
    for line in reversed(log_lines or []):
        stripped = line.strip()
        if stripped.startswith("Bytes :"):
            fields = stripped[len("Bytes :"):].split()
            if len(fields) >= 6 and all(f.isdigit() for f in fields[:6]):
                return int(fields[1])
            return None
    return None


def tail_lines(log_lines):
    """How many lines the status read takes from the end of the log: log_lines, and the summary at least."""
    return max(int(log_lines), SUMMARY_LINES)


def status_args(name, log_dir=None, csv=None, log_lines=DEFAULT_LOG_LINES, lock=None):
    """The arguments of ``backup_job_status.ps1`` for one job (one round trip reads task, log tail and CSV).

    ``lock``: ``{"path", "nonce"}`` of the run's backup lock, whose heartbeat the same read refreshes (None: not).
    """
    lock = lock if isinstance(lock, dict) and lock.get("path") and lock.get("nonce") else {}
    return {"name": name, "task_path": TASK_PATH, "log": log_path(name, log_dir), "log_lines": tail_lines(log_lines),
            "csv": csv or "", "lock": str(lock.get("path") or ""), "lock_nonce": str(lock.get("nonce") or "")}


def next_delay(elapsed, timeout, interval):
    """Seconds to sleep before the next poll, or None when the poll budget is spent."""
    remaining = timeout - elapsed
    if remaining <= 0:
        return None
    return max(min(interval, remaining), 0.0)


def shape(status, method, name, changed, log_lines=DEFAULT_LOG_LINES):
    """The module's result from a status read.

    ``start`` is the Task Scheduler's LastRunTime. The Task Scheduler documents no end time of a run, so ``end``
    is the log file's LastWriteTimeUtc, taken only once the job has finished (succeeded, failed or cancelled):
    the tool writes its log until it exits (robocopy's summary is its last output). ``bytes`` is parsed from the
    tool's output (``parse_bytes``); ``log_tail`` is the last ``log_lines`` lines of the log.
    """
    state = job_state(status, method)
    read = list(status.get("log_tail") or [])
    tail = read[max(len(read) - log_lines, 0):] if log_lines > 0 else []
    exit_code = status.get("last_result") if state in ("succeeded", "failed") else None
    return {
        "changed": changed,
        "job_id": task_id(name),
        "name": name,
        "node": status.get("node"),
        "state": state,
        "exit_code": exit_code,
        "start": status.get("last_run") if state != "not_started" else None,
        "end": status.get("log_written") if state in ("succeeded", "failed", "cancelled") else None,
        "bytes": parse_bytes(method, read),
        "log_path": status.get("log"),
        "log_tail": tail,
    }


def failure_message(result, method, csv, timeout=None):
    """Why the job is not a success, naming node and CSV, and what to do next."""
    where = "on %s" % result.get("node") if result.get("node") else ""
    what = "backup job %s (%s%s) %s" % (result["job_id"], method, ", CSV %s" % csv if csv else "", where)
    state = result["state"]
    if state == "running":
        return ("%s is still running after %s s; it was left running. Run the task again with state=finished "
                "to keep waiting, or state=absent to stop it." % (what, timeout))
    if state == "failed":
        hint = ("robocopy exit codes 8 and above mean some files were not copied" if method == "copy"
                else "a non-zero exit code means the backup did not complete")
        return ("%s failed with exit code %s (%s). Read log_tail (%s), fix the cause, then remove the job with "
                "state=absent and start it again." % (what, result.get("exit_code"), hint, result.get("log_path")))
    if state == "cancelled":
        return "%s was stopped before it finished. Remove it with state=absent and start it again." % what
    return "%s is %s. Start it with state=started or state=finished." % (what, state)
