"""Generated multi-page PDFs for the runtime tests: Chinese text pages in several layouts."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "ZenHei"
SENTENCES = (
    "在印度，电子政府已逐步从政府部门的办公电脑化发展到以民众为中心的服务。",
    "该计划旨在改善政府向公民和企业提供的公共服务，提升透明度。",
    "国家信息中心表示，将进一步推进电子政务建设，提升服务水平。",
    "各地政府门户网站的在线办事能力在过去一年中明显增强。",
)


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))


def write_text_pdf(
    path: Path,
    pages: int,
    *,
    size: tuple[float, float] = (420.0, 595.0),
    font_size: float = 10.5,
    lines_per_page: int = 12,
    rotate: int = 0,
    text: str | None = None,
) -> Path:
    """``pages`` pages of Chinese body text with a text layer; ``rotate`` sets each page's /Rotate.

    ``text``: set line after line (from its start again when it runs out); by
    default each line is one of :data:`SENTENCES`, rotated from page to page.
    """
    _register_font()
    width, height = size
    characters = int((width - 80) / font_size)
    lines = _set_lines(text, characters, pages * lines_per_page) if text else []
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)
    for number in range(1, pages + 1):
        if rotate:
            pdf.setPageRotation(rotate)
        pdf.setFont(FONT, font_size)
        pdf.drawString(width / 2, height - 30, f"第 {number} 页")
        for row in range(lines_per_page):
            if lines:
                line = lines[(number - 1) * lines_per_page + row]
            else:
                line = SENTENCES[(number + row) % len(SENTENCES)][:characters]
            pdf.drawString(
                40 + (2 * font_size if row % 4 == 0 else 0),
                height - 70 - row * font_size * 1.8,
                line,
            )
        pdf.showPage()
    pdf.save()
    return path


#: Punctuation Chinese typesetting never starts a line with (避头尾): it hangs at the end of the line before.
NO_LINE_START = frozenset("。，、；：！？）》」』”")


def _set_lines(text: str, characters: int, count: int) -> list[str]:
    """``count`` lines of ``characters`` from ``text`` (from its start again when it runs out), each
    taking along the punctuation that may not start the next."""
    lines: list[str] = []
    start = 0
    while len(lines) < count:
        end = start + characters
        while text[end % len(text)] in NO_LINE_START:
            end += 1
        lines.append("".join(text[index % len(text)] for index in range(start, end)))
        start = end
    return lines


def write_blank_pdf(path: Path, pages: int, *, size: tuple[float, float] = (420.0, 595.0)) -> Path:
    """Pages with nothing on them."""
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)
    for _ in range(pages):
        pdf.showPage()
    pdf.save()
    return path


def write_white_box_pdf(path: Path, *, size: tuple[float, float] = (420.0, 595.0)) -> Path:
    """One page whose only object is a white rectangle: objects, but nothing to read."""
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(20, 20, size[0] - 40, size[1] - 40, stroke=0, fill=1)
    pdf.showPage()
    pdf.save()
    return path
