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
  - Refuses, with one message that says what to do and that nothing was changed, when an option is out of range,
    no host answered, the hosts belong to more than one cluster, the network findings are critical or warnings
    with O(options.network_findings=fail), or the planner refuses the options.
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
    description: The directory on the controller the run's report and ownership map go to (in RV(dir)).
    type: path
    required: true
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
      read_gbps:
        description: Local read rate of a node in Gb/s, a number above 0 or a dictionary of node name to Gb/s.
        type: raw
        default: 8.0
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
    target: \\backup01\csv
  when: inventory_hostname in backup_run.reads
"""

RETURN = r"""
cluster:
  description: The result of M(wsfc.csv.cluster_info) of RV(facts_host).
  returned: success
  type: dict
facts_host:
  description: The first host, in play order, whose M(wsfc.csv.cluster_info) answered; moves and the lock go through it.
  returned: success
  type: str
hosts:
  description: The cluster node each answering host is.
  returned: success
  type: dict
  sample: {node1.example.com: NODE1}
unanswered:
  description: Why each host that did not answer did not.
  returned: success
  type: dict
provider:
  description: The VSS provider planned for (V(software) or V(hardware)).
  returned: success
  type: str
plan:
  description: The plan, as P(wsfc.csv.backup_plan#filter) returns it.
  returned: success
  type: dict
reads:
  description: Each host's share of the plan (the reads of its node), for M(wsfc.csv.backup_queue); hosts without
    reads are not listed.
  returned: success
  type: dict
network_findings:
  description: The findings of every node's M(wsfc.csv.network_info).
  returned: success
  type: list
  elements: dict
network_lines:
  description: The findings as lines.
  returned: success
  type: list
  elements: str
lines:
  description: The plan as lines (P(wsfc.csv.describe_plan#filter)), what the nodes that did not answer or take part
    mean for it, and the network findings.
  returned: success
  type: list
  elements: str
run_warnings:
  description: What the run should warn about, such as fewer forks than nodes with work.
  returned: success
  type: list
  elements: str
run_id:
  description: The run's id, a UTC time and six random characters; part of job names, snapshot tags and RV(dir).
  returned: success
  type: str
  sample: 20261201T230505Z-k3x9qa
started:
  description: When the run was prepared, in UTC (ISO 8601).
  returned: success
  type: str
dir:
  description: The run's directory on the controller, C(<report_dir>/<cluster>-<run_id>).
  returned: success
  type: str
ownership:
  description: The ownership map to save before any move (C(ownership.json)), which the restore entry point reads.
  returned: success
  type: dict
"""
