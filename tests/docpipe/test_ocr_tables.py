"""Ruled tables through docpipe.extract.ocr and .tables: rules painted out, rows found
from the rules, each cell read on its own, cells joined by tabs.

The table is drawn with PIL in AR PL UMing at 10.5 pt on a 200-dpi page, with one-pixel
rules slightly skewed, as a scanned book's tables arrive, and read by real Tesseract.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from docpipe.extract.hybrid import agreement
from docpipe.extract.ocr import check_tesseract, engine_for, ocr_page_lines
from docpipe.extract.tables import RULE_MIN_LENGTH_PT, TableRow, ink_threshold, remove_rules, table_rows
from docpipe.settings import DEFAULT_SETTINGS

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
NOISE_SIGMAS = DEFAULT_SETTINGS.ocr_paper_noise_sigmas


def _skewed_hline(draw: ImageDraw.ImageDraw, x0: int, x1: int, y: int) -> None:
    """A one-pixel rule that drops a pixel every 150: the skew of a scan."""
    for x in range(x0, x1 + 1):
        draw.point((x, y + (x - x0) // 150), fill=INK)


def _skewed_vline(draw: ImageDraw.ImageDraw, x: int, y0: int, y1: int) -> None:
    for y in range(y0, y1 + 1):
        draw.point((x - (y - y0) // 150, y), fill=INK)


def ruled_table(
    rows: Sequence[Sequence[str]] = ROWS,
    column_widths: Sequence[int] = COLUMN_WIDTHS,
    *,
    outer_borders: bool = True,
    align: str = "centre",
) -> Image.Image:
    """A ruled table on a page; a cell's text may hold line breaks (a wrapped cell).

    Each row is as high as its tallest cell; short cells are centred vertically, as
    book tables set them.  ``outer_borders=False`` leaves out the left and right borders.
    """
    font = ImageFont.truetype(str(FONT), FONT_PX)
    pitch = round(1.5 * FONT_PX)
    heights = [
        max(ROW_HEIGHT, ROW_HEIGHT - pitch + pitch * max(c.count("\n") + 1 for c in row)) for row in rows
    ]
    width = ORIGIN[0] * 2 + sum(column_widths)
    height = ORIGIN[1] * 2 + sum(heights)
    image = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    left, top = ORIGIN
    right, bottom = left + sum(column_widths), top + sum(heights)
    tops = [top + sum(heights[:row]) for row in range(len(rows) + 1)]
    for y in tops:
        _skewed_hline(draw, left, right, y)
    xs = [left + sum(column_widths[:column]) for column in range(len(column_widths) + 1)]
    for x in xs if outer_borders else xs[1:-1]:
        _skewed_vline(draw, x, top, bottom)
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            lines = text.split("\n")
            y = tops[row] + (heights[row] - pitch * (len(lines) - 1) - FONT_PX) / 2
            for index, line in enumerate(lines):
                if align == "centre":
                    x = xs[column] + (column_widths[column] - draw.textlength(line, font=font)) / 2
                else:
                    x = xs[column] + FONT_PX // 2
                draw.text((x, y + index * pitch), line, font=font, fill=INK)
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
    cleaned = np.asarray(remove_rules(image, min_length=MIN_LENGTH, noise_sigmas=NOISE_SIGMAS))
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
    assert remove_rules(image, min_length=MIN_LENGTH, noise_sigmas=NOISE_SIGMAS) is image


# --- rows of a ruled table, found from its rules ----------------------------------------------


def _masks(height: int = 100, width: int = 200) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((height, width), dtype=bool), np.zeros((height, width), dtype=bool)


def _cells(rows: list[TableRow]) -> list[list[tuple[int, int, int, int]]]:
    return [[(c.left, c.top, c.right, c.bottom) for c in row.cells] for row in rows]


def test_a_grid_gives_its_rows_and_cells_inside_the_rules() -> None:
    horizontal, vertical = _masks()
    horizontal[[10, 40, 90], 10:190] = True
    vertical[10:91, [10, 60, 189]] = True
    assert _cells(table_rows(horizontal, vertical)) == [
        [(11, 11, 60, 40), (61, 11, 189, 40)],
        [(11, 41, 60, 90), (61, 41, 189, 90)],
    ]


def test_a_table_without_outer_borders_runs_to_the_ends_of_its_rules() -> None:
    horizontal, vertical = _masks()
    horizontal[[10, 40], 10:190] = True
    vertical[10:41, 100] = True
    assert _cells(table_rows(horizontal, vertical)) == [[(10, 11, 100, 40), (101, 11, 190, 40)]]


def test_a_skewed_rule_bounds_each_cell_where_it_runs_past_it() -> None:
    horizontal, vertical = _masks()
    for x in range(10, 190):
        horizontal[10 + x // 60, x] = True  # drops a pixel every 60 columns
        horizontal[50 + x // 60, x] = True
    vertical[10:54, 100] = True
    [row] = table_rows(horizontal, vertical)
    first, second = row.cells
    assert (first.top, second.top) == (12, 14)
    assert (first.bottom, second.bottom) == (50, 51)


@pytest.mark.parametrize(
    "layout",
    ["three-line table: no vertical rules", "a rule under a running head", "a double rule", "nothing"],
)
def test_no_rows_without_a_rule_between_columns(layout: str) -> None:
    horizontal, vertical = _masks()
    if layout.startswith("three-line"):
        horizontal[[10, 20, 90], 10:190] = True
    elif layout.startswith("a rule under"):
        horizontal[8, 10:190] = True
    elif layout.startswith("a double rule"):
        horizontal[[10, 13], 10:190] = True
        vertical[10:14, 100] = True
    assert table_rows(horizontal, vertical) == []


# --- wrapped cells, read by both engines on two table layouts ---------------------------------

#: Two layouts: a fully ruled table with centred cells, and one without outer borders,
#: with left-aligned cells and other column widths.  Each has a cell wrapped onto lines.
WRAPPED_TABLES = {
    "boxed, centred": (
        (
            ("序号", "省份", "政策文件名称", "颁布时间"),
            ("1", "重庆市", "重庆市大数据行动计划", "2013.08.05"),
            ("2", "贵州省", "关于加快大数据产业\n发展应用若干政策的\n意见", "2014.02.25"),
        ),
        (90, 140, 330, 220),
        {"outer_borders": True, "align": "centre"},
    ),
    "open sides, left-aligned": (
        (
            ("4", "安徽省", "安徽省运用大数据加强对市场\n主体服务和监管实施方案的通知", "2015.10.20"),
            ("5", "浙江省", "浙江省促进大数据发展实施计划", "2016.03.10"),
        ),
        (70, 150, 420, 230),
        {"outer_borders": False, "align": "left"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["tesseract", "hybrid", "ppocr"])
@pytest.mark.parametrize("layout", list(WRAPPED_TABLES))
def test_a_row_with_a_wrapped_cell_comes_back_as_one_line(
    tesseract: None, engine_name: str, layout: str
) -> None:
    rows, widths, style = WRAPPED_TABLES[layout]
    engine = engine_for(DEFAULT_SETTINGS.with_overrides(ocr_engine=engine_name))
    lines, _ = engine.read_lines(ruled_table(rows, widths, **style), page_number=1, scale=72 / DPI)
    expected = [[cell.replace("\n", "") for cell in row] for row in rows]
    read = [line.text.split("\t") for line in lines]
    assert [len(cells) for cells in read] == [len(cells) for cells in expected]
    assert all(len(line.cells) == len(widths) - 1 for line in lines)
    if engine_name in ("hybrid", "ppocr"):
        assert read == expected
    else:
        # chi_sim misreads a character here and there (若干 -> 铸干); the structure is
        # what is tested: each cell whole, its wrapped lines joined in order.
        for got, want in zip(read, expected, strict=True):
            for got_cell, want_cell in zip(got, want, strict=True):
                assert agreement(got_cell, want_cell) >= 0.9, (got_cell, want_cell)


# --- where ink begins: the paper's noise is never ink, whatever the share of ink -------------


def _noisy_paper(rng: np.random.Generator, *, paper: float = 240, noise: float = 1.5) -> np.ndarray:
    return np.clip(rng.normal(paper, noise, (400, 400)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    ("inked_rows", "noise", "lowest", "highest"),
    [
        (2, 1.5, 100, 160),  # one stroke, 0.5 % of the page: its ink, not the 1st percentile (paper)
        (6, 1.5, 100, 160),  # three strokes, 1.5 %
        (6, 4.0, 100, 160),  # a noisier paper
        (40, 1.5, 100, 160),  # 10 %: a page of text, the 1st percentile as before (unchanged)
        (0, 1.5, 200, 235),  # no ink: under the noise, so that nothing is found
        (0, 4.0, 200, 230),
    ],
)
def test_ink_threshold_lies_between_the_ink_and_the_papers_noise(
    inked_rows: int, noise: float, lowest: float, highest: float
) -> None:
    rng = np.random.default_rng(inked_rows)
    page = _noisy_paper(rng, noise=noise)
    page[100 : 100 + inked_rows, :] = 40
    threshold = ink_threshold(page, noise_sigmas=DEFAULT_SETTINGS.ocr_paper_noise_sigmas)
    assert lowest <= threshold <= highest
    paper = page[200:]
    assert not (paper < threshold).any()  # not one speck of the paper is ink


def test_ink_threshold_of_a_page_of_text_is_unchanged() -> None:
    page = _noisy_paper(np.random.default_rng(1))
    page[::10, :] = 30  # 10 % ink
    expected = (int(np.median(page)) + int(np.percentile(page, 1))) / 2
    assert ink_threshold(page, noise_sigmas=DEFAULT_SETTINGS.ocr_paper_noise_sigmas) == expected
