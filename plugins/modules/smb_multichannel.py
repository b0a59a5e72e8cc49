#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/smb_multichannel.py.

DOCUMENTATION = r"""
---
module: smb_multichannel
short_description: Enable or disable SMB Multichannel on a node's SMB client and server
version_added: 0.1.0
description:
  - Ensures SMB Multichannel is enabled or disabled on the SMB client and/or the SMB server of one node, with
    C(Set-SmbClientConfiguration -EnableMultiChannel) and C(Set-SmbServerConfiguration -EnableMultiChannel).
  - With SMB Multichannel on both the reading node's client and the coordinator's server, a backup read over SMB
    uses every network interface; without it, one.
  - Reads, changes what differs and reads again in one round trip.
options:
  client:
    description: Whether SMB Multichannel should be enabled on the node's SMB client. Omit to leave it as it is.
    type: bool
  server:
    description: Whether SMB Multichannel should be enabled on the node's SMB server. Omit to leave it as it is.
    type: bool
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.changes
attributes:
  check_mode:
    description: Reads the settings and reports what would change; changes nothing.
  diff_mode:
    description: C(diff) shows the client and server flags before and after.
  platform:
    description: A Windows Server node with the SmbShare PowerShell module.
notes:
  - At least one of O(client) and O(server) is required.
  - A Group Policy that sets the value wins over this module; the module then fails and says so.
seealso:
  - module: wsfc.csv.network_info
  - name: Set-SmbClientConfiguration
    description: The cmdlet that sets the SMB client's EnableMultiChannel.
    link: https://learn.microsoft.com/en-us/powershell/module/smbshare/set-smbclientconfiguration
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Enable SMB Multichannel on every node, client and server
  wsfc.csv.smb_multichannel:
    client: true
    server: true
"""

RETURN = r"""
node:
  description: The computer name of the node that answered.
  returned: always
  type: str
smb_multichannel:
  description: The client and server flags now (in check mode, what they would be).
  returned: success
  type: dict
  sample: {"client": true, "server": true}
diff:
  description: The flags before and after.
  returned: success
  type: dict
msg:
  description: What changed, would change, or that nothing needed to.
  returned: always
  type: str
"""
