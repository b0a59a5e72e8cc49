#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_prepare.py.

DOCUMENTATION = r"""
---
module: backup_prepare
short_description: Prepare a CSV backup run from what every node answered
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - The planning step of the C(wsfc.csv.csv_backup) role, usable on its own. Run it once (C(run_once)) after every
    host of the play has run M(wsfc.csv.cluster_info) (and optionally M(wsfc.csv.network_info) and
    M(wsfc.csv.csv_snapshot_info)) and registered the result; it reads those results, checks the options, plans the
    backup with the planner of P(wsfc.csv.backup_plan#filter) and names the run.
  - Each host is the cluster node it reported being (C(queried_node) of M(wsfc.csv.cluster_info)), or the node its
    O(node_name_from) variable names. The cluster is read as the first host that answered saw it. A node that did
    not answer, or that no host of the play is, backs up nothing; the plan's lines say so.
  - Hosts are grouped by the cluster they answered for; each cluster is planned on its own, so one play can back up
    many clusters (a fleet).
  - Refuses, with one message that says what to do and that nothing was changed, when an option is out of range,
    no host answered, or (with one cluster) the network findings are critical or warnings with
    O(options.network_findings=fail) or the planner refuses the options. In a fleet such a cluster carries its
    C(error) and the others go on; the step refuses only when no cluster can be planned.
  - Reads what the hosts registered without templating it, so names that come from the nodes are never templates.
  - Runs on the controller only; it does not connect to the host the task runs for.
options:
  facts_from:
    description: The variable every host registered the result of M(wsfc.csv.cluster_info) as.
    type: str
    required: true
  network_from:
    description: The variable every host registered the result of M(wsfc.csv.network_info) as, if it ran.
    type: str
  vss_from:
    description:
      - The variable the hosts registered M(wsfc.csv.csv_snapshot_info) (with O(wsfc.csv.csv_snapshot_info#module:managed_only))
        as; with O(options.provider=auto) the provider VSS would choose there is planned for.
    type: str
  node_name_from:
    description: A variable that, set on a host, names the cluster node the host is.
    type: str
  report_dir:
    description: The directory on the controller the runs' reports and ownership maps go to (each cluster's C(dir) in
      RV(clusters)).
    type: path
    required: true
  again:
    description:
      - The run this plans again (what an earlier M(wsfc.csv.backup_prepare) of the same play returned). The role
        plans twice, once to show the plan and once from the cluster read again while the cluster's backup lock is
        held, so that the original owners it saves and restores are those seen under the lock. The run keeps that
        run's id and start, and RV(run_warnings) names every CSV whose coordinator changed in between. When a
        cluster's leader (the host its lock was taken through) is not its leader in the new read, the task fails and
        nothing is moved.
    type: dict
  options:
    description: The backup's options, as the role's variables of the same names with the C(csv_backup_) prefix.
    type: dict
    required: true
    suboptions:
      strategy:
        description: How to place the backups (see P(wsfc.csv.backup_plan#filter)).
        type: str
        choices: [balanced, coordinator, consolidate, remote]
        default: balanced
      select:
        description: A JMESPath expression over the CSV facts that selects the CSVs; empty for every Online CSV.
        type: str
        default: ""
      nodes:
        description: Nodes allowed to run backups; empty for every node that is Up.
        type: list
        elements: str
        default: []
      node:
        description: The single backup node of V(consolidate) and V(remote); empty to let the planner choose.
        type: str
        default: ""
      provider:
        description: The VSS provider to plan for; V(auto) uses what O(vss_from) says VSS would choose.
        type: str
        choices: [auto, software, hardware]
        default: auto
      concurrency:
        description: Backup jobs at once per node; at least 1.
        type: int
        default: 2
      target_gbps:
        description: A cap on each node's write to the backup target in Gb/s; 0 for none.
        type: float
        default: 0.0
      targets:
        description:
          - Backup targets and their bandwidth, for the planner (O(wsfc.csv.backup_plan#filter:targets)); the one counted
            is the target O(options.target) is, or is under. Each C(gbps) is more than 0.
          - In a fleet each cluster counts its share of a target's bandwidth, by its answering nodes, as with
            O(options.fleet_target_gbps).
        type: list
        elements: dict
        default: []
        suboptions:
          path:
            description: The target, a share or a drive-letter path.
            type: str
            required: true
          gbps:
            description: Its bandwidth in Gb/s (a share's ingress, or a node's write rate into a local folder); more than 0.
            type: float
            required: true
          node:
            description: For a drive-letter path, the node whose write rate O(options.targets[].gbps) is.
            type: str
      fleet_target_gbps:
        description:
          - A cap on the total rate into a backup server the clusters of the play share, in Gb/s; 0 for none.
          - Each answering node gets an equal share of it as its O(options.target_gbps) (or keeps its own, when lower).
        type: float
        default: 0.0
      read_gbps:
        description: Local read rate of a node in Gb/s, a number above 0 or a dictionary of node name to Gb/s.
        type: raw
        default: 8.0
      cross_site:
        description:
          - With sites, V(false) backs each CSV up in its coordinator's site; V(true) lets the plan cross sites
            (O(wsfc.csv.backup_plan#filter:cross_site)).
        type: bool
        default: false
      busy_csvs:
        description:
          - A selected CSV another backup holds - V(fail) refuses the run before any change, V(skip) leaves just that
            CSV out (O(wsfc.csv.backup_plan#filter:busy_csvs)).
        type: str
        choices: [fail, skip]
        default: fail
      min_gbps:
        description: The slowest backup path in Gb/s the network preflight accepts; 0 or more.
        type: float
        default: 10.0
      network_findings:
        description: V(fail) refuses the run on critical or warning network findings; V(warn) lists them.
        type: str
        choices: [warn, fail, skip]
        default: warn
      method:
        description: The backup tool, as in M(wsfc.csv.backup_queue).
        type: str
        choices: [copy, wbadmin, command]
        default: copy
      target:
        description: Where backups go; required for V(copy) and V(wbadmin).
        type: str
        default: ""
      command:
        description: For V(command), the program and its arguments.
        type: list
        elements: str
        default: []
      move_timeout:
        description: Seconds one CSV move may take; at least 1.
        type: int
        default: 300
      poll_interval:
        description: Seconds between state reads while waiting for a move; more than 0.
        type: float
        default: 2.0
      job_timeout:
        description: Seconds one CSV's backup may run; at least 1.
        type: int
        default: 86400
      job_poll_interval:
        description: Seconds between status reads of running backups; more than 0.
        type: float
        default: 10.0
      lock_stale_after:
        description: Seconds after which another run's lock is reported as stale; at least 1.
        type: int
        default: 43200
      watchdog:
        description: Whether the run arms a watchdog on the cluster (M(wsfc.csv.backup_watchdog)).
        type: bool
        default: true
      watchdog_after:
        description:
          - Seconds without a heartbeat after which the watchdog undoes the run; longer than O(options.move_timeout)
            and three O(options.job_poll_interval), and at least 300.
        type: int
        default: 900
      watchdog_interval:
        description: Seconds between two runs of the watchdog on each node (60 to 3600).
        type: int
        default: 60
extends_documentation_fragment:
  - wsfc.csv.attributes.controller
seealso:
  - module: wsfc.csv.backup_review
  - module: wsfc.csv.backup_queue
  - plugin: wsfc.csv.backup_plan
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the cluster through every node
  wsfc.csv.cluster_info:
  register: facts
  ignore_errors: true

- name: Plan the backup from what the nodes answered
  wsfc.csv.backup_prepare:
    facts_from: facts
    options:
      strategy: balanced
      target: \\backup01\csv
    report_dir: /var/lib/wsfc-csv/reports
  register: backup_run
  run_once: true

- name: Back up this host's share of the plan
  wsfc.csv.backup_queue:
    reads: "{{ backup_run.reads[inventory_hostname] }}"
    run_id: "{{ backup_run.run_id }}"
    provider: "{{ backup_run.providers[inventory_hostname] }}"
    target: \\backup01\csv
  when: inventory_hostname in backup_run.reads
"""

RETURN = r"""
run_id:
  description: The run's id, a UTC time and six random characters; part of job names, snapshot tags and report folders.
  returned: success
  type: str
  sample: 20261201T230505Z-k3x9qa
started:
  description: When the run was prepared, in UTC (ISO 8601).
  returned: success
  type: str
fleet:
  description: True when the play's hosts answer for more than one cluster.
  returned: success
  type: bool
clusters:
  description:
    - Each cluster's part of the run, by cluster name - C(cluster) (the result of M(wsfc.csv.cluster_info) of its
      first host that answered), C(facts_host) (that host, its leader, through which the lock is taken and the moves are made),
      C(hosts) (the cluster node each of its answering hosts is), C(provider), C(plan) (as
      P(wsfc.csv.backup_plan#filter) returns it), C(reads) (each host's share), C(network_findings),
      C(network_lines), C(lines), C(unanswered) (its hosts that did not answer, and why), C(dir)
      (C(<report_dir>/<cluster>-<run_id>), the cluster's name made a plain file name), C(ownership) (the map saved
      before any move, which the restore entry point reads).
    - In a fleet, a cluster that could not be planned has C(error) instead, and the others go on.
  returned: success
  type: dict
host_cluster:
  description: The cluster each answering host is a node of (also for a cluster that could not be planned).
  returned: success
  type: dict
leaders:
  description: The leader host of each planned cluster (host to cluster name).
  returned: success
  type: dict
moves:
  description: The moves each leader makes (host to a list of C(csv), C(from), C(to)).
  returned: success
  type: dict
reads:
  description: Each host's share of the plans, for M(wsfc.csv.backup_queue); hosts without reads are not listed.
  returned: success
  type: dict
providers:
  description: The VSS provider each host's snapshots are taken with (V(software) or V(hardware)).
  returned: success
  type: dict
maps:
  description: The ownership maps to save before any move, each with C(dir) and C(map).
  returned: success
  type: list
  elements: dict
unanswered:
  description:
    - The hosts that answered for no cluster, and why - a failure of the run (a fleet). A host that did not answer
      but that its inventory groups tie to an answering cluster is a node of that cluster that is down; it is in
      that cluster's own C(unanswered) instead.
  returned: success
  type: dict
fleet_dir:
  description: In a fleet, the directory of the fleet summary, C(<report_dir>/fleet-<run_id>); null otherwise.
  returned: success
  type: str
lines:
  description: Every cluster's plan as lines (P(wsfc.csv.describe_plan#filter)), what the hosts that did not answer
    or take part mean for it, and the network findings.
  returned: success
  type: list
  elements: str
run_warnings:
  description: What the run should warn about, such as fewer forks than nodes with work.
  returned: success
  type: list
  elements: str
"""
