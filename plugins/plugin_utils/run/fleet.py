# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The summary of a run over many clusters (a fleet), and why a run failed. Pure, no I/O.

One play may back up several clusters (``-e target=<group of groups>``):
each is planned, locked, backed up and restored on its own and gets its own
report. This module adds what spans them: one line per cluster with its
result, every host that answered for no cluster (a failure, never silence),
and the lines the play fails with.
"""

from __future__ import annotations

import json

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import md


def _cluster_entry(name, crun, report, folder=None):
    if report is None:
        return {"cluster": name, "result": "failed", "error": crun.get("error"), "csvs_backed_up": [],
                "csvs_not_backed_up": [], "ownership_restored": True, "report_dir": None}
    s = report["summary"]
    return {"cluster": name, "result": s["result"], "error": None, "csvs_backed_up": s["csvs_backed_up"],
            "csvs_not_backed_up": s["csvs_not_backed_up"], "ownership_restored": s["ownership_restored"],
            "measured_window_s": s["measured_window_s"], "report_dir": folder or crun.get("dir")}


def fleet_summary(run, reports, folders=None):
    """Every cluster of the run with its result, and the hosts that answered for no cluster."""
    clusters = [_cluster_entry(name, crun, reports.get(name), (folders or {}).get(name))
                for name, crun in (run.get("clusters") or {}).items()]
    failures = ["%s answered for no cluster: %s" % item for item in sorted((run.get("unanswered") or {}).items())]
    ok = all(c["result"] == "succeeded" and c["ownership_restored"] for c in clusters) and not failures
    return {"run_id": run.get("run_id"), "result": "succeeded" if ok else "failed", "clusters": clusters,
            "failures": failures, "ownership_restored": all(c["ownership_restored"] for c in clusters),
            "report_dir": run.get("fleet_dir")}


def report_failure(name, report, folder):
    """The line one cluster's run fails with, or None when it succeeded and its ownership is restored."""
    s = report["summary"]
    if s["result"] == "succeeded" and s["ownership_restored"]:
        return None
    parts = ["The backup of %s did not complete." % name,
             "Not backed up: %s." % (", ".join(s["csvs_not_backed_up"]) or "none")]
    parts += list(report.get("errors") or [])
    parts += ["Ownership restored: %s." % s["ownership_restored"],
              "The report is in %s; each CSV's entry says what to do next." % folder]
    return " ".join(parts)


def failure_lines(run, reports, folders=None):
    """What the play fails with: for each cluster that did not complete, what was not backed up and where its
    report is; and each host that answered for no cluster. Empty when everything succeeded."""
    lines = []
    for name, crun in (run.get("clusters") or {}).items():
        report = reports.get(name)
        if report is None:
            lines.append("The backup of %s was not made: %s" % (name, crun.get("error")))
            continue
        line = report_failure(name, report, (folders or {}).get(name) or crun.get("dir"))
        if line:
            lines.append(line)
    if run.get("fleet"):
        lines += ["%s answered for no cluster (%s): check that it is up and reachable over WinRM" % item
                  for item in sorted((run.get("unanswered") or {}).items())]
    return lines


def fleet_lines(summary):
    """The fleet summary in lines: one per cluster, then the hosts that answered for no cluster."""
    lines = ["fleet run %s: %s, %d cluster(s)" % (summary["run_id"], summary["result"], len(summary["clusters"]))]
    for c in summary["clusters"]:
        lines.append("%s: %s, %d CSV(s) backed up, %d not%s" % (
            c["cluster"], c["result"], len(c["csvs_backed_up"]), len(c["csvs_not_backed_up"]),
            "; %s" % c["error"] if c["error"] else ", report in %s" % c["report_dir"]))
    return lines + summary["failures"]


def render_fleet_json(summary):
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def render_fleet_markdown(summary):
    """``fleet.md``: a table of the clusters and the failures, every value escaped as Markdown."""
    out = ["# Fleet backup %s: %s" % (md(summary["run_id"]), md(summary["result"])), "",
           "| Cluster | Result | Backed up | Not backed up | Ownership restored | Report |", "|---|---|---|---|---|---|"]
    for c in summary["clusters"]:
        out.append("| %s | %s | %d | %s | %s | %s |" % (
            md(c["cluster"]), md(c["result"]), len(c["csvs_backed_up"]),
            ", ".join(md(x) for x in c["csvs_not_backed_up"]) or "none", "yes" if c["ownership_restored"] else "NO",
            md(c["error"] or c["report_dir"])))
    if summary["failures"]:
        out += ["", "## Failures", ""] + ["- " + md(f) for f in summary["failures"]]
    return "\n".join(out) + "\n"
