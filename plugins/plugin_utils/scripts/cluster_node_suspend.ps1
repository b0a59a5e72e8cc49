# cluster_node_suspend: pause a cluster node, optionally draining its clustered roles first.
# Arguments: name, drain, force_drain, target
#   name: the cluster node; drain: move its roles off before it is paused (-Drain); force_drain: a role that cannot
#   be moved is stopped and moved as a failed role, and the node is paused anyway (-ForceDrain, with -Drain);
#   target: the node its roles go to (-TargetNode), or '' for the cluster's own placement.
# Suspend-ClusterNode waits for the drain when -Wait is not given (its page: "If the Wait parameter is not
# specified, then the cmdlet waits for completion"). Pausing moves no CSV: "Groups that are owned by a paused node
# remain owned by the node" (PauseClusterNode, clusapi).
# Returns what cluster_node_get returns, read after the cmdlet.
# Cmdlets (FailoverClusters; pages in shared/reference/cmdlets.json): Suspend-ClusterNode -Name -Drain -ForceDrain
#   -TargetNode; Get-ClusterNode (State, DrainStatus); Get-Cluster; Get-ClusterSharedVolume; Get-ClusterGroup.
$name = [string]$WsfcArgs.name
$suspend = @{ Name = $name }
if ($WsfcArgs.drain) { $suspend.Drain = $true }
if ($WsfcArgs.drain -and $WsfcArgs.force_drain) { $suspend.ForceDrain = $true }
if ([string]$WsfcArgs.target -ne '') { $suspend.TargetNode = [string]$WsfcArgs.target }
Suspend-ClusterNode @suspend | Out-Null
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
