"""docpipe.extract.hybrid against real Tesseract and the real PP-OCR model (no mocks).

Pages and lines are drawn with the fixture renderer in AR PL UMing at 200 dpi and
thresholded like a bilevel scan, as in test_ocr.py, whose helpers these tests reuse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFont

from cleaners.records import Line, Page
from docpipe.extract.hybrid import (
    HybridEngine,
    agreement,
    cell_windows,
    fix_paddle_confusions,
    recognize,
    restore_dropped_characters,
    restore_punctuation,
    text_bands,
)
from docpipe.extract.ocr import TesseractEngine, engine_for, ocr_page
from docpipe.settings import DEFAULT_SETTINGS
from tests.docpipe.test_ocr import (
    DRAWN_TEXT,
    PAGE_SIZE,
    SCAN_DPI,
    bilevel,
    drawn_lines,
    image_only_pdf,
)
from tests.fixtures.ocr.render_fixtures import SERIF_FONT, SERIF_FONT_INDEX, draw_lines, placed_line

HYBRID = DEFAULT_SETTINGS.with_overrides(ocr_engine="hybrid")
ROW_SIZE = 10.5  # points


def rendered_line(text: str, *, size: float = ROW_SIZE) -> np.ndarray:
    """One line drawn at 200 dpi, thresholded like a scan, cut to its ink with a small margin."""
    font = ImageFont.truetype(str(SERIF_FONT), 1000, index=SERIF_FONT_INDEX)
    line = placed_line(text, "body", 10.0, 10.0, size, 0.0, font)
    image = bilevel(draw_lines([line], dpi=SCAN_DPI, page_size=(line.x1 + 20, 40.0))).convert("L")
    return crop_to_ink(np.asarray(image))


def rendered_row(cells: list[tuple[str, float]]) -> np.ndarray:
    """A table row without rules: each cell's text starting at its x (points), one baseline."""
    font = ImageFont.truetype(str(SERIF_FONT), 1000, index=SERIF_FONT_INDEX)
    lines = [placed_line(text, "body", x0, 10.0, ROW_SIZE, 0.0, font) for text, x0 in cells]
    image = bilevel(draw_lines(lines, dpi=SCAN_DPI, page_size=(lines[-1].x1 + 20, 40.0))).convert("L")
    return crop_to_ink(np.asarray(image))


def crop_to_ink(gray: np.ndarray, *, margin: int = 4) -> np.ndarray:
    rows, columns = np.nonzero(gray < 128)
    return gray[
        max(rows.min() - margin, 0) : rows.max() + 1 + margin,
        max(columns.min() - margin, 0) : columns.max() + 1 + margin,
    ]


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    image = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    return image_only_pdf(image, tmp_path_factory.mktemp("hybrid") / "scan.pdf", dpi=SCAN_DPI)


@pytest.fixture(scope="module")
def pages(scan: Path) -> dict[str, Page]:
    """The test page read by both engines with the default languages (chi_sim alone)."""
    return {
        name: ocr_page(scan, 1, settings=DEFAULT_SETTINGS.with_overrides(ocr_engine=name))
        for name in ("tesseract", "hybrid")
    }


# --- the engine on a scanned page -----------------------------------------------------------


@pytest.mark.slow
def test_hybrid_reads_every_line_in_reading_order(pages: dict[str, Page]) -> None:
    # chi_sim alone reads "IBNM SNM2" on this page; PP-OCR reads Latin and digits itself.
    *body, footer = [line.text for line in pages["hybrid"].lines]
    assert body == [text for text, *_ in DRAWN_TEXT[:-1]]
    # The bilevel render of this 9-pt "15" breaks the foot of the 5 off into a dot of its
    # own, which PP-OCRv6 reads as a decimal point: the digits stand.
    assert footer.replace(".", "") == DRAWN_TEXT[-1][0]


@pytest.mark.slow
def test_hybrid_keeps_tesseracts_lines_and_boxes(pages: dict[str, Page]) -> None:
    tesseract, hybrid_page = pages["tesseract"], pages["hybrid"]
    assert len(hybrid_page.lines) == len(tesseract.lines)
    for ours, theirs in zip(hybrid_page.lines, tesseract.lines, strict=True):
        assert (ours.x0, ours.top, ours.x1, ours.bottom, ours.size) == (
            theirs.x0,
            theirs.top,
            theirs.x1,
            theirs.bottom,
            theirs.size,
        )


@pytest.mark.slow
def test_the_page_records_the_hybrid_engine_and_its_confidence(pages: dict[str, Page]) -> None:
    page = pages["hybrid"]
    assert (page.method, page.engine, page.status, page.error) == ("ocr", "hybrid", "ok", None)
    assert page.confidence is not None and DEFAULT_SETTINGS.confidence_floor <= page.confidence <= 100
    assert all(line.confidence is not None and 0 <= line.confidence <= 100 for line in page.lines)
    assert pages["tesseract"].engine == "tesseract"


# --- the recognizer on line crops -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "IBM SM2 2014年",
        "大数据引发了人类思维方式和社会发展的深刻变化。",
        "我国多个省、市制定了促进本地大数据发展行动计划",  # 、 comes back as 、, not 丶
    ],
)
def test_a_line_crop_is_read_as_drawn(text: str) -> None:
    [(read, score)] = recognize([rendered_line(text)])
    assert read == text
    assert 0.9 <= score <= 1.0


@pytest.mark.slow
def test_a_table_row_is_read_cell_by_cell() -> None:
    row = rendered_row(
        [("1", 10.0), ("重庆市", 40.0), ("重庆市大数据行动计划", 110.0), ("2013.08.05", 260.0)]
    )
    ink = row < 128
    boundaries = [round(x * SCAN_DPI / 72) for x in (30.0, 100.0, 250.0)]  # in the column gaps
    cells = [row[:, cell] for cell in cell_windows(ink, boundaries, pad=3)]
    assert [text for text, _ in recognize(cells)] == ["1", "重庆市", "重庆市大数据行动计划", "2013.08.05"]


def test_a_cell_wrapped_onto_two_lines_is_cut_into_its_lines() -> None:
    first, second = rendered_line("安徽省运用大数据加强对"), rendered_line("监管实施方案的通知")
    width = max(first.shape[1], second.shape[1])
    paper = np.full((first.shape[0] // 2, width), 255, dtype=np.uint8)
    cell = np.vstack(
        [
            np.pad(part, ((0, 0), (0, width - part.shape[1])), constant_values=255)
            for part in (first, paper, second)
        ]
    )
    em = ROW_SIZE * SCAN_DPI / 72
    bands = text_bands(cell < 128, em=em, pad=3)
    assert len(bands) == 2
    assert [text for text, _ in recognize([cell[band] for band in bands])] == [
        "安徽省运用大数据加强对",
        "监管实施方案的通知",
    ]
    # One line, however tall the crop around it: one band, trimmed to the ink.
    tall = np.pad(first, ((40, 40), (0, 0)), constant_values=255)
    [band] = text_bands(tall < 128, em=em, pad=3)
    assert band.stop - band.start <= first.shape[0] + 6


@pytest.mark.parametrize(
    ("paddle", "tesseract", "merged"),
    [
        # Real disagreements on the scanned book: PP-OCR drops 、 and misshapes 。
        ("表了数据挖掘比对与分析的", "表了数据挖掘、比对与分析的", "表了数据挖掘、比对与分析的"),
        ("整合和关联应用·推动公共数据", "整合和关联应用。推动公共数据", "整合和关联应用。推动公共数据"),
        ("的一致性和准确性°2017年底前", "的一致性和准确性。2017年底前", "的一致性和准确性。2017年底前"),
        # Where Tesseract is the one that is wrong, PP-OCR's characters stand.
        ("但囿于既有的数", "但辕于既有的数", "但囿于既有的数"),
        ("划（2013－2015年）", "划(2013一2015年)", "划（2013－2015年）"),
        ("微博、微信运用", "微博、征信运用", "微博、微信运用"),
        # PP-OCR runs Latin words together; Tesseract's space between them is kept.
        ("据”（bigdata）引发", "据”（big data）引发", "据”（big data）引发"),
        ("顾问JohnPodesta在白宫", "顾问John Podest在白宫", "顾问John Podesta在白宫"),
        ("大数据运用", "大 数据运用", "大数据运用"),  # a space in Chinese is not
        # Readings that agree stay as they are, cell tabs included.
        ("1\t重庆市\t2013.08.05", "1\t重庆市\t2013.08.05", "1\t重庆市\t2013.08.05"),
    ],
)
def test_restore_punctuation(paddle: str, tesseract: str, merged: str) -> None:
    assert restore_punctuation(paddle, tesseract) == merged


def test_agreement_measures_how_alike_two_readings_are() -> None:
    assert agreement("序言", "序言") == 1.0
    assert agreement("iii", "人这和") == 0.0
    assert 0.8 < agreement("破现存体制机制羁绊以提升公共管理", "破现存体制机制蜡绊以提升公共管理") < 1.0


def test_paddle_confusions_are_fixed_and_everything_else_left() -> None:
    assert fix_paddle_confusions("省丶市") == "省、市"
    assert fix_paddle_confusions("IBM SM2 2014年，、") == "IBM SM2 2014年，、"


# --- the engine's configuration (loading the models: test_ppocr.py) -----------------------


def test_the_engine_is_chosen_by_name() -> None:
    engine = engine_for(HYBRID)
    assert isinstance(engine, HybridEngine)
    assert engine.name == "hybrid"
    assert engine.threads == 1
    assert engine.tesseract == TesseractEngine.from_settings(HYBRID)
    assert engine.model == HYBRID.ocr_model


def test_a_blank_scan_is_blank_for_the_hybrid_engine(tmp_path: Path) -> None:
    white = Image.new("1", (400, 300), 1)
    page = ocr_page(image_only_pdf(white, tmp_path / "blank.pdf", dpi=SCAN_DPI), 1, settings=HYBRID)
    assert (page.status, page.lines, page.confidence, page.engine) == ("blank", (), None, "hybrid")


# --- characters PP-OCR dropped, put back from Tesseract's reading -----------------------------

ADVANCE = 11.0  # points per character: the em of the grid
LEFT = 100.0


def grid_line(text: str, *, chars: float, indent: int = 0, top: float = 0.0) -> Line:
    """A line of the page whose ink runs ``chars`` ems from its start (2 ems in if indented)."""
    x0 = LEFT + indent * ADVANCE
    return Line(text, 7, x0, top, x0 + chars * ADVANCE - 0.3, top + 10.0, 10.0, confidence=90.0)


# A page of a traditional-character article set 28 characters to the line.
FULL_LINES = [
    "事司法的互補優勢和資源共享，整合執法資源，強化法律監督，",
    "形成打擊合力，實現依法行政、公正執法，保障社會主義建設事",
    "覆蓋省、市、縣三級。全省各級檢察機關、紀檢監察機關、公安",
]


@pytest.mark.parametrize(
    ("paddle", "tesseract", "chars", "indent", "restored"),
    [
        # Recorded: PP-OCR dropped 檢 關 檢 監 from a full line; Tesseract read 检 关 检 鉴.
        (
            "覆蓋省、市、縣三級。全省各級察機、紀察機關、公安",
            "徐蕾省、市、县三级。全省各级检察机关、纪检鉴察机关、公安",
            28,
            0,
            "覆蓋省、市、縣三級。全省各級检察機关、紀检鉴察機關、公安",
        ),
        # An indented first line holds two characters fewer: 設 and 揮 were dropped.
        (
            "“兩法銜接”工作機制的建，有利於充分發行政執法與刑",
            '“两法衔接"工作机制的建设，有利讼充分发挥行政执法与刑',
            26,
            2,
            "“兩法銜接”工作機制的建设，有利於充分發挥行政執法與刑",
        ),
        # A last 。 ends its ink early, and two squeezed marks make room for a 29th character.
        (
            "會，宣布該省行政執法和刑事司法銜接信息共享平臺正式動。",
            "会议，宣伤该省行政执法和刑事司法衔接信息共享平台正式交动。",
            27.4,
            0,
            "會议，宣布該省行政執法和刑事司法銜接信息共享平臺正式交動。",
        ),
        # Left alone: PP-OCR read the whole line, Tesseract added a character (和) of noise.
        (
            "歧视性结果，并在住房、就业、信贷和消费者市场损害公民",
            "歧视性结果，并在住房、就业、信和贷和消费者市场损害公民",
            26,
            0,
            "歧视性结果，并在住房、就业、信贷和消费者市场损害公民",
        ),
        # Left alone: a line that ends short of the column (the last of a paragraph).
        ("聯通。", "联互通。", 4, 0, "聯通。"),
        # Left alone: digits, whose widths do not follow the grid.
        (
            "據悉，該平毫於2013年12月底建成，依政府電子政務，",
            "据悉，该平台讼2013年12月底建成，依旗政府电子政务网，",
            27.6,
            0,
            "據悉，該平毫於2013年12月底建成，依政府電子政務，",
        ),
    ],
)
def test_restore_dropped_characters(
    paddle: str, tesseract: str, chars: float, indent: int, restored: str
) -> None:
    page = [grid_line(text, chars=28, top=20.0 * n) for n, text in enumerate(FULL_LINES)]
    ours, theirs = (
        grid_line(paddle, chars=chars, indent=indent, top=100.0),
        grid_line(tesseract, chars=chars, indent=indent, top=100.0),
    )
    assert restore_dropped_characters([*page, theirs], [*page, ours])[-1].text == restored


def test_no_grid_no_restoring() -> None:
    # Two full lines agree on nothing: fewer than MIN_GRID_LINES.
    page = [
        grid_line(FULL_LINES[0], chars=28),
        grid_line("覆蓋省、市、縣三級。全省各級察機", chars=28, top=20.0),
    ]
    tesseract = [page[0], grid_line("覆盖省、市、县三级。全省各级检察机关", chars=28, top=20.0)]
    assert restore_dropped_characters(tesseract, page) == page
