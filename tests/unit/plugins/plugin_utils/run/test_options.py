# -*- coding: utf-8 -*-
"""The csv_backup role's option checks beyond their types (plugins/plugin_utils/run/options.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.run.options import option_errors

from run_answers import OPTIONS  # pylint: disable=import-error


def _with(**changes):
    options = dict(OPTIONS)
    options.update(changes)
    return options


def test_the_role_defaults_with_a_target_are_accepted():
    assert option_errors(OPTIONS) == []


@pytest.mark.parametrize("option, value, rule", [
    ("concurrency", 0, "must be at least 1"),
    ("concurrency", "-2", "must be at least 1"),
    ("move_timeout", "soon", "must be at least 1 second"),
    ("job_timeout", 0, "must be at least 1 second"),
    ("lock_stale_after", 0.5, "must be at least 1 second"),
    ("poll_interval", 0, "must be more than 0 seconds"),
    ("job_poll_interval", "x", "must be more than 0 seconds"),
    ("read_gbps", 0, "must be more than 0 (Gb/s), or a dictionary of node name to Gb/s"),
    ("read_gbps", True, "must be more than 0 (Gb/s), or a dictionary of node name to Gb/s"),
    ("target_gbps", -1, "must be 0 (no cap) or more"),
    ("min_gbps", -0.1, "must be 0 or more"),
])
def test_each_number_refusal_names_only_its_option_and_value(option, value, rule):
    errors = option_errors(_with(**{option: value}))
    assert errors == ["csv_backup_%s (got %s) must %s." % (option, value, rule.split("must ", 1)[1])]


def test_a_read_rate_per_node_is_a_dictionary_and_accepted():
    assert option_errors(_with(read_gbps={"NODE1": 16, "NODE2": 8})) == []


def test_a_long_value_is_cut_in_the_message():
    errors = option_errors(_with(concurrency="x" * 500))
    assert len(errors) == 1 and "x" * 117 + "..." in errors[0] and "x" * 118 not in errors[0]


@pytest.mark.parametrize("method, changes, needs", [
    ("copy", {"target": ""}, "csv_backup_method=copy needs csv_backup_target"),
    ("wbadmin", {"target": ""}, "csv_backup_method=wbadmin needs csv_backup_target"),
    ("command", {"command": []}, "csv_backup_method=command needs csv_backup_command"),
])
def test_each_method_needs_its_options(method, changes, needs):
    errors = option_errors(_with(method=method, **changes))
    assert len(errors) == 1 and errors[0].startswith(needs)


def test_a_command_backup_needs_no_target():
    assert option_errors(_with(method="command", target="", command=["tool.exe", "{snapshot_path}"])) == []


@pytest.mark.parametrize("changes", [
    {"target": '\\\\srv\\" & calc & "'},
    {"target": "\\\\srv\\100%"},
    {"target": "\\\\srv\\wow!"},
    {"method": "command", "command": ["tool.exe", "line\nbreak"]},
])
def test_values_cmd_exe_would_read_as_syntax_are_refused(changes):
    errors = option_errors(_with(**changes))
    assert len(errors) == 1 and "cannot be passed safely through cmd.exe" in errors[0]


def test_the_prefix_is_what_the_messages_name():
    assert option_errors(_with(concurrency=0), prefix="") == ["concurrency (got 0) must be at least 1."]


@pytest.mark.parametrize("gbps", [0, -5, "fast", None, True])
def test_a_listed_targets_bandwidth_must_be_above_zero(gbps):
    errors = option_errors(_with(targets=[{"path": "\\\\backup01\\csv", "gbps": 25}, {"path": "E:\\B", "gbps": gbps}]))
    assert errors == ["csv_backup_targets[1].gbps (got %s) must be more than 0 (Gb/s)." % (gbps,)]


def test_listed_targets_with_bandwidth_are_accepted():
    assert option_errors(_with(targets=[{"path": "\\\\backup01\\csv", "gbps": "25"}])) == []


@pytest.mark.parametrize("method, target, says", [
    ("copy", "\\backup01\\csv", "one backslash"),
    ("copy", "backup01\\csv", "UNC path"),
    ("wbadmin", "\\backup01\\csv", "key=value"),
    ("wbadmin", "E:\\Backups", "remote shared folder"),
])
def test_a_target_that_is_neither_a_share_nor_a_drive_letter_path_is_refused_naming_the_value(method, target, says):
    errors = option_errors(_with(method=method, target=target))
    assert len(errors) == 1 and errors[0].startswith("csv_backup_target %r is not a backup target" % target)
    assert says in errors[0]


@pytest.mark.parametrize("method, target", [("copy", "\\\\backup01\\csv"), ("copy", "E:\\Backups"),
                                            ("wbadmin", "\\\\backup01\\wsb\\nightly")])
def test_shares_and_drive_letter_paths_are_targets(method, target):
    assert option_errors(_with(method=method, target=target)) == []
