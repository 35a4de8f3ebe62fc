"""Regression fixtures for the text layer: pages a real document set wrong, rebuilt from scratch.

``python -m docpipe.samples.fixtures_textlayer [OUT_DIR]`` writes, byte for byte
the same on every run, one small PDF per class of damage the text layer does,
with its golden JSON beside it (the format of ``raw/*.golden.json``, see
``docs/CONTRACTS.md``; ``doc_kind`` is ``general``, and the articles listed
are the body rows):

* ``tl-columns-sidebar``: a title across the page, two columns of body text
  whose lines share baselines, and a narrow key/value sidebar; read straight
  across, the lines of the three blocks interleave.
* ``tl-bilingual-datasheet``: Chinese and English paragraphs and a small
  table under a diagonal watermark; one English paragraph is set word by word
  with no space glyphs, as TeX sets it, so only the gaps tell the words apart.
* ``tl-kangxi-radicals``: a text layer whose Unicode map names Kangxi radicals
  and compatibility ideographs (``项⽬``, ``南⽠书``) for common characters.
* ``tl-garbage-text-layer``: a scanned page under an invisible text layer of
  mojibake (``êêêÆÆÆ###``); only OCR reads it.
* ``tl-formula-font``: Chinese text with a formula set in a font whose
  ``/ToUnicode`` map was taken out, as formula fonts of TeX output come.
* ``tl-rotated-pages``: pages with ``/Rotate 90``, ``180`` and ``270``: two
  landscape pages drawn sideways to display upright, and an upright page a
  scanner turned upside down.

The text is made up for the fixtures; the layouts are generic (A4, Song and
Hei faces installed with the system), and nothing in docpipe may key on them.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from docpipe.samples.canonical import canonicalize

DEFAULT_OUT_DIR = Path("tests/fixtures/documents")
FONT_DIR = Path("/usr/share/fonts/truetype")
SONG = "ARPLUMingCN"
HEI = "WenQuanYiZenHei"
LATIN = "Helvetica"
#: A TrueType face drawn for the formula; its ToUnicode map is removed afterwards.
FORMULA = "DejaVuSerifFormula"
FORMULA_POSTSCRIPT_NAME = "DejaVuSerif"  # what the PDF's /BaseFont calls it
_FONT_FILES = {
    SONG: (FONT_DIR / "arphic" / "uming.ttc", 0),
    HEI: (FONT_DIR / "wqy" / "wqy-zenhei.ttc", 0),
    FORMULA: (FONT_DIR / "dejavu" / "DejaVuSerif.ttf", 0),
}
MARGIN = 56.0
#: Characters that may not begin a line (避头尾): they hang at the end of the line before.
NO_LINE_START = "，。、；：！？）》」』”’"


@dataclass(frozen=True, slots=True)
class Fixture:
    stem: str
    title: str
    articles: list[dict[str, Any]]
    pages: int
    layout: dict[str, Any]


@cache
def _font(name: str) -> str:
    if name in _FONT_FILES and name not in pdfmetrics.getRegisteredFontNames():
        path, index = _FONT_FILES[name]
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    return name


def _canvas(path: Path, pagesize: tuple[float, float] = A4) -> Canvas:
    canvas = Canvas(str(path), pagesize=pagesize, invariant=1, pageCompression=0)
    canvas.setTitle(path.stem)
    canvas.setAuthor("docpipe")
    canvas.setCreator("docpipe.samples.fixtures_textlayer")
    return canvas


def break_chinese(text: str, per_line: int, *, indent: int = 2) -> list[str]:
    """Break a Chinese paragraph into lines of ``per_line`` characters, the first indented.

    A mark that may not start a line hangs at the end of the line before it.

    >>> break_chinese("一二三，四五", 3, indent=0)
    ['一二三，', '四五']
    """
    lines: list[str] = []
    rest = text
    room = per_line - indent
    while rest:
        line, rest = rest[:room], rest[room:]
        while rest and rest[0] in NO_LINE_START:
            line, rest = line + rest[0], rest[1:]
        lines.append(line)
        room = per_line
    return lines


def draw_chinese_paragraph(
    canvas: Canvas, text: str, *, x: float, y: float, width: float, size: float, font: str = SONG
) -> float:
    """Set a paragraph with a two-em indent at baseline ``y``; return the baseline after it."""
    canvas.setFont(_font(font), size)
    for number, line in enumerate(break_chinese(text, int(width // size))):
        canvas.drawString(x + (2 * size if number == 0 else 0), y, line)
        y -= size * 1.6
    return y


def draw_english_paragraph(
    canvas: Canvas, text: str, *, x: float, y: float, width: float, size: float, space_glyphs: bool
) -> float:
    """Set an English paragraph ragged-right; without ``space_glyphs`` every word is placed on its own."""
    space = pdfmetrics.stringWidth(" ", LATIN, size)
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in text.split():
        advance = pdfmetrics.stringWidth(word, LATIN, size)
        if lines[-1] and used + space + advance > width:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + advance
        lines[-1].append(word)
    canvas.setFont(LATIN, size)
    for words in lines:
        if space_glyphs:
            canvas.drawString(x, y, " ".join(words))
        else:
            at = x
            for word in words:
                canvas.drawString(at, y, word)
                at += pdfmetrics.stringWidth(word, LATIN, size) + space
        y -= size * 1.4
    return y


def _article(
    title: str, paragraphs: Sequence[str], page_start: int, page_end: int, seq: int = 1
) -> dict[str, Any]:
    return {
        "seq": seq,
        "number": None,
        "section": None,
        "title": canonicalize(title),
        "paragraphs": [canonicalize(p) for p in paragraphs],
        "source": None,
        "page_start": page_start,
        "page_end": page_end,
    }


# --- the fixtures -----------------------------------------------------------------

COLUMN_PARAGRAPHS = (
    "本周机械设备板块整体上涨，工程机械与通用设备表现较强，专用设备涨幅居中，细分领域分化明显。",
    "从订单情况看，挖掘机销量同比回升，出口订单保持较快增长，龙头企业的海外收入占比持续提高，行业集中度进一步上升。",
    "我们认为，随着基建项目陆续开工，设备更新需求有望逐步释放，板块估值仍处于历史较低区间，建议关注具备全球竞争力的龙头企业。",
    "风险方面，需关注原材料价格波动、海外需求放缓以及行业竞争加剧对盈利能力的影响。",
)
SIDEBAR_LINES = ("所属行业：机械设备", "当前价格（元）：一二点五", "总市值（亿元）：八十五", "投资评级：增持")


def build_columns_sidebar(out_dir: Path) -> Fixture:
    """Two columns whose lines share baselines, and a sidebar at the right edge."""
    stem = "tl-columns-sidebar"
    canvas = _canvas(out_dir / f"{stem}.pdf")
    width, height = A4
    title = "机械设备行业周报"
    canvas.setFont(_font(HEI), 20)
    canvas.drawCentredString(width / 2, height - 80, title)
    size, column_width, gutter, sidebar_width = 10.5, 168.0, 21.0, 105.0
    columns = [MARGIN, MARGIN + column_width + gutter]
    sidebar_x = columns[1] + column_width + gutter
    # Fill the columns line by line, the way a layout program flows text.
    lines: list[tuple[str, bool]] = []
    for paragraph in COLUMN_PARAGRAPHS:
        broken = break_chinese(paragraph, int(column_width // size))
        lines.extend((line, number == 0) for number, line in enumerate(broken))
    per_column = (len(lines) + 1) // 2
    top = height - 130
    canvas.setFont(_font(SONG), size)
    for index, (line, first) in enumerate(lines):
        column, row = divmod(index, per_column)
        canvas.drawString(columns[column] + (2 * size if first else 0), top - row * size * 1.6, line)
    canvas.setFont(_font(HEI), 9)
    for row, line in enumerate(SIDEBAR_LINES):
        canvas.drawString(sidebar_x, top - row * size * 1.6 * 2, line)
    canvas.setLineWidth(0.5)
    canvas.rect(
        sidebar_x - 6,
        top - len(SIDEBAR_LINES) * size * 3.2 + 10,
        sidebar_width + 12,
        len(SIDEBAR_LINES) * size * 3.2 + 6,
    )
    canvas.showPage()
    canvas.save()
    articles = [_article(title, [*COLUMN_PARAGRAPHS, *SIDEBAR_LINES], 1, 1)]
    return Fixture(stem, title, articles, 1, {"page_size": "A4", "columns": 2, "sidebar": "right"})


DATASHEET_CHINESE = (
    "本规格书适用于方形磷酸铁锂储能电芯，规定了电芯的技术要求、试验方法和使用注意事项。",
    "电芯出厂时处于半荷电状态，长期存放时应每三个月补电一次。",
)
DATASHEET_ENGLISH_SPACED = (
    "The cell is stored at full charge for no longer than three months and at half charge for longer storage."
)
DATASHEET_ENGLISH_PLACED = (
    "Capacity retention depends on the coverage and the depth of utilization of the electrode material."
)
DATASHEET_WATERMARK = "样品 SAMPLE"
DATASHEET_TABLE = (
    ("项目 Item", "参数 Value"),
    ("标称电压 Nominal voltage", "3.2 V"),
    ("标称容量 Nominal capacity", "280 Ah"),
    ("工作温度 Operating temperature", "-20 to 55 °C"),
)


def build_bilingual_datasheet(out_dir: Path) -> Fixture:
    stem = "tl-bilingual-datasheet"
    canvas = _canvas(out_dir / f"{stem}.pdf")
    width, height = A4
    title = "磷酸铁锂电芯规格书"
    # A diagonal watermark under the text, as sample datasheets carry: not text to read.
    canvas.saveState()
    canvas.setFillGray(0.85)
    canvas.setFont(_font(HEI), 60)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, DATASHEET_WATERMARK)
    canvas.restoreState()
    canvas.setFont(_font(HEI), 18)
    canvas.drawCentredString(width / 2, height - 80, title)
    measure = width - 2 * MARGIN
    y = height - 120
    for paragraph in DATASHEET_CHINESE:
        y = draw_chinese_paragraph(canvas, paragraph, x=MARGIN, y=y, width=measure, size=10.5)
    # English paragraphs are set flush left, told apart by a blank line.
    y -= 24
    y = draw_english_paragraph(
        canvas, DATASHEET_ENGLISH_SPACED, x=MARGIN, y=y, width=measure, size=10, space_glyphs=True
    )
    y -= 24
    y = draw_english_paragraph(
        canvas, DATASHEET_ENGLISH_PLACED, x=MARGIN, y=y, width=measure, size=10, space_glyphs=False
    )
    y -= 12
    for row in DATASHEET_TABLE:
        for column, cell in enumerate(row):
            x = MARGIN + column * 230
            for piece in _script_runs(cell):
                font = LATIN if piece.isascii() else _font(SONG)
                canvas.setFont(font, 10)
                canvas.drawString(x, y, piece)
                x += pdfmetrics.stringWidth(piece, font, 10)
        y -= 18
    canvas.showPage()
    canvas.save()
    paragraphs = [
        *DATASHEET_CHINESE,
        DATASHEET_ENGLISH_SPACED,
        DATASHEET_ENGLISH_PLACED,
        *("\t".join(row) for row in DATASHEET_TABLE),
    ]
    articles = [_article(title, paragraphs, 1, 1)]
    return Fixture(stem, title, articles, 1, {"page_size": "A4", "languages": ["zh", "en"], "table_rows": 4})


def _script_runs(text: str) -> list[str]:
    """Split ``text`` into runs of ASCII and non-ASCII characters (one font each)."""
    runs: list[str] = []
    for char in text:
        if runs and runs[-1][-1].isascii() == char.isascii():
            runs[-1] += char
        else:
            runs.append(char)
    return runs


KANGXI_TITLE = "南⽠书"
KANGXI_PARAGRAPHS = (
    "项⽬背景介绍：本书⾯向初学者，逐步讲解⽅法的推导过程，对原书中略去的中间步骤⼀⼀补⻬，并给出必要的背景知识。",
    "⻓期以来，读者反映原书推导跳步较多，初学者难以独⽴完成阅读，本项⽬为此补充了⼤量细节与示例。",
    "全书共分⼗⼆章，每章附有习题与参考答案，读者可以按章节顺序阅读，也可以按需查阅。",
)


def build_kangxi_radicals(out_dir: Path) -> Fixture:
    """A text layer that spells common characters with Kangxi radicals (the glyphs look the same)."""
    stem = "tl-kangxi-radicals"
    canvas = _canvas(out_dir / f"{stem}.pdf")
    width, height = A4
    canvas.setFont(_font(HEI), 20)
    canvas.drawCentredString(width / 2, height - 90, KANGXI_TITLE)
    y = height - 140
    for paragraph in KANGXI_PARAGRAPHS:
        y = draw_chinese_paragraph(canvas, paragraph, x=MARGIN, y=y, width=width - 2 * MARGIN, size=11)
    canvas.showPage()
    canvas.save()
    articles = [_article(_unified(KANGXI_TITLE), [_unified(p) for p in KANGXI_PARAGRAPHS], 1, 1)]
    return Fixture(
        stem, _unified(KANGXI_TITLE), articles, 1, {"page_size": "A4", "text_layer": "kangxi radicals"}
    )


def _unified(text: str) -> str:
    # The golden text spells what the page shows; written out, not derived by the cleaner under test.
    return text.translate(str.maketrans("⽠⽬⾯⽅⻓⼤⼗⼆⼀⻬⽴", "瓜目面方长大十二一齐立"))


GARBAGE_TITLE = "政务服务事项清单"
GARBAGE_PARAGRAPHS = (
    "各级政务服务机构应当公开服务事项的名称、依据、条件、流程和办理时限，并在办事大厅和网上平台同步更新。",
    "申请人可以通过网上平台提交材料，窗口工作人员应当一次性告知需要补正的内容，不得要求申请人重复提交。",
)
GARBAGE_TEXT = "êêêÆÆÆ###(((¯¯¯KKK"
SCAN_DPI = 200


def build_garbage_text_layer(out_dir: Path) -> Fixture:
    """A page image of Chinese text under an invisible text layer of mojibake."""
    stem = "tl-garbage-text-layer"
    width, height = A4
    scale = SCAN_DPI / 72
    image = Image.new("L", (round(width * scale), round(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(_FONT_FILES[HEI][0]), round(18 * scale))
    body_font = ImageFont.truetype(str(_FONT_FILES[SONG][0]), round(12 * scale))
    draw.text((width * scale / 2, 90 * scale), GARBAGE_TITLE, font=title_font, fill=0, anchor="ms")
    y = 140.0
    per_line = int((width - 2 * MARGIN) // 12)
    for paragraph in GARBAGE_PARAGRAPHS:
        for number, line in enumerate(break_chinese(paragraph, per_line)):
            x = MARGIN + (24 if number == 0 else 0)
            draw.text((x * scale, y * scale), line, font=body_font, fill=0, anchor="ls")
            y += 12 * 1.6
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    canvas = _canvas(out_dir / f"{stem}.pdf")
    canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, width=width, height=height)
    text = canvas.beginText()
    text.setTextRenderMode(3)  # invisible: the layer an OCR program lays over a scan
    text.setFont(LATIN, 12)
    y = height - 90
    for _ in range(8):
        text.setTextOrigin(MARGIN, y)
        text.textOut(GARBAGE_TEXT * 3)
        y -= 20
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    articles = [_article(GARBAGE_TITLE, GARBAGE_PARAGRAPHS, 1, 1)]
    return Fixture(
        stem, GARBAGE_TITLE, articles, 1, {"page_size": "A4", "scan_dpi": SCAN_DPI, "text_layer": "garbage"}
    )


FORMULA_TITLE = "勾股定理"
FORMULA_BEFORE = "在平面几何中，直角三角形的三条边之间存在一个简单而重要的关系：两条直角边与斜边满足关系"
FORMULA_TEXT = "a²+b²=c²"
FORMULA_AFTER = "，其中c为斜边的长度。"
FORMULA_PARAGRAPH_2 = (
    "这一关系在测量与工程计算中应用广泛，古代的工匠用它来检验墙角是否垂直，今天的工程师仍然用它计算距离。"
)
UNMAPPED_GLYPH = "\u25a1"


def build_formula_font(out_dir: Path) -> Fixture:
    """Chinese text with a formula in a font whose ToUnicode map is taken out."""
    stem = "tl-formula-font"
    path = out_dir / f"{stem}.pdf"
    canvas = _canvas(path)
    width, height = A4
    canvas.setFont(_font(HEI), 18)
    canvas.drawCentredString(width / 2, height - 90, FORMULA_TITLE)
    size, y = 11.0, height - 140
    measure = width - 2 * MARGIN
    # The text before the formula fills its lines; the formula and the rest
    # of the sentence continue its last line.
    before = break_chinese(FORMULA_BEFORE, int(measure // size))
    canvas.setFont(_font(SONG), size)
    for number, line in enumerate(before[:-1]):
        canvas.drawString(MARGIN + (2 * size if number == 0 else 0), y, line)
        y -= size * 1.6
    x = MARGIN + (2 * size if len(before) == 1 else 0)
    canvas.drawString(x, y, before[-1])
    x += len(before[-1]) * size
    canvas.setFont(_font(FORMULA), size)
    canvas.drawString(x, y, FORMULA_TEXT)
    x += pdfmetrics.stringWidth(FORMULA_TEXT, FORMULA, size)
    canvas.setFont(_font(SONG), size)
    canvas.drawString(x, y, FORMULA_AFTER)
    draw_chinese_paragraph(canvas, FORMULA_PARAGRAPH_2, x=MARGIN, y=y - size * 1.6, width=measure, size=size)
    canvas.showPage()
    canvas.save()
    _drop_to_unicode(path, FORMULA_POSTSCRIPT_NAME)
    # reportlab's subset keeps printable ASCII at its own codes, which a reader maps
    # by the standard encoding; the superscripts are the glyphs without a mapping.
    unmapped = "".join(char if char.isascii() else UNMAPPED_GLYPH for char in FORMULA_TEXT)
    articles = [
        _article(FORMULA_TITLE, [FORMULA_BEFORE + unmapped + FORMULA_AFTER, FORMULA_PARAGRAPH_2], 1, 1)
    ]
    return Fixture(stem, FORMULA_TITLE, articles, 1, {"page_size": "A4", "unmapped_font": FORMULA})


def _drop_to_unicode(path: Path, font_name: str) -> None:
    """Take the ToUnicode map out of the fonts whose BaseFont names ``font_name``.

    The key is renamed to one of the same length, so every byte offset of the
    cross-reference table still holds.
    """
    data = path.read_bytes()
    marker = f"/BaseFont /{_subset_prefix(data, font_name)}{font_name} ".encode()
    out = bytearray(data)
    start = 0
    while (found := data.find(marker, start)) != -1:
        begin = data.rfind(b"<<", 0, found)
        end = data.find(b">>", found)
        segment = data[begin:end]
        key = segment.find(b"/ToUnicode")
        if key != -1:
            out[begin + key : begin + key + len(b"/ToUnicode")] = b"/NoUnicode"
        start = found + len(marker)
    path.write_bytes(bytes(out))


def _subset_prefix(data: bytes, font_name: str) -> str:
    # reportlab names subsets "<TAG>+<FontName>"; the tag is what is searched for.
    index = data.find(f"+{font_name} ".encode())
    if index == -1:
        raise ValueError(f"font {font_name} is not in the PDF")
    return data[index - 6 : index + 1].decode()


ROTATED_PAGES = (
    (90, "【政务管理】", "横排页面以旋转九十度的方式放入文档，阅读时应当按文字的方向从左到右读出。"),
    (180, "【网络安全】", "扫描时页面被倒置，文档以旋转一百八十度记录，文字本身仍然是正向书写的。"),
    (270, "【电子政务】", "横排页面以旋转二百七十度的方式放入文档，文字的顺序不能被读反。"),
)


def build_rotated_pages(out_dir: Path) -> Fixture:
    """/Rotate 90 and 270 pages drawn sideways to display upright, and an upright page set at /Rotate 180."""
    stem = "tl-rotated-pages"
    canvas = _canvas(out_dir / f"{stem}.pdf")
    width, height = A4
    articles = []
    for page, (rotation, title, paragraph) in enumerate(ROTATED_PAGES, start=1):
        canvas.setPageRotation(rotation)
        canvas.saveState()
        # reportlab lays a page set at /Rotate 90 or 270 out landscape, so that
        # the viewer, turning it clockwise by ``rotation``, shows it A4 portrait.
        # The content is drawn turned the other way, to show upright, except
        # on the 180 page: upright content a scanner fed in upside down.
        if rotation == 90:
            canvas.translate(height, 0)
            canvas.rotate(90)
        elif rotation == 270:
            canvas.translate(0, width)
            canvas.rotate(-90)
        page_width, page_height = width, height
        canvas.setFont(_font(HEI), 16)
        canvas.drawString(MARGIN, page_height - 80, title)
        draw_chinese_paragraph(
            canvas, paragraph, x=MARGIN, y=page_height - 120, width=page_width - 2 * MARGIN, size=11
        )
        canvas.restoreState()
        canvas.showPage()
        articles.append(_article(title, [paragraph], page, page, seq=page))
    canvas.save()
    return Fixture(
        stem,
        "",
        articles,
        len(ROTATED_PAGES),
        {"page_size": "A4", "rotations": [r for r, _, _ in ROTATED_PAGES]},
    )


BUILDERS = (
    build_columns_sidebar,
    build_bilingual_datasheet,
    build_kangxi_radicals,
    build_garbage_text_layer,
    build_formula_font,
    build_rotated_pages,
)


def golden_document(fixture: Fixture) -> dict[str, Any]:
    return {
        "source_file": f"{fixture.stem}.pdf",
        "doc_kind": "general",
        "doc_title": fixture.title or None,
        "issue_date": None,
        "issue_label": None,
        "layout": fixture.layout,
        "pages": fixture.pages,
        "articles": fixture.articles,
    }


def build_fixtures(out_dir: Path = DEFAULT_OUT_DIR) -> list[Path]:
    """Write every text-layer fixture and its golden JSON into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for build in BUILDERS:
        fixture = build(out_dir)
        golden = out_dir / f"{fixture.stem}.golden.json"
        golden.write_text(
            json.dumps(golden_document(fixture), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written += [out_dir / f"{fixture.stem}.pdf", golden]
    return written


def main(argv: list[str]) -> int:
    for path in build_fixtures(Path(argv[0]) if argv else DEFAULT_OUT_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
