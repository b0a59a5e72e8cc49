# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build the report of a backup run and render it as JSON, Markdown and self-contained HTML.

Pure functions, no I/O. The ``csv_backup`` role collects what happened (the
plan, the moves made and undone, one record per CSV backup job) and hands it
to :func:`build_report`; ``wsfc.csv.backup_report`` writes the renderings.
Why measured and predicted side by side: the window is what the maintenance
slot is booked for, so the report says how good the prediction was.

Times arrive as ISO 8601 strings from the nodes and the controller, possibly
in different time zones; they are compared as UTC instants and printed in UTC
(with the offset), so a node's zone or the controller's never shifts a bar.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone

SUCCEEDED = "succeeded"
JOB_STATES = (SUCCEEDED, "failed", "running", "skipped", "cancelled")


class ReportError(ValueError):
    """The run record does not have the shape the report needs."""


def parse_time(value):
    """An aware UTC datetime from an ISO 8601 string (``Z`` or an offset; naive means UTC), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ReportError("not an ISO 8601 time: %r" % (value,))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _seconds(start, end):
    return round((end - start).total_seconds(), 3) if start and end else None


def _job(raw):
    for key in ("csv", "node", "state"):
        if not raw.get(key):
            raise ReportError("a job record has no %r: %r" % (key, raw))
    state = str(raw["state"]).lower()
    message = raw.get("message") or ""
    if state not in JOB_STATES:
        # A state the report does not know (a task that never started or vanished, recorded by an older queue):
        # the job failed, and the report is written all the same, saying so.
        message = "%s on %s ended in state %r, which is not a success%s" % (
            raw["csv"], raw["node"], raw["state"], ": " + message if message else "")
        state = "failed"
    start, end = parse_time(raw.get("start")), parse_time(raw.get("end"))
    return {
        "csv": raw["csv"], "node": raw["node"], "state": state,
        "read": raw.get("read"), "coordinator": raw.get("coordinator"),
        "provider": raw.get("provider"), "provider_type": raw.get("provider_type"),
        # application: VSS writers took part in the snapshot; crash: none did (csv_snapshot's consistency)
        "consistency": raw.get("consistency"),
        "snapshot_id": raw.get("snapshot_id"), "job_id": raw.get("job_id"),
        # the exact folder the backup went to (<target>\<run id>\<CSV folder>; None for method=command)
        "target_path": raw.get("target_path"),
        "bytes": int(raw.get("bytes") or 0), "exit_code": raw.get("exit_code"),
        "start": start, "end": end, "duration_s": _seconds(start, end),
        "message": message,
        "failover": raw.get("failover"),
        # the cluster had moved the CSV away from its reader before its backup started (the CSV balancer)
        "rebalanced": raw.get("rebalanced"),
        "attempts": len(raw.get("attempts") or []),
    }


def build_report(run):
    """The report of one run: summary, per-node timeline, moves, jobs, warnings (JSON-serialisable)."""
    plan = run.get("plan") or {}
    jobs = [_job(j) for j in run.get("jobs") or []]
    # Earlier attempts of a CSV re-planned after a failover: part of the window and the timeline, not of the counts.
    attempts = [dict(_job(a), attempt=True) for j in run.get("jobs") or [] for a in j.get("attempts") or []]
    started = [j["start"] for j in jobs + attempts if j["start"]]
    ended = [j["end"] for j in jobs + attempts if j["end"]]
    window_start = min(started) if started else None
    window_end = max(ended) if ended else None
    measured = _seconds(window_start, window_end)
    done = [j for j in jobs if j["state"] == SUCCEEDED]
    not_done = [j for j in jobs if j["state"] != SUCCEEDED]
    skipped = list(plan.get("skipped") or [])
    lower = plan.get("lower_bound_s")
    crash = sorted(j["csv"] for j in done if j["consistency"] == "crash")
    timeline = {}
    for job in sorted(jobs + attempts, key=lambda j: (j["node"], j["start"] or datetime.max.replace(tzinfo=timezone.utc))):
        timeline.setdefault(job["node"], []).append({
            "csv": job["csv"], "read": job["read"], "state": job["state"], "attempt": job.get("attempt", False),
            "start_s": _seconds(window_start, job["start"]), "end_s": _seconds(window_start, job["end"]),
        })
    moves = [dict(m) for m in run.get("moves") or []]
    restored = run.get("ownership_restored")
    if restored is None:
        restored = all(m.get("ok", True) for m in moves if m.get("phase") == "restore")
    summary = {
        "cluster": run.get("cluster"),
        "strategy": plan.get("strategy") or run.get("strategy"),
        "provider": plan.get("provider") or run.get("provider"),
        "result": "succeeded" if jobs and not not_done and not run.get("errors") else "failed",
        "csvs_backed_up": sorted(j["csv"] for j in done),
        "csvs_not_backed_up": sorted(j["csv"] for j in not_done),
        "csvs_skipped": sorted(s["csv"] for s in skipped),
        "bytes": sum(j["bytes"] for j in done),
        "crash_consistent": crash,
        "local_reads": sum(1 for j in jobs if j["read"] == "local"),
        "smb_reads": sum(1 for j in jobs if j["read"] == "smb"),
        "measured_window_s": measured,
        "predicted_window_s": plan.get("window_s"),
        "lower_bound_s": lower,
        "measured_to_lower_bound": round(measured / lower, 3) if measured and lower else None,
        "moves_made": sum(1 for m in moves if m.get("phase") == "before" and m.get("ok", True)),
        "moves_undone": sum(1 for m in moves if m.get("phase") == "restore" and m.get("ok", True)),
        "ownership_restored": bool(restored),
        "clock_skews_s": dict(run.get("clock_skews") or {}),
        "started": _iso(parse_time(run.get("started"))) or _iso(window_start),
        "finished": _iso(parse_time(run.get("finished"))) or _iso(window_end),
        "window_start": _iso(window_start),
        "window_end": _iso(window_end),
        "folders": dict((j["csv"], j["target_path"]) for j in jobs if j["target_path"]),
        "rebalanced": sorted(j["csv"] for j in jobs if j.get("rebalanced")),
    }
    out_jobs = []
    for job in jobs:
        entry = dict(job)
        entry["start"], entry["end"] = _iso(job["start"]), _iso(job["end"])
        out_jobs.append(entry)
    return {
        "summary": summary,
        "comparison": plan.get("comparison") or {},
        "timeline": timeline,
        "jobs": out_jobs,
        "moves": moves,
        "skipped": skipped,
        # the plan's sizing findings ("Plan volumes in Storage Spaces Direct"): plan.findings
        "findings": [str(f.get("message")) for f in plan.get("findings") or [] if isinstance(f, dict)],
        "warnings": list(plan.get("warnings") or []) + list(run.get("warnings") or []) + ([
            "%d CSV(s) were backed up crash-consistent, from snapshots no VSS writer took part in: %s. Applications on "
            "them (Hyper-V VMs, SQL Server) were not asked to freeze; restore them as after a power loss"
            % (len(crash), ", ".join(crash))] if crash else []),
        "errors": list(run.get("errors") or []),
    }


def _provider(job):
    """A job's snapshot provider, its type and consistency, e.g. ``Array provider (hardware, application)``."""
    details = ", ".join(str(v) for v in (job.get("provider_type"), job.get("consistency")) if v)
    name = job.get("provider") or "-"
    return "%s (%s)" % (name, details) if details else name


def _gb(value):
    return "%.1f GB" % (value / 1e9) if value is not None else "-"


def _s(value):
    return "%.1f s" % value if value is not None else "-"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")


def md(value):
    """``value`` as Markdown text: one line, every character that Markdown or HTML would read escaped.

    Names and messages come from the nodes (a CSV may be called ``a | b`` or
    ``<img src=x onerror=...>``); CommonMark takes any backslash-escaped ASCII
    punctuation as itself, so a table cell, a list item or a heading stays
    what it is and no raw HTML reaches a viewer.
    """
    text = " ".join(str("-" if value is None else value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(report):
    """A Markdown rendering of :func:`build_report`'s result; every value from a node is escaped (:func:`md`)."""
    s = report["summary"]
    lines = ["# CSV backup of %s: %s" % (md(s["cluster"]), md(s["result"])), "",
             "| | |", "|---|---|",
             "| Strategy | %s |" % md(s["strategy"]), "| VSS provider | %s |" % md(s["provider"]),
             "| Started / finished (UTC) | %s / %s |" % (md(s["started"]), md(s["finished"])),
             "| CSVs backed up | %d (%s) |" % (len(s["csvs_backed_up"]), _gb(s["bytes"])),
             "| CSVs not backed up | %s |" % (", ".join(md(c) for c in s["csvs_not_backed_up"]) or "none"),
             "| Reads local / SMB | %d / %d |" % (s["local_reads"], s["smb_reads"]),
             "| Window measured / predicted / lower bound | %s / %s / %s |" % (
                 _s(s["measured_window_s"]), _s(s["predicted_window_s"]), _s(s["lower_bound_s"])),
             "| Moves made / undone | %d / %d |" % (s["moves_made"], s["moves_undone"]),
             "| Ownership restored | %s |" % ("yes" if s["ownership_restored"] else "NO"), ""]
    if report["comparison"]:
        lines += ["## Predicted window per strategy", "", "| Strategy | Window |", "|---|---|"]
        lines += ["| %s | %s |" % (md(k), _s(v))
                  for k, v in sorted(report["comparison"].items(), key=lambda kv: kv[1])]
        lines.append("")
    lines += ["## Jobs", "", "| Node | CSV | Read | State | Start (s) | End (s) | Bytes | Snapshot provider | Folder |",
              "|---|---|---|---|---|---|---|---|---|"]
    for node, entries in sorted(report["timeline"].items()):
        for e in entries:
            job = next(j for j in report["jobs"] if j["csv"] == e["csv"])
            state = "%s (failed over, re-planned)" % e["state"] if e.get("attempt") else e["state"]
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                md(node), md(e["csv"]), md(e["read"] or "-"), md(state), _s(e["start_s"]), _s(e["end_s"]),
                _gb(job["bytes"]), md(_provider(job)), md(job.get("target_path") or "-")))
    lines.append("")
    if report["moves"]:
        lines += ["## Moves", "", "| Phase | CSV | From | To | OK |", "|---|---|---|---|---|"]
        for m in report["moves"]:
            ok = "yes" if m.get("ok", True) else "NO: %s" % md(m.get("message", ""))
            cells = (md(m.get("phase")), md(m.get("csv")), md(m.get("from")), md(m.get("to")), ok)
            lines.append("| %s | %s | %s | %s | %s |" % cells)
        lines.append("")
    for title, items in (("Skipped", ["%s: %s" % (k["csv"], k["reason"]) for k in report["skipped"]]),
                         ("Findings", report.get("findings") or []),
                         ("Warnings", report["warnings"]), ("Errors", report["errors"])):
        if items:
            lines += ["## " + title, ""] + ["- " + md(i) for i in items] + [""]
    return "\n".join(lines)


_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.local{fill:#2e7d32}.smb{fill:#e65100}"
        ".failed{fill:#c62828}.running{fill:#1565c0}text{font-size:11px}")


def _timeline_svg(report):
    timeline = report["timeline"]
    window = report["summary"]["measured_window_s"] or 1.0
    width, row, label = 900, 26, 110
    height = row * max(len(timeline), 1) + 30
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
             'aria-label="backup timeline per node">' % (width, height)]
    scale = (width - label - 10) / window
    for index, (node, entries) in enumerate(sorted(timeline.items())):
        y = 10 + index * row
        parts.append('<text x="0" y="%d">%s</text>' % (y + 14, html.escape(node)))
        for e in entries:
            if e["start_s"] is None:
                continue
            end = e["end_s"] if e["end_s"] is not None else window
            css = e["read"] if e["state"] == SUCCEEDED else e["state"]
            parts.append('<rect class="%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>' % (
                html.escape(css or "local"), label + e["start_s"] * scale, y, max((end - e["start_s"]) * scale, 1),
                row - 6, html.escape("%s: %s read, %s, %.1f-%.1f s" % (e["csv"], e["read"], e["state"], e["start_s"], end))))
    parts.append('<text x="%d" y="%d">0 s</text><text x="%d" y="%d">%.0f s</text>' % (
        label, height - 4, width - 60, height - 4, window))
    parts.append("</svg>")
    return "".join(parts)


def render_html(report):
    """A self-contained HTML page (inline CSS and SVG, no scripts, no external resources)."""
    s = report["summary"]
    title = "CSV backup of %s: %s" % (s["cluster"], s["result"])
    body = ["<h1>%s</h1>" % html.escape(title)]
    rows = [("Strategy", s["strategy"]), ("VSS provider", s["provider"]),
            ("Started / finished (UTC)", "%s / %s" % (s["started"], s["finished"])),
            ("CSVs backed up", "%d (%s)" % (len(s["csvs_backed_up"]), _gb(s["bytes"]))),
            ("CSVs not backed up", ", ".join(s["csvs_not_backed_up"]) or "none"),
            ("Reads local / SMB", "%d / %d" % (s["local_reads"], s["smb_reads"])),
            ("Window measured / predicted / lower bound", "%s / %s / %s" % (
                _s(s["measured_window_s"]), _s(s["predicted_window_s"]), _s(s["lower_bound_s"]))),
            ("Moves made / undone", "%d / %d" % (s["moves_made"], s["moves_undone"])),
            ("Ownership restored", "yes" if s["ownership_restored"] else "NO")]
    body.append("<table>%s</table>" % "".join("<tr><th>%s</th><td>%s</td></tr>" % (html.escape(k), html.escape(str(v)))
                                              for k, v in rows))
    body.append("<h2>Timeline per node</h2><p>green: local read, orange: SMB read, red: failed, blue: running</p>")
    body.append(_timeline_svg(report))
    if report["comparison"]:
        body.append("<h2>Predicted window per strategy</h2><table><tr><th>Strategy</th><th>Window</th></tr>%s</table>" % "".join(
            "<tr><td>%s</td><td>%s</td></tr>" % (html.escape(k), _s(v))
            for k, v in sorted(report["comparison"].items(), key=lambda kv: kv[1])))
    body.append("<h2>Jobs</h2><table><tr><th>Node</th><th>CSV</th><th>Read</th><th>State</th><th>Start</th>"
                "<th>End</th><th>Bytes</th><th>Provider</th><th>Folder</th><th>Message</th></tr>%s</table>" % "".join(
                    "<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(str(v)) for v in (
                        j["node"], j["csv"], j["read"], j["state"], j["start"], j["end"], _gb(j["bytes"]),
                        _provider(j), j.get("target_path") or "-", j["message"]))
                    for j in report["jobs"]))
    if report["moves"]:
        body.append("<h2>Moves</h2><table><tr><th>Phase</th><th>CSV</th><th>From</th><th>To</th><th>OK</th></tr>%s</table>"
                    % "".join("<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(str(v)) for v in (
                        m.get("phase"), m.get("csv"), m.get("from"), m.get("to"), m.get("ok", True)))
                        for m in report["moves"]))
    for name, items in (("Skipped", ["%s: %s" % (k["csv"], k["reason"]) for k in report["skipped"]]),
                        ("Findings", report.get("findings") or []),
                        ("Warnings", report["warnings"]), ("Errors", report["errors"])):
        if items:
            body.append("<h2>%s</h2><ul>%s</ul>" % (name, "".join("<li>%s</li>" % html.escape(str(i)) for i in items)))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title><style>%s</style></head>'
            "<body>%s</body></html>\n" % (html.escape(title), _CSS, "".join(body)))


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def summary_lines(report, files):
    """How the run went, in the lines the csv_backup role prints at the end (result, window, reads, files, errors)."""
    s = report["summary"]
    return [
        "%s: backup %s (%s), %d CSV(s) backed up, %d not" % (
            s["cluster"], s["result"], s["strategy"], len(s["csvs_backed_up"]), len(s["csvs_not_backed_up"])),
        "window: measured %s s, predicted %s s, lower bound %s s" % (
            s["measured_window_s"], s["predicted_window_s"], s["lower_bound_s"]),
        "reads: %s local, %s over SMB; moves made %s, undone %s; ownership restored: %s" % (
            s["local_reads"], s["smb_reads"], s["moves_made"], s["moves_undone"], s["ownership_restored"]),
        "report: %s" % ", ".join(files),
    ] + ([" ".join(report["errors"])] if report.get("errors") else [])


_TEMPLATE_OPENERS = re.compile(r"\{(?=[{%#])")


def neutralised(value):
    """``value`` with every Jinja opener (``{{``, ``{%``, ``{#``) in its strings broken up by a space.

    What the role publishes with ``set_stats`` carries names and messages that
    come from the nodes; a follow-up job that receives it as extra vars (AWX
    artifacts, ``-e @artifacts.json``) templates them, and a CSV called
    ``{{ lookup('pipe', ...) }}`` would run there. A broken-up opener is
    plain text to Jinja, and still readable.
    """
    if isinstance(value, str):
        return _TEMPLATE_OPENERS.sub("{ ", value)
    if isinstance(value, dict):
        return dict((neutralised(k), neutralised(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [neutralised(v) for v in value]
    return value
