# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The network_tuning role's findings report: one record per node, one summary per cluster. Pure, no I/O.

Every node reads its network (``network_info``), optionally fixes it
(``smb_multichannel``, ``nic_team``) and reads it again; ``wsfc.csv.network_report``
(run once) collects what each host registered and calls these functions.
They decide what the role prints, publishes with ``set_stats`` and writes:
which reading counts (the second one when it worked), what a node that
could not be read means (a critical finding), what changed and what failed,
the order of the findings (most severe first, then by node), and how many
are at or above ``fail_on``.
"""

from __future__ import annotations

import json

SEVERITIES = ("critical", "warning", "info")
# How many severities, most severe first, count as failing for each fail_on.
THRESHOLD = {"never": 0, "critical": 1, "error": 1, "warning": 2, "info": 3}

UNREADABLE_WHY = "Its adapters, teams and SMB settings are unknown, so its backup path cannot be judged."
UNREADABLE_FIX = "Check that the node is up and reachable over WinRM, then run again."


def _ran(result):
    """True for a registered result of a task that ran (not skipped, not missing)."""
    return isinstance(result, dict) and not result.get("skipped")


def _ok(result):
    return _ran(result) and not result.get("failed") and not result.get("unreachable")


def _step(module, subject, result, node):
    return {"module": module, "subject": subject, "changed": bool(result.get("changed")),
            "failed": bool(result.get("failed")), "msg": result.get("msg") or "", "node": node}


def node_record(host, before, smb=None, teams=None, after=None):
    """What one node found (after the changes, when it was read again), what changed or would, and what failed."""
    read = _ok(before)
    before = before if isinstance(before, dict) else {}  # a host that registered nothing usable was not read
    read_again = _ok(after)
    final = after if read_again else before
    node = before.get("node") or host
    unreadable = {
        "id": "node_unreadable", "severity": "critical", "node": host, "subject": "network_info",
        "what": "The network of %s could not be read: %s" % (host, before.get("msg") or "unreachable"),
        "why": UNREADABLE_WHY, "fix": UNREADABLE_FIX,
    }
    steps = []
    if _ran(smb):
        steps.append(_step("smb_multichannel", "smb", smb, node))
    team_results = teams.get("results") if isinstance(teams, dict) else None
    for result in team_results or []:
        if _ran(result):
            steps.append(_step("nic_team", (result.get("item") or {}).get("name"), result, node))
    if _ran(after) and not read_again:
        steps.append({"module": "network_info", "subject": "reread", "changed": False, "failed": True, "node": node,
                      "msg": "The network of %s could not be read again after the changes: %s"
                             % (host, after.get("msg") or "unreachable")})
    findings = list(final.get("findings") or []) if read else [unreadable]
    return {
        "summary": {
            "host": host, "node": node, "read": read, "read_again": read_again,
            "smb_multichannel": final.get("smb_multichannel") if read else None,
            "smb_gbps": final.get("smb_gbps") if read else None,
            "teams": [t.get("name") for t in final.get("teams") or []] if read else [],
            "set_teams": [t.get("name") for t in final.get("set_teams") or []] if read else [],
            "findings": len(findings),
        },
        "findings_before": list(before.get("findings") or []) if read else [unreadable],
        "findings": findings,
        "changes": [s for s in steps if s["changed"]],
        "errors": [s for s in steps if s["failed"]],
    }


def _counts(findings):
    return dict((s, sum(1 for f in findings if f.get("severity") == s)) for s in SEVERITIES)


def _ordered(findings):
    """Most severe first, then by node and finding id (case-insensitively, as the role always sorted them)."""
    rank = dict((s, n) for n, s in enumerate(SEVERITIES))
    return sorted((f for f in findings if f.get("severity") in rank),
                  key=lambda f: (rank[f["severity"]], str(f.get("node")).lower(), str(f.get("id")).lower()))


def summarise(records, min_gbps, applied, check_mode, fail_on="never"):
    """The cluster's summary from every node's record (published with set_stats and written as JSON)."""
    findings = [f for r in records for f in r["findings"]]
    ordered = _ordered(findings)
    failing = [f for f in ordered if f["severity"] in SEVERITIES[:THRESHOLD[fail_on]]]
    return {
        "nodes": [r["summary"] for r in records],
        "min_gbps": float(min_gbps),
        "applied": bool(applied),
        "check_mode": bool(check_mode),
        "fail_on": fail_on,
        "counts": _counts(findings),
        "counts_before": _counts([f for r in records for f in r["findings_before"]]),
        "findings": ordered,
        "failing": len(failing),
        "changes": [c for r in records for c in r["changes"]],
        "errors": [e for r in records for e in r["errors"]],
    }


def summary_lines(summary):
    """The summary as the lines the role prints: the headline, each change, each failure, each finding."""
    counts, before = summary["counts"], summary["counts_before"]
    left = ""
    if summary["applied"] and not summary["check_mode"] and summary["changes"]:
        left = " left after the changes (before: %d critical, %d warning, %d info)" % (
            before["critical"], before["warning"], before["info"])
    lines = ["Network of %d nodes (%s), backup path threshold %g Gb/s: %d critical, %d warning, %d info findings%s" % (
        len(summary["nodes"]), ", ".join(str(n["node"]) for n in summary["nodes"]), summary["min_gbps"],
        counts["critical"], counts["warning"], counts["info"], left)]
    verb = "WOULD CHANGE" if summary["check_mode"] else "CHANGED"
    lines += ["%s %s %s %s: %s" % (verb, c["node"], c["module"], c["subject"], c["msg"]) for c in summary["changes"]]
    lines += ["FAILED %s %s %s: %s" % (e["node"], e["module"], e["subject"], e["msg"]) for e in summary["errors"]]
    lines += ["%s %s %s: %s. %s Fix: %s" % (f["severity"].upper(), f["node"], f["subject"], f["what"], f["why"],
                                            f["fix"]) for f in summary["findings"]]
    if not summary["findings"]:
        lines.append("No findings: every node meets the recommendations for a backup network.")
    return lines


def failure_lines(summary, lines):
    """Why the play fails after the summary (failed changes, findings at fail_on), or [] when it does not."""
    out = []
    if summary["errors"]:
        out.append("%d change(s) failed or were refused (see FAILED); the modules left what they touched as it was."
                   % len(summary["errors"]))
    if summary["failing"]:
        out.append("%d finding(s) at or above severity %s (network_tuning_fail_on) are left:"
                   % (summary["failing"], summary["fail_on"]))
    return out + lines[1:] if out else []


def render_json(summary):
    return json.dumps(summary, indent=4, sort_keys=True) + "\n"


def _on_off(value):
    return "on" if value else "off"


def render_markdown(summary, lines):
    """``network_findings.md``: the headline, a table of the nodes, what changed or failed, every finding."""
    out = ["# Backup network findings", "", "%s." % lines[0], ""]
    if summary["check_mode"]:
        out += ["Check mode: nothing was changed.", ""]
    out += ["## Nodes", "",
            "| Host | Node | Read | SMB Multichannel (client/server) | SMB Gb/s (multichannel/single) | Teams (LBFO, SET) "
            "| Findings |",
            "|---|---|---|---|---|---|---|"]
    for n in summary["nodes"]:
        smb = n.get("smb_multichannel")
        gbps = n.get("smb_gbps")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            n["host"], n["node"], "yes" if n["read"] else "no",
            "%s/%s" % (_on_off(smb.get("client")), _on_off(smb.get("server"))) if smb else "-",
            "%g/%g" % (gbps["multichannel"], gbps["single_channel"]) if gbps else "-",
            ", ".join(list(n.get("teams") or []) + ["%s (SET)" % t for t in n.get("set_teams") or []]) or "-",
            n["findings"]))
    for title, entries in (("Would change" if summary["check_mode"] else "Changed", summary["changes"]),
                           ("Failed or refused", summary["errors"])):
        if entries:
            out += ["", "## %s" % title, ""]
            out += ["- %s %s %s: %s" % (e["node"], e["module"], e["subject"], e["msg"]) for e in entries]
    out += ["", "## Findings", ""]
    for f in summary["findings"]:
        out += ["### %s %s %s (%s)" % (f["severity"].upper(), f["node"], f["subject"], f["id"]), "",
                "- What: %s" % f["what"], "- Why: %s" % f["why"], "- Fix: %s" % f["fix"], ""]
    if not summary["findings"]:
        out.append("No findings: every node meets the recommendations for a backup network.")
    return "\n".join(out).rstrip("\n") + "\n"
