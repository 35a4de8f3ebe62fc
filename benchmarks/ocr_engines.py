"""OCR engines compared on a scanned sample (the book unless --pdf): body CER, paragraphs, articles, s/page.

Every page of the scanned sample is read by ``docpipe.extract.ocr.ocr_page`` with each
engine (``Settings.ocr_engine``), the pages are assembled by
``docpipe.assemble.assemble_document`` as the flow does, and the articles are scored
against the golden JSON with ``benchmarks/quality.py``'s :func:`score` (body CER:
edit distance over golden length, whitespace removed).  Raw Tesseract
(``image_to_string`` on the articles' pages, no cleanup) is measured in the same run.

Targets (issue 5): hybrid body CER <= 0.5 x tesseract's and <= 1 %; hybrid s/page
<= 2 x tesseract's; paragraph and article counts unchanged between the engines.

``--threads`` also times the hybrid engine on one worker with ONNX Runtime using every
core, against the default of one worker per core with one ONNX thread each.

Usage: ``python benchmarks/ocr_engines.py [--pdf raw/book-local-government-big-data.pdf]
[--engines tesseract,hybrid] [--workers N] [--threads]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import load_gold, raw_tesseract_cer  # noqa: E402

from docpipe.assemble import assemble_document  # noqa: E402
from docpipe.extract.hybrid import HybridEngine  # noqa: E402
from docpipe.extract.ocr import OcrEngine, TesseractEngine, engine_for, ocr_page  # noqa: E402
from docpipe.layout import Page  # noqa: E402
from docpipe.scoring import Article, score  # noqa: E402
from docpipe.settings import DEFAULT_SETTINGS, Settings  # noqa: E402

CER_FACTOR = 0.5  # hybrid CER at most this times Tesseract's ...
CER_CEILING = 0.01  # ... and at most 1 %
SPEED_FACTOR = 2.0  # hybrid seconds per page at most this times Tesseract's
#: Seconds a page may take here: on a loaded machine a slow page must not fail (and
#: drop out of the comparison) as the flow's page_timeout would make it.
PAGE_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Run:
    engine: str
    cer: float
    paragraphs: int
    articles: int
    seconds_per_page: float  # wall time of the whole run over the pages
    low_confidence_pages: int


def read_pages(pdf: Path, engine: OcrEngine, *, settings: Settings, workers: int) -> tuple[list[Page], float]:
    """Every page OCR'd by ``engine`` on ``workers`` threads, as the flow's page tasks do; wall seconds."""
    count = len(pdfium.PdfDocument(str(pdf)))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pages = list(
            pool.map(lambda n: ocr_page(pdf, n, settings=settings, engine=engine), range(1, count + 1))
        )
    return pages, time.perf_counter() - started


def measure(pdf: Path, gold_path: Path, engine: OcrEngine, *, settings: Settings, workers: int) -> Run:
    pages, seconds = read_pages(pdf, engine, settings=settings, workers=workers)
    rows = assemble_document(
        doc_id="benchmark",
        source_file=pdf.name,
        pages=pages,
        settings=settings,
        ingested_at=datetime.now(UTC),
    )
    produced = [
        Article(title=row["title"], paragraphs=row["body"].split("\n"), source=row["source"])
        for row in rows.articles
        if row["part"] == "body"
    ]
    gold, furniture = load_gold(gold_path)
    scores = score(gold, produced, furniture)
    return Run(
        engine=engine.name,
        cer=scores.edit_distance / scores.gold_chars,
        paragraphs=sum(len(article.paragraphs) for article in produced),
        articles=len(produced),
        seconds_per_page=seconds / len(pages),
        low_confidence_pages=sum(page.status == "low_confidence" for page in pages),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=ROOT / "raw" / "book-local-government-big-data.pdf")
    parser.add_argument("--engines", default="tesseract,hybrid")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", action="store_true", help="also time hybrid on 1 worker x all cores")
    args = parser.parse_args(argv)
    gold_path = args.pdf.with_name(args.pdf.name.replace(".pdf", ".golden.json"))
    print(f"{args.pdf.name}: {args.workers} workers, {os.cpu_count()} cores")
    runs: dict[str, Run] = {}
    for name in args.engines.split(","):
        settings = DEFAULT_SETTINGS.with_overrides(ocr_engine=name, page_timeout=PAGE_TIMEOUT)
        runs[name] = measure(
            args.pdf, gold_path, engine_for(settings), settings=settings, workers=args.workers
        )
        print_run(runs[name])
    raw_cer, _ = raw_tesseract_cer(args.pdf, gold_path)
    print(f"raw Tesseract (image_to_string, articles' pages, no cleanup): CER {100 * raw_cer:.2f}%")
    if args.threads:
        cores = os.cpu_count() or 1
        settings = DEFAULT_SETTINGS.with_overrides(page_timeout=PAGE_TIMEOUT)
        threaded = HybridEngine(tesseract=TesseractEngine.from_settings(settings), threads=cores)
        run = measure(args.pdf, gold_path, threaded, settings=settings, workers=1)
        print(
            f"hybrid, 1 worker x {cores} ONNX threads: {run.seconds_per_page:.2f} s/page "
            f"(CER {100 * run.cer:.2f}%)"
        )
    if {"tesseract", "hybrid"} <= runs.keys():
        print_targets(runs["tesseract"], runs["hybrid"])
    return 0


def print_run(run: Run) -> None:
    print(
        f"{run.engine:10} body CER {100 * run.cer:5.2f}%  paragraphs {run.paragraphs:3}  "
        f"articles {run.articles:2}  {run.seconds_per_page:5.2f} s/page  "
        f"low-confidence pages {run.low_confidence_pages}"
    )


def print_targets(tesseract: Run, hybrid: Run) -> None:
    checks = {
        f"hybrid CER <= {CER_FACTOR} x tesseract": hybrid.cer <= CER_FACTOR * tesseract.cer,
        f"hybrid CER <= {100 * CER_CEILING:.0f}%": hybrid.cer <= CER_CEILING,
        f"hybrid s/page <= {SPEED_FACTOR} x tesseract": hybrid.seconds_per_page
        <= SPEED_FACTOR * tesseract.seconds_per_page,
        "paragraph and article counts unchanged": (hybrid.paragraphs, hybrid.articles)
        == (tesseract.paragraphs, tesseract.articles),
    }
    for check, held in checks.items():
        print(f"  {'held' if held else 'MISSED':6}  {check}")
    print(
        f"  (CER {100 * hybrid.cer:.2f}% vs {100 * tesseract.cer:.2f}%: x{hybrid.cer / tesseract.cer:.2f}; "
        f"{hybrid.seconds_per_page:.2f} vs {tesseract.seconds_per_page:.2f} s/page: "
        f"x{hybrid.seconds_per_page / tesseract.seconds_per_page:.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())
