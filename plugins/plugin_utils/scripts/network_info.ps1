# network_info: this node's network as it matters for CSV backups, in one round trip.
# Arguments: none
# Runs inside the wrapper of plugin_utils/powershell.py ($WsfcArgs, try/catch, $ErrorActionPreference = 'Stop').
# Reads only. Cmdlets (cmdlet pages in shared/reference/cmdlets.json):
#   NetAdapter: Get-NetAdapter -Physical, Get-NetAdapter (host vNICs), Get-NetAdapterRdma (returns only RDMA-capable
#     adapters, host vNICs included)
#   NetLbfo: Get-NetLbfoTeam, Get-NetLbfoTeamMember
#   Hyper-V: Get-VMSwitchTeam (Switch Embedded Teaming), only where Get-Command finds it (a node without the Hyper-V
#     module has no SET facts). Its page lists no properties of the VMSwitchTeam it returns; Name,
#     NetAdapterInterfaceDescription (the members' interface descriptions), TeamingMode and LoadBalancingAlgorithm
#     are the ones Microsoft's own output shows ("Converged NIC Configuration with Multiple Network Adapters",
#     learn.microsoft.com/windows-server/networking/technologies/conv-nic/cnic-datacenter). Get-VMSwitch and
#     Get-VMNetworkAdapter -ManagementOS are not in the reference, so the switch a host vNIC is on is not read.
#   CimCmdlets: Get-CimInstance Win32_OperatingSystem (Caption, Version, BuildNumber: which Windows Server release)
#   SmbShare: Get-SmbClientConfiguration, Get-SmbServerConfiguration, Get-SmbMultichannelConnection
#   NetTCPIP: Get-NetIPAddress (which interface holds the address the controller connects to)
#   FailoverClusters: Get-ClusterNetwork
# CIM uint32 properties (TeamingMode, Status, InterfaceOperationalStatus ...) and enums are cast to [string];
# plugin_utils/network/facts.py maps the documented numeric values to names.
$adapters = @(Get-NetAdapter -Physical | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        description = [string]$_.InterfaceDescription
        index = [long]$_.InterfaceIndex
        speed_bps = [double]$_.Speed
        oper_status = [string]$_.InterfaceOperationalStatus
    }
})
# Host vNICs: Get-NetAdapter shows a host virtual NIC as "vEthernet (<name>)" with InterfaceDescription
# "Hyper-V Virtual Ethernet Adapter[ #n]" (Converged NIC page); -Physical leaves them out. The description is what
# the page shows, so it is what selects them (the page shows neither Virtual nor HardwareInterface for them).
$vnics = @(Get-NetAdapter | Where-Object {
    ([string]$_.InterfaceDescription) -like 'Hyper-V Virtual Ethernet Adapter*'
} | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        description = [string]$_.InterfaceDescription
        index = [long]$_.InterfaceIndex
        speed_bps = [double]$_.Speed
        oper_status = [string]$_.InterfaceOperationalStatus
    }
})
$hyperv = [bool](Get-Command -Name Get-VMSwitchTeam -ErrorAction SilentlyContinue)
$setTeams = @()
if ($hyperv) {
    # TeamingMode and LoadBalancingAlgorithm are enums whose numbers are not documented: their names are printed.
    $setTeams = @(Get-VMSwitchTeam | ForEach-Object {
        $team = $_
        [ordered]@{
            name = [string]$team.Name
            members = @(@($team.NetAdapterInterfaceDescription) | ForEach-Object { [string]$_ })
            teaming_mode = [string]$team.TeamingMode
            load_balancing_algorithm = [string]$team.LoadBalancingAlgorithm
        }
    })
}
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$rdma = @(Get-NetAdapterRdma | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        enabled = [bool]$_.Enabled
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
$client = Get-SmbClientConfiguration
$server = Get-SmbServerConfiguration
$connections = @(Get-SmbMultichannelConnection | ForEach-Object {
    [ordered]@{
        server = [string]$_.ServerName
        selected = [bool]$_.Selected
        client_interface = [string]$_.ClientInterfaceFriendlyName
        client_interface_index = [long]$_.ClientInterfaceIndex
        client_ip = [string]$_.ClientIpAddress
        server_ip = [string]$_.ServerIpAddress
        client_speed_bps = [double]$_.ClientLinkSpeed
        client_rdma_capable = [bool]$_.ClientRdmaCapable
        server_rdma_capable = [bool]$_.ServerRdmaCapable
    }
})
$addresses = @(Get-NetIPAddress | ForEach-Object {
    [ordered]@{
        address = [string]$_.IPAddress
        interface = [string]$_.InterfaceAlias
        index = [long]$_.InterfaceIndex
    }
})
$networks = @(Get-ClusterNetwork | ForEach-Object {
    [ordered]@{
        name = [string]$_.Name
        role = [string]$_.Role
        metric = [string]$_.Metric
        state = [string]$_.State
        address = [string]$_.Address
        address_mask = [string]$_.AddressMask
    }
})
[ordered]@{
    node = $env:COMPUTERNAME
    adapters = $adapters
    host_vnics = $vnics
    hyperv = $hyperv
    set_teams = $setTeams
    os = [ordered]@{
        caption = [string]$os.Caption
        version = [string]$os.Version
        build = [string]$os.BuildNumber
    }
    rdma = $rdma
    teams = $teams
    team_members = $members
    smb_multichannel = [ordered]@{
        client = [bool]$client.EnableMultiChannel
        server = [bool]$server.EnableMultiChannel
    }
    smb_connections = $connections
    addresses = $addresses
    cluster_networks = $networks
} | ConvertTo-Json -Depth 6 -Compress
