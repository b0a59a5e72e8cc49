# -*- coding: utf-8 -*-
"""What the play's hosts registered, read without templating (plugins/plugin_utils/play_hosts.py).

Runs against ansible-core's real HostVars, so a change of how ``raw_get``
behaves on a supported core shows here, not in a fleet of clusters.
"""

from __future__ import annotations

import pytest
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.wsfc.csv.plugins.plugin_utils.play_hosts import (
    answered,
    host_variable,
    play_hosts,
    registered,
    why_not,
)

TEMPLATE = "{{ 'templated' | upper }}"


@pytest.fixture
def task_vars(tmp_path):
    inventory_file = tmp_path / "hosts.ini"
    inventory_file.write_text("[cluster]\nnode1 csv_backup_node_name=NODE9 node_alias=\"{{ inventory_hostname }}-x\"\n"
                              "node2\nnode3\n")
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(inventory_file)])
    variables = VariableManager(loader=loader, inventory=inventory)
    variables.set_nonpersistent_facts("node1", {"facts": {"csvs": [{"name": TEMPLATE}]}})
    variables.set_nonpersistent_facts("node2", {"facts": {"unreachable": True, "msg": "no route"}})
    return {"hostvars": HostVars(inventory=inventory, variable_manager=variables, loader=loader),
            "ansible_play_hosts_all": ["node1", "node2", "node3"], "ansible_play_hosts": ["node1", "node3"]}


def test_registered_values_come_back_as_stored_never_templated(task_vars):
    found = registered(task_vars, "facts")
    assert list(found) == ["node1", "node2"]  # node3 registered nothing
    assert found["node1"]["csvs"][0]["name"] == TEMPLATE


def test_registered_reads_only_the_hosts_asked_for(task_vars):
    assert list(registered(task_vars, "facts", hosts=["node2"])) == ["node2"]
    assert registered(task_vars, None) == {}


def test_inventory_variables_are_templated_in_their_own_host_s_context(task_vars):
    assert host_variable(task_vars, "node1", "node_alias") == "node1-x"
    assert host_variable(task_vars, "node1", "csv_backup_node_name") == "NODE9"
    assert host_variable(task_vars, "node2", "csv_backup_node_name", "") == ""
    assert host_variable(task_vars, "ghost", "csv_backup_node_name", "none") == "none"


def test_play_hosts_all_or_those_still_in_the_play(task_vars):
    assert play_hosts(task_vars) == ["node1", "node2", "node3"]
    assert play_hosts(task_vars, alive=True) == ["node1", "node3"]


@pytest.mark.parametrize("result, ok, why", [
    ({"csvs": []}, True, "failed"),
    ({"skipped": True}, False, "skipped"),
    ({"failed": True, "msg": "cluster service stopped"}, False, "cluster service stopped"),
    ({"unreachable": True, "msg": "no route"}, False, "unreachable: no route"),
    (None, False, "it did not run"),
])
def test_answered_and_why_not(result, ok, why):
    assert answered(result) is ok
    if not ok:
        assert why_not(result) == why
