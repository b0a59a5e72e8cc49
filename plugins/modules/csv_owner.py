#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/csv_owner.py.

DOCUMENTATION = r"""
---
module: csv_owner
short_description: Move a Cluster Shared Volume's coordinator to another node
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Makes O(node) the coordinator (owner node) of a Cluster Shared Volume (CSV) with C(Move-ClusterSharedVolume),
    then waits until the CSV is Online on that node and no node reaches it in a redirected mode it did not have
    before the move (other than a structural one, see below).
  - Moving a CSV does not take it offline; virtual machines and applications on it keep running.
  - A backup that uses a software VSS snapshot reads locally only on the coordinator, so moving a CSV to the node
    that backs it up turns an SMB transfer into a local read.
  - Each node's redirected access is classified from the reason Windows reports (C(Get-ClusterSharedVolumeState)).
    I(Structural) redirects are how the volume works and do not stop a move (ReFS volumes, which CSV always runs
    redirected; tiered storage; Storage Spaces Direct's block redirection on the nodes that are not the coordinator;
    Storage Replica; an incompatible file system filter). I(Transient) ones are waited for, within O(timeout)
    (someone turned redirected access on; BitLocker initializing). I(Fatal) ones are refused (no disk connectivity,
    an incompatible volume filter, or a reason Microsoft does not document).
  - A CSV that a backup holds (its BackupState is in progress, for example another product's VSS backup) is not
    moved while the backup lasts (moving the coordinator of a CSV that VSS holds can take it offline); the module
    waits for it within O(timeout), then fails saying so.
  - Refuses, without changing anything, to move an unknown CSV, to an unknown node, to a node that is not Up, or a CSV
    that is not Online. If the move fails or does not finish in O(timeout), the message says where the CSV is now.
options:
  name:
    description:
      - The CSV's cluster resource name, for example C(Cluster Disk 1).
      - Exactly one of O(name) and O(path) is required.
    type: str
  path:
    description:
      - The CSV's friendly volume path, for example C(C:\\ClusterStorage\\Volume1).
    type: str
  node:
    description:
      - The node that should coordinate the CSV.
    type: str
    required: true
  wait:
    description:
      - Wait until the CSV is Online on O(node), with no redirect the move added, before returning; and wait for a
        transient redirect or a backup to end before moving.
      - With O(wait=false) such a CSV is refused at once.
    type: bool
    default: true
  timeout:
    description:
      - Seconds the move may take, including the wait. Passed to C(Move-ClusterSharedVolume -Wait).
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between reads of the CSV's state while waiting.
    type: float
    default: 2.0
  lock:
    description:
      - The backup lock a run holds (M(wsfc.csv.backup_lock) RV(wsfc.csv.backup_lock#module:path) and
        RV(wsfc.csv.backup_lock#module:nonce)). The move is made only while the lock holds that nonce, and the
        lock's heartbeat is refreshed first, in the same round trip, so a run that moves many CSVs one after
        another stays alive for its watchdog (M(wsfc.csv.backup_watchdog)). A lock that is gone or another run's
        fails the task before the move.
    type: dict
    suboptions:
      path:
        description: The lock file.
        type: str
        required: true
      nonce:
        description: The run's nonce.
        type: str
        required: true
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the CSV and the nodes, applies every check, and reports whether it would move.
  diff_mode:
    description: Shows the owner before and after.
  platform:
    description: Any node of a Windows Server failover cluster with the FailoverClusters PowerShell module.
notes:
  - Run it on any one node of the cluster; the move is cluster-wide.
  - Idempotent. When O(node) already coordinates the CSV nothing is done and C(changed) is false.
  - A dropped connection during the move is not retried blindly. The module reads the CSV again and reports
    success only if the CSV is Online on O(node).
seealso:
  - module: wsfc.csv.cluster_info
  - name: Move-ClusterSharedVolume
    description: The cmdlet this module runs.
    link: https://learn.microsoft.com/en-us/powershell/module/failoverclusters/move-clustersharedvolume
"""

EXAMPLES = r"""
- name: Make the backup node coordinate the volume it backs up
  wsfc.csv.csv_owner:
    name: Cluster Disk 3
    node: NODE2
  run_once: true

- name: Move by path, and only say what would happen
  wsfc.csv.csv_owner:
    path: C:\ClusterStorage\Volume3
    node: NODE2
  check_mode: true
  diff: true
  run_once: true

- name: Put a CSV back where it was
  wsfc.csv.csv_owner:
    name: "{{ moved.name }}"
    node: "{{ moved.previous_owner }}"
    timeout: 600
  run_once: true
"""

RETURN = r"""
name:
  description: The CSV's cluster resource name.
  returned: success
  type: str
  sample: Cluster Disk 3
path:
  description: The CSV's friendly volume path.
  returned: success
  type: str
  sample: C:\ClusterStorage\Volume3
previous_owner:
  description: The coordinator before the task.
  returned: success
  type: str
  sample: NODE1
owner:
  description: The coordinator after the task (in check mode, the one it would have).
  returned: always
  type: str
  sample: NODE2
state:
  description: The CSV's state after the move.
  returned: when moved
  type: str
  sample: Online
elapsed:
  description: Seconds the move and the wait took.
  returned: success
  type: float
  sample: 3.2
lock_state:
  description: With O(lock), the lock as the move found it when it was not this run's (V(lost) or V(missing)).
  returned: when the move was refused for the lock
  type: str
  sample: lost
"""
