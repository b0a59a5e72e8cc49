# -*- coding: utf-8 -*-
"""wsfc.csv.backup_queue against the lab: a node's queue checked against the lab's state and event log.

The target backs up the two smallest CSVs through the first node (one read locally on its coordinator, one over
SMB from the other node), after a check-mode run that must start nothing, and state=absent must then find nothing
left. Here the lab's events say what really happened: one snapshot, one job and one ``backup.read`` per CSV, read
where the module said, and every snapshot and job removed again. A job left running (``on_timeout=leave``) is what
state=absent is for: it stops the job and deletes the run's snapshot, once.
"""

from __future__ import annotations

import json

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

TOPOLOGY = """\
cluster: QUEUELAB
time_scale: 50
nodes:
  - {name: Q1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: Q2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Small, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 20, owner: Q1}
  - {name: Smaller, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10, owner: Q2}
  - {name: Big, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100000, used_gb: 90000, owner: Q1}
vss: {hardware_provider: false}
targets:
  - {path: '\\\\backup\\share', gbps: 100}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(TOPOLOGY, tmp_path_factory.mktemp("queuelab")) as running:
        yield running


def _ops(lab, mark, op):
    return [e for e in lab.events()[mark:] if e["op"] == op]


def _queue(lab, node, args, check=False):
    extra = ["-a", json.dumps(args)]
    if check:
        extra += ["--check", "--diff"]
    result = lab.ansible("%s:&%s" % (lab.group, node), "wsfc.csv.backup_queue", *extra)
    return result, module_result(result)


def test_target_backs_up_two_csvs_and_leaves_nothing(lab, tmp_path):
    owners = dict((name, csv["owner"]) for name, csv in lab.state()["csvs"].items())
    mark = len(lab.events())
    result = lab.run_targets(["backup_queue"], tmp_path, "-e", json.dumps({"backup_queue_target": "\\\\backup\\share"}))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    saved = json.loads((tmp_path / "backup_queue.json").read_text())
    assert saved["reads"] == ["Smaller", "Small"]  # the two Online CSVs with the least data, smallest first
    jobs = dict((j["csv"], j) for j in saved["run"]["jobs"])
    node = saved["run"]["node"]
    assert node == "Q1"

    # One read per CSV (check mode and state=absent read nothing), where the module said, of what it said.
    reads = dict((e["csv"], e) for e in _ops(lab, mark, "backup.read"))
    assert len(_ops(lab, mark, "backup.read")) == 2 and set(reads) == set(jobs)
    for csv, job in jobs.items():
        read = reads[csv]
        assert read["ok"] and read["node"] == node and read["coordinator"] == owners[csv]
        assert read["read"] == job["read"] == ("local" if owners[csv] == node else "smb")
        assert read["bytes"] == job["bytes"] == int(lab.state()["csvs"][csv]["used_gb"] * 10 ** 9)
        assert read["args"]["snapshot"] == job["snapshot_id"]
        assert (read["provider"], read["consistency"]) == (job["provider_type"], job["consistency"])
        assert (job["provider_type"], job["consistency"]) == ("system", "application")
        # each CSV into its own folder of the run, which is where the lab's share has its bytes
        assert read["target"] == "\\\\backup\\share" and read["target_path"] == job["target_path"]
        assert job["target_path"].startswith("\\\\backup\\share\\wsfc-test-") and csv in job["target_path"]
    landed = dict((f["path"], (f["csv"], f["bytes"])) for f in lab.state()["targets"]["\\\\backup\\share"]["files"])
    for csv, job in jobs.items():
        assert landed[job["target_path"][len("\\\\backup\\share\\"):]] == (csv, job["bytes"])
    assert [j["read"] for j in saved["check"]["jobs"]] == [jobs[c]["read"] for c in saved["reads"]]

    # One snapshot and one job per CSV, each removed again; state=absent removed nothing (nothing was left).
    created = [e for e in _ops(lab, mark, "snap.create") if e["ok"]]
    assert sorted(e["snapshot"] for e in created) == sorted(j["snapshot_id"] for j in jobs.values())
    for event in created:
        assert event["surfaced_on"] == event["coordinator"] and event["provider_type"] == "system"
        assert event["consistency"] == "application" and event["tool"] == "diskshadow"
    deleted = [e["args"]["id"] for e in _ops(lab, mark, "snap.delete") if e["ok"]]
    assert sorted(deleted) == sorted(j["snapshot_id"] for j in jobs.values())
    ends = dict((e["args"]["task"], e) for e in _ops(lab, mark, "job.end"))
    assert len(_ops(lab, mark, "job.start")) == 2 and set(ends) == set(j["job_id"] for j in jobs.values())
    for job in jobs.values():
        assert ends[job["job_id"]]["exit_code"] == job["exit_code"] and ends[job["job_id"]]["ok"]
    unregistered = [e["args"]["task"] for e in _ops(lab, mark, "task.unregister")]
    assert sorted(unregistered) == sorted(j["job_id"] for j in jobs.values())
    assert not any(c["job_removed"] or c["snapshots_removed"] for c in saved["cleared"]["cleared"])
    state = lab.state()
    assert state["snapshots"] == [] and state["jobs"] == [] and state["reads"] == []
    assert dict((name, csv["owner"]) for name, csv in state["csvs"].items()) == owners


def test_absent_stops_a_job_left_running_and_deletes_its_snapshot_once(lab):
    args = {"reads": ["Big"], "run_id": "left1", "target": "\\\\backup\\share", "poll_interval": 0.5,
            "timeout": 0, "on_timeout": "leave", "fail_on_error": False}
    run, queue = _queue(lab, "Q2", args)
    assert run.returncode == 0, run.stdout
    (job,) = queue["jobs"]
    assert job["state"] == "running" and queue["counts"] == {"running": 1}
    assert "left running" in job["message"] and "state=absent" in job["message"]
    (running,) = lab.state()["jobs"]
    (snapshot,) = lab.state()["snapshots"]
    assert running["task"] == job["job_id"] and running["state"] == "running" and running["node"] == "Q2"
    assert snapshot["id"] == job["snapshot_id"] and snapshot["node"] == "Q1"  # system provider: on Big's coordinator

    clear = {"reads": ["Big"], "run_id": "left1", "state": "absent"}
    mark = len(lab.events())
    check, would = _queue(lab, "Q2", clear, check=True)
    assert check.returncode == 0 and would["changed"], check.stdout
    assert would["cleared"] == [{"csv": "Big", "job_id": job["job_id"], "job_removed": True,
                                 "snapshots_removed": [job["snapshot_id"]]}]
    assert len(lab.state()["jobs"]) == 1 and len(lab.state()["snapshots"]) == 1
    assert _ops(lab, mark, "task.stop") == [] and _ops(lab, mark, "snap.delete") == []

    mark = len(lab.events())
    gone, cleared = _queue(lab, "Q2", clear)
    assert gone.returncode == 0 and cleared["changed"], gone.stdout
    assert cleared["cleared"] == would["cleared"]
    (end,) = _ops(lab, mark, "job.end")
    assert end["stopped"] and not end["ok"]
    (read,) = _ops(lab, mark, "backup.read")
    assert read["csv"] == "Big" and read["ok"] is False
    assert [e["args"]["id"] for e in _ops(lab, mark, "snap.delete") if e["ok"]] == [job["snapshot_id"]]
    state = lab.state()
    assert state["jobs"] == [] and state["snapshots"] == [] and state["reads"] == []

    mark = len(lab.events())
    again, unchanged = _queue(lab, "Q2", clear)
    assert again.returncode == 0 and not unchanged["changed"], again.stdout
    assert unchanged["cleared"] == [{"csv": "Big", "job_id": job["job_id"], "job_removed": False,
                                     "snapshots_removed": []}]
    assert _ops(lab, mark, "task.unregister") == [] and _ops(lab, mark, "snap.delete") == []


def test_a_node_whose_vss_slot_stays_held_reports_node_and_reason_for_each_csv(lab):
    # Another product holds Q2's VSS creation slot for 2000 s of lab time (40 s): no snapshot can be requested from
    # Q2 within snapshot_busy_timeout; the queue reports why for each CSV, starts no job and leaves nothing.
    lab.fault("vss_busy", node="Q2", for_s=2000)
    mark = len(lab.events())
    args = {"reads": ["Smaller", "Small"], "run_id": "busy1", "target": "\\\\backup\\share", "poll_interval": 0.5,
            "snapshot_busy_timeout": 2, "fail_on_error": False}
    run, queue = _queue(lab, "Q2", args)
    assert run.returncode == 0, run.stdout
    assert queue["counts"] == {"failed": 2}
    for job in queue["jobs"]:
        assert job["state"] == "failed" and job["snapshot_id"] is None and job["job_id"].endswith(
            ("-000", "-001"))
        assert ("%s on Q2: csv_snapshot failed: Creating a snapshot of %s on Q2 failed: another shadow copy "
                "operation was in progress on Q2 for 2 s" % (job["csv"], job["csv"])) in job["message"]
    failed = list(_ops(lab, mark, "snap.create"))
    assert len(failed) >= 4 and all(not e["ok"] and e["hresult"] == "VSS_E_SNAPSHOT_SET_IN_PROGRESS"
                                    and e["node"] == "Q2" for e in failed)
    assert _ops(lab, mark, "job.start") == [] and _ops(lab, mark, "backup.read") == []
    state = lab.state()
    assert state["snapshots"] == [] and state["jobs"] == []


@pytest.mark.parametrize("args, words", [
    ({"reads": ["Small"], "run_id": "x'; Remove-Item C:\\ -Recurse #", "target": "T"}, ["run_id", "not usable"]),
    ({"reads": ["Small", "small"], "run_id": "dup", "target": "T"}, ["appears twice"]),
    ({"reads": ["Small"], "run_id": "c0", "target": "T", "concurrency": 0}, ["concurrency must be 1 or more"]),
    ({"reads": ["Small"], "run_id": "notarget"}, ["method copy needs target"]),
])
def test_refusals_send_nothing_to_the_node(lab, args, words):
    mark = len(lab.events())
    run, result = _queue(lab, "Q1", args)
    assert run.returncode != 0, run.stdout
    for word in words + ["Q1", "Nothing was started"]:
        assert word in result["msg"], result["msg"]
    assert lab.commands_since(mark) == [] and lab.state()["jobs"] == [] and lab.state()["snapshots"] == []
