"""The Ansible inventory a running lab writes for its nodes.

One group named after the cluster (made a valid Ansible group name), one host
per node, each with its own WinRM port on 127.0.0.1. The connection settings
are the ones a user would set for a real cluster: NTLM with message
encryption over HTTP, or Basic over HTTPS with certificate validation against
the lab's own CA (validation stays on).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml


def group_name(cluster: str) -> str:
    """A valid Ansible group name for a cluster name (letters, digits, underscores)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", cluster).lower()
    return name if re.match(r"^[a-z_]", name) else "cluster_" + name


def render(cluster: str, nodes: dict[str, int], user: str, password: str, transport: str,
           ca_path: Path | None = None) -> dict:
    """The inventory as a dict (``nodes`` maps node name to its WinRM port)."""
    connection = {
        "ansible_connection": "winrm",
        "ansible_user": user,
        "ansible_password": password,
        "ansible_winrm_read_timeout_sec": 70,
        "ansible_winrm_operation_timeout_sec": 60,
    }
    if transport == "ntlm":
        connection.update(ansible_winrm_transport="ntlm", ansible_winrm_scheme="http",
                          ansible_winrm_message_encryption="always")
    else:
        connection.update(ansible_winrm_transport="basic", ansible_winrm_scheme="https",
                          ansible_winrm_server_cert_validation="validate",
                          ansible_winrm_ca_trust_path=str(ca_path))
    hosts = {name: {"ansible_host": "127.0.0.1", "ansible_port": port} for name, port in nodes.items()}
    return {"all": {"children": {group_name(cluster): {"hosts": hosts, "vars": {
        "wsfc_cluster_name": cluster, **connection}}}}}


def write(path: Path, inventory: dict) -> None:
    header = "# Written by wsfc_lab for a running lab; it changes every time the lab starts.\n"
    Path(path).write_text(header + yaml.safe_dump(inventory, sort_keys=False, default_flow_style=False))
