# -*- coding: utf-8 -*-
"""wsfc.csv.csv_snapshot (plugins/action/csv_snapshot.py) with the lab's recorded answers.

Every run reads the node first (``csv_snapshot_get``: CSVs, providers, shadow copies, the registry of the ones
wsfc.csv took); ``csv_snapshot_create`` and ``csv_snapshot_remove`` are the changes.
"""

from __future__ import annotations

from .checks import says_what_to_do
from .recorded import answers, document

ACTION = "csv_snapshot"
SYSTEM_PROVIDER = "{B5946137-7B9F-4925-AF80-51ABD60B20D5}"
REGISTRY = "C:\\ProgramData\\wsfc.csv\\snapshots.json"


def _disk1_snapshot():
    """The id of the snapshot of Cluster Disk 1 the node created (in scenario create; later ones see it)."""
    return document(ACTION, "create", "csv_snapshot_create")["shadow"]["id"]


def test_a_csv_or_an_id_is_required(node, run):
    result = run(ACTION, {"state": "absent"})
    assert result["failed"] and result["msg"] == "one of the following is required: name, path, id"
    assert node.calls == []


def test_an_id_is_refused_when_taking_a_snapshot(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"id": _disk1_snapshot()})
    assert result["failed"] and result["msg"].startswith("id is only used with state=absent")
    assert node.operations == ["csv_snapshot_get"]


def test_check_mode_predicts_the_snapshot_and_creates_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"name": "Cluster Disk 1"}, check_mode=True)
    assert result["changed"] is True and result["msg"].startswith("would create a snapshot of Cluster Disk 1 on NODE1")
    assert result["snapshot"]["surfaced_on"] == "NODE1" and result["snapshot"]["local_reads"] is True
    assert result["snapshot"]["provider_id"] == SYSTEM_PROVIDER
    assert node.operations == ["csv_snapshot_get"] and node.calls[0].args == {"registry": REGISTRY}


def test_the_diff_shows_the_new_snapshot(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    assert run(ACTION, {"name": "Cluster Disk 1"}, check_mode=True)["diff"] == {
        "before": {"csv": "Cluster Disk 1", "tag": "wsfc.csv", "snapshots": []},
        "after": {"csv": "Cluster Disk 1", "tag": "wsfc.csv", "snapshots": ["(new software snapshot)"]}}


def test_takes_a_snapshot_on_the_coordinator_and_records_it(node, run):
    node.answer(*answers(ACTION, "create"))
    result = run(ACTION, {"name": "Cluster Disk 1"})
    snapshot = result["snapshot"]
    assert result["changed"] is True and snapshot["id"] == _disk1_snapshot()
    assert (snapshot["surfaced_on"], snapshot["local_reads"], snapshot["tag"]) == ("NODE1", True, "wsfc.csv")
    assert snapshot["device_object"] == "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1"
    assert result["diff"]["after"]["snapshots"] == [snapshot["id"]]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_create"]
    assert node.args_of("csv_snapshot_create") == [{
        "volume": "C:\\ClusterStorage\\Volume1\\", "provider_id": SYSTEM_PROVIDER, "registry": REGISTRY,
        "registry_dir": "C:\\ProgramData\\wsfc.csv", "csv": "Cluster Disk 1", "tag": "wsfc.csv", "entries": []}]


def test_a_snapshot_of_a_csv_coordinated_elsewhere_is_read_over_smb(node, run):
    node.answer(*answers(ACTION, "create_remote"))
    result = run(ACTION, {"name": "Cluster Disk 2", "tag": "run-7"})
    assert (result["snapshot"]["surfaced_on"], result["snapshot"]["local_reads"]) == ("NODE2", False)
    assert result["msg"].endswith("surfaced on NODE2, so NODE1 reads it over SMB from NODE2")
    assert [e["csv"] for e in node.args_of("csv_snapshot_create")[0]["entries"]] == ["Cluster Disk 1"]


def test_an_existing_tagged_snapshot_is_kept(node, run):
    node.answer(*answers(ACTION, "already_there"))
    result = run(ACTION, {"name": "Cluster Disk 1"})
    assert result["changed"] is False and result["snapshot"]["id"] == _disk1_snapshot()
    assert result["diff"]["before"] == result["diff"]["after"]
    assert node.operations == ["csv_snapshot_get"]


def test_a_vss_refusal_fails_naming_the_node_the_code_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "create_fails"))
    result = run(ACTION, {"name": "Cluster Disk 3"})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert "Win32_ShadowCopy.Create returned 6 (Insufficient storage). Nothing was created." in result["msg"]
    assert "vssadmin resize shadowstorage" in result["msg"] and "run the task again" in result["msg"]


def test_an_offline_csv_is_refused_before_any_change(node, run):
    node.answer(*answers(ACTION, "offline"))
    result = run(ACTION, {"name": "Cluster Disk 4"})
    assert result["failed"] is True and "is Offline" in result["msg"] and "Start-ClusterResource" in result["msg"]
    assert node.operations == ["csv_snapshot_get"]


def test_a_hardware_provider_that_is_not_there_is_refused_before_any_change(node, run):
    node.answer(*answers(ACTION, "no_hardware_provider"))
    result = run(ACTION, {"name": "Cluster Disk 3", "provider": "hardware"})
    assert result["failed"] is True and "no hardware VSS provider is registered on NODE1" in result["msg"]
    assert node.operations == ["csv_snapshot_get"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.drop("csv_snapshot_get").answer(*answers(ACTION, "check_mode_create"))
    assert run(ACTION, {"name": "Cluster Disk 1"}, check_mode=True)["changed"] is True
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_get"] and harness.connection.resets == 1


def test_a_dropped_create_is_not_repeated_and_the_task_is_unreachable(node, run, harness):
    node.answer(*answers(ACTION, "create_dropped"))
    result = run(ACTION, {"name": "Cluster Disk 3", "tag": "dropped"})
    assert result["unreachable"] is True and "failed" not in result
    assert result["msg"].startswith("csv_snapshot_create failed on NODE1: the connection failed while the change")
    assert "may or may not have happened; read the state again" in result["msg"]
    # the runner gives whoever reads the state again a fresh shell
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_create"] and harness.connection.resets == 1


def test_check_mode_deletes_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_remove"))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"}, check_mode=True)
    assert result["changed"] is True and result["msg"] == "would delete 1 snapshot(s) of Cluster Disk 1 on NODE1"
    assert result["diff"] == {"before": {"snapshots": [_disk1_snapshot()]},
                              "after": {"snapshots": []}}
    assert node.operations == ["csv_snapshot_get"]


def test_deletes_the_csvs_snapshot_and_keeps_the_other_entries(node, run):
    node.answer(*answers(ACTION, "remove"))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert result["changed"] is True and result["removed"] == [_disk1_snapshot()]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_remove"]
    remove = node.args_of("csv_snapshot_remove")[0]
    assert remove["ids"] == [_disk1_snapshot()]
    assert sorted(e["csv"] for e in remove["keep"]) == ["Cluster Disk 2", "Cluster Disk 3"]


def test_nothing_to_delete_is_no_change(node, run):
    node.answer(*answers(ACTION, "remove_nothing"))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert result["changed"] is False and result["removed"] == []
    assert result["msg"] == "no snapshot of Cluster Disk 1 created by wsfc.csv exists on NODE1"
    assert node.operations == ["csv_snapshot_get"]


def test_a_delete_the_node_refuses_fails_naming_the_node(node, run):
    node.answer(*answers(ACTION, "remove_fails"))
    result = run(ACTION, {"name": "Cluster Disk 2", "state": "absent", "tag": "run-7"})
    assert result["failed"] is True and result["msg"].startswith("csv_snapshot_remove failed on NODE1: Generic failure")
    assert result["error_id"].startswith("HRESULT 0x80041001")
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_remove"]


def test_a_delete_the_node_refuses_says_what_to_do(node, run):
    node.answer(*answers(ACTION, "remove_fails"))
    assert says_what_to_do(run(ACTION, {"name": "Cluster Disk 2", "state": "absent", "tag": "run-7"})["msg"])
