# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs that several modules share, each the twin of the doc fragment that documents it.

An option two modules accept with the same meaning is written once here and once in its fragment, so that the
modules cannot drift apart; tests/unit/plugins/test_module_docs.py checks every module's merged documentation
against its spec.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import DEFAULT_LOG_DIR, METHODS, RUN_AS_KINDS


def backup_job_options(method_default):
    """The options of one backup job, documented by the fragment ``wsfc.csv.backup_job_options``.

    ``backup_job`` takes them for its job and ``backup_queue`` passes them unchanged to each job it starts, so
    they mean the same in both. Only the default method differs (``wbadmin`` for one job, ``copy`` for a queue),
    so the caller gives it, and the module's stub documents it. Options whose meaning differs stay in each
    module's own spec: ``target`` (a queue's copies go to a folder per run and CSV under it), ``timeout``,
    ``poll_interval`` and ``state``.

    Returns a new dict on each call, which the caller may extend.
    """
    return {
        "method": {"type": "str", "default": method_default, "choices": list(METHODS)},
        "command": {"type": "list", "elements": "str"},
        "run_as_user": {"type": "str", "default": "NT AUTHORITY\\SYSTEM"},
        "run_as_password": {"type": "str", "no_log": True},
        "run_as_kind": {"type": "str", "default": "auto", "choices": list(RUN_AS_KINDS)},
        "log_dir": {"type": "str", "default": DEFAULT_LOG_DIR},
    }
