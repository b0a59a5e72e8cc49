# -*- coding: utf-8 -*-
"""wsfc.csv.backup_lock (plugins/action/backup_lock.py) with the lab's recorded answers.

The holder is the run's nonce, not its run id. Taking the lock is one change (``backup_lock_acquire`` creates the
lock file atomically, or reports who holds it and its heartbeat); taking it again with the same nonce refreshes the
heartbeat (``backup_lock_heartbeat``); breaking a stale lock is a second acquire that renames the lock and acts only
on the text and heartbeat that were judged stale; releasing is one ``backup_lock_release`` that renames the lock
first and removes it only when it holds the run's nonce. A dropped acquire is resolved by reading the lock again.
Check mode only reads.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import replace

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_lock import default_owner

from .checks import says_what_to_do
from .recorded import answer, answers, structured_error
from .recording_scenarios import NONCE1, NONCE2, NONCE4, NONCE5

ACTION = "backup_lock"
OWNER = "awx@ctl01 pid 4242"
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
TAKE = {"run_id": "run-1", "owner": OWNER, "nonce": NONCE1}
RELEASE = {"run_id": "run-1", "state": "absent", "nonce": NONCE1}


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


def test_a_nonce_that_is_not_32_hex_digits_is_refused_before_the_node_is_asked(node, run):
    for bad in ("run-1", "A" * 32, "a" * 31, "..\\..\\x" + "a" * 25):
        result = run(ACTION, dict(TAKE, nonce=bad))
        assert result["failed"] and "32 lower-case hexadecimal digits" in result["msg"]
    assert node.calls == []


def test_check_mode_only_reads_the_lock(node, run):
    node.answer(*answers(ACTION, "check_mode_take"))
    result = run(ACTION, TAKE, check_mode=True)
    assert result["changed"] is True and result["msg"] == ("would take the backup lock %s through NODE1 of cluster "
                                                           "RECLAB" % LOCK)
    assert node.operations == ["backup_lock_get"] and node.calls[0].args == {"path": "", "nonce": NONCE1}
    assert result["nonce"] == NONCE1 and result["lock"]["nonce"] == NONCE1


def test_the_diff_shows_who_holds_the_lock_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_take"))
    assert run(ACTION, TAKE, check_mode=True)["diff"] == {
        "before": {"path": LOCK, "run_id": None, "owner": None},
        "after": {"path": LOCK, "run_id": "run-1", "owner": OWNER}}


def test_takes_the_free_lock_in_one_round_trip_with_the_runs_nonce_and_a_first_heartbeat(node, run):
    node.answer(*answers(ACTION, "take"))
    result = run(ACTION, TAKE)
    assert result["changed"] is True and result["node"] == "NODE1" and result["path"] == LOCK
    lock = result["lock"]
    assert (lock["run_id"], lock["owner"], lock["nonce"], lock["stale"]) == ("run-1", OWNER, NONCE1, False)
    assert lock["heartbeat"] and lock["idle_s"] == 0
    assert node.operations == ["backup_lock_acquire"]
    assert node.calls[0].args == {"path": "", "nonce": NONCE1, "run_id": "run-1", "owner": OWNER}


def test_without_a_nonce_a_new_one_is_made_and_returned(node, run):
    node.answer(*answers(ACTION, "take"))
    result = run(ACTION, {"run_id": "run-1"})
    sent = node.calls[0].args["nonce"]
    assert len(sent) == 32 and sent != NONCE1 and result["nonce"] == sent


def test_without_an_owner_the_lock_names_the_controllers_user_host_and_pid(node, run):
    node.answer(*answers(ACTION, "take"))
    run(ACTION, {"run_id": "run-1"})
    assert node.calls[0].args["owner"] == default_owner(getpass.getuser(), socket.gethostname(), os.getpid())


def test_the_run_that_holds_the_lock_takes_it_again_and_refreshes_its_heartbeat(node, run):
    node.answer(*answers(ACTION, "take_again"))
    result = run(ACTION, TAKE)
    assert result["changed"] is False and "failed" not in result
    assert "already holds the backup lock" in result["msg"] and "heartbeat was refreshed" in result["msg"]
    assert node.operations == ["backup_lock_acquire", "backup_lock_heartbeat"]
    assert node.args_of("backup_lock_heartbeat") == [{"path": LOCK, "nonce": NONCE1}]


def test_a_second_run_with_the_same_run_id_is_refused(node, run):
    node.answer(*answers(ACTION, "reused_run_id"))
    result = run(ACTION, dict(TAKE, nonce=NONCE2))
    assert result["failed"] and result["lock"]["run_id"] == "run-1" and result["lock"]["nonce"] == NONCE1
    assert "same run id run-1" in result["msg"] and "Give each run its own run id" in result["msg"]
    assert node.operations == ["backup_lock_acquire"]


def test_a_lock_held_by_another_run_is_refused_saying_who_holds_it_and_what_to_do(node, run):
    node.answer(*answers(ACTION, "held_by_other_run"))
    result = run(ACTION, {"run_id": "run-2", "owner": OWNER, "nonce": NONCE2})
    assert result["failed"] and not result["changed"]
    for part in (LOCK, OWNER, "run run-1", "last heartbeat", "heartbeat is fresh", "NODE1"):
        assert part in result["msg"], (part, result["msg"])
    assert node.operations == ["backup_lock_acquire"]


def test_check_mode_refuses_a_held_lock_as_a_real_run_would(node, run):
    node.answer(*answers(ACTION, "check_mode_held"))
    result = run(ACTION, {"run_id": "run-2", "owner": OWNER, "nonce": NONCE2}, check_mode=True)
    assert result["failed"] and "run run-1" in result["msg"] and node.operations == ["backup_lock_get"]


def test_a_stale_lock_is_broken_only_when_asked_and_only_the_text_and_heartbeat_that_were_read(node, run):
    node.answer(*answers(ACTION, "break_stale"))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True,
                          "nonce": NONCE4})
    assert result["changed"] and result["broken"]["run_id"] == "run-3" and result["lock"]["nonce"] == NONCE4
    assert any("broke the stale backup lock" in w for w in result["warnings"])
    assert node.operations == ["backup_lock_acquire", "backup_lock_break"]
    (second,) = node.args_of("backup_lock_break")
    assert second["path"] == LOCK and second["nonce"] == NONCE4
    seen = answer(ACTION, "break_stale", "backup_lock_acquire", 0)
    import json  # pylint: disable=import-outside-toplevel
    doc = json.loads([line for line in seen.stdout.splitlines() if line.startswith("{")][-1])
    assert second["break_text"] == doc["text"] and second["break_heartbeat"] == doc["heartbeat"]


def test_a_stale_lock_is_not_broken_without_break_stale(node, run):
    node.answer(answer(ACTION, "break_stale", "backup_lock_acquire", 0))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "nonce": NONCE4})
    assert result["failed"] and "stale" in result["msg"] and "csv_backup_break_stale_lock" in result["msg"]
    assert node.operations == ["backup_lock_acquire"]


def test_check_mode_release_only_reads(node, run):
    node.answer(*answers(ACTION, "check_mode_release"))
    result = run(ACTION, RELEASE, check_mode=True)
    assert result["changed"] and result["lock"]["run_id"] == "run-1" and node.operations == ["backup_lock_get"]


def test_releases_its_own_lock_in_one_round_trip(node, run):
    node.answer(*answers(ACTION, "release"))
    result = run(ACTION, RELEASE)
    assert result["changed"] and result["diff"]["after"]["run_id"] is None and "warnings" not in result
    assert node.args_of("backup_lock_release") == [{"path": "", "nonce": NONCE1, "run_id": "run-1", "force": False}]


def test_releasing_a_lock_that_does_not_exist_is_no_change(node, run):
    node.answer(*answers(ACTION, "release_absent"))
    result = run(ACTION, RELEASE)
    assert result["changed"] is False and "does not exist" in result["msg"]


def test_another_runs_lock_is_left_in_place_without_force(node, run):
    node.answer(*answers(ACTION, "release_refused"))
    result = run(ACTION, {"run_id": "run-2", "state": "absent", "nonce": NONCE2})
    assert result["failed"] and "force=true" in result["msg"] and "run run-1" in result["msg"]


def test_a_dropped_take_is_resolved_by_reading_the_lock_again_ours_carries_on(node, run):
    node.answer(*answers(ACTION, "take_dropped"))
    result = run(ACTION, {"run_id": "run-5", "owner": OWNER, "nonce": NONCE5,
                          "path": "C:\\ClusterStorage\\Volume2\\.wsfc.csv\\b.lock"})
    assert result["changed"] and "failed" not in result and "unreachable" not in result
    assert result["lock"]["nonce"] == NONCE5 and "it is ours" in result["msg"]
    assert any("connection dropped" in w for w in result["warnings"])
    assert node.operations == ["backup_lock_acquire", "backup_lock_get"]


def test_a_dropped_take_that_finds_another_runs_lock_is_refused(node, run):
    held = answer(ACTION, "check_mode_held", "backup_lock_get")
    node.drop("backup_lock_acquire").answer(held)
    result = run(ACTION, {"run_id": "run-2", "owner": OWNER, "nonce": NONCE2})
    assert result["failed"] and "run run-1" in result["msg"] and "connection dropped" in result["warnings"][0]
    assert node.operations == ["backup_lock_acquire", "backup_lock_get"]


def test_a_dropped_take_that_finds_no_lock_takes_it_once_more(node, run):
    free = answer(ACTION, "check_mode_take", "backup_lock_get")
    node.drop("backup_lock_acquire").answer(free, answer(ACTION, "take", "backup_lock_acquire"))
    result = run(ACTION, TAKE)
    assert result["changed"] and result["lock"]["nonce"] == NONCE1
    assert node.operations == ["backup_lock_acquire", "backup_lock_get", "backup_lock_acquire"]


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("backup_lock_acquire"))
    result = run(ACTION, TAKE)
    assert result["failed"] and "NODE1" in result["msg"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("backup_lock_acquire"))
    assert says_what_to_do(run(ACTION, TAKE)["msg"])


def test_a_stale_lock_that_changed_before_the_break_is_left_alone_and_refused(node, run):
    import json  # pylint: disable=import-outside-toplevel
    first, broke = answers(ACTION, "break_stale")
    doc = json.loads(broke.stdout.splitlines()[-1])
    doc.update(acquired=False, replaced=False, put_back="untouched", text=json.loads(
        first.stdout.splitlines()[-1])["text"].replace("run-3", "run-9"))
    node.answer(first, replace(broke, stdout=json.dumps(doc)))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True,
                          "nonce": NONCE4})
    assert result["failed"] and "changed before it could be broken" in result["msg"] and "run-9" in result["msg"]


def test_a_stale_lock_refreshed_while_it_was_being_broken_is_put_back_and_refused(node, run):
    import json  # pylint: disable=import-outside-toplevel
    first, broke = answers(ACTION, "break_stale")
    doc = json.loads(broke.stdout.splitlines()[-1])
    doc.update(acquired=False, replaced=False, put_back="done", text=json.loads(first.stdout.splitlines()[-1])["text"])
    node.answer(first, replace(broke, stdout=json.dumps(doc)))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True,
                          "nonce": NONCE4})
    assert result["failed"] and "was refreshed (or replaced) while it was being broken" in result["msg"]
    doc.update(put_back=LOCK + ".break-" + NONCE4)
    node.answer(first, replace(broke, stdout=json.dumps(doc)))
    result = run(ACTION, {"run_id": "run-4", "owner": OWNER, "stale_after": 1, "break_stale": True,
                          "nonce": NONCE4})
    assert result["failed"] and result["aside"] == LOCK + ".break-" + NONCE4 and "could not be put back" in result["msg"]
