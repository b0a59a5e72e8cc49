# -*- coding: utf-8 -*-
"""wsfc.csv.backup_report (plugins/action/backup_report.py) with the run record of a lab backup.

The module runs on the controller only: it never asks the node anything (every test's fake node has no answer
queued and must see no call) and has no diff. The record is answers/backup_report.json's: a consolidate run of
the lab cluster (answers/README.md). A run record is one cluster's: the result has no ``reports`` (a fleet's,
test_backup_report_from_play.py).
"""

from __future__ import annotations

import json
import os

from .checks import documented_returns
from .recorded import scenario

ACTION = "backup_report"
FILES = ["report.json", "report.md", "report.html"]


def _run():
    return scenario(ACTION, "run")["record"]


def test_dest_is_required_with_run(node, run):
    result = run(ACTION, {"run": _run()})
    assert result["failed"] and result["msg"] == "run needs dest, the directory the report is written to"
    assert node.calls == []


def test_returns_every_documented_key_but_a_fleet_s_reports(node, run, tmp_path):
    result = run(ACTION, {"run": _run(), "dest": str(tmp_path)})
    assert set(documented_returns(ACTION)) - {"reports"} <= set(result)
    assert result["failure"] == []  # the lab run succeeded and ownership was restored


def test_a_run_record_that_is_not_a_dict_is_refused(node, run, tmp_path):
    result = run(ACTION, {"run": "yesterday's run", "dest": str(tmp_path)})
    assert result["failed"] and "run" in result["msg"] and "dict" in result["msg"]
    assert node.calls == [] and os.listdir(str(tmp_path)) == []


def test_a_job_without_its_csv_fails_saying_what_is_wrong(node, run, tmp_path):
    record = _run()
    del record["jobs"][0]["csv"]
    result = run(ACTION, {"run": record, "dest": str(tmp_path)})
    assert result["failed"] and result["msg"].startswith("cannot build the backup report: a job record has no 'csv'")
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_builds_the_report_and_writes_nothing(node, run, tmp_path):
    dest = tmp_path / "reports"
    result = run(ACTION, {"run": _run(), "dest": str(dest)}, check_mode=True)
    assert result["changed"] is False and result["summary"]["result"] == "succeeded"
    assert result["files"] == [str(dest / name) for name in FILES]
    assert not dest.exists() and node.calls == []


def test_writes_the_report_as_json_markdown_and_html(node, run, tmp_path):
    result = run(ACTION, {"run": _run(), "dest": str(tmp_path / "reports")})
    assert result["changed"] is True and "diff" not in result and "reports" not in result
    assert result["stats"]["report_dir"] == str(tmp_path / "reports")
    assert sorted(os.listdir(str(tmp_path / "reports"))) == sorted(FILES)
    with open(result["files"][0], encoding="utf-8") as handle:
        assert json.load(handle)["summary"] == result["summary"]
    assert node.calls == []


def test_the_summary_says_what_the_lab_run_did(node, run, tmp_path):
    summary = run(ACTION, {"run": _run(), "dest": str(tmp_path)})["summary"]
    assert (summary["cluster"], summary["strategy"], summary["result"]) == ("RECLAB", "consolidate", "succeeded")
    assert summary["csvs_backed_up"] == ["Cluster Disk 1", "Cluster Disk 2"]
    assert summary["csvs_skipped"] == ["Cluster Disk 3", "Cluster Disk 4"]
    assert (summary["bytes"], summary["local_reads"], summary["smb_reads"]) == (50 * 10 ** 9, 2, 0)
    assert (summary["moves_made"], summary["moves_undone"], summary["ownership_restored"]) == (1, 1, True)


def test_writing_the_same_report_again_is_no_change(node, run, tmp_path):
    args = {"run": _run(), "dest": str(tmp_path)}
    assert run(ACTION, args)["changed"] is True
    assert run(ACTION, args)["changed"] is False


def test_a_dest_that_cannot_be_written_fails_saying_which_variable_to_set(node, run, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the report folder should be")
    result = run(ACTION, {"run": _run(), "dest": str(blocker / "reports")})
    assert result["failed"] and result["msg"].startswith("cannot write the backup report to %s" % (blocker / "reports"))
    assert "Set csv_backup_report_dir to a writable directory on the controller." in result["msg"]
