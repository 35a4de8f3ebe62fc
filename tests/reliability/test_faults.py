"""Faults an operator's worst week brings: an unwritable cache, a full output volume, a file that turns
bad, SIGKILL at random moments.  After each: the datasets are readable, no article_id is duplicated, no
good row was replaced by a failure, and the next run converges to a clean run's rows."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import flows.ingest
from docpipe import page_cache, storage, writer
from docpipe.assemble import DocumentRows
from docpipe.document_job import finish_document, read_document
from docpipe.extract.workers import PagePool
from docpipe.keep_or_replace import RETRY_PENDING
from docpipe.writer import OutputUnwritable, read_dataset
from flows.ingest import ingest, write_document_task
from tests.builders import write_truncated_pdf
from tests.conftest import ROOT
from tests.processes import docpipe_command, kill_group
from tests.reliability.inputs import (
    GOOD_ARTICLES,
    OTHER_SAMPLE,
    article_state,
    check_invariants,
    copy_good,
    good_rows_kept,
    one_page_scan,
    temp_files,
)

TEXT_ONLY = {"ocr": "never"}
TMPFS_BYTES = 16 << 20  # room for two digests' datasets and page cache, several times over


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    copy_good(raw)
    return raw


@pytest.fixture()
def cli_env(prefect_harness: None, tmp_path: Path) -> dict[str, str]:
    """``docpipe run`` in a child, on the session's Prefect API: seconds instead of a server start each."""
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PYTHONPATH": str(ROOT),
    }


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextmanager
def small_tmpfs(mount_point: Path) -> Iterator[bool]:
    """Mount a small tmpfs at ``mount_point`` if this process may (root in CI); yield whether it did."""
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(mount_point)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(volume: Path) -> Path:
    """Fill a volume to its last byte; return the filler to delete."""
    filler = volume / "filler"
    with filler.open("wb") as stream:
        try:
            while True:
                stream.write(bytes(1 << 20))
                stream.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    for size in (4096, 1):  # the last partial block
        try:
            with filler.open("ab") as stream:
                while True:
                    stream.write(bytes(size))
                    stream.flush()
        except OSError:
            pass
    return filler


# --- the page cache is only an optimisation ---------------------------------------------


def cache_is_a_file(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(out / "_cache", ignore_errors=True)
    (out / "_cache").write_text("not a directory")


_REAL_DUMP = json.dump


def dump_half(value: object, stream: object, **kwargs: object) -> None:
    _REAL_DUMP({"half": "written"}, stream)  # type: ignore[arg-type]
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def store_without_space(location: Any) -> storage.Store:
    """The page cache's store, whose writes fail as on a full volume."""
    store = storage.open_store(location)
    store.write_atomically = no_space  # type: ignore[method-assign]
    return store


def cache_write_runs_out_of_space(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_cache.json, "dump", dump_half)


CACHE_FAULTS: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    "cache path is a file": cache_is_a_file,
    "cache write hits ENOSPC": cache_write_runs_out_of_space,
}


@pytest.fixture()
def raw_with_scan(raw: Path) -> Path:
    """The good digest and a one-page scan: OCR'd pages are the ones the page cache holds."""
    one_page_scan(raw)
    return raw


def cached_files(out: Path) -> list[Path]:
    return list((out / page_cache.CACHE_DIR).glob("*/*.json"))


@pytest.mark.parametrize("fault", sorted(CACHE_FAULTS))
def test_unwritable_cache_changes_nothing(
    prefect_harness: None, raw_with_scan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    out = tmp_path / "out"
    ingest(raw_dir=raw_with_scan, out_dir=out)
    before = article_state(out)
    assert len(before) > GOOD_ARTICLES
    assert len(cached_files(out)) == 1, "the scanned page is cached"
    shutil.rmtree(out / "_cache")
    CACHE_FAULTS[fault](out, monkeypatch)
    page_cache._unwritable.clear()

    forced = ingest(raw_dir=raw_with_scan, out_dir=out, force=True)

    assert cached_files(out) == [], "the fault never hit the cache"
    assert forced.pages_by_status["failed"] == 0
    assert article_state(out) == before
    assert {row["status"] for row in read_dataset(out, "pages").to_pylist()} == {"ok"}
    check_invariants(out)


def test_cache_on_a_full_volume_changes_nothing(
    prefect_harness: None, raw_with_scan: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ingest(raw_dir=raw_with_scan, out_dir=out)
    before = article_state(out)
    assert len(cached_files(out)) == 1, "the scanned page is cached"
    shutil.rmtree(out / "_cache")
    with small_tmpfs(out / "_cache") as mounted, pytest.MonkeyPatch.context() as patch:
        if mounted:
            fill(out / "_cache")
        else:  # not allowed to mount here: the writes fail as they would
            patch.setattr(page_cache, "open_store", store_without_space)
        page_cache._unwritable.clear()
        forced = ingest(raw_dir=raw_with_scan, out_dir=out, force=True)
        assert cached_files(out) == [], "the fault never hit the cache"
        assert forced.pages_by_status["failed"] == 0
        assert article_state(out) == before
        check_invariants(out)


# --- a full output volume ------------------------------------------------------------------


def test_full_output_volume_fails_the_run_and_replaces_nothing(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with small_tmpfs(out) as mounted, pytest.MonkeyPatch.context() as patch:
        ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
        before = article_state(out)
        documents = read_dataset(out, "documents").to_pylist()
        filler = fill(out) if mounted else None
        if not mounted:
            patch.setattr(writer.pq, "write_table", no_space)

        with pytest.raises(OutputUnwritable, match="cannot write to"):
            ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=True)

        check_invariants(out)
        assert article_state(out) == before
        assert read_dataset(out, "documents").to_pylist() == documents
        if filler is not None:
            filler.unlink()
        patch.undo()
        ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=True)
        assert article_state(out) == before
        check_invariants(out)


def test_cli_full_output_volume_is_one_line_and_exit_2(
    raw: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    out = tmp_path / "out"
    with small_tmpfs(out) as mounted:
        command = docpipe_command("run", raw, out, "--ocr", "never")
        if mounted:
            fill(out)
        else:  # the writer patched in the child, as the kernel would answer
            command[1:3] = [
                "-c",
                "import errno, os, sys\nimport docpipe.writer as w\n"
                "def full(*a, **k): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
                "w.pq.write_table = full\nfrom docpipe.cli import main\nsys.exit(main())",
            ]
        result = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env=cli_env,
        )
        leftovers = temp_files(out)
    assert result.returncode == 2, result.stderr[-3000:]
    [ours] = [line for line in result.stderr.splitlines() if line.startswith("docpipe:")]
    assert ours.startswith("docpipe: cannot write to") and "No space left on device" in ours
    assert not any("/docpipe/" in line or "/flows/" in line for line in result.stderr.splitlines())
    assert leftovers == []


# --- a file that turns bad keeps its good rows until a run does as well ---------------------


def test_failed_reextraction_keeps_the_previous_rows(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    before = article_state(out)
    good = raw / "good.pdf"
    original = good.read_bytes()
    [ingested] = [r for r in read_dataset(out, "documents").to_pylist() if r["source_file"] == "good.pdf"]

    write_truncated_pdf(good)  # e.g. a copy still in progress
    for _ in range(2):  # tried again by every run, and still kept
        summary = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
        assert [d["status"] for d in summary.documents] == ["failed"]
        assert article_state(out) == before
        [row] = [r for r in read_dataset(out, "documents").to_pylist() if r["source_file"] == "good.pdf"]
        assert (row["status"], row["doc_id"], row["articles"]) == ("ok", ingested["doc_id"], GOOD_ARTICLES)
        [pending] = [w for w in row["warnings"] if w.startswith(RETRY_PENDING)]
        assert "this run failed: damaged or truncated PDF" in pending
        check_invariants(out)

    good.write_bytes(original)  # the copy completes: the same bytes as the kept rows
    healed = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert [d["status"] for d in healed.documents] == ["ok"]
    [row] = [r for r in read_dataset(out, "documents").to_pylist() if r["source_file"] == "good.pdf"]
    assert not [w for w in row["warnings"] if w.startswith(RETRY_PENDING)]
    assert article_state(out) == before
    assert ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY).wrote_nothing


def test_pages_failing_under_force_keep_the_previous_rows(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    """The same bytes read worse (pages timing out on a loaded machine) never replace a good reading."""
    out = tmp_path / "out"
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    before = article_state(out)
    pages_before = read_dataset(out, "pages").to_pylist()
    [document] = read_dataset(out, "documents").to_pylist()
    timed_out = [{**page, "status": "failed", "error": "Timeout"} for page in pages_before[1:]]
    worse = DocumentRows(
        document["doc_kind"],
        articles=[],
        pages=[{k: v for k, v in page.items() if k != "doc_kind"} for page in pages_before[:1] + timed_out],
        document={k: v for k, v in document.items() if k != "doc_kind"} | {"status": "partial"},
    )

    written = write_document_task.fn(out, "good.pdf", worse, force=True)

    assert written.kept
    assert article_state(out) == before
    assert read_dataset(out, "pages").to_pylist() == pages_before
    [row] = read_dataset(out, "documents").to_pylist()
    [pending] = [w for w in row["warnings"] if w.startswith(RETRY_PENDING)]
    assert f"failed on {len(timed_out)} pages (the kept rows on 0)" in pending
    check_invariants(out)
    healed = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)  # tried again, unforced
    assert [d["status"] for d in healed.documents] == ["ok"]
    [row] = read_dataset(out, "documents").to_pylist()
    assert not [w for w in row["warnings"] if w.startswith(RETRY_PENDING)]


def test_force_accepts_a_changed_file_that_fails(prefect_harness: None, raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    write_truncated_pdf(raw / "good.pdf")
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=True)
    [row] = [r for r in read_dataset(out, "documents").to_pylist() if r["source_file"] == "good.pdf"]
    assert (row["status"], row["articles"]) == ("failed", 0)
    assert "good.pdf" not in {source for source, *_ in article_state(out)}
    assert article_state(out) == set()


# --- SIGKILL at random moments -------------------------------------------------------------

KILLS = 3


@pytest.mark.slow
def test_sigkill_at_random_moments_then_the_next_run_converges(
    raw: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    shutil.copy(OTHER_SAMPLE, raw / "other.pdf")
    reference = tmp_path / "reference"
    ingest(raw_dir=raw, out_dir=reference, settings=TEXT_ONLY)
    clean = article_state(reference)
    out = tmp_path / "out"
    env = cli_env
    command = docpipe_command("run", raw, out, "--ocr", "never")
    moments = random.Random(20260512)
    kept: set[tuple[str, str, str]] = set()
    landed = 0
    for attempt in range(KILLS):
        started = time.time_ns()
        victim = subprocess.Popen(
            [*command, *(["--force"] if attempt else [])],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its Prefect server too, so that nothing outlives the test
        )
        try:
            wait_for_first_write(out, since_ns=started, victim=victim)
            time.sleep(moments.uniform(0.0, 0.4))
            landed += victim.poll() is None
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
        finally:
            kill_group(victim.pid)
        check_invariants_after_kill(out)
        now = article_state(out)
        assert good_rows_kept(kept, now) == set(), "a kill lost articles written before it"
        kept = now

    assert landed, "every run finished before its kill: nothing was tested"
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    check_invariants(out)
    assert article_state(out) == clean
    assert {row["status"] for row in read_dataset(out, "documents").to_pylist()} == {"ok"}


def wait_for_first_write(out: Path, *, since_ns: int, victim: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 240
    while True:
        assert time.monotonic() < deadline, "the run never started writing"
        assert victim.poll() is None, "the run finished before it could be killed"
        if out.exists() and any(
            path.is_file() and path.stat().st_mtime_ns >= since_ns
            for path in out.rglob("*")
            if path.suffix in (".parquet", ".json")
        ):
            return
        time.sleep(0.02)


def check_invariants_after_kill(out: Path) -> None:
    """As :func:`check_invariants`, except that a killed write may leave its own temporary file."""
    for dataset in ("articles", "pages", "documents", "runs"):
        read_dataset(out, dataset)
    ids = read_dataset(out, "articles")["article_id"].to_pylist()
    assert len(ids) == len(set(ids))


def test_copy_turned_into_a_symlink_drops_its_duplicate_articles(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    """Not a failure to protect against: the articles are the target's, and counted once from now on."""
    out = tmp_path / "out"
    copy_good(raw, "alias.pdf")
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert len(article_state(out)) == 2 * GOOD_ARTICLES
    (raw / "alias.pdf").unlink()
    (raw / "alias.pdf").symlink_to("good.pdf")

    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)

    assert {source for source, *_ in article_state(out)} == {"good.pdf"}
    [alias] = [r for r in read_dataset(out, "documents").to_pylist() if r["source_file"] == "alias.pdf"]
    assert (alias["status"], alias["articles"]) == ("failed", 0)
    assert alias["error"].startswith("symlink to good.pdf")
    check_invariants(out)


def raise_a_bug(*args: Any, **kwargs: Any) -> None:
    raise IndexError("list index out of range")


class BuggyOnGood(PagePool):
    """The flow's page workers, where assembling good.pdf hits a bug (in a worker, where it runs)."""

    def submit(self, function: Any, /, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        if function in (read_document, finish_document) and args[1] == "good.pdf":
            function = raise_a_bug
        return super().submit(function, *args, timeout=timeout, **kwargs)


def test_a_bug_on_one_document_does_not_stop_the_others(
    prefect_harness: None, raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    shutil.copy(OTHER_SAMPLE, raw / "other.pdf")
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    before = article_state(out)

    monkeypatch.setattr(flows.ingest, "PagePool", BuggyOnGood)
    summary = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=True)

    by_file = {d["source_file"]: d for d in summary.documents}
    assert by_file["other.pdf"]["status"] == "ok"
    assert by_file["good.pdf"]["status"] == "failed"
    assert "internal error, please report: IndexError" in str(by_file["good.pdf"]["error"])
    assert article_state(out) == before  # the good rows of good.pdf were kept
    check_invariants(out)
