# wsfc.csv backup watchdog: undo a backup run whose controller went away, from the cluster itself.
#
# wsfc.csv.backup_watchdog installs one copy of this script per run, as watchdog-<nonce>.ps1 next to the cluster's
# backup lock on a CSV (every node sees the same CSV namespace), in a folder whose ACL grants only SYSTEM and
# Administrators, and registers the clustered scheduled task "wsfc.csv watchdog <nonce>" (TaskType ClusterWide:
# "All cluster nodes", Register-ClusteredScheduledTask) that runs it every minute on every node. It takes no
# arguments: the run is the one its own file name names ($PSCommandPath), and what to undo is that run's record
# run-<nonce>.json beside it, which the controller wrote before it changed anything.
#
# A run whose lock is gone or held by another nonce is over: the watchdog then undoes nothing, marks the record ended
# and removes itself. The run is abandoned when its lock still holds its nonce and its heartbeat (heartbeat-<nonce>.json, refreshed by the controller at every poll) is
# older than the record's after_s by this node's clock, or says expired (the controller handed over on SIGTERM or
# SIGINT). The first node that sees it creates undoing-<nonce>.json (New-Item without -Force), and from then on every
# node undoes the run, whatever the heartbeat says. Then, on this node:
#   1. stop and remove the run's backup tasks (\wsfc.csv\csv-<run id>-*: Stop-ScheduledTask, then Stop-Process of the
#      job's cmd.exe and tool found in Win32_Process as backup_job_stop.ps1 finds them, Unregister-ScheduledTask, and
#      the job's log);
#   2. delete the shadow copies this node's registry (C:\ProgramData\wsfc.csv\snapshots.json) records with the run's
#      tag, each only when Win32_ShadowCopy still shows it on the recorded volume with the recorded creation time
#      (DiskShadow: unexpose, delete shadows id); others stay, and so does their entry;
#   3. write node-<nonce>-<NODE>.json with what it did.
# The node that then finds a file of every Up or Paused node claims the finish (claim-<nonce>.json, created with
# New-Item without -Force: of two nodes, one creates it; a claim older than ten minutes whose node is not Up any more
# is taken over) and: moves the run's CSVs back to their original owners (each only when it is not there and that
# owner is Up: Move-ClusterSharedVolume), releases the lock (renamed to a name of ours with File.Move, which fails
# when another renamer was first; deleted only when it holds this run's nonce, else moved back), writes what it did
# into the record (state undone, undo), removes the nodes' files, the claim, the heartbeat and itself, and
# unregisters the clustered task (Unregister-ClusteredScheduledTask: "removes a clustered scheduled task from all
# nodes"). Every step is idempotent: done twice, or while the controller comes back, it changes nothing more.
#
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-ClusterNode, Get-ClusterSharedVolume,
#   Move-ClusterSharedVolume (FailoverClusters.json); Get-ScheduledTask, Stop-ScheduledTask, Unregister-ScheduledTask,
#   Unregister-ClusteredScheduledTask (ScheduledTasks.json); Get-CimInstance -ClassName Win32_ShadowCopy, Win32_Process
#   (CimCmdlets.json); Stop-Process; Test-Path, Get-Content, Set-Content, New-Item, Remove-Item (Microsoft.PowerShell.Management.json);
#   ConvertFrom-Json, ConvertTo-Json, Where-Object, Select-Object. .NET: System.IO.File Move, Replace; System.IO.Path.GetFileNameWithoutExtension; System.DateTime.Parse.
#   Program: diskshadow.exe (windows-commands/diskshadow, unexpose, delete-shadows).
$ErrorActionPreference = 'Stop'
$folder = $PSScriptRoot
$leaf = [System.IO.Path]::GetFileNameWithoutExtension([string]$PSCommandPath)
if ($leaf -cnotmatch '^watchdog-([0-9a-f]{32})$') { exit 2 }
$nonce = $Matches[1]
$me = [string]$env:COMPUTERNAME
$recordPath = $folder + '\run-' + $nonce + '.json'
$beatPath = $folder + '\heartbeat-' + $nonce + '.json'
$claimPath = $folder + '\claim-' + $nonce + '.json'
$undoingPath = $folder + '\undoing-' + $nonce + '.json'
$nodePath = $folder + '\node-' + $nonce + '-' + $me + '.json'

function Write-Atomic([string]$Path, [string]$Text) {
    # A temporary file of this node, then File.Replace (File.Move when there is none): a reader sees the old text or
    # the new one, never half of it.
    $temp = $Path + '.' + $me + '.tmp'
    Set-Content -LiteralPath $temp -Value $Text -Encoding UTF8
    if (Test-Path -LiteralPath $Path -PathType Leaf) { [System.IO.File]::Replace($temp, $Path, $null) }
    else { [System.IO.File]::Move($temp, $Path) }
}

function Read-Json([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    try { return (Get-Content -LiteralPath $Path -Raw -Encoding UTF8) | ConvertFrom-Json } catch { return $null }
}

function Get-UtcTime($Text) {
    if ($null -eq $Text -or [string]$Text -eq '') { return $null }
    try { return ([DateTime]::Parse([string]$Text)).ToUniversalTime() } catch { return $null }
}

$record = Read-Json $recordPath
if ($null -eq $record -or [string]$record.nonce -cne $nonce) { exit 3 }
$now = [DateTime]::UtcNow
if ([string]$record.state -ne 'active') { exit 0 }
if (-not (Test-Path -LiteralPath $undoingPath -PathType Leaf)) {
    # A run whose lock is gone or another run's is over (it ended and could not disarm its watchdog, or a breaker
    # took its stale lock): nothing of it may be undone any more. The watchdog says so in the record and removes itself.
    $holder = Read-Json ([string]$record.lock)
    if ($null -eq $holder -or [string]$holder.nonce -cne $nonce) {
        $record.state = 'ended'
        $record.undo = [ordered]@{ by = $me; started = $now.ToString('o'); finished = $now.ToString('o'); nodes = @{}; moves = @(); lock = 'not this run''s'; errors = @() }
        Write-Atomic $recordPath ($record | ConvertTo-Json -Depth 6 -Compress)
        if (Test-Path -LiteralPath $PSCommandPath -PathType Leaf) { Remove-Item -LiteralPath $PSCommandPath }
        Unregister-ClusteredScheduledTask -TaskName ([string]$record.task)
        exit 0
    }
    # Is the run abandoned? The newer of the record's last update and the heartbeat is its last sign of life.
    $beat = Read-Json $beatPath
    $last = Get-UtcTime $record.updated
    $expired = $false
    if ($null -ne $beat -and [string]$beat.nonce -ceq $nonce) {
        if ([bool]$beat.expired) { $expired = $true }
        $seen = Get-UtcTime $beat.time
        if ($null -ne $seen -and ($null -eq $last -or $seen -gt $last)) { $last = $seen }
    }
    if (-not $expired) {
        if ($null -eq $last) { exit 0 }
        if (($now - $last).TotalSeconds -le [double]$record.after_s) { exit 0 }
    }
    # The decision, once for the whole cluster: from now on every node undoes the run, whatever the heartbeat says.
    $decided = [ordered]@{ node = $me; time = $now.ToString('o'); expired = $expired } | ConvertTo-Json -Compress
    New-Item -ItemType File -Path $undoingPath -Value $decided -ErrorAction SilentlyContinue | Out-Null
}
$runId = [string]$record.run_id
if ($runId -cnotmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$') { exit 4 }

# 1-3: this node's part, once (its file says it is done).
if ($null -eq (Read-Json $nodePath)) {
    $done = [ordered]@{ node = $me; time = $now.ToString('o'); tasks = @(); snapshots = @(); kept = @(); errors = @() }
    $prefix = 'csv-' + $runId + '-'
    $logDir = ([string]$record.log_dir).TrimEnd('\')
    foreach ($task in @(Get-ScheduledTask -TaskPath '\wsfc.csv\' -ErrorAction SilentlyContinue | Where-Object { ([string]$_.TaskName).StartsWith($prefix) })) {
        $name = [string]$task.TaskName
        try {
            # As backup_job_stop.ps1 does: whether Stop-ScheduledTask also ends what the task's cmd.exe started is not
            # documented, so the job's processes (its cmd.exe, found by the quoted log path in its command line, and
            # that cmd.exe's children created after it) are stopped too.
            $log = $logDir + '\' + $name + '.log'
            $quoted = '"' + $log + '"'
            $all = @(Get-CimInstance -ClassName Win32_Process)
            $ids = @()
            foreach ($shell in @($all | Where-Object { $_.Name -eq 'cmd.exe' -and ([string]$_.CommandLine).Contains($quoted) })) {
                $ids += [int]$shell.ProcessId
                foreach ($child in @($all | Where-Object { $_.ParentProcessId -eq $shell.ProcessId -and $_.CreationDate -ge $shell.CreationDate })) {
                    $ids += [int]$child.ProcessId
                }
            }
            if ([string]$task.State -eq 'Running') { Stop-ScheduledTask -TaskName $name -TaskPath '\wsfc.csv\' }
            if ($ids.Count -gt 0) { Stop-Process -Id $ids -Force -ErrorAction SilentlyContinue }
            $left = @(Get-CimInstance -ClassName Win32_Process | Where-Object { $ids -contains [int]$_.ProcessId })
            if ($left.Count -gt 0) { throw ('its processes are still running after Stop-Process') }
            Unregister-ScheduledTask -TaskName $name -TaskPath '\wsfc.csv\' -Confirm:$false
            if (Test-Path -LiteralPath $log -PathType Leaf) { Remove-Item -LiteralPath $log -Force }
            $done.tasks += $name
        }
        catch { $done.errors += ('task ' + $name + ': ' + $_.Exception.Message) }
    }
    $registryPath = 'C:\ProgramData\wsfc.csv\snapshots.json'
    $registry = Read-Json $registryPath
    if ($null -ne $registry) {
        $tag = 'wsfc.csv run ' + $runId
        $stay = @()
        foreach ($entry in @($registry.snapshots)) {
            if ($null -eq $entry) { continue }
            if ([string]$entry.tag -cne $tag) { $stay += $entry; continue }
            $id = [string]$entry.id
            if ($id -notmatch '^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$') { $stay += $entry; continue }
            $shadow = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $id } | Select-Object -First 1
            if ($null -eq $shadow) { $done.snapshots += $id; continue }
            $installed = ''
            if ($null -ne $shadow.InstallDate) { $installed = $shadow.InstallDate.ToUniversalTime().ToString('o') }
            $recorded = ([string]$entry.volume_name).TrimEnd('\')
            if (($recorded -ne '' -and ([string]$shadow.VolumeName).TrimEnd('\') -ne $recorded) -or
                ([string]$entry.created -ne '' -and $installed -ne '' -and [string]$entry.created -ne $installed)) {
                $done.kept += [ordered]@{ id = $id; why = 'not the shadow copy recorded (volume or creation time differs)' }
                $stay += $entry
                continue
            }
            $lines = @('# wsfc.csv watchdog: delete one shadow copy of an abandoned run')
            if ([string]$shadow.ExposedName -ne '') { $lines += ('unexpose ' + $id) }
            $lines += ('delete shadows id ' + $id)
            New-Item -ItemType Directory -Path 'C:\ProgramData\wsfc.csv\diskshadow' -Force | Out-Null
            $script = 'C:\ProgramData\wsfc.csv\diskshadow\' + $id.Trim('{}').ToLower() + '-watchdog.dsh'
            Set-Content -LiteralPath $script -Value $lines -Encoding ASCII
            $ErrorActionPreference = 'Continue'
            $output = @(& diskshadow.exe /s $script 2>&1 | ForEach-Object { [string]$_ })
            $code = $LASTEXITCODE
            $ErrorActionPreference = 'Stop'
            Remove-Item -LiteralPath $script
            $after = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $id } | Select-Object -First 1
            if ($code -ne 0 -or $null -ne $after) {
                $done.errors += ('snapshot ' + $id + ': DiskShadow exit code ' + $code + ': ' + ($output -join ' '))
                $stay += $entry
                continue
            }
            $done.snapshots += $id
            $exposed = [string]$entry.exposed_path
            if ($exposed -ne '' -and (Test-Path -LiteralPath $exposed)) { Remove-Item -LiteralPath $exposed }
        }
        Write-Atomic $registryPath ([ordered]@{ version = 2; snapshots = @($stay) } | ConvertTo-Json -Depth 4 -Compress)
    }
    Write-Atomic $nodePath ($done | ConvertTo-Json -Depth 4 -Compress)
}

# The finish: only once every Up or Paused node has done its part, and by one node.
$members = @(Get-ClusterNode | Where-Object { [string]$_.State -eq 'Up' -or [string]$_.State -eq 'Paused' })
$parts = [ordered]@{}
foreach ($member in $members) {
    $part = Read-Json ($folder + '\node-' + $nonce + '-' + [string]$member.Name + '.json')
    if ($null -eq $part) { exit 0 }
    $parts[[string]$member.Name] = $part
}
$claim = [ordered]@{ node = $me; time = $now.ToString('o') } | ConvertTo-Json -Compress
$claimed = $false
try {
    New-Item -ItemType File -Path $claimPath -Value $claim | Out-Null
    $claimed = $true
}
catch {
    $held = Read-Json $claimPath
    $since = $null
    if ($null -ne $held) { $since = Get-UtcTime $held.time }
    $holderUp = @($members | Where-Object { [string]$_.Name -eq [string]$held.node -and [string]$_.State -eq 'Up' }).Count -gt 0
    if ($null -ne $held -and -not $holderUp -and $null -ne $since -and ($now - $since).TotalSeconds -gt 600) {
        $aside = $claimPath + '.' + $me + '.old'
        try {
            [System.IO.File]::Move($claimPath, $aside)
            Remove-Item -LiteralPath $aside
            New-Item -ItemType File -Path $claimPath -Value $claim | Out-Null
            $claimed = $true
        }
        catch { }
    }
}
if (-not $claimed) { exit 0 }

$undo = [ordered]@{ by = $me; started = $now.ToString('o'); finished = $null; nodes = $parts; moves = @(); lock = 'missing'; errors = @() }
# Move the run's CSVs back: those it planned to read or move, each to its owner before the run, when it is not there.
$scope = @()
foreach ($move in @($record.moves)) { if ($null -ne $move) { $scope += [string]$move.csv } }
foreach ($read in @($record.csvs)) { if ($null -ne $read) { $scope += [string]$read } }
$up = @($members | Where-Object { [string]$_.State -eq 'Up' } | ForEach-Object { [string]$_.Name })
foreach ($csv in @(Get-ClusterSharedVolume)) {
    $name = [string]$csv.Name
    if ($scope -notcontains $name) { continue }
    $owner = [string]$record.owners.$name
    if ($owner -eq '' -or [string]$csv.OwnerNode -eq $owner) { continue }
    $step = [ordered]@{ csv = $name; from = [string]$csv.OwnerNode; to = $owner; ok = $false; error = $null }
    if ($up -notcontains $owner) {
        $step.error = $owner + ' is not Up'
    }
    else {
        try {
            Move-ClusterSharedVolume -Name $name -Node $owner -Wait 300 | Out-Null
            $step.ok = $true
        }
        catch { $step.error = $_.Exception.Message }
    }
    $undo.moves += $step
}
# Release the lock: rename it to a name of ours (one renamer wins), then delete it only when it is this run's.
$lockPath = [string]$record.lock
if ($lockPath -ne '' -and (Test-Path -LiteralPath $lockPath -PathType Leaf)) {
    $mine = $lockPath + '.' + $nonce + '.watchdog'
    try {
        [System.IO.File]::Move($lockPath, $mine)
        $held = Read-Json $mine
        if ($null -ne $held -and [string]$held.nonce -ceq $nonce) {
            Remove-Item -LiteralPath $mine
            $undo.lock = 'released'
        }
        else {
            [System.IO.File]::Move($mine, $lockPath)
            $undo.lock = 'another run holds it'
        }
    }
    catch { $undo.errors += ('lock: ' + $_.Exception.Message) }
}
$undo.finished = [DateTime]::UtcNow.ToString('o')
$record.state = 'undone'
$record.undo = $undo
Write-Atomic $recordPath ($record | ConvertTo-Json -Depth 6 -Compress)
foreach ($member in $parts.Keys) {
    $part = $folder + '\node-' + $nonce + '-' + $member + '.json'
    if (Test-Path -LiteralPath $part -PathType Leaf) { Remove-Item -LiteralPath $part }
}
foreach ($path in @($beatPath, $claimPath, $undoingPath, $PSCommandPath)) {
    if (Test-Path -LiteralPath $path -PathType Leaf) { Remove-Item -LiteralPath $path }
}
Unregister-ClusteredScheduledTask -TaskName ([string]$record.task)
exit 0
