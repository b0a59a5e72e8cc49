# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base class of the modules that run on the controller only: the roles' decision steps and the report.

They never connect to the host the task names (``_requires_connection`` is
false), so they cost no round trip and work while a node is down. What they
decide from comes from their arguments and from what the play's hosts
registered (:mod:`play_hosts`); the decision itself is a pure function in
``plugin_utils`` with its own unit tests, and the action is its wiring.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase


class WsfcControllerAction(ActionBase):
    """Subclasses set ``ARGUMENT_SPEC`` and implement :meth:`execute`; a ValueError becomes a failed result."""

    ARGUMENT_SPEC = {}
    MUTUALLY_EXCLUSIVE = []
    REQUIRED_ONE_OF = []
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(WsfcControllerAction, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(
            argument_spec=self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_one_of=self.REQUIRED_ONE_OF,
        )
        try:
            result.update(self.execute(args, task_vars or {}))
        except ValueError as exc:
            result.update(failed=True, msg=to_text(exc))
        return result

    def execute(self, args, task_vars):  # pragma: no cover - abstract
        """Decide; return the result keys."""
        raise NotImplementedError
