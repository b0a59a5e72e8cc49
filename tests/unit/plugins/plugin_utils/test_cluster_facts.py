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


def test_redirected_without_a_reason_reports_the_state():
    raw = _raw(access=[{"node": "NODE1", "state": "Block Redirected", "reason": "NotRedirected"}])
    csv = parse_cluster_info(raw)["csvs"][0]
    assert csv["redirected"] is True and csv["redirected_reason"] == "Block Redirected"


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
