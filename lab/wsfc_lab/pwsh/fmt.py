""".NET formatting: ``-f``, ``.ToString('fmt')``, ``Get-Date -Format`` (en-US culture).

Scripts format timestamps and sizes into the JSON they print, so the
strings must be the ones .NET produces (``ToString('o')`` has seven
fractional digits and an offset or ``Z`` depending on DateTimeKind).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

STANDARD_DATE = {
    "d": "M/d/yyyy", "D": "dddd, MMMM d, yyyy", "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt", "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt",
    "m": "MMMM d", "M": "MMMM d", "t": "h:mm tt", "T": "h:mm:ss tt", "y": "MMMM yyyy", "Y": "MMMM yyyy",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss", "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
}


def _is_utc(d: datetime) -> bool:
    return d.tzinfo is timezone.utc


def _offset(d: datetime, colon: bool = True) -> str:
    off = d.utcoffset()
    if off is None:
        return ""
    mins = int(off.total_seconds() // 60)
    sign = "+" if mins >= 0 else "-"
    mins = abs(mins)
    return f"{sign}{mins // 60:02d}{':' if colon else ''}{mins % 60:02d}"


def format_datetime(d: datetime, fmt: str | None = None) -> str:
    if not fmt:
        fmt = "G"
    if fmt in ("o", "O"):
        frac = f"{d.microsecond * 10:07d}"
        base = d.strftime("%Y-%m-%dT%H:%M:%S") + "." + frac
        if d.tzinfo is None:
            return base
        return base + ("Z" if _is_utc(d) else _offset(d))
    if fmt in ("r", "R", "u") and d.tzinfo is not None and not _is_utc(d):
        d = d.astimezone(timezone.utc)
    if len(fmt) == 1:
        if fmt not in STANDARD_DATE:
            raise PSRuntimeError(ErrorRecord("Input string was not in a correct format.", "NotSpecified",
                                             "FormatException", "System.FormatException"))
        fmt = STANDARD_DATE[fmt]
    return _custom_date(d, fmt)


_DATE_TOKEN = re.compile(r"dddd|ddd|dd|d|MMMM|MMM|MM|M|yyyy|yyy|yy|y|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|t|zzz|zz|z|K"
                         r"|'[^']*'|\"[^\"]*\"|\\.|%|.", re.S)


def _custom_date(d: datetime, fmt: str) -> str:
    out = []
    for tok in _DATE_TOKEN.findall(fmt):
        if tok == "dddd":
            out.append(DAYS[d.weekday()])
        elif tok == "ddd":
            out.append(DAYS[d.weekday()][:3])
        elif tok == "dd":
            out.append(f"{d.day:02d}")
        elif tok == "d":
            out.append(str(d.day))
        elif tok == "MMMM":
            out.append(MONTHS[d.month - 1])
        elif tok == "MMM":
            out.append(MONTHS[d.month - 1][:3])
        elif tok == "MM":
            out.append(f"{d.month:02d}")
        elif tok == "M":
            out.append(str(d.month))
        elif tok in ("yyyy", "yyy"):
            out.append(f"{d.year:04d}")
        elif tok == "yy":
            out.append(f"{d.year % 100:02d}")
        elif tok == "y":
            out.append(str(d.year % 100))
        elif tok == "HH":
            out.append(f"{d.hour:02d}")
        elif tok == "H":
            out.append(str(d.hour))
        elif tok == "hh":
            out.append(f"{d.hour % 12 or 12:02d}")
        elif tok == "h":
            out.append(str(d.hour % 12 or 12))
        elif tok == "mm":
            out.append(f"{d.minute:02d}")
        elif tok == "m":
            out.append(str(d.minute))
        elif tok == "ss":
            out.append(f"{d.second:02d}")
        elif tok == "s":
            out.append(str(d.second))
        elif tok[0] == "f":
            out.append(f"{d.microsecond * 10:07d}"[:len(tok)])
        elif tok[0] == "F":
            out.append(f"{d.microsecond * 10:07d}"[:len(tok)].rstrip("0"))
        elif tok == "tt":
            out.append("AM" if d.hour < 12 else "PM")
        elif tok == "t":
            out.append("A" if d.hour < 12 else "P")
        elif tok == "zzz":
            out.append(_offset(d) if d.tzinfo else "+00:00")
        elif tok == "zz":
            out.append((_offset(d) or "+00:00")[:3])
        elif tok == "z":
            o = _offset(d) or "+00:00"
            out.append(o[0] + str(int(o[1:3])))
        elif tok == "K":
            out.append("" if d.tzinfo is None else ("Z" if _is_utc(d) else _offset(d)))
        elif tok[0] in "'\"":
            out.append(tok[1:-1])
        elif tok[0] == "\\":
            out.append(tok[1:])
        elif tok == "%":
            continue
        else:
            out.append(tok)
    return "".join(out)


def _group(int_part: str) -> str:
    neg = int_part.startswith("-")
    digits = int_part.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ("-" if neg else "") + ",".join(groups)


def _round_half_away(x: float, digits: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal
    q = Decimal(1).scaleb(-digits)
    return str(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def format_number(n: Any, spec: str) -> str:
    """Standard numeric formats N, D, F, X, P, G, E, and simple custom ones (``0.00``, ``#,##0``)."""
    from wsfc_lab.pwsh.values import to_string
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        return to_string(n)
    m = re.fullmatch(r"([NnDdFfXxPpGgEeCc])(\d*)", spec)
    if m:
        kind, prec = m.group(1), m.group(2)
        k = kind.upper()
        if k == "D":
            if isinstance(n, float):
                raise PSRuntimeError(ErrorRecord("Format specifier was invalid.", "NotSpecified", "FormatException",
                                                 "System.FormatException"))
            s = str(abs(n)).rjust(int(prec or 0), "0")
            return ("-" if n < 0 else "") + s
        if k == "X":
            if isinstance(n, float):
                raise PSRuntimeError(ErrorRecord("Format specifier was invalid.", "NotSpecified", "FormatException",
                                                 "System.FormatException"))
            v = n if n >= 0 else n + (1 << 32 if n >= -(1 << 31) else 1 << 64)
            s = format(v, "x" if kind == "x" else "X")
            return s.rjust(int(prec or 0), "0")
        if k in ("N", "F", "C"):
            digits = int(prec) if prec else 2
            s = _round_half_away(float(n), digits) if isinstance(n, float) else (
                str(n) + ("." + "0" * digits if digits else ""))
            if k == "F":
                return s
            ip, _, fp = s.partition(".")
            body = _group(ip) + ("." + fp if fp else "")
            return ("$" + body) if k == "C" and not body.startswith("-") else body
        if k == "P":
            digits = int(prec) if prec else 2
            s = _round_half_away(float(n) * 100, digits)
            ip, _, fp = s.partition(".")
            return _group(ip) + ("." + fp if fp else "") + " %"
        if k == "E":
            digits = int(prec) if prec else 6
            s = format(float(n), f".{digits}e")
            mant, exp = s.split("e")
            return f"{mant}{'E' if kind == 'E' else 'e'}{exp[0]}{exp[1:].rjust(3, '0')}"
        if k == "G":
            return to_string(n)
    # custom: 0.00 / #,##0.0 / 0000
    cm = re.fullmatch(r"([#0,]*)(?:\.([0#]+))?", spec)
    if cm and spec:
        int_fmt, frac_fmt = cm.group(1), cm.group(2) or ""
        min_frac = frac_fmt.count("0")
        max_frac = len(frac_fmt)
        s = _round_half_away(float(n), max_frac) if max_frac else str(int(round(float(n))))
        ip, _, fp = s.partition(".")
        fp = fp.rstrip("0").ljust(min_frac, "0") if max_frac else ""
        neg = ip.startswith("-")
        ip = ip.lstrip("-").rjust(int_fmt.replace(",", "").count("0"), "0")
        if ip == "0" and "0" not in int_fmt.replace(",", ""):
            ip = ""
        if "," in int_fmt:
            ip = _group(ip)
        return ("-" if neg else "") + ip + ("." + fp if fp else "")
    raise PSRuntimeError(ErrorRecord("Format specifier was invalid.", "NotSpecified", "FormatException",
                                     "System.FormatException"))


def format_value(v: Any, spec: str | None) -> str:
    from wsfc_lab.pwsh.values import to_string, dotnet_tostring
    if spec is None or spec == "":
        if isinstance(v, datetime):
            return format_datetime(v, "G")
        return dotnet_tostring(v) if isinstance(v, (list, bytes)) else to_string(v)
    if isinstance(v, datetime):
        return format_datetime(v, spec)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return format_number(v, spec)
    return to_string(v)


_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}|[{}]")


def composite_format(fmt: str, args: list[Any]) -> str:
    """``String.Format`` / ``-f``."""
    def bad() -> PSRuntimeError:
        return PSRuntimeError(ErrorRecord(
            f'Error formatting a string: Input string was not in a correct format..', "InvalidOperation",
            "FormatError", "System.FormatException", fmt))

    out = []
    pos = 0
    for m in _ITEM.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        tok = m.group(0)
        if tok == "{{":
            out.append("{")
        elif tok == "}}":
            out.append("}")
        elif m.group(1) is None:
            raise bad()
        else:
            idx = int(m.group(1))
            if idx >= len(args):
                raise PSRuntimeError(ErrorRecord(
                    "Error formatting a string: Index (zero based) must be greater than or equal to zero and less "
                    "than the size of the argument list..", "InvalidOperation", "FormatError",
                    "System.FormatException", fmt))
            text = format_value(args[idx], m.group(3))
            if m.group(2):
                w = int(m.group(2))
                text = text.rjust(w) if w > 0 else text.ljust(-w)
            out.append(text)
    out.append(fmt[pos:])
    return "".join(out)
