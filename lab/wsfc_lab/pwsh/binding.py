"""Calling a cmdlet: parameter binding, the CmdletContext, pipeline input, event log.

Binding follows PowerShell's binder closely enough that a script binds in
the lab exactly when it binds on Windows: names resolve by exact match,
alias or unique prefix (``wsfc_lab.reference.resolve_parameter``), switches
take no value unless written ``-Switch:$false``, remaining values bind to
positional parameters in position order, ``@splat`` expands a hashtable to
named parameters and an array to positional ones, and each pipeline input
binds to the parameter the reference marks ``ByValue`` (``ByPropertyName``
too), with one implementation call per input object.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from wsfc_lab.pwsh.cmdlet import NotModelled, PSError
from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.objects import PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.values import as_list, cast, to_bool, to_int, to_string
from wsfc_lab.reference import AmbiguousParameter, CmdletRef, ParameterNotFound, ParameterRef, resolve_parameter

CORE_MODULES = {"microsoft.powershell.core", "microsoft.powershell.utility", "microsoft.powershell.management"}


def binding_error(ref: CmdletRef, message: str, error_id: str, category: str = "InvalidArgument",
                  target: Any = None) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(message, category, f"{error_id},{ref.fq_class}",
                                      "System.Management.Automation.ParameterBindingException", target,
                                      activity=ref.name, command=ref.name))


def parameter_not_found(ref: CmdletRef, given: str) -> PSRuntimeError:
    return binding_error(ref, f"A parameter cannot be found that matches parameter name '{given}'.",
                         "NamedParameterNotFound")


def parameter_ambiguous(ref: CmdletRef, given: str, candidates: list[str]) -> PSRuntimeError:
    return binding_error(ref, f"Parameter cannot be processed because the parameter name '{given}' is ambiguous. "
                         f"Possible matches include: {' '.join('-' + c for c in candidates)}.", "AmbiguousParameter")


def resolve(ref: CmdletRef, given: str) -> ParameterRef:
    try:
        name = resolve_parameter(ref, given)
    except ParameterNotFound:
        raise parameter_not_found(ref, given) from None
    except AmbiguousParameter as amb:
        raise parameter_ambiguous(ref, given, amb.candidates) from None
    p = ref.parameter(name)
    assert p is not None
    return p


def coerce(ref: CmdletRef, p: ParameterRef, value: Any) -> Any:
    """Convert a bound value to the parameter's documented type (loosely, as the binder would)."""
    t = p.type.lower().replace("system.", "")
    try:
        if p.is_switch:
            return to_bool(value)
        if t in ("int32", "int", "int64", "long", "uint32", "uint64", "int16", "byte"):
            return to_int(value, {"int64": "System.Int64", "long": "System.Int64", "uint32": "System.UInt32",
                                  "uint64": "System.UInt64", "int16": "System.Int16",
                                  "byte": "System.Byte"}.get(t, "System.Int32"))
        if t in ("int32[]", "int[]"):
            return [to_int(x) for x in as_list(value)]
        if t in ("string",):
            if isinstance(value, list):
                if len(value) == 1:
                    return to_string(value[0])
                return to_string(value)
            return None if value is None else to_string(value)
        if t in ("string[]", "stringcollection", "system.collections.specialized.stringcollection"):
            return None if value is None else [to_string(x) for x in as_list(value)]
        if t in ("boolean", "bool"):
            return to_bool(value)
        if t in ("double", "single", "float"):
            return float(cast(value, "double"))
        if t in ("uint32[]",):
            return [to_int(x, "System.UInt32") for x in as_list(value)]
        if t in ("datetime",):
            return cast(value, "datetime")
        if t == "guid":
            return cast(value, "guid")
    except PSRuntimeError as exc:
        raise binding_error(ref, f"Cannot bind parameter '{p.name}'. {exc.record.message}",
                            "CannotConvertArgumentNoMessage", "InvalidArgument") from None
    return value


def bind_arguments(ref: CmdletRef, args: list[Any], interp: Any = None) -> dict[str, Any]:
    """Named, switch, positional and splatted arguments -> {canonical name: value}."""
    from wsfc_lab.pwsh.interp import Arg
    bound: dict[str, Any] = {}
    positional: list[Any] = []
    expanded: list[Arg] = []
    for a in args:
        if a.kind == "splat":
            if isinstance(a.value, PSHashtable):
                for k, v in a.value.items():
                    expanded.append(Arg("param", k, v, True))
            elif isinstance(a.value, list):
                for v in a.value:
                    expanded.append(Arg("value", "", v))
            elif a.value is None:
                continue
            else:
                expanded.append(Arg("value", "", a.value))
        else:
            expanded.append(a)
    i = 0
    while i < len(expanded):
        a = expanded[i]
        if a.kind == "param":
            p = resolve(ref, a.name)
            if p.name in bound:
                raise binding_error(ref, f"Cannot bind parameter because parameter '{p.name}' is specified more "
                                    "than once. To provide multiple values to parameters that can accept multiple "
                                    "values, use the array syntax. For example, \"-parameter value1,value2,value3\".",
                                    "ParameterAlreadyBound")
            if a.explicit:
                bound[p.name] = coerce(ref, p, a.value)
            elif p.is_switch:
                bound[p.name] = True
            else:
                if i + 1 < len(expanded) and expanded[i + 1].kind == "value":
                    bound[p.name] = coerce(ref, p, expanded[i + 1].value)
                    i += 1
                else:
                    raise binding_error(ref, f"Missing an argument for parameter '{p.name}'. Specify a parameter of "
                                        f"type '{_type_display(p.type)}' and try again.", "MissingArgument")
        else:
            positional.append(a.value)
        i += 1
    slots = sorted((p for p in ref.all_parameters() if p.position is not None and not p.common),
                   key=lambda p: p.position)  # type: ignore[arg-type,return-value]
    for value in positional:
        slot = next((p for p in slots if p.name not in bound), None)
        if slot is None:
            raise binding_error(ref, f"A positional parameter cannot be found that accepts argument "
                                f"'{to_string(value)}'.", "PositionalParameterNotFound", target=value)
        bound[slot.name] = coerce(ref, slot, value)
    return bound


def _type_display(t: str) -> str:
    t2 = t if "." in t else {"String": "System.String", "Int32": "System.Int32", "String[]": "System.String[]",
                             "StringCollection": "System.Collections.Specialized.StringCollection",
                             "Object": "System.Object", "PSObject": "System.Management.Automation.PSObject",
                             "ScriptBlock": "System.Management.Automation.ScriptBlock"}.get(t, t)
    return t2


class Context:
    """The :class:`wsfc_lab.pwsh.cmdlet.CmdletContext` the engine hands a cmdlet implementation."""

    def __init__(self, interp: Any, ref: CmdletRef, call: Any, bound: dict[str, Any]):
        self.interp = interp
        self.ref = ref
        self.call = call
        self.node = getattr(interp.host, "node", "")
        self.host = getattr(interp.host, "context", None)
        self.command_name = ref.name
        self.bound = bound
        self.action = interp.error_action(bound)
        if call.redirect_errors in ("null", "all-null") and self.action.lower() == "continue":
            self.action = "SilentlyContinue"
        self.failed = False

    def record(self, error: PSError) -> ErrorRecord:
        rec = getattr(error, "record", None)
        if isinstance(rec, ErrorRecord):
            return rec
        eid = error.error_id or error.exception.rsplit(".", 1)[-1]
        if "," not in eid:
            eid = f"{eid},{self.ref.fq_class}"
        return ErrorRecord(error.message, error.category or "NotSpecified", eid, error.exception, error.target,
                           activity=self.ref.name, command=self.ref.name,
                           position=self.interp.script.position(self.call.node))

    def write_error(self, error: PSError) -> None:
        self.failed = True
        self.interp.write_error(self.record(error), self.action)

    def throw(self, error: PSError) -> None:
        raise PSRuntimeError(self.record(error))

    def write_warning(self, message: str) -> None:
        pref = to_string(self.bound.get("WarningAction") or self.interp.get_var_safe("WarningPreference") or
                         "Continue").lower()
        if pref in ("silentlycontinue", "ignore"):
            return
        if pref == "stop":
            raise PSRuntimeError(ErrorRecord(f"The running command stopped because the preference variable "
                                             f"\"WarningPreference\" or common parameter is set to Stop: {message}",
                                             "OperationStopped", "ActionPreferenceStop",
                                             "System.Management.Automation.ActionPreferenceStopException"), True)
        self.interp.stream.append(("warn", message))

    def write_verbose(self, message: str) -> None:
        if to_bool(self.bound.get("Verbose")):
            self.interp.stream.append(("verbose", message))

    def should_process(self, target: str, action: str) -> bool:
        if to_bool(self.bound.get("WhatIf")) or to_bool(self.interp.get_var_safe("WhatIfPreference")):
            self.interp.stream.append(("out", f'What if: Performing the operation "{action}" on target "{target}".'))
            return False
        return True


def json_safe(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [json_safe(x) for x in v]
    if isinstance(v, PSHashtable):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, PSEnum):
        return v.name
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, (uuid.UUID, PSObject)):
        return str(v)
    return to_string(v)


def _choose_by_value(params: list[ParameterRef], obj: Any) -> ParameterRef | None:
    if not params:
        return None
    if len(params) == 1:
        return params[0]
    is_str = isinstance(obj, str)
    for p in params:
        t = p.type.lower()
        if is_str and ("string" in t):
            return p
        if not is_str and "string" not in t:
            return p
    return params[0]


def _property_value(obj: Any, p: ParameterRef) -> tuple[bool, Any]:
    names = [p.name] + list(p.aliases)
    if isinstance(obj, PSObject):
        for n in names:
            if obj.has(n):
                return True, obj.get(n)
    if isinstance(obj, PSHashtable):
        return False, None
    return False, None


def invoke_cmdlet(interp: Any, call: Any, input_items: list[Any] | None) -> list[Any]:
    """Run a core builtin or a reference cmdlet implemented by the host's CmdletTable."""
    from wsfc_lab.pwsh.builtins import BUILTINS
    name = call.canonical
    builtin = BUILTINS.get(name.lower())
    if builtin is not None:
        bound = bind_arguments(builtin.spec, call.args, interp)
        ctx = Context(interp, builtin.spec, call, bound)
        return builtin.fn(interp, ctx, bound, input_items)
    reference = interp.reference
    ref = reference.cmdlet(name) if reference is not None else None
    if ref is None:
        raise command_not_found(call.name)
    impl = interp.host.cmdlets.get(ref.name) if getattr(interp.host, "cmdlets", None) is not None else None
    if impl is None:
        raise not_modelled(f"the cmdlet {ref.name}")
    bound = bind_arguments(ref, call.args, interp)
    ctx = Context(interp, ref, call, bound)
    log = ref.module.lower() not in CORE_MODULES and getattr(interp.host, "log_cmdlet_calls", True)
    out: list[Any] = []
    ok = True
    try:
        if input_items is None:
            out.extend(_call(impl, ctx, dict(bound), None))
        else:
            by_value = [p for p in ref.all_parameters() if p.by_value and p.name not in bound]
            by_prop = [p for p in ref.all_parameters() if p.by_property_name and p.name not in bound]
            for obj in input_items:
                params = dict(bound)
                target = _choose_by_value(by_value, obj)
                if target is not None:
                    params[target.name] = coerce(ref, target, obj)
                for p in by_prop:
                    if p.name in params:
                        continue
                    found, val = _property_value(obj, p)
                    if found:
                        params[p.name] = coerce(ref, p, val)
                if target is None and not any(p.name in params for p in by_prop):
                    raise PSRuntimeError(ErrorRecord(
                        "The input object cannot be bound to any parameters for the command either because the "
                        "command does not take pipeline input or the input and its properties do not match any of "
                        "the parameters that take pipeline input.", "InvalidArgument",
                        f"InputObjectNotBound,{ref.fq_class}", "System.Management.Automation.ParameterBindingException",
                        obj, activity=ref.name, command=ref.name,
                        position=interp.script.position(call.node)))
                ctx.bound = params
                out.extend(_call(impl, ctx, params, obj))
    except NotModelled as nm:
        ok = False
        raise PSRuntimeError(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception), True) from None
    except PSError as err:
        ok = False
        raise PSRuntimeError(ctx.record(err)) from None
    except PSRuntimeError:
        ok = False
        raise
    finally:
        if log and hasattr(interp.host, "emit"):
            interp.host.emit({"op": ref.name, "args": {k: json_safe(v) for k, v in bound.items()},
                              "ok": ok and not ctx.failed})
    return out


def _call(impl: Any, ctx: Context, params: dict[str, Any], obj: Any) -> list[Any]:
    result = impl(ctx, params, obj)
    if result is None:
        return []
    return list(result)


def command_not_found(name: str) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        "ObjectNotFound", "CommandNotFoundException", "System.Management.Automation.CommandNotFoundException",
        name, command=name))
