# -*- coding: utf-8 -*-
"""The wsfc.csv.backup_run_record filter (plugins/filter/backup_run_record.py).

The assembly is run.record.run_record's, tested in tests/unit/plugins/plugin_utils/run/test_record.py; this tests
the filter: its documentation (every option is one run_record takes), its options and its refusals.
"""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import backup_run_record as plugin
from ansible_collections.wsfc.csv.plugins.plugin_utils.run.record import run_record

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "backup_run_record"
PLAN = {"nodes": {"NODE1": [{"csv": "Disk A", "index": 0, "bytes": 10, "read": "local"}],
                  "NODE2": [{"csv": "Disk B", "index": 1, "bytes": 20, "read": "local"}]}}
JOB = {"csv": "Disk A", "node": "NODE1", "state": "succeeded", "read": "local", "bytes": 10,
       "start": "2026-01-05T01:00:00Z", "end": "2026-01-05T01:00:10Z"}


def test_the_documentation_names_the_filter_and_its_options():
    check_options(documentation(plugin, NAME), loaded(plugin, NAME), passes_to=run_record)


def test_every_documented_option_is_accepted_at_once():
    record = loaded(plugin, NAME)(
        PLAN, cluster="C1", moved={"results": []}, queues=[{"jobs": [JOB]}, None], restored={"results": []},
        errors=["a step failed"], lock={"changed": True}, unlock={"changed": True}, warnings=["slow path"],
        nodes=["NODE1", "NODE2"], requeues=[None, None], on_failover="fail",
        restore={"moves": [], "kept": [], "error": None}, started="2026-01-05T00:59:00Z",
        finished="2026-01-05T01:01:00Z")
    assert record["cluster"] == "C1" and record["errors"] == ["a step failed"]
    assert "slow path" in record["warnings"]
    json.dumps(record)  # a template gets plain data


def test_every_planned_csv_appears_once_a_missing_one_as_skipped_with_why():
    record = loaded(plugin, NAME)(PLAN, queues=[{"jobs": [JOB]}, None], nodes=["NODE1", "NODE2"])
    assert [(j["csv"], j["state"]) for j in record["jobs"]] == [("Disk A", "succeeded"), ("Disk B", "skipped")]
    assert record["jobs"][1]["message"] == "Disk B: NODE2 did not back it up: the run stopped before its queue ran"


@pytest.mark.parametrize("plan", ["plan", [PLAN], None])
def test_an_input_that_is_not_a_plan_is_refused_naming_what_it_got(plan):
    with pytest.raises(AnsibleFilterError, match=r"^backup_run_record expects the plan \(a dictionary\), got "
                                                 + type(plan).__name__ + "$"):
        loaded(plugin, NAME)(plan)


def test_an_option_the_filter_does_not_have_is_refused_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"^backup_run_record: .*'clusters'"):
        loaded(plugin, NAME)(PLAN, clusters="C1")
