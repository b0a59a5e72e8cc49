# backup_job_stop: stop a backup job if it runs, unregister its scheduled task, and remove its log file.
# Arguments: name, task_path, log
#   log: the job's log file.
# Cmdlets: Get-ScheduledTask, Stop-ScheduledTask, Unregister-ScheduledTask (lab/reference/ScheduledTasks.json);
# Test-Path, Remove-Item (lab/reference/Microsoft.PowerShell.Management.json).
$task = @(Get-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path) -ErrorAction SilentlyContinue)
$stopped = $false
$removed = $false
if ($task.Count -gt 0) {
    if ([string]$task[0].State -eq 'Running') {
        Stop-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path)
        $stopped = $true
    }
    Unregister-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path) -Confirm:$false
    $removed = $true
}
$log = [string]$WsfcArgs.log
$logRemoved = $false
if ($log -ne '' -and (Test-Path -LiteralPath $log -PathType Leaf)) {
    Remove-Item -LiteralPath $log -Force
    $logRemoved = $true
}
[ordered]@{
    node = $env:COMPUTERNAME
    stopped = $stopped
    removed = $removed
    log_removed = $logRemoved
} | ConvertTo-Json -Compress
