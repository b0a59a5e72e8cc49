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
  - With O(state=present), creates a VSS shadow copy of a Cluster Shared Volume (CSV) on the node the task runs on
    with DiskShadow, exposes it at a folder of this collection (C(C:\\ProgramData\\wsfc.csv\\exposed\\snap-...)),
    and returns its ID, the folder, the provider (name, ID and type), whether VSS writers took part
    (C(consistency)), the node it is surfaced on and whether reads from this node are local.
  - Why DiskShadow and not C(Win32_ShadowCopy.Create) - that method documents one context, C(ClientAccessible), which
    VSS_SNAPSHOT_CONTEXT says is created without writer involvement and only by the system provider. Its snapshots
    are crash-consistent and can never come from a hardware provider. DiskShadow (C(diskshadow /s <script>)), the
    VSS requester that ships with Windows Server, is run with C(set context persistent) (writers take part, so the
    snapshot is application-consistent for the writers VSS involves on this node), C(add volume <CSV> [provider
    <id>]), C(create) and C(expose <id> <folder>). It is a copy backup (no C(begin backup)), so the writers' backup
    history and logs are left alone, as with wbadmin's default C(-vssCopy).
  - A hardware provider surfaces the shadow copy on the node that asked for it. With the system (software) provider
    it is created on the CSV's coordinator, so reading it from any other node goes over SMB. C(surfaced_on) is the
    shadow copy's C(ServiceMachine), the machine whose VSS service created it, as Windows reports it.
  - The backup reads the exposed folder, never the shadow copy's device object (C(\\\\?\\GLOBALROOT\\...)), because the
    robocopy documentation does not say that it accepts a device path as its source.
  - Only one shadow copy set can be in creation on a machine at a time (VSS_E_SNAPSHOT_SET_IN_PROGRESS). When
    another product holds it, the creation is tried again, waiting 2 s, then twice as long each time (30 s at most),
    for up to O(busy_timeout) seconds; then the task fails naming the node and the reason.
  - A volume keeps at most 512 shadow copies of the kind DiskShadow's C(persistent) context makes (MaxShadowCopies, 64
    by default, bounds only client-accessible ones). A snapshot that would be one too many is refused before
    anything is created (O(on_limit)).
  - DiskShadow's documentation shows no quoting of a path and reads C(%) as an alias and C(#) as a comment, so the
    script is built from validated values only. A CSV whose path is not ASCII letters, digits, C(.), C(_) and C(-)
    (for example C(C:\\ClusterStorage\\Volume1)) is refused before anything is created, with what to rename. The
    CSV's name never goes into a DiskShadow script.
  - Win32_ShadowCopy has no tag, so the module records the IDs of the shadow copies it creates, with their CSV, volume,
    creation time and O(tag), in C(C:\\ProgramData\\wsfc.csv\\snapshots.json) on the node. O(state=absent) only
    deletes shadow copies listed there that still exist and still have the recorded volume and creation time
    (DiskShadow C(unexpose), then C(delete shadows id)), removes their folder, and reports listed ones that vanished.
    Shadow copies made by anything else are never touched.
  - A failed create leaves nothing behind, and the message gives the VSS error DiskShadow reported (for example
    VSS_E_INSUFFICIENT_STORAGE when the diff area is full) and what to do next.
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
      - V(auto) lets VSS choose (a hardware provider that supports the volume, else a software provider, else the
        system provider) and reports its choice. V(hardware) names the registered hardware provider to DiskShadow
        (and fails, before anything is created, when none or several are registered). V(software) names the system
        provider, the Microsoft Software Shadow Copy provider. A provider ID is passed as it is; it must be
        registered on the node.
    type: str
    default: auto
  busy_timeout:
    description:
      - How long, in seconds, to keep trying while another shadow copy operation holds the node's VSS creation slot
        (VSS_E_SNAPSHOT_SET_IN_PROGRESS). V(0) tries once.
    type: int
    default: 300
  coordinator:
    description:
      - The node that should coordinate the CSV when the snapshot is taken. When another node coordinates it (the
        CSV balancer or a failover moved it), nothing is created and the task fails with RV(coordinator_now).
      - A software snapshot is surfaced on the coordinator, so a backup that planned a local read checks this first;
        the CSV balancer moves CSVs by itself on node rejoin, node restart and CSV failover ("Cluster Shared Volumes
        overview").
    type: str
  on_limit:
    description:
      - What to do when the volume already has the most shadow copies it can keep. V(refuse) fails before anything is
        created; V(warn) warns and tries (VSS may then refuse it).
    type: str
    choices: [refuse, warn]
    default: refuse
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
  - DiskShadow needs membership in the node's local Administrators group.
  - Application-consistent means that the VSS writers the node's VSS service involved were asked to freeze. A volume
    snapshot of a CSV is not an application-consistent backup of Hyper-V virtual machines running on it from other
    nodes; for those use a VM-aware backup product (Hyper-V's own backup API), see the csv_backup role's README.
  - Round trips per run, counted in the lab as C(winrm.command) events - present with a new snapshot 2 (one more
    for each retry while the node is busy), present with an existing one 1, absent 2 (1 when there is nothing to
    delete), check mode 1.
seealso:
  - module: wsfc.csv.csv_snapshot_info
  - module: wsfc.csv.csv_owner
  - name: DiskShadow
    description: The VSS requester this module runs, and its commands.
    link: https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/diskshadow
  - name: VSS_SNAPSHOT_CONTEXT
    description: Which contexts involve writers and which providers can create them.
    link: https://learn.microsoft.com/en-us/windows/win32/api/vss/ne-vss-vss_snapshot_context
  - name: Exposing and Surfacing Shadow Copied Volumes
    description: How a shadow copy is read through a mounted folder.
    link: https://learn.microsoft.com/en-us/windows/win32/vss/exposing-and-surfacing-shadow-copied-volumes
  - name: Registry Keys and Values for Backup and Restore
    description: MaxShadowCopies and the 512 shadow copies per volume.
    link: https://learn.microsoft.com/en-us/windows/win32/backup/registry-keys-for-backup-and-restore
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

- name: Where to read it from
  ansible.builtin.debug:
    msg: >-
      {{ snap.snapshot.exposed_path }} ({{ snap.snapshot.consistency }}) is surfaced on
      {{ snap.snapshot.surfaced_on }} (local: {{ snap.snapshot.local_reads }})

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
coordinator_now:
  description: The node that coordinates the CSV, when it is not O(coordinator) (nothing was created).
  returned: failed, when O(coordinator) is set and another node coordinates the CSV
  type: str
  sample: NODE3
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
      description: C(system) (the Microsoft Software Shadow Copy provider), C(software) (another software provider)
        or C(hardware).
      type: str
    consistency:
      description: C(application) when VSS writers took part in the shadow copy (C(NoWriters) false), C(crash) when
        none did (for example a snapshot an earlier version of this module took).
      type: str
    exposed_path:
      description: The folder the shadow copy is exposed at on this node; what a backup reads.
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
attempts:
  description: How many times the creation was tried (more than 1 when another shadow copy operation kept the node
    busy).
  returned: when a snapshot was created
  type: int
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
