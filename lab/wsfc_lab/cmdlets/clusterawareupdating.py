"""ClusterAwareUpdating cmdlets, acting on the lab's cluster model.

The module is not in the shared cmdlets.json; its documented syntax comes from the lab's supplement
(``lab/reference/supplement/ClusterAwareUpdating.json``, read by :mod:`wsfc_lab.shared_reference`), its output
types from ``lab/reference/ClusterAwareUpdating.json``.
"""

from __future__ import annotations

from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError

NS = "Microsoft.ClusterAwareUpdating."
TABLE = CmdletTable()


# Get-CauRun "gets status information about an updating run currently in progress"; OUTPUTS
# Microsoft.ClusterAwareUpdating.CauRun and Microsoft.ClusterAwareUpdating.RunState (Get-CauRun,
# https://learn.microsoft.com/en-us/powershell/module/clusterawareupdating/get-caurun, windows-powershell-docs
# docset/winserver2022-ps/ClusterAwareUpdating/Get-CauRun.md at a82f13f3dd50379d0cf0e0b3dbe19b5b8c5a345d).
# - a run in progress: one CauRun with the example's properties RunId, RunStartTime, CurrentOrchestrator,
#   NodeStatusNotifications, NodeResults. The lab does not model the run's per-node progress, so the last two are
#   empty arrays (the page documents no type for their elements).
# - no run: the RunState value RunNotInProgress. The RunState enum has no page; that value is the one Microsoft's
#   Azure Local troubleshooting guide tells to expect from Get-CauRun when no run is in progress
#   (Azure/AzureLocal-Supportability, "ensure the return value is RunNotInProgress"). Its number is not
#   documented (the lab gives 0; ConvertTo-Json would print it).
# -ClusterName must name the lab's cluster (another cluster is not simulated); -Credential is accepted and not
# checked; -WaitForStart, -WaitForCompletion and -ShowClusterNodeState are not modelled.
@TABLE.register("Get-CauRun")
def get_cau_run(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    model: Cluster = ctx.host
    for name in ("WaitForStart", "WaitForCompletion", "ShowClusterNodeState"):
        if params.get(name):
            raise NotModelled(f"Get-CauRun -{name}")
    cluster = params.get("ClusterName")
    if cluster is not None and str(cluster).lower() not in (model.name.lower(), "."):
        raise NotModelled(f"Get-CauRun -ClusterName {cluster!r} (only the local cluster {model.name} is simulated)")
    doc = Documented(model.reference)
    run = model.cau_run()
    if run is None:
        return [doc.enum(NS + "RunState", "RunNotInProgress")]
    return [doc.make(NS + "CauRun", {
        "RunId": run["id"], "RunStartTime": run["start_time"], "CurrentOrchestrator": run["orchestrator"],
        "NodeStatusNotifications": [], "NodeResults": [],
    })]


__all__ = ["TABLE", "PSError"]
