# cluster_info: the cluster, its nodes and its Cluster Shared Volumes, in one round trip.
# Arguments: none
# Runs inside the wrapper of plugin_utils/powershell.py ($WsfcArgs, try/catch, $ErrorActionPreference = 'Stop').
# Cmdlets (FailoverClusters module; cmdlet pages in shared/reference/cmdlets.json):
#   Get-Cluster, Get-ClusterNode, Get-ClusterSharedVolume, Get-ClusterSharedVolumeState,
#   Get-ClusterResource, Get-ClusterParameter, Get-ClusterFaultDomain;
#   ClusterAwareUpdating: Get-CauRun -ClusterName.
# Enum-typed properties are cast to [string]: Windows PowerShell 5.1's ConvertTo-Json writes enums as numbers.
$cluster = Get-Cluster
$nodes = @(Get-ClusterNode | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        state = [string]$_.State
        id = [string]$_.Id
    }
})
# One entry per CSV per node that is Up: how that node reaches the volume (State: Direct, File System Redirected,
# Block Redirected) and why (RedirectedIOReason), as the Get-ClusterSharedVolumeState page documents them.
# Grouped by CSV once (a hashtable), so each CSV finds its entries without scanning all CSVs x nodes of them.
$accessByCsv = @{}
foreach ($entry in @(Get-ClusterSharedVolumeState)) {
    $key = [string]$entry.Name
    if (-not $accessByCsv.ContainsKey($key)) { $accessByCsv[$key] = @() }
    $accessByCsv[$key] += ,([ordered]@{
        node = [string]$entry.Node
        state = [string]$entry.State
        reason = [string]$entry.RedirectedIOReason
    })
}
# Virtual machine roles keep their configuration under ConfigStoreRootPath; a VM is on the CSV that holds that path.
$vmRoots = @(Get-ClusterResource | Where-Object { $_.ResourceType -eq 'Virtual Machine Configuration' } | ForEach-Object {
    $root = Get-ClusterParameter -InputObject $_ -Name ConfigStoreRootPath
    [ordered]@{
        vm = [string]$_.OwnerGroup
        path = [string]$root.Value
    }
})
# Sites: the fault domains of type Site that hold each node (Get-ClusterFaultDomain, Windows Server 2016 and later;
# "Fault domain awareness", learn.microsoft.com/windows-server/failover-clustering/fault-domains). A node's
# fault domain names its parent (a rack, a chassis or a site); the site is the first Site up that chain. A cluster
# without sites gives no site.
$faultDomains = @(Get-ClusterFaultDomain | ForEach-Object {
    [ordered]@{ name = [string]$_.Name; type = [string]$_.Type; parent = [string]$_.ParentName }
})
# Cluster-Aware Updating: an updating run in progress pauses and restarts nodes, which moves CSVs. Get-CauRun gives a
# CauRun object (RunId, RunStartTime, CurrentOrchestrator) while a run is in progress and a RunState value when
# none is (OUTPUTS of the Get-CauRun page).
$cau = [ordered]@{ available = $true; run_id = $null; started = $null; orchestrator = $null; state = $null; error = $null }
try {
    $run = @(Get-CauRun -ClusterName ([string]$cluster.Name))
}
catch {
    # No ClusterAwareUpdating module on this node (it comes with the Failover Clustering Tools), or the run could
    # not be read: said as such, never taken as "no run".
    $cau.available = $false
    $cau.error = [string]$_.Exception.Message
    $run = @()
}
foreach ($item in @($run | Where-Object { $null -ne $_ })) {
    $text = [string]$item
    if ($text -eq 'RunNotInProgress') {
        $cau.state = $text
    }
    else {
        # A CauRun; any other RunState has no RunId either, and is kept as the state (the controller counts it as a
        # run: the RunState values are not documented).
        $cau.run_id = [string]$item.RunId
        $cau.started = [string]$item.RunStartTime
        $cau.orchestrator = [string]$item.CurrentOrchestrator
        if ($cau.run_id -eq '') { $cau.state = $text }
    }
}
$csvs = @(Get-ClusterSharedVolume | ForEach-Object {
    $csv = $_
    $info = @($csv.SharedVolumeInfo)[0]
    $path = [string]$info.FriendlyVolumeName
    $access = @()
    if ($accessByCsv.ContainsKey([string]$csv.Name)) { $access = @($accessByCsv[[string]$csv.Name]) }
    $vms = @($vmRoots | Where-Object { $_.path.ToLower().StartsWith(($path + '\').ToLower()) } | ForEach-Object { $_.vm })
    [ordered]@{
        name = [string]$csv.Name
        id = [string]$csv.Id
        owner = [string]$csv.OwnerNode
        state = [string]$csv.State
        path = $path
        size_bytes = [long]$info.Partition.Size
        free_bytes = [long]$info.Partition.FreeSpace
        file_system = [string]$info.Partition.FileSystem
        backup_state = [string]$info.BackupState
        access = $access
        vms = $vms
    }
})
[ordered]@{
    cluster = [ordered]@{ name = [string]$cluster.Name }
    node = $env:COMPUTERNAME
    nodes = $nodes
    csvs = $csvs
    fault_domains = $faultDomains
    cau = $cau
} | ConvertTo-Json -Depth 6 -Compress
