# -*- coding: utf-8 -*-
"""wsfc.csv.csv_owner (plugins/action/csv_owner.py) with the lab's recorded answers.

Reads (``csv_owner_get``), moves (``csv_owner_move``, a change), then reads until the CSV is Online on the new
owner. Check mode and every refusal stop after the first read.
"""

from __future__ import annotations

import dataclasses

from .recorded import answer, answers

ACTION = "csv_owner"
MOVE_1_TO_2 = {"name": "Cluster Disk 1", "node": "NODE2"}
READ_1 = {"name": "Cluster Disk 1", "path": ""}


def test_the_target_node_is_required(node, run):
    result = run(ACTION, {"name": "Cluster Disk 1"})
    assert result["failed"] and result["msg"] == "missing required arguments: node"
    assert node.calls == []


def test_name_and_path_are_mutually_exclusive(node, run):
    result = run(ACTION, {"name": "Cluster Disk 1", "path": "C:\\ClusterStorage\\Volume1", "node": "NODE2"})
    assert result["failed"] and "mutually exclusive: name|path" in result["msg"]
    assert node.calls == []


def test_a_timeout_under_one_second_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, dict(MOVE_1_TO_2, timeout=0))
    assert result["failed"] and result["msg"] == "timeout must be at least 1 second, got 0"
    assert node.calls == []


def test_check_mode_reads_the_csv_and_moves_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_move"))
    result = run(ACTION, MOVE_1_TO_2, check_mode=True)
    assert result["changed"] is True and result["owner"] == "NODE2" and result["previous_owner"] == "NODE1"
    assert result["msg"] == "Cluster Disk 1 would move from NODE1 to NODE2"
    assert node.operations == ["csv_owner_get"] and node.calls[0].args == READ_1


def test_the_diff_shows_the_owner_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_move"))
    assert run(ACTION, MOVE_1_TO_2, check_mode=True)["diff"] == {
        "before": {"name": "Cluster Disk 1", "owner": "NODE1"}, "after": {"name": "Cluster Disk 1", "owner": "NODE2"}}


def test_moves_the_csv_and_reads_it_online_on_the_new_owner(node, run, clock):
    node.answer(*answers(ACTION, "move"))
    result = run(ACTION, MOVE_1_TO_2)
    assert result["changed"] is True and (result["owner"], result["state"]) == ("NODE2", "Online")
    assert result["msg"] == "Cluster Disk 1 moved from NODE1 to NODE2"
    assert node.operations == ["csv_owner_get", "csv_owner_move", "csv_owner_get"]
    assert node.args_of("csv_owner_move") == [{"name": "Cluster Disk 1", "node": "NODE2", "wait": 300, "lock": "", "lock_nonce": ""}]
    assert clock.sleeps == []  # Online at the first read after the move


def test_the_move_asks_the_cluster_to_wait_as_long_as_the_timeout(node, run):
    node.answer(*answers(ACTION, "move"))
    run(ACTION, dict(MOVE_1_TO_2, timeout=45))
    assert node.args_of("csv_owner_move")[0]["wait"] == 45


def test_a_csv_already_on_the_node_is_left_alone(node, run):
    node.answer(*answers(ACTION, "already_there"))
    result = run(ACTION, MOVE_1_TO_2)
    assert result["changed"] is False and result["owner"] == "NODE2"
    assert node.operations == ["csv_owner_get"]


def test_a_move_not_settled_yet_is_read_again_after_the_poll_interval(node, run, clock):
    before, moved, after = answers(ACTION, "move")
    node.answer(before, moved, before, after)  # the first read after the move still shows NODE1
    result = run(ACTION, dict(MOVE_1_TO_2, poll_interval=0.5))
    assert result["owner"] == "NODE2" and "failed" not in result
    assert node.operations == ["csv_owner_get", "csv_owner_move", "csv_owner_get", "csv_owner_get"]
    assert clock.sleeps == [0.5]


def test_a_move_that_does_not_settle_in_time_fails_saying_where_the_csv_is(node, run, clock):
    before, moved, dummy = answers(ACTION, "move")
    node.answer(before, moved, before, before, before)
    result = run(ACTION, dict(MOVE_1_TO_2, timeout=1, poll_interval=0.6))
    assert result["failed"] is True and result["owner"] == "NODE1"
    assert result["msg"].startswith("The move of Cluster Disk 1 to NODE2 did not finish within 1 seconds: it is now "
                                    "Online on NODE1")
    assert "run the task again" in result["msg"]
    assert clock.sleeps == [0.6, 0.6] and node.operations.count("csv_owner_move") == 1


def test_a_csv_whose_redirect_is_a_fault_is_not_moved(node, run):
    node.answer(*answers(ACTION, "redirected"))
    result = run(ACTION, {"name": "Cluster Disk 3", "node": "NODE2"})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert "Block Redirected on NODE2 (NoDiskConnectivity" in result["msg"]
    assert "storage connection" in result["msg"] and "stays on NODE1" in result["msg"]
    assert node.operations == ["csv_owner_get"]


def _user_request(recorded):
    """The recorded answers with the redirect turned on by hand (UserRequest) instead of a lost disk path."""
    return [dataclasses.replace(a, stdout=a.stdout.replace('"Block Redirected","reason":"NoDiskConnectivity"',
                                                           '"File System Redirected","reason":"UserRequest"'))
            for a in recorded]


def test_a_csv_in_transient_redirected_access_is_not_moved_without_waiting(node, run):
    node.answer(*_user_request(answers(ACTION, "redirected")))
    result = run(ACTION, {"name": "Cluster Disk 3", "node": "NODE2", "wait": False})
    assert result["failed"] is True and result["node"] == "NODE1"
    assert "Cannot move Cluster Disk 3 to NODE2 yet" in result["msg"]
    assert "File System Redirected on NODE2 (UserRequest" in result["msg"]
    assert node.operations == ["csv_owner_get"]


def test_a_transient_redirect_is_waited_for_until_the_timeout(node, run, clock):
    node.answer(*(_user_request(answers(ACTION, "redirected")) * 4))
    result = run(ACTION, {"name": "Cluster Disk 3", "node": "NODE2", "timeout": 2, "poll_interval": 1})
    assert result["failed"] is True and "(waited 2 seconds)" in result["msg"]
    assert "csv_owner_move" not in node.operations and len(node.operations) >= 2


def test_an_offline_csv_is_not_moved(node, run):
    node.answer(*answers(ACTION, "offline"))
    result = run(ACTION, {"name": "Cluster Disk 4", "node": "NODE1"})
    assert result["failed"] is True and "the CSV is Offline on NODE3. Bring it Online first" in result["msg"]
    assert node.operations == ["csv_owner_get"]


def test_an_unknown_csv_is_refused_listing_the_csvs_there_are(node, run):
    node.answer(*answers(ACTION, "unknown_csv"))
    result = run(ACTION, {"name": "Cluster Disk 9", "node": "NODE2"})
    assert result["failed"] is True
    assert "(CSVs: Cluster Disk 1, Cluster Disk 2, Cluster Disk 3, Cluster Disk 4)" in result["msg"]
    assert node.operations == ["csv_owner_get"]


def test_a_paused_target_node_is_refused_saying_how_to_resume_it(node, run):
    node.answer(*answers(ACTION, "target_paused"))
    result = run(ACTION, {"name": "Cluster Disk 2", "node": "NODE3"})
    assert result["failed"] is True and "the node is Paused. Resume the node (Resume-ClusterNode)" in result["msg"]
    assert node.operations == ["csv_owner_get"]


def test_a_move_the_cluster_refuses_fails_naming_the_node_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "move_fails"))
    result = run(ACTION, {"name": "Cluster Disk 1", "node": "NODE1"})
    assert result["failed"] is True and result["owner"] == "NODE2"  # read again after the failure
    assert result["msg"].startswith("Moving Cluster Disk 1 to NODE1 failed on NODE1: The move of 'Cluster Disk 1'")
    assert result["msg"].endswith("Cluster Disk 1 is now Online on NODE2; nothing else was changed. Fix the cause, "
                                  "then run the task again.")
    assert node.operations == ["csv_owner_get", "csv_owner_move", "csv_owner_get"]


def test_the_refused_move_message_has_no_doubled_period(node, run):
    node.answer(*answers(ACTION, "move_fails"))
    assert ".." not in run(ACTION, {"name": "Cluster Disk 1", "node": "NODE1"})["msg"]


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.drop("csv_owner_get").answer(*answers(ACTION, "check_mode_move"))
    result = run(ACTION, MOVE_1_TO_2, check_mode=True)
    assert result["changed"] is True and result["owner"] == "NODE2"
    assert node.operations == ["csv_owner_get", "csv_owner_get"] and harness.connection.resets == 1


def test_a_dropped_move_is_not_repeated_and_the_csv_is_read_again(node, run):
    node.answer(*answers(ACTION, "move_dropped_after_done"))
    result = run(ACTION, {"name": "Cluster Disk 1", "node": "NODE1"})
    assert result["changed"] is True and result["owner"] == "NODE1" and "failed" not in result
    assert "the connection failed during the move" in result["warnings"][0]
    assert node.operations.count("csv_owner_move") == 1 and not any(c.stale for c in node.calls)


def test_a_dropped_move_that_did_not_happen_fails_saying_where_the_csv_is(node, run):
    node.answer(answer(ACTION, "move", "csv_owner_get", 0)).drop("csv_owner_move")
    node.answer(answer(ACTION, "move", "csv_owner_get", 0))  # still on NODE1
    result = run(ACTION, MOVE_1_TO_2)
    assert result["failed"] is True and result["owner"] == "NODE1"
    assert "Moving Cluster Disk 1 to NODE2 failed on NODE1" in result["msg"] and "run the task again" in result["msg"]
    assert node.operations.count("csv_owner_move") == 1 and not any(c.stale for c in node.calls)


def test_check_mode_with_a_transient_redirect_says_it_would_wait_then_move(node, run):
    node.answer(*_user_request(answers(ACTION, "redirected")))
    result = run(ACTION, {"name": "Cluster Disk 3", "node": "NODE2"}, check_mode=True)
    assert result.get("failed") is not True and result["changed"] is True and result["owner"] == "NODE2"
    assert "once what it waits for ends" in result["msg"]
    assert any("UserRequest" in w and "would wait" in w for w in result["warnings"])
    assert node.operations == ["csv_owner_get"]
