"""Shared fixtures for the PowerShell engine tests (no tests here).

A small reference (four FailoverClusters cmdlets with their documented
signatures from the shared cmdlets.json, and an enum in a temp dir) and a
fake CmdletTable that records every call, so binding can be observed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LAB = Path(__file__).resolve().parents[1]
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))

from wsfc_lab.pwsh import run_script  # noqa: E402
from wsfc_lab.pwsh.cmdlet import CmdletTable, PSError  # noqa: E402
from wsfc_lab.pwsh.host import Host  # noqa: E402
from wsfc_lab.pwsh.objects import PSEnum, PSObject  # noqa: E402
from wsfc_lab import shared_reference  # noqa: E402
from wsfc_lab.reference import Reference  # noqa: E402

# The documented signatures of these cmdlets, taken from the shared cmdlets.json (so the engine tests bind
# against what Microsoft documents), and the lab's own data for them: an enum.
FIXTURE_CMDLETS = ("Get-ClusterNode", "Move-ClusterSharedVolume", "Suspend-ClusterNode", "Remove-Cluster")
FIXTURE_LAB = {
    "module": "FailoverClusters",
    "source": "test fixture",
    "cmdlets": {},
    "enums": {
        "Microsoft.FailoverClusters.PowerShell.ClusterNodeState": {
            "values": {"Up": 0, "Down": 1, "Paused": 2, "Joining": 3, "Unknown": -1}},
    },
}


def shared_subset(names) -> dict:
    """The shared cmdlets.json restricted to ``names`` (its common parameters kept)."""
    data = shared_reference.read(shared_reference.locate())
    return {**{k: v for k, v in data.items() if k != "cmdlets"},
            "cmdlets": {n: data["cmdlets"][n] for n in names}}


STATE = "Microsoft.FailoverClusters.PowerShell.ClusterNodeState"


def node_obj(name: str, state: str = "Up") -> PSObject:
    return PSObject("Microsoft.FailoverClusters.PowerShell.ClusterNode",
                    {"Name": name, "State": PSEnum(STATE, state, {"Up": 0, "Down": 1, "Paused": 2}[state]),
                     "Id": str(len(name))}, to_string=name)


class Recorder:
    """A fake cmdlet table; ``calls`` lists (cmdlet, params, input) per implementation call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, object]] = []
        self.table = CmdletTable()
        nodes = [node_obj("NODE1"), node_obj("NODE2", "Paused")]

        @self.table.register("Get-ClusterNode")
        def get_cluster_node(ctx, params, input_object):
            self.calls.append(("Get-ClusterNode", dict(params), input_object))
            names = [n.lower() for n in params.get("Name") or []]
            found = [n for n in nodes if not names or str(n).lower() in names]
            for name in names:
                if name not in [str(n).lower() for n in nodes]:
                    ctx.write_error(PSError(f"The cluster node '{name}' was not found.", "ObjectNotFound",
                                            "Get-ClusterNode", target=name))
            return found

        @self.table.register("Move-ClusterSharedVolume")
        def move_csv(ctx, params, input_object):
            # -Name and -Node are documented as String (a single CSV, a single node)
            self.calls.append(("Move-ClusterSharedVolume", dict(params), input_object))
            if params.get("Node") == "BAD":
                raise PSError("The node BAD is not a possible owner.", "InvalidOperation",
                              "Move-ClusterSharedVolume")
            return [PSObject("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume",
                             {"Name": params.get("Name") or "?", "OwnerNode": params.get("Node") or "?"},
                             to_string=params.get("Name") or "?")]

        @self.table.register("Suspend-ClusterNode")
        def suspend(ctx, params, input_object):
            self.calls.append(("Suspend-ClusterNode", dict(params), input_object))
            if not ctx.should_process(str(input_object or params.get("Name")), "Suspend"):
                return []
            return [input_object] if input_object is not None else []


def fixture_reference(tmp_path: Path) -> Reference:
    d = tmp_path / "ref"
    d.mkdir(exist_ok=True)
    (d / "FailoverClusters.json").write_text(json.dumps(FIXTURE_LAB), encoding="utf-8")
    return Reference.load([d], shared_subset(FIXTURE_CMDLETS))


def make_host(tmp_path: Path | None = None, recorder: Recorder | None = None, events: list | None = None) -> Host:
    ref = fixture_reference(tmp_path) if tmp_path is not None else Reference()
    rec = recorder or Recorder()
    return Host(node="NODE1", cmdlets=rec.table, reference=ref, env={"COMPUTERNAME": "NODE1"},
                on_event=(events.append if events is not None else None))


def run(source: str, host: Host | None = None):
    return run_script(source, host or Host(node="NODE1", env={"COMPUTERNAME": "NODE1"}))
