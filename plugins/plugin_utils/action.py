# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base class for the collection's action plugins.

Each module of this collection is an action plugin: its logic runs on the
controller and it reaches the node only through :func:`runner.run_operation`.
This base does what every one of them needs: validate the arguments against
the spec (the same spec the documentation stub describes), honour check mode,
and turn an :class:`OperationError` into a failed result whose message names
the node and says what to do next.
"""

from __future__ import annotations

import socket

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import OperationUnreachable, run_operation


class WsfcActionBase(ActionBase):
    """Subclasses set ``ARGUMENT_SPEC`` and implement :meth:`execute`."""

    ARGUMENT_SPEC = {}
    MUTUALLY_EXCLUSIVE = []
    REQUIRED_ONE_OF = []
    TRANSFERS_FILES = False
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(WsfcActionBase, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(
            argument_spec=self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_one_of=self.REQUIRED_ONE_OF,
        )
        self._task_vars = task_vars or {}
        try:
            result.update(self.execute(args))
        except OperationUnreachable as exc:
            result.update(unreachable=True, msg=to_text(exc))
        except OperationError as exc:
            result.update(failed=True, msg=to_text(exc))
            if exc.error_id:
                result["error_id"] = exc.error_id
        except AnsibleActionFail:
            raise
        return result

    @property
    def host_name(self):
        """The inventory name of the host this task runs on."""
        return self._task_vars.get("inventory_hostname") or getattr(self._play_context, "remote_addr", None)

    def connection_addresses(self, override=None):
        """The addresses the controller reaches this node at: ``override``, else the connection's host, resolved.

        Modules that change network settings use them to recognise the
        adapter that carries the task's own connection.
        """
        host = override
        if not host:
            try:
                host = self._connection.get_option("remote_addr")
            except Exception:  # pylint: disable=broad-except
                host = getattr(self._play_context, "remote_addr", None)
        if not host:
            return []
        try:
            infos = socket.getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError):
            return [host]
        return sorted(set([host] + [info[4][0] for info in infos]))

    def operation(self, name, args=None, read_only=True):
        """Run ``scripts/<name>.ps1`` on this task's host and return its JSON result."""
        return run_operation(self._connection, name, args or {}, read_only=read_only, host=self.host_name)

    def run_action(self, name, args, check_mode=None):
        """Run another module of this collection on this task's host, as that module, and return its result.

        Orchestrating modules (``backup_queue``) compose the others this way, as
        ``template`` runs ``copy`` in ansible-core, so each step behaves exactly
        as the documented module does (checks, messages, round trips).
        """
        task = self._task.copy()
        task.args = dict(args)
        if check_mode is not None:
            task.check_mode = check_mode
        action = self._shared_loader_obj.action_loader.get(
            "wsfc.csv." + name, task=task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        return action.run(task_vars=self._task_vars)

    def execute(self, args):  # pragma: no cover - abstract
        """Do the module's work; return the result keys."""
        raise NotImplementedError
