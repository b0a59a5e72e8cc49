"""The PowerShell Remoting Protocol over WS-Management: runspace pools and pipelines, independent of SOAP and HTTP.

PSRP ([MS-PSRP]) rides on the same WinRS operations as a cmd shell, with a
``http://schemas.microsoft.com/powershell/<configuration>`` resource URI
([MS-PSRP] 3.1.5.3.1-3.1.5.3.13):

* ``Create`` makes a *runspace pool*; the ``creationXml`` element holds the
  client's SESSION_CAPABILITY and INIT_RUNSPACEPOOL messages, and the
  pool's answer (SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA,
  RUNSPACEPOOL_STATE Opened) comes on the next pool ``Receive``.
* ``Command`` with a ``CommandId`` makes a *pipeline*; its ``Arguments`` hold
  the first fragment of CREATE_PIPELINE, further fragments and the pipeline
  input (PIPELINE_INPUT, END_OF_PIPELINE_INPUT) come with ``Send`` on
  ``stdin``; host responses come on ``pr``.
* ``Receive`` with that ``CommandId`` returns the pipeline's messages
  (output, error/warning/verbose records, host calls, PIPELINE_STATE); the
  answer that delivers the final state says ``CommandState Done``.
* ``Signal`` ``powershell/signal/crtl_c`` stops a pipeline (the spec's
  spelling; pypsrp and Windows also use ``ctrl_c``); ``Delete`` closes the pool.

The protocol state machines and the message encoding are psrpcore's sans-IO
``ServerRunspacePool`` and ``ServerPipeline``; this module feeds them what
arrived, runs the pipeline's script and hands their outgoing fragments to
Receive. A pipeline's script runs in the lab's PowerShell engine through the
``runner(node, script, input_objects) -> PipelineResult`` callback
(:mod:`wsfc_lab.pwsh.pipeline_host`), in a background thread, once its input
is complete (the runner takes all input at once, as the WinRS runner takes
stdin). Only the pipeline shape remoting clients such as ansible's psrp
plugin send is modelled: one script command without parameters; other
shapes fail with a "not modelled" error.

Each finished pipeline logs one ``winrm.command`` event (``protocol: psrp``),
as a WinRS command does, without any script or input text.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from psrpcore import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    GetAvailableRunspacesEvent,
    PipelineInputEvent,
    PSRPPayload,
    ResetRunspaceStateEvent,
    ServerPipeline,
    ServerRunspacePool,
    SetMaxRunspacesEvent,
    SetMinRunspacesEvent,
    StreamType,
)
from psrpcore.types import (
    HostMethodIdentifier,
    PipelineState,
    PSInvocationState,
    PSRPMessageType,
    PSVersion,
    RunspacePoolState,
)

from wsfc_lab.pwsh.errors import ErrorRecord
from wsfc_lab.pwsh.pipeline_host import PipelineResult

from . import psrp_values
from .shell import CommandNotFound, ReceiveTimeout, ServiceStopping, ShellNotFound, emit_event

log = logging.getLogger(__name__)

PS_RESOURCE_PREFIX = "http://schemas.microsoft.com/powershell/"
# The configurations a default Windows Server node registers; the lab runs scripts in the first only.
DEFAULT_CONFIGURATION = "Microsoft.PowerShell"
STOP_SIGNALS = ("powershell/signal/crtl_c", "powershell/signal/ctrl_c")

PipelineRunner = Callable[[str, str, list], PipelineResult]

# What Windows PowerShell 5.1 on Windows Server 2019 reports in APPLICATION_PRIVATE_DATA ([MS-PSRP] 2.2.2.13):
# the PSVersionTable the client reads as the server's $PSVersionTable.
_PS_VERSION_TABLE = {
    "PSVersion": PSVersion("5.1.17763.1"),
    "PSEdition": "Desktop",
    "PSCompatibleVersions": [PSVersion(v) for v in ("1.0", "2.0", "3.0", "4.0", "5.0", "5.1.17763.1")],
    "BuildVersion": PSVersion("10.0.17763.1"),
    "CLRVersion": PSVersion("4.0.30319.42000"),
    "WSManStackVersion": PSVersion("3.0"),
    "PSRemotingProtocolVersion": PSVersion("2.3"),
    "SerializationVersion": PSVersion("1.1.0.1"),
}


def is_psrp_resource(resource_uri: str | None) -> bool:
    return (resource_uri or "").lower().startswith(PS_RESOURCE_PREFIX)


def configuration_of(resource_uri: str) -> str:
    return resource_uri[len(PS_RESOURCE_PREFIX):]


class NotAPipeline(ValueError):
    """A Create or Command whose PSRP data could not be read (a malformed or unexpected message)."""


@dataclass
class _Pipeline:
    id: str
    core: ServerPipeline
    inputs: list[Any] = field(default_factory=list)
    created: bool = False
    input_done: bool = False
    started: bool = False
    finished: bool = False
    stopped: bool = False


@dataclass
class _Pool:
    id: str
    owner: str
    client_ip: str
    auth: str | None
    core: ServerRunspacePool
    pipelines: dict[str, _Pipeline] = field(default_factory=dict)
    # outgoing PSRP data per target (None: the pool itself), each item a whole PSRP payload (fragments)
    outbox: dict[str | None, list[bytes]] = field(default_factory=dict)


@dataclass
class PSRPReceive:
    chunks: list[bytes]
    done: bool  # the pipeline's final state is in these chunks (always False for a pool)


class PSRPService:
    """All runspace pools of one endpoint. Thread-safe; one condition variable wakes Receives."""

    def __init__(self, node: str, runner: PipelineRunner, on_event: Callable[[dict], None] | None = None, *,
                 max_chunk: int = 64 * 1024) -> None:
        self.node = node
        self._runner = runner
        self._on_event = on_event
        self._max_chunk = max_chunk
        self._cond = threading.Condition()
        self._pools: dict[str, _Pool] = {}
        self._threads: set[threading.Thread] = set()
        self._stopping = False

    # ----------------------------------------------------------------- pools

    def create_pool(self, shell_id: str | None, owner: str, client_ip: str, auth: str | None,
                    creation: bytes) -> _Pool:
        """Open a runspace pool from the client's creationXml data (SESSION_CAPABILITY + INIT_RUNSPACEPOOL)."""
        with self._cond:
            if self._stopping:
                raise ServiceStopping()
            pool_id = (shell_id or str(uuid.uuid4())).upper()
            core = ServerRunspacePool(application_private_data={"PSVersionTable": dict(_PS_VERSION_TABLE)})
            pool = _Pool(pool_id, owner, client_ip, auth, core)
            self._feed(pool, creation, None, StreamType.default)
            if core.state != RunspacePoolState.Opened:
                raise NotAPipeline("the creationXml did not open a runspace pool")
            self._pools[pool_id] = pool
            self._cond.notify_all()
            return pool

    def delete_pool(self, shell_id: str) -> None:
        with self._cond:
            pool = self._pools.pop(shell_id.upper(), None)
            if pool is None:
                raise ShellNotFound(shell_id)
            for pipeline in pool.pipelines.values():
                pipeline.stopped = True
            pool.pipelines.clear()
            self._cond.notify_all()

    def _pool(self, shell_id: str) -> _Pool:
        pool = self._pools.get(shell_id.upper())
        if pool is None:
            raise ShellNotFound(shell_id)
        return pool

    def _pipeline(self, pool: _Pool, command_id: str) -> _Pipeline:
        pipeline = pool.pipelines.get(command_id.upper())
        if pipeline is None:
            raise CommandNotFound(command_id)
        return pipeline

    @property
    def pool_count(self) -> int:
        with self._cond:
            return len(self._pools)

    # ----------------------------------------------------------------- pipelines

    def command(self, shell_id: str, command_id: str | None, data: bytes) -> str:
        """Create a pipeline from the first CREATE_PIPELINE fragment; return its CommandId."""
        with self._cond:
            if self._stopping:
                raise ServiceStopping()
            pool = self._pool(shell_id)
            try:
                pipeline_uuid = uuid.UUID(command_id) if command_id else uuid.uuid4()
            except ValueError:
                raise NotAPipeline(f"the CommandId {command_id!r} is not a GUID") from None
            pid = str(pipeline_uuid).upper()
            pool.pipelines[pid] = _Pipeline(pid, ServerPipeline(pool.core, pipeline_uuid))
            self._feed(pool, data, pipeline_uuid, StreamType.default)
            return pid

    def send(self, shell_id: str, command_id: str | None, stream: str, data: bytes) -> None:
        with self._cond:
            pool = self._pool(shell_id)
            stream_type = StreamType.prompt_response if stream == "pr" else StreamType.default
            target = None
            if command_id:
                pipeline = self._pipeline(pool, command_id)
                target = pipeline.core.pipeline_id
            self._feed(pool, data, target, stream_type)

    def signal(self, shell_id: str, command_id: str, code: str) -> None:
        """Stop (``crtl_c``) or forget (``terminate``) a pipeline; a finished one is only forgotten."""
        with self._cond:
            pool = self._pool(shell_id)
            pipeline = self._pipeline(pool, command_id)
            if code.lower() in STOP_SIGNALS and not pipeline.finished and pipeline.started:
                pipeline.core.stop()  # PIPELINE_STATE Stopped with PipelineStoppedException
                self._pump(pool)
            pipeline.stopped = True
            pool.pipelines.pop(pipeline.id, None)
            pool.outbox.pop(pipeline.id, None)
            if pipeline.core.state != PSInvocationState.Running:
                pipeline.core.close()
            self._cond.notify_all()

    def receive(self, shell_id: str, command_id: str | None, timeout: float) -> PSRPReceive:
        """Wait for data for the pool or one pipeline; ``ReceiveTimeout`` when none came within ``timeout``."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            pool = self._pool(shell_id)
            pipeline = self._pipeline(pool, command_id) if command_id else None
            key = pipeline.id if pipeline else None
            while not pool.outbox.get(key):
                if self._stopping:
                    raise ServiceStopping()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ReceiveTimeout()
                self._cond.wait(remaining)
                pool = self._pool(shell_id)  # the pool may have been deleted meanwhile
                if pipeline is not None:
                    pipeline = self._pipeline(pool, command_id)
            queue = pool.outbox[key]
            chunks, budget = [], self._max_chunk
            while queue and (not chunks or len(queue[0]) <= budget):
                budget -= len(queue[0])
                chunks.append(queue.pop(0))
            done = pipeline is not None and pipeline.finished and not queue
            return PSRPReceive(chunks, done)

    # ----------------------------------------------------------------- PSRP messages

    def _feed(self, pool: _Pool, data: bytes, pipeline_id: uuid.UUID | None, stream_type: StreamType) -> None:
        """Give psrpcore what arrived and act on every complete message (caller holds the lock)."""
        try:
            pool.core.receive_data(PSRPPayload(data, stream_type, pipeline_id))
            while True:
                event = pool.core.next_event()
                if event is None:
                    break
                self._on_psrp_event(pool, event)
        except NotAPipeline:
            raise
        except Exception as exc:  # psrpcore refuses fragments and messages it cannot read
            raise NotAPipeline(f"unreadable PSRP data: {type(exc).__name__}: {exc}") from None
        self._pump(pool)

    def _on_psrp_event(self, pool: _Pool, event: Any) -> None:
        pid = str(event.pipeline_id).upper() if getattr(event, "pipeline_id", None) else None
        pipeline = pool.pipelines.get(pid) if pid else None
        if isinstance(event, CreatePipelineEvent) and pipeline is not None:
            pipeline.created = True
            pipeline.input_done = pipeline.input_done or bool(event.pipeline.no_input)
        elif isinstance(event, PipelineInputEvent) and pipeline is not None:
            pipeline.inputs.append(event.data)
        elif isinstance(event, EndOfPipelineInputEvent) and pipeline is not None:
            pipeline.input_done = True
        elif isinstance(event, (SetMaxRunspacesEvent, SetMinRunspacesEvent, ResetRunspaceStateEvent)):
            pool.core.runspace_availability_response(event.ci, True)
        elif isinstance(event, GetAvailableRunspacesEvent):
            running = sum(1 for p in pool.pipelines.values() if p.started and not p.finished)
            pool.core.runspace_availability_response(event.ci, max(0, pool.core.max_runspaces - running))
        if pipeline is not None and pipeline.created and pipeline.input_done and not pipeline.started:
            self._launch(pool, pipeline)

    def _pump(self, pool: _Pool) -> None:
        """Move psrpcore's outgoing fragments to the outbox of their target (caller holds the lock)."""
        while True:
            payload = pool.core.data_to_send(self._max_chunk)
            if payload is None:
                break
            key = str(payload.pipeline_id).upper() if payload.pipeline_id else None
            pool.outbox.setdefault(key, []).append(payload.data)
        self._cond.notify_all()

    # ----------------------------------------------------------------- running a pipeline

    def _launch(self, pool: _Pool, pipeline: _Pipeline) -> None:
        # The server's pipeline is Running from CREATE_PIPELINE on ([MS-PSRP] 3.2.5.4.10); Windows sends no
        # PIPELINE_STATE for that transition, so the state is set without a message.
        pipeline.started = True
        pipeline.core.state = PSInvocationState.Running
        thread = threading.Thread(target=self._run, args=(pool, pipeline),
                                  name=f"winrm-{self.node}-psrp-{pipeline.id[:8]}", daemon=True)
        self._threads.add(thread)
        thread.start()

    def _script_of(self, pipeline: _Pipeline) -> str:
        commands = pipeline.core.metadata.commands if pipeline.core.metadata is not None else []
        if len(commands) != 1 or not commands[0].is_script or commands[0].parameters:
            raise _NotModelledPipeline()
        return str(commands[0].command_text)

    def _run(self, pool: _Pool, pipeline: _Pipeline) -> None:
        try:
            try:
                script = self._script_of(pipeline)
                inputs = [psrp_values.from_clixml_value(v) for v in pipeline.inputs]
                result = self._runner(self.node, script, inputs)
            except _NotModelledPipeline:
                result = PipelineResult(failure=ErrorRecord(
                    "wsfc_lab: only a pipeline of one script without parameters (PowerShell.AddScript, as remoting "
                    "clients such as ansible's psrp plugin send) is modelled by the lab.", "NotImplemented",
                    "NotModelled", "System.Management.Automation.RuntimeException"))
            except Exception as exc:  # the lab failed running it: the pipeline fails, the service goes on
                log.warning("pipeline runner failed on %s: %s", self.node, type(exc).__name__)
                result = PipelineResult(failure=psrp_values.exception_record(exc))
            with self._cond:
                if not pipeline.stopped:
                    self._deliver(pool, pipeline, result)
                pipeline.finished = True
                self._cond.notify_all()
            emit_event(self._on_event, {
                "op": "winrm.command", "node": self.node, "protocol": "psrp", "auth": pool.auth,
                "ok": result.rc == 0, "rc": result.rc, "command": "PowerShell.AddScript",
                "outputs": sum(1 for kind, _ in result.records if kind == "output"),
                "errors": sum(1 for kind, _ in result.records if kind == "error") + (1 if result.failure else 0),
                "stopped": pipeline.stopped,
            })
        finally:
            with self._cond:
                self._threads.discard(threading.current_thread())
                self._cond.notify_all()

    def _deliver(self, pool: _Pool, pipeline: _Pipeline, result: PipelineResult) -> None:
        """Turn the pipeline's result into PSRP messages in the order they were written (caller holds the lock)."""
        core = pipeline.core
        for kind, item in result.records:
            if kind == "output":
                core.write_output(psrp_values.to_clixml_value(item))
            elif kind == "error":
                core.prepare_message(psrp_values.to_error_record(item), message_type=PSRPMessageType.ErrorRecord)
            elif kind == "warning":
                core.write_warning(item)
            elif kind == "verbose":
                core.write_verbose(item)
            elif kind == "host":
                core.host_call(HostMethodIdentifier.WriteLine2, [item])
            elif kind == "host-nonl":
                core.host_call(HostMethodIdentifier.Write1, [item])
        if result.exit_code is not None:
            # `exit N` calls the host's SetShouldExit(N) ([MS-PSRP] 2.2.3.17 method 6); the pipeline completes.
            core.host_call(HostMethodIdentifier.SetShouldExit, [result.exit_code])
        if result.failure is not None:
            core.prepare_message(PipelineState(PipelineState=int(PSInvocationState.Failed),
                                               ExceptionAsErrorRecord=psrp_values.to_error_record(result.failure)))
            core.state = PSInvocationState.Failed
        else:
            core.complete()
        self._pump(pool)

    # ----------------------------------------------------------------- shutdown

    def stop(self, timeout: float = 5.0) -> list[threading.Thread]:
        """Refuse new work, wake every waiting Receive, join pipeline threads; return those still alive."""
        with self._cond:
            self._stopping = True
            for pool in self._pools.values():
                for pipeline in pool.pipelines.values():
                    pipeline.stopped = True
            self._pools.clear()
            self._cond.notify_all()
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        me = threading.current_thread()
        for t in threads:
            if t is not me:
                t.join(max(0.0, deadline - time.monotonic()))
        return [t for t in threads if t.is_alive() and t is not me]


class _NotModelledPipeline(Exception):
    """The pipeline is not one script command (see the module docstring)."""
