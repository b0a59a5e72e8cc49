# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.network_info (documentation in plugins/modules/network_info.py)."""

from __future__ import annotations


from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.facts import DEFAULT_MIN_GBPS, parse_network_info


class ActionModule(WsfcActionBase):
    """Read one node's adapters, LBFO and SET teams, host vNICs, SMB Multichannel and cluster networks in one round trip."""

    NEXT_STEP = ("Check that the NetAdapter, NetLbfo and SmbShare PowerShell modules are on the node (and the "
                 "Hyper-V module where the node has Hyper-V switches) and that the account is an administrator there, "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "min_gbps": {"type": "float", "default": DEFAULT_MIN_GBPS},
        "management_address": {"type": "str"},
    }

    def execute(self, args):
        if args["min_gbps"] <= 0:
            return {"failed": True, "msg": "min_gbps must be greater than 0, got %s" % args["min_gbps"]}
        addresses = self.connection_addresses(args.get("management_address"))
        facts = parse_network_info(self.operation("network_info", read_only=True), addresses, args["min_gbps"])
        facts["management_addresses"] = addresses
        facts["changed"] = False
        return facts
