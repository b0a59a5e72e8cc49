# -*- coding: utf-8 -*-
"""Record the lab's answers for the action plugin tests: ``answers/<action>.json``.

For every action, the recorder starts a fresh lab from ``answers/topology.yml``, runs that action's scenarios
(recording_scenarios.py) in order as real tasks (action_harness.py) over ansible-core's ``winrm`` connection,
and records, around ``runner._exec``, every operation the action ran: its arguments and the node's answer
exactly as the runner received it (rc, stdout, stderr), or the text of the connection error when the lab's
``winrm_drop`` fault dropped the connection. Faults are injected with ``python -m wsfc_lab fault`` before a
scenario runs. For ``backup_report``, which never talks to a node, what is kept is the run record of a small
backup of the lab (``recording_scenarios.BackupRun``). The lab is always stopped again.

Run it from a collection tree (see answers/README.md)::

    PYTHONPATH=<dir holding ansible_collections> python -m \\
        ansible_collections.wsfc.csv.tests.unit.plugins.action.record_answers --workdir /tmp/record [ACTION ...]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

import ansible
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell, runner

from .action_harness import with_runner_sleep
from .fake_node import operation_scripts
from .lab_session import LabSession
from .recorded import ANSWERS_DIR
from .recording_scenarios import SCENARIOS

TOPOLOGY = os.path.join(ANSWERS_DIR, "topology.yml")


class RecordingExec:
    """Wraps the real ``runner._exec``: identifies each call's operation as the fake node does, and keeps it.

    With ``reset_after_drop``, the connection is reset before the call that follows a dropped one (what an action
    that reads again after a dropped change must do), so the answers are those of a recovered connection.
    """

    def __init__(self, real, reset_after_drop=False):
        self.real = real
        self.reset_after_drop = reset_after_drop
        self.scripts = operation_scripts()
        self.calls = []

    def __call__(self, connection, script, in_data):
        if self.reset_after_drop and self.calls and "dropped" in self.calls[-1]:
            runner._reset(connection)  # pylint: disable=protected-access
        record = {"operation": self.scripts[script], "args": powershell.decode_arguments(in_data.strip())}
        self.calls.append(record)
        try:
            rc, stdout, stderr = self.real(connection, script, in_data)
        except AnsibleConnectionFailure as exc:
            record["dropped"] = str(exc)
            raise
        except Exception as exc:  # pylint: disable=broad-except
            kind = type(exc)
            record["raised"] = {"type": "%s.%s" % (kind.__module__, kind.__qualname__), "args": list(exc.args),
                                "text": str(exc)}
            raise
        record.update(rc=rc, stdout=stdout, stderr=stderr)
        return rc, stdout, stderr


def _quick_retries(seconds=0.2):
    """While recording, the runner pauses ``seconds`` before a retry instead of 2-10 s: the lab needs no more."""
    runner.run_operation.__defaults__ = with_runner_sleep(lambda delay: time.sleep(seconds))


def record_scenario(lab, action, scenario):
    """Run one scenario (setup steps, then the task) and return what its entry in the answers file holds."""
    for step in scenario.setup:
        step(lab)
    recorder = RecordingExec(runner._exec, scenario.reset_after_drop)  # pylint: disable=protected-access
    runner._exec = recorder  # pylint: disable=protected-access
    try:
        result = scenario.run(lab, action)
    except Exception as exc:  # pylint: disable=broad-except
        result = {"exception": type(exc).__name__, "msg": str(exc)}
    finally:
        runner._exec = recorder.real  # pylint: disable=protected-access
    problem = scenario.check(result, recorder.calls)
    if problem:
        raise SystemExit("%s/%s: the lab did not answer as the scenario expects: %s\nresult: %s"
                         % (action, scenario.name, problem, json.dumps(result, indent=1, default=str)))
    print("%s/%s: %s" % (action, scenario.name, ", ".join(
        c["operation"] + ("!" if "dropped" in c or "raised" in c else "") for c in recorder.calls)))
    return scenario.entry(recorder.calls)


def record_action(action, workdir):
    """Run ``action``'s scenarios in order against a fresh lab; return the text of its answers file."""
    with LabSession(TOPOLOGY, os.path.join(workdir, action)) as lab:
        scenarios = dict((scenario.name, record_scenario(lab, action, scenario)) for scenario in SCENARIOS[action])
        secrets = lab.secrets
    document = {
        "action": action,
        "recorded": {"by": "tests/unit/plugins/action/record_answers.py", "topology": "answers/topology.yml",
                     "connection": "winrm (ntlm, message encryption), as the lab's inventory sets it",
                     "ansible_core": ansible.__version__, "date": datetime.date.today().isoformat()},
        "scenarios": scenarios,
    }
    text = json.dumps(document, indent=1) + "\n"
    if any(secret in text for secret in secrets):
        raise SystemExit("%s: a lab password appears in the recorded answers; nothing was written" % action)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workdir", required=True, help="where the labs run (one sub-directory per action)")
    parser.add_argument("--output", default=ANSWERS_DIR, help="where the answers files go (default: answers/)")
    parser.add_argument("actions", nargs="*", help="actions to record (default: all of recording_scenarios.py)")
    options = parser.parse_args(argv)
    unknown = sorted(set(options.actions) - set(SCENARIOS))
    if unknown:
        parser.error("no scenarios for %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(SCENARIOS))))
    _quick_retries()
    for action in options.actions or sorted(SCENARIOS):
        text = record_action(action, options.workdir)
        with open(os.path.join(options.output, action + ".json"), "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
