#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/cluster_node.py.

DOCUMENTATION = r"""
---
module: cluster_node
short_description: Pause (drain) or resume a failover cluster node
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - With O(state=paused), pauses the node with C(Suspend-ClusterNode); with O(drain) its clustered roles are
    moved to the other nodes first ("clustered roles currently running on the node will be drained before the
    node is paused"), and the module waits until the node's drain status (its C(NodeDrainStatus) common property)
    says Completed.
  - Pausing does not move the CSVs the node coordinates ("Groups that are owned by a paused node remain owned by
    the node", C(PauseClusterNode)); move them first with M(wsfc.csv.csv_owner), as the C(wsfc.csv.node_maintenance)
    role does.
  - With O(state=up), resumes the node with C(Resume-ClusterNode) and O(failback).
  - One round trip to read the node; one more to change it; more while a drain is read as in progress.
options:
  name:
    description:
      - The cluster node to change. Default is the node the task runs on.
    type: str
  state:
    description:
      - C(paused) pauses the node; C(up) resumes it.
    type: str
    required: true
    choices: [paused, up]
  drain:
    description:
      - With O(state=paused), move the node's roles off it before it is paused (C(-Drain)).
      - A node that is paused already but still owns roles is drained again.
    type: bool
    default: true
  force_drain:
    description:
      - With O(drain), a role that cannot be moved is stopped and moved to another node as a failed role, and the
        node is paused anyway (C(-ForceDrain)).
    type: bool
    default: false
  target_node:
    description:
      - With O(drain), the node the roles go to (C(-TargetNode)). Default is the cluster's own placement.
    type: str
  failback:
    description:
      - With O(state=up), whether the roles drained from the node come back (C(-Failback)). C(immediate) brings
        them back now, C(policy) as each role's failback policy says, C(no_failback) not at all.
    type: str
    default: no_failback
    choices: [immediate, no_failback, policy]
  wait:
    description:
      - Wait until the drain is no longer in progress.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the drain.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between reads of the drain status while waiting.
    type: float
    default: 5.0
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the node and reports whether it would pause or resume it.
  diff_mode:
    description: Shows the node's state, drain status and roles before and after.
  platform:
    description: Any node of a Windows Server failover cluster with the FailoverClusters PowerShell module.
notes:
  - Idempotent. A node that is already Paused (and, with O(drain), owns no role) or already Up is left as it is.
  - A node that is Down or Joining is refused, with what to do.
  - A drain that fails (a role that cannot be moved) leaves the node as Windows leaves it and fails the task, naming
    the roles still on the node.
seealso:
  - module: wsfc.csv.csv_owner
  - module: wsfc.csv.maintenance_plan
  - name: Suspend-ClusterNode
    description: The cmdlet that pauses and drains.
    link: https://learn.microsoft.com/en-us/powershell/module/failoverclusters/suspend-clusternode
  - name: Resume-ClusterNode
    description: The cmdlet that resumes.
    link: https://learn.microsoft.com/en-us/powershell/module/failoverclusters/resume-clusternode
"""

EXAMPLES = r"""
- name: Drain and pause this node before it is patched
  wsfc.csv.cluster_node:
    state: paused

- name: Resume NODE2 and bring its roles back now
  wsfc.csv.cluster_node:
    name: NODE2
    state: up
    failback: immediate
"""

RETURN = r"""
node:
  description: The node after the task (in check mode and on refusal, before it), with C(name), C(state) (Up,
    Paused, Down, Joining), C(drain_status) (NotInitiated, InProgress, Completed, Failed) and C(roles) (the
    groups it owns).
  returned: always
  type: dict
  sample: {name: NODE2, state: Paused, drain_status: Completed, roles: []}
elapsed:
  description: Seconds the change and the wait took.
  returned: when changed
  type: float
msg:
  description: What was done (or would be), or why not.
  returned: always
  type: str
  sample: paused node NODE2 after draining its roles (FS02, MGMT01)
"""
