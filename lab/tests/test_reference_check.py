"""``python -m wsfc_lab reference-check`` and how the lab finds the shared cmdlets.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wsfc_lab import shared_reference
from wsfc_lab.cli import main
from wsfc_lab.reference import Reference, default_reference_dir


def _check(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(["reference-check", *argv])
    out, err = capsys.readouterr()
    return code, [line for line in out.splitlines() if line], err


def test_consistent_data_prints_nothing(capsys):
    code, lines, err = _check(capsys)
    assert (code, lines, err) == (0, [], "")


def _lab_copy(tmp_path: Path) -> Path:
    d = tmp_path / "reference"
    shutil.copytree(default_reference_dir(), d)
    return d


def test_each_disagreement_of_a_wrong_lab_fixture_is_one_line(tmp_path, capsys):
    d = _lab_copy(tmp_path)
    path = d / "NetAdapter.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cmdlets"]["Get-NetAdapter"]["parameters"] = {"Nmae": {"note": "a parameter the page does not have"}}
    data["cmdlets"]["Get-NetAdaptor"] = {"note": "a cmdlet that does not exist"}
    data["cmdlets"]["Get-NetAdapterRdma"]["output_types"] = ["MSFT_NoSuchClass"]
    path.write_text(json.dumps(data), encoding="utf-8")
    code, lines, _ = _check(capsys, "--lab-reference", str(d))
    assert code == 1
    assert lines == [
        "Get-NetAdapter: lab/reference notes parameter -Nmae, which the shared cmdlets.json does not document",
        "Get-NetAdaptor: in lab/reference, not documented in the shared cmdlets.json",
        "Get-NetAdapterRdma: output_types names MSFT_NoSuchClass, which lab/reference does not describe",
    ]


def test_a_shared_file_missing_what_the_lab_implements_disagrees(tmp_path, capsys):
    data = shared_reference.read(shared_reference.locate())
    cut = {**data, "cmdlets": {k: v for k, v in data["cmdlets"].items() if k != "Move-ClusterSharedVolume"}}
    shared = tmp_path / "cmdlets.json"
    shared.write_text(json.dumps(cut), encoding="utf-8")
    code, lines, _ = _check(capsys, "--shared", str(shared))
    assert code == 1
    assert lines == ["move-clustersharedvolume: implemented by the lab, not documented in the shared cmdlets.json"]


def test_an_output_without_a_types_entry_disagrees(tmp_path, capsys):
    d = _lab_copy(tmp_path)
    path = d / "FailoverClusters.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["types"]["Microsoft.FailoverClusters.PowerShell.ClusterNode"]
    path.write_text(json.dumps(data), encoding="utf-8")
    code, lines, _ = _check(capsys, "--lab-reference", str(d))
    assert code == 1
    assert "Get-ClusterNode: documented output Microsoft.FailoverClusters.PowerShell.ClusterNode has no types entry " \
           "in lab/reference" in lines


# ---- finding cmdlets.json --------------------------------------------------------------------------------

def test_the_environment_variable_names_the_file_or_its_directory(tmp_path, monkeypatch):
    copy = tmp_path / "elsewhere" / "cmdlets.json"
    copy.parent.mkdir()
    shutil.copyfile(shared_reference.locate(), copy)
    monkeypatch.setenv(shared_reference.ENV_VAR, str(copy))
    assert shared_reference.locate() == copy
    monkeypatch.setenv(shared_reference.ENV_VAR, str(copy.parent))
    assert shared_reference.locate() == copy
    assert Reference.load().shared_path == copy


def test_a_missing_file_fails_loudly_naming_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv(shared_reference.ENV_VAR, str(tmp_path / "nope.json"))
    with pytest.raises(shared_reference.SharedReferenceNotFound, match="nope.json is not a file"):
        Reference.load()


def test_without_the_variable_it_looks_next_to_the_repository_root(tmp_path, monkeypatch):
    monkeypatch.delenv(shared_reference.ENV_VAR, raising=False)
    root = shared_reference._repository_root(Path(shared_reference.__file__).resolve().parent)
    assert root is not None
    assert root.parent / "shared" / "reference" / "cmdlets.json" == shared_reference.candidates()[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shared_reference, "RELATIVE", Path("no-such-dir") / "cmdlets.json")
    # a machine without ../shared (a CI runner) reads the lab's copy of the file ...
    assert shared_reference.locate() == shared_reference.COPY
    assert shared_reference.read(shared_reference.COPY)["cmdlets"]
    # ... and without that copy too, the lab refuses to run
    monkeypatch.setattr(shared_reference, "COPY", tmp_path / "no-copy.json.gz")
    with pytest.raises(shared_reference.SharedReferenceNotFound) as info:
        shared_reference.locate()
    assert shared_reference.ENV_VAR in str(info.value) and str(root.parent / "no-such-dir") in str(info.value)


def test_the_lab_s_copy_is_the_shared_file_wherever_that_is_found():
    """``make lab-reference`` refreshes the copy when this fails: ../shared changed."""
    found = [p for p in shared_reference.shared_candidates() if p.is_file()]
    if not found:
        pytest.skip("no ../shared/reference/cmdlets.json on this machine: the lab runs on its copy")
    assert shared_reference.read(shared_reference.COPY) == shared_reference.read(found[0]), (
        "lab/reference/shared-cmdlets.json.gz differs from %s: run make lab-reference" % found[0])


def test_reference_check_exits_2_when_the_shared_file_cannot_be_found(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(shared_reference.ENV_VAR, str(tmp_path / "missing.json"))
    code, lines, err = _check(capsys)
    assert code == 2 and lines == []
    assert "WSFC_LAB_SHARED_REFERENCE" in err
