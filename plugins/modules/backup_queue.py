#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_queue.py.

DOCUMENTATION = r"""
---
module: backup_queue
short_description: Back up a node's share of the CSVs, a few at a time, and clean up after each
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Backs up the CSVs in O(reads) on the node the task runs on, keeping up to O(concurrency) backups running and
    starting the next one as soon as one ends, the way the P(wsfc.csv.backup_plan#filter) planner times it.
  - "For each CSV: a VSS snapshot with M(wsfc.csv.csv_snapshot) (not for O(method=wbadmin), which takes its own),
    a detached backup job with M(wsfc.csv.backup_job), status reads every O(poll_interval) seconds, then the job's
    scheduled task and the snapshot are removed, whatever the outcome."
  - Run it on every node of the plan at once (one task over the play's hosts); each node runs its own queue.
  - The role P(wsfc.csv.csv_backup#role) uses it; use it directly to compose your own backup playbooks.
options:
  reads:
    description:
      - The CSVs to back up on this node, in order, as the planner lists them under C(nodes[<node>]).
      - Each item is a dict with C(csv) (the CSV's cluster resource name) and optionally C(id) (its cluster Id),
        C(folder) (the folder of its backup under C(<target>\<run_id>), as the role plans it), C(path), C(bytes)
        (used when the tool does not report what it copied), C(read) (the planned C(local) or C(smb)) and
        C(index) (unique within the run; it numbers the job), or just the CSV's name.
    type: list
    elements: raw
    required: true
  run_id:
    description:
      - Identifies the run; part of each job's name (C(csv-<run_id>-<index>)) and of each snapshot's tag, so that
        cleanup touches only this run's jobs and snapshots. 1-48 letters, digits, C(.), C(_) or C(-).
    type: str
    required: true
  # method, command, run_as_user, run_as_password and log_dir come from wsfc.csv.backup_job_options: the queue
  # passes them to each M(wsfc.csv.backup_job) unchanged. This module gives only the default of method.
  method:
    default: copy
  target:
    description:
      - Where backups go. For O(method=copy) and O(method=wbadmin) each CSV's backup goes to its own folder,
        C(<target>\<run_id>\<CSV folder>) (robocopy's destination, wbadmin's C(-backupTarget)). The CSV folder is
        the CSV's name with characters outside C([A-Za-z0-9 ._-]) replaced by C(_), C(-) and 8 hexadecimal digits
        derived from the CSV's cluster Id (C(id) of the item, as M(wsfc.csv.cluster_info) returns it; from its name
        when not given), so two CSVs never share a folder (C(Cluster Disk 1-3f2a9c1b)). For O(method=command) the
        value of C({target}), as given.
      - For O(method=copy) a UNC path (C(\\server\share), folders under it allowed) or a path that starts with a
        drive letter (C(E:\Backups)); for O(method=wbadmin) a UNC path (wbadmin takes a folder only on a remote
        shared folder). Anything else (C(\backup01\csv), with one leading backslash, is a folder on the node's
        system drive) is refused before anything is started.
    type: str
  provider:
    description:
      - The VSS provider of the snapshots, as in M(wsfc.csv.csv_snapshot) (V(auto), V(hardware), V(software) or a
        provider id). Ignored with O(method=wbadmin).
    type: str
    default: auto
  snapshot_busy_timeout:
    description:
      - Seconds each snapshot keeps trying while another shadow copy operation holds the node's VSS creation slot,
        as O(wsfc.csv.csv_snapshot#module:busy_timeout). Its default when not given.
    type: int
  concurrency:
    description:
      - Backups running at once on this node. O(method=wbadmin) runs one at a time whatever this says, since each wbadmin
        job backs up the node, and Microsoft does not document two running on one computer at once.
    type: int
    default: 2
  timeout:
    description: Seconds one backup may run before polling gives up on it (see O(on_timeout)).
    type: int
    default: 86400
  on_timeout:
    description:
      - What to do with a backup still running after O(timeout). V(cancel) stops it and removes its snapshot
        (reported as C(cancelled)); V(leave) leaves job and snapshot in place (reported as C(running)).
    type: str
    choices: [cancel, leave]
    default: cancel
  poll_interval:
    description: Seconds between status reads of the running backups.
    type: float
    default: 10.0
  keep_coordinators:
    description:
      - For each CSV planned as a local read with a software snapshot, check in the same round trip as its snapshot,
        and again as its job starts, that this node still coordinates it. The CSV balancer moves CSVs by itself (on
        CSV failover, node rejoin, node add, node restart and cluster start, "Cluster Shared Volumes overview"), so
        the plan's move may have been undone.
      - A CSV found elsewhere is moved back here (with M(wsfc.csv.csv_owner)'s checks, within O(move_timeout)) and
        tried once more, or, if it cannot be moved, read where it is over SMB; its record says which
        (C(rebalanced)). Its snapshot, if one was taken, is deleted before the move (a CSV is never moved while a
        snapshot of ours exists).
      - V(false) takes the snapshot wherever the CSV is (the read may then go over SMB).
    type: bool
    default: true
  move_timeout:
    description: Seconds a move back (see O(keep_coordinators)) may take.
    type: int
    default: 300
  lock:
    description:
      - The run's backup lock (M(wsfc.csv.backup_lock)'s RV(wsfc.csv.backup_lock#module:path) and
        RV(wsfc.csv.backup_lock#module:nonce)). Every status read of a job also refreshes the lock's heartbeat while
        the lock holds this nonce, in the same round trip, so a run whose jobs take longer than the lock's
        C(stale_after) keeps its lock fresh. RV(lock_state) says what the polls found.
    type: dict
    suboptions:
      path:
        description: The lock file.
        type: str
        required: true
      nonce:
        description: The run's nonce, as the lock holds it.
        type: str
        required: true
  fail_on_error:
    description:
      - Fail the task when any CSV was not backed up. The role sets it to V(false) to restore ownership and write
        its report first, and fails afterwards.
    type: bool
    default: true
  state:
    description:
      - V(present) backs up the CSVs of O(reads).
      - V(absent) clears what run O(run_id) left on this node for those CSVs, after a run that was killed. It stops
        and removes each CSV's backup job and deletes the run's snapshots of it (those tagged
        C(wsfc.csv run <run_id>)). A second run changes nothing. P(wsfc.csv.csv_backup#role) entry point C(restore)
        uses it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - wsfc.csv.backup_job_options
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Predicts each snapshot's provider and where it would surface (local or SMB reads); starts nothing.
  diff_mode:
    description: Shows the jobs before (none) and after.
  platform:
    description: A node of a Windows Server failover cluster.
notes:
  - "Round trips per CSV: 2 for the snapshot, 2 to start the job, 1 per status read, 2 to remove the job and 2 to
    delete the snapshot."
  - The task returns when every backup of the node has ended, or given up on; that may take hours. Nothing runs
    inside the WinRM session meanwhile, so a dropped connection does not stop a backup.
seealso:
  - module: wsfc.csv.backup_job
  - module: wsfc.csv.csv_snapshot
  - module: wsfc.csv.backup_report
"""

EXAMPLES = r"""
- name: Back up each node's CSVs of a plan, two at a time per node
  wsfc.csv.backup_queue:
    reads: "{{ plan.nodes[inventory_hostname | upper] | default([]) }}"
    run_id: "{{ run_id }}"
    method: copy
    target: \\backup01\csv
    run_as_user: CONTOSO\svc-backup
    run_as_password: "{{ vault_backup_password }}"
    concurrency: 2

- name: Back up two CSVs with Windows Server Backup
  wsfc.csv.backup_queue:
    reads: [Cluster Disk 1, Cluster Disk 2]
    run_id: nightly-20261125
    method: wbadmin
    target: \\backup01\wsb
"""

RETURN = r"""
jobs:
  description:
    - One entry per CSV, in the order of O(reads), in the form M(wsfc.csv.backup_report) reads.
    - C(state) is C(succeeded), C(failed) (also a job whose task never started, vanished or was stopped by someone
      else, said in C(message)), C(cancelled) (stopped by the queue), C(running) (left running,
      O(on_timeout=leave)) or C(skipped) (not started); C(read) is C(local) or C(smb), from where the snapshot surfaced;
      C(start) and C(end) are the node's UTC times; C(bytes) what the tool copied (C(bytes_measured=true)) or the
      CSV's used size; C(provider_type) the snapshot's provider type (C(system), C(software) or C(hardware)) and
      C(consistency) whether VSS writers took part in it (C(application)) or not (C(crash)); C(target_path) the
      exact folder its backup went to (O(method=copy) and O(method=wbadmin)).
    - C(rebalanced), when the cluster had moved the CSV away from this node before its backup started (see
      O(keep_coordinators)), with C(from), C(to) and C(moved_back).
  returned: when state is present
  type: list
  elements: dict
  sample:
    - csv: Cluster Disk 1
      node: NODE2
      state: succeeded
      read: local
      start: "2026-11-25T02:00:03.0000000Z"
      end: "2026-11-25T02:40:11.0000000Z"
      bytes: 1600000000000
      provider: Microsoft Software Shadow Copy provider 1.0
      provider_type: system
      consistency: application
      snapshot_id: "{6f1f7a8e-0d1c-4d6f-9a55-2b9a4c1e0a11}"
      job_id: \wsfc.csv\csv-20261125T020000Z-ab12cd-000
      target_path: \\backup01\csv\20261125T020000Z-ab12cd\Cluster Disk 1-3f2a9c1b
      exit_code: 1
      message: Cluster Disk 1 on NODE2 backed up with copy (1600000000000 bytes), local read
lock_state:
  description:
    - With O(lock), what the polls found, the first answer other than C(held) kept; C(held) (the heartbeat was
      refreshed), C(lost) (another run's nonce holds the lock), C(missing) (no lock file) or the error read; null
      without O(lock) or when nothing was polled.
  returned: when state is present
  type: str
  sample: held
cleared:
  description: With O(state=absent), per CSV whether its job was removed (C(job_removed)) and which snapshot IDs
    were deleted (C(snapshots_removed)).
  returned: when state is absent
  type: list
  elements: dict
  sample:
    - csv: Cluster Disk 1
      job_id: \wsfc.csv\csv-20261125T020000Z-ab12cd-000
      job_removed: true
      snapshots_removed: ["{6f1f7a8e-0d1c-4d6f-9a55-2b9a4c1e0a11}"]
counts:
  description: How many CSVs ended in each state.
  returned: when state is present
  type: dict
  sample: {succeeded: 2}
node:
  description: The node the queue ran on (the inventory host).
  returned: always
  type: str
"""
