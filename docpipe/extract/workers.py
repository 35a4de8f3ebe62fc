"""A pool of page-worker processes: each page's work runs alone in a process, under a timeout.

PDFium (behind pypdfium2 and pdfplumber's rendering) is not thread-safe: two threads
in one process gave "Data format error" and segfaults.  Each worker process runs one
job at a time on its main thread, so every PDFium in docpipe is used by one thread.

A job's timeout counts from the moment a worker starts it, never the wait for a free
worker.  A job that reads many pages (a document, a batch) says when it starts each
one (:func:`report_page_start`), and each page then has the whole timeout from its own
start; a job that goes on to work no page can hang in (assembling a document's rows)
says so (:func:`report_pages_done`) and runs on without a timeout.  A job that
overruns has its worker's whole process group killed (the worker
leads its own group, so a Tesseract it started dies with it) and the worker is
replaced; so is a worker that crashes (a PDFium segfault ends one page, not the run).
Workers die with the process that started them, even on SIGKILL (a parent-death
signal), so nothing a run starts outlives it.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Self, TypeVar

from docpipe.tracebacks import traceback_if_wanted

T = TypeVar("T")

#: Linux prctl option: deliver a signal to this process when its parent exits.
PR_SET_PDEATHSIG = 1
#: Linux prctl option: orphans of this process's descendants become its children.
PR_SET_CHILD_SUBREAPER = 36
#: Seconds a worker is given to exit on its own at shutdown before it is killed.
SHUTDOWN_GRACE = 2.0
#: Seconds a new worker may take to start Python and import the page code (spawned on
#: a busy 2-core machine this took over 5 s); not counted against any page.
WORKER_START_TIMEOUT = 120.0
#: Modules a worker imports before it says it is ready, so a page's timeout never
#: pays for importing PDFium, the cleaners and the segmenters.
PRELOAD = ("docpipe.extract.pdf", "docpipe.document_job")


class PageJobFailed(Exception):
    """A page job did not produce a result: it timed out, its worker died, or it raised.

    ``seconds`` is the time the job ran before it ended; ``expected`` is False only for
    an exception raised inside the job that is not a known kind of page failure.
    ``details`` is the worker's traceback: always for an unexpected failure, for an
    expected one only with ``--debug`` (:mod:`docpipe.tracebacks`).

    ``page`` is the page the job had last reported starting (:func:`report_page_start`),
    None when it reported none.
    """

    def __init__(
        self,
        reason: str,
        *,
        seconds: float,
        expected: bool = True,
        details: str = "",
        page: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seconds = seconds
        self.expected = expected
        self.details = details
        self.page = page

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_failure, (self.reason, self.seconds, self.expected, self.details, self.page))


def _rebuild_failure(
    reason: str, seconds: float, expected: bool, details: str, page: int | None
) -> PageJobFailed:
    return PageJobFailed(reason, seconds=seconds, expected=expected, details=details, page=page)


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


#: Loaded once, in the parent: a child between fork and exec should only make the call.
_LIBC = _load_libc()

#: In a worker process: the pipe to the pool, for a job's reports; None elsewhere.
_REPORTS: Connection | None = None
#: In a worker process: the page the running job last reported starting, and when
#: (``time.perf_counter()``; the job's own start until it reports a page).
_CURRENT_PAGE: int | None = None
_PAGE_STARTED = 0.0


def report_page_start(number: int) -> None:
    """Say, from inside a job, that it starts page ``number`` now: the timeout counts from here.

    Outside a page worker (a test calling the job, a Dask worker) it does nothing:
    there the timeout counts from the start of the job.
    """
    global _CURRENT_PAGE, _PAGE_STARTED
    _CURRENT_PAGE, _PAGE_STARTED = number, time.perf_counter()
    if _REPORTS is not None:
        _REPORTS.send(("page", number, 0.0))


def report_pages_done() -> None:
    """Say, from inside a job, that its pages are read: what it does next runs without a timeout.

    For pure Python work on pages already read (cleaning and segmenting a document),
    which PDFium and OCR cannot hang, and which the run's main process did without a
    timeout before it moved into the workers.
    """
    if _REPORTS is not None:
        _REPORTS.send(("untimed", None, 0.0))


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when the process that started it exits.

    Must be called in the child.  Elsewhere than Linux it does nothing.
    """
    prctl = getattr(_LIBC, "prctl", None)
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def adopt_orphans() -> None:
    """Make this process the parent of every orphan among its descendants (Linux only),
    so that it can find, and reap, what the processes it started left behind.
    """
    prctl = getattr(_LIBC, "prctl", None)
    if prctl is not None:
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def default_worker_count(configured: int) -> int:
    """``configured`` workers, or one per core when it is 0."""
    return configured if configured > 0 else (os.cpu_count() or 1)


@dataclass
class _Job:
    future: Future[Any]
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float | None


class _Worker:
    """One worker process and the pipe that carries its jobs and results."""

    def __init__(self, expected_failures: tuple[type[BaseException], ...]) -> None:
        context = multiprocessing.get_context("spawn")  # fork would copy the parent's threads' locks
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_end, os.getpid(), expected_failures), daemon=True, name="docpipe-page"
        )
        self.process.start()
        child_end.close()
        try:
            ready = self.connection.poll(WORKER_START_TIMEOUT) and self.connection.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise PageJobFailed("WorkerCrashed: a page worker process failed to start", seconds=0.0)

    def run(self, job: _Job) -> Any:
        started = time.monotonic()  # of the job, then of each page it reports starting
        timeout, page = job.timeout, None
        try:
            self.connection.send((job.function, job.args, job.kwargs))
        except (BrokenPipeError, OSError):
            raise PageJobFailed(self._death(), seconds=0.0) from None
        while True:
            wait = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
            ready = self.connection.poll(wait)
            seconds = time.monotonic() - started
            if not ready:
                self.kill()
                raise PageJobFailed(
                    f"Timeout: page took more than {job.timeout:g} s", seconds=seconds, page=page
                )
            try:
                outcome, value, job_seconds = self.connection.recv()
            except (EOFError, OSError):
                self.process.join(timeout=SHUTDOWN_GRACE)
                raise PageJobFailed(self._death(), seconds=seconds, page=page) from None
            if outcome == "page":
                started, page = time.monotonic(), value
            elif outcome == "untimed":
                timeout = None
            elif outcome == "ok":
                return value
            else:
                assert isinstance(value, PageJobFailed)
                value.seconds = job_seconds
                raise value

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        """Kill the worker and everything it started (its process group), and reap it."""
        self.send_kill()
        self.process.join(timeout=SHUTDOWN_GRACE)
        self.connection.close()

    def send_kill(self) -> None:
        """SIGKILL to the worker's group; safe from any thread (the slot's wait sees the end)."""
        pid = self.process.pid
        if pid is None or self.process.exitcode is not None:
            return
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # not yet its own group leader: nothing it started exists yet
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=SHUTDOWN_GRACE)
        if self.process.is_alive():
            self.kill()
        else:
            self.connection.close()

    def _death(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"WorkerCrashed: the page's worker process died of {name}"
        return f"WorkerCrashed: the page's worker process exited (code {code})"


class PagePool:
    """``workers`` page-worker processes; :meth:`submit` runs a job in one under a timeout.

    At most ``workers`` jobs run at once whoever submits them; :attr:`peak_running`
    counts the most that ever did.  Jobs and their results are pickled: pass paths and
    page numbers, never open documents.  ``expected_failures`` are exception types a job
    may raise for a page it cannot read (reported without a traceback, unless debugging).
    """

    def __init__(self, workers: int, *, expected_failures: tuple[type[BaseException], ...] = ()) -> None:
        if workers < 1:
            raise ValueError("a page pool needs at least one worker")
        self.workers = workers
        self.expected_failures = expected_failures
        self.peak_running = 0
        self.jobs_run = 0
        self._running = 0
        self._count_lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._closed = False
        self._workers: set[_Worker] = set()
        self._slots = [
            threading.Thread(target=self._slot, name=f"docpipe-page-slot-{n}", daemon=True)
            for n in range(workers)
        ]
        for slot in self._slots:
            slot.start()

    def submit(
        self, function: Callable[..., T], /, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Future[T]:
        """Run ``function(*args, **kwargs)`` in a worker; the future raises :class:`PageJobFailed`."""
        if self._closed:
            raise RuntimeError("the page pool is closed")
        future: Future[T] = Future()
        self._jobs.put(_Job(future, function, args, kwargs, timeout))
        return future

    def run(
        self, function: Callable[..., T], /, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        return self.submit(function, *args, timeout=timeout, **kwargs).result()

    def close(self, *, cancel: bool = False) -> None:
        """Let the queued jobs finish, then stop every worker.

        With ``cancel`` (the run is failing or interrupted), queued jobs are cancelled
        and running ones killed with their workers instead.
        """
        if self._closed:
            return
        self._closed = True
        if cancel:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job.future.cancel()
            with self._count_lock:
                running = list(self._workers)
            for worker in running:
                worker.send_kill()
        for _ in self._slots:
            self._jobs.put(None)
        for slot in self._slots:
            slot.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(cancel=error is not None)

    def _slot(self) -> None:
        # Started at once, not at the first job: the workers start (seconds on a busy
        # machine) while the run takes its inventory.
        worker: _Worker | None = None
        try:
            worker = _Worker(self.expected_failures)
        except PageJobFailed:
            pass  # tried again at the first job, which then fails with the reason
        if worker is not None:
            with self._count_lock:
                self._workers.add(worker)
        try:
            while (job := self._jobs.get()) is not None:
                if not job.future.set_running_or_notify_cancel():
                    continue
                if worker is None or not worker.alive():
                    if worker is not None:
                        with self._count_lock:
                            self._workers.discard(worker)
                    try:
                        worker = _Worker(self.expected_failures)
                    except PageJobFailed as failure:
                        worker = None
                        job.future.set_exception(failure)
                        continue
                    with self._count_lock:
                        self._workers.add(worker)
                with self._count_lock:
                    self._running += 1
                    self.peak_running = max(self.peak_running, self._running)
                    self.jobs_run += 1
                try:
                    result = worker.run(job)
                except PageJobFailed as failure:
                    job.future.set_exception(failure)
                except BaseException as error:  # a pickling error: the job never ran
                    job.future.set_exception(error)
                else:
                    job.future.set_result(result)
                finally:
                    with self._count_lock:
                        self._running -= 1
        finally:
            if worker is not None and worker.alive():
                worker.stop()


def _serve(
    connection: Connection, parent_pid: int, expected_failures: tuple[type[BaseException], ...]
) -> None:
    """A worker's life: lead a process group, die with the parent, run jobs one at a time."""
    global _REPORTS, _CURRENT_PAGE, _PAGE_STARTED
    os.setpgid(0, 0)
    die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Parallelism comes from the workers: a Tesseract with OpenMP threads of its own in
    # each would only make them fight over the same cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    for module in PRELOAD:
        importlib.import_module(module)
    connection.send("ready")
    _REPORTS = connection
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args, kwargs = message
        started = time.perf_counter()
        _CURRENT_PAGE, _PAGE_STARTED = None, started
        try:
            result = function(*args, **kwargs)
        except BaseException as error:
            expected = isinstance(error, expected_failures)
            reason = str(error) if expected else f"{type(error).__name__}: {error}".strip()
            failure = PageJobFailed(
                reason,
                seconds=time.perf_counter() - _PAGE_STARTED,
                expected=expected,
                details=traceback_if_wanted(expected=expected),
                page=_CURRENT_PAGE,
            )
            connection.send(("error", failure, failure.seconds))
        else:
            try:
                connection.send(("ok", result, time.perf_counter() - started))
            except (TypeError, AttributeError, ValueError) as error:  # pickling
                failure = PageJobFailed(
                    f"unpicklable result: {error}", seconds=time.perf_counter() - started, expected=False
                )
                connection.send(("error", failure, failure.seconds))
