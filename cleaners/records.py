"""The one line model shared by text-layer pages and OCR pages: plain records, no dependencies.

They live in ``cleaners/`` so that the cleaners, which read and return them,
depend on nothing of docpipe, and docpipe imports them from here.
Extraction (the text layer or OCR) produces :class:`Page` objects holding
:class:`Line` records; everything downstream (page furniture, wrap repair,
segmentation) is written once against these records.  Coordinates are PDF
points with the origin at the top-left of the page, as in pdfplumber, whatever
the extraction method: OCR boxes are scaled from pixels to points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ExtractionMethod = Literal["text", "ocr"]
PageStatus = Literal["ok", "blank", "failed", "low_confidence"]


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a page: its text and where it sits."""

    text: str
    page: int  # 1-based physical page number
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # dominant glyph size in points
    font: str = ""  # dominant font name; "" where unknown (OCR)
    confidence: float | None = None  # mean OCR word confidence 0-100; None for text layers
    #: x of the boundaries between the cells of a table row (the text has one tab per
    #: boundary); () for a line that is not divided.  Set by OCR, which reads cells apart.
    cells: tuple[float, ...] = ()

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class Page:
    """One physical page: its size, its lines, and what extraction made of it."""

    number: int  # 1-based physical page number
    width: float
    height: float
    lines: tuple[Line, ...] = ()
    method: ExtractionMethod = "text"
    status: PageStatus = "ok"
    error: str | None = None
    confidence: float | None = None  # mean OCR confidence of the page
    seconds: float = 0.0
    engine: str | None = None  # OCR engine used, None for text pages
    ocr_model: str | None = None  # model(s) the OCR engine read with, None for text pages
    # Filled by page-furniture detection:
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    printed_page: str | None = None
    raw_text: str = field(default="", compare=False)  # text as extracted, before any cleaning
    #: Lines of raw_text cleaning dropped besides header and footer, as "reason: text".
    dropped: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of lines joined into one paragraph (or heading) by wrap repair."""

    text: str
    page_start: int
    page_end: int
    x0: float  # left edge of the first line
    indent: float  # first-line indent relative to the page's text column, in points
    size: float  # dominant glyph size of the first line
    font: str = ""
    line_count: int = 1
    centered: bool = False
    cleaning_steps: tuple[str, ...] = ()  # names of the cleaners that changed this paragraph
