# -*- coding: utf-8 -*-
"""The answers the lab gave, as ``record_answers.py`` stored them in ``answers/<action>.json``.

Each file holds scenarios: the task that was run against the lab (host, args, check mode, the faults injected
first) and every operation it ran, with the node's answer exactly as ``runner._exec`` returned it (rc, stdout,
stderr as text; or the connection error text when the connection dropped). Tests queue these answers on the fake
node; they never start the lab. The layout is described in answers/README.md.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import replace

from .fake_node import Answer

ANSWERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "answers")


@functools.lru_cache(maxsize=None)
def _text(action):
    with open(os.path.join(ANSWERS_DIR, action + ".json"), encoding="utf-8") as handle:
        return handle.read()


def load(action):
    """The whole answers file of ``action`` (a fresh copy: a test may change what it gets)."""
    return json.loads(_text(action))


def scenario(action, name):
    """One recorded scenario: ``{"what", "task", "calls": [...]}``."""
    scenarios = load(action)["scenarios"]
    if name not in scenarios:
        raise KeyError("no scenario %r in answers/%s.json (recorded: %s); re-record with record_answers.py"
                       % (name, action, ", ".join(sorted(scenarios))))
    return scenarios[name]


def answers(action, name, only=None):
    """The node's answers of a scenario, in order, as :class:`Answer` objects (``only``: these operations)."""
    calls = scenario(action, name)["calls"]
    return [Answer.from_record(call) for call in calls if only is None or call["operation"] in only]


def answer(action, name, operation, index=0):
    """The ``index``-th answer to ``operation`` in a scenario (to compose a sequence the lab gave in parts)."""
    found = [a for a in answers(action, name) if a.operation == operation]
    if len(found) <= index:
        raise KeyError("scenario %s/%s has %d answer(s) to %s" % (action, name, len(found), operation))
    return found[index]


def document(action, name, operation, index=0):
    """The JSON document of a recorded answer (for tests that must derive an input from it, such as a lock text)."""
    text = answer(action, name, operation, index).stdout
    lines = [line for line in text.splitlines() if line.strip().startswith("{")]
    return json.loads(lines[-1])


# The structured error of an operation that failed on the node, as the lab printed it: Move-ClusterSharedVolume's
# refusal under the move_fails fault, inside the shared wsfc_error envelope. (Until csv_snapshot deleted shadow
# copies with DiskShadow, whose failures are its output and exit code, this was Remove-CimInstance's generic failure.)
STRUCTURED_ERROR = ("csv_owner", "move_fails", "csv_owner_move")


def structured_error_of():
    """The ``wsfc_error`` document of STRUCTURED_ERROR (message, category, error_id), to assert on it."""
    return document(*STRUCTURED_ERROR)["wsfc_error"]


def structured_error(operation):
    """A recorded ``wsfc_error`` answer, addressed to ``operation``.

    For the operations no lab fault makes fail on the node (answers/README.md): every script prints its failure
    in the same envelope (powershell.py's epilogue), so the action under test meets the same document it would
    meet from its own script.
    """
    recorded = answer(*STRUCTURED_ERROR)
    return replace(recorded, operation=operation, note="wsfc_error of %s/%s/%s" % STRUCTURED_ERROR)


# What the winrm connection raised for the next command after a dropped one, when nothing reset it.
STALE_CONNECTION = ("csv_owner", "stale_after_drop", "csv_owner_get")


def stale_connection_error():
    """The recorded answer whose ``raised`` error a broken connection gives (see fake_node.py)."""
    return answer(*STALE_CONNECTION)
