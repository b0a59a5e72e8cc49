# -*- coding: utf-8 -*-
"""The collection tarball installs and documents itself on a clean environment.

A copy of the repository is built with ``ansible-galaxy collection build`` (with stray ``build/``, ``.venv/``,
``lab/`` and ``bench/`` content planted in the copy, so the tarball's exclusions are really tested), installed with
``ansible-galaxy collection install`` into an empty directory, and then ``ansible-doc`` documents every module,
filter and role from there, with ANSIBLE_COLLECTIONS_PATH set to only that directory, a fresh HOME, no ansible.cfg
and no collections from the Python path. Costs about 10 seconds.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # tests/integration/distribution -> the repository
BIN = Path(sys.executable).parent
EXCLUDED = ("lab", "bench", "build", ".venv", ".git", ".ci", "Makefile")


def _names(folder):
    return sorted(p.stem for p in (REPO / "plugins" / folder).glob("*.py") if p.stem != "__init__")


def _doc_block(path, name):
    """A plugin file's DOCUMENTATION string, parsed as YAML, without importing the file."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no %s" % (path, name))


def _filter_names():
    return sorted(_doc_block(REPO / "plugins" / "filter" / ("%s.py" % name), "DOCUMENTATION")["name"]
                  for name in _names("filter"))


def _roles():
    return sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())


def _copy_ignore(directory, names):
    # What never belongs in a copy of the sources: the virtual environment, build output, caches, git.
    top = Path(directory) == REPO
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")
            or (top and n in (".venv", "build", ".git", ".hypothesis", ".cache"))]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(tarball path, clean environment) with the tarball installed in an otherwise empty collections path."""
    root = tmp_path_factory.mktemp("tarball")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=_copy_ignore, symlinks=True)
    for planted in ("build/dist/stale.txt", ".venv/bin/planted", "lab/planted.txt", "bench/planted.txt"):
        (source / planted).parent.mkdir(parents=True, exist_ok=True)
        (source / planted).write_text("must not be in the tarball\n")
    home = root / "home"
    collections = root / "collections"
    work = root / "work"
    for path in (home, collections, work):
        path.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(HOME=str(home), ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(root), str(source)],
                           capture_output=True, text=True, env=env, cwd=work, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    tarballs = list(root.glob("wsfc-csv-*.tar.gz"))
    assert len(tarballs) == 1, build.stdout
    install = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(collections),
                              str(tarballs[0])], capture_output=True, text=True, env=env, cwd=work, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (collections / "ansible_collections" / "wsfc" / "csv" / "MANIFEST.json").exists(), install.stdout
    return tarballs[0], env, work


def _doc(installed, *args):
    env, work = installed[1], installed[2]
    result = subprocess.run([str(BIN / "ansible-doc")] + list(args), capture_output=True, text=True, env=env,
                            cwd=work, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "[WARNING]" not in output and "ERROR" not in output and not result.stderr.strip(), output
    return result.stdout


def test_the_tarball_holds_the_collection_and_nothing_else(installed):
    tarball = installed[0]
    with tarfile.open(tarball) as archive:
        members = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    tops = {name.split("/")[0] for name in members}
    assert not tops & set(EXCLUDED), sorted(tops & set(EXCLUDED))
    assert not [m for m in members if "__pycache__" in m or m.endswith((".pyc", ".tar.gz")) or "planted" in m]
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert manifest["collection_info"]["version"] == galaxy["version"] == "0.1.0"
    assert tarball.name == "wsfc-csv-%s.tar.gz" % galaxy["version"]
    for expected in (["plugins/modules/%s.py" % m for m in _names("modules")]
                     + ["roles/%s/meta/argument_specs.yml" % r for r in _roles()]
                     + ["meta/runtime.yml", "README.md", "CHANGELOG.rst", "changelogs/changelog.yaml"]):
        if expected == "CHANGELOG.rst" and not (REPO / expected).exists():
            continue  # generated with `make release-notes`; when it exists it must ship
        assert expected in members, expected


def test_ansible_doc_lists_every_module(installed):
    listed = json.loads(_doc(installed, "--list", "--json", "wsfc.csv"))
    assert sorted(listed) == ["wsfc.csv.%s" % m for m in _names("modules")], sorted(listed)


@pytest.mark.parametrize("module", _names("modules"))
def test_ansible_doc_documents_every_module(installed, module):
    text = _doc(installed, "wsfc.csv.%s" % module)
    assert text.startswith("> MODULE wsfc.csv.%s " % module), text[:300]
    doc = _doc_block(REPO / "plugins" / "modules" / ("%s.py" % module), "DOCUMENTATION")
    for section in ("EXAMPLES", "RETURN VALUES") + (("OPTIONS",) if doc.get("options") else ()):
        assert section in text, "%s has no %s in ansible-doc" % (module, section)
    for option in doc.get("options") or {}:
        assert re.search(r"^[-=] %s\b" % re.escape(option), text, re.M), "option %s of %s is not in ansible-doc" % (option, module)
    # Documented from the installed tarball, not from the source tree.
    assert "/ansible_collections/wsfc/csv/plugins/modules/%s.py" % module in text.splitlines()[0]
    assert str(REPO) not in text


@pytest.mark.parametrize("name", _filter_names())
def test_ansible_doc_documents_every_filter(installed, name):
    text = _doc(installed, "-t", "filter", "wsfc.csv.%s" % name)
    assert text.startswith("> FILTER wsfc.csv.%s " % name), text[:300]


@pytest.mark.parametrize("role", _roles())
def test_ansible_doc_documents_every_role(installed, role):
    text = _doc(installed, "-t", "role", "wsfc.csv.%s" % role)
    assert text.startswith("> ROLE: *wsfc.csv.%s* " % role), text[:300]
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    for entry in specs:
        assert "ENTRY POINT: *%s*" % entry in text, "entry point %s of %s is not documented" % (entry, role)
