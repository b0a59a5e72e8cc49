# backup_watchdog_get: read a run's record and watchdog on the cluster, as this node sees them. Read-only.
# Arguments: lock, nonce
#   lock: the backup lock file, or '' for the cluster's lock location (the CSV whose <CSV>\.wsfc.csv\lock.home marker
#   records it, as backup_lock_get.ps1 finds it); nonce: the run's nonce, or '' for the run whose nonce the lock holds
#   (none when there is no lock).
# Returns node, now, lock (the path), lock_nonce (the nonce the lock holds, or null), nonce (the run read), record (its
#   run-<nonce>.json text, or null), script (whether watchdog-<nonce>.ps1 exists), task (whether the clustered task
#   "wsfc.csv watchdog <nonce>" is registered), heartbeat (heartbeat-<nonce>.json text, or null).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-ClusterSharedVolume (FailoverClusters.json);
#   Get-ClusteredScheduledTask (ScheduledTasks.json); Test-Path, Get-Content (Microsoft.PowerShell.Management.json);
#   Sort-Object, Where-Object, ConvertFrom-Json, ConvertTo-Json.
$lock = [string]$WsfcArgs.lock
if ($lock -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { ([string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName).TrimEnd('\') } | Sort-Object)
    $marked = @($roots | Where-Object { Test-Path -LiteralPath ($_ + '\.wsfc.csv\lock.home') -PathType Leaf })
    if ($marked.Count -gt 0) { $lock = $marked[0] + '\.wsfc.csv\backup.lock' }
    elseif ($roots.Count -gt 0) { $lock = $roots[0] + '\.wsfc.csv\backup.lock' }
    else { throw ('there is no Cluster Shared Volume on ' + $env:COMPUTERNAME + ' that could hold the backup lock') }
}
$folder = $lock.Substring(0, $lock.LastIndexOf('\'))
$out = [ordered]@{ node = $env:COMPUTERNAME; now = [DateTime]::UtcNow.ToString('o'); lock = $lock; lock_nonce = $null; nonce = $null; record = $null; script = $false; task = $false; heartbeat = $null }
if (Test-Path -LiteralPath $lock -PathType Leaf) {
    try { $out.lock_nonce = [string]((Get-Content -LiteralPath $lock -Raw -Encoding UTF8) | ConvertFrom-Json).nonce } catch { $out.lock_nonce = $null }
}
$nonce = [string]$WsfcArgs.nonce
if ($nonce -eq '' -and $null -ne $out.lock_nonce) { $nonce = [string]$out.lock_nonce }
if ($nonce -cmatch '^[0-9a-f]{32}$') {
    $out.nonce = $nonce
    $recordPath = $folder + '\run-' + $nonce + '.json'
    if (Test-Path -LiteralPath $recordPath -PathType Leaf) { $out.record = Get-Content -LiteralPath $recordPath -Raw -Encoding UTF8 }
    $beat = $folder + '\heartbeat-' + $nonce + '.json'
    if (Test-Path -LiteralPath $beat -PathType Leaf) { $out.heartbeat = Get-Content -LiteralPath $beat -Raw -Encoding UTF8 }
    $out.script = Test-Path -LiteralPath ($folder + '\watchdog-' + $nonce + '.ps1') -PathType Leaf
    $out.task = @(Get-ClusteredScheduledTask -TaskName ('wsfc.csv watchdog ' + $nonce) -ErrorAction SilentlyContinue).Count -gt 0
}
$out | ConvertTo-Json -Compress
