"""Start the lab in the background and stop it again, leaving nothing behind.

``up`` launches ``python -m wsfc_lab serve`` in its own session (so closing
the terminal or ending the calling process does not stop it), then waits for
the server to write ``lab.json`` with ``ready: true``. ``down`` asks the lab
to shut down over its control channel and waits for the process to go; if it
does not, it is terminated and then killed, so a test run never leaks a lab.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from wsfc_lab.control import LabError, call

STATE_FILE = "lab.json"
LOG_FILE = "lab.log"


def read_state(workdir: Path) -> dict:
    path = Path(workdir) / STATE_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise LabError(f"no lab is running in {workdir} ({path} does not exist)") from None


def write_state(workdir: Path, state: dict) -> None:
    """Write lab.json atomically, readable by this user only (it holds the control token)."""
    path = Path(workdir) / STATE_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle, indent=2)
    os.replace(tmp, path)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as gone.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def start(topology: Path, workdir: Path, extra_args: list[str], timeout: float = 60) -> dict:
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        existing = read_state(workdir)
    except LabError:
        existing = None
    if existing and alive(existing.get("pid", -1)):
        raise LabError(f"a lab is already running in {workdir} (pid {existing['pid']}); run 'down' first")
    (workdir / STATE_FILE).unlink(missing_ok=True)
    log = open(workdir / LOG_FILE, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "wsfc_lab", "serve", "--topology", str(Path(topology).resolve()),
         "--workdir", str(workdir), *extra_args],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
    )
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (workdir / LOG_FILE).read_text(errors="replace")[-3000:]
            raise LabError(f"the lab exited with code {process.returncode} while starting:\n{tail}")
        try:
            state = read_state(workdir)
        except (LabError, ValueError):
            state = None
        if state and state.get("ready") and state.get("pid") == process.pid:
            return state
        time.sleep(0.05)
    process.terminate()
    raise LabError(f"the lab did not become ready within {timeout}s; see {workdir / LOG_FILE}")


def stop(workdir: Path, timeout: float = 15) -> bool:
    """Stop the lab in ``workdir``. Returns False if none was running."""
    workdir = Path(workdir).resolve()
    try:
        state = read_state(workdir)
    except LabError:
        return False
    pid = state.get("pid", -1)
    if alive(pid):
        try:
            call(state["control_port"], state["token"], "shutdown", timeout=5)
        except LabError:
            pass
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not alive(pid):
                break
            os.kill(pid, sig)
            end = time.monotonic() + 5
            while alive(pid) and time.monotonic() < end:
                time.sleep(0.05)
    (workdir / STATE_FILE).unlink(missing_ok=True)
    return True
