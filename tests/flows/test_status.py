"""Status tells the truth: partial on a failed or low-confidence page, articles 0 once pruned."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cleaners.records import Line, Page
from docpipe.assemble import assemble_document
from docpipe.writer import read_dataset, write_dataset_rows
from flows.ingest import record_removed_task

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def page(number: int, status: str = "ok", *, dropped: tuple[str, ...] = ()) -> Page:
    lines = (
        Line("1. 印度电子政府发展", number, 60, 70, 200, 84, 14.0),
        Line("在印度，电子政府已逐步从政府部门的办公电脑化发展而来。", number, 81, 100, 500, 110.5, 10.5),
    )
    method = "text" if status == "ok" else "ocr"
    confidence = None if method == "text" else (41.0 if status == "low_confidence" else 90.0)
    return Page(number, 595, 842, lines, method=method, status=status, confidence=confidence, dropped=dropped)  # type: ignore[arg-type]


#: page statuses, document status, first warning (None: no warnings about pages)
STATUSES: list[tuple[tuple[str, ...], str, str | None]] = [
    (("ok", "ok"), "ok", None),
    (("ok", "blank"), "ok", None),
    (("ok", "low_confidence"), "partial", "pages with low OCR confidence: 2"),
    (("failed", "ok"), "partial", "pages failed: 1"),
    (("failed", "low_confidence"), "partial", "pages failed: 1"),
]


@pytest.mark.parametrize(("statuses", "expected", "warning"), STATUSES)
def test_document_status_covers_low_confidence(
    statuses: tuple[str, ...], expected: str, warning: str | None
) -> None:
    pages = [
        Page(n, 595, 842, status="failed", error="TimeoutError")
        if s == "failed"
        else Page(n, 595, 842, status="blank")
        if s == "blank"
        else page(n, s)
        for n, s in enumerate(statuses, start=1)
    ]
    rows = assemble_document(doc_id="0" * 64, source_file="d.pdf", pages=pages, ingested_at=NOW)
    assert rows.document["status"] == expected
    page_warnings = [w for w in rows.document["warnings"] if w.startswith("pages ")]
    assert (page_warnings[0] if page_warnings else None) == warning


def test_dropped_lines_reach_the_page_row() -> None:
    rows = assemble_document(
        doc_id="0" * 64, source_file="d.pdf", pages=[page(1, dropped=("noise: Bese.",))], ingested_at=NOW
    )
    assert rows.pages[0]["dropped"] == ["noise: Bese."] and rows.pages[0]["attempts"] == 1
    assert rows.document["copy_of"] is None and all(a["preferred"] for a in rows.articles)


@pytest.mark.parametrize(("prune", "articles"), [(True, 0), (False, 1)])
def test_removed_document_counts_what_the_articles_dataset_holds(
    tmp_path: Path, prune: bool, articles: int
) -> None:
    rows = assemble_document(doc_id="0" * 64, source_file="d.pdf", pages=[page(1)], ingested_at=NOW)
    assert rows.document["articles"] == 1
    write_dataset_rows(tmp_path, "articles", rows.doc_kind, "d.pdf", rows.articles)
    write_dataset_rows(tmp_path, "pages", rows.doc_kind, "d.pdf", rows.pages)
    write_dataset_rows(tmp_path, "documents", rows.doc_kind, "d.pdf", [rows.document])

    record_removed_task.fn(tmp_path, "d.pdf", prune)
    [document] = read_dataset(tmp_path, "documents").to_pylist()
    assert (document["status"], document["articles"]) == ("removed", articles)
    assert read_dataset(tmp_path, "articles").num_rows == articles
