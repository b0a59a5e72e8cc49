# -*- coding: utf-8 -*-
"""Classification of redirected access (plugins/plugin_utils/csv_access.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_access import (
    REASONS,
    classify_csv,
    classify_entry,
    in_backup,
    new_redirects,
    reason_names,
)


@pytest.mark.parametrize("value, names", [
    ("NotRedirected", []),
    ("", []),
    (None, []),
    ("UserRequest", ["UserRequest"]),
    ("UserRequest, ReFs", ["UserRequest", "ReFs"]),
    ("FileSystemReFs", ["ReFs"]),
    ("RedirectedIOReasonReFs", ["ReFs"]),
    ("VolumeRedirectedIOReasonNoDiskConnectivity", ["NoDiskConnectivity"]),
    ("IncompatibleFileSystemFilter", ["UnsafeFileSystemFilter"]),
    ("NotFileSystemRedirected", []),
])
def test_reason_names(value, names):
    assert reason_names(value) == names


@pytest.mark.parametrize("state, reason, cls", [
    ("Direct", "NotRedirected", "direct"),
    ("File System Redirected", "ReFs", "structural"),
    ("File System Redirected", "FileSystemTiering", "structural"),
    ("File System Redirected", "UnsafeFileSystemFilter", "structural"),
    ("Block Redirected", "StorageSpaceNotAttached", "structural"),
    ("Block Redirected", "VolumeReplicationEnabled", "structural"),
    ("File System Redirected", "UserRequest", "transient"),
    ("File System Redirected", "BitLockerInitializing", "transient"),
    ("File System Redirected", "UnsafeVolumeFilter", "fatal"),
    ("Block Redirected", "NoDiskConnectivity", "fatal"),
    ("File System Redirected", "Max", "fatal"),
    ("File System Redirected", "NotRedirected", "transient"),   # redirected without a reason: the snapshot's
    ("File System Redirected", "ReFs, UserRequest", "transient"),
])
def test_classes(state, reason, cls):
    assert classify_entry({"node": "N1", "state": state, "reason": reason})["class"] == cls


def test_every_documented_reason_has_a_why():
    assert len(REASONS) == 9
    for kind, name, cls, why in REASONS:
        assert kind in ("file_system", "block") and cls in ("structural", "transient", "fatal") and why
        assert classify_entry({"node": "N", "state": "Block Redirected", "reason": name})["class"] == cls


def test_csv_class_is_the_worst_and_the_detail_names_only_those_nodes():
    access = [{"node": "N1", "state": "File System Redirected", "reason": "ReFs"},
              {"node": "N2", "state": "File System Redirected", "reason": "UserRequest"}]
    cls, detail = classify_csv(access)
    assert cls == "transient"
    assert "N2" in detail and "UserRequest" in detail and "N1" not in detail
    assert classify_csv([{"node": "N1", "state": "Direct", "reason": "NotRedirected"}]) == ("direct", None)
    assert classify_csv([]) == ("direct", None)


def test_new_redirects_ignores_structural_and_what_was_there():
    def entries(*triples):
        return [classify_entry({"node": n, "state": s, "reason": r}) for n, s, r in triples]
    before = entries(("N1", "Direct", ""), ("N2", "File System Redirected", "UserRequest"))
    after = entries(("N1", "Block Redirected", "StorageSpaceNotAttached"), ("N2", "File System Redirected", "UserRequest"),
                    ("N3", "File System Redirected", "BitLockerInitializing"))
    found = new_redirects(before, after)
    assert [e["node"] for e in found] == ["N3"]


@pytest.mark.parametrize("value, held", [
    ("VolumeBackupInProgress", True), ("BackupInProgress", True), ("1", True), (1, True), (True, True),
    ("VolumeBackupNone", False), ("0", False), ("", False), (None, False), (False, False),
])
def test_in_backup(value, held):
    assert in_backup(value) is held
