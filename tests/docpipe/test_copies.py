"""Copies of one issue are linked so that each article is counted once: a table of documents."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from docpipe.copies import IssueCopy, apply_copy_links, link_copies
from docpipe.writer import read_dataset, write_dataset_rows

JULY = date(2014, 7, 28)
MAY = date(2014, 5, 9)


def copy(
    source_file: str,
    *,
    title: str | None = "电子政务信息汇编",
    day: date | None = JULY,
    label: str | None = "七月第四期",
    status: str = "ok",
    text: int = 8,
    pages: int = 8,
) -> IssueCopy:
    return IssueCopy(source_file, title, day, label, status, text, pages)


#: documents, expected copy_of by source_file (None: preferred or alone)
CASES: list[tuple[str, list[IssueCopy], dict[str, str | None]]] = [
    (
        "text layer over its scan, whatever the order",
        [copy("z-scan.pdf", text=0), copy("a-text.pdf")],
        {"z-scan.pdf": "a-text.pdf", "a-text.pdf": None},
    ),
    (
        "mostly text over mostly OCR",
        [copy("a.pdf", text=2), copy("b.pdf", text=7)],
        {"a.pdf": "b.pdf", "b.pdf": None},
    ),
    (
        "ok over partial when both are scans",
        [copy("a.pdf", text=0, status="partial"), copy("b.pdf", text=0)],
        {"a.pdf": "b.pdf", "b.pdf": None},
    ),
    (
        "three copies: one preferred, two point at it",
        [copy("c.pdf", text=0), copy("b.pdf"), copy("a.pdf", text=0)],
        {"c.pdf": "b.pdf", "b.pdf": None, "a.pdf": "b.pdf"},
    ),
    (
        "a file still there over a removed one",
        [copy("a-text.pdf", status="removed"), copy("b-scan.pdf", text=0)],
        {"a-text.pdf": "b-scan.pdf", "b-scan.pdf": None},
    ),
    # rows that must stay unlinked
    ("different issue dates", [copy("a.pdf"), copy("b.pdf", day=MAY)], {"a.pdf": None, "b.pdf": None}),
    ("different labels", [copy("a.pdf"), copy("b.pdf", label="七月第三期")], {"a.pdf": None, "b.pdf": None}),
    ("different titles", [copy("a.pdf"), copy("b.pdf", title="信息化动态")], {"a.pdf": None, "b.pdf": None}),
    (
        "no date and no label: a title alone proves nothing",
        [copy("a.pdf", day=None, label=None), copy("b.pdf", day=None, label=None)],
        {"a.pdf": None, "b.pdf": None},
    ),
    (
        "a failed document has no articles to count",
        [copy("a.pdf", status="failed", title=None), copy("b.pdf", text=0)],
        {"a.pdf": None, "b.pdf": None},
    ),
    ("alone", [copy("a.pdf")], {"a.pdf": None}),
]


@pytest.mark.parametrize(("case", "documents", "expected"), CASES, ids=[case[0] for case in CASES])
def test_link_copies(case: str, documents: list[IssueCopy], expected: dict[str, str | None]) -> None:
    assert link_copies(documents) == expected
    # exactly one preferred copy per linked group
    preferred = {target for target in expected.values() if target is not None}
    assert all(expected[target] is None for target in preferred)


def _rows(source_file: str, method: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    doc_id = hashlib.sha256(source_file.encode()).hexdigest()
    common = {
        "doc_id": doc_id,
        "source_file": source_file,
        "doc_title": "汇编",
        "issue_date": JULY,
        "issue_label": "第4期",
    }
    article = {
        **common,
        "article_id": source_file[:16],
        "seq": 1,
        "number": "1",
        "section": None,
        "title": "标题",
        "body": "正文",
        "source": None,
        "page_start": 1,
        "page_end": 1,
        "failed_pages": [],
        "extraction": method,
        "char_count": 2,
        "cleaning_steps": [],
        "part": "body",
        "heading_path": [],
        "attribution": None,
        "footnotes": [],
        "preferred": True,
    }
    page = {
        "doc_id": doc_id,
        "source_file": source_file,
        "page": 1,
        "printed_page": None,
        "method": method,
        "engine": None if method == "text" else "ppocr",
        "ocr_model": None if method == "text" else "PP-OCRv6-tiny",
        "status": "ok",
        "error": None,
        "confidence": None if method == "text" else 91.0,
        "header": None,
        "footer": None,
        "char_count": 2,
        "raw_text": "正文",
        "text": "正文",
        "seconds": 0.1,
        "attempts": 1,
        "dropped": [],
    }
    document = {
        **common,
        "pages": 1,
        "articles": 1,
        "status": "ok",
        "error": None,
        "warnings": [],
        "coverage": 1.0,
        "copy_of": None,
        "ingested_at": datetime(2024, 5, 1, tzinfo=UTC),
    }
    return [article], [page], document


def test_apply_copy_links_marks_the_scan_and_is_stable(tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    for source_file, method in (("digest.pdf", "text"), ("digest-scan.pdf", "ocr")):
        articles, pages, document = _rows(source_file, method)
        write_dataset_rows(out, "articles", "digest", source_file, articles)
        write_dataset_rows(out, "pages", "digest", source_file, pages)
        write_dataset_rows(out, "documents", "digest", source_file, [document])

    assert apply_copy_links(out) == ["digest-scan.pdf"]
    documents = {row["source_file"]: row["copy_of"] for row in read_dataset(out, "documents").to_pylist()}
    assert documents == {"digest.pdf": None, "digest-scan.pdf": "digest.pdf"}
    preferred = {row["source_file"]: row["preferred"] for row in read_dataset(out, "articles").to_pylist()}
    assert preferred == {"digest.pdf": True, "digest-scan.pdf": False}
    assert apply_copy_links(out) == []  # nothing left to change
