# backup_watchdog_clear: disarm this run's watchdog at the end of the run (or after a restore).
# Arguments: lock, nonce
#   lock: the backup lock file; nonce: the run's nonce.
# The clustered task "wsfc.csv watchdog <nonce>" is unregistered when it exists (Unregister-ClusteredScheduledTask
# "removes a clustered scheduled task from all nodes of a failover cluster"), the script watchdog-<nonce>.ps1 and the
# watchdog's working files (undoing-, claim-, node-<nonce>-<NODE>.json) are removed. The run record is removed when it
# is still active (the run undid its own changes); one the watchdog wrote (state undone, or ended: it found the run
# over) is kept, for people to read, and returned. Nothing of another nonce is touched.
# Returns node, now, task (whether it was registered), script (whether it existed), record (its text before),
#   record_removed.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-ClusteredScheduledTask, Unregister-ClusteredScheduledTask
#   (ScheduledTasks.json); Get-ClusterNode (FailoverClusters.json); Test-Path, Get-Content, Remove-Item
#   (Microsoft.PowerShell.Management.json); ConvertFrom-Json, ConvertTo-Json.
$lock = [string]$WsfcArgs.lock
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cnotmatch '^[0-9a-f]{32}$') { throw 'the nonce must be 32 hex digits' }
$folder = $lock.Substring(0, $lock.LastIndexOf('\'))
$out = [ordered]@{ node = $env:COMPUTERNAME; now = [DateTime]::UtcNow.ToString('o'); task = $false; script = $false; record = $null; record_removed = $false }
$name = 'wsfc.csv watchdog ' + $nonce
if (@(Get-ClusteredScheduledTask -TaskName $name -ErrorAction SilentlyContinue).Count -gt 0) {
    Unregister-ClusteredScheduledTask -TaskName $name
    $out.task = $true
}
$files = @(($folder + '\watchdog-' + $nonce + '.ps1'), ($folder + '\undoing-' + $nonce + '.json'), ($folder + '\claim-' + $nonce + '.json'))
foreach ($member in @(Get-ClusterNode)) { $files += ($folder + '\node-' + $nonce + '-' + [string]$member.Name + '.json') }
foreach ($file in $files) {
    if (Test-Path -LiteralPath $file -PathType Leaf) {
        if ($file.EndsWith('.ps1')) { $out.script = $true }
        Remove-Item -LiteralPath $file
    }
}
$recordPath = $folder + '\run-' + $nonce + '.json'
if (Test-Path -LiteralPath $recordPath -PathType Leaf) {
    $out.record = Get-Content -LiteralPath $recordPath -Raw -Encoding UTF8
    $state = ''
    try { $state = [string]($out.record | ConvertFrom-Json).state } catch { $state = '' }
    if ($state -eq 'active') {
        Remove-Item -LiteralPath $recordPath
        $out.record_removed = $true
    }
}
$out | ConvertTo-Json -Compress
