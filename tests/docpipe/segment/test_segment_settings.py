"""The run's settings reach segmentation: overriding a segment threshold changes the articles,
the defaults reproduce them (tests/test_golden.py holds the defaults to every golden)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cleaners.records import Paragraph
from docpipe.assemble import assemble_document
from docpipe.extract.pdf import extract_page, open_document
from docpipe.segment import segment_document
from docpipe.settings import DEFAULT_SETTINGS, Settings
from tests.conftest import ROOT

TEXT = "本研究从实际需求出发，分析了系统的结构、数据的流向和使用者的习惯，提出了改进的方法。" * 2


def para(text: str, page: int, *, size: float = 12.0, indent: float = 24.0) -> Paragraph:
    return Paragraph(
        text, page, page, 72 + indent, indent, size, font="Song", line_count=max(1, len(text) // 30)
    )


#: Two sections whose headings differ from the text by size alone (14 pt over 12 pt: 17 %),
#: in the body's font, flush left, unnumbered.
SIZE_ONLY = [
    para("数据共享的现状", 1, size=14.0, indent=0.0),
    para(TEXT, 1),
    para(TEXT, 1),
    para("流程优化的方案", 2, size=14.0, indent=0.0),
    para(TEXT, 2),
]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, [("body", "数据共享的现状"), ("body", "流程优化的方案")]),
        ({"size_change": 0.1}, [("body", "数据共享的现状"), ("body", "流程优化的方案")]),  # unchanged
        # 17 % is no longer "another size": the headings are text, the document one article.
        ({"size_change": 0.2}, [("body", "数据共享的现状")]),
        # Seven characters are too long for a heading of at most five.
        ({"heading_max_chars": 5}, [("body", "数据共享的现状")]),
    ],
)
def test_a_segment_setting_changes_the_articles(
    overrides: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    settings = DEFAULT_SETTINGS.with_overrides(**overrides)
    segmented = segment_document(SIZE_ONLY, settings=settings)
    assert [(a.part, a.title) for a in segmented.articles] == expected
    if len(expected) == 1:  # the lines that were headings are now the article's text
        assert "流程优化的方案" in segmented.articles[0].paragraphs


def test_assembly_hands_the_run_settings_to_segmentation() -> None:
    """A digest whose 目录 is too short for the run's ``contents_min_entries`` is no digest."""
    pdf = ROOT / "tests" / "fixtures" / "documents" / "st-digest-c.pdf"
    pages = [extract_page(pdf, n) for n in range(1, open_document(pdf).pages + 1)]

    def kind(settings: Settings) -> str:
        rows = assemble_document(
            doc_id="0", source_file=pdf.name, pages=pages, settings=settings, ingested_at=datetime.now(UTC)
        )
        return rows.doc_kind

    assert kind(DEFAULT_SETTINGS) == "digest"
    assert kind(DEFAULT_SETTINGS.with_overrides(contents_min_entries=50)) == "general"


def test_a_numbered_line_is_a_heading_when_wrap_repair_would_not_call_it_indented() -> None:
    """``indent_min_em`` is one judgement: a numbered line indented 1.5 em is running text by
    default, and a flush heading where a paragraph's indent must be 2 em."""
    numbered = [
        para("一、数据共享的现状", 1, indent=18.0),
        para(TEXT, 1),
        para(TEXT, 1),
        para("二、流程优化的方案", 2, indent=18.0),
        para(TEXT, 2),
    ]
    default = segment_document(numbered, settings=DEFAULT_SETTINGS)
    assert [a.title for a in default.articles] == ["一、数据共享的现状"]
    two_em = segment_document(numbered, settings=DEFAULT_SETTINGS.with_overrides(indent_min_em=2.0))
    assert [a.title for a in two_em.articles] == ["一、数据共享的现状", "二、流程优化的方案"]
