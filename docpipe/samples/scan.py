"""Scanned digest sample: a text-layer digest printed and put through a sheet-fed scanner.

Digests arrive as scans too, and a scan of a digest is not a scan of a book: A4 or B5
loose sheets in a sans-serif or Song body, a 目录 whose page numbers sit alone at the
end of a line, 【】 sections, sources in brackets.  This module makes one from a digest
sample in ``raw/``: each page is rendered by PDFium at the scanner's resolution,
degraded as :mod:`docpipe.samples.book` degrades the book (blur, skew, shift, paper and
ink tone, sensor noise, JPEG) but without a gutter shadow (a loose sheet lies flat on
the glass), and the pages are written into an image-only PDF, one grayscale JPEG each.
The text is the digest's, so its golden JSON is the digest's golden, renamed, with the
resolution of the scan.

Everything is seeded: regenerating gives a byte-identical PDF.  Regenerate with
``python -m docpipe.samples`` (after the digests, which it reads).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium

from docpipe.samples.book import PT_PER_INCH, ScannedPage, degrade, scan_parameters, write_image_pdf

#: Digest samples in ``raw/`` that get a scanned copy, and the resolution of each scan:
#: 200 dpi, the office-scanner default the OCR error rates of issue 5 were measured at.
SCANNED_DIGESTS: dict[str, int] = {"digest-2014-05-09": 200}
SCAN_SUFFIX = "-scan"
RANDOM_SEED = 20140509  # any constant will do; not the book's, so the pages differ


def scan_pdf(pdf: Path, *, dpi: int, seed: int = RANDOM_SEED) -> list[ScannedPage]:
    """Every page of ``pdf`` printed, scanned at ``dpi`` and JPEG-compressed."""
    document = pdfium.PdfDocument(str(pdf))
    scans = []
    try:
        for number, page in enumerate(document, start=1):
            clean = page.render(scale=dpi / PT_PER_INCH, grayscale=True).to_pil().convert("L")
            parameters = scan_parameters(number, seed=seed, dpi=dpi)
            image = degrade(clean, parameters, physical_page=number, seed=seed, gutter=False)
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=parameters.jpeg_quality, dpi=(dpi, dpi))
            scans.append(ScannedPage(buffer.getvalue(), dpi, image.size, parameters))
    finally:
        document.close()
    return scans


def build_scanned_samples(raw_dir: Path) -> list[Path]:
    """Write the scanned copy of each of :data:`SCANNED_DIGESTS` and its golden JSON into
    ``raw_dir``, where the digests must already be; return the paths written."""
    written: list[Path] = []
    for stem, dpi in SCANNED_DIGESTS.items():
        scans = scan_pdf(raw_dir / f"{stem}.pdf", dpi=dpi)
        golden = json.loads((raw_dir / f"{stem}.golden.json").read_text(encoding="utf-8"))
        pdf_path = raw_dir / f"{stem}{SCAN_SUFFIX}.pdf"
        golden_path = raw_dir / f"{stem}{SCAN_SUFFIX}.golden.json"
        pdf_path.write_bytes(write_image_pdf(scans, title=f"{golden['doc_title']} {golden['issue_label']}"))
        golden["source_file"] = pdf_path.name
        golden["scan_dpi"] = {str(number): dpi for number in range(1, len(scans) + 1)}
        golden_path.write_text(json.dumps(golden, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written += [pdf_path, golden_path]
    return written
