#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the module runs as the action plugin plugins/action/network_info.py.

DOCUMENTATION = r"""
---
module: network_info
short_description: A cluster node's backup network, and what to fix in it
version_added: 0.1.0
description:
  - Reads one node's network in a single round trip, as it matters for backups of Cluster Shared Volumes (CSVs)
    read over SMB from their coordinator.
  - Returns the physical adapters (link speed, status, RDMA capability), the LBFO NIC teams (teaming mode,
    load-balancing algorithm, members, status), the Switch Embedded Teaming (SET) teams of the Hyper-V switches
    and the host virtual NICs, the Windows Server release, whether SMB Multichannel is enabled on the SMB client
    and server, the SMB multichannel connections open now, and the cluster networks (role, metric).
  - SET is read with C(Get-VMSwitchTeam) of the Hyper-V module, only when C(Get-Command) finds it (a node without
    the Hyper-V module has no SET facts), and host vNICs with C(Get-NetAdapter) (C(vEthernet (...)) adapters
    whose description is C(Hyper-V Virtual Ethernet Adapter...)). C(Get-VMSwitch) and
    C(Get-VMNetworkAdapter -ManagementOS) are not used (they are not in the documented reference the collection
    is checked against), so which switch a host vNIC is on is not reported.
  - Evaluates the recommendations for a backup network and returns C(findings), each with a severity, the node,
    what is wrong, why it matters and how to fix it. The checks are pure functions
    (C(plugins/plugin_utils/network/facts.py)) so roles can reuse them.
  - Runs on the controller as an action plugin and reaches the node through the host's own connection.
options:
  min_gbps:
    description:
      - The slowest SMB bandwidth, in gigabits per second, a backup path from or to this node should have.
      - A node below it gets a C(slow_path) finding. The node's bandwidth is the sum of its Up adapters with SMB
        Multichannel on both its client and server, else its fastest single interface (an LBFO team or a SET team
        counts as its members together).
    type: float
    default: 10
  management_address:
    description:
      - The address the node holds for the connection this task runs over, to mark the adapter that carries it
        (C(management) in C(adapters), and C(management_interface)).
      - Defaults to the host's C(ansible_host), resolved on the controller. Set it when the node sees another
        address (NAT, a proxy or a load balancer in between).
    type: str
extends_documentation_fragment:
  - wsfc.csv.node_connection
  - wsfc.csv.attributes
  - wsfc.csv.attributes.info
attributes:
  platform:
    description: A Windows Server failover cluster node with the NetAdapter, NetLbfo, NetTCPIP, SmbShare and
      FailoverClusters PowerShell modules, and the Hyper-V module for SET facts.
notes:
  - Run it on every node (not C(run_once)); each node answers for its own adapters and SMB settings.
  - A host counts as a Hyper-V host (for C(lbfo_on_hyperv)) when it has the Hyper-V PowerShell module; whether an
    LBFO team is bound to a Hyper-V switch is not read.
  - To feed the backup planner, combine the C(nodes) of every host, see the examples.
seealso:
  - module: wsfc.csv.smb_multichannel
  - module: wsfc.csv.nic_team
  - name: Get-NetLbfoTeam
    description: The cmdlet that lists NIC teams.
    link: https://learn.microsoft.com/en-us/powershell/module/netlbfo/get-netlbfoteam
  - name: Get-SmbMultichannelConnection
    description: The cmdlet that lists SMB multichannel connections.
    link: https://learn.microsoft.com/en-us/powershell/module/smbshare/get-smbmultichannelconnection
  - name: Get-VMSwitchTeam
    description: The cmdlet that lists the SET teams of Hyper-V switches.
    link: https://learn.microsoft.com/en-us/powershell/module/hyper-v/get-vmswitchteam
  - name: Remote Direct Memory Access (RDMA) and Switch Embedded Teaming (SET)
    description: SET, and RDMA on Hyper-V switches (not on LBFO teams).
    link: https://learn.microsoft.com/en-us/windows-server/virtualization/hyper-v-virtual-switch/rdma-and-switch-embedded-teaming
author:
  - wsfc.csv maintainers (@wsfc-csv)
"""

EXAMPLES = r"""
- name: Read every node's network
  wsfc.csv.network_info:
    min_gbps: 10
  register: net

- name: Show what to fix
  ansible.builtin.debug:
    msg: "{{ item.severity }}: {{ item.what }}. {{ item.why }} Fix: {{ item.fix }}"
  loop: "{{ net.findings }}"
  loop_control:
    label: "{{ item.id }} {{ item.subject }}"

- name: Plan the backup with every node's network facts
  ansible.builtin.set_fact:
    plan: >-
      {{ cluster | wsfc.csv.backup_plan({'nodes': ansible_play_hosts | map('extract', hostvars, 'net')
                                                  | map(attribute='nodes') | combine}) }}
  run_once: true
"""

RETURN = r"""
node:
  description: The computer name of the node that answered.
  returned: success
  type: str
  sample: NODE1
adapters:
  description: The node's physical network adapters.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Adapter name (interface alias).
      type: str
      sample: SLOT1-1
    description:
      description: Interface description.
      type: str
    index:
      description: Interface index.
      type: int
    link_gbps:
      description: Link speed in Gb/s (0 when the adapter is down).
      type: float
      sample: 10
    status:
      description: Operational status (C(Up), C(Down), C(Testing), C(Unknown), C(Dormant), C(NotPresent),
        C(LowerLayerDown)).
      type: str
    team:
      description: The LBFO team the adapter belongs to, or null.
      type: str
    set_team:
      description: The SET team (Hyper-V switch) the adapter is a member of, or null.
      type: str
    rdma_capable:
      description: Whether the adapter is RDMA-capable (Get-NetAdapterRdma returns it).
      type: bool
    rdma_enabled:
      description: Whether RDMA is enabled on it.
      type: bool
    management:
      description: Whether this adapter (or its team) carries the connection the task runs over.
      type: bool
teams:
  description: The node's LBFO NIC teams.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Team name.
      type: str
    teaming_mode:
      description: C(Static), C(SwitchIndependent) or C(Lacp).
      type: str
    load_balancing_algorithm:
      description: C(TransportPorts), C(IPAddresses), C(MacAddresses), C(HyperVPort) or C(Dynamic).
      type: str
    status:
      description: C(Up), C(Degraded) or C(Down).
      type: str
    members:
      description: Member adapter names.
      type: list
      elements: str
    member_details:
      description: Per member, C(name), C(link_gbps), C(status) and C(failure_reason) (for example
        C(PhysicalMediaDisconnected)).
      type: list
      elements: dict
    link_gbps:
      description: The speed of the Up members together.
      type: float
set_teams:
  description: The Switch Embedded Teaming (SET) teams of the node's Hyper-V switches (C(Get-VMSwitchTeam)); empty
    on a node without the Hyper-V module.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The switch's name (a SET team has no name of its own).
      type: str
      sample: SETSWITCH
    teaming_mode:
      description: C(SwitchIndependent), the only mode SET has.
      type: str
    load_balancing_algorithm:
      description: C(Dynamic) or C(HyperVPort).
      type: str
    members:
      description: Member adapter names (an interface description that matches no adapter is kept as is).
      type: list
      elements: str
    member_details:
      description: Per member, C(name), C(description), C(link_gbps), C(status), C(rdma_capable) and
        C(rdma_enabled).
      type: list
      elements: dict
    link_gbps:
      description: The speed of the Up members together.
      type: float
host_vnics:
  description: The node's host virtual NICs (C(vEthernet (...)) adapters), each with C(name), C(description),
    C(index), C(link_gbps) (Windows reports the switch's speed), C(status), C(rdma_capable), C(rdma_enabled) and
    C(management). Which switch each is on is not read.
  returned: success
  type: list
  elements: dict
hyperv:
  description: Whether the node has the Hyper-V PowerShell module (C(Get-VMSwitchTeam) exists).
  returned: success
  type: bool
os:
  description: The Windows release, C(caption), C(version) and C(build) (an int) from C(Win32_OperatingSystem);
    null in facts gathered without it.
  returned: success
  type: dict
  sample: {"caption": "Microsoft Windows Server 2022 Datacenter", "version": "10.0.20348", "build": 20348}
smb_multichannel:
  description: Whether SMB Multichannel is enabled on the node's SMB client and server.
  returned: success
  type: dict
  sample: {"client": true, "server": true}
smb_connections:
  description: SMB multichannel connections the node's SMB client has open now (server, interfaces, addresses,
    client link speed, RDMA capability).
  returned: success
  type: list
  elements: dict
cluster_networks:
  description: The cluster's networks, each with C(name), C(role) (C(None), C(Cluster), C(Client),
    C(ClusterAndClient)), C(metric), C(state), C(address) and C(address_mask).
  returned: success
  type: list
  elements: dict
management_interface:
  description: The interface (adapter or team) holding the address the task connects to, or null when none does.
  returned: success
  type: str
management_addresses:
  description: The addresses that were looked for.
  returned: success
  type: list
  elements: str
smb_gbps:
  description: The node's SMB bandwidth in Gb/s with SMB Multichannel (C(multichannel)) and without it
    (C(single_channel)).
  returned: success
  type: dict
nodes:
  description: The facts the backup planner reads, keyed by node name (C(adapters) with C(name), C(link_gbps),
    C(status), C(team), where C(team) is the LBFO team or the SET team; C(smb_multichannel)). Combine them across
    hosts for the filter P(wsfc.csv.backup_plan#filter).
  returned: success
  type: dict
findings:
  description: Recommendations the node does not meet, most severe first.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: C(team_degraded) (critical), C(multichannel_disabled), C(slow_path), C(team_single_member),
        C(team_unequal_speed) (warning), C(lbfo_on_hyperv) (an LBFO team on a Hyper-V host of Windows Server 2016
        or later), C(rdma_in_lbfo_team) (an RDMA-capable adapter in an LBFO team), C(rdma_not_enabled) (info).
      type: str
    severity:
      description: C(critical), C(warning) or C(info).
      type: str
    node:
      description: The node.
      type: str
    subject:
      description: What the finding is about (a team, an adapter, C(smb), C(smb_client), C(smb_server),
        C(host_vnics)).
      type: str
    what:
      description: What is wrong.
      type: str
    why:
      description: Why it matters for backups.
      type: str
    fix:
      description: How to fix it.
      type: str
"""
