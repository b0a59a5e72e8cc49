# csv_snapshot_registry: prepare wsfc.csv's snapshot registry folder on this node before a snapshot is recorded.
# Arguments: registry, registry_dir, sddl, quarantine
#   registry: the registry file (C:\ProgramData\wsfc.csv\snapshots.json); registry_dir: its folder; sddl: the
#   folder's security descriptor (owner Administrators, a protected DACL granting full control to SYSTEM and
#   Administrators only); quarantine: '' or where to move a registry the controller found corrupt.
# The folder is created when missing (New-Item -ItemType Directory) and gets the explicit descriptor at once
# ([System.IO.Directory]::SetAccessControl with a DirectorySecurity built from the SDDL, .NET Framework 4.8), so it
# never keeps inherited permissions. A corrupt registry is moved aside ([System.IO.File]::Move, which never overwrites)
# instead of blocking every snapshot on the node. The controller checked the folder's owner before (csv_snapshot_get).
# Returns node, acl (the folder's owner and access SDDL now), quarantined (where the registry went, or null).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): New-Item -ItemType Directory, Test-Path
#   (Microsoft.PowerShell.Management.json); New-Object (Microsoft.PowerShell.Utility.json). .NET:
#   System.Security.AccessControl.DirectorySecurity (SetSecurityDescriptorSddlForm, GetSecurityDescriptorSddlForm),
#   System.IO.Directory (GetAccessControl, SetAccessControl), System.IO.File.Move.
$folder = [string]$WsfcArgs.registry_dir
$out = [ordered]@{ node = $env:COMPUTERNAME; acl = $null; quarantined = $null }
New-Item -ItemType Directory -Path $folder -Force | Out-Null
$security = New-Object System.Security.AccessControl.DirectorySecurity
$security.SetSecurityDescriptorSddlForm([string]$WsfcArgs.sddl)
[System.IO.Directory]::SetAccessControl($folder, $security)
$registry = [string]$WsfcArgs.registry
$aside = [string]$WsfcArgs.quarantine
if ($aside -ne '' -and (Test-Path -LiteralPath $registry -PathType Leaf)) {
    [System.IO.File]::Move($registry, $aside)
    $out.quarantined = $aside
}
$out.acl = [System.IO.Directory]::GetAccessControl($folder).GetSecurityDescriptorSddlForm('Owner, Access')
$out | ConvertTo-Json -Compress
