"""Shared fixtures: one Prefect test harness for the session, and paths to the samples.

The suite also checks that it leaves no process behind: the pytest process adopts
every orphan of the processes the tests start (a child subreaper), and at the end
of the session any process still its child fails the session (and is killed).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docpipe.extract.workers import adopt_orphans

#: Seconds a process the tests started may take to finish exiting after the last test.
LEFTOVER_GRACE_SECONDS = 15.0

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"

import flows  # noqa: F401, E402  (sets Prefect's environment defaults before Prefect is imported)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API for the flow tests (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def digest_samples() -> list[Path]:
    """The text-layer digest samples (not their scanned copies)."""
    from docpipe.samples.scan import SCAN_SUFFIX

    samples = sorted(path for path in RAW.glob("digest-*.pdf") if not path.stem.endswith(SCAN_SUFFIX))
    assert len(samples) >= 2, "the digest samples are missing from raw/"
    return samples


@pytest.fixture(scope="session")
def scanned_digest_sample() -> Path:
    """The scanned copy of a digest sample: an image-only PDF of a digest's pages."""
    from docpipe.samples.scan import SCAN_SUFFIX, SCANNED_DIGESTS

    sample = RAW / f"{next(iter(SCANNED_DIGESTS))}{SCAN_SUFFIX}.pdf"
    assert sample.exists(), "the scanned digest sample is missing from raw/"
    return sample


def pytest_sessionstart(session: pytest.Session) -> None:
    adopt_orphans()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session if a process the tests started (or an orphan of one) is still alive."""
    deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
    while (left := _live_children(but=_interpreter_helpers())) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not left:
        return
    for pid, command in left.items():
        print(f"\nleft running by the tests: pid {pid}: {command}")
        try:
            os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _interpreter_helpers() -> set[int]:
    """multiprocessing's resource tracker: the interpreter's own, it ends when pytest exits."""
    from multiprocessing import resource_tracker

    pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    return {pid} if pid is not None else set()


def _live_children(*, but: set[int]) -> dict[int, str]:
    """This process's children that are alive, but ``but``; dead ones (zombies) are reaped on the way."""
    children: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        state, parent = fields[0], int(fields[1])
        if parent != os.getpid():
            continue
        pid = int(stat.parent.name)
        if pid in but:
            continue
        if state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            continue
        children[pid] = command.strip()
    return children
