# backup_lock_heartbeat: refresh the heartbeat of this run's backup lock (the role does it between long steps; the
# backup queue does it in every status read, see backup_job_status.ps1).
# Arguments: path, nonce
#   path: the lock file (as backup_lock_acquire returned it); nonce: this run's nonce.
# Only while the lock holds this nonce: heartbeat-<nonce>.json next to it is written as a temporary file, then put in
# place with [System.IO.File]::Replace (File.Move when there is none yet), so a reader never sees half a heartbeat.
# Returns node, now, path, state (held: refreshed; lost: another nonce holds the lock; missing), text, heartbeat.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Test-Path, Get-Content, New-Item -ItemType File -Force
#   (Microsoft.PowerShell.Management.json); ConvertFrom-Json, ConvertTo-Json. .NET: System.IO.File.Replace, Move.
$path = [string]$WsfcArgs.path
$nonce = [string]$WsfcArgs.nonce
$out = [ordered]@{ node = $env:COMPUTERNAME; now = [DateTime]::UtcNow.ToString('o'); path = $path; state = 'missing'; text = $null; heartbeat = $null }
if (Test-Path -LiteralPath $path -PathType Leaf) {
    $out.text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $holder = ''
    try { $holder = [string]($out.text | ConvertFrom-Json).nonce } catch { $holder = '' }
    $out.state = 'lost'
    if ($nonce -cmatch '^[0-9a-f]{32}$' -and $holder -ceq $nonce) {
        $beat = $path.Substring(0, $path.LastIndexOf('\')) + '\heartbeat-' + $nonce + '.json'
        $temp = $beat + '.' + $env:COMPUTERNAME + '.tmp'
        $out.heartbeat = [ordered]@{ nonce = $nonce; time = [DateTime]::UtcNow.ToString('o'); node = $env:COMPUTERNAME } | ConvertTo-Json -Compress
        New-Item -ItemType File -Path $temp -Value $out.heartbeat -Force | Out-Null
        if (Test-Path -LiteralPath $beat -PathType Leaf) { [System.IO.File]::Replace($temp, $beat, $null) }
        else { [System.IO.File]::Move($temp, $beat) }
        $out.state = 'held'
    }
}
$out | ConvertTo-Json -Compress
