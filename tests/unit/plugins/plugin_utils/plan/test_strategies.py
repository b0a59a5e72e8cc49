# -*- coding: utf-8 -*-
"""The assignment strategies of the backup planner (plugins/plugin_utils/plan/strategies.py)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan import strategies
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.strategies import TOLERANCE, Problem, Volume


def test_lower_bound_is_the_larger_of_spread_bytes_and_the_largest_volume():
    spread = Problem([Volume("a", 100, "N1"), Volume("b", 100, "N2")], ["N1", "N2"], {"N1": 1.0, "N2": 3.0})
    assert spread.lower_bound() == 50.0          # 200 bytes at 4 bytes/s
    one_big = Problem([Volume("a", 900, "N1"), Volume("b", 10, "N2")], ["N1", "N2"], {"N1": 1.0, "N2": 3.0})
    assert one_big.lower_bound() == 300.0        # 900 bytes on the fastest node
    assert Problem([], ["N1"], {"N1": 1.0}).lower_bound() == 0.0


def test_finish_time_of_a_node_is_its_bytes_over_its_rate():
    problem = Problem([Volume("a", 30, "N1"), Volume("b", 10, "N1"), Volume("c", 20, "N2")], ["N1", "N2"], {"N1": 2.0, "N2": 1.0})
    assert problem.finish_times({"a": "N1", "b": "N1", "c": "N2"}) == {"N1": 20.0, "N2": 20.0}
    assert problem.window({"a": "N1", "b": "N2", "c": "N2"}) == 30.0


def test_coordinator_sends_volumes_of_disallowed_owners_where_they_finish_earliest():
    problem = Problem([Volume("a", 50, "N1"), Volume("b", 10, "N2"), Volume("c", 30, "N9"), Volume("d", 20, "N9")],
                      ["N1", "N2"], {"N1": 1.0, "N2": 1.0})
    assert strategies.coordinator(problem) == {"a": "N1", "b": "N2", "c": "N2", "d": "N2"}


def test_consolidation_node_is_the_fastest_then_the_one_owning_most():
    problem = Problem([Volume("a", 50, "N1"), Volume("b", 60, "N2")], ["N1", "N2", "N3"], {"N1": 1.0, "N2": 1.0, "N3": 0.5})
    assert strategies.consolidation_node(problem) == "N2"
    faster = Problem(problem.volumes, ["N1", "N2", "N3"], {"N1": 1.0, "N2": 1.0, "N3": 2.0})
    assert strategies.consolidation_node(faster) == "N3"


def test_choose_prefers_fewer_moves_within_the_tolerance_only():
    problem = Problem([Volume("a", 1000, "N1"), Volume("b", 1000, "N1")], ["N1", "N2"], {"N1": 1.0, "N2": 1.0})
    stay, spread = {"a": "N1", "b": "N1"}, {"a": "N1", "b": "N2"}
    assert strategies.choose(problem, [stay, spread]) == spread
    almost = Problem([Volume("a", 10000, "N1"), Volume("b", 1, "N1")], ["N1", "N2"], {"N1": 1.0, "N2": 1.0})
    assert 10001 / 10000 - 1 < TOLERANCE
    assert strategies.choose(almost, [{"a": "N1", "b": "N2"}, {"a": "N1", "b": "N1"}]) == {"a": "N1", "b": "N1"}


def _brute_force(problem):
    """(shortest window, fewest moves among assignments within TOLERANCE of it) by trying every assignment."""
    results = []
    for combo in itertools.product(problem.nodes, repeat=len(problem.volumes)):
        assignment = dict((v.name, node) for v, node in zip(problem.volumes, combo))
        results.append((problem.window(assignment), len(problem.moved(assignment))))
    best = min(w for w, m in results)
    return best, min(m for w, m in results if w <= best * (1 + TOLERANCE))


@st.composite
def small_problems(draw):
    nodes = ["N%d" % i for i in range(draw(st.integers(1, 3)))]
    owners = nodes + ["GONE"]
    volumes = [Volume("v%d" % i, draw(st.integers(0, 100)), draw(st.sampled_from(owners))) for i in range(draw(st.integers(1, 6)))]
    return Problem(volumes, nodes, dict((n, draw(st.sampled_from([1.0, 1.5, 2.0]))) for n in nodes))


@settings(max_examples=200, deadline=None, database=None)
@given(small_problems())
def test_balanced_is_optimal_on_small_clusters(problem):
    best, fewest = _brute_force(problem)
    chosen = strategies.balanced(problem)
    assert problem.window(chosen) <= best * (1 + TOLERANCE) + 1e-12
    assert len(problem.moved(chosen)) == fewest


# --- a target every node writes to: its ingress is the floor of every window ---------------------------------------

def test_the_targets_ingress_is_a_floor_of_the_lower_bound_and_of_every_window():
    volumes = [Volume("a", 600, "N1"), Volume("b", 300, "N1"), Volume("c", 100, "N2")]
    rates = {"N1": 10.0, "N2": 10.0}
    free = Problem(volumes, ["N1", "N2"], rates)
    slow = Problem(volumes, ["N1", "N2"], rates, shared=5.0)
    assert free.floor == 0.0 and free.lower_bound() == 60.0       # the largest volume on the fastest node
    assert slow.floor == 200.0 and slow.lower_bound() == 200.0    # 1000 bytes through 5 bytes/s
    coordinator = strategies.coordinator(slow)
    assert slow.finish_times(coordinator) == {"N1": 90.0, "N2": 10.0}
    assert slow.window(coordinator) == 200.0 and free.window(coordinator) == 90.0


def test_balanced_moves_nothing_when_the_target_sets_the_window():
    volumes = [Volume("a", 600, "N1"), Volume("b", 300, "N1"), Volume("c", 100, "N2")]
    rates = {"N1": 10.0, "N2": 10.0}
    free = strategies.balanced(Problem(volumes, ["N1", "N2"], rates))
    assert Problem(volumes, ["N1", "N2"], rates).moved(free)                  # without the target it spreads the bytes
    slow = Problem(volumes, ["N1", "N2"], rates, shared=5.0)
    assert strategies.balanced(slow) == strategies.coordinator(slow)          # with it every node is early: no move pays


def test_balanced_still_spreads_when_a_node_would_outlast_the_floor():
    volumes = [Volume("a", 600, "N1"), Volume("b", 500, "N1"), Volume("c", 100, "N2")]
    problem = Problem(volumes, ["N1", "N2"], {"N1": 10.0, "N2": 10.0}, shared=15.0)  # floor 80 s; N1 alone 110 s
    chosen = strategies.balanced(problem)
    assert problem.window(chosen) == 80.0 and len(problem.moved(chosen)) == 1
