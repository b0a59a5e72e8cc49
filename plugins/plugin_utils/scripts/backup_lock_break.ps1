# backup_lock_break: break a stale backup lock and take it, acting only on the lock the controller judged stale.
# Arguments: path, nonce, run_id, owner, break_text, break_heartbeat
#   path: the lock file, as backup_lock_acquire returned it; nonce: this run's nonce (32 hex digits); run_id, owner:
#   what the new lock holds; break_text, break_heartbeat: the exact lock text and heartbeat text ('' or null: none)
#   the controller read and judged stale (no heartbeat for longer than stale_after).
# First a look: a lock whose text is no longer break_text (its holder released it and another run took it, or
# another breaker won) is left alone and returned, not even renamed. Then the lock is renamed to
# backup.lock.break-<nonce> with [System.IO.File]::Move, which fails when the source is not found (File.Move page:
# FileNotFoundException "sourceFileName was not found"; IOException when "destFileName already exists", so nothing
# is overwritten): of two breakers exactly one gets the file. Only while the renamed file is still break_text and its
# heartbeat file is still break_heartbeat (no heartbeat came in meanwhile; time only makes a stale lock staler) is it
# deleted with that heartbeat and the lock taken (New-Item -ItemType File without -Force: FileMode.CreateNew, one
# creator). Otherwise it is moved back (put_back: 'done', or the renamed file's path when another run took the lock's
# name in that instant; the holder's heartbeat then finds a foreign lock, and the controller reports both).
# Returns node, cluster, now, path, acquired, replaced, put_back, text (the lock's content now), last_write,
#   heartbeat, heartbeat_written.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-Cluster (FailoverClusters.json); Test-Path, Get-Content,
#   Get-Item, New-Item -ItemType File, Remove-Item (Microsoft.PowerShell.Management.json); ConvertFrom-Json,
#   ConvertTo-Json. .NET: System.IO.File.Move.
$path = [string]$WsfcArgs.path
$folder = $path.Substring(0, $path.LastIndexOf('\'))
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cnotmatch '^[0-9a-f]{32}$') { throw 'the nonce must be 32 hex digits' }
$out = [ordered]@{
    node = $env:COMPUTERNAME
    cluster = [string](Get-Cluster).Name
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    acquired = $false
    replaced = $false
    put_back = $null
    text = $null
    last_write = $null
    heartbeat = $null
    heartbeat_written = $null
}
$wanted = [string]$WsfcArgs.break_text
if ((Test-Path -LiteralPath $path -PathType Leaf) -and (Get-Content -LiteralPath $path -Raw -Encoding UTF8) -ceq $wanted) {
    $aside = $path + '.break-' + $nonce
    $moved = $false
    try {
        [System.IO.File]::Move($path, $aside)
        $moved = $true
    }
    catch {
        if (Test-Path -LiteralPath $path -PathType Leaf) { throw }
    }
    if ($moved) {
        $taken = Get-Content -LiteralPath $aside -Raw -Encoding UTF8
        $old = ''
        try { $old = [string]($taken | ConvertFrom-Json).nonce } catch { $old = '' }
        $oldBeat = ''
        $beatPath = $folder + '\heartbeat-' + $old + '.json'
        if ($old -cmatch '^[0-9a-f]{32}$' -and (Test-Path -LiteralPath $beatPath -PathType Leaf)) {
            $oldBeat = Get-Content -LiteralPath $beatPath -Raw -Encoding UTF8
        }
        if (($taken -ceq $wanted) -and ($oldBeat -ceq [string]$WsfcArgs.break_heartbeat)) {
            Remove-Item -LiteralPath $aside
            if ($oldBeat -ne '') { Remove-Item -LiteralPath $beatPath }
            $out.replaced = $true
        }
        else {
            $out.put_back = $aside
            try {
                [System.IO.File]::Move($aside, $path)
                $out.put_back = 'done'
            }
            catch { }
        }
    }
}
elseif (Test-Path -LiteralPath $path -PathType Leaf) {
    $out.put_back = 'untouched'
}
if ($null -eq $out.put_back) {
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
    try { $holder = [string]($out.text | ConvertFrom-Json).nonce } catch { $holder = '' }
    $beatPath = $folder + '\heartbeat-' + $holder + '.json'
    if ($holder -cmatch '^[0-9a-f]{32}$' -and (Test-Path -LiteralPath $beatPath -PathType Leaf)) {
        $out.heartbeat = Get-Content -LiteralPath $beatPath -Raw -Encoding UTF8
        $out.heartbeat_written = (Get-Item -LiteralPath $beatPath).LastWriteTimeUtc.ToString('o')
    }
}
$out | ConvertTo-Json -Compress -Depth 3
