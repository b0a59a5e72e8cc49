"""Calling a cmdlet: parameter binding, the CmdletContext, pipeline input, event log.

Binding is PowerShell's (``wsfc_lab.pwsh.parameter_sets``): names resolve by
exact match, alias or unique prefix, switches take no value unless written
``-Switch:$false``, ``@splat`` expands a hashtable to named parameters and an
array to positional ones, positional values bind by the positions of the
candidate parameter sets, the call resolves to one parameter set or is
refused (``AmbiguousParameterSet``, ``MissingMandatoryParameter``), and each
pipeline input object binds ByValue/ByPropertyName with one implementation
call per object. Errors at command-line binding stop the statement; errors
binding one pipeline object are written for that object and the command
goes on with the next, as Windows PowerShell does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from wsfc_lab.pwsh.cmdlet import NotModelled, PSError
from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.objects import PSEnum, PSHashtable, PSObject
from wsfc_lab.pwsh.parameter_sets import Binder, BindingError, CallArg, short_type
from wsfc_lab.pwsh.values import as_list, cast, to_bool, to_int, to_string
from wsfc_lab.reference import CmdletRef, ParameterRef, default_reference

CORE_MODULES = {"microsoft.powershell.core", "microsoft.powershell.utility", "microsoft.powershell.management"}
PARAMETER_BINDING_EXCEPTION = "System.Management.Automation.ParameterBindingException"


def binding_record(ref: CmdletRef, err: BindingError, position: Any = None, fq_class: str | None = None
                   ) -> ErrorRecord:
    """The error record of a ParameterBindingException (category InvalidArgument, id ``<id>,<cmdlet class>``)."""
    return ErrorRecord(err.message, "InvalidArgument", f"{err.error_id},{fq_class or ref.fq_class}",
                       PARAMETER_BINDING_EXCEPTION, err.target, activity=ref.name, command=ref.name,
                       position=position)


def coerce(ref: CmdletRef, p: ParameterRef, value: Any) -> Any:
    """Convert a bound value to the parameter's documented type (loosely, as the binder would)."""
    t = short_type(p.type)
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
        if t in ("string[]", "stringcollection"):
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
        raise BindingError("CannotConvertArgumentNoMessage",
                           f"Cannot bind parameter '{p.name}'. {exc.record.message}") from None
    return value


def _call_args(args: list[Any]) -> list[CallArg]:
    """The interpreter's arguments with ``@splat`` expanded: a hashtable to named, an array to positional ones."""
    out: list[CallArg] = []
    for a in args:
        if a.kind == "splat":
            if isinstance(a.value, PSHashtable):
                out.extend(CallArg("param", k, v, True, a.node) for k, v in a.value.items())
            elif isinstance(a.value, list):
                out.extend(CallArg("value", "", v, False, a.node) for v in a.value)
            elif a.value is not None:
                out.append(CallArg("value", "", a.value, False, a.node))
        else:
            out.append(CallArg(a.kind, a.name, a.value, a.explicit, a.node))
    return out


def property_value(obj: Any, p: ParameterRef) -> tuple[bool, Any]:
    """ByPropertyName: the input object's property named as the parameter or one of its aliases."""
    if isinstance(obj, PSObject):
        for n in [p.name] + list(p.aliases):
            if obj.has(n):
                return True, obj.get(n)
    return False, None


def new_binder(ref: CmdletRef) -> Binder:
    return Binder(ref, convert=lambda p, v: coerce(ref, p, v), property_of=property_value)


def bind_command_line(ref: CmdletRef, call: Any, pipeline_expected: bool,
                      fq_class: str | None = None) -> tuple[Binder, dict[str, Any]]:
    """Bind the call's arguments; a binding error stops the statement with PowerShell's record."""
    binder = new_binder(ref)
    try:
        bound = binder.bind_command_line(_call_args(call.args), pipeline_expected)
    except BindingError as err:
        raise PSRuntimeError(binding_record(ref, err, fq_class=fq_class)) from None
    except NotModelled as nm:
        raise PSRuntimeError(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception), True) from None
    return binder, bound


def documented_signature(interp: Any, name: str) -> CmdletRef:
    """A builtin's documented signature: the host's reference, else the lab's default one."""
    reference = interp.reference
    ref = reference.cmdlet(name) if reference is not None else None
    if ref is None:
        ref = default_reference().cmdlet(name)
    if ref is None:
        raise not_modelled(f"the builtin {name}, which the shared reference does not document")
    return ref


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
        self.write_error_record(self.record(error))

    def write_error_record(self, record: ErrorRecord) -> None:
        self.failed = True
        self.interp.write_error(record, self.action)

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


def invoke_cmdlet(interp: Any, call: Any, input_items: list[Any] | None) -> list[Any]:
    """Run a core builtin or a reference cmdlet implemented by the host's CmdletTable."""
    from wsfc_lab.pwsh.builtins import BUILTINS
    name = call.canonical
    builtin = BUILTINS.get(name.lower())
    if builtin is not None:
        doc = documented_signature(interp, builtin.spec.name)
        _, bound = bind_command_line(doc, call, input_items is not None, builtin.spec.fq_class)
        for pname in bound:
            if builtin.spec.parameter(pname) is None:
                raise not_modelled(f"the parameter -{pname} of {doc.name}")
        ctx = Context(interp, builtin.spec, call, bound)
        return builtin.fn(interp, ctx, bound, input_items)
    reference = interp.reference
    ref = reference.cmdlet(name) if reference is not None else None
    if ref is None:
        raise command_not_found(call.name)
    available = getattr(getattr(interp.host, "context", None), "module_available", None)
    if available is not None and not available(getattr(interp.host, "node", ""), ref.module):
        raise command_not_found(call.name)  # documented, but its module is not installed on this node
    impl = interp.host.cmdlets.get(ref.name) if getattr(interp.host, "cmdlets", None) is not None else None
    if impl is None:
        raise not_modelled(f"the cmdlet {ref.name}")
    binder, bound = bind_command_line(ref, call, input_items is not None)
    ctx = Context(interp, ref, call, bound)
    log = ref.module.lower() not in CORE_MODULES and getattr(interp.host, "log_cmdlet_calls", True)
    out: list[Any] = []
    ok = True
    try:
        if input_items is None:
            out.extend(_call(impl, ctx, dict(bound), None))
        else:
            for obj in input_items:
                try:
                    params = binder.bind_input(obj)
                except BindingError as err:
                    # written for this object; the command goes on with the next one (CommandProcessor.Read)
                    ctx.write_error_record(binding_record(ref, err, interp.script.position(call.node)))
                    continue
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
