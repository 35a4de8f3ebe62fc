"""The ``ppocr`` OCR engine: PP-OCR's detector finds the lines, its recognizer reads them.

One pass over the page image (:class:`~docpipe.extract.tables.PageInk`): the rules
are found and painted out once, the image binarised once.  The detector runs on the
rule-free image, shrunk to about :data:`DETECTION_DPI` (characters stay 14 px high or
more, and detection takes a fraction of a full-size pass); its boxes are put into
printed lines in reading order, columns one after another
(:func:`~docpipe.extract.reading_order.reading_order`); each line's box is trimmed to
its ink, so that indents and line ends measure as on a text page; the rows of a ruled
table are read cell by cell (:func:`~docpipe.extract.tables.table_rows`); and each
crop is read once by the recognizer.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial, reduce

import numpy as np
from PIL import Image

from cleaners.patterns import HAN_CLASS
from cleaners.records import Line
from cleaners.wraps import join_line_texts
from docpipe.extract import ppocr
from docpipe.extract.reading_order import reading_order, union
from docpipe.extract.tables import (
    REACH_PX,
    Box,
    PageInk,
    TableRow,
    ink_bands,
    true_runs,
)
from docpipe.settings import DEFAULT_SETTINGS, Settings

#: The resolution the detector sees: a 10.5-pt character is 15 px high at 100 dpi, and
#: PP-OCRv6's detector found the same 29 lines of a 200-dpi book page at half size as
#: at full size, in a sixth of the time.
DETECTION_DPI = 100.0
POINTS_PER_INCH = 72.0
#: Margin of page pixels kept around a line's ink for the recognizer, in line heights,
#: and at least MIN_CROP_PADDING pixels (a lone page number 15 px high read "1.5" with a
#: 2-pixel margin and "15" with 3 or more; measured with PP-OCRv4).
CROP_PADDING = 0.1
MIN_CROP_PADDING = 3
#: Ink the detector missed in a margin band is a line when its height is within these (ems).
MIN_MARGIN_LINE_EM = 0.5
MAX_MARGIN_LINE_EM = 2.0
#: A Chinese character read with a score under this sends its line to the fallback
#: recognizer.  PP-OCRv6 tiny gave the look-alikes it reads for characters outside its
#: dictionary 0.33-0.87 on a scan and 0.47-0.78 on clean print; its right readings of
#: Chinese characters score 0.95-1.0 but for a few per page.
FALLBACK_SCORE = 0.9
_HAN = re.compile(f"[{HAN_CLASS}]")
#: Blank rows inside a detected box up to this share of its height do not separate two lines.
BAND_JOIN = 0.1
#: A separate run of ink within this share of the line's height from it is part of it.
MARK_GAP = 0.5
#: A blob of ink at least this share of its line's height wide is an ideograph (see glyph_height).
SQUARE_BLOB = 0.5
#: Besides letters and digits, the characters a Latin word space may stand beside (55 °C, 20 %).
_UNIT_SIGNS = frozenset("°%‰")
#: PP-OCR's recognizers read the radical 丶 for the enumeration comma 、 in running text;
#: 丶 alone never occurs in it.
_CONFUSIONS = str.maketrans({"丶": "、"})


@dataclass(frozen=True, slots=True)
class PpOcrEngine:
    """PP-OCR's detection and recognition, both from the installed wheel (see ppocr.py)."""

    model: str = "PP-OCRv6-tiny"
    #: Re-reads the crops ``model`` is unsure of (see :func:`read_crops`); None: never.
    fallback_model: str | None = "PP-OCRv6-small"
    tab_gap_em: float = DEFAULT_SETTINGS.tab_gap_em
    margin_band: float = DEFAULT_SETTINGS.furniture_band  # see missed_margin_rects
    #: A blank this many line heights wide between two Latin characters is a word space
    #: (:func:`restore_word_spaces`).
    word_gap_em: float = DEFAULT_SETTINGS.ocr_word_gap_em
    #: How far under the paper's noise ink begins (:func:`~docpipe.extract.tables.ink_threshold`).
    paper_noise_sigmas: float = DEFAULT_SETTINGS.ocr_paper_noise_sigmas
    threads: int = ppocr.ONNX_THREADS
    name: str = "ppocr"
    #: Reading order's thresholds (:class:`~docpipe.extract.reading_order.BoxOrderSettings`).
    column_gap_em: float = DEFAULT_SETTINGS.column_gap_em
    column_min_lines: int = DEFAULT_SETTINGS.column_min_lines
    ocr_column_min_width_em: float = DEFAULT_SETTINGS.ocr_column_min_width_em
    ocr_row_overlap: float = DEFAULT_SETTINGS.ocr_row_overlap
    column_justified_share: float = DEFAULT_SETTINGS.column_justified_share
    column_justified_tolerance_em: float = DEFAULT_SETTINGS.column_justified_tolerance_em

    @property
    def model_name(self) -> str:
        return self.model if self.fallback_model is None else f"{self.model} + {self.fallback_model}"

    def read_lines(
        self, image: Image.Image, *, page_number: int, scale: float
    ) -> tuple[list[Line], float | None]:
        page = PageInk.of(image, scale=scale, noise_sigmas=self.paper_noise_sigmas)
        return self.read_prepared(page, page_number=page_number, scale=scale)

    def read_prepared(
        self, page: PageInk, *, page_number: int, scale: float
    ) -> tuple[list[Line], float | None]:
        detector = ppocr.detector(self.model, threads=self.threads)
        dpi = POINTS_PER_INCH / scale
        boxes = detector.detect(page.gray, scale=min(1.0, DETECTION_DPI / dpi))
        rows = page.table_rows()
        rects = drop_enclosing_rects(
            [
                trimmed
                for box in boxes
                if (trimmed := _ink_rect(page.ink, Box(box.left, box.top, box.right, box.bottom))) is not None
                and not _inside_table(trimmed, rows)
            ]
        )
        em = _line_height(page.ink, rects)
        if rects:  # a page without text has no line height to measure a missed line by
            rects += missed_margin_rects(page.ink, rects, em=em, band=self.margin_band)
        planned = [
            _plan_line(line, em=em, tab_gap_em=self.tab_gap_em)
            for line in reading_order(rects, em=em, settings=self)
        ]
        planned = _with_table_rows(planned, [_plan_row(page.ink, row, em=em) for row in rows])
        recognizers: list[Callable[[], ppocr.Recognizer]] = [
            partial(ppocr.recognizer, self.model, threads=self.threads)
        ]
        if self.fallback_model is not None:
            # Loaded on first use: most pages never need it, and it is 21 MB to load.
            recognizers.append(partial(ppocr.recognizer, self.fallback_model, threads=self.threads))
        lines = [
            _read_line(
                plan, page, recognizers, page_number=page_number, scale=scale, word_gap_em=self.word_gap_em
            )
            for plan in planned
        ]
        lines = [line for line in lines if line.text.strip()]
        return lines, mean_character_confidence(lines)


@dataclass(frozen=True, slots=True)
class _PlannedLine:
    """A printed line to read: its ink box and the crops of its cells (each a list of
    printed lines: a wrapped table cell has several), all in pixels."""

    box: Box
    cells: tuple[tuple[Box, ...], ...]
    boundaries: tuple[int, ...]  # x between cells


def _ink_rect(ink: np.ndarray, rect: Box) -> Box | None:
    """``rect`` shrunk to the ink of its line, or None when it holds none.

    The detector's box, widened by the unclip ratio, reaches into the lines above and
    below, whose descenders and accents then sit in the crop and are read as characters
    (宣布 -> 宣佑 on a page set with tight leading).  So only the run of inked rows with
    the most ink is kept, runs closer than :data:`BAND_JOIN` of the box's height being one
    (the two strokes of 二, a quote above its line).
    """
    inside = ink[rect.top : rect.bottom, rect.left : rect.right]
    counts = inside.sum(axis=1)
    runs = true_runs(counts > 0)
    if not runs:
        return None
    joined: list[list[int]] = []
    for start, end in runs:
        if joined and start - joined[-1][1] <= BAND_JOIN * inside.shape[0]:
            joined[-1][1] = end
        else:
            joined.append([start, end])
    main = max(range(len(joined)), key=lambda i: int(counts[joined[i][0] : joined[i][1]].sum()))
    top, bottom = joined[main]
    # A run inside the box (not cut by its edge, as a neighbour line's strokes are) and
    # near the main run belongs to it: the dot of an i, a mark above a lone digit.
    reach = MARK_GAP * (bottom - top)
    for start, end in reversed(joined[:main]):
        if start > 0 and top - end <= reach:
            top = start
    for start, end in joined[main + 1 :]:
        if end < inside.shape[0] and start - bottom <= reach:
            bottom = end
    inside = inside[top:bottom]
    rows, columns = np.flatnonzero(inside.any(axis=1)) + top, np.flatnonzero(inside.any(axis=0))
    return Box(
        rect.left + int(columns[0]),
        rect.top + int(rows[0]),
        rect.left + int(columns[-1]) + 1,
        rect.top + int(rows[-1]) + 1,
    )


def drop_enclosing_rects(rects: Sequence[Box]) -> list[Box]:
    """``rects`` without those that enclose two or more others: a region, not a line.

    The detector found a box around a pale diagonal watermark (样品 SAMPLE) that lay over
    the last column of a table; cut to the ink under it, which the watermark is too pale
    to be, it was the box of four cells in four rows, which then read as one line and
    joined the rows.  The lines it encloses are found on their own, so nothing is lost.

    >>> rows = [Box(0, 0, 50, 10), Box(0, 20, 40, 30), Box(0, 40, 45, 50)]
    >>> drop_enclosing_rects([*rows, Box(0, 0, 50, 50)]) == rows
    True
    """
    return [
        rect
        for rect in rects
        if sum(
            other != rect
            and rect.left <= other.left
            and other.right <= rect.right
            and rect.top <= other.top
            and other.bottom <= rect.bottom
            for other in rects
        )
        < 2
    ]


def missed_margin_rects(ink: np.ndarray, rects: Sequence[Box], *, em: float, band: float) -> list[Box]:
    """Boxes of the ink the detector missed in the top and bottom ``band`` of the page
    (a share of its height), shaped like a line of text: a lone page number.

    At the detector's reduced resolution a lone "1" 15 px high is a stroke two pixels
    wide, and PP-OCRv6 found no text there (a 200-dpi book page; at full size it did), so
    the furniture bands, where such lines live, are searched for ink outside every box.
    A cluster of ink between MIN_MARGIN_LINE_EM and MAX_MARGIN_LINE_EM high is a line.
    """
    import cv2

    height = ink.shape[0]
    covered = np.zeros_like(ink)
    for rect in rects:
        covered[rect.top : rect.bottom, rect.left : rect.right] = True
    missed = (ink & ~covered).astype(np.uint8)
    missed[round(band * height) : round((1 - band) * height)] = 0
    if not missed.any():
        return []
    # Joined across half an em (the characters of one line) and a quarter em down (the
    # strokes of a noisy scan's character, broken apart).
    kernel = np.ones((max(1, round(em / 4)), max(1, round(em / 2))), dtype=np.uint8)
    joined = cv2.dilate(missed, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for label in range(1, count):
        left, top, width, box_height, _ = (int(v) for v in stats[label])
        trimmed = _ink_rect(missed.astype(bool), Box(left, top, left + width, top + box_height))
        # Measured on the ink itself, not the joined blob: a scan's specks, joined, grow tall.
        if trimmed is not None and MIN_MARGIN_LINE_EM * em <= trimmed.height <= MAX_MARGIN_LINE_EM * em:
            found.append(trimmed)
    return found


def _line_height(ink: np.ndarray, rects: Sequence[Box]) -> float:
    """The page's character height in pixels: the median :func:`glyph_height` of its lines."""
    heights = [glyph_height(ink[r.top : r.bottom, r.left : r.right]) for r in rects]
    return float(statistics.median(heights)) if heights else 1.0


def _plan_line(rects: Sequence[Box], *, em: float, tab_gap_em: float) -> _PlannedLine:
    """One printed line from its boxes: boxes closer than ``tab_gap_em`` line heights are one
    crop (the recognizer reads the space between Latin words itself); a wider gap is a
    cell boundary (a tab), as on text pages."""
    height = max(r.height for r in rects)
    pieces: list[list[Box]] = []
    for rect in sorted(rects, key=lambda r: r.left):
        if pieces and rect.left - max(r.right for r in pieces[-1]) < tab_gap_em * min(height, em * 1.5):
            pieces[-1].append(rect)
        else:
            pieces.append([rect])
    crops = [union(piece) for piece in pieces]
    boundaries = tuple((a.right + b.left) // 2 for a, b in itertools.pairwise(crops))
    return _PlannedLine(union(crops), tuple((crop,) for crop in crops), boundaries)


def _plan_row(ink: np.ndarray, row: TableRow, *, em: float) -> _PlannedLine | None:
    """A ruled table's row as one line: each cell's printed lines, cut to their ink."""
    cells: list[tuple[Box, ...]] = []
    for cell in row.cells:
        cells.append(tuple(box for box in ink_bands(ink, cell, em=em) if box.width > 0 and box.height > 0))
    inked = [rect for cell in cells for rect in cell]
    if not inked:
        return None
    return _PlannedLine(union(inked), tuple(cells), row.boundaries)


def _inside_table(rect: Box, rows: Sequence[TableRow]) -> bool:
    middle = (rect.top + rect.bottom) / 2
    return any(
        row.box.top - REACH_PX <= middle <= row.box.bottom + REACH_PX
        and rect.left < row.box.right
        and rect.right > row.box.left
        for row in rows
    )


def _with_table_rows(lines: list[_PlannedLine], rows: Sequence[_PlannedLine | None]) -> list[_PlannedLine]:
    """``lines`` with each table row before the first line below its top (rows are top to bottom)."""
    pending = [row for row in rows if row is not None]
    result: list[_PlannedLine] = []
    for line in lines:
        while pending and pending[0].box.top <= (line.box.top + line.box.bottom) / 2:
            result.append(pending.pop(0))
        result.append(line)
    return result + pending


def glyph_height(ink: np.ndarray) -> float:
    """The height of a line's characters in pixels, from the ink of its crop.

    The ink of the whole line is taller than its characters: quotes and brackets rise
    above them, a comma hangs below, and a speck of the line above may touch.  So the
    line is cut into blobs at its blank columns, and the median height of the blobs at
    least :data:`SQUARE_BLOB` as wide as the line is high (ideographs, which are square)
    is taken; the median of every blob when there are none (a Latin or digit line).

    >>> ink = np.zeros((30, 60), dtype=bool)
    >>> ink[5:25, 0:20] = ink[6:24, 25:45] = True   # two ideographs, 20 and 18 high
    >>> ink[0:30, 50:53] = True                      # a bracket, 30 high
    >>> glyph_height(ink)
    19.0
    """
    blobs = []
    for start, end in true_runs(np.asarray(ink.any(axis=0))):
        rows = np.flatnonzero(ink[:, start:end].any(axis=1))
        blobs.append((end - start, int(rows[-1]) + 1 - int(rows[0])))
    if not blobs:
        return float(ink.shape[0])
    square = [height for width, height in blobs if width >= SQUARE_BLOB * ink.shape[0]]
    return float(statistics.median(square or [height for _, height in blobs]))


def read_crops(
    crops: Sequence[np.ndarray], recognizers: Sequence[Callable[[], ppocr.Recognizer]]
) -> list[ppocr.Reading]:
    """Each crop read by the first recognizer, and again by the next one where the first
    gave a Chinese character a score under :data:`FALLBACK_SCORE`; the reading with the
    higher mean score is kept.

    PP-OCRv6 tiny reads simplified Chinese best and fastest, but its dictionary holds
    6,904 characters: a traditional character outside it comes back as a look-alike at a
    low score (宣佈 -> 宣体 at 0.39, 銜接 -> 街接 at 0.55), which PP-OCRv6 small, with
    18,708 characters, reads right.  Scores of spaces and punctuation are left out of the
    test: tiny doubts them often and has them all.  Most lines of a page are never re-read,
    and a recognizer is only loaded (``recognizers`` are loaders) when it is needed.
    """
    readings = recognizers[0]().read(crops)
    for fallback in recognizers[1:]:
        doubtful = [i for i, reading in enumerate(readings) if _doubts_a_chinese_character(reading)]
        if not doubtful:
            continue
        for i, second in zip(doubtful, fallback().read([crops[i] for i in doubtful]), strict=True):
            if second.score > readings[i].score:
                readings[i] = second
    return readings


def _doubts_a_chinese_character(reading: ppocr.Reading) -> bool:
    return any(
        score < FALLBACK_SCORE and _HAN.match(character)
        for character, score in zip(reading.text, reading.scores, strict=True)
    )


def _read_line(
    plan: _PlannedLine,
    page: PageInk,
    recognizers: Sequence[Callable[[], ppocr.Recognizer]],
    *,
    page_number: int,
    scale: float,
    word_gap_em: float,
) -> Line:
    # Measured per printed line: a wrapped table cell's rows are three lines high.
    heights = {
        r: glyph_height(page.ink[r.top : r.bottom, r.left : r.right]) for cell in plan.cells for r in cell
    }
    em = float(statistics.median(heights.values())) if heights else 1.0
    height, width = page.gray.shape
    texts: list[str] = []
    scores: list[float] = []
    for cell in plan.cells:
        windows = []
        for r in cell:
            pad = max(MIN_CROP_PADDING, round(CROP_PADDING * heights[r]))
            windows.append(
                np.s_[
                    max(r.top - pad, 0) : min(r.bottom + pad, height),
                    max(r.left - pad, 0) : min(r.right + pad, width),
                ]
            )
        readings = read_crops([page.gray[window] for window in windows], recognizers)
        spaced = [
            restore_word_spaces(reading, page.ink[window], gap=word_gap_em * heights[r])
            for reading, window, r in zip(readings, windows, cell, strict=True)
        ]
        texts.append(reduce(join_line_texts, (fix_confusions(text) for text in spaced), ""))
        scores += [s for r in readings for s in r.scores]
    box = plan.box
    return Line(
        text="\t".join(texts),
        page=page_number,
        x0=box.left * scale,
        top=box.top * scale,
        x1=box.right * scale,
        bottom=box.bottom * scale,
        size=em * scale,
        confidence=100 * float(np.mean(scores)) if scores else 0.0,
        cells=tuple(x * scale for x in plan.boundaries),
    )


def restore_word_spaces(reading: ppocr.Reading, ink: np.ndarray, *, gap: float) -> str:
    """The reading's text with a space put back between two Latin characters (letters,
    digits, a unit sign) that stand at least ``gap`` pixels apart on the page.

    PP-OCR's recognizers drop a word space now and then where the glyphs around it leave
    little ink to see it by (``-20 to 55 °C`` read ``-20 to 55°C``).  The ink says where
    it was: each character's position from the recognizer's steps, and the widest run of
    blank pixel columns between two neighbours (within a word under 0.2 line heights, a
    word space 0.5).  Chinese is left alone: it is set without word spaces, and the
    cleaners take out those between Chinese and Latin.

    >>> ink = np.zeros((10, 60), dtype=bool)
    >>> ink[:, 2:8] = ink[:, 10:16] = ink[:, 30:36] = True   # 5, 5, then C after a wide blank
    >>> reading = ppocr.Reading("55C", (0.9, 0.9, 0.9), (5.0, 13.0, 33.0))
    >>> restore_word_spaces(reading, ink, gap=8)
    '55 C'
    """
    if len(reading.centres) != len(reading.text):
        return reading.text
    blank = ~np.asarray(ink.any(axis=0))
    pieces = [reading.text[:1]]
    for (left, right), (x_left, x_right) in zip(
        itertools.pairwise(reading.text), itertools.pairwise(reading.centres), strict=True
    ):
        between = blank[max(0, int(x_left)) : max(0, int(x_right)) + 1]
        if _latin(left) and _latin(right) and max((e - s for s, e in true_runs(between)), default=0) >= gap:
            pieces.append(" ")
        pieces.append(right)
    return "".join(pieces)


def _latin(character: str) -> bool:
    return (character.isalnum() and not _HAN.match(character) and character.isascii()) or (
        character in _UNIT_SIGNS
    )


def fix_confusions(text: str) -> str:
    """Replace characters PP-OCR reads for others that look alike and never occur alone.

    >>> fix_confusions("省丶市政府")
    '省、市政府'
    """
    return text.translate(_CONFUSIONS)


def mean_character_confidence(lines: Sequence[Line]) -> float | None:
    """Mean line confidence weighted by characters; None for no text."""
    weighted = [(line.confidence, len(line.text)) for line in lines if line.confidence is not None]
    characters = sum(count for _, count in weighted)
    return sum(c * n for c, n in weighted) / characters if characters else None


def ppocr_engine(settings: Settings) -> PpOcrEngine:
    """The ppocr engine configured from ``settings``."""
    return PpOcrEngine(
        model=settings.ocr_model,
        tab_gap_em=settings.tab_gap_em,
        margin_band=settings.furniture_band,
        word_gap_em=settings.ocr_word_gap_em,
        paper_noise_sigmas=settings.ocr_paper_noise_sigmas,
        column_gap_em=settings.column_gap_em,
        column_min_lines=settings.column_min_lines,
        ocr_column_min_width_em=settings.ocr_column_min_width_em,
        ocr_row_overlap=settings.ocr_row_overlap,
        column_justified_share=settings.column_justified_share,
        column_justified_tolerance_em=settings.column_justified_tolerance_em,
    )
