"""docpipe.extract.ocr against real Tesseract on small rendered pages (no mocks).

The page under test is drawn with the fixture renderer (tests/fixtures/ocr/render_fixtures.py),
so where each line's ink lies is known, then saved as a bilevel image-only PDF at 200 dpi,
the way scanned books arrive, and read by :func:`ocr_page`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytesseract
import pytest
from PIL import Image, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from cleaners.records import Page
from docpipe.extract import tables
from docpipe.extract.engines import ENGINES, engine_for
from docpipe.extract.hybrid import HybridEngine
from docpipe.extract.ocr import ocr_page, page_image
from docpipe.extract.tesseract import (
    TesseractEngine,
    TesseractMissing,
    _Word,
    check_tesseract,
    glyph_height,
    join_words,
    lines_from_tesseract_data,
    ocr_page_lines,
)
from docpipe.settings import DEFAULT_SETTINGS
from tests.fixtures.ocr.render_fixtures import (
    SERIF_FONT,
    SERIF_FONT_INDEX,
    DrawnLine,
    draw_lines,
    placed_line,
)

#: This module tests the tesseract engine; the default (ppocr) has tests/docpipe/test_ppocr.py.
TESSERACT = DEFAULT_SETTINGS.with_overrides(ocr_engine="tesseract")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocr"
SCAN_DPI = 200
PAGE_SIZE = (300.0, 240.0)  # points
#: Tesseract's line box may differ from the ink box by a pixel or two, plus rounding.
BOX_TOLERANCE_PT = 2.0
#: Pixels darker than this are ink.
INK_LEVEL = 128
#: chi_sim reads these lines, rendered clean at 200 dpi, without an error.
DRAWN_TEXT = (
    ("电子政务信息汇编", "header", 9.0, 20.0),
    ("大数据引发了人类思维方式和社会发展的深刻变化。", "body", 10.5, 60.0),
    ("随着互联网、物联网和传感技术的飞速发展，", "body", 10.5, 80.0),
    ("IBM SM2 2014年", "body", 10.5, 100.0),
    ("15", "footer", 9.0, 212.0),
)


def drawn_lines() -> list[DrawnLine]:
    """The test page's lines: a centred running head, three body lines, a centred page number."""
    font = ImageFont.truetype(str(SERIF_FONT), 1000, index=SERIF_FONT_INDEX)
    lines = []
    for text, role, size, top in DRAWN_TEXT:
        width = font.getlength(text) * size / font.size
        x0 = (PAGE_SIZE[0] - width) / 2 if role != "body" else 40.0
        lines.append(placed_line(text, role, x0, top, size, 0.0, font))
    return lines


def bilevel(image: Image.Image) -> Image.Image:
    """Threshold without dithering, as a scanner's bilevel mode does."""
    return image.point(lambda value: 255 if value >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def image_only_pdf(image: Image.Image, path: Path, *, dpi: int) -> Path:
    """A one-page PDF that is nothing but ``image`` covering the page, like a scanner's output."""
    image.save(path, "PDF", resolution=dpi)
    return path


def ink_boxes(image: Image.Image, lines: list[DrawnLine], *, dpi: int) -> list[InkBox]:
    """Where each drawn line's ink actually is, in points, measured on the image."""
    ink = np.asarray(image.convert("L")) < INK_LEVEL
    points_per_pixel = 72 / dpi
    boxes = []
    for line in lines:
        band_top = int((line.top - line.size / 2) / points_per_pixel)
        band_bottom = int((line.bottom + line.size / 2) / points_per_pixel)
        rows, columns = np.nonzero(ink[band_top:band_bottom])
        boxes.append(
            InkBox(
                x0=columns.min() * points_per_pixel,
                top=(band_top + rows.min()) * points_per_pixel,
                x1=(columns.max() + 1) * points_per_pixel,
                bottom=(band_top + rows.max() + 1) * points_per_pixel,
            )
        )
    return boxes


@dataclass(frozen=True)
class InkBox:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class ScannedPage:
    page: Page
    drawn: list[DrawnLine]
    ink: list[InkBox]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> ScannedPage:
    lines = drawn_lines()
    image = bilevel(draw_lines(lines, dpi=SCAN_DPI, page_size=PAGE_SIZE))
    pdf_path = image_only_pdf(image, tmp_path_factory.mktemp("ocr") / "scan.pdf", dpi=SCAN_DPI)
    # This page mixes Latin words into Chinese (IBM SM2): read it with eng as well,
    # as a corpus with much Latin text would be configured; chi_sim alone reads IBNM SNM2.
    page = ocr_page(pdf_path, 1, settings=TESSERACT.with_overrides(ocr_languages="chi_sim+eng"))
    return ScannedPage(page, lines, ink_boxes(image, lines, dpi=SCAN_DPI))


# --- ocr_page on a scanned page -------------------------------------------------------------


@pytest.mark.slow
def test_every_line_comes_back_in_reading_order(scanned: ScannedPage) -> None:
    assert [line.text for line in scanned.page.lines] == [line.text for line in scanned.drawn]


@pytest.mark.slow
def test_chinese_is_joined_without_spaces_and_latin_words_with_one(scanned: ScannedPage) -> None:
    assert "大数据引发了人类思维方式和社会发展的深刻变化。" in scanned.page.raw_text.splitlines()
    assert "IBM SM2 2014年" in scanned.page.raw_text.splitlines()


@pytest.mark.slow
def test_line_boxes_are_in_points_where_the_ink_is(scanned: ScannedPage) -> None:
    for line, ink in zip(scanned.page.lines, scanned.ink, strict=True):
        for edge in ("x0", "top", "x1", "bottom"):
            assert getattr(line, edge) == pytest.approx(getattr(ink, edge), abs=BOX_TOLERANCE_PT), (
                line.text,
                edge,
            )
        assert line.page == 1


@pytest.mark.slow
def test_size_is_the_ink_height_of_chinese_characters(scanned: ScannedPage) -> None:
    body_line, font_size = scanned.page.lines[1], scanned.drawn[1].size
    # Song/Ming ideographs fill about 0.9 of the em.
    assert 0.8 * font_size <= body_line.size <= font_size


@pytest.mark.slow
def test_page_record_says_how_it_was_read(scanned: ScannedPage) -> None:
    page = scanned.page
    assert (page.number, page.method, page.engine, page.status, page.error) == (
        1,
        "ocr",
        "tesseract",
        "ok",
        None,
    )
    assert page.width == pytest.approx(PAGE_SIZE[0], abs=0.5)
    assert page.height == pytest.approx(PAGE_SIZE[1], abs=0.5)
    assert page.confidence is not None and DEFAULT_SETTINGS.confidence_floor <= page.confidence <= 100
    assert all(line.confidence is not None and 0 <= line.confidence <= 100 for line in page.lines)
    assert page.raw_text == page.text
    assert page.seconds > 0


@pytest.mark.slow
def test_a_page_under_the_confidence_floor_is_flagged(tmp_path: Path) -> None:
    image = bilevel(draw_lines(drawn_lines()[1:2], dpi=SCAN_DPI, page_size=PAGE_SIZE))
    pdf_path = image_only_pdf(image, tmp_path / "scan.pdf", dpi=SCAN_DPI)
    strict = TESSERACT.with_overrides(confidence_floor=100.0)
    page = ocr_page(pdf_path, 1, settings=strict)
    assert page.status == "low_confidence"
    assert page.lines


def test_a_blank_scan_is_blank(tmp_path: Path) -> None:
    white = Image.new("1", (400, 300), 1)
    page = ocr_page(image_only_pdf(white, tmp_path / "blank.pdf", dpi=SCAN_DPI), 1, settings=TESSERACT)
    assert (page.status, page.lines, page.confidence, page.raw_text) == ("blank", (), None, "")


def test_a_page_that_runs_out_of_time_raises_timeout_error() -> None:
    image = draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE)
    with pytest.raises(TimeoutError):
        ocr_page_lines(image, page_number=1, scale=72 / SCAN_DPI, timeout=0.01)


def test_the_engine_is_chosen_by_name() -> None:
    tesseract = TesseractEngine(
        languages=DEFAULT_SETTINGS.ocr_languages,
        margin_band=DEFAULT_SETTINGS.furniture_band,
        timeout=DEFAULT_SETTINGS.page_timeout,
    )
    assert engine_for(TESSERACT) == tesseract
    hybrid = DEFAULT_SETTINGS.with_overrides(ocr_engine="hybrid")
    assert engine_for(hybrid) == HybridEngine(tesseract=tesseract)
    assert engine_for(DEFAULT_SETTINGS).name == "ppocr"  # the default: benchmarks/ocr_engines.py
    # ocr_psm reaches Tesseract (it was accepted and ignored).
    assert engine_for(TESSERACT.with_overrides(ocr_psm=4)).psm == 4  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown OCR engine 'paddle'"):
        engine_for(DEFAULT_SETTINGS.with_overrides(ocr_engine="paddle"))


class _Measured(Exception):
    """Raised by the patched ink measurement, so that no engine goes on to read the page."""


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_the_runs_paper_noise_reaches_each_engines_ink_measurement(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Tesseract and hybrid engines measured ink with the default for a while, whatever
    # the run's settings said.
    received: list[float] = []

    def measured(gray: np.ndarray, *, noise_sigmas: float) -> float:
        received.append(noise_sigmas)
        raise _Measured

    monkeypatch.setattr(tables, "ink_threshold", measured)
    noise_sigmas = DEFAULT_SETTINGS.ocr_paper_noise_sigmas + 3.5
    settings = DEFAULT_SETTINGS.with_overrides(ocr_engine=engine, ocr_paper_noise_sigmas=noise_sigmas)
    with pytest.raises(_Measured):
        engine_for(settings).read_lines(Image.new("L", (40, 40), 255), page_number=1, scale=1.0)
    assert received == [noise_sigmas]


def test_tesseract_runs_one_thread_per_process() -> None:
    # Pages are OCR'd by parallel workers; OpenMP threads on top would oversubscribe the cores.
    assert os.environ["OMP_THREAD_LIMIT"] == "1"
    assert TesseractEngine().name == "tesseract"


# --- page_image -----------------------------------------------------------------------------


def test_an_embedded_scan_is_taken_at_its_own_pixels(tmp_path: Path) -> None:
    scan = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    pdf = pdfium.PdfDocument(image_only_pdf(scan, tmp_path / "scan.pdf", dpi=SCAN_DPI))
    try:
        image, dpi = page_image(pdf[0], dpi=300)
    finally:
        pdf.close()
    assert image.mode == "L"
    assert image.size == scan.size
    assert dpi == pytest.approx(SCAN_DPI)
    assert np.array_equal(np.asarray(image), np.asarray(scan.convert("L")))


def test_a_rotated_scan_is_rendered_at_its_own_resolution(tmp_path: Path) -> None:
    scan = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    pdf = pdfium.PdfDocument(image_only_pdf(scan, tmp_path / "scan.pdf", dpi=SCAN_DPI))
    try:
        pdf[0].set_rotation(90)
        image, dpi = page_image(pdf[0], dpi=300)
    finally:
        pdf.close()
    assert dpi == pytest.approx(SCAN_DPI)
    assert image.size == (scan.height, scan.width)
    assert np.array_equal(np.asarray(image), np.rot90(np.asarray(scan.convert("L")), -1))


def test_a_page_that_is_not_one_scan_is_rendered_at_the_requested_dpi(tmp_path: Path) -> None:
    scan = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    buffer = io.BytesIO()
    scan.save(buffer, "PNG")
    path = tmp_path / "figure.pdf"
    document = canvas.Canvas(str(path), pagesize=(2 * PAGE_SIZE[0], 2 * PAGE_SIZE[1]))
    document.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, *PAGE_SIZE)  # a quarter of the page
    document.save()
    pdf = pdfium.PdfDocument(path)
    try:
        image, dpi = page_image(pdf[0], dpi=100)
    finally:
        pdf.close()
    assert dpi == 100
    expected = (2 * PAGE_SIZE[0] * 100 / 72, 2 * PAGE_SIZE[1] * 100 / 72)
    assert image.size == pytest.approx(expected, abs=1)  # PDFium rounds the bitmap size up
    assert image.mode == "L"


# --- check_tesseract --------------------------------------------------------------------------


def test_installed_languages_pass() -> None:
    check_tesseract("chi_sim+eng")


def test_a_missing_language_names_its_debian_package() -> None:
    with pytest.raises(TesseractMissing, match="tesseract-ocr-xyz-missing"):
        check_tesseract("xyz_missing")


def test_a_missing_binary_names_its_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(TesseractMissing, match=r"apt-get install tesseract-ocr tesseract-ocr-chi-sim"):
        check_tesseract("chi_sim+eng")


# --- grouping and joining Tesseract's words -----------------------------------------------------


@pytest.mark.parametrize(
    ("words", "line"),
    [
        (["大", "数据", "引发", "了"], "大数据引发了"),
        (["IBM", "SM2", "2014", "年"], "IBM SM2 2014年"),
        (["名", "为", "“Big", "Data”", "的", "专刊"], "名为“Big Data”的专刊"),
        (["2008", "年", "，《", "自", "然", "》"], "2008年，《自然》"),
        (["3.5", "2013.08.05", "23,588"], "3.5 2013.08.05 23,588"),
        # Spaces that Tesseract saw between half-width marks stay; cleaners.normalize judges them.
        (["(人民", "邮电报)", ":", "1", "个"], "(人民邮电报) : 1个"),
        (["—", "3", "—"], "— 3 —"),
        (["http://www.xinhupub.com"], "http://www.xinhupub.com"),
    ],
)
def test_words_join_with_a_space_only_between_non_chinese_words(words: list[str], line: str) -> None:
    assert join_words(words) == line


def recorded_tsv() -> dict[str, list[object]]:
    """image_to_data of the noisy 200-dpi chapter page, parsed as pytesseract parses it."""
    tsv = (FIXTURES / "book-chapter1-200dpi-noisy.tsv").read_text(encoding="utf-8")
    parsed: dict[str, list[object]] = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    return parsed


def test_recorded_words_are_grouped_by_block_paragraph_and_line() -> None:
    data = recorded_tsv()
    lines = lines_from_tesseract_data(data)
    keys_with_words = {
        (data["block_num"][row], data["par_num"][row], data["line_num"][row])
        for row in range(len(data["level"]))
        if data["level"][row] == 5 and str(data["text"][row]).strip()
    }
    assert len(lines) == len(keys_with_words)
    assert all(line.words and all(word.text.strip() for word in line.words) for line in lines)
    assert [line.top for line in lines] == sorted(line.top for line in lines)
    # The recorded lines of the page are these, joined (no margin re-read was needed there).
    recorded = (FIXTURES / "book-chapter1-200dpi-noisy.lines.txt").read_text(encoding="utf-8").splitlines()
    assert [join_words([word.text for word in line.words]) for line in lines] == recorded
    assert recorded[0] == "1第二章多方政府大数据发展政策骨况"  # chi_sim on a noisy 9-pt running head


@pytest.mark.parametrize(
    ("words", "line_height", "height"),
    [
        # Recorded on the scanned digest (200 dpi): chi_sim stretched most word boxes past the
        # 38-px line box; the glyphs are 29 px.  A word without Chinese (，) is not the measure.
        (
            [
                ("日", 29),
                ("前", 48),
                ("，", 8),
                ("广", 29),
                ("东", 29),
                ("省", 48),
                ("人", 29),
                ("民政", 28),
                ("府", 30),
                ("正式", 29),
                ("印发", 48),
                ("《广东", 32),
                ("省", 48),
            ],
            38,
            29.0,
        ),
        ([("10", 22), ("月", 27), ("开始", 28), ("实施", 29), ("。", 44), ("(中", 31), ("国", 44)], 32, 28.5),
        # Nothing stretched: the median of the Chinese words.
        ([("大", 30), ("数据", 31), ("运用", 29)], 40, 30.0),
        # Everything stretched: the median still, rather than nothing.
        ([("大", 45), ("数据", 46), ("运用", 47)], 40, 46.0),
        # No Chinese at all: the median of every word.
        ([("IBM", 20), ("SM2", 22), ("2014", 21)], 30, 21.0),
    ],
)
def test_glyph_height(words: list[tuple[str, int]], line_height: int, height: float) -> None:
    assert glyph_height([_Word(text, 90.0, h) for text, h in words], line_height=line_height) == height
