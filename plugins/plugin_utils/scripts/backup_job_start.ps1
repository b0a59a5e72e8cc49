# backup_job_start: register a backup job as a scheduled task running as the given account, and start it.
# The task runs detached from this WinRM session, as that account, so it reaches a network target with the
# account's own credentials (no second hop from this session).
# Arguments: name, task_path, execute, argument, user, password, logon, time_limit_s, priority, log_dir
#   execute, argument: the action, built by the controller from data; logon: how the account logs on, chosen by
#   the controller (backup_jobs.task_logon): service_account (NT AUTHORITY\SYSTEM: a principal with -LogonType
#   ServiceAccount), gmsa (a group managed service account: a principal with -LogonType Password and no password)
#   or password (an account with a password: -User and -Password, the only parameter set of Register-ScheduledTask
#   that takes a password); password is empty unless logon is password. Every task runs with -RunLevel Highest
#   (with UAC on, a task otherwise runs with the filtered token, without the backup privilege robocopy /B and
#   wbadmin need: "Security Contexts for Tasks"). time_limit_s: the task's ExecutionTimeLimit in seconds (0: none,
#   PT0S); priority: the task's Priority (0-10). log_dir: the folder of the job's log, created first, because
#   cmd.exe cannot redirect into a missing folder. The password is passed only to Register-ScheduledTask
#   -Password and never printed.
# Cmdlets: New-ScheduledTaskAction, New-ScheduledTaskPrincipal (-UserId, -LogonType, -RunLevel),
# New-ScheduledTaskSettingsSet (-ExecutionTimeLimit, -Priority, -AllowStartIfOnBatteries,
# -DontStopIfGoingOnBatteries), Register-ScheduledTask, Start-ScheduledTask, Get-ScheduledTask (pages in
# shared/reference/cmdlets.json); New-Item -ItemType Directory -Force
# (lab/reference/Microsoft.PowerShell.Management.json); [TimeSpan]::FromSeconds.
$logDir = [string]$WsfcArgs.log_dir
if ($logDir -ne '') {
    $null = New-Item -ItemType Directory -Path $logDir -Force
}
$name = [string]$WsfcArgs.name
$taskPath = [string]$WsfcArgs.task_path
$user = [string]$WsfcArgs.user
$action = New-ScheduledTaskAction -Execute ([string]$WsfcArgs.execute) -Argument ([string]$WsfcArgs.argument)
$limit = [TimeSpan]::FromSeconds([double]$WsfcArgs.time_limit_s)
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit $limit -Priority ([int]$WsfcArgs.priority) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
$logon = [string]$WsfcArgs.logon
if ($logon -eq 'password') {
    $password = [string]$WsfcArgs.password
    $null = Register-ScheduledTask -TaskName $name -TaskPath $taskPath -Action $action -Settings $settings -User $user -Password $password -RunLevel Highest
    $password = $null
}
elseif ($logon -eq 'gmsa') {
    $principal = New-ScheduledTaskPrincipal -UserId $user -LogonType Password -RunLevel Highest
    $null = Register-ScheduledTask -TaskName $name -TaskPath $taskPath -Action $action -Settings $settings -Principal $principal
}
elseif ($logon -eq 'service_account') {
    $principal = New-ScheduledTaskPrincipal -UserId $user -LogonType ServiceAccount -RunLevel Highest
    $null = Register-ScheduledTask -TaskName $name -TaskPath $taskPath -Action $action -Settings $settings -Principal $principal
}
else {
    throw ('backup_job_start: unknown logon ' + $logon + ' (expected password, gmsa or service_account)')
}
Start-ScheduledTask -TaskName $name -TaskPath $taskPath
$task = Get-ScheduledTask -TaskName $name -TaskPath $taskPath
[ordered]@{
    node = $env:COMPUTERNAME
    task_state = [string]$task.State
} | ConvertTo-Json -Compress
