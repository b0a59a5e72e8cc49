# -*- coding: utf-8 -*-
"""The csv_backup playbook run the way AWX / Automation Controller runs a job: through ansible-runner.

AWX syncs the project (installing ``collections/requirements.yml`` into the job's private data dir), writes the
inventory, the extra variables (survey answers and custom credential injections) and the environment variables
into a private data directory, and runs ``ansible_runner.run(private_data_dir=..., playbook=...)`` in the
execution environment. It then reads the job's events from the runner's artifacts: the ``playbook_on_stats``
event's ``artifact_data`` holds what the play published with ``set_stats``, which workflows pass on to the next
node. This test does the same against the lab and checks the summary against the lab's own event log, that the
report files exist where ``csv_backup_report_dir`` points, and that the backup account's password, given as an
extra variable as a custom credential injects it, is in no file under the artifacts.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import ansible_runner  # pylint: disable=import-error
import pytest
import yaml

from conftest import BIN, running_lab, topology_path  # pylint: disable=import-error

BACKUP_TARGET = "\\\\backup01\\csv"
RUN_AS_USER = "BRANCH\\svc-csvbackup"
IDENT = "awx-job-42"

PLAYBOOK = """\
---
# A project playbook as an AWX project would hold it; the job template may also name wsfc.csv.csv_backup directly.
- name: Back up the cluster's CSVs
  ansible.builtin.import_playbook: wsfc.csv.csv_backup
"""


def _tarball():
    """The collection tarball `make collection` built next to the installed collection."""
    dist = Path(os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0]).parent / "dist"
    found = sorted(glob.glob(str(dist / "wsfc-csv-*.tar.gz")))
    if not found:
        pytest.fail("no collection tarball in %s; run `make collection` first" % dist)
    return found[-1]


def _project_sync(private):
    """What AWX's project update does: install the project's collections/requirements.yml for the job."""
    project = private / "project"
    (project / "collections").mkdir(parents=True)
    (project / "collections" / "requirements.yml").write_text(
        "---\ncollections:\n  - name: %s\n    type: file\n" % json.dumps(_tarball()))
    (project / "csv_backup.yml").write_text(PLAYBOOK)
    installed = private / "requirements_collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-r",
                    str(project / "collections" / "requirements.yml"), "-p", str(installed)],
                   check=True, capture_output=True, text=True,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(installed)))  # not the one the tests use
    assert (installed / "ansible_collections" / "wsfc" / "csv" / "MANIFEST.json").is_file()
    return installed


def _artifact_files(artifacts):
    return [Path(root) / name for root, dummy, names in os.walk(artifacts) for name in names]


@pytest.fixture(scope="module")
def awx_job(tmp_path_factory):
    """One AWX-style run on the two-node lab: (runner, lab, private data dir, extra vars, owners before, mark)."""
    base = tmp_path_factory.mktemp("awx")
    password = "Rnr-" + secrets.token_urlsafe(18)
    # The shipped two-node lab with the backup account declared (the lab's Task Scheduler refuses an unknown
    # account and checks its password), written outside the private data dir and the lab's working folder.
    topology = yaml.safe_load(topology_path("two-node").read_text())
    topology["accounts"] = [{"name": RUN_AS_USER, "password": password, "groups": ["Backup Operators"]}]
    (base / "topology.yml").write_text(yaml.safe_dump(topology))
    with running_lab(base / "topology.yml", base / "lab", "--time-scale", "500") as lab:
        private = base / "private"
        (private / "inventory").mkdir(parents=True)
        (private / "env").mkdir()
        shutil.copy(str(lab.inventory), str(private / "inventory" / "hosts.yml"))
        collections = _project_sync(private)
        extravars = {
            "target": lab.group,  # survey: the cluster's inventory group
            "csv_backup_strategy": "balanced",
            "csv_backup_target": BACKUP_TARGET,
            "csv_backup_report_dir": str(base / "reports"),
            "csv_backup_read_gbps": 4,
            "csv_backup_concurrency": 2,
            "csv_backup_network_findings": "warn",
            "csv_backup_job_poll_interval": 1,
            "csv_backup_poll_interval": 0.5,
            # what the custom credential type injects
            "csv_backup_run_as_user": RUN_AS_USER,
            "csv_backup_run_as_password": password,
        }
        (private / "env" / "extravars").write_text(json.dumps(extravars))
        (private / "env" / "envvars").write_text(json.dumps({
            "ANSIBLE_COLLECTIONS_PATH": str(collections),
            "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),  # in an EE, ansible-playbook is on PATH
            "ANSIBLE_NOCOLOR": "1",
        }))
        owners = dict((name, csv["owner"]) for name, csv in lab.state()["csvs"].items())
        mark = len(lab.events())
        runner = ansible_runner.run(private_data_dir=str(private), playbook="csv_backup.yml", ident=IDENT,
                                    quiet=True)
        yield runner, lab, private, extravars, owners, mark


def _stats_from_artifacts(private):
    """The playbook_on_stats event as AWX reads it: from artifacts/<ident>/job_events/*.json."""
    found = []
    for path in sorted((private / "artifacts" / IDENT / "job_events").glob("*.json")):
        event = json.loads(path.read_text())
        if event.get("event") == "playbook_on_stats":
            found.append(event)
    assert len(found) == 1, "expected one playbook_on_stats event in the job_events, found %d" % len(found)
    return found[0]


def test_the_job_succeeds(awx_job):
    runner, dummy, private, dummy2, dummy3, dummy4 = awx_job
    stdout = (private / "artifacts" / IDENT / "stdout").read_text()
    assert runner.status == "successful" and runner.rc == 0, stdout[-6000:]
    assert (private / "artifacts" / IDENT / "rc").read_text().strip() == "0"
    assert (private / "artifacts" / IDENT / "status").read_text().strip() == "successful"


def test_the_set_stats_summary_reaches_the_artifacts_and_matches_the_lab(awx_job):
    runner, lab, private, extravars, owners, mark = awx_job
    event = _stats_from_artifacts(private)
    summary = event["event_data"]["artifact_data"]["wsfc_csv_backup"]
    # ansible-runner's in-memory events are the same as the files AWX ingests
    in_memory = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    assert in_memory and in_memory[-1]["event_data"]["artifact_data"]["wsfc_csv_backup"] == summary

    assert summary["result"] == "succeeded" and summary["ownership_restored"] is True
    assert sorted(summary["csvs_backed_up"]) == sorted(owners)  # every CSV of the cluster
    assert summary["csvs_not_backed_up"] == [] and summary["errors"] == []
    assert summary["strategy"] == extravars["csv_backup_strategy"]
    reads = [e for e in lab.events()[mark:] if e["op"] == "backup.read"]
    assert sorted(e["csv"] for e in reads) == sorted(owners) and all(e["ok"] for e in reads), reads
    assert summary["local_reads"] == sum(1 for e in reads if e["read"] == "local")
    assert summary["smb_reads"] == sum(1 for e in reads if e["read"] == "smb")
    assert summary["bytes"] == sum(e["bytes"] for e in reads)
    # the cluster is as it was: ownership back, nothing left behind
    state = lab.state()
    assert dict((name, csv["owner"]) for name, csv in state["csvs"].items()) == owners
    assert state["snapshots"] == [] and state["jobs"] == []
    # the lock file and its heartbeat are gone; only the marker recording the lock's location stays
    assert all(all(f.lower().endswith("\\lock.home") for f in files) for files in state["csv_files"].values()), \
        state["csv_files"]


def test_the_backup_jobs_ran_as_the_credentials_account(awx_job):
    dummy, lab, dummy2, dummy3, owners, mark = awx_job
    registered = [e for e in lab.events()[mark:] if e["op"] == "task.register"]
    assert len(registered) == len(owners), registered
    assert all(e["args"]["user"] == RUN_AS_USER and e["args"]["password_given"] for e in registered), registered


def test_the_report_files_are_where_csv_backup_report_dir_points(awx_job):
    dummy, dummy2, private, extravars, owners, dummy3 = awx_job
    summary = _stats_from_artifacts(private)["event_data"]["artifact_data"]["wsfc_csv_backup"]
    report_dir = Path(summary["report_dir"])
    assert report_dir.parent == Path(extravars["csv_backup_report_dir"])
    for name in ("report.json", "report.md", "report.html", "ownership.json"):
        assert (report_dir / name).stat().st_size > 0, name
    report = json.loads((report_dir / "report.json").read_text())
    assert sorted(report["summary"]["csvs_backed_up"]) == sorted(summary["csvs_backed_up"]) == sorted(owners)
    assert report["summary"]["measured_window_s"] == summary["measured_window_s"]


def test_the_run_as_password_is_in_no_artifact_and_no_report(awx_job):
    runner, dummy, private, extravars, dummy2, dummy3 = awx_job
    password = extravars["csv_backup_run_as_password"].encode()
    # the search can find it: it is in the job's input, which AWX keeps out of the artifacts
    assert password in (private / "env" / "extravars").read_bytes()
    artifacts = _artifact_files(private / "artifacts")
    assert len(artifacts) > 10  # job_events, stdout, rc, status, command, fact cache...
    leaked = [str(path) for path in artifacts if password in path.read_bytes()]
    assert leaked == [], "the run-as password is in %s" % leaked
    summary = _stats_from_artifacts(private)["event_data"]["artifact_data"]["wsfc_csv_backup"]
    reports = _artifact_files(summary["report_dir"])
    assert reports and [str(p) for p in reports if password in p.read_bytes()] == []
    assert password.decode() not in json.dumps(list(runner.events))
