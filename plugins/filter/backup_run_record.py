# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.backup_run_record`` filter: the record of a backup run from the role's registered results."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_run_record
short_description: Assemble the record of a backup run for the report
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Turns the plan and the registered results of a run's steps (moves, each node's M(wsfc.csv.backup_queue),
    restores, the lock) into the run record M(wsfc.csv.backup_report) renders.
  - Every planned CSV appears exactly once; one that no node reported (its node was unreachable, or the run
    stopped first) is recorded as C(skipped) with the reason.
options:
  _input:
    description: The plan (the result of P(wsfc.csv.backup_plan#filter)).
    type: dict
    required: true
  cluster:
    description: The cluster's name.
    type: str
  moved:
    description: The registered result of the M(wsfc.csv.csv_owner) loop that made the plan's moves.
    type: dict
  queues:
    description: The registered M(wsfc.csv.backup_queue) result of every host (missing ones may be null).
    type: list
    elements: raw
  restored:
    description: The registered result of the M(wsfc.csv.csv_owner) loop that undid the moves.
    type: dict
  errors:
    description: Messages of steps that failed.
    type: list
    elements: str
  lock:
    description: The registered result of taking the lock.
    type: dict
  unlock:
    description: The registered result of releasing the lock.
    type: dict
  disarm:
    description: The registered result of disarming the watchdog (the run fails when the watchdog had undone it).
    type: dict
  warnings:
    description: More warnings for the report, such as the network preflight's findings.
    type: list
    elements: str
  nodes:
    description: The cluster node of each entry of O(queues), in the same order, so a node whose queue failed
      or was unreachable is reported with its own message.
    type: list
    elements: str
  requeues:
    description: The registered results of the second M(wsfc.csv.backup_queue) that re-ran, on their new
      coordinators, the CSVs a failover broke (see P(wsfc.csv.backup_failover_reads#filter)). Each such CSV is
      reported once, with the new attempt, and the first attempt kept under C(attempts).
    type: list
    elements: raw
  on_failover:
    description: The run's setting for CSVs that fail over during their backup, used to word the report.
    type: str
    choices: [replan, fail]
    default: replan
  restore:
    description: What P(wsfc.csv.backup_restore_moves#filter) decided. CSVs it kept where they are become warnings;
      its error makes C(ownership_restored) false.
    type: dict
  started:
    description: When the run started (ISO 8601).
    type: str
  finished:
    description: When the run finished (ISO 8601).
    type: str
"""

EXAMPLES = r"""
- name: Write the report
  wsfc.csv.backup_report:
    dest: /var/backups/reports/run1
    run: "{{ plan | wsfc.csv.backup_run_record(cluster='HVCLUSTER1', moved=moved, queues=[queue], restored=restored) }}"
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The run record (C(cluster), C(plan), C(jobs), C(moves), C(warnings), C(errors), C(started), C(finished),
    C(ownership_restored)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.run.record import run_record


def backup_run_record(plan, **kwargs):
    if not isinstance(plan, dict):
        raise AnsibleFilterError("backup_run_record expects the plan (a dictionary), got %s" % type(plan).__name__)
    try:
        return run_record(plan, **kwargs)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("backup_run_record: %s" % exc)


class FilterModule:
    def filters(self):
        return {"backup_run_record": backup_run_record}
