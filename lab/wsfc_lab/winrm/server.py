"""The HTTP(S) side of a simulated node's WinRM listener: :class:`WinRMEndpoint`.

One endpoint per simulated node, bound to 127.0.0.1. Each accepted TCP
connection gets its own thread, and its own authentication state, because
Windows (HTTP.sys + WinRM) binds an NTLM security context to the connection:
after the handshake, later requests on the same keep-alive connection carry
no ``Authorization`` header and their bodies are sealed with that
connection's keys. A new connection must authenticate again. So connections
are never closed by the server except after an authentication or decryption
failure (as Windows does) or at :meth:`WinRMEndpoint.stop`.

HTTP statuses (what Windows answers, and what the clients rely on):

* no or unusable credentials: ``401`` with ``WWW-Authenticate: Negotiate`` and
  ``WWW-Authenticate: NTLM`` (ntlm transport) or
  ``WWW-Authenticate: Basic realm="WSMAN"`` (basic-https); pywinrm maps 401 to
  ``InvalidCredentialsError``, ansible to "the specified credentials were
  rejected by the server" (UNREACHABLE).
* NTLM handshake leg: ``401`` with ``WWW-Authenticate: <scheme> <CHALLENGE>``,
  connection kept open.
* authenticated empty POST (pywinrm's encryption set-up message): ``200``,
  empty body.
* unencrypted SOAP body on the NTLM/HTTP listener (``AllowUnencrypted=false``):
  ``500`` with an empty body, and the connection is closed. Reports of real
  servers (pywinrm issues #129 and #208) show HTTP 500 for this case.
* body that cannot be unsealed: ``400`` and the connection is closed (what
  Windows does, per the MSDN protocols forum thread "HTTP 400 when using
  [MS-WSMV] WSMan/WinRM Message Encryption with Negotiate"). Ansible's winrm
  plugin already tolerates this 400 in its cleanup path.
* SOAP faults: ``500`` with the fault envelope (sealed when the request was).
* anything but ``/wsman``: ``404``; anything but POST: ``405``; a body over
  1 MiB: ``413``; chunked bodies: ``411`` (clients always send Content-Length).
"""

from __future__ import annotations

import base64
import binascii
import logging
import socket
import socketserver
import ssl
import threading
from http.server import BaseHTTPRequestHandler
from typing import Callable, Literal
from urllib.parse import urlsplit

from . import encryption, psrp, soap
from .auth import AuthFailed, CredentialStore, HTTPAcceptor, KerberosService, check_basic
from .shell import (
    CommandNotFound,
    ReceiveTimeout,
    Runner,
    ServiceStopping,
    ShellNotFound,
    ShellService,
    emit_event,
)
from .tls import TLSMaterial

log = logging.getLogger(__name__)

__all__ = ["TRANSPORTS", "WinRMEndpoint"]

TRANSPORTS = ("ntlm", "kerberos", "basic-https")

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
DEFAULT_OPERATION_TIMEOUT = 60.0  # Windows' default MaxTimeoutms-bounded OperationTimeout
# Windows' MaxEnvelopeSizekb defaults to 500 KB; ansible sends up to ~270 KB per stdin chunk.
# Anything far beyond is refused before it is buffered (the check runs before authentication).
MAX_REQUEST_BYTES = 1024 * 1024
_TRUE = {"true", "1"}


class DropConnection(Exception):
    """Raised while handling a request to close the connection without answering it."""


class _Connection:
    """Per-TCP-connection authentication state."""

    __slots__ = ("acceptor", "user")

    def __init__(self) -> None:
        self.acceptor: HTTPAcceptor | None = None
        self.user: str | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = None  # keep-alive connections wait for the next request indefinitely
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        self.conn_state = _Connection()

    def version_string(self) -> str:
        return "Microsoft-HTTPAPI/2.0"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.server.endpoint.node, format % args)

    def do_POST(self) -> None:
        try:
            self.server.endpoint._handle_post(self)
        except DropConnection:
            # No reply at all: the client sees the connection reset, as after a network failure.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _not_allowed(self) -> None:
        self.reply(405, headers=[("Allow", "POST")])

    do_GET = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _not_allowed

    def reply(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str | None = None,
        headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
        close: bool = False,
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if content_type and body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


class _Server(socketserver.TCPServer):
    """TCP server with one named, tracked thread per connection (joined on stop)."""

    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], endpoint: "WinRMEndpoint", ssl_context: ssl.SSLContext | None):
        self.endpoint = endpoint
        self.ssl_context = ssl_context
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.threads: set[threading.Thread] = set()
        self.closing = False
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        with self.lock:
            if self.closing:
                self.shutdown_request(request)
                return
            thread = threading.Thread(
                target=self._serve_connection,
                args=(request, client_address),
                name=f"winrm-{self.endpoint.node}-conn",
                daemon=True,
            )
            self.threads.add(thread)
            self.connections.add(request)
        thread.start()

    def _serve_connection(self, sock: socket.socket, client_address) -> None:
        try:
            if self.ssl_context is not None:
                sock.settimeout(10)
                tls = self.ssl_context.wrap_socket(sock, server_side=True)
                tls.settimeout(None)
                with self.lock:
                    self.connections.discard(sock)
                    self.connections.add(tls)
                sock = tls
            self.finish_request(sock, client_address)
        except (OSError, ssl.SSLError) as exc:
            log.debug("connection from %s ended: %s", client_address, exc)
        except Exception:
            log.exception("connection handler failed on %s", self.endpoint.node)
        finally:
            try:
                self.shutdown_request(sock)
            except OSError:
                pass
            with self.lock:
                self.connections.discard(sock)
                self.threads.discard(threading.current_thread())

    def close_connections(self) -> list[threading.Thread]:
        with self.lock:
            self.closing = True
            conns = list(self.connections)
            threads = list(self.threads)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass
        return threads


class WinRMEndpoint:
    """A WinRM listener for one simulated node.

    ``runner(node, command, arguments, stdin) -> (exit_code, stdout, stderr)``
    executes a command; ``arguments`` is the list of ``rsp:Arguments``
    element texts exactly as sent (pywinrm and ansible send a single element
    holding all arguments joined by spaces, as Windows passes them on to the
    process command line).

    ``psrp_runner(node, script, input_objects) -> PipelineResult`` runs the
    script of a PSRP pipeline (the ``Microsoft.PowerShell`` session
    configuration, :mod:`.psrp`); without it the endpoint serves WinRS only,
    and a PowerShell resource URI gets the resource-not-found fault.

    ``credentials`` maps user names (``user``, ``DOMAIN\\user`` or
    ``user@domain``) to passwords.

    ``transport`` is ``"ntlm"`` (HTTP, NTLM auth via Negotiate or NTLM,
    message encryption required), ``"kerberos"`` (HTTP, Negotiate with
    Kerberos for the *kerberos* service principal, or NTLM, as a domain-joined
    node accepts by default; message encryption required) or
    ``"basic-https"`` (HTTPS with *tls*, Basic auth).

    ``operation_timeout_cap`` bounds how long one Receive waits before
    answering the ``w:TimedOut`` fault (tests set ~1 s so long commands
    exercise repeated Receives).
    """

    def __init__(
        self,
        node: str,
        runner: Runner,
        credentials: dict[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        transport: Literal["ntlm", "kerberos", "basic-https"] = "ntlm",
        tls: TLSMaterial | None = None,
        on_event: Callable[[dict], None] | None = None,
        operation_timeout_cap: float | None = None,
        drop_reply: Callable[[], bool] | None = None,
        psrp_runner: psrp.PipelineRunner | None = None,
        kerberos: KerberosService | None = None,
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"unsupported transport {transport!r}")
        if transport == "basic-https" and tls is None:
            raise ValueError("transport 'basic-https' needs tls material (make_tls_material)")
        if transport == "kerberos" and kerberos is None:
            raise ValueError("transport 'kerberos' needs the node's Kerberos service (KerberosService)")
        self.node = node
        self.host = host
        self.transport = transport
        self.tls = tls
        self.operation_timeout_cap = operation_timeout_cap
        # Asked once a command has ended, before its last output is sent: True drops the TCP connection instead of
        # answering, as a network failure after the node did the work would (the lab's winrm_drop fault).
        self.drop_reply = drop_reply
        self._on_event = on_event
        self._store = CredentialStore(credentials)
        self._shells = ShellService(node, runner, on_event)
        self._psrp = psrp.PSRPService(node, psrp_runner, on_event) if psrp_runner is not None else None
        self._kerberos = kerberos if transport == "kerberos" else None
        self._server = _Server((host, port), self, tls.server_context() if tls else None)
        self.port: int = self._server.server_address[1]
        self._serve_thread: threading.Thread | None = None
        self._stopped = False

    # ----------------------------------------------------------------- lifecycle

    @property
    def scheme(self) -> str:
        return "https" if self.transport == "basic-https" else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/wsman"

    def start(self) -> None:
        if self._serve_thread is not None:
            raise RuntimeError("endpoint already started")
        if self._stopped:
            raise RuntimeError("endpoint was stopped; create a new one")
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"winrm-{self.node}-listener",
            daemon=True,
        )
        self._serve_thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and every connection; join all threads."""
        if self._stopped:
            return
        self._stopped = True
        if self._serve_thread is not None and self._serve_thread is not threading.current_thread():
            self._server.shutdown()
            self._serve_thread.join(timeout)
        self._server.server_close()
        conn_threads = self._server.close_connections()
        stuck_runners = self._shells.stop(timeout)
        if self._psrp is not None:
            stuck_runners += self._psrp.stop(timeout)
        me = threading.current_thread()
        for t in conn_threads:
            if t is not me:
                t.join(timeout)
        alive = [t.name for t in conn_threads if t.is_alive() and t is not me] + [t.name for t in stuck_runners]
        if alive:
            log.warning("%s: threads still running after stop(): %s", self.node, alive)

    def __enter__(self) -> "WinRMEndpoint":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----------------------------------------------------------------- HTTP

    def _auth_failed(self, user: str | None) -> None:
        emit_event(self._on_event, {"op": "winrm.auth", "ok": False, "user": user, "node": self.node})

    def _challenge_headers(self) -> list[tuple[str, str]]:
        if self.transport == "ntlm":
            return [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")]
        if self.transport == "kerberos":
            # A domain member's listener offers what its ServiceAuthType enables by default ([MS-WSMV] 2.2.4.34).
            return [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "Kerberos")]
        return [("WWW-Authenticate", 'Basic realm="WSMAN"'), ("WWW-Authenticate", "Negotiate")]

    def _handle_post(self, h: _Handler) -> None:
        if urlsplit(h.path).path.rstrip("/").lower() != "/wsman":
            h.reply(404)
            return
        if "chunked" in h.headers.get("Transfer-Encoding", "").lower():
            h.reply(411, close=True)
            return
        try:
            length = int(h.headers.get("Content-Length", "0"))
            if length < 0:
                raise ValueError
        except ValueError:
            h.reply(400, close=True)
            return
        if length > MAX_REQUEST_BYTES:
            h.reply(413, close=True)
            return
        body = h.rfile.read(length) if length else b""
        if len(body) != length:  # client went away mid-request
            h.close_connection = True
            return
        content_type = h.headers.get("Content-Type", "")

        if h.headers.get("WSMANIDENTIFY", "").strip().lower() == "unauthenticated" and body:
            try:
                req = soap.parse_request(body)
            except soap.MalformedEnvelope:
                req = None
            if req is not None and soap.is_identify(req):
                h.reply(200, soap.identify_response(False), content_type=SOAP_CONTENT_TYPE)
                return

        if self.transport == "basic-https":
            self._handle_basic(h, body, content_type)
        else:
            self._handle_negotiate(h, body, content_type)

    def _handle_negotiate(self, h: _Handler, body: bytes, content_type: str) -> None:
        """Negotiate/NTLM/Kerberos (RFC 4559): 401 with a challenge until the context is made, then sealed SOAP."""
        state = h.conn_state
        authz = h.headers.get("Authorization")
        final: list[tuple[str, str]] = []
        if authz:
            scheme, _, token_b64 = authz.strip().partition(" ")
            if scheme.lower() not in ("negotiate", "ntlm", "kerberos"):
                h.reply(401, headers=self._challenge_headers())
                return
            try:
                token = base64.b64decode(token_b64.strip(), validate=True)
            except (binascii.Error, ValueError):
                self._auth_failed(None)
                h.reply(401, headers=self._challenge_headers(), close=True)
                return
            if state.acceptor is None or state.acceptor.complete:
                state.acceptor = HTTPAcceptor(self._store, self._kerberos)
                state.user = None
            try:
                out = state.acceptor.step(token)
            except AuthFailed as exc:
                state.acceptor = None
                state.user = None
                self._auth_failed(exc.user)
                h.reply(401, headers=self._challenge_headers(), close=True)
                return
            if not state.acceptor.complete:
                if out is None:  # a handshake that neither goes on nor ends
                    state.acceptor = None
                    self._auth_failed(None)
                    h.reply(401, headers=self._challenge_headers(), close=True)
                    return
                h.reply(401, headers=[("WWW-Authenticate", f"{scheme} {base64.b64encode(out).decode()}")])
                return
            state.user = state.acceptor.user
            if out is not None:  # the last leg's token (Kerberos AP-REP, SPNEGO accept-complete) goes with the 200
                final = [("WWW-Authenticate", f"{scheme} {base64.b64encode(out).decode()}")]
        if state.acceptor is None or state.user is None:
            h.reply(401, headers=self._challenge_headers())
            return
        if not body:
            h.reply(200, headers=final)
            return
        protocol = encryption.protocol_of(content_type)
        if protocol is None:
            log.info("%s: rejected unencrypted message from %s (AllowUnencrypted=false)", self.node, state.user)
            h.reply(500, close=True)
            return
        try:
            plain = encryption.decrypt(body, state.acceptor, protocol)
        except encryption.EncryptionError as exc:
            log.info("%s: could not unseal message: %s", self.node, exc)
            state.acceptor = None
            state.user = None
            h.reply(400, close=True)
            return
        status, response = self._dispatch(plain, state.user, h)
        if status == 503:
            h.reply(503, close=True)
            return
        h.reply(status, encryption.encrypt(response, state.acceptor, protocol), headers=final,
                content_type=encryption.content_type(protocol))

    def _handle_basic(self, h: _Handler, body: bytes, content_type: str) -> None:
        scheme, _, value = h.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "basic":
            h.reply(401, headers=self._challenge_headers())
            return
        try:
            user = check_basic(value, self._store)
        except AuthFailed as exc:
            self._auth_failed(exc.user)
            h.reply(401, headers=self._challenge_headers())
            return
        if not body:
            h.reply(200)
            return
        status, response = self._dispatch(body, user, h)
        if status == 503:
            h.reply(503, close=True)
            return
        h.reply(status, response, content_type=SOAP_CONTENT_TYPE)

    # ----------------------------------------------------------------- SOAP

    def _dispatch(self, data: bytes, user: str, h: _Handler) -> tuple[int, bytes]:
        try:
            req = soap.parse_request(data)
        except soap.MalformedEnvelope:
            fault = soap.invalid_request("The request is not a well-formed SOAP envelope.")
            return 500, soap.fault_envelope(fault, None, self.node)
        try:
            return 200, self._operate(req, user, h)
        except soap.WSManFault as fault:
            return 500, soap.fault_envelope(fault, req.message_id, self.node)
        except ServiceStopping:
            return 503, b""

    def _operate(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        if soap.is_identify(req):
            return soap.identify_response(True)
        action = req.action or ""
        handlers = {
            soap.ACTION_CREATE: self._op_create,
            soap.ACTION_DELETE: self._op_delete,
            soap.ACTION_COMMAND: self._op_command,
            soap.ACTION_SEND: self._op_send,
            soap.ACTION_RECEIVE: self._op_receive,
            soap.ACTION_SIGNAL: self._op_signal,
        }
        resource = req.resource_uri or ""
        if psrp.is_psrp_resource(resource) and self._psrp is not None:
            if psrp.configuration_of(resource).lower() != psrp.DEFAULT_CONFIGURATION.lower():
                raise soap.resource_not_found(resource)
            handlers = {
                soap.ACTION_CREATE: self._psrp_create,
                soap.ACTION_DELETE: self._psrp_delete,
                soap.ACTION_COMMAND: self._psrp_command,
                soap.ACTION_SEND: self._psrp_send,
                soap.ACTION_RECEIVE: self._psrp_receive,
                soap.ACTION_SIGNAL: self._psrp_signal,
            }
        elif resource.lower() != soap.SHELL_CMD_URI.lower():
            if action not in handlers:
                raise soap.action_not_supported(action)
            raise soap.resource_not_found(resource)
        handler = handlers.get(action)
        if handler is None:
            raise soap.action_not_supported(action)
        try:
            return handler(req, user, h)
        except ShellNotFound as exc:
            raise soap.shell_not_found(exc.shell_id) from None
        except CommandNotFound:
            raise soap.command_not_found() from None
        except psrp.NotAPipeline as exc:
            raise soap.invalid_request(str(exc)) from None

    def _shell_id(self, req: soap.WSManRequest) -> str:
        shell_id = req.selectors.get("ShellId")
        if not shell_id:
            raise soap.invalid_request("The ShellId selector is missing.")
        return shell_id

    def _op_create(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_el = req.body_child("rsp", "Shell")
        if shell_el is None:
            raise soap.invalid_request("The rsp:Shell element is missing.")
        ns = soap.NS["rsp"]
        inputs = (shell_el.findtext(f"{{{ns}}}InputStreams") or "stdin").strip()
        outputs = (shell_el.findtext(f"{{{ns}}}OutputStreams") or "stdout stderr").strip()
        shell = self._shells.create_shell(user, h.client_address[0], inputs, outputs, self._mechanism(h))
        address = f"{self.scheme}://{h.headers.get('Host') or f'{self.host}:{self.port}'}/wsman"
        return soap.create_response(
            req,
            address=address,
            shell_id=shell.id,
            owner=user,
            client_ip=h.client_address[0],
            input_streams=inputs,
            output_streams=outputs,
        )

    def _op_delete(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        self._shells.delete_shell(self._shell_id(req))
        return soap.delete_response(req)

    def _op_command(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        line = req.body_child("rsp", "CommandLine")
        if line is None:
            raise soap.invalid_request("The rsp:CommandLine element is missing.")
        ns = soap.NS["rsp"]
        command = line.findtext(f"{{{ns}}}Command") or ""
        arguments = [a.text or "" for a in line.findall(f"{{{ns}}}Arguments")]
        command_id = self._shells.start_command(shell_id, command, arguments)
        return soap.command_response(req, command_id)

    def _op_send(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        send = req.body_child("rsp", "Send")
        if send is None:
            raise soap.invalid_request("The rsp:Send element is missing.")
        streams = send.findall(f"{{{soap.NS['rsp']}}}Stream")
        if not streams:
            raise soap.invalid_request("The rsp:Send element has no rsp:Stream.")
        for stream in streams:
            command_id = stream.get("CommandId") or ""
            try:
                data = base64.b64decode((stream.text or "").strip(), validate=True)
            except (binascii.Error, ValueError):
                raise soap.invalid_request("The stream content is not valid base64.") from None
            end = (stream.get("End") or "").strip().lower() in _TRUE
            self._shells.send(shell_id, command_id, data, end)
        return soap.send_response(req)

    def _op_receive(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        receive = req.body_child("rsp", "Receive")
        desired = receive.find(f"{{{soap.NS['rsp']}}}DesiredStream") if receive is not None else None
        command_id = desired.get("CommandId") if desired is not None else None
        if not command_id:
            raise soap.invalid_request("The rsp:DesiredStream element has no CommandId.")
        timeout = req.operation_timeout if req.operation_timeout is not None else DEFAULT_OPERATION_TIMEOUT
        if self.operation_timeout_cap is not None:
            timeout = min(timeout, self.operation_timeout_cap)
        try:
            result = self._shells.receive(shell_id, command_id, timeout)
        except ReceiveTimeout:
            raise soap.operation_timed_out() from None
        if result.exit_code is not None and self.drop_reply is not None and self.drop_reply():
            raise DropConnection()
        streams = [(name, base64.b64encode(data).decode("ascii"), end) for name, data, end in result.streams]
        return soap.receive_response(req, command_id, streams, result.exit_code)

    def _op_signal(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        signal = req.body_child("rsp", "Signal")
        command_id = signal.get("CommandId") if signal is not None else None
        if signal is None or not command_id:
            raise soap.invalid_request("The rsp:Signal element has no CommandId.")
        code = (signal.findtext(f"{{{soap.NS['rsp']}}}Code") or "").strip()
        self._shells.signal(shell_id, command_id, code)
        return soap.signal_response(req)

    # ----------------------------------------------------------------- PSRP ([MS-PSRP] 3.1.5.3)

    def _mechanism(self, h: _Handler) -> str:
        acceptor = h.conn_state.acceptor
        return "basic" if self.transport == "basic-https" else (acceptor.mechanism if acceptor else "ntlm")

    def _psrp_create(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_el = req.body_child("rsp", "Shell")
        if shell_el is None:
            raise soap.invalid_request("The rsp:Shell element is missing.")
        creation = shell_el.find("{http://schemas.microsoft.com/powershell}creationXml")
        if creation is None or not (creation.text or "").strip():
            raise soap.invalid_request("The creationXml element is missing.")
        pool = self._psrp.create_pool(shell_el.get("ShellId"), user, h.client_address[0], self._mechanism(h),
                                      _b64(creation.text))
        ns = soap.NS["rsp"]
        address = f"{self.scheme}://{h.headers.get('Host') or f'{self.host}:{self.port}'}/wsman"
        return soap.create_response(
            req, address=address, shell_id=pool.id, owner=user, client_ip=h.client_address[0],
            input_streams=(shell_el.findtext(f"{{{ns}}}InputStreams") or "stdin pr").strip(),
            output_streams=(shell_el.findtext(f"{{{ns}}}OutputStreams") or "stdout").strip(),
            resource_uri=req.resource_uri or "")

    def _psrp_delete(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        self._psrp.delete_pool(self._shell_id(req))
        return soap.delete_response(req)

    def _psrp_command(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        line = req.body_child("rsp", "CommandLine")
        if line is None:
            raise soap.invalid_request("The rsp:CommandLine element is missing.")
        arguments = "".join(a.text or "" for a in line.findall(f"{{{soap.NS['rsp']}}}Arguments"))
        command_id = self._psrp.command(self._shell_id(req), line.get("CommandId"), _b64(arguments))
        return soap.command_response(req, command_id)

    def _psrp_send(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        send = req.body_child("rsp", "Send")
        streams = send.findall(f"{{{soap.NS['rsp']}}}Stream") if send is not None else []
        if not streams:
            raise soap.invalid_request("The rsp:Send element has no rsp:Stream.")
        for stream in streams:
            self._psrp.send(shell_id, stream.get("CommandId"), stream.get("Name") or "stdin", _b64(stream.text))
        return soap.send_response(req)

    def _psrp_receive(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        shell_id = self._shell_id(req)
        receive = req.body_child("rsp", "Receive")
        desired = receive.find(f"{{{soap.NS['rsp']}}}DesiredStream") if receive is not None else None
        command_id = desired.get("CommandId") if desired is not None else None
        timeout = req.operation_timeout if req.operation_timeout is not None else DEFAULT_OPERATION_TIMEOUT
        if self.operation_timeout_cap is not None:
            timeout = min(timeout, self.operation_timeout_cap)
        try:
            result = self._psrp.receive(shell_id, command_id, timeout)
        except ReceiveTimeout:
            raise soap.operation_timed_out() from None
        if result.done and self.drop_reply is not None and self.drop_reply():
            raise DropConnection()
        chunks = [base64.b64encode(c).decode("ascii") for c in result.chunks]
        return soap.psrp_receive_response(req, command_id.upper() if command_id else None, chunks, result.done)

    def _psrp_signal(self, req: soap.WSManRequest, user: str, h: _Handler) -> bytes:
        signal = req.body_child("rsp", "Signal")
        command_id = signal.get("CommandId") if signal is not None else None
        if signal is None or not command_id:
            raise soap.invalid_request("The rsp:Signal element has no CommandId.")
        self._psrp.signal(self._shell_id(req), command_id, (signal.findtext(f"{{{soap.NS['rsp']}}}Code") or "").strip())
        return soap.signal_response(req)


def _b64(text: str | None) -> bytes:
    try:
        return base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raise soap.invalid_request("The stream content is not valid base64.") from None
