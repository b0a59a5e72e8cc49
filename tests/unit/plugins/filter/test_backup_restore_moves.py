# -*- coding: utf-8 -*-
"""The wsfc.csv.backup_restore_moves filter (plugins/filter/backup_restore_moves.py).

The decision is csv_ownership.restore_moves's, tested in tests/unit/plugins/plugin_utils/test_csv_ownership.py;
this tests the filter: its documentation, its options and its refusals.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import backup_restore_moves as plugin

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "backup_restore_moves"
BEFORE = {"Cluster Disk 1": "NODE1", "Cluster Disk 2": "NODE2"}


def _now(coordinators, paused=()):
    return {"coordinators": coordinators,
            "nodes": [{"name": n, "state": "Paused" if n in paused else "Up"} for n in ("NODE1", "NODE2")]}


def test_the_documentation_names_the_filter_and_its_options():
    check_options(documentation(plugin, NAME), loaded(plugin, NAME))


def test_only_what_is_not_home_moves_back_and_only_to_an_owner_that_is_up():
    now = _now({"Cluster Disk 1": "NODE2", "Cluster Disk 2": "NODE1"}, paused=("NODE2",))
    decided = loaded(plugin, NAME)(BEFORE, now=now)
    assert decided["moves"] == [{"csv": "Cluster Disk 1", "from": "NODE2", "to": "NODE1"}]
    assert decided["kept"] == [{"csv": "Cluster Disk 2", "on": "NODE1", "owner": "NODE2",
                                "why": "its original owner NODE2 is Paused"}]
    assert decided["error"] is None


def test_scope_limits_the_decision_to_the_csvs_the_run_touched():
    now = _now({"Cluster Disk 1": "NODE2", "Cluster Disk 2": "NODE1"})
    assert [m["csv"] for m in loaded(plugin, NAME)(BEFORE, now=now, scope=["cluster disk 2"])["moves"]] == [
        "Cluster Disk 2"]


def test_without_a_fresh_read_nothing_moves_and_the_error_says_what_to_run():
    decided = loaded(plugin, NAME)(BEFORE)
    assert decided["moves"] == [] and "playbooks/restore_ownership.yml" in decided["error"]


@pytest.mark.parametrize("before", ["NODE1", [["Cluster Disk 1", "NODE1"]], None])
def test_an_input_that_is_not_a_map_is_refused_naming_what_it_got(before):
    with pytest.raises(AnsibleFilterError, match=r"^backup_restore_moves expects the saved ownership map "
                                                 r"\(a dictionary\), got " + type(before).__name__ + "$"):
        loaded(plugin, NAME)(before, now=_now({}))


def test_a_now_that_is_not_a_cluster_read_is_a_filter_error_not_a_traceback():
    with pytest.raises(AnsibleFilterError, match=r"^backup_restore_moves: "):
        loaded(plugin, NAME)(BEFORE, now="yesterday")
