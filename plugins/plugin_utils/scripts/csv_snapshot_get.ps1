# csv_snapshot_get: the CSVs, the VSS providers, the shadow copies this node sees and wsfc.csv's snapshot registry,
# in one round trip. Read-only.
# Arguments: registry
#   registry: the path of the registry file, e.g. C:\ProgramData\wsfc.csv\snapshots.json.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-ClusterSharedVolume, Get-ClusterSharedVolumeState -Node
#   (FailoverClusters.json);
#   Get-CimInstance -ClassName Win32_ShadowProvider / Win32_ShadowCopy (CimCmdlets.json; classes in wmi.json: NoWriters
#   says whether writers took part, ExposedName where the shadow copy is exposed);
#   Test-Path, Get-Content (Microsoft.PowerShell.Management.json); .NET System.IO.Directory.GetAccessControl and
#   ObjectSecurity.GetSecurityDescriptorSddlForm: registry_acl, the registry folder's owner and access (SDDL), which
#   the controller checks before it trusts the registry.
# The volume names this node gives each CSV (what Win32_ShadowCopy.VolumeName holds for a snapshot of it here), read
# with one Get-ClusterSharedVolumeState -Node call: one entry per CSV, instead of one call per CSV answering for
# every node, which costs CSVs x nodes objects on every snapshot of a large cluster.
$volumesByCsv = @{}
foreach ($entry in @(Get-ClusterSharedVolumeState -Node $env:COMPUTERNAME)) {
    $key = [string]$entry.Name
    if (-not $volumesByCsv.ContainsKey($key)) { $volumesByCsv[$key] = @() }
    $volumesByCsv[$key] += [string]$entry.VolumeName
}
$csvs = @(Get-ClusterSharedVolume | ForEach-Object {
    $csv = $_
    $volumes = @()
    if ($volumesByCsv.ContainsKey([string]$csv.Name)) { $volumes = @($volumesByCsv[[string]$csv.Name]) }
    [ordered]@{
        name = [string]$csv.Name
        owner = [string]$csv.OwnerNode
        state = [string]$csv.State
        path = [string]@($csv.SharedVolumeInfo)[0].FriendlyVolumeName
        volume_names = $volumes
    }
})
$providers = @(Get-CimInstance -ClassName Win32_ShadowProvider | ForEach-Object {
    [ordered]@{ id = [string]$_.ID; name = [string]$_.Name; type = [int]$_.Type; version = [string]$_.Version }
})
$shadows = @(Get-CimInstance -ClassName Win32_ShadowCopy | ForEach-Object {
    $installed = $null
    if ($null -ne $_.InstallDate) { $installed = $_.InstallDate.ToUniversalTime().ToString('o') }
    [ordered]@{
        id = [string]$_.ID
        set_id = [string]$_.SetID
        device_object = [string]$_.DeviceObject
        volume_name = [string]$_.VolumeName
        provider_id = [string]$_.ProviderID
        originating_machine = [string]$_.OriginatingMachine
        service_machine = [string]$_.ServiceMachine
        install_date = $installed
        client_accessible = $_.ClientAccessible
        persistent = $_.Persistent
        no_writers = $_.NoWriters
        exposed_name = [string]$_.ExposedName
    }
})
$registry = $null
if (Test-Path -LiteralPath ([string]$WsfcArgs.registry) -PathType Leaf) {
    $registry = Get-Content -LiteralPath ([string]$WsfcArgs.registry) -Raw
}
$folder = ([string]$WsfcArgs.registry).Substring(0, ([string]$WsfcArgs.registry).LastIndexOf('\'))
$acl = $null
if (Test-Path -LiteralPath $folder -PathType Container) {
    $acl = [System.IO.Directory]::GetAccessControl($folder).GetSecurityDescriptorSddlForm('Owner, Access')
}
[ordered]@{
    node = $env:COMPUTERNAME
    csvs = $csvs
    providers = $providers
    shadows = $shadows
    registry = $registry
    registry_acl = $acl
    now = [DateTime]::UtcNow.ToString('o')
} | ConvertTo-Json -Depth 5 -Compress
