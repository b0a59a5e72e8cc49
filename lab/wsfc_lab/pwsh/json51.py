"""ConvertTo-Json / ConvertFrom-Json exactly as Windows PowerShell 5.1 does them.

The collection's scripts print their result with ``ConvertTo-Json``, and the
collection parses that text, so the lab must produce the same bytes Windows
does. Windows PowerShell 5.1 pre-processes the object graph (depth limit,
PSObject note properties) and then serialises with .NET's
``JavaScriptSerializer``, which gives its particular output:

* objects deeper than ``-Depth`` (default 2) become their ``[string]`` form
  (``"System.Collections.Hashtable"``, ``"@{a=1}"``, ``"1 2"`` for an array);
* enums are their numeric values; ``DateTime`` is ``"\\/Date(<ms>)\\/"``; a
  DateTime from ``Get-Date`` carries ``DisplayHint`` and ``DateTime`` and so is
  written as an object with ``value``;
* strings escape ``< > & '`` as ``\\u003c`` ... and control characters, keep
  other non-ASCII characters as they are;
* doubles are written round-trip (``1E+20``);
* the non ``-Compress`` layout is 5.1's own pretty-printer (four-space
  indents, two spaces after ``:``, arrays indented under their key).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.values import GetDateValue, TypeRef, to_string

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _Raw:
    """Already-serialised JSON text (dates)."""

    def __init__(self, text: str):
        self.text = text


def _date_ms(d: datetime) -> int:
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return int((d - EPOCH) / timedelta(milliseconds=1))


def long_date_time(d: datetime) -> str:
    """en-US ``dddd, MMMM d, yyyy h:mm:ss tt`` (the DateTime script property)."""
    hour = d.hour % 12 or 12
    return f"{d.strftime('%A, %B')} {d.day}, {d.year} {hour}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}"


def preprocess(obj: Any, depth: int, max_depth: int, props_of: Any) -> Any:
    """5.1's ProcessValue: a tree of dict/list/primitives, truncated below ``max_depth``."""
    if isinstance(obj, GetDateValue):
        return {"value": _Raw(f'"\\/Date({_date_ms(obj)})\\/"'), "DisplayHint": obj.display_hint,
                "DateTime": long_date_time(obj)}
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, datetime):
        return _Raw(f'"\\/Date({_date_ms(obj)})\\/"')
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, PSEnum):
        return obj.value
    if depth > max_depth:
        return to_string(obj)
    if isinstance(obj, PSHashtable):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise PSRuntimeError(ErrorRecord(
                    f"The type '{'System.Collections.Hashtable'}' is not supported for serialization or "
                    "deserialization of a dictionary. Keys must be strings.", "InvalidOperation",
                    "NonStringKeyInDictionary,Microsoft.PowerShell.Commands.ConvertToJsonCommand",
                    "System.InvalidOperationException"))
            out[k] = preprocess(v, depth + 1, max_depth, props_of)
        return out
    if isinstance(obj, (list, bytes)):
        return [preprocess(v, depth + 1, max_depth, props_of) for v in obj]
    if isinstance(obj, timedelta):
        return _timespan_dict(obj, depth, max_depth, props_of)
    if isinstance(obj, TypeRef):
        return to_string(obj)
    props = props_of(obj)
    return {k: preprocess(v, depth + 1, max_depth, props_of) for k, v in props}


def _timespan_dict(td: timedelta, depth: int, max_depth: int, props_of: Any) -> dict:
    ticks = (td.days * 86400 + td.seconds) * 10_000_000 + td.microseconds * 10
    total_s = ticks / 1e7
    sign = -1 if ticks < 0 else 1
    a = abs(td)
    return {"Ticks": ticks, "Days": sign * a.days, "Hours": sign * (a.seconds // 3600),
            "Milliseconds": sign * (a.microseconds // 1000), "Minutes": sign * (a.seconds // 60 % 60),
            "Seconds": sign * (a.seconds % 60), "TotalDays": total_s / 86400, "TotalHours": total_s / 3600,
            "TotalMilliseconds": total_s * 1000, "TotalMinutes": total_s / 60, "TotalSeconds": total_s}


def default_props(obj: Any) -> list[tuple[str, Any]]:
    """Public properties of an object, for serialisation."""
    if isinstance(obj, PSObject):
        return obj.props.items()
    json_props = getattr(obj, "json_properties", None)
    if json_props is not None:
        return list(json_props())
    return []


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_string(s: str) -> str:
    """``JavaScriptSerializer`` string encoding (HttpUtility.JavaScriptStringEncode)."""
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or ch in "<>'&":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def js_double(f: float) -> str:
    """``Double.ToString("r", InvariantCulture)``."""
    if math.isnan(f) or math.isinf(f):
        return '"NaN"' if math.isnan(f) else ('"Infinity"' if f > 0 else '"-Infinity"')
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    r = repr(f)
    if "e" in r:
        mant, exp = r.split("e")
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").lstrip("0").rjust(2, "0")
        if mant.endswith(".0"):
            mant = mant[:-2]
        return f"{mant}E{sign}{digits}"
    return r


def serialize(v: Any) -> str:
    """Compact serialisation of a preprocessed tree."""
    if v is None:
        return "null"
    if isinstance(v, _Raw):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return js_double(v)
    if isinstance(v, str):
        return js_string(v)
    if isinstance(v, dict):
        return "{" + ",".join(js_string(k) + ":" + serialize(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(serialize(x) for x in v) + "]"
    return js_string(to_string(v))


# ---- 5.1's pretty printer (reformats the compact text) -----------------------------------------------

def prettify(text: str) -> str:
    """Re-indent compact JSON the way ConvertTo-Json (5.1) does without ``-Compress``."""
    if not text.startswith("{") and not text.startswith("["):
        return text
    out: list[str] = [text[0]]
    if text[0] == "{":
        _pretty_dict(text, 1, out, "", 0)
    else:
        _pretty_list(text, 1, out, "", 0)
    return "".join(out)


def _quoted(text: str, i: int, out: list[str]) -> int:
    """Copy a quoted string starting after its opening quote; return the index of the closing quote."""
    while i < len(text):
        out.append(text[i])
        if text[i] == '"':
            j, escaped = i, False
            while j > 0 and text[j - 1] == "\\":
                escaped = not escaped
                j -= 1
            if not escaped:
                return i
        i += 1
    raise ValueError("unterminated string")


def _pretty_list(text: str, i: int, out: list[str], pad: str, spaces: int) -> int:
    out.append("\r\n")
    new_pad = pad + " " * spaces + " " * 4
    head = True
    while i < len(text):
        c = text[i]
        if c in "{[":
            out.append(new_pad + c)
            i = (_pretty_dict if c == "{" else _pretty_list)(text, i + 1, out, new_pad, 0)
            head = False
        elif c == "]":
            out.append("\r\n" + pad + " " * spaces + c)
            return i
        elif c == '"':
            if head:
                out.append(new_pad)
            out.append(c)
            i = _quoted(text, i + 1, out)
            head = False
        elif c == ",":
            out.append(",\r\n")
            head = True
        else:
            if head:
                out.append(new_pad)
            out.append(c)
            head = False
        i += 1
    raise ValueError("unterminated list")


def _pretty_dict(text: str, i: int, out: list[str], pad: str, spaces: int) -> int:
    out.append("\r\n")
    new_pad = pad + " " * spaces + " " * 4
    head, before_quote, new_spaces = True, True, 0
    while i < len(text):
        c = text[i]
        if c in "{[":
            out.append(c)
            i = (_pretty_dict if c == "{" else _pretty_list)(text, i + 1, out, new_pad, new_spaces)
            head = False
        elif c == "}":
            out.append("\r\n" + pad + " " * spaces + c)
            return i
        elif c == '"':
            if head:
                out.append(new_pad)
            out.append(c)
            end = _quoted(text, i + 1, out)
            if before_quote:
                new_spaces += end - i + 1
            i = end
            head = False
        elif c == ":":
            out.append(":  ")
            new_spaces += 3
            head = False
            before_quote = False
        elif c == ",":
            out.append(",\r\n")
            head, before_quote, new_spaces = True, True, 0
        else:
            if head:
                out.append(new_pad)
            out.append(c)
            if before_quote:
                new_spaces += 1
            head = False
        i += 1
    raise ValueError("unterminated object")


def convert_to_json(inputs: list[Any], depth: int = 2, compress: bool = False, props_of: Any = default_props
                    ) -> str | None:
    """The one string ConvertTo-Json writes for the collected pipeline inputs (None when there were none)."""
    inputs = [x for x in inputs if x is not None]
    if not inputs:
        return None
    obj = inputs if len(inputs) > 1 else inputs[0]
    text = serialize(preprocess(obj, 0, depth, props_of))
    return text if compress else prettify(text)


# ---- ConvertFrom-Json ---------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\\?/Date\((-?\d+)(?:[+-]\d{4})?\)\\?/$")


class _Dup(Exception):
    pass


def _pairs_hook(pairs: list[tuple[str, Any]]) -> PSObject:
    obj = PSObject(PSCUSTOMOBJECT)
    seen: dict[str, str] = {}
    for k, v in pairs:
        low = k.lower()
        if low in seen:
            raise _Dup(seen[low], k)
        seen[low] = k
        obj.props[k] = v
    return obj


def _post(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return [_post(x) for x in v]
    if isinstance(v, PSObject):
        for k, x in v.props.items():
            v.props[k] = _post(x)
        return v
    return v


def convert_from_json(text: str) -> Any:
    """Parse JSON text to PSCustomObjects / object[] / primitives as 5.1 does."""
    if text.strip() == "":
        return None
    raw = text
    # JavaScriptSerializer reads "\/Date(ms)\/" as a DateTime (UTC).
    try:
        value = json.loads(raw, object_pairs_hook=_pairs_hook)
    except _Dup as dup:
        a, b = dup.args
        raise PSRuntimeError(ErrorRecord(
            f"Cannot convert the JSON string because a dictionary that was converted from the string contains the "
            f"duplicated keys '{a}' and '{b}'.", "InvalidOperation",
            "DuplicateKeysInJsonString,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
            "System.InvalidOperationException")) from None
    except ValueError as exc:
        raise PSRuntimeError(ErrorRecord(
            f"Invalid JSON primitive: {raw.strip()[:40]}.", "NotSpecified",
            "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
            "System.ArgumentException")) from exc
    return _fix_dates(value, raw)


def _fix_dates(v: Any, raw: str) -> Any:
    if isinstance(v, str):
        m = _DATE_RE.match(v)
        if m and ("\\/Date(" in raw):
            return EPOCH + timedelta(milliseconds=int(m.group(1)))
        return v
    if isinstance(v, list):
        return [_fix_dates(x, raw) for x in v]
    if isinstance(v, PSObject):
        for k, x in v.props.items():
            v.props[k] = _fix_dates(x, raw)
    return v
