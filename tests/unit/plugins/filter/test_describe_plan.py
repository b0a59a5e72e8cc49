# -*- coding: utf-8 -*-
"""The wsfc.csv.describe_plan filter (plugins/filter/describe_plan.py).

The lines are plan.describe.describe_plan's; this tests the filter: its documentation (``cluster`` is
positional), the lines of a plan the backup_plan filter made, and its refusals.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import describe_plan as plugin
from ansible_collections.wsfc.csv.plugins.filter.backup_plan import backup_plan

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "describe_plan"
GB = 10 ** 9


def _plan():
    csvs = [{"name": "Disk A", "owner": "NODE1", "state": "Online", "used_bytes": 800 * GB, "redirected": False},
            {"name": "Disk B", "owner": "NODE1", "state": "Online", "used_bytes": 800 * GB, "redirected": False},
            {"name": "Disk C", "owner": "NODE2", "state": "Offline", "used_bytes": GB, "redirected": False}]
    return backup_plan({"cluster": {"name": "C1"}, "csvs": csvs,
                        "nodes": [{"name": "NODE1", "state": "Up"}, {"name": "NODE2", "state": "Up"}]})


def test_the_documentation_names_the_filter_and_its_options():
    check_options(documentation(plugin, NAME), loaded(plugin, NAME))


def test_the_lines_give_the_headline_the_moves_each_read_and_what_was_skipped():
    plan = _plan()
    lines = loaded(plugin, NAME)(plan, "C1")
    assert lines[0].startswith("Cluster C1: balanced plan: 2 CSVs, ") and "1 moves" in lines[0]
    assert lines[1].startswith("predicted window per strategy: ")
    [move] = plan["moves"]  # one of the two NODE1 CSVs moves to NODE2
    assert "move %s: NODE1 -> NODE2" % move["csv"] in lines
    assert sum(1 for line in lines if " backs up Disk " in line) == 2
    assert "skipped Disk C: state is Offline, not Online" in lines


def test_without_a_cluster_name_the_headline_has_none():
    assert loaded(plugin, NAME)(_plan())[0].startswith("balanced plan: 2 CSVs, ")


@pytest.mark.parametrize("plan", ["plan", ["Disk A"], None])
def test_an_input_that_is_not_a_plan_is_refused_naming_what_it_got(plan):
    with pytest.raises(AnsibleFilterError, match=r"^describe_plan expects the plan \(a dictionary\), got "
                                                 + type(plan).__name__ + "$"):
        loaded(plugin, NAME)(plan)


def test_a_plan_with_an_incomplete_read_is_a_filter_error_not_a_traceback():
    plan = _plan()
    del plan["nodes"]["NODE1"][0]["why"]
    with pytest.raises(AnsibleFilterError, match=r"^describe_plan: the plan is incomplete: 'why'$"):
        loaded(plugin, NAME)(plan)


def test_the_target_the_plan_counted_has_a_line():
    csvs = [{"name": "Disk A", "owner": "NODE1", "state": "Online", "used_bytes": 800 * GB, "redirected": False}]
    cluster = {"cluster": {"name": "C1"}, "csvs": csvs, "nodes": [{"name": "NODE1", "state": "Up"}]}
    share = backup_plan(cluster, target="\\\\backup01\\csv", targets=[{"path": "\\\\backup01\\csv", "gbps": 8}])
    lines = loaded(plugin, NAME)(share)
    assert lines[2] == "writes to \\\\backup01\\csv: a share taking 8 Gb/s from all nodes together, so no window is shorter than 800 s"
    local = backup_plan(cluster, targets=[{"path": "E:\\B", "gbps": 8}, {"path": "E:\\B", "node": "NODE1", "gbps": 4}])
    assert loaded(plugin, NAME)(local)[2] == "writes to E:\\B on each node's own drive at 8 Gb/s (NODE1 4 Gb/s)"
    assert not [line for line in loaded(plugin, NAME)(_plan()) if line.startswith("writes to ")]
