# csv_owner_get: one CSV's coordinator, state, backup state and per-node access, and the state of every node, in one
# round trip.
# Arguments: name, path
#   name: the CSV resource name, or path: C:\ClusterStorage\VolumeN; either may be empty.
# Cmdlets (FailoverClusters; cmdlet pages in shared/reference/cmdlets.json):
#   Get-ClusterNode, Get-ClusterSharedVolume, Get-ClusterSharedVolumeState.
$nodes = @(Get-ClusterNode | ForEach-Object {
    [ordered]@{ name = [string]$_.Name; state = [string]$_.State }
})
# Look the CSV up among all of them (not with -Name, which fails on an unknown name): an unknown CSV is an
# answer here, and the controller words the refusal.
$wanted = [string]$WsfcArgs.name
$wantedPath = ([string]$WsfcArgs.path).TrimEnd('\')
$all = @(Get-ClusterSharedVolume)
$csv = $null
foreach ($candidate in $all) {
    $candidatePath = ([string]@($candidate.SharedVolumeInfo)[0].FriendlyVolumeName).TrimEnd('\')
    if (($wanted -ne '' -and $candidate.Name -eq $wanted) -or ($wantedPath -ne '' -and $candidatePath -eq $wantedPath)) {
        $csv = $candidate
        break
    }
}
$found = $null
if ($null -ne $csv) {
    $access = @(Get-ClusterSharedVolumeState -Name $csv.Name | ForEach-Object {
        [ordered]@{ node = [string]$_.Node; state = [string]$_.State; reason = [string]$_.RedirectedIOReason }
    })
    $found = [ordered]@{
        name = [string]$csv.Name
        owner = [string]$csv.OwnerNode
        state = [string]$csv.State
        path = [string]@($csv.SharedVolumeInfo)[0].FriendlyVolumeName
        backup_state = [string]@($csv.SharedVolumeInfo)[0].BackupState
        access = $access
    }
}
[ordered]@{
    node = $env:COMPUTERNAME
    nodes = $nodes
    csv = $found
    known = @($all | ForEach-Object { [string]$_.Name })
} | ConvertTo-Json -Depth 5 -Compress
