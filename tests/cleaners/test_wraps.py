"""Wrap repair on two layouts: A4 with 10.5 pt body, and B5 with 11 pt body and other margins."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.records import Line
from cleaners.wraps import join_line_texts, join_wrapped_lines, sizes_differ
from docpipe.settings import DEFAULT_SETTINGS


@dataclass(frozen=True)
class Layout:
    """Enough of a page layout to place lines: column edges, glyph size, line pitch."""

    left: float
    right: float
    size: float
    pitch: float
    top: float
    bottom: float

    def line(
        self,
        text: str,
        row: float,
        page: int = 1,
        *,
        indent: bool = False,
        short: bool = False,
        font: str = "Body",
        size: float | None = None,
    ) -> Line:
        size = size or self.size
        x0 = self.left + (2 * self.size if indent else 0)
        x1 = x0 + len(text) * size if short else self.right
        top = self.top + row * self.pitch
        return Line(text, page, x0, top, x1, top + size, size, font)


A4 = Layout(left=72.0, right=523.0, size=10.5, pitch=18.0, top=90.0, bottom=760.0)
B5 = Layout(left=60.0, right=456.0, size=11.0, pitch=20.0, top=80.0, bottom=680.0)
LAYOUTS = [pytest.param(A4, id="A4"), pytest.param(B5, id="B5")]


def texts(lines: list[Line]) -> list[str]:
    return [p.text for p in join_wrapped_lines(lines, settings=DEFAULT_SETTINGS)]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_joins_a_wrapped_paragraph_without_spaces(layout: Layout) -> None:
    lines = [
        layout.line("在印度，电子政府已逐步从政府部门的办公电脑化，发展到推出以", 0, indent=True),
        layout.line("民众为中心、服务导向化和透明化的项目。", 1, short=True),
        layout.line("该计划旨在改善政府向公民、企业提供的公共服务。", 2, indent=True, short=True),
    ]
    assert texts(lines) == [
        "在印度，电子政府已逐步从政府部门的办公电脑化，发展到推出以民众为中心、服务导向化和透明化的项目。",
        "该计划旨在改善政府向公民、企业提供的公共服务。",
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_joins_a_paragraph_split_by_a_page_break(layout: Layout) -> None:
    lines = [
        layout.line("下一步，信息中心将继续按照市委、局党委的要求，积极查摆问题", 30, page=4, indent=True),
        layout.line("落实整改，通过完善机制、明确分工、优化流程等", 31, page=4),
        layout.line("一系列举措，改进工作作风。（中国江门）", 0, page=5, short=True),
    ]
    [paragraph] = join_wrapped_lines(lines, settings=DEFAULT_SETTINGS)
    assert paragraph.text.endswith("优化流程等一系列举措，改进工作作风。（中国江门）")
    assert (paragraph.page_start, paragraph.page_end) == (4, 5)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_keeps_a_paragraph_break_at_a_page_break(layout: Layout) -> None:
    lines = [
        layout.line("目前，全局共安装自动查询终端238台，发放手持终端692部，制作", 30, page=7, indent=True),
        layout.line("并发放罪犯卡片23,588张。", 31, page=7, short=True),
        layout.line("数据初始化工作，系统具备基本信息、点名巡更、医疗卫生等功能", 0, page=8, indent=True),
        layout.line("。", 1, page=8, short=True),
    ]
    assert len(texts(lines)) == 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_heading_in_another_font_is_its_own_paragraph(layout: Layout) -> None:
    lines = [
        layout.line("印度政府旨在通过数字化渠道提供更多以民众为中心的服务，通过让", 0, indent=True),
        layout.line("更多公民参与来保证更高的透明度。（中研网）", 1, short=True),
        layout.line(
            "2. 尼泊尔政府利用云存储简化办公流程", 3, short=True, font="Heading", size=layout.size * 1.15
        ),
        layout.line("据悉，尼泊尔新财年的财政预算于7月17日正式实施。", 4, indent=True, short=True),
    ]
    assert texts(lines)[1] == "2. 尼泊尔政府利用云存储简化办公流程"
    assert len(texts(lines)) == 3


@pytest.mark.parametrize("layout", LAYOUTS)
def test_heading_that_fills_the_line_is_followed_by_an_unindented_paragraph(layout: Layout) -> None:
    # A title wrapped over two lines comes back whole; the font change ends it.
    lines = [
        layout.line("28. 浙江省江干要建信息经济和智慧经济发展“四区一高地”以及", 0, font="Heading"),
        layout.line("更多内容", 1, short=True, font="Heading"),
        layout.line("为贯彻落实市委十一届七次全会精神，围绕杭州信息经济发展。", 2, indent=True, short=True),
    ]
    assert texts(lines)[0].endswith("以及更多内容")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_contents_entries_stay_apart(layout: Layout) -> None:
    lines = [
        layout.line("1. 印度电子政府发展：以民众为中心 公开透明................ 1", 0),
        layout.line("2. 尼泊尔政府利用云存储简化办公流程....................... 1", 1),
        layout.line("16. 天津和平区计划一年搭建电子政务平台\t9", 2),
        # Scanned: OCR read the page numbers 1 and 2 as Chinese characters.
        layout.line("1、广东省首部云计算发展规划出台\t世", 3),
        layout.line("2、海南构建国内首个省级政务云计算中心\t和", 4),
    ]
    assert len(texts(lines)) == 5


@pytest.mark.parametrize("layout", LAYOUTS)
def test_space_above_a_title_read_by_ocr_ends_the_paragraph_above(layout: Layout) -> None:
    # OCR gives no font and measured the title no larger than the body: the 1.7 line
    # pitches above it are all that set it apart from the full line before it.
    lines = [
        layout.line("效益，还将拉动当地信息产业链的发展。未来，该中心扩建完成", 0, font=""),
        layout.line("后，可直接面向华南地区提供云服务，使得海南省成为中国南部", 1, font=""),
        layout.line("重要的云服务基地，带动整个区域信息产业链的发展。(美通社)", 2, font=""),
        layout.line("3、黑龙江省工业云信息化服务平台启动", 3.7, short=True, font=""),
        layout.line("近日，黑龙江省工业云信息化服务平台正式启动。该平台建", 4.8, indent=True, font=""),
        layout.line("设旨在解决工业企业资源匮乏、信息不对称等问题。", 5.8, short=True, font=""),
    ]
    assert texts(lines)[1] == "3、黑龙江省工业云信息化服务平台启动"
    assert len(texts(lines)) == 3


@pytest.mark.parametrize("layout", LAYOUTS)
def test_vertical_gap_separates_unindented_blocks(layout: Layout) -> None:
    lines = [
        layout.line("电子政务信息汇编", 0),
        layout.line("2014年7月28日", 4),
    ]
    assert len(texts(lines)) == 2


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("发展到推出以民众为中", "心的项目", "发展到推出以民众为中心的项目"),
        ("中国电信推出了智慧家庭的全新产品“悦", "me”", "中国电信推出了智慧家庭的全新产品“悦me”"),
        ("the IBM", "Watson platform", "the IBM Watson platform"),
        ("安装 4368", "辆公交车", "安装 4368辆公交车"),
        ("截至 2016", "2017 年", "截至 2016 2017 年"),
    ],
)
def test_join_line_texts(first: str, second: str, joined: str) -> None:
    assert join_line_texts(first, second) == joined


line_text = st.text(alphabet="政务云计算中心。，ab 12", min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(line_text, st.booleans(), st.booleans(), st.integers(1, 3)), min_size=1, max_size=25)
)
def test_never_loses_or_invents_characters(rows: list[tuple[str, bool, bool, int]]) -> None:
    lines = []
    for index, (text, indent, short, page) in enumerate(sorted(rows, key=lambda r: r[3])):
        lines.append(A4.line(text, index, page=page, indent=indent, short=short))
    paragraphs = join_wrapped_lines(lines, settings=DEFAULT_SETTINGS)
    assert "".join("".join(p.text.split()) for p in paragraphs) == "".join(
        "".join(line.text.split()) for line in lines
    )
    assert all(p.page_start <= p.page_end for p in paragraphs)


# --- 避头尾 carry-overs: a line one or two characters short is a wrap where indents mark paragraphs ---


def carried_line(layout: Layout, text: str, row: float, *, short_by_em: float, indent: bool = False) -> Line:
    """A line that stops ``short_by_em`` em before the column's right edge."""
    line = layout.line(text, row, indent=indent)
    return Line(
        text, line.page, line.x0, line.top, layout.right - short_by_em * layout.size, line.bottom, line.size
    )


def indented_paragraphs(layout: Layout, first_row: int) -> list[Line]:
    """Three ordinary paragraphs, each indented and ending short: what teaches the indent signal."""
    lines = []
    for n in range(3):
        row = first_row + 2 * n
        lines.append(
            layout.line(f"第{n}段文字从这里开始，排满一整行的宽度，直到行末为止的正文内容", row, indent=True)
        )
        lines.append(layout.line("这一段到此结束。", row + 1, short=True))
    return lines


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("short_by_em", [1.0, 2.0])
def test_a_character_carried_over_by_the_line_start_rule_is_a_wrap(
    layout: Layout, short_by_em: float
) -> None:
    lines = [
        *indented_paragraphs(layout, 0),
        layout.line("登记时须填写姓名、身份证号码、户口所在地", 6, indent=True),
        carried_line(layout, "信息、身份证号码等等内容，以及户口所在地地", 7, short_by_em=short_by_em),
        layout.line("址、电子邮件地址等服务所需信息。", 8, short=True),
    ]
    assert texts(lines)[-1] == (
        "登记时须填写姓名、身份证号码、户口所在地信息、身份证号码等等内容，以及户口所在地地址、电子邮件地址等服务所需信息。"
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_short_lines_still_end_paragraphs_where_the_document_does_not_indent(layout: Layout) -> None:
    # Block paragraphs (no indent, the short last line is the signal): unchanged.
    lines = []
    for n in range(4):
        lines.append(layout.line(f"第{n}段的第一行排满整行，直到行末为止的正文内容没有首行缩进", 2 * n))
        lines.append(carried_line(layout, f"第{n}段到此结束只差两个字", 2 * n + 1, short_by_em=2.0))
    assert len(texts(lines)) == 4


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_line_well_short_of_the_measure_still_ends_its_paragraph(layout: Layout) -> None:
    # Unchanged: three characters short is a paragraph's last line even in an indented document.
    lines = [
        *indented_paragraphs(layout, 0),
        layout.line("这一段的第一行排满整行，直到行末为止的正文内容", 6, indent=True),
        carried_line(layout, "这一段到此结束差了三个字以上", 7, short_by_em=3.0),
        layout.line("无缩进的下一行是另一个段落，例如一行署名。", 8, short=True),
    ]
    assert texts(lines)[-2:] == [
        "这一段的第一行排满整行，直到行末为止的正文内容这一段到此结束差了三个字以上",
        "无缩进的下一行是另一个段落，例如一行署名。",
    ]


# (size, other, ratio, differ): text-layer sizes at Settings.size_change, OCR ink sizes at
# Settings.ocr_size_change; the rows that do not differ must stay so.
SIZES = [
    (12.0, 11.0, DEFAULT_SETTINGS.size_change, True),  # a digest's section label over its body
    (11.0, 12.0, DEFAULT_SETTINGS.size_change, True),  # the order does not matter
    (14.0, 10.5, DEFAULT_SETTINGS.size_change, True),
    (0.0, 10.5, DEFAULT_SETTINGS.size_change, True),  # a line without a size against one with
    (10.5, 10.5, DEFAULT_SETTINGS.size_change, False),
    (10.5, 10.8, DEFAULT_SETTINGS.size_change, False),
    (11.3, 10.5, DEFAULT_SETTINGS.size_change, False),  # 7.6 % larger
    (0.0, 0.0, DEFAULT_SETTINGS.size_change, False),
    (9.72, 9.0, DEFAULT_SETTINGS.ocr_size_change, False),  # a scan's title and body measured from ink
    (27.18, 23.4, DEFAULT_SETTINGS.ocr_size_change, False),
    (14.0, 9.0, DEFAULT_SETTINGS.ocr_size_change, True),
]


@pytest.mark.parametrize(("size", "other", "ratio", "differ"), SIZES)
def test_sizes_differ(size: float, other: float, ratio: float, differ: bool) -> None:
    assert sizes_differ(size, other, ratio=ratio) is differ


@pytest.mark.parametrize("font", ["Body", ""], ids=["text-layer", "ocr"])
def test_a_change_of_size_ends_a_paragraph_by_the_settings_ratio(font: str) -> None:
    # A 12 pt line over 11 pt ones, all full: only the change of size can end the paragraph.
    lines = [
        B5.line("【政务云】广东省首部云计算发展规划出台，提出到二〇一五年", 0, font=font, size=12.0),
        B5.line("云计算产业规模达到一千亿元，建成一批示范应用项目和平台", 1, font=font),
        B5.line("并形成若干个具有国际竞争力的云计算骨干企业和产业集群。", 2, font=font, short=True),
    ]
    split = len(join_wrapped_lines(lines, settings=DEFAULT_SETTINGS))
    # Text-layer sizes are exact: 12 over 11 differs; OCR's ink sizes vary that much.
    assert split == (2 if font else 1)
    tolerant = DEFAULT_SETTINGS.with_overrides(size_change=0.1)
    assert len(join_wrapped_lines(lines, settings=tolerant)) == 1


# --- page breaks around covers and centred titles (a scanned poetry collection) -----------------


def centred(layout: Layout, text: str, row: float, page: int, *, size: float | None = None) -> Line:
    """A line set centred on the column's axis, as OCR reads it (no font)."""
    size = size or layout.size
    axis = (layout.left + layout.right) / 2
    top = layout.top + row * layout.pitch
    half = len(text) * size / 2
    return Line(text, page, axis - half, top, axis + half, top + size, size)


VERSE = ("灯塔在雾里眨眼", "船舷挂着露水", "舵手不说话", "只听浪一下一下拍着", "石碾压过新麦", "孩子追着麻雀")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("cover_size", [1.8, 2.8, 4.5])
@pytest.mark.parametrize("title", ["夜航", "过山车站", "远方来信的那个早晨"])
def test_a_cover_line_and_the_next_pages_centred_title_stay_apart(
    layout: Layout, cover_size: float, title: str
) -> None:
    # The cover holds one line: its measure is borrowed, and a two-character title gives
    # OCR no size evidence, so the page break alone must keep the two apart.
    lines = [centred(layout, "远行", 3, 1, size=layout.size * cover_size)]
    lines.append(centred(layout, title, 0, 2, size=layout.size * 1.2))
    lines += [centred(layout, verse, 2 + n, 2) for n, verse in enumerate(VERSE)]
    assert texts(lines)[:2] == ["远行", title]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_poem_title_at_the_top_of_a_page_does_not_join_the_last_line_before(layout: Layout) -> None:
    lines = [centred(layout, verse, n, 3) for n, verse in enumerate(VERSE)]
    lines.append(centred(layout, "井边", 0, 4, size=layout.size * 1.2))
    lines += [centred(layout, verse, 2 + n, 4) for n, verse in enumerate(reversed(VERSE))]
    assert texts(lines)[len(VERSE)] == "井边"
    assert len(texts(lines)) == 2 * len(VERSE) + 1


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("text", "ends"),
    [
        pytest.param("一系列举措，改进工作作风。（中国江门）", "short", id="short last line"),
        pytest.param("一系列举措，改进工作作风，并在各部门推广这一做法取得实效", "full", id="full line"),
        pytest.param("一系列举措，改进工作作风，并在各部门推广这一做法取得", "carried", id="carried over"),
    ],
)
def test_a_flush_left_continuation_still_crosses_the_page_break(layout: Layout, text: str, ends: str) -> None:
    # Rows that must stay as they were: a paragraph's continuation on the next page is set
    # flush left, whether it ends short, fills the line, or stops a character short.
    lines = [
        layout.line("下一步，信息中心将继续按照市委、局党委的要求，积极查摆问题", 30, page=4, indent=True),
        layout.line("落实整改，通过完善机制、明确分工、优化流程等", 31, page=4),
        layout.line(text, 0, page=5, short=ends == "short"),
    ]
    if ends == "carried":  # one character short of the measure
        lines[-1] = replace(lines[-1], x1=layout.right - layout.size)
    for row in (1, 3):  # two more paragraphs on the page
        lines.append(
            layout.line(
                "该计划旨在改善政府向公民、企业提供的公共服务，其愿景如下：", row, page=5, indent=True
            )
        )
        lines.append(layout.line("通过提供普遍性服务，确保效率。", row + 1, page=5, short=True))
    assert texts(lines)[0].endswith("优化流程等" + text)
    assert len(texts(lines)) == 3


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_widow_line_alone_on_the_last_page_still_joins(layout: Layout) -> None:
    lines = [
        layout.line("该计划旨在改善政府向公民、企业提供的公共服务，其愿景如下：", 30, page=1, indent=True),
        layout.line("通过提供普遍性服务，确保服务的效率、透明度和可靠性，同时", 31, page=1),
        layout.line("保服务的效率。", 0, page=2, short=True),
    ]
    assert len(texts(lines)) == 1


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("second", "paragraphs"),
    [
        ("关键词：电子政务；数据共享；治理", 2),
        ("Key words: e-government; data sharing", 2),
        # unchanged: an unlabelled flush continuation after a full line is a wrap
        ("数据共享；治理和服务。", 1),
    ],
)
def test_a_labelled_field_opens_a_paragraph_after_a_full_line(
    layout: Layout, second: str, paragraphs: int
) -> None:
    lines = [
        layout.line("摘要：本文研究了数据共享对审批时限的影响，发现共享平台使平均办理时间缩短", 0),
        layout.line(second, 1, short=True),
    ]
    assert len(texts(lines)) == paragraphs
