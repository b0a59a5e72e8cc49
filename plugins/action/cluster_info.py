# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.cluster_info (documentation in plugins/modules/cluster_info.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.cluster_facts import parse_cluster_info


class ActionModule(WsfcActionBase):
    """Read the cluster, its nodes and its CSVs in one round trip."""

    NEXT_STEP = ("Check that the Cluster service runs on the node and that the account may read the cluster "
                 "(Get-Cluster), "
                 "then run the task again.")

    ARGUMENT_SPEC = {}

    def execute(self, args):
        facts = parse_cluster_info(self.operation("cluster_info", read_only=True))
        facts["changed"] = False
        return facts
