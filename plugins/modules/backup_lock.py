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
  - The lock is created atomically with C(New-Item -ItemType File) without C(-Force), which fails when the file
    exists, so of two runs racing (through the same node or different nodes) exactly one gets it. The other is
    refused with the holder's owner, run id, creation time and age.
  - The lock file holds C(run_id), C(owner), C(created) (the node's UTC clock when it was taken) and C(node).
  - The age of a lock is computed from the node's own clock (the node's time now minus C(created)), so a
    controller in another time zone or with a skewed clock does not change it.
  - A lock older than O(stale_after) is stale. It is reported as such and only broken when O(break_stale=true).
  - A lock file that is not valid JSON is reported as held by C(unknown), aged from the file's
    C(LastWriteTimeUtc), and is stale by that age.
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
  owner:
    description:
      - Free text stored in the lock to say who took it.
      - Default C(<user>@<controller host> pid <pid>), built on the controller.
    type: str
  path:
    description:
      - The lock file.
      - Default C(<path of the first CSV, ordered by its path, case-insensitively>\.wsfc.csv\backup.lock), computed
        on the node from C(Get-ClusterSharedVolume). It must be on a CSV for the lock to be cluster-wide.
    type: str
  stale_after:
    description: Seconds after which a lock is stale.
    type: int
    default: 43200
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
  - Taking the lock is one round trip; breaking a stale lock or releasing one is two, and the second removes the
    lock only while its content is still what the first read.
  - Release the lock at the end of a run, also when it fails (an C(always) section), so the next run is not
    refused until the lock goes stale.
seealso:
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
    stale_after: 21600
    break_stale: true

- name: Release it
  wsfc.csv.backup_lock:
    run_id: "{{ backup_run_id }}"
    state: absent
"""

RETURN = r"""
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
    age_s:
      description: Its age in seconds by the node's clock.
      type: int
    stale:
      description: Whether it is older than O(stale_after).
      type: bool
broken:
  description: The stale lock that was (or would be) broken, with the keys of RV(lock).
  returned: when a stale lock was broken
  type: dict
diff:
  description: The lock path, run id and owner before and after.
  returned: success
  type: dict
msg:
  description: What happened, would happen, or why the task was refused.
  returned: always
  type: str
"""
