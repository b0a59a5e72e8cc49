#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/maintenance_plan.py.

DOCUMENTATION = r"""
---
module: maintenance_plan
short_description: Decide which CSVs leave a node before its maintenance, and which come back after it
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - The decision step of the C(wsfc.csv.node_maintenance) role, usable on its own.
  - With O(stage=evacuate), every CSV the nodes in O(nodes) coordinate goes to one of the other Up nodes, chosen by
    the backup planner (strategy balanced over the nodes that stay), the placement where the whole cluster's local
    reads would end first, given the CSVs each node already coordinates, their sizes and the nodes' read rates.
    Only CSVs of O(nodes) move. RV(maps) holds the map of original owners to save before any move.
  - With O(stage=return), the CSVs the saved maps list go back to their nodes when they are still where evacuate put
    them, their node is Up and no other product's backup holds them; the others stay (RV(kept), each with why).
  - Refuses, before any change, with every reason at once and what to do - evacuating the last Up node, a node that
    is Down, a CSV of the node that another product's backup holds, that has a shadow copy M(wsfc.csv.csv_snapshot)
    made, or that is not Online; a Cluster-Aware Updating run in progress (unless O(allow_cau_run)); a backup run of
    ours holding the backup lock (O(lock)).
  - Runs on the controller only; it does not connect to the host the task runs for. It reads the saved maps in
    O(state_dir); it writes nothing.
options:
  stage:
    description: C(evacuate) or C(return).
    type: str
    required: true
    choices: [evacuate, return]
  facts:
    description: What M(wsfc.csv.cluster_info) returned, read right before.
    type: dict
    required: true
  nodes:
    description:
      - The cluster nodes to evacuate or return. Default is the node that answered O(facts).
    type: list
    elements: str
    default: []
  lock:
    description:
      - What M(wsfc.csv.backup_lock) returned in check mode (C(state=present), a run id of this role); a failed
        result with a C(lock) means a backup run holds the lock.
    type: dict
  snapshots:
    description:
      - What M(wsfc.csv.csv_snapshot_info) (C(managed_only=true)) returned on the nodes to evacuate.
    type: list
    elements: dict
    default: []
  state_dir:
    description:
      - Directory on the controller of the saved maps, one C(<cluster>_<node>.json) per node.
    type: path
    required: true
  cross_site:
    description:
      - Let a CSV move to a node of another site than its coordinator's.
    type: bool
    default: false
  allow_cau_run:
    description:
      - Go on while a Cluster-Aware Updating run is in progress (when this runs from that run's own pre- or
        post-update script).
    type: bool
    default: false
  assume_up:
    description:
      - With O(stage=return), plan as if the nodes were Up already (in check mode, where the resume is not made).
    type: bool
    default: false
extends_documentation_fragment:
  - wsfc.csv.attributes.controller
seealso:
  - module: wsfc.csv.cluster_info
  - module: wsfc.csv.csv_owner
  - module: wsfc.csv.cluster_node
"""

EXAMPLES = r"""
- name: Decide where NODE2's CSVs go
  wsfc.csv.maintenance_plan:
    stage: evacuate
    facts: "{{ facts }}"
    nodes: [NODE2]
    lock: "{{ lock }}"
    state_dir: /var/lib/wsfc-maintenance
  register: plan
  run_once: true
"""

RETURN = r"""
cluster:
  description: The cluster's name.
  returned: success
  type: str
nodes:
  description: The cluster nodes evacuated or returned.
  returned: success
  type: list
  elements: str
stay:
  description: With O(stage=evacuate), the Up nodes that take the CSVs.
  returned: when stage is evacuate
  type: list
  elements: str
moves:
  description: The moves to make, in order, each C(csv), C(from), C(to).
  returned: success
  type: list
  elements: dict
  sample: [{csv: Cluster Disk 7, from: NODE2, to: NODE3}]
kept:
  description: CSVs of the maps that stay where they are, each C(csv), C(owner) and C(reason).
  returned: success
  type: list
  elements: dict
home:
  description: With O(stage=return), CSVs of the maps already on their node.
  returned: when stage is return
  type: list
  elements: str
maps:
  description: Per node, the map to save (C(node), C(file), C(path), C(map), and C(changed) when it differs from
    the saved one). With O(stage=return), what is not back yet.
  returned: success
  type: list
  elements: dict
warnings:
  description: With O(stage=evacuate), what was not checked (the shadow copies of a node that did not answer
    O(snapshots)).
  returned: when stage is evacuate
  type: list
  elements: str
lines:
  description: The plan in words.
  returned: success
  type: list
  elements: str
"""
