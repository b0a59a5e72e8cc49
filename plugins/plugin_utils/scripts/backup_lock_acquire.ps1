# backup_lock_acquire: take the cluster-wide backup lock atomically.
# Arguments: path, run_id, owner, replace
#   path: the lock file, or '' for the default: <first CSV path, ordered case-insensitively>\.wsfc.csv\backup.lock;
#   replace: null, or the exact text of a stale lock to break first.
# No check-then-write: New-Item -ItemType File without -Force creates the file with FileMode.CreateNew and fails
# when it exists (the New-Item page: -Force is what overwrites an existing file), so of two runs racing, from any
# nodes (a CSV is one namespace for the whole cluster), exactly one creates it. The loser reads and returns the
# holder. A stale lock is removed only while its text is still the text the controller decided to break.
# Returns node, cluster, now (this node's UTC clock), path, acquired, replaced, text (the lock's content now),
#   last_write (its LastWriteTimeUtc).
# Cmdlets (cmdlet pages in shared/reference/cmdlets.json): Get-Cluster, Get-ClusterSharedVolume (FailoverClusters.json); Test-Path,
#   Get-Content, Get-Item, New-Item -ItemType Directory/File, Remove-Item (Microsoft.PowerShell.Management.json);
#   Sort-Object, ConvertTo-Json.
$path = [string]$WsfcArgs.path
if ($path -eq '') {
    $roots = @(Get-ClusterSharedVolume | ForEach-Object { [string]@($_.SharedVolumeInfo)[0].FriendlyVolumeName } | Sort-Object)
    if ($roots.Count -eq 0) {
        throw ('there is no Cluster Shared Volume on ' + $env:COMPUTERNAME + ' to hold the backup lock; give the lock file with path')
    }
    $path = $roots[0].TrimEnd('\') + '\.wsfc.csv\backup.lock'
}
$replaced = $false
if ($null -ne $WsfcArgs.replace) {
    if (Test-Path -LiteralPath $path -PathType Leaf) {
        $current = Get-Content -LiteralPath $path -Raw -Encoding UTF8
        if ($current -ceq [string]$WsfcArgs.replace) {
            Remove-Item -LiteralPath $path
            $replaced = $true
        }
    }
}
$record = [ordered]@{
    run_id = [string]$WsfcArgs.run_id
    owner = [string]$WsfcArgs.owner
    created = [DateTime]::UtcNow.ToString('s') + 'Z'
    node = $env:COMPUTERNAME
} | ConvertTo-Json -Compress
$folder = $path.Substring(0, $path.LastIndexOf('\'))
New-Item -ItemType Directory -Path $folder -Force | Out-Null
$acquired = $false
try {
    New-Item -ItemType File -Path $path -Value $record | Out-Null
    $acquired = $true
}
catch {
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw }
}
$text = $record
$lastWrite = $null
if (-not $acquired) {
    $text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $lastWrite = (Get-Item -LiteralPath $path).LastWriteTimeUtc.ToString('o')
}
[ordered]@{
    node = $env:COMPUTERNAME
    cluster = [string](Get-Cluster).Name
    now = [DateTime]::UtcNow.ToString('o')
    path = $path
    acquired = $acquired
    replaced = $replaced
    text = $text
    last_write = $lastWrite
} | ConvertTo-Json -Compress
