"""Static checks: every command and every parameter name, before anything runs.

Windows resolves commands and parameters only when a statement runs, but
for a test instrument a script that names an undocumented cmdlet or
parameter anywhere is wrong everywhere, so the lab refuses it up front
with the error Windows would print when the statement ran: PowerShell's
CommandNotFoundException / ParameterBindingException text, or NotModelled
for something documented that the lab does not simulate.
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node

from wsfc_lab.pwsh.builtins import BUILTINS
from wsfc_lab.pwsh.cmdlet import NotModelled
from wsfc_lab.pwsh.errors import ErrorRecord, Refused
from wsfc_lab.pwsh.interp import ALIASES
from wsfc_lab.pwsh.parse import Script, is_numeric_command, named, unwrap
from wsfc_lab.reference import AmbiguousParameter, CmdletRef, ParameterNotFound, resolve_parameter


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


def _refuse_not_modelled(script: Script, node: Node, what: str) -> Refused:
    nm = NotModelled(what)
    return Refused(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception,
                               position=script.position(node)))


def command_not_found(script: Script, node: Node, name: str) -> Refused:
    return Refused(ErrorRecord(
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        "ObjectNotFound", "CommandNotFoundException", "System.Management.Automation.CommandNotFoundException", name,
        command=name, position=script.position(node)))


def _param_error(script: Script, node: Node, ref: CmdletRef, message: str, eid: str) -> Refused:
    return Refused(ErrorRecord(message, "InvalidArgument", f"{eid},{ref.fq_class}",
                               "System.Management.Automation.ParameterBindingException", activity=ref.name,
                               command=ref.name, position=script.position(node)))


def check_script(script: Script, host: Any) -> None:
    """Raise :class:`Refused` for the first command or parameter Windows (or the lab) would not accept."""
    reference = getattr(host, "reference", None)
    cmdlets = getattr(host, "cmdlets", None)
    functions = defined_functions(script)
    for node in _walk(script.root):
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


def _check_command(script: Script, node: Node, name_node: Node, name: str, reference: Any, cmdlets: Any,
                   functions: set[str]) -> None:
    canonical = ALIASES.get(name.lower(), name)
    if canonical.lower() in functions:
        return
    if any(ch in name for ch in "\\/") or name.lower().endswith((".exe", ".ps1", ".cmd", ".bat", ".com")):
        raise _refuse_not_modelled(script, name_node, f"running the program or script '{name}'")
    builtin = BUILTINS.get(canonical.lower())
    ref = reference.cmdlet(canonical) if reference is not None else None
    if builtin is None and ref is None:
        raise command_not_found(script, name_node, name)
    check_ref = ref or builtin.spec  # type: ignore[union-attr]
    els = node.child_by_field_name("command_elements")
    params = [c for c in els.children if c.type == "command_parameter"] if els is not None else []
    for p in params:
        given = script.text(p)[1:].rstrip(":")
        try:
            canon = resolve_parameter(check_ref, given)
        except ParameterNotFound:
            raise _param_error(script, p, check_ref, f"A parameter cannot be found that matches parameter name "
                               f"'{given}'.", "NamedParameterNotFound") from None
        except AmbiguousParameter as amb:
            raise _param_error(script, p, check_ref, f"Parameter cannot be processed because the parameter name "
                               f"'{given}' is ambiguous. Possible matches include: "
                               f"{' '.join('-' + c for c in amb.candidates)}.", "AmbiguousParameter") from None
        if builtin is not None and ref is not None and builtin.spec.parameter(canon) is None:
            raise _refuse_not_modelled(script, p, f"the parameter -{canon} of {ref.name}")
    if builtin is None:
        if cmdlets is None or cmdlets.get(ref.name) is None:
            raise _refuse_not_modelled(script, name_node, f"the cmdlet {ref.name}")
