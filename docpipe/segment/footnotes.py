"""Footnotes: lift them off the foot of each page and give each to the article it annotates.

A footnote is found from typesetting alone: at the foot of a page (inside
``Settings.footnote_band`` of its bottom edge, after the running footer is gone),
set smaller than the body (at most ``Settings.footnote_size_ratio`` of its glyph
size; on an OCR page, where that is a box's height, the run must also be set
apart from the text above by a blank), and opening with a marker: ``①``, ``1``,
``[1]``, ``*``, ``注：``.  The run
of such lines that ends the page is the page's notes; a line of it that opens
with a marker starts a note, any other continues the one before.  Lifted before
wrap repair, the notes never interrupt the sentence that runs on to the next
page.  The marker in the body stays as printed; each note goes to the row whose
text carries its marker on that page, else to the row open at the foot of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from statistics import median

from cleaners.records import Line, Page
from docpipe.segment.model import Article
from docpipe.settings import Settings

#: What opens a footnote: a circled number, a number (bare, bracketed or followed by
#: a dot or space), an asterisk or dagger, or 注 (注：, 注1：).
_MARKER = re.compile(
    r"^\s*(?P<marker>[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2776-\u277f]"
    r"|[\[［【(（]\s*\d{1,3}\s*[\]］】)）]"
    r"|\d{1,3}(?![\d年月日.．,，:：%％])"
    r"|[*＊†‡]+"
    r"|注\s*\d{0,2}\s*[：:])"
)


_BARE_MARKER = re.compile(r"^\s*[\dIVXivx]{1,4}\s*$")


@dataclass(frozen=True, slots=True)
class Footnote:
    page: int
    marker: str  # as printed at the start of the note, e.g. ``①`` or ``[2]``
    text: str  # the whole note, its marker included


def footnote_marker(text: str) -> str | None:
    """The marker a footnote line opens with, or ``None``.

    >>> [footnote_marker(t) for t in ("①参见文件。", "[2] 数据截至年底。", "注：单位万元。", "3 同上。")]
    ['①', '[2]', '注：', '3']
    >>> [footnote_marker(t) for t in ("2014年全国统计", "1.5倍", "图1 流程", "数据共享平台")]
    [None, None, None, None]
    """
    match = _MARKER.match(text)
    return match["marker"].strip() if match else None


def lift_footnotes(pages: Sequence[Page], *, settings: Settings) -> tuple[list[Page], list[Footnote]]:
    """The pages without their footnote lines, and the footnotes in reading order."""
    body = _body_size([line for page in pages for line in page.lines])
    kept: list[Page] = []
    notes: list[Footnote] = []
    for page in pages:
        run = _foot_run(page, body, settings)
        if not run:
            kept.append(page)
            continue
        lifted = {id(line) for line in run}
        kept.append(replace(page, lines=tuple(line for line in page.lines if id(line) not in lifted)))
        for line in run:
            marker = footnote_marker(line.text)
            if marker is not None or not notes or notes[-1].page != page.number:
                notes.append(Footnote(page.number, marker or "", line.text.strip()))
            else:
                notes[-1] = replace(notes[-1], text=notes[-1].text + line.text.strip())
    return kept, notes


def _body_size(lines: Sequence[Line]) -> float:
    """The glyph size most characters are set in."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _foot_run(page: Page, body: float, settings: Settings) -> list[Line]:
    """The small lines that end the page, in the band, the first opening with a marker.

    On an OCR page, where a size is a box's height and varies by a fifth, the run must
    also stand apart from the text above it (a rule or a space; ``heading_isolation``
    usual line spaces).
    """
    if page.height <= 0 or body <= 0:
        return []
    ocr = page.method != "text"
    band_top = page.height * (1 - settings.footnote_band)
    ordered = sorted(page.lines, key=lambda line: (line.top, line.x0))
    # A marker with nothing after it at the foot is a folio the furniture band missed (a
    # two-page paper numbers only its second page), not a note.
    while ordered and _BARE_MARKER.match(ordered[-1].text):
        ordered.pop()
    start = len(ordered)
    while start > 0:
        line = ordered[start - 1]
        if line.top < band_top or line.size > body * settings.footnote_size_ratio or not line.text.strip():
            break
        start -= 1
    run = ordered[start:]
    # The run opens at a marker: the small lines above the first note are something else (a caption).
    while run and footnote_marker(run[0].text) is None:
        run = run[1:]
    if len(run) == len(ordered):
        return []  # a page of small print alone is text, not notes
    if ocr and run and not _stands_apart(ordered, len(ordered) - len(run), settings):
        return []
    return run


def _stands_apart(ordered: Sequence[Line], first: int, settings: Settings) -> bool:
    """Whether the line at ``first`` has more blank above it than ``heading_isolation``
    usual line spaces (the median blank between the page's lines)."""
    gaps = [b.top - a.bottom for a, b in pairwise(ordered) if b.top >= a.bottom]
    if not gaps or first == 0:
        return False
    usual = max(median(gaps), 1e-6)
    return (ordered[first].top - ordered[first - 1].bottom) / usual >= settings.heading_isolation


def attach_footnotes(articles: Sequence[Article], notes: Sequence[Footnote]) -> tuple[Article, ...]:
    """Give each note to the row whose text on that page carries its marker, else the row open there."""
    given: list[list[str]] = [list(article.footnotes) for article in articles]
    for note in notes:
        on_page = [i for i, a in enumerate(articles) if a.page_start <= note.page <= a.page_end]
        open_there = [i for i, a in enumerate(articles) if a.page_start <= note.page]
        # A bare number or asterisk is in too many texts to say where the note belongs.
        bare_number = note.marker.isascii() and note.marker.isdigit()  # ① is a digit to Python too
        distinctive = bool(note.marker.strip("*＊†‡")) and not bare_number
        marked = [i for i in on_page if distinctive and note.marker in _text(articles[i])]
        chosen = marked[0] if marked else (on_page or open_there or [0])[-1]
        if articles:
            given[chosen].append(note.text)
    return tuple(
        replace(article, footnotes=tuple(notes_of)) if notes_of else article
        for article, notes_of in zip(articles, given, strict=True)
    )


def _text(article: Article) -> str:
    return "".join((article.title, *article.paragraphs))
