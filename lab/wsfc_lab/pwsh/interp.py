"""The interpreter: walks the tree-sitter AST and runs the script.

It runs the subset of the PowerShell language that operation scripts use,
with PowerShell's semantics (statement- vs script-terminating errors,
``$?``, strict mode, scoping of functions and script blocks, enumeration of
pipeline output). A construct outside the subset raises NotModelled naming
it; nothing is skipped silently.

Pipelines are evaluated stage by stage (each stage receives the previous
stage's complete output) rather than streamed object by object. Cmdlets
still see one ``ProcessRecord`` call per input object; only the
interleaving of side effects between stages differs from Windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from tree_sitter import Node

from wsfc_lab.programs import find_program
from wsfc_lab.pwsh import dotnet, dotnet_methods, dotnet_static
from wsfc_lab.pwsh.cmdlet import NotModelled, PSError
from wsfc_lab.pwsh.errors import (BreakLoop, ContinueLoop, ErrorRecord, ExitScript, FlowControl, PSRuntimeError,
                                  ReturnFrom, not_modelled, runtime_error)
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, PSHashtable, PSObject
from wsfc_lab.pwsh.parse import (Script, is_numeric_command, named, numeric_command_expression, parse_text,
                                 unwrap)
from wsfc_lab.pwsh.values import (PSList, TypeRef, as_list, canonical_type, cast, compile_regex, dotnet_replacement, is_type,
                                  op_add, op_div, op_mod, op_mul, op_sub, parse_number, ps_compare, ps_equals,
                                  ps_like, to_bool, to_int, to_number, to_string, try_cast)

ALIASES = {
    "?": "Where-Object", "where": "Where-Object", "%": "ForEach-Object", "foreach": "ForEach-Object",
    "select": "Select-Object", "sort": "Sort-Object", "measure": "Measure-Object", "group": "Group-Object",
    "echo": "Write-Output", "write": "Write-Output", "sleep": "Start-Sleep", "gv": "Get-Variable",
    "oh": "Out-Host", "tee": "Tee-Object", "gm": "Get-Member", "ft": "Format-Table", "fl": "Format-List",
    "iex": "Invoke-Expression", "icm": "Invoke-Command", "gci": "Get-ChildItem", "ls": "Get-ChildItem",
    "dir": "Get-ChildItem", "gi": "Get-Item", "cd": "Set-Location", "del": "Remove-Item", "rm": "Remove-Item",
    "cat": "Get-Content", "gc": "Get-Content", "type": "Get-Content", "gwmi": "Get-WmiObject",
    "gcim": "Get-CimInstance", "set": "Set-Variable", "sv": "Set-Variable",
}

AUTOMATIC_READONLY = {"null", "true", "false", "?", "_", "psitem", "args", "input", "pid", "psversiontable",
                      "host", "error", "matches", "lastexitcode", "psedition"}

# comparison operator -> (base, case-sensitive)
_CMP = re.compile(r"^-(c|i)?(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace|"
                  r"split|join|is|isnot|as)$", re.I)


class ScriptBlock:
    """A ``{ ... }`` value or a function body: param block + body, bound to the script it came from."""

    type_names = ["System.Management.Automation.ScriptBlock", "System.Object"]

    def __init__(self, script: Script, node: Node, params: Node | None, body: Node | None, name: str = ""):
        self.script = script
        self.node = node
        self.params = params
        self.body = body
        self.name = name

    def __str__(self) -> str:
        text = self.script.text(self.node)
        if text.startswith("{") and text.endswith("}"):
            return text[1:-1]
        return text


@dataclass
class Var:
    name: str
    value: Any


class Scope:
    def __init__(self, parent: "Scope | None" = None):
        self.parent = parent
        self.vars: dict[str, Var] = {}

    def find(self, name: str) -> Var | None:
        s: Scope | None = self
        low = name.lower()
        while s is not None:
            v = s.vars.get(low)
            if v is not None:
                return v
            s = s.parent
        return None

    def set(self, name: str, value: Any) -> None:
        low = name.lower()
        v = self.vars.get(low)
        if v is None:
            self.vars[low] = Var(name, value)
        else:
            v.value = value


@dataclass
class Arg:
    """One command argument as written: ``-Name``, ``-Name:value``, a value, or ``@splat``."""

    kind: str                      # "param" | "value" | "splat"
    name: str = ""
    value: Any = None
    explicit: bool = False         # -Name:value
    node: Node | None = None


@dataclass
class CommandCall:
    name: str                      # as written
    canonical: str                 # resolved name
    args: list[Arg]
    node: Node
    interp: "Interp"
    redirect_errors: str | None = None   # "null" to drop the error stream, "merge" for 2>&1


class Interp:
    """Runs one script for one node."""

    def __init__(self, script: Script, host: Any, builtins: dict, reference: Any = None):
        self.script = script
        self.host = host
        self.reference = reference
        self.builtins = builtins
        self.global_scope = Scope()
        self.scope = self.global_scope
        self.functions: dict[str, ScriptBlock] = {}
        self.strict = 0
        self.stdout: list[str] = []          # formatted lines already written to stdout
        self.stream: list[tuple[str, Any]] = []  # ("out", text) / ("err", ErrorRecord) / ("warn", str), in order
        self.error_list: list[ErrorRecord] = []
        self.dollar_q = True
        self.stmt_failed = False
        self.try_depth = 0
        self.output_encoding = "cp437"
        self.call_stack: list[str] = []
        self.formatter: Callable[[Any], list[str]] | None = None
        self._init_variables()

    # ---- variables ------------------------------------------------------------------------------------
    def _init_variables(self) -> None:
        from wsfc_lab.pwsh.values import PSVersion
        g = self.global_scope
        g.set("ErrorActionPreference", "Continue")
        g.set("WarningPreference", "Continue")
        g.set("VerbosePreference", "SilentlyContinue")
        g.set("DebugPreference", "SilentlyContinue")
        g.set("ProgressPreference", "Continue")
        g.set("InformationPreference", "SilentlyContinue")
        g.set("ConfirmPreference", "High")
        g.set("WhatIfPreference", False)
        g.set("PSEdition", "Desktop")
        g.set("PID", 4242)
        g.set("HOME", "C:\\Users\\" + self.env().get("USERNAME", "labadmin"))
        g.set("PSScriptRoot", "")
        g.set("PSCommandPath", "")
        table = PSHashtable()
        table["PSVersion"] = PSVersion("5.1.17763.1")
        table["PSEdition"] = "Desktop"
        table["PSCompatibleVersions"] = [PSVersion(v) for v in ("1.0", "2.0", "3.0", "4.0", "5.0", "5.1.17763.1")]
        table["BuildVersion"] = PSVersion("10.0.17763.1")
        table["CLRVersion"] = PSVersion("4.0.30319.42000")
        table["WSManStackVersion"] = PSVersion("3.0")
        table["PSRemotingProtocolVersion"] = PSVersion("2.3")
        table["SerializationVersion"] = PSVersion("1.1.0.1")
        g.set("PSVersionTable", table)

    def env(self) -> dict[str, str]:
        if hasattr(self.host, "environment"):
            return self.host.environment()
        return dict(getattr(self.host, "env", {}) or {})

    def _split_var(self, text: str) -> tuple[str | None, str]:
        t = text
        if t[:1] in "$@":
            t = t[1:]
        if t.startswith("{") and t.endswith("}"):
            t = t[1:-1]
        if ":" in t:
            scope, _, name = t.partition(":")
            if scope.lower() in ("env", "script", "global", "local", "private", "using", "variable", "function"):
                return scope.lower(), name
        return None, t

    def get_var(self, text: str, node: Node | None = None) -> Any:
        scope, name = self._split_var(text)
        low = name.lower()
        if scope == "env":
            env = self.env()
            for k, v in env.items():
                if k.lower() == low:
                    return v
            return None
        if scope == "using":
            raise not_modelled("the $using: scope")
        if low == "null":
            return None
        if low == "true":
            return True
        if low == "false":
            return False
        if low == "?":
            return self.dollar_q
        if low == "error":
            return list(self.error_list)
        if low == "psitem":
            low = "_"
        target = self.global_scope if scope in ("global", "script") else self.scope
        v = target.find(low)
        if v is None:
            if self.strict >= 1:
                raise PSRuntimeError(ErrorRecord(
                    f"The variable '${name}' cannot be retrieved because it has not been set.", "InvalidOperation",
                    "VariableIsUndefined", "System.Management.Automation.RuntimeException", name))
            return None
        return v.value

    def has_var(self, name: str) -> bool:
        low = name.lower()
        if low in ("null", "true", "false", "?", "error"):
            return True
        return self.scope.find(low) is not None

    def set_var(self, text: str, value: Any) -> None:
        scope, name = self._split_var(text)
        low = name.lower()
        if scope == "env":
            env = getattr(self.host, "env", None)
            if isinstance(env, dict):
                env[name] = to_string(value)
            return
        if low in ("true", "false", "null") and low != "null":
            raise PSRuntimeError(ErrorRecord(f"Cannot overwrite variable {name} because it is read-only or constant.",
                                             "WriteError", "VariableNotWritable",
                                             "System.Management.Automation.SessionStateUnauthorizedAccessException",
                                             name))
        if low == "null":
            return
        target = self.global_scope if scope in ("global", "script") else self.scope
        if scope is None:
            existing = target.vars.get(low)
            if existing is None:
                target.set(name, value)
                return
        target.set(name, value)

    def error_action(self, bound: dict | None = None) -> str:
        if bound:
            for k, v in bound.items():
                if k.lower() == "erroraction":
                    return to_string(v)
        return to_string(self.get_var("ErrorActionPreference"))

    # ---- running --------------------------------------------------------------------------------------
    def run(self, file_mode: bool = False) -> int:
        """Run the script; return the process exit code.

        ``file_mode``: the script is a ``powershell.exe -File`` script, whose exit code is ``exit``'s argument, 1
        for a script-terminating error and otherwise 0: "With normal termination, the exit code is always 0."
        (about_PowerShell_exe, -File, https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/
        about/about_powershell_exe?view=powershell-5.1). Without it, -Command's rule ($?) applies.
        """
        code = 0
        out: list[Any] = []
        try:
            self.exec_statements(self.script.root, out, top=True)
        except ExitScript as ex:
            self.flush(out)
            code = ex.code
        except PSRuntimeError as exc:
            self.flush(out)
            self.report_error(exc.record)
            code = 1
        except (BreakLoop, ContinueLoop):
            code = 0
        except ReturnFrom:
            code = 0 if (self.dollar_q or file_mode) else 1
        else:
            code = 0 if (self.dollar_q or file_mode) else 1
        return code

    def flush(self, items: list[Any]) -> None:
        if not items:
            return
        from wsfc_lab.pwsh.output import format_objects
        for line in format_objects(items):
            self.stream.append(("out", line))
        items.clear()

    def report_error(self, record: ErrorRecord) -> None:
        self.error_list.insert(0, record)
        self.stream.append(("err", record))
        self.stmt_failed = True

    def write_error(self, record: ErrorRecord, action: str) -> None:
        """A non-terminating error under ``action`` (ErrorAction)."""
        a = action.lower()
        self.stmt_failed = True
        if a == "stop":
            raise PSRuntimeError(record, script_terminating=True)
        if a == "ignore":
            return
        if a == "silentlycontinue":
            self.error_list.insert(0, record)
            return
        if a == "inquire":
            raise not_modelled("-ErrorAction Inquire")
        self.report_error(record)

    # ---- statements -----------------------------------------------------------------------------------
    def statement_nodes(self, node: Node) -> list[Node]:
        """Statements of a program / statement_list / statement_block / script_block body."""
        if node.type in ("program", "statement_block", "script_block_body", "script_block", "sub_expression",
                         "array_expression", "statement_list"):
            out: list[Node] = []
            for c in named(node):
                if c.type == "statement_list":
                    out.extend(named(c))
                elif c.type in ("script_block_body", "script_block"):
                    out.extend(self.statement_nodes(c))
                elif c.type in ("param_block",):
                    continue
                else:
                    out.append(c)
            return out
        return [node]

    def exec_statements(self, node: Node, out: list[Any], top: bool = False) -> None:
        pending_label: str | None = None
        for st in self.statement_nodes(node):
            if st.type == "label":
                pending_label = self.script.text(st)[1:]
                continue
            if st.type == "empty_statement":
                continue
            self.stmt_failed = False
            checkpoint = getattr(self.host, "checkpoint", None)
            if checkpoint is not None:
                checkpoint()  # the host may stop the script here (a stopped task run: wsfc_lab.taskaction)
            try:
                self.exec_statement(st, out, label=pending_label)
            except PSRuntimeError as exc:
                if exc.record.position is None:
                    exc.record.position = self.script.position(st)
                if exc.script_terminating or self.try_depth > 0:
                    raise
                if to_string(self.get_var_safe("ErrorActionPreference")).lower() == "stop":
                    exc.script_terminating = True
                    raise
                self.report_error(exc.record)
                self.dollar_q = False
                if top:
                    self.flush(out)
                pending_label = None
                continue
            except NotModelled as nm:
                raise not_modelled_from(nm) from None
            pending_label = None
            if st.type in ("pipeline", "flow_control_statement"):
                self.dollar_q = not self.stmt_failed
            elif self.stmt_failed:
                self.dollar_q = False
            if top:
                self.flush(out)

    def get_var_safe(self, name: str) -> Any:
        v = self.scope.find(name.lower())
        return v.value if v else None

    def exec_statement(self, st: Node, out: list[Any], label: str | None = None) -> None:
        t = st.type
        if t == "pipeline":
            self.exec_pipeline_statement(st, out)
        elif t == "if_statement":
            self.exec_if(st, out)
        elif t == "foreach_statement":
            self.exec_foreach(st, out, label)
        elif t == "for_statement":
            self.exec_for(st, out, label)
        elif t == "while_statement":
            self.exec_while(st, out, label)
        elif t == "do_statement":
            self.exec_do(st, out, label)
        elif t == "switch_statement":
            self.exec_switch(st, out, label)
        elif t == "try_statement":
            self.exec_try(st, out)
        elif t == "flow_control_statement":
            self.exec_flow(st, out)
        elif t == "function_statement":
            self.define_function(st)
        elif t == "statement_block":
            self.exec_statements(st, out)
        elif t in ("trap_statement", "class_statement", "enum_statement", "data_statement", "parallel_statement",
                   "sequence_statement", "inlinescript_statement", "comment"):
            if t == "comment":
                return
            raise not_modelled(f"the '{t.replace('_statement', '')}' statement")
        else:
            raise not_modelled(f"the statement kind '{t}'")

    def exec_pipeline_statement(self, st: Node, out: list[Any]) -> None:
        kids = named(st)
        if len(kids) == 1 and kids[0].type == "assignment_expression":
            self.exec_assignment(kids[0])
            return
        items = self.eval_pipeline(st, statement=True)
        out.extend(items)

    # pipelines ------------------------------------------------------------------------------------------
    def eval_pipeline(self, node: Node, statement: bool = False, input_items: list | None = None) -> list[Any]:
        """Output items of a pipeline node (pipeline / pipeline_chain / single statement)."""
        if node.type == "pipeline":
            kids = named(node)
            if len(kids) == 1 and kids[0].type == "assignment_expression":
                val = self.exec_assignment(kids[0])
                return []
            if any(k.type == "pipeline_chain_tail" for k in kids):
                raise not_modelled("&& / || pipeline chains")
            chain = kids[0] if kids else node
            return self.eval_chain(chain)
        if node.type == "pipeline_chain":
            return self.eval_chain(node)
        # any other statement used as a value (if/foreach/switch...)
        out: list[Any] = []
        self.exec_statement(node, out)
        return out

    def eval_chain(self, chain: Node) -> list[Any]:
        stages = [c for c in named(chain)]
        items: list[Any] | None = None
        for i, stage in enumerate(stages):
            if stage.type == "command":
                if is_numeric_command(self.script, stage):
                    val = self.eval_numeric_command(stage)
                    items = self.enumerate_output(val)
                    continue
                items = self.invoke_command(stage, items)
            else:
                if i > 0:
                    raise PSRuntimeError(ErrorRecord(
                        "Expressions are only allowed as the first element of a pipeline.", "ParserError",
                        "ExpressionsMustBeFirstInPipeline",
                        "System.Management.Automation.ParentContainsErrorRecordException"), True)
                val = self.eval(stage)
                if self._is_void(stage, val):
                    items = []
                else:
                    items = self.enumerate_output(val)
        return items or []

    VOID = object()

    def _is_void(self, node: Node, val: Any) -> bool:
        return val is Interp.VOID

    def enumerate_output(self, val: Any) -> list[Any]:
        if val is Interp.VOID:
            return []
        if isinstance(val, list):
            return list(val)
        return [val]

    def eval_numeric_command(self, cmd: Node) -> Any:
        """``1..3`` / ``1GB`` at the start of a statement, which the grammar reads as a command name."""
        sub = numeric_command_expression(self.script.text(cmd))
        inner = Interp.__new__(Interp)
        inner.__dict__.update(self.__dict__)
        inner.script = sub
        stmts = inner.statement_nodes(sub.root)
        if len(stmts) != 1 or sub.root.has_error:
            raise not_modelled(f"the expression '{self.script.text(cmd)}'")
        kids = named(stmts[0])
        chain = kids[0] if kids else stmts[0]
        return inner.eval(named(chain)[0]) if chain.type == "pipeline_chain" else inner.eval(chain)

    def collect_value(self, items: list[Any]) -> Any:
        """What ``$x = <pipeline>`` stores: $null, the one item, or an object[]."""
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return list(items)

    def value_of_statement(self, node: Node) -> Any:
        """The value of an assignment's right-hand side."""
        if node.type == "pipeline":
            kids = named(node)
            if len(kids) == 1 and kids[0].type == "pipeline_chain":
                stages = named(kids[0])
                if len(stages) == 1 and stages[0].type != "command":
                    val = self.eval(stages[0])
                    return None if val is Interp.VOID else val
            if len(kids) == 1 and kids[0].type == "assignment_expression":
                return self.exec_assignment(kids[0])
        return self.collect_value(self.eval_pipeline(node))

    # assignment -------------------------------------------------------------------------------------------
    def exec_assignment(self, node: Node) -> Any:
        left = node.children[0]
        op = self.script.text(node.child_by_field_name("value").prev_sibling if node.child_by_field_name(
            "value") is not None else node.children[1]).strip()
        value_node = node.child_by_field_name("value")
        if value_node is None:
            raise not_modelled("this assignment form")
        target = unwrap(left)
        if op == "=":
            value = self.value_of_statement(value_node)
        else:
            value = self.value_of_statement(value_node)
            current = self.eval(target)
            fn = {"+=": op_add, "-=": op_sub, "*=": op_mul, "/=": op_div, "%=": op_mod}.get(op)
            if fn is None:
                raise not_modelled(f"the assignment operator {op}")
            value = fn(current, value)
        self.assign_to(target, value)
        return value

    def assign_to(self, target: Node, value: Any) -> None:
        t = target.type
        if t == "variable":
            text = self.script.text(target)
            self.set_var(text, value)
        elif t == "member_access":
            obj_node, name = self.member_parts(target)
            if self.script.text(target.children[1]) == "::":
                dotnet.set_static(self, self.eval(obj_node), name, value)
                return
            obj = self.eval(obj_node)
            dotnet.set_member(self, obj, name, value)
        elif t == "element_access":
            obj = self.eval(target.children[0])
            idx = self.eval(self.index_node(target))
            dotnet.set_index(self, obj, idx, value)
        elif t == "expression_with_unary_operator" and named(target) and named(target)[0].type == "cast_expression":
            self.assign_to(named(target)[0], value)
        elif t == "cast_expression":
            tname = self.type_name(target.children[0])
            var = unwrap(target.children[1])
            self.assign_to(var, cast(value, tname))
        elif t == "array_literal_expression":
            raise not_modelled("multiple assignment ($a, $b = ...)")
        else:
            raise not_modelled(f"assignment to '{self.script.text(target)}'")

    # control flow ---------------------------------------------------------------------------------------
    def exec_if(self, st: Node, out: list[Any]) -> None:
        cond = st.child_by_field_name("condition")
        blocks = [c for c in st.children if c.type == "statement_block"]
        if to_bool(self.value_of_statement(cond)):
            self.exec_statements(blocks[0], out)
            return
        elifs = st.child_by_field_name("elseif_clauses")
        if elifs is not None:
            for clause in named(elifs):
                c = clause.child_by_field_name("condition")
                blk = [x for x in clause.children if x.type == "statement_block"][0]
                if to_bool(self.value_of_statement(c)):
                    self.exec_statements(blk, out)
                    return
        els = st.child_by_field_name("else_clause")
        if els is not None:
            self.exec_statements([x for x in els.children if x.type == "statement_block"][0], out)

    def _loop_body(self, body: Node, out: list[Any], label: str | None) -> str | None:
        """Run a loop body; return 'break' / 'continue' / None."""
        try:
            self.exec_statements(body, out)
        except BreakLoop as b:
            if b.label and (not label or b.label.lower() != label.lower()):
                raise
            return "break"
        except ContinueLoop as c:
            if c.label and (not label or c.label.lower() != label.lower()):
                raise
            return "continue"
        return None

    def exec_foreach(self, st: Node, out: list[Any], label: str | None) -> None:
        if any(c.type == "foreach_parameter" for c in st.children):
            raise not_modelled("foreach -parallel")
        var = [c for c in st.children if c.type == "variable"][0]
        coll_node = [c for c in named(st) if c.type == "pipeline" or c.type.endswith("statement")][0]
        coll = self.value_of_statement(coll_node)
        items = as_list(coll) if not isinstance(coll, PSHashtable) else [coll]
        if coll is None:
            items = []
        body = [c for c in st.children if c.type == "statement_block"][0]
        vtext = self.script.text(var)
        for item in items:
            self.set_var(vtext, item)
            r = self._loop_body(body, out, label)
            if r == "break":
                break

    def exec_for(self, st: Node, out: list[Any], label: str | None) -> None:
        init = st.child_by_field_name("for_initializer")
        cond = st.child_by_field_name("for_condition")
        it = st.child_by_field_name("for_iterator")
        body = [c for c in st.children if c.type == "statement_block"][0]
        if init is not None:
            for n in named(init):
                out.extend(self.eval_pipeline(n))
        while True:
            if cond is not None:
                cn = named(cond)
                if cn and not to_bool(self.value_of_statement(cn[0])):
                    break
            r = self._loop_body(body, out, label)
            if r == "break":
                break
            if it is not None:
                for n in named(it):
                    self.eval_pipeline(n)

    def exec_while(self, st: Node, out: list[Any], label: str | None) -> None:
        cond = [c for c in st.children if c.type == "while_condition"][0]
        body = [c for c in st.children if c.type == "statement_block"][0]
        while to_bool(self.value_of_statement(named(cond)[0])):
            if self._loop_body(body, out, label) == "break":
                break

    def exec_do(self, st: Node, out: list[Any], label: str | None) -> None:
        cond = [c for c in st.children if c.type == "while_condition"][0]
        body = [c for c in st.children if c.type == "statement_block"][0]
        until = any(c.type == "until" for c in st.children)
        while True:
            if self._loop_body(body, out, label) == "break":
                break
            v = to_bool(self.value_of_statement(named(cond)[0]))
            if (not v) if not until else v:
                break

    def exec_switch(self, st: Node, out: list[Any], label: str | None) -> None:
        params = [c for c in st.children if c.type == "switch_parameters"]
        mode = "equal"
        cs = False
        if params:
            for p in named(params[0]):
                flag = self.script.text(p).lower().lstrip("-")
                if "regex".startswith(flag) and flag:
                    mode = "regex"
                elif "wildcard".startswith(flag):
                    mode = "wildcard"
                elif "exact".startswith(flag):
                    mode = "equal"
                elif "casesensitive".startswith(flag):
                    cs = True
                else:
                    raise not_modelled(f"switch -{flag}")
        cond = [c for c in st.children if c.type == "switch_condition"][0]
        pipe = [c for c in named(cond) if c.type == "pipeline"]
        if not pipe:
            raise not_modelled("switch -file")
        value = self.value_of_statement(pipe[0])
        items = as_list(value) if isinstance(value, list) else [value]
        body = [c for c in st.children if c.type == "switch_body"][0]
        clauses_node = [c for c in named(body) if c.type == "switch_clauses"]
        clauses = named(clauses_node[0]) if clauses_node else []
        saved = self.scope.find("_")
        old = saved.value if saved else None
        try:
            for item in items:
                matched = False
                default_block = None
                self.scope.set("_", item)
                stop = False
                for clause in clauses:
                    cnode = [c for c in clause.children if c.type == "switch_clause_condition"][0]
                    block = [c for c in clause.children if c.type == "statement_block"][0]
                    ctext = self.script.text(cnode)
                    if ctext.lower() == "default":
                        default_block = block
                        continue
                    inner = named(cnode)
                    if inner and inner[0].type == "script_block_expression":
                        sb = self.eval(inner[0])
                        ok = to_bool(self.collect_value(self.invoke_scriptblock(sb, [], dollar_under=item,
                                                                                new_scope=False)))
                    else:
                        pattern = self.eval(inner[0]) if inner else ctext
                        if mode == "regex":
                            ok = self.op_match(item, pattern, cs)
                        elif mode == "wildcard":
                            ok = ps_like(item, pattern, cs)
                        else:
                            ok = ps_equals(to_string(item) if isinstance(pattern, str) else item, pattern, cs) \
                                if item is not None else pattern is None
                    if ok:
                        matched = True
                        r = self._loop_body(block, out, label)
                        if r == "break":
                            stop = True
                            break
                        if r == "continue":
                            break
                if stop:
                    break
                if not matched and default_block is not None:
                    if self._loop_body(default_block, out, label) == "break":
                        break
        finally:
            self.scope.set("_", old)

    def exec_try(self, st: Node, out: list[Any]) -> None:
        body = [c for c in st.children if c.type == "statement_block"][0]
        catches_node = [c for c in st.children if c.type == "catch_clauses"]
        catches = named(catches_node[0]) if catches_node else []
        fin = [c for c in st.children if c.type == "finally_clause"]
        try:
            self.try_depth += 1
            try:
                self.exec_statements(body, out)
            finally:
                self.try_depth -= 1
        except PSRuntimeError as exc:
            handler = self._find_catch(catches, exc.record)
            if handler is None:
                raise
            saved = self.scope.find("_")
            old = saved.value if saved else None
            self.scope.set("_", exc.record)
            try:
                self.exec_statements([c for c in handler.children if c.type == "statement_block"][0], out)
            finally:
                self.scope.set("_", old)
        finally:
            if fin:
                self.exec_statements([c for c in fin[0].children if c.type == "statement_block"][0], out)

    def _find_catch(self, catches: list[Node], record: ErrorRecord) -> Node | None:
        for clause in catches:
            types = [c for c in clause.children if c.type == "catch_type_list"]
            if not types:
                return clause
            for tl in named(types[0]):
                if tl.type == "type_literal" and dotnet.exception_matches(record.exception_type, self.type_name(tl)):
                    return clause
        return None

    def exec_flow(self, st: Node, out: list[Any]) -> None:
        kw = st.children[0].type.lower()
        rest = named(st)
        if kw == "return":
            if rest:
                out.extend(self.eval_pipeline(rest[0]))
            raise ReturnFrom()
        if kw == "exit":
            code = 0
            if rest:
                val = self.value_of_statement(rest[0])
                try:
                    code = to_int(val)
                except PSRuntimeError:
                    code = 0
            raise ExitScript(code)
        if kw in ("break", "continue"):
            lbl = self.script.text(rest[0]) if rest else None
            raise (BreakLoop if kw == "break" else ContinueLoop)(lbl)
        if kw == "throw":
            if not rest:
                cur = self.scope.find("_")
                if cur is not None and isinstance(cur.value, ErrorRecord):
                    raise PSRuntimeError(cur.value, True)
                raise PSRuntimeError(ErrorRecord("ScriptHalted", "OperationStopped", "ScriptHalted",
                                                 "System.Management.Automation.RuntimeException",
                                                 position=self.script.position(st)), True)
            val = self.value_of_statement(rest[0])
            if isinstance(val, ErrorRecord):
                raise PSRuntimeError(val, True)
            if isinstance(val, dotnet.ExceptionObject):
                rec = ErrorRecord(val.message, "OperationStopped", val.message, val.type_name, None,
                                  position=self.script.position(st))
                raise PSRuntimeError(rec, True)
            msg = to_string(val)
            rec = ErrorRecord(msg, "OperationStopped", msg, "System.Management.Automation.RuntimeException",
                              target=val, position=self.script.position(st), thrown=val)
            raise PSRuntimeError(rec, True)
        raise not_modelled(f"the '{kw}' statement")

    # functions ------------------------------------------------------------------------------------------
    def define_function(self, st: Node) -> None:
        name = self.script.text(st.child_by_field_name("function_name") or [c for c in st.children
                                                                            if c.type == "function_name"][0])
        if st.children[0].type.lower() in ("filter", "workflow", "configuration"):
            raise not_modelled(f"'{st.children[0].type}' definitions")
        sb_node = [c for c in st.children if c.type == "script_block"]
        decl = [c for c in st.children if c.type == "function_parameter_declaration"]
        params = None
        body = sb_node[0] if sb_node else None
        if decl:
            params = decl[0]
        elif body is not None:
            pb = [c for c in body.children if c.type == "param_block"]
            params = pb[0] if pb else None
        self.functions[name.lower()] = ScriptBlock(self.script, st, params, body, name=name)

    def make_scriptblock(self, node: Node) -> ScriptBlock:
        pb = [c for c in node.children if c.type == "param_block"]
        body = [c for c in node.children if c.type == "script_block"]
        params = pb[0] if pb else None
        if body and params is None:
            inner = [c for c in body[0].children if c.type == "param_block"]
            params = inner[0] if inner else None
        return ScriptBlock(self.script, node, params, body[0] if body else None)

    def param_specs(self, sb: ScriptBlock) -> list[tuple[str, str | None, Node | None, bool]]:
        """(name, type, default node, mandatory) for each declared parameter."""
        if sb.params is None:
            return []
        plist = [c for c in sb.params.children if c.type == "parameter_list"]
        if not plist:
            return []
        specs = []
        for p in named(plist[0]):
            if p.type != "script_parameter":
                continue
            var = [c for c in p.children if c.type == "variable"][0]
            vname = self._split_var(sb.script.text(var))[1]
            tname = None
            mandatory = False
            attrs = [c for c in p.children if c.type == "attribute_list"]
            if attrs:
                for a in named(attrs[0]):
                    inner = named(a)
                    if inner and inner[0].type == "type_literal":
                        tname = canonical_type(self.type_name(inner[0]))
                    elif inner and inner[0].type == "attribute_name":
                        an = sb.script.text(inner[0]).lower()
                        if an == "parameter" and "mandatory" in sb.script.text(a).lower():
                            mandatory = True
                        elif an not in ("parameter", "validatenotnullorempty", "validatenotnull", "validateset",
                                        "alias", "allownull", "allowemptystring", "allowemptycollection",
                                        "validaterange", "validatepattern", "cmdletbinding"):
                            raise not_modelled(f"the [{sb.script.text(inner[0])}()] parameter attribute")
            default = [c for c in p.children if c.type == "script_parameter_default"]
            dnode = named(default[0])[0] if default and named(default[0]) else None
            specs.append((vname, tname, dnode, mandatory))
        return specs

    def invoke_scriptblock(self, sb: ScriptBlock, args: list[Any], named_args: dict[str, Any] | None = None,
                           dollar_under: Any = ..., new_scope: bool = True, input_items: list | None = None,
                           command_name: str | None = None) -> list[Any]:
        """Run a script block / function body; return its output."""
        saved_scope = self.scope
        saved_script = self.script
        if new_scope:
            self.scope = Scope(saved_scope)
        # A block run in the caller's scope (ForEach-Object, Where-Object) sets the caller's $_; PowerShell gives the
        # caller its own $_ back when the block returns, so a pipeline nested in a ForEach-Object block does not
        # change what $_ is in the rest of that block.
        saved_under = self.scope.vars.get("_") if not new_scope else None
        saved_under_value = saved_under.value if saved_under is not None else None
        self.script = sb.script
        out: list[Any] = []
        if command_name:
            self.call_stack.append(command_name)
        try:
            if dollar_under is not ...:
                self.scope.set("_", dollar_under)
            self.bind_script_params(sb, list(args), dict(named_args or {}), command_name)
            if input_items is not None:
                self.scope.set("input", list(input_items))
            elif new_scope:
                self.scope.set("input", [])  # a block's $input is its own pipeline input, never the caller's
            body = sb.body
            if body is None:
                return out
            named_blocks = self._named_blocks(body)
            try:
                if named_blocks:
                    for kind in ("begin", "process", "end"):
                        blk = named_blocks.get(kind)
                        if blk is None:
                            continue
                        if kind == "process" and input_items:
                            for item in input_items:
                                self.scope.set("_", item)
                                self.exec_statements(blk, out)
                        else:
                            self.exec_statements(blk, out)
                else:
                    self.exec_statements(body, out)
            except ReturnFrom:
                pass
        finally:
            if not new_scope and (dollar_under is not ... or input_items):
                if saved_under is not None:
                    saved_under.value = saved_under_value
                    self.scope.vars["_"] = saved_under
                else:
                    self.scope.vars.pop("_", None)
            self.scope = saved_scope
            self.script = saved_script
            if command_name:
                self.call_stack.pop()
        return out

    def current_function_name(self) -> str | None:
        return self.call_stack[-1] if self.call_stack else None

    def _named_blocks(self, body: Node) -> dict[str, Node]:
        blocks: dict[str, Node] = {}
        stack = [body]
        while stack:
            n = stack.pop()
            for c in n.children:
                if c.type == "named_block":
                    kind = self.script.text([x for x in c.children if x.type == "block_name"][0]).lower()
                    blocks[kind] = [x for x in c.children if x.type == "statement_block"][0]
                elif c.type in ("script_block_body", "named_block_list"):
                    stack.append(c)
        if blocks and "dynamicparam" in blocks:
            raise not_modelled("dynamicparam blocks")
        return blocks

    def bind_script_params(self, sb: ScriptBlock, args: list[Any], named_args: dict[str, Any],
                           command_name: str | None) -> None:
        specs = self.param_specs(sb)
        remaining_named = dict(named_args)
        bound: dict[str, Any] = {}
        for name, given in list(remaining_named.items()):
            g = name.lower()
            hits = [s for s in specs if s[0].lower() == g] or [s for s in specs if s[0].lower().startswith(g)]
            if len(hits) == 1:
                bound[hits[0][0]] = given
                del remaining_named[name]
            elif len(hits) > 1:
                raise PSRuntimeError(ErrorRecord(
                    f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. Possible "
                    f"matches include: {' '.join('-' + h[0] for h in hits)}.", "InvalidArgument",
                    f"AmbiguousParameter,{command_name or sb.name}",
                    "System.Management.Automation.ParameterBindingException", activity=command_name or ""))
            elif g in ("erroraction", "ea", "verbose", "whatif", "confirm", "warningaction") and sb.name:
                del remaining_named[name]
            else:
                raise PSRuntimeError(ErrorRecord(
                    f"A parameter cannot be found that matches parameter name '{name}'.", "InvalidArgument",
                    f"NamedParameterNotFound,{command_name or sb.name}",
                    "System.Management.Automation.ParameterBindingException", activity=command_name or ""))
        positional = list(args)
        for name, tname, dnode, mandatory in specs:
            if name in bound:
                val = bound[name]
            elif tname and tname.endswith("SwitchParameter"):
                val = False
            elif positional:
                val = positional.pop(0)
            elif dnode is not None:
                val = self.eval(dnode)
            else:
                if mandatory:
                    raise not_modelled(f"prompting for the mandatory parameter -{name}")
                val = None
                if tname and not tname.endswith("SwitchParameter"):
                    val = cast(None, tname) if tname in ("System.String", "System.Int32", "System.Int64",
                                                         "System.Boolean", "System.Double") else None
            if tname and val is not None:
                if tname.endswith("SwitchParameter"):
                    val = to_bool(val)
                else:
                    try:
                        val = cast(val, tname)
                    except PSRuntimeError as exc:
                        raise PSRuntimeError(ErrorRecord(
                            f"Cannot process argument transformation on parameter '{name}'. {exc.record.message}",
                            "InvalidData", f"ParameterArgumentTransformationError,{command_name or sb.name}",
                            "System.Management.Automation.ParameterBindingArgumentTransformationException",
                            activity=command_name or "")) from None
            self.scope.vars[name.lower()] = Var(name, val)
        self.scope.vars["args"] = Var("args", positional)
        ps_bound = PSHashtable({k: v for k, v in bound.items()})
        self.scope.vars["psboundparameters"] = Var("PSBoundParameters", ps_bound)

    # ---- commands -------------------------------------------------------------------------------------
    def command_args(self, cmd: Node) -> tuple[list[Arg], str | None]:
        from wsfc_lab.pwsh.command_elements import command_elements
        args: list[Arg] = []
        redirect: str | None = None
        for el in command_elements(self.script, cmd):
            if el.kind == "param":
                value = self.eval_argument(el.value) if el.explicit and el.value is not None else None
                args.append(Arg("param", el.name, value, el.explicit, el.node))
            elif el.kind == "redirection":
                redirect = self.redirection(el.node, redirect)
            elif el.kind == "stop_parsing":
                raise not_modelled("--% (stop-parsing)")
            elif el.kind == "splat":
                args.append(Arg("splat", el.name, self.get_var("$" + el.name), False, el.node))
            else:
                args.append(Arg("value", "", self.eval_argument(el.node), False, el.node))
        return args, redirect

    def redirection(self, node: Node, current: str | None) -> str | None:
        op = named(node)[0]
        op_text = self.script.text(op).strip()
        if op.type == "merging_redirection_operator":
            if op_text == "2>&1":
                return "merge"
            raise not_modelled(f"the redirection {op_text}")
        target = [c for c in node.children if c.type == "redirected_file_name"]
        tnode = named(target[0]) if target else []
        ttext = self.script.text(target[0]).strip() if target else ""
        if ttext.lower() != "$null":
            raise not_modelled(f"redirection to a file ({op_text} {ttext})")
        if op_text in ("2>", "*>"):
            return "null" if op_text == "2>" else "all-null"
        if op_text in (">", "1>"):
            return "out-null" if current is None else current
        raise not_modelled(f"the redirection {op_text}")

    def eval_argument(self, node: Node) -> Any:
        n = unwrap(node)
        if n.type == "generic_token":
            text = self.script.text(n)
            if "$" in text or "`" in text:
                sub = parse_text('"' + text.replace('"', '`"') + '"')
                inner = Interp.__new__(Interp)
                inner.__dict__.update(self.__dict__)
                inner.script = sub
                lit = _find_first(sub.root, "expandable_string_literal")
                if lit is None:
                    return text
                return inner.expand_string(lit)
            return text
        if n.type == "command_argument_sep":
            return None
        val = self.eval(n)
        return None if val is Interp.VOID else val

    def resolve_command_name(self, name: str) -> str:
        return ALIASES.get(name.lower(), name)

    def invoke_command(self, cmd: Node, input_items: list[Any] | None) -> list[Any]:
        name_node = cmd.child_by_field_name("command_name")
        op = [c for c in cmd.children if c.type == "command_invokation_operator"]
        args, redirect = self.command_args(cmd)
        if name_node is None:
            raise not_modelled(f"the command '{self.script.text(cmd)}'")
        if name_node.type == "command_name_expr" or op:
            target = self.eval_command_target(name_node)
            dot = bool(op) and self.script.text(op[0]).strip() == "."
            if isinstance(target, ScriptBlock):
                positional, named_args = self.split_function_args(args, self.param_specs(target))
                return self.invoke_scriptblock(target, positional, named_args, new_scope=not dot,
                                               input_items=input_items)
            name = to_string(target)
        else:
            name = self.script.text(name_node)
        canonical = self.resolve_command_name(name)
        call = CommandCall(name, canonical, args, cmd, self, redirect)
        fn = self.functions.get(canonical.lower())
        program = find_program(name) if fn is None else None
        if program is not None:
            result = self.run_program(program, name, args, cmd)
            return [] if redirect in ("out-null", "all-null") else result
        if fn is None and (any(ch in name for ch in "\\/") or name.lower().endswith(
                (".exe", ".ps1", ".cmd", ".bat", ".com"))):
            err = not_modelled(f"running the program or script '{name}'")  # as check.py refuses it statically
            err.record.position = self.script.position(cmd)
            raise err
        try:
            if fn is not None:
                positional, named_args = self.split_function_args(args, self.param_specs(fn))
                result = self.invoke_scriptblock(fn, positional, named_args, input_items=input_items,
                                                 command_name=fn.name)
            else:
                from wsfc_lab.pwsh.binding import invoke_cmdlet
                result = invoke_cmdlet(self, call, input_items)
        except PSRuntimeError as exc:
            if exc.record.position is None:
                exc.record.position = self.script.position(cmd)
            raise
        if redirect in ("out-null", "all-null"):
            return []
        return result

    def run_program(self, program: Any, name: str, args: list[Arg], cmd: Node) -> list[Any]:
        """A native program the lab models (wsfc_lab.programs): its arguments as strings (a parameter-like word
        such as ``-s`` as written, an array as one argument per element), its standard output as lines,
        ``$LASTEXITCODE`` its exit code and ``$?`` whether that is 0."""
        from wsfc_lab.programs import ProgramNotModelled
        argv: list[str] = []
        for a in args:
            if a.kind == "param":
                argv.append(self.script.text(a.node).strip())
            elif a.kind == "splat":
                raise not_modelled(f"splatting arguments to the program {name}")
            elif a.value is not None:
                argv.extend(to_string(v) for v in as_list(a.value))
        try:
            code, stdout = program(getattr(self.host, "context", None), self.host.node, argv)
        except ProgramNotModelled as exc:
            err = not_modelled(str(exc))
            err.record.position = self.script.position(cmd)
            raise err from None
        self.global_scope.vars["lastexitcode"] = Var("LASTEXITCODE", int(code))
        self.dollar_q = int(code) == 0
        lines = str(stdout).replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    def eval_command_target(self, node: Node) -> Any:
        inner = named(node)
        n = inner[0] if inner else node
        if n.type == "path_command_name":
            kids = named(n)
            if kids:
                return self.eval(kids[0])
            return self.script.text(n)
        if n.type == "command_name":  # & diskshadow.exe: a bare program name after the call operator
            return self.script.text(n)
        return self.eval(n)

    def split_function_args(self, args: list[Arg], specs: list | None = None) -> tuple[list[Any], dict[str, Any]]:
        switches = {s[0].lower() for s in (specs or []) if s[1] and s[1].endswith("SwitchParameter")}
        positional: list[Any] = []
        named_args: dict[str, Any] = {}
        i = 0
        while i < len(args):
            a = args[i]
            if a.kind == "splat":
                if isinstance(a.value, PSHashtable):
                    for k, v in a.value.items():
                        named_args[k] = v
                else:
                    positional.extend(as_list(a.value))
            elif a.kind == "param":
                if a.explicit:
                    named_args[a.name] = a.value
                elif i + 1 < len(args) and args[i + 1].kind == "value" and not any(
                        sw.startswith(a.name.lower()) for sw in switches):
                    named_args[a.name] = _Pending(args[i + 1].value)
                    i += 1
                else:
                    named_args[a.name] = True
            else:
                positional.append(a.value)
            i += 1
        return positional, {k: (v.value if isinstance(v, _Pending) else v) for k, v in named_args.items()}

    # ---- expressions ----------------------------------------------------------------------------------
    def eval(self, node: Node) -> Any:
        node = unwrap(node)
        fn = getattr(self, "ev_" + node.type, None)
        if fn is None:
            raise not_modelled(f"the expression kind '{node.type}' ({self.script.text(node)[:40]!r})")
        try:
            return fn(node)
        except PSRuntimeError as exc:
            if exc.record.position is None and node.type in ("member_access", "invokation_expression",
                                                             "element_access", "variable", "cast_expression",
                                                             "expression_with_unary_operator"):
                exc.record.position = self.script.position(node)
            raise

    def ev_variable(self, node: Node) -> Any:
        return self.get_var(self.script.text(node), node)

    def _literal_text(self, node: Node) -> str | None:
        """The literal as written: None when the grammar saw a patched bareword (see parse._patch_barewords)."""
        text = self.script.text(node)
        if not text[:1].isdigit() and not text[:1] == ".":
            return None
        m = re.match(r"[kKmMgGtTpP][bB]", self.script.data[node.end_byte:node.end_byte + 2].decode("ascii", "replace"))
        return text + (m.group(0) if m else "")

    def ev_integer_literal(self, node: Node) -> Any:
        text = self._literal_text(node)
        if text is None:
            return self.script.text(node)
        n = parse_number(text)
        if n is None:
            raise not_modelled(f"the number literal {text}")
        if isinstance(n, float) and n == int(n) and not re.search(r"[.e]", text.lower().replace("0x", "")):
            n = int(n)
        return n

    def ev_real_literal(self, node: Node) -> Any:
        text = self._literal_text(node)
        if text is None:
            return self.script.text(node)
        n = parse_number(text)
        if n is None:
            raise not_modelled(f"the number literal {text}")
        if text.lower().endswith(("kb", "mb", "gb", "tb", "pb")) and isinstance(n, float) and n == int(n):
            return int(n)
        return float(n) if not text.lower().endswith(("kb", "mb", "gb", "tb", "pb")) else n

    def ev_string_literal(self, node: Node) -> Any:
        first = self.script.data[node.start_byte:node.start_byte + 1]
        if first not in (b"'", b'"', b"@") and not first[:1] >= b"\x80":
            return self.script.text(node)   # a bareword the grammar was shown as a quoted string
        kids = named(node)
        inner = kids[0] if kids else node
        if inner.type in ("expandable_string_literal", "expandable_here_string_literal"):
            return self.expand_string(inner)
        text = self.script.text(inner)
        if inner.type == "verbatim_here_string_characters" or text.startswith("@'"):
            return _here_body(text)
        return verbatim_string_value(text)

    def ev_expandable_string_literal(self, node: Node) -> Any:
        return self.expand_string(node)

    def expand_string(self, node: Node) -> str:
        data = self.script.data
        raw = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        here = raw.startswith("@")
        if here:
            nl = data.index(b"\n", node.start_byte) + 1
            start = nl
            end = data.rindex(b"\n", node.start_byte, node.end_byte)
            if end > start and data[end - 1:end] == b"\r":
                end -= 1
            if end < start:
                end = start
        else:
            start = node.start_byte + 1
            end = node.end_byte - 1
        parts: list[str] = []
        pos = start
        for c in named(node):
            if c.start_byte < start or c.end_byte > end + (1 if here else 0):
                continue
            parts.append(_unescape(data[pos:c.start_byte].decode("utf-8", "replace"), not here))
            if c.type == "variable":
                parts.append(self.string_of(self.ev_variable(c)))
            elif c.type == "sub_expression":
                out: list[Any] = []
                self.exec_statements(c, out)
                parts.append(self.string_of(self.collect_value(out)))
            else:
                parts.append(data[c.start_byte:c.end_byte].decode("utf-8", "replace"))
            pos = c.end_byte
        parts.append(_unescape(data[pos:end].decode("utf-8", "replace"), not here))
        return "".join(parts)

    def string_of(self, v: Any) -> str:
        ofs = self.scope.find("ofs")
        return to_string(v, to_string(ofs.value) if ofs else " ")

    def ev_sub_expression(self, node: Node) -> Any:
        out: list[Any] = []
        self.exec_statements(node, out)
        return self.collect_value(out)

    def ev_array_expression(self, node: Node) -> Any:
        out: list[Any] = []
        self.exec_statements(node, out)
        return list(out)

    def ev_parenthesized_expression(self, node: Node) -> Any:
        inner = named(node)
        if not inner:
            return None
        return self.value_of_statement(inner[0])

    def ev_script_block_expression(self, node: Node) -> Any:
        return self.make_scriptblock(node)

    def ev_hash_literal_expression(self, node: Node, ordered: bool = False) -> Any:
        h = PSHashtable(ordered=ordered)
        body = [c for c in node.children if c.type == "hash_literal_body"]
        if not body:
            return h
        for entry in named(body[0]):
            if entry.type != "hash_entry":
                continue
            key_node = [c for c in entry.children if c.type == "key_expression"][0]
            kn = unwrap(key_node)
            if kn.type == "simple_name":
                key: Any = self.script.text(kn)
            else:
                key = self.eval(kn)
            vals = [c for c in named(entry) if c is not key_node]
            value = self.value_of_statement(vals[0]) if vals else None
            if key in h:
                raise PSRuntimeError(ErrorRecord(f"Duplicate keys '{key}' are not allowed in hash literals.",
                                                 "ParserError", "DuplicateKeyInHashLiteral",
                                                 "System.Management.Automation.ParentContainsErrorRecordException"))
            h[key if isinstance(key, str) else to_string(key)] = value
        return h

    def ev_array_literal_expression(self, node: Node) -> Any:
        return [self._elem(c) for c in named(node)]

    def _elem(self, c: Node) -> Any:
        v = self.eval(c)
        return None if v is Interp.VOID else v

    def ev_type_literal(self, node: Node) -> Any:
        return TypeRef(self.type_name(node))

    def type_name(self, node: Node) -> str:
        text = self.script.text(node).strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        return text.strip()

    def ev_cast_expression(self, node: Node) -> Any:
        tnode = node.children[0]
        tname = self.type_name(tnode)
        operand = unwrap(node.children[1])
        low = tname.lower()
        if low == "ordered":
            if operand.type != "hash_literal_expression":
                raise PSRuntimeError(ErrorRecord(
                    "The ordered attribute can be specified only on a hash literal node.", "ParserError",
                    "OrderedAttributeOnlyOnHashLiteralNode",
                    "System.Management.Automation.ParentContainsErrorRecordException"))
            return self.ev_hash_literal_expression(operand, ordered=True)
        value = self.eval(operand)
        if value is Interp.VOID:
            value = None
        if low in ("void", "system.void"):
            return Interp.VOID
        if low in ("pscustomobject", "system.management.automation.pscustomobject") and isinstance(value, PSHashtable):
            return PSObject(PSCUSTOMOBJECT, value.items())
        return cast(value, tname)

    def ev_expression_with_unary_operator(self, node: Node) -> Any:
        kids = node.children
        if kids[0].type == "cast_expression" or kids[0].is_named:
            return self.eval(kids[0])
        op = self.script.text(kids[0]).lower()
        operand = self.eval(kids[1])
        if operand is Interp.VOID:
            operand = None
        if op in ("-not", "!"):
            return not to_bool(operand)
        if op == ",":
            return [operand]
        if op == "-":
            n = to_number(operand)
            return -n
        if op == "+":
            return to_number(operand)
        if op == "-join":
            return "".join(self.string_of(x) for x in as_list(operand))
        if op == "-split":
            out: list[str] = []
            for s in as_list(operand):
                out.extend(x for x in re.split(r"\s+", to_string(s).strip()) if x != "" or False)
            return out
        if op == "-bnot":
            return ~to_int(operand, "System.Int64")
        if op in ("++", "--"):
            raise not_modelled("this increment form")
        raise not_modelled(f"the unary operator {op}")

    def _incdec(self, node: Node, delta: int, post: bool) -> Any:
        target = unwrap(named(node)[0])
        old = self.eval(target)
        new = op_add(old if old is not None else 0, delta)
        self.assign_to(target, new)
        return Interp.VOID if post else new

    def ev_post_increment_expression(self, node: Node) -> Any:
        return self._incdec(node, 1, True)

    def ev_post_decrement_expression(self, node: Node) -> Any:
        return self._incdec(node, -1, True)

    def ev_pre_increment_expression(self, node: Node) -> Any:
        return self._incdec(node, 1, False)

    def ev_pre_decrement_expression(self, node: Node) -> Any:
        return self._incdec(node, -1, False)

    # binary operators ---------------------------------------------------------------------------------
    def _binary(self, node: Node) -> tuple[Any, str, Node]:
        kids = [c for c in node.children if c.type != "comment"]
        if len(kids) != 3:
            raise not_modelled(f"the expression '{self.script.text(node)[:40]}'")
        return kids[0], self.script.text(kids[1]).strip(), kids[2]

    def ev_logical_expression(self, node: Node) -> Any:
        l, op, r = self._binary(node)
        op = op.lower()
        left = to_bool(self.eval(l))
        if op == "-and":
            return left and to_bool(self.eval(r))
        if op == "-or":
            return left or to_bool(self.eval(r))
        if op == "-xor":
            return left != to_bool(self.eval(r))
        raise not_modelled(f"the operator {op}")

    ev_logical_argument_expression = ev_logical_expression

    def ev_bitwise_expression(self, node: Node) -> Any:
        l, op, r = self._binary(node)
        a, b = to_int(self.eval(l), "System.Int64"), to_int(self.eval(r), "System.Int64")
        op = op.lower()
        if op == "-band":
            return a & b
        if op == "-bor":
            return a | b
        if op == "-bxor":
            return a ^ b
        raise not_modelled(f"the operator {op}")

    ev_bitwise_argument_expression = ev_bitwise_expression

    def ev_additive_expression(self, node: Node) -> Any:
        l, op, r = self._binary(node)
        a, b = self.eval(l), self.eval(r)
        return op_add(a, b) if op == "+" else op_sub(a, b)

    ev_additive_argument_expression = ev_additive_expression

    def ev_multiplicative_expression(self, node: Node) -> Any:
        l, op, r = self._binary(node)
        a, b = self.eval(l), self.eval(r)
        return {"*": op_mul, "/": op_div, "%": op_mod}[op](a, b)

    ev_multiplicative_argument_expression = ev_multiplicative_expression

    def ev_format_expression(self, node: Node) -> Any:
        from wsfc_lab.pwsh.fmt import composite_format
        l, _, r = self._binary(node)
        fmt = to_string(self.eval(l))
        args = self.eval(r)
        return composite_format(fmt, as_list(args) if isinstance(args, list) else [args])

    ev_format_argument_expression = ev_format_expression

    def ev_range_expression(self, node: Node) -> Any:
        l, _, r = self._binary(node)
        a, b = to_int(self.eval(l)), to_int(self.eval(r))
        step = 1 if b >= a else -1
        return list(range(a, b + step, step))

    ev_range_argument_expression = ev_range_expression

    def ev_comparison_expression(self, node: Node) -> Any:
        l, op, r = self._binary(node)
        left = self.eval(l)
        right = self.eval(r)
        return self.compare_op(op, left, right)

    ev_comparison_argument_expression = ev_comparison_expression

    def compare_op(self, op: str, left: Any, right: Any) -> Any:
        m = _CMP.match(op)
        if not m:
            raise not_modelled(f"the operator {op}")
        cs = (m.group(1) or "").lower() == "c"
        base = m.group(2).lower()
        if left is Interp.VOID:
            left = None
        if base in ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch"):
            if isinstance(left, list):
                return [x for x in left if self._scalar_cmp(base, x, right, cs, set_matches=False)]
            return self._scalar_cmp(base, left, right, cs)
        if base in ("contains", "notcontains"):
            found = any(ps_equals(x, right, cs) for x in as_list(left) if True) if not isinstance(
                left, PSHashtable) else any(ps_equals(left, right, cs) for _ in [0])
            return found if base == "contains" else not found
        if base in ("in", "notin"):
            found = any(ps_equals(x, left, cs) for x in (as_list(right) if not isinstance(right, PSHashtable)
                                                           else [right]))
            return found if base == "in" else not found
        if base == "replace":
            pat, rep = (right[0], right[1] if len(right) > 1 else "") if isinstance(right, list) else (right, "")
            rx = compile_regex(pat, cs)
            fn = dotnet_replacement(to_string(rep))
            if isinstance(left, list):
                return [rx.sub(fn, to_string(x)) for x in left]
            return rx.sub(fn, to_string(left))
        if base == "split":
            pat, limit = (right[0], to_int(right[1])) if isinstance(right, list) else (right, 0)
            rx = compile_regex(pat, cs)
            out: list[str] = []
            for s in as_list(left):
                out.extend(rx.split(to_string(s), maxsplit=max(0, limit - 1)) if limit > 0 else rx.split(to_string(s)))
            return [x if x is not None else "" for x in out]
        if base == "join":
            return self.string_of_join(left, right)
        if base in ("is", "isnot"):
            tname = right.name if isinstance(right, TypeRef) else to_string(right)
            r = is_type(left, tname)
            return r if base == "is" else not r
        if base == "as":
            tname = right.name if isinstance(right, TypeRef) else to_string(right)
            return try_cast(left, tname)
        raise not_modelled(f"the operator {op}")

    def string_of_join(self, left: Any, right: Any) -> str:
        sep = to_string(right)
        return sep.join(to_string(x) for x in as_list(left))

    def _scalar_cmp(self, base: str, a: Any, b: Any, cs: bool, set_matches: bool = True) -> bool:
        if base == "eq":
            return ps_equals(a, b, cs)
        if base == "ne":
            return not ps_equals(a, b, cs)
        if base in ("gt", "ge", "lt", "le"):
            c = ps_compare(a, b, cs)
            return {"gt": c > 0, "ge": c >= 0, "lt": c < 0, "le": c <= 0}[base]
        if base in ("like", "notlike"):
            r = ps_like(a, b, cs)
            return r if base == "like" else not r
        r = self.op_match(a, b, cs, set_matches)
        return r if base == "match" else not r

    def op_match(self, a: Any, pattern: Any, cs: bool, set_matches: bool = True) -> bool:
        rx = compile_regex(pattern, cs)
        m = rx.search(to_string(a))
        if m and set_matches:
            h = PSHashtable()
            h["0"] = m.group(0)
            for i, g in enumerate(m.groups(), 1):
                if g is not None:
                    h[str(i)] = g
            for k, g in m.groupdict().items():
                if g is not None:
                    h[k] = g
            self.scope.set("Matches", _MatchesTable(h))
        return m is not None

    # members ------------------------------------------------------------------------------------------
    def member_parts(self, node: Node) -> tuple[Node, str]:
        obj = node.children[0]
        mn = [c for c in node.children if c.type == "member_name"]
        if not mn:
            raise not_modelled(f"the member access '{self.script.text(node)}'")
        inner = named(mn[0])
        if inner and inner[0].type != "simple_name":
            name = to_string(self.eval(inner[0]))
        else:
            name = self.script.text(mn[0])
        return obj, name

    def ev_member_access(self, node: Node) -> Any:
        obj_node, name = self.member_parts(node)
        sep = self.script.text(node.children[1])
        target = self.eval(obj_node)
        if sep == "::":
            return dotnet.get_static(self, target, name)
        return dotnet.get_member(self, target, name)

    def ev_invokation_expression(self, node: Node) -> Any:
        obj_node, name = self.member_parts(node)
        sep = self.script.text(node.children[1])
        arglist = [c for c in node.children if c.type == "argument_list"]
        args: list[Any] = []
        if arglist:
            ael = arglist[0].child_by_field_name("argument_expression_list")
            if ael is not None:
                args = [self._elem(a) for a in named(ael)]
        target = self.eval(obj_node)
        if sep == "::":
            return dotnet_static.invoke_static(self, target, name, args)
        if target is None:
            raise PSRuntimeError(ErrorRecord("You cannot call a method on a null-valued expression.",
                                             "InvalidOperation", "InvokeMethodOnNull",
                                             "System.Management.Automation.RuntimeException"))
        return dotnet_methods.invoke_method(self, target, name, args)

    def index_node(self, node: Node) -> Node:
        kids = [c for c in node.children if c.is_named and c.type != "comment"]
        return kids[1]

    def ev_element_access(self, node: Node) -> Any:
        obj = self.eval(node.children[0])
        idx = self.eval(self.index_node(node))
        return dotnet.get_index(self, obj, idx)


class _Pending:
    def __init__(self, value: Any):
        self.value = value


class _MatchesTable(PSHashtable):
    """``$Matches``: keys are group numbers/names."""

    def __init__(self, h: PSHashtable):
        super().__init__(h.items())

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(str(key))

    def __contains__(self, key: object) -> bool:
        return super().__contains__(str(key))


def not_modelled_from(nm: NotModelled) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception), True)


def _find_first(node: Node, kind: str) -> Node | None:
    if node.type == kind:
        return node
    for c in node.children:
        hit = _find_first(c, kind)
        if hit is not None:
            return hit
    return None


_ESC = {"0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape(text: str, double_quoted: bool) -> str:
    """Backtick escapes (and ``""`` inside a double-quoted string)."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "`" and i + 1 < len(text):
            n = text[i + 1]
            out.append(_ESC.get(n, n))
            i += 2
            continue
        if double_quoted and c in "\"\u201c\u201d\u201e" and i + 1 < len(text) and text[i + 1] in "\"\u201c\u201d\u201e":
            out.append(c)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def verbatim_string_value(text: str) -> str:
    """``'it''s'`` -> ``it's``."""
    body = text[1:-1] if len(text) >= 2 else ""
    return re.sub(r"(['\u2018\u2019\u201a\u201b])(['\u2018\u2019\u201a\u201b])", r"\1", body)


def _here_body(text: str) -> str:
    first = text.find("\n")
    last = text.rfind("\n")
    if first == -1 or last <= first:
        return ""
    body = text[first + 1:last]
    return body[:-1] if body.endswith("\r") else body
