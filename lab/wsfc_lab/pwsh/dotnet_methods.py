"""The .NET instance methods the lab models: a table of type -> method -> implementation, each citing its page.

A script calls ``$x.Method(...)``; the interpreter finds the value's kind
(the first :class:`Kind` whose ``matches`` accepts it, most specific first),
then the method in that kind's table. The static check reads the same table
(:func:`modelled_on`, :func:`modelled_anywhere`), so a call to a method the lab
does not model is refused before the script runs, as an unknown cmdlet is.

Each :class:`Method` names the Microsoft Learn page of the .NET member it
models (.NET Framework 4.8, what Windows PowerShell 5.1 runs on; the
PowerShell intrinsic ``.Where()``/``.ForEach()`` cite about_Arrays). At run
time a name missing from a kind's table raises what ``missing`` says:
PowerShell's MethodNotFound for the kinds whose every method the lab would
know (strings, dates, collections, numbers ...), NotModelled for the others.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from wsfc_lab.pwsh.dotnet import Encoding, ExceptionObject, TypeInfo, datetime_ticks
from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.fmt import format_datetime, format_value
from wsfc_lab.pwsh.objects import PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.values import (LOCAL, GetDateValue, PSList, as_list, ps_equals, ps_type_name, to_bool,
                                  to_datetime, to_int, to_number, to_string)

Impl = Callable[[Any, Any, str, list[Any]], Any]   # (interp, obj, name as written, args) -> result


def api(type_name: str, member: str) -> str:
    """The Microsoft Learn page of a .NET Framework member."""
    return f"https://learn.microsoft.com/dotnet/api/{type_name.lower()}.{member.lower()}?view=netframework-4.8"


ABOUT_ARRAYS = ("https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_arrays"
                "?view=powershell-5.1")


@dataclass(frozen=True)
class Method:
    impl: Impl
    page: str


@dataclass
class Kind:
    """The methods of one .NET type as the lab represents its values."""

    type_name: str
    matches: Callable[[Any], bool]
    methods: dict[str, Method] = field(default_factory=dict)
    missing: str = "MethodNotFound"          # or "NotModelled"


# ---- errors -----------------------------------------------------------------------------------------------

def method_error(name: str, args: list[Any], message: str, exc_type: str = "System.ArgumentException"
                 ) -> PSRuntimeError:
    short = exc_type.rsplit(".", 1)[-1]
    return PSRuntimeError(ErrorRecord(f'Exception calling "{name}" with "{len(args)}" argument(s): "{message}"',
                                      "NotSpecified", short, "System.Management.Automation.MethodInvocationException"))


def no_method(obj: Any, name: str) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(
        f"Method invocation failed because [{ps_type_name(obj)}] does not contain a method named '{name}'.",
        "InvalidOperation", "MethodNotFound", "System.Management.Automation.RuntimeException"))


def _void() -> Any:
    from wsfc_lab.pwsh.interp import Interp
    return Interp.VOID


def _string_comparison(args: list[Any], default_ignore: bool = False) -> bool:
    """True when the call compares ignoring case (a StringComparison argument)."""
    for a in args:
        s = to_string(a).lower()
        if "ignorecase" in s:
            return True
        if s in ("ordinal", "currentculture", "invariantculture"):
            return False
    return default_ignore


# ---- System.String ----------------------------------------------------------------------------------------

WHITESPACE = " \t\n\r\v\f\u00a0\u2028\u2029\u0085"


def _trim(fn: Callable[[str, str], str]) -> Impl:
    def impl(interp: Any, s: str, name: str, a: list[Any]) -> str:
        chars = "".join(to_string(x) for x in a) if a else None
        return fn(s, WHITESPACE if chars is None else chars)
    return impl


def _split(interp: Any, s: str, name: str, a: list[Any]) -> list[str]:
    if not a:
        return s.split()
    seps = a[0]
    opts = to_string(a[1]).lower() if len(a) > 1 else ""
    if isinstance(seps, list):
        sep_list = [to_string(x) for x in seps]
    else:
        sep_text = to_string(seps)
        sep_list = list(sep_text) if len(a) == 1 or isinstance(a[1], (int,)) else [sep_text]
        if isinstance(seps, str) and len(a) > 1 and not isinstance(a[1], int):
            sep_list = [sep_text] if "removeemptyentries" in opts or opts == "none" else list(sep_text)
    parts = re.split("|".join(re.escape(x) for x in sep_list if x), s) if any(sep_list) else [s]
    if "removeemptyentries" in opts:
        parts = [p for p in parts if p != ""]
    return parts


def _replace(interp: Any, s: str, name: str, a: list[Any]) -> str:
    if len(a) < 2:
        raise method_error(name, a, "Value cannot be null.")
    old = to_string(a[0])
    if old == "":
        raise method_error(name, a, "String cannot be of zero length.\r\nParameter name: oldValue")
    return s.replace(old, to_string(a[1]))


def _startswith(interp: Any, s: str, name: str, a: list[Any]) -> bool:
    p = to_string(a[0])
    return s.lower().startswith(p.lower()) if _string_comparison(a[1:]) else s.startswith(p)


def _endswith(interp: Any, s: str, name: str, a: list[Any]) -> bool:
    p = to_string(a[0])
    return s.lower().endswith(p.lower()) if _string_comparison(a[1:]) else s.endswith(p)


def _str_equals(interp: Any, s: str, name: str, a: list[Any]) -> bool:
    other = a[0] if a else None
    if not isinstance(other, str):
        return False
    return s.lower() == other.lower() if _string_comparison(a[1:]) else s == other


def _substring(interp: Any, s: str, name: str, a: list[Any]) -> str:
    start = to_int(a[0])
    if start < 0 or start > len(s):
        raise method_error(name, a, "startIndex cannot be larger than length of string.\r\nParameter name: "
                           "startIndex", "System.ArgumentOutOfRangeException")
    if len(a) > 1:
        length = to_int(a[1])
        if length < 0 or start + length > len(s):
            raise method_error(name, a, "Index and length must refer to a location within the string.\r\n"
                               "Parameter name: length", "System.ArgumentOutOfRangeException")
        return s[start:start + length]
    return s[start:]


def _index_of(last: bool) -> Impl:
    def impl(interp: Any, s: str, name: str, a: list[Any]) -> int:
        sub = to_string(a[0])
        ignore = _string_comparison(a[1:])
        hay, needle = (s.lower(), sub.lower()) if ignore else (s, sub)
        return hay.rfind(needle) if last else hay.find(needle)
    return impl


def _str_insert(interp: Any, s: str, name: str, a: list[Any]) -> str:
    i = to_int(a[0])
    return s[:i] + to_string(a[1]) + s[i:]


def _str_remove(interp: Any, s: str, name: str, a: list[Any]) -> str:
    i = to_int(a[0])
    return s[:i] + (s[i + to_int(a[1]):] if len(a) > 1 else "")


def _str_compareto(interp: Any, s: str, name: str, a: list[Any]) -> int:
    o = to_string(a[0])
    return (s > o) - (s < o)


def _not_modelled(what: str) -> Impl:
    """A documented member the lab refuses to run (listed so the refusal says so)."""
    def impl(interp: Any, obj: Any, name: str, a: list[Any]) -> Any:
        raise not_modelled(what)
    return impl


def _s(member: str, impl: Impl) -> tuple[str, Method]:
    return member.lower(), Method(impl, api("System.String", member))


STRING = Kind("System.String", lambda o: isinstance(o, str), dict([
    _s("ToLower", lambda i, s, n, a: s.lower()),
    _s("ToLowerInvariant", lambda i, s, n, a: s.lower()),
    _s("ToUpper", lambda i, s, n, a: s.upper()),
    _s("ToUpperInvariant", lambda i, s, n, a: s.upper()),
    _s("Trim", _trim(str.strip)),
    _s("TrimStart", _trim(str.lstrip)),
    _s("TrimEnd", _trim(str.rstrip)),
    _s("Split", _split),
    _s("Replace", _replace),
    _s("StartsWith", _startswith),
    _s("EndsWith", _endswith),
    _s("Contains", lambda i, s, n, a: to_string(a[0]) in s),
    _s("Equals", _str_equals),
    _s("Substring", _substring),
    _s("IndexOf", _index_of(False)),
    _s("LastIndexOf", _index_of(True)),
    _s("PadLeft", lambda i, s, n, a: s.rjust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " ")),
    _s("PadRight", lambda i, s, n, a: s.ljust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " ")),
    _s("ToString", lambda i, s, n, a: s),
    _s("ToCharArray", lambda i, s, n, a: list(s)),
    _s("Insert", _str_insert),
    _s("Remove", _str_remove),
    _s("CompareTo", _str_compareto),
    _s("GetHashCode", _not_modelled("String.GetHashCode()")),
    _s("Normalize", lambda i, s, n, a: s),
]))


# ---- System.DateTime --------------------------------------------------------------------------------------

def _keep_kind(src: datetime, new: datetime) -> datetime:
    if isinstance(src, GetDateValue):
        return GetDateValue.fromtimestamp(new.timestamp(), new.tzinfo) if new.tzinfo else new
    return new


def _add(unit: str) -> Impl:
    return lambda i, d, n, a: _keep_kind(d, d + timedelta(**{unit: float(to_number(a[0]))}))


def _to_universal(interp: Any, d: datetime, name: str, a: list[Any]) -> datetime:
    return d.astimezone(timezone.utc) if d.tzinfo is not None else d.replace(tzinfo=LOCAL).astimezone(timezone.utc)


def _subtract(interp: Any, d: datetime, name: str, a: list[Any]) -> Any:
    o = a[0]
    if isinstance(o, datetime):
        return d - o
    return _keep_kind(d, d - o)


def _dt_compareto(interp: Any, d: datetime, name: str, a: list[Any]) -> int:
    o = to_datetime(a[0])
    return (d > o) - (d < o)


def _d(member: str, impl: Impl) -> tuple[str, Method]:
    return member.lower(), Method(impl, api("System.DateTime", member))


DATETIME = Kind("System.DateTime", lambda o: isinstance(o, datetime), dict([
    _d("AddSeconds", _add("seconds")),
    _d("AddMinutes", _add("minutes")),
    _d("AddHours", _add("hours")),
    _d("AddDays", _add("days")),
    _d("AddMilliseconds", _add("milliseconds")),
    _d("AddTicks", lambda i, d, n, a: _keep_kind(d, d + timedelta(microseconds=to_int(a[0], "System.Int64") / 10))),
    _d("Add", lambda i, d, n, a: _keep_kind(d, d + a[0]) if isinstance(a[0], timedelta) else d),
    _d("ToString", lambda i, d, n, a: format_datetime(d, to_string(a[0]) if a else None)),
    _d("ToUniversalTime", _to_universal),
    _d("ToLocalTime", lambda i, d, n, a: d.astimezone(LOCAL)),
    _d("Subtract", _subtract),
    _d("ToFileTimeUtc", lambda i, d, n, a: datetime_ticks(d.astimezone(timezone.utc)) - 504911232000000000),
    _d("ToFileTime", lambda i, d, n, a: datetime_ticks(d.astimezone(timezone.utc)) - 504911232000000000),
    _d("CompareTo", _dt_compareto),
    _d("Equals", lambda i, d, n, a: isinstance(a[0], datetime) and a[0] == d),
    _d("ToShortDateString", lambda i, d, n, a: format_datetime(d, "d")),
    _d("ToLongDateString", lambda i, d, n, a: format_datetime(d, "D")),
    _d("ToShortTimeString", lambda i, d, n, a: format_datetime(d, "t")),
    _d("ToLongTimeString", lambda i, d, n, a: format_datetime(d, "T")),
]))


# ---- arrays and lists -------------------------------------------------------------------------------------

def _where_foreach(interp: Any, obj: list, name: str, args: list[Any]) -> Any:
    from wsfc_lab.pwsh.interp import ScriptBlock
    where = name.lower() == "where"
    if not args or not isinstance(args[0], ScriptBlock):
        raise not_modelled(f".{name}() without a script block")
    out = []
    for item in obj:
        res = interp.invoke_scriptblock(args[0], [], dollar_under=item, new_scope=False)
        if where:
            if to_bool(interp.collect_value(res)):
                out.append(item)
        else:
            out.extend(res)
    return PSList(out, "System.Collections.ObjectModel.Collection`1[[System.Management.Automation.PSObject]]")


def _contains(interp: Any, obj: list, name: str, args: list[Any]) -> bool:
    return any(ps_equals(x, args[0]) if isinstance(x, str) else (x == args[0]) for x in obj)


def _list_index_of(interp: Any, obj: list, name: str, args: list[Any]) -> int:
    for i, x in enumerate(obj):
        if x == args[0]:
            return i
    return -1


def _fixed_size(interp: Any, obj: list, name: str, args: list[Any]) -> Any:
    raise method_error(name, args, "Collection was of a fixed size.", "System.NotSupportedException")


def _list_add(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    obj.append(args[0] if args else None)
    return len(obj) - 1 if obj.type_name == "System.Collections.ArrayList" else _void()


def _list_addrange(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    obj.extend(as_list(args[0]))
    return _void()


def _list_remove(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    for i, x in enumerate(obj):
        if ps_equals(x, args[0], True) if isinstance(x, str) else x == args[0]:
            del obj[i]
            return True if obj.type_name != "System.Collections.ArrayList" else _void()
    return False if obj.type_name != "System.Collections.ArrayList" else _void()


def _list_removeat(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    del obj[to_int(args[0])]
    return _void()


def _list_insert(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    obj.insert(to_int(args[0]), args[1])
    return _void()


def _list_clear(interp: Any, obj: PSList, name: str, args: list[Any]) -> Any:
    obj.clear()
    return _void()


_SHARED_LIST = {
    "where": Method(_where_foreach, ABOUT_ARRAYS + "#where"),
    "foreach": Method(_where_foreach, ABOUT_ARRAYS + "#foreach"),
    "contains": Method(_contains, api("System.Collections.IList", "Contains")),
    "indexof": Method(_list_index_of, api("System.Collections.IList", "IndexOf")),
    "tostring": Method(lambda i, o, n, a: ps_type_name(o), api("System.Object", "ToString")),
    "gettype": Method(lambda i, o, n, a: TypeInfo(ps_type_name(o)), api("System.Object", "GetType")),
    "clone": Method(lambda i, o, n, a: list(o), api("System.Array", "Clone")),
}

# An ArrayList or List[T] (``New-Object System.Collections.ArrayList``, ``[System.Collections.Generic.List[...]]``).
GROWABLE_LIST = Kind("System.Collections.ArrayList", lambda o: isinstance(o, PSList), {
    **_SHARED_LIST,
    "add": Method(_list_add, api("System.Collections.ArrayList", "Add")),
    "addrange": Method(_list_addrange, api("System.Collections.ArrayList", "AddRange")),
    "remove": Method(_list_remove, api("System.Collections.ArrayList", "Remove")),
    "removeat": Method(_list_removeat, api("System.Collections.ArrayList", "RemoveAt")),
    "insert": Method(_list_insert, api("System.Collections.ArrayList", "Insert")),
    "clear": Method(_list_clear, api("System.Collections.ArrayList", "Clear")),
    "toarray": Method(lambda i, o, n, a: list(o), api("System.Collections.ArrayList", "ToArray")),
})

# An array (``@(...)``, a pipeline's output): IList's mutators throw, as an array's fixed size makes them.
ARRAY = Kind("System.Object[]", lambda o: isinstance(o, list), {
    **_SHARED_LIST,
    **{m.lower(): Method(_fixed_size, api("System.Collections.IList", m))
       for m in ("Add", "Remove", "Clear", "Insert", "RemoveAt")},
})


# ---- System.Collections.Hashtable --------------------------------------------------------------------------

def _ht_add(interp: Any, h: PSHashtable, name: str, args: list[Any]) -> Any:
    key = to_string(args[0])
    if key in h:
        raise method_error(name, args, f"Item has already been added. Key in dictionary: '{key}'  Key being "
                           f"added: '{key}'")
    h[key] = args[1] if len(args) > 1 else None
    return _void()


def _ht_remove(interp: Any, h: PSHashtable, name: str, args: list[Any]) -> Any:
    key = to_string(args[0])
    if key in h:
        del h[key]
    return _void()


def _ht_clear(interp: Any, h: PSHashtable, name: str, args: list[Any]) -> Any:
    for k in list(h.keys()):
        del h[k]
    return _void()


def _ht_enumerator(interp: Any, h: PSHashtable, name: str, args: list[Any]) -> list[PSObject]:
    return [PSObject("System.Collections.DictionaryEntry", {"Key": k, "Value": v, "Name": k},
                     to_string="System.Collections.DictionaryEntry") for k, v in h.items()]


def _h(member: str, impl: Impl) -> tuple[str, Method]:
    return member.lower(), Method(impl, api("System.Collections.Hashtable", member))


HASHTABLE = Kind("System.Collections.Hashtable", lambda o: isinstance(o, PSHashtable), dict([
    _h("ContainsKey", lambda i, h, n, a: to_string(a[0]) in h),
    _h("Contains", lambda i, h, n, a: to_string(a[0]) in h),
    _h("ContainsValue", lambda i, h, n, a: any(ps_equals(v, a[0]) for v in h.values())),
    _h("Add", _ht_add),
    _h("Remove", _ht_remove),
    _h("Clear", _ht_clear),
    _h("Clone", lambda i, h, n, a: PSHashtable(h.items(), ordered=h.ordered)),
    _h("GetEnumerator", _ht_enumerator),
    _h("ToString", lambda i, h, n, a: ps_type_name(h)),
]))


# ---- scalars ----------------------------------------------------------------------------------------------

def _num_compareto(interp: Any, obj: Any, name: str, args: list[Any]) -> int:
    o = to_number(args[0])
    return (obj > o) - (obj < o)


def _guid_tostring(interp: Any, obj: uuid.UUID, name: str, args: list[Any]) -> str:
    fmt = to_string(args[0]).upper() if args else "D"
    s = str(obj)
    return {"D": s, "N": obj.hex, "B": "{" + s + "}", "P": "(" + s + ")"}.get(fmt, s)


BOOLEAN = Kind("System.Boolean", lambda o: isinstance(o, bool), {
    "tostring": Method(lambda i, o, n, a: "True" if o else "False", api("System.Boolean", "ToString")),
    "equals": Method(lambda i, o, n, a: o == to_bool(a[0]), api("System.Boolean", "Equals")),
})

NUMBER = Kind("System.Int32", lambda o: isinstance(o, (int, float)), {
    "tostring": Method(lambda i, o, n, a: format_value(o, to_string(a[0]) if a else None),
                       api("System.Int32", "ToString")),
    "equals": Method(lambda i, o, n, a: a[0] is not None and not isinstance(a[0], (str, bool)) and o == a[0],
                     api("System.Int32", "Equals")),
    "compareto": Method(_num_compareto, api("System.Int32", "CompareTo")),
})

GUID = Kind("System.Guid", lambda o: isinstance(o, uuid.UUID), {
    "tostring": Method(_guid_tostring, api("System.Guid", "ToString")),
})

TIMESPAN = Kind("System.TimeSpan", lambda o: isinstance(o, timedelta), {
    "tostring": Method(lambda i, o, n, a: to_string(o), api("System.TimeSpan", "ToString")),
})

ENUM = Kind("System.Enum", lambda o: isinstance(o, PSEnum), {
    "tostring": Method(lambda i, o, n, a: o.name if not a or to_string(a[0]).upper() in ("G", "F") else str(o.value),
                       api("System.Enum", "ToString")),
    "hasflag": Method(lambda i, o, n, a: (o.value & int(a[0])) == int(a[0]), api("System.Enum", "HasFlag")),
})

ERROR_RECORD = Kind("System.Management.Automation.ErrorRecord", lambda o: isinstance(o, ErrorRecord), {
    "tostring": Method(lambda i, o, n, a: o.message, api("System.Management.Automation.ErrorRecord", "ToString")),
})

EXCEPTION = Kind("System.Exception", lambda o: isinstance(o, ExceptionObject), {
    "tostring": Method(lambda i, o, n, a: str(o), api("System.Exception", "ToString")),
})


def _is_scriptblock(o: Any) -> bool:
    from wsfc_lab.pwsh.interp import ScriptBlock
    return isinstance(o, ScriptBlock)


SCRIPTBLOCK = Kind("System.Management.Automation.ScriptBlock", _is_scriptblock, {
    "invoke": Method(lambda i, o, n, a: list(i.invoke_scriptblock(o, list(a))),
                     api("System.Management.Automation.ScriptBlock", "Invoke")),
    "invokereturnasis": Method(lambda i, o, n, a: i.collect_value(i.invoke_scriptblock(o, list(a))),
                               api("System.Management.Automation.ScriptBlock", "InvokeReturnAsIs")),
    "tostring": Method(lambda i, o, n, a: str(o), api("System.Management.Automation.ScriptBlock", "ToString")),
})


# ---- System.Text.Encoding ---------------------------------------------------------------------------------

def _get_string(interp: Any, enc: Encoding, name: str, args: list[Any]) -> str:
    data = args[0]
    if isinstance(data, list):
        data = bytes(to_int(x, "System.Byte") for x in data)
    if not isinstance(data, (bytes, bytearray)):
        raise method_error(name, args, "Array cannot be null.\r\nParameter name: bytes", "System.ArgumentNullException")
    if len(args) == 3:
        data = data[to_int(args[1]):to_int(args[1]) + to_int(args[2])]
    return bytes(data).decode(enc.codec, "replace")


ENCODING = Kind("System.Text.Encoding", lambda o: isinstance(o, Encoding), {
    "getstring": Method(_get_string, api("System.Text.Encoding", "GetString")),
    "getbytes": Method(lambda i, o, n, a: to_string(a[0]).encode(o.codec, "replace"),
                       api("System.Text.Encoding", "GetBytes")),
    "getpreamble": Method(lambda i, o, n, a: b"\xef\xbb\xbf" if o.bom and o.codec == "utf-8" else b"",
                          api("System.Text.Encoding", "GetPreamble")),
}, missing="NotModelled")


# ---- System.Security.AccessControl.DirectorySecurity (the lab keeps its SDDL) ---------------------------------

def _set_sddl(interp: Any, sec: Any, name: str, args: list[Any]) -> Any:
    sec.sddl = to_string(args[0])
    return _void()


_OBJECT_SECURITY = "System.Security.AccessControl.ObjectSecurity"
DIRECTORY_SECURITY = Kind("System.Security.AccessControl.DirectorySecurity",
                          lambda o: type(o).__name__ == "DirectorySecurity", {
                              "setsecuritydescriptorsddlform": Method(
                                  _set_sddl, api(_OBJECT_SECURITY, "SetSecurityDescriptorSddlForm")),
                              "getsecuritydescriptorsddlform": Method(
                                  lambda i, o, n, a: o.sections(to_string(a[0])),
                                  api(_OBJECT_SECURITY, "GetSecurityDescriptorSddlForm")),
                          }, missing="NotModelled")


# ---- objects the cmdlets return, and anything else ----------------------------------------------------------

PSOBJECT = Kind("System.Management.Automation.PSObject", lambda o: isinstance(o, PSObject), {
    "tostring": Method(lambda i, o, n, a: to_string(o), api("System.Management.Automation.PSObject", "ToString")),
    "equals": Method(lambda i, o, n, a: o is a[0], api("System.Management.Automation.PSObject", "Equals")),
}, missing="NotModelled")

OTHER = Kind("System.Object", lambda o: True, {
    "tostring": Method(lambda i, o, n, a: to_string(o), api("System.Object", "ToString")),
}, missing="NotModelled")

# Most specific first: bool before numbers (a Python bool is an int), a growable list before an array.
KINDS: list[Kind] = [STRING, DATETIME, GROWABLE_LIST, ARRAY, HASHTABLE, BOOLEAN, NUMBER, GUID, TIMESPAN, ENUM,
                     ERROR_RECORD, EXCEPTION, SCRIPTBLOCK, ENCODING, DIRECTORY_SECURITY, PSOBJECT, OTHER]
GETTYPE = Method(lambda i, o, n, a: TypeInfo(ps_type_name(o)), api("System.Object", "GetType"))


def kind_of(obj: Any) -> Kind:
    return next(k for k in KINDS if k.matches(obj))


def kind_named(type_name: str) -> Kind | None:
    return next((k for k in KINDS if k.type_name.lower() == type_name.lower()), None)


def modelled_on(kind: Kind, name: str) -> Method | None:
    n = name.lower()
    if n == "gettype":
        return kind.methods.get(n, GETTYPE)
    return kind.methods.get(n)


def modelled_anywhere(name: str) -> bool:
    """Some kind models ``name`` (what the static check asks of a call on a value it cannot type)."""
    return name.lower() == "gettype" or any(name.lower() in k.methods for k in KINDS)


def invoke_method(interp: Any, obj: Any, name: str, args: list[Any]) -> Any:
    """``$obj.Name(args)``."""
    n = name.lower()
    if n == "gettype" and not args:
        return GETTYPE.impl(interp, obj, name, args)
    kind = kind_of(obj)
    method = kind.methods.get(n)
    if method is not None:
        return method.impl(interp, obj, name, args)
    if kind is PSOBJECT:
        methods = getattr(obj, "methods", None)
        if methods and n in {k.lower() for k in methods}:
            fn = [v for k, v in methods.items() if k.lower() == n][0]
            return fn(*args)
        raise not_modelled(f"the method {name}() of [{obj.type_name}]")
    if kind.missing == "NotModelled":
        type_name = kind.type_name if kind in (ENCODING, DIRECTORY_SECURITY) else ps_type_name(obj)
        raise not_modelled(f"the method {name}() of [{type_name}]")
    raise no_method(obj, name)
