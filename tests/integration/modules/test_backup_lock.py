# -*- coding: utf-8 -*-
"""wsfc.csv.backup_lock against the 4-node lab: a lock taken through NODE1 is the lock NODE3 sees (one CSV
namespace), a second run is refused and leaves the first untouched (also one with the same run id: the holder is
the run's nonce), stale locks (no heartbeat) are reported and broken only on request, two breakers of one stale
lock cannot both win, a dropped connection while the lock is taken is resolved by reading it again, check mode
runs one read and changes nothing, and hostile run ids/owners are stored verbatim. Each is checked from the lab's
files and events, not only from what the module says."""

from __future__ import annotations

import json
import subprocess
import time

from conftest import module_result  # pylint: disable=import-error

NASTY = "'; Remove-Item C:\\ -Recurse # $(whoami)"
N1, N2, N3, N4 = ("%x" % n * 32 for n in (10, 11, 12, 13))
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"


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
    rc, seen = _run(lab, node, {"run_id": "peek", "path": path, "state": "absent", "force": True, "nonce": "f" * 32},
                    check=True)
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
    rc, check = _run(lab4, "NODE1", {"run_id": first, "owner": "alice@ctl pid 4242", "nonce": N1}, check=True)
    assert rc == 0 and check["changed"] and len(lab4.commands_since(mark)) == 1
    path = check["path"]
    assert path == "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"
    assert check["lock"]["run_id"] == first and check["lock"]["owner"] == "alice@ctl pid 4242"
    assert _peek(lab4, "NODE3", path) is None  # check mode created nothing

    mark = len(lab4.events())
    rc, took = _run(lab4, "NODE1", {"run_id": first, "owner": "alice@ctl pid 4242", "nonce": N1})
    assert rc == 0 and took["changed"] and took["node"] == "NODE1" and len(lab4.commands_since(mark)) == 1
    assert took["lock"]["node"] == "NODE1" and took["lock"]["created"].endswith("Z")

    seen = _peek(lab4, "NODE3", path)  # the CSV is one namespace: NODE3 sees NODE1's lock
    assert seen["run_id"] == first and seen["node"] == "NODE1" and seen["created"] == took["lock"]["created"]

    rc, again = _run(lab4, "NODE2", {"run_id": first, "nonce": N1})
    assert rc == 0 and not again["changed"] and "heartbeat was refreshed" in again["msg"]

    # another run that reuses the run id is another holder: refused, the lock untouched
    rc, reused = _run(lab4, "NODE4", {"run_id": first, "nonce": N2})
    assert rc != 0 and "same run id" in reused["msg"] and _peek(lab4, "NODE2", path)["nonce"] == N1

    rc, refused = _run(lab4, "NODE3", {"run_id": "second-run", "nonce": N2})
    assert rc != 0
    for part in ("alice@ctl pid 4242", "run " + first, took["lock"]["created"], " ago", path, "NODE3",
                 "Another backup of this cluster is running", "last heartbeat"):
        assert part in refused["msg"], (part, refused["msg"])
    assert _peek(lab4, "NODE2", path)["created"] == took["lock"]["created"]  # the first is untouched

    time.sleep(2)  # the lab's time runs faster than real time; ages come from the lab's (the node's) clock
    rc, stale = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1, "nonce": N2})
    assert rc != 0 and "stale" in stale["msg"] and "csv_backup_break_stale_lock" in stale["msg"]
    assert stale["lock"]["stale"] and stale["lock"]["age_s"] > 1

    mark = len(lab4.events())
    rc, would = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1, "break_stale": True, "nonce": N2},
                     check=True)
    assert rc == 0 and would["changed"] and would["broken"]["run_id"] == first
    assert len(lab4.commands_since(mark)) == 1 and _peek(lab4, "NODE1", path)["run_id"] == first

    mark = len(lab4.events())
    rc, broke = _run(lab4, "NODE3", {"run_id": "second-run", "stale_after": 1, "break_stale": True,
                                     "owner": "bob@ctl2 pid 7", "nonce": N2})
    assert rc == 0 and broke["changed"] and broke["broken"]["owner"] == "alice@ctl pid 4242"
    assert broke["lock"]["run_id"] == "second-run" and broke["lock"]["node"] == "NODE3"
    assert len(lab4.commands_since(mark)) == 2
    assert _peek(lab4, "NODE1", path)["owner"] == "bob@ctl2 pid 7"

    rc, not_mine = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "nonce": N1})
    assert rc != 0 and "force=true" in not_mine["msg"] and "bob@ctl2 pid 7" in not_mine["msg"]
    assert _peek(lab4, "NODE2", path)["run_id"] == "second-run"

    mark = len(lab4.events())
    rc, would = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "force": True, "nonce": N1}, check=True)
    assert rc == 0 and would["changed"] and would["lock"]["run_id"] == "second-run"
    assert len(lab4.commands_since(mark)) == 1 and _peek(lab4, "NODE2", path)["run_id"] == "second-run"

    rc, forced = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "force": True, "nonce": N1})
    assert rc == 0 and forced["changed"] and forced["lock"]["run_id"] == "second-run"
    assert _peek(lab4, "NODE4", path) is None

    rc, gone = _run(lab4, "NODE1", {"run_id": first, "state": "absent", "nonce": N1})
    assert rc == 0 and not gone["changed"]
    assert _files(lab4) == ["lock.home"]  # no lock, heartbeat or renamed lock is left


def test_hostile_values_are_stored_verbatim(lab4):
    owner = "$(whoami) " + NASTY
    rc, took = _run(lab4, "NODE2", {"run_id": NASTY, "owner": owner, "nonce": N3})
    assert rc == 0 and took["changed"], took
    seen = _peek(lab4, "NODE4", took["path"])
    assert seen["run_id"] == NASTY and seen["owner"] == owner
    rc, released = _run(lab4, "NODE4", {"run_id": NASTY, "state": "absent", "nonce": N3})
    assert rc == 0 and released["changed"]
    assert _peek(lab4, "NODE1", took["path"]) is None


def _files(lab):
    """The names of the files in the lock's folder, as the lab's file system has them."""
    return sorted(f.rsplit("\\", 1)[1] for f in lab.state()["csv_files"]["Cluster Disk 1"] if "\\.wsfc.csv\\" in f)


def _start(lab, node, args):
    return subprocess.Popen(["ansible", "%s:&%s" % (lab.group, node), "-i", str(lab.inventory), "-m",
                             "wsfc.csv.backup_lock", "-a", json.dumps(args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_runs_breaking_one_stale_lock_at_the_same_moment_exactly_one_wins(lab4):
    rc, dead = _run(lab4, "NODE1", {"run_id": "dead-run", "nonce": N1})
    assert rc == 0 and dead["changed"]
    time.sleep(2)  # no heartbeat since: stale by the node's clock with stale_after=30 modelled seconds
    mark = len(lab4.events())
    breakers = [_start(lab4, node, {"run_id": "breaker-%s" % node, "nonce": nonce, "stale_after": 30,
                                    "break_stale": True})
                for node, nonce in (("NODE2", N2), ("NODE4", N3))]
    outcomes = []
    for process in breakers:
        stdout, dummy = process.communicate(timeout=300)
        outcomes.append((process.returncode, module_result(subprocess.CompletedProcess([], 0, stdout, ""))))
    winners = [r for rc, r in outcomes if rc == 0 and r.get("changed")]
    losers = [r for rc, r in outcomes if rc != 0]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert winners[0]["broken"]["nonce"] == N1 and "run dead-run" not in losers[0]["msg"].split("held by")[0]
    holder = _peek(lab4, "NODE3", LOCK)
    assert holder["nonce"] == winners[0]["nonce"] and holder["run_id"] == winners[0]["lock"]["run_id"]
    # from the lab's events: renamed away for good exactly once (a loser that renamed the winner's new lock in the
    # same instant put it back at once); nothing of the loser stays
    moves = [e for e in lab4.events()[mark:] if e["op"] == "fs.move" and e["ok"]]
    away = [e for e in moves if e["args"]["source"].lower() == LOCK.lower()]
    back = [e for e in moves if e["args"]["dest"].lower() == LOCK.lower()]
    assert len(away) - len(back) == 1, moves
    assert _files(lab4) == sorted(["backup.lock", "heartbeat-%s.json" % holder["nonce"], "lock.home"])
    rc, done = _run(lab4, "NODE1", {"run_id": holder["run_id"], "state": "absent", "nonce": holder["nonce"]})
    assert rc == 0 and done["changed"] and _files(lab4) == ["lock.home"]


def test_a_dropped_connection_while_the_lock_is_taken_is_resolved_by_reading_it_again(lab4):
    # ours: the node took the lock, the answer was lost; the run reads it again and carries on
    lab4.fault("winrm_drop", node="NODE3")
    mark = len(lab4.events())
    rc, took = _run(lab4, "NODE3", {"run_id": "dropped-run", "nonce": N1})
    assert rc == 0 and took["changed"] and took["lock"]["nonce"] == N1, took
    assert "connection dropped" in took["msg"] and "it is ours" in took["msg"]
    creates = [e for e in lab4.events()[mark:] if e["op"] == "winrm.command"]
    assert len(creates) >= 2  # the acquire that was dropped, then the read
    assert _peek(lab4, "NODE1", LOCK)["nonce"] == N1
    # not ours: another run's acquire is dropped too; it reads the lock again and is refused; the lock is untouched
    lab4.fault("winrm_drop", node="NODE2")
    rc, refused = _run(lab4, "NODE2", {"run_id": "other-run", "nonce": N2})
    assert rc != 0 and "dropped-run" in refused["msg"] and "unreachable" not in refused
    assert _peek(lab4, "NODE4", LOCK)["nonce"] == N1
    rc, done = _run(lab4, "NODE1", {"run_id": "dropped-run", "state": "absent", "nonce": N1})
    assert rc == 0 and done["changed"] and _files(lab4) == ["lock.home"]  # never orphaned
