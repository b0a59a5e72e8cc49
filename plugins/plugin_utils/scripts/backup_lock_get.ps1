# backup_lock_get: read the cluster-wide backup lock (a JSON file on a CSV) and its heartbeat as this node sees them.
# Read-only.
# Arguments: path, nonce
#   path: the lock file, or '' for the cluster's lock location: <CSV>\.wsfc.csv\backup.lock on the CSV whose
#   <CSV>\.wsfc.csv\lock.home marker records it (written once by the first acquire), else on the first CSV by path
#   (where the first acquire will record it). nonce: this run's nonce, or '': also report an aside file of ours
#   (backup.lock.break-<nonce> or backup.lock.release-<nonce>) that a dropped connection may have left.
# Returns node, cluster, now (this node's UTC clock; the controller ages the lock with it, never with its own clock),
#   path, exists, text (the lock's content), last_write (its LastWriteTimeUtc, for a lock that is not valid JSON),
#   heartbeat (the content of heartbeat-<lock nonce>.json next to it, or null), heartbeat_written, recorded
#   (whether the location comes from the marker), elsewhere (lock files on other CSVs), aside, aside_text.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-Cluster, Get-ClusterSharedVolume (FailoverClusters.json; the path
#   from SharedVolumeInfo.FriendlyVolumeName); Test-Path, Get-Content, Get-Item (System.IO.FileInfo
#   LastWriteTimeUtc) (Microsoft.PowerShell.Management.json); Sort-Object, Where-Object, ConvertFrom-Json.
$path = [string]$WsfcArgs.path
$recorded = $false
$elsewhere = @()
if ($path -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { ([string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName).TrimEnd('\') } | Sort-Object)
    if ($roots.Count -eq 0) {
        throw ('there is no Cluster Shared Volume on ' + $env:COMPUTERNAME + ' to hold the backup lock; give the lock file with path')
    }
    $marked = @($roots | Where-Object { Test-Path -LiteralPath ($_ + '\.wsfc.csv\lock.home') -PathType Leaf })
    $root = $roots[0]
    if ($marked.Count -gt 0) {
        $root = $marked[0]
        $recorded = $true
    }
    $path = $root + '\.wsfc.csv\backup.lock'
    $elsewhere = @($roots | Where-Object { $_ -ne $root -and (Test-Path -LiteralPath ($_ + '\.wsfc.csv\backup.lock') -PathType Leaf) } | ForEach-Object { $_ + '\.wsfc.csv\backup.lock' })
}
$folder = $path.Substring(0, $path.LastIndexOf('\'))
$out = [ordered]@{
    node = $env:COMPUTERNAME
    cluster = [string](Get-Cluster).Name
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    exists = $false
    text = $null
    last_write = $null
    heartbeat = $null
    heartbeat_written = $null
    recorded = $recorded
    elsewhere = $elsewhere
    aside = $null
    aside_text = $null
}
if (Test-Path -LiteralPath $path -PathType Leaf) {
    $out.exists = $true
    $out.text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $out.last_write = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
    $holder = ''
    try { $holder = [string]($out.text | ConvertFrom-Json).nonce } catch { $holder = '' }
    if ($holder -cmatch '^[0-9a-f]{32}$') {
        $beat = $folder + '\heartbeat-' + $holder + '.json'
        if (Test-Path -LiteralPath $beat -PathType Leaf) {
            $out.heartbeat = Get-Content -LiteralPath $beat -Raw -Encoding UTF8
            $out.heartbeat_written = (Get-Item -LiteralPath $beat).LastWriteTimeUtc.ToString('o')
        }
    }
}
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cmatch '^[0-9a-f]{32}$') {
    foreach ($name in @('break', 'release')) {
        $aside = $path + '.' + $name + '-' + $nonce
        if (Test-Path -LiteralPath $aside -PathType Leaf) {
            $out.aside = $aside
            $out.aside_text = Get-Content -LiteralPath $aside -Raw -Encoding UTF8
        }
    }
}
$out | ConvertTo-Json -Compress -Depth 3
