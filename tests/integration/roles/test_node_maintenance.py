# -*- coding: utf-8 -*-
"""The node_maintenance role (issue 19) against the lab, checked against the lab's state and events.

- On the shipped four-node lab: evacuate NODE2 (check mode first: nothing changes), its CSVs go to the other nodes
  (a ``csv.move`` event each), NODE2 is Paused and its drain Completed; a second evacuate changes nothing; return
  brings NODE2 Up and exactly those CSVs back; a second return changes nothing.
- Each refusal before any change: the last Up node, a CSV another product's backup holds, a Cluster-Aware Updating
  run, the backup lock held by a backup run, a CSV one of our shadow copies holds.
- docs/patch-night.yml (the backup role, then node by node with serial: 1: evacuate, a stand-in patch, return).
- Round trips and wall time of an evacuate and a return of a node with 8 CSVs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import backup_run as run  # pylint: disable=import-error
from conftest import module_result, running_lab  # pylint: disable=import-error

REPO = Path(__file__).resolve().parents[3]
CHANGES = ("csv.move", "node.suspend", "node.drain", "node.resume", "group.move", "snap.create", "csv.balancer")
PLAY = """
- name: One maintenance step, node by node
  hosts: "{{ target }}"
  gather_facts: false
  serial: 1
  tasks:
    - name: Run the step
      ansible.builtin.include_role:
        name: wsfc.csv.node_maintenance
        tasks_from: "{{ step }}"
"""


def _play(tmp_path):
    path = tmp_path / "maintenance.yml"
    if not path.exists():
        path.write_text(PLAY)
    return path


def step(lab, tmp_path, name, node, *extra, check=False):
    """Run the role's entry point ``name`` for the inventory host ``node``; the maps go to tmp_path/state."""
    args = [str(_play(tmp_path)), "-e", "target=%s" % lab.group, "-e", "step=%s" % name, "--limit", node,
            "-e", "node_maintenance_state_dir=%s" % (tmp_path / "state"), "-e", "node_maintenance_poll_interval=0.5"]
    args += list(extra) + (["--check"] if check else [])
    return lab.ansible_playbook(*args, env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})


def _changed(result, host):
    line = next(line for line in result.stdout.splitlines() if line.startswith(host) and "changed=" in line)
    return int(line.split("changed=")[1].split()[0])


def _changes(events):
    return [e for e in events if e["op"] in CHANGES and e.get("changed", True) is not False]


def _ok(result):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


# ---- the four-node lab: evacuate NODE2, return it ------------------------------------------------------------

def test_evacuate_and_return_node2_on_the_four_node_lab(tmp_path):
    with running_lab("four-node-10gbe", tmp_path / "lab") as lab:
        before = run.owners(lab)
        leaving = sorted(name for name, owner in before.items() if owner == "NODE2")
        assert leaving, "the four-node lab's NODE2 coordinates a CSV"
        mark = len(lab.events())

        checked = _ok(step(lab, tmp_path, "evacuate", "NODE2", check=True))
        for csv in leaving:
            assert "%s: NODE2 -> " % csv in checked.stdout
        assert _changes(lab.events()[mark:]) == [] and run.owners(lab) == before
        assert not (tmp_path / "state").exists()

        mark = len(lab.events())
        _ok(step(lab, tmp_path, "evacuate", "NODE2"))
        state, events = lab.state(), lab.events()[mark:]
        after = run.owners(lab)
        assert [c for c in leaving if after[c] == "NODE2"] == []
        assert all(after[c] == before[c] for c in before if c not in leaving)   # only NODE2's CSVs moved
        assert state["nodes"]["NODE2"]["state"] == "Paused"
        assert state["nodes"]["NODE2"]["drain_status"] == "Completed"
        moves = [e for e in events if e["op"] == "csv.move" and e.get("changed")]
        assert sorted(e["args"]["csv"] for e in moves) == leaving
        assert all(e["args"]["from"] == "NODE2" and e["args"]["to"] != "NODE2" for e in moves)
        drain = [e for e in events if e["op"] == "node.drain"]
        assert len(drain) == 1 and drain[0]["ok"] and drain[0]["args"]["status"] == "Completed"
        # the drain came after every CSV had left; it moved NODE2's roles (VMs), never a CSV
        assert events.index(drain[0]) > max(events.index(e) for e in moves)
        saved = json.loads((tmp_path / "state" / "HVCLUSTER1_NODE2.json").read_text())
        assert saved["csvs"] == dict((c, {"from": "NODE2", "to": after[c]}) for c in leaving)

        mark = len(lab.events())
        again = _ok(step(lab, tmp_path, "evacuate", "NODE2"))
        assert _changed(again, "NODE2") == 0 and _changes(lab.events()[mark:]) == []
        assert json.loads((tmp_path / "state" / "HVCLUSTER1_NODE2.json").read_text()) == saved

        mark = len(lab.events())
        checked = _ok(step(lab, tmp_path, "return", "NODE2", check=True))
        assert _changes(lab.events()[mark:]) == []
        for csv in leaving:
            assert "%s: %s -> NODE2 (back home)" % (csv, after[csv]) in checked.stdout

        mark = len(lab.events())
        back = _ok(step(lab, tmp_path, "return", "NODE2"))
        assert lab.state()["nodes"]["NODE2"]["state"] == "Up"
        assert run.owners(lab) == before
        moved_back = [e for e in lab.events()[mark:] if e["op"] == "csv.move" and e.get("changed")]
        assert sorted(e["args"]["csv"] for e in moved_back) == leaving
        assert "wsfc_csv_node_maintenance" in back.stdout

        mark = len(lab.events())
        again = _ok(step(lab, tmp_path, "return", "NODE2"))
        assert _changed(again, "NODE2") == 0 and _changes(lab.events()[mark:]) == []
        assert run.owners(lab) == before


# ---- refusals before any change -------------------------------------------------------------------------------
SMALL = """
cluster: MAINT
time_scale: 60
%(top)s
nodes:
  - {name: M-N1, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]%(n1)s}
  - {name: M-N2, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
  - {name: M-N3, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]%(n3)s}
csvs:
  - {name: Disk A, path: 'C:\\ClusterStorage\\VolumeA', size_gb: 200, used_gb: 60, owner: M-N1}
  - {name: Disk B, path: 'C:\\ClusterStorage\\VolumeB', size_gb: 200, used_gb: 60, owner: M-N2, vms: [VMB]%(held)s}
  - {name: Disk C, path: 'C:\\ClusterStorage\\VolumeC', size_gb: 200, used_gb: 60, owner: M-N3}
vss: {hardware_provider: false}
targets:
  - {path: '\\\\BACKUP01\\csv', gbps: 20}
"""


def _small(top="", held="", n1="", n3=""):
    return SMALL % {"top": top, "held": held, "n1": n1, "n3": n3}


def _refused(lab, tmp_path, *extra):
    """Evacuate M-N2; it must fail before any change, and nothing may be saved."""
    before, mark = run.owners(lab), len(lab.events())
    result = step(lab, tmp_path, "evacuate", "M-N2", *extra)
    assert result.returncode != 0, result.stdout[-3000:]
    assert _changes(lab.events()[mark:]) == [] and run.owners(lab) == before
    assert lab.state()["nodes"]["M-N2"]["state"] == "Up"
    assert not (tmp_path / "state").exists()
    return result.stdout


def test_the_last_up_node_is_refused(tmp_path):
    with running_lab(_small(n1=", state: Down", n3=", state: Paused"), tmp_path / "lab") as lab:
        out = _refused(lab, tmp_path)
        assert "Nothing was changed on cluster MAINT: M-N2 would leave no node of cluster MAINT Up" in out


def test_a_csv_another_backup_holds_is_refused(tmp_path):
    with running_lab(_small(held=", backup_in_progress: true"), tmp_path / "lab") as lab:
        out = _refused(lab, tmp_path)
        assert "another product's backup holds Disk B (coordinated by M-N2)" in out


def test_a_foreign_backup_that_starts_later_is_refused_too(tmp_path):
    with running_lab(_small(), tmp_path / "lab") as lab:
        lab.fault("foreign_backup", csv="Disk B", for_s=3600)
        assert "another product's backup holds Disk B" in _refused(lab, tmp_path)


def test_a_cau_run_is_refused(tmp_path):
    with running_lab(_small(top="cau_run: true"), tmp_path / "lab") as lab:
        out = _refused(lab, tmp_path)
        assert "a Cluster-Aware Updating run is in progress on cluster MAINT" in out
        assert "allow_cau_run" in out


def test_the_backup_lock_held_by_a_backup_run_is_refused(tmp_path):
    with running_lab(_small(), tmp_path / "lab") as lab:
        taken = lab.ansible("M-N1", "wsfc.csv.backup_lock", "-a", "run_id=nightly-42")
        assert taken.returncode == 0, taken.stdout
        out = _refused(lab, tmp_path)
        assert "a backup run holds the backup lock of cluster MAINT" in out and "run nightly-42" in out
        # released by its holder (the nonce it was taken with), the same evacuate goes ahead
        nonce = module_result(taken)["nonce"]
        released = lab.ansible("M-N1", "wsfc.csv.backup_lock", "-a", "run_id=nightly-42 nonce=%s state=absent" % nonce)
        assert released.returncode == 0, released.stdout
        _ok(step(lab, tmp_path, "evacuate", "M-N2"))
        assert run.owners(lab)["Disk B"] != "M-N2"


def test_a_csv_one_of_our_snapshots_holds_is_refused(tmp_path):
    with running_lab(_small(), tmp_path / "lab") as lab:
        made = lab.ansible("M-N2", "wsfc.csv.csv_snapshot", "-a", "name='Disk B' provider=software")
        assert made.returncode == 0, made.stdout
        out = _refused(lab, tmp_path)
        assert "Disk B (coordinated by M-N2) has shadow copies this collection made" in out


# ---- the patch-night example ---------------------------------------------------------------------------------

def test_the_patch_night_example_backs_up_then_patches_node_by_node(tmp_path):
    with running_lab(_small(), tmp_path / "lab") as lab:
        before, mark = run.owners(lab), len(lab.events())
        result = lab.ansible_playbook(
            str(REPO / "docs" / "patch-night.yml"), "-e", "target=%s" % lab.group, "-e", run.target_vars(),
            "-e", "csv_backup_report_dir=%s" % (tmp_path / "reports"), "-e", "csv_backup_job_poll_interval=1",
            "-e", "csv_backup_poll_interval=0.5", "-e", "node_maintenance_state_dir=%s" % (tmp_path / "state"),
            "-e", "node_maintenance_poll_interval=0.5", env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
        _ok(result)
        events = lab.events()[mark:]
        jobs = [i for i, e in enumerate(events) if e["op"] == "job.start"]
        drains = [(i, e["args"]["node"]) for i, e in enumerate(events) if e["op"] == "node.drain"]
        resumes = [(i, e["args"]["node"]) for i, e in enumerate(events) if e["op"] == "node.resume" and e["changed"]]
        assert jobs and [n for dummy, n in drains] == ["M-N1", "M-N2", "M-N3"] == [n for dummy, n in resumes]
        assert max(jobs) < drains[0][0]                       # the backup ran first
        for (drained, dummy), (resumed, dummy2), nxt in zip(drains, resumes, drains[1:] + [(len(events), None)]):
            assert drained < resumed < nxt[0]                 # one node at a time: back before the next leaves
        assert "patching M-N2" in result.stdout
        assert run.owners(lab) == before
        assert all(n["state"] == "Up" for n in lab.state()["nodes"].values())


# ---- round trips and wall time for a node with 8 CSVs ----------------------------------------------------------
OWNERS = ["E-N2"] * 8 + ["E-N1", "E-N3", "E-N4"]
EIGHT = """
cluster: EIGHT
time_scale: 60
nodes:
  - {name: E-N1, disk_gbps: 16, nics: [{name: NIC1, gbps: 25}]}
  - {name: E-N2, disk_gbps: 16, nics: [{name: NIC1, gbps: 25}]}
  - {name: E-N3, disk_gbps: 16, nics: [{name: NIC1, gbps: 25}]}
  - {name: E-N4, disk_gbps: 16, nics: [{name: NIC1, gbps: 25}]}
csvs:
%s
vss: {hardware_provider: false}
""" % "\n".join("  - {name: Disk %d, path: 'C:\\ClusterStorage\\Volume%d', size_gb: 2000, used_gb: %d, owner: %s, "
                "vms: [VM%d]}" % (i, i, 100 * i, owner, i) for i, owner in enumerate(OWNERS, start=1))


def test_round_trips_and_wall_time_of_a_node_with_8_csvs(tmp_path):
    with running_lab(EIGHT, tmp_path / "lab") as lab:
        assert sorted(c for c, o in run.owners(lab).items() if o == "E-N2") == sorted("Disk %d" % i for i in range(1, 9))
        numbers = {}
        for name in ("evacuate", "return"):
            mark = len(lab.events())
            started = time.monotonic()
            _ok(step(lab, tmp_path, name, "E-N2"))
            numbers[name] = {"round_trips": len(lab.commands_since(mark)), "wall_s": round(time.monotonic() - started, 1),
                             "moves": len([e for e in lab.events()[mark:] if e["op"] == "csv.move" and e.get("changed")])}
        print("node with 8 CSVs: %s" % json.dumps(numbers))
        (tmp_path.parent / "node_maintenance_numbers.json").write_text(json.dumps(numbers))
        assert numbers["evacuate"]["moves"] == 8 and numbers["return"]["moves"] == 8
        # one read of the cluster, the lock and the snapshots, 3 per move, 2 for the pause; the return reads twice
        assert numbers["evacuate"]["round_trips"] <= 3 + 3 * 8 + 3
        assert numbers["return"]["round_trips"] <= 3 + 3 * 8 + 3


# ---- the CSV balancer when the node comes back -------------------------------------------------------------------
BALANCER = """
cluster: BAL
time_scale: 60
csv_balancer: true
nodes:
  - {name: B-N1, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
  - {name: B-N2, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
  - {name: B-N3, disk_gbps: 8, nics: [{name: NIC1, gbps: 10}]}
csvs:
%s
vss: {hardware_provider: false}
""" % "\n".join("  - {name: Disk %s, path: 'C:\\ClusterStorage\\Volume%s', size_gb: 200, used_gb: 50, owner: %s}"
                % (letter, letter, owner) for letter, owner in zip("ABCDEFG", ["B-N1"] * 4 + ["B-N2"] * 2 + ["B-N3"]))


def test_return_moves_back_only_its_own_csvs_whatever_the_balancer_did(tmp_path):
    with running_lab(BALANCER, tmp_path / "lab") as lab:
        before = run.owners(lab)
        _ok(step(lab, tmp_path, "evacuate", "B-N2"))
        mark = len(lab.events())
        back = _ok(step(lab, tmp_path, "return", "B-N2"))
        events = lab.events()[mark:]
        balanced = [e["args"] for e in events if e["op"] == "csv.balancer" and e["ok"]]
        assert balanced, "the balancer moves CSVs to the node that came back"
        ours = [e["args"]["csv"] for e in events if e["op"] == "csv.move" and e.get("changed")]
        now = run.owners(lab)
        assert now["Disk E"] == now["Disk F"] == "B-N2"                  # ours are home
        assert set(ours) <= {"Disk E", "Disk F"}                          # and only ours were moved by the role
        for moved in balanced:                                             # what the balancer moved stays where it is
            if moved["csv"] not in ("Disk E", "Disk F"):
                assert now[moved["csv"]] == moved["to"] != before[moved["csv"]]
        assert "back home" in back.stdout or "already home" in back.stdout
