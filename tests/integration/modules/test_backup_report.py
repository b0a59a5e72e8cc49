# -*- coding: utf-8 -*-
"""wsfc.csv.backup_report against the lab: a report of the lab's own cluster, written on the controller only.

The target reads the cluster once, builds a small run record of two of its CSVs, and has the module write the
report (check mode, a real run, the same run again, a refused record) to a temporary directory that it removes
at the end. The lab says what the module must not do: the one command the nodes received is the target's own
``cluster_info`` read, and nothing in the cluster changed. The record names the lab's cluster, CSVs and nodes,
and the report's figures follow from the record.
"""

from __future__ import annotations

import json
import os

from conftest import module_result  # pylint: disable=import-error


def test_target_reports_the_lab_cluster_without_touching_it(lab4, tmp_path):
    before = lab4.state()
    mark = len(lab4.events())
    result = lab4.run_targets(["backup_report"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    saved = json.loads((tmp_path / "backup_report.json").read_text())

    # backup_report never connects: the only round trip is the target's cluster_info (one command).
    commands = lab4.commands_since(mark)
    assert len(commands) == 1 and commands[0]["ok"], commands
    assert lab4.state()["csvs"] == before["csvs"] and lab4.state()["nodes"] == before["nodes"]
    assert lab4.state()["snapshots"] == [] and lab4.state()["jobs"] == []

    record, written = saved["record"], saved["written"]
    assert record["cluster"] == before["cluster"] == written["summary"]["cluster"]
    first, last = sorted(before["csvs"])[0], sorted(before["csvs"])[-1]
    assert [j["csv"] for j in record["jobs"]] == [first, last]
    assert record["jobs"][0]["node"] == before["csvs"][first]["owner"]
    assert {m["from"] for m in record["moves"]} | {m["to"] for m in record["moves"]} <= set(before["nodes"])
    summary = written["summary"]
    assert summary["csvs_backed_up"] == [first] and summary["csvs_not_backed_up"] == [last]
    assert summary["bytes"] == record["jobs"][0]["bytes"]
    assert summary["measured_window_s"] == 3630.0  # 02:00:00Z to 03:00:30Z, one end written at +01:00
    assert written["files"] == [os.path.join(saved["tmp"], "report", name)
                                for name in ("report.json", "report.md", "report.html")]
    assert saved["check"]["changed"] is False and saved["again"]["changed"] is False and written["changed"]
    assert saved["refused"]["failed"] and "has no 'csv'" in saved["refused"]["msg"]
    assert not os.path.exists(saved["tmp"])  # the target removed its directory


def test_a_destination_that_cannot_be_written_is_refused_by_name(lab4, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    run = {"cluster": lab4.group.upper(), "jobs": [{"csv": "Cluster Disk 1", "node": "NODE1", "state": "succeeded",
                                                   "start": "2026-01-05T02:00:00Z", "end": "2026-01-05T02:10:00Z"}]}
    mark = len(lab4.events())
    result = lab4.ansible(lab4.group + "[0]", "wsfc.csv.backup_report", "-a",
                          json.dumps({"run": run, "dest": str(blocker / "report")}))
    assert result.returncode != 0
    refused = module_result(result)
    assert "cannot write the backup report" in refused["msg"] and str(blocker / "report") in refused["msg"]
    assert "csv_backup_report_dir" in refused["msg"]
    assert blocker.read_text() == "not a directory\n" and lab4.commands_since(mark) == []
