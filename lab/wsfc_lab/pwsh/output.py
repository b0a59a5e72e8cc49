"""How powershell.exe writes the output stream as text (Out-Default), minimally.

Operation scripts print one JSON string, which passes through unchanged;
everything else gets a plain rendering close to Windows PowerShell's default
formatting: strings as they are, numbers and booleans as PowerShell prints
them, ``$null`` as nothing, hashtables as a Name/Value table and other
objects as a property list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wsfc_lab.pwsh.objects import PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.values import to_string


def _scalar(v: Any) -> str:
    if isinstance(v, datetime):
        from wsfc_lab.pwsh.json51 import long_date_time
        return long_date_time(v)
    return to_string(v)


def format_objects(items: list[Any]) -> list[str]:
    lines: list[str] = []
    for v in items:
        if v is None:
            continue
        if isinstance(v, list):
            lines.extend(format_objects(list(v)))
        elif isinstance(v, PSHashtable):
            if not len(v):
                continue
            width = max(30, max(len(k) for k in v.keys()) + 1)
            lines.append("")
            lines.append("Name".ljust(width) + " Value")
            lines.append("----".ljust(width) + " -----")
            for k, x in v.items():
                lines.append(k.ljust(width) + " " + _cell(x))
            lines.append("")
        elif isinstance(v, PSObject) and not v._to_string:
            props = v.props.items()
            if not props:
                continue
            width = max(len(k) for k, _ in props)
            lines.append("")
            for k, x in props:
                lines.append(k.ljust(width) + " : " + _cell(x))
            lines.append("")
        elif isinstance(v, (str, int, float, bool, PSEnum, datetime)):
            lines.append(_scalar(v))
        else:
            lines.append(to_string(v))
    return lines


def _cell(x: Any) -> str:
    if isinstance(x, list):
        inner = ", ".join(to_string(i) for i in x[:4])
        return "{" + inner + (", ...}" if len(x) > 4 else "}")
    return _scalar(x) if x is not None else ""
