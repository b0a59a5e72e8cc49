# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base classes of the collection's action plugins.

Each module of this collection is an action plugin, in one of two kinds:

- :class:`WsfcActionBase`: a module that runs a script on a node. Its logic
  runs on the controller and it reaches the node only through
  :func:`runner.run_operation`. The base turns an :class:`OperationError`
  into a failed result whose message names the node and says what to do next
  (``NEXT_STEP``), and an :class:`OperationUnreachable` into an unreachable
  one.
- :class:`WsfcControllerAction`: a module that runs on the controller only
  (the roles' decision steps and the reports). It never connects to the host
  the task names, so it costs no round trip and works while a node is down;
  a ``ValueError`` of its decision becomes a failed result.

Both validate the arguments against ``ARGUMENT_SPEC`` (the spec the
documentation stub describes; a unit test compares the two) and honour check
mode; the decision itself is a pure function in ``plugin_utils`` with its own
unit tests.
"""

from __future__ import annotations

import socket

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError
from ansible_collections.wsfc.csv.plugins.plugin_utils.runner import OperationUnreachable, run_operation


def secret_values(spec, params):
    """The values of the options ``spec`` marks ``no_log`` (in suboptions too), as AnsibleModule collects them.

    Empty values are left out: an empty password hides nothing, and masking
    the empty string would mask every character of the result.
    """
    found = set()
    for name, option in (spec or {}).items():
        value = (params or {}).get(name)
        if value is None:
            continue
        if option.get("no_log"):
            if isinstance(value, dict):
                values = list(value.values())
            else:
                values = value if isinstance(value, (list, tuple)) else [value]
            found.update(to_text(v) for v in values if v not in (None, "") and not isinstance(v, (dict, list)))
        if option.get("options"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found |= secret_values(option["options"], item)
    return found


class _WsfcAction(ActionBase):
    """What both kinds share: the argument spec, validated before anything else, and no_log values masked.

    ``ActionBase.validate_argument_spec`` collects the values of ``no_log``
    options but, unlike ``AnsibleModule``, never removes them from what the
    module returns; :meth:`_masked` does, for every result of every module.
    """

    ARGUMENT_SPEC = {}
    MUTUALLY_EXCLUSIVE = []
    REQUIRED_ONE_OF = []
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def _validated_args(self):
        dummy, args = self.validate_argument_spec(
            argument_spec=self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_one_of=self.REQUIRED_ONE_OF,
        )
        return args

    def _masked(self, result, args):
        """``result`` with every no_log value replaced by ``********``, wherever it appears (messages included)."""
        secrets = secret_values(self.ARGUMENT_SPEC, args)
        return remove_values(result, secrets) if secrets else result


class WsfcControllerAction(_WsfcAction):
    """A module that runs on the controller only: subclasses implement :meth:`execute` (args, task_vars)."""

    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(WsfcControllerAction, self).run(tmp, task_vars)
        del tmp
        args = self._validated_args()
        try:
            result.update(self.execute(args, task_vars or {}))
        except ValueError as exc:
            result.update(failed=True, msg=to_text(exc))
        return self._masked(result, args)

    def execute(self, args, task_vars):  # pragma: no cover - abstract
        """Decide; return the result keys."""
        raise NotImplementedError


class WsfcActionBase(_WsfcAction):
    """A module that runs a script on a node: subclasses implement :meth:`execute` (args)."""

    # What to do when the node reports an error (appended to its message); each module says it for what it reads.
    NEXT_STEP = "Fix the cause on the node, then run the task again."
    _requires_connection = True
    # The OperationUnreachable the last run turned into an unreachable result, for run_action to raise again.
    unreachable_error = None

    def run(self, tmp=None, task_vars=None):
        result = super(WsfcActionBase, self).run(tmp, task_vars)
        del tmp
        args = self._validated_args()
        self._task_vars = task_vars or {}
        self.unreachable_error = None
        try:
            result.update(self.execute(args))
        except OperationUnreachable as exc:
            self.unreachable_error = exc
            result.update(unreachable=True, msg=to_text(exc))
        except OperationError as exc:
            result.update(failed=True, msg="%s. %s" % (to_text(exc).rstrip(". "), self.NEXT_STEP))
            if exc.error_id:
                result["error_id"] = exc.error_id
        except AnsibleActionFail:
            raise
        return self._masked(result, args)

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

        When the node did not answer, this raises the module's
        :class:`OperationUnreachable` (a :class:`ChangeInterrupted` when the
        connection broke during a change) instead of returning its
        unreachable result, so the caller decides by the error's type; its
        text is the result's ``msg``.
        """
        task = self._task.copy()
        task.args = dict(args)
        if check_mode is not None:
            task.check_mode = check_mode
        action = self._shared_loader_obj.action_loader.get(
            "wsfc.csv." + name, task=task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        result = action.run(task_vars=self._task_vars)
        if action.unreachable_error is not None:
            raise action.unreachable_error
        return result

    def execute(self, args):  # pragma: no cover - abstract
        """Do the module's work; return the result keys."""
        raise NotImplementedError
