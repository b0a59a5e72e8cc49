# -*- coding: utf-8 -*-
"""The wsfc.csv.backup_failover_reads filter (plugins/filter/backup_failover_reads.py).

Its decisions are queue.records.failover_reads's, tested in tests/unit/plugins/plugin_utils/queue/test_records.py;
this tests the filter: its documentation, its options and its refusals.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import backup_failover_reads as plugin

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "backup_failover_reads"
PLAN = {"nodes": {"NODE1": [{"csv": "Disk A", "index": 0, "bytes": 10, "read": "local", "source": "NODE1"}],
                  "NODE2": [{"csv": "Disk B", "index": 1, "bytes": 20, "read": "local", "source": "NODE2"}]}}


def _queue(node, csv, state, failover_to=None):
    entry = {"csv": csv, "node": node, "state": state}
    if failover_to:
        entry["failover"] = {"from": node, "to": failover_to}
    return {"jobs": [entry]}


def _now(coordinators, down=()):
    return {"coordinators": coordinators,
            "nodes": [{"name": n, "state": "Down" if n in down else "Up"} for n in ("NODE1", "NODE2", "NODE3")]}


def test_the_documentation_names_the_filter_and_its_options():
    check_options(documentation(plugin, NAME), loaded(plugin, NAME))


def test_a_csv_a_queue_marked_as_failed_over_goes_to_its_new_coordinator():
    queues = [_queue("NODE1", "Disk A", "failed", failover_to="NODE3"), _queue("NODE2", "Disk B", "succeeded")]
    reads = loaded(plugin, NAME)(PLAN, queues)
    assert list(reads) == ["NODE3"]
    assert [(r["csv"], r["index"], r["read"], r["source"], r["replanned_from"]) for r in reads["NODE3"]] == [
        ("Disk A", 0, "local", "NODE3", "NODE1")]


def test_with_now_a_csv_of_a_node_that_went_down_is_re_planned_too():
    queues = [None, _queue("NODE2", "Disk B", "succeeded")]  # NODE1 went down and registered nothing
    reads = loaded(plugin, NAME)(PLAN, queues, now=_now({"Disk A": "NODE2", "Disk B": "NODE2"}, down=("NODE1",)))
    assert [r["csv"] for r in reads["NODE2"]] == ["Disk A"]
    assert loaded(plugin, NAME)(PLAN, queues) == {}  # without now nothing says Disk A moved


@pytest.mark.parametrize("plan", ["a plan", ["NODE1"], None])
def test_an_input_that_is_not_a_plan_is_refused_naming_what_it_got(plan):
    with pytest.raises(AnsibleFilterError, match=r"^backup_failover_reads expects the plan \(a dictionary\), got "
                                                 + type(plan).__name__ + "$"):
        loaded(plugin, NAME)(plan, [])


def test_a_plan_read_without_its_csv_is_a_filter_error_not_a_traceback():
    with pytest.raises(AnsibleFilterError, match=r"^backup_failover_reads: 'csv'$"):
        loaded(plugin, NAME)({"nodes": {"NODE1": [{"index": 0}]}}, [])
