# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extract the per-node timeline of a backup report into a standalone SVG (``make report-picture``).

The HTML report that ``wsfc.csv.backup_report`` writes holds its timeline as an inline SVG styled by the page's CSS.
This takes that SVG out of a real ``report.html`` unchanged, adds the page's colour rules, a white background and a
font, and writes it to ``docs/images/report-timeline.svg`` (the picture in README.md).

Usage: ``python docs/make_report_picture.py [REPORT.html | REPORTS_DIR] [--output FILE]``; a directory means the
newest ``*/report.html`` under it (default: ``build/demo/reports``, what ``make demo`` writes).
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REPORTS = REPO / "build" / "demo" / "reports"
DEFAULT_OUTPUT = REPO / "docs" / "images" / "report-timeline.svg"


def find_report(path):
    path = Path(path)
    if path.is_dir():
        reports = sorted(path.glob("*/report.html"), key=lambda p: p.stat().st_mtime)
        if not reports:
            raise SystemExit("no */report.html under %s (run `make demo` first)" % path)
        return reports[-1]
    return path


def timeline_svg(page):
    """The report page's timeline SVG, standalone: the page's rules for its classes, a background and a font."""
    match = re.search(r"<svg\b.*?</svg>", page, re.S)
    if not match:
        raise SystemExit("the report has no timeline SVG")
    svg = match.group(0)
    css = re.search(r"<style>(.*?)</style>", page, re.S)
    rules = [rule + "}" for rule in (css.group(1) if css else "").split("}") if rule.strip()]
    classes = set(re.findall(r'class="([^"]+)"', svg))
    kept = [r for r in rules if r.startswith("text{") or any(r.startswith(".%s{" % c) for c in classes)]
    style = "<style>svg{font-family:system-ui,sans-serif;background:#fff}%s</style>" % "".join(kept)
    opening = re.match(r"<svg\b[^>]*>", svg).group(0)
    standalone = svg.replace(opening, opening + style + '<rect width="100%" height="100%" fill="#fff"/>', 1)
    ET.fromstring(standalone)  # well-formed, or this raises
    return standalone


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default=str(DEFAULT_REPORTS), help="report.html or a reports directory")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    args = parser.parse_args(argv)
    report = find_report(args.report)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(timeline_svg(report.read_text(encoding="utf-8")) + "\n", encoding="utf-8")
    sys.stdout.write("timeline of %s written to %s\n" % (report, output))


if __name__ == "__main__":
    main()
