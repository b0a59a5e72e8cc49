# -*- coding: utf-8 -*-
"""The backup report (plugins/plugin_utils/backup_report.py)."""

from __future__ import annotations

import html
import json
import re

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import (
    ReportError,
    build_report,
    parse_time,
    render_html,
    render_json,
    render_markdown,
)

PLAN = {"strategy": "balanced", "provider": "software", "window_s": 100.0, "lower_bound_s": 90.0,
        "comparison": {"balanced": 100.0, "remote": 400.0}, "skipped": [{"csv": "Disk X", "reason": "Offline"}],
        "warnings": ["assumed 10 Gb/s"]}


def _run(**extra):
    run = {"cluster": "HVCLUSTER1", "plan": PLAN, "jobs": [
        # Node clocks in different zones: 01:00:00Z and 02:00:10+01:00 are 10 s apart.
        {"csv": "Disk A", "node": "N1", "state": "succeeded", "read": "local", "bytes": 10 ** 11,
         "start": "2026-01-05T01:00:00Z", "end": "2026-01-05T01:01:40Z", "provider_type": "software"},
        {"csv": "Disk B", "node": "N2", "state": "succeeded", "read": "local", "bytes": 5 * 10 ** 10,
         "start": "2026-01-05T02:00:10+01:00", "end": "2026-01-05T02:01:00+01:00"},
    ], "moves": [{"phase": "before", "csv": "Disk B", "from": "N1", "to": "N2", "ok": True},
                 {"phase": "restore", "csv": "Disk B", "from": "N2", "to": "N1", "ok": True}]}
    run.update(extra)
    return run


def test_window_is_measured_across_time_zones():
    report = build_report(_run())
    s = report["summary"]
    assert s["measured_window_s"] == 100.0
    assert s["window_start"] == "2026-01-05T01:00:00Z"
    assert report["timeline"]["N2"][0]["start_s"] == 10.0
    assert s["measured_to_lower_bound"] == round(100.0 / 90.0, 3)
    assert s["result"] == "succeeded" and s["bytes"] == 15 * 10 ** 10
    assert (s["moves_made"], s["moves_undone"], s["ownership_restored"]) == (1, 1, True)
    assert s["csvs_skipped"] == ["Disk X"]


def test_a_failed_job_fails_the_run_and_is_listed():
    run = _run()
    run["jobs"][1].update(state="failed", message="robocopy exit 8")
    s = build_report(run)["summary"]
    assert s["result"] == "failed"
    assert s["csvs_backed_up"] == ["Disk A"] and s["csvs_not_backed_up"] == ["Disk B"]
    assert s["bytes"] == 10 ** 11


def test_a_failed_restore_is_reported():
    run = _run()
    run["moves"][1].update(ok=False, message="N1 is Down")
    assert build_report(run)["summary"]["ownership_restored"] is False


def test_naive_times_are_utc_and_bad_times_are_errors():
    assert parse_time("2026-01-05T01:00:00").isoformat() == "2026-01-05T01:00:00+00:00"
    with pytest.raises(ReportError):
        parse_time("yesterday")


def test_a_job_in_a_state_the_report_does_not_know_is_a_failure_and_the_report_is_still_built():
    report = build_report(_run(jobs=[{"csv": "A", "node": "N1", "state": "not_started", "message": "never ran"}]))
    (job,) = [j for j in report["jobs"] if j["csv"] == "A"]
    assert job["state"] == "failed" and job["message"] == "A on N1 ended in state 'not_started', which is not a " \
        "success: never ran"


def test_renderings_escape_names_and_are_self_contained():
    run = _run()
    run["jobs"][0]["csv"] = "<script>alert(1)</script>"
    report = build_report(run)
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<svg" in page and "local read" in page
    markdown = render_markdown(report)
    assert "| balanced | 100.0 s |" in markdown and "Disk B" in markdown
    assert json.loads(render_json(report))["summary"]["measured_window_s"] == 100.0


@pytest.mark.parametrize("name", ["a | b", "<img src=x onerror=alert(1)>", "line\nbreak", "[x](http://evil)",
                                  "*bold* `code` # head", "back\\slash | & entity &amp;"])
def test_markdown_keeps_a_node_supplied_name_in_its_cell(name):
    run = _run()
    run["jobs"][0]["csv"] = name
    run["moves"][0]["message"] = name
    markdown = render_markdown(build_report(run))
    row = next(line for line in markdown.splitlines() if line.startswith("| N1 |"))
    # the row still has its nine cells: no | of the name split it, no line break ended it
    assert len(re.findall(r"(?<!\\)\|", row)) == 10, row
    assert not re.search(r"(?<!\\)<img", markdown) and not re.search(r"(?<!\\)\]\(http", markdown)
    assert "\nbreak" not in markdown
    unescaped = re.sub(r"\\(.)", r"\1", row.split(" | ")[1])
    assert unescaped == " ".join(name.split())


def test_what_set_stats_publishes_has_no_jinja_opener_left():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_report import neutralised
    data = {"errors": ["{{ lookup('pipe', 'id') }} failed", "{% raw %}"], "n": 3,
            "{#key#}": [{"csv": "x{{y}}"}], "plain": "a { b } c"}
    out = neutralised(data)
    assert out == {"errors": ["{ { lookup('pipe', 'id') }} failed", "{ % raw %}"], "n": 3,
                   "{ #key#}": [{"csv": "x{ {y}}"}], "plain": "a { b } c"}
    assert not re.search(r"\{[{%#]", json.dumps(out))


def test_provider_type_and_consistency_per_csv_and_a_warning_for_crash_consistent_ones():
    run = _run()
    run["jobs"][0].update(provider="Array provider", provider_type="hardware", consistency="application")
    run["jobs"][1].update(provider="Microsoft Software Shadow Copy provider 1.0", provider_type="system",
                          consistency="crash")
    report = build_report(run)
    assert [(j["csv"], j["provider_type"], j["consistency"]) for j in report["jobs"]] == [
        ("Disk A", "hardware", "application"), ("Disk B", "system", "crash")]
    assert report["summary"]["crash_consistent"] == ["Disk B"]
    (warning,) = [w for w in report["warnings"] if "crash-consistent" in w]
    assert warning.startswith("1 CSV(s) were backed up crash-consistent") and "Disk B" in warning
    markdown = render_markdown(report)
    assert "| Array provider (hardware, application) |" in markdown
    assert "Microsoft Software Shadow Copy provider 1.0 (system, crash)" in render_html(report)
    clean = build_report(_run())
    assert clean["summary"]["crash_consistent"] == [] and not [w for w in clean["warnings"] if "crash" in w]


def test_the_report_lists_the_exact_folder_of_every_csv_s_backup():
    run = _run()
    folder = "\\\\backup01\\csv\\run1\\Disk #1-0a1b2c3d"
    run["jobs"][0]["target_path"] = folder
    report = build_report(run)
    csv = run["jobs"][0]["csv"]
    assert report["summary"]["folders"] == {csv: folder}
    assert report["jobs"][0]["target_path"] == folder
    row = next(line for line in render_markdown(report).splitlines() if line.startswith("| N1 |"))
    assert re.sub(r"\\(.)", r"\1", row.split(" | ")[-1].rstrip(" |")) == folder
    assert html.escape(folder) in render_html(report)
