# -*- coding: utf-8 -*-
"""A play as a ``run_once`` controller action sees it: an inventory, what its hosts registered, real HostVars.

The controller-only actions (backup_prepare, backup_review, network_report, backup_report) never talk to a node:
they decide from their arguments and from what the play's hosts registered, which they read with
``task_vars["hostvars"].raw_get(host)`` (plugins/plugin_utils/play_hosts.py). :class:`ControllerPlay` gives them
what the task executor would: ansible-core's own ``HostVars`` over an ``InventoryManager`` and a
``VariableManager`` (registered results are set as the executor sets them, ``set_nonpersistent_facts``), the
play's host lists, check mode and forks. It runs the real ``ActionModule`` through :class:`ActionHarness` with a
connection that fails the test when it is used and, while the action runs, a node that fails the test when it is
asked anything.

A value that must never be templated is built with :func:`as_template`: on ansible-core 2.19 and later only a
string tagged trusted is templated (data tagging), so the test tags it, and the value is one that *would* be
templated by ``hostvars[host][name]`` on every supported core, not one that never could be.
"""

from __future__ import annotations

import copy
import os

from ansible.errors import AnsibleAction
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.wsfc.csv.plugins.plugin_utils import runner

from .action_harness import ActionHarness, FakeConnection, action_class, task_result

try:  # ansible-core 2.19+: only strings tagged trusted are templated
    from ansible._internal._datatag._tags import TrustedAsTemplate
except ImportError:  # pragma: no cover - 2.16-2.18 template every string
    TrustedAsTemplate = None

HOSTS = ("node1.example.com", "node2.example.com", "node3.example.com")
NODES = ("NODE1", "NODE2", "NODE3")  # the lab cluster's nodes (answers/topology.yml), one per host
# The hosts of a second cluster in the same play (a fleet): one per node of a copy of the lab cluster under another
# name (play_results.PlayResults.fleet).
OTHER_HOSTS = ("other1.example.com", "other2.example.com", "other3.example.com")


def as_template(text):
    """``text`` as a value the templating engine would render if anything asked it to (see the module docstring)."""
    return TrustedAsTemplate().tag(text) if TrustedAsTemplate is not None else text


def pipe_lookup(marker, prefix="Disk "):
    """A name that runs ``touch <marker>`` on the controller if anything ever templates it."""
    return as_template("%s{{ lookup('pipe', 'touch %s') }}" % (prefix, marker))


def _no_node(connection, script, in_data):
    raise AssertionError("a controller-only action ran an operation on a node")


class ControllerPlay:
    """The hosts of one play, their inventory groups and variables, and their registered results.

    ``groups`` is ``{group: [host, ...]}``, in the play's host order (default: one group ``cluster`` of every host);
    with more than one, they are also the children of a group ``fleet``, as an inventory of several clusters is
    written (one group per cluster, the play's target their parent).
    """

    def __init__(self, directory, hosts=HOSTS, host_vars=None, groups=None):
        self.hosts = list(hosts)
        groups = dict(groups or {"cluster": self.hosts})
        listed = [h for members in groups.values() for h in members]
        if sorted(listed) != sorted(self.hosts):
            raise AssertionError("every host of the play is in exactly one group: %s" % groups)
        os.makedirs(str(directory), exist_ok=True)
        path = os.path.join(str(directory), "inventory.ini")
        with open(path, "w", encoding="utf-8") as handle:
            for group, members in groups.items():
                handle.write("[%s]\n" % group)
                for host in members:
                    extra = " ".join("%s=%s" % item for item in sorted((host_vars or {}).get(host, {}).items()))
                    handle.write(("%s %s" % (host, extra)).rstrip() + "\n")
            if len(groups) > 1:
                handle.write("[fleet:children]\n" + "".join("%s\n" % group for group in groups))
        self.loader = DataLoader()
        self.inventory = InventoryManager(loader=self.loader, sources=[path])
        self.variables = VariableManager(loader=self.loader, inventory=self.inventory)
        self.connection = FakeConnection()
        self.harness = ActionHarness(connection=self.connection, host=self.hosts[0])

    def register(self, name, values):
        """Each host in ``values`` registers ``values[host]`` as ``name`` (a deep copy, as a task result is)."""
        for host, value in values.items():
            self.variables.set_nonpersistent_facts(host, {name: copy.deepcopy(value)})

    def hostvars(self):
        return HostVars(inventory=self.inventory, variable_manager=self.variables, loader=self.loader)

    def task_vars(self, check_mode=False, alive=None, forks=None, cli_check_mode=None):
        """What the executor gives the task: hostvars, the play's hosts (all, and those still in it), check mode.

        ``ansible_check_mode`` is ansible-playbook's ``--check`` (ansible.utils.vars.load_options_vars), which a task
        can override for itself with ``check_mode:`` (the role's network_report task does): ``cli_check_mode`` when
        given, else the task's own.
        """
        task_vars = {"hostvars": self.hostvars(), "ansible_play_hosts_all": list(self.hosts),
                     "ansible_play_hosts": list(self.hosts if alive is None else alive),
                     "ansible_check_mode": check_mode if cli_check_mode is None else cli_check_mode,
                     "inventory_hostname": self.hosts[0]}
        if forks is not None:
            task_vars["ansible_forks"] = forks
        return task_vars

    def run(self, name, args, check_mode=False, **task_vars):
        """Run ``name`` once, for the play's first host, and return its result as the play would."""
        if action_class(name)._requires_connection:  # pylint: disable=protected-access
            raise AssertionError("%s needs a connection: it is not a controller-only action" % name)
        action = self.harness.build(name, args, check_mode=check_mode)
        real, runner._exec = runner._exec, _no_node  # pylint: disable=protected-access
        try:
            return action.run(task_vars=self.task_vars(check_mode=check_mode, **task_vars))
        except AnsibleAction as exc:  # an AnsibleActionFail becomes what the executor makes of it: failed, msg
            return task_result(exc)
        finally:
            runner._exec = real  # pylint: disable=protected-access


def fleet_play(directory, **groups):
    """A play of two clusters: group ``reclab`` of HOSTS (the lab cluster's nodes), group ``other`` of OTHER_HOSTS
    (those of OTHER, play_results.PlayResults.fleet), and the ``groups`` given, in that order."""
    groups = dict({"reclab": list(HOSTS), "other": list(OTHER_HOSTS)}, **groups)
    return ControllerPlay(directory, hosts=[h for members in groups.values() for h in members], groups=groups)
