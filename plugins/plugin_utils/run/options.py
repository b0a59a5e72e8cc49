# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The csv_backup role's option checks that its argument spec cannot express. Pure, no I/O.

``meta/argument_specs.yml`` checks types and choices when the role starts;
what it cannot say (a concurrency of at least 1, a poll interval above 0, how
each backup method's options go together, values that cmd.exe would read as
syntax) is checked here, once, before the role reads or changes anything.
Each refusal names one option, its value and what it must be, so a user who
got one option wrong reads about that option only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import cmd_unsafe
from ansible_collections.wsfc.csv.plugins.plugin_utils.targets import target_error
from ansible_collections.wsfc.csv.plugins.plugin_utils.watchdog import DEFAULT_AFTER, DEFAULT_INTERVAL, check_timing

SHOWN = 120  # characters of a refused value quoted in a message

# (option, what it must be, test on the number). Integers are compared as numbers, as the role always did.
NUMBER_RULES = (
    ("concurrency", "at least 1", lambda n: n >= 1),
    ("move_timeout", "at least 1 second", lambda n: n >= 1),
    ("job_timeout", "at least 1 second", lambda n: n >= 1),
    ("lock_stale_after", "at least 1 second", lambda n: n >= 1),
    ("poll_interval", "more than 0 seconds", lambda n: n > 0),
    ("job_poll_interval", "more than 0 seconds", lambda n: n > 0),
    ("read_gbps", "more than 0 (Gb/s), or a dictionary of node name to Gb/s", lambda n: n > 0),
    ("target_gbps", "0 (no cap) or more", lambda n: n >= 0),
    ("fleet_target_gbps", "0 (no cap) or more", lambda n: n >= 0),
    ("min_gbps", "0 or more", lambda n: n >= 0),
)


def _cut(value):
    text = "%s" % (value,)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


def _number(value):
    """``value`` as a number, or None when it is not one (booleans are not numbers here)."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _number_errors(options, prefix):
    errors = []
    for name, rule, test in NUMBER_RULES:
        if name not in options:
            continue
        value = options[name]
        if name == "read_gbps" and isinstance(value, Mapping):
            continue
        number = _number(value)
        if number is None or not test(number):
            errors.append("%s%s (got %s) must be %s." % (prefix, name, _cut(value), rule))
    return errors


def _target_errors(options, prefix):
    """Each listed target's bandwidth must be a number above 0 (the argument spec checks keys and types)."""
    errors = []
    for index, entry in enumerate(options.get("targets") or []):
        gbps = _number(entry.get("gbps")) if isinstance(entry, Mapping) else None
        if gbps is None or not math.isfinite(gbps) or gbps <= 0:  # NaN and infinity are not bandwidths
            shown = entry.get("gbps") if isinstance(entry, Mapping) else entry
            errors.append("%stargets[%d].gbps (got %s) must be more than 0 (Gb/s)." % (prefix, index, _cut(shown)))
    return errors


def _method_errors(options, prefix):
    method = options.get("method")
    if method == "command" and not options.get("command"):
        return ["%smethod=command needs %scommand (the program and its arguments)." % (prefix, prefix)]
    if method in ("copy", "wbadmin") and not options.get("target"):
        return ["%smethod=%s needs %starget (the directory or share the backups go to)." % (prefix, method, prefix)]
    if method in ("copy", "wbadmin"):  # a value cmd.exe would read as syntax: _cmd_errors says why
        refused = target_error(options["target"], prefix + "target", method)
        return ["%s." % refused] if refused else []
    return []


def _cmd_errors(options, prefix):
    """Values the backup job passes through cmd.exe (see backup_jobs.quote) that cmd.exe would read as syntax."""
    values = ([options["target"]] if options.get("target") else []) + list(options.get("command") or [])
    unsafe = [_cut(value) for value in values if cmd_unsafe(value)]
    if not unsafe:
        return []
    verb = "contains" if len(unsafe) == 1 else "contain"
    return ["%s %s a double quote, '%%', '!' or a control character (such as a line break), which cannot be passed "
            "safely through cmd.exe, where the backup job's scheduled task runs the tool. Use a target (%starget) and "
            "command arguments (%scommand) without them." % (", ".join(repr(v) for v in unsafe), verb, prefix, prefix)]


def _watchdog_errors(options, prefix):
    """The watchdog must never undo a live run: its silence limit is longer than a move or three polls."""
    if not options.get("watchdog", True) or "watchdog_after" not in options:
        return []
    after, interval = _number(options.get("watchdog_after")), _number(options.get("watchdog_interval", DEFAULT_INTERVAL))
    if after is None or interval is None:
        return ["%swatchdog_after and %swatchdog_interval must be numbers of seconds." % (prefix, prefix)]
    move, poll = _number(options.get("move_timeout")), _number(options.get("job_poll_interval"))
    return ["%s%s." % (prefix, e) for e in check_timing(int(after), int(interval), move_timeout=move,
                                                        poll_interval=poll)]


def option_errors(options, prefix="csv_backup_"):
    """Every refusal of ``options`` (the role's options without their prefix), each naming ``prefix + option``."""
    options = dict(options or {})
    return (_number_errors(options, prefix) + _target_errors(options, prefix) + _method_errors(options, prefix)
            + _cmd_errors(options, prefix) + _watchdog_errors(options, prefix))


# The csv_backup role's options (its variables without the csv_backup_ prefix) as wsfc.csv.backup_prepare takes
# them; documented as that module's O(options) suboptions. Ranges are checked by option_errors().
OPTION_SPEC = {
    "strategy": {"type": "str", "default": "balanced", "choices": ["balanced", "coordinator", "consolidate", "remote"]},
    "select": {"type": "str", "default": ""},
    "nodes": {"type": "list", "elements": "str", "default": []},
    "node": {"type": "str", "default": ""},
    "provider": {"type": "str", "default": "auto", "choices": ["auto", "software", "hardware"]},
    "concurrency": {"type": "int", "default": 2},
    "target_gbps": {"type": "float", "default": 0.0},
    "targets": {"type": "list", "elements": "dict", "default": [], "options": {
        "path": {"type": "str", "required": True},
        "gbps": {"type": "float", "required": True},
        "node": {"type": "str"},
    }},
    "fleet_target_gbps": {"type": "float", "default": 0.0},
    "read_gbps": {"type": "raw", "default": 8.0},
    "cross_site": {"type": "bool", "default": False},
    "busy_csvs": {"type": "str", "default": "fail", "choices": ["fail", "skip"]},
    "min_gbps": {"type": "float", "default": 10.0},
    "network_findings": {"type": "str", "default": "warn", "choices": ["warn", "fail", "skip"]},
    "method": {"type": "str", "default": "copy", "choices": ["copy", "wbadmin", "command"]},
    "target": {"type": "str", "default": ""},
    "command": {"type": "list", "elements": "str", "default": []},
    "move_timeout": {"type": "int", "default": 300},
    "poll_interval": {"type": "float", "default": 2.0},
    "job_timeout": {"type": "int", "default": 86400},
    "job_poll_interval": {"type": "float", "default": 10.0},
    "lock_stale_after": {"type": "int", "default": 43200},
    "watchdog": {"type": "bool", "default": True},
    "watchdog_after": {"type": "int", "default": DEFAULT_AFTER},
    "watchdog_interval": {"type": "int", "default": DEFAULT_INTERVAL},
}
