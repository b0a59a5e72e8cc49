#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_lock.py.

DOCUMENTATION = r"""
---
module: backup_lock
short_description: A cluster-wide lock so that two backups of one cluster never overlap
version_added: 0.1.0
description:
  - Takes (O(state=present)) or releases (O(state=absent)) a lock that every node of the cluster sees, a small
    JSON file on a Cluster Shared Volume, whose namespace is the same on every node. Whichever node a run talks
    to, it sees the same lock.
  - The lock's holder is the run's O(nonce), a random value the run keeps, not its O(run_id). A second run with the
    same run id (a job template that sets one) is refused like any other run.
  - The lock is created atomically with C(New-Item -ItemType File) without C(-Force), which fails when the file
    exists, so of two runs racing (through the same node or different nodes) exactly one gets it. The other is
    refused with the holder's owner, run id, creation time, age and last heartbeat.
  - The lock file holds C(version) (2), C(nonce), C(run_id), C(owner), C(created) (the node's UTC clock when it
    was taken) and C(node), and is never rewritten. Its heartbeat is a second file next to it,
    C(heartbeat-<nonce>.json), written when the lock is taken, by every status poll of M(wsfc.csv.backup_queue)
    (its O(wsfc.csv.backup_queue#module:lock) option, in the same round trip) and by O(state=present) again with
    the same nonce (how the C(csv_backup) role refreshes it between long steps). It is written as a temporary file
    put in place with C([System.IO.File]::Replace).
  - Ages are computed from the node's own clock, so a controller in another time zone or with a skewed clock does
    not change them. A lock is stale when its last sign of life (the newer of C(created) and the heartbeat) is
    older than O(stale_after). It is reported as such and only broken when O(break_stale=true). A run that is
    still polling its backups is never stale, however long its backups take.
  - Breaking and releasing are atomic. The lock is first renamed to a name of this run's
    (C(backup.lock.break-<nonce>), C(backup.lock.release-<nonce>)) with C([System.IO.File]::Move), which fails
    when the file is no longer there, so of two breakers exactly one gets it. A break then deletes it only if it
    is still the text that was judged stale and its heartbeat has not changed since, and takes the lock; otherwise
    it moves it back and is refused. A release deletes it only if it holds this run's nonce (or O(force=true)),
    otherwise it moves it back.
  - The location (without O(path)) is recorded once per cluster, in a marker C(<CSV>\.wsfc.csv\lock.home) that the
    first acquire writes on the first CSV by path; later runs use the CSV the marker names, so the lock does not
    move when CSVs are added or renamed. A lock file found on another CSV (left by an older version, which put it
    on the first CSV by path, or by a run with O(path)) is reported and nothing is taken.
  - When the connection drops while the lock is being taken or broken, the lock is read again (a read is
    retried). Holding this run's nonce, the task goes on as if it had answered; held by another run, it is
    refused; not there, it is taken once more.
  - A lock file that is not valid JSON is reported as held by C(unknown), aged from the file's
    C(LastWriteTimeUtc), and is stale by that age. A lock of an older version (no nonce) is held by its run id.
options:
  state:
    description:
      - V(present) takes the lock for O(run_id); holding it already is no change. V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  run_id:
    description:
      - Identifies this backup run; give every run its own (the C(csv_backup) role passes a unique id).
      - Stored verbatim in the lock file.
    type: str
    required: true
  nonce:
    description:
      - The run's holder identity, 32 lower-case hexadecimal digits, stored in the lock. Give the same value to
        every task of one run that takes, refreshes or releases the lock (the C(csv_backup) role makes one per
        run); another value is another holder.
      - Default a new random one (returned as RV(nonce)).
    type: str
  owner:
    description:
      - Free text stored in the lock to say who took it.
      - Default C(<user>@<controller host> pid <pid>), built on the controller.
    type: str
  path:
    description:
      - The lock file.
      - Default C(<CSV>\.wsfc.csv\backup.lock) on the CSV recorded by the C(lock.home) marker, or, before the first
        acquire wrote one, on the first CSV ordered by its path, case-insensitively (from C(Get-ClusterSharedVolume)).
        It must be on a CSV for the lock to be cluster-wide.
    type: str
  stale_after:
    description:
      - Seconds without a heartbeat after which a lock is stale. Keep it well above the longest time a live run
        goes without one (the poll interval of its backup queue, a move of a CSV).
    type: int
    default: 1800
  break_stale:
    description:
      - With O(state=present), replace a stale lock held by another run (with a warning naming its owner and age).
      - A lock that is not stale is never broken.
    type: bool
    default: false
  force:
    description: With O(state=absent), also remove a lock held by another run (with a warning).
    type: bool
    default: false
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the lock and reports what would happen; changes nothing.
  diff_mode:
    description: C(diff) shows the lock path and who holds it (run id and owner, or null) before and after.
  platform:
    description: A node of a Windows Server failover cluster with at least one Cluster Shared Volume.
notes:
  - Taking or releasing the lock is one round trip; breaking a stale lock is two (the second renames it and acts
    only on what the first read); taking it again with the same nonce is two (the second refreshes the heartbeat).
  - Release the lock at the end of a run, also when it fails (an C(always) section), so the next run is not
    refused until the lock goes stale.
seealso:
  - name: File.Move
    description: Throws when the destination exists and when the source is not found, so one renamer wins.
    link: https://learn.microsoft.com/en-us/dotnet/api/system.io.file.move?view=netframework-4.8
  - name: File.Replace
    description: Replaces a file's contents with another file's, deleting that file (the heartbeat's write).
    link: https://learn.microsoft.com/en-us/dotnet/api/system.io.file.replace?view=netframework-4.8
  - name: New-Item
    description: Without -Force, New-Item does not overwrite an existing file; -Force does.
    link: https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/new-item?view=powershell-5.1
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Take the backup lock for this run
  wsfc.csv.backup_lock:
    run_id: "{{ backup_run_id }}"

- name: Take it, breaking a lock older than 6 hours
  wsfc.csv.backup_lock:
    run_id: "{{ backup_run_id }}"
    nonce: "{{ backup_nonce }}"
    stale_after: 1800
    break_stale: true

- name: Release it
  wsfc.csv.backup_lock:
    run_id: "{{ backup_run_id }}"
    state: absent
"""

RETURN = r"""
nonce:
  description: This run's nonce (the one given, or the one made); give it to the tasks that refresh or release the
    lock.
  returned: always
  type: str
  sample: 0f3c9a1e5b7d4c2a8e6f1b3d5a7c9e0f
node:
  description: The computer name of the node that answered.
  returned: always
  type: str
path:
  description: The lock file.
  returned: always
  type: str
  sample: C:\ClusterStorage\Volume1\.wsfc.csv\backup.lock
lock:
  description:
    - The lock as it is after the task (in check mode, as it would be); with O(state=absent), the lock that was
      (or would be) removed, or null when there was none; when refused, the lock that holds.
  returned: always
  type: dict
  contains:
    path:
      description: The lock file.
      type: str
    nonce:
      description: The holder's nonce; null for a lock of an older version or a file that is not a valid lock.
      type: str
    run_id:
      description: The run that holds it; null for a file that is not a valid lock.
      type: str
    owner:
      description: Who took it; C(unknown) for a file that is not a valid lock.
      type: str
    created:
      description: When it was taken, UTC (C(2026-11-25T02:00:00Z)); null when not known yet (check mode).
      type: str
    node:
      description: The node it was taken through.
      type: str
    heartbeat:
      description: Its last heartbeat, UTC; null when none was written.
      type: str
    age_s:
      description: Its age in seconds by the node's clock.
      type: int
    idle_s:
      description: Seconds since its last sign of life (the newer of C(created) and C(heartbeat)).
      type: int
    stale:
      description: Whether C(idle_s) is more than O(stale_after).
      type: bool
broken:
  description: The stale lock that was (or would be) broken, with the keys of RV(lock).
  returned: when a stale lock was broken
  type: dict
elsewhere:
  description: Lock files found on other CSVs than the cluster's lock location (nothing was taken).
  returned: when one was found
  type: list
  elements: str
aside:
  description: The name a lock was renamed to and left at, when it could not be put back (see the message).
  returned: when a break or release could not put a lock back
  type: str
diff:
  description: The lock path, run id and owner before and after.
  returned: success
  type: dict
msg:
  description: What happened, would happen, or why the task was refused.
  returned: always
  type: str
"""
