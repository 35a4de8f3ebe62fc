"""Quality benchmark: docpipe's articles against the golden JSON of every sample in raw/.

Runs the ``ingest`` flow on the samples, reads ``articles`` back from Parquet,
and prints per document and in total, beside a naive baseline measured in the
same run (pdfplumber ``extract_text()`` page by page, every line a paragraph,
articles cut at numbered lines):

* article F1 — golden titles found among the produced titles;
* title exact, source exact — of the golden articles;
* body CER — edit distance over golden length, whitespace removed;
* paragraph-break F1 — paragraph boundaries, by character offset;
* furniture leaks — running headers and page numbers inside bodies;
* half-width punctuation next to Chinese, traditional characters left.

For the scanned samples (a golden with ``scan_dpi``) it also prints raw Tesseract's
CER (``image_to_string`` on the same page images, no cleanup) and the body CER,
paragraph and article counts of each OCR engine, all measured in the same run.

Usage: ``python benchmarks/quality.py [--raw raw] [--only NAME] [--default-engine-only]``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docpipe.scoring import Article, Scores, character_error_rate, ratio, score, squash  # noqa: E402

_NAIVE_TITLE = re.compile(r"^\s*(\d{1,3})\s*[、.．]\s*(\S.*)$")
VERBOSE = "--verbose" in sys.argv
_LAST_SCORES: dict[str, float] = {}  # docpipe's body CER per document, for the raw-OCR comparison


# --- the two systems ---------------------------------------------------------------------


def docpipe_articles(raw_dir: Path, *, engine: str | None = None) -> dict[str, list[Article]]:
    """Run the ingest flow on ``raw_dir`` (with OCR ``engine``, or the default one) and
    read the articles back from Parquet."""
    import pyarrow.dataset as ds

    from docpipe.settings import DEFAULT_SETTINGS
    from flows.ingest import ingest, run_with_workers

    settings = DEFAULT_SETTINGS if engine is None else DEFAULT_SETTINGS.with_overrides(ocr_engine=engine)
    with tempfile.TemporaryDirectory() as out:
        run_with_workers(ingest, settings, raw_dir=raw_dir, out_dir=Path(out))
        table = ds.dataset(Path(out) / "articles", format="parquet", partitioning="hive").to_table()
    result: dict[str, list[Article]] = {}
    rows = [row for row in table.to_pylist() if row["part"] == "body"]  # front/back rows are not articles
    for row in sorted(rows, key=lambda r: (r["source_file"], r["seq"])):
        result.setdefault(row["source_file"], []).append(
            Article(title=row["title"], paragraphs=row["body"].split("\n"), source=row["source"])
        )
    return result


def naive_articles(pdf: Path) -> list[Article]:
    """The naive baseline: ``extract_text()`` per page, articles cut at numbered lines."""
    with pdfplumber.open(pdf) as document:
        lines = [line for page in document.pages for line in (page.extract_text() or "").splitlines()]
    articles: list[Article] = []
    for line in lines:
        title = _NAIVE_TITLE.match(line)
        if title and not re.search(r"(\.{2,}|…)\s*\d+\s*$|\s\d+\s*$", line):
            articles.append(Article(title=title.group(2).strip(), paragraphs=[], source=None))
        elif articles:
            articles[-1].paragraphs.append(line)
    return articles


# --- report ---------------------------------------------------------------------------------


def load_gold(path: Path) -> tuple[list[Article], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    # A golden that lists parts (the structure fixtures) also lists front and back rows: not articles.
    articles = [
        Article(a["title"], list(a["paragraphs"]), a.get("source"))
        for a in data["articles"]
        if a.get("part", "body") == "body"
    ]
    # Running heads as the sample generator printed them, where the golden lists them.
    furniture = sorted({str(head) for head in (data.get("running_heads") or {}).values() if head})
    return articles, furniture


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "raw")
    parser.add_argument("--only", default="*", help="glob of the samples to measure, e.g. 'digest-*'")
    parser.add_argument("--verbose", action="store_true", help="say where furniture leaked")
    parser.add_argument(
        "--default-engine-only", action="store_true", help="skip re-reading the scans with every OCR engine"
    )
    args = parser.parse_args(argv)
    golds = sorted(args.raw.glob(f"{args.only}.golden.json"))
    produced = articles_of_samples(golds)
    totals = {"docpipe": Scores(), "naive": Scores()}
    raw_ocr: list[tuple[str, tuple[float, float]]] = []
    rows: list[tuple[str, str, dict[str, str]]] = []
    for gold_path in golds:
        pdf = gold_path.with_name(gold_path.name.replace(".golden.json", ".pdf"))
        gold, furniture = load_gold(gold_path)
        for system, articles in (
            ("docpipe", produced.get(pdf.name, [])),
            ("naive", naive_articles(pdf)),
        ):
            scores = score(gold, articles, furniture, verbose=VERBOSE)
            if system == "docpipe":
                _LAST_SCORES[pdf.name] = ratio(scores.edit_distance, scores.gold_chars)
            totals[system].add(scores)
            rows.append((pdf.name, system, scores.row()))
        if is_scan(gold_path):
            raw_ocr.append((pdf.name, raw_tesseract_cer(pdf, gold_path)))
    rows += [("TOTAL", system, scores.row()) for system, scores in totals.items()]
    print_table(rows)
    for name, (raw_cer, ours) in raw_ocr:
        print(
            f"\n{name}: raw Tesseract (image_to_string, same images, no cleanup) CER {100 * raw_cer:.2f}% "
            f"on the articles' pages; docpipe body CER {100 * ours:.2f}% "
            f"({'<=' if ours <= raw_cer / 2 else '>'} half of raw)"
        )
    scanned = [gold for gold in golds if is_scan(gold)]
    if scanned and not args.default_engine_only:
        print_engines(scanned, {pdf: cer for pdf, (cer, _) in raw_ocr}, default_run=produced)
    return 0


def articles_of_samples(golds: Sequence[Path], *, engine: str | None = None) -> dict[str, list[Article]]:
    """docpipe's articles for the samples of ``golds`` alone, ingested with OCR ``engine``."""
    with tempfile.TemporaryDirectory() as selected:
        for gold in golds:
            pdf = gold.with_name(gold.name.replace(".golden.json", ".pdf"))
            shutil.copy(pdf, Path(selected) / pdf.name)
        return docpipe_articles(Path(selected), engine=engine)


def is_scan(gold_path: Path) -> bool:
    """Whether the sample is a scan (its golden records the resolution of each page)."""
    return "scan_dpi" in json.loads(gold_path.read_text(encoding="utf-8"))


def print_engines(
    scanned: Sequence[Path], raw_cers: dict[str, float], *, default_run: dict[str, list[Article]]
) -> None:
    """Body CER, paragraphs and articles of each OCR engine on the scanned samples, in this run.

    The default engine's articles are ``default_run``'s, the run the table above came
    from; every other engine ingests the scans once more.
    """
    from docpipe.extract.ocr import ENGINES
    from docpipe.settings import DEFAULT_SETTINGS

    produced = {
        engine: default_run
        if engine == DEFAULT_SETTINGS.ocr_engine
        else articles_of_samples(scanned, engine=engine)
        for engine in ENGINES
    }
    print("\nscanned samples, by OCR engine (body CER; paragraphs; articles):")
    for gold in scanned:
        pdf_name = gold.name.replace(".golden.json", ".pdf")
        articles, furniture = load_gold(gold)
        figures = []
        for engine, by_file in produced.items():
            ours = by_file.get(pdf_name, [])
            scores = score(articles, ours, furniture)
            paragraphs = sum(len(article.paragraphs) for article in ours)
            figures.append(
                f"{engine} {100 * ratio(scores.edit_distance, scores.gold_chars):.2f}% "
                f"({paragraphs} paragraphs, {len(ours)} articles)"
            )
        raw = raw_cers.get(pdf_name)
        if raw is not None:
            figures.append(f"raw Tesseract {100 * raw:.2f}%")
        print(f"  {pdf_name}: " + "; ".join(figures))


def raw_tesseract_cer(pdf: Path, gold_path: Path) -> tuple[float, float]:
    """CER of plain image_to_string over the golden articles' pages, and docpipe's body CER there."""
    import pypdfium2 as pdfium
    import pytesseract

    from docpipe.extract.ocr import page_image
    from docpipe.settings import DEFAULT_SETTINGS

    data = json.loads(gold_path.read_text(encoding="utf-8"))
    pages = sorted({n for a in data["articles"] for n in range(a["page_start"], a["page_end"] + 1)})
    truth = squash("".join("".join(a["paragraphs"]) for a in data["articles"]))
    document = pdfium.PdfDocument(str(pdf))
    texts = []
    for number in pages:
        image, _dpi = page_image(document[number - 1], dpi=DEFAULT_SETTINGS.render_dpi)
        texts.append(pytesseract.image_to_string(image, lang=DEFAULT_SETTINGS.ocr_languages))
    document.close()
    raw = squash("".join(texts))
    ours = _LAST_SCORES.get(pdf.name)
    return character_error_rate(raw, truth), (ours or 0.0)


def print_table(rows: Sequence[tuple[str, str, dict[str, str]]]) -> None:
    metrics = list(rows[0][2]) if rows else []
    header = ["document", "system", *metrics]
    table = [header] + [[doc, system, *values.values()] for doc, system, values in rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)))


def _width(text: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


if __name__ == "__main__":
    sys.exit(main())
