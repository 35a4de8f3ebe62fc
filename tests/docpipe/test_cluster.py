"""docpipe.cluster without a cluster: reading --dask, and page jobs run inside a Dask worker's process."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from docpipe.cli import main
from docpipe.cluster import (
    BadDaskAddress,
    DaskTarget,
    WorkerPages,
    dask_task_runner,
    local_cluster_options,
    parse_dask_target,
    runs_on_dask,
)
from docpipe.extract.pdf import UnreadableDocument
from docpipe.extract.workers import PageJobFailed


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        ("local:2", DaskTarget(local_workers=2)),
        ("local:1", DaskTarget(local_workers=1)),
        ("tcp://scheduler:8786", DaskTarget(address="tcp://scheduler:8786")),
        ("tls://10.0.0.5:8786", DaskTarget(address="tls://10.0.0.5:8786")),
        ("scheduler:8786", DaskTarget(address="scheduler:8786")),
        (" tcp://scheduler:8786 ", DaskTarget(address="tcp://scheduler:8786")),
    ],
)
def test_dask_targets(spec: str, target: DaskTarget) -> None:
    assert parse_dask_target(spec) == target


def test_local_alone_is_one_worker_per_core() -> None:
    target = parse_dask_target("local")
    assert target.address is None and target.local_workers >= 1


@pytest.mark.parametrize("spec", ["local:0", "local:two", "local:", "scheduler", ""])
def test_bad_dask_targets(spec: str) -> None:
    with pytest.raises(BadDaskAddress):
        parse_dask_target(spec)


def test_bad_dask_option_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "new.pdf").write_bytes(b"%PDF-1.4 not really")
    code = main(["run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--dask", "local:0"])
    assert code == 2
    assert capsys.readouterr().err.strip().startswith("docpipe: --dask local:0")


def test_runs_on_dask_tells_the_dask_runner_from_threads() -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert runs_on_dask(DaskTaskRunner(address="tcp://127.0.0.1:8786"))
    assert not runs_on_dask(ThreadPoolTaskRunner(max_workers=1))
    assert not runs_on_dask(None)


# --- WorkerPages ----------------------------------------------------------------------


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of a test, so a job left holding the lock ends too."""
    event = threading.Event()
    yield event
    event.set()


def pages() -> WorkerPages:
    return WorkerPages(expected_failures=(UnreadableDocument,))


def unreadable() -> None:
    raise UnreadableDocument("encrypted PDF")


def broken() -> None:
    raise KeyError("/Root")


def test_a_job_returns_its_result() -> None:
    assert pages().run(divmod, 7, 2, timeout=5.0) == (3, 1)


@pytest.mark.parametrize(
    ("job", "reason", "expected"),
    [
        (unreadable, "encrypted PDF", True),  # a page that cannot be read: no traceback
        (broken, "KeyError: '/Root'", False),  # a docpipe bug: its traceback is kept
    ],
)
def test_a_job_that_raises_is_a_page_job_failure(job, reason: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PageJobFailed) as failure:
        pages().run(job, timeout=5.0)
    assert failure.value.reason == reason
    assert failure.value.expected is expected
    assert ("Traceback" in failure.value.details) is not expected


def test_an_overrunning_page_times_out_and_the_pages_behind_it_wait_only_their_timeout(
    release: threading.Event,
) -> None:
    runner = pages()
    with pytest.raises(PageJobFailed, match=re.escape("Timeout: page took more than 0.2 s")):
        runner.run(release.wait, 60.0, timeout=0.2)  # stuck in a call nothing can interrupt
    with pytest.raises(PageJobFailed, match="WorkerStuck"):
        runner.run(divmod, 7, 2, timeout=0.2)  # PDFium is still held by the stuck page
    release.set()  # the stuck call returns: the worker reads pages again
    assert runner.run(divmod, 7, 2, timeout=30.0) == (3, 1)


def test_a_page_timeout_does_not_count_the_wait_for_pdfium(release: threading.Event) -> None:
    """Two tasks on one worker take turns: the second's timeout starts when its turn does."""
    runner = pages()
    holding = threading.Event()

    def long_page() -> str:
        holding.set()
        release.wait(60.0)
        return "long"

    first: list[str] = []
    thread = threading.Thread(target=lambda: first.append(runner.run(long_page, timeout=60.0)))
    thread.start()
    holding.wait(10.0)
    waiting: list[object] = []
    second = threading.Thread(target=lambda: waiting.append(runner.run(divmod, 7, 2, timeout=0.5)))
    second.start()
    second.join(1.5)  # three times its timeout, all of it waiting for the first page
    assert second.is_alive() and not waiting
    release.set()
    thread.join(10.0)
    second.join(10.0)
    assert first == ["long"] and waiting == [(3, 1)]


def test_local_target_is_a_runner_that_starts_its_own_loopback_cluster() -> None:
    from prefect_dask import DaskTaskRunner

    runner = dask_task_runner(parse_dask_target("local:2"))
    assert isinstance(runner, DaskTaskRunner) and runner.address is None
    assert runner.cluster_class == "distributed.LocalCluster"
    assert runner.cluster_kwargs == local_cluster_options(2)
    options = local_cluster_options(2)
    assert (options["n_workers"], options["threads_per_worker"], options["processes"]) == (2, 1, True)
    assert options["host"] == "127.0.0.1"


def test_address_target_is_a_runner_that_connects() -> None:
    runner = dask_task_runner(parse_dask_target("tcp://scheduler:8786"))
    assert runner.address == "tcp://scheduler:8786" and runner.cluster_class is None
