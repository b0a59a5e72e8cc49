# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate CHANGELOG.rst and changelogs/changelog.yaml for a release with antsibull-changelog (``make release-notes``).

``antsibull-changelog release`` consumes the fragments (``keep_fragments: false``). While a release is being prepared
fragments keep arriving, so this runs ``release`` in a scratch copy instead and copies only its two outputs back:

- the release being generated (galaxy.yml's version unless ``--version``) is dropped from the copy's changelog.yaml
  first, so running this again rebuilds it from all of its fragments (its release date is kept unless ``--date``);
- fragments that an earlier release of changelog.yaml already lists are left out, so fragments that were not deleted
  when that release was tagged are never counted twice.

Usage: ``python docs/make_release_notes.py [--output-dir DIR] [--version X.Y.Z] [--date YYYY-MM-DD]``; the output
directory defaults to the repository (``DIR/CHANGELOG.rst``, ``DIR/changelogs/changelog.yaml``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
COPIED = ("galaxy.yml", "changelogs", "meta", "plugins", "roles")


def generate(output_dir, version=None, date=None, repo=REPO):
    """Write CHANGELOG.rst and changelogs/changelog.yaml under ``output_dir``; returns (version, date)."""
    output_dir = Path(output_dir)
    galaxy = yaml.safe_load((repo / "galaxy.yml").read_text())
    version = version or str(galaxy["version"])
    with tempfile.TemporaryDirectory(prefix="wsfc-release-notes-") as scratch:
        root = Path(scratch) / "ansible_collections" / galaxy["namespace"] / galaxy["name"]
        root.mkdir(parents=True)
        for name in COPIED:
            source = repo / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", ".plugin-cache.yaml"))
            else:
                shutil.copy2(source, root / name)
        changes_path = root / "changelogs" / "changelog.yaml"
        changes = yaml.safe_load(changes_path.read_text()) or {}
        releases = changes.get("releases") or {}
        previous = releases.pop(version, None) or {}
        date = date or previous.get("release_date") or datetime.date.today().isoformat()
        for release in releases.values():
            for fragment in release.get("fragments") or []:
                (root / "changelogs" / "fragments" / fragment).unlink(missing_ok=True)
        changes["releases"] = releases
        changes.setdefault("ancestor", None)
        changes_path.write_text("---\n" + yaml.safe_dump(changes, sort_keys=True, default_flow_style=False))
        bin_dir = str(Path(sys.executable).parent)
        command = [os.path.join(bin_dir, "antsibull-changelog"), "release", "--version", version, "--date", str(date)]
        if not os.path.exists(command[0]):
            command[0] = "antsibull-changelog"
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise RuntimeError("antsibull-changelog release failed:\n%s%s" % (result.stdout, result.stderr))
        (output_dir / "changelogs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / "CHANGELOG.rst", output_dir / "CHANGELOG.rst")
        shutil.copy2(changes_path, output_dir / "changelogs" / "changelog.yaml")
    return version, date


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default=str(REPO), help="where CHANGELOG.rst and changelogs/ are written")
    parser.add_argument("--version", help="the release (default: galaxy.yml's version)")
    parser.add_argument("--date", help="the release date, YYYY-MM-DD (default: the release's date, or today)")
    args = parser.parse_args(argv)
    version, date = generate(args.output_dir, args.version, args.date)
    print("release notes for %s (%s) written to %s" % (version, date, Path(args.output_dir) / "CHANGELOG.rst"))


if __name__ == "__main__":
    main()
