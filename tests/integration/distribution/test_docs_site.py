# -*- coding: utf-8 -*-
"""The collection's documentation builds into a static HTML site with antsibull-docs and Sphinx.

The site is built the way antsibull-docs tells a collection to build one (``antsibull-docs sphinx-init
--use-current`` then its ``build.sh``: ``antsibull-docs collection --fail-on-error`` and ``sphinx-build``) from the
collection installed in ANSIBLE_COLLECTIONS_PATH, i.e. from what ``make collection`` built and installed. Every
module in ``plugins/modules``, every filter in ``plugins/filter`` and every role in ``roles`` must get its page,
with its options, and no page may be an antsibull-docs error page or carry a docutils error.
``antsibull-docs lint-collection-docs --plugin-docs`` must pass too (it checks references such as ``M()``/``P()``).

The build runs offline: Sphinx would fetch the intersphinx inventories of docs.python.org, jinja and
docs.ansible.com, so the test empties ``intersphinx_mapping``; the only warnings allowed are then the references
that antsibull-docs' own page templates make into the Ansible docsite (e.g. ``common_return_values``), computed
from those templates. Any other Sphinx warning fails the test. Costs about 8 seconds.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # tests/integration/distribution -> the repository
BIN = Path(sys.executable).parent
FQCN = "wsfc.csv"

antsibull_docs = pytest.importorskip("antsibull_docs")


def _installed_collection():
    for root in os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep):
        path = Path(root) / "ansible_collections" / "wsfc" / "csv"
        if (path / "MANIFEST.json").exists():
            return path
    raise AssertionError("wsfc.csv is not installed in ANSIBLE_COLLECTIONS_PATH=%s (run `make collection`)"
                         % os.environ["ANSIBLE_COLLECTIONS_PATH"])


def _env():
    # antsibull-docs runs `ansible`, `ansible-doc` and `ansible-galaxy`: those of the interpreter running the tests.
    return dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1")


def _doc_block(path, name):
    """A plugin file's DOCUMENTATION (or other) string, parsed as YAML, without importing the file."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no %s" % (path, name))


def _modules():
    return sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")


def _filters():
    return sorted(p.stem for p in (REPO / "plugins" / "filter").glob("*.py") if p.stem != "__init__")


def _roles():
    return sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())


def _docsite_labels():
    """Labels of the Ansible docsite that antsibull-docs' own page templates refer to (unresolvable offline)."""
    templates = Path(antsibull_docs.__file__).parent / "data" / "docsite"
    labels = set()
    for template in templates.rglob("*.j2"):
        labels.update(re.findall(r":ref:`(?:[^`<]*<)?([a-z0-9_]+)>?`", template.read_text()))
    return labels


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site once; returns (html dir, Sphinx warnings, build output)."""
    dest = tmp_path_factory.mktemp("docsite")
    init = subprocess.run([str(BIN / "antsibull-docs"), "sphinx-init", "--use-current", "--fail-on-error",
                           "--dest-dir", str(dest), FQCN], capture_output=True, text=True, env=_env(), check=False)
    assert init.returncode == 0, init.stdout + init.stderr
    # No network: no intersphinx inventories. Keep every warning in a file instead of failing on the first one.
    with open(dest / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("\nintersphinx_mapping = {}\n")
    build_sh = (dest / "build.sh").read_text()
    assert "--fail-on-error" in build_sh and "sphinx-build" in build_sh, build_sh
    warnings = dest / "sphinx-warnings.txt"
    (dest / "build.sh").write_text(build_sh.replace(" -W --keep-going", " --keep-going -w %s" % warnings))
    build = subprocess.run(["bash", str(dest / "build.sh")], capture_output=True, text=True, env=_env(),
                           check=False)
    output = build.stdout[-6000:] + build.stderr[-6000:]
    assert build.returncode == 0, output
    html = dest / "build" / "html" / "collections" / "wsfc" / "csv"
    assert html.is_dir(), output
    return html, warnings.read_text() if warnings.exists() else "", output


def test_lint_collection_docs_passes():
    result = subprocess.run([str(BIN / "antsibull-docs"), "lint-collection-docs", "--plugin-docs",
                             str(_installed_collection())], capture_output=True, text=True, env=_env(), check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_build_has_no_warnings_of_its_own(site):
    warnings, output = site[1], site[2]
    allowed = _docsite_labels()
    assert {"common_return_values", "action_plugins"} <= allowed, allowed
    problems = []
    for line in warnings.splitlines():
        if "WARNING" not in line and "ERROR" not in line:
            continue
        label = re.search(r"undefined label: '([^']+)'", line)
        if not (label and label.group(1) in allowed):
            problems.append(line)
    assert not problems, "\n".join(problems) + "\n" + output


def _page(html, name):
    path = html / name
    assert path.exists(), "%s is missing from the site: %s" % (name, sorted(p.name for p in html.iterdir()))
    text = path.read_text()
    assert "was malformed" not in text, "%s is an antsibull-docs error page" % name
    assert "system-message" not in text, "%s carries a docutils error" % name
    return text


def _visible(text):
    return re.sub(r"<[^>]+>", "", text)


def _option_names(options, prefix=""):
    for name, spec in (options or {}).items():
        yield name
        yield from _option_names(spec.get("suboptions"), prefix + name + ".")


@pytest.mark.parametrize("module", _modules())
def test_every_module_has_its_page(site, module):
    html = site[0]
    text = _page(html, "%s_module.html" % module)
    doc = _doc_block(REPO / "plugins" / "modules" / ("%s.py" % module), "DOCUMENTATION")
    visible = _visible(text)
    assert "%s.%s module" % (FQCN, module) in visible
    assert doc["short_description"].split()[0] in visible
    for option in _option_names(doc.get("options")):
        assert option in visible, "option %s of %s is not on its page" % (option, module)
    for key in (_doc_block(REPO / "plugins" / "modules" / ("%s.py" % module), "RETURN") or {}):
        assert key in visible, "return value %s of %s is not on its page" % (key, module)
    assert "Examples" in visible and "Return Values" in visible


@pytest.mark.parametrize("name", _filters())
def test_every_filter_has_its_page(site, name):
    html = site[0]
    doc = _doc_block(REPO / "plugins" / "filter" / ("%s.py" % name), "DOCUMENTATION")
    text = _visible(_page(html, "%s_filter.html" % doc["name"]))
    assert "%s.%s filter" % (FQCN, doc["name"]) in text


@pytest.mark.parametrize("role", _roles())
def test_every_role_has_its_page(site, role):
    html = site[0]
    text = _visible(_page(html, "%s_role.html" % role))
    assert "%s.%s role" % (FQCN, role) in text
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    for entry, spec in specs.items():
        assert "Entry point %s" % entry in text, "entry point %s of role %s is not on its page" % (entry, role)
        for option in _option_names(spec.get("options")):
            assert option in text, "option %s of role %s is not on its page" % (option, role)


def test_the_indexes_list_everything(site):
    html = site[0]
    index = _visible(_page(html, "index.html"))
    for name in _modules() + _roles():
        assert name in index, "%s is not in the collection index" % name


def test_the_readme_names_every_plugin_and_only_real_variables():
    readme = (REPO / "README.md").read_text()
    for name in _modules():
        assert "| `wsfc.csv.%s` |" % name in readme, "module %s is not in README.md's table" % name
    for path in (REPO / "plugins" / "filter").glob("*.py"):
        name = _doc_block(path, "DOCUMENTATION")["name"]
        assert "| filter `wsfc.csv.%s` |" % name in readme, "filter %s is not in README.md's table" % name
    for role in _roles():
        assert "| role `wsfc.csv.%s` |" % role in readme, "role %s is not in README.md's table" % role
        specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        known = {option for spec in specs.values() for option in spec.get("options") or {}}
        for variable in set(re.findall(r"\b(%s_[a-z0-9_]+)" % role, readme)):
            assert variable in known, "README.md names %s, which role %s does not have" % (variable, role)
    for playbook in set(re.findall(r"ansible-playbook wsfc\.csv\.([a-z_]+)", readme)):
        assert (REPO / "playbooks" / ("%s.yml" % playbook)).exists(), playbook
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (REPO / link).exists(), "README.md links to %s, which does not exist" % link


def test_the_readme_picture_is_a_report_timeline():
    from xml.etree import ElementTree
    svg = ElementTree.parse(REPO / "docs" / "images" / "report-timeline.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == ns + "svg" and svg.get("aria-label") == "backup timeline per node"
    bars = [r for r in svg.iter(ns + "rect") if r.get("class")]
    assert bars and all(r.find(ns + "title") is not None for r in bars)
    assert "fill:" in "".join(s.text or "" for s in svg.iter(ns + "style"))
