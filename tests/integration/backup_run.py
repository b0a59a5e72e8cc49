# -*- coding: utf-8 -*-
"""Helpers of the tests that run the whole csv_backup playbook against the lab and inspect its state."""

from __future__ import annotations

import glob
import json
import os
import re
from datetime import datetime, timezone
import time
from pathlib import Path

from conftest import module_result  # pylint: disable=import-error

BACKUP_TARGET = "\\\\backup01\\csv"


def target_vars(target=BACKUP_TARGET):
    """The target as JSON extra vars: ``-e csv_backup_target=\\\\...`` would lose a backslash in key=value parsing."""
    return json.dumps({"csv_backup_target": target})


def owners(lab):
    """CSV name -> owner, as the lab's model has it now."""
    return dict((name, csv["owner"]) for name, csv in lab.state()["csvs"].items())


def backup_args(lab, report_dir, *extra, check=False):
    args = ["wsfc.csv.csv_backup", "-e", "target=%s" % lab.group, "-e", target_vars(),
            "-e", "csv_backup_report_dir=%s" % report_dir, "-e", "csv_backup_job_poll_interval=1",
            "-e", "csv_backup_poll_interval=0.5"] + list(extra)
    if check:
        args.append("--check")
    return args


def backup(lab, report_dir, *extra, check=False):
    """Run the csv_backup playbook to the end."""
    return lab.ansible_playbook(*backup_args(lab, report_dir, *extra, check=check),
                                env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})


def start_backup(lab, report_dir, *extra):
    """Start the csv_backup playbook in the background (to inject a fault while it runs)."""
    return lab.start_playbook(*backup_args(lab, report_dir, *extra), env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})


def finish(process, timeout=600):
    """Wait for a background playbook; (returncode, stdout, stderr)."""
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def wait_until(lab, predicate, timeout=120, what="the lab to reach the expected state"):
    """Poll the lab's state until ``predicate(state)`` is true; returns that state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = lab.state()
        if predicate(state):
            return state
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s" % what)


def wait_for_quiet(lab, ops, quiet_s=3.0, timeout=60):
    """Wait until no event of ``ops`` has been logged for ``quiet_s`` seconds: the commands a killed controller had
    already sent have finished on the nodes (a loaded machine can take several seconds), so what comes after is
    the next run's."""
    deadline = time.monotonic() + timeout
    count, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = len([e for e in lab.events() if e["op"] in ops])
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.3)
    raise AssertionError("the lab did not settle: events %s kept coming for %d s" % (", ".join(ops), timeout))


def reading(csv, node=None):
    """A predicate: the lab is reading ``csv`` (on ``node``)."""
    return lambda state: any(r["csv"] == csv and (node is None or r["node"] == node) for r in state["reads"])


def report(report_dir):
    """The newest run's report.json under ``report_dir`` and its directory."""
    runs = sorted(glob.glob(os.path.join(str(report_dir), "*", "report.json")), key=os.path.getmtime)
    assert runs, "no report was written under %s" % report_dir
    return json.loads(Path(runs[-1]).read_text()), Path(runs[-1]).parent


def reads(lab, mark):
    """The lab's backup.read events since event number ``mark``."""
    return [e for e in lab.events()[mark:] if e["op"] == "backup.read"]


def window(events):
    return max(e["end"] for e in events) - min(e["start"] for e in events)


def assert_nothing_left(lab, through=None, records=False):
    """No snapshot, scheduled job, watchdog or backup lock of a run remains on a node that is Up (the lock is probed
    through ``through``). A node that went Down keeps what it had: nobody can reach it to remove it. With
    ``records``, the run records a watchdog left (``run-<nonce>.json``, what it undid) may stay."""
    state = lab.state()
    up = sorted(n for n, node in state["nodes"].items() if node["state"] == "Up")
    assert [s for s in state["snapshots"] if s["node"] in up] == [], state["snapshots"]
    assert [j for j in state["jobs"] if j["node"] in up] == [], state["jobs"]
    assert state.get("clustered_tasks", []) == [], state.get("clustered_tasks")
    # the lab's own file system: no lock file, heartbeat, renamed lock, run record or watchdog script (or anything
    # else of the run) on any CSV; only the marker that records the cluster's lock location stays, once ...
    kept = re.compile(r"\\\.wsfc\.csv\\(lock\.home%s)$" % ("|run-[0-9a-f]{32}\\.json" if records else ""), re.IGNORECASE)
    left = dict((csv, [f for f in files if not kept.search(f)]) for csv, files in state["csv_files"].items())
    assert all(files == [] for files in left.values()), state["csv_files"]
    markers = [f for files in state["csv_files"].values() for f in files if f.lower().endswith("lock.home")]
    assert len(markers) <= 1, state["csv_files"]
    # ... and the module agrees: a new run could take the lock
    node = through or up[-1]  # through another node than the run's facts node: the lock is cluster-wide
    probe = module_result(lab.ansible(node, "wsfc.csv.backup_lock", "-a", "run_id=probe", "--check"))
    assert not probe.get("failed"), "a backup lock was left behind: %s" % probe.get("msg")


def jobs_by_csv(run_report):
    return dict((j["csv"], j) for j in run_report["jobs"])


def report_plan_moves(stdout):
    """The CSVs a check-mode run's printed plan moves (its ``move <csv>: <from> -> <to>`` lines)."""
    return re.findall(r'"move (.+?): \S+ -> \S+"', stdout)


def parse_iso(text):
    """An aware UTC datetime from the report's ISO 8601 times (``...Z``)."""
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(timezone.utc)


def utc_now():
    return datetime.now(timezone.utc)
