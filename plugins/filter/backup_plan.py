# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.backup_plan`` filter: the backup planner, callable from a template."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_plan
short_description: Plan where each Cluster Shared Volume is backed up, and how long it takes
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Takes the result of M(wsfc.csv.cluster_info) (and optionally per-node network facts) and returns a backup plan
    for the cluster's Cluster Shared Volumes (CSVs) - which node backs up which CSV, which CSVs move first and how
    to move them back, and the predicted time of every read and of the whole window.
  - With a software VSS snapshot a CSV is read at disk speed on its coordinator (owner) but over SMB from any other
    node, and CSV ownership can be moved without downtime. The plan therefore either runs each backup on the CSV's
    coordinator or moves CSVs so that the load is spread over the nodes.
  - Reads are timed with a fluid model of the cluster. A local read runs at the node's read throughput. An SMB read
    uses the coordinator's disk and network out and the reader's network in, limited by the slower side of the
    path. A node's SMB bandwidth is the sum of its Up adapters when SMB Multichannel is enabled on the reading
    client and the serving node, otherwise its single fastest interface (an LBFO team counts as the sum of its
    members). Concurrent reads share every resource max-min fairly. Each node runs its CSVs largest first, at most
    O(concurrency) at once.
  - The plan of every strategy is always computed, so RV(_value.comparison) shows what the chosen one is worth.
  - The filter reads no node and changes nothing; the role carries the plan out.
positional: network
options:
  _input:
    description: The result of M(wsfc.csv.cluster_info) (a dictionary with C(nodes) and C(csvs)).
    type: dict
    required: true
  network:
    description:
      - >-
        Per-node network facts, V({"nodes": {NODE: {"adapters": [...], "smb_multichannel": {...}, "read_gbps": ...}}}).
      - Each adapter may give C(name), C(link_gbps), C(status) (only V(Up) adapters count) and C(team) (the LBFO team
        it belongs to). C(smb_multichannel) gives C(client) and C(server) flags (default V(true), as in Windows).
        C(read_gbps) is the node's local read throughput.
      - Nodes may be named as in the cluster or by their FQDN. Every key is optional. A node without adapter facts is
        assumed to have one 10 Gb/s interface, and the plan warns when an SMB read relies on that.
    type: dict
  strategy:
    description:
      - V(balanced) moves as few CSVs as needed for the shortest window; every read is local.
      - V(coordinator) backs each CSV up on its current coordinator and moves nothing, except CSVs whose coordinator may
        not run backups, which move to the allowed node that finishes earliest.
      - V(consolidate) moves every CSV to one backup node, where all reads are local.
      - V(remote) backs everything up from one node without moving anything, reading other nodes' CSVs over SMB.
      - V(all) returns the V(balanced) plan plus every strategy's full plan in RV(_value.plans).
    type: str
    choices: [balanced, coordinator, consolidate, remote, all]
    default: balanced
  select:
    description:
      - A JMESPath expression over the list of CSV facts that gives the CSVs (or their names) to back up, for example
        V([?starts_with(name, 'Cluster Disk'\)]).
      - By default every CSV whose state is V(Online). Selected CSVs that are not Online or cannot be read are
        skipped and listed in RV(_value.skipped).
      - A CSV's C(access_class) (from M(wsfc.csv.cluster_info)) says how it can be read - V(direct) and V(structural)
        (redirected by design, such as every ReFS CSV, whose I/O all goes through its coordinator) are planned,
        V(transient) is planned with a warning (the run waits for the redirect to end), V(fatal) is skipped with the
        node and the reason. Facts without C(access_class) skip every CSV in redirected access.
      - An expression that does not parse or selects nothing is an error.
    type: str
  backup_nodes:
    description: Nodes allowed to run backups. Default all nodes that are Up; nodes that are not Up are never used.
    type: list
    elements: str
  backup_node:
    description:
      - The single backup node of the V(consolidate) and V(remote) strategies. It must be an allowed node.
      - By default the allowed node that gives the shortest window.
    type: str
  provider:
    description:
      - The VSS provider. With V(hardware) the snapshot surfaces on the node that runs the backup, so every read is
        local and no CSV needs to move.
    type: str
    choices: [software, hardware]
    default: software
  concurrency:
    description: Backup jobs at once per node.
    type: int
    default: 2
  read_gbps:
    description:
      - Local read throughput of a node in Gb/s, used when the network facts give none for it.
      - >-
        A number for every node, or a dictionary V({NODE: gbps}) (nodes it does not name get 8).
    type: raw
    default: 8.0
  target_gbps:
    description: A cap on each node's write to the backup target, in Gb/s. No cap by default.
    type: float
  target:
    description:
      - Where the backups go (a share or a folder on the nodes' drives), to find its bandwidth in O(targets).
      - The listed target it is, or is under (the longest such path), is the one counted. Without it, the only target
        listed is.
    type: str
  targets:
    description:
      - Backup targets and their bandwidth, each V({path, gbps}) or, for a folder on one node's drive,
        V({path, gbps, node}).
      - For a share (C(\\server\share)), C(gbps) is its ingress, shared by every node that writes to it, and every
        byte read also leaves its reader's network out, shared with the SMB reads that node serves.
      - For a drive-letter path, C(gbps) is a node's write rate into it (the node's own drive, no NIC); an entry with
        C(node) is that node's, one without it every other node's.
      - The target's ingress term (total bytes / C(gbps)) is part of RV(_value.lower_bound_s). Without a listed
        target the write path costs nothing but O(target_gbps), as before.
    type: list
    elements: dict
  cross_site:
    description:
      - When the nodes have sites (C(site) of each node in M(wsfc.csv.cluster_info), from the cluster's fault domains),
        a CSV is only backed up by a node of its coordinator's site, and never read over SMB from another site,
        unless this is V(true). In a stretched cluster, a CSV moved to the other site sends its I/O across the
        inter-site link.
      - Each site is planned on its own (V(consolidate) and V(remote) use one backup node per site). When that
        makes the window longer than a plan across sites, a warning says by how much.
      - A node without a site, when other nodes have one, is taken as a site of its own (with a warning).
    type: bool
    default: false
  busy_csvs:
    description:
      - What to do with a selected CSV that another backup holds (C(backup_in_progress) in M(wsfc.csv.cluster_info),
        its BackupState is in progress, for example another product's VSS backup, or one that crashed less than
        30 minutes ago). V(fail) refuses the plan, naming the CSV; V(skip) leaves just that CSV out (listed in
        RV(_value.skipped)), so nothing of it is moved or snapshotted.
    type: str
    choices: [fail, skip]
    default: fail
requirements:
  - jmespath (for O(select))
notes:
  - Bytes read are the CSV's C(used_bytes). 1 Gb/s is 1.25 x 10^8 bytes per second.
  - Errors in the input or the options fail the task with a message that names the option and the value.
seealso:
  - module: wsfc.csv.cluster_info
"""

EXAMPLES = r"""
- name: Read the cluster
  wsfc.csv.cluster_info:
  register: cluster
  run_once: true

- name: Plan a balanced backup of every Online CSV
  ansible.builtin.set_fact:
    plan: "{{ cluster | wsfc.csv.backup_plan }}"
  run_once: true

- name: Show the moves and the predicted window of each strategy
  ansible.builtin.debug:
    msg:
      - "Moves: {{ plan.moves }}"
      - "Window: {{ plan.window_s }} s (lower bound {{ plan.lower_bound_s }} s)"
      - "Strategies: {{ plan.comparison }}"
  run_once: true

- name: Consolidate the CSVs named 'Cluster Disk *' on NODE1, with network facts, three jobs at once
  ansible.builtin.set_fact:
    plan: >-
      {{ cluster | wsfc.csv.backup_plan(network, strategy='consolidate', backup_node='NODE1',
                                        select="[?starts_with(name, 'Cluster Disk')]", concurrency=3) }}
  run_once: true

- name: Plan with a hardware VSS provider and a 10 Gb/s cap per node towards the backup target
  ansible.builtin.set_fact:
    plan: "{{ cluster | wsfc.csv.backup_plan(provider='hardware', target_gbps=10, read_gbps={'NODE1': 16, 'NODE2': 8}) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    strategy:
      description: The strategy of this plan (V(balanced) when V(all) was asked for).
      type: str
    provider:
      description: The VSS provider planned for.
      type: str
    concurrency:
      description: Backup jobs at once per node.
      type: int
    backup_node:
      description:
        - The backup node of V(consolidate) and V(remote), else V(null). With sites (and O(cross_site=false)), one
          per site that has CSVs, comma-separated.
      type: str
    nodes:
      description:
        - Per allowed node, the CSVs it backs up in the order it runs them, each with C(csv), C(bytes),
          C(read) (V(local) or V(smb)), C(source) (the node the data is read from), C(why) (a short sentence),
          C(index) (the CSV's position in the whole plan, unique; it numbers backup jobs), C(start_s) and C(end_s)
          (predicted, in seconds from the start of the window).
      type: dict
    moves:
      description: CSV ownership moves to make before the backup, each with C(csv), C(from) and C(to), in order.
      type: list
      elements: dict
    undo:
      description: The moves that restore the original ownership afterwards (the moves reversed, in reverse order).
      type: list
      elements: dict
    window_s:
      description: The predicted backup window in seconds.
      type: float
    lower_bound_s:
      description:
        - No plan can be faster - the total bytes over the allowed nodes' combined read throughput (each node's
          disk, or its write path when slower), the largest CSV on the fastest allowed node, or the total bytes over
          the target's ingress (O(targets)), whichever is longest.
        - With sites (and O(cross_site=false)), the longest of each site's bound, its CSVs over its nodes.
      type: float
    ratio_to_lower_bound:
      description: RV(_value.window_s) divided by RV(_value.lower_bound_s).
      type: float
    total_bytes:
      description: Bytes the backup reads (the selected CSVs' used bytes).
      type: int
    selected:
      description: Names of the CSVs the plan backs up.
      type: list
      elements: str
    skipped:
      description:
        - CSVs not backed up, each with C(csv) and C(reason) (not selected, not Online, a fatal redirect, in redirected
          access with facts that do not classify it, no node of its site may back it up).
      type: list
      elements: dict
    warnings:
      description: What the plan assumes or what needs attention.
      type: list
      elements: str
    target:
      description:
        - The write path the plan counted - C(path), C(kind) (V(share) or V(local)), C(gbps), and C(floor_s) (total
          bytes over the share's ingress) or C(node_gbps) (per-node write rates); V(null) when no target is listed.
      type: dict
    sites:
      description:
        - V(null) when no node has a site. Otherwise C(cross_site) (the option), C(nodes) (each node's site, V(null) for
          none) and C(across_sites_window_s) (with O(cross_site=false), the window of the same strategy were CSVs
          allowed to cross sites, else V(null)).
      type: dict
    findings:
      description:
        - What the cluster's volumes cost its backups, from Microsoft's "Plan volumes in Storage Spaces Direct", each
          with C(kind), C(message) and, for one CSV, C(csv).
        - V(volume_size) - a CSV larger than 10 TB (10 x 2^40 bytes) backed up with the software provider; the page
          recommends at most 10 TB per volume when backups rely on VSS and the Volsnap software provider.
        - V(volume_count_balance) - only when the facts say the storage is Storage Spaces Direct (C(storage=s2d)), a
          number of volumes that is not a multiple of the number of Up nodes, with what it costs - the plan's window
          against every byte spread evenly over the nodes that back up (each site's bytes over its nodes' combined
          read rate, and not before the target's floor).
        - V(volume_count) - more than 64 volumes in the cluster.
      type: list
      elements: dict
    comparison:
      description: The predicted window in seconds of every strategy (V(balanced), V(coordinator), V(consolidate), V(remote)).
      type: dict
    plans:
      description: Only with O(strategy=all), the full plan of every strategy, keyed by strategy.
      type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup


def backup_plan(cluster, network=None, **options):
    """Template errors should name the problem, not show a traceback: ValueError becomes AnsibleFilterError."""
    try:
        return plan_backup(cluster, network, **options)
    except ValueError as exc:
        raise AnsibleFilterError("wsfc.csv.backup_plan: %s" % exc) from exc


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {"backup_plan": backup_plan}
