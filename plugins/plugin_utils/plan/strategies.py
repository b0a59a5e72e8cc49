# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where each CSV is backed up: the assignment strategies of the backup planner.

Pure functions, no I/O. A strategy maps every selected CSV to the allowed node
that runs its backup job. When every read is local (anything but ``remote``
with software snapshots), nodes share no resource, and a node that always has
a read running moves bytes at its local rate whatever the concurrency and the
order: its finish time is simply ``bytes assigned / local rate``. That closed
form makes the search cheap; the simulator in :mod:`plan.model` then times the
chosen plan read by read (and handles the SMB reads of ``remote``).

One resource can be shared even then: the ingress of a backup target that
every node writes to. No plan ends before ``all bytes / ingress``, so that is
the *floor* of every window here: a window is the later of the floor and the
busiest node's finish. When the floor is the later one, every assignment whose
nodes finish by then is as good as any other, and ``balanced`` keeps the one
that moves fewest CSVs (often the ``coordinator`` assignment itself).

``balanced`` is a makespan problem on machines of different speeds (NP-hard in
general), solved with LPT, a repair of the current ownership, local search
(move and swap) and a pass that sends CSVs home when that costs nothing. Among
the resulting candidates, which always include the ``coordinator`` and
``consolidate`` assignments, it keeps the shortest window and, within a tiny
tolerance of it, the one that moves fewest CSVs.
"""

from __future__ import annotations

import bisect
from collections import namedtuple

# Relative tolerance within which two windows count as equal, so the plan with fewer moves wins:
# 0.1% of the window (about 6 s of a 100-minute window) is less than the time of one ownership move,
# and without it a big cluster would trade hundreds of moves for a gain of seconds.
TOLERANCE = 1e-3
# A local-search step must shorten the critical node by more than this fraction (no float ping-pong).
_STEP = 1e-9
# Branch-and-bound visits at most this many partial assignments: exact on small clusters
# (a few nodes, a few dozen CSVs), a bounded extra try on bigger ones, skipped on huge ones.
_SEARCH_BUDGET = 20000
_SEARCH_MAX_VOLUMES = 64

Volume = namedtuple("Volume", "name size owner")


class Problem:
    """The selected volumes (largest first), the allowed nodes and their local read rates in bytes/s.

    ``shared`` is the bandwidth in bytes/s of a resource every read uses (the
    backup target's ingress), or None; ``floor`` the time all bytes need
    through it (0 without it).
    """

    def __init__(self, volumes, nodes, rates, shared=None, disks=None, writes=None, sites=None, homes=None):
        self.volumes = sorted(volumes, key=lambda v: (-v.size, v.name))
        # Sites: ``sites`` gives each allowed node's site and ``homes`` each volume's (its coordinator's); with
        # them, a volume only goes to a node of its own site, and every strategy solves each site on its own.
        self.sites = dict(sites) if sites else None
        self.homes = dict(homes) if sites else None
        self._parts = None
        if self.sites is not None:
            lost = [v.name for v in self.volumes if self.homes.get(v.name) not in set(self.sites.values())]
            if lost:
                raise ValueError("no allowed node is in the site of %s" % ", ".join(lost))
        self.nodes = tuple(nodes)
        self.rates = dict((node, float(rates[node])) for node in self.nodes)
        # With a write path, a node's reads and writes are limited apart: a remote read by a node with a slow disk
        # and a fast write path can beat its local rate, so the bound uses the disks and the writes separately.
        self.disks = dict((node, float(disks[node])) for node in self.nodes) if disks else None
        self.writes = dict((node, float(writes[node])) for node in self.nodes) if writes else None
        self.total = sum(v.size for v in self.volumes)
        self.shared = float(shared) if shared is not None else None
        self.floor = self.total / self.shared if self.shared else 0.0

    def parts(self):
        """One problem per site, each with the whole problem's floor (the target's ingress is shared by every site); just this one without sites."""
        if self.sites is None:
            return [self]
        if self._parts is None:
            self._parts = []
            for site in sorted(set(self.sites.values())):
                nodes = [node for node in self.nodes if self.sites[node] == site]
                part = Problem([v for v in self.volumes if self.homes[v.name] == site], nodes, self.rates,
                               disks=self.disks, writes=self.writes)
                part.shared, part.floor = self.shared, self.floor
                self._parts.append(part)
        return self._parts

    def lower_bound(self):
        """No plan beats all bytes spread perfectly, the largest CSV on the fastest node, nor all bytes through the target.

        With sites, no site's plan beats its own bound.
        """
        if not self.volumes:
            return 0.0
        if self.sites is not None:
            return max(part.lower_bound() for part in self.parts())
        fastest, spread = max(self.rates.values()), sum(self.rates.values())
        if self.disks and self.writes:
            # any read of any allowed node's disk, written by any allowed node (remote reads included)
            fastest_disk = max(self.disks.values())
            fastest = max(fastest, max(min(write, fastest_disk) for write in self.writes.values()))
            spread = max(spread, min(sum(self.disks.values()), sum(self.writes.values())))
        return max(self.total / spread, self.volumes[0].size / fastest, self.floor)

    def finish_times(self, assignment):
        """Seconds each allowed node needs for the volumes ``assignment`` gives it (all reads local)."""
        loads = dict((node, 0) for node in self.nodes)
        for volume in self.volumes:
            loads[assignment[volume.name]] += volume.size
        return dict((node, loads[node] / self.rates[node]) for node in self.nodes)

    def window(self, assignment):
        """The predicted window of an all-local assignment: the busiest node, or the target's floor when later."""
        return max(max(self.finish_times(assignment).values()) if self.nodes else 0.0, self.floor)

    def moved(self, assignment):
        """Volumes that ``assignment`` runs away from their current owner."""
        return [v for v in self.volumes if assignment[v.name] != v.owner]

    def earliest(self, loads, size):
        """The allowed node that would finish first after taking ``size`` more bytes (first in order on ties)."""
        return min(self.nodes, key=lambda node: (loads[node] + size) / self.rates[node])


def merged(problem, solve):
    """``solve`` applied to each site's problem (to the whole problem without sites), the assignments merged."""
    assignment = {}
    for part in problem.parts():
        if part.volumes:
            assignment.update(solve(part))
    return assignment


def coordinator(problem):
    """Each volume on its owner; volumes whose owner may not run backups go where they finish earliest (in their site)."""
    if problem.sites is not None:
        return merged(problem, coordinator)
    assignment, loads, homeless = {}, dict((node, 0) for node in problem.nodes), []
    for volume in problem.volumes:
        if volume.owner in loads:
            assignment[volume.name] = volume.owner
            loads[volume.owner] += volume.size
        else:
            homeless.append(volume)
    for volume in homeless:
        node = problem.earliest(loads, volume.size)
        assignment[volume.name] = node
        loads[node] += volume.size
    return assignment


def consolidation_node(problem):
    """The node where consolidating every volume ends first; on a tie, the one that already owns most bytes."""
    owned = dict((node, 0) for node in problem.nodes)
    for volume in problem.volumes:
        if volume.owner in owned:
            owned[volume.owner] += volume.size
    fastest = max(problem.rates.values())
    ties = [node for node in problem.nodes if problem.rates[node] >= fastest * (1 - TOLERANCE)]
    return max(ties, key=lambda node: (owned[node], -problem.nodes.index(node)))


def consolidate(problem, node):
    """Every volume on ``node``."""
    return dict((volume.name, node) for volume in problem.volumes)


def balanced(problem):
    """The shortest window, moving as few volumes as that allows.

    The ``coordinator`` and ``consolidate`` assignments are candidates too, and
    no candidate may be later than they are: ``balanced`` is never worse than
    either, tolerance or not. With sites, each site is balanced on its own.
    """
    if problem.sites is not None:
        return merged(problem, balanced)
    base = coordinator(problem)
    references = [base, consolidate(problem, consolidation_node(problem))]
    candidates = list(references)
    for prefer_owner in (True, False):
        candidates.append(_polish(problem, _lpt(problem, prefer_owner)))
    best = min(problem.window(c) for c in candidates)
    candidates.append(_polish(problem, _repair(problem, base, best)))
    if len(problem.volumes) <= _SEARCH_MAX_VOLUMES:
        if best > problem.lower_bound() * (1 + _STEP):
            exact = _branch_and_bound(problem, best)
            if exact is not None:
                candidates.append(_polish(problem, exact))
        chosen = choose(problem, candidates, references)
        fewer = _fewest_moves(problem, _limit(problem, candidates, references), len(problem.moved(chosen)))
        if fewer is not None:
            candidates.append(fewer)
    return choose(problem, candidates, references)


def choose(problem, candidates, references=()):
    """The candidate with the fewest moves (then fewest bytes moved) among those within TOLERANCE of the best window.

    A candidate is also never later than any of ``references``.
    """
    windows = [problem.window(c) for c in candidates]
    limit = _limit(problem, candidates, references)

    def cost(index):
        moved = problem.moved(candidates[index])
        return (len(moved), sum(v.size for v in moved), windows[index], index)

    return candidates[min((i for i in range(len(candidates)) if windows[i] <= limit), key=cost)]


def _limit(problem, candidates, references):
    """The latest window ``choose`` accepts: within TOLERANCE of the best candidate, and no later than any reference."""
    return min([min(problem.window(c) for c in candidates) * (1 + TOLERANCE)] + [problem.window(r) for r in references])


def _lpt(problem, prefer_owner):
    """Largest volume first, each to the node that then finishes first.

    With ``prefer_owner`` a volume stays on its owner whenever that does not
    push the owner past both the window so far and the lower bound: such a
    choice costs nothing now, and the later passes fix what it costs later.
    """
    loads = dict((node, 0) for node in problem.nodes)
    assignment, makespan, bound = {}, 0.0, problem.lower_bound()
    for volume in problem.volumes:
        node = problem.earliest(loads, volume.size)
        finish = (loads[node] + volume.size) / problem.rates[node]
        owner = volume.owner
        if prefer_owner and owner in loads and owner != node:
            if (loads[owner] + volume.size) / problem.rates[owner] <= max(makespan, bound, finish) * (1 + TOLERANCE):
                node = owner
        assignment[volume.name] = node
        loads[node] += volume.size
        makespan = max(makespan, loads[node] / problem.rates[node])
    return assignment


def _branch_and_bound(problem, incumbent, budget=_SEARCH_BUDGET):
    """An assignment with a window shorter than ``incumbent``, the shortest found within ``budget`` steps, or None.

    Depth-first over volumes largest first, owner first (so early finds move
    little); prunes a branch as soon as it cannot beat the best window so far,
    and skips nodes indistinguishable from one already tried (same rate, same load).
    """
    volumes, rates = problem.volumes, problem.rates
    total_rate = sum(rates.values())
    remaining = [0] * (len(volumes) + 1)
    for index in range(len(volumes) - 1, -1, -1):
        remaining[index] = remaining[index + 1] + volumes[index].size
    loads = dict((node, 0) for node in problem.nodes)
    choice, found = [None] * len(volumes), {"window": incumbent * (1 - _STEP), "assignment": None, "steps": 0}

    def visit(index, makespan, placed):
        found["steps"] += 1
        if index == len(volumes):
            found["window"], found["assignment"] = makespan, dict((v.name, n) for v, n in zip(volumes, choice))
            return
        if found["steps"] > budget or (placed + remaining[index]) / total_rate >= found["window"]:
            return
        volume, tried = volumes[index], set()
        for node in _owner_first(problem, volume):
            late = max(makespan, (loads[node] + volume.size) / rates[node])
            if (rates[node], loads[node]) in tried or late >= found["window"]:
                continue
            tried.add((rates[node], loads[node]))
            loads[node] += volume.size
            choice[index] = node
            visit(index + 1, late, placed + volume.size)
            loads[node] -= volume.size

    visit(0, 0.0, 0)
    return found["assignment"]


def _fewest_moves(problem, limit, incumbent, budget=_SEARCH_BUDGET):
    """An assignment with a window within ``limit`` and fewer than ``incumbent`` moves, the fewest found within ``budget``, or None."""
    volumes, rates = problem.volumes, problem.rates
    loads = dict((node, 0) for node in problem.nodes)
    choice, found = [None] * len(volumes), {"moves": incumbent, "assignment": None, "steps": 0}

    def visit(index, moves):
        found["steps"] += 1
        if index == len(volumes):
            found["moves"], found["assignment"] = moves, dict((v.name, n) for v, n in zip(volumes, choice))
            return
        if found["steps"] > budget:
            return
        volume = volumes[index]
        for node in _owner_first(problem, volume):
            cost = moves + (node != volume.owner)
            if cost >= found["moves"] or (loads[node] + volume.size) / rates[node] > limit:
                continue
            loads[node] += volume.size
            choice[index] = node
            visit(index + 1, cost)
            loads[node] -= volume.size

    visit(0, 0)
    return found["assignment"]


def _owner_first(problem, volume):
    if volume.owner in problem.rates:
        return (volume.owner,) + tuple(node for node in problem.nodes if node != volume.owner)
    return problem.nodes


class _State:
    """An assignment with per-node loads and size-sorted members, for moves and swaps in O(log n)."""

    def __init__(self, problem, assignment):
        self.problem = problem
        self.where = dict(assignment)
        self.size = dict((v.name, v.size) for v in problem.volumes)
        self.owner = dict((v.name, v.owner) for v in problem.volumes)
        self.loads = dict((node, 0) for node in problem.nodes)
        self.members = dict((node, []) for node in problem.nodes)
        for volume in problem.volumes:
            self.loads[self.where[volume.name]] += volume.size
            self.members[self.where[volume.name]].append((volume.size, volume.name))
        for node in problem.nodes:
            self.members[node].sort()

    def finish(self, node):
        return self.loads[node] / self.problem.rates[node]

    def window(self):
        return max(self.finish(node) for node in self.problem.nodes)

    def critical(self):
        return max(self.problem.nodes, key=self.finish)

    def move(self, name, node):
        here, item = self.where[name], (self.size[name], name)
        members = self.members[here]
        del members[bisect.bisect_left(members, item)]
        bisect.insort(self.members[node], item)
        self.loads[here] -= item[0]
        self.loads[node] += item[0]
        self.where[name] = node

    def homeless_delta(self, name, node):
        """How the number of volumes away from their owner changes if ``name`` goes to ``node``."""
        return (node != self.owner[name]) - (self.where[name] != self.owner[name])


def _polish(problem, assignment):
    state = _State(problem, assignment)
    _local_search(state, 4 * len(problem.volumes) + 16)
    _send_home(state)
    return state.where


def _local_search(state, max_steps):
    """Move or swap volumes off the critical node while that shortens it without making another node as late."""
    for dummy in range(max_steps):
        step = _best_step(state)
        if step is None:
            return
        for name, node in step:
            state.move(name, node)


def _best_step(state):
    """The move off the critical node that leaves the two nodes it touches finishing earliest; a swap if no move helps.

    Moves are looked for first because they are cheap to find (one binary search
    per node) and undo no earlier decision; swaps settle the last imbalance.
    """
    crit = state.critical()
    if state.finish(crit) <= state.problem.floor:
        return None  # the target's ingress sets the window: a shorter critical node gains nothing and costs moves
    limit = state.finish(crit) * (1 - _STEP)
    return _best_move(state, crit, limit) or _best_swap(state, crit, limit)


def _ideal_shift(state, crit, node):
    """Bytes that, moved from ``crit`` to ``node``, would make both finish together."""
    rate_c, rate_m = state.problem.rates[crit], state.problem.rates[node]
    return (state.loads[crit] * rate_m - state.loads[node] * rate_c) / (rate_c + rate_m)


def _best_move(state, crit, limit):
    load_c, rate_c = state.loads[crit], state.problem.rates[crit]
    members = state.members[crit]
    best_key, best = None, None
    for node in state.problem.nodes:
        if node == crit:
            continue
        load_m, rate_m = state.loads[node], state.problem.rates[node]
        index = bisect.bisect_left(members, (_ideal_shift(state, crit, node), ""))
        for size, name in members[max(index - 1, 0):index + 1]:
            late = max((load_c - size) / rate_c, (load_m + size) / rate_m)
            if size > 0 and late < limit:
                key = (late, state.homeless_delta(name, node))
                if best_key is None or key < best_key:
                    best_key, best = key, ((name, node),)
    return best


def _best_swap(state, crit, limit):
    load_c, rate_c = state.loads[crit], state.problem.rates[crit]
    best_key, best = None, None
    for node in state.problem.nodes:
        if node == crit:
            continue
        load_m, rate_m = state.loads[node], state.problem.rates[node]
        ideal, members = _ideal_shift(state, crit, node), state.members[node]
        for size_a, a in state.members[crit]:
            index = bisect.bisect_left(members, (size_a - ideal, ""))
            for size_b, b in members[max(index - 1, 0):index + 1]:
                shift = size_a - size_b
                late = max((load_c - shift) / rate_c, (load_m + shift) / rate_m)
                if shift > 0 and late < limit:
                    key = (late, state.homeless_delta(a, node) + state.homeless_delta(b, crit))
                    if best_key is None or key < best_key:
                        best_key, best = key, ((a, node), (b, crit))
    return best


def _send_home(state):
    """Move volumes back to their owners (alone, or as a swap of two) whenever that does not lengthen the window."""
    problem = state.problem
    limit = max(state.window(), problem.floor) * (1 + 1e-12)
    changed = True
    while changed:
        changed = False
        for volume in problem.volumes:
            name, owner = volume.name, volume.owner
            if state.where[name] == owner or owner not in state.loads:
                continue
            if (state.loads[owner] + volume.size) / problem.rates[owner] <= limit:
                state.move(name, owner)
                changed = True
            elif _swap_home(state, name, limit):
                changed = True


def _swap_home(state, name, limit):
    """Swap ``name`` home with a volume of its owner that is itself away from home, if both nodes stay within ``limit``."""
    problem, here, owner, size = state.problem, state.where[name], state.owner[name], state.size[name]
    for size_b, b in list(state.members[owner]):
        if state.owner[b] == owner:
            continue
        shift = size - size_b
        if (state.loads[owner] + shift) / problem.rates[owner] <= limit and (state.loads[here] - shift) / problem.rates[here] <= limit:
            state.move(name, owner)
            state.move(b, here)
            return True
    return False


def _repair(problem, assignment, target):
    """Shed volumes from nodes that finish after ``target`` onto nodes with room, fewest moves first.

    From an overloaded node it sheds the smallest volume that alone removes
    the excess, or else the largest that fits somewhere, each to the node whose
    room it fits best. What cannot be shed stays; the local search follows.
    """
    state = _State(problem, assignment)
    limit = target * (1 + TOLERANCE)
    for node in sorted(problem.nodes, key=state.finish, reverse=True):
        while state.finish(node) > limit:
            pick = _shed_choice(state, node, limit)
            if pick is None:
                break
            state.move(*pick)
    return state.where


def _shed_choice(state, node, limit):
    problem = state.problem
    excess = state.loads[node] - limit * problem.rates[node]
    room = dict((m, limit * problem.rates[m] - state.loads[m]) for m in problem.nodes if m != node)
    widest = max(room.values()) if room else 0
    fits = [item for item in state.members[node] if 0 < item[0] <= widest]
    if not fits:
        return None
    enough = [item for item in fits if item[0] >= excess]
    size, name = enough[0] if enough else fits[-1]
    home = state.owner[name]
    if room.get(home, -1) >= size:
        return name, home
    return name, min((m for m in room if room[m] >= size), key=lambda m: room[m])
