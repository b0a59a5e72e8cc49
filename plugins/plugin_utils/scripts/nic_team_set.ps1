# nic_team_set: apply the steps plugin_utils/network/changes.py planned for one LBFO team, in order.
# Arguments: name, steps
#   name: the team; steps: a list of {action, ...}:
#   create {members, teaming_mode, load_balancing_algorithm}, remove {members, teaming_mode,
#   load_balancing_algorithm: what to restore on failure}, set {teaming_mode, load_balancing_algorithm, previous_*},
#   add_member {member}, remove_member {member}.
# If a step fails, the steps already done are undone in reverse order before the error is reported, so a failure
# leaves the team as it was.
# Cmdlets (NetLbfo; cmdlet pages in shared/reference/cmdlets.json): New-NetLbfoTeam -Name -TeamMembers -TeamingMode
#   -LoadBalancingAlgorithm, Remove-NetLbfoTeam -Name, Set-NetLbfoTeam -Name -TeamingMode -LoadBalancingAlgorithm,
#   Add-NetLbfoTeamMember -Name -Team, Remove-NetLbfoTeamMember -Name -Team; Get-NetLbfoTeam,
#   Get-NetLbfoTeamMember to read the result. -Confirm:$false: the session is not interactive.
$team = [string]$WsfcArgs.name
$done = @()
try {
    foreach ($step in @($WsfcArgs.steps)) {
        $action = [string]$step.action
        if ($action -eq 'create') {
            $null = New-NetLbfoTeam -Name $team -TeamMembers @($step.members) -TeamingMode ([string]$step.teaming_mode) -LoadBalancingAlgorithm ([string]$step.load_balancing_algorithm) -Confirm:$false
        }
        elseif ($action -eq 'remove') {
            Remove-NetLbfoTeam -Name $team -Confirm:$false
        }
        elseif ($action -eq 'set') {
            Set-NetLbfoTeam -Name $team -TeamingMode ([string]$step.teaming_mode) -LoadBalancingAlgorithm ([string]$step.load_balancing_algorithm) -Confirm:$false
        }
        elseif ($action -eq 'add_member') {
            $null = Add-NetLbfoTeamMember -Name ([string]$step.member) -Team $team -Confirm:$false
        }
        elseif ($action -eq 'remove_member') {
            Remove-NetLbfoTeamMember -Name ([string]$step.member) -Team $team -Confirm:$false
        }
        else {
            throw "unknown step '$action'"
        }
        $done += $step
    }
}
catch {
    $failure = $_
    for ($i = $done.Count - 1; $i -ge 0; $i--) {
        $step = $done[$i]
        $action = [string]$step.action
        if ($action -eq 'create') {
            Remove-NetLbfoTeam -Name $team -Confirm:$false
        }
        elseif ($action -eq 'remove') {
            $null = New-NetLbfoTeam -Name $team -TeamMembers @($step.members) -TeamingMode ([string]$step.teaming_mode) -LoadBalancingAlgorithm ([string]$step.load_balancing_algorithm) -Confirm:$false
        }
        elseif ($action -eq 'set') {
            Set-NetLbfoTeam -Name $team -TeamingMode ([string]$step.previous_teaming_mode) -LoadBalancingAlgorithm ([string]$step.previous_load_balancing_algorithm) -Confirm:$false
        }
        elseif ($action -eq 'add_member') {
            Remove-NetLbfoTeamMember -Name ([string]$step.member) -Team $team -Confirm:$false
        }
        elseif ($action -eq 'remove_member') {
            $null = Add-NetLbfoTeamMember -Name ([string]$step.member) -Team $team -Confirm:$false
        }
    }
    throw $failure
}
$teams = @(Get-NetLbfoTeam | Where-Object { $_.Name -eq $team } | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        teaming_mode = [string]$_.TeamingMode
        load_balancing_algorithm = [string]$_.LoadBalancingAlgorithm
        status = [string]$_.Status
    }
})
$members = @(Get-NetLbfoTeamMember | Where-Object { $_.Team -eq $team } | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        team = [string]$_.Team
        speed_bps = [double]$_.TransmitLinkSpeed
        failure_reason = [string]$_.FailureReason
    }
})
[ordered]@{
    node = $env:COMPUTERNAME
    teams = $teams
    team_members = $members
} | ConvertTo-Json -Depth 5 -Compress
