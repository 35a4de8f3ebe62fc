"""Footnotes lifted from the foot of the page by size, position and marker, on layouts made here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cleaners.records import Line, Page
from docpipe.assemble import assemble_document
from docpipe.extract.pdf import extract_page, open_document
from docpipe.segment.footnotes import Footnote, attach_footnotes, footnote_marker, lift_footnotes
from docpipe.segment.model import Article
from docpipe.settings import DEFAULT_SETTINGS
from tests.conftest import ROOT

A4 = (595.0, 842.0)
B5 = (499.0, 709.0)


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("①本报告所称政务数据，指行政机关产生的数据。", "①"),
        ("⑫同上。", "⑫"),
        ("[2]数据来源：评估报告。", "[2]"),
        ("［3］ 参见第二章。", "［3］"),
        ("（4）引自年鉴。", "（4）"),
        ("12 参见国务院文件。", "12"),
        ("*此项安排须经审议。", "*"),
        ("注：单位为万元。", "注："),
        ("注1：口径不一。", "注1："),
        # not a marker: a year, a decimal, a dotted number, a caption, plain text, 注意
        ("2015年全省评估", None),
        ("1.5倍以上", None),
        ("3.1 研究内容", None),
        ("图1 办理流程", None),
        ("政务数据共享平台", None),
        ("注意事项", None),
    ],
)
def test_footnote_marker(text: str, marker: str | None) -> None:
    assert footnote_marker(text) == marker


def page(
    size: tuple[float, float],
    body: list[str],
    foot: list[str],
    *,
    body_size: float = 12.0,
    foot_size: float = 9.0,
    foot_top: float | None = None,
    method: str = "text",
) -> Page:
    width, height = size
    lines = [
        Line(
            text,
            1,
            72.0,
            80.0 + i * 1.6 * body_size,
            72.0 + len(text) * body_size,
            92.0 + i * 1.6 * body_size,
            body_size,
        )
        for i, text in enumerate(body)
    ]
    top = foot_top if foot_top is not None else height - 150.0
    lines += [
        Line(
            text,
            1,
            72.0,
            top + i * 1.4 * foot_size,
            72.0 + len(text) * foot_size,
            top + i * 1.4 * foot_size + foot_size,
            foot_size,
        )
        for i, text in enumerate(foot)
    ]
    return Page(1, width, height, tuple(lines), method=method)  # type: ignore[arg-type]


BODY = ["政务数据共享平台已经接入省、市、县三级部门①，汇聚人口、法人、", "电子证照等基础数据。"] * 4


@pytest.mark.parametrize(
    ("layout", "notes"),
    [
        # A4, one note wrapping onto a second line
        (
            page(A4, BODY, ["①本报告所称政务数据，指行政机关在履行职责过程中", "产生或获取的数据。"]),
            ["①本报告所称政务数据，指行政机关在履行职责过程中产生或获取的数据。"],
        ),
        # B5, two notes: bracketed number, then 注：
        (
            page(B5, BODY, ["[1]数据来源：评估报告。", "注：口径不一。"], body_size=10.5, foot_size=8.0),
            ["[1]数据来源：评估报告。", "注：口径不一。"],
        ),
        # unchanged: foot lines as large as the body (the text simply goes on)
        (page(A4, BODY, ["①本报告所称政务数据。"], foot_size=12.0), []),
        # unchanged: small lines at the foot without a marker (a caption)
        (page(A4, BODY, ["图1 政务服务办理流程"]), []),
        # unchanged: a small marked line high on the page, outside the foot band
        (page(A4, BODY, ["①本报告所称政务数据。"], foot_top=300.0), []),
        # an OCR page: the note's boxes measure three quarters of the body's, under a blank
        (page(A4, BODY, ["①本报告所称政务数据。"], method="ocr"), ["①本报告所称政务数据。"]),
        # unchanged: an OCR line at the foot within the noise of box heights (0.95 of the body)
        (page(A4, BODY, ["①本报告所称政务数据。"], foot_size=11.4, method="ocr"), []),
        # unchanged: a small OCR line right under the text, no blank between (the text goes on)
        (
            page(A4, BODY * 4, ["①本报告所称政务数据。"], foot_top=80.0 + 32 * 1.6 * 12.0, method="ocr"),
            [],
        ),
        # unchanged: a page of small print only
        (page(A4, [], ["①本报告所称政务数据。", "②其他说明。"]), []),
    ],
)
def test_lift_footnotes(layout: Page, notes: list[str]) -> None:
    pages, lifted = lift_footnotes([layout], settings=DEFAULT_SETTINGS)
    assert [note.text for note in lifted] == notes
    if notes:  # what is left is the body, every line of it
        assert [line.text for line in pages[0].lines] == BODY
    else:
        assert pages == [layout]


def article(seq: int, body: str, pages: tuple[int, int]) -> Article:
    return Article(seq=seq, title=f"标题{seq}", paragraphs=(body,), page_start=pages[0], page_end=pages[1])


@pytest.mark.parametrize(
    ("notes", "owners"),
    [
        ([Footnote(2, "①", "①注文。")], [1]),  # the row whose text holds ① on page 2
        ([Footnote(2, "②", "②注文。")], [2]),  # the marker is in the later row
        ([Footnote(2, "1", "1 注文。")], [2]),  # a bare number proves nothing: the row open at the foot
        ([Footnote(4, "*", "*注文。")], [2]),  # a page no row spans: the last row begun before it
        ([], []),
    ],
)
def test_attach_footnotes(notes: list[Footnote], owners: list[int]) -> None:
    articles = [article(1, "正文①一", (1, 2)), article(2, "正文②二1", (2, 3))]
    attached = attach_footnotes(articles, notes)
    assert [a.seq for a in attached for _ in a.footnotes] == owners
    assert [a.paragraphs for a in attached] == [a.paragraphs for a in articles]  # markers stay in the body


def test_without_lifting_the_notes_would_cut_the_sentences_they_interrupt() -> None:
    pdf = ROOT / "tests" / "fixtures" / "documents" / "st-footnotes.pdf"
    pages = [extract_page(pdf, n) for n in range(1, open_document(pdf).pages + 1)]
    now = datetime.now(UTC)
    lifted = assemble_document(doc_id="0" * 64, source_file=pdf.name, pages=pages, ingested_at=now)
    off = DEFAULT_SETTINGS.with_overrides(footnote_size_ratio=0.0)
    kept = assemble_document(
        doc_id="0" * 64, source_file=pdf.name, pages=pages, settings=off, ingested_at=now
    )
    notes = [note for row in lifted.articles for note in row["footnotes"]]
    assert len(notes) == 4
    assert not any(note in row["body"] for row in lifted.articles for note in notes)
    assert all(row["footnotes"] == [] for row in kept.articles)
    assert sum(note[:8] in row["body"] for row in kept.articles for note in notes) == 4
