"""Validates lab/reference/*.json against the schema in lab/reference/README.md.

Pure data checks: every file parses, carries the documented keys with the
documented types, every entry names the Microsoft page it was copied from,
positional parameters do not collide, pipeline values are from the allowed
set, enum values are integers, every output type that lives in a covered
module namespace has a ``types`` entry, and every CIM class named in an
output exists in ``wmi.json`` under the same namespace.

Optional keys used by the data beyond the README example (all informational
unless noted): ``source_note``, ``note``, ``outputs_note``, ``mandatory_note``,
``accepted_values`` (list of strings), ``parameter_sets`` (list of parameter
set names; positions only need to be unique among parameters that can occur
in the same set, and a parameter without it belongs to every set),
``returns``, ``defaults``, ``value_maps``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REF_DIR = Path(__file__).resolve().parent.parent / "reference"
MODULE_FILES = sorted(p for p in REF_DIR.glob("*.json") if p.name != "wmi.json")
WMI_FILE = REF_DIR / "wmi.json"

PIPELINE_VALUES = {None, "ByValue", "ByPropertyName", "ByValue, ByPropertyName"}
COMMON = {
    "verbose", "vb", "debug", "db", "erroraction", "ea", "warningaction", "wa",
    "informationaction", "infa", "errorvariable", "ev", "warningvariable", "wv",
    "informationvariable", "iv", "outvariable", "ov", "outbuffer", "ob",
    "pipelinevariable", "pv",
}
SHOULD_PROCESS = {"whatif": "wi", "confirm": "cf"}
URL = re.compile(r"^https://learn\.microsoft\.com/[^\s]+$")
CMDLET_NAME = re.compile(r"^[A-Z][A-Za-z]+-[A-Za-z0-9]+$")
CIM_OUTPUT = re.compile(r"^Microsoft\.Management\.Infrastructure\.CimInstance#(?P<ns>.+)/(?P<cls>[^/]+)$")

PARAM_KEYS = {"type", "position", "aliases", "pipeline", "mandatory"}
PARAM_OPTIONAL = {"parameter_sets", "accepted_values", "note", "mandatory_note"}
CMDLET_KEYS = {"source", "supports_should_process", "parameters", "outputs"}
CMDLET_OPTIONAL = {"note", "outputs_note", "source_note", "class"}


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
    assert data["cmdlets"], f"{path.name}: no cmdlets"


# ---- cmdlets -------------------------------------------------------------------------------------

def _cmdlets():
    for fname, data in _all_modules():
        for name, spec in data["cmdlets"].items():
            yield pytest.param(fname, name, spec, id=f"{data['module']}/{name}")


@pytest.mark.parametrize("fname,name,spec", list(_cmdlets()))
def test_cmdlet_entry(fname: str, name: str, spec: dict):
    assert CMDLET_NAME.match(name), f"{name}: not a Verb-Noun name"
    assert CMDLET_KEYS <= set(spec), f"{name}: missing {CMDLET_KEYS - set(spec)}"
    assert set(spec) <= CMDLET_KEYS | CMDLET_OPTIONAL, f"{name}: unknown keys {set(spec) - CMDLET_KEYS - CMDLET_OPTIONAL}"
    assert _is_url(spec["source"]), f"{name}: source must be a learn.microsoft.com URL"
    assert name.lower() in spec["source"].lower(), f"{name}: source URL is not the cmdlet's page"
    assert isinstance(spec["supports_should_process"], bool)
    assert isinstance(spec["parameters"], dict)
    assert isinstance(spec["outputs"], list) and all(isinstance(o, str) and o for o in spec["outputs"])


@pytest.mark.parametrize("fname,name,spec", list(_cmdlets()))
def test_parameters(fname: str, name: str, spec: dict):
    seen_names: set[str] = set()
    for pname, p in spec["parameters"].items():
        where = f"{name} -{pname}"
        assert re.match(r"^[A-Za-z][A-Za-z0-9]*$", pname), f"{where}: bad parameter name"
        assert pname.lower() not in COMMON, f"{where}: common parameters are implied, not listed"
        assert pname.lower() not in seen_names, f"{where}: duplicate (case-insensitive)"
        seen_names.add(pname.lower())
        assert PARAM_KEYS <= set(p), f"{where}: missing {PARAM_KEYS - set(p)}"
        assert set(p) <= PARAM_KEYS | PARAM_OPTIONAL, f"{where}: unknown keys {set(p) - PARAM_KEYS - PARAM_OPTIONAL}"
        assert isinstance(p["type"], str) and p["type"].strip(), f"{where}: type"
        pos = p["position"]
        assert pos is None or (isinstance(pos, int) and not isinstance(pos, bool) and pos >= 0), f"{where}: position"
        assert isinstance(p["aliases"], list) and all(isinstance(a, str) and a for a in p["aliases"]), f"{where}: aliases"
        assert p["pipeline"] in PIPELINE_VALUES, f"{where}: pipeline {p['pipeline']!r}"
        assert isinstance(p["mandatory"], bool), f"{where}: mandatory"
        if "parameter_sets" in p:
            sets = p["parameter_sets"]
            assert isinstance(sets, list) and sets and all(isinstance(s, str) and s for s in sets), f"{where}: parameter_sets"
        if "accepted_values" in p:
            vals = p["accepted_values"]
            assert isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals), f"{where}: accepted_values"
        if pname.lower() in SHOULD_PROCESS:
            assert spec["supports_should_process"], f"{where}: listed, so supports_should_process must be true"
            assert p["aliases"] == [SHOULD_PROCESS[pname.lower()]], f"{where}: alias"
            assert p["type"].endswith("SwitchParameter"), f"{where}: type"


@pytest.mark.parametrize("fname,name,spec", list(_cmdlets()))
def test_positions_unique_per_parameter_set(fname: str, name: str, spec: dict):
    positional = [(pname, p) for pname, p in spec["parameters"].items() if p["position"] is not None]
    for i, (a, pa) in enumerate(positional):
        for b, pb in positional[i + 1:]:
            if pa["position"] != pb["position"]:
                continue
            sa, sb = pa.get("parameter_sets"), pb.get("parameter_sets")
            share = sa is None or sb is None or bool(set(sa) & set(sb))
            assert not share, f"{name}: -{a} and -{b} both at position {pa['position']} in a common parameter set"


@pytest.mark.parametrize("fname,name,spec", list(_cmdlets()))
def test_aliases_unique(fname: str, name: str, spec: dict):
    owners: dict[str, str] = {p.lower(): p for p in spec["parameters"]}
    for pname, p in spec["parameters"].items():
        for alias in p["aliases"]:
            key = alias.lower()
            assert key not in COMMON, f"{name} -{pname}: alias {alias} is a common parameter alias"
            assert owners.get(key, pname) == pname, f"{name}: alias {alias} of -{pname} is also -{owners.get(key)}"
            owners[key] = pname


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


def test_output_types_documented():
    modules = _all_modules()
    namespaces = _namespaces_covered(modules)
    types = {n.lower() for _, d in modules for n in d["types"]}
    wmi = _load(WMI_FILE)["classes"]
    missing = []
    for _, data in modules:
        for cname, spec in data["cmdlets"].items():
            for out in spec["outputs"]:
                m = CIM_OUTPUT.match(out)
                if m:
                    cls = wmi.get(m.group("cls"))
                    if cls is None or cls["namespace"].lower() != m.group("ns").lower():
                        missing.append(f"{cname}: {out} (no wmi.json class in that namespace)")
                    continue
                if "." in out and out.rsplit(".", 1)[0] in namespaces and out.lower() not in types:
                    missing.append(f"{cname}: {out}")
    assert not missing, "output types without a types entry: " + ", ".join(missing)


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

def test_lab_loader_reads_reference():
    import sys

    lab_dir = str(REF_DIR.parent)
    if lab_dir not in sys.path:
        sys.path.insert(0, lab_dir)
    from wsfc_lab.reference import Reference, resolve_parameter

    ref = Reference.load([REF_DIR])
    total = sum(len(d["cmdlets"]) for _, d in _all_modules())
    assert len(ref.cmdlets) == total
    for cmdlet in ref.cmdlets.values():
        for pname in cmdlet.parameters:
            assert resolve_parameter(cmdlet, pname) == pname, f"{cmdlet.name} -{pname} does not resolve to itself"
            for alias in cmdlet.parameters[pname].aliases:
                assert resolve_parameter(cmdlet, alias) == pname, f"{cmdlet.name} alias {alias}"
    assert ref.wmi_class("Win32_ShadowCopy") is not None


def test_switch_types_are_recognised_short_or_qualified():
    from wsfc_lab.reference import ParameterRef

    for spelling in ("SwitchParameter", "System.Management.Automation.SwitchParameter", "switch"):
        assert ParameterRef(name="WhatIf", type=spelling).is_switch
    assert not ParameterRef(name="Name", type="System.String").is_switch
