# -*- coding: utf-8 -*-
"""Backup targets: what is refused and why, and the folder of each CSV under a target."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError, build_argv, include_error, quote
from ansible_collections.wsfc.csv.plugins.plugin_utils.targets import (
    csv_target,
    folder_errors,
    folder_name,
    target_error,
    target_kind,
)


@pytest.mark.parametrize("value, kind", [
    ("\\\\backup01\\csv", "unc"),
    ("\\\\backup01\\csv\\", "unc"),
    ("\\\\backup01.example.com\\csv$\\nightly", "unc"),
    ("E:\\Backups", "drive"),
    ("e:\\", "drive"),
    ("\\backup01\\csv", None),
    ("backup01\\csv", None),
    ("E:Backups", None),
    ("E:", None),
    ("\\\\backup01", None),
    ("\\\\backup01\\", None),
    ("\\\\?\\Volume{cc566d14-4410-11d9-9d93-806e6f6e6963}\\", None),
    ("\\\\.\\PhysicalDrive0", None),
    ("//backup01/csv", None),
    ("\\\\backup01\\\\csv", None),
    ("E:\\Back\\\\ups", None),
    ("E:\\a|b", None),
    ("E:\\a:b", None),
    ("", None),
])
def test_only_unc_and_drive_letter_paths_are_targets(value, kind):
    assert target_kind(value) == kind


def test_a_share_that_lost_a_backslash_in_key_value_parsing_is_refused_naming_the_value_and_the_cause():
    message = target_error("\\backup01\\csv", "csv_backup_target")
    assert "csv_backup_target '\\\\backup01\\\\csv'" in message
    assert "one backslash" in message and "key=value" in message
    assert '{"csv_backup_target": ' in message and "@vars.yml" in message


@pytest.mark.parametrize("value", ["backup", "E:Backups", "//srv/share", "\\\\?\\Volume{x}\\"])
def test_other_refusals_say_what_a_target_looks_like(value):
    message = target_error(value, "target")
    assert message.startswith("target %r is not a backup target" % value)
    assert "\\\\server\\share" in message and "E:\\Backups" in message


def test_wbadmin_needs_a_share_for_its_subfolders():
    assert target_error("\\\\srv\\share", "target", "wbadmin") is None
    assert "remote shared folder" in target_error("E:\\Backups", "target", "wbadmin")
    assert target_error("E:\\Backups", "target", "copy") is None


@pytest.mark.parametrize("first, second", [
    ("財務", "人事"), ("Disk #1", "Disk $1"), ("SQL (Data)", "SQL [Data]"), ("Disk A", "disk a"),
])
def test_names_that_sanitise_alike_get_separate_folders(first, second):
    items = [{"csv": first, "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"},
             {"csv": second, "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3302"}]
    assert folder_name(items[0]).lower() != folder_name(items[1]).lower()
    assert folder_errors(items) == []


def test_the_folder_is_readable_and_stable_and_a_given_folder_is_kept():
    item = {"csv": "Cluster Disk 1", "id": "0c6f6a4a-57f1-4f2c-a6c5-0d2b8e4f1a10"}
    assert folder_name(item) == folder_name(dict(item)) and folder_name(item).startswith("Cluster Disk 1-")
    assert folder_name({"csv": "x" * 200, "id": "1"}).startswith("x" * 40 + "-")
    assert folder_name(dict(item, folder="planned")) == "planned"
    assert csv_target("\\\\b\\s\\", "run1", item) == "\\\\b\\s\\run1\\" + folder_name(item)


def test_two_csvs_given_the_same_folder_are_refused():
    errors = folder_errors([{"csv": "A", "folder": "same"}, {"csv": "B", "folder": "SAME"}])
    assert len(errors) == 1 and "'A' and 'B'" in errors[0]


def test_a_comma_in_a_wbadmin_item_is_refused():
    assert include_error(["C:\\ClusterStorage\\Volume1"]) is None
    assert "comma-delimited -hyperv" in include_error(["vm,two"], "-hyperv")
    with pytest.raises(BackupJobError, match="comma-delimited -include"):
        build_argv("wbadmin", "N1", volume="C:\\ClusterStorage\\a,b", target="\\\\b\\s")
    with pytest.raises(BackupJobError, match="comma-delimited -hyperv"):
        build_argv("wbadmin", "N1", vms=["web,db"], target="\\\\b\\s")


@pytest.mark.parametrize("value", ['\\\\srv\\" & calc & "', "\\\\srv\\100%", "\\\\srv\\line\r\nbreak"])
def test_a_value_cmd_exe_would_read_as_syntax_is_left_to_the_cmd_exe_refusal(value):
    assert target_error(value, "target") is None
    with pytest.raises(BackupJobError, match="cannot be passed safely through cmd.exe"):
        quote(value)
