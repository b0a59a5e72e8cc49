# -*- coding: utf-8 -*-
"""The execution environment definition builds a correct context, and the collection declares its requirements.

``ansible-builder create`` needs no container engine: it validates ``execution-environment.yml`` (schema version
3) and writes the build context. This test then does, outside a container, what the image build's stages do with
that context: the galaxy stage installs the collection from ``_build/requirements.yml``, and the builder stage
runs the context's own ``introspect.py`` over the installed collections to collect every Python and system
requirement, which it then installs. What comes out must hold the collection's ``requirements.txt`` and
``bindep.txt`` (found through ``meta/execution-environment.yml`` in the installed collection) and the Kerberos
additions of the definition.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends  # pylint: disable=import-error

from conftest import BIN  # pylint: disable=import-error

ROOT = Path(__file__).resolve().parents[3]  # tests/integration/distribution -> the repository


def _lines(path):
    """The requirement lines of a requirements.txt or bindep.txt, without comments."""
    text = Path(path).read_text()
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def _run(*args, cwd=None, env=None):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False,
                            env=dict(os.environ, **(env or {})))
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (args[:3], result.stdout[-3000:], result.stderr[-3000:])
    return result


def _dist_tarball():
    dist = Path(os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0]).parent / "dist"
    found = sorted(glob.glob(str(dist / "wsfc-csv-*.tar.gz")))
    if not found:
        pytest.fail("no collection tarball in %s; run `make collection` first" % dist)
    return Path(found[-1])


@pytest.fixture(scope="module")
def definition():
    return yaml.safe_load((ROOT / "execution-environment.yml").read_text())


@pytest.fixture(scope="module")
def context(tmp_path_factory, definition):
    """`ansible-builder create` in a copy of the definition's directory, with the tarball it names in place."""
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(str(ROOT / "execution-environment.yml"), str(work / "execution-environment.yml"))
    shutil.copy(str(ROOT / definition["dependencies"]["system"]), str(work / definition["dependencies"]["system"]))
    tarball = _dist_tarball()
    for entry in definition["additional_build_files"]:
        (work / entry["src"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(str(tarball), str(work / entry["src"]))
    _run(BIN / "ansible-builder", "create", "--file", "execution-environment.yml", "--context", "context",
         "--output-filename", "Containerfile", cwd=work)
    return work / "context"


def test_the_definition_is_version_3_and_names_the_tarball_of_this_version(definition):
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    name = "wsfc-csv-%s.tar.gz" % version
    assert definition["version"] == 3
    assert [Path(e["src"]).name for e in definition["additional_build_files"]] == [name], \
        "execution-environment.yml must copy the tarball of galaxy.yml's version %s" % version
    assert definition["dependencies"]["galaxy"]["collections"] == [{"name": "collections/" + name, "type": "file"}]
    assert definition["images"]["base_image"]["name"]


def test_create_writes_a_context_with_the_base_image_the_collection_and_our_requirements(context, definition):
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % definition["images"]["base_image"]["name"] in containerfile
    assert "ansible-galaxy collection install" in containerfile and "introspect" in containerfile
    build = context / "_build"
    assert _lines(build / "bindep.txt") == _lines(ROOT / "bindep.txt")
    assert _lines(build / "requirements.txt") == definition["dependencies"]["python"]
    copied = build / "collections" / Path(definition["additional_build_files"][0]["src"]).name
    assert copied.read_bytes() == _dist_tarball().read_bytes()
    with tarfile.open(str(copied)) as tar:
        names = set(tar.getnames())
    # what ansible-builder reads from the installed collection ships in it; the EE definition itself does not
    assert {"meta/execution-environment.yml", "requirements.txt", "bindep.txt", "MANIFEST.json"} <= names
    assert "execution-environment.yml" not in names and not [n for n in names if n.startswith("context/")]


def test_the_image_stages_install_the_collection_and_every_requirement(context, tmp_path):
    build = context / "_build"
    installed = tmp_path / "collections"
    # the galaxy stage, in /build (WORKDIR), as the Containerfile runs it
    _run(BIN / "ansible-galaxy", "collection", "install", "-r", "requirements.yml", "-p", installed, cwd=build,
         env={"ANSIBLE_COLLECTIONS_PATH": str(installed)})
    assert (installed / "ansible_collections" / "wsfc" / "csv" / "meta" / "execution-environment.yml").is_file()

    introspect = build / "scripts" / "introspect.py"
    # the collection alone: its meta/execution-environment.yml points at requirements.txt and bindep.txt
    alone = yaml.safe_load(_run(BIN / "python", introspect, "introspect", installed).stdout)
    ours = [line for line in alone["python"] if line.endswith("# from collection wsfc.csv")]
    assert [line.split("#")[0].strip() for line in ours] == _lines(ROOT / "requirements.txt")
    assert [line.split("#")[0].strip() for line in alone["system"]] == _lines(ROOT / "bindep.txt")

    # the builder stage: the collection's requirements merged with the definition's, written for `assemble`
    pip_out, bindep_out = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    _run(BIN / "python", introspect, "introspect", installed, "--user-pip", build / "requirements.txt",
         "--user-bindep", build / "bindep.txt", "--write-pip", pip_out, "--write-bindep", bindep_out)
    merged = _lines(pip_out)
    for line in _lines(ROOT / "requirements.txt") + _lines(build / "requirements.txt"):
        assert line in merged, (line, merged)
    assert set(_lines(bindep_out)) == set(_lines(ROOT / "bindep.txt"))  # bindep installs each package once


@pytest.mark.parametrize("platform, kinit, runtime, devel", [
    (["platform:rpm", "platform:redhat"], "krb5-workstation", {"krb5-libs"}, {"krb5-devel", "python3-devel"}),
    (["platform:dpkg", "platform:debian"], "krb5-user", {"libkrb5-3", "libgssapi-krb5-2"},
     {"libkrb5-dev", "python3-dev"}),
])
def test_bindep_gives_kerberos_at_run_time_and_its_headers_only_to_the_builder(platform, kinit, runtime, devel):
    depends = Depends((ROOT / "bindep.txt").read_text())
    final = set(rule[0] for rule in depends.active_rules(["default"] + platform))  # `bindep -l newline`
    builder = set(rule[0] for rule in depends.active_rules(["compile"] + platform))  # `bindep -b compile`
    assert final == {kinit} | runtime
    assert devel | {"gcc"} <= builder and not (devel | {"gcc"}) & final
