# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the other hosts of the play registered, read on the controller without templating it.

The roles run one step on every node at once (each reads its own view of the
cluster, its network, its backup queue) and then make one decision for the
whole cluster in a ``run_once`` task. That task's action plugin collects the
hosts' registered results here, by variable name, instead of the role copying
them around through ``hostvars`` in Jinja.

Why not ``hostvars[host][name]`` in a template: ``hostvars`` templates what it
returns, and what a node registers (CSV and VM names) is data that must never
reach the templating engine (CVE-2024-11079 is exactly that path on
ansible-core 2.16.0-2.16.13, 2.17.0-2.17.6 and 2.18.0). ``HostVars.raw_get``
returns a host's variables as they are stored, without templating; it exists
on every ansible-core the collection supports. Values a user wrote in the
inventory are different: they are meant to be templated, in their own host's
context, which is what ``hostvars[host][name]`` does (:func:`host_variable`).
"""

from __future__ import annotations

from collections.abc import Mapping


def play_hosts(task_vars, alive=False):
    """The play's hosts in inventory order: all of them, or (``alive``) those not failed or unreachable yet."""
    name = "ansible_play_hosts" if alive else "ansible_play_hosts_all"
    return list(task_vars.get(name) or [])


def registered(task_vars, name, hosts=None):
    """``{host: value}`` of the variable ``name`` each host registered, untemplated; hosts without it are left out.

    A task skipped on a host still registers a result (``skipped: true``);
    it is returned like any other, and callers decide what it means.
    """
    if not name:
        return {}
    hostvars = task_vars.get("hostvars")
    found = {}
    for host in play_hosts(task_vars) if hosts is None else hosts:
        # Asking for a host the inventory does not hold returns an Undefined, which 2.19 can only make while a
        # template is being rendered: ask only for hosts it holds.
        stored = hostvars.raw_get(host) if hostvars is not None and host in hostvars else None
        if isinstance(stored, Mapping) and name in stored:
            found[host] = stored[name]
    return found


def host_variable(task_vars, host, name, default=None):
    """An inventory or role variable of ``host``, templated in that host's context (inventory data is trusted)."""
    hostvars = task_vars.get("hostvars")
    if hostvars is None or not name or host not in hostvars:
        return default
    variables = hostvars[host]
    if name not in variables:
        return default
    value = variables[name]
    return default if value is None else value


def answered(result):
    """True for a registered result of a task that ran and succeeded (not skipped, failed or unreachable)."""
    return (isinstance(result, Mapping) and not result.get("skipped") and not result.get("failed")
            and not result.get("unreachable"))


def why_not(result):
    """Why a registered result is not an answer, in a few words for a message."""
    if not isinstance(result, Mapping):
        return "it did not run"
    if result.get("unreachable"):
        return "unreachable: %s" % (result.get("msg") or "no answer")
    if result.get("skipped"):
        return "skipped"
    return str(result.get("msg") or "failed")
