# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Documentation shared by every module that runs a script on a cluster node."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """How the modules reach a node."""

    DOCUMENTATION = r"""
options: {}
notes:
  - The module is an action plugin. It runs a short PowerShell script on the node through the host's own
    connection (C(ansible_connection=winrm) or C(psrp)), so inventory credentials, AWX machine credentials and
    connection options apply unchanged. Nothing is copied to the node.
  - Arguments reach the script as data (base64-encoded JSON decoded by the script), never as script text, so
    names with quotes, C($()), backticks or semicolons are used verbatim.
  - Read-only operations are retried after a connection failure; operations that change the cluster are not
    retried blindly.
requirements:
  - Windows Server 2016 or later with the FailoverClusters PowerShell module on the node.
  - On the controller, the Python packages of the connection plugin (pywinrm or pypsrp).
"""
