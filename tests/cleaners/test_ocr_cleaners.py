"""Tables of real Tesseract output -> repair for each cleaner of cleaners/ocr.py, rows that
must stay unchanged, hypothesis properties, and the cleaners' effect on the recorded pages.

Every input marked as recorded is a line that Tesseract 5.3 (chi_sim+eng) returned for a
page rendered from the seed texts; ``test_recorded_inputs_are_real_tesseract_output``
checks that each one occurs in tests/fixtures/ocr/.
"""

from __future__ import annotations

import ast
import doctest
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners import CleaningConfig, clean_text
from cleaners.ocr import (
    OCR_CLEANERS,
    pair_double_quotes,
    remove_stray_bars,
    repair_misread_opening_brackets,
    replace_empty_quotes_with_space,
    restore_dashes_between_digits,
    restore_list_number_ones,
    restore_middle_dots,
)
from docpipe.scoring import character_error_rate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocr"
CLEANERS_SOURCE = Path(__file__).resolve().parents[2] / "cleaners" / "ocr.py"

# (cleaner, recorded Tesseract line, expected repair)
REPAIRED = [
    (remove_stray_bars, "的大数据发展政策文件。具体见表1-1。|", "的大数据发展政策文件。具体见表1-1。"),
    (remove_stray_bars, "泛讨论。|", "泛讨论。"),
    (
        remove_stray_bars,
        "深度融合”。2017年12月8日，习近平总书记在|",
        "深度融合”。2017年12月8日，习近平总书记在",
    ),
    (remove_stray_bars, "|政", "政"),
    (remove_stray_bars, "|市长孔令俊、", "市长孔令俊、"),
    (
        restore_list_number_ones,
        "LL.十三五时期政府网站发展评估ATM模型",
        "11.十三五时期政府网站发展评估ATM模型",
    ),
    (
        restore_list_number_ones,
        "ll.十三五时期政府网站发展评估ATM模型",
        "11.十三五时期政府网站发展评估ATM模型",
    ),
    (
        restore_list_number_ones,
        "Ll.十三五时期政府网站发展评估AT模型",
        "11.十三五时期政府网站发展评估AT模型",
    ),
    (
        restore_dashes_between_digits,
        "(2013一2015年)》。为此，对我国省、市政府出台的促进大数据发展政策进行分",
        "(2013—2015年)》。为此，对我国省、市政府出台的促进大数据发展政策进行分",
    ),
    (restore_dashes_between_digits, "12013一2015年}", "12013—2015年}"),
    (
        restore_middle_dots,
        "7月18日，中国电信江苏公司与扬州市人民政府就合作共建“中国.扬州云计算",
        "7月18日，中国电信江苏公司与扬州市人民政府就合作共建“中国·扬州云计算",
    ),
    (
        restore_middle_dots,
        "此次，扬州市与中国电信江苏公司台作共建“中国.扬州云计算中心”，项目",
        "此次，扬州市与中国电信江苏公司台作共建“中国·扬州云计算中心”，项目",
    ),
    (
        repair_misread_opening_brackets,
        "主要任务和保障机制与措施。如广东省〈2012年)出台《广东省实施大数据战略工",
        "主要任务和保障机制与措施。如广东省（2012年)出台《广东省实施大数据战略工",
    ),
    (
        repair_misread_opening_brackets,
        "数据发展行动计划〈纲要)政策，主要内容涵盖大数据发展的总目标、阶段目标、",
        "数据发展行动计划（纲要)政策，主要内容涵盖大数据发展的总目标、阶段目标、",
    ),
    (
        repair_misread_opening_brackets,
        "作方案》，上海市《2013年)出台《上海推进大数据研究与发展三年行动计划",
        "作方案》，上海市（2013年)出台《上海推进大数据研究与发展三年行动计划",
    ),
    (
        repair_misread_opening_brackets,
        "中国版本图书馆CIP数据核字〈2019)第043613号",
        "中国版本图书馆CIP数据核字（2019)第043613号",
    ),
    (
        replace_empty_quotes_with_space,
        "第一章“”地方政府大数据发展政策概况",
        "第一章 地方政府大数据发展政策概况",
    ),
    (
        pair_double_quotes,
        '近日，济南市局食品流通许可业务系统成功“落户"济南政务',
        "近日，济南市局食品流通许可业务系统成功“落户”济南政务",
    ),
    (
        pair_double_quotes,
        '4、山东济南市食品药品监管系统“落户"政务云中心\t包',
        "4、山东济南市食品药品监管系统“落户”政务云中心\t包",
    ),
    (
        pair_double_quotes,
        '致(例如"取消未读电子邮件与陈旧电子邮件之间的差别") ;二',
        "致(例如“取消未读电子邮件与陈旧电子邮件之间的差别”) ;二",
    ),
    (
        pair_double_quotes,
        '(Technology)、“管理运营” (Management)三大核心维度，与“满意度"与-',
        "(Technology)、“管理运营” (Management)三大核心维度，与“满意度”与-",
    ),
]

RECORDED = True
MADE_UP = False

# (cleaner, text that must come out unchanged, whether Tesseract recorded it): what the
# rules must never touch, numbers, URLs, ISBNs, e-mail, Latin words and Roman numerals included.
UNCHANGED = [
    (remove_stray_bars, "(一)政策目标| SO", RECORDED),
    (remove_stray_bars, "购书热线: 010-68077122 |", RECORDED),
    (remove_stray_bars, "| 2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对中国大数据", RECORDED),
    (remove_stray_bars, "| 1 | 重庆市 | 2013.08.05 |", MADE_UP),
    (restore_list_number_ones, "I.中中… II中李… TIT.人数据处理-应用-地方政府-行政管理-", RECORDED),
    (restore_list_number_ones, "I. OA Tl. OA III，钙数据处理-应用-地方政府-行政管理-", RECORDED),
    (restore_list_number_ones, "11. 十三五时期政府网站发展评估 ATM 模型", MADE_UP),
    (restore_list_number_ones, "Dell.中国", MADE_UP),
    (restore_list_number_ones, "ll. hello", MADE_UP),
    (restore_list_number_ones, "全市l.5万人", MADE_UP),
    (restore_dashes_between_digits, "一3一", RECORDED),
    (restore_dashes_between_digits, "统一3个标准", MADE_UP),
    (restore_dashes_between_digits, "ISBN 978-7-5166-4520-8", RECORDED),
    (restore_middle_dots, "中国地方政府大数据运用/李文彬编著.一北京:新华出版社，2019. 3", RECORDED),
    (restore_middle_dots, "网址: http://www.xinhupub.com", RECORDED),
    (restore_middle_dots, "定价: 39.80元", RECORDED),
    (restore_middle_dots, "2013.08.05 3.5 23,588 IBM SM2 2014年", MADE_UP),
    (restore_middle_dots, "联系 zhang.san@xinhua.cn 或 www.gov.cn。", MADE_UP),
    (
        repair_misread_opening_brackets,
        "2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对中国大数据",
        RECORDED,
    ),
    (repair_misread_opening_brackets, "《上海推进大数据研究与发展三年行动计划（2013—2015年）》", MADE_UP),
    (repair_misread_opening_brackets, "出台《广东省实施大数据战略工", MADE_UP),
    (replace_empty_quotes_with_space, "“ATM模型”。该套指标从“应用功能” (Application)、“关键技术”", RECORDED),
    (replace_empty_quotes_with_space, "第一章“地方政府大数据发展政策概况", MADE_UP),
    (pair_double_quotes, "电子政务信息汇编”五月第一期", RECORDED),  # one quote: a speck, not a quotation
    (pair_double_quotes, '甚至侵犯公民隐私等"。因此该份报告总结出了6项可操作的政', RECORDED),
    (pair_double_quotes, "“ATM模型”。该套指标从“应用功能” (Application)、“关键技术”", RECORDED),
    (pair_double_quotes, 'John Podesta said "big data" and "privacy"', MADE_UP),
    (pair_double_quotes, "他说：“数据是资源。\n“开放是方向。”", MADE_UP),  # one per line: quotation runs on
]


def recorded_lines() -> set[str]:
    lines: set[str] = set()
    for path in FIXTURES.glob("*.txt"):
        if not path.name.endswith(".truth.txt"):
            lines.update(path.read_text(encoding="utf-8").splitlines())
    return lines


@pytest.mark.parametrize(("cleaner", "recorded", "repaired"), REPAIRED)
def test_repairs_recorded_tesseract_output(
    cleaner: Callable[[str], str], recorded: str, repaired: str
) -> None:
    assert cleaner(recorded) == repaired


@pytest.mark.parametrize(("cleaner", "text", "recorded"), UNCHANGED)
def test_leaves_alone(cleaner: Callable[[str], str], text: str, recorded: bool) -> None:
    assert cleaner(text) == text


def test_recorded_inputs_are_real_tesseract_output() -> None:
    recorded = recorded_lines()
    missing = [text for _, text, _ in REPAIRED if text not in recorded]
    missing += [text for _, text, is_recorded in UNCHANGED if is_recorded and text not in recorded]
    assert not missing


def test_docstring_examples_are_real_tesseract_output() -> None:
    recorded = recorded_lines()
    examples = [
        example
        for cleaner in OCR_CLEANERS.values()
        for example in doctest.DocTestParser().get_examples(cleaner.__doc__ or "")
    ]
    calls = [ast.parse(example.source, mode="eval").body for example in examples]
    inputs = [ast.literal_eval(call.args[0]) for call in calls if isinstance(call, ast.Call)]
    assert len(inputs) == len(examples) >= 2 * len(OCR_CLEANERS)
    assert [text for text in inputs if text not in recorded] == []


def test_cleaners_act_line_by_line() -> None:
    page = "泛讨论。|\nLL.十三五时期政府网站发展评估ATM模型\n|政"
    assert (
        remove_stray_bars(restore_list_number_ones(page))
        == "泛讨论。\n11.十三五时期政府网站发展评估ATM模型\n政"
    )


def test_registry_lists_every_cleaner_in_order() -> None:
    assert list(OCR_CLEANERS) == [
        "remove_stray_bars",
        "restore_list_number_ones",
        "restore_dashes_between_digits",
        "restore_middle_dots",
        "repair_misread_opening_brackets",
        "replace_empty_quotes_with_space",
        "pair_double_quotes",
    ]
    assert all(cleaner.__name__ == name for name, cleaner in OCR_CLEANERS.items())


def test_cleaners_import_no_pdf_ocr_or_pipeline_library() -> None:
    tree = ast.parse(CLEANERS_SOURCE.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    forbidden = {"pytesseract", "pdfplumber", "pypdfium2", "prefect", "pyarrow"}
    assert not {name.split(".")[0] for name in imported} & forbidden


# --- properties ------------------------------------------------------------------------------

# Text made of what the rules look at: Chinese, digits, the letters they confuse, the marks.
OCR_LIKE_TEXT = st.text(
    alphabet=st.sampled_from(list('中国扬州一二年月日人数据1023lLI.,:;|()（）〈〉《》“”" \n\t—-·aZ@/')),
    max_size=60,
)


@pytest.mark.parametrize("cleaner", list(OCR_CLEANERS.values()), ids=list(OCR_CLEANERS))
@given(text=OCR_LIKE_TEXT)
def test_every_cleaner_is_idempotent(cleaner: Callable[[str], str], text: str) -> None:
    once = cleaner(text)
    assert cleaner(once) == once


@pytest.mark.parametrize("cleaner", list(OCR_CLEANERS.values()), ids=list(OCR_CLEANERS))
@given(text=st.text(max_size=80))
def test_every_cleaner_takes_any_text(cleaner: Callable[[str], str], text: str) -> None:
    assert isinstance(cleaner(text), str)


@given(text=OCR_LIKE_TEXT)
def test_cleaners_never_change_the_number_of_lines(text: str) -> None:
    cleaned = text
    for cleaner in OCR_CLEANERS.values():
        cleaned = cleaner(cleaned)
    assert cleaned.count("\n") == text.count("\n")


# --- effect on the recorded pages ------------------------------------------------------------------


def test_character_error_rate() -> None:
    assert character_error_rate("中国 扬州", "中国扬州") == 0.0
    assert character_error_rate("中国.扬州", "中国·扬州") == pytest.approx(1 / 5)
    assert character_error_rate("中扬州", "中国·扬州") == pytest.approx(2 / 5)
    assert character_error_rate("中国·扬州云", "中国·扬州") == pytest.approx(1 / 5)


OCR_CONFIG = CleaningConfig(ocr_fixes=True, convert_traditional_to_simplified=False)
TEXT_CONFIG = CleaningConfig(convert_traditional_to_simplified=False)


def clean_page(text: str, config: CleaningConfig) -> str:
    return "\n".join(clean_text(line, config)[0] for line in text.splitlines())


@pytest.mark.parametrize("lines_path", sorted(FIXTURES.glob("*.lines.txt")), ids=lambda path: path.stem)
def test_ocr_fixes_never_make_a_recorded_page_worse(lines_path: Path) -> None:
    truth = lines_path.with_name(lines_path.name.replace(".lines.", ".truth.")).read_text(encoding="utf-8")
    recorded = lines_path.read_text(encoding="utf-8")
    without = character_error_rate(clean_page(recorded, TEXT_CONFIG), truth)
    with_fixes = character_error_rate(clean_page(recorded, OCR_CONFIG), truth)
    assert with_fixes <= without


def test_ocr_fixes_lower_the_error_rate_over_all_recorded_pages() -> None:
    errors_without = errors_with = 0.0
    for lines_path in FIXTURES.glob("*.lines.txt"):
        truth = lines_path.with_name(lines_path.name.replace(".lines.", ".truth.")).read_text(
            encoding="utf-8"
        )
        recorded = lines_path.read_text(encoding="utf-8")
        errors_without += character_error_rate(clean_page(recorded, TEXT_CONFIG), truth)
        errors_with += character_error_rate(clean_page(recorded, OCR_CONFIG), truth)
    assert errors_with < errors_without


# --- drop_speck_lines ---------------------------------------------------------------------

from cleaners.ocr import drop_speck_lines, split_speck_lines  # noqa: E402
from cleaners.records import Line  # noqa: E402
from docpipe.settings import DEFAULT_SETTINGS  # noqa: E402

PAGE_HEIGHT = 680.0


SPECK_LINES = [
    (Line("序言", 5, 220, 162, 267, 178, 15.7, confidence=90.5), True),  # a short heading
    (Line("大数据引发了人类思维方式", 5, 92, 219, 417, 229, 9.7, confidence=93.0), True),
    (Line("IBM SM2 2014年", 5, 92, 300, 200, 310, 9.7, confidence=88.0), True),
    (Line("5", 12, 462, 644, 463, 652, 8.3, confidence=9.0), True),  # page number in the bottom band
    (Line("vi", 10, 65, 629, 72, 634, 5.3, confidence=30.0), True),
    (Line("3", 17, 27, 670, 28, 675, 4.8, confidence=0.0), False),  # gutter shadow read as a digit
    (Line("Bese.", 3, 13, 16, 28, 21, 4.8, confidence=21.0), False),  # gutter speck
    (Line("1", 7, 13, 475, 20, 484, 9.7, confidence=34.0), False),  # a digit-shaped speck mid-page
    (Line("<", 7, 12, 309, 24, 318, 9.0, confidence=62.0), False),  # a lone mark
    (Line("机", 3, 14, 197, 30, 201, 4.1, confidence=20.0), False),  # a tiny unsure glyph
    (Line("党", 5, 12, 75, 21, 80, 5.4, confidence=0.0), False),  # gutter shadow read as Chinese
    (Line("坊间", 17, 15, 637, 23, 642, 5.5, confidence=23.0), False),
]


@pytest.mark.parametrize(("line", "kept"), SPECK_LINES)
def test_drop_speck_lines(line: Line, kept: bool) -> None:
    body = Line(
        "通过网络搜集的方式，共收集到17个省级行政单位", line.page, 92, 400, 417, 410, 9.7, confidence=95.0
    )
    result = drop_speck_lines([body, line], page_height=PAGE_HEIGHT, settings=DEFAULT_SETTINGS)
    assert (line in result) is kept
    assert drop_speck_lines(result, page_height=PAGE_HEIGHT, settings=DEFAULT_SETTINGS) == result


@pytest.mark.parametrize(("line", "kept"), SPECK_LINES)
def test_every_dropped_speck_is_recorded_with_its_reason(line: Line, kept: bool) -> None:
    body = Line(
        "通过网络搜集的方式，共收集到17个省级行政单位", line.page, 92, 400, 417, 410, 9.7, confidence=95.0
    )
    lines, dropped = split_speck_lines([body, line], page_height=PAGE_HEIGHT, settings=DEFAULT_SETTINGS)
    assert lines == drop_speck_lines([body, line], page_height=PAGE_HEIGHT, settings=DEFAULT_SETTINGS)
    if kept:
        assert dropped == []
    else:
        [record] = dropped
        reason, _, text = record.partition(": ")
        assert text == line.text
        assert reason in ("gutter shadow", "lone mark", "noise", "speck", "small glyphs")
