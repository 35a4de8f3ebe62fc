"""A Prefect API server that lives exactly as long as the docpipe command that started it.

Left to itself, Prefect starts an "ephemeral" server as a child process of the run; a
run killed with SIGKILL leaves that server (a uvicorn process, ~230 MB) running for
ever.  Here docpipe starts the same server itself: in its own process group (a
Ctrl-C at the terminal is the run's to handle), with a parent-death signal so the
kernel kills it when the run dies however it dies, stopped at the end of the run.

When ``PREFECT_API_URL`` is set, that server is used and none is started: a
deployment or a machine running many runs keeps one server up and pays its start-up
(20-30 s on 2 cores) once.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docpipe.extract.workers import die_with_parent

API_URL_VARIABLE = "PREFECT_API_URL"
#: Seconds the server may take to answer its health check.  Its first start migrates
#: its database: over 20 s on a busy 2-core machine, so this is generous.
STARTUP_TIMEOUT = 180.0
HEALTH_POLL_SECONDS = 0.1
STOP_GRACE_SECONDS = 5.0
#: Seconds given to Prefect's log and event queues to reach the server before it stops.
DRAIN_SECONDS = 10.0
#: The settings Prefect gives its own ephemeral server (no UI; ephemeral mode).
SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


class ServerFailed(Exception):
    """The API server did not start: the message says how it ended."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(port: int) -> list[str]:
    # Found, not imported: Prefect reads PREFECT_API_URL once, when it is first imported.
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None, "prefect is not installed"
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(Path(spec.origin).parent.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


@contextmanager
def prefect_api(log_path: Path | None = None) -> Iterator[str]:
    """The API URL to use: ``PREFECT_API_URL`` if set, else a server started for this block.

    The server's URL is put in ``PREFECT_API_URL`` for the block (before Prefect is
    imported by the caller, so Prefect never starts its own) and the server is stopped
    on leaving it.
    """
    configured = os.environ.get(API_URL_VARIABLE)
    if configured:
        yield configured
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = log_path.open("ab") if log_path is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        server_command(port),
        env={**os.environ, **SERVER_ENVIRONMENT},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # one prctl call, made before the run starts any thread
    )
    try:
        wait_until_healthy(url, server)
        os.environ[API_URL_VARIABLE] = url
        try:
            yield url
        finally:
            del os.environ[API_URL_VARIABLE]
    finally:
        _send_pending_logs()
        stop(server)
        if log is not subprocess.DEVNULL:
            log.close()  # type: ignore[union-attr]


def wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerFailed(f"the Prefect API server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(HEALTH_POLL_SECONDS)
    raise ServerFailed(f"the Prefect API server did not answer within {STARTUP_TIMEOUT:g} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group: TERM, then KILL after a grace period."""
    for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        os.killpg(server.pid, signal.SIGKILL)  # anything the server itself started
    except ProcessLookupError:
        pass


def _send_pending_logs() -> None:
    """Send the run's queued logs and events while the server is still there to take them."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_SECONDS)
    EventsWorker.drain_all(timeout=DRAIN_SECONDS)


def _die_with_parent() -> None:
    die_with_parent(signal.SIGKILL)
