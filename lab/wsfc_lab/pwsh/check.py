"""Static checks: every command, parameter, parameter set and .NET method call, before anything runs.

Windows resolves commands and parameters only when a statement runs, but
for a test instrument a script that names an undocumented cmdlet or
parameter anywhere is wrong everywhere, so the lab refuses it up front
with the error Windows would print when the statement ran: PowerShell's
CommandNotFoundException / ParameterBindingException text, or NotModelled
for something documented that the lab does not simulate.

Parameter sets and mandatory parameters are checked the same way where the
call alone decides them: its arguments are written out (no ``@splat``), and
the binder (``wsfc_lab.pwsh.parameter_sets``, run on the kinds of the
written values) can tell without the values themselves. A call after ``|``
counts its pipeline input: only a mandatory parameter the input cannot
supply is missing. Everything else is left to bind time.

.NET methods: ``[Type]::Method()`` must be in the static-method table, a
method called on a literal (``'x'.Method()``) in its type's table, and a
method called on any other value in some type's table
(``wsfc_lab.pwsh.dotnet_methods`` / ``dotnet_static``).
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node

from wsfc_lab.programs import find_program
from wsfc_lab.pwsh import dotnet_methods, dotnet_static
from wsfc_lab.pwsh.builtins import BUILTINS
from wsfc_lab.pwsh.cmdlet import NotModelled
from wsfc_lab.pwsh.command_elements import Element, command_elements
from wsfc_lab.pwsh.errors import ErrorRecord, Refused
from wsfc_lab.pwsh.interp import ALIASES
from wsfc_lab.pwsh.objects import PSHashtable
from wsfc_lab.pwsh.parameter_sets import UNKNOWN, Binder, BindingError, CallArg, Undetermined
from wsfc_lab.pwsh.parse import Script, is_numeric_command, named, unwrap
from wsfc_lab.pwsh.values import canonical_type
from wsfc_lab.reference import CmdletRef, default_reference

# Binder errors the check refuses with (the others depend on values and are left to bind time).
STATIC_REFUSALS = {"AmbiguousParameterSet", "MissingMandatoryParameter"}


def _walk(node: Node):
    yield node
    for c in node.children:
        yield from _walk(c)


def defined_functions(script: Script) -> set[str]:
    out = set()
    for n in _walk(script.root):
        if n.type == "function_statement":
            fn = [c for c in n.children if c.type == "function_name"]
            if fn:
                out.add(script.text(fn[0]).lower())
    return out


def _refuse_not_modelled(script: Script, node: Node, what: str | NotModelled) -> Refused:
    nm = what if isinstance(what, NotModelled) else NotModelled(what)
    return Refused(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception,
                               position=script.position(node)))


def command_not_found(script: Script, node: Node, name: str) -> Refused:
    return Refused(ErrorRecord(
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        "ObjectNotFound", "CommandNotFoundException", "System.Management.Automation.CommandNotFoundException", name,
        command=name, position=script.position(node)))


def _param_error(script: Script, node: Node, ref: CmdletRef, message: str, eid: str,
                 fq_class: str | None = None) -> Refused:
    return Refused(ErrorRecord(message, "InvalidArgument", f"{eid},{fq_class or ref.fq_class}",
                               "System.Management.Automation.ParameterBindingException", activity=ref.name,
                               command=ref.name, position=script.position(node)))


def check_script(script: Script, host: Any) -> None:
    """Raise :class:`Refused` for the first command, parameter or method Windows (or the lab) would not accept."""
    reference = getattr(host, "reference", None)
    cmdlets = getattr(host, "cmdlets", None)
    functions = defined_functions(script)
    for node in _walk(script.root):
        if node.type == "invokation_expression":
            _check_method_call(script, node)
            continue
        if node.type != "command":
            continue
        if is_numeric_command(script, node):
            continue
        name_node = node.child_by_field_name("command_name")
        if name_node is None:
            continue
        if name_node.type == "command_name_expr":
            inner = unwrap(named(name_node)[0]) if named(name_node) else name_node
            if inner.type == "path_command_name" and not named(inner):
                name = script.text(inner)
            elif inner.type == "string_literal" and inner.children and named(inner) and \
                    named(inner)[0].type == "verbatim_string_characters":
                name = script.text(inner)[1:-1]
            else:
                continue  # & $scriptblock / & $name: checked when it runs
        else:
            name = script.text(name_node)
        _check_command(script, node, name_node, name, reference, cmdlets, functions)


# ---- commands -------------------------------------------------------------------------------------------

def _check_command(script: Script, node: Node, name_node: Node, name: str, reference: Any, cmdlets: Any,
                   functions: set[str]) -> None:
    canonical = ALIASES.get(name.lower(), name)
    if canonical.lower() in functions:
        return
    if find_program(name) is not None:
        return  # a native program the lab models (wsfc_lab.programs); its arguments are its own
    if any(ch in name for ch in "\\/") or name.lower().endswith((".exe", ".ps1", ".cmd", ".bat", ".com")):
        raise _refuse_not_modelled(script, name_node, f"running the program or script '{name}'")
    builtin = BUILTINS.get(canonical.lower())
    ref = reference.cmdlet(canonical) if reference is not None else None
    if builtin is None and ref is None:
        raise command_not_found(script, name_node, name)
    doc = ref or default_reference().cmdlet(builtin.spec.name)  # type: ignore[union-attr]
    if doc is None:
        raise _refuse_not_modelled(script, name_node, f"the builtin {canonical}, which the shared reference does "
                                   "not document")
    fq_class = builtin.spec.fq_class if builtin is not None else None
    elements = command_elements(script, node)
    binder = Binder(doc, static=True)
    for el in elements:
        if el.kind != "param":
            continue
        given = el.name.rstrip(":")
        try:
            canon = binder.resolve(given, el.node).name
        except BindingError as err:
            raise _param_error(script, el.node, doc, err.message, err.error_id, fq_class) from None
        except NotModelled as nm:
            raise _refuse_not_modelled(script, el.node, nm) from None
        if builtin is not None and builtin.spec.parameter(canon) is None:
            raise _refuse_not_modelled(script, el.node, f"the parameter -{canon} of {doc.name}")
    if builtin is None and (cmdlets is None or cmdlets.get(doc.name) is None):
        raise _refuse_not_modelled(script, name_node, f"the cmdlet {doc.name}")
    _check_parameter_set(script, node, doc, elements, fq_class)


def _has_pipeline_input(node: Node) -> bool:
    """The command is not the first element of its pipeline."""
    parent = node.parent
    if parent is None or parent.type not in ("pipeline", "pipeline_chain"):
        return False
    stages = [c for c in parent.children if c.is_named and c.type != "comment"]
    return bool(stages) and stages[0].id != node.id


class _StaticScriptBlock:
    """What a ``{ ... }`` argument is before the script runs: a script block."""

    type_names = ["System.Management.Automation.ScriptBlock", "System.Object"]


def static_value(script: Script, node: Node | None) -> Any:
    """A stand-in of the argument's type when the grammar shows it (a literal), else UNKNOWN."""
    if node is None:
        return UNKNOWN
    if node.type == "generic_token":
        return script.text(node)
    inner = unwrap(node)
    if inner.type == "string_literal":
        return script.text(inner)
    if inner.type == "integer_literal":
        return 0
    if inner.type == "script_block_expression":
        return _StaticScriptBlock()
    if inner.type == "hash_literal_expression":
        return PSHashtable()
    if inner.type == "variable" and script.text(inner).lower() in ("$true", "$false"):
        return script.text(inner).lower() == "$true"
    return UNKNOWN


def _check_parameter_set(script: Script, node: Node, ref: CmdletRef, elements: list[Element],
                         fq_class: str | None) -> None:
    if any(el.kind in ("splat", "stop_parsing") for el in elements):
        return
    args = [CallArg(el.kind, el.name.rstrip(":"), static_value(script, el.value), el.explicit, el.node)
            for el in elements if el.kind in ("param", "value")]
    binder = Binder(ref, static=True)
    try:
        binder.bind_command_line(args, _has_pipeline_input(node))
    except Undetermined:
        return
    except NotModelled as nm:
        raise _refuse_not_modelled(script, node, nm) from None
    except BindingError as err:
        if err.error_id in STATIC_REFUSALS:
            raise _param_error(script, node, ref, err.message, err.error_id, fq_class) from None


# ---- .NET methods ---------------------------------------------------------------------------------------

def _literal_kind(script: Script, node: Node) -> dotnet_methods.Kind | None:
    inner = unwrap(node)
    if inner.type == "string_literal":
        return dotnet_methods.STRING
    if inner.type in ("integer_literal", "real_literal"):
        return dotnet_methods.NUMBER
    if inner.type == "hash_literal_expression":
        return dotnet_methods.HASHTABLE
    return None


def _check_method_call(script: Script, node: Node) -> None:
    kids = node.children
    mn = [c for c in kids if c.type == "member_name"]
    if len(kids) < 2 or not mn or (named(mn[0]) and named(mn[0])[0].type != "simple_name"):
        return  # $x.$name(): the name is known when it runs
    name = script.text(mn[0])
    target, sep = kids[0], script.text(kids[1])
    if sep == "::":
        inner = unwrap(target)
        if inner.type != "type_literal":
            return
        type_name = canonical_type(script.text(inner))
        if name.lower() == "new":
            raise _refuse_not_modelled(script, node, f"[{type_name}]::new()")
        if dotnet_static.static_method(type_name, name) is None:
            raise _refuse_not_modelled(script, node, f"the static method [{type_name}]::{name}()")
        return
    if script.text(unwrap(target)).lower() == "$null":
        return  # PowerShell's InvokeMethodOnNull, whatever the name: when it runs
    kind = _literal_kind(script, target)
    if kind is not None:
        if dotnet_methods.modelled_on(kind, name) is None:
            raise _refuse_not_modelled(script, node, f"the method {name}() of [{kind.type_name}]")
        return
    if not dotnet_methods.modelled_anywhere(name):
        raise _refuse_not_modelled(script, node, f"the method {name}() (on any .NET type)")
