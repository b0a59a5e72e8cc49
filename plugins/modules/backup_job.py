#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_job.py.

DOCUMENTATION = r"""
---
module: backup_job
short_description: Run a CSV backup on a node as a scheduled task, wait for it, or stop it
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Starts a backup on the node the task runs on, detached from the WinRM session, as a scheduled task
    C(\\wsfc.csv\\<name>) that runs as O(run_as_user). The backup therefore keeps running when the session ends,
    and reaches a network target with that account's own credentials (no second hop from the WinRM session).
  - "O(method=wbadmin): Windows Server Backup (C(wbadmin start backup)) of the CSV's volume or of named Hyper-V
    virtual machines. wbadmin takes its own VSS snapshot."
  - "O(method=copy): C(robocopy) from the folder a snapshot is exposed at (the C(exposed_path) that
    M(wsfc.csv.csv_snapshot) returns) to O(target). A device path (C(\\\\?\\GLOBALROOT\\...)) is refused: the
    robocopy documentation does not say it accepts one as its source. robocopy runs in backup mode (C(/B)),
    copies data, attributes, time stamps, ACLs and owners of files (C(/COPY:DATSO)) and data, attributes and time
    stamps of folders (C(/DCOPY:DAT)), and skips junctions (C(/XJ)). Exit codes 0-7 are success, 8 and above
    failure."
  - "O(method=command): your own backup program. Placeholders C({snapshot_path}), C({volume}), C({node}),
    C({csv}), C({target}) and C({name}) in its arguments are replaced with their values as data."
  - The tool's output goes to a log file on the node (O(log_dir)).
  - O(state=finished) starts the job if needed and polls it with short, separate calls until it ends or
    O(timeout) passes. A job that is still running then is reported as C(running) and left running.
  - A job whose task never started (within 30 seconds), vanished, or was stopped by someone else is C(failed),
    with a message that names the node, the CSV and what happened.
  - O(state=absent) stops a running job and its tool's processes (Microsoft does not document that stopping the
    task ends the tool cmd.exe started, so the module ends the job's processes with C(Stop-Process) and checks
    that they are gone), unregisters its task and deletes its log file.
  - Each status read returns the job's state, its start and end, the bytes it copied (robocopy) and the last
    O(log_lines) lines of its log, in one round trip.
options:
  name:
    description:
      - The job's name; also its id. 1-80 letters, digits, C(.), C(_) or C(-).
      - A job with this name that runs or has finished is not started again.
    type: str
    required: true
  state:
    description:
      - C(started) starts the job and returns at once; C(finished) also waits for it; C(absent) stops and removes it.
    type: str
    choices: [started, finished, absent]
    default: finished
  # method, command, run_as_user, run_as_password and log_dir come from wsfc.csv.backup_job_options (shared with
  # backup_queue); this module gives only the default of method.
  method:
    default: wbadmin
  csv:
    description:
      - The CSV's cluster resource name. Its volume path is what O(method=wbadmin) backs up and C({volume}).
    type: str
  snapshot_path:
    description:
      - The folder the snapshot is exposed at, for O(method=copy) and C({snapshot_path}), e.g.
        C(C:\\ProgramData\\wsfc.csv\\exposed\\snap-0123456789abcdef0123\\) (the C(exposed_path) of
        M(wsfc.csv.csv_snapshot)).
    type: str
  target:
    description:
      - Where the backup goes (wbadmin C(-backupTarget), robocopy destination, C({target})).
      - For O(method=copy) a UNC path (C(\\server\share\folder)) or a path that starts with a drive letter
        (C(E:\Backups\disk1)); for O(method=wbadmin) a UNC path to a remote shared folder. Anything else is refused
        before anything is changed (C(\backup01\csv), with one leading backslash, is a folder on the node's system
        drive, which is what C(-e target=\\backup01\csv) becomes in Ansible's C(key=value) parsing).
      - With O(method=wbadmin), give each computer and backup its own folder, as M(wsfc.csv.backup_queue) does, since a
        backup to a shared folder overwrites the previous backup of the same computer in that folder.
    type: str
  vms:
    description: Hyper-V virtual machines to back up with O(method=wbadmin) (C(-hyperv)).
    type: list
    elements: str
  timeout:
    description:
      - Seconds O(state=finished) waits for the job.
      - Also the scheduled task's execution time limit (0 for none). The Task Scheduler documents that a task
        started on demand, as this module starts it, bypasses that limit, so it is a safety net only; a job still
        running after O(timeout) is reported as C(running) and left running.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between status reads while waiting.
    type: float
    default: 5.0
  log_lines:
    description:
      - How many lines from the end of the job's log to return in RV(log_tail) (0 for none).
      - The node reads only the end of the log (C(Get-Content -Tail)), so a large log is not transferred.
    type: int
    default: 20
  coordinator:
    description:
      - With O(state=started) and O(csv), the node that should coordinate the CSV when the job starts. When another
        node coordinates it (the CSV balancer or a failover moved it after its snapshot was taken), no job is started
        and the task fails with RV(coordinator_now). Read in the same round trip as the job's state.
    type: str
extends_documentation_fragment:
  - wsfc.csv.backup_job_options
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the job and the CSV, checks the arguments and reports whether it would start or remove it.
  diff_mode:
    description: Shows the job's state before and after.
  platform:
    description: A node of a Windows Server failover cluster with the ScheduledTasks PowerShell module.
notes:
  - Each status read, the start and the stop are one WinRM round trip each.
  - O(state=absent) deletes the log file too; when only the log is left (its task was removed otherwise), it is
    deleted and the task reports a change.
  - The Task Scheduler records when a task last started (C(LastRunTime)) but documents no end time, so RV(end) is
    the log file's last write time (C(LastWriteTimeUtc)), reported once the job has finished.
seealso:
  - module: wsfc.csv.csv_snapshot
  - name: Register-ScheduledTask
    description: The cmdlet that creates the job's task.
    link: https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/register-scheduledtask
  - name: Security Contexts for Tasks
    description: Logon types, the batch logon right and run levels of scheduled tasks.
    link: https://learn.microsoft.com/en-us/windows/win32/taskschd/security-contexts-for-running-tasks
"""

EXAMPLES = r"""
- name: Back up a CSV with Windows Server Backup on its coordinator, and wait
  wsfc.csv.backup_job:
    name: disk1-nightly
    method: wbadmin
    csv: Cluster Disk 1
    target: \\backup01\csv
    run_as_user: CONTOSO\svc-backup
    run_as_password: "{{ vault_backup_password }}"
    timeout: 14400

- name: The same as a group managed service account (no password; the name ends in $)
  wsfc.csv.backup_job:
    name: disk1-nightly-gmsa
    method: wbadmin
    csv: Cluster Disk 1
    target: \\backup01\csv
    run_as_user: CONTOSO\svc-backup$
    timeout: 14400

- name: Snapshot a CSV
  wsfc.csv.csv_snapshot:
    name: Cluster Disk 1
  register: snap

- name: Copy the snapshot with robocopy and wait
  wsfc.csv.backup_job:
    name: disk1-copy
    method: copy
    snapshot_path: "{{ snap.snapshot.exposed_path }}\\"
    target: \\backup01\csv\disk1
    log_lines: 10
  register: copy

- name: Show what was copied
  ansible.builtin.debug:
    msg: "{{ copy.bytes }} bytes from {{ copy.start }} to {{ copy.end }}; {{ copy.log_tail | join('\n') }}"

- name: Copy in the background
  wsfc.csv.backup_job:
    name: disk1-copy-bg
    method: copy
    snapshot_path: "{{ snap.snapshot.exposed_path }}\\"
    target: \\backup01\csv\disk1
    state: started

- name: Run your own tool
  wsfc.csv.backup_job:
    name: disk1-tool
    method: command
    csv: Cluster Disk 1
    command: ['C:\Tools\backup.exe', '--source={volume}', '--host={node}']

- name: Stop and remove a job and its log
  wsfc.csv.backup_job:
    name: disk1-nightly
    state: absent

- name: Delete the snapshot
  wsfc.csv.csv_snapshot:
    name: Cluster Disk 1
    state: absent
"""

RETURN = r"""
coordinator_now:
  description: The node that coordinates the CSV, when it is not O(coordinator) (no job was started).
  returned: failed, when O(coordinator) is set and another node coordinates the CSV
  type: str
  sample: NODE3
job_id:
  description: The job's id, the scheduled task's full path.
  returned: always
  type: str
  sample: \wsfc.csv\disk1-nightly
node:
  description: The node the job runs on.
  returned: always
  type: str
state:
  description:
    - C(absent), C(running), C(succeeded), C(failed) or C(cancelled).
    - With O(state=finished), a job this module started or waited for whose task never started, vanished or was
      stopped by someone else is C(failed).
  returned: always
  type: str
  sample: succeeded
exit_code:
  description:
    - The tool's exit code, once it has ended (null while it runs or when it was stopped).
    - robocopy (O(method=copy)) 0-7 is success, 8 and above failure; wbadmin and commands 0 is success.
  returned: always
  type: int
start:
  description: When the job started (UTC, ISO 8601), the Task Scheduler's C(LastRunTime) of the task.
  returned: always
  type: str
  sample: "2026-01-05T01:00:00.0000000Z"
end:
  description:
    - When the job ended (UTC, ISO 8601), once it has succeeded, failed or been cancelled; null while it runs.
    - The Task Scheduler documents no end time of a run, so this is the log file's C(LastWriteTimeUtc) (the tool
      writes its log until it exits).
  returned: always
  type: str
  sample: "2026-01-05T01:42:10.0000000Z"
bytes:
  description:
    - Bytes copied, from the C(Bytes :) row (column Copied) of robocopy's job summary, which O(method=copy) prints
      as plain numbers (robocopy C(/BYTES)).
    - Null for wbadmin (it prints no byte count), for commands, while the job runs, and when the summary is not
      in the log.
  returned: always
  type: int
  sample: 20000000000
log_path:
  description: The job's log file on the node.
  returned: always
  type: str
  sample: C:\ProgramData\wsfc.csv\jobs\disk1-copy.log
log_tail:
  description: The last O(log_lines) lines of the log (empty when there is no log yet).
  returned: always
  type: list
  elements: str
stopped:
  description: Whether O(state=absent) stopped a running job.
  returned: when O(state=absent) removed something
  type: bool
log_removed:
  description: Whether O(state=absent) deleted the job's log file.
  returned: when O(state=absent) removed something
  type: bool
"""
