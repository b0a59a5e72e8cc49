# backup_lock_get: read the cluster-wide backup lock (a JSON file on a CSV) as this node sees it. Read-only.
# Arguments: path
#   path: the lock file, or '' for the default: <first CSV path, ordered case-insensitively>\.wsfc.csv\backup.lock.
# Returns node, cluster, now (this node's UTC clock; the controller ages the lock with it, never with its own clock),
#   path, exists, text (the file's content), last_write (its LastWriteTimeUtc, for a lock that is not valid JSON).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-Cluster, Get-ClusterSharedVolume (FailoverClusters.json; the path
#   from SharedVolumeInfo.FriendlyVolumeName); Test-Path, Get-Content, Get-Item (System.IO.FileInfo
#   LastWriteTimeUtc) (Microsoft.PowerShell.Management.json); Sort-Object.
$path = [string]$WsfcArgs.path
if ($path -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { [string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName } | Sort-Object)
    if ($roots.Count -eq 0) {
        throw ('there is no Cluster Shared Volume on ' + $env:COMPUTERNAME + ' to hold the backup lock; give the lock file with path')
    }
    $path = $roots[0].TrimEnd('\') + '\.wsfc.csv\backup.lock'
}
$text = $null
$lastWrite = $null
$exists = Test-Path -LiteralPath $path -PathType Leaf
if ($exists) {
    $text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $lastWrite = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
}
[ordered]@{
    node = $env:COMPUTERNAME
    cluster = [string](Get-Cluster).Name
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    exists = $exists
    text = $text
    last_write = $lastWrite
} | ConvertTo-Json -Compress
