# csv_snapshot_remove: delete shadow copies wsfc.csv created (DiskShadow unexpose, delete shadows id) and rewrite its
# registry on this node.
# Arguments: targets, keep, script_dir, registry
#   targets: the registry entries to delete, each with the DiskShadow lines that delete it (lines, lines_exposed: the
#   same with unexpose first), the volume names and creation time it must still have (volume_names, created) and
#   the script file to use (script); keep: the registry entries that remain whatever happens.
#   A shadow copy that no longer exists is reported as missing, never an error. One whose volume or creation time
#   is not the recorded one is left alone (mismatched) and its entry kept, as is the entry of one DiskShadow could
#   not delete (failed, with DiskShadow's output); the exposure folder of a deleted one is removed when it is there.
#   The registry is rewritten atomically: <registry>.tmp, then [System.IO.File]::Replace (File.Move when none).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-CimInstance -ClassName Win32_ShadowCopy
#   (CimCmdlets.json; wmi.json); New-Item, Set-Content, Remove-Item, Test-Path (Microsoft.PowerShell.Management.json).
#   Program: diskshadow.exe (windows-commands/diskshadow, delete-shadows, unexpose).
$removed = @()
$missing = @()
$mismatched = @()
$failed = @()
$stay = @()
New-Item -ItemType Directory -Path ([string]$WsfcArgs.script_dir) -Force | Out-Null
foreach ($target in @($WsfcArgs.targets)) {
    $wanted = [string]$target.entry.id
    $shadow = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $wanted } | Select-Object -First 1
    if ($null -eq $shadow) {
        $missing += $wanted
        continue
    }
    $installed = $null
    if ($null -ne $shadow.InstallDate) { $installed = $shadow.InstallDate.ToUniversalTime().ToString('o') }
    $names = @($target.volume_names | ForEach-Object { ([string]$_).TrimEnd('\') })
    $volume = ([string]$shadow.VolumeName).TrimEnd('\')
    $created = [string]$target.created
    if (($names.Count -gt 0 -and $names -notcontains $volume) -or ($created -ne '' -and $null -ne $installed -and $created -ne $installed)) {
        $mismatched += [ordered]@{ id = $wanted; volume_name = [string]$shadow.VolumeName; created = $installed }
        $stay += $target.entry
        continue
    }
    $lines = @($target.lines)
    if ([string]$shadow.ExposedName -ne '') { $lines = @($target.lines_exposed) }
    Set-Content -LiteralPath ([string]$target.script) -Value $lines -Encoding ASCII
    $ErrorActionPreference = 'Continue'
    $output = @(& diskshadow.exe /s ([string]$target.script) 2>&1 | ForEach-Object { [string]$_ })
    $code = $LASTEXITCODE
    $ErrorActionPreference = 'Stop'
    Remove-Item -LiteralPath ([string]$target.script)
    $after = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $wanted } | Select-Object -First 1
    if ($code -ne 0 -or $null -ne $after) {
        $failed += [ordered]@{ id = $wanted; exit_code = $code; output = $output }
        $stay += $target.entry
        continue
    }
    $removed += $wanted
    $folder = [string]$target.entry.exposed_path
    if ($folder -ne '' -and (Test-Path -LiteralPath $folder)) { Remove-Item -LiteralPath $folder }
}
$registry = [ordered]@{ version = 2; snapshots = @(@($WsfcArgs.keep) + @($stay)) }
$file = [string]$WsfcArgs.registry
Set-Content -LiteralPath ($file + '.tmp') -Value ($registry | ConvertTo-Json -Depth 4 -Compress) -Encoding UTF8
if (Test-Path -LiteralPath $file) { [System.IO.File]::Replace($file + '.tmp', $file, $null) } else { [System.IO.File]::Move($file + '.tmp', $file) }
[ordered]@{ node = $env:COMPUTERNAME; removed = $removed; missing = $missing; mismatched = $mismatched; failed = $failed } | ConvertTo-Json -Depth 4 -Compress
