# -*- coding: utf-8 -*-
"""wsfc.csv.backup_watchdog (plugins/action/backup_watchdog.py) with the lab's recorded answers.

Arming is one change (``backup_watchdog_set`` writes the run record and the script beside the lock and registers the
clustered task, each only when it is not there yet, and only while the run holds the lock); disarming is one
(``backup_watchdog_clear``); handing over is one (``backup_watchdog_expire``); check mode and ``state=query`` read
(``backup_watchdog_get``). The recorded watchdog undid a run in the lab between ``expire`` and ``query_undone``.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.watchdog import FOLDER_SDDL, script_text

from .recorded import answers
from .recording_scenarios import LOCK, NONCE1, NONCE2, NONCE3, NONCE4, _watchdog

ACTION = "backup_watchdog"
TASK = "wsfc.csv watchdog " + NONCE1


def test_arming_needs_the_run_the_lock_and_the_map_and_refuses_a_bad_nonce_before_the_node_is_asked(node, run):
    assert run(ACTION, {"nonce": NONCE1, "lock_path": LOCK})["msg"] == "state=present needs run_id, ownership"
    assert run(ACTION, {"state": "absent"})["msg"] == "state=absent needs nonce, lock_path"
    assert "32 lower-case hexadecimal" in run(ACTION, dict(_watchdog(NONCE1), nonce="ABC"))["msg"]
    too_soon = run(ACTION, dict(_watchdog(NONCE1), after=120))
    assert too_soon["failed"] and "at least 300 s" in too_soon["msg"] and "Nothing was changed" in too_soon["msg"]
    assert node.calls == []


def test_check_mode_reads_and_says_it_would_arm(node, run):
    node.answer(*answers(ACTION, "check_mode_arm"))
    result = run(ACTION, _watchdog(NONCE1), check_mode=True)
    assert result["changed"] is True and result["msg"] == "would arm the watchdog of run run-1"
    assert node.operations == ["backup_watchdog_get"]
    assert result["diff"]["before"] == {"record": None, "armed": False}
    assert result["diff"]["after"]["armed"] is True and result["diff"]["after"]["record"]["state"] == "active"


def test_arming_writes_the_record_and_the_script_and_registers_the_task_in_one_round_trip(node, run):
    node.answer(*answers(ACTION, "arm"))
    result = run(ACTION, _watchdog(NONCE1))
    assert result["changed"] is True and result["armed"] is True and result["task"] == TASK
    assert result["msg"] == ("armed the watchdog of run run-1 on RECLAB (task %s, after 300 s without a heartbeat)"
                             % TASK)
    sent = node.args_of("backup_watchdog_set")[0]
    assert sent["script"] == script_text() and sent["sddl"] == FOLDER_SDDL and sent["task"] == TASK
    assert sent["interval_s"] == 60 and sent["record"]["owners"] == {"Cluster Disk 1": "NODE1", "Cluster Disk 2": "NODE2"}
    assert sent["record"]["csvs"] == ["Cluster Disk 1", "Cluster Disk 2"] and sent["record"]["state"] == "active"
    # The folder's ACL as the node set it: only SYSTEM and Administrators.
    assert result["acl"] == "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
    assert result["record_path"] == "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\run-%s.json" % NONCE1


def test_arming_again_with_the_same_record_changes_nothing(node, run):
    node.answer(*answers(ACTION, "arm_again"))
    result = run(ACTION, _watchdog(NONCE1))
    assert result["changed"] is False and result["msg"].startswith("the watchdog of run run-1 on RECLAB is armed already (task")
    node.answer(*answers(ACTION, "check_mode_armed"))
    checked = run(ACTION, _watchdog(NONCE1), check_mode=True)
    assert checked["changed"] is False and checked["msg"] == "the watchdog of run run-1 is armed"


def test_a_run_that_does_not_hold_the_lock_is_refused_and_nothing_is_written(node, run):
    node.answer(*answers(ACTION, "arm_lost"))
    result = run(ACTION, _watchdog(NONCE2, "run-2"))
    assert result["failed"] is True and result["node"] == "NODE1"
    assert result["msg"] == ("The backup lock %s of RECLAB is held by another run, so run run-2 no longer holds the "
                             "cluster and its watchdog was not armed; nothing was changed. Run the backup again." % LOCK)


def test_query_reads_the_record_of_the_run_that_holds_the_lock(node, run):
    node.answer(*answers(ACTION, "query_active"))
    result = run(ACTION, {"state": "query"})
    assert result["changed"] is False and result["nonce"] == NONCE1 and result["armed"] is True
    assert result["record"]["state"] == "active" and result["undone"] is False and result["undo_lines"] == []
    assert result["msg"] == "run run-1 is active, its watchdog armed"
    assert node.args_of("backup_watchdog_get") == [{"lock": "", "nonce": ""}]


def test_handing_over_marks_the_heartbeat_expired_and_the_watchdog_undoes_the_run(node, run):
    node.answer(*answers(ACTION, "expire"))
    expired = run(ACTION, {"state": "expired", "nonce": NONCE1, "lock_path": LOCK})
    assert expired["changed"] is True and expired["state"] == "held"
    node.answer(*answers(ACTION, "query_undone"))
    result = run(ACTION, {"state": "query", "nonce": NONCE1})
    record = result["record"]
    assert result["undone"] is True and result["armed"] is False and result["lock_nonce"] is None
    assert record["state"] == "undone" and record["undo"]["lock"] == "released" and record["undo"]["errors"] == []
    # Every node of the lab did its part (none had a task or snapshot of this run), and nothing needed to move.
    assert sorted(record["undo"]["nodes"]) == ["NODE1", "NODE2", "NODE3"] and record["undo"]["moves"] == []
    assert result["undo_lines"][0].startswith("the watchdog undid run run-1 of RECLAB on NODE")
    assert result["msg"] == result["undo_lines"][0]
    assert 0 <= result["undo_took_s"] <= 300


def test_disarming_after_the_watchdog_acted_keeps_its_record_and_says_so(node, run):
    node.answer(*answers(ACTION, "disarm_after_undo"))
    result = run(ACTION, {"state": "absent", "nonce": NONCE1, "lock_path": LOCK})
    assert result["changed"] is False and result["undone"] is True
    assert result["msg"].startswith("no watchdog was armed; the watchdog had undone the run before: the watchdog "
                                    "undid run run-1")


def test_disarming_removes_the_task_the_script_and_the_record_once(node, run):
    node.answer(*answers(ACTION, "disarm"))
    result = run(ACTION, {"state": "absent", "nonce": NONCE3, "lock_path": LOCK})
    assert result["changed"] is True and result["msg"] == "disarmed the watchdog" and result["undone"] is False
    assert result["diff"] == {"before": {"record": {"run_id": "run-3", "state": "active",
                                                    "digest": result["record"]["digest"]}, "armed": True},
                              "after": {"record": None, "armed": False}}
    node.answer(*answers(ACTION, "disarm_again"))
    again = run(ACTION, {"state": "absent", "nonce": NONCE3, "lock_path": LOCK})
    assert again["changed"] is False and again["msg"] == "no watchdog was armed"


def test_a_watchdog_whose_run_released_its_lock_undoes_nothing_and_removes_itself(node, run):
    node.answer(*answers(ACTION, "ended"))
    result = run(ACTION, {"state": "query", "nonce": NONCE4})
    assert result["record"]["state"] == "ended" and result["armed"] is False and result["script"] is False
    assert result["record"]["undo"]["moves"] == [] and result["record"]["undo"]["nodes"] == {}
    assert result["undone"] is False
    assert result["msg"].startswith("the watchdog of run run-4 of RECLAB found the lock gone or another run's on NODE")
    assert result["msg"].endswith("undid nothing and removed itself")
