"""The lab engine's values as PSRP serialises them (CLIXML through psrpcore's types), and back.

[MS-PSRP] 2.2.5 (Serialization) fixes how each value travels; psrpcore
writes the XML, this module only chooses the type for each lab value:

* ``str``/``bool``/``None``, ``int`` as ``<I32>`` when it fits and ``<I64>``
  otherwise (PowerShell's integer literals widen the same way), ``float`` as
  ``<Db>`` (PowerShell's default real is a Double), ``datetime`` as ``<DT>``;
* an array (a list the script kept whole, e.g. ``,@(1,2)``) as
  ``System.Object[]`` with ``<LST>``, a hashtable as ``System.Collections.Hashtable``
  with ``<DCT>`` (2.2.5.2.6.3, 2.2.5.2.6.4);
* a ``PSCustomObject`` with its properties as note properties (``<MS>``), any
  other .NET object with its properties as adapted properties (``<Props>``)
  and its type names (2.2.5.2.3, 2.2.5.2.4), its ``ToString`` when the lab
  knows it; an enum as its underlying ``<I32>`` with the enum's type names and
  the member name as ``ToString`` (2.2.5.2.7);
* anything else the engine holds as an object of its .NET type name whose
  ``ToString`` is its PowerShell string (what a serialisation depth of 0
  keeps of an object).

Error records become ``System.Management.Automation.ErrorRecord`` (2.2.3.15)
with the exception's type names, the category, reason, target and the
position, so a client prints ``Cmd : message``, ``At line:L char:C`` and the
``CategoryInfo``/``FullyQualifiedErrorId`` lines as the console does.
"""

from __future__ import annotations

import datetime as _dt
import types
from typing import Any

from psrpcore.types import (
    CommandTypes,
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord as PSErrorRecord,
    InvocationInfo,
    NETException,
    PSDateTime,
    PSDouble,
    PSEnumBase,
    PSInt,
    PSInt64,
    PSList,
    PSNoteProperty,
    PSObject as CoreObject,
    PSType,
    PSVersion as CoreVersion,
    add_note_property,
)

from wsfc_lab.pwsh.errors import ErrorRecord
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.values import PSVersion, ps_type_name, short_type_name, to_string

_INT32 = range(-2 ** 31, 2 ** 31)
_ENUM_TYPES: dict[tuple[str, str, int], type] = {}
# HResult of System.SystemException (COR_E_SYSTEM), which RuntimeException and the engine's other exceptions keep.
_COR_E_SYSTEM = -2146233087


def to_clixml_value(value: Any) -> Any:
    """The psrpcore value that serialises ``value`` (a lab engine value) as Windows PowerShell does."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return PSInt(value) if value in _INT32 else PSInt64(value)
    if isinstance(value, float):
        return PSDouble(value)
    if isinstance(value, _dt.datetime):
        return PSDateTime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                          value.microsecond, tzinfo=value.tzinfo)
    if isinstance(value, PSVersion):
        return CoreVersion(to_string(value))
    if isinstance(value, PSEnum):
        return _enum_member(value)
    if isinstance(value, list):
        array = PSList([to_clixml_value(v) for v in value])
        array.PSObject.type_names = ["System.Object[]", "System.Array", "System.Object"]
        return array
    if isinstance(value, PSHashtable):
        return {k: to_clixml_value(v) for k, v in value.items()}
    if isinstance(value, PSObject):
        return _object(value)
    return _opaque(value)


def _enum_member(value: PSEnum) -> Any:
    key = (value.type_name, value.name, value.value)
    cls = _ENUM_TYPES.get(key)
    if cls is None:
        cls = PSType([value.type_name])(PSEnumBase(value.type_name.rsplit(".", 1)[-1], {value.name: value.value}))
        _ENUM_TYPES[key] = cls
    return cls[value.name]


def _object(value: PSObject) -> CoreObject:
    obj = CoreObject()
    obj.PSObject.type_names = list(value.type_names)
    custom = value.type_name == PSCUSTOMOBJECT
    for name, prop in value.props.items():
        converted = to_clixml_value(prop)
        if custom:
            add_note_property(obj, name, converted)
        else:
            obj.PSObject.adapted_properties.append(PSNoteProperty(name, converted))
    if not custom:
        obj.PSObject.to_string = str(value)
    return obj


def _opaque(value: Any) -> CoreObject:
    obj = CoreObject()
    obj.PSObject.type_names = [ps_type_name(value), "System.Object"]
    obj.PSObject.to_string = to_string(value)
    return obj


def from_clixml_value(value: Any) -> Any:
    """A lab engine value for a pipeline input object a client sent (strings, numbers, lists, hashtables)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list):
        return [from_clixml_value(v) for v in value]
    if isinstance(value, dict):
        return PSHashtable({str(k): from_clixml_value(v) for k, v in value.items()})
    raise TypeError(f"pipeline input of type {type(value).__name__}")


# ---- error records ---------------------------------------------------------------------------------------

class _CategoryInfo(ErrorCategoryInfo):
    """``ErrorCategoryInfo`` whose text is ``GetMessage()``'s: ``Category: (target:type) [activity], reason``."""

    def __str__(self) -> str:
        return (f"{self.Category.name}: ({self.TargetName or ''}:{self.TargetType or ''}) "
                f"[{self.Activity or ''}], {self.Reason or ''}")


def _crlf(text: str) -> str:
    """Windows' texts end lines with Environment.NewLine (CRLF)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _exception(record: ErrorRecord) -> NETException:
    exc = NETException(Message=_crlf(record.message))
    names = [record.exception_type]
    if record.exception_type.startswith("System.Management.Automation."):
        exc.HResult = _COR_E_SYSTEM
        if record.exception_type != "System.Management.Automation.RuntimeException":
            names.append("System.Management.Automation.RuntimeException")
        names.append("System.SystemException")
    names += [n for n in ("System.Exception", "System.Object") if n not in names]
    exc.PSObject.type_names = names
    return exc


def _category(name: str) -> ErrorCategory:
    try:
        return ErrorCategory[name]
    except KeyError:
        return ErrorCategory.NotSpecified


def to_error_record(record: ErrorRecord) -> PSErrorRecord:
    """A psrpcore ErrorRecord for a lab error record, with its invocation info when it has a position."""
    target = record.target
    info = _CategoryInfo(
        Category=_category(record.category),
        Activity=record.activity or record.command or "",
        Reason=record.exception_short,
        TargetName="" if target is None else to_string(target),
        TargetType="" if target is None else short_type_name(target),
    )
    invocation = None
    if record.position is not None and not record.parse_error:
        pos = record.position
        command = types.SimpleNamespace(Name=record.command or "", CommandType=CommandTypes.Cmdlet
                                        if record.command else CommandTypes.Script, Definition="")
        invocation = InvocationInfo(
            MyCommand=command,
            InvocationName=record.command or "",
            Line=pos.line_text,
            OffsetInLine=pos.column,
            ScriptLineNumber=pos.line,
            PositionMessage=_crlf(pos.message()),
            ScriptName="",
            PipelineLength=0,
            PipelinePosition=0,
            HistoryId=1,
            ExpectingInput=False,
            BoundParameters={},
            UnboundArguments=[],
        )
    error = PSErrorRecord(
        Exception=_exception(record),
        TargetObject=None if target is None else to_clixml_value(target),
        FullyQualifiedErrorId=record.error_id,
        CategoryInfo=info,
        InvocationInfo=invocation,
    )
    error.serialize_extended_info = invocation is not None
    return error


def exception_record(exc: BaseException) -> ErrorRecord:
    """The error a pipeline fails with when the lab itself failed running it (a bug or an unmodelled state)."""
    return ErrorRecord(f"{type(exc).__name__}: {exc}", "NotSpecified", "LabFailure",
                       "System.Management.Automation.RuntimeException")
