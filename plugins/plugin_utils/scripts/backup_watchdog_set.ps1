# backup_watchdog_set: arm (or update) the watchdog of this run: its run record, its script and its clustered task.
# Arguments: lock, nonce, record, script, sddl, task, interval_s, time_limit_s
#   lock: the backup lock file this run holds (as backup_lock returned it); nonce: this run's nonce; record: the run
#   record as the controller built it (its digest says whether the one on the cluster is the same); script: the text
#   of the watchdog script; sddl: the descriptor of the lock's folder (owner Administrators, a protected DACL granting
#   full control to SYSTEM and Administrators only); task: the clustered task's name; interval_s: how often it runs;
#   time_limit_s: how long one of its runs may take.
# Only while the lock holds this nonce (else state lost or missing, and nothing is changed). The folder gets the
# explicit descriptor ([System.IO.Directory]::SetAccessControl, as the snapshot registry's): the task runs the script
# as SYSTEM, so only SYSTEM and Administrators may write it. The record (run-<nonce>.json, with created kept and
# updated set by this node's clock) and the script (watchdog-<nonce>.ps1) are written as a temporary file, then put
# in place with [System.IO.File]::Replace (File.Move when there is none), each only when it differs. The task is
# registered when Get-ClusteredScheduledTask does not find it: its action runs powershell.exe -File on the script,
# its trigger fires once interval_s from now and then every interval_s (New-ScheduledTaskTrigger -Once -At
# -RepetitionInterval: with no -RepetitionDuration the repetition does not end), on all nodes (TaskType ClusterWide).
# Returns node, now, state (held, lost, missing), record_written, script_written, task_registered, before (the record's
#   text before), acl (the folder's owner and access SDDL now).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): New-ScheduledTaskAction, New-ScheduledTaskTrigger,
#   New-ScheduledTaskSettingsSet, Register-ClusteredScheduledTask, Get-ClusteredScheduledTask (ScheduledTasks.json);
#   Test-Path, Get-Content, Set-Content (Microsoft.PowerShell.Management.json); New-Object, ConvertFrom-Json,
#   ConvertTo-Json. .NET: System.Security.AccessControl.DirectorySecurity, System.IO.Directory (Get/SetAccessControl),
#   System.IO.File (Move, Replace), System.TimeSpan.FromSeconds.
$lock = [string]$WsfcArgs.lock
$nonce = [string]$WsfcArgs.nonce
if ($nonce -cnotmatch '^[0-9a-f]{32}$') { throw 'the nonce must be 32 hex digits' }
$folder = $lock.Substring(0, $lock.LastIndexOf('\'))
$out = [ordered]@{ node = $env:COMPUTERNAME; now = [DateTime]::UtcNow.ToString('o'); state = 'missing'; record_written = $false; script_written = $false; task_registered = $false; before = $null; acl = $null }
if (Test-Path -LiteralPath $lock -PathType Leaf) {
    $holder = ''
    try { $holder = [string]((Get-Content -LiteralPath $lock -Raw -Encoding UTF8) | ConvertFrom-Json).nonce } catch { $holder = '' }
    $out.state = 'lost'
    if ($holder -ceq $nonce) { $out.state = 'held' }
}
if ($out.state -eq 'held') {
    $security = New-Object System.Security.AccessControl.DirectorySecurity
    $security.SetSecurityDescriptorSddlForm([string]$WsfcArgs.sddl)
    [System.IO.Directory]::SetAccessControl($folder, $security)
    $out.acl = [System.IO.Directory]::GetAccessControl($folder).GetSecurityDescriptorSddlForm('Owner, Access')
    $recordPath = $folder + '\run-' + $nonce + '.json'
    $record = $WsfcArgs.record
    $created = $out.now
    $same = $false
    if (Test-Path -LiteralPath $recordPath -PathType Leaf) {
        $out.before = Get-Content -LiteralPath $recordPath -Raw -Encoding UTF8
        try {
            $existing = $out.before | ConvertFrom-Json
            if ([string]$existing.created -ne '') { $created = [string]$existing.created }
            $same = ([string]$existing.digest -ceq [string]$record.digest -and [string]$existing.state -eq 'active')
        }
        catch { $same = $false }
    }
    if (-not $same) {
        $record.created = $created
        $record.updated = $out.now
        $temp = $recordPath + '.' + $env:COMPUTERNAME + '.tmp'
        Set-Content -LiteralPath $temp -Value ($record | ConvertTo-Json -Depth 6 -Compress) -Encoding UTF8
        if (Test-Path -LiteralPath $recordPath -PathType Leaf) { [System.IO.File]::Replace($temp, $recordPath, $null) }
        else { [System.IO.File]::Move($temp, $recordPath) }
        $out.record_written = $true
    }
    $scriptPath = $folder + '\watchdog-' + $nonce + '.ps1'
    $text = [string]$WsfcArgs.script
    $current = $null
    if (Test-Path -LiteralPath $scriptPath -PathType Leaf) { $current = Get-Content -LiteralPath $scriptPath -Raw -Encoding UTF8 }
    if ($current -cne $text) {
        $temp = $scriptPath + '.' + $env:COMPUTERNAME + '.tmp'
        Set-Content -LiteralPath $temp -Value $text -Encoding UTF8 -NoNewline
        if ($null -ne $current) { [System.IO.File]::Replace($temp, $scriptPath, $null) }
        else { [System.IO.File]::Move($temp, $scriptPath) }
        $out.script_written = $true
    }
    $name = [string]$WsfcArgs.task
    if (@(Get-ClusteredScheduledTask -TaskName $name -ErrorAction SilentlyContinue).Count -eq 0) {
        $interval = [System.TimeSpan]::FromSeconds([int]$WsfcArgs.interval_s)
        $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $scriptPath + '"')
        $first = (Get-Date).Add($interval)
        $trigger = New-ScheduledTaskTrigger -Once -At $first -RepetitionInterval $interval
        $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([System.TimeSpan]::FromSeconds([int]$WsfcArgs.time_limit_s))
        Register-ClusteredScheduledTask -TaskName $name -TaskType ClusterWide -Action $action -Trigger $trigger -Settings $settings | Out-Null
        $out.task_registered = $true
    }
}
$out | ConvertTo-Json -Compress -Depth 3
