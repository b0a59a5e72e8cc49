# backup_job_status: a backup job (scheduled task) as it is now, and the CSV it backs up, in one round trip.
# Arguments: name, task_path, log, log_lines, csv, lock, lock_nonce
#   name: the task name; task_path: \wsfc.csv\; log: the job's log file; log_lines: how many lines of its end to
#   return (0: none); csv: the CSV name (may be empty); lock, lock_nonce: the run's backup lock file and nonce, or
#   '': while the lock holds that nonce, this read also refreshes the lock's heartbeat (heartbeat-<nonce>.json next
#   to it: a temporary file, then [System.IO.File]::Replace, or File.Move when there is none yet), so a poll costs
#   no extra round trip. lock_state: held (refreshed), lost (another nonce holds it), missing, or the error.
# Cmdlets: Get-ScheduledTask, Get-ScheduledTaskInfo (lab/reference/ScheduledTasks.json: MSFT_ScheduledTask
# TaskName/TaskPath/State, MSFT_TaskDynamicInfo LastRunTime/LastTaskResult); Get-ClusterSharedVolume
# (lab/reference/FailoverClusters.json); Test-Path, Get-Content -Tail ("gets the specified number of lines from the
# end of a file", Windows PowerShell 3.0 and later: the log is not read whole), Get-Item (System.IO.FileInfo
# LastWriteTimeUtc), New-Item -ItemType File -Force (lab/reference/Microsoft.PowerShell.Management.json);
# ConvertFrom-Json. .NET: System.IO.File.Replace, System.IO.File.Move (the heartbeat).
# The Task Scheduler documents no end time for a run (MSFT_TaskDynamicInfo has LastRunTime only), so log_written,
# the log file's last write time, is returned: the tool writes its log until it exits, and the controller uses it
# as the end time only once the job has finished. now is the node's clock, so the controller can tell how far it is
# from the other nodes' clocks (the times above are the node's).
$result = [ordered]@{
    node = $env:COMPUTERNAME
    now = [DateTime]::UtcNow.ToString('o')
    exists = $false
    task_state = $null
    last_result = $null
    last_run = $null
    log = [string]$WsfcArgs.log
    log_exists = $false
    log_tail = @()
    log_written = $null
    csv = $null
}
$wanted = [string]$WsfcArgs.csv
if ($wanted -ne '') {
    # Looked up among all CSVs (not with -Name, which fails on an unknown name): the controller words the refusal.
    foreach ($candidate in @(Get-ClusterSharedVolume)) {
        if ($candidate.Name -eq $wanted) {
            $result.csv = [ordered]@{
                name = [string]$candidate.Name
                owner = [string]$candidate.OwnerNode
                state = [string]$candidate.State
                path = [string]@($candidate.SharedVolumeInfo)[0].FriendlyVolumeName
            }
        }
    }
}
$task = @(Get-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path) -ErrorAction SilentlyContinue)
if ($task.Count -gt 0) {
    $info = Get-ScheduledTaskInfo -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path)
    $result.exists = $true
    $result.task_state = [string]$task[0].State
    $result.last_result = [long]$info.LastTaskResult
    if ($null -ne $info.LastRunTime) {
        $result.last_run = $info.LastRunTime.ToUniversalTime().ToString('o')
    }
}
$log = [string]$WsfcArgs.log
if (Test-Path -LiteralPath $log -PathType Leaf) {
    $result.log_exists = $true
    $item = Get-Item -LiteralPath $log -ErrorAction SilentlyContinue
    if ($null -ne $item) {
        $result.log_written = $item.LastWriteTimeUtc.ToString('o')
    }
    $lines = [int]$WsfcArgs.log_lines
    if ($lines -gt 0) {
        $result.log_tail = @(Get-Content -LiteralPath $log -Tail $lines -ErrorAction SilentlyContinue | ForEach-Object { [string]$_ })
    }
}
$result.lock_state = $null
$lockPath = [string]$WsfcArgs.lock
if ($lockPath -ne '') {
    try {
        $result.lock_state = 'missing'
        if (Test-Path -LiteralPath $lockPath -PathType Leaf) {
            $holder = ''
            try { $holder = [string]((Get-Content -LiteralPath $lockPath -Raw -Encoding UTF8) | ConvertFrom-Json).nonce } catch { $holder = '' }
            $nonce = [string]$WsfcArgs.lock_nonce
            if ($nonce -cnotmatch '^[0-9a-f]{32}$' -or $holder -cne $nonce) {
                $result.lock_state = 'lost'
            }
            else {
                $beat = $lockPath.Substring(0, $lockPath.LastIndexOf('\')) + '\heartbeat-' + $nonce + '.json'
                $temp = $beat + '.' + $env:COMPUTERNAME + '.tmp'
                $text = [ordered]@{ nonce = $nonce; time = [DateTime]::UtcNow.ToString('o'); node = $env:COMPUTERNAME } | ConvertTo-Json -Compress
                New-Item -ItemType File -Path $temp -Value $text -Force | Out-Null
                if (Test-Path -LiteralPath $beat -PathType Leaf) { [System.IO.File]::Replace($temp, $beat, $null) }
                else { [System.IO.File]::Move($temp, $beat) }
                $result.lock_state = 'held'
            }
        }
    }
    catch {
        $result.lock_state = 'error: ' + $_.Exception.Message
    }
}
$result | ConvertTo-Json -Compress -Depth 4
