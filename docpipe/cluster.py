"""Running a flow's page and document tasks on a Dask cluster (``docpipe run --dask``).

``--dask tcp://host:8786`` uses a running scheduler; ``--dask local`` or ``local:N``
starts a ``distributed.LocalCluster`` of N worker processes (default: cores), one
thread each, for one run and stops it after.  Tasks reach the cluster through
prefect-dask's ``DaskTaskRunner``; a task carries a PDF's path and page numbers,
never an open document, and returns :class:`~cleaners.records.Page` records.

On a Dask worker a page job runs in the worker process itself (:class:`WorkerPages`),
not in a page-worker process of its own: each Dask worker is already a process.
PDFium is not thread-safe, so the jobs of one worker process take turns on a
process-wide lock, and a job's timeout counts from when it holds the lock.  What
bounds a page there: Tesseract runs as a child process under the page's deadline
(``docpipe.extract.ocr`` kills it), so an OCR page ends on time; PDFium's own calls
(opening, rendering, reading characters) cannot be interrupted, and the worker is not
killed for them, since its memory holds other tasks' results and a restarted worker
would run the same page again.  Such a page is reported failed at its timeout; the
pages queued behind it on that worker wait at most their own timeout more, then fail
too (``docpipe retry`` reads them again), so the run ends whatever PDFium does.
A worker whose PDFium never returns stays wedged until restarted (``dask worker
--lifetime`` restarts workers on a schedule).

Workers need docpipe (with the same version as the client) and Tesseract with
``chi_sim`` installed, and must see the raw and output paths at the same place.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from docpipe.extract.workers import PageJobFailed
from docpipe.tracebacks import traceback_if_wanted

T = TypeVar("T")

LOCAL = "local"
#: Environment of LocalCluster workers: parallelism comes from the workers, as with
#: docpipe's own page workers, so Tesseract gets no OpenMP threads of its own.
WORKER_ENV = {"OMP_THREAD_LIMIT": "1"}
#: Seconds between looks, while a page waits for PDFium, at whether its holder is stuck.
STUCK_POLL_SECONDS = 0.1
STUCK_REASON = "WorkerStuck: this Dask worker's PDFium is held by a page stuck past its timeout"
#: Seconds a LocalCluster's workers may take to start (spawned on a busy 2-core machine).
LOCAL_CLUSTER_TIMEOUT = 120.0


class BadDaskAddress(ValueError):
    """``--dask`` is neither a scheduler address nor ``local[:N]``."""


@dataclass(frozen=True, slots=True)
class DaskTarget:
    """Where a run's tasks go: a scheduler's ``address``, or a LocalCluster of ``local_workers``."""

    address: str | None = None
    local_workers: int = 0


def parse_dask_target(spec: str) -> DaskTarget:
    """Read ``--dask``: ``local``, ``local:N`` or a scheduler address.

    >>> parse_dask_target("local:2")
    DaskTarget(address=None, local_workers=2)
    >>> parse_dask_target("tcp://scheduler:8786")
    DaskTarget(address='tcp://scheduler:8786', local_workers=0)
    """
    spec = spec.strip()
    if spec == LOCAL:
        return DaskTarget(local_workers=os.cpu_count() or 1)
    if spec.startswith(f"{LOCAL}:"):
        count = spec.removeprefix(f"{LOCAL}:")
        if not count.isdigit() or int(count) < 1:
            raise BadDaskAddress(f"--dask {spec}: expected local:N with N a number of workers >= 1")
        return DaskTarget(local_workers=int(count))
    if "://" not in spec and ":" not in spec:
        raise BadDaskAddress(f"--dask {spec}: expected a scheduler address (tcp://host:8786) or local[:N]")
    return DaskTarget(address=spec)


def loopback_api_warning(target: DaskTarget, api_url: str | None) -> str | None:
    """Why workers on other machines cannot report their task runs, when that is so.

    Prefect's tasks on Dask workers talk to the client's ``PREFECT_API_URL``; the API
    server ``docpipe run`` starts listens on loopback only.

    >>> api = "http://127.0.0.1:4200/api"
    >>> print(loopback_api_warning(DaskTarget(address="tcp://scheduler:8786"), api)[:56])
    the Prefect API at http://127.0.0.1:4200/api is loopback
    >>> print(loopback_api_warning(DaskTarget(address="tcp://127.0.0.1:8786"), api))
    None
    >>> print(loopback_api_warning(DaskTarget(local_workers=2), "http://localhost:4200/api"))
    None
    """
    if target.address is None or api_url is None:
        return None
    api_host = urlsplit(api_url).hostname or ""
    scheduler_host = urlsplit(
        target.address if "://" in target.address else f"tcp://{target.address}"
    ).hostname
    if not _is_loopback(api_host) or _is_loopback(scheduler_host or ""):
        return None
    return (
        f"the Prefect API at {api_url} is loopback-only: workers on other machines cannot reach it; "
        "set PREFECT_API_URL to a server they can reach"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dask_task_runner(target: DaskTarget) -> Any:
    """A prefect-dask ``DaskTaskRunner`` for ``target``; it starts and stops a LocalCluster itself."""
    from prefect_dask import DaskTaskRunner

    if target.address is not None:
        return DaskTaskRunner(address=target.address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster", cluster_kwargs=local_cluster_options(target.local_workers)
    )


def local_cluster_options(workers: int) -> dict[str, Any]:
    """``distributed.LocalCluster`` options: ``workers`` processes of one thread, on loopback."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": "127.0.0.1:0",  # a free port: a fixed one collides with another run's
        "env": WORKER_ENV,
        "timeout": LOCAL_CLUSTER_TIMEOUT,
    }


def runs_on_dask(task_runner: object) -> bool:
    """Whether a flow's task runner sends its tasks to Dask (without importing Dask to find out)."""
    return type(task_runner).__module__.startswith("prefect_dask")


def connect_before_threads(task_runner: Any) -> None:
    """Connect a ``DaskTaskRunner`` to its cluster now, while one thread uses it.

    It connects (and starts its LocalCluster) at the first task submitted, unguarded:
    two document threads submitting at once started two clusters.
    """
    task_runner.client  # noqa: B018  (the property connects)


def on_dask_worker() -> bool:
    """Whether this code runs in a Dask worker process."""
    try:
        from distributed import get_worker
    except ImportError:
        return False
    try:
        get_worker()
    except ValueError:
        return False
    return True


class WorkerPages:
    """Page jobs in this process, one at a time, each under a timeout of its own work.

    The same ``run`` as :class:`~docpipe.extract.workers.PagePool`, for a Dask worker.
    ``expected_failures`` are the exception types of a page that cannot be read.
    """

    def __init__(self, *, expected_failures: tuple[type[BaseException], ...] = ()) -> None:
        self.expected_failures = expected_failures
        self._pdfium = threading.Lock()
        self._state = threading.Lock()  # guards _stuck_since
        self._stuck_since: float | None = None  # when the page holding PDFium overran its timeout

    def run(
        self, function: Callable[..., T], /, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        """``function(*args, **kwargs)``, or :class:`PageJobFailed` when it raised or overran ``timeout``.

        A page waits its turn for PDFium without limit while the page before it is
        within its own timeout; behind a page stuck past its timeout it waits at most
        ``timeout`` more, then fails (for ``docpipe retry``) instead of waiting for ever.
        """
        outcome: list[tuple[bool, Any]] = []
        holding, finished = threading.Event(), threading.Event()
        handshake = threading.Lock()
        abandoned = False

        def job() -> None:
            with self._pdfium:
                with handshake:
                    if abandoned:
                        return
                    holding.set()
                started = time.perf_counter()
                try:
                    outcome.append((True, function(*args, **kwargs)))
                except BaseException as error:
                    outcome.append((False, self._failure(error, time.perf_counter() - started)))
                finally:
                    with self._state:
                        self._stuck_since = None  # it held PDFium: whatever was stuck has returned
                        finished.set()

        threading.Thread(target=job, name="docpipe-page", daemon=True).start()
        while not holding.wait(STUCK_POLL_SECONDS):
            with self._state:
                stuck_for = None if self._stuck_since is None else time.monotonic() - self._stuck_since
            if stuck_for is not None and timeout is not None and stuck_for > timeout:
                with handshake:
                    if not holding.is_set():
                        abandoned = True
                        raise PageJobFailed(STUCK_REASON, seconds=0.0)
        started = time.monotonic()
        if not finished.wait(timeout):
            with self._state:
                if not finished.is_set():
                    self._stuck_since = time.monotonic()
            raise PageJobFailed(
                f"Timeout: page took more than {timeout:g} s", seconds=time.monotonic() - started
            )
        succeeded, value = outcome[0]
        if not succeeded:
            raise value
        result: T = value
        return result

    def _failure(self, error: BaseException, seconds: float) -> PageJobFailed:
        if isinstance(error, PageJobFailed):
            return error
        expected = isinstance(error, self.expected_failures)
        return PageJobFailed(
            str(error) if expected else f"{type(error).__name__}: {error}".strip(),
            seconds=seconds,
            expected=expected,
            details=traceback_if_wanted(expected=expected),
        )


_WORKER_PAGES: WorkerPages | None = None
_WORKER_PAGES_LOCK = threading.Lock()


def worker_pages(expected_failures: tuple[type[BaseException], ...]) -> WorkerPages:
    """This process's :class:`WorkerPages`: one lock for every PDFium call the process makes."""
    global _WORKER_PAGES
    with _WORKER_PAGES_LOCK:
        if _WORKER_PAGES is None:
            _WORKER_PAGES = WorkerPages(expected_failures=expected_failures)
        return _WORKER_PAGES
