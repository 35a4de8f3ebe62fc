"""Digest segmentation on paragraphs shaped like two layouts: 【】 sections in the body
with ``1.`` numbering, and sections only in the 目录 with ``1、`` numbering."""

from __future__ import annotations

from datetime import date

import pytest

from cleaners.records import Paragraph
from docpipe.segment import segment_document
from docpipe.segment.contents import parse_contents_entry, section_name
from docpipe.segment.digest import segment_digest, split_source
from docpipe.settings import DEFAULT_SETTINGS

BODY, HEADING = "Song", "Hei"


def para(text: str, page: int, *, font: str = BODY, size: float = 10.5, indent: float = 21.0) -> Paragraph:
    return Paragraph(
        text=text, page_start=page, page_end=page, x0=72 + indent, indent=indent, size=size, font=font
    )


def heading(text: str, page: int) -> Paragraph:
    return para(text, page, font=HEADING, size=12.0, indent=0.0)


def cover() -> list[Paragraph]:
    return [
        para("电子政务信息汇编", 1, size=26.0, indent=120.0),
        para("2014年7月28日", 1, size=14.0, indent=150.0),
        para("七月第四期", 1, size=14.0, indent=160.0),
        para("秘书处", 1, size=14.0, indent=170.0),
        para("目录", 2, size=16.0, indent=200.0),
    ]


SECTIONS_IN_BODY = [
    *cover(),
    para("【国外电子政务】", 2, indent=0.0),
    para("1.印度电子政府发展：以民众为中心公开透明.....1", 2, indent=0.0),
    para("2.尼泊尔政府利用云存储简化办公流程.....1", 2, indent=0.0),
    para("【云计算与大数据】", 2, indent=0.0),
    para("3.金震宇：大数据上升为国家战略引领电子政务升级.....2", 2, indent=0.0),
    heading("【国外电子政务】", 3),
    heading("1.印度电子政府发展：以民众为中心公开透明", 3),
    para("在印度，电子政府已逐步从政府部门的办公电脑化。", 3),
    para("印度政府旨在通过数字化渠道提供服务。（中研网）", 3),
    heading("2.尼泊尔政府利用云存储简化办公流程", 3),
    para("据悉，尼泊尔新财年的财政预算于7月17日正式实施。", 3),
    para("（国际在线）", 4),
    heading("【云计算与大数据】", 4),
    heading("3.金震宇：大数据上升为国家战略引领电子政务升级", 4),
    para("上半年，国脉电子政务网邀请大汉科技总裁金震宇。", 4),
    para("1、这是文中的列表项，不是文章标题。", 4),
]

SECTIONS_ONLY_IN_CONTENTS = [
    *cover()[:4],
    para("目 录", 2, size=16.0, indent=200.0),
    para("【政务云】", 2, indent=0.0),
    para("1、广东省首部云计算发展规划出台\t2", 2, indent=0.0),
    para("2、海南构建国内首个省级政务云计算中心\t3", 2, indent=0.0),
    para("【大数据】", 2, indent=0.0),
    para("3、上海正式开通信用大数据平台\t5", 2, indent=0.0),
    heading("1、广东省首部云计算发展规划出台", 3),
    para("日前，广东省人民政府正式印发规划。（中华人民共和国工业和信息化部）", 3),
    heading("2、海南构建国内首个省级政务云计算中心", 4),
    para("近日，海南省正式宣布构建省级政务云计算中心。（美通社）", 4),
    heading("3、上海正式开通信用大数据平台", 5),
    para("上海市公共信用信息服务平台正式开通。", 5),
]


@pytest.mark.parametrize(
    ("paragraphs", "sections", "numbers"),
    [
        pytest.param(
            SECTIONS_IN_BODY,
            ["国外电子政务", "国外电子政务", "云计算与大数据"],
            ["1", "2", "3"],
            id="body-sections",
        ),
        pytest.param(
            SECTIONS_ONLY_IN_CONTENTS, ["政务云", "政务云", "大数据"], ["1", "2", "3"], id="contents-sections"
        ),
    ],
)
def test_articles_sections_and_numbers(
    paragraphs: list[Paragraph], sections: list[str], numbers: list[str]
) -> None:
    document = segment_digest(paragraphs, settings=DEFAULT_SETTINGS)
    assert [a.section for a in document.articles] == sections
    assert [a.number for a in document.articles] == numbers
    assert [a.seq for a in document.articles] == [1, 2, 3]


def test_cover_fields() -> None:
    document = segment_digest(SECTIONS_IN_BODY, settings=DEFAULT_SETTINGS)
    assert document.doc_title == "电子政务信息汇编"
    assert document.issue_date == date(2014, 7, 28)
    assert document.issue_label == "七月第四期"


def test_source_on_its_own_line_and_list_item_inside_article() -> None:
    articles = segment_digest(SECTIONS_IN_BODY, settings=DEFAULT_SETTINGS).articles
    assert articles[1].source == "国际在线"
    assert articles[1].paragraphs == ("据悉，尼泊尔新财年的财政预算于7月17日正式实施。",)
    assert articles[1].page_end == 4
    assert articles[2].paragraphs[-1] == "1、这是文中的列表项，不是文章标题。"
    assert articles[2].source is None


def test_no_warnings_when_body_agrees_with_contents() -> None:
    assert segment_digest(SECTIONS_ONLY_IN_CONTENTS, settings=DEFAULT_SETTINGS).warnings == ()


def test_contents_page_mismatch_is_a_warning() -> None:
    printed = {3: "1", 4: "2", 5: "9"}
    warnings = segment_digest(
        SECTIONS_ONLY_IN_CONTENTS, printed_pages=printed, settings=DEFAULT_SETTINGS
    ).warnings
    assert any("article 3" in w and "page 5" in w for w in warnings)


def test_contents_entry_missing_from_body_is_a_warning() -> None:
    paragraphs = SECTIONS_ONLY_IN_CONTENTS[:-2]
    warnings = segment_digest(paragraphs, settings=DEFAULT_SETTINGS).warnings
    assert any("contents entry 3" in w for w in warnings)


def test_without_contents_numbered_headings_in_sequence_decide() -> None:
    body = [p for p in SECTIONS_IN_BODY if p.page_start >= 3]
    document = segment_digest(body, settings=DEFAULT_SETTINGS)
    assert [a.number for a in document.articles] == ["1", "2", "3"]
    assert any("no contents" in w for w in document.warnings)


def test_title_comes_from_contents_when_body_wraps_it_differently() -> None:
    paragraphs = [*SECTIONS_ONLY_IN_CONTENTS]
    index = next(i for i, p in enumerate(paragraphs) if p.text == "2、海南构建国内首个省级政务云计算中心")
    paragraphs[index] = heading("2、海南构建国内首个省级政务云计算", 4)  # body lost the end of the title
    document = segment_digest(paragraphs, settings=DEFAULT_SETTINGS)
    assert document.articles[1].title == "海南构建国内首个省级政务云计算中心"
    assert any("differs" in w for w in document.warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("……保证更高的透明度。（中研网）", ("……保证更高的透明度。", "中研网")),
        ("（重庆日报）", ("", "重庆日报")),
        ("……管理成本。（中华人民共和国工业和信息化部）", ("……管理成本。", "中华人民共和国工业和信息化部")),
        ("……平台。（人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报）", ("……平台。", "人民邮电报")),
        # stays: brackets that are part of the text
        (
            "《大连市城市智慧化建设总体规划（2014-2020）》",
            ("《大连市城市智慧化建设总体规划（2014-2020）》", None),
        ),
        ("……建设总体规划（2014-2020）", ("……建设总体规划（2014-2020）", None)),
        ("没有来源的最后一段。", ("没有来源的最后一段。", None)),
    ],
)
def test_split_source(text: str, expected: tuple[str, str | None]) -> None:
    assert split_source(text, settings=DEFAULT_SETTINGS) == expected


@pytest.mark.parametrize(
    ("text", "number", "title", "page"),
    [
        (
            "1. 印度电子政府发展：以民众为中心公开透明..... 1",
            "1",
            "印度电子政府发展：以民众为中心公开透明",
            "1",
        ),
        (
            "15. 梧州食品药品监督管理局：行政审批网上申报系统开通运行.. 9",
            "15",
            "梧州食品药品监督管理局：行政审批网上申报系统开通运行",
            "9",
        ),
        (
            "17. 广西贵港市公安局：信息化管理打造高效出入境服务 ...\t10",
            "17",
            "广西贵港市公安局：信息化管理打造高效出入境服务",
            "10",
        ),
        (
            "- 7、美国白宫85页报告详述大数据的机遇与挑战.....7",
            "7",
            "美国白宫85页报告详述大数据的机遇与挑战",
            "7",
        ),
        ("第一章\t地方政府大数据发展政策概况 .....\t1", None, "第一章\t地方政府大数据发展政策概况", "1"),
        ("序言……………………i", None, "序言", "i"),
        # OCR read the page number as a character (1 as 世, 2 as 和): an entry without a page.
        ("1、广东省首部云计算发展规划出台\t世", "1", "广东省首部云计算发展规划出台", None),
        ("12. 纽约计划淘汰付费公用电话亭\t和", "12", "纽约计划淘汰付费公用电话亭", None),
    ],
)
def test_parse_contents_entry(text: str, number: str | None, title: str, page: str | None) -> None:
    entry = parse_contents_entry(text)
    assert entry is not None
    assert (entry.number, entry.title, entry.page) == (number, title, page)


@pytest.mark.parametrize(
    "text",
    [
        "【国外电子政务】",
        "目录",
        "在印度，电子政府已逐步从政府部门的办公电脑化。",
        "2014年7月28日",
        "广东省首部云计算发展规划出台\t世",  # not numbered: nothing says it is an entry
        "1、这是文中的列表项，不是文章标题。",
    ],
)
def test_not_a_contents_entry(text: str) -> None:
    assert parse_contents_entry(text) is None


@pytest.mark.parametrize(
    ("text", "name"), [("【国外电子政务】", "国外电子政务"), ("［智慧城市］", "智慧城市"), ("1. 标题", None)]
)
def test_section_name(text: str, name: str | None) -> None:
    assert section_name(text) == name


# --- the 目录 is evidence: entries OCR merged, entries it lost ---------------------------------

TITLES = [
    "印度电子政府发展以民众为中心",
    "尼泊尔政府利用云存储简化办公",
    "金震宇大数据上升为国家战略",
    "国家信息中心推进电子政务",
    "浙江政务服务网上线运行",
    "青岛政府门户网站将推手机版",
    "安徽欲建网上行政审批平台",
    "广州启用电子证照共享系统",
    "成都推进政务数据开放共享",
]


def merged_contents_digest() -> list[Paragraph]:
    """A 1. numbered digest whose 目录 OCR read with two pairs of entries run together
    (their page numbers misread) and one entry's number without its separator."""
    lines = [
        "1. 印度电子政府发展以民众为中心.....1",
        "2. 尼泊尔政府利用云存储简化办公.....1",
        "3. 金震宇大数据上升为国家战略.....2",
        "4. 国家信息中心推进电子政务.....2",
        "5. 浙江政务服务网上线运行.....3",
        "6青岛政府门户网站将推手机版.......7.安徽欲建网上行政审批平台……4",
        "8. 广州启用电子证照共享系统.....5人9.成都推进政务数据开放共享.....5",
    ]
    paragraphs = [*cover()[:4], para("目 录", 2, size=16.0, indent=200.0)]
    paragraphs += [para(line, 2, indent=0.0) for line in lines]
    for number, title in enumerate(TITLES, start=1):
        page = 3 + number // 2
        paragraphs += [
            heading(f"{number}. {title}", page),
            para(f"第{number}篇文章的正文内容。（新华网）", page),
        ]
    return paragraphs


def test_merged_contents_lines_are_split_at_the_next_number() -> None:
    document = segment_digest(merged_contents_digest(), settings=DEFAULT_SETTINGS)
    assert [e.number for e in document.contents] == [str(n) for n in range(1, 10)]
    assert document.contents[5].title.startswith("青岛") and document.contents[6].title.startswith("安徽")


def test_no_article_absorbs_another_when_the_contents_is_garbled() -> None:
    document = segment_digest(merged_contents_digest(), settings=DEFAULT_SETTINGS)
    assert [a.number for a in document.articles] == [str(n) for n in range(1, 10)]
    assert [a.title for a in document.articles] == TITLES
    assert all(len(a.paragraphs) == 1 for a in document.articles)


def test_a_heading_in_sequence_missing_from_the_contents_is_an_article_with_a_warning() -> None:
    paragraphs = [
        p for p in merged_contents_digest() if not p.text.startswith("4. 国家信息中心推进电子政务.")
    ]
    document = segment_digest(paragraphs, settings=DEFAULT_SETTINGS)
    assert [a.number for a in document.articles] == [str(n) for n in range(1, 10)]
    assert any("article 4" in w and "not in the contents" in w for w in document.warnings)


def test_where_contents_and_body_disagree_the_body_heading_wins() -> None:
    paragraphs = [
        para("2、某某省召开数字政府建设推进会\t3", 2, indent=0.0)
        if p.text.startswith("2、海南") and p.page_start == 2
        else p
        for p in SECTIONS_ONLY_IN_CONTENTS
    ]
    document = segment_digest(paragraphs, settings=DEFAULT_SETTINGS)
    assert [a.title for a in document.articles][1] == "海南构建国内首个省级政务云计算中心"
    assert any("the body's is kept" in w for w in document.warnings)


@pytest.mark.parametrize(
    ("layout", "bodies"),
    [
        # 目录 and body; article 1 printed as its title alone, right above article 2
        (
            [
                p
                for p in SECTIONS_IN_BODY
                if p.text
                not in {
                    "在印度，电子政府已逐步从政府部门的办公电脑化。",
                    "印度政府旨在通过数字化渠道提供服务。（中研网）",
                }
            ],
            ["1.印度电子政府发展：以民众为中心公开透明", None, None],
        ),
        # no 目录: the numbered headings alone, the last one bare at the end of the document
        (
            [
                heading("1.甲地推行电子证照", 3),
                para("正文一。", 3),
                heading("2.乙地建设数据平台", 3),
                heading("3.丙地开放公共数据", 4),
            ],
            [None, "2.乙地建设数据平台", "3.丙地开放公共数据"],
        ),
        # unchanged: every heading has text under it
        (SECTIONS_IN_BODY, [None, None, None]),
    ],
)
def test_a_heading_is_never_an_article_without_a_body(
    layout: list[Paragraph], bodies: list[str | None]
) -> None:
    document = segment_digest(layout, settings=DEFAULT_SETTINGS)
    assert len(document.articles) == len(bodies)  # no article absorbs the next numbered one
    for article, body in zip(document.articles, bodies, strict=True):
        assert article.paragraphs, article.title
        if body is not None:
            assert article.paragraphs == (body,)
            assert any("has no text under its heading" in w for w in document.warnings)
        else:
            assert article.paragraphs[0] != f"{article.number}.{article.title}"


@pytest.mark.parametrize(
    "garbled",
    [
        "Z、海南构建国内首个省级政务云计算中心",  # the number read as a letter
        "海南构建国内首个省级政务云计算",  # the number lost, and the end of the title
    ],
)
def test_a_heading_whose_number_ocr_lost_is_found_by_its_contents_title(garbled: str) -> None:
    paragraphs = [
        heading(garbled, 4) if p.text == "2、海南构建国内首个省级政务云计算中心" else p
        for p in SECTIONS_ONLY_IN_CONTENTS
    ]
    document = segment_digest(paragraphs, settings=DEFAULT_SETTINGS)
    assert [a.number for a in document.articles] == ["1", "2", "3"]
    assert document.articles[1].title == "海南构建国内首个省级政务云计算中心"
    assert document.articles[0].source == "中华人民共和国工业和信息化部"  # article 1 did not absorb it
    assert any("read by its contents title" in w for w in document.warnings)


def test_numbering_that_restarts_in_every_section() -> None:
    entries = [("政务云", "广东省首部云计算发展规划出台"), ("政务云", "海南构建国内首个省级政务云计算中心")]
    entries += [("大数据", "上海正式开通信用大数据平台"), ("大数据", "贵州建设大数据交易中心")]
    paragraphs = [*cover()[:4], para("目 录", 2, size=16.0, indent=200.0)]
    for position, (section, title) in enumerate(entries):
        if position % 2 == 0:
            paragraphs.append(para(f"【{section}】", 2, indent=0.0))
        paragraphs.append(para(f"{position % 2 + 1}、{title}\t{position + 3}", 2, indent=0.0))
    for position, (section, title) in enumerate(entries):
        if position % 2 == 0:
            paragraphs.append(heading(f"【{section}】", position + 3))
        paragraphs.append(heading(f"{position % 2 + 1}、{title}", position + 3))
        paragraphs.append(para(f"{title}的正文。（新华网）", position + 3))
    document = segment_digest(
        paragraphs, printed_pages={n: str(n) for n in range(3, 7)}, settings=DEFAULT_SETTINGS
    )
    assert [(a.number, a.section, a.title) for a in document.articles] == [
        ("1", "政务云", entries[0][1]),
        ("2", "政务云", entries[1][1]),
        ("1", "大数据", entries[2][1]),
        ("2", "大数据", entries[3][1]),
    ]
    assert document.warnings == ()


def digest_with(after_first: list[Paragraph], closing: list[Paragraph] = ()) -> list[Paragraph]:
    """SECTIONS_ONLY_IN_CONTENTS with text set after the first article's source, and at the end."""
    base = SECTIONS_ONLY_IN_CONTENTS
    second = base.index(heading("2、海南构建国内首个省级政务云计算中心", 4))
    last = [*base[second:-1], para("上海市公共信用信息服务平台正式开通。（解放日报）", 5)]
    return [*base[:second], *after_first, *last, *closing]


def digest_rows(paragraphs: list[Paragraph]) -> list[tuple[str, str | None, str, str | None, str | None]]:
    segmented = segment_document(paragraphs, settings=DEFAULT_SETTINGS)
    assert segmented.doc_kind == "digest"
    return [(a.part, a.number, a.title, a.section, a.source) for a in segmented.articles if a.part != "front"]


FIRST = ("body", "1", "广东省首部云计算发展规划出台", "政务云", "中华人民共和国工业和信息化部")
SECOND = ("body", "2", "海南构建国内首个省级政务云计算中心", "政务云", "美通社")
THIRD = ("body", "3", "上海正式开通信用大数据平台", "大数据", "解放日报")
NOTE = "编者按：以上规划的全文可在省政府网站查阅，本刊摘编时有删节。"


@pytest.mark.parametrize(
    ("after_first", "closing", "expected"),
    [
        # unchanged: nothing after the sources
        ([], [], [FIRST, SECOND, THIRD]),
        # an editor's note after the source is a row of its own, under the same section
        ([para(NOTE, 3)], [], [FIRST, ("body", None, NOTE[:20] + "…", "政务云", None), SECOND, THIRD]),
        # an unnumbered item (its title, its text, a 来源： line) after the source: a row with its source
        (
            [
                heading("简讯：省级政务云扩容", 3),
                para("省级政务云新增计算节点二百个。", 3),
                para("来源：南方日报", 3),
            ],
            [],
            [FIRST, ("body", None, "简讯：省级政务云扩容", "政务云", "南方日报"), SECOND, THIRD],
        ),
        # text after the last article's source closes the issue: a back row
        (
            [],
            [para("本期责任编辑：王明　校对：李华", 5)],
            [FIRST, SECOND, THIRD, ("back", None, "本期责任编辑：王明　校对：李华", None, None)],
        ),
    ],
)
def test_a_source_line_ends_its_article(
    after_first: list[Paragraph], closing: list[Paragraph], expected: list[tuple[str, ...]]
) -> None:
    paragraphs = digest_with(after_first, closing)
    produced = digest_rows(paragraphs)
    assert produced == expected
    segmented = segment_document(paragraphs, settings=DEFAULT_SETTINGS)
    held = sorted(i for a in segmented.articles for i in a.held)
    assert held == [i for i, p in enumerate(paragraphs) if p.text.strip()]  # nothing lost


def test_a_source_labelled_line_is_the_article_s_source() -> None:
    paragraphs = [*SECTIONS_ONLY_IN_CONTENTS, para("来源：解放日报", 5)]
    third = segment_digest(paragraphs, settings=DEFAULT_SETTINGS).articles[-1]
    assert (third.source, third.attribution, third.paragraphs) == (
        "解放日报",
        "来源：解放日报",
        ("上海市公共信用信息服务平台正式开通。",),
    )
