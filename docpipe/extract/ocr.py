"""OCR of a scanned page: the page image at its own resolution, read upright by an engine.

A scanned book page is one embedded image.  It is read as it is: rendering a 200-dpi
scan up to 300 dpi tripled Tesseract's errors when measured, so the image is only
rendered (at ``settings.render_dpi``) when the page is *not* one full-page image.  The
engine (:mod:`docpipe.extract.engines`: ``ppocr``, ``hybrid`` or ``tesseract``) gives
lines in points; this module turns a page that does not read upright, drops specks,
and decides the page's status from the engine's confidence and the text's plausibility.

The Tesseract and table names are re-exported here for the callers that import them
from this module.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_LANGUAGES",
    "DEFAULT_PSM",
    "ENGINES",
    "RULE_MIN_LENGTH_PT",
    "OcrEngine",
    "TesseractEngine",
    "TesseractMissing",
    "check_tesseract",
    "engine_for",
    "has_ink",
    "join_words",
    "lines_from_tesseract_data",
    "ocr_page",
    "ocr_page_lines",
    "page_confidence",
    "page_image",
    "read_upright",
    "remove_rules",
]

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from cleaners.ocr import split_speck_lines
from cleaners.plausibility import find_doubts
from cleaners.records import Line, Page, PageStatus
from docpipe.extract.engines import ENGINES, OcrEngine, engine_for
from docpipe.extract.tables import RULE_MIN_LENGTH_PT, ink_threshold, remove_rules
from docpipe.extract.tesseract import (
    DEFAULT_LANGUAGES,
    DEFAULT_PSM,
    TesseractEngine,
    TesseractMissing,
    check_tesseract,
    join_words,
    lines_from_tesseract_data,
    ocr_page_lines,
)
from docpipe.settings import Settings

#: An image object counts as the page itself when each of its edges lies within this
#: fraction of the page's width or height from the page's edge.
FULL_PAGE_IMAGE_TOLERANCE = 0.02
#: Horizontal and vertical resolutions may differ by this fraction and still be read
#: as one resolution (scanners round the page size).
SQUARE_PIXEL_TOLERANCE = 0.02
POINTS_PER_INCH = 72.0


def page_image(pdf_page: pdfium.PdfPage, *, dpi: int) -> tuple[Image.Image, float]:
    """The grayscale image to OCR for a page, and its resolution in dots per inch.

    When the page is one upright image covering the page (a scan), that image's own
    pixels are returned, unresampled (turned by the page's /Rotate, if any), and its
    resolution follows from its pixel size and the page size.  A scan placed rotated,
    flipped or stretched is rendered by PDFium at its own resolution, never higher.
    Any other page is rendered at ``dpi``.
    Text objects are ignored when deciding: scanners often lay an invisible text layer
    over the scan.
    """
    scan = _full_page_image(pdf_page)
    if scan is not None:
        left, bottom, right, top = pdf_page.get_bbox()
        pixel_width, pixel_height = scan.get_px_size()
        horizontal_dpi = pixel_width * POINTS_PER_INCH / (right - left)
        vertical_dpi = pixel_height * POINTS_PER_INCH / (top - bottom)
        square = abs(horizontal_dpi - vertical_dpi) <= SQUARE_PIXEL_TOLERANCE * horizontal_dpi
        if square and _is_upright(scan):
            image = scan.get_bitmap(render=False).to_pil().convert("L")
            # /Rotate turns the page clockwise for display; PIL's rotations are counter-clockwise.
            turn = _CLOCKWISE_TURNS.get(pdf_page.get_rotation() % 360)
            return (image.transpose(turn) if turn is not None else image), horizontal_dpi
        dpi = round(min(horizontal_dpi, vertical_dpi))
    bitmap = pdf_page.render(scale=dpi / POINTS_PER_INCH, grayscale=True)
    return bitmap.to_pil().convert("L"), float(dpi)


_CLOCKWISE_TURNS: dict[int, Image.Transpose] = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def _full_page_image(pdf_page: pdfium.PdfPage) -> pdfium.PdfImage | None:
    """The page's only image object if it covers the whole page (before /Rotate), else None."""
    images = list(pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
    if len(images) != 1:
        return None
    page_left, page_bottom, page_right, page_top = pdf_page.get_bbox()
    left, bottom, right, top = images[0].get_bounds()
    x_slack = FULL_PAGE_IMAGE_TOLERANCE * (page_right - page_left)
    y_slack = FULL_PAGE_IMAGE_TOLERANCE * (page_top - page_bottom)
    covers = (
        abs(left - page_left) <= x_slack
        and abs(right - page_right) <= x_slack
        and abs(bottom - page_bottom) <= y_slack
        and abs(top - page_top) <= y_slack
    )
    return images[0] if covers else None


def _is_upright(image_object: pdfium.PdfImage) -> bool:
    """Whether the image is placed unrotated and unflipped (matrix ``[w 0 0 h x y]``)."""
    matrix = image_object.get_matrix()
    return matrix.a > 0 and matrix.d > 0 and matrix.b == 0 and matrix.c == 0


def ocr_page(
    pdf_path: Path, page_number: int, *, settings: Settings, engine: OcrEngine | None = None
) -> Page:
    """OCR one page (1-based) of a PDF into a :class:`~cleaners.records.Page`.

    The engine is ``engine`` or the one ``settings.ocr_engine`` names.  Errors from the
    engine (TesseractError, TimeoutError after ``settings.page_timeout``) propagate: the
    caller records them as a failed page.
    """
    started = time.perf_counter()
    engine = engine or engine_for(settings)
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        pdf_page = pdf[page_number - 1]
        width, height = pdf_page.get_size()
        image, dpi = page_image(pdf_page, dpi=settings.render_dpi)
    finally:
        pdf.close()
    scale = POINTS_PER_INCH / dpi
    read, turn = read_upright(engine, image, page_number=page_number, scale=scale, settings=settings)
    if turn in (90, 270):
        width, height = height, width
    lines, dropped = split_speck_lines(read, page_height=height, settings=settings)
    confidence = page_confidence(lines)
    status: PageStatus
    if not lines:
        status = "blank"
    elif confidence is not None and confidence < settings.confidence_floor:
        status = "low_confidence"
    elif _implausible(lines, settings):
        status = "low_confidence"
    else:
        status = "ok"
    return Page(
        number=page_number,
        width=width,
        height=height,
        lines=tuple(lines),
        method="ocr",
        status=status,
        confidence=confidence,
        seconds=time.perf_counter() - started,
        engine=engine.name,
        ocr_model=engine.model_name,
        raw_text="\n".join(line.text for line in read),  # what Tesseract saw, specks included
        dropped=tuple(dropped),
    )


#: Counter-clockwise turns (degrees) tried on a page that does not read upright, in order.
TURNS = (180, 90, 270)


def read_upright(
    engine: OcrEngine, image: Image.Image, *, page_number: int, scale: float, settings: Settings
) -> tuple[list[Line], int]:
    """The page's lines read the right way up, and the counter-clockwise turn (0, 90, 180
    or 270 degrees) that put the image upright.

    A scan fed sideways or upside down is read as it is first.  When that reading does
    not look upright (:func:`_reads_upright`: lines wider than high, confidence at the
    floor, text that passes the plausibility checks), the image is turned by each of
    :data:`TURNS` and read again, and the reading with the most confident characters is
    kept (confidence x characters: a turned page reads as little or as junk).  A page that
    reads upright costs nothing more.  Orientation detection is the recognizer's own
    judgement here rather than Tesseract's OSD, which would cost a Tesseract run on every
    page.
    """
    lines, _ = engine.read_lines(image, page_number=page_number, scale=scale)
    if (lines or not has_ink(image, settings)) and _reads_upright(lines, settings):
        return lines, 0
    best, best_turn = lines, 0
    for turn in TURNS:
        turned, _ = engine.read_lines(image.rotate(turn, expand=True), page_number=page_number, scale=scale)
        if _weight(turned) > _weight(best):
            best, best_turn = turned, turn
        if turned and _reads_upright(turned, settings):
            break
    return best, best_turn


def has_ink(image: Image.Image, settings: Settings) -> bool:
    """Whether at least ``settings.ocr_ink_min_share`` of the image is ink: a detector finds
    no line in some sideways pages, which are then read turned.

    Ink is judged as the engines judge it when they prepare a page
    (:func:`~docpipe.extract.tables.ink_threshold` with ``settings.ocr_paper_noise_sigmas``):
    darker than the paper by more than the paper's own noise.  A page with one faint line
    on it has ink; a blank scan's noise, however grainy, is not.
    """
    gray = np.asarray(image.convert("L"))
    threshold = ink_threshold(gray, noise_sigmas=settings.ocr_paper_noise_sigmas)
    return float(np.mean(gray < threshold)) >= settings.ocr_ink_min_share


def _reads_upright(lines: Sequence[Line], settings: Settings) -> bool:
    if not lines:
        return True  # a blank page: nothing to turn
    wide = sum(line.x1 - line.x0 > line.bottom - line.top for line in lines)
    confidence = page_confidence(lines)
    # Characters read per em of line width: about 1 for Chinese, more for Latin; a line
    # upside down comes back as a character or two for twenty ems (热 for a whole line).
    ems = sum((line.x1 - line.x0) / line.size for line in lines if line.size > 0)
    read = sum(len("".join(line.text.split())) for line in lines)
    return (
        wide >= settings.ocr_upright_line_share * len(lines)
        and read >= settings.ocr_upright_chars_per_em * ems
        and (confidence is None or confidence >= settings.confidence_floor)
        and not _implausible(lines, settings)
    )


def _weight(lines: Sequence[Line]) -> float:
    return sum((line.confidence or 0.0) * len(line.text.strip()) for line in lines)


def _implausible(lines: Sequence[Line], settings: Settings) -> bool:
    """Whether the page's text fails a plausibility check: a recognizer is sure of what it
    hallucinates, so the text itself is checked as well as the engine's confidence."""
    return bool(find_doubts("\n".join(line.text for line in lines), settings.ocr_text_limits()))


def page_confidence(lines: Sequence[Line]) -> float | None:
    """Mean line confidence weighted by characters: what a reader of the page's text can trust."""
    weighted = [(line.confidence, len(line.text)) for line in lines if line.confidence is not None]
    characters = sum(count for _, count in weighted)
    return sum(c * n for c, n in weighted) / characters if characters else None
