"""Scanned two-column page with a sidebar: a magazine-like layout for reading-order tests.

A page in two columns reads down the left column, then down the right one; the lines of
the two columns share baselines, so an OCR pass that reads rows across the page
interleaves them.  This module typesets such a page from a digest sample's golden
articles (a running head, a title across both columns, the body in two columns, and a
sidebar framed by rules at the foot of the right column, in another face), prints it at
a scanner's resolution, degrades it as :mod:`docpipe.samples.scan` degrades the
digests, and writes an image-only PDF with a golden JSON beside it: the page's text
blocks in reading order.

``layout`` varies the geometry (column gap, margins, sizes) so that tests can check the
reading order on several layouts rather than on one.  Everything is seeded: the same
arguments give a byte-identical PDF.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from docpipe.samples.book import (
    PT_PER_INCH,
    FontKey,
    ScannedPage,
    degrade,
    load_font,
    scan_parameters,
    write_image_pdf,
)

#: Marks that Chinese typesetting never sets at the start of a line.
LINE_START_FORBIDDEN = frozenset("，。、；：？！）》」』”’…—·")
COLUMN_SCAN_STEM = "columns-sidebar-scan"
RANDOM_SEED = 20140728
MM_PER_INCH = 25.4


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """The geometry of the page, in points (A4 by default)."""

    width: float = 595.0
    height: float = 842.0
    margin: float = 56.0
    column_gap: float = 21.0  # 2 em of the body
    body_size: float = 10.5
    title_size: float = 16.0
    head_size: float = 9.0
    sidebar_share: float = 0.35  # of the right column's height, at its foot
    leading: float = 1.6  # line pitch in body sizes


@dataclass(frozen=True, slots=True)
class Block:
    """A block of text in reading order as the golden gives it."""

    role: str  # running_head, title, body, sidebar_title, sidebar, page_number
    text: str


def _break_lines(text: str, font_key: FontKey, size_px: float, width_px: float, *, indent: int) -> list[str]:
    """Chinese line breaking by width, one character at a time; a mark that may not start a
    line (避头尾: ，。、；：？！）》」” ...) stays at the end of the line before, past the measure."""
    font = load_font(font_key, size_px)
    lines, current = [], "\u3000" * indent
    for character in text:
        too_long = font.getlength(current + character) > width_px
        if too_long and current.strip() and character not in LINE_START_FORBIDDEN:
            lines.append(current)
            current = ""
        current += character
    if current:
        lines.append(current)
    return lines


def typeset(
    articles: Sequence[Mapping[str, Any]], *, heading: str, dpi: int, layout: ColumnLayout
) -> tuple[Image.Image, list[Block]]:
    """The clean page image and its blocks in reading order."""
    px = dpi / PT_PER_INCH
    image = Image.new("L", (round(layout.width * px), round(layout.height * px)), 255)
    draw = ImageDraw.Draw(image)
    blocks: list[Block] = []
    body_px, title_px, head_px = layout.body_size * px, layout.title_size * px, layout.head_size * px
    pitch = layout.leading * body_px
    left, right = layout.margin * px, (layout.width - layout.margin) * px
    top = layout.margin * px

    head_font = load_font("song", head_px)
    draw.text((left, top), heading, font=head_font, fill=0)
    blocks.append(Block("running_head", heading))
    y = top + 2.5 * head_px

    # The body runs on through the following articles' paragraphs until the page is full.
    main, side = articles[0], articles[1]
    body = [str(p) for article in [main, *articles[2:]] for p in article["paragraphs"]]
    title = str(main["title"])
    title_font = load_font("hei", title_px)
    draw.text(((left + right - title_font.getlength(title)) / 2, y), title, font=title_font, fill=0)
    blocks.append(Block("title", title))
    y += 2.5 * title_px

    column_width = (right - left - layout.column_gap * px) / 2
    columns = [left, left + column_width + layout.column_gap * px]
    bottom = (layout.height - layout.margin) * px - 2 * body_px
    sidebar_top = bottom - layout.sidebar_share * (bottom - y)
    limits = [bottom, sidebar_top - body_px]

    body_font = load_font("song", body_px)
    column, line_y, full = 0, y, False
    for paragraph in body:
        printed = []
        for line in _break_lines(str(paragraph), "song", body_px, column_width, indent=2):
            if line_y + body_px > limits[column]:
                if column == 1:
                    full = True  # the rest of the article is not on this page
                    break
                column, line_y = 1, y
            draw.text((columns[column], line_y), line, font=body_font, fill=0)
            printed.append(line)
            line_y += pitch
        if printed:
            blocks.append(Block("body", "".join(printed).replace("\u3000", "")))
        if full:
            break

    # The sidebar: a frame of rules at the foot of the right column, in kai.
    frame_left, frame_right = columns[1] - 0.5 * body_px, right + 0.5 * body_px
    draw.rectangle(
        (frame_left, sidebar_top, frame_right, bottom + 0.5 * body_px),
        outline=0,
        width=max(1, round(px * 0.8)),
    )
    side_title = str(side["title"])
    side_title_font = load_font("hei", body_px)
    line_y = sidebar_top + body_px
    draw.text((columns[1], line_y), side_title, font=side_title_font, fill=0)
    blocks.append(Block("sidebar_title", side_title))
    line_y += pitch
    side_font = load_font("kai", body_px)
    for paragraph in side["paragraphs"]:
        lines = _break_lines(str(paragraph), "kai", body_px, column_width - body_px, indent=2)
        kept = []
        for line in lines:
            if line_y + body_px > bottom:
                break
            draw.text((columns[1], line_y), line, font=side_font, fill=0)
            kept.append(line)
            line_y += pitch
        if kept:
            blocks.append(Block("sidebar", "".join(kept).replace("\u3000", "")))
        if len(kept) < len(lines):
            break

    number = "3"
    draw.text(
        ((left + right - body_font.getlength(number)) / 2, (layout.height - layout.margin) * px),
        number,
        font=body_font,
        fill=0,
    )
    blocks.append(Block("page_number", number))
    return image, blocks


def column_scan(
    raw_dir: Path, *, dpi: int = 200, layout: ColumnLayout | None = None, seed: int = RANDOM_SEED
) -> tuple[bytes, dict[str, object]]:
    """The PDF bytes of the scanned column page and its golden, from the digest in ``raw_dir``."""
    golden = json.loads((raw_dir / "digest-2014-07-28.golden.json").read_text(encoding="utf-8"))
    articles = [a for a in golden["articles"] if len(a["paragraphs"]) >= 2]
    heading = f"{golden['doc_title']} {golden['issue_label']}"
    clean, blocks = typeset(articles, heading=heading, dpi=dpi, layout=layout or ColumnLayout())
    parameters = scan_parameters(1, seed=seed, dpi=dpi)
    image = degrade(clean, parameters, physical_page=1, seed=seed, gutter=False)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=parameters.jpeg_quality, dpi=(dpi, dpi))
    scan = ScannedPage(buffer.getvalue(), dpi, image.size, parameters)
    pdf = write_image_pdf([scan], title=heading)
    return pdf, {
        "source_file": f"{COLUMN_SCAN_STEM}.pdf",
        "scan_dpi": {"1": dpi},
        "reading_order": [{"role": block.role, "text": block.text} for block in blocks],
    }


def build_column_scan(raw_dir: Path, out_dir: Path, **options: object) -> list[Path]:
    """Write the column scan and its golden JSON into ``out_dir``; return the paths."""
    pdf, golden = column_scan(raw_dir, **options)  # type: ignore[arg-type]
    pdf_path = out_dir / f"{COLUMN_SCAN_STEM}.pdf"
    golden_path = out_dir / f"{COLUMN_SCAN_STEM}.golden.json"
    pdf_path.write_bytes(pdf)
    golden_path.write_text(json.dumps(golden, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [pdf_path, golden_path]
