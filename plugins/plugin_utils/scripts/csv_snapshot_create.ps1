# csv_snapshot_create: create a shadow copy of one CSV volume and record it in wsfc.csv's registry on this node.
# Arguments: volume, provider_id, registry, registry_dir, csv, tag, entries
#   volume: the CSV's mount point with a trailing backslash; provider_id: the provider the controller predicted, or
#   ''; entries: the registry's current entries.
# A failed create leaves nothing: a non-zero ReturnValue creates nothing; a shadow copy from another provider than
# predicted, or one whose registry entry cannot be written, is deleted again before the script reports.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments
#   (CimCmdlets.json; Create's Volume/Context and return codes in wmi.json), Get-CimInstance, Remove-CimInstance;
#   New-Item -ItemType Directory, Set-Content (Microsoft.PowerShell.Management.json).
$result = Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments @{ Volume = [string]$WsfcArgs.volume; Context = 'ClientAccessible' }
$code = [int]$result.ReturnValue
$out = [ordered]@{
    node = $env:COMPUTERNAME
    return_code = $code
    shadow = $null
    removed = $false
    reason = $null
}
if ($code -eq 0) {
    $shadowId = [string]$result.ShadowID
    $shadow = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $shadowId } | Select-Object -First 1
    if ($null -eq $shadow) {
        $out.reason = 'created shadow copy ' + $shadowId + ' is not visible on this node'
    }
    else {
        $installed = $null
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
        }
        $expected = [string]$WsfcArgs.provider_id
        if ($expected -ne '' -and [string]$shadow.ProviderID -ne $expected) {
            Remove-CimInstance -InputObject $shadow
            $out.removed = $true
            $out.reason = 'VSS used provider ' + [string]$shadow.ProviderID + ', not ' + $expected
        }
        else {
            try {
                $entry = [ordered]@{
                    id = [string]$shadow.ID
                    csv = [string]$WsfcArgs.csv
                    volume = [string]$WsfcArgs.volume
                    tag = [string]$WsfcArgs.tag
                    provider_id = [string]$shadow.ProviderID
                    device_object = [string]$shadow.DeviceObject
                    created = $installed
                }
                $registry = [ordered]@{ version = 1; snapshots = @(@($WsfcArgs.entries) + @($entry)) }
                New-Item -ItemType Directory -Path ([string]$WsfcArgs.registry_dir) -Force | Out-Null
                Set-Content -LiteralPath ([string]$WsfcArgs.registry) -Value ($registry | ConvertTo-Json -Depth 4 -Compress) -Encoding UTF8
            }
            catch {
                Remove-CimInstance -InputObject $shadow
                $out.removed = $true
                $out.reason = 'the registry could not be written: ' + $_.Exception.Message
            }
        }
    }
}
$out | ConvertTo-Json -Depth 5 -Compress
