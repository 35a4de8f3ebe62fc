"""The cleaner registry, the config that switches it, and the composition helpers."""

from __future__ import annotations

import functools
import subprocess
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaners
from cleaners import (
    CLEANERS,
    DEFAULT_CONFIG,
    OCR_FIXES_AFTER,
    CleaningConfig,
    apply_steps,
    clean_text,
    make_pipeline,
    plan_steps,
)

SWITCHES = [field for field in CleaningConfig._fields if field not in ("ocr_fixes", "opencc_config")]


def test_every_cleaner_has_a_switch_of_its_name() -> None:
    assert list(CLEANERS) == [name for name in CleaningConfig._fields if name in CLEANERS]
    assert set(SWITCHES) == set(CLEANERS)


def test_registry_names_are_function_names() -> None:
    for name, cleaner in CLEANERS.items():
        assert cleaner.__name__ == name
        assert cleaner.__doc__, f"{name} has no docstring"


def test_default_order() -> None:
    assert list(CLEANERS) == [
        "normalize_whitespace",
        "unify_cjk_compatibility",
        "fold_fullwidth_alphanumerics",
        "repair_url_colons",
        "widen_punctuation_next_to_chinese",
        "curl_quotes_around_chinese",
        "remove_spaces_in_chinese",
        "convert_traditional_to_simplified",
    ]
    assert [name for name, _ in plan_steps()] == list(CLEANERS)


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_CONFIG.remove_spaces_in_chinese = False  # type: ignore[misc]


@pytest.mark.parametrize("switch", SWITCHES)
def test_switching_a_cleaner_off_removes_its_step(switch: str) -> None:
    off: dict[str, Any] = {switch: False}
    config = DEFAULT_CONFIG._replace(**off)
    assert [name for name, _ in plan_steps(config)] == [name for name in CLEANERS if name != switch]


def test_switching_off_spaces_keeps_them() -> None:
    text = "2014 年 07 月,在北京"
    assert clean_text(text, CleaningConfig(remove_spaces_in_chinese=False)) == (
        "2014 年 07 月，在北京",
        ["widen_punctuation_next_to_chinese"],
    )


def test_opencc_config_is_bound() -> None:
    config = CleaningConfig(opencc_config="tw2sp")
    assert clean_text("軟體", config) == ("软件", ["convert_traditional_to_simplified"])
    assert clean_text("軟體") == ("软体", ["convert_traditional_to_simplified"])
    assert apply_steps("軟體", ["convert_traditional_to_simplified"], config) == "软件"


# --- clean_text reports exactly the steps that changed the text ------------------


def _steps_that_change(text: str, config: CleaningConfig = DEFAULT_CONFIG) -> list[str]:
    changed = []
    for name, cleaner in plan_steps(config):
        cleaned = cleaner(text)
        if cleaned != text:
            changed.append(name)
        text = cleaned
    return changed


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("", []),
        ("印度政府旨在通过数字化渠道提供更多以民众为中心的服务。（中研网）", []),
        ("(重庆日报)", ["widen_punctuation_next_to_chinese"]),
        ("1996 年", ["remove_spaces_in_chinese"]),
        ("電子政務", ["convert_traditional_to_simplified"]),
        ("项⽬ 背景", ["unify_cjk_compatibility", "remove_spaces_in_chinese"]),
        (
            "河北秦皇岛　４Ｇ　基站",
            ["normalize_whitespace", "fold_fullwidth_alphanumerics", "remove_spaces_in_chinese"],
        ),
        ("网址：http：//www.xinhuapub.com  ", ["normalize_whitespace", "repair_url_colons"]),
        (
            '畅谈"大数据","政务 APP"等',
            [
                "widen_punctuation_next_to_chinese",
                "curl_quotes_around_chinese",
                "remove_spaces_in_chinese",
            ],
        ),
    ],
)
def test_clean_text_reports_the_steps_that_changed_the_text(text: str, steps: list[str]) -> None:
    cleaned, reported = clean_text(text)
    assert reported == steps
    assert apply_steps(text, reported) == cleaned


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet='中文乾 隆頭髮,;:()"“”，（）0123456789ab　Ａ１\u00a0\t\nhttp：/w．@', max_size=40)
)
def test_clean_text_reports_exactly_the_changing_steps(text: str) -> None:
    cleaned, reported = clean_text(text)
    assert reported == _steps_that_change(text)
    assert apply_steps(text, reported) == cleaned


def test_apply_steps_rejects_unknown_names() -> None:
    with pytest.raises(KeyError, match="no_such_cleaner"):
        apply_steps("中文", ["no_such_cleaner"])


# --- make_pipeline ----------------------------------------------------------------


def test_make_pipeline_composes_left_to_right() -> None:
    tidy = make_pipeline(cleaners.widen_punctuation_next_to_chinese, cleaners.remove_spaces_in_chinese)
    assert (
        tidy("中国版本图书馆 CIP 数据核字 (2019) 第 043613 号")
        == "中国版本图书馆CIP数据核字（2019）第043613号"
    )
    assert make_pipeline()("原样") == "原样"


def test_make_pipeline_takes_partials() -> None:
    to_simplified = functools.partial(cleaners.convert_traditional_to_simplified, config="tw2sp")
    assert make_pipeline(cleaners.remove_spaces_in_chinese, to_simplified)("軟 體") == "软件"


def test_spaces_go_before_traditional_conversion() -> None:
    # OpenCC converts phrase by phrase: 乾 alone is 干, 乾隆 stays.
    assert cleaners.convert_traditional_to_simplified("乾 隆") == "干 隆"
    assert clean_text("乾 隆") == ("乾隆", ["remove_spaces_in_chinese"])


# --- OCR cleaners, registered from cleaners/ocr.py --------------------------------


def fix_ocr_and(text: str) -> str:
    """A stand-in OCR cleaner: the extraction tool's 'and' between Chinese words."""
    return text.replace(" and ", "和")


@pytest.fixture
def fake_ocr_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType(cleaners.OCR_MODULE)
    module.OCR_CLEANERS = {"fix_ocr_and": fix_ocr_and}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, cleaners.OCR_MODULE, module)
    yield


def test_ocr_fixes_are_off_by_default() -> None:
    assert not DEFAULT_CONFIG.ocr_fixes
    assert "fix_ocr_and" not in [name for name, _ in plan_steps()]


@pytest.mark.usefixtures("fake_ocr_module")
def test_ocr_cleaners_run_after_their_slot_and_are_recorded() -> None:
    config = CleaningConfig(ocr_fixes=True)
    names = [name for name, _ in plan_steps(config)]
    assert names.index("fix_ocr_and") == names.index(OCR_FIXES_AFTER) + 1
    # They see the spaces as extracted: remove_spaces_in_chinese has not run yet.
    text = "云服务应用先行区,云平台 and 软件集聚区。"
    assert clean_text(text, config) == (
        "云服务应用先行区，云平台和软件集聚区。",
        ["fix_ocr_and", "widen_punctuation_next_to_chinese"],
    )
    assert apply_steps(text, ["fix_ocr_and", "widen_punctuation_next_to_chinese"]) == (
        "云服务应用先行区，云平台和软件集聚区。"
    )


@pytest.mark.usefixtures("fake_ocr_module")
def test_ocr_slot_survives_switching_its_anchor_off() -> None:
    anchor_off: dict[str, Any] = {OCR_FIXES_AFTER: False}
    config = CleaningConfig(ocr_fixes=True, **anchor_off)
    names = [name for name, _ in plan_steps(config)]
    assert "fix_ocr_and" in names
    assert OCR_FIXES_AFTER not in names


# --- dependencies ------------------------------------------------------------------


def test_cleaners_import_no_pipeline_machinery() -> None:
    forbidden = ["prefect", "pdfplumber", "pypdfium2", "pytesseract", "pyarrow"]
    code = (
        "import sys, cleaners, cleaners.normalize, cleaners.patterns; "
        f"print([m for m in {forbidden!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
