# -*- coding: utf-8 -*-
"""wsfc.csv.csv_snapshot (plugins/action/csv_snapshot.py) with the lab's recorded answers.

Every run reads the node first (``csv_snapshot_get``: CSVs, providers, shadow copies, the registry of the ones
wsfc.csv took); ``csv_snapshot_create`` (DiskShadow: create and expose) and ``csv_snapshot_remove`` (DiskShadow:
unexpose and delete) are the changes.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ansible_collections.wsfc.csv.plugins.plugin_utils import diskshadow

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


def test_a_negative_busy_timeout_is_refused_before_connecting(node, run):
    result = run(ACTION, {"name": "Cluster Disk 1", "busy_timeout": -1})
    assert result["failed"] and "busy_timeout must be 0 or more" in result["msg"] and node.calls == []


def test_check_mode_predicts_the_snapshot_and_creates_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"name": "Cluster Disk 1"}, check_mode=True)
    assert result["changed"] is True and result["msg"].startswith(
        "would create an application-consistent snapshot of Cluster Disk 1 on NODE1")
    snapshot = result["snapshot"]
    assert snapshot["surfaced_on"] == "NODE1" and snapshot["local_reads"] is True
    assert (snapshot["provider_id"], snapshot["provider_type"]) == (SYSTEM_PROVIDER, "system")
    assert snapshot["exposed_path"] == diskshadow.exposure_path("Cluster Disk 1", "wsfc.csv")
    assert node.operations == ["csv_snapshot_get"] and node.calls[0].args == {"registry": REGISTRY}


def test_the_diff_shows_the_new_snapshot(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    assert run(ACTION, {"name": "Cluster Disk 1"}, check_mode=True)["diff"] == {
        "before": {"csv": "Cluster Disk 1", "tag": "wsfc.csv", "snapshots": []},
        "after": {"csv": "Cluster Disk 1", "tag": "wsfc.csv", "snapshots": ["(new system snapshot)"]}}


def test_takes_an_application_consistent_snapshot_with_diskshadow_and_records_it(node, run):
    node.answer(*answers(ACTION, "create"))
    result = run(ACTION, {"name": "Cluster Disk 1"})
    snapshot = result["snapshot"]
    mount = diskshadow.exposure_path("Cluster Disk 1", "wsfc.csv")
    assert result["changed"] is True and snapshot["id"] == _disk1_snapshot() and result["attempts"] == 1
    assert (snapshot["surfaced_on"], snapshot["local_reads"], snapshot["tag"]) == ("NODE1", True, "wsfc.csv")
    assert (snapshot["consistency"], snapshot["provider_type"]) == ("application", "system")
    assert snapshot["exposed_path"].rstrip("\\") == mount and result["warnings"] == []
    assert result["diff"]["after"]["snapshots"] == [snapshot["id"]]
    # the registry folder did not exist yet: it is created with its own ACL before anything is recorded in it
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_registry", "csv_snapshot_create"]
    assert node.args_of("csv_snapshot_registry") == [{"registry": REGISTRY, "registry_dir": "C:\\ProgramData\\wsfc.csv",
                                                      "sddl": "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
                                                      "quarantine": ""}]
    (sent,) = node.args_of("csv_snapshot_create")
    # auto: no provider named, VSS chooses; the CSV's path, never its name, is in the DiskShadow script
    assert sent["lines"] == diskshadow.create_lines("C:\\ClusterStorage\\Volume1", None, mount)
    assert sent["provider_id"] == "" and sent["mount"] == mount and sent["entries"] == []
    assert not any("Cluster Disk 1" in line for line in sent["lines"])
    assert sent["script"].startswith(diskshadow.SCRIPT_DIR + "\\") and sent["csv"] == "Cluster Disk 1"


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
    assert result["diff"]["before"] == result["diff"]["after"] and result["warnings"] == []
    assert node.operations == ["csv_snapshot_get"]


def test_an_existing_snapshot_from_another_provider_than_asked_is_kept_with_a_warning(node, run):
    node.answer(*answers(ACTION, "already_there"))
    result = run(ACTION, {"name": "Cluster Disk 1", "provider": "hardware"})
    assert result["changed"] is False and "taken with a system provider, not hardware" in result["warnings"][0]


def test_a_vss_refusal_fails_naming_the_node_the_error_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "create_fails"))
    result = run(ACTION, {"name": "Cluster Disk 3"})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert ("Creating a snapshot of Cluster Disk 3 on NODE1 failed: the system or provider has insufficient storage "
            "space (VSS_E_INSUFFICIENT_STORAGE). Nothing was created.") in result["msg"]
    assert "vssadmin resize shadowstorage" in result["msg"] and "run the task again" in result["msg"]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_create"]  # a refusal is not retried


def test_a_busy_node_is_waited_for_and_the_snapshot_taken_when_it_frees(node, run, clock):
    node.answer(*answers(ACTION, "create_busy"))
    result = run(ACTION, {"name": "Cluster Disk 3", "tag": "busy"})
    assert result["changed"] is True and result["attempts"] == 2
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_create", "csv_snapshot_create"]
    assert clock.sleeps == [2.0]  # the first wait of the backoff
    assert "another shadow copy operation kept NODE1 busy" in result["warnings"][0]
    first, second = node.args_of("csv_snapshot_create")
    assert first == second  # the same DiskShadow script again


def test_waiting_backs_off_and_gives_up_at_busy_timeout_naming_node_and_reason(node, run, clock):
    busy = answers(ACTION, "create_busy_gives_up")
    node.answer(busy[0], *([busy[1]] * 6))
    result = run(ACTION, {"name": "Cluster Disk 1", "tag": "busy2", "busy_timeout": 40})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 10.0]  # doubling, cut to what is left of the 40 s
    assert ("Creating a snapshot of Cluster Disk 1 on NODE1 failed: another shadow copy operation was in progress on "
            "NODE1 for 40 s (6 attempt(s), VSS_E_SNAPSHOT_SET_IN_PROGRESS") in result["msg"]
    assert says_what_to_do(result["msg"])


def test_busy_timeout_0_tries_once(node, run, clock):
    node.answer(*answers(ACTION, "create_busy_gives_up"))
    result = run(ACTION, {"name": "Cluster Disk 1", "tag": "busy2", "busy_timeout": 0})
    assert result["failed"] is True and "another shadow copy operation was in progress" in result["msg"]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_create"] and clock.sleeps == []


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


def test_provider_software_names_the_system_provider_to_diskshadow(node, run):
    node.answer(*answers(ACTION, "check_mode_create"))
    result = run(ACTION, {"name": "Cluster Disk 1", "provider": "software"}, check_mode=True)
    assert result["snapshot"]["provider_id"] == SYSTEM_PROVIDER and result["provider"].startswith("the system provider")


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


def test_deletes_the_csvs_snapshot_checking_it_is_the_recorded_one_and_keeps_the_other_entries(node, run):
    node.answer(*answers(ACTION, "remove"))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert result["changed"] is True and result["removed"] == [_disk1_snapshot()]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_remove"]
    remove = node.args_of("csv_snapshot_remove")[0]
    (target,) = remove["targets"]
    made = document(ACTION, "create", "csv_snapshot_create")["shadow"]
    assert target["entry"]["id"] == _disk1_snapshot()
    assert target["volume_names"] == [made["volume_name"]] and target["created"] == made["install_date"]
    assert target["lines_exposed"] == diskshadow.remove_lines(_disk1_snapshot(), True)
    assert sorted(e["csv"] for e in remove["keep"]) == ["Cluster Disk 2", "Cluster Disk 3"]


def test_a_recorded_snapshot_that_is_no_longer_the_same_is_left_alone(node, run):
    get = answers(ACTION, "check_mode_remove")[0]
    raw = document(ACTION, "check_mode_remove", "csv_snapshot_get")
    registry = raw["registry"].replace(document(ACTION, "create", "csv_snapshot_create")["shadow"]["install_date"],
                                       "2020-01-01T00:00:00.0000000Z")
    node.answer(replace(get, stdout=json.dumps(dict(raw, registry=registry)) + "\r\n"))  # the registry was edited
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert result["failed"] is True and "Left alone on NODE1" in result["msg"]
    assert "not at 2020-01-01T00:00:00.0000000Z" in result["msg"] and node.operations == ["csv_snapshot_get"]


def test_nothing_to_delete_is_no_change(node, run):
    node.answer(*answers(ACTION, "remove_nothing"))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert result["changed"] is False and result["removed"] == []
    assert result["msg"] == "no snapshot of Cluster Disk 1 created by wsfc.csv exists on NODE1"
    assert node.operations == ["csv_snapshot_get"]


def test_a_delete_diskshadow_refuses_fails_naming_the_node_and_keeps_the_entry(node, run):
    node.answer(*answers(ACTION, "remove_fails"))
    result = run(ACTION, {"name": "Cluster Disk 2", "state": "absent", "tag": "run-7"})
    assert result["failed"] is True and result["removed"] == []
    assert "Deleting 1 snapshot(s) of Cluster Disk 2 on NODE1 failed, they stay recorded" in result["msg"]
    assert "VSS_E_UNEXPECTED" in result["msg"]
    assert node.operations == ["csv_snapshot_get", "csv_snapshot_remove"]


def test_a_delete_the_node_refuses_says_what_to_do(node, run):
    node.answer(*answers(ACTION, "remove_fails"))
    assert says_what_to_do(run(ACTION, {"name": "Cluster Disk 2", "state": "absent", "tag": "run-7"})["msg"])


# ---- the registry: owner, ACL, a corrupt file (issue 17) -------------------------------------------------------

def _with(answer, **changes):
    """A recorded answer whose JSON document has ``changes`` applied."""
    lines = answer.stdout.splitlines()
    doc = json.loads(lines[-1])
    doc.update(changes)
    return replace(answer, stdout="\r\n".join(lines[:-1] + [json.dumps(doc)]))


def test_a_registry_folder_owned_by_someone_else_is_refused_and_nothing_is_changed(node, run):
    get = answers(ACTION, "create_remote")[0]
    for args in ({"name": "Cluster Disk 2", "tag": "run-7"}, {"name": "Cluster Disk 1", "state": "absent"}):
        node.answer(_with(get, registry_acl="O:S-1-5-21-1-2-3-1001D:AI(A;OICIID;FA;;;WD)"))
        result = run(ACTION, args)
        assert result["failed"] and "not by SYSTEM or Administrators" in result["msg"]
        assert "Nothing was created or deleted" in result["msg"]
    assert set(node.operations) == {"csv_snapshot_get"}


def test_a_folder_with_inherited_permissions_gets_the_explicit_acl_before_a_snapshot_is_recorded(node, run):
    get, create = answers(ACTION, "create_remote")
    prepared = answers(ACTION, "create")[1]
    node.answer(_with(get, registry_acl="O:BAD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)"),
                prepared, create)
    result = run(ACTION, {"name": "Cluster Disk 2", "tag": "run-7"})
    assert result["changed"] and node.operations == ["csv_snapshot_get", "csv_snapshot_registry",
                                                     "csv_snapshot_create"]


def test_a_truncated_registry_is_moved_aside_with_a_warning_and_the_node_keeps_working(node, run):
    get, create = answers(ACTION, "create_remote")
    prepared = answers(ACTION, "create")[1]
    truncated = json.loads(get.stdout.splitlines()[-1])["registry"][:25]
    node.answer(_with(get, registry=truncated), _with(prepared, quarantined=None), create)
    result = run(ACTION, {"name": "Cluster Disk 2", "tag": "run-7"})
    assert result["changed"] and not result.get("failed")
    (sent,) = node.args_of("csv_snapshot_registry")
    assert sent["quarantine"].startswith(REGISTRY + ".corrupt-") and sent["quarantine"].endswith("Z")
    assert node.args_of("csv_snapshot_create")[0]["entries"] == []  # nothing of the corrupt file is kept or trusted
    assert any("not valid JSON" in w and "moved aside to " + sent["quarantine"] in w for w in result["warnings"])


def test_with_a_truncated_registry_cleanup_deletes_nothing(node, run):
    get = answers(ACTION, "remove")[0]
    truncated = json.loads(get.stdout.splitlines()[-1])["registry"][:25]
    node.answer(_with(get, registry=truncated))
    result = run(ACTION, {"name": "Cluster Disk 1", "state": "absent"})
    assert not result["changed"] and not result.get("failed") and node.operations == ["csv_snapshot_get"]
    assert any("None of its entries is trusted" in w for w in result["warnings"])
    node.answer(_with(get, registry=truncated))
    by_id = run(ACTION, {"id": _disk1_snapshot(), "state": "absent"})
    assert by_id["failed"] and "not created by wsfc.csv" in by_id["msg"]  # a listed id is not ours any more
