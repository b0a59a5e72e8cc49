# -*- coding: utf-8 -*-
"""wsfc.csv.backup_lock against the 4-node lab: a lock taken through NODE1 is the lock NODE3 sees (one CSV
namespace), a second run is refused and leaves the first untouched, stale locks are reported and broken only on
request, check mode runs one read and changes nothing, and hostile run ids/owners are stored verbatim."""

from __future__ import annotations

import json
import time

from conftest import module_result  # pylint: disable=import-error

NASTY = "'; Remove-Item C:\\ -Recurse # $(whoami)"


def _run(lab, node, args, check=False):
    extra = ["-a", json.dumps(args)]
    if check:
        extra += ["--check", "--diff"]
    result = lab.ansible("%s:&%s" % (lab.group, node), "wsfc.csv.backup_lock", *extra)
    return result.returncode, module_result(result)


def _peek(lab, node, path):
    """The lock as a node sees it (None: there is none), read with the module in check mode (state=absent,
    force=true reports the holder and would remove it; one read-only round trip, nothing changes)."""
    mark = len(lab.events())
    rc, seen = _run(lab, node, {"run_id": "peek", "path": path, "state": "absent", "force": True}, check=True)
    assert rc == 0 and len(lab.commands_since(mark)) == 1 and seen["node"] == node, seen
    return seen["lock"]


def test_target_against_the_shipped_lab(lab4, tmp_path):
    result = lab4.run_targets(["backup_lock"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    saved = json.loads((tmp_path / "backup_lock.json").read_text())
    nodes = sorted(lab4.state()["nodes"])
    assert saved["take"]["node"] == nodes[0] and saved["seen"]["node"] == nodes[-1]
    assert saved["take"]["path"].lower().startswith("c:\\clusterstorage\\")
    # The test lock is gone, and the real lock was never taken.
    assert _peek(lab4, nodes[1], saved["take"]["path"]) is None
    assert _peek(lab4, nodes[1], "") is None


def test_lock_life_cycle_across_nodes(lab4):
    first = "20261125T0200Z-ab12"
    mark = len(lab4.events())
    rc, check = _run(lab4, "NODE1", {"run_id": first, "owner": "alice@ctl pid 4242"}, check=True)
    assert rc == 0 and check["changed"] and len(lab4.commands_since(mark)) == 1
    path = check["path"]
    assert path == "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
    assert check["lock"]["run_id"] == first and check["lock"]["owner"] == "alice@ctl pid 4242"
    assert _peek(lab4, "NODE3", path) is None  # check mode created nothing

    mark = len(lab4.events())
    rc, took = _run(lab4, "NODE1", {"run_id": first, "owner": "alice@ctl pid 4242"})
    assert rc == 0 and took["changed"] and took["node"] == "NODE1" and len(lab4.commands_since(mark)) == 1
    assert took["lock"]["node"] == "NODE1" and took["lock"]["created"].endswith("Z")

    seen = _peek(lab4, "NODE3", path)  # the CSV is one namespace: NODE3 sees NODE1's lock
    assert seen["run_id"] == first and seen["node"] == "NODE1" and seen["created"] == took["lock"]["created"]

    rc, again = _run(lab4, "NODE2", {"run_id": first})
    assert rc == 0 and not again["changed"]

    rc, refused = _run(lab4, "NODE3", {"run_id": "second-run"})
    assert rc != 0
    for part in ("alice@ctl pid 4242", "run " + first, took["lock"]["created"], " ago", path, "NODE3",
                 "Another backup of this cluster is running"):
        assert part in refused["msg"], (part, refused["msg"])
    assert _peek(lab4, "NODE2", path)["created"] == took["lock"]["created"]  # the first is untouched

    time.sleep(2)  # the lab's time runs faster than real time; ages come from the lab's (the node's) clock
    rc, stale = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1})
    assert rc != 0 and "stale" in stale["msg"] and "csv_backup_break_stale_lock" in stale["msg"]
    assert stale["lock"]["stale"] and stale["lock"]["age_s"] > 1

    mark = len(lab4.events())
    rc, would = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1, "break_stale": True}, check=True)
    assert rc == 0 and would["changed"] and would["broken"]["run_id"] == first
    assert len(lab4.commands_since(mark)) == 1 and _peek(lab4, "NODE1", path)["run_id"] == first

    mark = len(lab4.events())
    rc, broke = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1, "break_stale": True,
                                     "owner": "bob@ctl2 pid 7"})
    assert rc == 0 and broke["changed"] and broke["broken"]["owner"] == "alice@ctl pid 4242"
    assert broke["lock"]["run_id"] == "second-run" and broke["lock"]["node"] == "NODE3"
    assert len(lab4.commands_since(mark)) == 2
    assert _peek(lab4, "NODE1", path)["owner"] == "bob@ctl2 pid 7"

    rc, not_mine = _run(lab4, "NODE1", {"run_id": first, "state": "absent"})
    assert rc != 0 and "force=true" in not_mine["msg"] and "bob@ctl2 pid 7" in not_mine["msg"]
    assert _peek(lab4, "NODE2", path)["run_id"] == "second-run"

    mark = len(lab4.events())
    rc, would = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "force": True}, check=True)
    assert rc == 0 and would["changed"] and would["lock"]["run_id"] == "second-run"
    assert len(lab4.commands_since(mark)) == 1 and _peek(lab4, "NODE2", path)["run_id"] == "second-run"

    rc, forced = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "force": True})
    assert rc == 0 and forced["changed"] and forced["lock"]["run_id"] == "second-run"
    assert _peek(lab4, "NODE4", path) is None

    rc, gone = _run(lab4, "NODE1", {"run_id": first, "state": "absent"})
    assert rc == 0 and not gone["changed"]


def test_hostile_values_are_stored_verbatim(lab4):
    owner = "$(whoami) " + NASTY
    rc, took = _run(lab4, "NODE2", {"run_id": NASTY, "owner": owner})
    assert rc == 0 and took["changed"], took
    seen = _peek(lab4, "NODE4", took["path"])
    assert seen["run_id"] == NASTY and seen["owner"] == owner
    rc, released = _run(lab4, "NODE4", {"run_id": NASTY, "state": "absent"})
    assert rc == 0 and released["changed"]
    assert _peek(lab4, "NODE1", took["path"]) is None
