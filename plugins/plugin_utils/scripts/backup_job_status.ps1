# backup_job_status: a backup job (scheduled task) as it is now, and the CSV it backs up, in one round trip.
# Arguments ($WsfcArgs): name (task name), task_path (\wsfc.csv\), log (the job's log file), csv (CSV name; may be
# empty).
# Cmdlets: Get-ScheduledTask, Get-ScheduledTaskInfo (lab/reference/ScheduledTasks.json: MSFT_ScheduledTask
# TaskName/TaskPath/State, MSFT_TaskDynamicInfo LastRunTime/LastTaskResult); Get-ClusterSharedVolume
# (lab/reference/FailoverClusters.json).
$result = [ordered]@{
node = $env:COMPUTERNAME
exists = $false
task_state = $null
last_result = $null
last_run = $null
log = [string]$WsfcArgs.log
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
$result | ConvertTo-Json -Compress -Depth 4
