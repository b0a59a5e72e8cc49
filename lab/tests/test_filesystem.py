"""The lab's virtual file system: per-node local files, one shared store per CSV, Windows path rules."""

import pytest

from wsfc_lab.filesystem import FileSystem, normalize
from wsfc_lab.model import Cluster
from wsfc_lab.topology import parse_topology

CSV = "C:\\ClusterStorage\\Volume1"


def _fs():
    return FileSystem(["N1", "N2"], [CSV])


def test_local_files_are_per_node():
    fs = _fs()
    fs.write("N1", "C:\\ProgramData\\app\\x.txt", "one")
    assert fs.read("n1", "c:/programdata/APP/X.TXT") == "one"
    assert not fs.exists("N2", "C:\\ProgramData\\app\\x.txt")
    assert fs.store("N1", "C:\\ProgramData\\x") == "node:N1"


def test_csv_files_are_shared_by_every_node():
    fs = _fs()
    fs.write("N1", CSV + "\\locks\\backup.lock", "N1")
    assert fs.read("N2", "c:\\clusterstorage\\volume1\\LOCKS\\backup.lock") == "N1"
    assert fs.store("N2", CSV + "\\a") == "csv:" + CSV
    assert fs.list("N2", CSV) == [CSV + "\\locks"]
    assert CSV in fs.list("N1", "C:\\ClusterStorage")
    with pytest.raises(FileExistsError):
        fs.write("N2", CSV + "\\locks\\backup.lock", "N2", exclusive=True)
    fs.delete("N2", CSV + "\\locks\\backup.lock")
    assert not fs.exists("N1", CSV + "\\locks\\backup.lock")


def test_directories_and_errors():
    fs = _fs()
    with pytest.raises(FileNotFoundError):
        fs.write("N1", "C:\\nowhere\\x.txt", "t", parents=False)
    fs.mkdir("N1", "C:\\a\\b")
    assert fs.is_dir("N1", "C:\\a") and fs.is_dir("N1", "C:\\a\\b\\")
    fs.write("N1", "C:\\a\\b\\f.txt", "t", parents=False)
    assert fs.list("N1", "C:\\a") == ["C:\\a\\b"]
    with pytest.raises(IsADirectoryError):
        fs.read("N1", "C:\\a")
    with pytest.raises(OSError):
        fs.delete("N1", "C:\\a")
    fs.delete("N1", "C:\\a", recurse=True)
    assert not fs.exists("N1", "C:\\a\\b\\f.txt")
    with pytest.raises(FileNotFoundError):
        fs.read("N1", "C:\\a\\b\\f.txt")
    with pytest.raises(PermissionError):
        fs.delete("N1", CSV)


@pytest.mark.parametrize("path", ["relative\\x", "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\x",
                                  "\\\\server\\share\\x", "C:\\a\\..\\b"])
def test_unmodelled_paths_are_refused(path):
    with pytest.raises(ValueError):
        normalize(path)


def test_model_has_a_file_system_with_its_csvs():
    topo = parse_topology({"cluster": "C", "nodes": [{"name": "N1", "nics": [{"name": "A", "gbps": 1}]}],
                           "csvs": [{"name": "D", "path": CSV, "size_gb": 10, "used_gb": 1, "owner": "N1"}]})
    model = Cluster(topo, ticker=False)
    assert model.fs.is_dir("N1", CSV) and model.fs.is_dir("N1", "C:\\ProgramData")
