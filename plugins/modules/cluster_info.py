#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/cluster_info.py.

DOCUMENTATION = r"""
---
module: cluster_info
short_description: Facts about a failover cluster and its Cluster Shared Volumes
version_added: 0.1.0
description:
  - Reads the cluster name, its nodes and its Cluster Shared Volumes (CSVs) from one node, in a single round trip.
  - For each CSV it returns the coordinator (the owner of the CSV's Physical Disk resource), its state, the
    friendly volume path, size, free and used space, its file system, whether a backup holds it, how each node
    reaches it (direct or redirected, why, and what that means for a backup), and the virtual machines whose
    configuration lives on it.
  - For the cluster it also returns each node's site (from its fault domains), whether it shows Storage Spaces
    Direct, and whether a Cluster-Aware Updating run is in progress.
  - The coordinator matters for backups. A software VSS snapshot of a CSV is created on its coordinator, so a
    backup started on any other node reads every byte over SMB from the coordinator.
  - Runs on the controller as an action plugin and reaches the node through the host's own connection
    (C(winrm) or C(psrp)); nothing is copied to the node.
options: {}
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.info
attributes:
  platform:
    description: Any node of a Windows Server failover cluster with the FailoverClusters PowerShell module.
notes:
  - Run it against one node of the cluster (for example with C(run_once)); every node answers for the whole cluster.
seealso:
  - name: Get-ClusterSharedVolume
    description: The cmdlet that lists the CSVs and their owner nodes.
    link: https://learn.microsoft.com/en-us/powershell/module/failoverclusters/get-clustersharedvolume
  - name: Get-ClusterSharedVolumeState
    description: The cmdlet that reports, per node, whether a CSV is in direct or redirected access.
    link: https://learn.microsoft.com/en-us/powershell/module/failoverclusters/get-clustersharedvolumestate
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Read the cluster from its first node
  wsfc.csv.cluster_info:
  register: cluster
  run_once: true

- name: Show each CSV and its coordinator
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.path }}) is coordinated by {{ item.owner }}"
  loop: "{{ cluster.csvs }}"
  loop_control:
    label: "{{ item.name }}"
  run_once: true

- name: Fail early when a CSV has a redirect that is a fault
  ansible.builtin.assert:
    that: cluster.csvs | selectattr('access_class', 'equalto', 'fatal') | list | length == 0
    fail_msg: "{{ cluster.csvs | selectattr('access_class', 'equalto', 'fatal') | map(attribute='access_detail') | join('; ') }}"
  run_once: true
"""

RETURN = r"""
cluster:
  description: The cluster.
  returned: success
  type: dict
  contains:
    name:
      description: The cluster name.
      type: str
      sample: CLUSTER1
queried_node:
  description: The computer name of the node that answered.
  returned: success
  type: str
  sample: NODE1
nodes:
  description: The cluster's nodes, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
      sample: NODE1
    state:
      description: Node state as Windows reports it (C(Up), C(Down), C(Paused), C(Joining), C(Unknown)).
      type: str
      sample: Up
    id:
      description: Node id.
      type: str
      sample: "1"
    site:
      description:
        - The site the node belongs to, that is the fault domain of type C(Site) above the node's own fault domain
          (C(Get-ClusterFaultDomain)), or null when the cluster defines no site.
      type: str
      sample: Seattle
csvs:
  description: The Cluster Shared Volumes, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The CSV resource name.
      type: str
      sample: Cluster Disk 1
    id:
      description: The CSV resource id.
      type: str
    owner:
      description: The coordinator node (owner of the CSV's Physical Disk resource).
      type: str
      sample: NODE1
    state:
      description: Resource state (C(Online), C(Offline), C(Failed) ...).
      type: str
      sample: Online
    path:
      description: The friendly volume path on every node.
      type: str
      sample: C:\ClusterStorage\Volume1
    size_bytes:
      description: Size of the volume's partition in bytes.
      type: int
    free_bytes:
      description: Free space on the volume's partition in bytes.
      type: int
    used_bytes:
      description: Used space in bytes (what a full backup reads).
      type: int
    redirected:
      description: Whether any node reaches the CSV in file system or block redirected access.
      type: bool
    redirected_reason:
      description: The first redirection reason Windows reports, or null.
      type: str
      sample: UserRequest
    redirected_nodes:
      description: Nodes that reach the CSV in redirected access.
      type: list
      elements: str
    access:
      description:
        - Per node that is Up, how it reaches the CSV (from C(Get-ClusterSharedVolumeState)), classified.
        - Each entry has C(node), C(state) (C(Direct), C(File System Redirected), C(Block Redirected)),
          C(redirected), C(kind) (C(file_system), C(block) or null), C(reason) (the reasons' names joined),
          C(reasons) (each with C(name), C(kind), C(class) and C(why)) and C(class).
        - The reasons are those of C(CLUSTER_SHARED_VOLUME_STATE_INFO_EX) (clusapi); a redirect without a documented
          reason while a backup holds the CSV is named C(Snapshot) (CSV redirects I/O while a snapshot is taken).
      type: list
      elements: dict
    access_class:
      description:
        - What the CSV's access means for a backup, the most serious of its nodes'.
        - C(direct) (no node redirected); C(structural) (redirected because of how the volume is built, for example
          ReFS, Storage Spaces Direct or Storage Replica; backups work, through the coordinator); C(transient)
          (redirected for a while, for example by a user request, BitLocker initializing or a snapshot; a backup waits
          for it); C(fatal) (a fault such as no disk connectivity, or a reason Microsoft does not document; a backup
          refuses the CSV).
      type: str
      choices: [direct, structural, transient, fatal]
      sample: structural
    access_detail:
      description: For a class other than C(direct), each node and reason of that class and why, in one sentence.
      type: str
    filesystem:
      description: C(NTFS) or C(ReFS), from the file system of the CSV's partition (C(CSVFS_NTFS), C(CSVFS_ReFS)).
      type: str
      sample: ReFS
    backup_in_progress:
      description:
        - Whether a backup holds the CSV (its C(BackupState), C(CLUSTER_SHARED_VOLUME_BACKUP_STATE)), for example
          another product's VSS backup, or a crashed one whose state clears itself 30 minutes later.
      type: bool
    vms:
      description: Virtual machine roles whose configuration lives on this CSV.
      type: list
      elements: str
coordinators:
  description: CSV name to coordinator node.
  returned: success
  type: dict
  sample: {"Cluster Disk 1": "NODE1"}
storage:
  description:
    - C(s2d) when a node reaches a CSV by Storage Spaces Direct's block redirection (reason
      C(StorageSpaceNotAttached)); null otherwise (not known; the answer of C(Get-ClusterStorageSpacesDirect) has no
      documented properties, so it is not read).
  returned: success
  type: str
  sample: s2d
cau:
  description: The Cluster-Aware Updating run in progress on the cluster, from C(Get-CauRun).
  returned: success
  type: dict
  contains:
    available:
      description:
        - Whether C(Get-CauRun) answered. Without the ClusterAwareUpdating module (it comes with the Failover
          Clustering Tools) nothing is known about runs, and C(error) says why.
      type: bool
    error:
      description: Why C(Get-CauRun) did not answer.
      type: str
    in_progress:
      description: Whether an updating run is in progress (it pauses and restarts nodes, which moves CSVs).
      type: bool
    run_id:
      description: The run's id.
      type: str
    started:
      description: When the run started, as the node prints it.
      type: str
    orchestrator:
      description: The node or computer that orchestrates the run.
      type: str
    state:
      description: The run state Get-CauRun returned when no run object was returned.
      type: str
"""
