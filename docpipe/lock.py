"""One writer at a time per output: an advisory lock file ``<out>/.docpipe.lock`` on local disk,
a lease object ``<out>/.docpipe.lease`` on S3 (:mod:`docpipe.lease`)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docpipe.storage import LocalStore, Location, is_object_store, open_store

LOCK_NAME = ".docpipe.lock"


class OutputLocked(Exception):
    """Another docpipe run holds the output directory."""


@contextmanager
def output_lock(out_dir: Location, *, wait: bool = True) -> Iterator[None]:
    """Hold the output's lock; wait for it, or raise :class:`OutputLocked`.

    ``flock`` is released by the kernel when the holder dies, even by SIGKILL,
    so a killed run never leaves a stale lock behind.  An S3 lease is not: a
    killed run's lease blocks the output until it expires.
    """
    if is_object_store(out_dir):
        with _object_store_lease(str(out_dir), wait=wait):
            yield
        return
    store = open_store(out_dir)
    assert isinstance(store, LocalStore)
    with _local_lock(store.directory, wait=wait):
        yield


@contextmanager
def _object_store_lease(out_uri: str, *, wait: bool) -> Iterator[None]:
    from docpipe.lease import LeaseHeld, hold_lease

    try:
        with hold_lease(out_uri, wait=wait):
            yield
    except LeaseHeld as error:
        raise OutputLocked(f"{error}; try again later or drop --no-wait") from None


@contextmanager
def _local_lock(out_dir: Path, *, wait: bool) -> Iterator[None]:
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


def check_unlocked(out_dir: Location) -> None:
    """Raise :class:`OutputLocked` now if another run holds ``out_dir`` (a courtesy check before start-up)."""
    if is_object_store(out_dir):
        from docpipe.lease import LeaseHeld, check_lease_free

        try:
            check_lease_free(str(out_dir))
        except LeaseHeld as error:
            raise OutputLocked(f"{error}; try again later or drop --no-wait") from None
        return
    out_dir = Path(out_dir)
    if not (out_dir / LOCK_NAME).exists():
        return
    with output_lock(out_dir, wait=False):
        pass
