# -*- coding: utf-8 -*-
"""no_log values are masked in every result (plugins/plugin_utils/action.py), as AnsibleModule masks them.

``ActionBase.validate_argument_spec`` only collects the values of ``no_log`` options; an action plugin that
returns one (in a message, a diff, a path) would show it. Here the password is a word the module really
prints, the job's name, so a result that is not masked says it.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import secret_values

from .recorded import answers

JOB = {"name": "nightly-disk1", "csv": "Cluster Disk 1", "method": "wbadmin", "target": "\\\\backup01\\csv",
       "poll_interval": 0.2, "timeout": 120, "run_as_user": "CORP\\svc-backup"}


def test_a_password_the_module_would_print_comes_back_masked(node, run):
    node.answer(*answers("backup_job", "check_mode_start"))
    result = run("backup_job", dict(JOB, run_as_password="nightly-disk1"), check_mode=True)
    assert "nightly-disk1" not in repr(result)
    assert result["msg"] == "would start backup job \\wsfc.csv\\******** on NODE1"


def test_without_a_password_nothing_is_masked(node, run):
    node.answer(*answers("backup_job", "check_mode_start"))
    result = run("backup_job", dict(JOB, run_as_user="CORP\\svc-backup$"), check_mode=True)  # a gMSA: no password
    assert result["msg"] == "would start backup job \\wsfc.csv\\nightly-disk1 on NODE1"


def test_secret_values_are_those_of_no_log_options_in_suboptions_too_and_never_empty():
    spec = {"user": {"type": "str"}, "password": {"type": "str", "no_log": True},
            "accounts": {"type": "list", "elements": "dict", "options": {
                "key": {"type": "str", "no_log": True}, "name": {"type": "str"}}}}
    params = {"user": "svc", "password": "s3cret", "accounts": [{"key": "k1", "name": "a"}, {"key": "", "name": "b"}]}
    assert secret_values(spec, params) == {"s3cret", "k1"}
    assert secret_values(spec, {"password": ""}) == set()
