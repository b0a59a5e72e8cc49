"""The Ansible inventory a running lab writes for its nodes.

One group named after the cluster (made a valid Ansible group name), one host
per node, each with its own WinRM port on 127.0.0.1. The connection settings
are the ones a user would set for a real cluster, for ansible-core's
``winrm`` or ``psrp`` connection: NTLM (Negotiate) with message encryption
over HTTP, Kerberos with message encryption over HTTP, or Basic over HTTPS
with certificate validation against the lab's own CA (validation stays on).
"""

from __future__ import annotations

import os

import re
from pathlib import Path

import yaml

CONNECTIONS = ("winrm", "psrp")


def group_name(cluster: str) -> str:
    """A valid Ansible group name for a cluster name (letters, digits, underscores)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", cluster).lower()
    return name if re.match(r"^[a-z_]", name) else "cluster_" + name


def _winrm_vars(transport: str, ca_path: Path | None) -> dict:
    """ansible-core's ``winrm`` connection (pywinrm) for each lab transport."""
    common = {"ansible_connection": "winrm", "ansible_winrm_read_timeout_sec": 70,
              "ansible_winrm_operation_timeout_sec": 60}
    if transport == "ntlm":
        return {**common, "ansible_winrm_transport": "ntlm", "ansible_winrm_scheme": "http",
                "ansible_winrm_message_encryption": "always"}
    if transport == "kerberos":
        # A ticket the controller already holds (kinit; KRB5CCNAME), as on a domain-joined controller.
        return {**common, "ansible_winrm_transport": "kerberos", "ansible_winrm_scheme": "http",
                "ansible_winrm_message_encryption": "always", "ansible_winrm_kinit_mode": "manual"}
    return {**common, "ansible_winrm_transport": "basic", "ansible_winrm_scheme": "https",
            "ansible_winrm_server_cert_validation": "validate", "ansible_winrm_ca_trust_path": str(ca_path)}


def _psrp_vars(transport: str, ca_path: Path | None) -> dict:
    """ansible-core's ``psrp`` connection (pypsrp) for each lab transport."""
    common = {"ansible_connection": "psrp", "ansible_psrp_read_timeout": 70, "ansible_psrp_operation_timeout": 60}
    if transport == "ntlm":
        # Negotiate, the plugin's default: SPNEGO, which picks NTLM for the lab's local account.
        return {**common, "ansible_psrp_auth": "negotiate", "ansible_psrp_protocol": "http",
                "ansible_psrp_message_encryption": "always"}
    if transport == "kerberos":
        return {**common, "ansible_psrp_auth": "kerberos", "ansible_psrp_protocol": "http",
                "ansible_psrp_message_encryption": "always"}
    return {**common, "ansible_psrp_auth": "basic", "ansible_psrp_protocol": "https",
            "ansible_psrp_cert_validation": "validate", "ansible_psrp_ca_cert": str(ca_path)}


def render(cluster: str, nodes: dict[str, int], user: str, password: str, transport: str,
           ca_path: Path | None = None, connection: str = "winrm", kerberos_hosts: dict[str, str] | None = None,
           principal: str | None = None, time_scale: float = 1.0) -> dict:
    """The inventory as a dict (``nodes`` maps node name to its WinRM port).

    ``connection`` is ``winrm`` or ``psrp``. With the ``kerberos`` transport
    the user is the realm's ``principal``, no password is written (the
    controller logs in with the ticket it holds: ``kinit``, ``KRB5CCNAME``),
    and each host asks for the ticket of its own ``HTTP/<host>`` principal
    (``kerberos_hosts``: node name to host name) while it connects to
    127.0.0.1, as a client does through the name it was given for the node.
    """
    if connection not in CONNECTIONS:
        raise ValueError(f"unsupported connection {connection!r}")
    vars_ = (_psrp_vars if connection == "psrp" else _winrm_vars)(transport, ca_path)
    if transport == "kerberos":
        vars_["ansible_user"] = principal
    else:
        vars_.update(ansible_user=user, ansible_password=password)
    override = "ansible_psrp_negotiate_hostname_override" if connection == "psrp" else \
        "ansible_winrm_kerberos_hostname_override"
    hosts = {}
    for name, port in nodes.items():
        host = {"ansible_host": "127.0.0.1", "ansible_port": port}
        if transport == "kerberos":
            host[override] = (kerberos_hosts or {})[name]
        hosts[name] = host
    return {"all": {"children": {group_name(cluster): {"hosts": hosts, "vars": {
        "wsfc_cluster_name": cluster, **vars_, **clock_vars(time_scale)}}}}}


def clock_vars(time_scale: float) -> dict:
    """Group variables for a cluster whose clock runs ``time_scale`` times faster than the controller's.

    The collection's watchdog (wsfc.csv.backup_watchdog) judges a run's heartbeat by the nodes' clocks, and its
    defaults are for real clusters (900 s of silence, a run every 60 s). In the lab those seconds pass ``time_scale``
    times faster, while the controller's steps take the wall time they take: 900 modelled seconds are 2.25 wall
    seconds at time scale 400, less than a slow round trip. So the inventory sets, as a user would for any
    environment, a limit of two wall minutes and a run every twenty wall seconds (within the documented range of 60
    to 3600 modelled seconds): each run of the watchdog runs a script on every node, and the lab's timing tests
    should not compete with it more than needed. Tests of the watchdog itself pass their own values.
    """
    if time_scale <= 1:
        return {}
    return {"csv_backup_watchdog_after": int(max(900, 120 * time_scale)),
            "csv_backup_watchdog_interval": int(min(3600, max(60, 20 * time_scale)))}


def write(path: Path, inventory: dict) -> None:
    """Write the inventory readable by its owner only: it holds the lab's password (ansible_password)."""
    header = "# Written by wsfc_lab for a running lab; it changes every time the lab starts.\n"
    text = header + yaml.safe_dump(inventory, sort_keys=False, default_flow_style=False)
    path = Path(path)
    if path.exists():
        path.unlink()  # a file left by an earlier lab may have looser permissions; os.open keeps those
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
