# -*- coding: utf-8 -*-
"""The wsfc.csv.backup_plan filter (plugins/filter/backup_plan.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import backup_plan as plugin
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.inputs import DEFAULTS

GB = 10 ** 9


class _Tagged(str):
    """Stands in for Ansible's templated strings, which are str subclasses."""


def _cluster(name_type=str):
    csvs = [
        {"name": name_type("Cluster Disk 1"), "owner": "NODE1", "state": "Online", "used_bytes": 800 * GB,
         "redirected": False},
        {"name": name_type("Cluster Disk 2"), "owner": "NODE1", "state": "Online", "used_bytes": 800 * GB,
         "redirected": False},
        {"name": name_type("Scratch"), "owner": "NODE2", "state": "Online", "used_bytes": 10 * GB, "redirected": False},
    ]
    return {"changed": False, "cluster": {"name": "C1"}, "csvs": csvs,
            "nodes": [{"name": "NODE1", "state": "Up", "id": "1"}, {"name": "NODE2", "state": "Up", "id": "2"}]}


def test_the_filter_is_registered_under_its_documented_name():
    filters = plugin.FilterModule().filters()
    assert filters == {"backup_plan": plugin.backup_plan}
    assert yaml.safe_load(plugin.DOCUMENTATION)["name"] == "backup_plan"


def test_documentation_covers_every_option():
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    assert set(doc["options"]) == set(DEFAULTS) | {"_input", "network"}
    assert doc["options"]["strategy"]["choices"] == ["balanced", "coordinator", "consolidate", "remote", "all"]
    assert doc["options"]["concurrency"]["default"] == DEFAULTS["concurrency"]
    yaml.safe_load(plugin.EXAMPLES)
    returned = yaml.safe_load(plugin.RETURN)["_value"]["contains"]
    plan = plugin.backup_plan(_cluster())
    assert set(plan) <= set(returned)


def test_the_filter_returns_the_plan():
    plan = plugin.backup_plan(_cluster(), None, strategy="coordinator", concurrency="1")
    assert plan["strategy"] == "coordinator" and plan["concurrency"] == 1
    assert plan["moves"] == []
    balanced = plugin.backup_plan(_cluster())
    assert balanced["moves"] == [{"csv": "Cluster Disk 2", "from": "NODE1", "to": "NODE2"}]
    json.dumps(balanced)


def test_network_is_the_positional_argument():
    network = {"nodes": {"NODE1": {"read_gbps": 16.0}, "NODE2": {"read_gbps": 16.0}}}
    plan = plugin.backup_plan(_cluster(), network, strategy="coordinator")
    assert plan["window_s"] == pytest.approx(800.0)


def test_templated_strings_work_with_select():
    # JMESPath checks argument types by exact name; the planner copies Ansible's str subclasses to plain str first.
    plan = plugin.backup_plan(_cluster(_Tagged), select=_Tagged("[?starts_with(name, 'Cluster')]"))
    assert plan["selected"] == ["Cluster Disk 1", "Cluster Disk 2"]
    assert set(name.__class__ for name in plan["selected"]) == {str}


def test_errors_become_filter_errors_that_name_the_problem():
    with pytest.raises(AnsibleFilterError, match=r"wsfc.csv.backup_plan: strategy must be one of .*'fast'"):
        plugin.backup_plan(_cluster(), strategy="fast")
    with pytest.raises(AnsibleFilterError, match="matched no CSV"):
        plugin.backup_plan(_cluster(), select="[?name == 'x']")
    with pytest.raises(AnsibleFilterError, match="cluster must be the result"):
        plugin.backup_plan("not a cluster")
