"""The native programs a PowerShell script on a lab node may run, and how the lab runs them.

A script may run a program the lab models (``& diskshadow.exe /s <file>``, or by its full path under
``C:\\Windows\\System32``); every other program or script file stays refused before the script runs
(``pwsh/check.py``). A program is a Python function ``run(model, node, argv) -> (exit code, standard output)``;
the interpreter passes it the arguments as strings, writes its output lines to the pipeline and sets
``$LASTEXITCODE`` (about_Automatic_Variables: "Contains the exit code of the last native program ... that was
run", https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/
about_automatic_variables#lastexitcode).
"""

from __future__ import annotations

import re
from typing import Any, Callable

Program = Callable[[Any, str, list], tuple]


class ProgramNotModelled(Exception):
    """The program was asked for something the lab does not model; the script is refused."""


def _diskshadow(model: Any, node: str, argv: list) -> tuple:
    from wsfc_lab.diskshadow import run
    return run(model, node, argv)


PROGRAMS: dict[str, Program] = {"diskshadow.exe": _diskshadow}
_SYSTEM32 = re.compile(r"^(?:[A-Za-z]:\\windows\\system32\\|\$env:(?:systemroot|windir)\\system32\\)?", re.IGNORECASE)


def find_program(name: str) -> Program | None:
    """The program ``name`` runs (``diskshadow``, ``diskshadow.exe``, ``C:\\Windows\\System32\\diskshadow.exe``)."""
    text = str(name).strip().strip("'\"")
    rest = _SYSTEM32.sub("", text, count=1)
    if "\\" in rest or "/" in rest:
        return None
    leaf = rest.lower()
    if not leaf.endswith(".exe"):
        leaf += ".exe"
    return PROGRAMS.get(leaf)
