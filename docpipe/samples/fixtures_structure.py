"""Render the structure fixtures (``tests/fixtures/documents/st-*.pdf``) and their golden JSON.

Five documents in layouts docpipe was not built on, each testing one class of
structure (issue 10):

* ``st-thesis``: a thesis-like document: cover, 摘要, 目录, 第N章 chapters with
  1.1 / 1.1.1 headings, 参考文献 and 致谢 (a general document cut at chapters,
  front and back matter in rows of their own);
* ``st-poems``: a poetry collection: its name alone on a cover page (a ``front`` row that
  heads no poem), poem titles over short centred lines;
* ``st-digest-c``: a digest in a new layout: A4, AR PL UMing HK body (another Song face), an
  institution's name as running header, footer ``— N —``, ``1、`` numbering,
  ragged-right lines where 避头尾 pushes a character down (the line ends one
  character short) or lets a comma hang past the measure, a source ``企业网D1Net``;
* ``st-report``: a report with no headings at all;
* ``st-footnotes``: a report whose pages end in footnotes (9 pt under a short rule,
  opening with ①, [2], 注：, *) in the middle of a paragraph that runs on to the
  next page; the marker stays in the body, the notes go to the ``footnotes`` column.

Typesetting is this module's own, minimal and deterministic: one line per
``drawString``; paragraphs indented 2 em, set ragged-right; line-start-forbidden
punctuation (、。，）」 …) never starts a line: 。 and ， hang past the measure,
the others pull the character before them down to the next line.  The golden
JSON lists every row docpipe must produce, ``part`` included.  Output is
byte-for-byte reproducible: ``python -m docpipe.samples.fixtures_structure [DIR]``.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from docpipe.samples.canonical import canonicalize

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "documents"
FONT_DIR = Path("/usr/share/fonts/truetype")

#: No line may start with these (closing punctuation).
NO_LINE_START = frozenset("，。、；：？！）】》」』”’")
#: Of those, these may hang past the measure instead of pulling a character down (标点悬挂).
HANGING = frozenset("，。")
#: No line may end with these (opening punctuation).
NO_LINE_END = frozenset("（【《「『“‘")
PARAGRAPH_INDENT_EM = 2.0


@dataclass(frozen=True, slots=True)
class Face:
    name: str
    path: Path
    index: int


UMING_CN = Face("StUMingCN", FONT_DIR / "arphic" / "uming.ttc", 0)
UMING_HK = Face("StUMingHK", FONT_DIR / "arphic" / "uming.ttc", 1)
UKAI_CN = Face("StUKaiCN", FONT_DIR / "arphic" / "ukai.ttc", 0)
ZEN_HEI = Face("StZenHei", FONT_DIR / "wqy" / "wqy-zenhei.ttc", 0)


@cache
def _font(face: Face) -> TTFont:
    if face.name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(face.name, str(face.path), subfontIndex=face.index))
    font = pdfmetrics.getFont(face.name)
    assert isinstance(font, TTFont)
    return font


def width(text: str, face: Face, size: float) -> float:
    return float(_font(face).stringWidth(text, size))


Align = Literal["left", "center", "indent"]


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph or heading as the author wrote it."""

    text: str
    face: Face
    size: float
    align: Align = "indent"
    space_before_em: float = 0.0
    page_break: bool = False  # start on a new page
    #: Footnotes of the block, each opening with its marker; a note is set at the foot of
    #: the page where the line holding its marker falls (a note whose marker the text does
    #: not hold, such as 注：, at the foot of the block's last line).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    page_width: float
    page_height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    pitch_em: float  # baseline to baseline, in em of each line's size
    header: str | None  # running header text (centred, over a rule), or None
    header_face: Face
    footer: str  # e.g. "— {n} —"
    furniture_from_page: int = 2  # no header or footer on the cover
    #: Height kept free at the foot of every page's text block for footnotes.
    note_area: float = 0.0
    note_size: float = 9.0
    #: Set flush right on the header line (an issue label) while ``header`` goes flush left;
    #: None centres ``header`` alone.
    header_right: str | None = None

    @property
    def measure(self) -> float:
        return self.page_width - self.margin_left - self.margin_right


@dataclass(frozen=True, slots=True)
class SetLine:
    text: str
    face: Face
    size: float
    x: float  # from the left edge
    space_before: float = 0.0
    keep_with_next: bool = False
    page_break: bool = False
    notes: tuple[str, ...] = ()  # footnotes whose marker this line holds


def _units(text: str) -> list[str]:
    """Latin words and numbers stay whole; every other character is its own unit."""
    units: list[str] = []
    for char in text:
        if (
            units
            and char.isascii()
            and char.isalnum()
            and units[-1][-1].isascii()
            and units[-1][-1].isalnum()
        ):
            units[-1] += char
        else:
            units.append(char)
    return units


def break_paragraph(text: str, face: Face, size: float, measure: float, indent: float) -> list[str]:
    """Break a paragraph into lines by the rules of 避头尾, ragged-right.

    A closing mark that would start a line either hangs past the measure (。，)
    or pulls the character before it down, so that line ends short.
    """
    units = _units(text)
    lines: list[list[str]] = [[]]
    used = indent
    for unit in units:
        advance = width(unit, face, size)
        line = lines[-1]
        if used + advance <= measure + 1e-6 or not line:
            line.append(unit)
            used += advance
            continue
        if unit in NO_LINE_START and unit in HANGING:
            line.append(unit)  # hangs in the margin
            lines.append([])
            used = 0.0
            continue
        carried: list[str] = []
        if unit in NO_LINE_START and len(line) > 1:
            carried = [line.pop()]  # the character before it goes down with it
        while len(line) > 1 and line[-1] in NO_LINE_END:
            carried.insert(0, line.pop())
        lines.append([*carried, unit])
        used = sum(width(u, face, size) for u in lines[-1])
    return ["".join(line) for line in lines if line]


def set_blocks(blocks: Sequence[Block], layout: Layout) -> list[SetLine]:
    body_em = blocks[0].size if blocks else 10.0
    lines: list[SetLine] = []
    for block in blocks:
        left = layout.margin_left
        if block.align == "indent":
            indent = PARAGRAPH_INDENT_EM * block.size
            texts = break_paragraph(block.text, block.face, block.size, layout.measure, indent)
            notes = _notes_by_line(texts, block.notes)
            for number, text in enumerate(texts):
                lines.append(
                    SetLine(
                        text,
                        block.face,
                        block.size,
                        left + (indent if number == 0 else 0.0),
                        space_before=block.space_before_em * body_em if number == 0 else 0.0,
                        page_break=block.page_break and number == 0,
                        notes=notes.get(number, ()),
                    )
                )
            continue
        text_width = width(block.text, block.face, block.size)
        x = left if block.align == "left" else left + (layout.measure - text_width) / 2
        lines.append(
            SetLine(
                block.text,
                block.face,
                block.size,
                x,
                space_before=block.space_before_em * body_em,
                keep_with_next=True,
                page_break=block.page_break,
            )
        )
    return lines


def _notes_by_line(texts: Sequence[str], notes: Sequence[str]) -> dict[int, tuple[str, ...]]:
    """Which line of a set paragraph each note hangs from: the one holding its marker."""
    placed: dict[int, tuple[str, ...]] = {}
    for note in notes:
        marker = note[: note.index("]") + 1] if note.startswith("[") else note[0]
        line = next((i for i, text in enumerate(texts) if marker in text), len(texts) - 1)
        placed[line] = (*placed.get(line, ()), note)
    return placed


@dataclass
class Page:
    lines: list[tuple[SetLine, float]] = field(default_factory=list)  # line, baseline from the top


def paginate(lines: Sequence[SetLine], layout: Layout) -> list[Page]:
    pages: list[Page] = [Page()]
    y = layout.margin_top
    index = 0
    while index < len(lines):
        line = lines[index]
        step = line.size * layout.pitch_em
        if line.page_break and pages[-1].lines:
            pages.append(Page())
            y = layout.margin_top
        needed = line.space_before + step
        if line.keep_with_next and index + 1 < len(lines):
            following = lines[index + 1]
            needed += following.space_before + following.size * layout.pitch_em
        if pages[-1].lines and y + needed > layout.page_height - layout.margin_bottom - layout.note_area:
            pages.append(Page())
            y = layout.margin_top
        if pages[-1].lines:
            y += line.space_before
        y += step
        pages[-1].lines.append((line, y - step * 0.25))
        index += 1
    return pages


def render(pages: Sequence[Page], layout: Layout, path: Path, *, title: str) -> None:
    canvas = Canvas(str(path), pagesize=(layout.page_width, layout.page_height), invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("docpipe.samples.fixtures_structure")
    for number, page in enumerate(pages, start=1):
        for line, baseline in page.lines:
            canvas.setFont(line.face.name, line.size)
            canvas.drawString(line.x, layout.page_height - baseline, line.text)
        notes = [note for line, _ in page.lines for note in line.notes]
        if notes:
            _footnotes(canvas, layout, notes)
        if number >= layout.furniture_from_page:
            _furniture(canvas, layout, number)
        canvas.showPage()
    canvas.save()


def _footnotes(canvas: Canvas, layout: Layout, notes: Sequence[str]) -> None:
    """The page's notes under a short rule at the top of the note area, smaller than the body."""
    size = layout.note_size
    top = layout.page_height - layout.margin_bottom - layout.note_area + 0.6 * size
    canvas.setLineWidth(0.5)
    canvas.line(
        layout.margin_left,
        layout.page_height - top,
        layout.margin_left + layout.measure / 4,
        layout.page_height - top,
    )
    baseline = top + 0.4 * size
    for note in notes:
        for text in break_paragraph(note, layout.header_face, size, layout.measure, 0.0):
            baseline += size * 1.4
            canvas.setFont(layout.header_face.name, size)
            canvas.drawString(layout.margin_left, layout.page_height - baseline, text)


def _furniture(canvas: Canvas, layout: Layout, number: int) -> None:
    size = 9.0
    if layout.header:
        header_y = layout.margin_top - 2.2 * size
        text_width = width(layout.header, layout.header_face, size)
        canvas.setFont(layout.header_face.name, size)
        if layout.header_right is None:
            x = (layout.page_width - text_width) / 2
        else:
            x = layout.margin_left
            right_width = width(layout.header_right, layout.header_face, size)
            right_x = layout.page_width - layout.margin_right - right_width
            canvas.drawString(right_x, layout.page_height - header_y, layout.header_right)
        canvas.drawString(x, layout.page_height - header_y, layout.header)
        canvas.setLineWidth(0.5)
        rule_y = layout.page_height - header_y - 0.5 * size
        canvas.line(layout.margin_left, rule_y, layout.page_width - layout.margin_right, rule_y)
    footer = layout.footer.format(n=number)
    canvas.setFont(layout.header_face.name, size)
    footer_width = width(footer, layout.header_face, size)
    canvas.drawString((layout.page_width - footer_width) / 2, layout.margin_bottom - 1.5 * size, footer)


# --- content ---------------------------------------------------------------------------------

#: Sentences the fixtures are written from (original text for these fixtures).
SENTENCES = (
    "政务数据共享平台已经接入省、市、县三级部门，汇聚人口、法人、电子证照等基础数据。",
    "各地在推进一网通办的过程中，逐步建立了统一身份认证、统一电子印章和统一支付体系。",
    "办事群众只需提交一次材料，后台即可完成跨部门核验，平均办理时间缩短了一半以上。",
    "平台按照分级分类的原则管理数据，敏感字段在传输和存储环节均经过加密处理。",
    "用户可以在线查询办件进度，也可以通过短信、电子邮件、移动客户端等渠道接收提醒。",
    "试点城市还开放了交通、气象、环境监测等领域的公共数据，供企业和研究机构开发应用。",
    "为了保障系统稳定运行，运维团队建立了全天候监控机制，并定期开展应急演练。",
    "专家指出，数据治理的关键在于明确权责，形成采集、共享、使用全过程的管理闭环。",
    "下一步将继续完善标准规范，推动电子证照在更多场景中互认互通，减少重复提交。",
    "部分地区探索建立首席数据官制度，由专人统筹本地区的数据资源规划和开发利用。",
    "调查显示，超过八成的受访企业认为网上办事的便利程度较三年前有明显提升。",
    "在基层，网格员使用移动终端采集信息，数据当日即可回传至区级平台进行比对。",
    "登记时须填写姓名、身份证号码、户口所在地地址、电子邮件地址等服务所需信息。",
    "该系统于今年上半年完成部署，目前日均访问量已超过十万人次，运行总体平稳。",
    "平台整合了社保、医保、公积金、不动产、户籍、婚姻、出入境等高频事项。",
    "材料清单、办理时限、收费标准、咨询电话、投诉渠道均在网上公开。",
)


def paragraphs(rng: random.Random, count: int, *, sentences: tuple[int, int] = (2, 4)) -> list[str]:
    return ["".join(rng.choice(SENTENCES) for _ in range(rng.randint(*sentences))) for _ in range(count)]


@dataclass
class Fixture:
    stem: str
    layout: Layout
    blocks: list[Block]
    golden: dict[str, Any]


def golden_row(part: str, title: str, body: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A golden row, its text as printed (made canonical once its page numbers are known)."""
    return {
        "part": part,
        "title": title,
        "section": extra.get("section"),
        "heading_path": list(extra.get("heading_path", [])),
        "number": extra.get("number"),
        "source": extra.get("source"),
        "paragraphs": list(body),
        # listed only by the fixtures that print footnotes, so the others stay as they were
        **({"footnotes": list(extra["footnotes"])} if "footnotes" in extra else {}),
    }


def canonical_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row's text in canonical form (full-width punctuation, no spaces in Chinese)."""
    return {
        **row,
        "title": canonicalize(row["title"]),
        "section": canonicalize(row["section"]) if row["section"] else None,
        "heading_path": [canonicalize(h) for h in row["heading_path"]],
        "paragraphs": [canonicalize(t) for t in row["paragraphs"]],
        **({"footnotes": [canonicalize(t) for t in row["footnotes"]]} if "footnotes" in row else {}),
    }


def page_of(heading: str) -> str:
    """A placeholder for the page a heading is printed on, filled in after pagination."""
    return f"{{page:{heading}}}"


def resolve_pages(text: str, pages: dict[str, int]) -> str:
    """``text`` with each :func:`page_of` placeholder replaced by the page its heading is on."""
    for heading, number in pages.items():
        text = text.replace(page_of(heading), str(number))
    return text


def thesis() -> Fixture:
    rng = random.Random(1)
    body, head = UMING_CN, ZEN_HEI
    layout = Layout(
        A4[0], A4[1], 30 * mm, 25 * mm, 30 * mm, 30 * mm, 1.6, "华东某大学硕士学位论文", UMING_CN, "{n}"
    )
    blocks: list[Block] = []
    rows: list[dict[str, Any]] = []
    cover = ["基于数据共享的政务服务流程优化研究", "学科专业：公共管理", "研究生：陈明", "指导教师：周华教授"]
    blocks.append(Block(cover[0], head, 22, "center", page_break=True))
    blocks += [Block(t, body, 14, "center", space_before_em=2.0) for t in cover[1:]]
    rows.append(golden_row("front", cover[0], cover[1:]))
    abstract = paragraphs(rng, 2)
    blocks.append(Block("摘要", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 12) for t in abstract]
    rows.append(golden_row("front", "摘要", abstract))
    chapters: list[tuple[str, list[tuple[str, list[str]]]]] = [
        ("第1章 绪论", [("1.1 研究背景", ["1.1.1 国内现状", "1.1.2 国外经验"]), ("1.2 研究内容", [])]),
        ("第2章 政务数据共享的现状", [("2.1 平台建设", []), ("2.2 存在问题", [])]),
        ("第3章 流程优化方案", [("3.1 总体思路", ["3.1.1 设计原则"]), ("3.2 实施步骤", [])]),
    ]
    contents = []
    for chapter, sections in chapters:
        contents.append(f"{chapter}........{page_of(chapter)}")
        for section, subsections in sections:
            contents.append(f"{section}........{page_of(section)}")
            contents += [f"{sub}........{page_of(sub)}" for sub in subsections]
    contents += [f"参考文献........{page_of('参考文献')}", f"致谢........{page_of('致谢')}"]
    blocks.append(Block("目录", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 12, "left") for t in contents]
    rows.append(golden_row("front", "目录", contents))
    for chapter, sections in chapters:
        blocks.append(Block(chapter, head, 16, "center", page_break=True))
        text: list[str] = []
        intro = paragraphs(rng, 1)
        blocks += [Block(t, body, 12) for t in intro]
        text += intro
        for section, subsections in sections:
            blocks.append(Block(section, head, 14, "left", space_before_em=0.8))
            own = paragraphs(rng, 2)
            blocks += [Block(t, body, 12) for t in own]
            text += [section, *own]
            for sub in subsections:
                blocks.append(Block(sub, head, 12, "left", space_before_em=0.5))
                more = paragraphs(rng, 1)
                blocks += [Block(t, body, 12) for t in more]
                text += [sub, *more]
        rows.append(golden_row("body", chapter, text))
    references = [
        "[1]王立.电子政务导论[M].北京:科学出版社,2010.",
        "[2]李静.数据共享与政府治理[J].行政论坛,2018,25(3):45-51.",
        "[3]赵强.一网通办的实践与思考[D].上海:复旦大学,2020.",
    ]
    blocks.append(Block("参考文献", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 12, "left") for t in references]
    rows.append(golden_row("back", "参考文献", references))
    thanks = paragraphs(rng, 1)
    blocks.append(Block("致谢", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 12) for t in thanks]
    rows.append(golden_row("back", "致谢", thanks))
    return Fixture("st-thesis", layout, blocks, golden_document("st-thesis", "general", cover[0], rows))


POEMS = (
    ("秋夜", ("月光落在窗台上", "风从远山来", "一盏灯还亮着", "等一个晚归的人")),
    ("晨雾", ("雾里有鸟声", "路在脚下慢慢出现", "田埂湿了", "稻子低着头")),
    ("旧信", ("纸已经发黄", "字还是那样工整", "你说春天会回来", "我一直信")),
    ("江边", ("船走远了", "水还在", "岸上的柳树", "一年比一年高")),
    ("冬至", ("饺子在锅里翻滚", "窗上结了霜花", "母亲数着日子", "说白天要长了")),
)


def poems() -> Fixture:
    layout = Layout(148 * mm, 210 * mm, 22 * mm, 20 * mm, 20 * mm, 20 * mm, 1.8, None, UKAI_CN, "{n}")
    collection = "山居集"
    blocks = [Block(collection, UKAI_CN, 26, "center", page_break=True)]
    # The collection's name alone on its cover page is a front row; it heads no poem.
    rows = [golden_row("front", collection, [collection])]
    for number, (title, verse) in enumerate(POEMS):
        blocks.append(Block(title, ZEN_HEI, 14, "center", space_before_em=2.0, page_break=number % 2 == 0))
        blocks += [Block(line, UKAI_CN, 11, "center", space_before_em=0.3) for line in verse]
        rows.append(golden_row("body", title, verse))
    return Fixture("st-poems", layout, blocks, golden_document("st-poems", "general", collection, rows))


DIGEST_ARTICLES = (
    ("省级政务服务平台完成数据共享接口改造", "企业网D1Net"),
    ("多地推行电子证照跨区域互认", "人民网"),
    ("城市大脑建设进入应用深化阶段", "新华网"),
    ("公共数据开放平台新增交通和气象数据集", "中国经济网"),
    ("基层治理移动终端覆盖全部社区网格", "光明日报"),
    ("政务云安全防护体系通过第三方评估", "企业网D1Net"),
)
INSTITUTION = "电子政务云计算应用技术国家工程实验室"


def digest_c() -> Fixture:
    rng = random.Random(3)
    body, head = UMING_HK, ZEN_HEI
    # A measure of exactly 40 characters: a full line ends at the measure, a comma or a full
    # stop hangs 1 em past it, a character pulled down by 、 leaves its line 1 em short.
    side = (A4[0] - 40 * 10.5) / 2
    layout = Layout(A4[0], A4[1], 28 * mm, 25 * mm, side, side, 1.7, INSTITUTION, UMING_HK, "— {n} —")
    title = "政务信息参考"
    cover = [title, "2015年3月16日", "第六期"]
    blocks = [Block(cover[0], head, 30, "center", page_break=True)]
    blocks += [Block(t, body, 14, "center", space_before_em=2.0) for t in cover[1:]]
    rows: list[dict[str, Any]] = [golden_row("front", cover[0], cover[1:])]
    contents = [f"{n}、{t}......{page_of(f'{n}、{t}')}" for n, (t, _) in enumerate(DIGEST_ARTICLES, start=1)]
    blocks.append(Block("目录", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 11, "left") for t in contents]
    rows.append(golden_row("front", "目录", contents))
    for number, (heading, source) in enumerate(DIGEST_ARTICLES, start=1):
        texts = paragraphs(rng, 3, sentences=(3, 5))
        blocks.append(
            Block(f"{number}、{heading}", head, 13, "left", space_before_em=1.2, page_break=number == 1)
        )
        blocks += [Block(t, body, 10.5) for t in texts[:-1]]
        blocks.append(Block(f"{texts[-1]}（{source}）", body, 10.5))
        rows.append(golden_row("body", heading, texts, number=str(number), source=source))
    document = golden_document("st-digest-c", "digest", title, rows)
    document["issue_date"], document["issue_label"] = "2015-03-16", "第六期"
    return Fixture("st-digest-c", layout, blocks, document)


def report() -> Fixture:
    rng = random.Random(4)
    layout = Layout(A4[0], A4[1], 30 * mm, 28 * mm, 32 * mm, 32 * mm, 1.7, None, UMING_CN, "第 {n} 页")
    texts = paragraphs(rng, 9, sentences=(3, 6))
    blocks = [Block(t, UMING_CN, 11, page_break=n == 0) for n, t in enumerate(texts)]
    rows = [golden_row("body", texts[0][:20] + "…", texts)]
    return Fixture("st-report", layout, blocks, golden_document("st-report", "general", None, rows))


def footnotes() -> Fixture:
    rng = random.Random(5)
    body, head = UMING_CN, ZEN_HEI
    # The text block stops 34 mm above the footer; the notes sit in between, set in 9 pt
    # under a short rule, the body in 12 pt.
    layout = Layout(
        A4[0], A4[1], 30 * mm, 25 * mm, 30 * mm, 30 * mm, 1.6, None, UMING_CN, "{n}", 1, note_area=34 * mm
    )
    title = "政务数据共享工作报告"
    blocks = [Block(title, head, 20, "center", page_break=True)]
    rows: list[dict[str, Any]] = []
    sections = (
        ("一、工作进展", ("①本报告所称政务数据，指行政机关在履行职责过程中产生或获取的数据。",)),
        (
            "二、存在问题",
            (
                "[2]数据来源：2015年全省政务服务评估报告。",
                "注：部分地市的统计口径与省级平台不一致，已在附表中说明。",
            ),
        ),
        ("三、下一步安排", ("*此项安排须经领导小组审议后实施，具体时间另行通知，各地应做好准备工作。",)),
    )
    for heading, notes in sections:
        texts = paragraphs(rng, 5, sentences=(4, 6))
        marker = notes[0][: notes[0].index("]") + 1] if notes[0].startswith("[") else notes[0][0]
        # the marker sits in the middle of the second paragraph, which runs on past the page
        cut = len(texts[1]) // 2
        texts[1] = texts[1][:cut] + marker + texts[1][cut:]
        blocks.append(Block(heading, head, 14, "left", space_before_em=1.0))
        blocks += [Block(t, body, 12, notes=notes if i == 1 else ()) for i, t in enumerate(texts)]
        rows.append(
            golden_row("body", heading, texts, section=title, heading_path=[title], footnotes=list(notes))
        )
    return Fixture("st-footnotes", layout, blocks, golden_document("st-footnotes", "general", title, rows))


def golden_document(stem: str, kind: str, title: str | None, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The golden JSON of the document ``stem`` (of kind ``kind``, titled ``title``) with its ``rows``."""
    return {
        "source_file": f"{stem}.pdf",
        "doc_kind": kind,
        "doc_title": title,
        "issue_date": None,
        "issue_label": None,
        "articles": rows,
    }


FIXTURES = (thesis, poems, digest_c, report, footnotes)


def typeset(fixture: Fixture) -> tuple[list[Page], dict[str, Any]]:
    """The fixture's pages, and its golden with the page numbers the pages print resolved."""
    draft = paginate(set_blocks(fixture.blocks, fixture.layout), fixture.layout)
    printed = {line.text: n for n, page in enumerate(draft, start=1) for line, _ in page.lines}
    blocks = [replace(b, text=resolve_pages(b.text, printed)) for b in fixture.blocks]
    pages = paginate(set_blocks(blocks, fixture.layout), fixture.layout)
    golden = json.loads(resolve_pages(json.dumps(fixture.golden, ensure_ascii=False), printed))
    golden["pages"] = len(pages)
    golden["articles"] = [canonical_row(row) for row in golden["articles"]]
    return pages, golden


def write_golden(out_dir: Path, stem: str, golden: dict[str, Any]) -> Path:
    path = out_dir / f"{stem}.golden.json"
    path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def write_fixtures(fixtures: Iterable[Callable[[], Fixture]], out_dir: Path) -> Iterator[Path]:
    """Typeset each fixture into ``out_dir``: its PDF, then its golden JSON."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for make in fixtures:
        fixture = make()
        pages, golden = typeset(fixture)
        pdf = out_dir / f"{fixture.stem}.pdf"
        render(pages, fixture.layout, pdf, title=fixture.stem)
        yield pdf
        yield write_golden(out_dir, fixture.stem, golden)


def build_fixtures(out_dir: Path = FIXTURES_DIR) -> Iterator[Path]:
    return write_fixtures(FIXTURES, out_dir)


if __name__ == "__main__":
    for written in build_fixtures(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES_DIR):
        print(written)
