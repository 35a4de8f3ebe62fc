"""Quality benchmark: docpipe's articles against the golden JSON of every sample in raw/.

Reads each sample the way the pipeline does (extract every page, then
:func:`docpipe.assemble.assemble_document`; no Prefect, so the text samples and
fixtures take seconds) and prints per document and in total, beside a naive
baseline measured in the same run (pdfplumber ``extract_text()`` page by page,
every line a paragraph, articles cut at numbered lines):

* the invariants (:func:`docpipe.scoring.check_rows`): coverage (the lowest, in
  the total), documents without articles, rows with an empty body, and the
  ``(cid:N)``, U+FFFD, private-use and Kangxi/compatibility characters in articles;
* article F1 — golden titles found among the produced titles;
* title exact, source exact — of the golden articles;
* body CER — edit distance over golden length, whitespace removed;
* paragraph-break F1 — paragraph boundaries, by character offset;
* furniture leaks — running headers and page numbers inside bodies;
* half-width punctuation next to Chinese, traditional characters left.

The scans (a golden with ``scan_dpi``) need OCR, minutes of it: they are measured
only with ``--scans``, which also prints raw Tesseract's CER (``image_to_string`` on
the same page images, no cleanup) and the body CER, paragraph and article counts of
each OCR engine, all measured in the same run.

Usage: ``python benchmarks/quality.py [--raw raw] [--only NAME] [--scans] [--default-engine-only]``;
``--raw tests/fixtures/documents`` measures the generated fixtures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docpipe.assemble import DocumentRows  # noqa: E402
from docpipe.scoring import (  # noqa: E402
    Article,
    Invariants,
    Scores,
    character_error_rate,
    check_rows,
    ratio,
    score,
    squash,
)

_NAIVE_TITLE = re.compile(r"^\s*(\d{1,3})\s*[、.．]\s*(\S.*)$")
VERBOSE = "--verbose" in sys.argv
_LAST_SCORES: dict[str, float] = {}  # docpipe's body CER per document, for the raw-OCR comparison


# --- the two systems ---------------------------------------------------------------------


def docpipe_rows(pdf: Path, *, engine: str | None = None) -> DocumentRows:
    """Extract every page of ``pdf`` (OCR with ``engine``, or the default one) and assemble its rows."""
    from docpipe.assemble import assemble_document
    from docpipe.extract.pdf import extract_page, open_document
    from docpipe.settings import DEFAULT_SETTINGS

    settings = DEFAULT_SETTINGS if engine is None else DEFAULT_SETTINGS.with_overrides(ocr_engine=engine)
    count = open_document(pdf).pages
    pages = [extract_page(pdf, number, settings=settings) for number in range(1, count + 1)]
    return assemble_document(
        doc_id="0" * 64, source_file=pdf.name, pages=pages, settings=settings, ingested_at=datetime.now(UTC)
    )


def articles_of(rows: DocumentRows) -> list[Article]:
    """The body rows as scored articles (front and back rows are not articles)."""
    return [
        Article(title=row["title"], paragraphs=row["body"].split("\n"), source=row["source"])
        for row in rows.articles
        if row["part"] == "body"
    ]


def naive_articles(pdf: Path) -> tuple[list[Article], Invariants]:
    """The naive baseline: ``extract_text()`` per page, articles cut at numbered lines; and its invariants.

    Its coverage is the share of the letters, digits and ideographs of its lines
    that its articles carry (text before the first numbered line is lost); 0 where
    it reads no text at all (a scan).
    """
    with pdfplumber.open(pdf) as document:
        lines = [line for page in document.pages for line in (page.extract_text() or "").splitlines()]
    articles: list[Article] = []
    for line in lines:
        title = _NAIVE_TITLE.match(line)
        if title and not re.search(r"(\.{2,}|…)\s*\d+\s*$|\s\d+\s*$", line):
            articles.append(Article(title=title.group(2).strip(), paragraphs=[], source=None))
        elif articles:
            articles[-1].paragraphs.append(line)
    page_chars = Counter(char for line in lines for char in line if char.isalnum())
    texts = [(a.title, "\n".join(a.paragraphs)) for a in articles]
    rows = [{"title": title, "body": body, "source": None, "part": "body"} for title, body in texts]
    article_chars = Counter(char for title, body in texts for char in title + body if char.isalnum())
    total = sum(page_chars.values())
    # A scan gives extract_text() nothing: it carries none of the document's text.
    coverage = sum((page_chars & article_chars).values()) / total if total else 0.0
    return articles, check_rows(rows, coverage)


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
    parser.add_argument("--scans", action="store_true", help="also measure the scans (OCR: minutes)")
    parser.add_argument(
        "--default-engine-only",
        action="store_true",
        help="with --scans, skip re-reading them with every engine",
    )
    args = parser.parse_args(argv)
    golds = [
        gold for gold in sorted(args.raw.glob(f"{args.only}.golden.json")) if args.scans or not is_scan(gold)
    ]
    produced = {gold: docpipe_rows(pdf_of(gold)) for gold in golds}
    totals = {"docpipe": (Scores(), Invariants(documents=0)), "naive": (Scores(), Invariants(documents=0))}
    raw_ocr: list[tuple[str, tuple[float, float]]] = []
    rows: list[tuple[str, str, dict[str, str]]] = []
    for gold_path in golds:
        pdf = pdf_of(gold_path)
        gold, furniture = load_gold(gold_path)
        ours = produced[gold_path]
        naive, naive_invariants = naive_articles(pdf)
        for system, articles, invariants in (
            ("docpipe", articles_of(ours), check_rows(ours.articles, ours.document["coverage"])),
            ("naive", naive, naive_invariants),
        ):
            scores = score(gold, articles, furniture, verbose=VERBOSE)
            if system == "docpipe":
                _LAST_SCORES[pdf.name] = ratio(scores.edit_distance, scores.gold_chars)
            totals[system][0].add(scores)
            totals[system][1].add(invariants)
            rows.append((pdf.name, system, {**invariants.row(), **scores.row()}))
        if is_scan(gold_path):
            raw_ocr.append((pdf.name, raw_tesseract_cer(pdf, gold_path)))
    rows += [("TOTAL", system, {**inv.row(), **scores.row()}) for system, (scores, inv) in totals.items()]
    print_table(rows)
    for name, (raw_cer, ours_cer) in raw_ocr:
        print(
            f"\n{name}: raw Tesseract (image_to_string, same images, no cleanup) CER {100 * raw_cer:.2f}% "
            f"on the articles' pages; docpipe body CER {100 * ours_cer:.2f}% "
            f"({'<=' if ours_cer <= raw_cer / 2 else '>'} half of raw)"
        )
    scanned = [gold for gold in golds if is_scan(gold)]
    if scanned and not args.default_engine_only:
        default_run = {pdf_of(gold).name: articles_of(produced[gold]) for gold in scanned}
        print_engines(scanned, {pdf: cer for pdf, (cer, _) in raw_ocr}, default_run=default_run)
    broken = totals["docpipe"][1].violations()
    if broken:
        print("\ninvariants broken: " + "; ".join(broken))
    return 1 if broken else 0


def pdf_of(gold: Path) -> Path:
    return gold.with_name(gold.name.replace(".golden.json", ".pdf"))


def articles_of_samples(golds: Sequence[Path], *, engine: str | None = None) -> dict[str, list[Article]]:
    """docpipe's articles for the samples of ``golds``, read with OCR ``engine``."""
    return {pdf_of(gold).name: articles_of(docpipe_rows(pdf_of(gold), engine=engine)) for gold in golds}


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
    document = pdfium.PdfDocument(str(pdf))
    if all("page_start" in a for a in data["articles"]):
        pages = sorted({n for a in data["articles"] for n in range(a["page_start"], a["page_end"] + 1)})
        truth = squash("".join("".join(a["paragraphs"]) for a in data["articles"]))
    else:  # a generated fixture lists every row, front and back too, without pages: all of it
        pages = list(range(1, len(document) + 1))
        truth = squash("".join(a["title"] + "".join(a["paragraphs"]) for a in data["articles"]))
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
