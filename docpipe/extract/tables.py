"""Ruled tables in a page image: rows of cells found from the table's own rules.

A table row whose cell wraps onto two or three lines defeats a line-based OCR pass:
Tesseract either reads each printed line of the tall cell as a line of its own
(``《关于加快…的意`` / ``2 贵州省 见》《贵州省…`` / ``(2014—2020年)》``) or merges
the row's lines with the short cells beside them into garbage.  In a ruled table
the rules say where each cell is, so each cell can be read on its own and its
lines joined, and the row comes back as one line of tab-separated cells.

Works on the rule masks of :func:`docpipe.extract.ocr.remove_rules`: a table is
two or more horizontal rules that overlap across the page, and a row is the
stretch between two consecutive ones that at least one vertical rule crosses
from top to bottom (a rule between two cells; the outer border may be missing).
Everything here is in pixels of the page image.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from PIL import Image

#: A horizontal or vertical run of ink at least this long (in points) is a ruling line of
#: a table or a rule under a running head, and is painted out before OCR (see
#: :func:`remove_rules`).  48 pt is 4.5 em of 10.5-pt body text and 2.7 em of an 18-pt
#: heading, while a stroke of a character is at most 1 em long and a dash two.
RULE_MIN_LENGTH_PT = 48.0
#: Pixels either side of a found rule that are painted out with it: the grey fringe
#: that the scanner's anti-aliasing leaves around a one- or two-pixel line.
RULE_FRINGE = 2
#: Two rules closer than this many pixels are one (a thick or double rule, or the
#: pixel rows of one skewed rule).
RULE_MERGE_PX = 4
#: A vertical rule must reach this close (pixels) to the horizontal rules above and
#: below a row to divide it: scans break rules where they meet.
REACH_PX = 6
#: A row lower than this (pixels) holds no text: the gap between a double rule.
MIN_ROW_HEIGHT_PX = 8
#: Ink at most this many line heights (ems) high is one printed line; a taller cell
#: holds a text wrapped onto several lines (:func:`text_bands`).
MAX_SINGLE_LINE_EM = 1.6
#: The median absolute deviation of normally distributed noise times this is its standard deviation.
MAD_TO_SIGMA = 1.4826
#: Ink covering at least this share of a page reaches into its darkest 1 % far enough that
#: the 1st percentile is dark ink, not the ink's grey edges (see :func:`ink_threshold`).
DENSE_INK_SHARE = 0.02
#: Blank pixel rows fewer than this many ems apart do not separate two printed lines.
BAND_JOIN_EM = 0.25
#: A run of inked rows lower than this many ems is a speck, not a printed line.
MIN_BAND_EM = 0.3


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class _Rule:
    """A rule: its extent across (``start``-``end``) and along (``low``-``high``) itself."""

    low: int
    high: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a ruled table: the boxes inside its rules, left to right."""

    cells: tuple[Box, ...]

    @property
    def box(self) -> Box:
        return Box(self.cells[0].left, self.cells[0].top, self.cells[-1].right, self.cells[-1].bottom)

    @property
    def boundaries(self) -> tuple[int, ...]:
        """x of the boundaries between cells: the middles of the rules that divide the row."""
        return tuple((a.right + b.left) // 2 for a, b in pairwise(self.cells))


def table_rows(horizontal: np.ndarray, vertical: np.ndarray) -> list[TableRow]:
    """The rows of every ruled table in the masks of a page's horizontal and vertical rules.

    Top to bottom.  A row's cells lie between its rules, each rule's own pixels left out
    (boxes include their left and top edges, not their right and bottom).  A table
    without rules between its columns (a three-line table) has no rows here.

    >>> page = np.zeros((40, 60), dtype=bool)
    >>> horizontal, vertical = page.copy(), page.copy()
    >>> horizontal[[5, 20, 35], 5:55] = True    # three rules: two rows
    >>> vertical[5:36, [5, 30, 54]] = True      # a border, a column rule, a border
    >>> [[(c.left, c.top, c.right, c.bottom) for c in row.cells] for row in table_rows(horizontal, vertical)]
    [[(6, 6, 30, 20), (31, 6, 54, 20)], [(6, 21, 30, 35), (31, 21, 54, 35)]]
    """
    horizontals = _rules_of(horizontal)
    verticals = _rules_of(vertical.T)
    rows: list[TableRow] = []
    for above, below in pairwise(horizontals):
        start, end = max(above.start, below.start), min(above.end, below.end)
        if end <= start or below.low - above.high < MIN_ROW_HEIGHT_PX:
            continue
        dividers = [
            rule
            for rule in verticals
            if start - REACH_PX <= rule.low
            and rule.high <= end + REACH_PX  # within the rules' span
            and rule.start <= above.high + REACH_PX
            and rule.end >= below.low - REACH_PX
        ]
        inner = [rule for rule in dividers if rule.low > start + REACH_PX and rule.high < end - REACH_PX]
        if not inner:
            continue
        left = max((rule.high for rule in dividers if rule.high <= start + REACH_PX), default=start - 1) + 1
        right = min((rule.low for rule in dividers if rule.low >= end - REACH_PX), default=end + 1)
        # Each rule as (its first column, the column after it): a cell runs between two.
        edges = [(left, left), *((rule.low, rule.high + 1) for rule in inner), (right, right)]
        cells = []
        for (_, cell_left), (cell_right, _) in pairwise(edges):
            top = _edge(horizontal, above, cell_left, cell_right, side="bottom") + 1
            bottom = _edge(horizontal, below, cell_left, cell_right, side="top")
            cells.append(Box(cell_left, top, cell_right, bottom))
        rows.append(TableRow(tuple(cells)))
    return rows


def _rules_of(mask: np.ndarray) -> list[_Rule]:
    """The rules of a mask of horizontal rules (pass the transpose for vertical ones).

    Rows of the mask that hold rule pixels and lie within :data:`RULE_MERGE_PX` of each
    other form one rule (a skewed rule climbs across several), spanning the columns its
    pixels cover.  Two tables side by side at the same height would merge into one.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > RULE_MERGE_PX)
    rules = []
    for first, last in zip(
        np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [rows.size - 1])), strict=True
    ):
        low, high = int(rows[first]), int(rows[last])
        columns = np.flatnonzero(mask[low : high + 1].any(axis=0))
        rules.append(_Rule(low=low, high=high, start=int(columns[0]), end=int(columns[-1])))
    return rules


def _edge(mask: np.ndarray, rule: _Rule, left: int, right: int, *, side: str) -> int:
    """The top or bottom row of ``rule``'s pixels between columns ``left`` and ``right``.

    Measured over the cell's own columns, so that a skewed rule bounds each cell where
    it runs past that cell, not where it runs at its far end.
    """
    band = mask[rule.low : rule.high + 1, max(left, 0) : right + 1]
    rows = np.flatnonzero(band.any(axis=1))
    if rows.size == 0:
        return rule.high if side == "bottom" else rule.low
    return rule.low + int(rows[-1] if side == "bottom" else rows[0])


def text_bands(ink: np.ndarray, *, em: float, pad: int) -> list[slice]:
    """The rows of each printed line in a crop's ``ink``, top to bottom, with ``pad`` rows around.

    A table cell may hold a wrapped text of two or three lines, and the recognizer reads
    one line at a time.  Lines are the runs of pixel rows that hold ink, joined across
    gaps under :data:`BAND_JOIN_EM` (the gap inside 二 or between a quote and its
    line); a run lower than :data:`MIN_BAND_EM` is a speck and goes, unless it is all
    there is.  Ink no taller than :data:`MAX_SINGLE_LINE_EM` is one line.  No ink: [].

    >>> ink = np.zeros((60, 8), dtype=bool); ink[5:17, 2] = ink[30:42, 3] = True
    >>> text_bands(ink, em=12, pad=2)
    [slice(3, 19, None), slice(28, 44, None)]
    >>> text_bands(ink[:20], em=12, pad=2)
    [slice(3, 19, None)]
    """
    rows = np.asarray(ink.any(axis=1))
    inked = np.flatnonzero(rows)
    if inked.size == 0:
        return []
    if inked[-1] + 1 - inked[0] <= MAX_SINGLE_LINE_EM * em:
        # Trimmed: a one-line cell centred in a row three lines high came back as a
        # third of the recognizer's input height and misread (2014.02.25 -> 2040).
        return [slice(max(int(inked[0]) - pad, 0), min(int(inked[-1]) + 1 + pad, ink.shape[0]))]
    bands: list[list[int]] = []
    for start, end in true_runs(rows):
        if bands and start - bands[-1][1] < BAND_JOIN_EM * em:
            bands[-1][1] = end
        else:
            bands.append([start, end])
    kept = [band for band in bands if band[1] - band[0] >= MIN_BAND_EM * em] or bands
    return [slice(max(start - pad, 0), min(end + pad, ink.shape[0])) for start, end in kept]


def ink_bands(ink: np.ndarray, cell: Box, *, em: float) -> list[Box]:
    """The ink of each printed line in ``cell``, top to bottom: its bounding boxes on the page."""
    inside = ink[cell.top : cell.bottom, cell.left : cell.right]
    boxes = []
    for band in text_bands(inside, em=em, pad=0):
        columns = inked_columns(inside[band], slice(0, inside.shape[1]), pad=0)
        boxes.append(
            Box(
                cell.left + columns.start,
                cell.top + band.start,
                cell.left + columns.stop,
                cell.top + band.stop,
            )
        )
    return boxes


def inked_columns(ink: np.ndarray, columns: slice, *, pad: int) -> slice:
    """``columns`` narrowed to those that hold ink in ``ink``, with ``pad`` more each side
    (within ``columns``); unchanged when they hold none.

    >>> ink = np.zeros((3, 20), dtype=bool); ink[1, [6, 9]] = True
    >>> inked_columns(ink, slice(2, 18), pad=2)
    slice(4, 12, None)
    """
    inked = np.flatnonzero(ink[:, columns].any(axis=0))
    if inked.size == 0:
        return columns
    start, stop = columns.start or 0, columns.stop
    return slice(max(start + int(inked[0]) - pad, start), min(start + int(inked[-1]) + 1 + pad, stop))


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D array, end exclusive.

    >>> true_runs(np.array([False, True, True, False, True]))
    [(1, 3), (4, 5)]
    """
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]


def ink_threshold(gray: np.ndarray, *, noise_sigmas: float) -> float:
    """The grey level under which a pixel of ``gray`` is ink: halfway between the paper and
    its dark ink.

    The paper is the median pixel.  The dark ink was the page's 1st percentile, which on
    a page with little ink (the last lines of a poem) is paper noise: on a scan whose
    three lines covered 0.2 % of it, the 1st percentile lay 5 grey levels under the paper,
    specks along the lines became ink, and the lines' boxes and sizes came out 1.8 times
    too large.  So only pixels more than ``noise_sigmas`` times the paper's own spread
    (the median absolute deviation, scaled to a standard deviation) under the paper count
    as ink, and the dark ink is the page's 1st percentile where ink covers 2 % of the page
    or more (a page of text: as before) and the median of that ink where it covers less.
    How much else is on its page no longer decides how a line's ink is measured.

    >>> rng = np.random.default_rng(0)
    >>> page = np.clip(rng.normal(240, 1.5, (200, 200)), 0, 255).astype(np.uint8)
    >>> page[100:104, 20:60] = 40                      # one short stroke: 0.4 % of the page
    >>> round(float(np.percentile(page, 1)))           # the 1st percentile is paper
    236
    >>> ink_threshold(page, noise_sigmas=6.0)
    139.5
    >>> page[:, :] = 240; ink_threshold(page, noise_sigmas=6.0)   # blank: no ink to find
    234.0
    """
    paper = int(np.median(gray))
    spread = max(1.0, MAD_TO_SIGMA * float(np.median(np.abs(gray.astype(np.int16) - paper))))
    lightest_ink = paper - noise_sigmas * spread
    ink = gray[gray < lightest_ink]
    if ink.size == 0:
        return round(lightest_ink, 1)
    if ink.size >= DENSE_INK_SHARE * gray.size:
        return (paper + int(np.percentile(gray, 1))) / 2
    return (paper + int(np.median(ink))) / 2


def remove_rules(image: Image.Image, *, min_length: int, noise_sigmas: float) -> Image.Image:
    """``image`` (grayscale) with its horizontal and vertical rules painted the paper's colour.

    Ink is what is darker than :func:`ink_threshold`.  A rule is a path of ink at least ``min_length``
    pixels long that runs across the image one pixel column (or row) at a time, and may
    step one pixel up or down (left or right) at each: scans are skewed, so a straight
    rule climbs a pixel every few dozen.  Each rule, with :data:`RULE_FRINGE` pixels either
    side, becomes paper.  Strokes of characters are far shorter than ``min_length``, and
    characters stand apart, so no path runs through text.
    """
    _, horizontal, vertical = find_rules(image, min_length=min_length, noise_sigmas=noise_sigmas)
    return paint_out(image, horizontal, vertical)


def find_rules(
    image: Image.Image, *, min_length: int, noise_sigmas: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of the ink that is not rules, the horizontal and the vertical rules of
    ``image`` (see :func:`remove_rules`)."""
    gray = np.asarray(image.convert("L"))
    ink = gray < ink_threshold(gray, noise_sigmas=noise_sigmas)
    horizontal = _long_paths(ink, min_length)
    vertical = _long_paths(ink.T, min_length).T
    return ink & ~_grow(horizontal, axis=0) & ~_grow(vertical, axis=1), horizontal, vertical


def paint_out(image: Image.Image, horizontal: np.ndarray, vertical: np.ndarray) -> Image.Image:
    """``image`` in grayscale with the rules of the masks, and their fringes, painted paper."""
    if not horizontal.any() and not vertical.any():
        return image
    gray = np.asarray(image.convert("L"))
    cleaned = gray.copy()
    cleaned[_grow(horizontal, axis=0) | _grow(vertical, axis=1)] = int(np.median(gray))
    return Image.fromarray(cleaned, mode="L")


def _long_paths(ink: np.ndarray, min_length: int) -> np.ndarray:
    """Pixels of ``ink`` on a left-to-right 8-connected path at least ``min_length`` long."""
    height, width = ink.shape
    if width < min_length:
        return np.zeros_like(ink)

    def reach(columns: range) -> np.ndarray:
        # Length of the longest path ending at each pixel, coming from the far side.
        lengths = np.zeros((height, width), dtype=np.int32)
        previous = np.zeros(height + 2, dtype=np.int32)
        for x in columns:
            best = np.maximum(np.maximum(previous[:-2], previous[1:-1]), previous[2:])
            previous[1:-1] = lengths[:, x] = np.where(ink[:, x], best + 1, 0)
        return lengths

    through = reach(range(width)) + reach(range(width - 1, -1, -1)) - 1
    return through >= min_length


def _grow(mask: np.ndarray, *, axis: int) -> np.ndarray:
    """``mask`` widened by :data:`RULE_FRINGE` pixels both ways along ``axis``."""
    grown = mask.copy()
    for step in range(1, RULE_FRINGE + 1):
        if axis == 0:
            grown[step:] |= mask[:-step]
            grown[:-step] |= mask[step:]
        else:
            grown[:, step:] |= mask[:, :-step]
            grown[:, :-step] |= mask[:, step:]
    return grown


@dataclass(frozen=True, slots=True)
class PageInk:
    """A page image prepared once for every OCR path: rules painted out, ink found.

    ``image`` and ``gray`` are the page without its rules (PIL and numpy views of the
    same pixels); ``ink`` marks the dark pixels that are not rules; ``horizontal`` and
    ``vertical`` the rules themselves, from which :meth:`table_rows` finds ruled tables.
    """

    image: Image.Image
    gray: np.ndarray
    ink: np.ndarray
    horizontal: np.ndarray
    vertical: np.ndarray

    @classmethod
    def of(cls, image: Image.Image, *, scale: float, noise_sigmas: float) -> PageInk:
        """Prepare ``image``, whose pixels are ``scale`` points wide (``noise_sigmas``: see
        :func:`ink_threshold`)."""
        ink, horizontal, vertical = find_rules(
            image, min_length=round(RULE_MIN_LENGTH_PT / scale), noise_sigmas=noise_sigmas
        )
        clean = paint_out(image.convert("L"), horizontal, vertical)
        return cls(clean, np.asarray(clean), ink, horizontal, vertical)

    def table_rows(self) -> list[TableRow]:
        return table_rows(self.horizontal, self.vertical)
