# -*- coding: utf-8 -*-
"""Unit tests of plugins/plugin_utils/diskshadow.py: the DiskShadow scripts csv_snapshot runs, and its output."""

from __future__ import annotations

import re

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import diskshadow as D


MOUNT = D.exposure_path("Cluster Disk 1", "wsfc.csv")


def test_the_create_script_snapshots_with_writers_lists_the_id_and_exposes_it():
    assert D.create_lines("C:\\ClusterStorage\\Volume1", None, MOUNT) == [
        "# wsfc.csv: an application-consistent shadow copy of one CSV volume, exposed for the backup job",
        "set context persistent", "set verbose on", "add volume C:\\ClusterStorage\\Volume1\\", "create",
        "list shadows id %VSS_SHADOW_1%", "expose %VSS_SHADOW_1% " + MOUNT + "\\"]
    named = D.create_lines("C:\\ClusterStorage\\Volume1\\", "b5946137-7b9f-4925-af80-51abd60b20d5", MOUNT)
    assert named[3] == "add volume C:\\ClusterStorage\\Volume1\\ provider {B5946137-7B9F-4925-AF80-51ABD60B20D5}"
    assert not any("begin backup" in line for line in named)  # a copy backup: the writers' history is left alone


def test_the_remove_script_unexposes_only_what_is_exposed():
    sid = "{AAAAAAAA-0000-0000-0000-000000000001}"
    assert D.remove_lines(sid.lower(), False)[1:] == ["delete shadows id " + sid]
    assert D.remove_lines(sid, True)[1:] == ["unexpose " + sid, "delete shadows id " + sid]


def test_exposure_folders_and_script_paths_are_stable_safe_and_distinct():
    assert D.exposure_path("Cluster Disk 1", "t") == D.exposure_path("cluster disk 1", "t")
    assert D.exposure_path("Cluster Disk 1", "t") != D.exposure_path("Cluster Disk 1", "u")
    assert re.match(r"^C:\\ProgramData\\wsfc\.csv\\exposed\\snap-[0-9a-f]{20}$", MOUNT)
    assert D.script_path("{AAAAAAAA-0000-0000-0000-000000000001}", "remove").endswith(
        "\\aaaaaaaa-0000-0000-0000-000000000001-remove.dsh")
    with pytest.raises(D.UnsafeValue):
        D.script_path("a b", "create")


@pytest.mark.parametrize("value", ["x", "{not-a-guid}", "auto; delete shadows all", "%VSS_SHADOW_1%"])
def test_only_guids_are_passed_as_provider_or_shadow_ids(value):
    with pytest.raises(D.UnsafeValue, match="is not a GUID"):
        D.create_lines("C:\\ClusterStorage\\Volume1", value, MOUNT)
    with pytest.raises(D.UnsafeValue, match="is not a GUID"):
        D.remove_lines(value, True)


def test_only_wsfc_csvs_own_folder_is_an_exposure_target():
    for mount in ("C:\\Temp\\x", D.EXPOSE_DIR + "\\snap-1 & del", D.EXPOSE_DIR + "\\..\\snap-" + "0" * 20):
        with pytest.raises(D.UnsafeValue, match="is not wsfc.csv's own"):
            D.create_lines("C:\\ClusterStorage\\Volume1", None, mount)


def test_shadow_ids_come_from_the_documented_list_shadows_line():
    out = ["-> list shadows id %VSS_SHADOW_1%", "* Shadow Copy ID = {aaaaaaaa-0000-0000-0000-000000000001}",
           "%VSS_SHADOW_1%", "Alias X for shadow ID {bbbbbbbb-0000-0000-0000-000000000002} set"]
    assert D.shadow_ids(out) == ["{AAAAAAAA-0000-0000-0000-000000000001}"]


@pytest.mark.parametrize("output, expected", [
    (["\t- Returned HRESULT: 80042316", "\t- Error text: VSS_E_SNAPSHOT_SET_IN_PROGRESS"],
     "VSS_E_SNAPSHOT_SET_IN_PROGRESS"),
    (["failed with 0x80042317"], "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED"),
    (["Error text: VSS_E_INSUFFICIENT_STORAGE"], "VSS_E_INSUFFICIENT_STORAGE"),
    (["* Shadow Copy ID = {80042316-0000-0000-0000-000000000001}"], None),  # a GUID is not an HRESULT
    (["VSS_E_SNAPSHOT_SET_IN_PROGRESSX"], None),
    ([], None),
])
def test_vss_errors_are_recognised_by_their_documented_names_and_hresults(output, expected):
    assert D.vss_error(output) == expected


def test_error_messages_name_csv_node_error_and_next_step():
    message = D.error_message(["\t- Error text: VSS_E_PROVIDER_VETO"], 1, "NODE2", "Disk A")
    assert message.startswith("Creating a snapshot of Disk A on NODE2 failed: the provider vetoed the operation "
                              "(VSS_E_PROVIDER_VETO). Nothing was created. Next: read")
    unknown = D.error_message(["something odd"], 7, "NODE2", "Disk A")
    assert "DiskShadow exited with 7 (something odd)" in unknown and "Next:" in unknown
