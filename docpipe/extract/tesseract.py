"""Tesseract as an OCR engine: its lines and words, in points, with the page's tables.

Tesseract reads the page image, rules painted out (:class:`~docpipe.extract.tables.PageInk`,
shared with the other readers of the page).  Its words are grouped into
:class:`~cleaners.records.Line` records with boxes scaled from pixels to PDF points, so
that furniture detection, wrap repair and segmentation treat OCR pages exactly like
text-layer pages; a ruled table's rows are read cell by cell from one canvas.
"""

from __future__ import annotations

import bisect
import os
import re
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytesseract
from PIL import Image
from pytesseract import Output

from cleaners.records import Line
from docpipe.extract.tables import (
    REACH_PX,
    Box,
    PageInk,
    TableRow,
    ink_bands,
    table_rows,
    true_runs,
)
from docpipe.settings import DEFAULT_SETTINGS, Settings

# Tesseract is built with OpenMP and by default runs one thread per core for each page.
# docpipe already OCRs pages in parallel, one Tesseract process per worker, so N workers
# x N OpenMP threads oversubscribe the cores, and OpenMP's waiting threads burn them.
# Measured on a 2-core machine: 4 pages on 2 workers took 9-17 s with OMP_THREAD_LIMIT=1
# and 35-66 s without; even 2 pages on 1 worker took 6-9 s against 24-25 s.  pytesseract
# starts Tesseract with this process's environment, so setting it here reaches every
# call; setdefault lets an operator who knows better export another value.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Page segmentation mode 6, "a single uniform block of text", chosen by measurement on
#: 20 book and digest pages rendered from the seed texts (200 and 300 dpi, clean and
#: with scan noise; tests/fixtures/ocr/render_fixtures.py): mean character error rate
#: 7.1% against 9.5% for mode 4 (one column) and 42% for mode 3 (automatic layout, on 8
#: of them), whose layout analysis cuts a justified body into columns and scrambles the
#: reading order on every noisy page.  Running heads came back in 19 of 20 pages with
#: modes 6 and 4; page numbers in 11 of 20 with mode 6 but only 1 with mode 4.
DEFAULT_PSM = DEFAULT_SETTINGS.ocr_psm
DEFAULT_LANGUAGES = "chi_sim+eng"
#: Debian packages that provide the binary and each language's data.
TESSERACT_PACKAGE = "tesseract-ocr"
LANGUAGE_PACKAGE_PREFIX = "tesseract-ocr-"
#: Tesseract's confidence for rows that are not words (pages, blocks, lines).
NO_CONFIDENCE = -1
#: Lines read with at least this confidence count as text when looking for a missed
#: running head or page number (see ocr_page_lines); specks read as text score lower.
#: The judgement Settings.speck_confidence makes, whose default this is.
DEFAULT_TEXT_CONFIDENCE = DEFAULT_SETTINGS.speck_confidence
#: Default height of the top and bottom bands where a running head or page number is
#: expected, as a fraction of the page height (as Settings.furniture_band).
DEFAULT_MARGIN_BAND = DEFAULT_SETTINGS.furniture_band
#: A margin strip starts this many line heights away from the outermost confident line,
#: so that no descender or accent of that line is read twice.
MARGIN_STRIP_PADDING = 0.25
#: What pytesseract's RuntimeError says when it had to kill Tesseract.
TESSERACT_TIMEOUT_MESSAGE = "Tesseract process timeout"
#: Rows of image_to_data: 4 = a text line, 5 = a word.
LINE_LEVEL = 4
WORD_LEVEL = 5
#: A gap between two words of a line at least this many line heights (ems) wide is a
#: column gap and joins them with a tab, as the text-layer path does
#: (``Settings.tab_gap_em``, whose default this is).
DEFAULT_TAB_GAP_EM = DEFAULT_SETTINGS.tab_gap_em
#: How far under the paper's noise ink begins (:func:`~docpipe.extract.tables.ink_threshold`;
#: ``Settings.ocr_paper_noise_sigmas``, whose default this is).
DEFAULT_PAPER_NOISE_SIGMAS = DEFAULT_SETTINGS.ocr_paper_noise_sigmas
#: On the canvas where table rows are read (:func:`_read_table_rows`): the gap between
#: two cells of a row, wide enough that no word straddles it, and between the printed
#: lines of one wrapped cell, narrow enough that they read as one run of text.
CELL_GAP_EM = 3.0
WRAP_GAP_EM = 0.3

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# Characters that Chinese text sets without spaces around them: ideographs, kana,
# hangul, CJK punctuation and symbols, full-width forms.  Curly quotes, dashes and
# the middle dot are shared with Latin text and so decide nothing on their own.
_WIDE_CHARACTER = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)


#: What ``pytesseract.image_to_data(output_type=Output.DICT)`` returns: one list per
#: TSV column (level, block_num, ..., conf, text), one entry per row.
TesseractData = Mapping[str, Sequence[Any]]


class TesseractMissing(RuntimeError):
    """Tesseract or one of the requested languages is not installed."""


@dataclass(frozen=True, slots=True)
class TesseractEngine:
    """Tesseract through pytesseract: one process per page, plus one per margin re-read."""

    languages: str = DEFAULT_LANGUAGES
    psm: int = DEFAULT_PSM
    margin_band: float = DEFAULT_MARGIN_BAND
    timeout: float | None = None  # seconds for the whole page; None waits for ever
    name: str = "tesseract"
    tab_gap_em: float = DEFAULT_TAB_GAP_EM
    text_confidence: float = DEFAULT_TEXT_CONFIDENCE
    paper_noise_sigmas: float = DEFAULT_PAPER_NOISE_SIGMAS

    @property
    def model_name(self) -> str:
        return f"tesseract {self.languages} psm {self.psm}"

    def read_lines(
        self, image: Image.Image, *, page_number: int, scale: float, prepared: PageInk | None = None
    ) -> tuple[list[Line], float | None]:
        return ocr_page_lines(
            image,
            prepared=prepared,
            page_number=page_number,
            scale=scale,
            languages=self.languages,
            psm=self.psm,
            margin_band=self.margin_band,
            timeout=self.timeout,
            tab_gap_em=self.tab_gap_em,
            text_confidence=self.text_confidence,
            paper_noise_sigmas=self.paper_noise_sigmas,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> TesseractEngine:
        return cls(
            languages=settings.ocr_languages,
            psm=settings.ocr_psm,
            margin_band=settings.furniture_band,
            timeout=settings.page_timeout,
            tab_gap_em=settings.tab_gap_em,
            text_confidence=settings.speck_confidence,
            paper_noise_sigmas=settings.ocr_paper_noise_sigmas,
        )


def check_tesseract(languages: str = DEFAULT_LANGUAGES) -> None:
    """Raise :class:`TesseractMissing` naming the Debian package to install when Tesseract
    or one of ``languages`` (``"chi_sim+eng"``) is not available."""
    try:
        installed = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise TesseractMissing(
            f"the tesseract binary is not on PATH: install it with "
            f"`apt-get install {TESSERACT_PACKAGE} {_language_packages(languages)}`"
        ) from None
    missing = [language for language in languages.split("+") if language not in installed]
    if missing:
        raise TesseractMissing(
            f"Tesseract has no data for {', '.join(missing)} (installed: {', '.join(sorted(installed))}): "
            f"install it with `apt-get install {_language_packages('+'.join(missing))}`"
        )


def _language_packages(languages: str) -> str:
    """Debian package names for Tesseract languages: ``chi_sim`` -> ``tesseract-ocr-chi-sim``."""
    return " ".join(
        LANGUAGE_PACKAGE_PREFIX + language.lower().replace("_", "-") for language in languages.split("+")
    )


def ocr_page_lines(
    image: Image.Image,
    *,
    page_number: int,
    scale: float,
    languages: str = DEFAULT_LANGUAGES,
    psm: int = DEFAULT_PSM,
    margin_band: float = DEFAULT_MARGIN_BAND,
    timeout: float | None = None,
    tab_gap_em: float = DEFAULT_TAB_GAP_EM,
    text_confidence: float = DEFAULT_TEXT_CONFIDENCE,
    paper_noise_sigmas: float = DEFAULT_PAPER_NOISE_SIGMAS,
    prepared: PageInk | None = None,
) -> tuple[list[Line], float | None]:
    """OCR one page image into lines, top to bottom, and the page's mean word confidence.

    ``scale`` is points per pixel (``72 / dpi``).  Ruling lines are painted out first
    (:func:`remove_rules`, ink judged by ``paper_noise_sigmas``: see
    :func:`~docpipe.extract.tables.ink_threshold`): Tesseract reads a ruled table's cells
    as noise otherwise.
    A line's text joins Tesseract's words with a space only between two Latin or digit
    words (see :func:`join_words`), and with a tab across a gap of at least
    ``tab_gap_em`` times the line's glyph height (a table's column gap); its box
    is Tesseract's line box in points; its ``size`` the height of its glyphs
    (:func:`glyph_height`), which for Song/Ming faces is about 0.9 of the font size;
    its ``confidence`` the mean confidence of its words.  The page
    confidence weighs each word by its number of characters; it is None when no word
    was read.

    In uniform-block mode Tesseract sometimes drops or garbles a short line that a wide
    gap isolates from the body: a running head, a lone page number.  So when no line
    read with confidence (at least ``text_confidence``) lies within ``margin_band`` (a
    fraction of the image height) of the top or the bottom, the strip beyond the outermost
    confident line is read again on its own, and what it yields replaces the doubtful lines there.  (Measured
    on 12 pages at 200 dpi: a page-number line came back on 8 instead of 5.)

    ``timeout`` bounds the whole page, re-reads included: Tesseract is killed and
    :class:`TimeoutError` raised when it runs out.  ``prepared`` is the page already
    prepared (:class:`~docpipe.extract.tables.PageInk`) by another path that shares it.
    """
    reader = _Reader(
        languages=languages, psm=psm, deadline=None if timeout is None else time.monotonic() + timeout
    )
    page = prepared or PageInk.of(image, scale=scale, noise_sigmas=paper_noise_sigmas)
    image, ink, horizontal, vertical = page.image, page.ink, page.horizontal, page.vertical
    lines = reader.read(image)
    confident = [line for line in lines if line.confidence >= text_confidence]
    if confident:
        line_height = statistics.median(line.bottom - line.top for line in confident)
        band = margin_band * image.height
        first_top = min(line.top for line in confident)
        last_bottom = max(line.bottom for line in confident)
        if first_top > band and first_top >= line_height:
            strip_bottom = first_top - round(MARGIN_STRIP_PADDING * line_height)
            strip = reader.read(image.crop((0, 0, image.width, strip_bottom)))
            if strip:
                lines = strip + [line for line in lines if line.top >= strip_bottom]
        if image.height - last_bottom > band and image.height - last_bottom >= line_height:
            strip_top = last_bottom + round(MARGIN_STRIP_PADDING * line_height)
            strip = reader.read(image.crop((0, strip_top, image.width, image.height)))
            if strip:
                lines = [line for line in lines if line.bottom <= strip_top] + [
                    line.shifted(strip_top) for line in strip
                ]
    lines = [_with_cells(line, ink=ink, vertical=vertical, tab_gap_em=tab_gap_em) for line in lines]
    rows = table_rows(horizontal, vertical)
    if rows and lines:
        line_height = statistics.median(line.bottom - line.top for line in lines)
        lines = _with_table_rows(lines, rows, _read_table_rows(reader, image, ink, rows, line_height))
    return _to_points(lines, page_number=page_number, scale=scale)


def _read_table_rows(
    reader: _Reader, image: Image.Image, ink: np.ndarray, rows: Sequence[TableRow], line_height: float
) -> list[_PixelLine | None]:
    """Each row of a ruled table read as one line whose words keep their cells; None for
    a row without ink.

    Every row is laid out on a blank canvas as one printed line: its cells side by side,
    :data:`CELL_GAP_EM` apart, and the printed lines of a cell wrapped onto several
    (:func:`~docpipe.extract.tables.text_bands`) one after another, so a wrapped cell
    reads as one field and chi_sim still sees a whole line (a cell alone, as 序号, reads
    worse: 序呈).  No rule is left on the canvas to be read as 。 or “.  One Tesseract
    run reads every row (a run per cell would cost a second per cell); each word goes
    back to the row and cell where its middle lies.  Words get their cell's box on the
    page, as the text of a cell is no longer where it was printed.
    """
    margin = max(1, round(line_height))
    cell_gap = round(CELL_GAP_EM * line_height)
    wrap_gap = round(WRAP_GAP_EM * line_height)
    paper = int(np.median(np.asarray(image)))
    pieces: list[tuple[Box, int, int]] = []  # (band of ink on the page, canvas left, canvas bottom)
    spans: list[_CanvasCell] = []
    width, top = margin, margin
    for row_index, row in enumerate(rows):
        bands = [(cell, ink_bands(ink, cell, em=line_height)) for cell in row.cells]
        height = max((band.height for _, cell_bands in bands for band in cell_bands), default=0)
        if height == 0:
            continue
        x = margin
        for cell, cell_bands in bands:
            start = x
            for band in cell_bands:
                pieces.append((band, x, top + height))  # bottoms aligned, as on a baseline
                x += band.width + wrap_gap
            spans.append(_CanvasCell(row_index, cell, start, top, max(x - wrap_gap, start), top + height))
            x += cell_gap
        width = max(width, x)
        top += height + margin
    if not pieces:
        return [None] * len(rows)
    canvas = Image.new("L", (width + margin, top), paper)
    for band, left, bottom in pieces:
        canvas.paste(image.crop((band.left, band.top, band.right, band.bottom)), (left, bottom - band.height))
    words: dict[int, list[_Word]] = {}
    for line in reader.read(canvas):
        for word in line.words:
            middle_x, middle_y = (word.left + word.right) / 2, (line.top + line.bottom) / 2
            found = _cell_at(spans, middle_x, middle_y, reach=margin / 2)
            if found is not None:
                row_index, cell = found
                words.setdefault(row_index, []).append(replace(word, left=cell.left, right=cell.right))
    result: list[_PixelLine | None] = []
    for row_index, row in enumerate(rows):
        inked = [box for cell in row.cells if (box := _ink_box(ink, cell)) is not None]
        if row_index not in words or not inked:
            result.append(None)
            continue
        result.append(
            _PixelLine(
                words=tuple(words[row_index]),
                left=min(b.left for b in inked),
                top=min(b.top for b in inked),
                right=max(b.right for b in inked),
                bottom=max(b.bottom for b in inked),
                cells=row.boundaries,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _CanvasCell:
    """Where the ink of one table cell was laid out on the canvas of :func:`_read_table_rows`."""

    row: int
    cell: Box  # on the page
    left: int
    top: int
    right: int
    bottom: int


def _cell_at(spans: Sequence[_CanvasCell], x: float, y: float, *, reach: float) -> tuple[int, Box] | None:
    """The row and page box of the cell a word whose middle is (x, y) on the canvas was read
    from: in the row whose line holds y (within ``reach``), the cell nearest x."""
    in_row = [span for span in spans if span.top - reach <= y < span.bottom + reach]
    if not in_row:
        return None
    nearest = min(in_row, key=lambda span: max(span.left - x, x - span.right, 0))
    return nearest.row, nearest.cell


def _ink_box(ink: np.ndarray, cell: Box) -> Box | None:
    """The bounding box of the ink inside ``cell``, or None for an empty cell."""
    inside = ink[cell.top : cell.bottom, cell.left : cell.right]
    rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    if rows.size == 0:
        return None
    return Box(
        cell.left + int(columns[0]),
        cell.top + int(rows[0]),
        cell.left + int(columns[-1]) + 1,
        cell.top + int(rows[-1]) + 1,
    )


def _with_table_rows(
    lines: Sequence[_PixelLine], rows: Sequence[TableRow], row_lines: Sequence[_PixelLine | None]
) -> list[_PixelLine]:
    """``lines`` without those read inside a table's rows, and with the rows read cell by cell.

    A line lies inside a row when its vertical middle does (or on the rules around it)
    and it overlaps the row across.  Each row's line goes before the first line whose
    middle lies below the row's top, keeping Tesseract's top-to-bottom reading order.
    """
    boxes = [row.box for row in rows]

    def inside_table(line: _PixelLine) -> bool:
        middle = (line.top + line.bottom) / 2
        return any(
            box.top - REACH_PX <= middle <= box.bottom + REACH_PX
            and line.left < box.right
            and line.right > box.left
            for box in boxes
        )

    pending = [(box, line) for box, line in zip(boxes, row_lines, strict=True) if line is not None]
    result: list[_PixelLine] = []
    for line in lines:
        while pending and pending[0][0].top <= (line.top + line.bottom) / 2:
            result.append(pending.pop(0)[1])
        if not inside_table(line):
            result.append(line)
    result.extend(line for _, line in pending)
    return result


def _with_cells(line: _PixelLine, *, ink: np.ndarray, vertical: np.ndarray, tab_gap_em: float) -> _PixelLine:
    """``line`` with the x of its cell boundaries: the vertical rules that cross it, and the
    middles of the blank stretches at least ``tab_gap_em`` line heights wide between its ink.

    The gaps are measured in the image, not between Tesseract's word boxes: chi_sim gives
    some words a box a few pixels wide far from their ink (measured: a tab inside a body
    line on 2 of 4 pages when measured between boxes).  A boundary needs ink on both
    sides within the line (a rule at the end of a line's box divides nothing), and two
    within a line height of each other (a rule in the middle of a gap) are one.
    """
    band = slice(max(line.top, 0), line.bottom)
    height = line.bottom - line.top
    crossings = np.asarray(vertical[band, line.left : line.right].any(axis=0))
    blank = ~np.asarray(ink[band, line.left : line.right].any(axis=0))
    candidates = [line.left + (start + end) // 2 for start, end in true_runs(crossings)]
    candidates += [
        line.left + (start + end) // 2
        for start, end in true_runs(blank)
        if end - start >= tab_gap_em * height
    ]
    inked = np.flatnonzero(~blank) + line.left
    if inked.size == 0:
        return line
    boundaries: list[int] = []
    for x in sorted(candidates):
        if inked[0] < x < inked[-1] and not (boundaries and x - boundaries[-1] < height):
            boundaries.append(int(x))
    return replace(line, cells=tuple(boundaries))


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    confidence: float  # 0-100, or NO_CONFIDENCE
    height: int  # pixels
    left: int = 0  # pixels
    right: int = 0  # pixels


@dataclass(frozen=True, slots=True)
class _PixelLine:
    """A line as Tesseract reports it, in pixels of the image it read."""

    words: tuple[_Word, ...]
    left: int
    top: int
    right: int
    bottom: int
    cells: tuple[int, ...] = ()  # x of the boundaries between table cells, in pixels

    @property
    def confidence(self) -> float:
        known = [word.confidence for word in self.words if word.confidence != NO_CONFIDENCE]
        return statistics.fmean(known) if known else NO_CONFIDENCE

    def shifted(self, down: int) -> _PixelLine:
        return replace(self, top=self.top + down, bottom=self.bottom + down)


@dataclass(frozen=True, slots=True)
class _Reader:
    """Runs Tesseract on images of one page within the page's deadline."""

    languages: str
    psm: int
    deadline: float | None  # time.monotonic() value

    def read(self, image: Image.Image) -> list[_PixelLine]:
        remaining = 0.0 if self.deadline is None else self.deadline - time.monotonic()
        if self.deadline is not None and remaining <= 0:
            raise TimeoutError("OCR of the page ran out of time")
        try:
            data = pytesseract.image_to_data(
                image,
                lang=self.languages,
                config=f"--psm {self.psm}",
                output_type=Output.DICT,
                timeout=remaining,  # pytesseract: 0 means no limit
            )
        except RuntimeError as error:
            # pytesseract kills the process and raises a bare RuntimeError on timeout.
            if str(error) == TESSERACT_TIMEOUT_MESSAGE:
                raise TimeoutError("OCR of the page ran out of time") from None
            raise
        return lines_from_tesseract_data(data)


def lines_from_tesseract_data(data: TesseractData) -> list[_PixelLine]:
    """Group the word rows of ``image_to_data(output_type=DICT)`` by (block, paragraph, line).

    Each line keeps Tesseract's own line box; empty words and lines without words go.
    """
    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    words: dict[tuple[int, int, int], list[_Word]] = {}
    for row in range(len(data["level"])):
        key = (int(data["block_num"][row]), int(data["par_num"][row]), int(data["line_num"][row]))
        left, top, width, height = (int(data[name][row]) for name in ("left", "top", "width", "height"))
        level = int(data["level"][row])
        if level == LINE_LEVEL:
            boxes[key] = (left, top, left + width, top + height)
        elif level == WORD_LEVEL and (text := str(data["text"][row]).strip()):
            words.setdefault(key, []).append(
                _Word(text, float(data["conf"][row]), height, left, left + width)
            )
    return [_PixelLine(tuple(line_words), *boxes[key]) for key, line_words in words.items()]


def _to_points(
    lines: Sequence[_PixelLine], *, page_number: int, scale: float
) -> tuple[list[Line], float | None]:
    """Lines in points and the page confidence weighted by characters."""
    records: list[Line] = []
    confidence_sum = 0.0
    characters = 0
    for line in lines:
        confidence = line.confidence
        em = glyph_height(line.words, line_height=line.bottom - line.top)
        records.append(
            Line(
                text=_line_text(line.words, cells=line.cells),
                page=page_number,
                x0=line.left * scale,
                top=line.top * scale,
                x1=line.right * scale,
                bottom=line.bottom * scale,
                size=em * scale,
                confidence=None if confidence == NO_CONFIDENCE else confidence,
                cells=tuple(x * scale for x in line.cells),
            )
        )
        for word in line.words:
            if word.confidence != NO_CONFIDENCE:
                confidence_sum += word.confidence * len(word.text)
                characters += len(word.text)
    return records, (confidence_sum / characters if characters else None)


def glyph_height(words: Sequence[_Word], *, line_height: int) -> float:
    """The height of a line's glyphs in pixels: the median height of its Chinese words.

    chi_sim stretches the box of many words past the line's own box (48 px in a
    38-px line of 29-px glyphs, measured on a 200-dpi scan, on up to two thirds of a
    line's words); such a word says nothing about its glyphs and is left out, unless
    every word is.  The median of all words when none is Chinese.

    >>> glyph_height([_Word(text, 90.0, height) for text, height in
    ...     [("占", 29), ("大", 29), ("数据", 31), ("发", 45), ("展", 45), ("先", 45), ("机", 45)]],
    ...     line_height=32)
    29.0
    """
    chinese = [word.height for word in words if _HAN.search(word.text)] or [word.height for word in words]
    unstretched = [height for height in chinese if height <= line_height]
    return float(statistics.median(unstretched or chinese))


def _line_text(words: Sequence[_Word], *, cells: Sequence[int] = ()) -> str:
    """The words joined by :func:`join_words` within each cell, cells joined by tabs.

    A word belongs to the cell its middle lies in (middles, because Tesseract's word
    boxes are loose); a cell without words is an empty field, so a line has one tab per
    boundary in ``cells``.  A closing quote that opens a cell is dropped: chi_sim reads
    one into the blank where a rule was.
    """
    fields: list[list[str]] = [[] for _ in range(len(cells) + 1)]
    for word in words:
        fields[bisect.bisect_left(cells, (word.left + word.right) / 2)].append(word.text)
    texts = [join_words(field) for field in fields]
    if len(texts) > 1:
        texts = [text.removeprefix("”") or text for text in texts]
    return "\t".join(texts)


def join_words(words: Sequence[str]) -> str:
    """Join Tesseract's words into a line's text: a space only between two non-Chinese words.

    chi_sim reports each Chinese character or short run as a word of its own; Chinese
    is set without spaces, so a space goes only where both the end of one word and
    the start of the next are not Chinese (ideographs, kana, hangul, CJK punctuation,
    full-width forms), i.e. between Latin words, numbers and their punctuation.

    >>> join_words(["IBM", "SM2", "2014", "年"])
    'IBM SM2 2014年'
    >>> join_words(["大", "数据", "引发", "了", "“Big", "Data”", "的"])
    '大数据引发了“Big Data”的'
    """
    text = ""
    for word in words:
        if text and not _WIDE_CHARACTER.match(text[-1]) and not _WIDE_CHARACTER.match(word[0]):
            text += " "
        text += word
    return text
