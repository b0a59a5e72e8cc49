# -*- coding: utf-8 -*-
"""wsfc.csv.smb_multichannel (plugins/action/smb_multichannel.py) with the lab's recorded answers.

One round trip (``smb_multichannel``) reads both sides, changes a side that differs and reads again. In check
mode the script is told not to change anything (``check_mode``), so the call is a read and is retried after a
dropped connection; otherwise it is a change and is not.
"""

from __future__ import annotations

from .checks import says_what_to_do
from .recorded import answers, structured_error

ACTION = "smb_multichannel"
BOTH = {"client": True, "server": True}


def test_client_or_server_is_required(node, run):
    result = run(ACTION, {}, host="NODE2")
    assert result["failed"] and result["msg"] == "one of the following is required: client, server"
    assert node.calls == []


def test_a_value_that_is_not_a_boolean_is_refused(node, run):
    result = run(ACTION, {"client": "sometimes"}, host="NODE2")
    assert result["failed"] and "client" in result["msg"] and "bool" in result["msg"]
    assert node.calls == []


def test_check_mode_tells_the_node_to_change_nothing(node, run):
    node.answer(*answers(ACTION, "check_mode_enable"))
    result = run(ACTION, BOTH, check_mode=True, host="NODE2")
    assert result["changed"] is True and result["smb_multichannel"] == BOTH  # what it would be
    assert result["msg"] == ("SMB Multichannel on the client of NODE2 would be enabled; SMB Multichannel on the "
                             "server of NODE2 would be enabled")
    assert node.calls[0].args == {"client": True, "server": True, "check_mode": True}
    assert node.operations == ["smb_multichannel"]


def test_the_diff_shows_both_sides_before_and_after(node, run):
    node.answer(*answers(ACTION, "check_mode_enable"))
    assert run(ACTION, BOTH, check_mode=True, host="NODE2")["diff"] == {
        "before": {"client": False, "server": False}, "after": BOTH}


def test_enables_both_sides_in_one_round_trip(node, run):
    node.answer(*answers(ACTION, "enable"))
    result = run(ACTION, BOTH, host="NODE2")
    assert result["changed"] is True and result["node"] == "NODE2" and result["smb_multichannel"] == BOTH
    assert node.calls[0].args == {"client": True, "server": True, "check_mode": False}
    assert node.operations == ["smb_multichannel"]


def test_a_side_already_as_asked_is_no_change(node, run):
    node.answer(*answers(ACTION, "already_enabled"))
    result = run(ACTION, BOTH, host="NODE2")
    assert result["changed"] is False
    assert result["msg"] == "SMB Multichannel on NODE2 is already as asked (client=True, server=True)"


def test_a_side_not_given_is_sent_as_none_and_left_alone(node, run):
    node.answer(*answers(ACTION, "check_mode_dropped_once")[1:])
    result = run(ACTION, {"server": True}, check_mode=True, host="NODE2")
    assert node.calls[0].args == {"client": None, "server": True, "check_mode": True}
    assert result["diff"]["after"]["client"] == result["diff"]["before"]["client"]


def test_a_value_the_node_does_not_take_fails_naming_the_node_and_what_to_check(node, run):
    # The node reports server=True after being asked for False (as under a Group Policy that sets it).
    node.answer(*answers(ACTION, "already_enabled"))
    result = run(ACTION, {"server": False}, host="NODE2")
    assert result["failed"] is True and result["node"] == "NODE2"
    assert "is client=True, server=True after the change, not client=True, server=False as asked" in result["msg"]
    assert "check for a Group Policy" in result["msg"]


def test_a_dropped_read_in_check_mode_is_retried_on_a_reset_connection(node, run, harness):
    node.answer(*answers(ACTION, "check_mode_dropped_once"))
    assert run(ACTION, {"server": True}, check_mode=True, host="NODE2")["changed"] is True
    assert node.operations == ["smb_multichannel", "smb_multichannel"] and harness.connection.resets == 1


def test_a_dropped_change_is_not_repeated_and_the_task_is_unreachable(node, run, harness):
    node.answer(*answers(ACTION, "disable_dropped"))
    result = run(ACTION, {"server": False}, host="NODE2")
    assert result["unreachable"] is True and "failed" not in result
    assert result["msg"].startswith("smb_multichannel failed on NODE2: the connection failed while the change")
    assert "read the state again before retrying" in result["msg"]
    # the runner gives whoever reads the state again a fresh shell
    assert node.operations == ["smb_multichannel"] and harness.connection.resets == 1


def test_an_error_on_the_node_fails_the_task_naming_the_node(node, run):
    node.answer(structured_error("smb_multichannel"))
    result = run(ACTION, BOTH)
    assert result["failed"] is True and result["msg"].startswith("smb_multichannel failed on NODE1:")
    assert node.operations == ["smb_multichannel"]


def test_an_error_on_the_node_says_what_to_do(node, run):
    node.answer(structured_error("smb_multichannel"))
    assert says_what_to_do(run(ACTION, BOTH)["msg"])
