#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/csv_snapshot_info.py.

DOCUMENTATION = r"""
---
module: csv_snapshot_info
short_description: List VSS providers and the snapshots of Cluster Shared Volumes a node sees
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Lists the VSS providers registered on the node (C(Win32_ShadowProvider)), the provider VSS would choose for
    a snapshot, and the shadow copies of CSVs the node sees (C(Win32_ShadowCopy)), each with the node it is
    surfaced on, whether reads from this node are local, whether VSS writers took part (C(consistency)), the folder
    it is exposed at, and whether wsfc.csv.csv_snapshot created it.
  - For each CSV, how many shadow copies of its volume the node sees, against the 512 a volume can keep.
  - One round trip.
options:
  name:
    description:
      - Only snapshots of this CSV (resource name).
    type: str
  path:
    description:
      - Only snapshots of the CSV with this path.
      - O(name) and O(path) are mutually exclusive.
    type: str
  tag:
    description:
      - Only snapshots wsfc.csv.csv_snapshot created with this tag.
    type: str
  managed_only:
    description:
      - Only snapshots wsfc.csv.csv_snapshot created.
    type: bool
    default: false
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.info
seealso:
  - module: wsfc.csv.csv_snapshot
"""

EXAMPLES = r"""
- name: What can this node snapshot with, and what exists
  wsfc.csv.csv_snapshot_info:
  register: vss

- name: Only the snapshots taken by wsfc.csv for one CSV
  wsfc.csv.csv_snapshot_info:
    name: Cluster Disk 1
    managed_only: true
"""

RETURN = r"""
node:
  description: The node that answered.
  returned: always
  type: str
providers:
  description: Registered VSS providers (C(type) is System, Software or Hardware; C(provider_type) system, software
    or hardware; C(kind) where its snapshots surface, software (the coordinator) or hardware (the asking node)).
  returned: success
  type: list
  elements: dict
auto_provider:
  description: The provider VSS would choose for a new snapshot.
  returned: success
  type: dict
snapshots:
  description: Shadow copies of CSVs, as in wsfc.csv.csv_snapshot's C(snapshot), with C(csv) and C(managed).
  returned: success
  type: list
  elements: dict
volumes:
  description: Per CSV (C(csv)), the shadow copies of its volume this node sees (C(shadow_copies)) and the most a
    volume keeps (C(limit), 512).
  returned: success
  type: list
  elements: dict
vanished:
  description: IDs wsfc.csv recorded whose shadow copy no longer exists.
  returned: success
  type: list
  elements: str
"""
