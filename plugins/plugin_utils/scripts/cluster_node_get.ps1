# cluster_node_get: one cluster node's state and drain status, and what it owns. Read-only.
# Arguments: name
#   name: the cluster node, or '' for the node this runs on ($env:COMPUTERNAME).
# Returns node (the node that answered), cluster, name, state (ClusterNodeState as text: Up, Down, Paused, Joining),
#   drain_status (the NodeDrainStatus common property as its documented number: 0 NotInitiated, 1 InProgress,
#   2 Completed, 3 Failed; CLUSTER_NODE_DRAIN_STATUS), csvs (the CSVs it coordinates) and roles (the groups it owns
#   that are not core groups).
# Cmdlets (FailoverClusters module; pages in shared/reference/cmdlets.json, properties in FailoverClusters.json):
#   Get-Cluster, Get-ClusterNode -Name, Get-ClusterSharedVolume (OwnerNode), Get-ClusterGroup (OwnerNode, IsCoreGroup).
$name = [string]$WsfcArgs.name
if ($name -eq '') { $name = $env:COMPUTERNAME }
$node = Get-ClusterNode -Name $name
$nodeName = [string]$node.Name
$csvs = @(Get-ClusterSharedVolume | Where-Object { ([string]$_.OwnerNode).ToLower() -eq $nodeName.ToLower() } | ForEach-Object { [string]$_.Name })
$roles = @(Get-ClusterGroup | Where-Object { -not $_.IsCoreGroup -and ([string]$_.OwnerNode).ToLower() -eq $nodeName.ToLower() } | ForEach-Object { [string]$_.Name })
[ordered]@{
    node = $env:COMPUTERNAME
    cluster = [string](Get-Cluster).Name
    name = $nodeName
    state = [string]$node.State
    drain_status = [int]$node.DrainStatus
    csvs = $csvs
    roles = $roles
} | ConvertTo-Json -Compress
