"""Microsoft's documented cmdlet signatures and object types, as the lab checks scripts against them.

The lab refuses a script that names a cmdlet or a parameter Windows would not
accept, so the reference must answer the questions PowerShell's parameter
binder answers: which cmdlet is this (case-insensitive), which parameter does
``-Nam`` mean (exact name, unique prefix, alias, common parameter,
``WhatIf``/``Confirm`` for cmdlets that support ShouldProcess), which
parameter sets it belongs to, where it is positional and where it is
mandatory.

Two sources, each holding what the other does not:

- the signatures (parameter sets, parameters, types, aliases, positions,
  pipeline input, accepted values) come from the shared
  ``cmdlets.json``, extracted from Microsoft's documentation sources
  (``wsfc_lab.shared_reference`` finds and reads it);
- the lab's own ``lab/reference/*.json`` hold what the documentation
  sources do not: the properties of the objects cmdlets return (``types``),
  their enums, the WMI classes (``wmi.json``), and the lab's notes and
  citations about cmdlets (schema in ``lab/reference/README.md``). An
  installed copy is looked up as the package ``wsfc_lab._reference``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

# Common parameters (about_CommonParameters, Windows PowerShell 5.1) and their aliases, used for
# specs that are not read from the shared reference (which carries the same list).
COMMON_PARAMETERS: dict[str, dict[str, Any]] = {
    "Verbose": {"aliases": ["vb"], "type": "SwitchParameter"},
    "Debug": {"aliases": ["db"], "type": "SwitchParameter"},
    "ErrorAction": {"aliases": ["ea"], "type": "ActionPreference"},
    "WarningAction": {"aliases": ["wa"], "type": "ActionPreference"},
    "InformationAction": {"aliases": ["infa"], "type": "ActionPreference"},
    "ErrorVariable": {"aliases": ["ev"], "type": "String"},
    "WarningVariable": {"aliases": ["wv"], "type": "String"},
    "InformationVariable": {"aliases": ["iv"], "type": "String"},
    "OutVariable": {"aliases": ["ov"], "type": "String"},
    "OutBuffer": {"aliases": ["ob"], "type": "Int32"},
    "PipelineVariable": {"aliases": ["pv"], "type": "String"},
}
SHOULD_PROCESS_PARAMETERS: dict[str, dict[str, Any]] = {
    "WhatIf": {"aliases": ["wi"], "type": "SwitchParameter"},
    "Confirm": {"aliases": ["cf"], "type": "SwitchParameter"},
}
ALL_SETS = "__AllParameterSets"


class ParameterNotFound(LookupError):
    """``-X`` matches no parameter of the cmdlet."""

    def __init__(self, cmdlet: str, given: str):
        super().__init__(given)
        self.cmdlet = cmdlet
        self.given = given


class AmbiguousParameter(LookupError):
    """``-X`` is a prefix of several parameters."""

    def __init__(self, cmdlet: str, given: str, candidates: list[str]):
        super().__init__(given)
        self.cmdlet = cmdlet
        self.given = given
        self.candidates = candidates


class ParameterUnavailable(LookupError):
    """``-X`` is documented but the lab cannot offer it (why: ``reason``); refused as not modelled."""

    def __init__(self, cmdlet: str, name: str, reason: str):
        super().__init__(name)
        self.cmdlet = cmdlet
        self.name = name
        self.reason = reason


@dataclass
class SetEntry:
    """A parameter as one parameter set (one SYNTAX block of the page) declares it."""

    mandatory: bool = False
    position: int | None = None


@dataclass
class ParameterRef:
    name: str
    type: str = "Object"
    position: int | None = None          # the position when the same in every set it is in, else None
    aliases: list[str] = field(default_factory=list)
    pipeline: str | None = None
    mandatory: bool = False              # mandatory in some set
    common: bool = False                 # a common or ShouldProcess parameter (in every set)
    sets: dict[str, SetEntry] | None = None   # None: in every parameter set of the cmdlet
    switch: bool | None = None           # None: decided from the type
    accepted_values: list[str] = field(default_factory=list)

    @property
    def is_switch(self) -> bool:
        if self.switch is not None:
            return self.switch
        # Documentation writes the type either short or namespace-qualified.
        return self.type.lower().rsplit(".", 1)[-1] in ("switchparameter", "switch")

    @property
    def by_value(self) -> bool:
        return bool(self.pipeline) and "byvalue" in self.pipeline.replace(" ", "").lower()

    @property
    def by_property_name(self) -> bool:
        return bool(self.pipeline) and "bypropertyname" in self.pipeline.replace(" ", "").lower()

    @property
    def takes_pipeline_input(self) -> bool:
        return self.by_value or self.by_property_name

    def in_set(self, name: str) -> bool:
        return self.sets is None or name in self.sets

    def mandatory_in(self, name: str) -> bool:
        if self.sets is None:
            return self.mandatory
        entry = self.sets.get(name)
        return bool(entry and entry.mandatory)

    def position_in(self, name: str) -> int | None:
        if self.sets is None:
            return self.position
        entry = self.sets.get(name)
        return entry.position if entry else None


@dataclass
class CmdletRef:
    name: str
    module: str
    parameters: dict[str, ParameterRef]
    supports_should_process: bool = False
    source: str = ""                                  # the documentation page (source path or URL)
    outputs: list[str] = field(default_factory=list)
    class_name: str | None = None
    parameter_sets: list[str] = field(default_factory=lambda: [ALL_SETS])
    default_set: str | None = ALL_SETS
    online_version: str = ""                          # the page on learn.microsoft.com
    help_file: str = ""                               # the page's external help file (tells CDXML functions)
    unavailable: dict[str, str] = field(default_factory=dict)   # documented name -> why the lab refuses it
    notes: list[str] = field(default_factory=list)    # the lab's notes (lab/reference), then the shared file's
    common: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(COMMON_PARAMETERS))

    def all_parameters(self) -> list[ParameterRef]:
        """Documented parameters, then the common ones, then ``WhatIf``/``Confirm`` (PowerShell's order)."""
        out = [p for p in self.parameters.values() if not p.common]
        extra = dict(self.common)
        if self.supports_should_process:
            extra.update(SHOULD_PROCESS_PARAMETERS)
        for name, spec in extra.items():
            mine = self.parameters.get(name)
            out.append(mine if mine is not None else
                       ParameterRef(name, spec["type"], None, list(spec["aliases"]), None, False, True))
        return out

    def parameter(self, name: str) -> ParameterRef | None:
        for p in self.all_parameters():
            if p.name.lower() == name.lower():
                return p
        return None

    @property
    def is_function(self) -> bool:
        """CDXML cmdlets are PowerShell functions: their error ids end with the command name, not a class."""
        return ".cdxml-help.xml" in self.help_file.lower()

    @property
    def fq_class(self) -> str:
        """The cmdlet's .NET class (a function's name), as the part after the comma in a FullyQualifiedErrorId."""
        if self.class_name:
            return self.class_name
        if self.is_function:
            return self.name
        verb, _, noun = self.name.partition("-")
        ns = MODULE_NAMESPACES.get(self.module.lower(), self.module)
        return f"{ns}.{verb}{noun}Command"

    @property
    def page(self) -> str:
        return self.online_version or self.source


# Namespaces of the binary modules' cmdlet classes (the binder's error ids end with the class name).
MODULE_NAMESPACES = {
    "failoverclusters": "Microsoft.FailoverClusters.PowerShell",
    "microsoft.powershell.core": "Microsoft.PowerShell.Commands",
    "microsoft.powershell.utility": "Microsoft.PowerShell.Commands",
    "microsoft.powershell.management": "Microsoft.PowerShell.Commands",
    "cimcmdlets": "Microsoft.Management.Infrastructure.CimCmdlets",
    # CauOrchestratorBaseCommand's namespace (https://learn.microsoft.com/en-us/previous-versions/mt756116(v=vs.85))
    "clusterawareupdating": "Microsoft.ClusterAwareUpdating.Commands",
}


@dataclass
class Reference:
    """All documented cmdlets (shared cmdlets.json) and the lab's types, enums, WMI classes and notes."""

    cmdlets: dict[str, CmdletRef] = field(default_factory=dict)       # lower name -> ref
    types: dict[str, dict] = field(default_factory=dict)              # lower full name -> spec
    enums: dict[str, dict] = field(default_factory=dict)
    wmi_classes: dict[str, dict] = field(default_factory=dict)
    cmdlet_notes: dict[str, dict] = field(default_factory=dict)       # lower name -> the lab's entry (notes, cites)
    sources: list[Path] = field(default_factory=list)
    shared_path: Path | None = None
    supplemented: dict[str, Path] = field(default_factory=dict)       # lower name -> the supplement it came from
    supplement_duplicates: list[str] = field(default_factory=list)    # in a supplement and in the shared file

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, dirs: Iterable[Path] | None = None, shared: Path | dict | None = None) -> "Reference":
        """The lab's files in ``dirs`` (default: ``lab/reference``) and the shared signatures.

        ``shared`` is the path of ``cmdlets.json``, or its parsed content, or None to locate it
        (:func:`wsfc_lab.shared_reference.locate`, which raises when it cannot be found).
        """
        from wsfc_lab import shared_reference
        ref = cls()
        if isinstance(shared, dict):
            data = shared
        else:
            ref.shared_path = Path(shared) if shared is not None else shared_reference.locate()
            data = shared_reference.read(ref.shared_path)
        ref.cmdlets = shared_reference.cmdlets_from(data)
        common = shared_reference._common(data)
        for d in (list(dirs) if dirs is not None else [default_reference_dir()]):
            d = Path(d)
            if not d.is_dir():
                raise FileNotFoundError(f"wsfc_lab: the lab's reference directory {d} does not exist")
            for path in shared_reference.supplement_files(d):
                ref.add_supplement(path, common)
            for path in sorted(d.glob("*.json")):
                ref.add_file(path)
        return ref

    def add_supplement(self, path: Path, common: dict) -> None:
        """Documented syntax the shared file lacks (``lab/reference/supplement``, wsfc_lab.shared_reference)."""
        from wsfc_lab import shared_reference
        data = shared_reference.read_supplement(path)
        for name, spec in data["cmdlets"].items():
            if name.lower() in self.cmdlets:
                self.supplement_duplicates.append(name)
                continue
            self.cmdlets[name.lower()] = shared_reference.cmdlet_from(name, spec, common)
            self.supplemented[name.lower()] = Path(path)
        self.sources.append(Path(path))

    @classmethod
    def load_default(cls) -> "Reference":
        return cls.load()

    def add_file(self, path: Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.add_data(data)
        self.sources.append(Path(path))

    def add_data(self, data: dict) -> None:
        for name, spec in (data.get("cmdlets") or {}).items():
            self.cmdlet_notes[name.lower()] = {"name": name, **spec}
            ref = self.cmdlets.get(name.lower())
            if ref is not None:
                ref.notes = _notes_of(spec) + ref.notes
        for name, spec in (data.get("types") or {}).items():
            self.types[name.lower()] = {"name": name, **spec}
        for name, spec in (data.get("enums") or {}).items():
            self.enums[name.lower()] = {"name": name, **spec}
        for name, spec in (data.get("classes") or {}).items():
            self.wmi_classes[name.lower()] = {"name": name, **spec}

    # ---- lookups -------------------------------------------------------------------------------
    def cmdlet(self, name: str) -> CmdletRef | None:
        return self.cmdlets.get(name.lower())

    def type(self, name: str) -> dict | None:
        return self.types.get(name.lower())

    def enum(self, name: str) -> dict | None:
        return self.enums.get(name.lower())

    def wmi_class(self, name: str) -> dict | None:
        return self.wmi_classes.get(name.lower())

    def resolve_parameter(self, cmdlet: str | CmdletRef, given: str) -> str:
        """Canonical parameter name for ``-given``, as PowerShell's binder resolves it."""
        ref = cmdlet if isinstance(cmdlet, CmdletRef) else self.cmdlet(cmdlet)
        if ref is None:
            raise KeyError(cmdlet)
        return resolve_parameter(ref, given)

    def disagreements(self, implemented: Iterable[str] = ()) -> list[str]:
        """Where the lab's data and the shared reference disagree (``wsfc_lab.reference_check``)."""
        from wsfc_lab.reference_check import disagreements
        return disagreements(self, implemented)


def _notes_of(spec: dict) -> list[str]:
    out = []
    for key in ("note", "source_note", "outputs_note"):
        if spec.get(key):
            out.append(str(spec[key]))
    for pname, pnote in (spec.get("parameters") or {}).items():
        if isinstance(pnote, dict) and pnote.get("note"):
            out.append(f"-{pname}: {pnote['note']}")
    return out


def resolve_parameter(ref: CmdletRef, given: str) -> str:
    """Exact names and aliases win; otherwise a prefix must match exactly one parameter (names and aliases)."""
    g = given.lstrip("-").rstrip(":").lower()
    params = ref.all_parameters()
    for p in params:
        if p.name.lower() == g:
            return p.name
    for p in params:
        if any(a.lower() == g for a in p.aliases):
            return p.name
    hits: list[str] = []
    for p in params:
        if p.name.lower().startswith(g) or any(a.lower().startswith(g) for a in p.aliases):
            if p.name not in hits:
                hits.append(p.name)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        for name, reason in ref.unavailable.items():
            if name.lower() == g or name.lower().startswith(g):
                raise ParameterUnavailable(ref.name, name, reason)
        raise ParameterNotFound(ref.name, given.lstrip("-"))
    raise AmbiguousParameter(ref.name, given.lstrip("-"), hits)


def default_reference_dir() -> Path:
    """``lab/reference`` next to the package, or the installed ``wsfc_lab/_reference``."""
    here = Path(__file__).resolve().parent
    source_tree = here.parent / "reference"
    if source_tree.is_dir():
        return source_tree
    return here / "_reference"


@lru_cache(maxsize=1)
def default_reference() -> Reference:
    """The lab's reference, loaded once per process (builtins bind against it when a host brings none)."""
    return Reference.load()
