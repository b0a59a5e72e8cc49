"""Hyper-V cmdlets over the lab's model: Get-VMSwitchTeam (Switch Embedded Teaming).

The shared cmdlets.json documents two cmdlets of the Hyper-V module, Get-VM and Get-VMSwitchTeam; the lab
implements Get-VMSwitchTeam. Get-VMSwitch and Get-VMNetworkAdapter -ManagementOS are not in the reference, so no
script may use them and the lab does not implement them. The output's properties are those of
``lab/reference/Hyper-V.json`` (Microsoft's own output on the Converged NIC page; the cmdlet's page lists none).

SET switches come from the topology (``nodes[].set_switches``); a node whose ``hyperv`` is false has no Hyper-V
module, so Get-VMSwitchTeam is not a command there (``Cluster.module_available``, CommandNotFoundException).
"""

from __future__ import annotations

from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError

TABLE = CmdletTable()
TEAM_TYPE = "Microsoft.HyperV.Powershell.VMSwitchTeam"


def _model(ctx: Any) -> Cluster:
    return ctx.host


def _team_object(ctx: Any, switch: str) -> Any:
    model = _model(ctx)
    state = model.set_switch_state(ctx.node, switch)
    nics = {n["name"]: n for n in model.node(ctx.node).nics}
    return Documented(ctx.host.reference).make(TEAM_TYPE, {
        "Name": switch, "Id": state["id"],
        # The members' interface descriptions, as the Converged NIC page shows them (the same text Get-NetAdapter
        # reports as each member's InterfaceDescription).
        "NetAdapterInterfaceDescription": [f"Lab Ethernet Adapter {nics[m]['index'] - 10}" for m in state["members"]],
        "TeamingMode": state["mode"], "LoadBalancingAlgorithm": state["lba"],
    }, to_string=switch)


@TABLE.register("Get-VMSwitchTeam")
def get_vm_switch_team(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Every SET switch of the node, or the one ``-Name`` names (the page: no wildcards).

    An unknown name writes an ObjectNotFound error; Microsoft documents neither that nor its text, so the
    wording is the lab's. ``-VMSwitch`` (needs Get-VMSwitch, not in the reference), ``-CimSession``,
    ``-ComputerName`` and ``-Credential`` are not modelled.
    """
    for unsupported in ("VMSwitch", "CimSession", "ComputerName", "Credential"):
        if params.get(unsupported) is not None:
            raise NotModelled(f"Get-VMSwitchTeam -{unsupported}")
    switches = sorted(_model(ctx).node(ctx.node).set_switches)
    name = params.get("Name")
    if name is None:
        return [_team_object(ctx, s) for s in switches]
    hits = [s for s in switches if s.lower() == str(name).lower()]
    if not hits:
        ctx.write_error(PSError(f"The virtual switch team '{name}' was not found.", category="ObjectNotFound",
                                error_id="ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVMSwitchTeam",
                                target=name))
    return [_team_object(ctx, s) for s in hits]
