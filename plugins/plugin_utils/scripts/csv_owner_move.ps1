# csv_owner_move: move a CSV's coordinator (the owner of its Physical Disk resource) to another node.
# Arguments: name, node, wait, lock, lock_nonce
#   name: the CSV resource name; node: the target node; wait: seconds Move-ClusterSharedVolume waits.
#   lock, lock_nonce: the backup lock a run holds and its nonce, or '': the move is made only while the lock holds
#   that nonce, and the lock's heartbeat (heartbeat-<nonce>.json next to it) is refreshed first, in this round trip
#   (a temporary file, then [System.IO.File]::Replace; File.Move when there is none), so a run that moves many CSVs
#   one after another stays alive for its watchdog. lock_state: held, lost (another nonce holds it) or missing.
# Moving a CSV does not take it offline: its volumes stay reachable from every node while ownership changes.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Move-ClusterSharedVolume -Name -Node -Wait
#   (FailoverClusters.json); Test-Path, Get-Content, Set-Content (Microsoft.PowerShell.Management.json); ConvertFrom-Json,
#   ConvertTo-Json. .NET: System.IO.File.Replace, Move.
$out = [ordered]@{ node = $env:COMPUTERNAME; name = $null; owner = $null; state = $null; lock_state = $null }
$lock = [string]$WsfcArgs.lock
if ($lock -ne '') {
    $out.lock_state = 'missing'
    if (Test-Path -LiteralPath $lock -PathType Leaf) {
        $holder = ''
        try { $holder = [string]((Get-Content -LiteralPath $lock -Raw -Encoding UTF8) | ConvertFrom-Json).nonce } catch { $holder = '' }
        $nonce = [string]$WsfcArgs.lock_nonce
        $out.lock_state = 'lost'
        if ($nonce -cmatch '^[0-9a-f]{32}$' -and $holder -ceq $nonce) {
            $beat = $lock.Substring(0, $lock.LastIndexOf('\')) + '\heartbeat-' + $nonce + '.json'
            $temp = $beat + '.' + $env:COMPUTERNAME + '.tmp'
            $text = [ordered]@{ nonce = $nonce; time = [DateTime]::UtcNow.ToString('o'); node = $env:COMPUTERNAME } | ConvertTo-Json -Compress
            Set-Content -LiteralPath $temp -Value $text -Encoding UTF8
            if (Test-Path -LiteralPath $beat -PathType Leaf) { [System.IO.File]::Replace($temp, $beat, $null) }
            else { [System.IO.File]::Move($temp, $beat) }
            $out.lock_state = 'held'
        }
    }
}
if ($lock -eq '' -or $out.lock_state -eq 'held') {
    $moved = Move-ClusterSharedVolume -Name ([string]$WsfcArgs.name) -Node ([string]$WsfcArgs.node) -Wait ([int]$WsfcArgs.wait)
    $out.name = [string]$moved.Name
    $out.owner = [string]$moved.OwnerNode
    $out.state = [string]$moved.State
}
$out | ConvertTo-Json -Compress
