# backup_job_stop: stop a backup job if it runs, stop its tool's processes, unregister its scheduled task, and
# remove its log file.
# Arguments: name, task_path, log
#   log: the job's log file. Its path is in the command line of the job's cmd.exe (the task's action redirects the
#   tool's output to it, quoted), which finds the job's processes.
# Whether Stop-ScheduledTask also ends the processes the task's cmd.exe started (robocopy, wbadmin) is not
# documented, so they are stopped here: the job's cmd.exe is the Win32_Process whose CommandLine holds the quoted
# log path, its tool each process whose ParentProcessId is that cmd.exe's ProcessId and that was created no earlier
# (Win32_Process: "Process identifier numbers are reused ... You can use the CreationDate property to determine
# whether the specified parent was created after the process"). Stop-Process -Force ("without prompting for
# confirmation"; the processes run as the task's account). Afterwards the processes are read again: one still
# there is an error naming it, and the task is then left registered so that a later run can stop it.
# Cmdlets: Get-ScheduledTask, Stop-ScheduledTask, Unregister-ScheduledTask (lab/reference/ScheduledTasks.json);
# Get-CimInstance -ClassName Win32_Process (lab/reference/wmi.json: Name, ProcessId, ParentProcessId, CommandLine,
# CreationDate); Stop-Process -Id -Force, Test-Path, Remove-Item (lab/reference/Microsoft.PowerShell.Management.json).
$name = [string]$WsfcArgs.name
$taskPath = [string]$WsfcArgs.task_path
$log = [string]$WsfcArgs.log
$task = @(Get-ScheduledTask -TaskName $name -TaskPath $taskPath -ErrorAction SilentlyContinue)
$tree = @()
if ($log -ne '') {
    $quoted = '"' + $log + '"'
    $all = @(Get-CimInstance -ClassName Win32_Process)
    foreach ($shell in @($all | Where-Object { $_.Name -eq 'cmd.exe' -and ([string]$_.CommandLine).Contains($quoted) })) {
        $tree += $shell
        foreach ($child in @($all | Where-Object { $_.ParentProcessId -eq $shell.ProcessId -and $_.CreationDate -ge $shell.CreationDate })) {
            $tree += $child
        }
    }
}
$stopped = $false
$removed = $false
if ($task.Count -gt 0 -and [string]$task[0].State -eq 'Running') {
    Stop-ScheduledTask -TaskName $name -TaskPath $taskPath
    $stopped = $true
}
$ids = @($tree | ForEach-Object { [int]$_.ProcessId })
if ($ids.Count -gt 0) {
    # A process that ended meanwhile is no error: what matters is what is left afterwards.
    Stop-Process -Id $ids -Force -ErrorAction SilentlyContinue
}
$left = @(Get-CimInstance -ClassName Win32_Process | Where-Object { $ids -contains [int]$_.ProcessId })
if ($left.Count -gt 0) {
    $names = @($left | ForEach-Object { [string]$_.Name + ' (' + [string]$_.ProcessId + ')' }) -join ', '
    throw ('the processes of backup job ' + $taskPath + $name + ' on ' + $env:COMPUTERNAME + ' are still running after Stop-Process: ' + $names)
}
if ($task.Count -gt 0) {
    Unregister-ScheduledTask -TaskName $name -TaskPath $taskPath -Confirm:$false
    $removed = $true
}
$logRemoved = $false
if ($log -ne '' -and (Test-Path -LiteralPath $log -PathType Leaf)) {
    Remove-Item -LiteralPath $log -Force
    $logRemoved = $true
}
[ordered]@{
    node = $env:COMPUTERNAME
    stopped = $stopped
    removed = $removed
    processes_stopped = $ids.Count
    log_removed = $logRemoved
} | ConvertTo-Json -Compress
