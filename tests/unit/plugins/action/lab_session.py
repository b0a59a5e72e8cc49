# -*- coding: utf-8 -*-
"""A running lab for ``record_answers.py``: start and stop it, inject faults, and open real WinRM connections.

The lab is driven through its command line (``python -m wsfc_lab up|down|fault|state``), as a user drives it
(lab/README.md). Connections are ansible-core's own ``winrm`` connection plugin with the options the lab's
inventory gives, set the way the task executor sets them, so what ``runner._exec`` returns while recording is
byte for byte what it returns in a playbook run against the lab.
"""

from __future__ import annotations

import json
import subprocess
import sys

from ansible import constants as C
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible.vars.manager import VariableManager


class LabSession:
    """One lab started from a topology in ``workdir``; use as a context manager (it is always stopped)."""

    def __init__(self, topology, workdir, python=sys.executable):
        self.topology = str(topology)
        self.workdir = str(workdir)
        self.python = python
        self._connections = {}
        self._hostvars = None

    def _lab(self, *args):
        command = [self.python, "-m", "wsfc_lab", args[0], "--workdir", self.workdir] + list(args[1:])
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def __enter__(self):
        subprocess.run([self.python, "-m", "wsfc_lab", "up", "--topology", self.topology, "--workdir",
                        self.workdir], check=True, capture_output=True, text=True)
        loader = DataLoader()
        inventory = InventoryManager(loader=loader, sources=[self.workdir + "/inventory.yml"])
        variables = VariableManager(loader=loader, inventory=inventory)
        self._hostvars = dict((host.name, variables.get_vars(host=host)) for host in inventory.get_hosts())
        return self

    def __exit__(self, *exc):
        for connection in self._connections.values():
            try:
                connection.close()
            except Exception:  # pylint: disable=broad-except
                pass
        subprocess.run([self.python, "-m", "wsfc_lab", "down", "--workdir", self.workdir], check=False,
                       capture_output=True, text=True)

    @property
    def secrets(self):
        """The lab's generated passwords: they must never end up in a recorded answer."""
        return sorted(set(str(v["ansible_password"]) for v in self._hostvars.values() if v.get("ansible_password")))

    def fault(self, kind, **keys):
        return json.loads(self._lab("fault", kind, *["%s=%s" % item for item in keys.items()]))

    def state(self):
        return json.loads(self._lab("state"))

    def commands(self):
        """How many WinRM commands the lab has run so far, on all nodes (what a fault's after_ops counts)."""
        return sum(1 for line in self._lab("events").splitlines()
                   if line.strip() and json.loads(line).get("op") == "winrm.command")

    def connection(self, host, fresh=False):
        """The host's ``winrm`` connection (opened on first use), with the inventory's options.

        ``fresh``: close the one in use and make a new one, as ansible-core gives every task its own connection.
        """
        if fresh and host in self._connections:
            try:
                self._connections.pop(host).close()
            except Exception:  # pylint: disable=broad-except
                pass
        if host not in self._connections:
            hostvars = self._hostvars[host]
            plugin = connection_loader.get(hostvars.get("ansible_connection", "winrm"), PlayContext(), None)
            names = C.config.get_plugin_vars("connection", plugin._load_name)  # pylint: disable=protected-access
            options = dict((name, hostvars[name]) for name in names if name in hostvars)
            # ansible-core passes the connection's ansible_<plugin>_* variables as '_extras' (allow_extras)
            prefix = "ansible_%s_" % plugin.extras_prefix
            options["_extras"] = dict((k, v) for k, v in hostvars.items() if k.startswith(prefix))
            plugin.set_options(var_options=options)
            plugin.remote_addr = hostvars.get("ansible_host")
            self._connections[host] = plugin
        return self._connections[host]
