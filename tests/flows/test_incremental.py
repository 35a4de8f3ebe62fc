"""Incremental, idempotent and crash-safe runs, with real files, real processes and real SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docpipe.lock import OutputLocked, output_lock
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.conftest import RAW, ROOT

TEXT_ONLY = {"ocr": "never"}
SAMPLE = RAW / "digest-2014-05-09.pdf"
#: Rows of the sample in ``articles``: its 12 articles, and its cover and 目录 (part front).
SAMPLE_ARTICLES = 12 + 2


def parquet_state(out: Path) -> dict[str, int]:
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.parquet") if "runs" not in p.parts
    }


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "2014").mkdir(parents=True)
    shutil.copy(SAMPLE, raw / "2014" / SAMPLE.name)
    return raw


def test_unchanged_input_writes_nothing_changed_input_replaces(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parquet"
    first = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert first.changes["new"] == 1
    before = parquet_state(out)

    second = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert second.wrote_nothing and second.changes["unchanged"] == 1
    assert parquet_state(out) == before

    pdf = raw / "2014" / SAMPLE.name
    pdf.write_bytes(pdf.read_bytes() + b"\n% a new revision\n")
    third = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert third.changes["changed"] == 1
    articles = read_dataset(out, "articles")
    assert articles.num_rows == SAMPLE_ARTICLES
    documents = read_dataset(out, "documents").to_pylist()
    assert len(documents) == 1 and documents[0]["doc_id"] == third_doc_id(out)
    runs = read_dataset(out, "runs").to_pylist()
    assert sorted(r["documents_skipped"] for r in runs) == [0, 0, 1]


def third_doc_id(out: Path) -> str:
    ids = set(read_dataset(out, "articles")["doc_id"].to_pylist())
    assert len(ids) == 1
    return ids.pop()


def test_removed_file_is_recorded_and_pruned_on_request(
    prefect_harness: None, raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parquet"
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    (raw / "2014" / SAMPLE.name).unlink()

    kept = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert kept.changes["removed"] == 1
    [document] = read_dataset(out, "documents").to_pylist()
    assert document["status"] == "removed"
    assert read_dataset(out, "articles").num_rows == SAMPLE_ARTICLES

    # Prune applies to a document removed in an earlier run, and its row then says so.
    pruned = ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, prune=True)
    assert pruned.pruned == 1 and not pruned.wrote_nothing
    assert read_dataset(out, "articles").num_rows == 0
    assert read_dataset(out, "pages").num_rows == 0
    [document] = read_dataset(out, "documents").to_pylist()
    assert (document["status"], document["articles"]) == ("removed", 0)
    # Prune applies to a file removed in the same run.
    shutil.copy(SAMPLE, raw / "again.pdf")
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    (raw / "again.pdf").unlink()
    ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, prune=True)
    assert "again.pdf" not in read_dataset(out, "articles")["source_file"].to_pylist()
    again = [row for row in read_dataset(out, "documents").to_pylist() if row["source_file"] == "again.pdf"]
    assert [(row["status"], row["articles"]) for row in again] == [("removed", 0)]


def test_second_writer_waits_or_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import pathlib, time\nfrom docpipe.lock import output_lock\n"
            f"with output_lock(pathlib.Path({str(out)!r})): time.sleep(3)",
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 10
        while not (out / ".docpipe.lock").exists() or not (out / ".docpipe.lock").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with pytest.raises(OutputLocked, match="in use"), output_lock(out, wait=False):
            pass
        started = time.monotonic()
        with output_lock(out, wait=True):
            waited = time.monotonic() - started
        assert waited > 0.5
    finally:
        holder.wait(timeout=10)


def test_cli_no_wait_exits_with_one_line(tmp_path: Path, raw: Path) -> None:
    out = tmp_path / "parquet"
    with output_lock(out):
        result = subprocess.run(
            [sys.executable, "-m", "docpipe.cli", "run", "--raw", str(raw), "--out", str(out), "--no-wait"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "in use" in result.stderr


@pytest.mark.slow
def test_sigkill_mid_write_leaves_readable_state_and_next_run_completes(tmp_path: Path, raw: Path) -> None:
    shutil.copy(RAW / "digest-2014-07-28.pdf", raw / "digest-2014-07-28.pdf")
    out = tmp_path / "parquet"
    command = [
        sys.executable,
        "-m",
        "docpipe.cli",
        "run",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--ocr",
        "never",
    ]
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    victim = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while not list((out / "articles").rglob("*.parquet")) if (out / "articles").exists() else True:
        assert time.monotonic() < deadline, "the run never started writing"
        assert victim.poll() is None, "the run finished before it could be killed"
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)

    for dataset in ("articles", "pages", "documents"):
        read_dataset(out, dataset)  # readable: no half-written file is visible

    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    articles = read_dataset(out, "articles")
    assert articles.num_rows == SAMPLE_ARTICLES + 36 + 2
    assert len(set(articles["article_id"].to_pylist())) == articles.num_rows
    assert {row["status"] for row in read_dataset(out, "documents").to_pylist()} == {"ok"}
