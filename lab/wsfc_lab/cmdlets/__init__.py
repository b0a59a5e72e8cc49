"""Model-backed cmdlets, one module per PowerShell module."""

from wsfc_lab.cmdlets import clusterawareupdating, failoverclusters, network
from wsfc_lab.cmdlets import clusteredtasks, scheduledtasks
from wsfc_lab.cmdlets import cim, hyperv, management
from wsfc_lab.pwsh.cmdlet import CmdletTable


def build_cmdlet_table() -> CmdletTable:
    """Every cmdlet the lab simulates, by name."""
    return (CmdletTable().merge(failoverclusters.TABLE).merge(network.TABLE).merge(scheduledtasks.TABLE)
            .merge(cim.TABLE).merge(management.TABLE).merge(clusterawareupdating.TABLE).merge(hyperv.TABLE)
            .merge(clusteredtasks.TABLE))
