"""PDFium's text page against pdfplumber on every sample and fixture with a text layer.

    PYTHONPATH=. python benchmarks/text_reader.py [PDF ...]

For each file: pages, lines, lines whose text differs, the largest difference
in a line's box, whether the assembled articles are identical, and the time per
page of each reader (both in this one process, one page at a time, as a page
worker reads them).  Prints; asserts nothing about time.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium

from cleaners.records import Page
from docpipe.assemble import assemble_document
from docpipe.extract.pdf import choose_method, read_text_layer
from docpipe.settings import DEFAULT_SETTINGS, Settings

ROOT = Path(__file__).resolve().parents[1]
READERS = {name: DEFAULT_SETTINGS.with_overrides(text_reader=name) for name in ("pdfium", "pdfplumber")}


def read_all(path: Path, settings: Settings) -> tuple[list[Page], float]:
    count = len(pdfium.PdfDocument(str(path)))
    started = time.perf_counter()
    pages = [read_text_layer(path, number, settings=settings) for number in range(1, count + 1)]
    return pages, (time.perf_counter() - started) / count


def articles(path: Path, pages: list[Page]) -> list[tuple[object, ...]]:
    rows = assemble_document(doc_id="x", source_file=path.name, pages=pages, ingested_at=datetime.now(UTC))
    return [(a["title"], a["section"], a["source"], a["body"], a["page_start"]) for a in rows.articles]


def compare(path: Path) -> str:
    ours, ours_time = read_all(path, READERS["pdfium"])
    reference, reference_time = read_all(path, READERS["pdfplumber"])
    lines = sum(len(page.lines) for page in reference)
    differing = 0
    box = 0.0
    for page, ref in zip(ours, reference, strict=True):
        texts, ref_texts = [line.text for line in page.lines], [line.text for line in ref.lines]
        if texts != ref_texts:
            differing += sum(a != b for a, b in zip(texts, ref_texts, strict=False))
            differing += abs(len(texts) - len(ref_texts))
            continue
        for line, ref_line in zip(page.lines, ref.lines, strict=True):
            box = max(
                box, *(abs(getattr(line, k) - getattr(ref_line, k)) for k in ("x0", "x1", "top", "bottom"))
            )
    text_pages = sum(choose_method(page.raw_text) == "text" for page in ours)
    same_articles = articles(path, ours) == articles(path, reference)
    return (
        f"{path.name:42} {len(ours):3} pages ({text_pages:2} text) {lines:4} lines {differing:2} differ"
        f"  box <= {box:4.2f} pt  articles {'same' if same_articles else 'DIFFER'}"
        f"  pdfium {ours_time * 1000:6.1f} ms/page  pdfplumber {reference_time * 1000:6.1f} ms/page"
        f"  ({reference_time / ours_time:4.1f}x)"
    )


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [
        *sorted((ROOT / "raw").glob("*.pdf")),
        *sorted((ROOT / "tests" / "fixtures" / "documents").glob("*.pdf")),
    ]
    for path in paths:
        print(compare(path), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
