#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/backup_review.py.

DOCUMENTATION = r"""
---
module: backup_review
short_description: Decide what a CSV backup run leaves to do, from the cluster as it is now
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - The closing decision of the C(wsfc.csv.csv_backup) role, usable on its own. Run it once (C(run_once)) after every
    host has read the cluster again with M(wsfc.csv.cluster_info) and registered the result.
  - With O(run) (what M(wsfc.csv.backup_prepare) returned) and O(stage=start), after each cluster's leader took
    the lock and made the moves, it decides which clusters go ahead (RV(reads)) and why the others do not
    (RV(stopped)); a cluster whose lock was not taken or one of whose moves failed backs up nothing.
  - With O(run) and O(stage=end), cluster by cluster, it re-plans on their new coordinators the CSVs whose backup
    a failover or a lost node broke (from what every host's M(wsfc.csv.backup_queue) registered, see
    O(queue_from)), decides which CSVs go back to their original owners and through which host, and which locks
    are ours to release.
  - With O(ownership_map) (the C(ownership.json) a run saved before its moves), it decides what to undo of a run
    that was killed - the jobs and snapshots to clear on each host and the CSVs to move back - and refuses a map of
    another cluster.
  - A CSV goes back only when it is not on its original owner and that owner is Up; the others are kept, with the
    reason. The moves back go through RV(control_host), the first host (in play order) that answered.
  - Reads what the hosts registered, and the map, without templating them.
  - Runs on the controller only; it does not connect to the host the task runs for.
options:
  run:
    description:
      - What M(wsfc.csv.backup_prepare) returned for this run.
      - Exactly one of O(run), O(ownership_map) and O(record_from) is required.
    type: dict
  ownership_map:
    description: Path on the controller of the C(ownership.json) a run saved.
    type: path
  stage:
    description: V(start) after the locks and moves; V(end) after the backups (and for O(ownership_map)).
    type: str
    choices: [start, end]
    default: end
  lock_from:
    description: The variable each cluster's leader registered M(wsfc.csv.backup_lock) as (O(stage=start), and at
      the end to know which locks were taken).
    type: str
  moved_from:
    description: With O(stage=start), the variable each leader registered its M(wsfc.csv.csv_owner) loop as.
    type: str
  record_from:
    description:
      - The restore entry point without a saved map, the variable a host registered
        M(wsfc.csv.backup_watchdog) O(wsfc.csv.backup_watchdog#module:state=query) as. The run record on the
        cluster says what to undo, like a saved map; every node that answered clears every CSV of the run (a
        failover may have re-planned a job onto another node). A record the watchdog already undid leaves only
        the moves back to check.
    type: str
  watchdog_from:
    description:
      - With O(stage=start), the variable each leader registered M(wsfc.csv.backup_watchdog) as. A cluster whose
        watchdog failed to arm backs up nothing (a skipped task, with the watchdog turned off, is no refusal).
    type: str
  now_from:
    description: With O(stage=end), the variable every host registered its fresh M(wsfc.csv.cluster_info) result as.
    type: str
  queue_from:
    description: With O(run), the variable every host registered its M(wsfc.csv.backup_queue) result as.
    type: str
  node_name_from:
    description: With O(ownership_map), a variable that, set on a host, names the cluster node the host is.
    type: str
  on_failover:
    description: V(replan) re-plans the CSVs a failover broke (RV(reads)); V(fail) leaves them failed.
    type: str
    choices: [replan, fail]
    default: replan
  restore_all:
    description: With O(ownership_map), move back every CSV in the map, not only those the run moved.
    type: bool
    default: false
extends_documentation_fragment:
  - wsfc.csv.attributes.controller
seealso:
  - module: wsfc.csv.backup_prepare
  - module: wsfc.csv.csv_owner
"""

EXAMPLES = r"""
- name: Read the cluster again through every node
  wsfc.csv.cluster_info:
  register: now
  ignore_errors: true

- name: Decide what to undo of a killed run
  wsfc.csv.backup_review:
    ownership_map: /var/lib/wsfc-csv/reports/HVCLUSTER1-20261201T230505Z-k3x9qa/ownership.json
    now_from: now
  register: review
  run_once: true

- name: Move back what is not home
  wsfc.csv.csv_owner:
    name: "{{ item.csv }}"
    node: "{{ item.to }}"
  loop: "{{ review.restore.moves }}"
  delegate_to: "{{ review.control_host }}"
  run_once: true
"""

RETURN = r"""
reads:
  description:
    - With O(stage=start), each host's reads of the clusters that go ahead.
    - With O(stage=end), the re-planned reads per host, for a second M(wsfc.csv.backup_queue).
  returned: success
  type: dict
stopped:
  description: With O(stage=start), why each cluster that does not go ahead stopped.
  returned: success
  type: dict
locks:
  description: With O(stage=start), per host of the clusters that go ahead, its cluster's lock (C(path) and C(nonce),
    from what the leader's M(wsfc.csv.backup_lock) returned), for M(wsfc.csv.backup_queue)'s
    O(wsfc.csv.backup_queue#module:lock), whose polls refresh its heartbeat.
  returned: success
  type: dict
clusters:
  description: With O(run) and O(stage=end), each cluster's review - C(control_host) (the host its moves back and
    its lock's release go through), C(now_host) (its first host whose fresh read answered; null when none did),
    C(reads), and C(restore) (C(moves), each C(csv), C(from), C(to); C(kept), each with C(why); C(error) when the
    cluster could not be read).
  returned: success
  type: dict
controls:
  description: With O(run) and O(stage=end), the control host of each cluster (host to cluster name).
  returned: success
  type: dict
restores:
  description: With O(run) and O(stage=end), the moves back each control host makes.
  returned: success
  type: dict
unlocks:
  description: With O(run) and O(stage=end), the control hosts that release their cluster's lock (not those whose
    lock another run holds).
  returned: success
  type: dict
disarms:
  description:
    - With O(run) and O(stage=end), the lock (C(path), C(nonce)) whose watchdog each control host disarms (the
      clusters whose lock this run took).
  returned: success
  type: dict
control_host:
  description: With O(ownership_map), the host the moves back and the lock's release go through.
  returned: success
  type: str
now_host:
  description: With O(ownership_map), the first host of the map's cluster whose fresh read answered.
  returned: success
  type: str
restore:
  description: With O(ownership_map), the CSVs to move back (C(moves)), those kept where they are (C(kept), each with
    C(why)), and C(error) when the cluster could not be read.
  returned: success
  type: dict
hosts:
  description: With O(ownership_map), the cluster node each answering host of the map's cluster is.
  returned: success
  type: dict
clears:
  description: With O(ownership_map), the reads of the run per host, whose jobs and snapshots are cleared.
  returned: success
  type: dict
run_id:
  description: With O(ownership_map), the run's id.
  returned: success
  type: str
lock_nonce:
  description: With O(ownership_map), the nonce of the run's backup lock, as the map saved it (null in a map of an
    older version), so that the lock's release is that run's.
  returned: success
  type: str
method:
  description: With O(ownership_map), the run's backup method.
  returned: success
  type: str
"""
