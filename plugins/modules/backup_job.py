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
  - "O(method=copy): C(robocopy) from an exposed snapshot (for example the device object that
    M(wsfc.csv.csv_snapshot) returns) to O(target). Exit codes 0-7 are success, 8 and above failure."
  - "O(method=command): your own backup program. Placeholders C({snapshot_path}), C({volume}), C({node}),
    C({csv}), C({target}) and C({name}) in its arguments are replaced with their values as data."
  - The tool's output goes to a log file on the node (O(log_dir)).
  - O(state=finished) starts the job if needed and polls it with short, separate calls until it ends or
    O(timeout) passes. A job that is still running then is reported as C(running) and left running.
  - O(state=absent) stops a running job and unregisters its task.
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
  method:
    description: How the backup is made.
    type: str
    choices: [wbadmin, copy, command]
    default: wbadmin
  csv:
    description:
      - The CSV's cluster resource name. Its volume path is what O(method=wbadmin) backs up and C({volume}).
    type: str
  snapshot_path:
    description:
      - The exposed snapshot to read, for O(method=copy) and C({snapshot_path}), e.g.
        C(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy12\\).
    type: str
  target:
    description:
      - Where the backup goes (wbadmin C(-backupTarget), robocopy destination, C({target})).
    type: str
  vms:
    description: Hyper-V virtual machines to back up with O(method=wbadmin) (C(-hyperv)).
    type: list
    elements: str
  command:
    description:
      - For O(method=command), the program and its arguments, one list item per argument.
      - Each argument is passed double-quoted; an argument with a double quote, C(%) or a control character is
        refused, because cmd.exe would interpret it.
    type: list
    elements: str
  run_as_user:
    description: The account the scheduled task runs as.
    type: str
    default: NT AUTHORITY\SYSTEM
  run_as_password:
    description:
      - The password of O(run_as_user). Not needed for well-known system accounts.
      - Never returned or logged; it is not part of the task's visible arguments.
    type: str
  log_dir:
    description: Folder on the node for the job's log file C(<name>.log).
    type: str
    default: C:\ProgramData\wsfc.csv\jobs
  timeout:
    description: Seconds O(state=finished) waits for the job.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between status reads while waiting.
    type: float
    default: 5.0
extends_documentation_fragment:
  - wsfc.csv.node_connection
attributes:
  check_mode:
    support: full
    description: Reads the job and the CSV, checks the arguments and reports whether it would start or remove it.
  diff_mode:
    support: full
    description: Shows the job's state before and after.
  platform:
    support: full
    platforms: windows
    description: A node of a Windows Server failover cluster with the ScheduledTasks PowerShell module.
notes:
  - Each status read, the start and the stop are one WinRM round trip each.
  - The log file stays on the node after O(state=absent).
seealso:
  - module: wsfc.csv.csv_snapshot
  - name: Register-ScheduledTask
    description: The cmdlet that creates the job's task.
    link: https://learn.microsoft.com/en-us/powershell/module/scheduledtasks/register-scheduledtask
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

- name: Copy an exposed snapshot with robocopy, in the background
  wsfc.csv.backup_job:
    name: disk1-copy
    method: copy
    snapshot_path: "{{ snap.device_object }}\\"
    target: \\backup01\csv\disk1
    state: started

- name: Run your own tool
  wsfc.csv.backup_job:
    name: disk1-tool
    method: command
    csv: Cluster Disk 1
    command: ['C:\Tools\backup.exe', '--source={volume}', '--host={node}']

- name: Stop and remove a job
  wsfc.csv.backup_job:
    name: disk1-nightly
    state: absent
"""

RETURN = r"""
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
  description: C(absent), C(running), C(succeeded), C(failed) or C(cancelled).
  returned: always
  type: str
  sample: succeeded
exit_code:
  description: The tool's exit code, once it has ended.
  returned: always
  type: int
start:
  description: When the job started (UTC, ISO 8601), as the node's Task Scheduler recorded it.
  returned: always
  type: str
end:
  description: When the job ended, when the node reports it (null otherwise).
  returned: always
  type: str
bytes:
  description: Bytes copied, from robocopy's summary (null for other methods or when unknown).
  returned: always
  type: int
log_path:
  description: The job's log file on the node.
  returned: always
  type: str
log_tail:
  description: The last lines of the log, when the node returned them.
  returned: always
  type: list
  elements: str
"""
