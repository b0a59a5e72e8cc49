# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module attributes (check_mode, diff_mode, platform) shared by the modules that run on a cluster node.

A module stub uses the base fragment and one variant::

    extends_documentation_fragment:
      - wsfc.csv.node_connection
      - wsfc.csv.attributes
      - wsfc.csv.attributes.changes   # or wsfc.csv.attributes.info

A module that runs on the controller only uses ``wsfc.csv.attributes.controller`` alone.

Whatever the stub itself writes under ``attributes`` wins, key by key, over the fragments (ansible-core merges
each attribute's keys and keeps the module's own), so a stub writes only what is particular to it: usually the
C(check_mode) and C(diff_mode) descriptions of a module that changes something, or a platform description that
names the PowerShell modules it needs.
"""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Attribute documentation: the base (platform) and the read-only / state-changing variants."""

    # Every module that runs a script on a node: the platform.
    DOCUMENTATION = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: windows
    description: Any node of a Windows Server failover cluster.
"""

    # A module that only reads.
    INFO = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing.
"""

    # A module that runs on the controller only (the roles' decision steps, the reports): it never connects to the
    # host the task names. Stubs that write files say so in their check_mode description.
    CONTROLLER = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Decides only; it runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing on the nodes.
  platform:
    support: full
    platforms: posix
    description: Runs on the Ansible controller; it does not connect to the host the task runs for.
"""

    # A module that changes the cluster: full check mode and diff. Stubs say what their check mode reads and what
    # their diff shows; these descriptions are the fallback.
    CHANGES = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads the current state and reports what would change; changes nothing.
  diff_mode:
    support: full
    description: Shows the state before and after.
"""
