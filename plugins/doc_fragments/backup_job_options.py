# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of one backup job, shared by backup_job and backup_queue.

The documentation twin of ``plugin_utils.argument_specs.backup_job_options()``: the same options with the same
types, choices and defaults. ``method`` has no default here; each stub gives its own under its options (ansible-core
merges an option's keys and keeps the stub's), as the spec function takes it from its caller::

    options:
      method:
        default: copy
    extends_documentation_fragment:
      - wsfc.csv.backup_job_options
"""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """method, command, run_as_user, run_as_password and log_dir of a backup job."""

    DOCUMENTATION = r"""
options:
  method:
    description:
      - How the backup is made. V(wbadmin) runs Windows Server Backup (C(wbadmin start backup)), which takes its own
        VSS snapshot; V(copy) runs C(robocopy) from a CSV's snapshot; V(command) runs O(command).
    type: str
    choices: [wbadmin, copy, command]
  command:
    description:
      - For O(method=command), the program and its arguments, one list item per argument. Placeholders
        C({snapshot_path}), C({volume}), C({node}), C({csv}), C({target}) and C({name}) in the arguments are
        replaced with their values as data.
      - Each argument is passed double-quoted; an argument with a double quote, C(%) or a control character is
        refused, because cmd.exe would interpret it.
    type: list
    elements: str
  run_as_user:
    description: The account the backup job's scheduled task runs as.
    type: str
    default: NT AUTHORITY\SYSTEM
  run_as_password:
    description:
      - The password of O(run_as_user). Not needed for well-known system accounts.
      - Never returned or logged; it is not part of the scheduled task's visible arguments.
    type: str
  log_dir:
    description: Folder on the node for the log file of each backup job, C(<job name>.log).
    type: str
    default: C:\ProgramData\wsfc.csv\jobs
"""
