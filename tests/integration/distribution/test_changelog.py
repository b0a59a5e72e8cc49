# -*- coding: utf-8 -*-
"""The release notes that ``make release-notes`` generates hold every fragment, for galaxy.yml's version.

``docs/make_release_notes.py`` runs ``antsibull-changelog release`` in a scratch copy (the fragments stay in the
repository); here it writes into a temporary directory, and the result is compared with the fragments themselves.
The committed ``CHANGELOG.rst`` and ``changelogs/changelog.yaml`` are linted. Costs about 3 seconds.
"""

from __future__ import annotations

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
FRAGMENTS = REPO / "changelogs" / "fragments"


def _words(text):
    return " ".join(text.split())


def _fragments():
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(FRAGMENTS.glob("*.y*ml"))}


def _antsibull_changelog(*args, cwd=REPO):
    return subprocess.run([str(BIN / "antsibull-changelog")] + list(args), cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", "")), check=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("release-notes")
    result = subprocess.run([sys.executable, str(REPO / "docs" / "make_release_notes.py"), "--output-dir", str(out),
                             "--date", "2026-01-31"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_every_fragment_is_in_the_release_notes(generated):
    version = str(yaml.safe_load((REPO / "galaxy.yml").read_text())["version"])
    assert version == "0.1.0"
    text = (generated / "CHANGELOG.rst").read_text()
    changes = yaml.safe_load((generated / "changelogs" / "changelog.yaml").read_text())
    release = changes["releases"][version]
    assert release["release_date"] == "2026-01-31"
    assert re.search(r"^v%s\n=+$" % re.escape(version), text, re.M), text[:500]
    fragments = _fragments()
    assert fragments and sorted(release["fragments"]) == sorted(fragments)
    flat = _words(text)
    for name, content in fragments.items():
        for section, entries in content.items():
            for entry in [entries] if isinstance(entries, str) else entries:
                assert _words(entry) in flat, "%s (%s) is not in CHANGELOG.rst: %s" % (name, section, entry)
                assert entry in release["changes"][section], "%s is not in changelog.yaml" % name


def test_every_module_is_a_new_module_of_the_first_release(generated):
    text = (generated / "CHANGELOG.rst").read_text()
    modules = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    new = text[text.index("New Modules"):]
    for module in modules:
        assert "- wsfc.csv.%s - " % module in new, module


def test_generated_changelog_yaml_passes_lint(generated):
    result = _antsibull_changelog("lint-changelog-yaml", str(generated / "changelogs" / "changelog.yaml"))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_committed_release_notes_are_antsibull_changelog_output():
    result = _antsibull_changelog("lint-changelog-yaml", str(REPO / "changelogs" / "changelog.yaml"))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    changes = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text())
    if not changes.get("releases"):
        pytest.skip("no release generated yet (make release-notes)")
    version = str(yaml.safe_load((REPO / "galaxy.yml").read_text())["version"])
    assert version in changes["releases"]
    text = (REPO / "CHANGELOG.rst").read_text()
    assert text.startswith("=" * len("wsfc.csv Release Notes")) and "v%s" % version in text
    # Every fragment the committed release lists still says what the release notes say.
    for name in changes["releases"][version].get("fragments", []):
        if (FRAGMENTS / name).exists():
            for section, entries in yaml.safe_load((FRAGMENTS / name).read_text()).items():
                for entry in [entries] if isinstance(entries, str) else entries:
                    assert _words(entry) in _words(text), "%s changed since `make release-notes`" % name
