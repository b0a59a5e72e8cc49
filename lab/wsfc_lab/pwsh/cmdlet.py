"""The contract between the PowerShell engine and the cmdlets the lab models.

The engine (``wsfc_lab.pwsh``) parses and runs a script; when the script calls
a cmdlet that is not part of the PowerShell language core (``Get-ClusterNode``,
``Move-ClusterSharedVolume``, ``Get-CimInstance`` ...), the engine

1. has already refused the script if the cmdlet or any parameter name it uses
   is not in the documented reference (``wsfc_lab.reference``);
2. binds the arguments to canonical parameter names (prefixes, aliases,
   positions and pipeline input resolved as PowerShell does, using the
   reference), converts switch parameters to ``True``;
3. calls the implementation registered in :class:`CmdletTable` once (no
   pipeline input) or once per pipeline input object (the object bound to the
   parameter the reference marks ``pipeline: "ByValue"``), exactly like a
   cmdlet's ``ProcessRecord``;
4. passes every object the implementation returns down the pipeline.

A cmdlet the reference documents but the lab does not implement is refused
with a "not modelled" error: the lab never pretends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol


class PSError(Exception):
    """A PowerShell error record.

    Raised by a cmdlet implementation (through :meth:`CmdletContext.throw` or
    :meth:`CmdletContext.write_error` under ``-ErrorAction Stop``) and by the
    engine. ``category`` is an ``ErrorCategory`` name (``ObjectNotFound``,
    ``InvalidArgument``, ``InvalidOperation``, ``ResourceUnavailable``,
    ``OperationTimeout``, ``NotSpecified`` ...); ``error_id`` is the
    FullyQualifiedErrorId as Windows prints it, e.g.
    ``"Move-ClusterSharedVolume,Microsoft.FailoverClusters.PowerShell.MoveClusterSharedVolumeCommand"``.
    ``exception`` is the .NET exception type name.
    """

    def __init__(self, message: str, category: str = "NotSpecified", error_id: str = "",
                 target: Any = None, exception: str = "System.Management.Automation.RuntimeException"):
        super().__init__(message)
        self.message = message
        self.category = category
        self.error_id = error_id
        self.target = target
        self.exception = exception


class NotModelled(PSError):
    """The script asked for something documented that the lab does not simulate."""

    def __init__(self, what: str):
        super().__init__(
            f"wsfc_lab: {what} is not modelled by the lab; the script was not run as Windows would run it.",
            category="NotImplemented",
            error_id="WsfcLabNotModelled",
            exception="System.NotImplementedException",
        )


class CmdletContext(Protocol):
    """What the engine hands a cmdlet implementation for one invocation."""

    node: str                  # the node this script runs on (its computer name)
    host: Any                  # the lab object behind the cmdlets (wsfc_lab.model.Cluster view for a node)
    command_name: str          # canonical cmdlet name, e.g. "Move-ClusterSharedVolume"
    bound: dict[str, Any]      # the parameters as the script bound them (canonical names)

    def write_error(self, error: PSError) -> None:
        """Non-terminating error; honours -ErrorAction / $ErrorActionPreference (Stop makes it terminating)."""

    def write_warning(self, message: str) -> None:
        """Warning stream (does not reach stdout)."""

    def should_process(self, target: str, action: str) -> bool:
        """False under -WhatIf (the cmdlet must then change nothing)."""


CmdletImpl = Callable[[CmdletContext, dict, Any], Iterable[Any]]
"""``impl(ctx, params, input_object) -> iterable of output objects``.

``params`` maps canonical parameter names (as spelled in the reference) to
bound values; parameters the script did not pass are absent. ``input_object``
is the current pipeline object, or ``None``.
"""


@dataclass
class CmdletTable:
    """Cmdlet implementations by name, looked up case-insensitively."""

    impls: dict[str, CmdletImpl] = field(default_factory=dict)

    def register(self, name: str) -> Callable[[CmdletImpl], CmdletImpl]:
        def deco(fn: CmdletImpl) -> CmdletImpl:
            self.impls[name.lower()] = fn
            return fn
        return deco

    def get(self, name: str) -> CmdletImpl | None:
        return self.impls.get(name.lower())

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.impls

    def merge(self, other: "CmdletTable") -> "CmdletTable":
        return CmdletTable({**self.impls, **other.impls})
