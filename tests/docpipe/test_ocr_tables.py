"""Ruled tables through docpipe.extract.ocr: rules painted out, cells joined by tabs.

The table is drawn with PIL in AR PL UMing at 10.5 pt on a 200-dpi page, with one-pixel
rules slightly skewed, as a scanned book's tables arrive, and read by real Tesseract.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from docpipe.extract.ocr import RULE_MIN_LENGTH_PT, check_tesseract, ocr_page_lines, remove_rules

FONT = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
DPI = 200
FONT_PX = round(10.5 * DPI / 72)
PAPER = 230
INK = 20
ROWS = (
    ("序号", "省份", "颁布时间"),
    ("1", "重庆市", "2013.08.05"),
    ("2", "浙江省", "2016.03.10"),
)
COLUMN_WIDTHS = (110, 190, 260)  # pixels: cells 1.5-2 em apart, closer than a tab gap
ROW_HEIGHT = 60
ORIGIN = (60, 60)
MIN_LENGTH = round(RULE_MIN_LENGTH_PT * DPI / 72)


def _skewed_hline(draw: ImageDraw.ImageDraw, x0: int, x1: int, y: int) -> None:
    """A one-pixel rule that drops a pixel every 150: the skew of a scan."""
    for x in range(x0, x1 + 1):
        draw.point((x, y + (x - x0) // 150), fill=INK)


def _skewed_vline(draw: ImageDraw.ImageDraw, x: int, y0: int, y1: int) -> None:
    for y in range(y0, y1 + 1):
        draw.point((x - (y - y0) // 150, y), fill=INK)


def ruled_table() -> Image.Image:
    font = ImageFont.truetype(str(FONT), FONT_PX)
    width = ORIGIN[0] * 2 + sum(COLUMN_WIDTHS)
    height = ORIGIN[1] * 2 + ROW_HEIGHT * len(ROWS)
    image = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    left, top = ORIGIN
    right, bottom = left + sum(COLUMN_WIDTHS), top + ROW_HEIGHT * len(ROWS)
    for row in range(len(ROWS) + 1):
        _skewed_hline(draw, left, right, top + row * ROW_HEIGHT)
    xs = [left + sum(COLUMN_WIDTHS[:column]) for column in range(len(COLUMN_WIDTHS) + 1)]
    for x in xs:
        _skewed_vline(draw, x, top, bottom)
    for row, cells in enumerate(ROWS):
        for column, text in enumerate(cells):
            # Centred in the cell, as book tables set short cells.
            text_width = draw.textlength(text, font=font)
            x = xs[column] + (COLUMN_WIDTHS[column] - text_width) / 2
            y = top + row * ROW_HEIGHT + (ROW_HEIGHT - FONT_PX) / 2
            draw.text((x, y), text, font=font, fill=INK)
    return image


@pytest.fixture(scope="module")
def tesseract() -> None:
    if not FONT.exists():
        pytest.skip(f"font {FONT} is not installed")
    try:
        check_tesseract()
    except Exception as error:  # TesseractMissing: no binary or no chi_sim data
        pytest.skip(str(error))


def test_ruled_table_rows_come_back_one_line_each_with_tabs(tesseract: None) -> None:
    lines, _ = ocr_page_lines(ruled_table(), page_number=1, scale=72 / DPI)
    assert len(lines) == len(ROWS)
    for line, cells in zip(lines, ROWS, strict=True):
        read = line.text.split("\t")
        assert len(read) == len(cells), line.text
        # chi_sim may read a stray character into a blank cell margin; the cell's text is there.
        assert all(cell in got for cell, got in zip(cells, read, strict=True)), line.text


def test_remove_rules_paints_rules_and_keeps_a_stroke_of_yi() -> None:
    if not FONT.exists():
        pytest.skip(f"font {FONT} is not installed")
    image = Image.new("L", (600, 300), PAPER)
    draw = ImageDraw.Draw(image)
    _skewed_hline(draw, 20, 580, 40)  # 560 px: a rule
    draw.rectangle((20, 250, 580, 251), fill=INK)  # a two-pixel rule, straight
    _skewed_vline(draw, 300, 30, 280)  # 250 px: a rule
    draw.text((80, 120), "一二十", font=ImageFont.truetype(str(FONT), 2 * FONT_PX), fill=INK)
    cleaned = np.asarray(remove_rules(image, min_length=MIN_LENGTH))
    before = np.asarray(image)
    # Rules gone: no ink left on their rows and column.
    assert cleaned[38:47, 20:581].min() > 128
    assert cleaned[248:254, 20:581].min() > 128
    assert cleaned[30:281, 296:303].min() > 128
    # The characters untouched, the long stroke of 一 included.
    text = (slice(100, 200), slice(60, 290))
    assert (before[text] < 128).sum() > 100
    assert np.array_equal(cleaned[text], before[text])


def test_remove_rules_leaves_an_image_without_rules_as_it_is() -> None:
    image = Image.new("L", (200, 100), PAPER)
    ImageDraw.Draw(image).rectangle((20, 40, 80, 42), fill=INK)  # 60 px: shorter than a rule
    assert remove_rules(image, min_length=MIN_LENGTH) is image
