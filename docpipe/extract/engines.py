"""OCR engines: what docpipe needs from one, and the registry ``--ocr-engine`` names.

Each engine is built from the settings on first use; the PP-OCR engines load ONNX
Runtime and their models only then, so that importing this module stays cheap (the CLI
lists the names without loading anything).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PIL import Image

from cleaners.records import Line
from docpipe.extract.tesseract import TesseractEngine
from docpipe.settings import Settings


class OcrEngine(Protocol):
    """What docpipe needs from an OCR engine: the lines of one page image."""

    @property
    def name(self) -> str:
        """Recorded on every page the engine read (``Page.engine``)."""
        ...

    @property
    def model_name(self) -> str:
        """The model(s) the engine read with, recorded on every page (``Page.ocr_model``)."""
        ...

    def read_lines(
        self, image: Image.Image, *, page_number: int, scale: float
    ) -> tuple[list[Line], float | None]:
        """Read ``image`` into lines in points (``scale`` points per pixel) and a page confidence."""
        ...


def _hybrid_engine(settings: Settings) -> OcrEngine:
    # Imported on first use: the hybrid engine loads ONNX Runtime and OpenCV.
    from docpipe.extract.hybrid import hybrid_engine

    return hybrid_engine(settings)


def _ppocr_engine(settings: Settings) -> OcrEngine:
    from docpipe.extract.ppocr_engine import ppocr_engine

    return ppocr_engine(settings)


#: OCR engines by the name ``Settings.ocr_engine`` gives, each built from the settings.
ENGINES: dict[str, Callable[[Settings], OcrEngine]] = {
    "tesseract": TesseractEngine.from_settings,
    "hybrid": _hybrid_engine,  # Tesseract's lines read again by PP-OCR (docpipe/extract/hybrid.py)
    "ppocr": _ppocr_engine,  # PP-OCR finds and reads the lines (docpipe/extract/ppocr_engine.py)
}


def engine_for(settings: Settings) -> OcrEngine:
    """The OCR engine ``settings.ocr_engine`` names, configured from ``settings``."""
    try:
        return ENGINES[settings.ocr_engine](settings)
    except KeyError:
        raise ValueError(
            f"unknown OCR engine {settings.ocr_engine!r}; known: {', '.join(sorted(ENGINES))}"
        ) from None
