"""``python -m wsfc_lab serve``: one process serving a whole simulated cluster.

Wires the pieces together: the topology becomes a cluster model; each node
gets a WinRM endpoint on 127.0.0.1 whose WinRS commands and PSRP pipelines run
in the PowerShell engine with that node as the computer name and the
model-backed cmdlets; the control channel answers ``state``, ``events``,
``fault``, ``wait_tasks`` and ``shutdown``. A node that is Down has its endpoint closed, so
clients see it unreachable, as they would.

Every endpoint serves both WinRS and PSRP, as a Windows listener does;
``connection`` only chooses what the inventory tells Ansible to use. With the
``kerberos`` transport the nodes are members of the realm of a running
:class:`wsfc_lab.kerberos.KDC`: the lab registers each node's service
principals (``HTTP/<node>.<realm>`` and the others WinRM clients ask for) and
the lab's user in that realm, and keeps the service keys in its
own keytab (``KRB5_KTNAME``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
from pathlib import Path

from wsfc_lab import daemon, inventory, kerberos
from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.control import ControlServer
from wsfc_lab.ctasks import clustered
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh import run_powershell_command
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.pipeline_host import PipelineResult, run_pipeline_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import load_topology
from wsfc_lab.winrm import WinRMEndpoint, make_tls_material
from wsfc_lab.winrm.auth import KerberosService

DEFAULT_USER = "labadmin"


class Lab:
    """A running lab: model, engine hosts, endpoints."""

    def __init__(self, topology_path: Path, workdir: Path, transport: str = "ntlm",
                 time_scale: float | None = None, connection: str = "winrm", kdc_dir: Path | None = None):
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
        self.connection = connection
        self.tls = make_tls_material(self.workdir / "tls") if transport == "basic-https" else None
        if transport == "kerberos" and kdc_dir is None:
            raise ValueError("the kerberos transport needs a running KDC (--kdc DIR)")
        self.kdc = kerberos.KDC.load(kdc_dir) if transport == "kerberos" else None
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

    def _pipeline_runner(self, node: str, script: str, input_objects: list) -> PipelineResult:
        """A PSRP pipeline's script: the same engine, model and faults as a WinRS command."""
        self.model.before_operation(node)
        return run_pipeline_script(script, self._host(node), input_objects)

    def _endpoint(self, node: str, port: int = 0) -> WinRMEndpoint:
        endpoint = WinRMEndpoint(
            node, self._runner, {self.user: self.password}, port=port,
            transport=self.transport, tls=self.tls,
            on_event=lambda event, node=node: self.model.log({"node": node, **event}),
            drop_reply=lambda node=node: self.model.take_fault("winrm_drop", node=node) is not None,
            psrp_runner=self._pipeline_runner,
            kerberos=KerberosService(self.kdc.realm, kerberos.host_name(node, self.kdc.realm)) if self.kdc else None,
        )
        endpoint.start()
        return endpoint

    def _join_realm(self) -> dict:
        """Register the nodes' service principals and the lab's user in the KDC's realm; point GSSAPI at them."""
        kdc = self.kdc
        keytab = self.workdir / "http.keytab"
        keytab.unlink(missing_ok=True)
        kdc.add_services([spn for n in self.topology.nodes for spn in kerberos.service_principals(n.name, kdc.realm)],
                         keytab)
        principal = kdc.add_user(self.user, self.password)
        os.environ["KRB5_CONFIG"] = str(kdc.krb5_conf)
        os.environ["KRB5_KTNAME"] = f"FILE:{keytab}"
        info = {"realm": kdc.realm, "krb5_config": str(kdc.krb5_conf), "principal": principal,
                "password": self.password, "kdc": str(kdc.workdir),
                "hosts": {n.name: kerberos.host_name(n.name, kdc.realm) for n in self.topology.nodes}}
        path = self.workdir / "kerberos.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(info, fh)
        return info

    def start(self) -> None:
        realm = self._join_realm() if self.kdc else None
        for node in self.topology.nodes:
            endpoint = self._endpoint(node.name)
            self.endpoints[node.name] = endpoint
            self.ports[node.name] = endpoint.port
        self.model.on_node_state(self._node_state_changed)
        inventory.write(self.workdir / "inventory.yml", inventory.render(
            self.topology.cluster, self.ports, self.user, self.password, self.transport,
            ca_path=self.tls.ca_path if self.tls else None, connection=self.connection,
            kerberos_hosts=realm["hosts"] if realm else None, principal=realm["principal"] if realm else None,
            time_scale=self.model.time_scale))

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


def serve(topology_path: Path, workdir: Path, transport: str = "ntlm", time_scale: float | None = None,
          connection: str = "winrm", kdc_dir: Path | None = None) -> None:
    lab = Lab(topology_path, workdir, transport=transport, time_scale=time_scale, connection=connection,
              kdc_dir=kdc_dir)
    lab.start()
    token = secrets.token_urlsafe(24)
    control = ControlServer(token, {
        "state": lambda body: lab.model.state(),
        "events": lambda body: lab.model.events(),
        "fault": lambda body: lab.model.inject_fault(body),
        # wait until no clustered task run is in flight (wsfc_lab.ctasks): true, or false after ``timeout`` seconds
        "wait_tasks": lambda body: clustered(lab.model).wait_idle(float(body.get("timeout", 60))),
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
        "connection": connection,
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
