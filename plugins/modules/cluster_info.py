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
    friendly volume path, size, free and used space, whether any node reaches it in redirected access and why,
    and the virtual machines whose configuration lives on it.
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

- name: Fail early when a CSV is in redirected access
  ansible.builtin.assert:
    that: cluster.csvs | selectattr('redirected') | list | length == 0
    fail_msg: "Redirected CSVs: {{ cluster.csvs | selectattr('redirected') | map(attribute='name') | join(', ') }}"
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
      description: Per node, how it reaches the CSV (from Get-ClusterSharedVolumeState).
      type: list
      elements: dict
    vms:
      description: Virtual machine roles whose configuration lives on this CSV.
      type: list
      elements: str
coordinators:
  description: CSV name to coordinator node.
  returned: success
  type: dict
  sample: {"Cluster Disk 1": "NODE1"}
"""
