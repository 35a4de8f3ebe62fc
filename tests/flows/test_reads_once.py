"""A run reads the documents dataset once, and each document's previous pages file once.

Text documents are finished (and their previous pages read) in the page workers, so
the pages files are counted there too: each worker's job is wrapped to log the pages
files it reads to a file the test then counts.  (Linking copies, once every document
is written, reads the datasets as they then are: that read is not counted.)
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import docpipe.inventory
import flows.ingest
from docpipe.extract.workers import PagePool
from docpipe.writer import PARQUET_SUFFIX, document_key
from flows.ingest import ingest
from tests.conftest import RAW

TEXT_ONLY = {"ocr": "never"}
SAMPLES = ("digest-2014-05-09.pdf", "digest-2014-07-28.pdf")


def counting_datasets(reads: Counter[str], read: Callable[..., Any]) -> Callable[..., Any]:
    def counted(out_dir: Path, dataset: str, *args: Any, **kwargs: Any) -> Any:
        reads[dataset] += 1
        return read(out_dir, dataset, *args, **kwargs)

    return counted


def counting_files(reads: Counter[str], read: Callable[..., Any]) -> Callable[..., Any]:
    """``read`` (pyarrow's), counting each pages file it is given until copies are linked."""

    def counted(source: Any, *args: Any, **kwargs: Any) -> Any:
        for path in source if isinstance(source, list) else [source]:
            if Path(str(path)).parts[-3:-2] == ("pages",) and not reads["linking copies"]:
                reads[Path(str(path)).name] += 1
        return read(source, *args, **kwargs)

    return counted


def log_pages_file_reads(log: Path, read: Callable[..., Any]) -> Callable[..., Any]:
    """``read`` (pyarrow's), appending the name of each pages file it is given to ``log``."""

    def logged(source: Any, *args: Any, **kwargs: Any) -> Any:
        for path in source if isinstance(source, list) else [source]:
            if Path(str(path)).parts[-3:-2] == ("pages",):
                with log.open("a") as stream:
                    stream.write(Path(str(path)).name + "\n")
        return read(source, *args, **kwargs)

    return logged


def with_logged_reads(log: str, function: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a page job in a worker whose pyarrow reads of pages files are logged (patched once per worker)."""
    if not getattr(pq.read_table, "logs_pages_reads", False):
        for module, name in ((pq, "read_table"), (ds, "dataset")):
            logged = log_pages_file_reads(Path(log), getattr(module, name))
            logged.logs_pages_reads = True  # type: ignore[attr-defined]
            setattr(module, name, logged)
    return function(*args, **kwargs)


def logging_workers(log: Path) -> type[PagePool]:
    class LoggingWorkers(PagePool):
        """The flow's page workers, each logging the pages files it reads to ``log``."""

        def submit(self, function: Any, /, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
            return super().submit(with_logged_reads, str(log), function, *args, timeout=timeout, **kwargs)

    return LoggingWorkers


@pytest.mark.parametrize("force", [False, True], ids=["new files", "forced over previous rows"])
def test_each_dataset_file_is_read_once_per_run(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    for name in SAMPLES:
        shutil.copy(RAW / name, raw / name)
    if force:
        ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    datasets: Counter[str] = Counter()
    for module in (flows.ingest, docpipe.inventory):
        monkeypatch.setattr(module, "read_dataset", counting_datasets(datasets, module.read_dataset))
    page_files: Counter[str] = Counter()
    monkeypatch.setattr(pq, "read_table", counting_files(page_files, pq.read_table))
    monkeypatch.setattr(ds, "dataset", counting_files(page_files, ds.dataset))
    link_copies = flows.ingest.link_copies_task

    def link_copies_uncounted(out_dir: Path) -> list[str]:
        page_files["linking copies"] = 1
        return link_copies(out_dir)

    monkeypatch.setattr(flows.ingest, "link_copies_task", link_copies_uncounted)

    worker_log = tmp_path / "worker-reads.log"
    worker_log.touch()
    monkeypatch.setattr(flows.ingest, "PagePool", logging_workers(worker_log))

    summary = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=force)

    page_files.update(worker_log.read_text().split())

    assert len(summary.documents) == len(SAMPLES)
    assert datasets["documents"] == 1
    previous = {f"{document_key(name)}{PARQUET_SUFFIX}": 1 for name in SAMPLES} if force else {}
    expected = {**previous, "linking copies": 1}
    assert dict(page_files) == expected
