"""The page-worker pool: timeouts that kill what a page started, crashes that fail one page,
a bound on concurrent jobs, and PDFium used safely by several workers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from docpipe.extract.pdf import (
    UnreadableDocument,
    extract_page,
    open_document,
    read_page_by_ocr,
    read_text_pages,
)
from docpipe.extract.workers import PageJobFailed, PagePool, report_page_start, report_pages_done
from docpipe.settings import DEFAULT_SETTINGS
from tests.builders import BROKEN_INPUTS, write_not_a_pdf
from tests.page_pdfs import write_blank_pdf, write_text_pdf, write_white_box_pdf

TEXT_ONLY = DEFAULT_SETTINGS.with_overrides(ocr="never")


# --- jobs: module-level, so a spawned worker can import them --------------------------


def sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def start_sleeper_then_hang(pid_file: str) -> None:
    """Start a child (as Tesseract would be), record its pid, then outlive any timeout."""
    child = subprocess.Popen(["sleep", "300"])
    Path(pid_file).write_text(str(child.pid))
    time.sleep(300)


def pages_of(seconds: float, pages: int, *, hang_on: int | None = None, then: float = 0.0) -> int:
    """A job reading ``pages`` pages of ``seconds`` each (``hang_on`` never ends), then ``then`` s of work
    on what it read."""
    for number in range(1, pages + 1):
        report_page_start(number)
        time.sleep(300 if number == hang_on else seconds)
    report_pages_done()
    time.sleep(then)
    return pages


def raise_value_error() -> None:
    raise ValueError("a bug in the job")


def raise_unreadable() -> None:
    raise UnreadableDocument("not a PDF (no %PDF- header)")


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def render_and_read(path: str, page_number: int) -> tuple[int, int]:
    """Open a PDF with PDFium, render one page and read its text: what OCR and text reading do."""
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[page_number - 1]
        bitmap = page.render(scale=100 / 72, grayscale=True)
        text = page.get_textpage().get_text_range()
        return bitmap.width * bitmap.height, len(text)
    finally:
        pdf.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; it only waits for its parent to read its status.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


# --- the pool -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> PagePool:
    with PagePool(2, expected_failures=(UnreadableDocument,)) as pool:
        yield pool


def test_jobs_never_exceed_the_workers_and_all_complete(pool: PagePool) -> None:
    futures = [pool.submit(sleep_then_pid, 0.05, timeout=60) for _ in range(12)]
    pids = {future.result() for future in futures}
    assert 1 <= len(pids) <= 2
    assert pool.peak_running == 2


def test_a_timeout_kills_the_worker_and_everything_it_started(pool: PagePool, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    with pytest.raises(PageJobFailed, match="Timeout") as failure:
        pool.run(start_sleeper_then_hang, str(pid_file), timeout=1.5)
    assert failure.value.expected and failure.value.seconds >= 1.5
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while alive(child):
        assert time.monotonic() < deadline, "the page's child process outlived its timeout"
        time.sleep(0.05)
    assert pool.run(sleep_then_pid, 0, timeout=60) > 0  # the worker was replaced


def test_the_timeout_counts_the_jobs_own_work_not_its_wait(pool: PagePool) -> None:
    # Both workers started and this module imported in them first (not a job's work to time).
    for warm_up in [pool.submit(sleep_then_pid, 0.5, timeout=600) for _ in range(2)]:
        warm_up.result()
    # Ten 1 s jobs on two workers: the last ones wait 4 s for a worker, and a 3 s
    # timeout would fail them if it counted the wait.
    futures = [pool.submit(sleep_then_pid, 1.0, timeout=3.0) for _ in range(10)]
    assert all(future.result() > 0 for future in futures)


def test_each_page_a_job_reports_has_the_whole_timeout_from_its_own_start(pool: PagePool) -> None:
    # Five 0.6 s pages under a 1.5 s timeout: the job runs 3 s, no page more than 0.6 s.
    assert pool.run(pages_of, 0.6, 5, timeout=1.5) == 5


def test_a_page_that_hangs_in_a_job_fails_it_at_its_own_timeout_and_is_named(pool: PagePool) -> None:
    with pytest.raises(PageJobFailed, match="Timeout") as failure:
        pool.run(pages_of, 0.3, 5, hang_on=4, timeout=1.5)
    assert failure.value.page == 4
    assert 1.5 <= failure.value.seconds < 3.0  # page 4's time, not the job's


def test_work_after_the_pages_runs_without_a_timeout(pool: PagePool) -> None:
    assert pool.run(pages_of, 0.1, 2, then=2.0, timeout=1.0) == 2


def test_an_error_on_a_page_names_that_page(pool: PagePool) -> None:
    with pytest.raises(PageJobFailed) as failure:
        pool.run(pages_of, 0.0, 3, hang_on=None, then="not a number", timeout=60)  # type: ignore[arg-type]
    assert failure.value.page == 3 and failure.value.reason.startswith("TypeError")


@pytest.mark.parametrize(
    ("job", "reason", "expected"),
    [
        (raise_unreadable, "not a PDF (no %PDF- header)", True),
        (raise_value_error, "ValueError: a bug in the job", False),
        (segfault, "WorkerCrashed: the page's worker process died of SIGSEGV", True),
    ],
)
def test_a_failed_job_is_one_failure_with_its_reason(
    pool: PagePool, job, reason: str, expected: bool
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PageJobFailed) as failure:
        pool.run(job, timeout=60)
    assert failure.value.reason == reason
    assert failure.value.expected is expected
    assert ("Traceback" in failure.value.details) is (not expected and job is raise_value_error)
    assert pool.run(sleep_then_pid, 0, timeout=60) > 0  # the pool goes on


def test_closing_with_cancel_kills_running_jobs_and_drops_queued_ones() -> None:
    pool = PagePool(1)
    running = pool.submit(sleep_then_pid, 300, timeout=600)
    queued = pool.submit(sleep_then_pid, 0, timeout=600)
    while pool.jobs_run == 0:
        time.sleep(0.05)
    pool.close(cancel=True)
    assert queued.cancelled()
    with pytest.raises(PageJobFailed, match="WorkerCrashed"):
        running.result(timeout=30)


def test_workers_die_with_the_process_that_started_them(tmp_path: Path) -> None:
    """SIGKILL the owner of a pool: its workers must not be left running."""
    script = (
        "import sys, time\n"
        "from docpipe.extract.workers import PagePool\n"
        "from tests.docpipe.test_workers import sleep_then_pid\n"
        "pool = PagePool(2)\n"
        "futures = [pool.submit(sleep_then_pid, 0.1, timeout=60) for _ in range(4)]\n"
        "print(' '.join(str(f.result()) for f in futures), flush=True)\n"
        "time.sleep(300)\n"
    )
    owner = subprocess.Popen(
        [os.sys.executable, "-c", script],  # type: ignore[attr-defined]
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert owner.stdout is not None
    workers = {int(pid) for pid in owner.stdout.readline().split()}
    assert workers and all(alive(pid) for pid in workers)
    owner.kill()
    owner.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "a page worker outlived the process that started it"
        time.sleep(0.05)


# --- PDFium under the pool -----------------------------------------------------------------


def test_many_pages_of_several_pdfs_read_and_rendered_at_once_without_a_pdfium_error(
    pool: PagePool, tmp_path: Path
) -> None:
    documents = [
        write_text_pdf(tmp_path / "a5.pdf", 40),
        write_text_pdf(tmp_path / "wide.pdf", 30, size=(842.0, 595.0), font_size=14, lines_per_page=8),
        write_text_pdf(tmp_path / "turned.pdf", 30, rotate=90),
    ]
    renders = [
        pool.submit(render_and_read, str(path), number, timeout=120)
        for path in documents
        for number in range(1, len(pdfium.PdfDocument(str(path))) + 1)
    ]
    batches = [
        pool.submit(read_text_pages, path, list(range(first, first + 10)), settings=TEXT_ONLY, timeout=120)
        for path in documents
        for first in range(1, 30, 10)
    ]
    for future in renders:
        pixels, characters = future.result()  # any PDFium error would raise here
        assert pixels > 0 and characters > 100
    for path, batch in zip([d for d in documents for _ in range(3)], batches, strict=True):
        pages = batch.result()
        assert len(pages) == 10 and all(page is not None for page in pages)
        if path.name != "turned.pdf":  # reading a turned text layer upright is the text reader's job
            assert all(page.status == "ok" and len(page.lines) >= 8 for page in pages if page is not None)


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_rotated_page_is_read_in_a_worker_without_crashing(
    pool: PagePool, tmp_path: Path, rotate: int
) -> None:
    path = write_text_pdf(tmp_path / f"rotate-{rotate}.pdf", 2, rotate=rotate)
    page = pool.run(extract_page, path, 1, settings=TEXT_ONLY, timeout=120)
    assert page.status in ("ok", "blank") and page.number == 1
    pixels, _ = pool.run(render_and_read, str(path), 2, timeout=120)
    assert pixels > 0


def test_opening_in_a_worker_gives_the_same_reasons(pool: PagePool, tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "ok.pdf", 3)
    assert pool.run(open_document, path, timeout=60).pages == 3
    with pytest.raises(PageJobFailed, match="not a PDF"):
        pool.run(open_document, write_not_a_pdf(tmp_path / "bad.pdf"), timeout=60)


def test_one_worker_opening_every_broken_input_in_turn_gives_each_its_own_reason(tmp_path: Path) -> None:
    """PDFium's last error is process-wide: a reason must never be left over from the previous file."""
    with PagePool(1, expected_failures=(UnreadableDocument,)) as single:
        for name, (build, reason) in [*BROKEN_INPUTS.items(), *reversed(BROKEN_INPUTS.items())]:
            with pytest.raises(PageJobFailed) as failure:
                single.run(open_document, build(tmp_path / name), timeout=60)
            assert reason in failure.value.reason, name


# --- bounds before OCR --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "status", "error"),
    [
        (lambda path: write_blank_pdf(path, 1), "blank", None),
        (write_white_box_pdf, "blank", None),
        (
            lambda path: write_blank_pdf(path, 1, size=(20_000.0, 20_000.0)),
            "failed",
            "page too large to render",
        ),
    ],
    ids=["nothing-on-it", "white-box", "20000pt-square"],
)
def test_pages_that_need_no_ocr_or_cannot_have_it_are_decided_cheaply(
    tmp_path: Path,
    build,
    status: str,
    error: str | None,  # type: ignore[no-untyped-def]
) -> None:
    path = build(tmp_path / "page.pdf")
    page = read_page_by_ocr(path, 1, settings=DEFAULT_SETTINGS)
    assert page.status == status and page.method == "ocr"
    assert (page.error or "").startswith(error or "")
    assert page.engine is None  # decided before any OCR engine ran


def test_a_page_with_text_drawn_is_not_blank(tmp_path: Path) -> None:
    from docpipe.extract.page_bounds import looks_blank

    path = write_text_pdf(tmp_path / "small-text.pdf", 1, font_size=7, lines_per_page=1)
    pdf = pdfium.PdfDocument(str(path))
    try:
        assert not looks_blank(
            pdf[0], dpi=DEFAULT_SETTINGS.blank_check_dpi, ink_level=DEFAULT_SETTINGS.blank_ink_level
        )
    finally:
        pdf.close()
