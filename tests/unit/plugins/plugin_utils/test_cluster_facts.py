# -*- coding: utf-8 -*-
"""Parsing of cluster_info output (plugins/plugin_utils/cluster_facts.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.cluster_facts import ClusterFactsError, parse_cluster_info

GB = 10 ** 9


def _raw(**csv_overrides):
    csv = {
        "name": "Cluster Disk 1", "id": "abc", "owner": "NODE2", "state": "Online",
        "path": "C:\\ClusterStorage\\Volume1", "size_bytes": 100 * GB, "free_bytes": 40 * GB,
        "access": [
            {"node": "NODE1", "state": "Direct", "reason": "NotRedirected"},
            {"node": "NODE2", "state": "Direct", "reason": "NotRedirected"},
        ],
        "vms": ["VM2", "VM1"],
    }
    csv.update(csv_overrides)
    return {"cluster": {"name": "C1"}, "node": "NODE1",
            "nodes": [{"name": "NODE2", "state": "Up", "id": "2"}, {"name": "NODE1", "state": "Up", "id": "1"}],
            "csvs": [csv]}


def test_basic_facts():
    facts = parse_cluster_info(_raw())
    assert facts["cluster"] == {"name": "C1"}
    assert [n["name"] for n in facts["nodes"]] == ["NODE1", "NODE2"]
    csv = facts["csvs"][0]
    assert csv["used_bytes"] == 60 * GB
    assert csv["redirected"] is False and csv["redirected_reason"] is None
    assert csv["vms"] == ["VM1", "VM2"]
    assert facts["coordinators"] == {"Cluster Disk 1": "NODE2"}


@pytest.mark.parametrize("state", ["File System Redirected", "FileSystemRedirected", "Block Redirected"])
def test_redirected_reason_comes_from_the_redirected_node(state):
    raw = _raw(access=[
        {"node": "NODE1", "state": state, "reason": "UserRequest"},
        {"node": "NODE2", "state": "Direct", "reason": "NotRedirected"},
    ])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["redirected"] is True
    assert csv["redirected_reason"] == "UserRequest"
    assert csv["redirected_nodes"] == ["NODE1"]


def test_redirected_without_a_reason_is_unspecified_and_waited_for():
    raw = _raw(access=[{"node": "NODE1", "state": "Block Redirected", "reason": "NotRedirected"}])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["redirected"] is True and csv["redirected_reason"] == "Unspecified"
    assert csv["access_class"] == "transient" and "only while a snapshot" in csv["access_detail"]


def test_single_values_and_nulls_are_lists():
    # ConvertTo-Json in Windows PowerShell 5.1 may give null for an empty array.
    raw = _raw(vms=None, access=None)
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["vms"] == [] and csv["access"] == []


def test_missing_key_is_a_clear_error():
    raw = _raw()
    del raw["csvs"][0]["owner"]
    with pytest.raises(ClusterFactsError, match="'owner'"):
        parse_cluster_info(raw)


# ---- classified access, file system, backup state ---------------------------------------------------------------


def test_refs_csv_is_structural_on_every_node():
    raw = _raw(file_system="CSVFS_ReFS", access=[
        {"node": n, "state": "File System Redirected", "reason": "ReFs"} for n in ("NODE1", "NODE2")])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["filesystem"] == "ReFS"
    assert csv["access_class"] == "structural"
    assert [a["class"] for a in csv["access"]] == ["structural", "structural"]
    assert "NODE1" in csv["access_detail"] and "NODE2" in csv["access_detail"]


def test_a_redirect_without_a_reason_during_a_backup_is_the_snapshot():
    raw = _raw(backup_state="VolumeBackupInProgress", access=[
        {"node": "NODE1", "state": "File System Redirected", "reason": "NotRedirected"},
        {"node": "NODE2", "state": "Direct", "reason": "NotRedirected"}])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["backup_in_progress"] is True
    assert csv["access"][0]["reason"] == "Snapshot" and csv["access_class"] == "transient"


def test_the_worst_node_decides_the_class():
    raw = _raw(access=[{"node": "NODE1", "state": "File System Redirected", "reason": "UserRequest"},
                       {"node": "NODE2", "state": "Block Redirected", "reason": "NoDiskConnectivity"}])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["access_class"] == "fatal"
    assert "NODE2" in csv["access_detail"] and "NODE1" not in csv["access_detail"]


def test_sites_come_from_the_fault_domains_above_each_node():
    raw = _raw()
    raw["fault_domains"] = [
        {"name": "Seattle", "type": "Site", "parent": ""},
        {"name": "Rack A", "type": "Rack", "parent": "Seattle"},
        {"name": "NODE1", "type": "Node", "parent": "Rack A"},
        {"name": "NODE2", "type": "Node", "parent": ""},
    ]
    nodes = dict((n["name"], n["site"]) for n in parse_cluster_info(raw)["nodes"])
    assert nodes == {"NODE1": "Seattle", "NODE2": None}


def test_fault_domain_loops_end():
    raw = _raw()
    raw["fault_domains"] = [{"name": "A", "type": "Rack", "parent": "B"}, {"name": "B", "type": "Rack", "parent": "A"},
                            {"name": "NODE1", "type": "Node", "parent": "A"}]
    assert [n["site"] for n in parse_cluster_info(raw)["nodes"]] == [None, None]


@pytest.mark.parametrize("reason, storage", [
    ("StorageSpaceNotAttached", "s2d"), ("NoDiskConnectivity", None), ("NotRedirected", None)])
def test_storage_kind(reason, storage):
    raw = _raw(access=[{"node": "NODE1", "state": "Block Redirected", "reason": reason}])
    assert parse_cluster_info(raw)["storage"] == storage


@pytest.mark.parametrize("cau, in_progress", [
    (None, False),
    ({"available": False}, False),
    ({"available": True, "state": "RunNotInProgress"}, False),
    ({"available": True, "run_id": "834dd11e", "orchestrator": "NODE1"}, True),
    # a RunState that does not say "not in progress" is taken as a run (the page lists no values)
    ({"available": True, "state": "SomethingElse"}, True),
])
def test_cau_run(cau, in_progress):
    raw = _raw()
    raw["cau"] = cau
    assert parse_cluster_info(raw)["cau"]["in_progress"] is in_progress
