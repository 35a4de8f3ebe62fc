"""The scanned digest sample: an image-only copy of a digest, made deterministically, whose
golden is the digest's own.  Fast: no OCR (tests/test_readme.py reads it end to end)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest

from docpipe.samples.book import write_image_pdf
from docpipe.samples.scan import SCAN_SUFFIX, SCANNED_DIGESTS, scan_pdf
from tests.conftest import RAW

SCANS = {stem: (RAW / f"{stem}.pdf", RAW / f"{stem}{SCAN_SUFFIX}.pdf") for stem in SCANNED_DIGESTS}


def golden(pdf: Path) -> dict[str, Any]:
    return json.loads(pdf.with_name(pdf.stem + ".golden.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", SCANNED_DIGESTS)
def test_every_page_is_one_image_at_the_scan_resolution_and_nothing_else(stem: str) -> None:
    original, scan = SCANS[stem]
    with pdfplumber.open(scan) as pdf:
        assert all(not page.chars for page in pdf.pages)
    document, source = pdfium.PdfDocument(scan), pdfium.PdfDocument(original)
    assert len(document) == len(source)
    for page, source_page in zip(document, source, strict=True):
        [image] = list(page.get_objects())
        assert isinstance(image, pdfium.PdfImage)
        width_px, _ = image.get_px_size()
        assert width_px / page.get_width() * 72 == pytest.approx(SCANNED_DIGESTS[stem], abs=0.5)
        assert page.get_size() == pytest.approx(source_page.get_size(), abs=1.0)


@pytest.mark.parametrize("stem", SCANNED_DIGESTS)
def test_golden_is_the_digests_own(stem: str) -> None:
    original, scan = SCANS[stem]
    text, scanned = golden(original), golden(scan)
    assert scanned.pop("source_file") == scan.name
    assert set(scanned.pop("scan_dpi").values()) == {SCANNED_DIGESTS[stem]}
    text.pop("source_file")
    assert scanned == text


@pytest.mark.parametrize("stem", SCANNED_DIGESTS)
def test_scanning_is_deterministic(stem: str, tmp_path: Path) -> None:
    original, _ = SCANS[stem]
    first, second = (write_image_pdf(scan_pdf(original, dpi=SCANNED_DIGESTS[stem]), title="t") for _ in "12")
    assert first == second
    (tmp_path / "scan.pdf").write_bytes(first)
    assert len(pdfium.PdfDocument(tmp_path / "scan.pdf")) == len(pdfium.PdfDocument(original))
