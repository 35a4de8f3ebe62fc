"""Processes the tests start and kill: the ``docpipe`` command line in a child, and what is left of it.

One place for the command that runs docpipe as an operator would (``python -m docpipe.cli``)
and for reading ``/proc`` to find the processes a killed run started, so that the SIGKILL
tests (tests/reliability, tests/docpipe/test_cli_run.py) and the command tests build and
check them the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: How the tests start the command line: the interpreter running the suite, docpipe's own module.
DOCPIPE = (sys.executable, "-m", "docpipe.cli")


def docpipe_command(command: str, raw: Path, out: Path, *options: str) -> list[str]:
    """``docpipe COMMAND --raw RAW --out OUT OPTIONS...`` as an argument list for ``subprocess``."""
    return [*DOCPIPE, command, "--raw", str(raw), "--out", str(out), *options]


@dataclass(frozen=True, slots=True)
class ProcessState:
    pid: int
    parent: int
    group: int
    zombie: bool
    command: str


def processes() -> list[ProcessState]:
    """Every process ``/proc`` shows now (one that ends while it is read is left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        found.append(
            ProcessState(
                pid=int(stat.parent.name),
                parent=int(fields[1]),
                group=int(fields[2]),
                zombie=fields[0] == "Z",
                command=command.strip(),
            )
        )
    return found


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``, with its command line."""
    children: dict[int, list[ProcessState]] = {}
    for process in processes():
        if not process.zombie:
            children.setdefault(process.parent, []).append(process)
    found: dict[int, str] = {}
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found[child.pid] = child.command
            stack.append(child.pid)
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (a run started with ``start_new_session``) until none of
    it is alive, and fail if something outlives 30 s.

    The test session adopts orphans (tests/conftest.py), so the killed run's processes
    end as zombies of this process: they are reaped here, and only a live one counts.
    """
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        if not live_members(pid):
            return
        assert time.monotonic() < deadline, f"processes of the killed run {pid} are still alive"
        time.sleep(0.1)


def live_members(group: int) -> list[int]:
    """Processes of a process group that are not zombies; zombies that are our children are reaped."""
    live = []
    for process in processes():
        if process.group != group:
            continue
        if not process.zombie:
            live.append(process.pid)
        elif process.parent == os.getpid():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(process.pid, os.WNOHANG)
    return live
