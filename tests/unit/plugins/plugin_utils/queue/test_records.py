# -*- coding: utf-8 -*-
"""One node's backup queue: names, targets, records (plugins/plugin_utils/queue/records.py)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import BackupJobError, validate_name
from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.records import (
    ClockSamples,
    QueueError,
    concurrency_for,
    copy_target,
    failover_reads,
    failover_source,
    folder_name,
    job_message,
    job_name,
    job_target,
    moved_before_start,
    normalize_items,
    read_kind,
    record,
    snapshot_tag,
    summary,
    validate_run_id,
)

RUN = "20261125T020000Z-ab12cd"


def test_run_ids_become_valid_job_names_and_distinct_tags():
    assert validate_run_id(RUN) == RUN
    assert validate_name(job_name(RUN, 7)) == "csv-%s-007" % RUN
    assert job_name(RUN, 1) != job_name(RUN, 10)
    assert snapshot_tag(RUN) != snapshot_tag(RUN + "x")


@pytest.mark.parametrize("bad", ["", "-x", "a b", "a;b", "x" * 49, "$(whoami)", "a\\b", None])
def test_unusable_run_ids_are_refused(bad):
    with pytest.raises(QueueError, match="run_id"):
        validate_run_id(bad)


def test_items_keep_order_take_plan_index_and_accept_names():
    items = normalize_items([{"csv": "Cluster Disk 2", "index": 4, "bytes": 10}, "Cluster Disk 1"])
    assert [(i["csv"], i["index"]) for i in items] == [("Cluster Disk 2", 4), ("Cluster Disk 1", 1)]
    assert items[0]["bytes"] == 10


@pytest.mark.parametrize("reads, message", [
    ([{"path": "C:\\ClusterStorage\\Volume1"}], "must name a CSV"),
    ([42], "must name a CSV"),
    (["Disk A", "disk a"], "appears twice"),
])
def test_bad_items_are_refused(reads, message):
    with pytest.raises(QueueError, match=message):
        normalize_items(reads)


def test_copy_target_is_per_run_and_per_csv_named_after_the_csv_with_a_suffix_of_its_id():
    item = {"csv": "Cluster Disk 3", "id": "6a1e0c57-2b0e-4f4e-9d35-0f0b7a3f2c11"}
    folder = folder_name(item)
    assert re.match(r"^Cluster Disk 3-[0-9a-f]{8}$", folder), folder
    assert copy_target("\\\\backup01\\csv\\", RUN, item) == "\\\\backup01\\csv\\%s\\%s" % (RUN, folder)
    assert copy_target("D:\\b", RUN, item) == "D:\\b\\%s\\%s" % (RUN, folder)
    # stable: the same Id gives the same folder, whatever its case
    assert folder_name(dict(item, id=item["id"].upper())) == folder
    with pytest.raises(QueueError, match="needs target"):
        copy_target("", RUN, item)


def test_wbadmin_gets_a_folder_per_csv_too_and_a_command_its_target_as_given():
    item = {"csv": "Cluster Disk 3", "id": "x"}
    assert job_target("wbadmin", "\\\\b\\s", RUN, item) == "\\\\b\\s\\%s\\%s" % (RUN, folder_name(item))
    assert job_target("command", "s3://bucket", RUN, item) == "s3://bucket"
    assert job_target("command", None, RUN, item) is None
    assert concurrency_for("wbadmin", 4) == 1 and concurrency_for("copy", 4) == 4


@pytest.mark.parametrize("name", ["'; Remove-Item C:\\ -Recurse #", "$(whoami)", "a\"b%PATH%", "..", "`n"])
def test_hostile_csv_names_make_plain_folder_names(name):
    folder = folder_name({"csv": name})
    assert folder and not set(folder) & set("\\/:*?\"<>|%$`;'") and folder not in (".", "..")


def test_records_carry_every_key_the_report_reads():
    entry = record({"csv": "Disk A", "read": "local"}, "NODE1", state="succeeded", bytes=5)
    for key in ("csv", "node", "state", "read", "start", "end", "bytes", "provider", "provider_type", "snapshot_id",
                "job_id", "exit_code", "message"):
        assert key in entry
    assert entry["read"] == "local" and entry["bytes"] == 5


def test_read_kind_comes_from_where_the_snapshot_surfaced_not_the_plan():
    assert read_kind({"local_reads": False}, "local") == "smb"
    assert read_kind({"local_reads": True}, "smb") == "local"
    assert read_kind(None, "smb") == "smb"


def test_messages_name_csv_and_node_and_running_says_what_to_do():
    entry = record({"csv": "Disk A"}, "NODE2", state="running", job_id="\\wsfc.csv\\x")
    assert "Disk A on NODE2" in job_message(entry, "copy") and "state=absent" in job_message(entry, "copy")
    counts, line = summary([entry, record({"csv": "B"}, "NODE2", state="succeeded")], "NODE2")
    assert counts == {"running": 1, "succeeded": 1} and line.startswith("NODE2: 2 CSV(s)")


def test_job_name_refuses_what_backup_job_would_refuse():
    with pytest.raises(BackupJobError):
        job_name("x" * 80, 1)


# ---- failover: where a broken read came from, and re-planning it ------------------------------------------------

FAILOVER_PLAN = {"nodes": {"N1": [{"csv": "A", "index": 0, "read": "local", "source": "N1", "bytes": 5},
                                  {"csv": "B", "index": 1, "read": "local", "source": "N1", "bytes": 5}],
                           "N2": [{"csv": "C", "index": 2, "read": "smb", "source": "N3", "bytes": 5}]}}


def test_a_software_snapshot_breaks_on_a_failover_of_its_coordinator_a_hardware_one_does_not():
    item = {"csv": "A", "source": "N1"}
    assert failover_source(item, {"provider_type": "software", "surfaced_on": "N4"}) == "N4"
    assert failover_source(item, {"provider_type": "system", "surfaced_on": "N4"}) == "N4"  # Microsoft's provider
    assert failover_source(item, {"provider_type": "hardware", "surfaced_on": "N2"}) is None
    assert failover_source(item, None) == "N1"


def test_a_planned_local_read_whose_snapshot_surfaced_elsewhere_is_warned_about():
    item = {"csv": "A", "read": "local"}
    assert "now N3" in moved_before_start(item, {"local_reads": False, "surfaced_on": "N3"}, "N1")
    assert moved_before_start(item, {"local_reads": True}, "N1") is None
    assert moved_before_start(dict(item, read="smb"), {"local_reads": False}, "N1") is None


def test_failover_reads_give_marked_csvs_to_their_new_coordinator_with_their_plan_index():
    queues = [{"jobs": [{"csv": "A", "node": "N1", "state": "failed", "failover": {"from": "N1", "to": "N3"}},
                        {"csv": "B", "node": "N1", "state": "succeeded"}]}, None]
    again = failover_reads(FAILOVER_PLAN, queues)
    assert list(again) == ["N3"]
    assert again["N3"][0]["csv"] == "A" and again["N3"][0]["index"] == 0 and again["N3"][0]["read"] == "local"
    assert again["N3"][0]["replanned_from"] == "N1"


def test_with_the_cluster_read_again_the_csvs_of_a_lost_node_are_re_planned_where_they_went():
    queues = [{"unreachable": True}, {"jobs": [{"csv": "C", "node": "N2", "state": "failed", "exit_code": 9}]}]
    now = {"coordinators": {"A": "N2", "B": "N4", "C": "N3"},
           "nodes": [{"name": "N1", "state": "Down"}, {"name": "N2", "state": "Up"}, {"name": "N3", "state": "Up"},
                     {"name": "N4", "state": "Paused"}]}
    again = failover_reads(FAILOVER_PLAN, queues, now=now)
    # A went to N2 (Up); B went to N4, which is Paused; C failed for another reason and stayed on its coordinator.
    assert dict((node, [r["csv"] for r in reads]) for node, reads in again.items()) == {"N2": ["A"]}


def test_clock_samples_keep_the_first_and_the_latest():
    clock = ClockSamples()
    for at, text in ((1.0, "a"), (2.0, None), (3.0, "b"), (4.0, "c")):
        clock.sample(at, text)
    assert clock.samples == [[1.0, "a"], [4.0, "c"]]


def test_the_queue_keeps_the_first_lock_state_other_than_held():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.queue.steps import QueueSteps
    steps = QueueSteps("NODE1", {"run_id": "r", "method": "copy"}, run_module=None, run_operation=None, warn=None)
    assert steps.lock_state is None
    for seen, kept in ((None, None), ("held", "held"), ("held", "held"), ("lost", "lost"), ("held", "lost"),
                       ("missing", "lost")):
        steps._lock_seen(seen)  # pylint: disable=protected-access
        assert steps.lock_state == kept
