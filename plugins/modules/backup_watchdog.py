#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_watchdog.py.

DOCUMENTATION = r"""
---
module: backup_watchdog
short_description: A watchdog on the cluster that undoes a backup run whose controller went away
version_added: 0.1.0
description:
  - A backup run that holds the cluster's backup lock (M(wsfc.csv.backup_lock)) arms its watchdog before it
    changes anything (O(state=present)). The cluster then has what it needs to undo the run without the
    controller, so a killed C(ansible-playbook), a lost controller or an AWX Cancel leaves nothing behind.
  - The run record C(run-<nonce>.json), written next to the lock on the CSV (every node reads the same file), says
    which CSVs the run reads and moves, their owners before the run (as read under the lock), and how long the
    lock's heartbeat may be silent (O(after)). The run's scheduled tasks (C(\wsfc.csv\csv-<run id>-*)) and
    snapshots (tagged C(wsfc.csv run <run id>)) are named by it before any exists.
  - The watchdog is a script of the collection, installed as C(watchdog-<nonce>.ps1) beside the record, and the
    clustered scheduled task C(wsfc.csv watchdog <nonce>) that runs it every O(interval) seconds on every node
    (C(Register-ClusteredScheduledTask -TaskType ClusterWide), so losing a node does not stop it). The folder
    gets an explicit, protected ACL granting only SYSTEM and Administrators, since the task runs as SYSTEM.
  - When the heartbeat (refreshed at every poll of M(wsfc.csv.backup_queue) and before every move) is older than
    O(after), or was marked expired (O(state=expired)), every node stops and removes the run's tasks and deletes
    the run's snapshots that it holds (each only when it is still the shadow copy recorded). Then one node moves
    the run's CSVs back to their owners before the run, releases the lock, writes what it did into the record
    (C(state) C(undone), C(undo)) and removes the watchdog. Every step is idempotent, so the controller coming
    back while the watchdog acts is safe.
  - O(state=absent) disarms it at the end of a run; a record the watchdog wrote is kept for people to read and
    returned. O(state=query) reads a run's record and watchdog (the restore entry point uses it).
options:
  state:
    description:
      - V(present) arms the watchdog, or updates its record (a run that re-plans reads after a failover); the
        same record again is no change.
      - V(absent) disarms it.
      - V(expired) hands the run over to the watchdog now (the controller is being stopped).
      - V(query) reads the record and the watchdog of the run O(nonce), or of the run that holds the lock.
    type: str
    choices: [present, absent, expired, query]
    default: present
  run_id:
    description: The run's id (required with O(state=present)).
    type: str
  nonce:
    description:
      - The run's lock nonce (M(wsfc.csv.backup_lock) RV(wsfc.csv.backup_lock#module:nonce)); required but with
        O(state=query), where the default is the nonce the lock holds.
    type: str
  lock_path:
    description:
      - The lock file the run holds (M(wsfc.csv.backup_lock) RV(wsfc.csv.backup_lock#module:path)); required but
        with O(state=query), where the default is the cluster's lock location.
    type: str
  ownership:
    description:
      - The cluster's ownership map as the C(csv_backup) role saves it (C(ownership.json)), with C(cluster),
        C(owners), C(moves), C(reads) and C(method). Required with O(state=present).
    type: dict
  after:
    description:
      - Seconds without a heartbeat after which the watchdog undoes the run.
      - Must be longer than the longest silence of a live run (a move or three polls) and at least five minutes.
    type: int
    default: 900
  interval:
    description: Seconds between two runs of the watchdog on each node (60 to 3600).
    type: int
    default: 60
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the record and the watchdog and says what would change; changes nothing.
  diff_mode:
    description: C(diff) shows the record's run id, state and digest, and whether the watchdog is armed.
  platform:
    description: A node of a Windows Server failover cluster that holds the run's backup lock.
notes:
  - Every state is one round trip.
  - The task's account needs to manage clustered scheduled tasks (a member of the node's Administrators).
seealso:
  - name: Register-ClusteredScheduledTask
    description: TaskType ClusterWide runs the task on all cluster nodes.
    link: https://learn.microsoft.com/powershell/module/scheduledtasks/register-clusteredscheduledtask
  - name: New-ScheduledTaskTrigger
    description: The time trigger that repeats every interval.
    link: https://learn.microsoft.com/powershell/module/scheduledtasks/new-scheduledtasktrigger
  - module: wsfc.csv.backup_lock
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Arm the watchdog before the first move
  wsfc.csv.backup_watchdog:
    run_id: "{{ run_id }}"
    nonce: "{{ lock.nonce }}"
    lock_path: "{{ lock.path }}"
    ownership: "{{ ownership_map }}"

- name: Disarm it at the end of the run
  wsfc.csv.backup_watchdog:
    state: absent
    nonce: "{{ lock.nonce }}"
    lock_path: "{{ lock.path }}"

- name: Read what the watchdog of the run holding the lock did
  wsfc.csv.backup_watchdog:
    state: query
  register: watchdog
"""

RETURN = r"""
node:
  description: The node that answered.
  returned: always
  type: str
lock_path:
  description: The lock file beside which the record lives.
  returned: success
  type: str
nonce:
  description: The run's nonce.
  returned: success
  type: str
task:
  description: The clustered scheduled task's name.
  returned: success
  type: str
armed:
  description: Whether the clustered task is registered (after the task).
  returned: success
  type: bool
record:
  description:
    - The run record (null when there is none), with C(state) C(active) or C(undone), C(owners), C(moves),
      C(csvs), C(reads), C(after_s), C(created), C(updated) and, when the watchdog acted, C(undo) (who, when, what
      each node removed, the moves back, the lock).
  returned: success
  type: dict
undone:
  description: Whether the watchdog undid the run.
  returned: with state absent or query
  type: bool
undo_lines:
  description: What the watchdog did, as lines.
  returned: with state absent or query
  type: list
  elements: str
undo_took_s:
  description: Seconds from the record's last update to the end of the watchdog's undo (the nodes' clocks).
  returned: with state absent or query
  type: int
msg:
  description: What was done.
  returned: always
  type: str
"""
