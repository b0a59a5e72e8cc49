# csv_owner_move: move a CSV's coordinator (the owner of its Physical Disk resource) to another node.
# Arguments: name, node, wait
#   name: the CSV resource name; node: the target node; wait: seconds Move-ClusterSharedVolume waits.
# Moving a CSV does not take it offline: its volumes stay reachable from every node while ownership changes.
# Cmdlet: Move-ClusterSharedVolume -Name -Node -Wait (page in shared/reference/cmdlets.json).
$moved = Move-ClusterSharedVolume -Name ([string]$WsfcArgs.name) -Node ([string]$WsfcArgs.node) -Wait ([int]$WsfcArgs.wait)
[ordered]@{
    node = $env:COMPUTERNAME
    name = [string]$moved.Name
    owner = [string]$moved.OwnerNode
    state = [string]$moved.State
} | ConvertTo-Json -Compress
