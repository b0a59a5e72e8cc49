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
    """method, command, run_as_user, run_as_password, run_as_kind and log_dir of a backup job."""

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
    description:
      - The account the backup job's scheduled task runs as, C(DOMAIN\name); a group managed service account's
        name ends in C($).
      - The task is registered with run level Highest (with UAC on, a task otherwise runs with a filtered token
        that lacks the backup privilege C(robocopy /B) and C(wbadmin) need), normal priority (6), an execution
        time limit of the job's timeout, and may start and keep running on battery power.
      - The account must be allowed to log on as a batch job (members of Administrators and Backup Operators are
        by default) and hold the backup privilege (Administrators or Backup Operators).
    type: str
    default: NT AUTHORITY\SYSTEM
  run_as_password:
    description:
      - The password of O(run_as_user), required for an account that is neither C(NT AUTHORITY\SYSTEM) nor a
        group managed service account, and refused for those (they have none).
      - Never returned or logged; it is not part of the scheduled task's visible arguments.
    type: str
  run_as_kind:
    description:
      - How O(run_as_user) logs on. V(system) is C(NT AUTHORITY\SYSTEM) (logon type ServiceAccount, no password).
        V(gmsa) is a group managed service account (logon type Password without a password; Active Directory
        manages it). V(user) is an account with O(run_as_password) (logon type Password).
      - V(auto) picks V(system) for C(NT AUTHORITY\SYSTEM), V(gmsa) for a name ending in C($), V(user) otherwise.
    type: str
    choices: [auto, system, user, gmsa]
    default: auto
  log_dir:
    description: Folder on the node for the log file of each backup job, C(<job name>.log).
    type: str
    default: C:\ProgramData\wsfc.csv\jobs
"""
