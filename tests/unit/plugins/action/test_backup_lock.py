# -*- coding: utf-8 -*-
"""wsfc.csv.backup_lock (plugins/action/backup_lock.py) with the lab's recorded answers.

Taking the lock is one change (``backup_lock_acquire`` creates the lock file atomically, or reports who holds it);
breaking a stale lock is a second acquire that replaces exactly the text read. Releasing reads
(``backup_lock_get``), then removes the file only if it still holds that text (``backup_lock_release``). Check mode
only reads.
"""

from __future__ import annotations

import getpass
import os
import socket

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import default_owner

from .checks import says_what_to_do
from .recorded import answer, answers, document, structured_error

ACTION = "backup_lock"
OWNER = "awx@ctl01 pid 4242"
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
TAKE = {"run_id": "run-1", "owner": OWNER}
RELEASE = {"run_id": "run-1", "state": "absent"}


def test_a_run_id_is_required(node, run):
    result = run(ACTION, {"owner": OWNER})
    assert result["failed"] and result["msg"] == "missing required arguments: run_id"
    assert node.calls == []


def test_a_blank_run_id_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, {"run_id": "  "})
    assert result["failed"] and result["msg"].startswith("run_id must not be empty")
    assert node.calls == []


def test_a_negative_stale_after_is_refused_before_the_node_is_asked(node, run):
    result = run(ACTION, dict(TAKE, stale_after=-1))
    assert result["failed"] and result["msg"] == "stale_after must be 0 or more seconds, got -1"
    assert node.calls == []


def test_check_mode_only_reads_the_lock(node, run):
    node.answer(*answers(ACTION, "check_mode_take"))
    result = run(ACTION, TAKE, check_mode=True)
    assert result["changed"] is True and result["msg"] == ("would take the backup lock %s through NODE1 of cluster "
                                                           "RECLAB" % LOCK)
    assert node.operations == ["backup_lock_get"] and node.calls[0].args == {"path": ""}


def test_the_diff_shows_who_holds_the_lock_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_take"))
    assert run(ACTION, TAKE, check_mode=True)["diff"] == {
        "before": {"path": LOCK, "run_id": None, "owner": None},
        "after": {"path": LOCK, "run_id": "run-1", "owner": OWNER}}


def test_takes_the_free_lock_in_one_round_trip(node, run):
    node.answer(*answers(ACTION, "take"))
    result = run(ACTION, TAKE)
    assert result["changed"] is True and result["node"] == "NODE1" and result["path"] == LOCK
    assert (result["lock"]["run_id"], result["lock"]["owner"], result["lock"]["stale"]) == ("run-1", OWNER, False)
    assert node.operations == ["backup_lock_acquire"]
    assert node.calls[0].args == {"path": "", "run_id": "run-1", "owner": OWNER, "replace": None}


def test_without_an_owner_the_lock_names_the_controllers_user_host_and_pid(node, run):
    node.answer(*answers(ACTION, "take"))
    run(ACTION, {"run_id": "run-1"})
    assert node.calls[0].args["owner"] == default_owner(getpass.getuser(), socket.gethostname(), os.getpid())


def test_the_run_that_holds_the_lock_takes_it_again_without_a_change(node, run):
    node.answer(*answers(ACTION, "take_again"))
    result = run(ACTION, TAKE)
    assert result["changed"] is False and "failed" not in result
    assert result["msg"].startswith("run run-1 already holds the backup lock")
    assert node.operations == ["backup_lock_acquire"]


def test_a_lock_held_by_another_run_is_refused_saying_who_holds_it_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "held_by_other_run"))
    result = run(ACTION, {"run_id": "run-2", "owner": OWNER})
    assert result["failed"] is True and result["changed"] is False and result["lock"]["run_id"] == "run-1"
    assert "is locked by awx@ctl01 pid 4242 (run run-1)" in result["msg"]
    assert "wait for it to finish and run again. Nothing was changed." in result["msg"]
    assert node.operations == ["backup_lock_acquire"]  # a lock that is not stale is never replaced


def test_check_mode_refuses_a_held_lock_as_a_real_run_would(node, run):
    node.answer(*answers(ACTION, "check_mode_held"))
    result = run(ACTION, {"run_id": "run-2", "owner": OWNER}, check_mode=True)
    assert result["failed"] is True and "is locked by" in result["msg"]
    assert node.operations == ["backup_lock_get"]


def test_a_stale_lock_is_broken_only_when_asked_and_only_the_text_that_was_read(node, run):
    node.answer(*answers(ACTION, "break_stale"))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True})
    assert result["changed"] is True and result["lock"]["run_id"] == "run-4"
    assert result["broken"]["run_id"] == "run-3" and result["warnings"][0].startswith("broke the stale backup lock")
    assert node.operations == ["backup_lock_acquire", "backup_lock_acquire"]
    held = document(ACTION, "break_stale", "backup_lock_acquire", 0)
    second = {"path": LOCK, "run_id": "run-4", "owner": OWNER, "replace": held["text"]}
    assert node.args_of("backup_lock_acquire")[1] == second


def test_a_stale_lock_is_not_broken_without_break_stale(node, run):
    node.answer(answer(ACTION, "break_stale", "backup_lock_acquire", 0))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1})
    assert result["failed"] is True and "The lock is stale" in result["msg"] and "break_stale=true" in result["msg"]
    assert node.operations == ["backup_lock_acquire"]


def test_check_mode_release_only_reads(node, run):
    node.answer(*answers(ACTION, "check_mode_release"))
    result = run(ACTION, RELEASE, check_mode=True)
    assert result["changed"] is True and result["msg"].startswith("would remove the backup lock")
    assert result["diff"]["after"] == {"path": LOCK, "run_id": None, "owner": None}
    assert node.operations == ["backup_lock_get"]


def test_releases_its_own_lock_only_if_the_file_still_holds_what_was_read(node, run):
    node.answer(*answers(ACTION, "release"))
    result = run(ACTION, RELEASE)
    assert result["changed"] is True and result["msg"].startswith("removed the backup lock %s held by" % LOCK)
    assert node.operations == ["backup_lock_get", "backup_lock_release"]
    read = document(ACTION, "release", "backup_lock_get")
    assert node.args_of("backup_lock_release") == [{"path": LOCK, "expect": read["text"]}]


def test_releasing_a_lock_that_does_not_exist_is_no_change(node, run):
    node.answer(*answers(ACTION, "release_absent"))
    result = run(ACTION, RELEASE)
    assert result["changed"] is False and "does not exist" in result["msg"]
    assert node.operations == ["backup_lock_get"]


def test_another_runs_lock_is_left_in_place_without_force(node, run):
    node.answer(*answers(ACTION, "release_refused"))
    result = run(ACTION, {"run_id": "run-2", "state": "absent"})
    assert result["failed"] is True and "not by run run-2, so it was left in place" in result["msg"]
    assert "rerun with force=true" in result["msg"]
    assert node.operations == ["backup_lock_get"]


def test_force_removes_another_runs_lock_with_a_warning(node, run):
    node.answer(answer(ACTION, "release_refused", "backup_lock_get"), answer(ACTION, "release", "backup_lock_release"))
    result = run(ACTION, {"run_id": "run-2", "state": "absent", "force": True})
    assert result["changed"] is True and result["warnings"][0].startswith("removed the backup lock")
    assert node.operations == ["backup_lock_get", "backup_lock_release"]


def test_a_lock_that_changed_before_the_release_is_left_in_place(node, run):
    node.answer(answer(ACTION, "release", "backup_lock_get"), answer(ACTION, "release_races", "backup_lock_release"))
    result = run(ACTION, RELEASE)
    assert result["failed"] is True and result["lock"]["run_id"] == "run-4"
    assert "changed before it could be removed and was left in place" in result["msg"]
    assert "Run again to decide on the new holder." in result["msg"]


def test_a_lock_gone_before_the_release_is_no_change(node, run):
    node.answer(answer(ACTION, "release", "backup_lock_get"), answer(ACTION, "release_races", "backup_lock_release", 1))
    result = run(ACTION, RELEASE)
    assert result["changed"] is False and "was already gone" in result["msg"] and "failed" not in result


def test_a_dropped_read_is_retried_on_a_reset_connection(node, run, harness):
    node.drop("backup_lock_get").answer(*answers(ACTION, "release_absent"))
    assert run(ACTION, RELEASE)["changed"] is False
    assert node.operations == ["backup_lock_get", "backup_lock_get"] and harness.connection.resets == 1


def test_a_dropped_take_is_not_repeated_and_the_task_is_unreachable(node, run, harness):
    node.answer(*answers(ACTION, "take_dropped"))
    result = run(ACTION, {"run_id": "run-5", "owner": OWNER, "path": LOCK.replace("Volume1", "Volume2")})
    assert result["unreachable"] is True and "failed" not in result
    assert result["msg"].startswith("backup_lock_acquire failed on NODE1: the connection failed while the change")
    assert "read the state again before retrying" in result["msg"]
    # the runner gives whoever reads the state again a fresh shell
    assert node.operations == ["backup_lock_acquire"] and harness.connection.resets == 1


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("backup_lock_acquire"))
    result = run(ACTION, TAKE)
    assert result["failed"] is True and result["msg"].startswith("backup_lock_acquire failed on NODE1:")
    assert node.operations == ["backup_lock_acquire"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("backup_lock_acquire"))
    assert says_what_to_do(run(ACTION, TAKE)["msg"])
