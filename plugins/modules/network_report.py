#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/network_report.py.

DOCUMENTATION = r"""
---
module: network_report
short_description: Summarise a cluster's backup network findings from what every node registered
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - The summary step of the C(wsfc.csv.network_tuning) role, usable on its own. Run it once (C(run_once)) after every
    host has run M(wsfc.csv.network_info) (and, when fixing, M(wsfc.csv.smb_multichannel), M(wsfc.csv.nic_team) and
    M(wsfc.csv.network_info) again) and registered the results.
  - Each node counts with its second reading when that worked, else its first; a node that could not be read at
    all is a critical C(node_unreadable) finding. The findings are ordered most severe first, then by node.
  - Returns the summary (what the role publishes with C(set_stats)), the lines to print, and, when findings at or
    above O(fail_on) are left or a change failed, the lines to fail with.
  - With O(dest), writes C(network_findings.json) and C(network_findings.md) there on the controller.
  - Reads what the hosts registered without templating it. Runs on the controller only.
options:
  before_from:
    description: The variable every host registered its first M(wsfc.csv.network_info) result as.
    type: str
    required: true
  multichannel_from:
    description: The variable hosts registered M(wsfc.csv.smb_multichannel) as.
    type: str
  teams_from:
    description: The variable hosts registered their M(wsfc.csv.nic_team) loop as.
    type: str
  after_from:
    description: The variable hosts registered their second M(wsfc.csv.network_info) result as.
    type: str
  min_gbps:
    description: The backup path threshold the findings were made with, in Gb/s, for the headline.
    type: float
    default: 10.0
  applied:
    description: Whether fixes were asked for, for the headline.
    type: bool
    default: false
  fail_on:
    description: The least severe finding that makes RV(failure) non-empty; V(error) is V(critical).
    type: str
    choices: [never, critical, error, warning, info]
    default: never
  dest:
    description: A directory on the controller for C(network_findings.json) and C(network_findings.md); created when
      missing.
    type: path
extends_documentation_fragment:
  - wsfc.csv.attributes.controller
attributes:
  check_mode:
    description: Summarises the same; writes no files.
seealso:
  - module: wsfc.csv.network_info
"""

EXAMPLES = r"""
- name: Read every node's network
  wsfc.csv.network_info:
  register: network
  ignore_errors: true

- name: Summarise the findings of every node
  wsfc.csv.network_report:
    before_from: network
    fail_on: warning
  register: report
  run_once: true

- name: Print them, and fail on warnings
  ansible.builtin.fail:
    msg: "{{ report.failure }}"
  when: report.failure | length > 0
  run_once: true
"""

RETURN = r"""
summary:
  description: The cluster's summary - C(nodes) (one entry per host), C(counts) and C(counts_before) per severity,
    C(findings) (ordered), C(failing) (how many are at or above O(fail_on)), C(changes), C(errors), C(min_gbps),
    C(applied), C(check_mode), C(fail_on).
  returned: always
  type: dict
lines:
  description: The summary as lines - the headline, each change, each failure, each finding.
  returned: always
  type: list
  elements: str
failure:
  description: The lines to fail with; empty when no change failed and no finding is at or above O(fail_on).
  returned: always
  type: list
  elements: str
files:
  description: The files written (with O(dest)).
  returned: always
  type: list
  elements: str
"""
