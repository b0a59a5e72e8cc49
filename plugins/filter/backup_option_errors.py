# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.backup_option_errors`` filter: what is wrong with the csv_backup role's options."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_option_errors
short_description: Check the options of the csv_backup role beyond their types
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Returns one message per option of the C(wsfc.csv.csv_backup) role that its argument spec cannot refuse, so the
    role refuses them before it reads or changes anything - a concurrency below 1, a timeout below 1 second, a poll
    interval of 0, a read rate that is neither a number above 0 nor a dictionary, a V(copy) or V(wbadmin) backup
    without a target, a target that is neither a UNC path (C(\\server\share)) nor, for V(copy), a drive-letter path
    (C(E:\Backups)) (the message names the value and the likely cause, such as a C(\\) lost to Ansible's
    C(key=value) parsing), a V(command) backup without a command, and a target or command argument that cmd.exe
    would read as syntax (a double quote, C(%), C(!) or a control character).
  - Each message names one option (with O(prefix)), its value (cut to 120 characters) and what it must be.
  - The same checks run again in M(wsfc.csv.backup_prepare).
positional: prefix
options:
  _input:
    description: The options, keyed by their names without the prefix (as the role's C(csv_backup_options)).
    type: dict
    required: true
  prefix:
    description: What the messages put before each option's name.
    type: str
    default: csv_backup_
"""

EXAMPLES = r"""
- name: Check the options before anything is read or changed
  ansible.builtin.assert:
    that: csv_backup_option_errors | length == 0
    fail_msg: "{{ csv_backup_option_errors | join(' ') }}"
  vars:
    csv_backup_option_errors: "{{ {'concurrency': 0, 'method': 'copy', 'target': ''} | wsfc.csv.backup_option_errors }}"
"""

RETURN = r"""
_value:
  description: The messages; empty when every option is acceptable.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.run.options import option_errors


def backup_option_errors(options, prefix="csv_backup_"):
    if not isinstance(options, dict):
        raise AnsibleFilterError("backup_option_errors expects the options (a dictionary), got %s"
                                 % type(options).__name__)
    return option_errors(options, prefix)


class FilterModule:
    def filters(self):
        return {"backup_option_errors": backup_option_errors}
