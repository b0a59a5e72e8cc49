# -*- coding: utf-8 -*-
"""The wsfc.csv.backup_option_errors filter (plugins/filter/backup_option_errors.py).

The checks are run.options.option_errors's, tested in tests/unit/plugins/plugin_utils/run/test_options.py; this
tests the filter: its documentation, its options (``prefix`` is positional) and its refusals.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsfc.csv.plugins.filter import backup_option_errors as plugin

from filter_docs import check_options, documentation, loaded  # pylint: disable=import-error

NAME = "backup_option_errors"


def test_the_documentation_names_the_filter_and_its_options():
    doc = documentation(plugin, NAME)
    check_options(doc, loaded(plugin, NAME))
    assert doc["options"]["prefix"]["default"] == "csv_backup_"


def test_the_documented_example_is_refused_twice():
    """The EXAMPLES pass {'concurrency': 0, 'method': 'copy', 'target': ''}: two options are wrong."""
    assert loaded(plugin, NAME)({"concurrency": 0, "method": "copy", "target": ""}) == [
        "csv_backup_concurrency (got 0) must be at least 1.",
        "csv_backup_method=copy needs csv_backup_target (the directory or share the backups go to)."]


def test_the_prefix_names_the_options_as_the_caller_knows_them():
    assert loaded(plugin, NAME)({"concurrency": 0}, "my_") == ["my_concurrency (got 0) must be at least 1."]
    assert loaded(plugin, NAME)({"concurrency": 2, "method": "wbadmin", "target": "\\\\b\\wsb"}) == []


@pytest.mark.parametrize("options", ["concurrency=0", [("concurrency", 0)], None])
def test_an_input_that_is_not_a_dictionary_is_refused_naming_what_it_got(options):
    with pytest.raises(AnsibleFilterError, match=r"^backup_option_errors expects the options \(a dictionary\), "
                                                 r"got " + type(options).__name__ + "$"):
        loaded(plugin, NAME)(options)
