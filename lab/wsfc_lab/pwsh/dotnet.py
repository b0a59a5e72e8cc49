""".NET members a script may touch: properties, methods, static members, indexing.

Everything a script can reach on a value is listed in tables that are easy
to extend: ``STATIC_PROPERTIES`` here (``[DateTime]::UtcNow`` ...), the
instance methods per value kind in ``dotnet_methods`` and the static methods
in ``dotnet_static`` (each citing its Microsoft Learn page), and the property
rules (PowerShell's member enumeration, ``.Count``/``.Length`` and Windows
PowerShell 5.1's strict mode, under which ``.Count`` on a scalar throws).
Anything missing raises NotModelled (methods) or PowerShell's own error
(properties).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.objects import PSEnum, PSHashtable, PSObject, PropertyNotFound
from wsfc_lab.pwsh.values import (LOCAL, PSList, PSVersion, TypeRef, canonical_type, ps_type_name, to_int,
                                  to_string, type_names)

# ---- exceptions -----------------------------------------------------------------------------------------

EXCEPTION_PARENTS = {
    "System.SystemException": "System.Exception",
    "System.Management.Automation.RuntimeException": "System.SystemException",
    "System.Management.Automation.ParameterBindingException": "System.Management.Automation.RuntimeException",
    "System.Management.Automation.CommandNotFoundException": "System.Management.Automation.RuntimeException",
    "System.Management.Automation.ActionPreferenceStopException": "System.Management.Automation.RuntimeException",
    "System.Management.Automation.MethodInvocationException": "System.Management.Automation.MethodException",
    "System.Management.Automation.MethodException": "System.Management.Automation.ExtendedTypeSystemException",
    "System.Management.Automation.PropertyNotFoundException": "System.Management.Automation.ExtendedTypeSystemException",
    "System.Management.Automation.ExtendedTypeSystemException": "System.Management.Automation.RuntimeException",
    "System.Management.Automation.PSInvalidCastException": "System.InvalidCastException",
    "System.Management.Automation.ItemNotFoundException": "System.Management.Automation.SessionStateException",
    "System.Management.Automation.SessionStateException": "System.Management.Automation.RuntimeException",
    "System.Management.Automation.ParentContainsErrorRecordException": "System.SystemException",
    "System.Management.Automation.PSArgumentException": "System.ArgumentException",
    "System.Management.Automation.PSInvalidOperationException": "System.InvalidOperationException",
    "System.InvalidCastException": "System.SystemException",
    "System.InvalidOperationException": "System.SystemException",
    "System.ArgumentException": "System.SystemException",
    "System.ArgumentNullException": "System.ArgumentException",
    "System.ArgumentOutOfRangeException": "System.ArgumentException",
    "System.FormatException": "System.SystemException",
    "System.NotImplementedException": "System.SystemException",
    "System.NotSupportedException": "System.SystemException",
    "System.TimeoutException": "System.SystemException",
    "System.IndexOutOfRangeException": "System.SystemException",
    "System.IO.IOException": "System.SystemException",
    "System.UnauthorizedAccessException": "System.SystemException",
    "Microsoft.Management.Infrastructure.CimException": "System.SystemException",
    "System.ComponentModel.Win32Exception": "System.Runtime.InteropServices.ExternalException",
    "System.Runtime.InteropServices.ExternalException": "System.SystemException",
    "Microsoft.PowerShell.Commands.WriteErrorException": "System.SystemException",
}


def exception_matches(actual: str, wanted: str) -> bool:
    """``catch [wanted]`` catches ``actual`` (or a subclass)."""
    want = canonical_type(wanted).lower()
    t: str | None = actual
    while t:
        if t.lower() == want or t.lower().rsplit(".", 1)[-1] == want:
            return True
        t = EXCEPTION_PARENTS.get(t)
    return want == "system.exception"


class ExceptionObject:
    """``$_.Exception``."""

    def __init__(self, type_name: str, message: str, record: ErrorRecord | None = None):
        self.type_name = type_name
        self.message = message
        self.record = record
        chain = [type_name]
        t = EXCEPTION_PARENTS.get(type_name)
        while t:
            chain.append(t)
            t = EXCEPTION_PARENTS.get(t)
        if "System.Exception" not in chain:
            chain.append("System.Exception")
        self.type_names = chain + ["System.Object"]

    def ps_member(self, name: str) -> Any:
        n = name.lower()
        if n == "message":
            return self.message
        if n == "innerexception":
            return None
        if n == "errorrecord" and self.record is not None and "RuntimeException" in " ".join(self.type_names):
            return self.record
        if n == "hresult":
            return -2146233087
        if n == "source" or n == "stacktrace" or n == "helplink":
            return None
        if n == "data":
            return PSHashtable()
        raise KeyError(name)

    def __str__(self) -> str:
        return f"{self.type_name}: {self.message}"


class CategoryInfoObject:
    type_names = ["System.Management.Automation.ErrorCategoryInfo", "System.Object"]

    def __init__(self, record: ErrorRecord):
        self.record = record

    def ps_member(self, name: str) -> Any:
        r = self.record
        n = name.lower()
        if n == "category":
            return PSEnum("System.Management.Automation.ErrorCategory", r.category, ERROR_CATEGORIES.get(r.category, 0))
        if n == "activity":
            return r.activity
        if n == "reason":
            return r.exception_short
        if n == "targetname":
            return "" if r.target is None else to_string(r.target)
        if n == "targettype":
            return "" if r.target is None else ps_type_name(r.target).rsplit(".", 1)[-1]
        raise KeyError(name)

    def __str__(self) -> str:
        return self.record.category_info()


ERROR_CATEGORIES = {
    "NotSpecified": 0, "OpenError": 1, "CloseError": 2, "DeviceError": 3, "DeadlockDetected": 4,
    "InvalidArgument": 5, "InvalidData": 6, "InvalidOperation": 7, "InvalidResult": 8, "InvalidType": 9,
    "MetadataError": 10, "NotImplemented": 11, "NotInstalled": 12, "ObjectNotFound": 13, "OperationStopped": 14,
    "OperationTimeout": 15, "SyntaxError": 16, "ParserError": 17, "PermissionDenied": 18, "ResourceBusy": 19,
    "ResourceExists": 20, "ResourceUnavailable": 21, "ReadError": 22, "WriteError": 23, "FromStdErr": 24,
    "SecurityError": 25, "ProtocolError": 26, "ConnectionError": 27, "AuthenticationError": 28,
    "LimitsExceeded": 29, "QuotaExceeded": 30, "NotEnabled": 31,
}


class InvocationInfoObject:
    type_names = ["System.Management.Automation.InvocationInfo", "System.Object"]

    def __init__(self, record: ErrorRecord):
        self.record = record

    def ps_member(self, name: str) -> Any:
        p = self.record.position
        n = name.lower()
        if n == "scriptlinenumber":
            return p.line if p else 0
        if n == "offsetinline":
            return p.column if p else 0
        if n == "line":
            return p.line_text if p else ""
        if n == "positionmessage":
            return p.message() if p else ""
        if n in ("mycommand", "invocationname"):
            return self.record.command or self.record.activity or None
        if n in ("scriptname", "pscommandpath", "psscriptroot"):
            return ""
        raise KeyError(name)


def _record_member(r: ErrorRecord, name: str) -> Any:
    n = name.lower()
    if n == "exception":
        return ExceptionObject(r.exception_type, r.message, r)
    if n == "fullyqualifiederrorid":
        return r.error_id
    if n == "categoryinfo":
        return CategoryInfoObject(r)
    if n == "targetobject":
        return r.target
    if n == "invocationinfo":
        return InvocationInfoObject(r)
    if n == "errordetails":
        return None
    if n == "scriptstacktrace":
        return f"at <ScriptBlock>, <No file>: line {r.position.line if r.position else 1}"
    if n == "pipelineiterationinfo":
        return []
    raise KeyError(name)


class TypeInfo:
    """``$x.GetType()``."""

    type_names = ["System.RuntimeType", "System.Type", "System.Object"]

    def __init__(self, full_name: str):
        self.full_name = full_name

    def ps_member(self, name: str) -> Any:
        n = name.lower()
        if n == "fullname":
            return self.full_name
        if n == "name":
            return self.full_name.rsplit(".", 1)[-1]
        if n == "namespace":
            return self.full_name.rsplit(".", 1)[0] if "." in self.full_name else ""
        if n == "isarray":
            return self.full_name.endswith("[]")
        raise KeyError(name)

    def __str__(self) -> str:
        return self.full_name


class PSObjectView:
    """``$x.PSObject``: ``.Properties`` (Name/Value/TypeNameOfValue) and ``.TypeNames``."""

    type_names = ["System.Management.Automation.PSObject", "System.Object"]

    def __init__(self, obj: Any):
        self.obj = obj

    def ps_member(self, name: str) -> Any:
        n = name.lower()
        if n == "properties":
            return [_property_info(k, v) for k, v in property_items(self.obj)]
        if n == "typenames":
            return type_names(self.obj)
        if n == "baseobject" or n == "immediatebaseobject":
            return self.obj
        if n == "members":
            return [_property_info(k, v) for k, v in property_items(self.obj)]
        raise KeyError(name)


def _property_info(name: str, value: Any) -> PSObject:
    return PSObject("System.Management.Automation.PSNoteProperty",
                    {"Name": name, "Value": value, "MemberType": PSEnum("System.Management.Automation.PSMemberTypes",
                                                                          "NoteProperty", 2),
                     "TypeNameOfValue": ps_type_name(value) if value is not None else "System.Object",
                     "IsSettable": True, "IsGettable": True}, to_string=f"{name}={to_string(value)}")


def property_items(obj: Any) -> list[tuple[str, Any]]:
    """The properties of an object (Select-Object *, ConvertTo-Json, Format-List)."""
    if isinstance(obj, PSObject):
        return obj.props.items()
    if isinstance(obj, PSHashtable):
        return [("IsReadOnly", False), ("IsFixedSize", False), ("IsSynchronized", False),
                ("Keys", obj.keys()), ("Values", obj.values()), ("SyncRoot", None), ("Count", len(obj))]
    if isinstance(obj, ErrorRecord):
        return [(k, _record_member(obj, k)) for k in ("Exception", "TargetObject", "CategoryInfo",
                                                       "FullyQualifiedErrorId", "ErrorDetails", "InvocationInfo",
                                                       "ScriptStackTrace", "PipelineIterationInfo")]
    if isinstance(obj, ExceptionObject):
        return [("Message", obj.message), ("Data", PSHashtable()), ("InnerException", None), ("TargetSite", None),
                ("StackTrace", None), ("HelpLink", None), ("Source", None), ("HResult", -2146233087)]
    if isinstance(obj, datetime):
        return [(k, _datetime_member(obj, k)) for k in DATETIME_PROPS]
    if isinstance(obj, str):
        return [("Length", len(obj))]
    if isinstance(obj, PSVersion):
        return [(k, obj.ps_member(k)) for k in ("Major", "Minor", "Build", "Revision")]
    return []


# ---- instance members ------------------------------------------------------------------------------------

DATETIME_PROPS = ["Date", "Day", "DayOfWeek", "DayOfYear", "Hour", "Kind", "Millisecond", "Minute", "Month",
                  "Second", "Ticks", "TimeOfDay", "Year", "DateTime"]
EPOCH_TICKS = 621355968000000000


def datetime_ticks(d: datetime) -> int:
    naive = d.replace(tzinfo=None)
    delta = naive - datetime(1, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _datetime_member(d: datetime, name: str) -> Any:
    from wsfc_lab.pwsh.json51 import long_date_time
    n = name.lower()
    simple = {"day": d.day, "hour": d.hour, "minute": d.minute, "month": d.month, "second": d.second,
              "year": d.year, "millisecond": d.microsecond // 1000, "dayofyear": d.timetuple().tm_yday}
    if n in simple:
        return simple[n]
    if n == "ticks":
        return datetime_ticks(d)
    if n == "dayofweek":
        idx = (d.weekday() + 1) % 7
        return PSEnum("System.DayOfWeek", ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                           "Saturday"][idx], idx)
    if n == "kind":
        if d.tzinfo is timezone.utc:
            return PSEnum("System.DateTimeKind", "Utc", 1)
        if d.tzinfo is None:
            return PSEnum("System.DateTimeKind", "Unspecified", 0)
        return PSEnum("System.DateTimeKind", "Local", 2)
    if n == "date":
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if n == "timeofday":
        return timedelta(hours=d.hour, minutes=d.minute, seconds=d.second, microseconds=d.microsecond)
    if n == "datetime":
        return long_date_time(d)
    raise KeyError(name)


def _timespan_member(t: timedelta, name: str) -> Any:
    n = name.lower()
    total = t.total_seconds()
    a = abs(t)
    sign = -1 if total < 0 else 1
    table = {"totalseconds": total, "totalmilliseconds": total * 1000, "totalminutes": total / 60,
             "totalhours": total / 3600, "totaldays": total / 86400, "days": sign * a.days,
             "hours": sign * (a.seconds // 3600), "minutes": sign * (a.seconds // 60 % 60),
             "seconds": sign * (a.seconds % 60), "milliseconds": sign * (a.microseconds // 1000),
             "ticks": int(round(total * 1e7))}
    if n in table:
        return table[n]
    raise KeyError(name)


class _Missing(Exception):
    pass


def _raw_member(interp: Any, obj: Any, name: str) -> Any:
    """A member of one (non-enumerated) object, or raise _Missing."""
    n = name.lower()
    if n == "psobject":
        return PSObjectView(obj)
    if isinstance(obj, PSHashtable):
        if n == "count":
            return len(obj)
        if n == "keys":
            return list(obj.keys())
        if n == "values":
            return list(obj.values())
        if name in obj:
            return obj[name]
        return None if not _is_dict_prop(n) else _dict_prop(obj, n)
    if isinstance(obj, PSObject):
        try:
            return obj.get(name)
        except PropertyNotFound:
            raise _Missing() from None
    if isinstance(obj, ErrorRecord):
        try:
            return _record_member(obj, name)
        except KeyError:
            raise _Missing() from None
    if isinstance(obj, str):
        if n == "length":
            return len(obj)
        raise _Missing()
    if isinstance(obj, (list, bytes)):
        if n in ("count", "length"):
            return len(obj)
        if n == "longlength":
            return len(obj)
        if n == "rank":
            return 1
        if n == "issynchronized" or n == "isreadonly":
            return False
        if n == "isfixedsize":
            return not isinstance(obj, PSList)
        raise _Missing()
    if isinstance(obj, datetime):
        try:
            return _datetime_member(obj, name)
        except KeyError:
            raise _Missing() from None
    if isinstance(obj, timedelta):
        try:
            return _timespan_member(obj, name)
        except KeyError:
            raise _Missing() from None
    if isinstance(obj, PSEnum):
        if n == "value__":
            return obj.value
        raise _Missing()
    if isinstance(obj, uuid.UUID):
        raise _Missing()
    if isinstance(obj, TypeRef):
        info = TypeInfo(obj.name)
        try:
            return info.ps_member(name)
        except KeyError:
            raise _Missing() from None
    member = getattr(obj, "ps_member", None)
    if member is not None:
        try:
            return member(name)
        except KeyError:
            raise _Missing() from None
    raise _Missing()


def _is_dict_prop(n: str) -> bool:
    return n in ("isreadonly", "isfixedsize", "issynchronized", "syncroot")


def _dict_prop(obj: PSHashtable, n: str) -> Any:
    return {"isreadonly": False, "isfixedsize": False, "issynchronized": False, "syncroot": obj}[n]


def property_not_found(name: str) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(
        f"The property '{name}' cannot be found on this object. Verify that the property exists.", "NotSpecified",
        "PropertyNotFoundStrict", "System.Management.Automation.PropertyNotFoundException"))


def get_member(interp: Any, obj: Any, name: str) -> Any:
    """``$obj.Name`` with member enumeration and strict-mode rules (5.1)."""
    strict = getattr(interp, "strict", 0) >= 2
    if obj is None:
        if strict:
            raise property_not_found(name)
        return None
    try:
        return _raw_member(interp, obj, name)
    except _Missing:
        pass
    if isinstance(obj, (list, bytes)) and not isinstance(obj, bytes):
        # member enumeration
        out: list[Any] = []
        any_found = False
        for item in obj:
            try:
                v = _raw_member(interp, item, name)
                any_found = True
            except _Missing:
                if isinstance(item, list):
                    v = get_member(interp, item, name)
                    any_found = True
                else:
                    continue
            if isinstance(v, list):
                out.extend(v)
            else:
                out.append(v)
        if not any_found and strict:
            raise property_not_found(name)
        if not out:
            return None
        return out[0] if len(out) == 1 else out
    if strict:
        raise property_not_found(name)
    return None


def set_member(interp: Any, obj: Any, name: str, value: Any) -> None:
    if obj is None:
        raise PSRuntimeError(ErrorRecord(f"The property '{name}' cannot be found on this object. Verify that the "
                                         "property exists and can be set.", "InvalidOperation", "PropertyNotFound",
                                         "System.Management.Automation.RuntimeException"))
    if isinstance(obj, PSHashtable):
        obj[name] = value
        return
    if isinstance(obj, PSObject):
        try:
            obj.set(name, value)
        except PropertyNotFound:
            raise PSRuntimeError(ErrorRecord(
                f"The property '{name}' cannot be found on this object. Verify that the property exists and can be "
                "set.", "InvalidOperation", "PropertyAssignmentException",
                "System.Management.Automation.RuntimeException")) from None
        return
    raise not_modelled(f"setting the property '{name}' on [{ps_type_name(obj)}]")


def get_index(interp: Any, obj: Any, idx: Any) -> Any:
    if obj is None:
        raise PSRuntimeError(ErrorRecord("Cannot index into a null array.", "InvalidOperation", "NullArray",
                                         "System.Management.Automation.RuntimeException"))
    if isinstance(obj, PSHashtable):
        if isinstance(idx, list):
            return [obj.get(to_string(k)) for k in idx]
        key = idx if isinstance(idx, str) else to_string(idx)
        return obj.get(key) if key in obj else None
    if isinstance(idx, list):
        out = []
        for i in idx:
            v = get_index(interp, obj, i)
            if v is not None:
                out.append(v)
        return out
    if isinstance(obj, (list, bytes, str)):
        i = to_int(idx)
        n = len(obj)
        if -n <= i < n:
            return obj[i]
        if getattr(interp, "strict", 0) >= 3 and not isinstance(obj, str):
            raise PSRuntimeError(ErrorRecord("Index was outside the bounds of the array.", "NotSpecified",
                                             "System.IndexOutOfRangeException", "System.IndexOutOfRangeException"))
        return None
    if isinstance(obj, PSObject):
        # a scalar indexes as a one-element collection
        i = to_int(idx)
        return obj if i in (0, -1) else None
    i = to_int(idx) if isinstance(idx, (int, float, str)) else None
    if i in (0, -1):
        return obj
    return None


def set_index(interp: Any, obj: Any, idx: Any, value: Any) -> None:
    if isinstance(obj, PSHashtable):
        obj[idx if isinstance(idx, str) else to_string(idx)] = value
        return
    if isinstance(obj, list):
        i = to_int(idx)
        if not -len(obj) <= i < len(obj):
            raise PSRuntimeError(ErrorRecord("Index was outside the bounds of the array.", "InvalidOperation",
                                             "IndexOutOfRange", "System.Management.Automation.RuntimeException"))
        obj[i] = value
        return
    if obj is None:
        raise PSRuntimeError(ErrorRecord("Cannot index into a null array.", "InvalidOperation", "NullArray",
                                         "System.Management.Automation.RuntimeException"))
    raise not_modelled(f"assigning by index into [{ps_type_name(obj)}]")


# ---- methods --------------------------------------------------------------------------------------------
# Instance methods: wsfc_lab.pwsh.dotnet_methods; static methods: wsfc_lab.pwsh.dotnet_static (tables that
# cite each member's page and that the static check reads).


# ---- System.Security.AccessControl -------------------------------------------------------------------------

class DirectorySecurity:
    """A ``System.Security.AccessControl.DirectorySecurity`` as the lab keeps it: its SDDL text only.

    What the scripts use (https://learn.microsoft.com/dotnet/api/system.security.accesscontrol.directorysecurity?
    view=netframework-4.8): ``New-Object`` of it (an empty descriptor), ObjectSecurity.SetSecurityDescriptorSddlForm
    (sets the whole descriptor from SDDL) and GetSecurityDescriptorSddlForm(AccessControlSections) (the SDDL of the
    sections asked for: Owner ``O:``, Group ``G:``, Access ``D:``, Audit ``S:``; ``All`` or a comma list).
    Access rules, inheritance and rights are not evaluated: the lab keeps what was set and reads it back.
    """

    type_names = ["System.Security.AccessControl.DirectorySecurity",
                  "System.Security.AccessControl.FileSystemSecurity",
                  "System.Security.AccessControl.NativeObjectSecurity",
                  "System.Security.AccessControl.CommonObjectSecurity",
                  "System.Security.AccessControl.ObjectSecurity", "System.Object"]

    def __init__(self, sddl: str = ""):
        self.sddl = sddl

    def parts(self) -> dict[str, str]:
        """``{"O": "O:BA", "G": ..., "D": "D:P(...)", "S": ...}`` of the SDDL text."""
        import re
        out = {}
        for match in re.finditer(r"([OGDS]):((?:\([^)]*\)|[^()])*?)(?=[OGDS]:|$)", self.sddl):
            out[match.group(1)] = match.group(1) + ":" + match.group(2)
        return out

    def sections(self, which: str) -> str:
        names = [w.strip().lower() for w in which.split(",")]
        keys = "OGDS" if "all" in names else "".join(
            k for k, n in (("O", "owner"), ("G", "group"), ("D", "access"), ("S", "audit")) if n in names)
        parts = self.parts()
        return "".join(parts[k] for k in keys if k in parts)

    def __str__(self) -> str:
        return "System.Security.AccessControl.DirectorySecurity"


# ---- static members -------------------------------------------------------------------------------------

class Encoding:
    """``[Text.Encoding]::UTF8`` and friends."""

    type_names = ["System.Text.Encoding", "System.Object"]

    def __init__(self, codec: str, name: str, bom: bool = False):
        self.codec = codec
        self.name = name
        self.bom = bom

    def ps_member(self, name: str) -> Any:
        n = name.lower()
        if n in ("webname", "bodyname", "headername"):
            return self.name
        if n == "encodingname":
            return {"utf-8": "Unicode (UTF-8)", "utf-16-le": "Unicode", "ascii": "US-ASCII"}.get(self.codec, self.name)
        if n == "codepage":
            return {"utf-8": 65001, "utf-16-le": 1200, "ascii": 20127, "utf-16-be": 1201, "cp437": 437}.get(
                self.codec, 0)
        raise KeyError(name)

    def __str__(self) -> str:
        return "System.Text." + {"utf-8": "UTF8Encoding", "utf-16-le": "UnicodeEncoding",
                                 "ascii": "ASCIIEncoding"}.get(self.codec, "Encoding")


def _now(interp: Any) -> datetime:
    now = interp.host.now() if callable(getattr(interp.host, "now", None)) else datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now


def _console_set_encoding(interp: Any, value: Any) -> None:
    if isinstance(value, Encoding):
        interp.output_encoding = value.codec
    else:
        raise not_modelled("[Console]::OutputEncoding set to a non-encoding value")


# (type, member) -> property getter(interp) ; methods: (type, member) -> fn(interp, args)
STATIC_PROPERTIES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("System.Text.Encoding", "utf8"): lambda i: Encoding("utf-8", "utf-8", bom=True),
    ("System.Text.Encoding", "unicode"): lambda i: Encoding("utf-16-le", "utf-16"),
    ("System.Text.Encoding", "ascii"): lambda i: Encoding("ascii", "us-ascii"),
    ("System.Text.Encoding", "bigendianunicode"): lambda i: Encoding("utf-16-be", "utf-16BE"),
    ("System.Text.Encoding", "default"): lambda i: Encoding("cp1252", "Windows-1252"),
    ("System.DateTime", "utcnow"): lambda i: _now(i).astimezone(timezone.utc),
    ("System.DateTime", "now"): lambda i: _now(i).astimezone(LOCAL),
    ("System.DateTime", "today"): lambda i: _now(i).astimezone(LOCAL).replace(hour=0, minute=0, second=0,
                                                                              microsecond=0),
    ("System.DateTime", "minvalue"): lambda i: datetime(1, 1, 1),
    ("System.DateTime", "maxvalue"): lambda i: datetime(9999, 12, 31, 23, 59, 59, 999999),
    ("System.Guid", "empty"): lambda i: uuid.UUID(int=0),
    ("System.Int32", "maxvalue"): lambda i: 2 ** 31 - 1,
    ("System.Int32", "minvalue"): lambda i: -(2 ** 31),
    ("System.Int64", "maxvalue"): lambda i: 2 ** 63 - 1,
    ("System.Int64", "minvalue"): lambda i: -(2 ** 63),
    ("System.Double", "maxvalue"): lambda i: 1.7976931348623157e308,
    ("System.Double", "nan"): lambda i: math.nan,
    ("System.String", "empty"): lambda i: "",
    ("System.Environment", "machinename"): lambda i: i.env().get("COMPUTERNAME", ""),
    ("System.Environment", "newline"): lambda i: "\r\n",
    ("System.Environment", "username"): lambda i: i.env().get("USERNAME", ""),
    ("System.Environment", "userdomainname"): lambda i: i.env().get("USERDOMAIN", ""),
    ("System.Management.Automation.PSCustomObject", "__dummy"): lambda i: None,
    ("System.Console", "outputencoding"): lambda i: Encoding(i.output_encoding, i.output_encoding),
    ("System.Math", "pi"): lambda i: math.pi,
}

STATIC_SETTERS: dict[tuple[str, str], Callable[[Any, Any], None]] = {
    ("System.Console", "outputencoding"): _console_set_encoding,
}

def _type_of(target: Any) -> str:
    if isinstance(target, TypeRef):
        return target.name
    raise not_modelled("static member access on a non-type value")


def _lookup(table: dict, t: str, name: str) -> Any:
    hit = table.get((t, name.lower()))
    if hit is None and not t.startswith("System."):
        hit = table.get(("System." + t, name.lower()))
    return hit


def get_static(interp: Any, target: Any, name: str) -> Any:
    t = _type_of(target)
    fn = _lookup(STATIC_PROPERTIES, t, name)
    if fn is not None:
        return fn(interp)
    enum = _reference_enum(interp, t, name)
    if enum is not None:
        return enum
    raise not_modelled(f"the static member [{t}]::{name}")


def set_static(interp: Any, target: Any, name: str, value: Any) -> None:
    t = _type_of(target)
    fn = _lookup(STATIC_SETTERS, t, name)
    if fn is None:
        raise not_modelled(f"setting the static member [{t}]::{name}")
    fn(interp, value)


def _reference_enum(interp: Any, type_name: str, member: str) -> Any:
    ref = getattr(interp, "reference", None)
    if ref is None:
        return None
    spec = ref.enum(type_name) if hasattr(ref, "enum") else None
    if not spec:
        return None
    for k, v in (spec.get("values") or {}).items():
        if k.lower() == member.lower():
            return PSEnum(spec.get("name", type_name), k, int(v))
    return None
