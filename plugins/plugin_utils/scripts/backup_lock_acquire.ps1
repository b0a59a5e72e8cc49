# backup_lock_acquire: take the cluster-wide backup lock atomically, breaking a stale one when asked.
# Arguments: path, nonce, run_id, owner
#   path: the lock file, or '' for the cluster's lock location (see backup_lock_get.ps1): the CSV that the marker
#   <CSV>\.wsfc.csv\lock.home records; when no CSV has one, the first CSV by path, and the marker is written there
#   now (New-Item without -Force: of two first runs, one writes it; the other's error is ignored), so the location never moves again when CSVs
#   are added or renamed. A lock file found on another CSV is reported (elsewhere) and nothing is taken.
#   nonce: this run's random holder identity (32 hex digits), stored in the lock and in its heartbeat file
#   heartbeat-<nonce>.json next to it.
# Taking: New-Item -ItemType File without -Force opens the file with FileMode.CreateNew and fails when it exists
# (the New-Item page: -Force is what overwrites an existing file), so of two runs racing, from any nodes (a CSV is
# one namespace for the whole cluster), exactly one creates it.
# Breaking a stale lock is backup_lock_break.ps1.
# A failed create (the lock exists) is not an error: the holder is read and returned; a lock that vanished in between
# comes back with no text, and the controller says to run again.
# Returns node, cluster, now (this node's UTC clock), path, recorded, elsewhere, acquired,
#   text (the lock's content now), last_write (its LastWriteTimeUtc), heartbeat, heartbeat_written.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-Cluster, Get-ClusterSharedVolume (FailoverClusters.json); Test-Path,
#   Get-Content, Get-Item, New-Item -ItemType Directory/File (Microsoft.PowerShell.Management.json);
#   Sort-Object, Where-Object, ConvertTo-Json, ConvertFrom-Json
$path = [string]$WsfcArgs.path
$recorded = $false
$elsewhere = @()
$marker = $null
if ($path -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { ([string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName).TrimEnd('\') } | Sort-Object)
    if ($roots.Count -eq 0) {
        throw 'no Cluster Shared Volume to hold the backup lock; give the lock file with path'
    }
    $marked = @($roots | Where-Object { Test-Path -LiteralPath ($_ + '\.wsfc.csv\lock.home') -PathType Leaf })
    $root = $roots[0]
    if ($marked.Count -gt 0) {
        $root = $marked[0]
        $recorded = $true
    }
    else {
        $marker = $root + '\.wsfc.csv\lock.home'
    }
    $path = $root + '\.wsfc.csv\backup.lock'
    $elsewhere = @($roots | Where-Object { $_ -ne $root -and (Test-Path -LiteralPath ($_ + '\.wsfc.csv\backup.lock') -PathType Leaf) } | ForEach-Object { $_ + '\.wsfc.csv\backup.lock' })
}
$folder = $path.Substring(0, $path.LastIndexOf('\'))
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cnotmatch '^[0-9a-f]{32}$') { throw 'the nonce must be 32 hex digits' }
$cluster = [string](Get-Cluster).Name
$out = [ordered]@{
    node = $env:COMPUTERNAME
    cluster = $cluster
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    recorded = $recorded
    elsewhere = $elsewhere
    acquired = $false
    text = $null
    last_write = $null
    heartbeat = $null
    heartbeat_written = $null
}
New-Item -ItemType Directory -Path $folder -Force | Out-Null
if ($null -ne $marker -and $elsewhere.Count -eq 0) {
    New-Item -ItemType File -Path $marker -Value $cluster -ErrorAction SilentlyContinue | Out-Null
    $out.recorded = $true
}
if ($elsewhere.Count -eq 0) {
    $stamp = [DateTime]::UtcNow
    $record = [ordered]@{
        version = 2
        nonce = $nonce
        run_id = [string]$WsfcArgs.run_id
        owner = [string]$WsfcArgs.owner
        created = $stamp.ToString('s') + 'Z'
        node = $env:COMPUTERNAME
    } | ConvertTo-Json -Compress
    try {
        New-Item -ItemType File -Path $path -Value $record | Out-Null
        $out.acquired = $true
    }
    catch { }
    if ($out.acquired) {
        $beat = [ordered]@{ nonce = $nonce; time = $stamp.ToString('o'); node = $env:COMPUTERNAME } | ConvertTo-Json -Compress
        New-Item -ItemType File -Path ($folder + '\heartbeat-' + $nonce + '.json') -Value $beat -Force | Out-Null
        $out.text = $record
        $out.heartbeat = $beat
    }
}
if (-not $out.acquired -and (Test-Path -LiteralPath $path -PathType Leaf)) {
    $out.text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $out.last_write = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
    $holder = ''
    try { $holder = [string]($out.text | ConvertFrom-Json).nonce } catch { }
    $beatPath = $folder + '\heartbeat-' + $holder + '.json'
    if ($holder -cmatch '^[0-9a-f]{32}$' -and (Test-Path -LiteralPath $beatPath -PathType Leaf)) {
        $out.heartbeat = Get-Content -LiteralPath $beatPath -Raw -Encoding UTF8
        $out.heartbeat_written = (Get-Item -LiteralPath $beatPath).LastWriteTimeUtc.ToString('o')
    }
}
$out | ConvertTo-Json -Compress -Depth 3
