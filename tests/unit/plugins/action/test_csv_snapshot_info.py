# -*- coding: utf-8 -*-
"""wsfc.csv.csv_snapshot_info (plugins/action/csv_snapshot_info.py) with the lab's recorded answers.

A read-only module: one ``csv_snapshot_get`` round trip, never a change, so there is no change to drop and no
diff.
"""

from __future__ import annotations

from .checks import says_what_to_do
from .recorded import answers, structured_error, structured_error_of

ACTION = "csv_snapshot_info"
SYSTEM_PROVIDER = "{B5946137-7B9F-4925-AF80-51ABD60B20D5}"


def _csvs(result):
    return [(s["csv"], s.get("tag"), s["managed"]) for s in result["snapshots"]]


def test_name_and_path_are_mutually_exclusive(node, run):
    result = run(ACTION, {"name": "Cluster Disk 1", "path": "C:\\ClusterStorage\\Volume1"})
    assert result["failed"] and "mutually exclusive: name|path" in result["msg"]
    assert node.calls == []


def test_without_snapshots_it_lists_the_providers_and_the_one_vss_would_choose(node, run):
    node.answer(*answers(ACTION, "empty"))
    result = run(ACTION)
    assert result["snapshots"] == [] and result["vanished"] == []
    assert result["providers"] == [{"id": SYSTEM_PROVIDER, "name": "Microsoft Software Shadow Copy provider 1.0",
                                    "type": "System", "kind": "software", "provider_type": "system",
                                    "version": "1.0.0.7"}]
    assert result["auto_provider"]["kind"] == "software" and result["auto_provider"]["provider_type"] == "system"
    assert [(v["csv"], v["shadow_copies"], v["limit"]) for v in result["volumes"]] == [
        ("Cluster Disk %d" % n, 0, 512) for n in range(1, 5)]
    assert node.operations == ["csv_snapshot_get"]
    assert node.calls[0].args == {"registry": "C:\\ProgramData\\wsfc.csv\\snapshots.json"}


def test_lists_each_snapshot_with_its_csv_tag_and_where_it_is_read(node, run):
    node.answer(*answers(ACTION, "listed"))
    result = run(ACTION)
    assert _csvs(result) == [("Cluster Disk 1", "wsfc.csv", True), ("Cluster Disk 2", "run-7", True)]
    assert [(s["surfaced_on"], s["local_reads"]) for s in result["snapshots"]] == [("NODE1", True), ("NODE2", False)]
    assert [(s["consistency"], s["provider_type"]) for s in result["snapshots"]] == [("application", "system")] * 2
    assert all(s["exposed_path"].startswith("C:\\ProgramData\\wsfc.csv\\exposed\\snap-") for s in result["snapshots"])
    assert [v["shadow_copies"] for v in result["volumes"]] == [1, 1, 0, 0]


def test_reading_is_never_a_change_and_check_mode_reads_the_same(node, run):
    node.answer(*answers(ACTION, "listed"), *answers(ACTION, "listed"))
    normal, checked = run(ACTION), run(ACTION, check_mode=True)
    assert normal["changed"] is False and checked == normal and "diff" not in normal
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_get"]


def test_name_selects_the_snapshots_of_one_csv(node, run):
    node.answer(*answers(ACTION, "listed"))
    assert _csvs(run(ACTION, {"name": "cluster disk 2"})) == [("Cluster Disk 2", "run-7", True)]


def test_tag_selects_the_snapshots_wsfc_csv_took_with_that_tag(node, run):
    node.answer(*answers(ACTION, "listed"))
    assert _csvs(run(ACTION, {"tag": "run-7"})) == [("Cluster Disk 2", "run-7", True)]


def test_a_snapshot_another_tool_took_is_listed_as_not_managed(node, run):
    node.answer(*answers(ACTION, "foreign_and_vanished"))
    assert _csvs(run(ACTION)) == [("Cluster Disk 1", "wsfc.csv", True), ("Cluster Disk 3", None, False)]


def test_managed_only_leaves_out_the_snapshots_of_other_tools(node, run):
    node.answer(*answers(ACTION, "foreign_and_vanished"))
    assert _csvs(run(ACTION, {"managed_only": True})) == [("Cluster Disk 1", "wsfc.csv", True)]


def test_a_recorded_snapshot_lost_with_its_node_is_reported_as_vanished(node, run):
    node.answer(*answers(ACTION, "foreign_and_vanished"))
    result = run(ACTION)
    assert len(result["vanished"]) == 1 and result["vanished"][0] not in [s["id"] for s in result["snapshots"]]


def test_an_unknown_csv_fails_listing_the_csvs_there_are(node, run):
    node.answer(*answers(ACTION, "listed"))
    result = run(ACTION, {"name": "Cluster Disk 9"})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert "(known: Cluster Disk 1, Cluster Disk 2, Cluster Disk 3, Cluster Disk 4)" in result["msg"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.answer(*answers(ACTION, "read_dropped_once"))
    assert run(ACTION)["changed"] is False
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_get"] and harness.connection.resets == 1


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("csv_snapshot_get"))
    result = run(ACTION)
    assert result["failed"] is True and result["msg"].startswith(
        "csv_snapshot_get failed on NODE1: " + structured_error_of()["message"])
    assert node.operations == ["csv_snapshot_get"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("csv_snapshot_get"))
    assert says_what_to_do(run(ACTION)["msg"])
