#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/nic_team.py.

DOCUMENTATION = r"""
---
module: nic_team
short_description: Ensure an LBFO NIC team is present with its members and settings, or absent
version_added: 0.1.0
description:
  - Creates, changes or removes an LBFO (Load Balancing and Failover) NIC team on one node with the NetLbfo
    cmdlets (C(New-NetLbfoTeam), C(Add-NetLbfoTeamMember), C(Remove-NetLbfoTeamMember), C(Set-NetLbfoTeam),
    C(Remove-NetLbfoTeam)).
  - Refuses to touch an adapter (or a team) that carries the connection the task runs over, unless O(force=true),
    because changing it can cut the node off in the middle of the play.
  - If a step fails, the steps already done are undone before the module fails, so the team is left as it was.
  - Reads the node in one round trip and, when something must change, applies every step in a second one.
options:
  name:
    description: The team name.
    type: str
    required: true
  state:
    description: Whether the team should exist.
    type: str
    choices: [present, absent]
    default: present
  members:
    description:
      - The physical adapters the team should have, exactly. Required with O(state=present).
      - An adapter that belongs to another team is refused.
    type: list
    elements: str
  teaming_mode:
    description: The teaming mode (C(New-NetLbfoTeam -TeamingMode)).
    type: str
    choices: [Static, SwitchIndependent, Lacp]
    default: SwitchIndependent
  load_balancing_algorithm:
    description: The load-balancing algorithm (C(New-NetLbfoTeam -LoadBalancingAlgorithm)).
    type: str
    choices: [TransportPorts, IPAddresses, MacAddresses, HyperVPort, Dynamic]
    default: Dynamic
  force:
    description:
      - Change the team even when it, or one of the adapters the change touches, carries the connection this task
        runs over, or when that cannot be told.
    type: bool
    default: false
  management_address:
    description:
      - The address the node holds for the connection this task runs over. The adapter or team that holds it is
        never touched without O(force).
      - Defaults to the host's C(ansible_host), resolved on the controller. When no interface of the node holds
        the address (NAT, a proxy), the module cannot tell and refuses every change unless O(force=true).
    type: str
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the node and reports the steps it would take; changes nothing.
  diff_mode:
    description: C(diff) shows the team (members, mode, algorithm) before and after.
  platform:
    description: A Windows Server node with the NetLbfo, NetAdapter and NetTCPIP PowerShell modules.
notes:
  - On a Hyper-V host of Windows Server 2016 and later, Switch Embedded Teaming (SET,
    C(New-VMSwitch -EnableEmbeddedTeaming)) is the teaming to use, since RDMA works on SET members and not on
    adapters in an LBFO team, and a Hyper-V switch bound to an LBFO team is no longer developed starting with Windows Server
    2022 ("in a future release" it will not be possible). Use this module for adapters that are not behind a
    Hyper-V switch (for example a dedicated backup or cluster network), and manage SET with the Hyper-V cmdlets.
    An adapter that is a member of a SET team (C(set_teams) of wsfc.csv.network_info) is refused.
  - Teaming network adapters of different speeds is not supported by Windows (New-NetLbfoTeam); wsfc.csv.network_info
    reports such teams.
seealso:
  - module: wsfc.csv.network_info
  - name: New-NetLbfoTeam
    description: The cmdlet that creates a NIC team.
    link: https://learn.microsoft.com/en-us/powershell/module/netlbfo/new-netlbfoteam
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Team the two backup adapters
  wsfc.csv.nic_team:
    name: BACKUP
    members: [SLOT2-1, SLOT2-2]
    teaming_mode: SwitchIndependent
    load_balancing_algorithm: Dynamic

- name: Remove a team
  wsfc.csv.nic_team:
    name: OLDTEAM
    state: absent
"""

RETURN = r"""
node:
  description: The computer name of the node that answered.
  returned: always
  type: str
team:
  description: The team now (in check mode, what it would be), with C(name), C(present), C(members),
    C(teaming_mode), C(load_balancing_algorithm) and, once read back, C(status).
  returned: success
  type: dict
steps:
  description: The steps taken (or that would be), in order (C(create), C(add_member), C(remove_member), C(set),
    C(remove)).
  returned: success
  type: list
  elements: str
touched:
  description: The adapters and team interfaces the steps touch.
  returned: success
  type: list
  elements: str
management_interface:
  description: The interface holding the address the task connects to, or null when none does.
  returned: success
  type: str
diff:
  description: The team before and after.
  returned: success
  type: dict
msg:
  description: What changed, would change, or why the module refused.
  returned: always
  type: str
"""
