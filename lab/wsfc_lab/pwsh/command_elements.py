"""A command's elements as written: ``-Name``, ``-Name:value``, values, ``@splat``, redirections.

One reading of the grammar's ``command_elements`` for both the interpreter
(which evaluates the value nodes) and the static check (which looks at what
kind of value each node is before anything runs), so the two cannot disagree
on what is a parameter name and what is its argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from wsfc_lab.pwsh.parse import Script, unwrap


@dataclass
class Element:
    """``kind``: "param" (``name``; ``value`` is the node of ``-Name:value``), "value", "splat" (``name``: the
    variable without ``@``), "redirection" or "stop_parsing"."""

    kind: str
    node: Node
    name: str = ""
    value: Node | None = None
    explicit: bool = False


def command_elements(script: Script, cmd: Node) -> list[Element]:
    els = cmd.child_by_field_name("command_elements")
    if els is None:
        return []
    kids = list(els.children)
    out: list[Element] = []
    i = 0
    while i < len(kids):
        k = kids[i]
        if k.type == "command_argument_sep":
            i += 1
            continue
        if k.type == "command_parameter":
            text = script.text(k)
            nxt = kids[i + 1] if i + 1 < len(kids) else None
            if text.endswith(":"):
                # -Name:value with no separator node
                j = i + 1
                while j < len(kids) and kids[j].type == "command_argument_sep" and not script.text(kids[j]).strip():
                    j += 1
                out.append(Element("param", k, text[1:-1], kids[j] if j < len(kids) else None, True))
                i = j + 1
                continue
            if nxt is not None and nxt.type == "command_argument_sep" and script.text(nxt).strip() == ":":
                j = i + 2
                while j < len(kids) and kids[j].type == "command_argument_sep":
                    j += 1
                out.append(Element("param", k, text[1:], kids[j] if j < len(kids) else None, True))
                i = j + 1
                continue
            out.append(Element("param", k, text[1:]))
            i += 1
            continue
        if k.type == "redirection":
            out.append(Element("redirection", k))
        elif k.type in ("stop_parsing", "verbatim_command_argument"):
            out.append(Element("stop_parsing", k))
        else:
            inner = unwrap(k)
            if inner.type == "variable" and script.text(inner).startswith("@"):
                out.append(Element("splat", inner, script.text(inner)[1:]))
            else:
                out.append(Element("value", k, value=k))
        i += 1
    return out
