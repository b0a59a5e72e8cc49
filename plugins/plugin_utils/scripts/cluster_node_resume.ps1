# cluster_node_resume: resume a paused cluster node.
# Arguments: name, failback
#   name: the cluster node; failback: NoFailback, Immediate or Policy (-Failback, the values its page accepts):
#   whether the roles drained from the node move back now, never, or as each group's failback policy says.
# Returns what cluster_node_get returns, read after the cmdlet.
# Cmdlets (FailoverClusters; pages in shared/reference/cmdlets.json): Resume-ClusterNode -Name -Failback;
#   Get-ClusterNode (State, DrainStatus); Get-Cluster; Get-ClusterSharedVolume; Get-ClusterGroup.
$name = [string]$WsfcArgs.name
Resume-ClusterNode -Name $name -Failback ([string]$WsfcArgs.failback) | Out-Null
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
