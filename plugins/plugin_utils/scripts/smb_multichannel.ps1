# smb_multichannel: ensure SMB Multichannel is enabled or disabled on this node's SMB client and/or server.
# Arguments: client, server, check_mode
#   client, server: true, false, or null to leave that side alone; check_mode: a bool.
# Reads both sides, changes only a side whose value differs (never in check mode), and reads them again, so a
# change and its proof take one round trip. Prints the values before and after.
# Cmdlets (SmbShare; cmdlet pages in shared/reference/cmdlets.json): Get-SmbClientConfiguration,
#   Get-SmbServerConfiguration, Set-SmbClientConfiguration -EnableMultiChannel, Set-SmbServerConfiguration
#   -EnableMultiChannel (-Force: no confirmation prompt; the session is not interactive).
$before = [ordered]@{
    client = [bool](Get-SmbClientConfiguration).EnableMultiChannel
    server = [bool](Get-SmbServerConfiguration).EnableMultiChannel
}
$apply = -not [bool]$WsfcArgs.check_mode
if ($null -ne $WsfcArgs.client -and ([bool]$WsfcArgs.client) -ne $before.client -and $apply) {
    Set-SmbClientConfiguration -EnableMultiChannel ([bool]$WsfcArgs.client) -Force
}
if ($null -ne $WsfcArgs.server -and ([bool]$WsfcArgs.server) -ne $before.server -and $apply) {
    Set-SmbServerConfiguration -EnableMultiChannel ([bool]$WsfcArgs.server) -Force
}
$after = [ordered]@{
    client = [bool](Get-SmbClientConfiguration).EnableMultiChannel
    server = [bool](Get-SmbServerConfiguration).EnableMultiChannel
}
[ordered]@{
    node = $env:COMPUTERNAME
    before = $before
    after = $after
} | ConvertTo-Json -Depth 4 -Compress
