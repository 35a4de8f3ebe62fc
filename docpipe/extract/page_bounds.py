"""Cheap looks at a page before it is OCR'd: would its image be too big, is there anything on it,
is its scan's JPEG data damaged?

Each answers from PDFium's page objects, a thumbnail-sized render or one JPEG decode,
in milliseconds, where rendering at full resolution and running OCR takes seconds
(or, for a page of 20,000 points square, gigabytes).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import simplejpeg

from cleaners.records import Page, PageStatus

POINTS_PER_INCH = 72.0
#: The blank check's render is at most this many pixels on its longer side, whatever the page size.
BLANK_CHECK_MAX_SIDE = 1200
#: simplejpeg's colour space to decode each JPEG colour space into: its own, so nothing is converted.
_DECODE_COLORSPACE = {"Gray": "GRAY", "CMYK": "CMYK", "YCCK": "CMYK"}


def render_megapixels(pdf_page: pdfium.PdfPage, *, dpi: int) -> float:
    """Megapixels of the largest image reading the page could decode: its render at ``dpi``
    or its largest embedded image (a scan is OCR'd at its own resolution).
    """
    width, height = pdf_page.get_size()
    rendered = (width * dpi / POINTS_PER_INCH) * (height * dpi / POINTS_PER_INCH)
    largest_image = 0
    for image in pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        pixel_width, pixel_height = image.get_px_size()
        largest_image = max(largest_image, pixel_width * pixel_height)
    return max(rendered, float(largest_image)) / 1e6


def looks_blank(pdf_page: pdfium.PdfPage, *, dpi: int, ink_level: int) -> bool:
    """Whether the page shows nothing: no page objects at all, or a low-resolution
    render with no pixel darker than ``ink_level`` (0 black, 255 white).

    A line of 9 pt text rendered at 36 dpi still leaves pixels near 100, far below any
    sensible ``ink_level``; a faint scanner background (~230) is deliberately not blank.
    """
    if not any(True for _ in pdf_page.get_objects(max_depth=1)):
        return True
    width, height = pdf_page.get_size()
    scale = min(dpi / POINTS_PER_INCH, BLANK_CHECK_MAX_SIDE / max(width, height, 1.0))
    bitmap = pdf_page.render(scale=scale, grayscale=True)
    pixels = np.asarray(bitmap.to_numpy())
    return bool(pixels.size == 0 or int(pixels.min()) > ink_level)


def damaged_jpeg(pdf_page: pdfium.PdfPage) -> str | None:
    """Why one of the page's JPEG images (``DCTDecode``) is damaged, or None when all decode cleanly.

    PDFium decodes a damaged JPEG without a word, into grey or white from the damage
    on, so such a page would read as blank or as garbage with nothing to say why.
    libjpeg-turbo, run strict, turns what it merely warns about into an error: data
    that ends early (a truncated stream, no end-of-image marker) and entropy-coded
    data that runs short or long of the image ("Corrupt JPEG data: ...").  An image
    whose JPEG header gives another size than the PDF declares is damaged too.

    Left alone: damage the decoder resynchronises over without noticing (a few
    flipped bytes in a progressive scan change a handful of pixels), and every
    image that is not a JPEG.
    """
    images = pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
    for number, image in enumerate(images, start=1):
        filters = image.get_filters()
        if not filters or filters[-1] != "DCTDecode":
            continue
        data = bytes(image.get_data(decode_simple=True))
        problem = _jpeg_problem(data, declared=image.get_px_size())
        if problem is not None:
            return f"damaged JPEG data in image {number} of the page: {problem}"
    return None


def _jpeg_problem(data: bytes, *, declared: tuple[int, int]) -> str | None:
    try:
        height, width, colorspace, _ = simplejpeg.decode_jpeg_header(data, strict=True)
        if (width, height) != tuple(declared):
            return f"JPEG is {width}x{height} pixels, the PDF says {declared[0]}x{declared[1]}"
        simplejpeg.decode_jpeg(data, colorspace=_DECODE_COLORSPACE.get(colorspace, "RGB"), strict=True)
    except ValueError as error:
        return str(error).strip() or "undecodable"
    return None


def with_damage(page: Page, damage: str) -> Page:
    """The page read from a damaged image, never ``ok``: ``low_confidence`` when it still
    gave lines (the part before the damage may read well), else ``failed``; ``damage`` is its error.

    >>> from cleaners.records import Line
    >>> line = Line(text="国家信息中心", page=1, x0=0, top=0, x1=60, bottom=10, size=10)
    >>> read = Page(number=1, width=10, height=10, lines=(line,), method="ocr")
    >>> with_damage(read, "damaged JPEG data").status
    'low_confidence'
    >>> nothing = with_damage(Page(number=1, width=10, height=10, status="blank"), "damaged JPEG data")
    >>> nothing.status, nothing.error
    ('failed', 'damaged JPEG data')
    >>> failed = Page(number=1, width=10, height=10, status="failed", error="timed out")
    >>> with_damage(failed, "damaged JPEG data").error
    'damaged JPEG data; timed out'
    """
    status: PageStatus = "low_confidence" if page.lines and page.status != "failed" else "failed"
    error = damage if page.error is None else f"{damage}; {page.error}"
    return replace(page, status=status, error=error)
