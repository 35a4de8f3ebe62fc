"""Cheap looks at a page before it is OCR'd: would its image be too big, is there anything on it?

Both answer from PDFium's page objects or a thumbnail-sized render, in milliseconds,
where rendering at full resolution and running OCR takes seconds (or, for a page of
20,000 points square, gigabytes).
"""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

POINTS_PER_INCH = 72.0
#: The blank check's render is at most this many pixels on its longer side, whatever the page size.
BLANK_CHECK_MAX_SIDE = 1200


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
