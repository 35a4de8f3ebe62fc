"""One writer at a time per output directory: an advisory lock file, ``<out>/.docpipe.lock``."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".docpipe.lock"


class OutputLocked(Exception):
    """Another docpipe run holds the output directory."""


@contextmanager
def output_lock(out_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the output directory's lock; wait for it, or raise :class:`OutputLocked`.

    ``flock`` is released by the kernel when the holder dies, even by SIGKILL,
    so a killed run never leaves a stale lock behind.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    with path.open("a+") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputLocked(
                f"{out_dir} is in use by {holder}; try again later or drop --no-wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"docpipe pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_unlocked(out_dir: Path) -> None:
    """Raise :class:`OutputLocked` now if another run holds ``out_dir`` (a courtesy check before start-up)."""
    if not (out_dir / LOCK_NAME).exists():
        return
    with output_lock(out_dir, wait=False):
        pass
