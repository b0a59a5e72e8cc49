# backup_job_start: register a backup job as a scheduled task running as the given account, and start it.
# The task runs detached from this WinRM session, as that account, so it reaches a network target with the
# account's own credentials (no second hop from this session).
# Arguments: name, task_path, execute, argument, user, password, log_dir
#   execute, argument: the action, built by the controller from data; password may be empty (well-known accounts
#   such as NT AUTHORITY\SYSTEM take none); log_dir: the folder of the job's log, created first, because cmd.exe
#   cannot redirect into a missing folder. The password is passed only to Register-ScheduledTask -Password and
#   never printed.
# Cmdlets: New-ScheduledTaskAction, Register-ScheduledTask, Start-ScheduledTask, Get-ScheduledTask
# (pages in shared/reference/cmdlets.json); New-Item -ItemType Directory -Force
# (lab/reference/Microsoft.PowerShell.Management.json).
$logDir = [string]$WsfcArgs.log_dir
if ($logDir -ne '') {
    $null = New-Item -ItemType Directory -Path $logDir -Force
}
$action = New-ScheduledTaskAction -Execute ([string]$WsfcArgs.execute) -Argument ([string]$WsfcArgs.argument)
$password = [string]$WsfcArgs.password
if ($password -ne '') {
    $null = Register-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path) -Action $action -User ([string]$WsfcArgs.user) -Password $password
}
else {
    $null = Register-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path) -Action $action -User ([string]$WsfcArgs.user)
}
$password = $null
Start-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path)
$task = Get-ScheduledTask -TaskName ([string]$WsfcArgs.name) -TaskPath ([string]$WsfcArgs.task_path)
[ordered]@{
    node = $env:COMPUTERNAME
    task_state = [string]$task.State
} | ConvertTo-Json -Compress
