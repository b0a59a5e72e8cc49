# csv_snapshot_create: take a shadow copy of one CSV volume with DiskShadow, exposed at wsfc.csv's folder, and
# record it in wsfc.csv's registry on this node.
# Arguments: csv, tag, mount, script_dir, script, lines, cleanup_script, provider_id, registry, entries
#   lines: the DiskShadow script, built by the controller from validated values (plugin_utils/diskshadow.py):
#   set context persistent, add volume <CSV mount point> [provider <id>], create, list shadows id %VSS_SHADOW_1%,
#   expose %VSS_SHADOW_1% <mount>\. mount: wsfc.csv's exposure folder for this CSV and tag (created here, empty);
#   script, cleanup_script: where the DiskShadow scripts are written (in script_dir) and removed after the run;
#   provider_id: the provider the script names, or '' (VSS chooses); entries: the registry's current entries.
#   The registry is written whole to <registry>.tmp, then put in place with [System.IO.File]::Replace (File.Move when
#   there is none yet), so a crash leaves the old registry or the new one, never half of one; its folder exists with
#   its own ACL (csv_snapshot_registry.ps1).
# A failed create leaves nothing: a shadow copy DiskShadow listed (its "Shadow Copy ID = {...}" line) but did not
# expose at mount, one from another provider than named, or one whose registry entry cannot be written, is deleted
# again (DiskShadow unexpose/delete shadows id) before the script reports, and the empty folder is removed.
# DiskShadow runs with $ErrorActionPreference Continue, so that what it writes to standard error comes back as text
# in output instead of stopping the script; its exit code is $LASTEXITCODE.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): New-Item -ItemType Directory, Set-Content, Remove-Item,
#   Test-Path (Microsoft.PowerShell.Management.json); Get-CimInstance -ClassName Win32_ShadowCopy (CimCmdlets.json;
#   ExposedName, NoWriters and the other properties in wmi.json). Program: diskshadow.exe (windows-commands/diskshadow).
$mount = [string]$WsfcArgs.mount
$out = [ordered]@{
    node = $env:COMPUTERNAME
    exit_code = $null
    output = @()
    shadow = $null
    created_ids = @()
    removed = @()
    reason = $null
}
New-Item -ItemType Directory -Path ([string]$WsfcArgs.script_dir) -Force | Out-Null
New-Item -ItemType Directory -Path $mount -Force | Out-Null
Set-Content -LiteralPath ([string]$WsfcArgs.script) -Value @($WsfcArgs.lines) -Encoding ASCII
$ErrorActionPreference = 'Continue'
$output = @(& diskshadow.exe /s ([string]$WsfcArgs.script) 2>&1 | ForEach-Object { [string]$_ })
$out.exit_code = $LASTEXITCODE
$ErrorActionPreference = 'Stop'
Remove-Item -LiteralPath ([string]$WsfcArgs.script)
$out.output = $output
$created = @($output | ForEach-Object { if ($_ -match 'Shadow Copy ID = (\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\})') { $Matches[1] } })
$out.created_ids = $created
$shadow = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { ([string]$_.ExposedName).TrimEnd('\') -eq $mount.TrimEnd('\') } | Select-Object -First 1
$installed = $null
if ($null -ne $shadow) {
    if ($null -ne $shadow.InstallDate) { $installed = $shadow.InstallDate.ToUniversalTime().ToString('o') }
    $out.shadow = [ordered]@{
        id = [string]$shadow.ID
        set_id = [string]$shadow.SetID
        device_object = [string]$shadow.DeviceObject
        volume_name = [string]$shadow.VolumeName
        provider_id = [string]$shadow.ProviderID
        originating_machine = [string]$shadow.OriginatingMachine
        service_machine = [string]$shadow.ServiceMachine
        install_date = $installed
        client_accessible = $shadow.ClientAccessible
        persistent = $shadow.Persistent
        no_writers = $shadow.NoWriters
        exposed_name = [string]$shadow.ExposedName
    }
    $expected = [string]$WsfcArgs.provider_id
    if ($expected -ne '' -and [string]$shadow.ProviderID -ne $expected) {
        $out.reason = 'VSS used provider ' + [string]$shadow.ProviderID + ', not ' + $expected
    }
    else {
        try {
            $entry = [ordered]@{
                id = [string]$shadow.ID
                csv = [string]$WsfcArgs.csv
                tag = [string]$WsfcArgs.tag
                volume_name = [string]$shadow.VolumeName
                provider_id = [string]$shadow.ProviderID
                exposed_path = $mount
                created = $installed
            }
            $registry = [ordered]@{ version = 2; snapshots = @(@($WsfcArgs.entries) + @($entry)) }
            $file = [string]$WsfcArgs.registry
            Set-Content -LiteralPath ($file + '.tmp') -Value ($registry | ConvertTo-Json -Depth 4 -Compress) -Encoding UTF8
            if (Test-Path -LiteralPath $file) { [IO.File]::Replace($file + '.tmp', $file, $null) } else { [IO.File]::Move($file + '.tmp', $file) }
        }
        catch {
            $out.reason = 'the registry could not be written: ' + $_.Exception.Message
        }
    }
}
elseif ($created.Count -gt 0) {
    $out.reason = 'DiskShadow created ' + ($created -join ', ') + ' but did not expose it at ' + $mount
}
if ($null -ne $out.reason -or $null -eq $shadow) {
    # Nothing of this run may stay: delete what it created (listed, or exposed at our folder), then the folder.
    $ids = @($created)
    if ($null -ne $shadow -and $ids -notcontains [string]$shadow.ID) { $ids += [string]$shadow.ID }
    foreach ($id in $ids) {
        $lines = @('delete shadows id ' + $id)
        if ($null -ne $shadow -and [string]$shadow.ID -eq $id) { $lines = @('unexpose ' + $id) + $lines }
        Set-Content -LiteralPath ([string]$WsfcArgs.cleanup_script) -Value $lines -Encoding ASCII
        $ErrorActionPreference = 'Continue'
        $cleanup = @(& diskshadow.exe /s ([string]$WsfcArgs.cleanup_script) 2>&1 | ForEach-Object { [string]$_ })
        $cleanupCode = $LASTEXITCODE
        $ErrorActionPreference = 'Stop'
        Remove-Item -LiteralPath ([string]$WsfcArgs.cleanup_script)
        if ($cleanupCode -eq 0) { $out.removed += $id }
        else { $out.output += $cleanup }
    }
    if (@($out.removed).Count -eq $ids.Count -and (Test-Path -LiteralPath $mount)) { Remove-Item -LiteralPath $mount }
}
$out | ConvertTo-Json -Depth 5 -Compress
