"""The scanned-book sample: seed parsing, typesetting rules, the committed scan and its golden JSON.

Fast: no OCR, and only a few pages are re-scanned to prove that generation is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest

from docpipe.samples import book

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PDF = REPO / "raw" / f"{book.SAMPLE_STEM}.pdf"
SAMPLE_GOLDEN = REPO / "raw" / f"{book.SAMPLE_STEM}.golden.json"
#: The chapter opener where the table starts (200 dpi) and a body page scanned at 300 dpi.
PAGES_TO_RESCAN = (11, 17)
SECTION = "第一章 地方政府大数据发展政策概况"
TABLE_BODY_ROWS = 17
TABLE_COLUMNS = 4


@pytest.fixture(scope="module")
def seed() -> book.BookSeed:
    return book.read_book_seed()


@pytest.fixture(scope="module")
def typeset(seed: book.BookSeed) -> book.TypesetBook:
    return book.typeset_book(seed)


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(SAMPLE_GOLDEN.read_text(encoding="utf-8"))


# --- seed parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed_text", "canonical"),
    [
        (
            "2015年9月,中国国务院印发了《促进大数据发展行动纲要》,对",
            "2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对",
        ),
        ("行动计划(纲要)政策", "行动计划（纲要）政策"),
        ("政策文件中 and 主要任务", "政策文件中和主要任务"),
        ("到 2020 年，建成全省", "到2020年，建成全省"),
        ("（国务院令 第 654 号）", "（国务院令第654号）"),
        ("推进金融 IC 卡、市民卡", "推进金融IC卡、市民卡"),
        ("图书在版编目 (CIP) 数据", "图书在版编目（CIP）数据"),
        # left alone: Latin words, dates, numbers, print slips
        ("“Big Data”的专刊", "“Big Data”的专刊"),
        ("广东省促进大数据发展行动计划\t2016.4.22", "广东省促进大数据发展行动计划\t2016.4.22"),
        ("各地的所采取的政策手段", "各地的所采取的政策手段"),
    ],
)
def test_canonicalize(seed_text: str, canonical: str) -> None:
    assert book.canonicalize(seed_text) == canonical
    assert book.canonicalize(canonical) == canonical


def test_seed_artifacts_are_gone(seed: book.BookSeed) -> None:
    texts = [*seed.preface, *(block.text for block in seed.chapter.blocks), *(e.text for e in seed.toc)]
    for text in texts:
        assert "#" not in text and "<b>" not in text and " and " not in text and "---" not in text
    assert all(book.canonicalize(text) == text for text in texts if "\t" not in text)


def test_seed_parts(seed: book.BookSeed) -> None:
    assert seed.book_title == "中国地方政府大数据运用"
    assert seed.cover.title_lines == ("中国地方政府", "大数据运用")
    assert seed.cip.heading == "图书在版编目（CIP）数据"
    assert any(line.startswith("定 价") for group in seed.cip.groups for line in group)
    assert len(seed.preface) == 4
    assert "习近平总书记在主持中共中央政治局集体学习时" in seed.preface[1]  # joined across the page break
    chapters = [entry for entry in seed.toc if entry.level == 1 and entry.text.startswith("第")]
    assert len(chapters) == 8
    assert seed.toc[-1] == book.TocEntry(1, "后\u3000记", "166")
    assert seed.chapter.section_name == SECTION


def test_table_rows(seed: book.BookSeed) -> None:
    rows = [block for block in seed.chapter.blocks if block.kind == "table_row"]
    assert [row.is_header for row in rows] == [True] + [False] * TABLE_BODY_ROWS
    assert all(len(row.cells) == TABLE_COLUMNS for row in rows)
    assert rows[0].cells == ("序号", "省份", "政策文件名称", "颁布时间")


# --- typesetting ---------------------------------------------------------------------


def body_texts(seed: book.BookSeed) -> list[str]:
    return [*seed.preface, *(b.text for b in seed.chapter.blocks if b.kind == "paragraph")]


def test_lines_obey_chinese_line_breaking(seed: book.BookSeed) -> None:
    for text in body_texts(seed):
        lines = book.set_text(
            text,
            font="song",
            size=book.BODY_SIZE,
            measure_width=book.TEXT_WIDTH,
            pitch=book.BODY_PITCH,
            indent_em=book.PARAGRAPH_INDENT_EM,
        )
        # Spaces (as in “Big Data”) are gaps, not glyphs.
        assert "".join(glyph.text for line in lines for glyph in line) == text.replace(" ", "")
        for line in lines[1:]:
            assert line[0].text[0] not in book.NO_LINE_START, line[0].text
        for line in lines[:-1]:
            assert line[-1].text[-1] not in book.NO_LINE_END, line[-1].text
            right = line[-1].x + book.measure(line[-1].text, "song", book.BODY_SIZE)
            assert right == pytest.approx(book.TEXT_WIDTH, abs=0.05)  # justified


def test_page_furniture(typeset: book.TypesetBook) -> None:
    pages = typeset.pages
    assert [page.kind for page in pages[:4]] == ["cover", "blank", "title", "cip"]
    assert all(page.printed_page is None and page.running_head is None for page in pages[:4])
    chapter = [number for number, page in enumerate(pages, start=1) if page.kind == "chapter"]
    assert book.is_recto(chapter[0]) and pages[chapter[0] - 1].printed_page == "1"
    for number in chapter[1:]:
        expected = typeset.seed.book_title if number % 2 == 0 else "第一章\u3000地方政府大数据发展政策概况"
        assert pages[number - 1].running_head == expected
    assert {page.running_head for page in pages if page.kind == "preface"} == {None, "序言"}


# --- the committed scan ----------------------------------------------------------------


def test_regenerated_pages_are_byte_identical(typeset: book.TypesetBook, tmp_path: Path) -> None:
    first = book.write_image_pdf(book.scan_book(typeset, PAGES_TO_RESCAN), title=typeset.seed.book_title)
    again = book.typeset_book(book.read_book_seed())
    second = book.write_image_pdf(book.scan_book(again, PAGES_TO_RESCAN), title=again.seed.book_title)
    (tmp_path / "first.pdf").write_bytes(first)
    (tmp_path / "second.pdf").write_bytes(second)
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()
    assert len(pdfium.PdfDocument(tmp_path / "first.pdf")) == len(PAGES_TO_RESCAN)


def test_sample_has_no_text_layer() -> None:
    with pdfplumber.open(SAMPLE_PDF) as pdf:
        assert len(pdf.pages) >= 20
        assert all(not page.chars for page in pdf.pages)


def test_each_page_is_one_image_at_its_dpi(golden: dict[str, Any]) -> None:
    pdf = pdfium.PdfDocument(SAMPLE_PDF)
    assert len(pdf) == golden["pages"]
    dpis = set()
    for number, page in enumerate(pdf, start=1):
        objects = list(page.get_objects())
        assert len(objects) == 1 and isinstance(objects[0], pdfium.PdfImage)
        width_px, height_px = objects[0].get_px_size()
        dpi = golden["scan_dpi"][str(number)]
        assert width_px / page.get_width() * 72 == pytest.approx(dpi, abs=0.5)
        assert height_px / page.get_height() * 72 == pytest.approx(dpi, abs=0.5)
        assert 200 <= dpi <= 300
        dpis.add(dpi)
    assert len(dpis) > 1


# --- the golden JSON -------------------------------------------------------------------


def test_golden_is_what_the_generator_makes(typeset: book.TypesetBook, golden: dict[str, Any]) -> None:
    assert golden == json.loads(json.dumps(book.golden_document(typeset), ensure_ascii=False))


def test_golden_articles(golden: dict[str, Any]) -> None:
    assert golden["doc_kind"] == "book" and golden["doc_title"] == "中国地方政府大数据运用"
    assert golden["issue_date"] is None and golden["issue_label"] is None
    articles = golden["articles"]
    assert [(a["section"], a["title"]) for a in articles] == [
        (None, "序言"),
        (SECTION, SECTION),
        (SECTION, "一、省级政府推动大数据发展的政策内容"),
    ]
    assert [a["seq"] for a in articles] == [1, 2, 3]
    assert all(a["number"] is None and a["source"] is None for a in articles)
    starts = [a["page_start"] for a in articles]
    assert starts == sorted(starts)
    assert all(a["page_start"] <= a["page_end"] <= golden["pages"] for a in articles)
    section = articles[2]["paragraphs"]
    assert "（一）政策目标" in section and "（二）政策手段" in section
    caption = section.index("表1-1我国省级行政单位制定的大数据发展政策文件一览表")
    rows = section[caption + 1 : caption + 2 + TABLE_BODY_ROWS]
    assert [row.split("\t")[0] for row in rows] == ["序号", *map(str, range(1, TABLE_BODY_ROWS + 1))]
    assert all(len(row.split("\t")) == TABLE_COLUMNS for row in rows)


def test_golden_printed_pages(golden: dict[str, Any]) -> None:
    printed = golden["printed_pages"]
    assert len(printed) == golden["pages"]
    assert [printed[str(n)] for n in range(1, 5)] == [None] * 4
    chapter_start = golden["articles"][1]["page_start"]
    assert printed[str(chapter_start)] == "1"
    arabic = [printed[str(n)] for n in range(chapter_start, golden["pages"] + 1)]
    assert arabic == [str(n) for n in range(1, len(arabic) + 1)]
    assert printed[str(golden["articles"][0]["page_start"])] == "i"
