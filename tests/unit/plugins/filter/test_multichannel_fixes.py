# -*- coding: utf-8 -*-
"""The wsfc.csv.multichannel_fixes filter (plugins/filter/multichannel_fixes.py).

The choice is network.changes.multichannel_fixes's, tested in tests/unit/plugins/plugin_utils/network/
test_changes.py; this tests the filter: its documentation (``allowed`` is positional), its options and its refusals.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import multichannel_fixes as plugin

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "multichannel_fixes"
# The findings network_info reported for NODE2 of the lab, where SMB Multichannel is off on both sides.
NETWORK = {"node": "NODE2", "findings": [
    {"id": "multichannel_disabled", "severity": "warning", "node": "NODE2", "subject": "smb_server"},
    {"id": "rdma_not_enabled", "severity": "info", "node": "NODE2", "subject": "SLOT2-1"},
    {"id": "multichannel_disabled", "severity": "warning", "node": "NODE2", "subject": "smb_client"}]}


def test_the_documentation_names_the_filter_and_its_options():
    doc = documentation(plugin, NAME)
    check_options(doc, loaded(plugin, NAME))
    assert doc["options"]["allowed"]["default"] == ["client", "server"]


def test_the_sides_a_finding_names_come_back_client_first():
    assert loaded(plugin, NAME)(NETWORK) == ["client", "server"]


def test_allowed_limits_the_sides():
    assert loaded(plugin, NAME)(NETWORK, ["server"]) == ["server"]
    assert loaded(plugin, NAME)(NETWORK, []) == []
    assert loaded(plugin, NAME)({"node": "NODE1", "findings": []}) == []


@pytest.mark.parametrize("network", ["NODE2", [NETWORK], None])
def test_an_input_that_is_not_a_network_info_result_is_refused_naming_what_it_got(network):
    with pytest.raises(AnsibleFilterError, match=r"^multichannel_fixes expects a wsfc.csv.network_info result "
                                                 r"\(a dictionary\), got " + type(network).__name__ + "$"):
        loaded(plugin, NAME)(network)
