"""The golden test: assembly (extract, clean, segment; no Prefect) on every text-layer sample and
generated fixture, compared with its golden JSON.

Cases: ``raw/*.golden.json`` and ``tests/fixtures/documents/*.golden.json`` except scans
(the samples' OCR takes minutes; the quality benchmark measures them).  The generated
scans among the fixtures (``sc-*``, a few pages each) are OCR'd here, and compared on
what OCR cannot blur: every article found with its number, title, section, heading path
and source, its footnotes, the warnings where the 目录 and the body disagree, the
invariants, and a CER bound on bodies and notes.  Compared: the kind, the
rows in order (part, title, section, source; number and heading path where the golden lists
parts; footnotes where it lists them, none where it does not) and the body CER of each
document (:mod:`docpipe.scoring`).  A golden that lists no
``part`` lists the body articles only.  Every case also holds the structure invariants: every
paragraph in one row, coverage at or above the floor, at least one body article, no article
with an empty body, and (:func:`docpipe.scoring.check_rows`, what the quality benchmark
prints) coverage at least :data:`~docpipe.scoring.MIN_COVERAGE`, no row with an empty body,
no ``(cid:N)``, U+FFFD, private-use or Kangxi/compatibility character in any row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cleaners.furniture import strip_page_furniture
from cleaners.records import Page
from docpipe.assemble import DocumentRows, assemble_document, clean_paragraphs
from docpipe.extract.pdf import extract_page, open_document
from docpipe.scoring import Article, check_rows, ratio, score
from docpipe.segment import segment_document
from docpipe.settings import DEFAULT_SETTINGS
from tests.conftest import RAW, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "documents"
#: Body CER a text-layer document may have against its golden (the README's figure: ≤ 0.2 %).
MAX_BODY_CER = 0.002


def is_scan(golden: Path) -> bool:
    return "scan_dpi" in json.loads(golden.read_text(encoding="utf-8"))


def golden_cases() -> list[Path]:
    goldens = [*sorted(RAW.glob("*.golden.json")), *sorted(FIXTURES.glob("*.golden.json"))]
    return [p for p in goldens if not is_scan(p)]


def scanned_fixtures() -> list[Path]:
    """The generated scans: small enough to OCR in the test (a few seconds each)."""
    return [p for p in sorted(FIXTURES.glob("*.golden.json")) if is_scan(p)]


def pdf_of(golden: Path) -> Path:
    return golden.with_name(golden.name.replace(".golden.json", ".pdf"))


@cache
def extracted(golden: Path) -> tuple[Page, ...]:
    pdf = pdf_of(golden)
    document = open_document(pdf)
    return tuple(extract_page(pdf, number) for number in range(1, document.pages + 1))


@cache
def assembled(golden: Path) -> DocumentRows:
    pdf = pdf_of(golden)
    return assemble_document(
        doc_id="0" * 64, source_file=pdf.name, pages=extracted(golden), ingested_at=datetime.now(UTC)
    )


Row = tuple[Any, ...]


def compared_rows(golden: dict[str, Any], rows: DocumentRows) -> tuple[list[Row], list[Row]]:
    """(part, title, section, source[, number, heading_path][, footnotes]) of golden and produced rows."""
    with_parts = any("part" in article for article in golden["articles"])
    produced = [r for r in rows.articles if with_parts or r["part"] == "body"]
    # A golden listing parts (the structure fixtures) also gives each row's number and heading path.
    fields = ("title", "section", "source", *(("number", "heading_path") if with_parts else ()))
    # A golden that prints footnotes lists each row's, in order.
    if any("footnotes" in article for article in golden["articles"]):
        fields = (*fields, "footnotes")
    expected = [
        (a.get("part", "body"), *(a.get(f, [] if f == "footnotes" else None) for f in fields))
        for a in golden["articles"]
    ]
    return expected, [(r["part"], *(r[f] for f in fields)) for r in produced]


CASES = golden_cases()


def test_there_are_cases() -> None:
    assert any(p.parent == RAW for p in CASES), "the text-layer samples are missing from raw/"
    assert any(p.parent == FIXTURES for p in CASES), "the structure fixtures are missing"


@pytest.mark.parametrize("golden_path", CASES, ids=lambda p: p.name.removesuffix(".golden.json"))
def test_rows_match_the_golden(golden_path: Path) -> None:
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    rows = assembled(golden_path)
    if "doc_kind" in golden:
        assert rows.doc_kind == golden["doc_kind"]
    expected, produced = compared_rows(golden, rows)
    assert produced == expected
    if not any("footnotes" in article for article in golden["articles"]):
        # a document that prints no footnotes has none lifted off its pages
        assert all(row["footnotes"] == [] for row in rows.articles)


@pytest.mark.parametrize("golden_path", CASES, ids=lambda p: p.name.removesuffix(".golden.json"))
def test_body_cer_is_within_the_bound(golden_path: Path) -> None:
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    rows = assembled(golden_path)
    gold = [Article(a["title"], list(a["paragraphs"]), a.get("source")) for a in golden["articles"]]
    with_parts = any("part" in article for article in golden["articles"])
    produced = [
        Article(r["title"], r["body"].split("\n") if r["body"] else [], r["source"])
        for r in rows.articles
        if with_parts or r["part"] == "body"
    ]
    scores = score(gold, produced, [])
    assert scores.matched == len(gold)
    assert ratio(scores.edit_distance, scores.gold_chars) <= MAX_BODY_CER


@pytest.mark.parametrize("golden_path", CASES, ids=lambda p: p.name.removesuffix(".golden.json"))
def test_every_paragraph_reaches_a_row(golden_path: Path) -> None:
    rows = assembled(golden_path)
    body = [r for r in rows.articles if r["part"] == "body"]
    assert body, "a document without articles"
    assert all(r["body"].strip() for r in body), "an article with an empty body"
    assert rows.document["coverage"] >= DEFAULT_SETTINGS.coverage_floor
    assert rows.document["status"] == "ok"
    assert [r["seq"] for r in rows.articles] == list(range(1, len(rows.articles) + 1))


@pytest.mark.parametrize("golden_path", CASES, ids=lambda p: p.name.removesuffix(".golden.json"))
def test_each_paragraph_is_held_by_exactly_one_row(golden_path: Path) -> None:
    paragraphs = clean_paragraphs(strip_page_furniture(extracted(golden_path), settings=DEFAULT_SETTINGS))
    segmented = segment_document(paragraphs, settings=DEFAULT_SETTINGS)
    held = [index for article in segmented.articles for index in article.held]
    assert len(held) == len(set(held)), "a paragraph in two rows"
    left_out = set(range(len(paragraphs))) - set(held) - set(segmented.residue)
    assert not [paragraphs[i].text for i in sorted(left_out) if paragraphs[i].text.strip()]


@pytest.mark.parametrize("golden_path", CASES, ids=lambda p: p.name.removesuffix(".golden.json"))
def test_the_invariants_hold(golden_path: Path) -> None:
    rows = assembled(golden_path)
    assert check_rows(rows.articles, rows.document["coverage"]).violations() == []


#: Body CER a generated scan may have against its golden (OCR of a degraded 150-200 dpi page).
MAX_SCAN_BODY_CER = 0.01


@pytest.mark.slow
@pytest.mark.parametrize("golden_path", scanned_fixtures(), ids=lambda p: p.name.removesuffix(".golden.json"))
def test_a_scanned_fixture_finds_every_article(golden_path: Path) -> None:
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    rows = assembled(golden_path)
    assert rows.doc_kind == golden["doc_kind"]
    body = [r for r in rows.articles if r["part"] == "body"]
    expected = [a for a in golden["articles"] if a["part"] == "body"]
    fields = ("number", "title", "section", "heading_path", "source")
    assert [tuple(r[f] for f in fields) for r in body] == [tuple(a[f] for f in fields) for a in expected]
    # footnotes found on the OCR pages go to the row that carries their marker
    if any("footnotes" in a for a in expected):
        assert [len(r["footnotes"]) for r in body] == [len(a["footnotes"]) for a in expected]
        notes = [Article(a["title"], a["footnotes"], None) for a in expected]
        read = [Article(r["title"], r["footnotes"], None) for r in body]
        assert ratio(
            score(notes, read, []).edit_distance, sum(len(n) for a in expected for n in a["footnotes"])
        ) <= (MAX_SCAN_BODY_CER)
    # where the 目录 words a title otherwise, the body's heading is kept, and the document says so
    for article in expected:
        if "contents_title" in article:
            assert any(
                article["contents_title"] in w and "the body's is kept" in w
                for w in rows.document["warnings"]
            )
    gold = [Article(a["title"], list(a["paragraphs"]), a.get("source")) for a in expected]
    produced = [Article(r["title"], r["body"].split("\n"), r["source"]) for r in body]
    scores = score(gold, produced, [])
    assert ratio(scores.edit_distance, scores.gold_chars) <= MAX_SCAN_BODY_CER
    assert check_rows(rows.articles, rows.document["coverage"]).violations() == []
