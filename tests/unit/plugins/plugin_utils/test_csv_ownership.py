# -*- coding: utf-8 -*-
"""Move decisions of csv_owner (plugins/plugin_utils/csv_ownership.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.csv_ownership import (
    OwnershipError,
    OwnershipWait,
    require_csv,
    plan_move,
    restore_moves,
    settled,
    timeout_message,
)


def _raw(owner="NODE1", state="Online", access=None, node_states=None, csv=True, backup_state=""):
    nodes = node_states or {"NODE1": "Up", "NODE2": "Up", "NODE3": "Paused"}
    entry = {"name": "Cluster Disk 1", "owner": owner, "state": state, "path": "C:\\ClusterStorage\\Volume1",
             "backup_state": backup_state,
             "access": access if access is not None else [{"node": n, "state": "Direct", "reason": "NotRedirected"}
                                                          for n in nodes]}
    return {"node": "NODE1", "nodes": [{"name": n, "state": s} for n, s in nodes.items()],
            "csv": entry if csv else None, "known": ["Cluster Disk 1", "Cluster Disk 2"]}


def test_move_needed():
    csv, target, needed = plan_move(_raw(), "node2", name="Cluster Disk 1")
    assert (target, needed) == ("NODE2", True)
    assert csv["owner"] == "NODE1"


def test_already_there_is_unchanged_even_if_the_node_were_paused():
    _csv, target, needed = plan_move(_raw(owner="NODE3"), "NODE3", name="Cluster Disk 1")
    assert (target, needed) == ("NODE3", False)


@pytest.mark.parametrize("raw, target, words", [
    (_raw(csv=False), "NODE2", ["named 'Cluster Disk 9'", "Cluster Disk 1, Cluster Disk 2", "cluster_info"]),
    (_raw(), "NODE7", ["'NODE7' is not a node", "NODE1, NODE2, NODE3"]),
    (_raw(), "NODE3", ["NODE3", "Paused", "Resume-ClusterNode", "stays on NODE1"]),
    (_raw(state="Failed"), "NODE2", ["Failed on NODE1", "Online first"]),
    (_raw(access=[{"node": "NODE2", "state": "Block Redirected", "reason": "NoDiskConnectivity"}]), "NODE2",
     ["Block Redirected on NODE2 (NoDiskConnectivity", "storage connection", "stays on NODE1"]),
    (_raw(access=[{"node": "NODE2", "state": "File System Redirected", "reason": "SomethingNew"}]), "NODE2",
     ["'SomethingNew' is not a redirected I/O reason Microsoft documents", "stays on NODE1"]),
])
def test_refusals_name_the_csv_the_node_and_the_next_step(raw, target, words):
    with pytest.raises(OwnershipError) as caught:
        plan_move(raw, target, name="Cluster Disk 9" if raw["csv"] is None else "Cluster Disk 1")
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("access, backup_state, words", [
    ([{"node": "NODE2", "state": "File System Redirected", "reason": "UserRequest"}], "",
     ["yet", "File System Redirected on NODE2 (UserRequest", "until that ends"]),
    ([{"node": "NODE1", "state": "File System Redirected", "reason": "BitLockerInitializing"}], "",
     ["BitLockerInitializing"]),
    (None, "VolumeBackupInProgress", ["a backup holds it", "offline", "30 minutes"]),
])
def test_transient_redirects_and_backups_are_waited_for(access, backup_state, words):
    with pytest.raises(OwnershipWait) as caught:
        plan_move(_raw(access=access, backup_state=backup_state), "NODE2", name="Cluster Disk 1")
    for word in words:
        assert word in str(caught.value)


def test_structural_redirects_do_not_stop_a_move():
    refs = [{"node": n, "state": "File System Redirected", "reason": "ReFs"} for n in ("NODE1", "NODE2")]
    csv, target, needed = plan_move(_raw(access=refs), "NODE2", name="Cluster Disk 1")
    assert (target, needed) == ("NODE2", True)
    assert csv["access_class"] == "structural" and "ReFS" in csv["access_detail"]
    s2d = [{"node": "NODE1", "state": "Direct", "reason": "NotRedirected"},
           {"node": "NODE2", "state": "Block Redirected", "reason": "StorageSpaceNotAttached"}]
    assert plan_move(_raw(access=s2d), "NODE2", name="Cluster Disk 1")[2] is True


def _entry(owner, access, state="Online"):
    return require_csv(_raw(owner=owner, state=state, access=access), name="Cluster Disk 1")


DIRECT = {"state": "Direct", "reason": "NotRedirected"}


def test_settled_needs_owner_online_and_no_new_transient_or_fatal_redirect():
    before = _entry("NODE1", [dict(DIRECT, node="NODE1"), dict(DIRECT, node="NODE2")])
    assert settled(_entry("NODE2", [dict(DIRECT, node="NODE1"), dict(DIRECT, node="NODE2")]), "node2", before)
    assert not settled(_entry("NODE1", [dict(DIRECT, node="NODE1")]), "NODE2", before)
    assert not settled(_entry("NODE2", [dict(DIRECT, node="NODE2")], state="OnlinePending"), "NODE2", before)
    redirected = [{"node": "NODE1", "state": "File System Redirected", "reason": "UserRequest"}]
    assert not settled(_entry("NODE2", redirected), "NODE2", before)
    assert not settled(_entry("NODE2", redirected), "NODE2")


def test_settled_accepts_structural_redirects_that_follow_the_coordinator():
    # Storage Spaces Direct: after the move the old coordinator is block redirected, the new one direct.
    before = _entry("NODE1", [dict(DIRECT, node="NODE1"),
                              {"node": "NODE2", "state": "Block Redirected", "reason": "StorageSpaceNotAttached"}])
    after = _entry("NODE2", [{"node": "NODE1", "state": "Block Redirected", "reason": "StorageSpaceNotAttached"},
                             dict(DIRECT, node="NODE2")])
    assert settled(after, "NODE2", before)


def test_settled_keeps_a_redirect_the_node_already_had():
    had = [{"node": "NODE3", "state": "File System Redirected", "reason": "UserRequest"}]
    before = _entry("NODE1", had + [dict(DIRECT, node="NODE1")])
    assert settled(_entry("NODE2", had + [dict(DIRECT, node="NODE2")]), "NODE2", before)


def test_timeout_message_says_where_the_csv_is():
    now = _entry("NODE1", [{"node": "NODE2", "state": "Block Redirected", "reason": "NoDiskConnectivity"}])
    text = timeout_message(now, "NODE2", 30, _entry("NODE1", [dict(DIRECT, node="NODE2")]))
    assert "within 30 seconds" in text and "Online on NODE1" in text and "NoDiskConnectivity" in text


# ---- restore_moves: what goes back after a run, from the cluster as it is now ------------------------------------


def _now(owners, states):
    return {"coordinators": owners, "nodes": [{"name": n, "state": s} for n, s in states.items()]}


def test_restore_moves_back_only_what_is_elsewhere_and_only_to_an_owner_that_is_up():
    before = {"A": "N1", "B": "N1", "C": "N2", "D": "N3"}
    now = _now({"A": "N2", "B": "N1", "C": "N3", "D": "N1"}, {"N1": "Up", "N2": "Up", "N3": "Down"})
    decided = restore_moves(before, now)
    assert decided["moves"] == [{"csv": "A", "from": "N2", "to": "N1"}, {"csv": "C", "from": "N3", "to": "N2"}]
    assert decided["kept"] == [{"csv": "D", "on": "N1", "owner": "N3", "why": "its original owner N3 is Down"}]
    assert decided["error"] is None


def test_restore_moves_keeps_to_the_run_s_scope_and_says_when_no_node_answered():
    before = {"A": "N1", "B": "N1"}
    now = _now({"A": "N2", "B": "N2"}, {"N1": "Up", "N2": "Up"})
    assert [m["csv"] for m in restore_moves(before, now, scope=["b"])["moves"]] == ["B"]
    gone = restore_moves(before, _now({"A": "N2"}, {"N1": "Paused", "N2": "Up"}))
    assert [k["why"] for k in gone["kept"]] == ["its original owner N1 is Paused", "it is no longer a CSV of the cluster"]
    assert restore_moves(before, None)["error"].startswith("no node answered")


# ---- require_csv: an unknown CSV's name is quoted, but cut like every other refused value ---------------------------

VOLUME = "C:\\ClusterStorage\\"  # 18 characters


@pytest.mark.parametrize("args, shown", [
    ({"name": "x" * 10000}, "named %r... (10000 characters)" % ("x" * 120)),
    ({"path": VOLUME + "v" * 5000}, "at path %r... (5018 characters)" % (VOLUME + "v" * 102)),
    ({"name": "x" * 120}, "named %r " % ("x" * 120)),
    ({"name": "Disk 'quoted'"}, "named \"Disk 'quoted'\" on the cluster of NODE1"),
])
def test_require_csv_quotes_at_most_120_characters_of_an_unknown_name(args, shown):
    with pytest.raises(OwnershipError) as caught:
        require_csv(_raw(csv=False), **args)
    text = str(caught.value)
    assert shown in text
    assert len(text) < 400
    assert "Cluster Disk 1, Cluster Disk 2" in text and "cluster_info" in text
