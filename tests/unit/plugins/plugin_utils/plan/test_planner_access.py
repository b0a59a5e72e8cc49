# -*- coding: utf-8 -*-
"""The backup planner and how each CSV can be read: access classes and ReFS (plan/inputs.py, planner.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_access import classify_csv
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.planner import plan_backup

GB = 10 ** 9
REFS_WHY = "ReFS: redirected on every node, all I/O goes through the coordinator; read where it is coordinated"


def _csv(name, owner, used_gb, **facts):
    used = int(used_gb * GB)
    csv = {"name": name, "owner": owner, "state": "Online", "size_bytes": 2 * used + GB, "free_bytes": used + GB,
           "used_bytes": used, "redirected": False, "redirected_reason": None, "vms": []}
    csv.update(facts)
    return csv


def _cluster(*csvs):
    return {"cluster": {"name": "C1"}, "storage": "s2d", "csvs": list(csvs),
            "nodes": [{"name": "NODE%d" % i, "state": "Up", "id": str(i)} for i in (1, 2)]}


def _refs(name, owner, used_gb):
    return _csv(name, owner, used_gb, filesystem="ReFS", redirected=True, redirected_reason="FileSystemReFs",
                access_class="structural", access_detail="redirected on every node: ReFs (file system)")


def _why(plan):
    return dict((read["csv"], read["why"]) for reads in plan["nodes"].values() for read in reads)


def test_a_refs_csv_is_planned_and_the_plan_says_why_it_is_read_where_it_is_coordinated():
    plan = plan_backup(_cluster(_refs("Volume1", "NODE1", 800), _refs("Volume2", "NODE1", 800),
                                _csv("Volume3", "NODE2", 10, filesystem="NTFS", access_class="direct")))
    assert sorted(plan["selected"]) == ["Volume1", "Volume2", "Volume3"] and plan["skipped"] == []
    why = _why(plan)
    assert why["Volume1"].endswith("; " + REFS_WHY) and why["Volume2"].endswith("; " + REFS_WHY)
    assert REFS_WHY not in why["Volume3"]
    assert [m["csv"] for m in plan["moves"]] == ["Volume2"]  # balanced as any other CSV: read where it is coordinated
    assert not any("Volume1" in w for w in plan["warnings"])


def test_a_refs_csv_is_explained_over_smb_too_but_not_with_hardware_snapshots():
    cluster = _cluster(_refs("Volume1", "NODE1", 800), _csv("Volume3", "NODE2", 10, access_class="direct"))
    remote = plan_backup(cluster, strategy="remote", backup_node="NODE2")
    assert _why(remote)["Volume1"].startswith("read over SMB from coordinator NODE1") and REFS_WHY in _why(remote)["Volume1"]
    assert REFS_WHY not in _why(plan_backup(cluster, provider="hardware"))["Volume1"]


def _classified(name, owner, used_gb, state, reason):
    """A CSV whose NODE2 reaches it as ``state`` for ``reason``, classified as cluster_info does (csv_access)."""
    cls, detail = classify_csv([{"node": "NODE2", "state": state, "reason": reason}])
    return _csv(name, owner, used_gb, redirected=True, access_class=cls, access_detail=detail)


def test_a_fatal_redirect_is_skipped_with_the_node_the_reason_and_what_to_do():
    plan = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                                _classified("Volume2", "NODE1", 100, "Block Redirected", "NoDiskConnectivity")))
    assert plan["selected"] == ["Volume1"]
    assert plan["skipped"][0]["csv"] == "Volume2"
    assert plan["skipped"][0]["reason"].startswith("cannot be read: Block Redirected on NODE2 (NoDiskConnectivity")
    warning = [w for w in plan["warnings"] if w.startswith("Volume2 is skipped: ")][0]
    assert "fix the storage connection" in warning and "run again" in warning


def test_a_fatal_redirect_of_another_reason_says_how_to_find_it():
    plan = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                                _classified("Volume2", "NODE1", 100, "File System Redirected", "UnsafeVolumeFilter")))
    assert any(w.startswith("Volume2 is skipped: File System Redirected on NODE2 (UnsafeVolumeFilter")
               and "remove or update it" in w for w in plan["warnings"])
    unknown = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                                   _classified("Volume2", "NODE1", 100, "File System Redirected", "Max")))
    assert any("is not a redirected I/O reason Microsoft documents" in w and "Get-ClusterSharedVolumeState" in w
               for w in unknown["warnings"])
    bare = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                                _csv("Volume2", "NODE1", 100, access_class="fatal")))
    assert bare["skipped"] == [{"csv": "Volume2", "reason": "cannot be read: reason unknown"}]


def test_a_transient_redirect_is_planned_with_a_warning_that_the_run_waits_for_it():
    detail = "NODE2: file system redirected, UserRequest"
    plan = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, redirected=True, access_class="transient", access_detail=detail)))
    assert plan["selected"] == ["Volume1"] and plan["skipped"] == []
    assert ("Volume1 is redirected for now (NODE2: file system redirected, UserRequest): it is planned, and the run "
            "waits for the redirect to end before its snapshot") in plan["warnings"]


def test_facts_without_access_class_keep_skipping_every_redirected_csv():
    plan = plan_backup(_cluster(_csv("Volume1", "NODE1", 100),
                                _csv("Volume2", "NODE1", 100, filesystem="ReFS", redirected=True, redirected_reason="FileSystemReFs")))
    assert plan["skipped"] == [{"csv": "Volume2", "reason": "in redirected access (FileSystemReFs)"}]


def test_a_direct_or_structural_csv_is_planned_whatever_redirected_says():
    plan = plan_backup(_cluster(_csv("Volume1", "NODE1", 100, redirected=True, access_class="direct")))
    assert plan["selected"] == ["Volume1"]


def test_an_unknown_access_class_is_a_value_error_naming_the_csv():
    with pytest.raises(ValueError, match=r"^CSV 'Volume1': access_class must be one of direct, structural, transient, fatal; got 'odd'$"):
        plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="odd")))


def test_when_every_selected_csv_is_fatal_the_plan_is_refused_naming_each():
    with pytest.raises(ValueError, match=r"^none of the selected CSVs can be backed up: Volume1: cannot be read: NODE2: NoDiskConnectivity$"):
        plan_backup(_cluster(_csv("Volume1", "NODE1", 100, access_class="fatal", access_detail="NODE2: NoDiskConnectivity")))


def test_a_csv_another_backup_holds_refuses_the_plan_by_default():
    cluster = _cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                       _csv("Volume2", "NODE1", 100, access_class="direct", backup_in_progress=True))
    with pytest.raises(ValueError) as caught:
        plan_backup(cluster)
    assert "Volume2 cannot be backed up now: another backup holds it" in str(caught.value)
    assert "csv_backup_busy_csvs: skip" in str(caught.value)


def test_with_busy_csvs_skip_only_the_held_csv_is_left_out():
    cluster = _cluster(_csv("Volume1", "NODE1", 100, access_class="direct"),
                       _csv("Volume2", "NODE1", 100, access_class="direct", backup_in_progress=True))
    plan = plan_backup(cluster, busy_csvs="skip")
    assert plan["selected"] == ["Volume1"]
    assert [s["csv"] for s in plan["skipped"]] == ["Volume2"] and "another backup holds it" in plan["skipped"][0]["reason"]
    assert all(m["csv"] != "Volume2" for m in plan["moves"])
    with pytest.raises(ValueError, match="busy_csvs"):
        plan_backup(cluster, busy_csvs="wait")
