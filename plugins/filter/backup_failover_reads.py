# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.backup_failover_reads`` filter: re-plan the CSVs a failover broke, on their new coordinators."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_failover_reads
short_description: Re-plan the CSVs whose backup a failover broke, on their new coordinators
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - M(wsfc.csv.backup_queue) marks a CSV whose backup job failed because the cluster failed the CSV over
    (its software snapshot lived on the old coordinator) with C(failover), naming the node it went to.
  - This filter gives each such CSV (or, with O(now), each planned CSV not backed up whose coordinator moved) to
    its new coordinator, as a local read with the index it had in the plan, in the shape of a plan's C(nodes), so
    the same M(wsfc.csv.backup_queue) can run them there.
options:
  _input:
    description: The plan (the result of P(wsfc.csv.backup_plan#filter)).
    type: dict
    required: true
  queues:
    description: The registered M(wsfc.csv.backup_queue) result of every host (missing ones may be null).
    type: list
    elements: raw
    required: true
  now:
    description:
      - A fresh M(wsfc.csv.cluster_info) result, read after the queues. With it, a planned CSV that was not backed
        up is re-planned whenever its coordinator is now another node that is Up (this also catches the CSVs of a
        node that went down, whose queue could not report); without it, only the CSVs a queue marked
        C(failover).
    type: dict
"""

EXAMPLES = r"""
- name: Back up again, on their new coordinators, the CSVs a failover broke
  wsfc.csv.backup_queue:
    reads: "{{ (plan | wsfc.csv.backup_failover_reads(queues))[this_node] | default([]) }}"
    run_id: "{{ run_id }}"
    target: \\backup01\csv
"""

RETURN = r"""
_value:
  description: New coordinator node name -> the reads it should run (dicts with C(csv), C(index), C(bytes),
    C(read=local), C(replanned_from)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import failover_reads


def backup_failover_reads(plan, queues, now=None):
    if not isinstance(plan, dict):
        raise AnsibleFilterError("backup_failover_reads expects the plan (a dictionary), got %s" % type(plan).__name__)
    try:
        return failover_reads(plan, queues, now)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("backup_failover_reads: %s" % exc)


class FilterModule:
    def filters(self):
        return {"backup_failover_reads": backup_failover_reads}
