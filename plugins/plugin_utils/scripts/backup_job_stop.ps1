# backup_job_stop: stop a backup job if it runs, and unregister its scheduled task.
# Arguments ($WsfcArgs): name, task_path.
# Cmdlets: Get-ScheduledTask, Stop-ScheduledTask, Unregister-ScheduledTask (lab/reference/ScheduledTasks.json).
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
[ordered]@{
node = $env:COMPUTERNAME
stopped = $stopped
removed = $removed
} | ConvertTo-Json -Compress
