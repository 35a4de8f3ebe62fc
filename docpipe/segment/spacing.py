"""How far each paragraph stands from its neighbours: the isolation that marks a heading on OCR pages.

An OCR line has no font and a size measured from its box, which varies by a fifth
from line to line (a bracket or a descender makes a box taller); the blank space
a typesetter puts above a heading does not vary so.  For each paragraph this
module measures the blank space above its first line and below its last, in
multiples of the document's usual space between two lines (the median over all
lines).  A paragraph that opens a page is measured against the foot of the page
before: a page that ended well short of the text block's bottom was broken on
purpose (a chapter or a poem starts on a new page), so what opens the next one
stands apart.  ``None`` where nothing tells: the first paragraph of the document,
the first of a column, the last of a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from cleaners.records import Line, Paragraph


@dataclass(frozen=True, slots=True)
class Spacing:
    above: float | None  # blank space above, in usual line spaces
    below: float | None  # blank space below, the same


def measure_spacing(lines: Sequence[Line], paragraphs: Sequence[Paragraph]) -> list[Spacing]:
    """The spacing of each of ``paragraphs``, made by wrap repair from ``lines`` in reading order.

    Returns no spacing (an empty list) when the paragraphs do not account for the lines
    one to one, in order (they were made from other lines).

    >>> lines = [Line("秋夜", 1, 80, 100, 120, 114, 14), Line("月光落在窗台上", 1, 70, 120, 170, 131, 11),
    ...          Line("风从远山来", 1, 75, 137, 150, 148, 11), Line("晨雾", 1, 80, 184, 120, 198, 14),
    ...          Line("雾里有鸟声", 1, 75, 204, 150, 215, 11)]
    >>> paragraphs = [Paragraph(line.text, 1, 1, line.x0, 0.0, line.size) for line in lines]
    >>> [(s.above, s.below) for s in measure_spacing(lines, paragraphs)]
    [(None, 1.0), (1.0, 1.0), (1.0, 6.0), (6.0, 1.0), (1.0, None)]
    """
    if sum(p.line_count for p in paragraphs) != len(lines):
        return []
    gaps = [b.top - a.bottom for a, b in pairwise(lines) if _same_column(a, b)]
    usual = median(gaps) if gaps else 0.0
    if usual <= 0:
        usual = median(line.height for line in lines) / 2 if lines else 0.0
    if usual <= 0:
        return [Spacing(None, None) for _ in paragraphs]
    text_bottom = max((line.bottom for line in lines), default=0.0)
    spacings: list[Spacing] = []
    start = 0
    for paragraph in paragraphs:
        end = start + paragraph.line_count
        first, last = lines[start], lines[end - 1]
        previous = lines[start - 1] if start > 0 else None
        following = lines[end] if end < len(lines) else None
        above: float | None = None
        if previous is not None and _same_column(previous, first):
            above = (first.top - previous.bottom) / usual
        elif previous is not None and previous.page < first.page:
            # the page before ended short of the text block: broken there on purpose
            above = (text_bottom - previous.bottom) / usual
        below = (following.top - last.bottom) / usual if following and _same_column(last, following) else None
        spacings.append(Spacing(above, below))
        start = end
    return spacings


def _same_column(upper: Line, lower: Line) -> bool:
    """Two lines one under the other on one page (the next column starts higher up)."""
    return upper.page == lower.page and lower.top >= upper.bottom - upper.height / 2
