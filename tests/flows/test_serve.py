"""`docpipe serve` against a real Prefect server on loopback: a triggered run completes and writes Parquet."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from docpipe.writer import read_dataset
from tests.conftest import RAW, ROOT
from tests.processes import docpipe_command

PREFECT = str(Path(sys.executable).with_name("prefect"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{url} never answered"
        time.sleep(0.5)


@pytest.mark.slow
def test_served_deployment_run_completes_and_writes_parquet(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    shutil.copy(RAW / "digest-2014-05-09.pdf", raw)
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served = None
    log = (tmp_path / "serve.log").open("w")
    try:
        wait_for(f"http://127.0.0.1:{port}/api/health", 180)
        served = subprocess.Popen(
            docpipe_command("serve", raw, out, "--cron", "0 2 * * *"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while True:
            triggered = subprocess.run(
                [PREFECT, "deployment", "run", "ingest/docpipe-ingest", "--watch", "--watch-timeout", "300"],
                env=env,
                capture_output=True,
                text=True,
                timeout=400,
            )
            if triggered.returncode == 0 or "not found" not in (triggered.stdout + triggered.stderr).lower():
                break
            assert time.monotonic() < deadline, "the deployment never appeared"
            time.sleep(2)
        assert triggered.returncode == 0, (
            triggered.stdout[-1000:] + (tmp_path / "serve.log").read_text()[-3000:]
        )
        assert "Completed" in triggered.stdout
        assert read_dataset(out, "articles")["part"].to_pylist().count("body") == 12
        retried = subprocess.run(  # the retry deployment is served beside it
            [PREFECT, "deployment", "run", "retry-pages/docpipe-retry", "--watch", "--watch-timeout", "300"],
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert retried.returncode == 0 and "Completed" in retried.stdout, retried.stdout[-1000:]
        kinds = sorted(read_dataset(out, "runs")["kind"].to_pylist())
        assert kinds == ["ingest", "retry"]
        assert all(read_dataset(out, "runs")["flow_run_id"].to_pylist())
    finally:
        for process in (served, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_bad_cron_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    result = subprocess.run(
        docpipe_command("serve", tmp_path / "raw", tmp_path / "out", "--cron", "61 2 * * *"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "docpipe: bad cron expression '61 2 * * *' (expected five fields, e.g. '0 2 * * *')"
    )
