"""Get-ChildItem of one folder and [System.IO.File]::ReadAllText/WriteAllText/Delete over the lab's file system (the
clustered tasks' scripts use them; they work the same from WinRM)."""

import json

from node_script import REFERENCE, run_on
from wsfc_lab.model import Cluster
from wsfc_lab.topology import parse_topology

DIR = "C:\\ClusterStorage\\Volume1\\w"


def _model():
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": "N1", "nics": [{"name": "A", "gbps": 10}]}, {"name": "N2", "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"}]})
    model = Cluster(topo, reference=REFERENCE, ticker=False)
    for name in ("b.txt", "A.txt", "sub\\x.txt", "Zed\\y.txt"):
        model.fs.write("N1", DIR + "\\" + name, name)
    return model


def test_get_child_item_lists_folders_then_files_by_name():
    model = _model()
    result = run_on(model, "$all = @(Get-ChildItem -LiteralPath '%s' | ForEach-Object { $_.Name })\n"
                           "$files = @(Get-ChildItem -Path '%s' -File | ForEach-Object { $_.Name })\n"
                           "$dirs = @(Get-ChildItem -Path '%s' -Directory | ForEach-Object { $_.FullName })\n"
                           "@{ all = $all; files = $files; dirs = $dirs } | ConvertTo-Json -Compress" % (DIR, DIR, DIR),
                    "N2")
    assert result.exit_code == 0, result.error_text
    assert json.loads(result.stdout) == {"all": ["sub", "Zed", "A.txt", "b.txt"], "files": ["A.txt", "b.txt"],
                                         "dirs": [DIR + "\\sub", DIR + "\\Zed"]}


def test_get_child_item_of_a_missing_path_is_an_error_and_recursion_is_not_modelled():
    model = _model()
    missing = run_on(model, "Get-ChildItem -LiteralPath '%s\\nope'" % DIR, "N1")
    assert missing.exit_code == 1 and "because it does not exist" in missing.error_text
    recurse = run_on(model, "Get-ChildItem -LiteralPath '%s' -Recurse" % DIR, "N1")
    assert recurse.exit_code == 1 and "not modelled" in " ".join(recurse.error_text.split())


def test_file_read_write_delete():
    model = _model()
    result = run_on(model, "[System.IO.File]::WriteAllText('%s\\new.txt', 'hello')\n"
                           "[System.IO.File]::WriteAllText('%s\\new.txt', 'again')\n"
                           "$text = [System.IO.File]::ReadAllText('%s\\new.txt')\n"
                           "[System.IO.File]::Delete('%s\\new.txt')\n"
                           "[System.IO.File]::Delete('%s\\new.txt')\n"  # no file: no exception
                           "$text" % ((DIR,) * 5), "N2")
    assert result.exit_code == 0, result.error_text
    assert result.stdout.strip() == "again" and not model.fs.exists("N1", DIR + "\\new.txt")
    assert [e["op"] for e in model.events() if e["op"].startswith("fs.")] == ["fs.write", "fs.write", "fs.delete",
                                                                               "fs.delete"]
    for call, error in (("ReadAllText('%s\\none.txt')" % DIR, "Could not find file"),
                        ("WriteAllText('%s\\nodir\\f.txt', 'x')" % DIR, "Could not find a part of the path"),
                        ("Delete('%s\\nodir\\f.txt')" % DIR, "Could not find a part of the path")):
        failed = run_on(model, "[System.IO.File]::" + call, "N1")
        assert failed.exit_code == 1 and error in " ".join(failed.error_text.split()), call
