# -*- coding: utf-8 -*-
"""Fixtures that run the integration targets against the lab.

The lab is started with ``python -m wsfc_lab up`` (as a user would) and always
stopped again. Everything is driven through the real ``ansible`` and
``ansible-playbook`` commands, with the collection taken from
ANSIBLE_COLLECTIONS_PATH (``make collection`` installs the built tarball there).

WSFC_LAB_CONNECTION=psrp runs every scenario over ansible-core's ``psrp``
connection instead of ``winrm`` (the lab's inventory then says
``ansible_connection: psrp``; every lab node serves both protocols).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The ansible commands of the Python running the tests (the project's virtual environment), whatever PATH says.
BIN = Path(sys.executable).parent


# The collection as `make collection` builds and installs it, unless the caller points elsewhere.
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(HERE.parent.parent / "build" / "collections"))

# The one setting that moves every scenario from winrm to psrp (python -m wsfc_lab up --connection).
CONNECTION = os.environ.get("WSFC_LAB_CONNECTION", "winrm")
if CONNECTION not in ("winrm", "psrp"):
    raise RuntimeError("WSFC_LAB_CONNECTION must be winrm or psrp, not %r" % CONNECTION)


def _command(name):
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


def topology_path(name):
    """A topology shipped with the lab (e.g. ``four-node-10gbe``), or the path of a topology file."""
    if isinstance(name, Path) or os.sep in str(name):
        return Path(name)
    from wsfc_lab.topology import shipped_topology  # pylint: disable=import-error
    return shipped_topology(name)


class Lab:
    """A running lab and the commands to drive and inspect it."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.inventory = self.workdir / "inventory.yml"
        self.group = self.lab("group").strip()

    def lab(self, *args):
        return subprocess.run([sys.executable, "-m", "wsfc_lab", args[0], "--workdir", str(self.workdir)] + list(args[1:]),
                              check=True, capture_output=True, text=True).stdout

    def state(self):
        return json.loads(self.lab("state"))

    def events(self):
        return [json.loads(line) for line in self.lab("events").splitlines() if line.strip()]

    def ansible_playbook(self, playbook, *extra, env=None):
        environment = dict(os.environ, ANSIBLE_ROLES_PATH=str(HERE / "targets"), ANSIBLE_NOCOLOR="1")
        environment.update(env or {})
        return subprocess.run([_command("ansible-playbook"), str(playbook), "-i", str(self.inventory)] + list(extra),
                              capture_output=True, text=True, env=environment, check=False)

    def start_playbook(self, playbook, *extra, env=None):
        """Start ``ansible-playbook`` in the background (``subprocess.Popen``), e.g. to inject a fault mid-run."""
        environment = dict(os.environ, ANSIBLE_ROLES_PATH=str(HERE / "targets"), ANSIBLE_NOCOLOR="1")
        environment.update(env or {})
        return subprocess.Popen([_command("ansible-playbook"), str(playbook), "-i", str(self.inventory)] + list(extra),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
                                start_new_session=True)

    def fault(self, kind, **keys):
        """Inject a fault into the running lab (``python -m wsfc_lab fault``)."""
        return json.loads(self.lab("fault", kind, *["%s=%s" % item for item in keys.items()]))

    def commands_since(self, mark):
        """WinRM commands the lab ran since event number ``mark`` (one per round trip)."""
        return [e for e in self.events()[mark:] if e["op"] == "winrm.command"]

    def ansible(self, pattern, module, *extra):
        return subprocess.run([_command("ansible"), pattern, "-i", str(self.inventory), "-m", module] + list(extra),
                              capture_output=True, text=True, env=dict(os.environ, ANSIBLE_NOCOLOR="1"), check=False)

    def run_targets(self, targets, output_dir, *extra):
        return self.ansible_playbook(HERE / "targets.yml", "-e", "wsfc_test_group=%s" % self.group,
                                     "-e", json.dumps({"wsfc_test_targets": targets}),
                                     "-e", "wsfc_test_output_dir=%s" % output_dir, *extra)


def module_result(result):
    """The JSON result an ad-hoc ``ansible HOST -m MODULE`` run printed after ``=>``."""
    text = result.stdout
    return json.loads(text[text.index(" => {") + 4:])


def start_lab(topology, workdir, *extra):
    """Start a lab; its inventory uses WSFC_LAB_CONNECTION's connection unless ``extra`` names one."""
    connection = [] if "--connection" in extra else ["--connection", CONNECTION]
    subprocess.run([sys.executable, "-m", "wsfc_lab", "up", "--topology", str(topology_path(topology)),
                    "--workdir", str(workdir)] + connection + list(extra), check=True, capture_output=True, text=True)
    return Lab(workdir)


def stop_lab(workdir):
    subprocess.run([sys.executable, "-m", "wsfc_lab", "down", "--workdir", str(workdir)],
                   check=False, capture_output=True, text=True)


@contextlib.contextmanager
def running_lab(topology, workdir, *extra):
    """A lab of ``topology`` (a shipped name, a path, or the topology's YAML text), stopped again afterwards."""
    workdir = Path(workdir)
    if "\n" in str(topology):
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / "topology.yml"
        path.write_text(topology)
        topology = path
    try:
        yield start_lab(topology, workdir, *extra)
    finally:
        stop_lab(workdir)


@pytest.fixture(scope="module")
def lab4(tmp_path_factory):
    """The shipped 4-node 10 GbE lab, for a whole test module."""
    with running_lab("four-node-10gbe", tmp_path_factory.mktemp("lab4")) as lab:
        yield lab
