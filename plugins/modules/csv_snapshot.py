#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/csv_snapshot.py.

DOCUMENTATION = r"""
---
module: csv_snapshot
short_description: Create or delete a VSS snapshot of a Cluster Shared Volume
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - With O(state=present), creates a VSS shadow copy of a Cluster Shared Volume (CSV) on the node the task runs on,
    with C(Win32_ShadowCopy.Create) (context C(ClientAccessible)), and returns its ID, device object, provider, the
    node it is surfaced on and whether reads from this node are local.
  - With a software provider the shadow copy is created on the CSV's coordinator, so reading it from any other node
    goes over SMB. A hardware provider surfaces it on the node that asked. C(surfaced_on) is the shadow copy's
    C(ServiceMachine), the machine whose VSS service created it, as Windows reports it.
  - C(Win32_ShadowCopy.Create) has no provider parameter; VSS chooses (a hardware provider when one is available,
    else a software provider, else the system provider). The module predicts that choice from
    C(Win32_ShadowProvider) and refuses, before creating anything, a O(provider) it cannot honour.
  - Win32_ShadowCopy has no tag, so the module records the IDs of the shadow copies it creates, with their CSV and
    O(tag), in C(C:\\ProgramData\\wsfc.csv\\snapshots.json) on the node. O(state=absent) only deletes shadow copies
    listed there that still exist, and reports listed ones that vanished. Shadow copies made by anything else are
    never touched.
  - A failed create leaves nothing behind, and the message gives the meaning of C(Win32_ShadowCopy.Create)'s return
    code (for example Insufficient storage when the diff area is full) and what to do next.
options:
  name:
    description:
      - The CSV's cluster resource name, for example C(Cluster Disk 1). One of O(name), O(path) or O(id) is required.
    type: str
  path:
    description:
      - The CSV's path, for example C(C:\\ClusterStorage\\Volume1).
      - O(name) and O(path) are mutually exclusive.
    type: str
  state:
    description:
      - V(present) makes sure a snapshot of the CSV tagged O(tag) exists; V(absent) deletes snapshots this
        collection created.
    type: str
    choices: [present, absent]
    default: present
  provider:
    description:
      - V(auto) lets VSS choose and reports its choice. V(hardware) requires a registered hardware provider.
        V(software) requires that VSS would not choose a hardware provider. A provider ID requires that VSS would
        choose that provider.
    type: str
    default: auto
  tag:
    description:
      - Identifies the snapshot for idempotence. With O(state=present) (default C(wsfc.csv)), a snapshot of the CSV
        with this tag that still exists means nothing is created and C(changed) is false.
      - With O(state=absent) and O(name) or O(path), only snapshots with this tag are deleted; without it, every
        snapshot this collection created for the CSV.
    type: str
  id:
    description:
      - With O(state=absent), the ID of one shadow copy to delete. It must be one this collection created.
    type: str
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads providers, shadow copies and the registry, and reports what would be created or deleted.
  diff_mode:
    description: Shows the snapshot IDs of the CSV and tag before and after.
notes:
  - The snapshot is taken from the node the task runs on; run O(state=absent) on the same node, since the registry
    is kept per node.
  - Round trips per run, counted in the lab as C(winrm.command) events - present with a new snapshot 2, present
    with an existing one 1, absent 2 (1 when there is nothing to delete), check mode 1.
seealso:
  - module: wsfc.csv.csv_snapshot_info
  - module: wsfc.csv.csv_owner
  - name: Create method of the Win32_ShadowCopy class
    description: The method this module calls, and its return codes.
    link: https://learn.microsoft.com/en-us/previous-versions/windows/desktop/vsswmi/create-method-in-class-win32-shadowcopy
  - name: Selecting Providers
    description: How VSS chooses a provider when the requester names none.
    link: https://learn.microsoft.com/en-us/windows/win32/vss/selecting-providers
"""

EXAMPLES = r"""
- name: Snapshot the CSV from the node that backs it up
  wsfc.csv.csv_snapshot:
    name: Cluster Disk 1
    tag: nightly
  register: snap

- name: Read it from the snapshot device
  ansible.builtin.debug:
    msg: "{{ snap.snapshot.device_object }} is surfaced on {{ snap.snapshot.surfaced_on }} (local: {{ snap.snapshot.local_reads }})"

- name: Insist on a hardware snapshot
  wsfc.csv.csv_snapshot:
    path: C:\ClusterStorage\Volume2
    provider: hardware

- name: Delete the snapshots this collection took of the CSV
  wsfc.csv.csv_snapshot:
    name: Cluster Disk 1
    state: absent
"""

RETURN = r"""
node:
  description: The node the task ran on.
  returned: always
  type: str
  sample: NODE2
csv:
  description: The CSV's resource name.
  returned: state=present
  type: str
  sample: Cluster Disk 1
provider:
  description: The provider used, and how it was chosen.
  returned: when a snapshot was created or would be
  type: str
  sample: the software provider Microsoft Software Shadow Copy provider 1.0 ({b5946137-...}), chosen by VSS (provider=auto)
snapshot:
  description: The snapshot (in check mode, what is predicted).
  returned: state=present
  type: dict
  contains:
    id:
      description: The shadow copy ID.
      type: str
    device_object:
      description: The shadow copy's device object, for example C(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7).
      type: str
    provider_id:
      description: The provider's ID.
      type: str
    provider_name:
      description: The provider's name.
      type: str
    provider_type:
      description: C(software) (system or software provider) or C(hardware).
      type: str
    surfaced_on:
      description: The node whose VSS service created the shadow copy (its C(ServiceMachine)).
      type: str
    local_reads:
      description: Whether reads from the node the task ran on are local.
      type: bool
    tag:
      description: The tag.
      type: str
removed:
  description: IDs deleted (in check mode, that would be deleted).
  returned: state=absent
  type: list
  elements: str
vanished:
  description: IDs in the registry whose shadow copy no longer exists; they are dropped from the registry.
  returned: state=absent
  type: list
  elements: str
"""
