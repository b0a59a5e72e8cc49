"""The whole lab over PSRP: ``up --connection psrp`` writes a psrp inventory, and pypsrp, with that inventory's
settings, runs a script against the cluster model exactly as a WinRS command would.

Also the inventories each ``--connection``/``--transport`` pair writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from wsfc_lab import inventory
from wsfc_lab.topology import shipped_topology


def _lab(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsfc_lab", *[str(a) for a in args]], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def psrp_lab(tmp_path_factory):
    work = tmp_path_factory.mktemp("psrp-lab")
    result = _lab("up", "--topology", shipped_topology("two-node"), "--workdir", work, "--connection", "psrp")
    assert result.returncode == 0, result.stderr
    try:
        yield work
    finally:
        _lab("down", "--workdir", work)


def _group_vars(work: Path) -> tuple[dict, dict]:
    inv = yaml.safe_load((work / "inventory.yml").read_text())
    [group] = inv["all"]["children"].values()
    return group["hosts"], group["vars"]


def test_the_psrp_inventory_runs_a_script_against_the_model(psrp_lab):
    hosts, vars_ = _group_vars(psrp_lab)
    assert vars_["ansible_connection"] == "psrp"
    assert (vars_["ansible_psrp_protocol"], vars_["ansible_psrp_auth"]) == ("http", "negotiate")
    name, host = sorted(hosts.items())[0]
    wsman = WSMan(host["ansible_host"], port=host["ansible_port"], ssl=False, username=vars_["ansible_user"],
                  password=vars_["ansible_password"], auth=vars_["ansible_psrp_auth"],
                  encryption=vars_["ansible_psrp_message_encryption"], no_proxy=True)
    script = ("Set-StrictMode -Version Latest\n"
              "$wanted = @($input)\n"
              "$nodes = @(Get-ClusterNode | Where-Object { $wanted -contains $_.Name })\n"
              "[pscustomobject]@{ me = $env:COMPUTERNAME; nodes = @($nodes | ForEach-Object { $_.Name }) } | "
              "ConvertTo-Json -Compress")
    with RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script(script)
        output = ps.invoke(input=sorted(hosts))
    assert ps.state == PSInvocationState.COMPLETED, [str(e) for e in ps.streams.error]
    answer = json.loads(output[0])
    state = json.loads(_lab("state", "--workdir", psrp_lab).stdout)
    assert answer == {"me": name, "nodes": sorted(state["nodes"])}
    events = [json.loads(line) for line in _lab("events", "--workdir", psrp_lab).stdout.splitlines()]
    commands = [e for e in events if e["op"] == "winrm.command"]
    assert [(e["node"], e["protocol"], e["ok"]) for e in commands] == [(name, "psrp", True)]


@pytest.mark.parametrize("connection, transport, expected", [
    ("winrm", "ntlm", {"ansible_connection": "winrm", "ansible_winrm_transport": "ntlm",
                       "ansible_winrm_message_encryption": "always", "ansible_password": "pw"}),
    ("psrp", "ntlm", {"ansible_connection": "psrp", "ansible_psrp_auth": "negotiate", "ansible_psrp_protocol": "http",
                      "ansible_psrp_message_encryption": "always", "ansible_password": "pw"}),
    ("psrp", "basic-https", {"ansible_connection": "psrp", "ansible_psrp_auth": "basic",
                             "ansible_psrp_protocol": "https", "ansible_psrp_cert_validation": "validate",
                             "ansible_psrp_ca_cert": "/ca.pem"}),
    ("winrm", "kerberos", {"ansible_winrm_transport": "kerberos", "ansible_winrm_kinit_mode": "manual",
                           "ansible_user": "labadmin@LAB.TEST"}),
    ("psrp", "kerberos", {"ansible_psrp_auth": "kerberos", "ansible_user": "labadmin@LAB.TEST"}),
])
def test_each_connection_and_transport_writes_its_inventory(connection, transport, expected):
    inv = inventory.render("C1", {"N1": 5985}, "labadmin", "pw", transport, ca_path=Path("/ca.pem"),
                           connection=connection, kerberos_hosts={"N1": "n1.lab.test"}, principal="labadmin@LAB.TEST")
    group = inv["all"]["children"]["c1"]
    assert expected.items() <= group["vars"].items()
    host = group["hosts"]["N1"]
    assert (host["ansible_host"], host["ansible_port"]) == ("127.0.0.1", 5985)
    if transport == "kerberos":
        assert "ansible_password" not in group["vars"]  # the controller holds a ticket
        override = "ansible_psrp_negotiate_hostname_override" if connection == "psrp" else \
            "ansible_winrm_kerberos_hostname_override"
        assert host[override] == "n1.lab.test"
    other = "winrm" if connection == "psrp" else "psrp"
    assert not [k for k in group["vars"] if k.startswith(f"ansible_{other}_")]


def test_an_unknown_connection_is_refused():
    with pytest.raises(ValueError):
        inventory.render("C1", {"N1": 1}, "u", "p", "ntlm", connection="ssh")
