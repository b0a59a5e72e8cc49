# backup_watchdog_expire: hand this run over to its watchdog now (the controller is being stopped: SIGTERM, SIGINT).
# Arguments: lock, nonce
#   lock: the backup lock file this run holds; nonce: the run's nonce.
# Only while the lock holds this nonce: heartbeat-<nonce>.json is rewritten with expired set (a temporary file, then
# [System.IO.File]::Replace, File.Move when there is none), so the watchdog's next run on any node undoes the run
# without waiting for the heartbeat to age.
# Returns node, now, state (held: handed over; lost: another nonce holds the lock; missing).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Test-Path, Get-Content, Set-Content
#   (Microsoft.PowerShell.Management.json); ConvertFrom-Json, ConvertTo-Json. .NET: System.IO.File.Replace, Move.
$lock = [string]$WsfcArgs.lock
$nonce = [string]$WsfcArgs.nonce
$out = [ordered]@{ node = $env:COMPUTERNAME; now = [DateTime]::UtcNow.ToString('o'); state = 'missing' }
if (Test-Path -LiteralPath $lock -PathType Leaf) {
    $holder = ''
    try { $holder = [string]((Get-Content -LiteralPath $lock -Raw -Encoding UTF8) | ConvertFrom-Json).nonce } catch { $holder = '' }
    $out.state = 'lost'
    if ($nonce -cmatch '^[0-9a-f]{32}$' -and $holder -ceq $nonce) {
        $beat = $lock.Substring(0, $lock.LastIndexOf('\')) + '\heartbeat-' + $nonce + '.json'
        $temp = $beat + '.' + $env:COMPUTERNAME + '.tmp'
        $text = [ordered]@{ nonce = $nonce; time = $out.now; node = $env:COMPUTERNAME; expired = $true } | ConvertTo-Json -Compress
        Set-Content -LiteralPath $temp -Value $text -Encoding UTF8
        if (Test-Path -LiteralPath $beat -PathType Leaf) { [System.IO.File]::Replace($temp, $beat, $null) }
        else { [System.IO.File]::Move($temp, $beat) }
        $out.state = 'held'
    }
}
$out | ConvertTo-Json -Compress
