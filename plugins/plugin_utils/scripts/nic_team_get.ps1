# nic_team_get: this node's physical adapters, LBFO teams and their members, and its IP addresses (to tell which
# interface carries the connection the task runs over). Reads only.
# Cmdlets (pages cited in lab/reference/*.json): Get-NetAdapter -Physical (NetAdapter), Get-NetLbfoTeam,
#   Get-NetLbfoTeamMember (NetLbfo), Get-NetIPAddress (NetTCPIP). uint32 properties are cast to [string].
$adapters = @(Get-NetAdapter -Physical | ForEach-Object {
[ordered]@{
name = [string]$_.Name
index = [long]$_.InterfaceIndex
speed_bps = [double]$_.Speed
oper_status = [string]$_.InterfaceOperationalStatus
}
})
$teams = @(Get-NetLbfoTeam | ForEach-Object {
[ordered]@{
name = [string]$_.Name
teaming_mode = [string]$_.TeamingMode
load_balancing_algorithm = [string]$_.LoadBalancingAlgorithm
status = [string]$_.Status
}
})
$members = @(Get-NetLbfoTeamMember | ForEach-Object {
[ordered]@{
name = [string]$_.Name
team = [string]$_.Team
speed_bps = [double]$_.TransmitLinkSpeed
failure_reason = [string]$_.FailureReason
}
})
$addresses = @(Get-NetIPAddress | ForEach-Object {
[ordered]@{
address = [string]$_.IPAddress
interface = [string]$_.InterfaceAlias
index = [long]$_.InterfaceIndex
}
})
[ordered]@{
node = $env:COMPUTERNAME
adapters = $adapters
teams = $teams
team_members = $members
addresses = $addresses
} | ConvertTo-Json -Depth 5 -Compress
