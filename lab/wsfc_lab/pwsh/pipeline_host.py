"""A script as a PowerShell remoting pipeline runs it: objects out, not text.

Over PSRP a client does not start ``powershell.exe``: it adds a script to a
pipeline of the node's runspace pool (``PowerShell.AddScript``) and invokes it
with pipeline input, as ansible-core's ``psrp`` connection plugin does. The
script goes through the same engine as a WinRS command (parse, static checks,
interpreter; :func:`wsfc_lab.pwsh.powershell_exe.run_script` is the WinRS
counterpart), but what comes back differs in the ways remoting differs:

* the output stream carries the objects themselves (the server serialises
  them), not the text ``Out-Default`` would print;
* errors are error records, warnings and verbose messages their own records,
  in the order they were written;
* ``Write-Host`` goes to the client's host (a host call), not to stdout;
* ``exit N`` asks the client's host to exit (``SetShouldExit(N)``; a
  ``PSHost.SetShouldExit`` call, which ansible's psrp plugin reads as the rc)
  and the pipeline completes; without ``exit`` there is no exit code and the
  client decides from the error stream;
* an error that terminates the script, a script that does not parse, or a
  refusal by the lab's checks ends the pipeline Failed with that error record
  ([MS-PSRP] 3.2.1.3.2 Pipeline State: "a pipeline failed while executing").
  The lab's static refusals (an unknown command or parameter, something not
  modelled) are reported the same way: the script never started.

``$input`` enumerates the pipeline input objects (about_Automatic_Variables:
"$input ... enumerates all input that's passed to a function"; for a script
invoked with input this is the pipeline input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wsfc_lab.pwsh.errors import ErrorRecord, ExitScript, ParseFailure, PSRuntimeError, Refused
from wsfc_lab.pwsh.interp import Interp


@dataclass
class PipelineResult:
    """What one pipeline produced, in order.

    ``records`` holds ``("output", object)``, ``("error", ErrorRecord)``,
    ``("warning", text)``, ``("verbose", text)``, ``("host", line)`` and
    ``("host-nonl", text)`` entries. ``exit_code`` is N after ``exit N``, else
    None. ``failure`` is the error record the pipeline failed with, else None.
    """

    records: list[tuple[str, Any]] = field(default_factory=list)
    exit_code: int | None = None
    failure: ErrorRecord | None = None

    @property
    def had_errors(self) -> bool:
        """``PowerShell.HadErrors``: the pipeline failed or wrote an error record."""
        return self.failure is not None or any(kind == "error" for kind, _ in self.records)

    @property
    def rc(self) -> int:
        """One number for the lab's event log: the exit code after ``exit N``, else 1 if it had errors, else 0."""
        return self.exit_code or (1 if self.had_errors else 0)


class _PipelineInterp(Interp):
    """The interpreter with a remoting pipeline's sinks: objects instead of formatted text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exit_requested: int | None = None
        self.failure: ErrorRecord | None = None

    def flush(self, items: list[Any]) -> None:
        for item in items:
            self.stream.append(("obj", item))
        items.clear()

    def exec_statements(self, node: Any, out: list[Any], top: bool = False) -> None:
        try:
            super().exec_statements(node, out, top=top)
        except ExitScript as ex:
            self.exit_requested = ex.code
            raise
        except PSRuntimeError as exc:
            if top:
                self.failure = exc.record
            raise

    def report_error(self, record: ErrorRecord) -> None:
        if record is self.failure:  # the error the pipeline fails with, not an error stream record
            self.error_list.insert(0, record)
            self.stmt_failed = True
            return
        super().report_error(record)


_KINDS = {"obj": "output", "err": "error", "warn": "warning", "verbose": "verbose", "out": "host",
          "host-nonl": "host-nonl"}


def run_pipeline_script(source: str, host: Any, input_objects: list[Any] | None = None) -> PipelineResult:
    """Parse, check and run ``source`` as a pipeline's script on ``host`` with ``input_objects`` as ``$input``."""
    from wsfc_lab.pwsh.builtins import BUILTINS
    from wsfc_lab.pwsh.check import check_script
    from wsfc_lab.pwsh.parse import parse
    try:
        script = parse(source)
        check_script(script, host)
    except ParseFailure as failure:
        return PipelineResult(failure=parse_exception(failure.records))
    except Refused as refused:
        return PipelineResult(failure=refused.record)
    interp = _PipelineInterp(script, host, BUILTINS, getattr(host, "reference", None))
    interp.global_scope.set("input", list(input_objects or []))
    interp.run()
    records = [(_KINDS[kind], item) for kind, item in interp.stream if kind in _KINDS]
    return PipelineResult(records, interp.exit_requested, interp.failure)


def parse_exception(records: list[ErrorRecord]) -> ErrorRecord:
    """The one error a pipeline whose script does not parse fails with.

    PowerShell raises a ``ParseException`` for the whole script; its message
    lists every parse error, each as its position and its message, and its
    error id is the first error's (``ParseException`` is documented as
    "thrown when parsing fails", holding the ``ParseError`` list). The exact
    separator between several errors is not documented; the lab puts a blank
    line between them, as the console shows them.
    """
    first = records[0]
    parts = []
    for record in records:
        where = record.position.message() + "\n" if record.position else ""
        parts.append(where + record.message)
    return ErrorRecord("\n\n".join(parts), "ParserError", first.error_id,
                       "System.Management.Automation.ParseException", parse_error=True)
