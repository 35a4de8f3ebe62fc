"""Running headers, footers and page numbers: find them on every page and lift them out of the text.

A printed page carries *furniture* around its text block: a running header
(the publication's title, the issue, the chapter), a footer, a page number.
Left in, it lands in the middle of the articles that run across pages.  It is
recognised from structure alone, never from the words of a particular
publication, so that it works on any digest or book:

The unit is the *row*: the lines of a page that share a baseline region,
joined left to right, because OCR cuts a running head into pieces and a text
layer may hold the page number as a line of its own beside the header.

* **position** — only rows in the top or bottom band of the page
  (``Settings.furniture_band``) are candidates, and only those peeled off from
  the page's edge inward: a row below a body row is never furniture;
* **repetition** — a row is a running header or footer when a row of the same
  *shape* (digits masked, whitespace removed, and for OCR pages up to a few
  misread characters; similar glyph size) sits in the same band on enough
  pages, counted over the whole document, within odd and within even pages
  (alternating headers), and over runs of nearby pages (a chapter title that
  changes every chapter);
* **separation** — a repeated shape that sits tight against the body on most of
  its pages (no more than the usual gap between body rows, same glyph size) is
  part of the text block, e.g. a table's column heads repeated on every page;
* **page numbers** — a row that reads as a page number is furniture when the
  numbers agree with the physical pages (printed = physical + a fixed offset) on
  at least ``furniture_min_numbered_pages`` pages, or on its own when its form
  cannot be body text (``— 3 —``, ``第 3 页``, ``Page 3``).  A number at the edge
  of a repeated header row (``电子政务信息汇编   3``) counts the same way;
* **a head seen once** — a two-page paper carries its running head on page 2
  only (page 1 has the masthead), so nothing repeats.  The outermost row of a
  band on a page where nothing else was found there is furniture when it stands
  apart from the body in both ways (a wider gap *and* smaller glyphs than the
  body's) and says what a running head says: a page number at its edge
  beside words, or (top band) a run of ``furniture_lone_head_chars`` characters
  of the document's own title or masthead, as printed on its first page; and it
  says no sentence (at the foot, where notes live: no note marker, no citation's
  commas or brackets).

Public helpers: :func:`parse_page_number`, :func:`split_page_number`,
:func:`line_shape`, :func:`find_page_furniture`; the cleaner is
:func:`strip_page_furniture`.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal, Protocol

from cleaners.records import Line, Page

Band = Literal["top", "bottom"]
NumberKind = Literal["arabic", "roman"]
_BANDS: tuple[Band, ...] = ("top", "bottom")
RowId = tuple[int, int]  # (index of the page in the sequence, index of the row on the page)

#: What a run of digits becomes in a line's shape, so that "2014年第4期" and
#: "2014年第5期" (or the page number inside a header) have the same shape.
DIGIT_PLACEHOLDER = "#"
#: Page numbers have at most this many digits; longer runs are years, codes, amounts.
MAX_PAGE_DIGITS = 4


class FurnitureSettings(Protocol):
    """The thresholds furniture detection reads; ``docpipe.settings.Settings`` documents and holds them."""

    @property
    def furniture_band(self) -> float: ...
    @property
    def furniture_min_repeat(self) -> float: ...
    @property
    def furniture_min_pages(self) -> int: ...
    @property
    def furniture_run_gap(self) -> int: ...
    @property
    def furniture_min_run_pages(self) -> int: ...
    @property
    def furniture_ocr_similarity(self) -> float: ...
    @property
    def furniture_size_tolerance(self) -> float: ...
    @property
    def furniture_gap_em(self) -> float: ...
    @property
    def furniture_smaller_font(self) -> float: ...
    @property
    def furniture_min_numbered_pages(self) -> int: ...
    @property
    def furniture_number_x_tolerance_em(self) -> float: ...
    @property
    def furniture_lone_head_chars(self) -> int: ...
    @property
    def fallback_body_size(self) -> float: ...


# --- page-number forms ------------------------------------------------------
# Text is NFKC-normalised first, so full-width digits, brackets, "－" and "～"
# arrive as their ASCII forms.  "一" is in the dash class because Tesseract's
# Chinese model reads a printed em dash as the character for "one".
_DASHES = r"\-‐‑‒–—―−一_~·•"
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = rf"(?P<n>\d{{1,{MAX_PAGE_DIGITS}}}|{_ROMAN})"
_ARABIC = rf"(?P<n>\d{{1,{MAX_PAGE_DIGITS}}})"
_TOTAL = rf"(?P<total>\d{{1,{MAX_PAGE_DIGITS}}})"

#: Forms that body text never takes as a whole line: one such line alone is a page number.
_SELF_EVIDENT_FORMS = (
    re.compile(rf"[{_DASHES}]+\s*{_NUMBER}\s*[{_DASHES}]+", re.IGNORECASE),  # — 3 —, - iv -
    re.compile(  # 第 3 页, 第3页 共20页, 共20页 第3页
        rf"(?:共\s*\d{{1,{MAX_PAGE_DIGITS}}}\s*页\s*[,，、/]?\s*)?第\s*{_ARABIC}\s*页"
        rf"(?:\s*[,，、/]?\s*共\s*{_TOTAL}\s*页)?"
    ),
    re.compile(  # Page 3, Page 3 of 20, p. 3, P3
        rf"(?:page\s*|p\.\s*|p(?=\d)){_NUMBER}(?:\s*(?:of|/)\s*{_TOTAL})?", re.IGNORECASE
    ),
)
#: Forms that a table cell or a list marker may also take: page numbers only when
#: the numbers on several pages agree.
_AMBIGUOUS_FORMS = (
    re.compile(_NUMBER, re.IGNORECASE),  # 3, iv
    re.compile(rf"[(\[〔【〈《<]\s*{_NUMBER}\s*[)\]〕】〉》>]", re.IGNORECASE),  # (3), 〔3〕
    re.compile(rf"{_ARABIC}\s*(?:/|of)\s*{_TOTAL}", re.IGNORECASE),  # 3 / 20, 3 of 20
)
_WHITESPACE = re.compile(r"\s+")
_DIGIT_RUN = re.compile(r"\d+")
_WORD_CHARACTER = re.compile(r"[^\W\d_]")  # a letter or a CJK character
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
#: What a head seen once may not hold: the end of a sentence; at the foot, where notes
#: live, neither a note's marker nor a citation's commas and brackets (…，第 45 页).
_SENTENCE_MARK: dict[Band, re.Pattern[str]] = {
    "top": re.compile(r"[。；!?！？]"),
    "bottom": re.compile(r"[。；!?！？，、,;《》“”()（）\[\]]|^\s*(?:[①-⑳*＊†]|注|\d+[.)])"),
}


@dataclass(frozen=True, slots=True)
class _PageNumber:
    value: int
    kind: NumberKind
    printed: str  # digits without leading zeros, or the roman numeral as printed
    self_evident: bool


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[char] for char in numeral.lower()]
    following = [*values[1:], 0]
    return sum(-value if value < after else value for value, after in zip(values, following, strict=True))


def _read_page_number(text: str) -> _PageNumber | None:
    normalized = unicodedata.normalize("NFKC", text).strip()
    for forms, self_evident in ((_SELF_EVIDENT_FORMS, True), (_AMBIGUOUS_FORMS, False)):
        for form in forms:
            match = form.fullmatch(normalized)
            if match is None:
                continue
            printed = match["n"]
            total = match.groupdict().get("total")
            kind: NumberKind
            if printed.isdigit():
                value, kind = int(printed), "arabic"
                printed = str(value)
            elif printed.islower() or printed.isupper():  # "Iv" is a word, not a numeral
                value, kind = _roman_value(printed), "roman"
            else:
                return None
            if value == 0 or (total is not None and value > int(total)):
                return None
            return _PageNumber(value, kind, printed, self_evident)
    return None


def parse_page_number(text: str) -> str | None:
    """Read a line that is nothing but a page number, in any of the forms printers use.

    The number comes back as printed: digits without leading zeros, or the roman
    numeral of front matter.  Recognised: bare digits or roman numerals, dashes
    around the number (also as Tesseract misreads the em dash: ``一 3 一``),
    brackets, ``第 3 页`` with or without ``共 20 页``, ``Page 3``, ``3 / 20``.
    Anything else is left alone — dates, chapter numbers, decimals, and page
    numbers in Chinese numerals (``第三页``), which are rare and ambiguous.

    >>> [parse_page_number(text) for text in ["3", "— 3 —", "–3–", "一 3 一", "-3 -", "第 3 页"]]
    ['3', '3', '3', '3', '3', '3']
    >>> parse_page_number("第3页 共20页")
    '3'
    >>> [parse_page_number(text) for text in ["Page 3", "3 / 20", "iv", "XII", "（12）", "０３"]]
    ['3', '3', 'iv', 'XII', '12', '3']
    >>> [parse_page_number(text) for text in ["2014年7月28日", "第一章", "3.5", "20 / 3", "Iv", "0", ""]]
    [None, None, None, None, None, None, None]
    """
    number = _read_page_number(text)
    return None if number is None else number.printed


def _split_page_number(text: str) -> tuple[str, _PageNumber | None]:
    whole = _read_page_number(text)
    if whole is not None:
        return "", whole
    gaps = list(_WHITESPACE.finditer(text.strip()))
    stripped = text.strip()
    for gap in gaps:  # leftmost gap first: the longest number form ("第 3 页" before "3 页")
        rest, number = stripped[: gap.start()], _read_page_number(stripped[gap.end() :])
        if number is not None and _WORD_CHARACTER.search(rest):
            return rest, number
    for gap in reversed(gaps):
        rest, number = stripped[gap.end() :], _read_page_number(stripped[: gap.start()])
        if number is not None and _WORD_CHARACTER.search(rest):
            return rest, number
    return text, None


def split_page_number(text: str) -> tuple[str, str | None]:
    """Split a page number off the start or end of a header line: ``(rest, number)``.

    Running heads often carry the page number at the outer edge of the same line.
    The number must be separated by whitespace and the rest must contain words,
    so a date or an issue number glued to the text (``2014年第4期``) stays put;
    whether the number really is a page number is decided by comparing pages.

    >>> split_page_number("电子政务信息汇编   3")
    ('电子政务信息汇编', '3')
    >>> split_page_number("12  第二章 数据开放")
    ('第二章 数据开放', '12')
    >>> split_page_number("电子政务信息汇编 第 3 页")
    ('电子政务信息汇编', '3')
    >>> split_page_number("— 3 —")
    ('', '3')
    >>> split_page_number("2014年第4期")
    ('2014年第4期', None)
    """
    rest, number = _split_page_number(text)
    return rest, None if number is None else number.printed


def line_shape(text: str) -> str:
    """The shape of a line for comparing it across pages: whitespace removed, digit runs masked.

    A running header keeps its shape while the issue or page number inside it
    changes; letters and Chinese characters are kept as they are.

    >>> line_shape("电子政务信息汇编  2014年 第4期")
    '电子政务信息汇编#年第#期'
    >>> line_shape("— 12 —")
    '—#—'
    """
    compact = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
    return _DIGIT_RUN.sub(DIGIT_PLACEHOLDER, compact)


# --- page geometry ----------------------------------------------------------

#: Joins the lines of one row into the row's text; two spaces, so that a page
#: number printed as its own line beside the header splits off like a word.
ROW_JOINER = "  "


@dataclass(frozen=True, slots=True)
class _Row:
    """The non-blank lines of a page that share a baseline region, left to right."""

    line_indices: tuple[int, ...]
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float  # largest glyph size in the row


@dataclass(frozen=True, slots=True)
class _PageRows:
    rows: tuple[_Row, ...]  # top to bottom
    top_band: int  # rows[:top_band] lie in the top band
    bottom_band: int  # rows[len(rows) - bottom_band:] lie in the bottom band

    def band_rows(self, band: Band) -> list[int]:
        """Positions in ``rows`` of one band's rows, from the page's edge inward."""
        if band == "top":
            return list(range(self.top_band))
        return list(range(len(self.rows) - 1, len(self.rows) - 1 - self.bottom_band, -1))

    def inward_row(self, band: Band, position: int) -> _Row | None:
        inward = position + 1 if band == "top" else position - 1
        return self.rows[inward] if 0 <= inward < len(self.rows) else None


def _vertical_span(line: Line) -> tuple[float, float]:
    return min(line.top, line.bottom), max(line.top, line.bottom)


def _centre(line: Line) -> float:
    top, bottom = _vertical_span(line)
    return (top + bottom) / 2


def _glyph_size(line: Line, *, ocr: bool) -> float:
    """The line's glyph size; for OCR no more than its box is tall.

    The OCR size is the median height of Tesseract's word boxes, which a merged
    quote mark sometimes inflates; the line box bounds the glyphs.
    """
    height = abs(line.bottom - line.top)
    return min(line.size, height) if ocr and height > 0 else line.size


def _page_rows(page: Page, settings: FurnitureSettings) -> _PageRows:
    """Group a page's non-blank lines into rows and find which rows lie in the bands.

    OCR splits a running head into pieces and a text layer may hold the page
    number as its own line beside the header: a row puts them back together.
    """
    order = sorted(
        (index for index, line in enumerate(page.lines) if line.text.strip()),
        key=lambda index: (_centre(page.lines[index]), page.lines[index].x0),
    )
    groups: list[list[int]] = []
    for index in order:
        if groups:
            anchor_top, anchor_bottom = _vertical_span(page.lines[groups[-1][0]])
            centre = _centre(page.lines[index])
            if centre <= anchor_bottom or centre == (anchor_top + anchor_bottom) / 2:
                groups[-1].append(index)
                continue
        groups.append([index])
    ocr = page.method == "ocr"
    rows = []
    for group in groups:
        line_indices = tuple(sorted(group, key=lambda index: page.lines[index].x0))
        lines = [page.lines[index] for index in line_indices]
        spans = [_vertical_span(line) for line in lines]
        rows.append(
            _Row(
                line_indices=line_indices,
                text=ROW_JOINER.join(line.text.strip() for line in lines),
                top=min(top for top, _ in spans),
                bottom=max(bottom for _, bottom in spans),
                x0=min(line.x0 for line in lines),
                x1=max(line.x1 for line in lines),
                size=max(_glyph_size(line, ocr=ocr) for line in lines),
            )
        )
    band_height = settings.furniture_band * page.height if page.height > 0 else -math.inf
    top_band = 0
    while top_band < len(rows) and (rows[top_band].top + rows[top_band].bottom) / 2 <= band_height:
        top_band += 1
    bottom_band = 0
    while (
        bottom_band < len(rows) - top_band
        and (rows[-1 - bottom_band].top + rows[-1 - bottom_band].bottom) / 2 >= page.height - band_height
    ):
        bottom_band += 1
    return _PageRows(tuple(rows), top_band, bottom_band)


@dataclass(frozen=True, slots=True)
class _BodyMetrics:
    """The text block's usual glyph size and gap between rows, from rows outside the bands."""

    size: float | None
    gap: float | None


def _body_metrics(layouts: Sequence[_PageRows]) -> _BodyMetrics:
    sizes: list[float] = []
    gaps: list[float] = []
    for layout in layouts:
        body = layout.rows[layout.top_band : len(layout.rows) - layout.bottom_band]
        sizes.extend(row.size for row in body if row.size > 0)
        gaps.extend(
            below.top - above.bottom
            for above, below in itertools.pairwise(body)
            if below.top - above.bottom > 0
        )
    return _BodyMetrics(
        size=statistics.median(sizes) if sizes else None,
        gap=statistics.median(gaps) if gaps else None,
    )


# --- candidates, shapes and clusters ------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A row in a band: where it is and what it could be."""

    row_id: RowId
    physical_page: int
    band: Band
    row: _Row
    ocr: bool
    shape: str
    number: _PageNumber | None  # the whole row read as a page number
    embedded_number: _PageNumber | None  # a page number split off header text


def _candidates(pages: Sequence[Page], layouts: Sequence[_PageRows]) -> list[_Candidate]:
    candidates = []
    for page_index, (page, layout) in enumerate(zip(pages, layouts, strict=True)):
        for band in _BANDS:
            for position in layout.band_rows(band):
                row = layout.rows[position]
                number = _read_page_number(row.text)
                # A row that is only a number is compared by its exact text, so that
                # a constant such as "2014" repeats while "3", "4", "5" do not.
                exact = _WHITESPACE.sub("", unicodedata.normalize("NFKC", row.text))
                candidates.append(
                    _Candidate(
                        row_id=(page_index, position),
                        physical_page=page.number,
                        band=band,
                        row=row,
                        ocr=page.method == "ocr",
                        shape=exact if number is not None else line_shape(row.text),
                        number=number,
                        embedded_number=None if number is not None else _split_page_number(row.text)[1],
                    )
                )
    return candidates


def _similar(a: str, matcher: SequenceMatcher[str], threshold: float) -> float:
    """difflib's ratio of ``a`` against the matcher's second sequence, 0 below the threshold."""
    matcher.set_seq1(a)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else 0.0


def _ocr_shape_groups(shape_pages: dict[str, set[int]], threshold: float) -> dict[str, str]:
    """Map each OCR shape to a representative, merging shapes that differ by a few misread characters.

    Shapes seen on two or more pages are seeds and merge with each other; a shape
    seen once joins its most similar seed.  Comparing only against seeds keeps
    the work proportional to (rows x running heads) instead of rows squared.
    """
    seeds = sorted(shape for shape, pages in shape_pages.items() if len(pages) >= 2)
    representative = {shape: shape for shape in shape_pages}

    def root(shape: str) -> str:
        while representative[shape] != shape:
            shape = representative[shape]
        return shape

    matcher: SequenceMatcher[str] = SequenceMatcher(autojunk=False)
    for position, seed in enumerate(seeds):
        matcher.set_seq2(seed)
        for other in seeds[position + 1 :]:
            if _similar(other, matcher, threshold) and root(other) != root(seed):
                representative[root(other)] = root(seed)
    singles = sorted(shape for shape, pages in shape_pages.items() if len(pages) < 2)
    best: dict[str, tuple[float, str]] = {}
    for seed in seeds:
        matcher.set_seq2(seed)
        for single in singles:
            ratio = _similar(single, matcher, threshold)
            if ratio > best.get(single, (0.0, ""))[0]:
                best[single] = (ratio, seed)
    for single, (_, seed) in best.items():
        representative[single] = seed
    return {shape: root(shape) for shape in shape_pages}


def _split_by_size(members: list[_Candidate], tolerance: float) -> list[list[_Candidate]]:
    """Split a cluster where consecutive glyph sizes differ by more than the tolerance ratio.

    A cover's large title and the small running header of the same words are
    different things.
    """
    ordered = sorted(members, key=lambda candidate: (candidate.row.size, candidate.row_id))
    groups: list[list[_Candidate]] = []
    for candidate in ordered:
        if groups and candidate.row.size <= max(groups[-1][-1].row.size, 0) * tolerance + 1e-9:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    return groups


def _shape_clusters(candidates: Sequence[_Candidate], settings: FurnitureSettings) -> list[list[_Candidate]]:
    """Group band rows of the same shape (OCR: nearly the same) and glyph size, band by band."""
    clusters: list[list[_Candidate]] = []
    for band in _BANDS:
        in_band = [candidate for candidate in candidates if candidate.band == band]
        ocr_shape_pages: dict[str, set[int]] = defaultdict(set)
        for candidate in in_band:
            if candidate.ocr:
                ocr_shape_pages[candidate.shape].add(candidate.physical_page)
        merged = _ocr_shape_groups(ocr_shape_pages, settings.furniture_ocr_similarity)
        by_shape: dict[str, list[_Candidate]] = defaultdict(list)
        for candidate in in_band:
            by_shape[merged.get(candidate.shape, candidate.shape)].append(candidate)
        for shape in sorted(by_shape):
            clusters.extend(_split_by_size(by_shape[shape], settings.furniture_size_tolerance))
    return clusters


# --- repetition ---------------------------------------------------------------


def _needed(pages: int, settings: FurnitureSettings) -> int:
    return max(settings.furniture_min_pages, math.ceil(settings.furniture_min_repeat * pages))


def _runs(page_numbers: Sequence[int], max_step: int) -> list[list[int]]:
    """Split sorted page numbers where the step to the next exceeds ``max_step``."""
    runs: list[list[int]] = []
    for number in page_numbers:
        if runs and number - runs[-1][-1] <= max_step:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def repeated_pages(
    member_pages: Iterable[int], content_pages: Sequence[int], *, settings: FurnitureSettings
) -> set[int]:
    """The pages on which a shape repeats often enough to be running furniture.

    Counted three ways, so that alternating and chapter-long heads are found:
    over the whole document, within odd and within even pages, and over runs
    of member pages at most ``furniture_run_gap`` pages apart.

    >>> sorted(repeated_pages([2, 4, 6, 8], range(1, 10), settings=settings))  # even pages only
    [2, 4, 6, 8]
    >>> sorted(repeated_pages([1, 20, 40], range(1, 41), settings=settings))  # scattered
    []
    """
    members = set(member_pages)
    if len(members) >= _needed(len(content_pages), settings):
        return members
    accepted: set[int] = set()
    for parity in (0, 1):
        class_pages = [number for number in content_pages if number % 2 == parity]
        class_members = {number for number in members if number % 2 == parity}
        if class_pages and len(class_members) >= _needed(len(class_pages), settings):
            accepted |= class_members
    for run in _runs(sorted(members), settings.furniture_run_gap):
        if len(run) >= settings.furniture_min_run_pages:
            accepted.update(run)
    return accepted


# --- page numbers -------------------------------------------------------------


def _consistent_page_numbers(
    candidates: Sequence[_Candidate], shape_pages: dict[RowId, int], settings: FurnitureSettings
) -> dict[RowId, _PageNumber]:
    """Rows whose page number agrees with the physical page on enough pages (or cannot be body text).

    A number split off header text counts only when the header's shape is seen
    on more than one page, so that a contents entry ("概述   3") is not taken.
    """
    readings: list[tuple[_Candidate, _PageNumber, bool]] = []
    for candidate in candidates:
        if candidate.number is not None:
            readings.append((candidate, candidate.number, False))
        elif candidate.embedded_number is not None and shape_pages.get(candidate.row_id, 0) >= 2:
            readings.append((candidate, candidate.embedded_number, True))
    offsets: dict[tuple[NumberKind, int], set[int]] = defaultdict(set)
    for candidate, number, _ in readings:
        offsets[number.kind, number.value - candidate.physical_page].add(candidate.physical_page)
    return {
        candidate.row_id: number
        for candidate, number, embedded in readings
        if (number.self_evident and not embedded)
        or len(offsets[number.kind, number.value - candidate.physical_page])
        >= settings.furniture_min_numbered_pages
    }


def _misread_page_numbers(
    candidates: Sequence[_Candidate],
    accepted: dict[RowId, _PageNumber],
    body_size: float | None,
    settings: FurnitureSettings,
) -> dict[RowId, _PageNumber]:
    """OCR page numbers read wrong ("8" for "3"), recognised by where the page numbers stand.

    On an OCR page without an agreeing number, a row that is only a number,
    standing where the other pages of the same parity have theirs (same band,
    same horizontal position, within the numbered stretch of the document), is
    the page number.
    """
    positions: dict[tuple[Band, int], list[float]] = defaultdict(list)
    numbered: dict[Band, list[int]] = defaultdict(list)
    pages_with_number = set()
    for candidate in candidates:
        if candidate.row_id in accepted:
            pages_with_number.add(candidate.row_id[0])
            if candidate.number is not None:
                parity = candidate.physical_page % 2
                positions[candidate.band, parity].append((candidate.row.x0 + candidate.row.x1) / 2)
                numbered[candidate.band].append(candidate.physical_page)
    tolerance = settings.furniture_number_x_tolerance_em * (body_size or settings.fallback_body_size)
    misread: dict[RowId, _PageNumber] = {}
    for candidate in candidates:
        reference = positions.get((candidate.band, candidate.physical_page % 2))
        if (
            not candidate.ocr
            or candidate.number is None
            or candidate.row_id[0] in pages_with_number
            or not reference
            or not min(numbered[candidate.band]) < candidate.physical_page < max(numbered[candidate.band])
        ):
            continue
        x_centre = (candidate.row.x0 + candidate.row.x1) / 2
        if abs(x_centre - statistics.median(reference)) <= tolerance:
            misread[candidate.row_id] = candidate.number
    return misread


# --- peeling furniture off each page -------------------------------------------


@dataclass(frozen=True, slots=True)
class PageFurniture:
    """What :func:`find_page_furniture` found on one page."""

    header: tuple[int, ...] = ()  # indices into page.lines, in reading order
    footer: tuple[int, ...] = ()
    printed_page: str | None = None


@dataclass(frozen=True, slots=True)
class _Peel:
    row_positions: tuple[int, ...]  # removed rows, from the page edge inward
    number: _PageNumber | None
    #: The shape cluster of the innermost removed row, if any, and whether that
    #: row stands apart from the body.
    vote: tuple[int, bool] | None


def _is_detached(
    row: _Row, inward: _Row | None, band: Band, metrics: _BodyMetrics, settings: FurnitureSettings
) -> bool:
    """Whether a band row stands apart from the next row inward: a wider gap or a smaller font."""
    if inward is None or metrics.gap is None:
        return True
    gap = inward.top - row.bottom if band == "top" else row.top - inward.bottom
    if gap >= metrics.gap + settings.furniture_gap_em * (metrics.size or settings.fallback_body_size):
        return True
    return row.size < settings.furniture_smaller_font * inward.size


def _peel(
    layout: _PageRows,
    page_index: int,
    band: Band,
    cluster_of: dict[RowId, int],
    numbers: dict[RowId, _PageNumber],
    metrics: _BodyMetrics,
    settings: FurnitureSettings,
) -> _Peel:
    """Take furniture rows off one band from the page edge inward, stopping at the first body row."""
    removed: list[int] = []
    number: _PageNumber | None = None
    vote: tuple[int, bool] | None = None
    for position in layout.band_rows(band):
        row_id = (page_index, position)
        if number is None and row_id in numbers:  # one page number per band
            number = numbers[row_id]
        elif row_id not in cluster_of:
            break
        removed.append(position)
        vote = None
        if row_id in cluster_of:
            inward = layout.inward_row(band, position)
            vote = (cluster_of[row_id], _is_detached(layout.rows[position], inward, band, metrics, settings))
    return _Peel(tuple(removed), number, vote)


def find_page_furniture(pages: Sequence[Page], *, settings: FurnitureSettings) -> list[PageFurniture]:
    """Find the running headers, footers and page numbers of a document, page by page.

    Returns one :class:`PageFurniture` per page, in order, naming the lines to
    remove by their index in ``page.lines``; :func:`strip_page_furniture`
    applies it.  Pages already stripped still count as pages with content, and
    a page whose ``printed_page`` is known takes no further page number.
    """
    layouts = [_page_rows(page, settings) for page in pages]
    metrics = _body_metrics(layouts)
    content_pages = sorted(
        {
            page.number
            for page in pages
            if any(line.text.strip() for line in page.lines)
            or page.header
            or page.footer
            or page.printed_page is not None
        }
    )
    candidates = _candidates(pages, layouts)
    clusters = _shape_clusters(candidates, settings)
    shape_pages = {
        candidate.row_id: len({member.physical_page for member in cluster})
        for cluster in clusters
        for candidate in cluster
    }
    numbers = _consistent_page_numbers(candidates, shape_pages, settings)
    numbers |= _misread_page_numbers(candidates, numbers, metrics.size, settings)
    # A page has one printed number: once a pass has recorded it, a later pass takes no other.
    numbers = {row_id: number for row_id, number in numbers.items() if pages[row_id[0]].printed_page is None}

    running: dict[int, set[RowId]] = {}
    for cluster_id, cluster in enumerate(clusters):
        pages_repeated = repeated_pages(
            (member.physical_page for member in cluster), content_pages, settings=settings
        )
        members = {member.row_id for member in cluster if member.physical_page in pages_repeated}
        if members:
            running[cluster_id] = members

    while True:  # drop repeated shapes that sit inside the text block, until none is left to drop
        cluster_of = {row_id: cluster_id for cluster_id, members in running.items() for row_id in members}
        peels = {
            (page_index, band): _peel(layout, page_index, band, cluster_of, numbers, metrics, settings)
            for page_index, layout in enumerate(layouts)
            for band in _BANDS
        }
        votes: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # cluster -> [attached, detached]
        for peel in peels.values():
            if peel.vote is not None:
                cluster_id, detached = peel.vote
                votes[cluster_id][detached] += 1
        attached = {cluster_id for cluster_id, (tight, apart) in votes.items() if tight > apart}
        if not attached:
            break
        for cluster_id in attached:
            del running[cluster_id]

    peels |= _lone_heads(pages, layouts, peels, shape_pages, metrics, settings)
    found = []
    for page_index, layout in enumerate(layouts):
        top, bottom = peels[page_index, "top"], peels[page_index, "bottom"]
        found.append(
            PageFurniture(
                header=_lines_in_reading_order(layout, top.row_positions),
                footer=_lines_in_reading_order(layout, bottom.row_positions),
                printed_page=_printed_page(bottom.number, top.number),
            )
        )
    return found


def _lone_heads(
    pages: Sequence[Page],
    layouts: Sequence[_PageRows],
    peels: dict[tuple[int, Band], _Peel],
    shape_pages: dict[RowId, int],
    metrics: _BodyMetrics,
    settings: FurnitureSettings,
) -> dict[tuple[int, Band], _Peel]:
    """Running heads printed on one page only, for the bands where nothing else was found.

    Repetition cannot prove them, so every structural mark must agree: a shape
    seen on no other page (one that repeats too seldom proves too little), the
    outermost row of the band, more than the body's usual gap away from the row
    inward, in glyphs smaller than the body's, on a page that keeps body text
    in the band's direction; and what it says: a page number split off its edge
    beside words, or (top band only: a footnote at the foot may well repeat the
    title's words) a run of the title's or the masthead's characters.
    """
    if metrics.size is None or metrics.gap is None:
        return {}
    first = next((index for index, layout in enumerate(layouts) if layout.rows), None)
    if first is None:
        return {}
    own_words = _own_words(layouts[first])
    found: dict[tuple[int, Band], _Peel] = {}
    for page_index, layout in enumerate(layouts):
        for band in _BANDS:
            kept = pages[page_index].header if band == "top" else pages[page_index].footer
            positions = layout.band_rows(band)
            if peels[page_index, band].row_positions or kept or not positions:
                continue
            if shape_pages.get((page_index, positions[0]), 1) > 1:
                continue
            row = layout.rows[positions[0]]
            inward = layout.inward_row(band, positions[0])
            if inward is None or not _stands_apart(row, inward, band, metrics, settings):
                continue
            rest, number = _split_page_number(row.text)
            says_page = number is not None and bool(_WORD_CHARACTER.search(rest))
            if _SENTENCE_MARK[band].search(rest):
                continue  # a head names things; a note or a line of text says something
            says_title = (
                band == "top"
                and page_index != first
                and _shares_run(rest, own_words, settings.furniture_lone_head_chars)
            )
            if says_page or says_title:
                found[page_index, band] = _Peel((positions[0],), number if says_page else None, None)
    return found


def _stands_apart(
    row: _Row, inward: _Row, band: Band, metrics: _BodyMetrics, settings: FurnitureSettings
) -> bool:
    assert metrics.size is not None and metrics.gap is not None
    gap = inward.top - row.bottom if band == "top" else row.top - inward.bottom
    wide = gap >= metrics.gap + settings.furniture_gap_em * metrics.size
    return wide and row.size < settings.furniture_smaller_font * metrics.size


def _own_words(layout: _PageRows) -> tuple[str, ...]:
    """What the first page prints of the document's own name: its largest row (the title)
    and the rows of its top band (a journal's masthead)."""
    title = max(layout.rows, key=lambda row: row.size)
    rows = {*layout.rows[: layout.top_band], title}
    return tuple(_compact(row.text) for row in rows)


def _compact(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def _shares_run(text: str, others: Iterable[str], length: int) -> bool:
    """Whether ``text`` and one of ``others`` share ``length`` consecutive letters or characters.

    >>> _shares_run("陈明等：政务数据共享研究", ["政务数据共享对审批时限的影响研究"], 4)
    True
    >>> _shares_run("图1 数据流程", ["政务数据共享对审批时限的影响研究"], 4)
    False
    """
    compact = _compact(text)
    matcher: SequenceMatcher[str] = SequenceMatcher(autojunk=False)
    matcher.set_seq2(compact)
    for other in others:
        matcher.set_seq1(other)
        match = matcher.find_longest_match(0, len(other), 0, len(compact))
        run = other[match.a : match.a + match.size]
        if len(_WORD_CHARACTER.findall(run)) >= length:
            return True
    return False


def _lines_in_reading_order(layout: _PageRows, positions: Iterable[int]) -> tuple[int, ...]:
    return tuple(index for position in sorted(positions) for index in layout.rows[position].line_indices)


def _printed_page(*numbers: _PageNumber | None) -> str | None:
    """The page number of the footer, else of the header."""
    present = [number for number in numbers if number is not None]
    return present[0].printed if present else None


def strip_page_furniture(pages: Sequence[Page], *, settings: FurnitureSettings) -> list[Page]:
    """Remove running headers, footers and page numbers, keeping them in the page's furniture fields.

    Pure and idempotent: the removed lines' text goes, verbatim and in reading
    order, to ``Page.header`` (top band) and ``Page.footer`` (bottom band); the
    page number as printed goes to ``Page.printed_page``.  Left alone: pages with
    no furniture (a cover, a blank page), body lines near the edge that do not
    repeat (a heading at the top of one page, a table cell "3" at the foot of
    one page), and everything in a document too short for repetition to prove
    anything — except a page number whose form cannot be body text.

    >>> def digest_page(number: int) -> Page:
    ...     return Page(number, 595, 842, (
    ...         Line("电子政务信息汇编  2014年第4期", number, 230, 40, 365, 50, 9),
    ...         Line(f"第{number}页正文，首行缩进两个字。", number, 93, 120, 520, 131, 10.5),
    ...         Line(f"— {number} —", number, 285, 800, 310, 809, 9),
    ...     ))
    >>> cleaned = strip_page_furniture([digest_page(number) for number in (1, 2, 3)], settings=settings)
    >>> [page.text for page in cleaned]
    ['第1页正文，首行缩进两个字。', '第2页正文，首行缩进两个字。', '第3页正文，首行缩进两个字。']
    >>> cleaned[2].header, cleaned[2].footer, cleaned[2].printed_page
    (('电子政务信息汇编  2014年第4期',), ('— 3 —',), '3')
    >>> strip_page_furniture(cleaned, settings=settings) == cleaned
    True
    """
    stripped = list(pages)
    # Stripping can expose new candidates (a shape that only counted as furniture
    # while a removed line sat beside it), so detect again until nothing is found:
    # the result is a fixed point, hence idempotent.  Each pass removes a line,
    # so this ends; on real documents the second pass only confirms.
    while True:
        found = find_page_furniture(stripped, settings=settings)
        if not any(furniture.header or furniture.footer for furniture in found):
            return stripped
        stripped = [
            _without_furniture(page, furniture) for page, furniture in zip(stripped, found, strict=True)
        ]


def _without_furniture(page: Page, furniture: PageFurniture) -> Page:
    if not furniture.header and not furniture.footer:
        return page
    removed = {*furniture.header, *furniture.footer}
    return replace(
        page,
        lines=tuple(line for index, line in enumerate(page.lines) if index not in removed),
        header=page.header + tuple(page.lines[index].text for index in furniture.header),
        footer=page.footer + tuple(page.lines[index].text for index in furniture.footer),
        printed_page=furniture.printed_page or page.printed_page,
    )
