"""DiskShadow as the lab runs it (wsfc_lab.diskshadow): run from PowerShell as a native program, its documented
commands, and what it refuses. Each test writes a script to the node and runs ``diskshadow /s``."""

import json

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import parse_topology
from wsfc_lab.vss import HARDWARE_PROVIDER, SYSTEM_PROVIDER

REFERENCE = Reference.load_default()
SCRIPT = "C:\\ProgramData\\ds.txt"
MOUNT = "C:\\ProgramData\\m1"


def _model(hardware=False):
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": "N1", "nics": [{"name": "A", "gbps": 10}]}, {"name": "N2", "nics": [{"name": "A", "gbps": 10}]}],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10, "owner": "N1"},
                 {"name": "D2", "path": "C:\\ClusterStorage\\Volume2", "size_gb": 100, "used_gb": 10, "owner": "N2",
                  "state": "Offline"}],
        "vss": {"hardware_provider": hardware}})
    return Cluster(topo, reference=REFERENCE, ticker=False)


def _ps(model, source, node="N2"):
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script("$ErrorActionPreference = 'Stop'\n" + source, host)


def _diskshadow(model, lines, node="N2", invocation="& diskshadow.exe /s '%s'" % SCRIPT):
    """Write ``lines`` as the script and run DiskShadow; (exit code, output lines)."""
    model.fs.mkdir(node, MOUNT)
    model.fs.write(node, SCRIPT, "\r\n".join(lines) + "\r\n")
    result = _ps(model, "$out = @(%s)\n[ordered]@{ code = $LASTEXITCODE; out = $out } | ConvertTo-Json -Compress"
                 % invocation, node)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return data["code"], data["out"] or []


def _refused(model, lines, node="N2"):
    model.fs.write(node, SCRIPT, "\r\n".join(lines) + "\r\n")
    result = _ps(model, "& diskshadow.exe /s '%s'" % SCRIPT, node)
    assert result.exit_code != 0
    return result.stderr


CREATE = ["set context persistent", "add volume C:\\ClusterStorage\\Volume1\\", "create"]


@pytest.mark.parametrize("invocation", ["& diskshadow.exe /s '%s'" % SCRIPT, "diskshadow -s '%s'" % SCRIPT,
                                        "& 'C:\\Windows\\System32\\diskshadow.exe' /s '%s'" % SCRIPT])
def test_script_mode_creates_a_persistent_shadow_copy_with_writers(invocation):
    model = _model()
    code, out = _diskshadow(model, ["#Diskshadow script file", ""] + CREATE + ["list shadows all"],
                            invocation=invocation)
    assert code == 0
    (snap,) = model.snapshots
    assert (snap["context"], snap["persistent"], snap["writers"]) == ("AppRollback", True, True)
    assert "* Shadow Copy ID = %s" % snap["id"].lower() in out and "%VSS_SHADOW_1%" in out
    (run,) = [e for e in model.events() if e["op"] == "diskshadow.run"]
    assert run["ok"] and run["exit_code"] == 0 and run["commands"] == ["set", "add", "create", "list"]


@pytest.mark.parametrize("words, context, persistent, writers", [
    ("persistent nowriters", "NasRollback", True, False), ("volatile", "Backup", False, True),
    ("volatile nowriters", "FileShareBackup", False, False), ("clientaccessible", "ClientAccessible", True, False),
])
def test_set_context_words_map_to_vss_contexts(words, context, persistent, writers):
    model = _model()
    code, dummy = _diskshadow(model, ["set context " + words, "add volume C:\\ClusterStorage\\Volume1", "create"])
    assert code == 0
    (event,) = [e for e in model.events() if e["op"] == "snap.create"]
    assert (event["context"], event["writers"]) == (context, writers)
    assert event["consistency"] == ("application" if writers else "crash")
    # volatile: "Deletes the shadow copy on exit or reset"
    assert len(model.snapshots) == (1 if persistent else 0)


def test_without_set_context_the_lab_assumes_volatile_without_writers():
    model = _model()
    assert _diskshadow(model, ["add volume C:\\ClusterStorage\\Volume1", "create"])[0] == 0
    (event,) = [e for e in model.events() if e["op"] == "snap.create"]
    assert event["context"] == "FileShareBackup" and event["consistency"] == "crash" and model.snapshots == []


def test_the_provider_named_by_add_volume_makes_it_and_only_the_system_provider_is_client_accessible():
    model = _model(hardware=True)
    assert _diskshadow(model, ["set context persistent", "add volume C:\\ClusterStorage\\Volume1 provider "
                               + SYSTEM_PROVIDER["id"].lower(), "create"])[0] == 0
    assert model.snapshots[0]["provider_type"] == "system" and model.snapshots[0]["node"] == "N1"
    code, out = _diskshadow(model, ["set context clientaccessible", "add volume C:\\ClusterStorage\\Volume1 provider "
                                    + HARDWARE_PROVIDER["id"], "create"])
    assert code == 1 and "\t- Error text: VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER" in out and len(model.snapshots) == 1
    code, out = _diskshadow(model, ["add volume C:\\ClusterStorage\\Volume1 provider "
                                    "{00000000-0000-0000-0000-000000000001}"])
    assert code == 1 and "\t- Error text: VSS_E_PROVIDER_NOT_REGISTERED" in out


def test_expose_unexpose_and_delete():
    model = _model()
    code, out = _diskshadow(model, CREATE + ["expose %VSS_SHADOW_1% " + MOUNT + "\\"])
    assert code == 0
    (snap,) = model.snapshots
    assert snap["exposed"] == {"node": "N2", "path": MOUNT + "\\"}
    assert model.vss.exposure("N2", MOUNT + "\\sub\\file.vhdx") is snap and model.vss.exposure("N1", MOUNT) is None
    assert _diskshadow(model, ["unexpose " + MOUNT])[0] == 0 and snap["exposed"] is None
    assert _diskshadow(model, ["delete shadows id " + snap["id"]])[0] == 0 and model.snapshots == []
    ops = [e["op"] for e in model.events() if e["op"].startswith("snap.")]
    assert ops == ["snap.create", "snap.expose", "snap.unexpose", "snap.delete"]


@pytest.mark.parametrize("context, target, error", [
    ("volatile", MOUNT, "VSS_E_BAD_STATE"),                     # only persistent shadow copies are exposed locally
    ("persistent", "C:\\ProgramData\\nowhere", "E_INVALIDARG"),  # not an existing folder
    ("persistent", "C:\\ClusterStorage\\Volume1\\m", "E_INVALIDARG"),  # not on the node's own disk
])
def test_expose_refusals(context, target, error):
    model = _model()
    model.fs.mkdir("N1", "C:\\ClusterStorage\\Volume1\\m")
    code, out = _diskshadow(model, ["set context " + context, "add volume C:\\ClusterStorage\\Volume1", "create",
                                    "expose %VSS_SHADOW_1% " + target])
    assert code == 1 and "\t- Error text: " + error in out
    assert all(s["exposed"] is None for s in model.snapshots)


def test_expose_needs_an_empty_folder():
    model = _model()
    model.fs.mkdir("N2", MOUNT)
    model.fs.write("N2", MOUNT + "\\x.txt", "x")
    code, out = _diskshadow(model, CREATE + ["expose %VSS_SHADOW_1% " + MOUNT])
    assert code == 1 and "\t- Error text: E_INVALIDARG" in out


@pytest.mark.parametrize("lines, words", [
    (["frobnicate the volume"], "COMMAND ERROR: Unknown command: frobnicate"),
    (["set context sometimes"], "invalid context"),
    (["add volume C:\\Cluster Storage\\Volume1"], "invalid syntax"),   # a path with a space is two words
    (["add volume C:\\ClusterStorage\\Volume1 shadowstorage D:"], "unknown option"),
    (["add volume C:\\ClusterStorage\\Volume9"], "VSS_E_OBJECT_NOT_FOUND"),
    (["add volume C:\\ClusterStorage\\Volume2"], "VSS_E_VOLUME_NOT_SUPPORTED"),   # D2 is Offline
    (["create"], "VSS_E_BAD_STATE"),
    (["expose %NO_SUCH_ALIAS% C:\\x"], "is not set"),
    (["add volume C:\\ClusterStorage\\Volume1", "add volume C:\\ClusterStorage\\Volume1"], "already in the"),
    (["set context persistent nowriters", "writer verify System Writer", "add volume C:\\ClusterStorage\\Volume1",
      "create"], "is not included"),
    (["set context persistent", "writer verify No Such Writer", "add volume C:\\ClusterStorage\\Volume1", "create"],
     "is not included"),
    (["end backup"], "VSS_E_BAD_STATE"),
    (["list shadows"], "invalid syntax"),
    (["delete shadows id {00000000-0000-0000-0000-000000000009}"], "VSS_E_OBJECT_NOT_FOUND"),
    (["unexpose C:\\ProgramData\\m1"], "VSS_E_OBJECT_NOT_FOUND"),
])
def test_documented_errors_stop_the_script_diskshadow_style(lines, words):
    model = _model()
    code, out = _diskshadow(model, lines + ["add volume C:\\ClusterStorage\\Volume1", "create"])
    assert code == 1 and any(words in line for line in out), out
    assert model.snapshots == []  # DiskShadow quits at the first failure: nothing after it ran


@pytest.mark.parametrize("lines, words", [
    (["exec C:\\backup.cmd"], "the DiskShadow command exec"),
    (["load metadata C:\\m.cab"], "the DiskShadow command load"),
    (["begin restore"], "the DiskShadow command begin restore"),
    (["set option transportable"], "set option"),
    (["set metadata C:\\m.cab"], "set metadata"),
    (['add volume "C:\\ClusterStorage\\Volume1"'], "double quote"),
    (["add volume C:"], "the lab models the CSVs only"),
    (["set context persistent", "add volume C:\\ClusterStorage\\Volume1", "create", "expose %VSS_SHADOW_1% P:"],
     "mounted folders only"),
    (["# Sauvegarde ünïcødé"], "other than ASCII"),
])
def test_documented_but_not_modelled_is_refused(lines, words):
    stderr = _refused(_model(), lines)
    assert "not modelled" in stderr and words in stderr, stderr


def test_interactive_mode_and_other_switches_are_not_modelled():
    model = _model()
    for invocation in ("& diskshadow.exe", "& diskshadow.exe /l C:\\log.txt /s C:\\x.txt"):
        result = _ps(model, invocation)
        assert result.exit_code != 0 and "only script mode" in result.stderr


def test_a_missing_script_file_fails():
    model = _model()
    result = _ps(model, "$o = @(& diskshadow.exe /s 'C:\\nothing.dsh'); [string]$LASTEXITCODE + ' ' + ($o -join '|')")
    assert result.stdout.strip() == "1 The script file C:\\nothing.dsh could not be opened."


def test_begin_and_end_backup_make_a_full_backup_and_issue_backup_complete():
    model = _model()
    code, dummy = _diskshadow(model, ["set context persistent", "begin backup", "add volume C:\\ClusterStorage\\Volume1",
                                      "create", "end backup"])
    assert code == 0 and model.snapshots[0]["backup_type"] == "full"
    (done,) = [e for e in model.events() if e["op"] == "diskshadow.backup_complete"]
    assert done["args"]["shadows"] == [model.snapshots[0]["id"]]


def test_aliases_list_providers_writers_and_delete_shadows_set():
    model = _model(hardware=True)
    code, out = _diskshadow(model, ["set context persistent", "add volume C:\\ClusterStorage\\Volume1 alias mine",
                                    "create", "add alias again %mine%", "list shadows id %again%", "list providers",
                                    "list writers"])
    assert code == 0
    snap = model.snapshots[0]
    assert "* Shadow Copy ID = %s" % snap["id"].lower() in out and "%mine%" in out and "%again%" in out
    assert "* ProviderID: {b5946137-7b9f-4925-af80-51abd60b20d5}" in out and "2 providers registered." in out
    assert "        Type: [3] VSS_PROV_HARDWARE" in out
    assert any("Cluster Shared Volume VSS Writer" in line for line in out)
    assert _diskshadow(model, ["delete shadows set " + snap["set_id"]])[0] == 0 and model.snapshots == []
