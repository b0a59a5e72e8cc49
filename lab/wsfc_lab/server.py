"""``python -m wsfc_lab serve``: one process serving a whole simulated cluster.

Wires the pieces together: the topology becomes a cluster model; each node
gets a WinRM endpoint on 127.0.0.1 whose commands run in the PowerShell engine
with that node as the computer name and the model-backed cmdlets; the control
channel answers ``state``, ``events``, ``fault`` and ``shutdown``. A node that
is Down has its endpoint closed, so clients see it unreachable, as they would.
"""

from __future__ import annotations

import secrets
import signal
import threading
from pathlib import Path

from wsfc_lab import daemon, inventory
from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.control import ControlServer
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh import run_powershell_command
from wsfc_lab.pwsh.host import Host
from wsfc_lab.reference import Reference
from wsfc_lab.topology import load_topology
from wsfc_lab.winrm import WinRMEndpoint, make_tls_material

DEFAULT_USER = "labadmin"


class Lab:
    """A running lab: model, engine hosts, endpoints."""

    def __init__(self, topology_path: Path, workdir: Path, transport: str = "ntlm",
                 time_scale: float | None = None):
        self.workdir = Path(workdir).resolve()
        self.topology = load_topology(topology_path)
        if time_scale:
            self.topology.time_scale = time_scale
        self.reference = Reference.load_default()
        self.model = Cluster(self.topology, reference=self.reference)
        self.cmdlets = build_cmdlet_table()
        creds = getattr(self.topology, "credentials", None) or {}
        self.user = creds.get("user") or DEFAULT_USER
        self.password = creds.get("password") or secrets.token_urlsafe(18)
        self.transport = transport
        self.tls = make_tls_material(self.workdir / "tls") if transport == "basic-https" else None
        self.endpoints: dict[str, WinRMEndpoint] = {}
        self.ports: dict[str, int] = {}
        self.stopped = threading.Event()

    def _host(self, node: str) -> Host:
        return Host(
            node=node,
            cmdlets=self.cmdlets,
            reference=self.reference,
            env={"COMPUTERNAME": node, "USERNAME": self.user, "USERDOMAIN": self.topology.cluster},
            now=lambda node=node: self.model.node_now(node),
            context=self.model,
            on_event=lambda event, node=node: self.model.log({"node": node, **event}),
        )

    def _runner(self, node: str, command: str, arguments: list[str], stdin: bytes):
        self.model.before_operation(node)
        return run_powershell_command(command, arguments, stdin, self._host(node))

    def _endpoint(self, node: str, port: int = 0) -> WinRMEndpoint:
        endpoint = WinRMEndpoint(
            node, self._runner, {self.user: self.password}, port=port,
            transport=self.transport, tls=self.tls,
            on_event=lambda event, node=node: self.model.log({"node": node, **event}),
            drop_reply=lambda node=node: self.model.take_fault("winrm_drop", node=node) is not None,
        )
        endpoint.start()
        return endpoint

    def start(self) -> None:
        for node in self.topology.nodes:
            endpoint = self._endpoint(node.name)
            self.endpoints[node.name] = endpoint
            self.ports[node.name] = endpoint.port
        self.model.on_node_state(self._node_state_changed)
        inventory.write(self.workdir / "inventory.yml", inventory.render(
            self.topology.cluster, self.ports, self.user, self.password, self.transport,
            ca_path=self.tls.ca_path if self.tls else None))

    def _node_state_changed(self, node: str, state: str) -> None:
        """Close a Down node's endpoint (clients see it unreachable); reopen it on its old port when it is back."""
        endpoint = self.endpoints.get(node)
        if state == "Down" and endpoint is not None:
            endpoint.stop()
            self.endpoints.pop(node)
        elif state != "Down" and endpoint is None:
            self.endpoints[node] = self._endpoint(node, self.ports[node])

    def stop(self) -> None:
        for endpoint in list(self.endpoints.values()):
            endpoint.stop()
        self.endpoints.clear()
        self.model.close()
        self.stopped.set()


def serve(topology_path: Path, workdir: Path, transport: str = "ntlm", time_scale: float | None = None) -> None:
    import os

    lab = Lab(topology_path, workdir, transport=transport, time_scale=time_scale)
    lab.start()
    token = secrets.token_urlsafe(24)
    control = ControlServer(token, {
        "state": lambda body: lab.model.state(),
        "events": lambda body: lab.model.events(),
        "fault": lambda body: lab.model.inject_fault(body),
        "shutdown": lambda body: threading.Timer(0.05, lab.stop).start(),
    })
    control.start()
    signal.signal(signal.SIGTERM, lambda *a: lab.stop())
    signal.signal(signal.SIGINT, lambda *a: lab.stop())
    daemon.write_state(lab.workdir, {
        "ready": True,
        "pid": os.getpid(),
        "cluster": lab.topology.cluster,
        "group": inventory.group_name(lab.topology.cluster),
        "topology": str(Path(topology_path).resolve()),
        "transport": transport,
        "control_port": control.port,
        "token": token,
        "nodes": lab.ports,
        "inventory": str(lab.workdir / "inventory.yml"),
    })
    print(f"wsfc_lab: serving {lab.topology.cluster} on {lab.ports}", flush=True)
    while not lab.stopped.wait(0.5):
        pass
    control.stop()
    print("wsfc_lab: stopped", flush=True)
