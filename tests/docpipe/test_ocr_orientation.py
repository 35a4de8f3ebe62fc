"""Scans fed sideways or upside down, and pages with /Rotate, come out upright."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from docpipe.extract.ocr import ocr_page
from docpipe.settings import DEFAULT_SETTINGS
from tests.docpipe.test_ocr import DRAWN_TEXT, PAGE_SIZE, SCAN_DPI, bilevel, drawn_lines, image_only_pdf
from tests.fixtures.ocr.render_fixtures import draw_lines

PPOCR = DEFAULT_SETTINGS.with_overrides(ocr_engine="ppocr")
BODY = [text for text, *_ in DRAWN_TEXT[:-1]]  # the footer "15": see test_ppocr.py


def drawn_scan() -> Image.Image:
    return bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))


@pytest.mark.slow
@pytest.mark.parametrize("turn", [180, 90, 270], ids=["upside-down", "sideways-left", "sideways-right"])
def test_a_scan_fed_the_wrong_way_is_read_upright(turn: int, tmp_path: Path) -> None:
    scan = drawn_scan().rotate(turn, expand=True)
    page = ocr_page(image_only_pdf(scan, tmp_path / "turned.pdf", dpi=SCAN_DPI), 1, settings=PPOCR)
    assert [line.text for line in page.lines][: len(BODY)] == BODY
    assert page.status == "ok"
    # The page's size is the upright page's, and its lines lie within it.
    assert (page.width, page.height) == pytest.approx(PAGE_SIZE, abs=1.0)
    assert all(line.x1 <= page.width + 1 and line.bottom <= page.height + 1 for line in page.lines)


@pytest.mark.slow
def test_an_upright_scan_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docpipe.extract import ppocr_engine

    calls = []
    original = ppocr_engine.PpOcrEngine.read_lines

    def counted(self: ppocr_engine.PpOcrEngine, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ppocr_engine.PpOcrEngine, "read_lines", counted)
    page = ocr_page(image_only_pdf(drawn_scan(), tmp_path / "scan.pdf", dpi=SCAN_DPI), 1, settings=PPOCR)
    assert [line.text for line in page.lines][: len(BODY)] == BODY
    assert len(calls) == 1


@pytest.mark.slow
@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_page_displayed_turned_by_rotate_is_read_as_displayed(rotate: int, tmp_path: Path) -> None:
    # The scan is stored turned the other way, and /Rotate turns it upright for display.
    stored = drawn_scan().rotate(rotate, expand=True)
    path = image_only_pdf(stored, tmp_path / "rotate.pdf", dpi=SCAN_DPI)
    pdf = pdfium.PdfDocument(path)
    pdf[0].set_rotation(rotate)
    rotated = tmp_path / "displayed.pdf"
    pdf.save(rotated)
    pdf.close()
    page = ocr_page(rotated, 1, settings=PPOCR)
    assert [line.text for line in page.lines][: len(BODY)] == BODY
