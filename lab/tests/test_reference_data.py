"""Validates lab/reference/*.json against the schema in lab/reference/README.md.

Pure data checks: every file parses, carries the documented keys with the
documented types, every type, enum and WMI class names the Microsoft page it
was copied from, enum values are integers, and the cmdlet entries hold only
what the shared cmdlets.json does not (the lab's notes and citations, and
``output_types``): no signature data, which lives in the shared file alone.
Whether the entries agree with the shared file is ``reference-check``'s job
(tests/test_reference_check.py).

Optional keys used by the data beyond the README example (all informational
unless noted): ``source_note``, ``note``, ``outputs_note``, ``returns``,
``defaults``, ``value_maps``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REF_DIR = Path(__file__).resolve().parent.parent / "reference"
MODULE_FILES = sorted(p for p in REF_DIR.glob("*.json") if p.name != "wmi.json")
WMI_FILE = REF_DIR / "wmi.json"

URL = re.compile(r"^https://learn\.microsoft\.com/[^\s]+$")
CMDLET_NAME = re.compile(r"^[A-Z][A-Za-z]+-[A-Za-z0-9]+$")

# What a cmdlet entry may say: notes, citations, and the lab types its documented outputs are.
CMDLET_KEYS = {"note", "source_note", "outputs_note", "parameters", "output_types"}
SIGNATURE_KEYS = {"type", "position", "aliases", "pipeline", "mandatory", "parameter_sets", "accepted_values",
                  "supports_should_process", "outputs"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _all_modules() -> list[tuple[str, dict]]:
    return [(p.name, _load(p)) for p in MODULE_FILES]


def _is_url(value: object) -> bool:
    return isinstance(value, str) and bool(URL.match(value))


def _namespaces_covered(modules: list[tuple[str, dict]]) -> set[str]:
    """Namespaces of the types the files document (the part before the last dot)."""
    out: set[str] = set()
    for _, data in modules:
        for name in list(data.get("types", {})) + list(data.get("enums", {})):
            if "." in name:
                out.add(name.rsplit(".", 1)[0])
    return out


# ---- files ---------------------------------------------------------------------------------------

def test_reference_files_exist():
    assert MODULE_FILES, "no module files in lab/reference"
    assert WMI_FILE.is_file(), "lab/reference/wmi.json is missing"


@pytest.mark.parametrize("path", MODULE_FILES + [WMI_FILE], ids=lambda p: p.name)
def test_file_is_deterministic_json(path: Path):
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n", \
        f"{path.name}: not written with 2-space indent and a final newline"


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.name)
def test_module_file_top_level(path: Path):
    data = _load(path)
    assert isinstance(data.get("module"), str) and data["module"], f"{path.name}: module"
    assert path.stem == data["module"], f"{path.name}: file name must be <Module>.json"
    assert _is_url(data.get("source")), f"{path.name}: module source URL"
    for key in ("cmdlets", "types", "enums"):
        assert isinstance(data.get(key), dict), f"{path.name}: {key} must be an object"
    assert data["cmdlets"] or data["types"] or data["enums"], f"{path.name}: holds nothing"


# ---- cmdlets -------------------------------------------------------------------------------------

def _cmdlets():
    for fname, data in _all_modules():
        for name, spec in data["cmdlets"].items():
            yield pytest.param(fname, name, spec, id=f"{data['module']}/{name}")


@pytest.mark.parametrize("fname,name,spec", list(_cmdlets()))
def test_cmdlet_entry_holds_notes_only(fname: str, name: str, spec: dict):
    assert CMDLET_NAME.match(name), f"{name}: not a Verb-Noun name"
    assert spec, f"{name}: an empty entry says nothing; leave it out"
    assert set(spec) <= CMDLET_KEYS, f"{name}: keys {set(spec) - CMDLET_KEYS} (signatures live in cmdlets.json)"
    for key in ("note", "source_note", "outputs_note"):
        if key in spec:
            assert isinstance(spec[key], str) and spec[key].strip(), f"{name}: {key}"
    for pname, p in (spec.get("parameters") or {}).items():
        assert re.match(r"^[A-Za-z][A-Za-z0-9]*$", pname), f"{name} -{pname}: bad parameter name"
        assert set(p) == {"note"} and isinstance(p["note"], str) and p["note"].strip(), \
            f"{name} -{pname}: a parameter entry is a note only (no {set(p) & SIGNATURE_KEYS or set(p)})"
    if "output_types" in spec:
        assert isinstance(spec["output_types"], list) and spec["output_types"], f"{name}: output_types"
        assert all(isinstance(t, str) and t for t in spec["output_types"]), f"{name}: output_types"


def test_cmdlet_names_unique_across_files():
    seen: dict[str, str] = {}
    for fname, data in _all_modules():
        for name in data["cmdlets"]:
            assert name.lower() not in seen, f"{name} in {fname} and {seen[name.lower()]}"
            seen[name.lower()] = fname


# ---- types and enums -----------------------------------------------------------------------------

def _types():
    for fname, data in _all_modules():
        for name, spec in data["types"].items():
            yield pytest.param(fname, name, spec, id=f"type:{name}")


def _enums():
    for fname, data in _all_modules():
        for name, spec in data["enums"].items():
            yield pytest.param(fname, name, spec, id=f"enum:{name}")


@pytest.mark.parametrize("fname,name,spec", list(_types()))
def test_type_entry(fname: str, name: str, spec: dict):
    assert _is_url(spec.get("source")), f"{name}: source"
    assert set(spec) <= {"source", "source_note", "properties"}, f"{name}: unknown keys"
    props = spec.get("properties")
    assert isinstance(props, dict), f"{name}: properties"
    for prop, ptype in props.items():
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", prop), f"{name}.{prop}: bad name"
        assert isinstance(ptype, str) and ptype, f"{name}.{prop}: type"
    if "source_note" in spec:
        assert isinstance(spec["source_note"], str) and spec["source_note"]


@pytest.mark.parametrize("fname,name,spec", list(_enums()))
def test_enum_entry(fname: str, name: str, spec: dict):
    assert _is_url(spec.get("source")), f"{name}: source"
    assert set(spec) <= {"source", "source_note", "values"}, f"{name}: unknown keys"
    values = spec.get("values")
    assert isinstance(values, dict) and values, f"{name}: values"
    for member, value in values.items():
        assert isinstance(member, str) and member, f"{name}: member name"
        assert isinstance(value, int) and not isinstance(value, bool), f"{name}.{member}: value must be an int"


def test_property_types_resolve():
    """A property typed with a name from a covered namespace must be a documented type or enum."""
    modules = _all_modules()
    namespaces = _namespaces_covered(modules)
    known = {n.lower() for _, d in modules for n in list(d["types"]) + list(d["enums"])}
    bad = []
    for _, data in modules:
        for tname, spec in data["types"].items():
            for prop, ptype in spec["properties"].items():
                base = ptype[:-2] if ptype.endswith("[]") else ptype
                if "." in base and base.rsplit(".", 1)[0] in namespaces and base.lower() not in known:
                    bad.append(f"{tname}.{prop}: {ptype}")
    assert not bad, ", ".join(bad)


# ---- wmi.json ------------------------------------------------------------------------------------

def _wmi_classes():
    data = _load(WMI_FILE)
    assert set(data) == {"classes"}
    for name, spec in data["classes"].items():
        yield pytest.param(name, spec, id=f"wmi:{name}")


@pytest.mark.parametrize("name,spec", list(_wmi_classes()))
def test_wmi_class(name: str, spec: dict):
    assert re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name), f"{name}: class name"
    assert isinstance(spec.get("namespace"), str) and spec["namespace"].lower().startswith("root/"), \
        f"{name}: namespace must be written root/..."
    assert "\\" not in spec["namespace"]
    assert _is_url(spec.get("source")), f"{name}: source"
    assert set(spec) <= {"namespace", "source", "source_note", "properties", "methods", "value_maps"}, f"{name}: unknown keys"
    props = spec.get("properties")
    assert isinstance(props, dict) and props, f"{name}: properties"
    for prop, ptype in props.items():
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", prop), f"{name}.{prop}"
        assert isinstance(ptype, str) and ptype, f"{name}.{prop}: type"
    for prop, vmap in spec.get("value_maps", {}).items():
        assert prop in props, f"{name}: value_maps for unknown property {prop}"
        assert isinstance(vmap, dict) and vmap
        for k, v in vmap.items():
            assert re.match(r"^-?\d+$", k), f"{name}.{prop}: value map key {k!r} must be an integer string"
            assert isinstance(v, str) and v
    methods = spec.get("methods", {})
    assert isinstance(methods, dict), f"{name}: methods"
    for mname, m in methods.items():
        where = f"{name}.{mname}()"
        assert isinstance(m.get("static"), bool), f"{where}: static"
        assert _is_url(m.get("source")), f"{where}: source"
        assert set(m) <= {"static", "source", "source_note", "in", "out", "returns", "defaults", "return_values"}, f"{where}: unknown keys"
        for key in ("in", "out"):
            assert isinstance(m.get(key), dict), f"{where}: {key}"
            for arg, atype in m[key].items():
                assert isinstance(atype, str) and atype, f"{where}: {key} {arg}"
        for arg in m.get("defaults", {}):
            assert arg in m["in"], f"{where}: default for unknown in-parameter {arg}"
        for code, meaning in m.get("return_values", {}).items():
            assert re.match(r"^\d+$", code), f"{where}: return code {code!r} must be a decimal string"
            assert isinstance(meaning, str) and meaning


# ---- the lab reads it ----------------------------------------------------------------------------

def _lab_path():
    import sys

    lab_dir = str(REF_DIR.parent)
    if lab_dir not in sys.path:
        sys.path.insert(0, lab_dir)


def test_lab_loader_reads_reference():
    _lab_path()
    from wsfc_lab.cmdlets import build_cmdlet_table
    from wsfc_lab.pwsh.builtins import BUILTINS
    from wsfc_lab import shared_reference
    from wsfc_lab.reference import Reference, resolve_parameter

    ref = Reference.load([REF_DIR])
    assert ref.shared_path is not None
    supplemented = {n.lower() for p in shared_reference.supplement_files(REF_DIR)
                    for n in shared_reference.read_supplement(p)["cmdlets"]}
    assert supplemented, "the lab's supplement (ClusterAwareUpdating) is read"
    assert len(ref.cmdlets) == len(shared_reference.read(ref.shared_path)["cmdlets"]) + len(supplemented), \
        "every documented cmdlet: the shared file's and the supplement's"
    assert {n["name"] for n in ref.cmdlet_notes.values()} == {n for _, d in _all_modules() for n in d["cmdlets"]}
    implemented = list(build_cmdlet_table().impls) + list(BUILTINS)
    for name in implemented:
        cmdlet = ref.cmdlet(name)
        assert cmdlet is not None, f"{name}: implemented by the lab but not documented"
        for pname, p in cmdlet.parameters.items():
            assert resolve_parameter(cmdlet, pname) == pname, f"{cmdlet.name} -{pname} does not resolve to itself"
            for alias in p.aliases:
                assert resolve_parameter(cmdlet, alias) == pname, f"{cmdlet.name} alias {alias}"
    assert ref.wmi_class("Win32_ShadowCopy") is not None
    assert ref.enum("Microsoft.FailoverClusters.PowerShell.ClusterNodeState") is not None


def test_switch_types_are_recognised_short_or_qualified():
    _lab_path()
    from wsfc_lab.reference import ParameterRef

    for spelling in ("SwitchParameter", "System.Management.Automation.SwitchParameter", "switch"):
        assert ParameterRef(name="WhatIf", type=spelling).is_switch
    assert not ParameterRef(name="Name", type="System.String").is_switch
