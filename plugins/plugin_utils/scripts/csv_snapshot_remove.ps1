# csv_snapshot_remove: delete shadow copies wsfc.csv created and rewrite its registry on this node.
# Arguments: ids, keep, registry, registry_dir
#   ids: the shadow copy IDs to delete (each must be in the registry); keep: the registry entries that remain.
#   An ID that no longer exists is reported as missing, never an error.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-CimInstance -ClassName Win32_ShadowCopy, Remove-CimInstance
#   (CimCmdlets.json; wmi.json notes a shadow copy is deleted by removing its instance); New-Item, Set-Content
#   (Microsoft.PowerShell.Management.json).
$removed = @()
$missing = @()
foreach ($id in @($WsfcArgs.ids)) {
    $wanted = [string]$id
    $shadow = Get-CimInstance -ClassName Win32_ShadowCopy | Where-Object { $_.ID -eq $wanted } | Select-Object -First 1
    if ($null -eq $shadow) {
        $missing += $wanted
    }
    else {
        Remove-CimInstance -InputObject $shadow
        $removed += $wanted
    }
}
$registry = [ordered]@{ version = 1; snapshots = @($WsfcArgs.keep) }
New-Item -ItemType Directory -Path ([string]$WsfcArgs.registry_dir) -Force | Out-Null
Set-Content -LiteralPath ([string]$WsfcArgs.registry) -Value ($registry | ConvertTo-Json -Depth 4 -Compress) -Encoding UTF8
[ordered]@{ node = $env:COMPUTERNAME; removed = $removed; missing = $missing } | ConvertTo-Json -Depth 3 -Compress
