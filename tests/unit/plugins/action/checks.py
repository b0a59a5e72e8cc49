# -*- coding: utf-8 -*-
"""What the action tests check in more than one file: next steps in messages, and the marks of known bugs.

A known bug is a test of the behaviour the collection documents, marked ``xfail(strict=True)``: it fails today
(the run reports it as xfailed), and the day the bug is fixed it passes and the strict mark fails the run, so the
mark is removed together with the fix.
"""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

# Words that tell an operator what to do next; a message with none of them only reports.
NEXT_STEP = re.compile(r"\b(run (the task|it) again|rerun|fix|check|bring it online|remove|wait|install|resume|"
                       r"enlarge|delete|read the state again|use |set )", re.IGNORECASE)


def says_what_to_do(message):
    return bool(NEXT_STEP.search(message or ""))


def bug(what):
    return pytest.mark.xfail(strict=True, reason="BUG (found by these tests, reported, not fixed here): " + what)


def documented_returns(module):
    """``{key: its RETURN entry}`` of plugins/modules/<module>.py, the keys a task's result documents."""
    stub = importlib.import_module("ansible_collections.wsfc.csv.plugins.modules." + module)
    return yaml.safe_load(stub.RETURN)
