"""The language-core cmdlets, implemented natively (Where-Object, ConvertTo-Json ...).

Each entry lists the documented parameters it implements; the call binds
against the documented signature (the shared cmdlets.json, through
``wsfc_lab.reference``: parameter sets, positions, pipeline input), and a
documented parameter this module does not implement is refused as
NotModelled.

Implementations receive the whole pipeline input (``None`` when the cmdlet
starts the pipeline) and return the output list; per-record cmdlets loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from wsfc_lab.pwsh import dotnet, dotnet_methods, json51
from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, PSEnum, PSHashtable, PSObject
from wsfc_lab.reference import CmdletRef, ParameterRef
from wsfc_lab.pwsh.values import (LOCAL, GetDateValue, PSList, as_list, cast, ps_compare, ps_equals, ps_like,
                                  to_bool, to_int, to_number, to_string)


@dataclass
class Builtin:
    spec: CmdletRef
    fn: Callable[..., list[Any]]


BUILTINS: dict[str, Builtin] = {}

MODULE_OF = {
    "Where-Object": "Microsoft.PowerShell.Core", "ForEach-Object": "Microsoft.PowerShell.Core",
    "Set-StrictMode": "Microsoft.PowerShell.Core", "Out-Null": "Microsoft.PowerShell.Core",
    "Get-Command": "Microsoft.PowerShell.Core",
}


def builtin(name: str, *params: str, should_process: bool = False, cls: str | None = None):
    """Register ``fn`` as the cmdlet ``name`` implementing the documented parameters ``params``.

    Only the names: the signature (sets, types, positions, pipeline input) is the documented one
    (``wsfc_lab.reference``), and a documented parameter not listed here is refused as not modelled.
    """
    module = MODULE_OF.get(name, "Microsoft.PowerShell.Utility")
    spec = CmdletRef(name, module, {p: ParameterRef(p) for p in params}, should_process, class_name=cls)

    def deco(fn: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        BUILTINS[name.lower()] = Builtin(spec, fn)
        return fn
    return deco


def _sb(v: Any) -> Any:
    from wsfc_lab.pwsh.interp import ScriptBlock
    return v if isinstance(v, ScriptBlock) else None


def _inputs(bound: dict, items: list[Any] | None) -> list[Any]:
    if items is not None:
        return items
    if "InputObject" in bound:
        return [bound["InputObject"]]
    return []


# ---- Where-Object -----------------------------------------------------------------------------------------

_WHERE_OPS = ["EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains", "NotContains",
              "In", "NotIn", "Is", "IsNot"]
_WHERE_SWITCHES = [op for op in _WHERE_OPS] + \
    ["C" + op for op in _WHERE_OPS if op not in ("Is", "IsNot")]


@builtin("Where-Object", "InputObject", "FilterScript", "Property", "Value", *_WHERE_SWITCHES,
         cls="Microsoft.PowerShell.Commands.WhereObjectCommand")
def where_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    script = bound.get("FilterScript") or _sb(bound.get("Property"))
    out = []
    ops = [k for k in bound if k.upper().lstrip("C") in [o.upper() for o in _WHERE_OPS] and bound[k] is True]
    for item in _inputs(bound, items):
        if script is not None:
            res = interp.invoke_scriptblock(script, [], dollar_under=item, new_scope=False)
            if to_bool(interp.collect_value(res)):
                out.append(item)
            continue
        prop = to_string(bound.get("Property"))
        try:
            val = dotnet.get_member(interp, item, prop)
        except PSRuntimeError:
            val = None
        if not ops:
            if to_bool(val):
                out.append(item)
            continue
        op = ops[0]
        cs = op.upper().startswith("C") and op.upper()[1:] in [o.upper() for o in _WHERE_OPS]
        base = op[1:] if cs else op
        mapping = {"eq": "-eq", "ne": "-ne", "gt": "-gt", "ge": "-ge", "lt": "-lt", "le": "-le", "like": "-like",
                   "notlike": "-notlike", "match": "-match", "notmatch": "-notmatch", "contains": "-contains",
                   "notcontains": "-notcontains", "in": "-in", "notin": "-notin", "is": "-is", "isnot": "-isnot"}
        operator = mapping[base.lower()]
        if cs:
            operator = "-c" + operator[1:]
        if to_bool(interp.compare_op(operator, val, bound.get("Value"))):
            out.append(item)
    return out


# ---- ForEach-Object ---------------------------------------------------------------------------------------

@builtin("ForEach-Object", "InputObject", "Process", "Begin", "End", "RemainingScripts", "MemberName", "ArgumentList",
         should_process=True, cls="Microsoft.PowerShell.Commands.ForEachObjectCommand")
def foreach_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    process = bound.get("Process")
    member = bound.get("MemberName")
    if process is not None and _sb(process) is None:
        if isinstance(process, list) and len(process) == 1 and _sb(process[0]) is not None:
            process = process[0]
        elif isinstance(process, str):
            member, process = process, None
        else:
            raise not_modelled("ForEach-Object with several -Process script blocks")
    out: list[Any] = []
    if bound.get("Begin") is not None:
        out.extend(interp.invoke_scriptblock(bound["Begin"], [], new_scope=False))
    for item in _inputs(bound, items):
        if process is not None:
            out.extend(interp.invoke_scriptblock(process, list(as_list(bound.get("ArgumentList"))),
                                                 dollar_under=item, new_scope=False))
        elif member is not None:
            args = bound.get("ArgumentList")
            if args is not None:
                res = dotnet_methods.invoke_method(interp, item, member, as_list(args))
            else:
                res = dotnet.get_member(interp, item, member)
            if res is not interp.VOID:
                out.extend(res if isinstance(res, list) else [res])
    if bound.get("End") is not None:
        out.extend(interp.invoke_scriptblock(bound["End"], [], new_scope=False))
    return out


# ---- Select-Object ----------------------------------------------------------------------------------------

def _prop_specs(interp: Any, props: Any) -> list[tuple[str, Any]]:
    """(name, getter) for -Property entries: names, wildcards and @{n=;e=} calculated properties."""
    specs = []
    for p in as_list(props):
        if isinstance(p, PSHashtable):
            name = None
            expr = None
            for k, v in p.items():
                kl = k.lower()
                if "name".startswith(kl) or "label".startswith(kl):
                    name = to_string(v)
                elif "expression".startswith(kl):
                    expr = v
                else:
                    raise PSRuntimeError(ErrorRecord(f'The "{k}" key is not valid.', "InvalidArgument",
                                                     "DictionaryKeyIllegal", "System.NotSupportedException"))
            if expr is None:
                raise not_modelled("a calculated property without Expression")
            specs.append((name or to_string(expr), expr))
        else:
            specs.append((to_string(p), None))
    return specs


def _eval_prop(interp: Any, item: Any, name: str, expr: Any) -> Any:
    if expr is None:
        try:
            return dotnet.get_member(interp, item, name) if not isinstance(item, PSHashtable) else item.get(name)
        except PSRuntimeError:
            return None
    if _sb(expr) is not None:
        return interp.collect_value(interp.invoke_scriptblock(expr, [], dollar_under=item, new_scope=False))
    try:
        return dotnet.get_member(interp, item, to_string(expr))
    except PSRuntimeError:
        return None


def _has_prop(item: Any, name: str) -> bool:
    if isinstance(item, PSObject):
        return item.has(name)
    return any(k.lower() == name.lower() for k, _ in dotnet.property_items(item))


@builtin("Select-Object", "InputObject", "Property", "ExcludeProperty", "ExpandProperty", "Unique", "Last", "First",
         "Skip", "SkipLast", "Wait", "Index", cls="Microsoft.PowerShell.Commands.SelectObjectCommand")
def select_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    data = list(_inputs(bound, items))
    if "Skip" in bound:
        data = data[bound["Skip"]:]
    if "SkipLast" in bound:
        data = data[:len(data) - bound["SkipLast"]] if bound["SkipLast"] else data
    if "Index" in bound:
        data = [data[i] for i in bound["Index"] if -len(data) <= i < len(data)]
    if "First" in bound or "Last" in bound:
        first = data[:bound["First"]] if "First" in bound else []
        last = data[len(data) - bound["Last"]:] if "Last" in bound and bound["Last"] else []
        data = first + [x for x in last if "First" not in bound or x not in first] if "Last" in bound else first
    out: list[Any] = []
    props = bound.get("Property")
    expand = bound.get("ExpandProperty")
    for item in data:
        if props is not None:
            specs = _prop_specs(interp, props)
            if any("*" in n and e is None for n, e in specs):
                names = [k for k, _ in dotnet.property_items(item)]
                new_specs = []
                for n, e in specs:
                    if e is None and "*" in n:
                        new_specs.extend((k, None) for k in names if ps_like(k, n))
                    else:
                        new_specs.append((n, e))
                specs = new_specs
            excl = [to_string(x) for x in as_list(bound.get("ExcludeProperty"))]
            obj = PSObject(f"Selected.{dotnet.ps_type_name(item)}" if not isinstance(item, PSObject) or
                           item.type_name != PSCUSTOMOBJECT else PSCUSTOMOBJECT)
            obj.type_names = [PSCUSTOMOBJECT, "System.Object"]
            for n, e in specs:
                if any(ps_like(n, x) for x in excl):
                    continue
                obj.props[n] = _eval_prop(interp, item, n, e)
            item2: Any = obj
        else:
            item2 = item
        if expand is not None:
            if not _has_prop(item, expand) and not isinstance(item, PSHashtable):
                interp.write_error(ErrorRecord(
                    f"Property \"{expand}\" cannot be found.", "InvalidArgument",
                    "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand",
                    "System.Management.Automation.PSArgumentException", item, activity="Select-Object",
                    command="Select-Object", position=interp.script.position(ctx.call.node)), ctx.action)
                continue
            val = _eval_prop(interp, item, expand, None)
            out.extend(val if isinstance(val, list) else [val])
        else:
            out.append(item2)
    if bound.get("Unique"):
        uniq: list[Any] = []
        for x in out:
            if not any(_same(x, y) for y in uniq):
                uniq.append(x)
        out = uniq
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, PSObject) and isinstance(b, PSObject):
        return a.props.items() == b.props.items() if a.type_name == PSCUSTOMOBJECT else a is b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return ps_equals(a, b, True)


# ---- Sort-Object ------------------------------------------------------------------------------------------

@builtin("Sort-Object", "InputObject", "Property", "Descending", "Unique", "CaseSensitive", "Culture",
         cls="Microsoft.PowerShell.Commands.SortObjectCommand")
def sort_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    import functools
    data = list(_inputs(bound, items))
    specs = _prop_specs(interp, bound["Property"]) if bound.get("Property") is not None else None
    cs = bool(bound.get("CaseSensitive"))
    desc = bool(bound.get("Descending"))

    def keys(x: Any) -> list[Any]:
        if specs is None:
            return [x]
        return [_eval_prop(interp, x, n, e) for n, e in specs]

    decorated = [(keys(x), i, x) for i, x in enumerate(data)]

    def cmp(a: Any, b: Any) -> int:
        for ka, kb in zip(a[0], b[0]):
            c = ps_compare(ka, kb, cs)
            if c:
                return -c if desc else c
        return a[1] - b[1]

    decorated.sort(key=functools.cmp_to_key(cmp))
    out = [x for _, _, x in decorated]
    if bound.get("Unique"):
        uniq: list[Any] = []
        for x in out:
            if not any(ps_equals(x, y, cs) for y in uniq):
                uniq.append(x)
        out = uniq
    return out


# ---- Measure-Object / Group-Object ------------------------------------------------------------------------

@builtin("Measure-Object", "InputObject", "Property", "Sum", "Average", "Maximum", "Minimum", "Line", "Word",
         "Character", "IgnoreWhiteSpace", cls="Microsoft.PowerShell.Commands.MeasureObjectCommand")
def measure_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    if any(bound.get(k) for k in ("Line", "Word", "Character")):
        raise not_modelled("Measure-Object -Line/-Word/-Character")
    data = [x for x in _inputs(bound, items)]
    props = bound.get("Property") or [None]
    out = []
    for prop in props:
        values = []
        for x in data:
            if prop is None:
                values.append(x)
            else:
                if not _has_prop(x, prop):
                    continue
                values.append(_eval_prop(interp, x, prop, None))
        nums = [to_number(v) for v in values if v is not None] if any(
            bound.get(k) for k in ("Sum", "Average", "Maximum", "Minimum")) else []
        info = PSObject("Microsoft.PowerShell.Commands.GenericMeasureInfo", {
            "Count": len(values),
            "Average": (float(sum(nums)) / len(nums) if nums else None) if bound.get("Average") else None,
            "Sum": (float(sum(nums)) if nums else 0.0) if bound.get("Sum") else None,
            "Maximum": (float(max(nums)) if nums else None) if bound.get("Maximum") else None,
            "Minimum": (float(min(nums)) if nums else None) if bound.get("Minimum") else None,
            "Property": prop,
        })
        out.append(info)
    return out


@builtin("Group-Object", "InputObject", "Property", "NoElement", "AsHashTable", "AsString", "CaseSensitive", "Culture",
         cls="Microsoft.PowerShell.Commands.GroupObjectCommand")
def group_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    specs = _prop_specs(interp, bound.get("Property")) if bound.get("Property") is not None else None
    groups: list[tuple[str, list[Any], list[Any]]] = []
    cs = bool(bound.get("CaseSensitive"))
    for x in _inputs(bound, items):
        vals = [x] if specs is None else [_eval_prop(interp, x, n, e) for n, e in specs]
        key = ", ".join(to_string(v) for v in vals)
        for g in groups:
            if (g[0] == key) if cs else (g[0].lower() == key.lower()):
                g[1].append(x)
                break
        else:
            groups.append((key, [x], vals))
    if bound.get("AsHashTable"):
        h = PSHashtable()
        for key, members, vals in groups:
            h[key if bound.get("AsString") or len(vals) != 1 else to_string(vals[0])] = members
        return [h]
    out = []
    for key, members, vals in groups:
        props = {"Count": len(members), "Name": key}
        if not bound.get("NoElement"):
            props["Group"] = members
        props["Values"] = vals
        out.append(PSObject("Microsoft.PowerShell.Commands.GroupInfo", props, to_string=
                            "Microsoft.PowerShell.Commands.GroupInfo"))
    return out


# ---- JSON -------------------------------------------------------------------------------------------------

@builtin("ConvertTo-Json", "InputObject", "Depth", "Compress", cls="Microsoft.PowerShell.Commands.ConvertToJsonCommand")
def convertto_json(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    depth = bound.get("Depth", 2)
    if depth < 1:
        raise PSRuntimeError(ErrorRecord(
            f"Cannot validate argument on parameter 'Depth'. The {depth} argument is less than the minimum allowed "
            "range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.",
            "InvalidData", "ParameterArgumentValidationError,Microsoft.PowerShell.Commands.ConvertToJsonCommand",
            "System.Management.Automation.ParameterBindingValidationException", activity="ConvertTo-Json",
            command="ConvertTo-Json"))
    if depth > 100:
        raise PSRuntimeError(ErrorRecord(
            "The maximum depth allowed for serialization is 100.", "InvalidOperation",
            "ReachedMaximumDepthAllowed,Microsoft.PowerShell.Commands.ConvertToJsonCommand",
            "System.InvalidOperationException", activity="ConvertTo-Json", command="ConvertTo-Json"))
    inputs = items if items is not None else ([bound["InputObject"]] if "InputObject" in bound else [])
    text = json51.convert_to_json(list(inputs), depth, bool(bound.get("Compress")), dotnet.property_items)
    return [] if text is None else [text]


@builtin("ConvertFrom-Json", "InputObject", cls="Microsoft.PowerShell.Commands.ConvertFromJsonCommand")
def convertfrom_json(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    texts = [to_string(x) for x in (items if items is not None else [bound.get("InputObject")]) if x is not None]
    if not texts:
        return []
    text = "\n".join(texts)
    try:
        value = json51.convert_from_json(text)
    except PSRuntimeError as exc:
        exc.record.activity = "ConvertFrom-Json"
        exc.record.command = "ConvertFrom-Json"
        raise
    return [value]


# ---- variables, strict mode -------------------------------------------------------------------------------

@builtin("Set-StrictMode", "Version", "Off", cls="Microsoft.PowerShell.Commands.SetStrictModeCommand")
def set_strict_mode(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    if bound.get("Off"):
        interp.strict = 0
        return []
    v = to_string(bound.get("Version"))
    if v.lower() == "latest":
        interp.strict = 3
    else:
        try:
            interp.strict = int(float(v))
        except ValueError:
            raise not_modelled(f"Set-StrictMode -Version {v}") from None
    return []


def _variable_object(name: str, value: Any) -> PSObject:
    return PSObject("System.Management.Automation.PSVariable",
                    {"Name": name, "Value": value, "Description": "", "Options": PSEnum(
                        "System.Management.Automation.ScopedItemOptions", "None", 0), "Visibility": PSEnum(
                        "System.Management.Automation.SessionStateEntryVisibility", "Public", 0)},
                    to_string="System.Management.Automation.PSVariable")


@builtin("Get-Variable", "Name", "ValueOnly", "Include", "Exclude", "Scope",
         cls="Microsoft.PowerShell.Commands.GetVariableCommand")
def get_variable(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    names = bound.get("Name") or (as_list(items) if items else ["*"])
    out = []
    for name in names:
        name = to_string(name)
        if "*" in name or "?" in name:
            raise not_modelled("Get-Variable with wildcards")
        if name.lower() in ("?", "null", "true", "false") or interp.has_var(name):
            value = interp.get_var("$" + name) if interp.has_var(name) or name.lower() in ("null", "true", "false",
                                                                                            "?") else None
            out.append(value if bound.get("ValueOnly") else _variable_object(name, value))
            continue
        interp.write_error(ErrorRecord(
            f"Cannot find a variable with the name '{name}'.", "ObjectNotFound",
            "VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand",
            "System.Management.Automation.ItemNotFoundException", name, activity="Get-Variable",
            command="Get-Variable", position=interp.script.position(ctx.call.node)), ctx.action)
    return out


# ---- output streams ---------------------------------------------------------------------------------------

@builtin("Write-Output", "InputObject", "NoEnumerate", cls="Microsoft.PowerShell.Commands.WriteOutputCommand")
def write_output(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    if items is not None:
        return list(items)
    if "InputObject" not in bound:
        return []
    v = bound["InputObject"]
    if bound.get("NoEnumerate"):
        return [v]
    return list(v) if isinstance(v, list) else [v]


@builtin("Write-Error", "Message", "Exception", "ErrorRecord", "Category", "ErrorId", "TargetObject",
         "RecommendedAction", "CategoryActivity", "CategoryReason", "CategoryTargetName", "CategoryTargetType",
         cls="Microsoft.PowerShell.Commands.WriteErrorCommand")
def write_error(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    messages = [to_string(x) for x in items] if items is not None else [to_string(bound.get("Message"))]
    for msg in messages:
        if isinstance(bound.get("ErrorRecord"), ErrorRecord):
            rec = bound["ErrorRecord"]
        else:
            exc = bound.get("Exception")
            if exc is not None:
                msg = getattr(exc, "message", to_string(exc))
            category = to_string(bound.get("Category") or "NotSpecified")
            eid = to_string(bound.get("ErrorId") or "Microsoft.PowerShell.Commands.WriteErrorException")
            caller = interp.current_function_name() if hasattr(interp, "current_function_name") else None
            rec = ErrorRecord(msg, category, eid if caller is None else f"{eid},{caller}",
                              getattr(exc, "type_name", None) or "Microsoft.PowerShell.Commands.WriteErrorException",
                              bound.get("TargetObject"), activity=to_string(bound.get("CategoryActivity") or
                                                                            "Write-Error"),
                              command=caller or interp.script.source.strip(),
                              position=interp.script.position(ctx.call.node) if caller else None)
        interp.write_error(rec, ctx.action)
    return []


@builtin("Write-Warning", "Message", cls="Microsoft.PowerShell.Commands.WriteWarningCommand")
def write_warning(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    for msg in ([to_string(x) for x in items] if items is not None else [to_string(bound.get("Message"))]):
        ctx.write_warning(msg)
    return []


@builtin("Write-Verbose", "Message", cls="Microsoft.PowerShell.Commands.WriteVerboseCommand")
def write_verbose(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    pref = to_string(interp.get_var_safe("VerbosePreference")).lower()
    if bound.get("Verbose") or pref == "continue":
        for msg in ([to_string(x) for x in items] if items is not None else [to_string(bound.get("Message"))]):
            interp.stream.append(("verbose", msg))
    return []


@builtin("Write-Debug", "Message", cls="Microsoft.PowerShell.Commands.WriteDebugCommand")
def write_debug(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    return []


@builtin("Write-Host", "Object", "NoNewline", "Separator", "ForegroundColor", "BackgroundColor",
         cls="Microsoft.PowerShell.Commands.WriteHostCommand")
def write_host(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    objs = items if items is not None else ([bound["Object"]] if "Object" in bound else [""])
    sep = to_string(bound.get("Separator", " "))
    for o in objs:
        text = sep.join(to_string(x) for x in o) if isinstance(o, list) else to_string(o)
        if bound.get("NoNewline"):
            interp.stream.append(("host-nonl", text))
        else:
            interp.stream.append(("out", text))
    return []


@builtin("Out-Null", "InputObject", cls="Microsoft.PowerShell.Commands.OutNullCommand")
def out_null(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    return []


@builtin("Out-String", "InputObject", "Width", "Stream", cls="Microsoft.PowerShell.Commands.OutStringCommand")
def out_string(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    from wsfc_lab.pwsh.output import format_objects
    lines = format_objects(list(_inputs(bound, items)))
    if bound.get("Stream"):
        return lines
    return ["\r\n".join(lines) + "\r\n"] if lines else [""]


# ---- time -------------------------------------------------------------------------------------------------

@builtin("Get-Date", "Date", "Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "DisplayHint", "Format",
         "UFormat", cls="Microsoft.PowerShell.Commands.GetDateCommand")
def get_date(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    from wsfc_lab.pwsh.fmt import format_datetime
    base = bound.get("Date")
    if base is None:
        base = dotnet._now(interp).astimezone(LOCAL)
    else:
        base = cast(base, "datetime")
    repl = {}
    for k, attr in (("Year", "year"), ("Month", "month"), ("Day", "day"), ("Hour", "hour"), ("Minute", "minute"),
                    ("Second", "second")):
        if k in bound:
            repl[attr] = bound[k]
    if "Millisecond" in bound:
        repl["microsecond"] = bound["Millisecond"] * 1000
    d = base.replace(**repl) if repl else base
    if "Format" in bound:
        return [format_datetime(d, to_string(bound["Format"]))]
    if "UFormat" in bound:
        return [_uformat(d, to_string(bound["UFormat"]))]
    return [GetDateValue(d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, d.tzinfo)]


def _uformat(d: datetime, fmt: str) -> str:
    if "%s" in fmt:
        fmt = fmt.replace("%s", str(int((d - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds())))
    return d.strftime(fmt)


@builtin("Start-Sleep", "Seconds", "Milliseconds", cls="Microsoft.PowerShell.Commands.StartSleepCommand")
def start_sleep(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    secs = bound.get("Seconds", 0) + bound.get("Milliseconds", 0) / 1000.0
    if hasattr(interp.host, "do_sleep"):
        interp.host.do_sleep(secs)
    elif callable(getattr(interp.host, "sleep", None)):
        interp.host.sleep(secs)
    return []


# ---- objects ----------------------------------------------------------------------------------------------

@builtin("New-Object", "TypeName", "ArgumentList", "Property", "ComObject", "Strict",
         cls="Microsoft.PowerShell.Commands.NewObjectCommand")
def new_object(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    if "ComObject" in bound:
        raise not_modelled("New-Object -ComObject")
    from wsfc_lab.pwsh.values import canonical_type
    t = canonical_type(to_string(bound.get("TypeName")))
    args = as_list(bound.get("ArgumentList"))
    if t in ("System.Management.Automation.PSObject", "System.Object", "System.Management.Automation.PSCustomObject"):
        obj = PSObject(PSCUSTOMOBJECT)
        for k, v in (bound.get("Property") or PSHashtable()).items():
            obj.props[k] = v
        return [obj]
    if t == "System.Collections.ArrayList" or t.startswith("System.Collections.Generic.List["):
        return [PSList(as_list(args[0]) if args and isinstance(args[0], list) else [], t)]
    if t == "System.Collections.Hashtable":
        return [PSHashtable()]
    if t == "System.Text.UTF8Encoding":
        return [dotnet.Encoding("utf-8", "utf-8", bom=bool(args and to_bool(args[0])))]
    if t in ("System.Exception", "System.InvalidOperationException", "System.ArgumentException",
             "System.Management.Automation.RuntimeException", "System.TimeoutException"):
        return [dotnet.ExceptionObject(t, to_string(args[0]) if args else f"Exception of type '{t}' was thrown.")]
    if t == "System.DateTime":
        return [datetime(*[to_int(a) for a in args], tzinfo=None) if args else datetime(1, 1, 1)]
    if t == "System.Security.AccessControl.DirectorySecurity" and not args:
        return [dotnet.DirectorySecurity()]  # the parameterless constructor: an empty descriptor
    raise not_modelled(f"New-Object {to_string(bound.get('TypeName'))}")


# ---- Get-Command --------------------------------------------------------------------------------------

@builtin("Get-Command", "Name", cls="Microsoft.PowerShell.Commands.GetCommandCommand")
def get_command(interp: Any, ctx: Any, bound: dict, items: list[Any] | None) -> list[Any]:
    """``Get-Command -Name <cmdlet>``: whether a cmdlet exists on this node (a script's guard for a module).

    A command the lab runs is found: a builtin, or a documented cmdlet the lab implements whose module is on the
    node (``Cluster.module_available``: the Hyper-V module only where the topology's ``hyperv`` is true). It comes
    back as a CmdletInfo with Name, ModuleName and CommandType Cmdlet (8) (CmdletInfo and CommandTypes,
    https://learn.microsoft.com/en-us/dotnet/api/system.management.automation.cmdletinfo,
    https://learn.microsoft.com/en-us/dotnet/api/system.management.automation.commandtypes). A name that is
    not a command gets the CommandNotFoundException error Windows writes (the "is not recognized" text). A
    documented cmdlet the lab does not implement is refused as not modelled (the lab cannot say it exists), as
    are wildcards and the other parameters.
    """
    names = [to_string(n) for n in as_list(bound.get("Name") if bound.get("Name") is not None else (items or []))]
    if not names:
        raise not_modelled("Get-Command without -Name (listing every command)")
    host = getattr(interp, "host", None)
    cluster = getattr(host, "context", None)
    node = getattr(host, "node", "")
    reference = getattr(interp, "reference", None)
    out = []
    for name in names:
        if any(ch in name for ch in "*?["):
            raise not_modelled("Get-Command with wildcards")
        builtin_cmd = BUILTINS.get(name.lower())
        ref = reference.cmdlet(name) if reference is not None else None
        if builtin_cmd is not None:
            found = (builtin_cmd.spec.name, builtin_cmd.spec.module)
        elif ref is not None:
            available = getattr(cluster, "module_available", None)
            if available is not None and not available(node, ref.module):
                found = None
            elif getattr(host, "cmdlets", None) is None or host.cmdlets.get(ref.name) is None:
                raise not_modelled(f"Get-Command for the cmdlet {ref.name}, which the lab does not implement")
            else:
                found = (ref.name, ref.module)
        else:
            found = None
        if found is None:
            interp.write_error(ErrorRecord(
                f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable "
                "program. Check the spelling of the name, or if a path was included, verify that the path is correct "
                "and try again.", "ObjectNotFound",
                "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand",
                "System.Management.Automation.CommandNotFoundException", name, activity="Get-Command",
                command="Get-Command", position=interp.script.position(ctx.call.node)), ctx.action)
            continue
        out.append(PSObject("System.Management.Automation.CmdletInfo", {
            "Name": found[0], "ModuleName": found[1],
            "CommandType": PSEnum("System.Management.Automation.CommandTypes", "Cmdlet", 8)}, to_string=found[0]))
    return out
