#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_report.py.

DOCUMENTATION = r"""
---
module: backup_report
short_description: Write the report of a CSV backup run on the controller
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Builds the report of a backup run from what the C(wsfc.csv.csv_backup) role recorded (the plan, the moves made
    and undone, and one record per CSV backup job) and writes C(report.json), C(report.md) and a self-contained
    C(report.html) with a per-node timeline to O(dest) on the controller.
  - The report compares the measured window (first job start to last job end, from the nodes' own times, in UTC)
    with the plan's prediction and its lower bound.
  - Runs on the controller only; it does not connect to the host the task runs for.
options:
  run:
    description:
      - The run record. Keys C(cluster), C(plan) (the result of the P(wsfc.csv.backup_plan#filter) filter), C(jobs)
        (each with C(csv), C(node), C(state) (V(succeeded), V(failed), V(running), V(skipped) or V(cancelled)),
        C(read) (V(local) or V(smb)), C(start), C(end) (ISO 8601), C(bytes), C(provider), C(message)), C(moves)
        (each with C(phase) (V(before) or V(restore)), C(csv), C(from), C(to), C(ok)), C(warnings), C(errors),
        C(started), C(finished).
      - Or give O(prepared) and the results of the run's steps, and the record is assembled from them.
      - Exactly one of O(run) and O(prepared) is required.
    type: dict
  prepared:
    description:
      - What M(wsfc.csv.backup_prepare) returned for the run; each cluster's record is assembled from it and the
        options below, and written to its own directory (the cluster's C(dir)); in a fleet, the fleet summary
        (C(fleet.json), C(fleet.md)) goes to its C(fleet_dir).
    type: dict
  review:
    description: What M(wsfc.csv.backup_review) returned at the end of the run (O(wsfc.csv.backup_review#module:stage=end)).
    type: dict
  queue_from:
    description: The variable every host registered its M(wsfc.csv.backup_queue) result as.
    type: str
  requeue_from:
    description: The variable every host registered its second M(wsfc.csv.backup_queue) (the re-planned CSVs) as.
    type: str
  error_from:
    description: The variable a host set to the message of a step that failed on it.
    type: str
  moved_from:
    description: The variable each cluster's leader registered the M(wsfc.csv.csv_owner) loop of its moves as.
    type: str
  restored_from:
    description: The variable each control host registered the M(wsfc.csv.csv_owner) loop of its moves back as.
    type: str
  lock_from:
    description: The variable each leader registered taking the lock (M(wsfc.csv.backup_lock)) as.
    type: str
  unlock_from:
    description: The variable each control host registered releasing the lock as.
    type: str
  disarm_from:
    description:
      - The variable each control host registered disarming the watchdog as (M(wsfc.csv.backup_watchdog)
        O(wsfc.csv.backup_watchdog#module:state=absent)). When the watchdog had undone the run (the controller was
        silent for longer than its limit), the report says what it did and the run fails.
    type: str
  on_failover:
    description: The run's setting for CSVs that fail over during their backup, used to word the report.
    type: str
    choices: [replan, fail]
    default: replan
  dest:
    description:
      - The directory on the controller to write the report files to. Created when missing.
      - Required with O(run). With O(prepared) it replaces the directory the run named; in a fleet, each cluster's
        report goes to a folder of its own in it (named as the cluster's own directory is) and the fleet summary
        into it.
    type: path
extends_documentation_fragment:
  - wsfc.csv.attributes.controller
attributes:
  check_mode:
    description: Builds and returns the report without writing files.
seealso:
  - module: wsfc.csv.cluster_info
"""

EXAMPLES = r"""
- name: Write the report of this run
  wsfc.csv.backup_report:
    run: "{{ csv_backup_run }}"
    dest: "{{ csv_backup_report_dir }}"
  run_once: true
"""

RETURN = r"""
summary:
  description: In a fleet, the fleet summary (C(result), C(clusters) with each one's result, C(failures)). Otherwise the
    report's summary (result, CSVs backed up and not, bytes, reads local and SMB, measured and
    predicted window and lower bound, moves made and undone, whether ownership was restored).
  returned: always
  type: dict
report:
  description: The whole report, as written to C(report.json).
  returned: when the run covers one cluster
  type: dict
files:
  description: The report files, on the controller.
  returned: always
  type: list
  elements: str
  sample: [/var/backups/wsfc/report.json, /var/backups/wsfc/report.md, /var/backups/wsfc/report.html]
failure:
  description: The lines the run fails with - for each cluster that did not complete, what was not
    backed up, the errors and where its report is; in a fleet, each host that answered for no cluster. Empty when
    every cluster succeeded and has its ownership restored.
  returned: always
  type: list
  elements: str
reports:
  description: In a fleet, each cluster's report, by cluster name; RV(summary) is then the fleet summary.
  returned: when the run covers more than one cluster
  type: dict
stats:
  description:
    - The summary, the report's directory (C(report_dir)) and its errors, for C(set_stats) (the csv_backup role
      publishes it as C(wsfc_csv_backup)).
    - Names and messages in it come from the nodes, so it is untrusted text. Every Jinja opener in its strings
      (C({{), C({%), C({#)) is broken up by a space, so a job that templates it (AWX artifacts passed on as extra
      vars) cannot run what a node put there.
  returned: always
  type: dict
lines:
  description: How the run went in a few lines (result, window, reads and moves, the files, the errors).
  returned: always
  type: list
  elements: str
"""
