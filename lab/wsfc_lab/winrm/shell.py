"""WinRS shell and command state, independent of SOAP and HTTP.

A *shell* (``transfer/Create``) holds *commands* (``shell/Command``). Each
command is run by the lab's runner ``runner(node, command, arguments,
stdin_bytes) -> (exit_code, stdout, stderr)`` in a background thread.

When the runner starts
    The runner takes the whole of stdin at once, so a command starts when its
    stdin is complete: on the ``Send`` that carries ``End="true"``, or, for a
    client that never sends stdin (pywinrm's ``run_cmd``, ansible's ``raw``),
    on the first ``Receive``. Both clients send all stdin before their first
    Receive, so this is indistinguishable on the wire from Windows starting
    the process at ``Command``. Input that arrives after the runner started is
    discarded (the process's stdin is closed by then).

Receive
    Waits until the command has finished or the operation timeout elapses
    (``ReceiveTimeout`` → the ``w:TimedOut`` fault, which clients treat as
    "poll again"). Output is handed out in chunks of at most
    ``max_chunk`` bytes per Receive so a response stays well inside
    ``w:MaxEnvelopeSize`` (153600) after base64; the command is reported Done
    only with the last chunk.

Signal
    ``terminate`` forgets the command (ansible and pywinrm send it after every
    command); a still-running runner thread cannot be killed, so it finishes in
    the background and its result is dropped. ``ctrl_c``/``ctrl_break`` are
    accepted and have no effect (the runner cannot be interrupted).

Events
    ``on_event`` gets one ``winrm.command`` event per finished runner call
    (``protocol: winrs``, ``auth``: how the shell's client authenticated),
    without argument text (it may carry secrets). Errors in the callback are
    swallowed; a runner exception becomes exit code 1 with the error on
    stderr. Neither can take the server down.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .soap import new_guid

log = logging.getLogger(__name__)

Runner = Callable[[str, str, list[str], bytes], tuple[int, bytes, bytes]]
EventSink = Callable[[dict], None]


class ShellNotFound(LookupError):
    def __init__(self, shell_id: str) -> None:
        super().__init__(shell_id)
        self.shell_id = shell_id


class CommandNotFound(LookupError):
    pass


class ReceiveTimeout(TimeoutError):
    pass


class ServiceStopping(RuntimeError):
    pass


@dataclass
class Command:
    id: str
    command: str
    arguments: list[str]
    stdin: list[bytes] = field(default_factory=list)
    started: bool = False
    finished: bool = False
    exit_code: int = 0
    stdout: bytes = b""
    stderr: bytes = b""
    sent_stdout: int = 0
    sent_stderr: int = 0
    end_reported: bool = False
    auth: str | None = None


@dataclass
class Shell:
    id: str
    owner: str
    client_ip: str
    input_streams: str
    output_streams: str
    auth: str | None = None  # the authentication that opened it (ntlm, kerberos, basic), for the events
    commands: dict[str, Command] = field(default_factory=dict)


@dataclass
class ReceiveResult:
    streams: list[tuple[str, bytes, bool]]  # (name, data, end)
    exit_code: int | None  # None while running


def emit_event(on_event: EventSink | None, event: dict) -> None:
    if on_event is None:
        return
    try:
        on_event(event)
    except Exception:  # an observer must never break the service
        log.exception("on_event callback failed for %s", event.get("op"))


class ShellService:
    """All shells of one endpoint. Thread-safe; one condition variable wakes Receives."""

    def __init__(
        self,
        node: str,
        runner: Runner,
        on_event: EventSink | None = None,
        *,
        max_chunk: int = 64 * 1024,
    ) -> None:
        self.node = node
        self._runner = runner
        self._on_event = on_event
        self._max_chunk = max_chunk
        self._cond = threading.Condition()
        self._shells: dict[str, Shell] = {}
        self._threads: set[threading.Thread] = set()
        self._stopping = False

    # ----------------------------------------------------------------- shells

    def create_shell(self, owner: str, client_ip: str, input_streams: str, output_streams: str,
                     auth: str | None = None) -> Shell:
        with self._cond:
            if self._stopping:
                raise ServiceStopping()
            shell = Shell(new_guid(), owner, client_ip, input_streams, output_streams, auth)
            self._shells[shell.id] = shell
            return shell

    def delete_shell(self, shell_id: str) -> None:
        with self._cond:
            if self._shells.pop(shell_id, None) is None:
                raise ShellNotFound(shell_id)
            self._cond.notify_all()

    def _shell(self, shell_id: str) -> Shell:
        shell = self._shells.get(shell_id)
        if shell is None:
            raise ShellNotFound(shell_id)
        return shell

    def _command(self, shell_id: str, command_id: str) -> Command:
        cmd = self._shell(shell_id).commands.get(command_id)
        if cmd is None:
            raise CommandNotFound(command_id)
        return cmd

    @property
    def shell_count(self) -> int:
        with self._cond:
            return len(self._shells)

    # ----------------------------------------------------------------- commands

    def start_command(self, shell_id: str, command: str, arguments: list[str]) -> str:
        with self._cond:
            if self._stopping:
                raise ServiceStopping()
            shell = self._shell(shell_id)
            cmd = Command(new_guid(), command, list(arguments), auth=shell.auth)
            shell.commands[cmd.id] = cmd
            return cmd.id

    def send(self, shell_id: str, command_id: str, data: bytes, end: bool) -> None:
        with self._cond:
            cmd = self._command(shell_id, command_id)
            if cmd.started:
                return  # stdin of the process is already closed
            cmd.stdin.append(data)
            if end:
                self._launch(cmd)

    def signal(self, shell_id: str, command_id: str, code: str) -> None:
        with self._cond:
            shell = self._shell(shell_id)
            if command_id not in shell.commands:
                raise CommandNotFound(command_id)
            if code.endswith("/terminate"):
                del shell.commands[command_id]
                self._cond.notify_all()

    def receive(self, shell_id: str, command_id: str, timeout: float) -> ReceiveResult:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            cmd = self._command(shell_id, command_id)
            if not cmd.started:
                self._launch(cmd)
            while not cmd.finished:
                remaining = deadline - time.monotonic()
                if self._stopping:
                    raise ServiceStopping()
                if remaining <= 0:
                    raise ReceiveTimeout()
                self._cond.wait(remaining)
                # the command may have been terminated or its shell deleted meanwhile
                cmd = self._command(shell_id, command_id)
            return self._take_output(cmd)

    def _take_output(self, cmd: Command) -> ReceiveResult:
        budget = self._max_chunk
        streams: list[tuple[str, bytes, bool]] = []
        for name in ("stdout", "stderr"):
            data = cmd.stdout if name == "stdout" else cmd.stderr
            sent = cmd.sent_stdout if name == "stdout" else cmd.sent_stderr
            take = min(budget, len(data) - sent)
            if take > 0:
                streams.append((name, data[sent : sent + take], False))
                sent += take
                budget -= take
                if name == "stdout":
                    cmd.sent_stdout = sent
                else:
                    cmd.sent_stderr = sent
        complete = cmd.sent_stdout >= len(cmd.stdout) and cmd.sent_stderr >= len(cmd.stderr)
        if not complete:
            return ReceiveResult(streams, None)
        if not cmd.end_reported:
            streams.append(("stdout", b"", True))
            streams.append(("stderr", b"", True))
            cmd.end_reported = True
        return ReceiveResult(streams, cmd.exit_code)

    def _launch(self, cmd: Command) -> None:
        """Start the runner thread (caller holds the lock)."""
        cmd.started = True
        stdin = b"".join(cmd.stdin)
        cmd.stdin.clear()
        thread = threading.Thread(
            target=self._run,
            args=(cmd, stdin),
            name=f"winrm-{self.node}-cmd-{cmd.id[:8]}",
            daemon=True,
        )
        self._threads.add(thread)
        thread.start()

    def _run(self, cmd: Command, stdin: bytes) -> None:
        try:
            try:
                result = self._runner(self.node, cmd.command, list(cmd.arguments), stdin)
                rc, out, err = result
                rc = int(rc)
                out = bytes(out or b"")
                err = bytes(err or b"")
            except Exception as exc:  # the process "crashed": exit 1, error on stderr
                log.warning("runner failed on %s: %s", self.node, type(exc).__name__)
                rc, out, err = 1, b"", f"{type(exc).__name__}: {exc}\r\n".encode("utf-8", "replace")
            with self._cond:
                cmd.exit_code, cmd.stdout, cmd.stderr = rc, out, err
                cmd.finished = True
                self._cond.notify_all()
            emit_event(
                self._on_event,
                {
                    "op": "winrm.command",
                    "node": self.node,
                    "protocol": "winrs",
                    "auth": cmd.auth,
                    "ok": rc == 0,
                    "rc": rc,
                    "command": cmd.command,
                    "stdout_bytes": len(out),
                    "stderr_bytes": len(err),
                },
            )
        finally:
            with self._cond:
                self._threads.discard(threading.current_thread())
                self._cond.notify_all()

    # ----------------------------------------------------------------- shutdown

    def stop(self, timeout: float = 5.0) -> list[threading.Thread]:
        """Refuse new work, wake every waiting Receive, join runner threads.

        Returns the runner threads still alive after *timeout* (a runner that
        does not return cannot be killed from Python); the caller reports them.
        """
        with self._cond:
            self._stopping = True
            self._shells.clear()
            self._cond.notify_all()
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        me = threading.current_thread()  # stop() may be called by a runner (a node taking itself down)
        for t in threads:
            if t is not me:
                t.join(max(0.0, deadline - time.monotonic()))
        return [t for t in threads if t.is_alive() and t is not me]
