# -*- coding: utf-8 -*-
"""The play the controller-only action tests run in (controller_play.py, play_results.py) must have teeth.

A test that a registered value is never templated means something only if the value would run when templated;
a controller action's test means something only if the action cannot reach a node unnoticed.
"""

from __future__ import annotations

import pytest

from .controller_play import HOSTS, pipe_lookup


def test_an_injected_name_runs_its_command_when_hostvars_templates_it(play, tmp_path):
    marker = tmp_path / "templated"
    play.register("cluster", {HOSTS[0]: {"csvs": [{"name": pipe_lookup(marker)}]}})
    assert play.hostvars().raw_get(HOSTS[0])["cluster"]["csvs"][0]["name"] == pipe_lookup(marker)
    assert not marker.exists()
    templated = play.hostvars()[HOSTS[0]]["cluster"]  # what hostvars[host][name] in a template does
    assert templated["csvs"][0]["name"] == "Disk " and marker.exists()


def test_the_play_refuses_an_action_that_talks_to_a_node(play):
    with pytest.raises(AssertionError, match="cluster_info needs a connection"):
        play.run("cluster_info", {})


def test_each_host_answers_cluster_info_as_its_own_node(results):
    views = results.cluster()
    assert [v["queried_node"] for v in views.values()] == ["NODE1", "NODE2", "NODE3"]
    assert len(set(repr(dict(v, queried_node=None)) for v in views.values())) == 1
