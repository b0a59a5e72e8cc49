"""``python -m wsfc_lab reference-check``: where the lab's data disagrees with the shared cmdlets.json.

The signatures live only in the shared file, so what can disagree is what the
lab says about them:

- a cmdlet entry or a parameter note in ``lab/reference`` names a cmdlet or a
  parameter the shared file does not document;
- the lab implements a cmdlet (its cmdlet table or a language-core builtin)
  the shared file does not document, or a builtin implements a parameter the
  page does not list;
- an implemented cmdlet's documented output has no ``types`` entry (or WMI
  class) that says which properties its objects have, or an ``output_types``
  entry names a type the lab does not describe;
- a cmdlet of the lab's supplement (``lab/reference/supplement``) is also in
  the shared file (the supplement's copy is then unused: remove it).

Each disagreement is one line ``<Cmdlet>: <what>``; consistent data prints nothing.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

CIM_OUTPUT = re.compile(r"^Microsoft\.Management\.Infrastructure\.CimInstance#\s*(?:(?P<ns>.+)[/\\])?(?P<cls>[^/\\]+)$")
# Outputs that are not object types: the pages write "None" for cmdlets that return nothing.
NO_OUTPUT = {"none"}


def disagreements(ref: Any, implemented: Iterable[str] = ()) -> list[str]:
    out: list[str] = []
    out.extend(_lab_notes(ref))
    out.extend(_implemented(ref, implemented))
    out.extend(_builtins(ref))
    out.extend(_outputs(ref, implemented))
    out.extend(f"{name}: in the lab's supplement (lab/reference/supplement) and in the shared cmdlets.json; remove it "
               "from the supplement" for name in getattr(ref, "supplement_duplicates", []))
    return out


def _lab_notes(ref: Any) -> list[str]:
    out = []
    for low, entry in sorted(ref.cmdlet_notes.items()):
        name = entry["name"]
        doc = ref.cmdlet(name)
        if doc is None:
            out.append(f"{name}: in lab/reference, not documented in the shared cmdlets.json")
            continue
        for pname in entry.get("parameters") or {}:
            if doc.parameter(pname) is None and pname not in doc.unavailable:
                out.append(f"{name}: lab/reference notes parameter -{pname}, which the shared cmdlets.json does not "
                           "document")
    return out


def _implemented(ref: Any, implemented: Iterable[str]) -> list[str]:
    return [f"{name}: implemented by the lab, not documented in the shared cmdlets.json"
            for name in sorted(set(implemented), key=str.lower) if ref.cmdlet(name) is None]


def _builtins(ref: Any) -> list[str]:
    from wsfc_lab.pwsh.builtins import BUILTINS
    out = []
    for low, builtin in sorted(BUILTINS.items()):
        doc = ref.cmdlet(low)
        if doc is None:
            out.append(f"{builtin.spec.name}: a builtin of the lab, not documented in the shared cmdlets.json")
            continue
        for pname in builtin.spec.parameters:
            if doc.parameter(pname) is None:
                out.append(f"{doc.name}: the lab's builtin implements -{pname}, which the shared cmdlets.json does "
                           "not document")
    return out


def _described(ref: Any, type_name: str) -> bool:
    base = type_name[:-2] if type_name.endswith("[]") else type_name
    return ref.type(base) is not None or ref.enum(base) is not None or ref.wmi_class(base) is not None


def _outputs(ref: Any, implemented: Iterable[str]) -> list[str]:
    namespaces = {t["name"].rsplit(".", 1)[0] for t in list(ref.types.values()) + list(ref.enums.values())
                  if "." in t["name"]}
    out = []
    for name in sorted({n.lower() for n in implemented}):
        doc = ref.cmdlet(name)
        if doc is None:
            continue
        entry = ref.cmdlet_notes.get(name, {})
        if "output_types" in entry:
            for t in entry["output_types"]:
                if not _described(ref, t):
                    out.append(f"{doc.name}: output_types names {t}, which lab/reference does not describe")
            continue
        for t in doc.outputs:
            base = t[:-2] if t.endswith("[]") else t
            if base.lower() in NO_OUTPUT or _described(ref, base):
                continue
            m = CIM_OUTPUT.match(base)
            if m:
                cls = ref.wmi_class(m.group("cls").strip())
                if cls is None or (m.group("ns") and cls["namespace"].lower() != m.group("ns").replace("\\", "/")
                                   .strip().lower()):
                    out.append(f"{doc.name}: documented output {t} has no types entry or wmi.json class "
                               "(give the cmdlet output_types in lab/reference)")
                continue
            if "." in base and base.rsplit(".", 1)[0] in namespaces:
                out.append(f"{doc.name}: documented output {t} has no types entry in lab/reference")
    return out
