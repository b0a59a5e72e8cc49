# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``wsfc.csv.multichannel_fixes`` filter: which SMB sides to enable Multichannel on, from a node's findings."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: multichannel_fixes
short_description: The SMB sides whose Multichannel a node's network findings say to enable
version_added: 0.1.0
author:
  - wsfc.csv maintainers (@wsfc-csv)
description:
  - Takes the result of M(wsfc.csv.network_info) and returns the SMB sides (V(client), V(server)) that a
    C(multichannel_disabled) finding names, limited to O(allowed), in that order. The C(wsfc.csv.network_tuning)
    role passes them to M(wsfc.csv.smb_multichannel).
positional: allowed
options:
  _input:
    description: The result of M(wsfc.csv.network_info) for one node.
    type: dict
    required: true
  allowed:
    description: The sides that may be changed.
    type: list
    elements: str
    default: [client, server]
"""

EXAMPLES = r"""
- name: Enable SMB Multichannel where it is disabled
  wsfc.csv.smb_multichannel:
    client: "{{ true if 'client' in sides else omit }}"
    server: "{{ true if 'server' in sides else omit }}"
  vars:
    sides: "{{ network | wsfc.csv.multichannel_fixes(['client', 'server']) }}"
  when: sides | length > 0
"""

RETURN = r"""
_value:
  description: The sides to enable, a subset of V(client) and V(server).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.plugin_utils.network.changes import multichannel_fixes as _fixes


def multichannel_fixes(network, allowed=("client", "server")):
    if not isinstance(network, dict):
        raise AnsibleFilterError("multichannel_fixes expects a wsfc.csv.network_info result (a dictionary), got %s"
                                 % type(network).__name__)
    return _fixes(network, allowed)


class FilterModule:
    def filters(self):
        return {"multichannel_fixes": multichannel_fixes}
