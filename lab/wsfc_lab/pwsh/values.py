"""PowerShell's value semantics: type names, conversions, casts, truthiness.

These rules decide what a script computes, so they follow
``LanguagePrimitives`` as Windows PowerShell 5.1 applies them: ``[int]2.5`` is
2 (banker's rounding), ``[string]$null`` is ``''``, an array is true when it
holds one true element or more than one element, ``"$array"`` joins with a
space, ``"$date"`` uses the invariant culture. What has no modelled
conversion raises NotModelled rather than guessing.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from wsfc_lab.pwsh.errors import PSRuntimeError, ErrorRecord, not_modelled
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, CimInstance, PSEnum, PSHashtable, PSObject

# The node's local time zone. The lab's nodes run on UTC; a distinct tzinfo
# keeps DateTimeKind.Local apart from DateTimeKind.Utc (they print differently).
LOCAL = timezone(timedelta(0), "Local")
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


class GetDateValue(datetime):
    """A DateTime as Get-Date returns it: wrapped in a PSObject with a DisplayHint note property.

    Windows PowerShell 5.1's ConvertTo-Json serialises such a value as
    ``{"value": "\\/Date(..)\\/", "DisplayHint": 2, "DateTime": "..."}``.
    """

    display_hint = 2


class PSList(list):
    """A mutable .NET collection (ArrayList, List[T]); plain ``list`` is ``object[]``."""

    def __init__(self, items: Any = (), type_name: str = "System.Collections.ArrayList"):
        super().__init__(items)
        self.type_name = type_name


class TypeRef:
    """A type literal such as ``[int]`` used as a value (``-is``, ``-as``, static members)."""

    def __init__(self, name: str):
        self.written = name
        self.name = canonical_type(name)

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeRef) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class PSVersion:
    """``System.Version`` (``$PSVersionTable.PSVersion``)."""

    type_names = ["System.Version", "System.Object"]

    def __init__(self, text: str):
        parts = [int(p) for p in text.split(".")]
        self.parts = parts + [-1] * (4 - len(parts))

    def ps_member(self, name: str) -> Any:
        idx = {"major": 0, "minor": 1, "build": 2, "revision": 3}.get(name.lower())
        if idx is None:
            raise KeyError(name)
        return self.parts[idx]

    def __str__(self) -> str:
        return ".".join(str(p) for p in self.parts if p >= 0)


# ---- type names -----------------------------------------------------------------------------------

TYPE_ALIASES = {
    "int": "System.Int32", "int32": "System.Int32", "long": "System.Int64", "int64": "System.Int64",
    "int16": "System.Int16", "short": "System.Int16", "uint16": "System.UInt16", "uint32": "System.UInt32",
    "uint64": "System.UInt64", "byte": "System.Byte", "sbyte": "System.SByte",
    "double": "System.Double", "float": "System.Single", "single": "System.Single", "decimal": "System.Decimal",
    "string": "System.String", "char": "System.Char", "bool": "System.Boolean", "boolean": "System.Boolean",
    "datetime": "System.DateTime", "guid": "System.Guid", "array": "System.Array", "object": "System.Object",
    "hashtable": "System.Collections.Hashtable", "collections.hashtable": "System.Collections.Hashtable",
    "ordered": "System.Collections.Specialized.OrderedDictionary",
    "pscustomobject": "System.Management.Automation.PSCustomObject",
    "management.automation.pscustomobject": "System.Management.Automation.PSCustomObject",
    "psobject": "System.Management.Automation.PSObject",
    "management.automation.psobject": "System.Management.Automation.PSObject",
    "switch": "System.Management.Automation.SwitchParameter",
    "void": "System.Void", "regex": "System.Text.RegularExpressions.Regex", "timespan": "System.TimeSpan",
    "version": "System.Version", "type": "System.Type", "scriptblock": "System.Management.Automation.ScriptBlock",
    "xml": "System.Xml.XmlDocument", "convert": "System.Convert", "math": "System.Math",
    "environment": "System.Environment", "text.encoding": "System.Text.Encoding",
    "io.path": "System.IO.Path", "collections.arraylist": "System.Collections.ArrayList",
    "errorrecord": "System.Management.Automation.ErrorRecord",
    "management.automation.errorrecord": "System.Management.Automation.ErrorRecord",
    "exception": "System.Exception", "management.automation.runtimeexception":
        "System.Management.Automation.RuntimeException",
    "pscredential": "System.Management.Automation.PSCredential", "securestring": "System.Security.SecureString",
    "ipaddress": "System.Net.IPAddress", "uri": "System.Uri", "bigint": "System.Numerics.BigInteger",
}


def canonical_type(name: str) -> str:
    """``int`` -> ``System.Int32``; ``string[]`` -> ``System.String[]``; unknown names keep their spelling."""
    n = name.strip()
    if n.startswith("[") and n.endswith("]"):
        n = n[1:-1]
    suffix = ""
    while n.endswith("[]"):
        suffix += "[]"
        n = n[:-2]
    low = n.lower()
    if low.startswith("system."):
        low2 = low[7:]
    else:
        low2 = low
    m = re.match(r"^(?:system\.)?collections\.generic\.list\[(.+)\]$", low)
    if m:
        return f"System.Collections.Generic.List[{canonical_type(m.group(1))}]" + suffix
    if low2 in TYPE_ALIASES:
        return TYPE_ALIASES[low2] + suffix
    if low in TYPE_ALIASES:
        return TYPE_ALIASES[low] + suffix
    return ("System." + n[7:] if low.startswith("system.") else n) + suffix


def ps_type_name(v: Any) -> str:
    """The .NET full type name of a value, as ``$x.GetType().FullName`` gives it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "System.Boolean"
    if isinstance(v, int):
        if INT32_MIN <= v <= INT32_MAX:
            return "System.Int32"
        if INT64_MIN <= v <= INT64_MAX:
            return "System.Int64"
        return "System.Decimal"
    if isinstance(v, float):
        return "System.Double"
    if isinstance(v, str):
        return "System.String"
    if isinstance(v, PSList):
        return v.type_name
    if isinstance(v, list):
        return "System.Object[]"
    if isinstance(v, bytes):
        return "System.Byte[]"
    if isinstance(v, PSHashtable):
        return "System.Collections.Specialized.OrderedDictionary" if v.ordered else "System.Collections.Hashtable"
    if isinstance(v, datetime):
        return "System.DateTime"
    if isinstance(v, timedelta):
        return "System.TimeSpan"
    if isinstance(v, uuid.UUID):
        return "System.Guid"
    if isinstance(v, PSEnum):
        return v.type_name
    if isinstance(v, TypeRef):
        return "System.RuntimeType"
    if isinstance(v, PSObject):
        return v.type_name.split("#")[0] if isinstance(v, CimInstance) else v.type_name
    names = getattr(v, "type_names", None)
    if names:
        return names[0]
    return "System.Object"


def type_names(v: Any) -> list[str]:
    """``$x.PSObject.TypeNames``: most derived first."""
    if isinstance(v, PSObject):
        return list(v.type_names)
    names = getattr(v, "type_names", None)
    if names:
        return list(names)
    base = ps_type_name(v)
    chain = [base]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        chain.append("System.ValueType")
    if isinstance(v, list):
        chain.append("System.Array")
    if isinstance(v, PSEnum):
        chain += ["System.Enum", "System.ValueType"]
    chain.append("System.Object")
    return chain


def short_type_name(v: Any) -> str:
    return ps_type_name(v).rsplit(".", 1)[-1]


# ---- conversions ----------------------------------------------------------------------------------

def invalid_cast(value: Any, target: str, detail: str | None = None, error_id: str = "InvalidCastFromStringToInteger"
                 ) -> PSRuntimeError:
    shown = to_string(value)
    if isinstance(value, str):
        msg = f'Cannot convert value "{shown}" to type "{target}". Error: "{detail or "Input string was not in a correct format."}"'
    else:
        msg = (f'Cannot convert the "{shown}" value of type "{ps_type_name(value)}" to type "{target}".')
        error_id = "ConvertToFinalInvalidCastException"
    return PSRuntimeError(ErrorRecord(msg, "InvalidArgument", error_id,
                                      "System.Management.Automation.PSInvalidCastException"))


def to_bool(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, PSEnum):
        return v.value != 0
    if isinstance(v, list):
        if len(v) == 0:
            return False
        if len(v) == 1:
            return to_bool(v[0]) if not isinstance(v[0], list) else len(v[0]) > 0
        return True
    if isinstance(v, bytes):
        return len(v) > 0 if len(v) != 1 else v[0] != 0
    return True


def format_double(f: float) -> str:
    """``[string]`` of a System.Double in .NET Framework: 15 significant digits, ``E+XX`` exponents."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    s = "%.15G" % f
    if "E" in s:
        mant, exp = s.split("E")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        sign = exp[0]
        digits = exp[1:].lstrip("0").rjust(2, "0")
        return f"{mant}E{sign}{digits}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def to_string(v: Any, ofs: str = " ") -> str:
    """PowerShell's conversion to string (invariant culture), as ``[string]`` and ``"$x"`` use."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return ofs.join(str(b) for b in v)
    if isinstance(v, list):
        return ofs.join(to_string(x, ofs) for x in v)
    if isinstance(v, PSHashtable):
        return ps_type_name(v)
    if isinstance(v, datetime):
        return v.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(v, timedelta):
        return format_timespan(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, TypeRef):
        return v.name
    if isinstance(v, PSObject) and v.type_name == PSCUSTOMOBJECT and v._to_string is None:
        return "@{" + "; ".join(f"{k}={dotnet_tostring(x)}" for k, x in v.props.items()) + "}"
    return str(v)


def dotnet_tostring(v: Any) -> str:
    """``.ToString()`` (not PowerShell's conversion): arrays give their type name."""
    if isinstance(v, (list, bytes)):
        return ps_type_name(v)
    if isinstance(v, datetime):
        from wsfc_lab.pwsh.fmt import format_datetime
        return format_datetime(v, "G")
    return to_string(v)


def format_timespan(td: timedelta) -> str:
    total = td.total_seconds()
    sign = "-" if total < 0 else ""
    td = abs(td)
    days = td.days
    secs = td.seconds
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    frac = f".{td.microseconds * 10:07d}" if td.microseconds else ""
    day = f"{days}." if days else ""
    return f"{sign}{day}{h:02d}:{m:02d}:{s:02d}{frac}"


_NUM_RE = re.compile(
    r"^\s*(?P<sign>[+-]?)(?:(?P<hex>0x[0-9a-f]+)|(?P<num>(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))"
    r"(?P<type>l|d)?(?P<mult>kb|mb|gb|tb|pb)?\s*$", re.I)
MULTIPLIERS = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}


def parse_number(text: str) -> int | float | None:
    """A number as PowerShell reads one from a string or a literal (``0x1F``, ``1e3``, ``10MB``)."""
    m = _NUM_RE.match(text)
    if not m:
        return None
    if m.group("hex"):
        val: int | float = int(m.group("hex"), 16)
    else:
        num = m.group("num")
        if re.fullmatch(r"\d+", num):
            val = int(num)
        else:
            val = float(num)
    if m.group("mult"):
        val = val * MULTIPLIERS[m.group("mult").lower()]
        if isinstance(val, float) and val == int(val) and not m.group("num") or False:
            val = int(val)
    if m.group("sign") == "-":
        val = -val
    return val


def to_number(v: Any, target: str = "System.Double") -> int | float:
    """Numeric conversion for arithmetic and numeric casts."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, PSEnum):
        return v.value
    if isinstance(v, str):
        if v.strip() == "":
            return 0
        n = parse_number(v)
        if n is None:
            raise invalid_cast(v, target)
        return n
    if isinstance(v, list) and len(v) == 1:
        return to_number(v[0], target)
    raise invalid_cast(v, target)


def round_half_even(f: float) -> int:
    return int(round(f))


INT_RANGES = {
    "System.Int32": (INT32_MIN, INT32_MAX), "System.Int64": (INT64_MIN, INT64_MAX),
    "System.Int16": (-32768, 32767), "System.UInt16": (0, 65535), "System.UInt32": (0, 2 ** 32 - 1),
    "System.UInt64": (0, 2 ** 64 - 1), "System.Byte": (0, 255), "System.SByte": (-128, 127),
}


def to_int(v: Any, target: str = "System.Int32") -> int:
    if isinstance(v, str):
        n = to_number(v, target)
    elif isinstance(v, datetime):
        raise invalid_cast(v, target)
    else:
        n = to_number(v, target)
    if isinstance(n, float):
        if math.isnan(n) or math.isinf(n):
            raise invalid_cast(v, target)
        n = round_half_even(n)
    lo, hi = INT_RANGES.get(target, (INT64_MIN, INT64_MAX))
    if not lo <= n <= hi:
        raise PSRuntimeError(ErrorRecord(
            f'Cannot convert value "{to_string(v)}" to type "{target}". Error: "Value was either too large or too small '
            f'for {"an" if target.split(".")[-1][0] in "AEIOUaeiou" else "a"} {target.split(".")[-1]}."',
            "InvalidArgument", "InvalidCastIConvertible", "System.Management.Automation.PSInvalidCastException"))
    return n


DATETIME_FORMATS = [
    "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y",
]


def to_datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    if isinstance(v, str):
        text = v.strip()
        frac = re.match(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$", text)
        if frac:  # .NET allows 7 fractional digits; Python 6
            text = frac.group(1) + "." + frac.group(2)[:6].ljust(6, "0") + frac.group(3)
        if text.endswith("Z"):
            text = text[:-1] + "+0000"
        for fmt in DATETIME_FORMATS:
            try:
                d = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if d.tzinfo is None:
                return d.replace(tzinfo=LOCAL)  # DateTimeKind.Unspecified: treated as local
            return d.astimezone(LOCAL) if fmt.endswith("%z") and not v.strip().endswith("Z") else d.astimezone(
                timezone.utc) if v.strip().endswith("Z") else d.astimezone(LOCAL)
        raise invalid_cast(v, "System.DateTime", "String was not recognized as a valid DateTime.",
                           "InvalidCastParseTargetInvocation")
    raise invalid_cast(v, "System.DateTime")


def as_list(v: Any) -> list:
    """The items a value enumerates to (``@()`` semantics): $null -> [], scalar -> [v]."""
    if v is None:
        return []
    if isinstance(v, list):
        return list(v)
    if isinstance(v, bytes):
        return list(v)
    return [v]


def cast(v: Any, type_name: str) -> Any:
    """``[type]value``."""
    t = canonical_type(type_name)
    if t.endswith("[]"):
        elem = t[:-2]
        if v is None:
            return None
        items = as_list(v) if not isinstance(v, PSHashtable) else [v]
        if elem == "System.Object":
            return list(items)
        if elem == "System.Byte":
            return bytes(to_int(x, "System.Byte") for x in items)
        return [cast(x, elem) for x in items]
    if t in INT_RANGES:
        return to_int(v, t)
    if t in ("System.Double", "System.Single", "System.Decimal"):
        if isinstance(v, datetime):
            raise invalid_cast(v, t)
        return float(to_number(v, t))
    if t == "System.String":
        return to_string(v)
    if t == "System.Boolean":
        if isinstance(v, str) and False:
            return True
        return to_bool(v)
    if t == "System.Management.Automation.SwitchParameter":
        return to_bool(v)
    if t == "System.Char":
        if isinstance(v, str) and len(v) == 1:
            return v
        if isinstance(v, int):
            return chr(v)
        raise invalid_cast(v, t)
    if t == "System.DateTime":
        return to_datetime(v)
    if t == "System.Guid":
        if isinstance(v, uuid.UUID):
            return v
        try:
            return uuid.UUID(to_string(v).strip("{}"))
        except ValueError:
            raise invalid_cast(v, t, "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
                               "InvalidCastParseTargetInvocation") from None
    if t == "System.Array":
        return None if v is None else as_list(v)
    if t in ("System.Object", "System.Management.Automation.PSObject"):
        return v
    if t == "System.Management.Automation.PSCustomObject":
        if isinstance(v, PSHashtable):
            return PSObject(PSCUSTOMOBJECT, v.items())
        return v
    if t == "System.Collections.Hashtable":
        if isinstance(v, PSHashtable):
            return PSHashtable(v.items())
        if v is None:
            return None
        raise invalid_cast(v, t)
    if t == "System.Collections.Specialized.OrderedDictionary":
        if isinstance(v, PSHashtable):
            return PSHashtable(v.items(), ordered=True)
        raise invalid_cast(v, t)
    if t == "System.Collections.ArrayList" or t.startswith("System.Collections.Generic.List["):
        return PSList(as_list(v), t)
    if t == "System.Void":
        return None
    if t == "System.Version":
        return PSVersion(to_string(v))
    raise not_modelled(f"the cast to [{type_name}]")


def is_type(v: Any, type_name: str) -> bool:
    """``-is [type]``."""
    t = canonical_type(type_name)
    if t == "System.Object":
        return v is not None
    if v is None:
        return False
    if t == "System.Management.Automation.PSObject":
        return True
    if t == "System.Array":
        return isinstance(v, (list, bytes)) and not isinstance(v, PSList)
    if t == "System.ValueType":
        return isinstance(v, (bool, int, float, datetime, uuid.UUID, PSEnum, timedelta))
    if t == "System.Enum":
        return isinstance(v, PSEnum)
    if t in ("System.Collections.IDictionary",):
        return isinstance(v, PSHashtable)
    if t in ("System.Collections.IEnumerable", "System.Collections.IList", "System.Collections.ICollection"):
        return isinstance(v, (list, bytes, PSHashtable)) or (t == "System.Collections.IEnumerable" and isinstance(v, str))
    if t == "System.Management.Automation.PSCustomObject":
        return isinstance(v, PSObject) and v.type_name == PSCUSTOMOBJECT
    if t == "System.Collections.Hashtable":
        return isinstance(v, PSHashtable) and not v.ordered
    if t == "System.Int64" and isinstance(v, int) and not isinstance(v, bool):
        return ps_type_name(v) == "System.Int64"
    names = [n.split("#")[0].lower() for n in type_names(v)]
    return t.lower() in names


def try_cast(v: Any, type_name: str) -> Any:
    """``-as [type]``: the cast, or $null when it fails."""
    try:
        return cast(v, type_name)
    except PSRuntimeError:
        return None


# ---- comparisons ----------------------------------------------------------------------------------

def _cmp_key_str(s: str, cs: bool) -> str:
    return s if cs else s.lower()


def ps_equals(a: Any, b: Any, cs: bool = False) -> bool:
    """``LanguagePrimitives.Equals(a, b, ignoreCase)``: the left operand's type decides."""
    if a is None:
        return b is None
    if b is None:
        return False
    if isinstance(a, str):
        if isinstance(b, list):
            return False
        return _cmp_key_str(a, cs) == _cmp_key_str(to_string(b), cs)
    if isinstance(a, bool):
        return a == to_bool(b)
    if isinstance(a, PSEnum):
        if isinstance(b, str):
            return a.name.lower() == b.lower() or (b.strip().lstrip("-").isdigit() and a.value == int(b))
        if isinstance(b, PSEnum):
            return a.value == b.value
        try:
            return a.value == to_number(b)
        except PSRuntimeError:
            return False
    if isinstance(a, (int, float)):
        if isinstance(b, str) and b.strip() == "":
            return False
        try:
            return a == to_number(b)
        except PSRuntimeError:
            return False
    if isinstance(a, datetime):
        try:
            return a == to_datetime(b)
        except PSRuntimeError:
            return False
    if isinstance(a, uuid.UUID):
        return to_string(a).lower() == to_string(b).lower()
    if isinstance(a, TypeRef):
        return isinstance(b, TypeRef) and a.name == b.name
    return a is b or (isinstance(a, (PSVersion,)) and str(a) == str(b))


def ps_compare(a: Any, b: Any, cs: bool = False) -> int:
    """Ordering for -lt/-gt/Sort-Object: -1, 0, 1 (left operand's type decides)."""
    if a is None and b is None:
        return 0
    if a is None:
        return -1 if not (isinstance(b, str) and b == "") else 0
    if b is None:
        return 1
    if isinstance(a, str):
        x, y = _cmp_key_str(a, cs), _cmp_key_str(to_string(b), cs)
        return (x > y) - (x < y)
    if isinstance(a, (bool, int, float, PSEnum)):
        x = to_number(a)
        y = to_number(b)
        return (x > y) - (x < y)
    if isinstance(a, datetime):
        y2 = to_datetime(b)
        return (a > y2) - (a < y2)
    sa, sb = to_string(a), to_string(b)
    x, y = _cmp_key_str(sa, cs), _cmp_key_str(sb, cs)
    return (x > y) - (x < y)


def wildcard_to_regex(pattern: str) -> str:
    """PowerShell wildcard (``*``, ``?``, ``[a-z]``, backtick escapes) as an anchored regex."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pattern[i + 1:j].replace("\\", "\\\\") + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    out.append("$")
    return "".join(out)


def ps_like(s: Any, pattern: Any, cs: bool = False) -> bool:
    return re.match(wildcard_to_regex(to_string(pattern)), to_string(s), 0 if cs else re.I | re.S) is not None


def dotnet_regex(pattern: str) -> str:
    """Translate the .NET regex spellings Python lacks: ``(?<name>..)`` and ``\\k<name>``."""
    pattern = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern)
    return re.sub(r"\\k<([A-Za-z_]\w*)>", r"(?P=\1)", pattern)


def compile_regex(pattern: Any, cs: bool = False) -> re.Pattern:
    text = to_string(pattern)
    try:
        return re.compile(dotnet_regex(text), 0 if cs else re.I)
    except re.error as exc:
        raise PSRuntimeError(ErrorRecord(
            f'The regular expression pattern {text} is not valid.', "InvalidOperation", "InvalidRegularExpression",
            "System.Management.Automation.RuntimeException", text)) from exc


def dotnet_replacement(repl: str) -> Any:
    """A .NET substitution string (``$1``, ``${name}``, ``$0``, ``$$``) as a Python replacement function."""
    def fn(m: re.Match) -> str:
        out = []
        i = 0
        while i < len(repl):
            c = repl[i]
            if c == "$" and i + 1 < len(repl):
                nxt = repl[i + 1]
                if nxt == "$":
                    out.append("$")
                    i += 2
                    continue
                if nxt == "{":
                    j = repl.find("}", i)
                    if j != -1:
                        name = repl[i + 2:j]
                        try:
                            out.append(m.group(int(name) if name.isdigit() else name) or "")
                            i = j + 1
                            continue
                        except (IndexError, re.error):
                            pass
                mm = re.match(r"\d+", repl[i + 1:])
                if mm and int(mm.group(0)) <= (m.re.groups or 0):
                    out.append(m.group(int(mm.group(0))) or "")
                    i += 1 + len(mm.group(0))
                    continue
                if nxt == "&":
                    out.append(m.group(0))
                    i += 2
                    continue
            out.append(c)
            i += 1
        return "".join(out)
    return fn


# ---- arithmetic -----------------------------------------------------------------------------------

def _num_result(n: int | float) -> int | float:
    if isinstance(n, int) and not INT64_MIN <= n <= INT64_MAX:
        return float(n)
    return n


def arith_error(msg: str, eid: str) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(msg, "InvalidOperation", eid, "System.Management.Automation.RuntimeException"))


def op_add(a: Any, b: Any) -> Any:
    if a is None:
        if isinstance(b, list):
            return list(b)
        return b
    if isinstance(a, list):
        return list(a) + (list(b) if isinstance(b, list) else [b])
    if isinstance(a, str):
        return a + to_string(b)
    if isinstance(a, PSHashtable):
        if not isinstance(b, PSHashtable):
            raise arith_error("A hash table can only be added to another hash table.", "AddHashTableToNonHashTable")
        out = PSHashtable(a.items(), ordered=a.ordered)
        for k, v in b.items():
            if k in out:
                raise arith_error(f"Item has already been added. Key in dictionary: '{k}'  Key being added: '{k}'",
                                  "System.ArgumentException")
            out[k] = v
        return out
    if isinstance(a, datetime):
        if isinstance(b, timedelta):
            return a + b
        return a + timedelta(microseconds=to_int(b, "System.Int64") / 10)
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a + b
    if isinstance(a, (bool, int, float, PSEnum)):
        x, y = to_number(a), to_number(b)
        return _num_result(x + y)
    raise arith_error(f"Method invocation failed because [{ps_type_name(a)}] does not contain a method named 'op_Addition'.",
                      "MethodNotFound")


def op_sub(a: Any, b: Any) -> Any:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a - b
    if isinstance(a, datetime) and isinstance(b, timedelta):
        return a - b
    if isinstance(a, (list, PSHashtable, str)) and not isinstance(a, str):
        raise arith_error(f"Method invocation failed because [{ps_type_name(a)}] does not contain a method named "
                          "'op_Subtraction'.", "MethodNotFound")
    return _num_result(to_number(a) - to_number(b))


def op_mul(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        return a * to_int(b)
    if isinstance(a, list):
        return list(a) * to_int(b)
    return _num_result(to_number(a) * to_number(b))


def _div_zero() -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord("Attempted to divide by zero.", "NotSpecified", "RuntimeException",
                                      "System.Management.Automation.RuntimeException"))


def op_div(a: Any, b: Any) -> Any:
    x, y = to_number(a), to_number(b)
    if y == 0:
        if isinstance(x, float) or isinstance(y, float):
            return math.copysign(math.inf, x) if x else math.nan
        raise _div_zero()
    if isinstance(x, int) and isinstance(y, int) and x % y == 0:
        return x // y
    return x / y


def op_mod(a: Any, b: Any) -> Any:
    x, y = to_number(a), to_number(b)
    if y == 0:
        raise _div_zero()
    if isinstance(x, int) and isinstance(y, int):
        return int(math.fmod(x, y))
    return math.fmod(x, y)
