"""New-Item -ItemType File in the lab (atomic create, the documented FileInfo, Windows' error when the file exists)
and the collection's backup_lock scripts run on lab hosts: a lock taken through one node is the lock every node sees.
"""

import json
from pathlib import Path

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import parse_topology

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "plugins" / "plugin_utils" / "scripts"
REFERENCE = Reference.load_default()
LOCK = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"


def _model():
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": n, "nics": [{"name": "A", "gbps": 10}]} for n in ("N1", "N2", "N3")],
        "csvs": [
            {"name": "D2", "path": "C:\\ClusterStorage\\volume2", "size_gb": 100, "used_gb": 10, "owner": "N2"},
            {"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}]})
    return Cluster(topo, reference=REFERENCE, ticker=False)


def _run(model, source, node="N1"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script("$ErrorActionPreference = 'Stop'\n" + source, host)


def _operation(model, name, args, node="N1"):
    body = (SCRIPTS / (name + ".ps1")).read_text(encoding="utf-8")
    result = _run(model, "$WsfcArgs = '%s' | ConvertFrom-Json\n" % json.dumps(args).replace("'", "''") + body, node)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_new_item_file_creates_once_and_returns_file_info():
    model = _model()
    out = _run(model, "$f = New-Item -ItemType File -Path 'C:\\ClusterStorage\\Volume1\\a.txt' -Value 'abc'\n"
                      "[ordered]@{ name = $f.Name; full = $f.FullName; len = $f.Length; dir = $f.DirectoryName;"
                      " utc = $f.LastWriteTimeUtc.ToString('o') } | ConvertTo-Json -Compress")
    assert out.exit_code == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["name"] == "a.txt" and got["full"] == "C:\\ClusterStorage\\Volume1\\a.txt" and got["len"] == 3
    assert got["dir"] == "C:\\ClusterStorage\\Volume1" and got["utc"].startswith(model.now().strftime("%Y-%m-%dT"))
    assert model.fs.read("N3", "C:\\ClusterStorage\\Volume1\\a.txt") == "abc"  # no newline appended, CSV shared

    again = _run(model, "New-Item -ItemType File -Path 'c:\\clusterstorage\\volume1\\A.TXT' -Value 'xyz'", node="N2")
    assert again.exit_code != 0
    assert "already exists" in again.stderr and "NewItemIOError" in again.stderr and "IOException" in again.stderr
    assert model.fs.read("N1", "C:\\ClusterStorage\\Volume1\\a.txt") == "abc"  # the first writer is untouched

    caught = _run(model, "try { New-Item -ItemType File -Path 'C:\\ClusterStorage\\Volume1\\a.txt' -Value 'x' }\n"
                         "catch { [ordered]@{ m = $_.Exception.Message; c = [string]$_.CategoryInfo.Category;"
                         " id = $_.FullyQualifiedErrorId } | ConvertTo-Json -Compress }", node="N3")
    assert json.loads(caught.stdout) == {
        "m": "The file 'C:\\ClusterStorage\\Volume1\\a.txt' already exists.", "c": "WriteError",
        "id": "NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand"}

    forced = _run(model, "New-Item -ItemType File -Path 'C:\\ClusterStorage\\Volume1\\a.txt' -Value 'new' -Force"
                         " | Out-Null", node="N2")
    assert forced.exit_code == 0 and model.fs.read("N1", "C:\\ClusterStorage\\Volume1\\a.txt") == "new"


def test_new_item_file_needs_the_directory_without_force():
    model = _model()
    out = _run(model, "New-Item -ItemType File -Path 'C:\\ClusterStorage\\Volume1\\no\\a.txt' -Value 'x'")
    assert out.exit_code != 0 and "Could not find a part of the path" in out.stderr
    assert not model.fs.exists("N1", "C:\\ClusterStorage\\Volume1\\no")
    whatif = _run(model, "New-Item -ItemType File -Path 'C:\\ClusterStorage\\Volume1\\b.txt' -WhatIf")
    assert whatif.exit_code == 0 and not model.fs.exists("N1", "C:\\ClusterStorage\\Volume1\\b.txt")


N1, N2 = "1" * 32, "2" * 32
HOME = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\lock.home"
BEAT = "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\heartbeat-%s.json"


def _acquire(model, nonce, run_id, owner="o", node="N1", stale=None):
    if stale is None:
        return _operation(model, "backup_lock_acquire", {"path": "", "nonce": nonce, "run_id": run_id,
                                                         "owner": owner}, node=node)
    return _operation(model, "backup_lock_break", {
        "path": LOCK, "nonce": nonce, "run_id": run_id, "owner": owner, "break_text": stale["text"],
        "break_heartbeat": stale["heartbeat"]}, node=node)


def test_lock_scripts_share_one_lock_across_nodes():
    model = _model()
    empty = _operation(model, "backup_lock_get", {"path": "", "nonce": ""}, node="N3")
    assert empty["path"] == LOCK and empty["exists"] is False and empty["node"] == "N3" and empty["cluster"] == "C1"
    assert empty["recorded"] is False  # no run has recorded the location yet

    first = _acquire(model, N1, "r1", "a@ctl pid 1")
    assert first["acquired"] is True and first["path"] == LOCK and first["recorded"] is True
    # the state shows the lock, its heartbeat and the location marker on their CSV
    assert model.state()["csv_files"] == {"D1": [LOCK, BEAT % N1, HOME], "D2": []}
    record = json.loads(model.fs.read("N2", LOCK))
    assert record == {"version": 2, "nonce": N1, "run_id": "r1", "owner": "a@ctl pid 1", "node": "N1",
                      "created": record["created"]}
    assert record["created"].endswith("Z") and record["created"] == first["now"][:19] + "Z"
    assert json.loads(model.fs.read("N3", BEAT % N1))["nonce"] == N1

    second = _acquire(model, N2, "r2", "b", node="N3")
    assert second["acquired"] is False and json.loads(second["text"])["run_id"] == "r1"
    assert second["last_write"] and model.fs.read("N1", LOCK) == first["text"]
    assert second["heartbeat"] == model.fs.read("N1", BEAT % N1) and second["heartbeat_written"]

    seen = _operation(model, "backup_lock_get", {"path": "", "nonce": N2}, node="N2")
    assert seen["exists"] and seen["text"] == first["text"] and seen["heartbeat"] == second["heartbeat"]

    # Breaking acts only on the lock the controller saw; a different text is moved back and left alone.
    kept = _acquire(model, N2, "r2", "b", node="N3", stale={"text": "something else", "heartbeat": None})
    assert kept["acquired"] is False and kept["replaced"] is False and kept["put_back"] == "untouched"
    assert json.loads(model.fs.read("N1", LOCK))["run_id"] == "r1"
    broke = _acquire(model, N2, "r2", "b", node="N3", stale=second)
    assert broke["acquired"] is True and broke["replaced"] is True
    assert json.loads(model.fs.read("N1", LOCK))["run_id"] == "r2" and not model.fs.exists("N1", BEAT % N1)

    wrong = _operation(model, "backup_lock_release", {"path": LOCK, "nonce": N1, "run_id": "r1", "force": False},
                       node="N2")
    assert wrong["removed"] is False and json.loads(wrong["text"])["run_id"] == "r2" and model.fs.exists("N1", LOCK)
    done = _operation(model, "backup_lock_release", {"path": LOCK, "nonce": N2, "run_id": "r2", "force": False},
                      node="N2")
    assert done["removed"] is True and not model.fs.exists("N3", LOCK)
    assert model.state()["csv_files"] == {"D1": [HOME], "D2": []}  # the recorded location stays
    gone = _operation(model, "backup_lock_release", {"path": LOCK, "nonce": N2, "run_id": "r2", "force": False},
                      node="N2")
    assert gone["missing"] is True


def test_lock_values_are_data_not_code():
    model = _model()
    nasty = "'; Remove-Item C:\\ -Recurse # $(whoami) \"`n"
    made = _acquire(model, N1, nasty, nasty)
    assert made["acquired"] and json.loads(model.fs.read("N2", LOCK))["run_id"] == nasty
    assert json.loads(model.fs.read("N2", LOCK))["owner"] == nasty and model.fs.exists("N1", "C:\\Windows")
    bad = _run(model, "$WsfcArgs = '%s' | ConvertFrom-Json\n" % json.dumps({
        "path": "", "nonce": "..\\..\\x", "run_id": "r", "owner": "o"})
        + (SCRIPTS / "backup_lock_acquire.ps1").read_text(encoding="utf-8"))
    assert bad.exit_code != 0 and "32 hex digits" in bad.stderr  # a nonce is never a path


def test_invalid_lock_file_reports_its_last_write_time():
    model = _model()
    model.fs.write("N1", LOCK, "not json")
    seen = _operation(model, "backup_lock_get", {"path": "", "nonce": ""}, node="N2")
    assert seen["exists"] and seen["text"] == "not json" and seen["last_write"].startswith("2026-")
    assert seen["heartbeat"] is None
