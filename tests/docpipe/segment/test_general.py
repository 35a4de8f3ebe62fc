"""General documents cut by their own headings, and every paragraph given a row (front, body, back)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cleaners.records import Paragraph
from docpipe.segment import segment_document
from docpipe.segment.general import headings_inside_back_matter, segment_general
from docpipe.segment.headings import find_headings, numbering_of
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import complete_parts, is_back_heading, measure_coverage
from docpipe.segment.spacing import Spacing
from docpipe.settings import DEFAULT_SETTINGS

BODY, BOLD = "Song", "Hei"


def para(
    text: str, page: int = 1, *, size: float = 12.0, font: str = BODY, indent: float = 24.0
) -> Paragraph:
    lines = max(1, len(text) // 30)
    return Paragraph(
        text=text,
        page_start=page,
        page_end=page,
        x0=72 + indent,
        indent=indent,
        size=size,
        font=font,
        line_count=lines,
    )


def heading(text: str, page: int = 1, *, size: float = 14.0) -> Paragraph:
    return para(text, page, size=size, font=BOLD, indent=0.0)


def centred(text: str, page: int = 1, *, size: float = 12.0, font: str = BODY) -> Paragraph:
    paragraph = para(text, page, size=size, font=font, indent=120.0)
    return Paragraph(**{**{f: getattr(paragraph, f) for f in paragraph.__slots__}, "centered": True})


TEXT = "本研究从实际需求出发，分析了系统的结构、数据的流向和使用者的习惯，提出了改进的方法。" * 2


def rows(paragraphs: list[Paragraph]) -> list[tuple[str, str, tuple[str, ...], int]]:
    segmented = segment_document(paragraphs, settings=DEFAULT_SETTINGS)
    assert segmented.doc_kind == "general"
    return [(a.part, a.title, a.heading_path, len(a.paragraphs)) for a in segmented.articles]


THESIS = [
    centred("基于云计算的电子政务平台研究", size=22.0, font=BOLD),
    centred("学生姓名：张三"),
    centred("指导教师：李四"),
    heading("摘要", 2),
    para(TEXT, 2),
    heading("目录", 3),
    para("第1章 绪论........1", 3, indent=0.0),
    para("1.1 研究背景........1", 3, indent=0.0),
    para("第2章 系统设计........3", 3, indent=0.0),
    para("参考文献........5", 3, indent=0.0),
    heading("第1章 绪论", 4, size=16.0),
    heading("1.1 研究背景", 4),
    para(TEXT, 4),
    heading("1.1.1 国内现状", 4, size=12.0),
    para(TEXT, 4),
    heading("1.2 研究内容", 4),
    para(TEXT, 5),
    heading("第2章 系统设计", 6, size=16.0),
    para(TEXT, 6),
    heading("2.1 总体结构", 6),
    para(TEXT, 6),
    heading("参考文献", 7, size=16.0),
    para("[1] 王五. 电子政务导论[M]. 北京: 科学出版社, 2010.", 7, indent=0.0),
    heading("致谢", 8, size=16.0),
    para("感谢导师的悉心指导。", 8),
]


def test_thesis_is_cut_at_chapters_with_front_and_back_rows() -> None:
    assert rows(THESIS) == [
        ("front", "基于云计算的电子政务平台研究", (), 2),
        ("front", "摘要", (), 1),
        ("front", "目录", (), 4),
        ("body", "第1章 绪论", (), 6),
        ("body", "第2章 系统设计", (), 3),
        ("back", "参考文献", (), 1),
        ("back", "致谢", (), 1),
    ]


SUBSECTIONS = [
    heading("1. 概述"),
    para(TEXT),
    heading("2. 方法"),
    para(TEXT),
    heading("3. 结果"),
    para(TEXT),
    heading("3.1 主要发现", size=12.0),
    para(TEXT),
    heading("3.2 次要发现", size=12.0),
    para(TEXT),
]


def test_subsection_3_1_stays_in_article_3() -> None:
    general = segment_general(SUBSECTIONS, settings=DEFAULT_SETTINGS)
    assert [(a.title, len(a.paragraphs)) for a in general.articles] == [
        ("1. 概述", 1),
        ("2. 方法", 1),
        ("3. 结果", 5),
    ]
    # Numbered headings in sequence with neither a 目录 nor sources are no digest: the same cut.
    document = segment_document(SUBSECTIONS, settings=DEFAULT_SETTINGS)
    assert document.doc_kind == "general"
    assert [(a.title, len(a.paragraphs)) for a in document.articles] == [
        ("1. 概述", 1),
        ("2. 方法", 1),
        ("3. 结果", 5),
    ]
    # with their sources, the same headings make a digest
    sourced = [replace(p, text=p.text + "（新华网）") if p.text == TEXT else p for p in SUBSECTIONS]
    digest = segment_document(sourced, settings=DEFAULT_SETTINGS)
    assert digest.doc_kind == "digest"
    assert [(a.number, a.title, a.source) for a in digest.articles] == [
        ("1", "概述", "新华网"),
        ("2", "方法", "新华网"),
        ("3", "结果", "新华网"),
    ]


POEMS = [
    centred("山居集", size=24.0, font=BOLD),
    centred("秋夜", 2, size=15.0, font=BOLD),
    centred("月光落在窗台上", 2),
    centred("风从远山来", 2),
    centred("一盏灯还亮着", 2),
    centred("晨雾", 3, size=15.0, font=BOLD),
    centred("雾里有鸟声", 3),
    centred("路在脚下慢慢出现", 3),
]


def test_poems_are_articles_whose_centred_lines_are_their_body() -> None:
    # the collection's name alone on its first page is its cover: a front row heading no poem
    assert rows(POEMS) == [
        ("front", "山居集", (), 1),
        ("body", "秋夜", (), 3),
        ("body", "晨雾", (), 2),
    ]


def test_a_document_without_headings_is_one_article() -> None:
    paragraphs = [para(TEXT, 1), para(TEXT, 1), para(TEXT, 2)]
    assert rows(paragraphs) == [("body", TEXT[:20] + "…", (), 3)]


def test_a_heading_without_body_is_not_an_article() -> None:
    paragraphs = [
        heading("工作要点", size=18.0),  # the report's title, above its sections
        para(TEXT),
        heading("一、加强领导"),
        heading("二、完善制度"),
        para(TEXT),
        heading("三、强化监督"),
        para(TEXT),
    ]
    result = rows(paragraphs)
    assert all(count > 0 for _, _, _, count in result)
    assert [(title, path) for _, title, path, _ in result] == [
        ("工作要点", ()),  # its introduction is an article of its own, as a book's chapter intro
        ("一、加强领导", ("工作要点",)),
        ("三、强化监督", ("工作要点",)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第十二章 结论", ("chapter", "十二")),
        ("第2节 方法", ("part-section", "2")),
        ("（1）样本", ("num-paren", "1")),
        ("1.1.1 国内现状", ("decimal:3", "1.1.1")),
        ("1．绪论", ("decimal:1", "1")),
        # unchanged: not numbered headings
        ("2014年工作总结", None),
        ("3.5亿元投资", None),
        ("第一时间", None),
        ("一些说明", None),
    ],
)
def test_numbering_families(text: str, expected: tuple[str, str] | None) -> None:
    assert numbering_of(text) == expected


def test_levels_follow_the_order_the_document_introduces() -> None:
    found = find_headings(THESIS, settings=DEFAULT_SETTINGS)
    levels = {THESIS[h.index].text: h.level for h in found}
    assert levels["第1章 绪论"] < levels["1.1 研究背景"] < levels["1.1.1 国内现状"]
    assert "参考文献" not in levels and "摘要" not in levels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("参 考 文 献", True),
        ("附录B 访谈提纲", True),
        ("后记", True),
        ("Acknowledgements", True),
        ("附件", True),
        ("附件2：重点项目清单", True),
        # unchanged: sentences and long lines that only start like a back heading
        ("参考文献表明了该方法的局限性，需要进一步研究。", False),
        ("致谢词写作方法与要求说明书第一版本", False),
        ("附件材料", False),
    ],
)
def test_back_headings(text: str, expected: bool) -> None:
    assert is_back_heading(text, settings=DEFAULT_SETTINGS) is expected


def test_coverage_counts_what_the_rows_print() -> None:
    paragraphs = [heading("一、加强领导"), para(TEXT), para("第二段。"), para("（新华网）")]
    whole = Article(1, "加强领导", (TEXT, "第二段。"), 1, 1, number="一", source="新华网", held=(0, 1, 2, 3))
    document = SegmentedDocument("general", None, None, None, (whole,))
    assert measure_coverage(paragraphs, document) == 1.0
    lost = replace(whole, paragraphs=(TEXT,))  # a paragraph held but not printed
    assert measure_coverage(paragraphs, replace(document, articles=(lost,))) == pytest.approx(
        1 - 3 / sum(ch.isalnum() for p in paragraphs for ch in p.text)
    )


def test_coverage_counts_every_heading_above_an_article() -> None:
    # A cover with a title and a subtitle: both head the poems, printed in each row's heading_path.
    paragraphs = [centred("田野与河流", size=20.0), centred("诗选", size=16.0), heading("春耕"), para(TEXT)]
    poem = Article(
        1, "春耕", (TEXT,), 1, 1, section="诗选", heading_path=("田野与河流", "诗选"), held=(0, 1, 2, 3)
    )
    document = SegmentedDocument("general", None, None, None, (poem,))
    assert measure_coverage(paragraphs, document) == 1.0
    # a row that stays: a heading no row prints is not carried
    bare = replace(poem, heading_path=("诗选",))
    assert measure_coverage(paragraphs, replace(document, articles=(bare,))) < 1.0


def test_a_paragraph_held_twice_is_a_segmenter_bug() -> None:
    paragraphs = [heading("一、加强领导"), para(TEXT)]
    first = Article(1, "一、加强领导", (TEXT,), 1, 1, held=(0, 1))
    second = Article(2, "重复", (TEXT,), 1, 1, held=(1,))
    with pytest.raises(ValueError, match="paragraph 1"):
        complete_parts(
            paragraphs,
            SegmentedDocument("general", None, None, None, (first, second)),
            settings=DEFAULT_SETTINGS,
        )


def test_bold_captions_never_outrank_larger_chapter_headings() -> None:
    caption = para("图1 系统总体结构", size=12.0, font=BOLD, indent=0.0)
    paragraphs = [
        para(TEXT),
        caption,
        para(TEXT),
        replace(caption, text="表1 数据来源"),
        heading("第1章 绪论", size=16.0),
        para(TEXT),
        replace(caption, text="图2 流程"),
        heading("第2章 方法", size=16.0),
        para(TEXT),
    ]
    assert [(part, title) for part, title, _, _ in rows(paragraphs)] == [
        ("front", TEXT[:20] + "…"),
        ("body", "第1章 绪论"),
        ("body", "第2章 方法"),
    ]


def test_a_book_s_last_section_does_not_swallow_its_back_matter() -> None:
    paragraphs = [
        heading("第一章 总论", size=16.0),
        heading("一、背景"),
        para(TEXT),
        heading("二、意义"),
        para(TEXT),
        heading("后记", size=16.0),
        para("本书的写作得到了许多同事的帮助。"),
    ]
    segmented = segment_document(paragraphs, settings=DEFAULT_SETTINGS)
    assert segmented.doc_kind == "book"
    assert [(a.part, a.title, a.paragraphs) for a in segmented.articles] == [
        ("body", "一、背景", (TEXT,)),
        ("body", "二、意义", (TEXT,)),
        ("back", "后记", ("本书的写作得到了许多同事的帮助。",)),
    ]


def test_a_preface_set_like_the_chapters_is_front_matter_not_their_heading() -> None:
    paragraphs = [
        heading("前言", size=16.0),
        para(TEXT),
        heading("第1章 函数", size=16.0),
        heading("1.1 定义"),
        para(TEXT),
        heading("第2章 极限", size=16.0),
        para(TEXT),
    ]
    assert rows(paragraphs) == [
        ("front", "前言", (), 1),
        ("body", "第1章 函数", (), 2),
        ("body", "第2章 极限", (), 1),
    ]


def test_ocr_lines_a_little_taller_are_not_headings() -> None:
    def ocr(text: str, size: float) -> Paragraph:
        return replace(para(text, size=size, indent=0.0), font="")

    paragraphs = [
        ocr(TEXT, 12.0),
        ocr("数据共享平台建设", 13.5),
        ocr(TEXT, 12.0),
        ocr("地方实践与经验", 13.8),
        ocr(TEXT, 12.0),
    ]
    assert find_headings(paragraphs, settings=DEFAULT_SETTINGS) == []
    assert len(rows(paragraphs)) == 1


def test_a_document_of_front_matter_alone_is_its_own_article() -> None:
    paragraphs = [
        heading("图书在版编目（CIP）数据"),
        para("中国地方政府大数据运用／李文彬编著．—北京：新华出版社，2019．3", indent=0.0),
        para("ISBN 978-7-5166-4520-8", indent=0.0),
    ]
    assert rows(paragraphs) == [("body", "图书在版编目（CIP）数据", (), 2)]


CHAPTER_REFERENCES = [
    centred("数据治理教程", size=22.0, font=BOLD),
    heading("第1章 概述", 1, size=16.0),  # on the title's page: the title is no cover
    para(TEXT, 1),
    heading("参考文献", 3),
    para("[1]王立.电子政务导论[M].北京:科学出版社,2010.", 3, indent=0.0),
    heading("第2章 方法", 4, size=16.0),
    para(TEXT, 4),
    heading("参考文献", 5),
    para("[1]李静.数据共享与政府治理[J].行政论坛,2018.", 5, indent=0.0),
    heading("附录A 术语表", 6),
    para(TEXT, 6),
]


@pytest.mark.parametrize(
    ("layout", "paths"),
    [
        # a textbook under its title: each chapter ends in its references; the last chapter's
        # and the appendix close the document and are its own
        (
            CHAPTER_REFERENCES,
            [
                ("body", ("数据治理教程",)),
                ("back", ("数据治理教程", "第1章 概述")),
                ("body", ("数据治理教程",)),
                ("back", ()),
                ("back", ()),
            ],
        ),
        # unchanged: a thesis's front and back matter sit outside every chapter
        (THESIS, None),
    ],
)
def test_a_part_row_between_articles_sits_under_the_article_before_it(
    layout: list[Paragraph], paths: list[tuple[str, tuple[str, ...]]] | None
) -> None:
    produced = [(part, path) for part, _title, path, _n in rows(layout)]
    if paths is None:
        assert all(path == () for part, path in produced if part != "body")
    else:
        assert produced == paths


def test_a_textbook_with_sections_under_its_chapter_is_cut_at_them() -> None:
    paragraphs = [
        heading("第三章 线性方程组", size=18.0),
        para(TEXT),
        heading("第一节 高斯消元法", size=15.0),
        heading("一、消元过程"),
        para(TEXT),
        centred("2x+3y=7（3.1）"),
        heading("二、回代求解"),
        para(TEXT),
        heading("第二节 矩阵的秩", size=15.0),
        heading("一、秩的定义"),
        para(TEXT),
    ]
    assert rows(paragraphs) == [
        ("body", "第三章 线性方程组", (), 1),
        ("body", "第一节 高斯消元法", ("第三章 线性方程组",), 5),
        ("body", "第二节 矩阵的秩", ("第三章 线性方程组",), 2),
    ]


def ocr(text: str, size: float = 12.0, *, indent: float = 0.0) -> Paragraph:
    """A paragraph read by OCR: no font, a size measured from its boxes."""
    return replace(para(text, size=size, indent=indent), font="", line_count=1 if len(text) < 30 else 3)


def test_an_ocr_line_standing_alone_is_a_heading() -> None:
    paragraphs = [
        ocr(TEXT, indent=24.0),
        ocr("数据共享平台建设", 11.0),  # measured smaller than the body: its space tells
        ocr(TEXT, indent=24.0),
        ocr(TEXT, indent=24.0),
        ocr("地方实践与经验", 13.0),
        ocr(TEXT, indent=24.0),
        ocr("[1]王立.电子政务导论[M].北京:科学出版社,2010.", 24.0),  # brackets stretch its box
        ocr(TEXT, indent=24.0),
    ]
    usual = Spacing(1.0, 1.0)
    apart = Spacing(4.0, 1.0)
    spacings = [Spacing(None, 4.0), apart, usual, Spacing(1.0, 4.0), apart, usual, usual, usual]
    headings = find_headings(paragraphs, spacings=spacings, settings=DEFAULT_SETTINGS)
    assert [paragraphs[h.index].text for h in headings] == ["数据共享平台建设", "地方实践与经验"]
    # set in the paragraphs' indent, only the space above tells them
    indented = [replace(p, indent=24.0) for p in paragraphs]
    assert [
        indented[h.index].text for h in find_headings(indented, spacings=spacings, settings=DEFAULT_SETTINGS)
    ] == [
        "数据共享平台建设",
        "地方实践与经验",
    ]
    # unchanged: indented, without the spacing, OCR sizes alone make no heading of them
    assert find_headings(indented, settings=DEFAULT_SETTINGS) == []
    segmented = segment_document(paragraphs, spacings=spacings, settings=DEFAULT_SETTINGS)
    assert [(a.part, a.title, len(a.paragraphs)) for a in segmented.articles] == [
        ("front", TEXT[:20] + "…", 1),
        ("body", "数据共享平台建设", 2),
        ("body", "地方实践与经验", 3),
    ]


@pytest.mark.parametrize(
    ("layout", "headings"),
    [
        # at the top of a page, where the space above is gone: a short flush line over indented text
        ([ocr(TEXT, indent=24.0), ocr("存在的困难"), ocr(TEXT, indent=24.0)], ["存在的困难"]),
        # unchanged: a list's flush items, one under the other
        ([ocr(TEXT, indent=24.0), ocr("统一收费标准"), ocr("统一办理时限"), ocr(TEXT, indent=24.0)], []),
        # unchanged: a document that does not indent its paragraphs
        ([ocr(TEXT), ocr("存在的困难"), ocr(TEXT, indent=24.0), ocr(TEXT)], []),
    ],
)
def test_an_ocr_line_opening_indented_text_is_a_heading(layout: list[Paragraph], headings: list[str]) -> None:
    assert [layout[h.index].text for h in find_headings(layout, settings=DEFAULT_SETTINGS)] == headings


LIST = [
    centred("关于推进政务服务标准化的工作方案", size=20.0, font=BOLD),
    para(TEXT),
    para("1.统一事项名称和编码", indent=0.0),
    para("2.统一申请材料清单", indent=0.0),
    para("3.统一办理流程和时限", indent=0.0),
    para(TEXT),
    para("1.统一收费标准", indent=0.0),
    para("2.统一咨询和投诉渠道", indent=0.0),
    para(TEXT),
]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        # a report's numbered list items, flush and short, are its text, never titles
        (LIST, [("body", "关于推进政务服务标准化的工作方案", (), 8)]),
        # unchanged: numbered headings with text under each are its sections
        (
            [p if not p.text[0].isdigit() else replace(p, font=BOLD, size=14.0) for p in LIST[:6]],
            [
                ("body", "关于推进政务服务标准化的工作方案", (), 1),
                ("body", "1.统一事项名称和编码", ("关于推进政务服务标准化的工作方案",), 1),
                ("body", "3.统一办理流程和时限", ("关于推进政务服务标准化的工作方案",), 1),
            ],
        ),
    ],
)
def test_list_items_are_text_not_articles(
    layout: list[Paragraph], expected: list[tuple[str, str, tuple[str, ...], int]]
) -> None:
    assert rows(layout) == expected


def ocr_line(text: str, page: int, size: float) -> Paragraph:
    return replace(centred(text, page, size=size), font="")


#: A scanned poetry collection whose page 3, scanned noisier, OCR measured half as large again.
NOISY_SCAN = [
    ocr_line("远行", 1, 48.0),
    ocr_line("过山车站", 2, 13.7),
    *(
        ocr_line(text, 2, 10.0)
        for text in ("小站只有一盏灯", "站长认得每一位旅客", "绿皮车慢慢进站", "有人下车")
    ),
    *(ocr_line(text, 3, size) for text, size in (("他们的名字刻在石碑上", 16.1), ("碑前开着几朵野菊", 17.8))),
    *(
        ocr_line(text, 3, size)
        for text, size in (("车又开了", 17.8), ("灯还亮着", 19.7), ("山那边天快亮了", 16.8))
    ),
    ocr_line("古井", 4, 24.0),
    *(ocr_line(text, 4, 18.2) for text in ("井绳磨亮了木架", "一桶水晃着月亮", "奶奶说井水冬暖夏凉")),
]


def headings_of(paragraphs: list[Paragraph]) -> list[str]:
    return [paragraphs[h.index].text for h in find_headings(paragraphs, settings=DEFAULT_SETTINGS)]


def test_an_ocr_page_measured_larger_is_read_against_its_own_body_size() -> None:
    # Page 3 is the long poem's second page: no line of it stands out on its own page.
    assert headings_of(NOISY_SCAN) == ["远行", "过山车站", "古井"]


def test_a_page_of_few_ocr_lines_keeps_the_document_s_body_size() -> None:
    # Rows that stay: a page with a title and two lines has no body size of its own,
    # and one of the same size as the document's gives the same headings.
    few = [*NOISY_SCAN[:6], ocr_line("夜航", 3, 14.0), ocr_line("灯塔在雾里眨眼", 3, 10.0)]
    assert headings_of(few) == ["远行", "过山车站", "夜航"]
    even = [*NOISY_SCAN[:6], ocr_line("夜航", 3, 14.0)]
    even += [ocr_line(text, 3, 10.0) for text in ("灯塔在雾里眨眼", "船舷挂着露水", "舵手不说话", "只听浪")]
    assert headings_of(even) == ["远行", "过山车站", "夜航"]


def chapter_in_one_size(closing: Paragraph) -> list[Paragraph]:
    """A thesis chapter whose headings are all bold at the body's size, ending in ``closing``."""
    return [
        heading("第三章 数据共享机制设计", size=12.0),
        para(TEXT),
        heading("3.1 共享目录的编制", size=12.0),
        para(TEXT),
        heading("3.2 交换通道的建设", size=12.0),
        para(TEXT),
        closing,
        para(TEXT),
    ]


@pytest.mark.parametrize(
    ("closing", "titles"),
    [
        pytest.param(
            heading("小结", size=12.0), ["3.1 共享目录的编制", "3.2 交换通道的建设", "小结"], id="same style"
        ),
        # rows that stay: a smaller or lighter unnumbered heading is under the section before it
        pytest.param(heading("小结", size=10.0), ["3.1 共享目录的编制", "3.2 交换通道的建设"], id="smaller"),
        pytest.param(
            para("小结", size=12.0, indent=0.0, font="Kai"),
            ["3.1 共享目录的编制", "3.2 交换通道的建设"],
            id="other font",
        ),
    ],
)
def test_an_unnumbered_heading_set_like_the_sections_is_their_sibling(
    closing: Paragraph, titles: list[str]
) -> None:
    body = [row[1] for row in rows(chapter_in_one_size(closing)) if row[0] == "body"]
    assert body[1:] == titles


FULL_PAGE = ("炊烟升起来了", "孩子光着脚跑过", "傍晚的河水是金色的", "远处有人唱歌", "母亲在田头喊吃饭")


@pytest.mark.parametrize(
    ("first", "sizes", "page_title"),
    [
        pytest.param("河岸", (9.2, 9.6, 9.1, 8.9, 9.4), True, id="title 1.2x over a full page"),
        # rows that stay: a line among others as large, too few lines to compare, a long line
        pytest.param("河岸", (9.2, 10.9, 9.1, 8.9, 9.4), False, id="another line nearly as large"),
        pytest.param("河岸", (9.2, 9.6), False, id="too few lines"),
        pytest.param(
            "有人在站台上挥手，燕子贴着水面飞，夜里下了一场雨", (9.2, 9.6, 9.1, 8.9, 9.4), False, id="long"
        ),
    ],
)
def test_an_ocr_line_opening_a_page_larger_than_all_its_lines_is_a_title(
    first: str, sizes: tuple[float, ...], page_title: bool
) -> None:
    full_page = [ocr_line(text, 2, 9.3) for text in FULL_PAGE]  # the page before, full
    page = [ocr_line(first, 3, 11.3), *(ocr_line(t, 3, s) for t, s in zip(FULL_PAGE, sizes, strict=False))]
    paragraphs = [*full_page, *page]
    assert (first in headings_of(paragraphs)) is page_title


def test_the_end_of_a_paragraph_carried_over_is_no_page_title() -> None:
    carried = replace(ocr_line("河岸", 3, 11.3), page_start=2)
    paragraphs = [ocr_line(t, 2, 9.3) for t in FULL_PAGE] + [carried]
    paragraphs += [ocr_line(t, 3, 9.2) for t in FULL_PAGE]
    assert "河岸" not in headings_of(paragraphs)


def poem(title: str, page: int) -> list[Paragraph]:
    verse = ["月光落在窗台上", "风从远山来", "一盏灯还亮着"]
    return [centred(title, page, size=14.0, font=BOLD), *(centred(line, page) for line in verse)]


@pytest.mark.parametrize(
    ("cover", "front"),
    [
        # a title and a subtitle alone on the first page: one front row, heading no poem
        ([centred("山居集", size=26.0), centred("诗选 二〇一六", size=14.0)], [("front", "山居集", (), 1)]),
        ([centred("远行", size=26.0)], [("front", "远行", (), 1)]),
    ],
)
def test_a_cover_page_is_a_front_row_whose_lines_head_no_article(
    cover: list[Paragraph], front: list[tuple[str, str, tuple[str, ...], int]]
) -> None:
    document = [*cover, *poem("秋夜", 2), *poem("晨雾", 3)]
    assert rows(document) == [*front, ("body", "秋夜", (), 3), ("body", "晨雾", (), 3)]


@pytest.mark.parametrize(
    ("first_page", "expected"),
    [
        # a title over its poems on the same page: no cover, the title heads them (unchanged)
        (
            [centred("山居集", size=26.0), *poem("秋夜", 1)],
            [("body", "秋夜", ("山居集",), 3), ("body", "晨雾", ("山居集",), 3)],
        ),
        # running text on the first page: no cover (unchanged)
        (
            [heading("工作报告", size=22.0), para(TEXT), *poem("秋夜", 1)],
            [
                ("body", "工作报告", (), 1),
                ("body", "秋夜", ("工作报告",), 3),
                ("body", "晨雾", ("工作报告",), 3),
            ],
        ),
    ],
)
def test_a_first_page_with_more_than_a_few_short_lines_is_no_cover(
    first_page: list[Paragraph], expected: list[tuple[str, str, tuple[str, ...], int]]
) -> None:
    assert rows([*first_page, *poem("晨雾", 2)]) == expected


def paper(byline: list[Paragraph]) -> list[Paragraph]:
    sections = [(heading(f"{n}、第{n}部分", size=12.0), para(TEXT)) for n in "一二三"]
    return [centred("基层政务服务事项标准化的实践观察", size=18.0, font=BOLD), *byline, *sum(sections, ())]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # title, then centred names and an affiliation: a title block, front matter
        (
            [centred("王芳　刘强"), centred("（某某大学公共管理学院，上海　200433）", size=9.0)],
            [("front", "基层政务服务事项标准化的实践观察", (), 2)],
        ),
        # a title straight over its sections heads them (unchanged)
        ([], [("body", "一、第一部分", ("基层政务服务事项标准化的实践观察",), 1)]),
        # a title over running text: that text is the title's own article (unchanged)
        ([para(TEXT)], [("body", "基层政务服务事项标准化的实践观察", (), 1)]),
    ],
)
def test_a_title_over_a_centred_byline_is_a_front_title_block(
    byline: list[Paragraph], expected: list[tuple[str, str, tuple[str, ...], int]]
) -> None:
    produced = rows(paper(byline))
    assert produced[0] == expected[0]
    path = () if byline and byline[0].centered else ("基层政务服务事项标准化的实践观察",)
    assert produced[-1] == ("body", "三、第三部分", path, 1)


def test_an_annex_s_own_title_is_text_of_its_back_row() -> None:
    report = [
        centred("关于数字政府建设情况的报告", size=20.0, font=BOLD),
        *(p for n in "一二" for p in (heading(f"{n}、第{n}部分"), para(TEXT))),
        heading("附件", 2),
        centred("重点项目清单", 2, size=16.0, font=BOLD),  # larger than the sections
        para("1.一体化政务服务平台升级", 2, indent=0.0),
    ]
    assert rows(report) == [
        ("body", "一、第一部分", ("关于数字政府建设情况的报告",), 1),
        ("body", "二、第二部分", ("关于数字政府建设情况的报告",), 1),
        ("back", "附件", (), 2),
    ]


def collection(abstract: bool) -> list[Paragraph]:
    papers = []
    for title in ("政务服务满意度研究", "电子证照共享机制"):
        papers += [centred(title, size=16.0, font=BOLD), centred("张伟")]
        papers += [para("摘要：" + TEXT, indent=0.0)] if abstract else []
        papers += [p for n in "12" for p in (heading(f"{n} 第{n}节", size=12.0), para(TEXT))]
        papers += [
            heading("参考文献", size=12.0),
            para("[1]王立.电子政务导论[M].北京:科学出版社,2010.", indent=0.0),
        ]
    return papers


def test_a_collection_of_papers_is_cut_at_each_paper_s_sections() -> None:
    produced = rows(collection(abstract=True))
    paths = [(part, title, path) for part, title, path, _n in produced]
    assert paths == [
        ("front", "政务服务满意度研究", ()),
        ("body", "1 第1节", ("政务服务满意度研究",)),
        ("body", "2 第2节", ("政务服务满意度研究",)),
        ("back", "参考文献", ("政务服务满意度研究", "2 第2节")),
        ("front", "电子证照共享机制", ()),
        ("body", "1 第1节", ("电子证照共享机制",)),
        ("body", "2 第2节", ("电子证照共享机制",)),
        ("back", "参考文献", ()),
    ]


def test_titles_without_their_own_abstract_stay_the_articles() -> None:
    # unchanged: titles without an abstract each are the document's articles
    produced = rows(collection(abstract=False))
    assert [title for part, title, _path, _n in produced if part == "body"] == [
        "政务服务满意度研究",
        "电子证照共享机制",
    ]


def test_numbered_headings_after_a_chapter_s_references_stay_structure() -> None:
    # unchanged: the second chapter's 第一节, first seen after chapter 1's references
    textbook = [
        heading("第1章 概述", 1, size=16.0),
        para(TEXT),
        heading("参考文献"),
        para("[1]王立.电子政务导论[M].北京:科学出版社,2010.", indent=0.0),
        heading("第2章 方法", 2, size=16.0),
        para(TEXT, 2),
        heading("第一节 数据", 2),
        para(TEXT, 2),
        heading("第二节 模型", 2),
        para(TEXT, 2),
    ]
    assert [(part, title) for part, title, _path, _n in rows(textbook)] == [
        ("body", "第1章 概述"),
        ("back", "参考文献"),
        ("body", "第2章 方法"),
    ]
    headings = find_headings(textbook, settings=DEFAULT_SETTINGS)
    assert headings_inside_back_matter(textbook, headings, settings=DEFAULT_SETTINGS) == frozenset()
    # a 目录 line reading 参考文献 (skipped as contents) opens no back matter
    listed = [heading("目录"), para("参考文献", indent=0.0)]
    listed += [p for title in ("总体情况", "存在问题") for p in (heading(title, 2), para(TEXT, 2))]
    contents = frozenset({0, 1})
    found = find_headings(listed, skip=contents, settings=DEFAULT_SETTINGS)
    assert len(found) == 2
    assert headings_inside_back_matter(listed, found, skip=contents, settings=DEFAULT_SETTINGS) == frozenset()
    # the same line in the text does open back matter: what follows in a new style is its text
    assert len(headings_inside_back_matter(listed, found, settings=DEFAULT_SETTINGS)) == 2
