"""Scans fed sideways or upside down, and pages with /Rotate, come out upright."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from docpipe.extract.ocr import has_ink, ocr_page
from docpipe.settings import DEFAULT_SETTINGS
from tests.docpipe.test_ocr import DRAWN_TEXT, PAGE_SIZE, SCAN_DPI, bilevel, drawn_lines, image_only_pdf
from tests.fixtures.ocr.render_fixtures import SERIF_FONT, SERIF_FONT_INDEX, draw_lines

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


# --- whether a page that read as blank has ink, and so is worth reading turned ---------------

INK_PAGE_PX = (800, 600)  # 4 x 3 inches at 200 dpi
PAPER = 235
#: 10.5 pt at 200 dpi.
FONT_PX = round(10.5 * SCAN_DPI / 72)


def scanned_paper(*, noise: float, seed: int = 0) -> np.ndarray:
    """A page of paper at :data:`PAPER`, grainy with ``noise`` grey levels of scan noise."""
    grain = np.random.default_rng(seed).normal(0.0, noise, INK_PAGE_PX[::-1]) if noise else 0.0
    return np.clip(PAPER + grain, 0, 255).astype(np.uint8)


def with_text(gray: np.ndarray, lines: int, *, ink: int, turn: int = 0) -> Image.Image:
    """``gray`` with ``lines`` lines of Chinese printed on it in grey level ``ink``, turned ``turn``."""
    image = Image.fromarray(gray, mode="L")
    font = ImageFont.truetype(str(SERIF_FONT), FONT_PX, index=SERIF_FONT_INDEX)
    draw = ImageDraw.Draw(image)
    for number in range(lines):
        draw.text(
            (60, 60 + 2 * FONT_PX * number),
            "大数据引发了人类思维方式和社会发展的深刻变化。",
            font=font,
            fill=ink,
        )
    return image.rotate(turn, expand=True)


def with_dust(gray: np.ndarray, specks: int) -> Image.Image:
    """``gray`` with ``specks`` dark specks of 2 x 2 pixels: dust on the scanner's glass."""
    dusty = gray.copy()
    rng = np.random.default_rng(1)
    for y, x in zip(
        rng.integers(0, gray.shape[0] - 2, specks), rng.integers(0, gray.shape[1] - 2, specks), strict=True
    ):
        dusty[y : y + 2, x : x + 2] = 40
    return Image.fromarray(dusty, mode="L")


@pytest.mark.parametrize(
    ("page", "inked"),
    [
        pytest.param(Image.new("L", INK_PAGE_PX, 255), False, id="blank"),
        pytest.param(Image.fromarray(scanned_paper(noise=4.0), mode="L"), False, id="light-paper-noise"),
        pytest.param(Image.fromarray(scanned_paper(noise=12.0), mode="L"), False, id="grainy-paper-noise"),
        pytest.param(with_dust(scanned_paper(noise=4.0), 20), False, id="dust-under-the-share"),
        # 50 grey levels under the paper: the old test (64 levels of contrast) found no ink.
        pytest.param(with_text(scanned_paper(noise=4.0), 1, ink=PAPER - 50), True, id="one-faint-line"),
        pytest.param(
            with_text(scanned_paper(noise=4.0), 1, ink=PAPER - 50, turn=90), True, id="faint-sideways"
        ),
        pytest.param(with_text(scanned_paper(noise=4.0), 8, ink=20), True, id="page-of-black-text"),
    ],
)
def test_a_page_has_ink_when_the_engines_would_find_some(page: Image.Image, inked: bool) -> None:
    assert has_ink(page, DEFAULT_SETTINGS) is inked


def test_the_runs_paper_noise_decides_what_is_ink() -> None:
    # The faint line lies 50 grey levels under paper with 4 levels of noise: ink at 6 sigmas
    # (the default), paper at 20.
    faint = with_text(scanned_paper(noise=4.0), 1, ink=PAPER - 50)
    assert has_ink(faint, DEFAULT_SETTINGS.with_overrides(ocr_paper_noise_sigmas=20.0)) is False
