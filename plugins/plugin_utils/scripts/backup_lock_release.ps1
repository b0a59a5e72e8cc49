# backup_lock_release: remove the cluster-wide backup lock, only while it is still the lock the controller read.
# Arguments: path, expect
#   path: the lock file, as backup_lock_get returned it; expect: the exact text read then.
# A lock that changed in between (another run took it) is left alone and its text returned.
# Returns node, now, path, removed, missing, text.
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Test-Path, Get-Content, Get-Item, Remove-Item
#   (Microsoft.PowerShell.Management.json).
$path = [string]$WsfcArgs.path
$out = [ordered]@{
    node = $env:COMPUTERNAME
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    removed = $false
    missing = $false
    text = $null
    last_write = $null
}
if (Test-Path -LiteralPath $path -PathType Leaf) {
    $current = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    if ($current -ceq [string]$WsfcArgs.expect) {
        Remove-Item -LiteralPath $path
        $out.removed = $true
    }
    else {
        $out.text = $current
        $out.last_write = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
    }
}
else {
    $out.missing = $true
}
$out | ConvertTo-Json -Compress
