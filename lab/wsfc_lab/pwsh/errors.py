"""Error records and control flow, and how Windows PowerShell 5.1 prints errors.

A script's caller sees errors only as text on stderr, so the text must be the
text Windows writes: ``<command> : <message>``, ``At line:L char:C``, the
offending line under ``+ `` with ``~`` marks, then ``+ CategoryInfo`` and
``+ FullyQualifiedErrorId``. Parse errors put the position first, the message
after it, as the 5.1 console host does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wsfc_lab.pwsh.cmdlet import PSError

# Width at which the 5.1 host wraps a message line under WinRM (checked against
# captured CLIXML from real nodes: lines break before a word that would pass 119).
HOST_WIDTH = 119


@dataclass
class Position:
    """Where an error happened: 1-based line/column, the line's text and the extent length."""

    line: int
    column: int
    line_text: str
    length: int = 1

    def message(self) -> str:
        marks = "~" * max(1, min(self.length, max(1, len(self.line_text) - self.column + 1)))
        return (f"At line:{self.line} char:{self.column}\n"
                f"+ {self.line_text}\n"
                f"+ {' ' * (self.column - 1)}{marks}")


class ErrorRecord:
    """``System.Management.Automation.ErrorRecord`` as a script sees it (``$_`` in catch)."""

    type_names = ["System.Management.Automation.ErrorRecord", "System.Object"]

    def __init__(self, message: str, category: str = "NotSpecified", error_id: str = "",
                 exception: str = "System.Management.Automation.RuntimeException", target: Any = None,
                 activity: str = "", command: str | None = None, position: Position | None = None,
                 parse_error: bool = False, thrown: Any = None):
        self.message = message
        self.category = category
        self.error_id = error_id or exception.rsplit(".", 1)[-1]
        self.exception_type = exception
        self.target = target
        self.activity = activity          # the [Cmdlet] in CategoryInfo
        self.command = command            # the "X : " prefix
        self.position = position
        self.parse_error = parse_error
        self.thrown = thrown              # the object given to `throw`, if any

    @classmethod
    def from_pserror(cls, err: PSError, activity: str = "", command: str | None = None,
                     position: Position | None = None) -> "ErrorRecord":
        rec = getattr(err, "record", None)
        if isinstance(rec, ErrorRecord):
            return rec
        return cls(err.message, err.category or "NotSpecified", err.error_id or "", err.exception or
                   "System.Management.Automation.RuntimeException", err.target, activity, command, position)

    def to_pserror(self) -> PSError:
        e = PSError(self.message, self.category, self.error_id, self.target, self.exception_type)
        e.record = self  # type: ignore[attr-defined]
        return e

    # ---- display ------------------------------------------------------------------------------------
    @property
    def exception_short(self) -> str:
        return self.exception_type.rsplit(".", 1)[-1]

    def category_info(self) -> str:
        from wsfc_lab.pwsh.values import short_type_name, to_string
        if self.target is None:
            tgt = ":"
        else:
            tgt = f"{to_string(self.target)}:{short_type_name(self.target)}"
        return f"{self.category}: ({tgt}) [{self.activity}], {self.exception_short}"

    def format(self) -> str:
        """The text Windows PowerShell 5.1 writes for this record (lines joined with \\n)."""
        lines: list[str] = []
        if self.parse_error:
            if self.position:
                lines.extend(self.position.message().split("\n"))
            lines.extend(wrap(self.message))
        else:
            head = f"{self.command} : {self.message}" if self.command else self.message
            lines.extend(wrap(head))
            if self.position:
                lines.extend(self.position.message().split("\n"))
        lines.append(f"    + CategoryInfo          : {self.category_info()}")
        lines.append(f"    + FullyQualifiedErrorId : {self.error_id}")
        lines.append(" ")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message


def wrap(text: str, width: int = HOST_WIDTH) -> list[str]:
    """Word-wrap like the console host: a line keeps its trailing space, breaks before the word that overflows."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            piece = word + " "
            if line and len(line) + len(word) + 1 > width:
                out.append(line)
                line = ""
            line += piece
        out.append(line[:-1] if line.endswith(" ") else line)
    # keep the trailing space on broken lines, as the host does
    return out


class PSRuntimeError(Exception):
    """A terminating error in flight. ``script_terminating`` distinguishes ``throw``/Stop from statement-terminating."""

    def __init__(self, record: ErrorRecord, script_terminating: bool = False):
        super().__init__(record.message)
        self.record = record
        self.script_terminating = script_terminating


class FlowControl(Exception):
    """Base of break/continue/return/exit, which unwind the interpreter."""


class BreakLoop(FlowControl):
    def __init__(self, label: str | None = None):
        super().__init__(label)
        self.label = label


class ContinueLoop(FlowControl):
    def __init__(self, label: str | None = None):
        super().__init__(label)
        self.label = label


class ReturnFrom(FlowControl):
    pass


class ExitScript(FlowControl):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


@dataclass
class ParseFailure(Exception):
    """The script does not parse; PowerShell refuses it before running anything."""

    records: list[ErrorRecord] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(r.message for r in self.records)


class Refused(Exception):
    """A static check refused the script (unknown command, parameter, or not modelled)."""

    def __init__(self, record: ErrorRecord):
        super().__init__(record.message)
        self.record = record


def runtime_error(message: str, error_id: str, category: str = "NotSpecified",
                  exception: str = "System.Management.Automation.RuntimeException", target: Any = None,
                  script_terminating: bool = False) -> PSRuntimeError:
    return PSRuntimeError(ErrorRecord(message, category, error_id, exception, target), script_terminating)


def not_modelled(what: str) -> PSRuntimeError:
    from wsfc_lab.pwsh.cmdlet import NotModelled
    nm = NotModelled(what)
    return PSRuntimeError(ErrorRecord(nm.message, nm.category, nm.error_id, nm.exception), True)
