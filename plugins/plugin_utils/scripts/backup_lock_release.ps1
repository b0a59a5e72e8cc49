# backup_lock_release: remove the cluster-wide backup lock, only when it is this run's (or with force).
# Arguments: path, nonce, run_id, force
#   path: the lock file, or '' for the cluster's lock location (the CSV its lock.home marker records, see
#   backup_lock_get.ps1); nonce: this run's nonce (32 hex digits; the renamed file is named after it); run_id: only
#   for a lock written by an older wsfc.csv (no nonce in it), which is this run's when its run_id is this one; force:
#   remove the lock whoever holds it.
# A lock that is not this run's at a first look is left alone (returned in text). Atomic: the lock is then renamed to backup.lock.release-<nonce> with [System.IO.File]::Move, which fails when the
# source is not found (File.Move page), so the file that is checked is the file that was taken, and nobody else
# acts on it meanwhile. This run's (or forced): the renamed file and its heartbeat file are deleted. Another run's:
# it is moved back (put_back 'done', or the renamed file's path when the lock's name was taken meanwhile).
# Returns node, now, path, removed, missing, put_back, text (the lock that was found), last_write.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-ClusterSharedVolume (FailoverClusters.json); Test-Path,
#   Get-Content, Get-Item, Remove-Item (Microsoft.PowerShell.Management.json); Sort-Object, Where-Object,
#   ConvertFrom-Json, ConvertTo-Json. .NET: System.IO.File.Move.
$path = [string]$WsfcArgs.path
if ($path -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { ([string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName).TrimEnd('\') } | Sort-Object)
    if ($roots.Count -eq 0) {
        throw ('there is no Cluster Shared Volume on ' + $env:COMPUTERNAME + ' to hold the backup lock; give the lock file with path')
    }
    $marked = @($roots | Where-Object { Test-Path -LiteralPath ($_ + '\.wsfc.csv\lock.home') -PathType Leaf })
    $root = $roots[0]
    if ($marked.Count -gt 0) { $root = $marked[0] }
    $path = $root + '\.wsfc.csv\backup.lock'
}
$folder = $path.Substring(0, $path.LastIndexOf('\'))
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cnotmatch '^[0-9a-f]{32}$') { throw 'the nonce must be 32 lower-case hexadecimal digits' }
$out = [ordered]@{
    node = $env:COMPUTERNAME
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    removed = $false
    missing = $false
    put_back = $null
    text = $null
    last_write = $null
}
$aside = $path + '.release-' + $nonce
$moved = $false
$looked = $false
if (Test-Path -LiteralPath $path -PathType Leaf) {
    # A first look, so that another run's lock is not even renamed (which would leave its name free for an instant).
    $out.text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $out.last_write = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
    $seen = ''
    $seenRun = ''
    try { $seen = [string]($out.text | ConvertFrom-Json).nonce } catch { $seen = '' }
    if ($seen -eq '') {
        try { $seenRun = [string]($out.text | ConvertFrom-Json).run_id } catch { $seenRun = '' }
    }
    $looked = ($seen -ceq $nonce) -or [bool]$WsfcArgs.force -or ($seen -eq '' -and $seenRun -ne '' -and $seenRun -ceq [string]$WsfcArgs.run_id)
}
if ($looked) {
    try {
        [System.IO.File]::Move($path, $aside)
        $moved = $true
    }
    catch {
        if (Test-Path -LiteralPath $path -PathType Leaf) { throw }
    }
}
if (-not $moved) {
    $out.missing = -not (Test-Path -LiteralPath $path -PathType Leaf)
}
else {
    $out.text = Get-Content -LiteralPath $aside -Raw -Encoding UTF8
    $holder = ''
    $holderRun = ''
    try { $holder = [string]($out.text | ConvertFrom-Json).nonce } catch { $holder = '' }
    if ($holder -eq '') {
        try { $holderRun = [string]($out.text | ConvertFrom-Json).run_id } catch { $holderRun = '' }
    }
    $ours = ($holder -ceq $nonce) -or [bool]$WsfcArgs.force -or ($holder -eq '' -and $holderRun -ne '' -and $holderRun -ceq [string]$WsfcArgs.run_id)
    if ($ours) {
        Remove-Item -LiteralPath $aside
        if ($holder -cmatch '^[0-9a-f]{32}$') {
            $beat = $folder + '\heartbeat-' + $holder + '.json'
            if (Test-Path -LiteralPath $beat -PathType Leaf) { Remove-Item -LiteralPath $beat }
        }
        $out.removed = $true
    }
    else {
        try {
            [System.IO.File]::Move($aside, $path)
            $out.put_back = 'done'
        }
        catch {
            $out.put_back = $aside
        }
    }
}
$out | ConvertTo-Json -Compress
