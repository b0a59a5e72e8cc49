"""Microsoft's documented cmdlet signatures, as the lab checks scripts against them.

The lab refuses a script that names a cmdlet or a parameter Windows would not
accept, so the reference must answer the same questions PowerShell's
parameter binder answers: which cmdlet is this (case-insensitive), and which
parameter does ``-Nam`` mean (exact name, unique prefix, alias, common
parameter, ``WhatIf``/``Confirm`` for cmdlets that support ShouldProcess).

The data lives in ``lab/reference/*.json`` (one file per module, ``wmi.json``
for CIM classes; schema in ``lab/reference/README.md``). An installed copy is
looked up as the package ``wsfc_lab._reference``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

# Common parameters (about_CommonParameters) and their aliases. Order matters
# only for error messages listing candidates.
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


@dataclass
class ParameterRef:
    name: str
    type: str = "Object"
    position: int | None = None
    aliases: list[str] = field(default_factory=list)
    pipeline: str | None = None
    mandatory: bool = False
    common: bool = False

    @property
    def is_switch(self) -> bool:
        # Documentation writes the type either short or namespace-qualified.
        return self.type.lower().rsplit(".", 1)[-1] in ("switchparameter", "switch")

    @property
    def by_value(self) -> bool:
        return bool(self.pipeline) and "byvalue" in self.pipeline.replace(" ", "").lower()

    @property
    def by_property_name(self) -> bool:
        return bool(self.pipeline) and "bypropertyname" in self.pipeline.replace(" ", "").lower()


@dataclass
class CmdletRef:
    name: str
    module: str
    parameters: dict[str, ParameterRef]
    supports_should_process: bool = False
    source: str = ""
    outputs: list[str] = field(default_factory=list)
    class_name: str | None = None

    def all_parameters(self) -> list[ParameterRef]:
        """Documented parameters, then the implied common (and ShouldProcess) ones."""
        out = list(self.parameters.values())
        have = {p.name.lower() for p in out}
        extra = dict(COMMON_PARAMETERS)
        if self.supports_should_process:
            extra.update(SHOULD_PROCESS_PARAMETERS)
        for name, spec in extra.items():
            if name.lower() not in have:
                out.append(ParameterRef(name, spec["type"], None, list(spec["aliases"]), None, False, True))
        return out

    def parameter(self, name: str) -> ParameterRef | None:
        for p in self.all_parameters():
            if p.name.lower() == name.lower():
                return p
        return None

    @property
    def fq_class(self) -> str:
        """The cmdlet's .NET class, as the part after the comma in a FullyQualifiedErrorId."""
        if self.class_name:
            return self.class_name
        verb, _, noun = self.name.partition("-")
        ns = MODULE_NAMESPACES.get(self.module.lower(), self.module)
        return f"{ns}.{verb}{noun}Command"


# Best-effort namespaces for cmdlet classes when the reference does not carry
# the class name (the binder's error ids end with it).
MODULE_NAMESPACES = {
    "failoverclusters": "Microsoft.FailoverClusters.PowerShell",
    "microsoft.powershell.core": "Microsoft.PowerShell.Commands",
    "microsoft.powershell.utility": "Microsoft.PowerShell.Commands",
    "microsoft.powershell.management": "Microsoft.PowerShell.Commands",
    "cimcmdlets": "Microsoft.Management.Infrastructure.CimCmdlets",
}


def _param_from_json(name: str, spec: Any) -> ParameterRef:
    spec = spec if isinstance(spec, dict) else {}
    pos = spec.get("position")
    if isinstance(pos, str):
        pos = int(pos) if pos.isdigit() else None
    return ParameterRef(
        name=name,
        type=str(spec.get("type") or "Object"),
        position=pos,
        aliases=[str(a) for a in (spec.get("aliases") or [])],
        pipeline=spec.get("pipeline") or None,
        mandatory=bool(spec.get("mandatory")),
    )


@dataclass
class Reference:
    """All documented cmdlets, types, enums and WMI classes the lab knows."""

    cmdlets: dict[str, CmdletRef] = field(default_factory=dict)       # lower name -> ref
    types: dict[str, dict] = field(default_factory=dict)              # lower full name -> spec
    enums: dict[str, dict] = field(default_factory=dict)
    wmi_classes: dict[str, dict] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    shared: Any = None                                                # parsed shared cmdlets.json

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, dirs: Iterable[Path] | None = None, shared_cmdlets_json: Path | None = None) -> "Reference":
        ref = cls()
        for d in (list(dirs) if dirs is not None else [default_reference_dir()]):
            d = Path(d)
            if not d.is_dir():
                continue
            for path in sorted(d.glob("*.json")):
                ref.add_file(path)
        if shared_cmdlets_json is not None and Path(shared_cmdlets_json).is_file():
            ref.shared = json.loads(Path(shared_cmdlets_json).read_text(encoding="utf-8"))
        return ref

    @classmethod
    def load_default(cls) -> "Reference":
        d = default_reference_dir()
        shared = d.parent.parent / "shared" / "reference" / "cmdlets.json"
        return cls.load([d], shared if shared.is_file() else None)

    def add_file(self, path: Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.add_data(data, default_module=Path(path).stem)
        self.sources.append(Path(path))

    def add_data(self, data: dict, default_module: str = "") -> None:
        module = str(data.get("module") or default_module)
        for name, spec in (data.get("cmdlets") or {}).items():
            params = {pname: _param_from_json(pname, pspec)
                      for pname, pspec in (spec.get("parameters") or {}).items()}
            self.cmdlets[name.lower()] = CmdletRef(
                name=name, module=module, parameters=params,
                supports_should_process=bool(spec.get("supports_should_process")),
                source=str(spec.get("source") or ""), outputs=list(spec.get("outputs") or []),
                class_name=spec.get("class") or spec.get("class_name") or None,
            )
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
        """Canonical parameter name for ``-given``, as PowerShell's binder resolves it.

        Exact names and aliases win; otherwise a prefix must match exactly one
        parameter (names and aliases both count, as in PowerShell).
        """
        ref = cmdlet if isinstance(cmdlet, CmdletRef) else self.cmdlet(cmdlet)
        if ref is None:
            raise KeyError(cmdlet)
        return resolve_parameter(ref, given)

    # ---- comparison with the shared reference ---------------------------------------------------
    def disagreements(self) -> list[str]:
        """Differences between this reference and the shared ``cmdlets.json`` (if loaded).

        The shared file's layout is not fixed, so any mapping from a cmdlet-like
        name (``Verb-Noun``) to something that lists parameter names is read.
        """
        if self.shared is None:
            return []
        shared = _extract_shared(self.shared)
        out: list[str] = []
        for lname, (name, params) in sorted(shared.items()):
            mine = self.cmdlets.get(lname)
            if mine is None:
                out.append(f"{name}: in shared cmdlets.json, missing from lab/reference")
                continue
            if params is None:
                continue
            have = {p.lower(): p for p in mine.parameters}
            theirs = {p.lower(): p for p in params}
            for p in sorted(set(theirs) - set(have)):
                out.append(f"{mine.name}: parameter {theirs[p]} in shared cmdlets.json, missing from lab/reference")
            for p in sorted(set(have) - set(theirs)):
                if p in {c.lower() for c in COMMON_PARAMETERS} | {c.lower() for c in SHOULD_PROCESS_PARAMETERS}:
                    continue
                out.append(f"{mine.name}: parameter {have[p]} in lab/reference, missing from shared cmdlets.json")
        for lname, ref in sorted(self.cmdlets.items()):
            if lname not in shared:
                out.append(f"{ref.name}: in lab/reference, missing from shared cmdlets.json")
        return out


def resolve_parameter(ref: CmdletRef, given: str) -> str:
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
        raise ParameterNotFound(ref.name, given.lstrip("-"))
    raise AmbiguousParameter(ref.name, given.lstrip("-"), hits)


def _looks_like_cmdlet(name: Any) -> bool:
    return isinstance(name, str) and "-" in name and " " not in name and name[:1].isalpha()


def _param_names(spec: Any) -> list[str] | None:
    if isinstance(spec, dict):
        for key in ("parameters", "params", "Parameters"):
            if key in spec:
                inner = spec[key]
                if isinstance(inner, dict):
                    return [str(k) for k in inner]
                if isinstance(inner, list):
                    names = []
                    for item in inner:
                        if isinstance(item, str):
                            names.append(item)
                        elif isinstance(item, dict) and ("name" in item or "Name" in item):
                            names.append(str(item.get("name") or item.get("Name")))
                    return names
        return None
    if isinstance(spec, list) and all(isinstance(x, str) for x in spec):
        return list(spec)
    return None


def _extract_shared(data: Any) -> dict[str, tuple[str, list[str] | None]]:
    """Find ``{cmdlet name: parameter names}`` anywhere in a loosely structured document."""
    found: dict[str, tuple[str, list[str] | None]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if _looks_like_cmdlet(k) and isinstance(v, (dict, list)):
                    found[k.lower()] = (k, _param_names(v))
                else:
                    walk(v)
            name = node.get("name") or node.get("Name")
            if _looks_like_cmdlet(name) and ("parameters" in node or "params" in node):
                found[str(name).lower()] = (str(name), _param_names(node))
        elif isinstance(node, list):
            for item in node:
                if _looks_like_cmdlet(item):
                    found.setdefault(item.lower(), (item, None))
                else:
                    walk(item)

    walk(data)
    return found


def default_reference_dir() -> Path:
    """``lab/reference`` next to the package, or the installed ``wsfc_lab/_reference``."""
    here = Path(__file__).resolve().parent
    source_tree = here.parent / "reference"
    if source_tree.is_dir():
        return source_tree
    return here / "_reference"
