# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.describe_plan`` filter: a backup plan as readable lines."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: describe_plan
short_description: Describe a backup plan in readable lines
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Turns the result of the P(wsfc.csv.backup_plan#filter) filter into lines - the headline with the predicted window
    and its lower bound, the window of every strategy, each move, what each node backs up and why, skipped CSVs,
    warnings and findings.
positional: cluster
options:
  _input:
    description: The plan.
    type: dict
    required: true
  cluster:
    description: The cluster's name, for the headline.
    type: str
"""

EXAMPLES = r"""
- name: Show the plan
  ansible.builtin.debug:
    msg: "{{ plan | wsfc.csv.describe_plan(cluster.cluster.name) }}"
"""

RETURN = r"""
_value:
  description: The lines.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.describe import describe_plan as _describe


def describe_plan(plan, cluster=None):
    if not isinstance(plan, dict):
        raise AnsibleFilterError("describe_plan expects the plan (a dictionary), got %s" % type(plan).__name__)
    try:
        return _describe(plan, cluster)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("describe_plan: the plan is incomplete: %s" % exc)


class FilterModule:
    def filters(self):
        return {"describe_plan": describe_plan}
