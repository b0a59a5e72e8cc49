# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.backup_restore_moves`` filter: which CSVs to move back after a run, from the cluster's state."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_restore_moves
short_description: Decide which CSVs to move back after a backup run, from the cluster as it is now
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Compares the ownership map saved before the run with a fresh M(wsfc.csv.cluster_info) result.
  - A CSV is moved back only when it is not on its original owner and that node is Up. The others are kept, with
    the reason (the original owner is Down or Paused, or the CSV no longer exists), so the report can say so.
  - Deciding from the state rather than from the plan's undo list also puts back CSVs the cluster failed over
    during the run, and never moves one twice.
options:
  _input:
    description: The saved ownership map, CSV name -> owner (C(coordinators) of M(wsfc.csv.cluster_info)).
    type: dict
    required: true
  now:
    description: A fresh M(wsfc.csv.cluster_info) result; null when no node answered.
    type: dict
  scope:
    description: The CSVs the run touched. Omit to consider every CSV of the map.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Decide what to move back
  ansible.builtin.set_fact:
    restore: "{{ before.coordinators | wsfc.csv.backup_restore_moves(now=cluster_now, scope=['Cluster Disk 1']) }}"
"""

RETURN = r"""
_value:
  description: C(moves) (list of C(csv), C(from), C(to)), C(kept) (list of C(csv), C(on), C(owner), C(why)) and
    C(error) (a message when O(now) is null, else null).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import restore_moves


def backup_restore_moves(before, now=None, scope=None):
    if not isinstance(before, dict):
        raise AnsibleFilterError("backup_restore_moves expects the saved ownership map (a dictionary), got %s"
                                 % type(before).__name__)
    try:
        return restore_moves(before, now, scope)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AnsibleFilterError("backup_restore_moves: %s" % exc)


class FilterModule:
    def filters(self):
        return {"backup_restore_moves": backup_restore_moves}
