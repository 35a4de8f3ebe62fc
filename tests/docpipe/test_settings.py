"""Settings refuse values of the wrong type or outside their range, wherever they come from."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from docpipe.extract.engines import engine_for
from docpipe.extract.ppocr_engine import PpOcrEngine
from docpipe.extract.tesseract import TesseractEngine
from docpipe.settings import DEFAULT_SETTINGS, SETTING_RANGES, InvalidSetting, Settings

#: field, value, error message (None: the value must be accepted)
VALUES: list[tuple[str, Any, str | None]] = [
    ("render_dpi", 300, None),
    ("render_dpi", 50, None),
    ("render_dpi", -5, "render_dpi must be between 50 and 1200, got -5"),
    ("render_dpi", 300.0, "render_dpi must be a whole number, got 300.0"),
    ("render_dpi", "300", "render_dpi must be a whole number, got '300'"),
    ("render_dpi", True, "render_dpi must be a whole number, got True"),
    ("ocr_workers", 0, None),  # 0: one per core, documented
    ("ocr_workers", -3, "ocr_workers must be between 0 and 256, got -3"),
    ("page_timeout", 0.001, None),  # tests force timeouts this way
    ("page_timeout", 5, None),  # an int is a number
    ("page_timeout", -1.0, "page_timeout must be at least 0.001, got -1.0"),
    ("page_timeout", float("inf"), "page_timeout must be at least 0.001, got inf"),
    ("page_timeout", float("nan"), "page_timeout must be at least 0.001, got nan"),
    ("confidence_floor", 100.0, None),
    ("confidence_floor", 150.0, "confidence_floor must be between 0.0 and 100.0, got 150.0"),
    ("retry_failed", 0, None),  # 0 turns healing off
    ("retry_failed", -1, "retry_failed must be between 0 and 100, got -1"),
    ("ocr", "always", None),
    ("ocr", "sometimes", "ocr must be one of auto, always, never, got 'sometimes'"),
    ("ocr_languages", "chi_sim+eng", None),
    ("ocr_languages", "chi_sim eng", "ocr_languages must be Tesseract languages joined by '+'"),
    ("ocr_engine", "", "ocr_engine must be a non-empty string, got ''"),
    ("furniture_band", 0.6, None),
    ("furniture_band", 0.0, "furniture_band must be between 0.01 and 0.99, got 0.0"),
    ("size_change", 0.12, None),
    ("size_change", 1.5, "size_change must be between 0.0 and 1.0, got 1.5"),
    ("speck_confidence", 101.0, "speck_confidence must be between 0.0 and 100.0, got 101.0"),
    ("inspect_min_judged_chars", -1, "inspect_min_judged_chars must be at least 0, got -1"),
    # segmentation's thresholds (docpipe/segment/)
    ("heading_max_chars", 60, None),
    ("heading_max_chars", 0, "heading_max_chars must be at least 1, got 0"),
    ("contents_match_ratio", 1.5, "contents_match_ratio must be between 0.0 and 1.0, got 1.5"),
    ("ocr_heading_size_spread", 0.5, "ocr_heading_size_spread must be at least 1.0, got 0.5"),
    ("source_max_chars", 30.0, "source_max_chars must be a whole number, got 30.0"),
    # OCR reading order and orientation (docpipe/extract/reading_order.py, ocr.py)
    ("ocr_row_overlap", 0.0, "ocr_row_overlap must be between 0.01 and 1.0, got 0.0"),
    ("ocr_ink_min_share", 1.5, "ocr_ink_min_share must be between 0.0 and 1.0, got 1.5"),
    ("ocr_upright_line_share", 0.8, None),
]


@pytest.mark.parametrize(("name", "value", "message"), VALUES)
def test_settings_check_type_and_range(name: str, value: Any, message: str | None) -> None:
    if message is None:
        assert getattr(DEFAULT_SETTINGS.with_overrides(**{name: value}), name) == value
        return
    with pytest.raises(InvalidSetting) as error:
        DEFAULT_SETTINGS.with_overrides(**{name: value})
    assert str(error.value).startswith(message) and error.value.name == name


def test_every_numeric_setting_has_a_range_and_the_defaults_are_in_it() -> None:
    numeric = {field.name for field in fields(Settings) if field.type in ("int", "float")}
    assert numeric == set(SETTING_RANGES)
    Settings()  # the defaults pass their own checks


def test_the_plausibility_limits_carry_the_settings_they_are_built_from() -> None:
    settings = DEFAULT_SETTINGS.with_overrides(text_layer_max_mojibake=0.5, ocr_max_symbol_share=0.2)
    assert settings.text_layer_limits().max_mojibake_share == 0.5
    assert settings.text_layer_limits().max_symbol_share is None  # an OCR check, not the text layer's
    assert settings.ocr_text_limits().max_symbol_share == 0.2
    inspect = settings.inspect_limits("ocr")
    assert (inspect.max_symbol_share, inspect.min_chars, inspect.min_usable_share) == (0.2, None, 1.0)


def test_the_ocr_engines_take_their_thresholds_from_the_settings() -> None:
    """Reading order and Tesseract's margin re-read judge with the run's settings, not copies."""
    settings = DEFAULT_SETTINGS.with_overrides(
        column_gap_em=1.5, column_min_lines=4, ocr_column_min_width_em=7.0, ocr_row_overlap=0.6
    )
    ppocr = engine_for(settings)
    assert isinstance(ppocr, PpOcrEngine)
    assert (ppocr.column_gap_em, ppocr.column_min_lines, ppocr.ocr_column_min_width_em) == (1.5, 4, 7.0)
    assert ppocr.ocr_row_overlap == 0.6
    tesseract = engine_for(settings.with_overrides(ocr_engine="tesseract", speck_confidence=50.0))
    assert isinstance(tesseract, TesseractEngine)
    assert tesseract.text_confidence == 50.0
