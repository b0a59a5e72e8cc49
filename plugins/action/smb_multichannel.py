# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.smb_multichannel (documentation in plugins/modules/smb_multichannel.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.network.changes import NetworkChangeError, multichannel_result


class ActionModule(WsfcActionBase):
    """Ensure SMB Multichannel is enabled or disabled on the node's SMB client and/or server, in one round trip."""

    NEXT_STEP = ("Check that the SmbShare PowerShell module is on the node and that the account is an administrator "
                 "there, then run the task again.")

    ARGUMENT_SPEC = {
        "client": {"type": "bool"},
        "server": {"type": "bool"},
    }
    REQUIRED_ONE_OF = [["client", "server"]]

    def execute(self, args):
        check = bool(self._task.check_mode)
        # Not retried blindly: the script reads again after changing, and a rerun is idempotent.
        raw = self.operation("smb_multichannel", {"client": args.get("client"), "server": args.get("server"),
                                                  "check_mode": check}, read_only=check)
        try:
            return multichannel_result(raw, args.get("client"), args.get("server"), check)
        except NetworkChangeError as exc:
            return {"failed": True, "msg": str(exc), "node": raw.get("node")}
