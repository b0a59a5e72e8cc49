"""The lab's control channel: a small JSON-over-HTTP API on 127.0.0.1.

``python -m wsfc_lab state|events|fault|down`` run in other processes than the
lab; they reach it here. Every request must carry the random token written to
``lab.json`` (readable only by the user who started the lab), so another local
user cannot drive the lab.
"""

from __future__ import annotations

import hmac
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Handler = Callable[[dict], Any]


class ControlServer:
    """Serves ``POST /<command>`` with a JSON body; answers JSON."""

    def __init__(self, token: str, handlers: dict[str, Handler], host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self.handlers = handlers
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep the lab log for lab events
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                supplied = self.headers.get("X-Lab-Token", "")
                if not hmac.compare_digest(supplied, outer.token):
                    self._answer(403, {"error": "bad token"})
                    return
                name = self.path.strip("/")
                handler = outer.handlers.get(name)
                if handler is None:
                    self._answer(404, {"error": f"unknown command {name!r}"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    self._answer(200, {"result": handler(body)})
                except Exception as exc:  # report to the CLI, keep serving
                    self._answer(400, {"error": f"{type(exc).__name__}: {exc}"})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="lab-control", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class LabError(RuntimeError):
    """The lab answered with an error, or could not be reached."""


def call(port: int, token: str, command: str, body: dict | None = None, timeout: float = 30) -> Any:
    """Send one control command to a running lab and return its result."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/{command}",
        data=json.dumps(body or {}).encode(),
        headers={"X-Lab-Token": token, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        payload = json.loads(exc.read() or b"{}")
        raise LabError(payload.get("error") or str(exc)) from None
    except OSError as exc:
        raise LabError(f"the lab is not reachable on port {port}: {exc}") from None
    return payload["result"]
