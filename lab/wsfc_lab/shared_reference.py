"""The shared ``cmdlets.json``: Microsoft's documented syntax of the cmdlets, found and turned into signatures.

The file lives outside the repository, in ``../shared/reference/`` next to
the repository root (its README describes the shape). The lab is run from
the main checkout and from clean clones at any path, so :func:`locate`
looks, in order, at

1. ``$WSFC_LAB_SHARED_REFERENCE`` (the file itself or the directory holding it);
2. ``<ancestor>/shared/reference/cmdlets.json`` for every ancestor of the
   repository root the package is imported from (the root's parent first),
   then of the current directory;
3. the copy of that file kept in ``lab/reference/shared-cmdlets.json.gz``, for
   a machine that has the repository but not ``../shared`` (a CI runner). A
   lab test compares the copy with the shared file wherever the shared file
   is found, so a change of ``../shared`` shows as a failing test until the
   copy is refreshed (``make lab-reference``);

and raises :class:`SharedReferenceNotFound`, naming every place it looked,
when none exists: without the documented syntax the lab cannot check a
script, and a lab that silently skipped its checks would pass scripts Windows
refuses.

:func:`cmdlets_from` turns the documented syntax into
:class:`wsfc_lab.reference.CmdletRef` objects. Where the documentation is
ambiguous it takes the reading that refuses more, as the lab does wherever
Microsoft is unclear:

- membership in a parameter set and the position there come from the SYNTAX
  blocks (what ``Get-Command -Syntax`` prints); a parameter is mandatory in a
  set when either the SYNTAX block or the PARAMETERS section says so (the
  file's ``doc_notes`` record where the two contradict each other);
- the type, aliases, pipeline input and accepted values come from the
  PARAMETERS section;
- the lab models the FileSystem provider only, so another provider's dynamic
  parameters (``Get-Item -CodeSigningCert``, the WSMan provider's
  ``New-Item`` parameters) and parameters the page lists in PARAMETERS but in
  no SYNTAX block are refused as not modelled rather than bound;
- common parameters added after Windows PowerShell 5.1 (``added_in``) do not exist.

A module the shared file does not hold but the lab implements (ClusterAwareUpdating) has its documented syntax
in the lab's *supplement*, ``lab/reference/supplement/<Module>.json``: the same per-cmdlet schema, written from
the page at the commit each file records (``sources``: repo, commit, paths). :func:`supplement_files` lists them,
:func:`read_supplement` checks one, and :class:`wsfc_lab.reference.Reference` adds their cmdlets to the shared
file's (the shared file wins where both have a cmdlet, and ``reference-check`` reports the duplicate).
"""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from wsfc_lab.reference import ALL_SETS, SHOULD_PROCESS_PARAMETERS, CmdletRef, ParameterRef, SetEntry

ENV_VAR = "WSFC_LAB_SHARED_REFERENCE"
FILE_NAME = "cmdlets.json"
RELATIVE = Path("shared") / "reference" / FILE_NAME
# The copy of the shared file kept with the lab (see the module docstring).
COPY = Path(__file__).resolve().parent.parent / "reference" / "shared-cmdlets.json.gz"
MODELLED_PROVIDER = "FileSystem"


class SharedReferenceNotFound(FileNotFoundError):
    """The shared cmdlets.json is nowhere the lab looks; the message says where it looked and how to point at it."""


def _repository_root(start: Path) -> Path | None:
    """The directory holding ``lab/wsfc_lab`` (the repository root) at or above ``start``."""
    for d in [start, *start.parents]:
        if (d / "lab" / "wsfc_lab").is_dir():
            return d
    return None


def candidates() -> list[Path]:
    """Every path :func:`locate` tries, in order."""
    out: list[Path] = []
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        out.append(p / FILE_NAME if p.is_dir() else p)
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        root = _repository_root(start)
        if root is None:
            continue
        for ancestor in root.parents:
            p = ancestor / RELATIVE
            if p not in out:
                out.append(p)
    return out + [COPY]


def shared_candidates() -> list[Path]:
    """The places of the shared file itself (not the lab's copy of it)."""
    return [p for p in candidates() if p != COPY]


def locate() -> Path:
    """The shared cmdlets.json, or :class:`SharedReferenceNotFound`."""
    tried = candidates()
    env = os.environ.get(ENV_VAR)
    for p in tried:
        if p.is_file():
            return p
        if env and p == tried[0]:
            # an explicit setting that points nowhere is an error, not a hint to look elsewhere
            raise SharedReferenceNotFound(f"wsfc_lab: ${ENV_VAR} is {env!r}, but {p} is not a file")
    raise SharedReferenceNotFound(
        "wsfc_lab: cannot find the shared cmdlet reference (cmdlets.json, Microsoft's documented cmdlet syntax). "
        f"It lives in ../shared/reference/ next to the repository root; looked at: "
        f"{', '.join(str(p) for p in tried) or '(no repository root found)'}. "
        f"Set ${ENV_VAR} to the file (or its directory). The lab does not run scripts without it.")


@lru_cache(maxsize=4)
def _read_cached(path: str, mtime: float) -> dict:
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number: the lab's copy, wherever it was put
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


def read(path: Path) -> dict:
    """The parsed file (cached per path and modification time: it is 4 MB)."""
    path = Path(path)
    if not path.is_file():
        raise SharedReferenceNotFound(f"wsfc_lab: the shared cmdlet reference {path} does not exist")
    data = _read_cached(str(path.resolve()), path.stat().st_mtime)
    if not isinstance(data, dict) or not isinstance(data.get("cmdlets"), dict):
        raise ValueError(f"wsfc_lab: {path} is not the shared cmdlet reference (no 'cmdlets' object)")
    return data


def _common(data: dict) -> dict[str, dict]:
    """The common parameters of Windows PowerShell 5.1: those without ``added_in`` (a later version's)."""
    common: dict[str, dict] = {}
    for name, spec in (data.get("common_parameters") or {}).items():
        if not spec.get("added_in") and spec.get("group") == "common":
            common[name] = {"aliases": list(spec.get("aliases") or []), "type": spec.get("type") or "Object"}
    return common


def cmdlets_from(data: dict) -> dict[str, CmdletRef]:
    """``{lower name: CmdletRef}`` for every cmdlet of the shared file."""
    common = _common(data)
    return {name.lower(): cmdlet_from(name, spec, common) for name, spec in data["cmdlets"].items()}


def cmdlet_from(name: str, spec: dict, common: dict[str, dict] | None = None) -> CmdletRef:
    documented: dict[str, dict] = {k.lower(): {"name": k, **v} for k, v in (spec.get("parameters") or {}).items()}
    should_process = {k.lower() for k in SHOULD_PROCESS_PARAMETERS}
    unavailable: dict[str, str] = {}
    set_names: list[str] = []
    default: str | None = None
    memberships: dict[str, dict[str, SetEntry]] = {}
    order: list[str] = []
    for block in spec.get("parameter_sets") or []:
        sname = block["name"]
        if sname not in set_names:
            set_names.append(sname)
        if block.get("default"):
            default = sname
        for bp in block.get("parameters") or []:
            low = bp["name"].lower()
            doc = documented.get(low, {})
            provider = doc.get("dynamic_provider")
            if provider and provider != MODELLED_PROVIDER:
                unavailable[doc.get("name", bp["name"])] = (
                    f"a dynamic parameter of the {provider} provider; the lab models the FileSystem provider only")
                continue
            if low in should_process:
                continue
            if low not in order:
                order.append(low)
            mandatory = bool(bp.get("mandatory")) or sname in (doc.get("mandatory_in") or [])
            entry = memberships.setdefault(low, {}).get(sname)
            if entry is None:
                memberships[low][sname] = SetEntry(mandatory, bp.get("position"))
            else:  # the same set in another provider's SYNTAX block
                entry.mandatory = entry.mandatory or mandatory
                if entry.position is None:
                    entry.position = bp.get("position")
    if not set_names:
        set_names = [ALL_SETS]
    if default is None and len(set_names) == 1:
        default = set_names[0]
    params: dict[str, ParameterRef] = {}
    for low in order:
        doc = documented.get(low)
        pname = doc["name"] if doc else low
        sets = memberships[low]
        positions = {e.position for e in sets.values()}
        params[pname] = ParameterRef(
            name=pname, type=str((doc or {}).get("type") or "Object"),
            position=positions.pop() if len(positions) == 1 else None,
            aliases=[str(a) for a in ((doc or {}).get("aliases") or [])],
            pipeline=_pipeline((doc or {}).get("pipeline")),
            mandatory=any(e.mandatory for e in sets.values()),
            sets=sets, switch=(doc or {}).get("switch"),
            accepted_values=[str(v) for v in ((doc or {}).get("accepted_values") or [])])
    for low, doc in documented.items():
        if low in should_process:
            params[doc["name"]] = ParameterRef(doc["name"], str(doc.get("type") or "SwitchParameter"), None,
                                               list(doc.get("aliases") or []), None, False, True, switch=True)
        elif low not in memberships and doc["name"] not in unavailable:
            unavailable[doc["name"]] = ("documented in the page's PARAMETERS section but in none of its SYNTAX "
                                        "blocks, so its parameter sets are unknown")
    return CmdletRef(
        name=name, module=str(spec.get("module") or ""), parameters=params,
        supports_should_process=bool(spec.get("supports_should_process")),
        source=str(spec.get("source") or ""), outputs=list(spec.get("outputs") or []),
        parameter_sets=set_names, default_set=default, online_version=str(spec.get("online_version") or ""),
        help_file=str(spec.get("external_help_file") or ""), unavailable=unavailable,
        notes=[str(n) for n in (spec.get("doc_notes") or [])],
        common=dict(common) if common is not None else CmdletRef("", "", {}).common)


def _pipeline(value: Any) -> str | None:
    """The PARAMETERS section's pipeline line; the one page that writes "False" means none."""
    if not value or str(value).strip().lower() == "false":
        return None
    return str(value)


SUPPLEMENT_DIR = "supplement"


def supplement_files(reference_dir: Path) -> list[Path]:
    """The supplement files of a lab reference directory (``<dir>/supplement/*.json``)."""
    return sorted((Path(reference_dir) / SUPPLEMENT_DIR).glob("*.json"))


def read_supplement(path: Path) -> dict:
    """A supplement file, checked: its ``sources`` name repo, commit and paths, and each cmdlet's ``source`` is one
    of those paths (so every signature can be traced to one page at one commit)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cmdlets"), dict):
        raise ValueError(f"wsfc_lab: {path} is not a cmdlet supplement (no 'cmdlets' object)")
    paths: set[str] = set()
    for i, src in enumerate(data.get("sources") or []):
        if not (isinstance(src, dict) and src.get("repo") and src.get("paths")
                and len(str(src.get("commit") or "")) == 40):
            raise ValueError(f"wsfc_lab: {path}: sources[{i}] must name repo, a 40-digit commit and paths")
        paths.update(src["paths"])
    if not paths:
        raise ValueError(f"wsfc_lab: {path}: no sources (repo, commit, paths) recorded")
    for name, spec in data["cmdlets"].items():
        if spec.get("source") not in paths:
            raise ValueError(f"wsfc_lab: {path}: {name}'s source {spec.get('source')!r} is not in its sources' paths")
    return data
