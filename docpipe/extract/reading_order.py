"""Reading order of the text boxes of a page image: rows, and columns found from the page.

A text detector gives boxes, not lines in reading order.  Boxes that share a row
(overlap in height) and stand close are one printed line; a row whose boxes stand
far apart is either a table row (its cells are read across, joined by tabs) or the
lines of two columns that happen to share a baseline (read one column after the
other).  The difference is in the page's own geometry: columns are separated by a
vertical strip of paper that runs down many consecutive rows, with wide text on
both sides, while full-width lines (a title across both columns, a running head)
cross it and end the run.  Everything here is in pixels and pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Protocol

from docpipe.extract.tables import Box


class BoxOrderSettings(Protocol):
    """The thresholds reading order reads; ``docpipe.settings.Settings`` documents and holds them.

    A strip of paper at least ``column_gap_em`` line heights wide, running down at least
    ``column_min_rows`` consecutive rows, with boxes of median width at least
    ``ocr_column_min_width_em`` on each side, separates columns, when the column left of
    it is running text: at least ``column_justified_share`` of its lines (and no fewer
    than ``column_min_lines``) end within ``column_justified_tolerance_em`` of its right
    edge, as on text pages; boxes overlapping by ``ocr_row_overlap`` of the smaller
    height share a row.
    """

    @property
    def column_gap_em(self) -> float: ...
    @property
    def column_min_lines(self) -> int: ...
    @property
    def ocr_column_min_width_em(self) -> float: ...
    @property
    def ocr_row_overlap(self) -> float: ...
    @property
    def column_justified_share(self) -> float: ...
    @property
    def column_justified_tolerance_em(self) -> float: ...


def union(rects: Sequence[Box]) -> Box:
    return Box(
        min(r.left for r in rects),
        min(r.top for r in rects),
        max(r.right for r in rects),
        max(r.bottom for r in rects),
    )


def rows_of(rects: Sequence[Box], *, settings: BoxOrderSettings) -> list[list[Box]]:
    """``rects`` grouped into rows, top to bottom, each row's rects left to right.

    A rect joins the row it overlaps by ``settings.ocr_row_overlap`` of the smaller height.

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> rows = rows_of([Box(50, 0, 90, 10), Box(0, 1, 40, 11), Box(0, 20, 90, 30)], settings=S)
    >>> [[(r.left, r.top) for r in row] for row in rows]
    [[(0, 1), (50, 0)], [(0, 20)]]
    """
    rows: list[list[Box]] = []
    for rect in sorted(rects, key=lambda r: ((r.top + r.bottom) / 2, r.left)):
        for row in reversed(rows[-3:]):
            span = union(row)
            overlap = min(span.bottom, rect.bottom) - max(span.top, rect.top)
            if overlap >= settings.ocr_row_overlap * min(rect.height, span.height):
                row.append(rect)
                break
        else:
            rows.append([rect])
    return [sorted(row, key=lambda r: r.left) for row in rows]


def reading_order(
    rects: Sequence[Box], *, em: float | None = None, settings: BoxOrderSettings
) -> list[list[Box]]:
    """The printed lines of ``rects`` in reading order, each line's rects left to right.

    Rows (:func:`rows_of`) are read top to bottom, except where consecutive rows share a
    strip of paper at least ``column_gap_em`` wide that no rect crosses and that
    has text on both sides: such a run of at least ``column_min_lines`` rows, with
    text on each side at least ``ocr_column_min_width_em`` wide, is a set of columns,
    read one after another (each in the same way, so a column may hold a sidebar of its
    own).  ``em`` is the line height; the median rect height when None.

    Two columns whose lines share baselines, under a title across both:

    >>> title = Box(0, 0, 210, 10)
    >>> left = [Box(0, 20 * i, 100, 20 * i + 10) for i in range(1, 5)]
    >>> right = [Box(110, 20 * i, 210, 20 * i + 10) for i in range(1, 5)]
    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> [[(r.left, r.top) for r in line] for line in reading_order([title, *left, *right], em=10, settings=S)]
    [[(0, 0)], [(0, 20)], [(0, 40)], [(0, 60)], [(0, 80)], [(110, 20)], [(110, 40)], [(110, 60)], [(110, 80)]]
    """
    if not rects:
        return []
    em = em or float(statistics.median(r.height for r in rects))
    rows = rows_of(rects, settings=settings)
    lines: list[list[Box]] = []
    start = 0
    while start < len(rows):
        end, gaps = _column_run(rows, start, em=em, settings=settings)
        if gaps:
            lines += _read_columns(
                [r for row in rows[start:end] for r in row], gaps, em=em, settings=settings
            )
            start = end
        else:
            lines.append(rows[start])
            start += 1
    return lines


def _column_run(
    rows: Sequence[Sequence[Box]], start: int, *, em: float, settings: BoxOrderSettings
) -> tuple[int, list[tuple[int, int]]]:
    """The end of the longest run of rows from ``start`` that columns divide, and the gaps
    between its columns; ``(start + 1, [])`` when no such run starts there."""
    best_end, best_gaps = start + 1, []
    free = _free(rows[start])
    end = start + 1
    while end < len(rows):
        shared = _intersect(free, _free(rows[end]))
        if not _inner_gaps(shared, rows[start : end + 1], em=em, settings=settings) or _splits_a_gap(
            free, shared
        ):
            break
        free = shared
        end += 1
        gaps = _inner_gaps(free, rows[start:end], em=em, settings=settings)
        if (
            end - start >= settings.column_min_lines
            and _wide_columns(rows[start:end], gaps, em=em, settings=settings)
            and _justified_columns(rows[start:end], gaps, em=em, settings=settings)
        ):
            best_end, best_gaps = end, gaps
    return best_end, best_gaps


def _splits_a_gap(before: Sequence[tuple[int, int]], after: Sequence[tuple[int, int]]) -> bool:
    """Whether a row put ink inside a free interval rather than at its side: a page number
    centred under two columns lies in their gap, and is no part of either."""
    return any(
        sum(start <= piece_start and piece_end <= end for piece_start, piece_end in after) > 1
        for start, end in before
    )


def _free(row: Sequence[Box]) -> list[tuple[int, int]]:
    """The x-intervals a row's rects leave free (unbounded on the outside)."""
    free = []
    left = -(10**9)
    for rect in sorted(row, key=lambda r: r.left):
        if rect.left > left:
            free.append((left, rect.left))
        left = max(left, rect.right)
    free.append((left, 10**9))
    return free


def _intersect(first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    result = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if end > start:
                result.append((start, end))
    return result


def _inner_gaps(
    free: Sequence[tuple[int, int]], rows: Sequence[Sequence[Box]], *, em: float, settings: BoxOrderSettings
) -> list[tuple[int, int]]:
    """The free intervals at least ``column_gap_em`` wide with text of ``rows`` on both sides."""
    rects = [r for row in rows for r in row]
    low, high = min(r.left for r in rects), max(r.right for r in rects)
    return [
        (start, end)
        for start, end in free
        if start >= low and end <= high and end - start >= settings.column_gap_em * em
    ]


def _wide_columns(
    rows: Sequence[Sequence[Box]], gaps: Sequence[tuple[int, int]], *, em: float, settings: BoxOrderSettings
) -> bool:
    """Whether every column the gaps cut holds rects of median width >= ``ocr_column_min_width_em``."""
    columns = _split(([r for row in rows for r in row]), gaps)
    return all(
        column and statistics.median(r.width for r in column) >= settings.ocr_column_min_width_em * em
        for column in columns
    )


def _justified_columns(
    rows: Sequence[Sequence[Box]], gaps: Sequence[tuple[int, int]], *, em: float, settings: BoxOrderSettings
) -> bool:
    """Whether every column left of a gap is running text, whose lines fill its measure.

    The cells of an unruled table line up down the page as columns do, and a wide label
    column makes them as wide as a column of text; but a cell ends where its words end,
    while a column of text is justified and most of its lines reach its right edge (the
    same judgement as cleaners/columns.py makes on text pages).
    """
    columns = _split([r for row in rows for r in row], gaps)
    for column in columns[:-1]:
        ends = [max(r.right for r in line) for line in rows_of(column, settings=settings)]
        reach = settings.column_justified_tolerance_em * em
        # The edge is where most lines end, not the furthest end: an OCR box ends at the ink,
        # and a closing quote or a bracket juts out past the measure where a comma stops short.
        full = max(sum(0 <= edge - end <= reach for end in ends) for edge in ends)
        if full < max(settings.column_min_lines, settings.column_justified_share * len(ends)):
            return False
    return True


def _split(rects: Sequence[Box], gaps: Sequence[tuple[int, int]]) -> list[list[Box]]:
    cuts = sorted((start + end) / 2 for start, end in gaps)
    columns: list[list[Box]] = [[] for _ in range(len(cuts) + 1)]
    for rect in rects:
        middle = (rect.left + rect.right) / 2
        columns[sum(middle > cut for cut in cuts)].append(rect)
    return columns


def _read_columns(
    rects: Sequence[Box], gaps: Sequence[tuple[int, int]], *, em: float, settings: BoxOrderSettings
) -> list[list[Box]]:
    columns = _split(rects, gaps)
    return [line for column in columns for line in reading_order(column, em=em, settings=settings)]
