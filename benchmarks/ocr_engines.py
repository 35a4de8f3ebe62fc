"""OCR engines and models compared on the scans: body CER, lines lost, s/page, in one run.

Inputs: both scanned samples in ``raw/`` (the book and the scanned digest, golden JSON
beside them) and the two-column page with a sidebar that
:mod:`docpipe.samples.columns` generates (into a temporary directory).  Each
configuration reads every page with ``docpipe.extract.ocr.ocr_page`` in a pool of
``--workers`` processes, as the flow's page workers do (models load once per process,
and that load is in the time); plain ``tesseract -l chi_sim`` (``image_to_string`` on
the same page images, same number of processes) is timed in the same run.

* body CER: the book and the digest are assembled into articles as the flow does and
  scored with ``benchmarks/quality.py``'s :func:`score`; the column page's lines are
  compared with its golden blocks in reading order (furniture included).
* lines lost: runs of at least :data:`LOST_LINE_CHARS` golden characters missing from
  the output (a line the engine never found).
* column order: every golden block of the column page found after the one before.

Targets (issue 14): default engine body CER <= 0.02 % on the book and <= 0.14 % on the
scanned digest, no line lost, the column page in column order, and its s/page at most
1.2 x plain Tesseract's.  Machine load makes seconds noisy: compare within one run.

Usage: ``python benchmarks/ocr_engines.py [--workers N] [--configs NAME,...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import load_gold  # noqa: E402

from cleaners.records import Page  # noqa: E402
from docpipe.assemble import assemble_document  # noqa: E402
from docpipe.extract.ocr import ocr_page, page_image  # noqa: E402
from docpipe.samples.columns import build_column_scan  # noqa: E402
from docpipe.scoring import Article, score, squash  # noqa: E402
from docpipe.settings import DEFAULT_SETTINGS  # noqa: E402

#: Seconds a page may take here: on a loaded machine a slow page must not fail.
PAGE_TIMEOUT = 1800.0
#: A run of this many golden characters missing from the output is a lost line.
LOST_LINE_CHARS = 8
SPEED_FACTOR = 1.2
CER_TARGETS = {"book-local-government-big-data.pdf": 0.0002, "digest-2014-05-09-scan.pdf": 0.0014}

#: What is compared: name -> settings overrides.
CONFIGS: dict[str, dict[str, Any]] = {
    "ppocr v6-tiny+small": {"ocr_engine": "ppocr", "ocr_model": "PP-OCRv6-tiny"},
    "ppocr v6-tiny alone": {"ocr_engine": "ppocr", "ocr_model": "PP-OCRv6-tiny", "_fallback": None},
    "ppocr v6-small": {"ocr_engine": "ppocr", "ocr_model": "PP-OCRv6-small", "_fallback": None},
    "ppocr v5-mobile": {"ocr_engine": "ppocr", "ocr_model": "PP-OCRv5-mobile", "_fallback": None},
    "hybrid (tess lines) v6-tiny": {"ocr_engine": "hybrid", "ocr_model": "PP-OCRv6-tiny"},
    "tesseract (docpipe)": {"ocr_engine": "tesseract"},
}


@dataclass(frozen=True)
class Result:
    config: str
    document: str
    cer: float
    lost_lines: int
    in_order: bool | None
    seconds_per_page: float


def _read(task: tuple[Path, int, dict[str, Any]]) -> Page:
    pdf, number, overrides = task
    overrides = dict(overrides)
    fallback = overrides.pop("_fallback", "default")
    settings = DEFAULT_SETTINGS.with_overrides(page_timeout=PAGE_TIMEOUT, **overrides)
    if fallback != "default":
        from dataclasses import replace

        from docpipe.extract.ocr import engine_for

        engine = replace(engine_for(settings), fallback_model=fallback)  # type: ignore[type-var]
        return ocr_page(pdf, number, settings=settings, engine=engine)
    return ocr_page(pdf, number, settings=settings)


def _plain_tesseract(task: tuple[Path, int]) -> str:
    import pytesseract

    pdf, number = task
    document = pdfium.PdfDocument(str(pdf))
    try:
        image, _ = page_image(document[number - 1], dpi=DEFAULT_SETTINGS.render_dpi)
    finally:
        document.close()
    return str(pytesseract.image_to_string(image, lang=DEFAULT_SETTINGS.ocr_languages))


def read_all(pdf: Path, overrides: dict[str, Any], *, workers: int) -> tuple[list[Page], float]:
    count = len(pdfium.PdfDocument(str(pdf)))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pages = list(pool.map(_read, [(pdf, n, overrides) for n in range(1, count + 1)]))
    return pages, time.perf_counter() - started


def plain_tesseract_seconds(pdf: Path, *, workers: int) -> float:
    count = len(pdfium.PdfDocument(str(pdf)))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_plain_tesseract, [(pdf, n) for n in range(1, count + 1)]))
    return (time.perf_counter() - started) / count


def lost_lines(gold: str, produced: str) -> int:
    """Runs of at least LOST_LINE_CHARS golden characters the output does not have."""
    lost = 0
    for opcode in Levenshtein.opcodes(gold, produced):
        if opcode.tag in ("delete", "replace") and opcode.src_end - opcode.src_start >= LOST_LINE_CHARS:
            lost += 1
    return lost


def score_articles(pdf: Path, pages: Sequence[Page]) -> tuple[float, int]:
    rows = assemble_document(
        doc_id="benchmark",
        source_file=pdf.name,
        pages=list(pages),
        settings=DEFAULT_SETTINGS,
        ingested_at=datetime.now(UTC),
    )
    produced = [
        Article(title=row["title"], paragraphs=row["body"].split("\n"), source=row["source"])
        for row in rows.articles
        if row["part"] == "body"
    ]
    gold, furniture = load_gold(pdf.with_name(pdf.name.replace(".pdf", ".golden.json")))
    scores = score(gold, produced, furniture)
    by_title = {squash(article.title): article for article in produced}
    lost = 0
    for truth in gold:
        match = by_title.get(squash(truth.title))
        produced_text = squash("".join(match.paragraphs)) if match else ""
        lost += lost_lines(squash("".join(truth.paragraphs)), produced_text)
    return scores.edit_distance / scores.gold_chars, lost


def score_columns(golden_path: Path, pages: Sequence[Page]) -> tuple[float, int, bool]:
    blocks = json.loads(golden_path.read_text(encoding="utf-8"))["reading_order"]
    gold = "".join(squash(block["text"]) for block in blocks)
    text = "".join(squash(line.text) for page in pages for line in page.lines)
    position, in_order = 0, True
    for block in blocks:
        start = squash(block["text"])[:12]
        found = text.find(start, position)
        if found < 0:
            in_order = False
            break
        position = found + len(start)
    return Levenshtein.distance(gold, text) / len(gold), lost_lines(gold, text), in_order


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args(argv)
    names = args.configs.split(",")
    with tempfile.TemporaryDirectory() as temporary:
        column_pdf, column_golden = build_column_scan(ROOT / "raw", Path(temporary))
        documents = [
            ROOT / "raw" / "book-local-government-big-data.pdf",
            ROOT / "raw" / "digest-2014-05-09-scan.pdf",
            column_pdf,
        ]
        started = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        print(f"{args.workers} worker processes, {os.cpu_count()} cores, {started}")
        # Plain Tesseract is timed before and after the configurations and the mean taken:
        # on a shared machine the load drifts during a run.
        before = {pdf.name: plain_tesseract_seconds(pdf, workers=args.workers) for pdf in documents}
        plain = dict(before)
        results: list[Result] = []
        for name in names:
            for pdf in documents:
                pages, seconds = read_all(pdf, CONFIGS[name], workers=args.workers)
                if pdf == column_pdf:
                    cer, lost, in_order = score_columns(column_golden, pages)
                    result = Result(name, pdf.name, cer, lost, in_order, seconds / len(pages))
                else:
                    cer, lost = score_articles(pdf, pages)
                    result = Result(name, pdf.name, cer, lost, None, seconds / len(pages))
                results.append(result)
                print_result(result, plain[pdf.name])
        after = {pdf.name: plain_tesseract_seconds(pdf, workers=args.workers) for pdf in documents}
        plain = {name: (before[name] + after[name]) / 2 for name in before}
        for name in plain:
            print(f"plain tesseract {name}: {before[name]:.2f} s/page before, {after[name]:.2f} after")
        print_table(results, plain)
    return 0


def print_result(result: Result, plain: float) -> None:
    order = "" if result.in_order is None else f"  column order {'yes' if result.in_order else 'NO'}"
    ratio = result.seconds_per_page / plain
    print(
        f"{result.config:28} {result.document:38} CER {100 * result.cer:6.3f}%  lost lines "
        f"{result.lost_lines:2}  {result.seconds_per_page:5.2f} s/page (x{ratio:.2f} plain tesseract){order}",
        flush=True,
    )


def print_table(results: Sequence[Result], plain: dict[str, float]) -> None:
    documents = list(dict.fromkeys(result.document for result in results))
    print()
    print("| configuration | " + " | ".join(documents) + " |")
    print("|---|" + "---|" * len(documents))
    print(
        "| plain `tesseract -l chi_sim` s/page | " + " | ".join(f"{plain[d]:.2f}" for d in documents) + " |"
    )
    for config in dict.fromkeys(result.config for result in results):
        cells = []
        for document in documents:
            [result] = [r for r in results if r.config == config and r.document == document]
            order = "" if result.in_order is None else (", in order" if result.in_order else ", NOT in order")
            target = CER_TARGETS.get(document)
            mark = "" if target is None else (" ✓" if result.cer <= target else " ✗")
            cells.append(
                f"CER {100 * result.cer:.3f}%{mark}, lost {result.lost_lines}, "
                f"{result.seconds_per_page:.2f} s/p (x{result.seconds_per_page / plain[document]:.2f}){order}"
            )
        print(f"| {config} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
