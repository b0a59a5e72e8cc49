# cluster_info: the cluster, its nodes and its Cluster Shared Volumes, in one round trip.
# Arguments: none
# Runs inside the wrapper of plugin_utils/powershell.py ($WsfcArgs, try/catch, $ErrorActionPreference = 'Stop').
# Cmdlets (FailoverClusters module; cmdlet pages in shared/reference/cmdlets.json):
#   Get-Cluster, Get-ClusterNode, Get-ClusterSharedVolume, Get-ClusterSharedVolumeState,
#   Get-ClusterResource, Get-ClusterParameter.
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
        access = $access
        vms = $vms
    }
})
[ordered]@{
    cluster = [ordered]@{ name = [string]$cluster.Name }
    node = $env:COMPUTERNAME
    nodes = $nodes
    csvs = $csvs
} | ConvertTo-Json -Depth 6 -Compress
