"""Reading order of a page's lines: columns and sidebars read one after another, not across.

A line model sorted top to bottom reads a two-column page straight across: the
first line of the left column, then the first line of the right one, and so on
(``所当属前行价业格``).  Columns are found from the page's own geometry, for
text-layer and OCR lines alike: a *gutter* is a vertical band at least
``settings.column_gap_em`` wide that no line of a stretch of the page crosses,
with lines side by side on both sides of it, and, on its left, a column of
running text (most of its lines reach the column's right edge: set justified).
That last condition keeps tables and contents pages, whose cells and page
numbers also line up down the page, read row by row.

Lines that cross a gutter (a title over both columns) cut the page into
stretches; within a stretch the lines left of the gutter are read before those
right of it, recursively, so a sidebar right of two columns comes after both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

from cleaners.records import Line

__all__ = ["ColumnSettings", "Gutter", "column_blocks", "find_gutter", "order_lines_by_columns"]


class ColumnSettings(Protocol):
    """The thresholds column finding reads; ``docpipe.settings.Settings`` documents and holds them."""

    @property
    def column_gap_em(self) -> float: ...
    @property
    def column_min_lines(self) -> int: ...
    @property
    def column_justified_share(self) -> float: ...
    @property
    def column_justified_tolerance_em(self) -> float: ...
    @property
    def column_min_width_em(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Gutter:
    """A vertical band between two columns: lines left of ``x0`` are read before lines right of ``x1``."""

    x0: float
    x1: float


def order_lines_by_columns(lines: Sequence[Line], *, settings: ColumnSettings) -> list[Line]:
    """The lines of one page in reading order: each column top to bottom, columns left to right.

    A page without columns comes back sorted top to bottom, left to right:

    >>> def line(text, x0, top, x1):
    ...     return Line(text=text, page=1, x0=x0, top=top, x1=x1, bottom=top + 10, size=10)
    >>> page = [line("左一左一左一左一", 50, 100, 130), line("右一右一右一右一", 150, 100, 230),
    ...         line("左二左二左二左二", 50, 116, 130), line("右二右二右二右二", 150, 116, 230),
    ...         line("左三左三左三左三", 50, 132, 130), line("右三右三右三", 150, 132, 210)]
    >>> [l.text[:2] for l in order_lines_by_columns(page, settings=settings)]
    ['左一', '左二', '左三', '右一', '右二', '右三']
    """
    return [line for block in column_blocks(lines, settings=settings) for line in block]


def column_blocks(lines: Sequence[Line], *, settings: ColumnSettings) -> list[list[Line]]:
    """The lines of one page as blocks in reading order: a column's stretch, or lines read as one.

    Each block is sorted top to bottom; a block is what a wrap-repair step
    can measure as one text column.
    """
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    if len(ordered) < 2 * settings.column_min_lines:
        return [ordered] if ordered else []
    gutter = find_gutter(ordered, settings=settings)
    if gutter is None:
        return [ordered]
    blocks: list[list[Line]] = []
    for stretch in _stretches(ordered, gutter):
        left = [line for line in stretch if line.x1 <= gutter.x0]
        right = [line for line in stretch if line.x0 >= gutter.x1]
        if len(left) + len(right) < len(stretch):  # lines across the gutter: read as they come
            _append(blocks, stretch)
        elif _side_by_side(left, right, settings):
            blocks += column_blocks(left, settings=settings)
            blocks += column_blocks(right, settings=settings)
        else:
            _append(blocks, stretch)
    return blocks


def find_gutter(lines: Sequence[Line], *, settings: ColumnSettings) -> Gutter | None:
    """The leftmost gutter of the page that has a justified text column on its left, or None."""
    if not lines:
        return None
    em = median(line.size for line in lines)
    starts = sorted({line.x0 for line in lines})
    for edge in sorted({line.x1 for line in lines}):
        right_start = next((x for x in starts if x >= edge + settings.column_gap_em * em), None)
        if right_start is None:
            continue
        gutter = Gutter(edge, right_start)
        if any(
            _side_by_side(left, right, settings) and _is_text_column(left, em, settings)
            for left, right in _sides_per_stretch(lines, gutter)
        ):
            return gutter
    return None


# --- helpers -------------------------------------------------------------------


def _crosses(line: Line, gutter: Gutter) -> bool:
    return line.x1 > gutter.x0 and line.x0 < gutter.x1


def _stretches(lines: Sequence[Line], gutter: Gutter) -> list[list[Line]]:
    """``lines`` (sorted by top) cut at every line that crosses the gutter.

    Consecutive crossing lines form stretches of their own.
    """
    stretches: list[list[Line]] = [[]]
    for line in lines:
        if _crosses(line, gutter):
            if stretches[-1] and not all(_crosses(other, gutter) for other in stretches[-1]):
                stretches.append([])
            stretches[-1].append(line)
        else:
            if stretches[-1] and all(_crosses(other, gutter) for other in stretches[-1]):
                stretches.append([])
            stretches[-1].append(line)
    return [stretch for stretch in stretches if stretch]


def _sides_per_stretch(lines: Sequence[Line], gutter: Gutter) -> list[tuple[list[Line], list[Line]]]:
    sides = []
    for stretch in _stretches(lines, gutter):
        left = [line for line in stretch if line.x1 <= gutter.x0]
        right = [line for line in stretch if line.x0 >= gutter.x1]
        sides.append((left, right))
    return sides


def _side_by_side(left: Sequence[Line], right: Sequence[Line], settings: ColumnSettings) -> bool:
    """Enough lines on both sides, and the two sides share a vertical stretch of the page."""
    if len(left) < settings.column_min_lines or len(right) < settings.column_min_lines:
        return False
    top = max(min(line.top for line in left), min(line.top for line in right))
    bottom = min(max(line.bottom for line in left), max(line.bottom for line in right))
    pitch = median(line.height for line in (*left, *right))
    return bottom - top >= settings.column_min_lines * pitch


def _is_text_column(lines: Sequence[Line], em: float, settings: ColumnSettings) -> bool:
    """Running text set justified: wide lines, most of them ending at the column's right edge."""
    if median(line.width for line in lines) < settings.column_min_width_em * em:
        return False  # a column of numbers or labels
    edge = max(line.x1 for line in lines)
    full = sum(1 for line in lines if edge - line.x1 <= settings.column_justified_tolerance_em * em)
    return full >= max(settings.column_min_lines, settings.column_justified_share * len(lines))


def _append(blocks: list[list[Line]], lines: list[Line]) -> None:
    blocks.append(sorted(lines, key=lambda line: (line.top, line.x0)))
