"""Text-layer extraction: pdfplumber characters grouped into :class:`~docpipe.layout.Line` records.

``extract_text()`` is not enough: it drops the two-character indent that marks a
Chinese paragraph and loses the font and size that tell a heading from body text.
Here every line keeps its bounding box, its dominant font and size, so that
furniture, paragraph breaks and headings are decided from geometry downstream.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from statistics import median
from typing import Any

from docpipe.layout import Line
from docpipe.settings import DEFAULT_SETTINGS, Settings

Char = dict[str, Any]  # a pdfplumber character record

#: A gap this wide (in em) between two characters of a line is a word space.
SPACE_GAP_EM = 0.3
#: Subset fonts carry a tag ("AAAAAB+") that differs between the subsets of one
#: font (a generator may split a CJK font into several 256-glyph subsets).
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
#: pdfplumber renders glyphs it cannot map to Unicode as "(cid:123)".
_CID = re.compile(r"\(cid:\d+\)")


def group_chars_into_lines(
    chars: Iterable[Char], *, page_number: int, settings: Settings = DEFAULT_SETTINGS
) -> list[Line]:
    """Group a page's characters into visual lines, top to bottom.

    Two characters share a line when their vertical centres are within
    ``settings.line_tolerance_em`` of the line's glyph size.  Wide gaps inside a
    line become a tab (table cells, a contents title and its page number),
    narrower ones a space.
    """
    upright = [c for c in chars if c.get("upright", True) and c["text"].strip() != ""]
    upright.sort(key=lambda c: (_centre(c), c["x0"]))
    rows: list[list[Char]] = []
    for char in upright:
        if rows and _same_row(rows[-1], char, settings):
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = [_row_to_line(row, page_number, settings) for row in rows]
    return sorted(lines, key=lambda line: (line.top, line.x0))


def usable_share(text: str) -> float:
    """Share of a text layer's characters that are real text, not unmapped glyphs.

    >>> usable_share("电子政务信息汇编")
    1.0
    >>> usable_share("(cid:12)字")
    0.5
    """
    cids = len(_CID.findall(text))
    rest = _CID.sub("", text)
    visible = [ch for ch in rest if not ch.isspace()]
    private = sum(1 for ch in visible if 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")
    total = cids + len(visible)
    if total == 0:
        return 0.0
    return (len(visible) - private) / total


def base_font_name(fontname: str) -> str:
    """The font's name without its subset tag.

    >>> base_font_name("AAAAAB+UMingCN-0")
    'UMingCN-0'
    """
    return _SUBSET_TAG.sub("", fontname)


def _space_gap(before: str, after: str) -> float:
    # Justification may spread the glyphs of a number; a space inside one would
    # turn 200 into "2 00", so digits need a wider gap to be separated.
    if before.isdigit() and after.isdigit():
        return 2 * SPACE_GAP_EM
    return SPACE_GAP_EM


def _centre(char: Char) -> float:
    return (char["top"] + char["bottom"]) / 2


def _same_row(row: Sequence[Char], char: Char, settings: Settings) -> bool:
    row_centre = median(_centre(c) for c in row)
    size = max(char["size"], median(c["size"] for c in row))
    return abs(_centre(char) - row_centre) < settings.line_tolerance_em * size


def _row_to_line(row: list[Char], page_number: int, settings: Settings) -> Line:
    row.sort(key=lambda c: c["x0"])
    size = median(c["size"] for c in row)
    gaps = [b["x0"] - a["x1"] for a, b in pairwise(row)]
    # Justified lines spread their slack over every glyph gap; measure a gap
    # against the line's usual one so letter-spacing never splits a word.
    usual_gap = max(0.0, median(gaps)) if gaps else 0.0
    parts: list[str] = [row[0]["text"]]
    for previous, char, gap in zip(row[:-1], row[1:], gaps, strict=True):
        extra = gap - usual_gap
        if gap >= settings.tab_gap_em * size:
            parts.append("\t")
        elif extra >= _space_gap(previous["text"], char["text"]) * size:
            parts.append(" ")
        parts.append(char["text"])
    fonts = Counter(base_font_name(c.get("fontname", "")) for c in row)
    return Line(
        text="".join(parts),
        page=page_number,
        x0=min(c["x0"] for c in row),
        top=min(c["top"] for c in row),
        x1=max(c["x1"] for c in row),
        bottom=max(c["bottom"] for c in row),
        size=round(size, 2),
        font=fonts.most_common(1)[0][0],
    )
