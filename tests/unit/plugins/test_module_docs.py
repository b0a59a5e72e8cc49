# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every module's documentation says exactly what its action plugin accepts.

Each module of the collection is an action plugin: a task is validated against the plugin's ``ARGUMENT_SPEC``
(with ``MUTUALLY_EXCLUSIVE`` and ``REQUIRED_ONE_OF``), while ansible-doc shows the documentation stub in
plugins/modules with its doc fragments. ansible-test validate-modules compares the two only for modules it can
import and run, and skips these stubs, so nothing else notices when they drift apart.

The stubs are loaded the way ansible-doc loads them (``ansible.utils.plugin_docs.get_docstring``, which merges the
doc fragments through ansible's plugin loader), and each option is compared with the spec: name, type, elements,
default, choices, required, no_log, aliases and suboptions. Documentation has no ``no_log`` key; an option is
documented as secret by the words "never logged" (or "never returned or logged") in its description. Option groups
are documented in prose, in one of these forms, anywhere in the module's or an option's description or its notes:

- "Exactly one of O(a) and O(b) is required." - mutually exclusive, and one of them required;
- "At least one of O(a) and O(b) is required." or "One of O(a), O(b) or O(c) is required." - required one of;
- "O(a) and O(b) are mutually exclusive."

The paths come from where the collection's own code was imported from, so the test checks the source tree (a
symlink ``ansible_collections/wsfc/csv`` to the repository on PYTHONPATH) or the installed collection (make units),
whichever it runs in.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from ansible_collections.wsfc.csv.plugins.plugin_utils import action as action_base
from ansible_collections.wsfc.csv.plugins.plugin_utils.argument_specs import backup_job_options

COLLECTION = "wsfc.csv"
COLLECTION_DIR = Path(os.path.abspath(action_base.__file__)).parents[2]
COLLECTIONS_ROOT = COLLECTION_DIR.parents[2]
MODULES = COLLECTION_DIR / "plugins" / "modules"
ACTIONS = COLLECTION_DIR / "plugins" / "action"
FRAGMENTS = COLLECTION_DIR / "plugins" / "doc_fragments"

# The keys of an option's spec this test compares; any other key would go unchecked, so it is reported.
COMPARED_SPEC_KEYS = {"type", "elements", "default", "choices", "required", "no_log", "aliases", "options"}
NEVER_LOGGED = re.compile(r"\bnever (?:returned or )?logged\b", re.I)
_GROUP = r"(O\(\w+\)(?:(?:,? and |,? or |, )O\(\w+\))+)"
_ONE_OF = re.compile(r"\b(exactly |at least )?one of %s is required" % _GROUP, re.I)
_EXCLUSIVE = re.compile(r"%s are mutually exclusive" % _GROUP, re.I)
_OPTION = re.compile(r"O\((\w+)\)")


def _names(folder):
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


# Run in a fresh interpreter: ansible's collection loader must be installed before anything imports the
# collection (the fragment loader needs the collection's metadata, which only that loader records), and in this
# pytest process the other tests have imported it already. It prints {"docs": {key: merged DOCUMENTATION},
# "fragments": {name: the file the fragment loader resolves wsfc.csv.<name> to}}.
_LOADER = r"""
import json, sys
from ansible.plugins.loader import fragment_loader, init_plugin_loader
from ansible.utils.plugin_docs import get_docstring

root, collection = sys.argv[1], sys.argv[2]
request = json.load(sys.stdin)
init_plugin_loader([root])
docs = dict((key, get_docstring(path, fragment_loader, is_module=True, collection_name=collection)[0])
            for key, path in request["stubs"].items())
fragments = {}
for name in request["fragments"]:
    found = fragment_loader.find_plugin_with_context("%s.%s" % (collection, name))
    fragments[name] = found.plugin_resolved_path if found.resolved else None
json.dump({"docs": docs, "fragments": fragments}, sys.stdout, default=str)
"""


def load_documentation(stubs, fragments=()):
    """Each stub's DOCUMENTATION as ansible-doc shows it (its doc fragments merged), and where each fragment
    resolves, from ``ansible.utils.plugin_docs.get_docstring`` and ansible's fragment loader with this collection's
    root first on the collections path."""
    with tempfile.TemporaryDirectory() as cwd:  # no ansible.cfg of the working directory applies
        done = subprocess.run([sys.executable, "-c", _LOADER, str(COLLECTIONS_ROOT), COLLECTION], cwd=cwd,
                              input=json.dumps({"stubs": dict((k, str(p)) for k, p in stubs.items()),
                                                "fragments": list(fragments)}),
                              capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The collection's modules and the fixture stubs below, loaded in one run of the loader."""
    folder = tmp_path_factory.mktemp("stubs")
    stubs = dict((module, MODULES / ("%s.py" % module)) for module in _names(MODULES))
    for name, text in FIXTURE_STUBS.items():
        stubs["fixture:" + name] = folder / ("%s.py" % name)
        stubs["fixture:" + name].write_text(text, encoding="utf-8")
    return load_documentation(stubs, _names(FRAGMENTS))


def load_action(name):
    """The action plugin class of module ``name``."""
    return importlib.import_module("ansible_collections.wsfc.csv.plugins.action.%s" % name).ActionModule


# ---- the comparison -------------------------------------------------------------------------------------------
def _same(documented, accepted):
    """Equal values of the same kind (YAML's ``1`` is not the spec's ``True``, though Python says they are equal)."""
    if isinstance(documented, (list, tuple)) and isinstance(accepted, (list, tuple)):
        return len(documented) == len(accepted) and all(_same(d, a) for d, a in zip(documented, accepted))
    return documented == accepted and isinstance(documented, bool) == isinstance(accepted, bool)


def _same_members(documented, accepted):
    """The same choices, in any order (the order is how ansible-doc lists them, not a behaviour)."""
    return (len(documented) == len(accepted) and all(any(_same(d, a) for a in accepted) for d in documented)
            and all(any(_same(d, a) for d in documented) for a in accepted))


def _text(value):
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _option_differences(label, doc, spec):
    out = []

    def differ(key, documented, accepted):
        out.append("%s: %s documented %r, spec %r" % (label, key, documented, accepted))

    for key in sorted(set(spec) - COMPARED_SPEC_KEYS):
        out.append("%s: spec key %r is not compared with the documentation" % (label, key))
    if doc.get("type", "str") != spec.get("type", "str"):
        differ("type", doc.get("type", "str"), spec.get("type", "str"))
    for key in ("elements", "default"):
        if not _same(doc.get(key), spec.get(key)):
            differ(key, doc.get(key), spec.get(key))
    if not _same_members(doc.get("choices") or [], spec.get("choices") or []):
        differ("choices", doc.get("choices"), spec.get("choices"))
    if bool(doc.get("required")) != bool(spec.get("required")):
        differ("required", bool(doc.get("required")), bool(spec.get("required")))
    if bool(NEVER_LOGGED.search(_text(doc.get("description")))) != bool(spec.get("no_log")):
        differ("no_log", bool(NEVER_LOGGED.search(_text(doc.get("description")))), bool(spec.get("no_log")))
    if sorted(doc.get("aliases") or []) != sorted(spec.get("aliases") or []):
        differ("aliases", doc.get("aliases"), spec.get("aliases"))
    if doc.get("suboptions") or spec.get("options"):
        out.extend(options_differences(doc.get("suboptions") or {}, spec.get("options") or {}, label + "."))
    return out


def options_differences(documented, spec, prefix=""):
    """What differs between documented options and an argument spec, one line each (empty when they agree)."""
    out = ["%s%s: documented but not in the argument spec" % (prefix, name)
           for name in sorted(set(documented) - set(spec))]
    out += ["%s%s: in the argument spec but not documented" % (prefix, name)
            for name in sorted(set(spec) - set(documented))]
    for name in sorted(set(documented) & set(spec)):
        out.extend(_option_differences(prefix + name, documented[name] or {}, spec[name] or {}))
    return out


def _texts(doc):
    """Every sentence an option group can be documented in: the description, the notes, each option's description."""
    texts = [_text(doc.get("description")), _text(doc.get("notes"))]
    pending = list((doc.get("options") or {}).values())
    while pending:
        option = pending.pop() or {}
        texts.append(_text(option.get("description")))
        pending.extend((option.get("suboptions") or {}).values())
    return texts


def documented_groups(doc):
    """(mutually exclusive groups, required-one-of groups) the documentation states, as sets of frozensets."""
    exclusive, one_of = set(), set()
    for text in _texts(doc):
        for match in _ONE_OF.finditer(text):
            group = frozenset(_OPTION.findall(match.group(2)))
            one_of.add(group)
            if (match.group(1) or "").lower().startswith("exactly"):
                exclusive.add(group)
        for match in _EXCLUSIVE.finditer(text):
            exclusive.add(frozenset(_OPTION.findall(match.group(1))))
    return exclusive, one_of


def differences(doc, spec, mutually_exclusive=(), required_one_of=()):
    """Everything a module's merged documentation and its action's spec and option groups disagree on."""
    out = options_differences(doc.get("options") or {}, spec)
    exclusive, one_of = documented_groups(doc)
    for key, documented, accepted in (("mutually_exclusive", exclusive, mutually_exclusive),
                                      ("required_one_of", one_of, required_one_of)):
        accepted = set(frozenset(group) for group in accepted)
        if documented != accepted:
            out.append("%s: documented %s, spec %s" % (key, sorted(sorted(g) for g in documented),
                                                       sorted(sorted(g) for g in accepted)))
    return out


# ---- the collection's modules ---------------------------------------------------------------------------------
def test_every_module_has_an_action_plugin_and_every_action_plugin_a_module():
    modules, actions = set(_names(MODULES)), set(_names(ACTIONS))
    assert modules, "no module found in %s" % MODULES
    assert modules == actions, "stubs without an action plugin: %s; action plugins without a stub: %s" % (
        sorted(modules - actions), sorted(actions - modules))


def test_the_action_group_lists_every_module():
    runtime = yaml.safe_load((COLLECTION_DIR / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    group, modules = set(runtime["action_groups"]["all"]), set(_names(MODULES))
    assert group == modules, "missing from the group: %s; not modules: %s" % (
        sorted(modules - group), sorted(group - modules))


@pytest.mark.parametrize("fragment", _names(FRAGMENTS))
def test_doc_fragments_resolve_to_this_collection(loaded, fragment):
    """The documentation compared is this tree's, not another installed copy's."""
    found = loaded["fragments"][fragment]
    assert found and os.path.realpath(found) == os.path.realpath(FRAGMENTS / ("%s.py" % fragment))


@pytest.mark.parametrize("module", _names(MODULES))
def test_documentation_matches_the_argument_spec(loaded, module):
    action = load_action(module)
    doc = loaded["docs"][module]
    # An action plugin that does not derive from the collection's bases may state no option groups.
    groups = getattr(action, "MUTUALLY_EXCLUSIVE", []), getattr(action, "REQUIRED_ONE_OF", [])
    found = differences(doc, action.ARGUMENT_SPEC, *groups)
    assert not found, "%s: the documentation and the argument spec disagree:\n%s" % (module, "\n".join(found))


@pytest.mark.parametrize("module", ["backup_job", "backup_queue"])
def test_the_options_a_queue_passes_to_its_jobs_have_one_source(module):
    """backup_queue passes method, command, run_as_user, run_as_password and log_dir to each backup_job unchanged:
    their spec comes from plugin_utils.argument_specs and their documentation from the backup_job_options fragment,
    where each stub may only set its own default (of method)."""
    fragment = yaml.safe_load(importlib.import_module(
        "ansible_collections.wsfc.csv.plugins.doc_fragments.backup_job_options").ModuleDocFragment.DOCUMENTATION)
    stub = yaml.safe_load(importlib.import_module(
        "ansible_collections.wsfc.csv.plugins.modules.%s" % module).DOCUMENTATION)
    assert "%s.backup_job_options" % COLLECTION in stub["extends_documentation_fragment"]
    for name in fragment["options"]:
        assert set(stub["options"].get(name) or {}) <= {"default"}, "%s redefines %s" % (module, name)
    spec = load_action(module).ARGUMENT_SPEC
    shared = backup_job_options(method_default=spec["method"]["default"])
    assert sorted(shared) == sorted(fragment["options"])
    assert dict((name, spec[name]) for name in shared) == shared


# ---- the comparison finds every kind of difference ------------------------------------------------------------
# A stub and a spec that agree, with everything the comparison looks at: a required option with an alias, choices
# and a default, list elements, a secret, suboptions, the shared fragment (whose method a stub gives its default),
# a mutually exclusive pair and a required-one-of group.
AGREEING_STUB = r'''
DOCUMENTATION = r"""
---
module: agreeing
short_description: A module whose documentation agrees with its spec
description:
  - O(left) and O(right) are mutually exclusive.
options:
  name:
    description: The name.
    type: str
    required: true
    aliases: [ident]
  mode:
    description: The mode.
    type: str
    choices: [fast, safe]
    default: safe
  items:
    description: The items.
    type: list
    elements: str
  secret:
    description: The secret. Never returned or logged.
    type: str
  settings:
    description: The settings.
    type: dict
    suboptions:
      size:
        description: The size.
        type: int
        default: 1
  left:
    description: One side.
    type: str
  right:
    description: The other side.
  method:
    default: copy
notes:
  - One of O(left), O(right) or O(items) is required.
extends_documentation_fragment:
  - wsfc.csv.backup_job_options
"""
'''
AGREEING_SPEC = dict(backup_job_options(method_default="copy"), **{
    "name": {"type": "str", "required": True, "aliases": ["ident"]},
    "mode": {"type": "str", "choices": ["safe", "fast"], "default": "safe"},
    "items": {"type": "list", "elements": "str"},
    "secret": {"type": "str", "no_log": True},
    "settings": {"type": "dict", "options": {"size": {"type": "int", "default": 1}}},
    "left": {"type": "str"},
    "right": {},
})
AGREEING_GROUPS = {"mutually_exclusive": [["left", "right"]], "required_one_of": [["left", "right", "items"]]}

# The deliberately wrong fixture: a stub and a spec that disagree in each way the comparison checks.
WRONG_STUB = r'''
DOCUMENTATION = r"""
---
module: wrong
short_description: A module whose documentation disagrees with its spec in every way
description:
  - Exactly one of O(left) and O(right) is required.
options:
  name:
    description: The name.
    type: str
    required: true
    aliases: [ident]
  mode:
    description: The mode.
    type: str
    choices: [fast, safe]
    default: safe
  items:
    description: The items.
    type: list
    elements: str
  secret:
    description: The secret.
    type: str
  settings:
    description: The settings.
    type: dict
    suboptions:
      size:
        description: The size.
        type: int
        default: 1
  left:
    description: One side.
  right:
    description: The other side.
    type: raw
  documented_only:
    description: Not accepted.
    type: bool
    default: false
  method:
    default: wbadmin
extends_documentation_fragment:
  - wsfc.csv.backup_job_options
"""
'''
WRONG_SPEC = dict(backup_job_options(method_default="copy"), **{
    "name": {"type": "path", "aliases": ["label"]},
    "mode": {"type": "str", "choices": ["fast", "safe", "slow"], "default": "fast"},
    "items": {"type": "list", "elements": "int"},
    "secret": {"type": "str", "no_log": True},
    "settings": {"type": "dict", "options": {"size": {"type": "int", "default": 2}, "unit": {"type": "str"}}},
    "left": {"type": "str", "fallback": (None, [])},
    "right": {"type": "str"},
    "spec_only": {"type": "str"},
})
del WRONG_SPEC["log_dir"]
WRONG_DIFFERENCES = [
    "documented_only: documented but not in the argument spec",
    "log_dir: documented but not in the argument spec",
    "spec_only: in the argument spec but not documented",
    "items: elements documented 'str', spec 'int'",
    "left: spec key 'fallback' is not compared with the documentation",
    "method: default documented 'wbadmin', spec 'copy'",
    "mode: default documented 'safe', spec 'fast'",
    "mode: choices documented ['fast', 'safe'], spec ['fast', 'safe', 'slow']",
    "name: type documented 'str', spec 'path'",
    "name: required documented True, spec False",
    "name: aliases documented ['ident'], spec ['label']",
    "right: type documented 'raw', spec 'str'",
    "secret: no_log documented False, spec True",
    "settings.unit: in the argument spec but not documented",
    "settings.size: default documented 1, spec 2",
    "mutually_exclusive: documented [['left', 'right']], spec [['left', 'right'], ['mode', 'secret']]",
    "required_one_of: documented [['left', 'right']], spec []",
]


FIXTURE_STUBS = {"agreeing": AGREEING_STUB, "wrong": WRONG_STUB}


def _fixture_doc(loaded, name):
    """A fixture stub, loaded like a real one (the fragment merged); a copy, which the test may change."""
    return copy.deepcopy(loaded["docs"]["fixture:" + name])


def test_the_agreeing_fixture_has_no_difference(loaded):
    doc = _fixture_doc(loaded, "agreeing")
    assert set(backup_job_options(method_default="copy")) < set(doc["options"]), "the fragment was not merged"
    assert doc["options"]["method"]["choices"] and doc["options"]["method"]["default"] == "copy"
    assert differences(doc, AGREEING_SPEC, **AGREEING_GROUPS) == []


def test_the_wrong_fixture_reports_each_difference(loaded):
    doc = _fixture_doc(loaded, "wrong")
    found = differences(doc, WRONG_SPEC, mutually_exclusive=[["left", "right"], ["mode", "secret"]],
                        required_one_of=[])
    assert sorted(found) == sorted(WRONG_DIFFERENCES)


def _drop(mapping, key):
    del mapping[key]


def _set(mapping, key, value):
    mapping[key] = value


# One change at a time to the agreeing pair: (what is wrong, the change to the loaded doc and the spec, what is
# reported). Each is reported alone, so no check hides behind another or reports what did not change.
MISMATCHES = [
    ("an option only documented", lambda doc, spec: _drop(spec, "items"),
     ["items: documented but not in the argument spec"]),
    ("a fragment's option only documented", lambda doc, spec: _drop(spec, "command"),
     ["command: documented but not in the argument spec"]),
    ("an option only in the spec", lambda doc, spec: _set(spec, "extra", {"type": "str"}),
     ["extra: in the argument spec but not documented"]),
    ("a type", lambda doc, spec: _set(spec["name"], "type", "path"), ["name: type documented 'str', spec 'path'"]),
    ("the implicit type str", lambda doc, spec: _set(doc["options"]["left"], "type", "raw"),
     ["left: type documented 'raw', spec 'str'"]),
    ("elements", lambda doc, spec: _set(spec["items"], "elements", "int"),
     ["items: elements documented 'str', spec 'int'"]),
    ("a default", lambda doc, spec: _set(spec["mode"], "default", "fast"),
     ["mode: default documented 'safe', spec 'fast'"]),
    ("a default only documented", lambda doc, spec: _drop(spec["log_dir"], "default"),
     ["log_dir: default documented 'C:\\\\ProgramData\\\\wsfc.csv\\\\jobs', spec None"]),
    ("a default of another kind", lambda doc, spec: _set(doc["options"]["settings"]["suboptions"]["size"],
                                                         "default", True),
     ["settings.size: default documented True, spec 1"]),
    ("choices", lambda doc, spec: spec["mode"]["choices"].append("slow"),
     ["mode: choices documented ['fast', 'safe'], spec ['safe', 'fast', 'slow']"]),
    ("required", lambda doc, spec: _set(spec["name"], "required", False),
     ["name: required documented True, spec False"]),
    ("no_log in the spec only", lambda doc, spec: _set(doc["options"]["secret"], "description", "The secret."),
     ["secret: no_log documented False, spec True"]),
    ("no_log documented only", lambda doc, spec: _drop(spec["run_as_password"], "no_log"),
     ["run_as_password: no_log documented True, spec False"]),
    ("aliases", lambda doc, spec: _set(spec["name"], "aliases", ["ident", "label"]),
     ["name: aliases documented ['ident'], spec ['ident', 'label']"]),
    ("a suboption's default", lambda doc, spec: _set(spec["settings"]["options"]["size"], "default", 2),
     ["settings.size: default documented 1, spec 2"]),
    ("a suboption only in the spec", lambda doc, spec: _set(spec["settings"]["options"], "unit", {"type": "str"}),
     ["settings.unit: in the argument spec but not documented"]),
    ("a suboption only documented", lambda doc, spec: _drop(spec["settings"], "options"),
     ["settings.size: documented but not in the argument spec"]),
    ("a spec key the test does not compare", lambda doc, spec: _set(spec["left"], "fallback", (None, [])),
     ["left: spec key 'fallback' is not compared with the documentation"]),
    ("mutually exclusive only in the spec", lambda doc, spec: _set(doc, "description", ["Nothing about groups."]),
     ["mutually_exclusive: documented [], spec [['left', 'right']]"]),
    ("required one of only documented", lambda doc, spec: doc["notes"].append(
        "At least one of O(name) and O(mode) is required."),
     ["required_one_of: documented [['items', 'left', 'right'], ['mode', 'name']], spec [['items', 'left', 'right']]"]),
    ("exactly one of: both groups", lambda doc, spec: _set(
        doc["options"]["mode"], "description", ["Exactly one of O(secret), O(mode) is required."]),
     ["mutually_exclusive: documented [['left', 'right'], ['mode', 'secret']], spec [['left', 'right']]",
      "required_one_of: documented [['items', 'left', 'right'], ['mode', 'secret']], spec [['items', 'left', "
      "'right']]"]),
]


@pytest.mark.parametrize("mutate, expected", [m[1:] for m in MISMATCHES], ids=[m[0] for m in MISMATCHES])
def test_each_kind_of_difference_is_reported_alone(loaded, mutate, expected):
    doc, spec = _fixture_doc(loaded, "agreeing"), copy.deepcopy(AGREEING_SPEC)
    mutate(doc, spec)
    assert differences(doc, spec, **AGREEING_GROUPS) == expected
