"""Throughput of docpipe runs beside the floors measured in the same run, on generated PDFs.

Prints, in one run:
- the fixed cost of a ``docpipe run`` with nothing to do, beside an interpreter importing docpipe's CLI;
- text pages: s/page of the ingest flow (page workers on every core) beside reading the same
  pages' characters with pdfplumber on every core, and pypdfium2's ``get_text_range`` on every core;
- 1 vs N workers on text pages and on OCR pages (the default engine);
- peak RSS of ``docpipe run`` on a 10-page and on a 1,000-page generated text PDF;
- local vs ``--dask local:2`` on the text pages: ``docpipe run`` seconds (the cluster's start
  included) and whether both wrote the same article rows (target: identical).

Targets (issue 13): no-op <= 3 s; N workers >= 1.8 x one worker on 2 cores; peak RSS at
1,000 pages <= 1.5 x at 10 pages.  The flow runs against one Prefect API server started
for the benchmark (PREFECT_API_URL, as a deployment would), so its start-up is not counted.

Usage: ``python benchmarks/throughput.py [--text-pages 160] [--ocr-pages 8] [--big-pages 1000]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docpipe.prefect_server import prefect_api  # noqa: E402
from tests.page_pdfs import write_text_pdf  # noqa: E402

DOCUMENT_PAGES = 40


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def docpipe_command(raw: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "docpipe.cli", "run", "--raw", str(raw), "--out", str(out), *options]


def run_and_measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of the largest process of a command's tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{command} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


# --- floors ------------------------------------------------------------------------------


def plumber_chars(job: tuple[str, list[int]]) -> int:
    import pdfplumber

    path, numbers = job
    count = 0
    with pdfplumber.open(path) as pdf:
        for number in numbers:
            page = pdf.pages[number - 1]
            count += len(page.chars)
            page.close()
    return count


def pdfium_text(job: tuple[str, list[int]]) -> int:
    import pypdfium2 as pdfium

    path, numbers = job
    pdf = pdfium.PdfDocument(path)
    try:
        return sum(len(pdf[number - 1].get_textpage().get_text_range()) for number in numbers)
    finally:
        pdf.close()


def floor_seconds(reader: Callable[[tuple[str, list[int]]], int], documents: list[Path], cores: int) -> float:
    jobs = [
        (str(path), list(range(first, min(first + 10, DOCUMENT_PAGES + 1))))
        for path in documents
        for first in range(1, DOCUMENT_PAGES + 1, 10)
    ]
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(reader, jobs[:cores]))  # start and import in every process first
        return timed(lambda: list(pool.map(reader, jobs)))


# --- flow runs -------------------------------------------------------------------------------


def flow_seconds(raw: Path, settings: dict[str, object]) -> float:
    from docpipe.settings import DEFAULT_SETTINGS
    from flows.ingest import ingest, run_with_workers

    out = Path(tempfile.mkdtemp(prefix="docpipe-bench-out-"))
    try:
        resolved = DEFAULT_SETTINGS.with_overrides(**settings)
        return timed(lambda: run_with_workers(ingest, resolved, raw_dir=raw, out_dir=out))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def article_rows(out: Path) -> list[tuple[str, str]]:
    from docpipe.writer import read_dataset

    rows = read_dataset(out, "articles", columns=["article_id", "body"]).to_pylist()
    return sorted((row["article_id"], row["body"]) for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-pages", type=int, default=160, help="text pages (in 40-page documents)")
    parser.add_argument("--ocr-pages", type=int, default=8, help="pages OCR'd by each worker setting")
    parser.add_argument("--big-pages", type=int, default=1000, help="pages of the large document for RSS")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="docpipe-bench-"))
    try:
        text_raw, ocr_raw, small_raw, big_raw = (work / name for name in ("text", "ocr", "small", "big"))
        for directory in (text_raw, ocr_raw, small_raw, big_raw):
            directory.mkdir()
        documents = [
            write_text_pdf(text_raw / f"text-{n}.pdf", DOCUMENT_PAGES, font_size=10 + n % 3)
            for n in range(max(1, args.text_pages // DOCUMENT_PAGES))
        ]
        text_pages = len(documents) * DOCUMENT_PAGES
        write_text_pdf(ocr_raw / "ocr.pdf", args.ocr_pages)
        write_text_pdf(small_raw / "small.pdf", 10)
        write_text_pdf(big_raw / "big.pdf", args.big_pages)
        print(f"cores: {cores}; generated PDFs in {work}")

        plumber = floor_seconds(plumber_chars, documents, cores)
        pdfium = floor_seconds(pdfium_text, documents, cores)
        with prefect_api() as url:
            print(f"Prefect API: {url}")
            # Fixed cost of nothing to do: an ingested, unchanged directory.
            noop_out = work / "noop-out"
            run_and_measure(docpipe_command(small_raw, noop_out, "--ocr", "never"))
            noop, _ = run_and_measure(docpipe_command(small_raw, noop_out, "--ocr", "never"))
            interpreter = timed(
                lambda: subprocess.run([sys.executable, "-c", "import docpipe.cli"], cwd=ROOT, check=True)
            )
            print(
                f"no-op run:        {noop:6.2f} s   (floor: python importing docpipe.cli "
                f"{interpreter:.2f} s; target <= 3 s)"
            )
            flow_seconds(small_raw, {"ocr": "never"})  # warm the API and the imports
            text = {
                workers: flow_seconds(text_raw, {"ocr": "never", "ocr_workers": workers})
                for workers in (1, cores)
            }
            ocr = {
                workers: flow_seconds(ocr_raw, {"ocr": "always", "ocr_workers": workers})
                for workers in (1, cores)
            }
            small_seconds, small_rss = run_and_measure(
                docpipe_command(small_raw, work / "small-out", "--ocr", "never")
            )
            big_seconds, big_rss = run_and_measure(
                docpipe_command(big_raw, work / "big-out", "--ocr", "never")
            )
            local_out, dask_out = work / "local-out", work / "dask-out"
            local_seconds, _ = run_and_measure(
                docpipe_command(text_raw, local_out, "--ocr", "never", "--workers", "2")
            )
            dask_seconds, _ = run_and_measure(
                docpipe_command(text_raw, dask_out, "--ocr", "never", "--dask", "local:2")
            )
            same_articles = article_rows(local_out) == article_rows(dask_out) != []

        per_page = text[cores] / text_pages
        print(
            f"text pages:       {per_page:.4f} s/page with {cores} workers ({text_pages} pages); "
            f"pdfplumber chars on {cores} cores {plumber / text_pages:.4f} s/page "
            f"({per_page / (plumber / text_pages):.2f}x), "
            f"pypdfium2 get_text_range {pdfium / text_pages:.4f} s/page "
            f"({per_page / (pdfium / text_pages):.1f}x)"
        )
        print(
            f"text 1 vs {cores} workers: {text[1]:.1f} s vs {text[cores]:.1f} s "
            f"-> {text[1] / text[cores]:.2f}x (target >= 1.8x on 2 cores)"
        )
        print(
            f"OCR  1 vs {cores} workers: {ocr[1]:.1f} s vs {ocr[cores]:.1f} s -> {ocr[1] / ocr[cores]:.2f}x "
            f"({args.ocr_pages} pages, {ocr[cores] / args.ocr_pages:.2f} s/page with {cores})"
        )
        print(
            f"peak RSS:         {small_rss:.0f} MiB at 10 pages ({small_seconds:.1f} s), "
            f"{big_rss:.0f} MiB at {args.big_pages} pages ({big_seconds:.1f} s) "
            f"-> {big_rss / small_rss:.2f}x (target <= 1.5x; the largest process of the run's tree)"
        )
        print(
            f"local vs --dask local:2: {local_seconds:.1f} s vs {dask_seconds:.1f} s on {text_pages} text "
            f"pages (docpipe run, the cluster's start included); articles identical: {same_articles}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
