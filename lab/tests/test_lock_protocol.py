"""The file operations the backup lock and the snapshot registry rely on, and their scripts run on lab hosts.

[System.IO.File]::Move fails when the source is gone or the destination exists (File.Move page), so of two renamers
of one file exactly one succeeds; [System.IO.File]::Replace needs both files (File.Replace page); a directory's
security descriptor is what [System.IO.Directory]::SetAccessControl set (Directory.SetAccessControl page), else the
lab's inherited stand-in. Then the collection's lock protocol on top of them: the location recorded once, a break
that acts only on the lock and heartbeat it judged stale, a release that never removes another run's lock.
"""

import json
import threading

from test_lock_files import LOCK, _model, _operation, _run

from wsfc_lab.filesystem import INHERITED_SDDL

A, B, C = "a" * 32, "b" * 32, "c" * 32
FOLDER = LOCK.rsplit("\\", 1)[0]


def _take(model, nonce, run_id="r", node="N1", stale=None):
    if stale is None:
        return _operation(model, "backup_lock_acquire", {"path": "", "nonce": nonce, "run_id": run_id, "owner": "o"},
                          node)
    return _operation(model, "backup_lock_break", {
        "path": LOCK, "nonce": nonce, "run_id": run_id, "owner": "o", "break_text": stale["text"],
        "break_heartbeat": stale["heartbeat"]}, node)


def test_file_move_renames_once_and_never_overwrites():
    model = _model()
    model.fs.write("N1", LOCK, "x")
    out = _run(model, "[System.IO.File]::Move('%s', '%s.mine')\n'moved'" % (LOCK, LOCK), node="N2")
    assert out.exit_code == 0 and model.fs.read("N3", LOCK + ".mine") == "x" and not model.fs.exists("N1", LOCK)
    again = _run(model, "try { [System.IO.File]::Move('%s', '%s.theirs') } catch { $_.Exception.Message }" % (
        LOCK, LOCK))
    assert "Could not find file" in again.stdout and not model.fs.exists("N1", LOCK + ".theirs")
    model.fs.write("N1", LOCK, "y")
    taken = _run(model, "try { [System.IO.File]::Move('%s', '%s.mine') } catch { $_.Exception.Message }" % (
        LOCK, LOCK))
    assert "already exists" in taken.stdout and model.fs.read("N1", LOCK + ".mine") == "x"
    moves = [e for e in model.events() if e["op"] == "fs.move"]
    assert [e["ok"] for e in moves] == [True, False, False]


def test_of_many_renamers_of_one_file_exactly_one_succeeds():
    model = _model()
    model.fs.write("N1", LOCK, "x")
    won = []

    def rename(n):
        try:
            model.fs.rename("N%d" % (n % 3 + 1), LOCK, LOCK + ".%d" % n)
            won.append(n)
        except FileNotFoundError:
            pass
    threads = [threading.Thread(target=rename, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and model.fs.read("N2", LOCK + ".%d" % won[0]) == "x"


def test_file_replace_needs_both_files_and_a_move_across_volumes_is_not_modelled():
    model = _model()
    model.fs.write("N1", "C:\\ProgramData\\a.tmp", "new")
    missing = _run(model, "[System.IO.File]::Replace('C:\\ProgramData\\a.tmp', 'C:\\ProgramData\\a.json', $null)")
    assert missing.exit_code != 0 and "Could not find file" in missing.stderr
    model.fs.write("N1", "C:\\ProgramData\\a.json", "old")
    done = _run(model, "[System.IO.File]::Replace('C:\\ProgramData\\a.tmp', 'C:\\ProgramData\\a.json', $null)")
    assert done.exit_code == 0 and model.fs.read("N1", "C:\\ProgramData\\a.json") == "new"
    assert not model.fs.exists("N1", "C:\\ProgramData\\a.tmp")
    backup = _run(model, "[System.IO.File]::Replace('C:\\ProgramData\\a.json', 'C:\\ProgramData\\b', 'C:\\x')")
    assert backup.exit_code != 0 and "not modelled" in backup.stderr
    across = _run(model, "[System.IO.File]::Move('C:\\ProgramData\\a.json', '%s')" % LOCK)
    assert across.exit_code != 0 and "not modelled" in across.stderr


def test_a_directory_keeps_the_descriptor_set_on_it():
    model = _model()
    out = _run(model, "New-Item -ItemType Directory -Path 'C:\\ProgramData\\x' | Out-Null\n"
                      "[System.IO.Directory]::GetAccessControl('C:\\ProgramData\\x').GetSecurityDescriptorSddlForm('All')\n"
                      "$s = New-Object System.Security.AccessControl.DirectorySecurity\n"
                      "$s.SetSecurityDescriptorSddlForm('O:SYG:SYD:PAI(A;OICI;FA;;;SY)')\n"
                      "[System.IO.Directory]::SetAccessControl('C:\\ProgramData\\x', $s)\n"
                      "[System.IO.Directory]::GetAccessControl('C:\\ProgramData\\x').GetSecurityDescriptorSddlForm('Owner')\n"
                      "[System.IO.Directory]::GetAccessControl('C:\\ProgramData\\x').GetSecurityDescriptorSddlForm('Access')")
    assert out.exit_code == 0, out.stderr
    assert out.stdout.split() == [INHERITED_SDDL, "O:SY", "D:PAI(A;OICI;FA;;;SY)"]
    gone = _run(model, "[System.IO.Directory]::GetAccessControl('C:\\ProgramData\\nope')")
    assert gone.exit_code != 0 and "DirectoryNotFoundException" in gone.stderr


def test_the_lock_location_is_recorded_once_and_a_lock_elsewhere_is_reported():
    model = _model()
    took = _take(model, A)
    assert took["acquired"] and took["path"] == LOCK and model.fs.exists("N2", FOLDER + "\\lock.home")
    assert json.loads(took["text"])["nonce"] == A and json.loads(took["heartbeat"])["nonce"] == A
    # A lock file on another CSV (an older version's, or a hand-made one): nothing is taken, it is reported.
    other = "C:\\ClusterStorage\\volume2\\.wsfc.csv\\backup.lock"
    model.fs.write("N1", other, "{}")
    refused = _take(model, B, node="N3")
    assert not refused["acquired"] and refused["elsewhere"] == [other]
    seen = _operation(model, "backup_lock_get", {"path": "", "nonce": B}, "N2")
    assert seen["recorded"] and seen["path"] == LOCK and seen["elsewhere"] == [other]


def test_a_break_acts_only_on_the_lock_and_heartbeat_judged_stale():
    model = _model()
    _take(model, A)
    seen = _take(model, B, node="N2")
    assert not seen["acquired"] and json.loads(seen["text"])["nonce"] == A
    # The holder polls meanwhile: its heartbeat changes, so the breaker puts the lock back and is refused.
    beat = _operation(model, "backup_lock_heartbeat", {"path": LOCK, "nonce": A}, "N3")
    assert beat["state"] == "held"
    put = _take(model, B, node="N2", stale=seen)
    assert not put["acquired"] and put["put_back"] == "done" and json.loads(put["text"])["nonce"] == A
    # Judged on what is there now, with no heartbeat since: one breaker wins, the second finds the new holder.
    now = _take(model, B, node="N2")
    first = _take(model, B, node="N2", stale=now)
    second = _take(model, C, node="N3", stale=now)
    assert first["acquired"] and first["replaced"] and not second["acquired"] and not second["replaced"]
    assert json.loads(second["text"])["nonce"] == B and second["put_back"] == "untouched"
    # the second breaker did not even rename the new holder's lock
    assert len([e for e in model.events() if e["op"] == "fs.move" and e["node"] == "N3"]) == 0
    files = model.fs.csv_files()["C:\\ClusterStorage\\Volume1"]
    assert sorted(f.rsplit("\\", 1)[1] for f in files) == ["backup.lock", "heartbeat-%s.json" % B, "lock.home"]


def test_a_release_removes_only_its_own_lock_and_the_heartbeat_is_refused_to_a_lost_holder():
    model = _model()
    _take(model, A)
    other = _operation(model, "backup_lock_release", {"path": "", "nonce": B, "run_id": "r", "force": False}, "N2")
    assert not other["removed"] and other["put_back"] is None and model.fs.exists("N1", LOCK)
    assert not [e for e in model.events() if e["op"] == "fs.move"]  # another run's lock is not even renamed
    lost = _operation(model, "backup_lock_heartbeat", {"path": LOCK, "nonce": B}, "N2")
    assert lost["state"] == "lost" and not model.fs.exists("N1", FOLDER + "\\heartbeat-%s.json" % B)
    mine = _operation(model, "backup_lock_release", {"path": "", "nonce": A, "run_id": "r", "force": False}, "N3")
    assert mine["removed"] and not model.fs.exists("N1", LOCK)
    assert not model.fs.exists("N1", FOLDER + "\\heartbeat-%s.json" % A)
    gone = _operation(model, "backup_lock_release", {"path": "", "nonce": A, "run_id": "r", "force": False}, "N3")
    assert gone["missing"] and not gone["removed"]


def test_the_status_read_refreshes_the_heartbeat_only_for_the_holder():
    model = _model()
    _take(model, A)
    before = model.fs.read("N1", FOLDER + "\\heartbeat-%s.json" % A)
    args = {"name": "nope", "task_path": "\\wsfc.csv\\", "log": "C:\\ProgramData\\wsfc.csv\\jobs\\nope.log",
            "log_lines": 0, "csv": ""}
    mine = _operation(model, "backup_job_status", dict(args, lock=LOCK, lock_nonce=A), "N2")
    assert mine["lock_state"] == "held"
    after = json.loads(model.fs.read("N3", FOLDER + "\\heartbeat-%s.json" % A))
    assert after["node"] == "N2" and model.fs.read("N1", FOLDER + "\\heartbeat-%s.json" % A) != before
    assert not model.fs.exists("N1", FOLDER + "\\heartbeat-%s.json.N2.tmp" % A)
    assert _operation(model, "backup_job_status", dict(args, lock=LOCK, lock_nonce=B), "N2")["lock_state"] == "lost"
    assert _operation(model, "backup_job_status", dict(args, lock="", lock_nonce=""), "N2")["lock_state"] is None
