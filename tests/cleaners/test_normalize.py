"""Tables of input -> expected for each cleaner of cleaners/normalize.py, rows that
must stay unchanged, the JSON golden cases, and hypothesis properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import CLEANERS, clean_text
from cleaners.normalize import (
    convert_traditional_to_simplified,
    curl_quotes_around_chinese,
    fold_fullwidth_alphanumerics,
    normalize_whitespace,
    remove_spaces_in_chinese,
    repair_url_colons,
    unify_cjk_compatibility,
    widen_punctuation_next_to_chinese,
)

CASES = json.loads((Path(__file__).parent / "cases" / "normalize.json").read_text(encoding="utf-8"))


# --- fold_fullwidth_alphanumerics ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("河北秦皇岛　４Ｇ　基站加快智慧城市布局", "河北秦皇岛 4G 基站加快智慧城市布局"),
        ("其中最高的温州市水利局９２．７分", "其中最高的温州市水利局92.7分"),
        ("２０１６．４．２２", "2016.4.22"),
        ("ｗｗｗ．ｘｉｎｈｕａｐｕｂ．ｃｏｍ", "www.xinhuapub.com"),
        ("　　第一段", "  第一段"),
        # left alone: full-width punctuation, and a ． that ends a Chinese sentence
        ("（人民政协报）", "（人民政协报）"),
        ("省政府每季度举行新闻发布会．", "省政府每季度举行新闻发布会．"),
        ("１．标题", "1．标题"),
        ("23,588", "23,588"),
    ],
)
def test_fold_fullwidth_alphanumerics(text: str, expected: str) -> None:
    assert fold_fullwidth_alphanumerics(text) == expected


# --- unify_cjk_compatibility ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项⽬背景介绍", "项目背景介绍"),
        ("南⽠书", "南瓜书"),
        ("⼀⼆三", "一二三"),
        ("⻓江⼤桥", "长江大桥"),
        ("⻔户⽹站", "门户网站"),
        ("⺟婴", "母婴"),
        ("⻳兔赛跑", "龟兔赛跑"),
        ("\uf9b2度", "零度"),  # a compatibility ideograph
        ("\U0002f804", "\u4f60"),  # the supplement of the compatibility block: 你
        # left alone: unified ideographs, component-only radicals, the Japanese
        # simplified forms, the unified ideographs inside the compatibility block,
        # and what a whole-text NFKC would fold (full-width punctuation, ①, ™, ｶ)
        ("项目背景介绍", "项目背景介绍"),
        ("⺅⻈⻐", "⺅⻈⻐"),
        ("⻫⻭⻯⻲", "⻫⻭⻯⻲"),
        ("\ufa0e\ufa0f\ufa11", "\ufa0e\ufa0f\ufa11"),
        ("（一）第①条，™ ｶ　Ａ", "（一）第①条，™ ｶ　Ａ"),
        ("", ""),
    ],
)
def test_unify_cjk_compatibility(text: str, expected: str) -> None:
    assert unify_cjk_compatibility(text) == expected


@settings(max_examples=80, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(min_codepoint=0x2E80, max_codepoint=0x2FDF)
        | st.sampled_from("目，\uf900\ufa0e \U0002f800")
    )
)
def test_unify_cjk_compatibility_is_idempotent_and_leaves_no_kangxi(text: str) -> None:
    once = unify_cjk_compatibility(text)
    assert unify_cjk_compatibility(once) == once
    assert not any(0x2F00 <= ord(char) <= 0x2FD5 for char in once)  # 2FD6-2FDF: unassigned


# --- normalize_whitespace --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国地方政府大数据运用 / 李文彬编著. — 北京:  ", "中国地方政府大数据运用 / 李文彬编著. — 北京:"),
        ("印\u00a0张: 11  字 数: 180 千字", "印 张: 11 字 数: 180 千字"),
        ("　　第一段\u3000", "第一段"),
        ("第一段。\r\n第二段。\r第三段。", "第一段。\n第二段。\n第三段。"),
        ("大数\u200b据", "大数据"),
        ("\ufeff目 录", "目 录"),
        ("重庆市 \t 2013.08.05 ", "重庆市\t2013.08.05"),
        # left alone: tabs (cells, page numbers), newlines, single spaces
        ("1\t重庆市\t重庆市大数据行动计划\t2013.08.05", "1\t重庆市\t重庆市大数据行动计划\t2013.08.05"),
        ("【信息化管理】\t", "【信息化管理】\t"),
        ("\t<b>后 记</b>\t166", "\t<b>后 记</b>\t166"),
        ("第一段。\n\n第二段。", "第一段。\n\n第二段。"),
        ("IBM Watson", "IBM Watson"),
    ],
)
def test_normalize_whitespace(text: str, expected: str) -> None:
    assert normalize_whitespace(text) == expected


# --- repair_url_colons -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("网 址: <http：//www．xinhupub．com>", "网 址: <http://www.xinhupub.com>"),
        ("https：／／www.xinhuapub.com", "https://www.xinhuapub.com"),
        ("HTTP: //www.xinhuapub.com", "HTTP://www.xinhuapub.com"),
        ("ftp：//ftp.example.cn", "ftp://ftp.example.cn"),
        ("网址：www．xinhupub．com。", "网址：www.xinhupub.com。"),
        # left alone: a correct URL, a Chinese colon, a dot ending a sentence
        ("<http://www.xinhupub.com>", "<http://www.xinhupub.com>"),
        ("来源：人民邮电报", "来源：人民邮电报"),
        ("访问www.xinhuapub.com．", "访问www.xinhuapub.com．"),
        ("newhttp：//", "newhttp：//"),
    ],
)
def test_repair_url_colons(text: str, expected: str) -> None:
    assert repair_url_colons(text) == expected


# --- widen_punctuation_next_to_chinese -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("专家表示,去年,我国开始在立法层面展开", "专家表示，去年，我国开始在立法层面展开"),
        ("(重庆日报)", "（重庆日报）"),
        ("(法制日报)", "（法制日报）"),
        ("《大连市城市智慧化建设总体规划(2014-2020)》", "《大连市城市智慧化建设总体规划（2014-2020）》"),
        ("编目 (CIP) 数据", "编目（CIP）数据"),
        ("市、县(市、区)的权力清单", "市、县（市、区）的权力清单"),
        ("接入全市公交车的 IC 卡数据;在重要场站", "接入全市公交车的 IC 卡数据；在重要场站"),
        ("7 月 24 日 , 在北京", "7 月 24 日，在北京"),
        ("来源:人民邮电报", "来源：人民邮电报"),
        ("北京:", "北京："),
        ("这是真的吗?!", "这是真的吗？！"),
        ("《纲要》,对中国", "《纲要》，对中国"),
        ("“数字化”,“智慧化”", "“数字化”，“智慧化”"),
        ('"政务 APP","互联网思维"', '"政务 APP"，"互联网思维"'),
        ("（重庆日报)", "（重庆日报）"),
        ("((2014)年)", "（（2014）年）"),
        ("中(a)(b)", "中（a）（b）"),
        ("中" + "(a)" * 12, "中" + "（a）" * 12),
        ("(a)" * 12 + "中", "（a）" * 12 + "中"),
        ("中(a),(b);(c)", "中（a），（b）；（c）"),
        ("Podesta, 在白宫", "Podesta，在白宫"),
        ("1)第一项", "1）第一项"),
        ("见(http://www.xinhuapub.com)。", "见（http://www.xinhuapub.com）。"),
        ("联系邮箱:service@xinhuapub.com,欢迎来信", "联系邮箱：service@xinhuapub.com，欢迎来信"),
        # left alone: numbers, URLs, e-mail, Latin, the full stop
        ("制作并发放罪犯卡片23,588张", "制作并发放罪犯卡片23,588张"),
        ("2014 年 07 月 24 日 12:49:27 来源", "2014 年 07 月 24 日 12:49:27 来源"),
        ("比例为1:2", "比例为1:2"),
        ("3.5", "3.5"),
        ("详见http://www.xinhuapub.com/a?b=1,c=2。", "详见http://www.xinhuapub.com/a?b=1,c=2。"),
        ("service@xinhuapub.com", "service@xinhuapub.com"),
        ("Hello, world", "Hello, world"),
        ("IBM Watson (US) said: yes!", "IBM Watson (US) said: yes!"),
        ("f(x) = 1", "f(x) = 1"),
        ("1. 印度电子政府发展", "1. 印度电子政府发展"),
        ("新华出版社，2019. 3", "新华出版社，2019. 3"),
        ("支持 Windows, Linux 和 Mac", "支持 Windows, Linux 和 Mac"),
    ],
)
def test_widen_punctuation_next_to_chinese(text: str, expected: str) -> None:
    assert widen_punctuation_next_to_chinese(text) == expected


# --- curl_quotes_around_chinese --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('发布了名为"Big Data"的专刊', "发布了名为“Big Data”的专刊"),
        ('浙江以"三张清单一张网"撬起政务改革', "浙江以“三张清单一张网”撬起政务改革"),
        ('"大数据"', "“大数据”"),
        ('畅谈"大数据"、"政务 APP"等', "畅谈“大数据”、“政务 APP”等"),
        ('"APP"，', "“APP”，"),
        ('宁波将启动"政务云" 杜绝', "宁波将启动“政务云” 杜绝"),
        ('He said "hi" and 她说"你好"', 'He said "hi" and 她说“你好”'),
        ('"甲"\t"乙"', "“甲”\t“乙”"),
        # left alone: Latin, an unpaired quote, single quotes, curly quotes
        ('John Podesta said "big data"', 'John Podesta said "big data"'),
        ('17" 显示器', '17" 显示器'),
        ("'大数据'", "'大数据'"),
        ("“Big Data”", "“Big Data”"),
    ],
)
def test_curl_quotes_around_chinese(text: str, expected: str) -> None:
    assert curl_quotes_around_chinese(text) == expected


# --- remove_spaces_in_chinese ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014 年 07 月", "2014年07月"),
        ("1996 年，美国计算机专家", "1996年，美国计算机专家"),
        ("云平台 APP", "云平台APP"),
        ("“悦 me”", "“悦me”"),
        ("总统顾问 John Podesta 在白宫", "总统顾问John Podesta在白宫"),
        ("河北秦皇岛 4G 基站", "河北秦皇岛4G基站"),
        ("用药 90% 以上医院", "用药90%以上医院"),
        ("目 录", "目录"),
        ("# 序 言", "# 序言"),
        ("用数据“治病” 大数据", "用数据“治病”大数据"),
        ("一起畅谈 “大数据”", "一起畅谈“大数据”"),
        ("（ ZDNet 存储频道 ）", "（ZDNet存储频道）"),
        ("作者： 李文彬", "作者：李文彬"),
        ("以民众为中心\u3000公开透明", "以民众为中心公开透明"),
        ("北京石景山区京原路\u00a08\u00a0号", "北京石景山区京原路8号"),
        # left alone: Latin words, numbers and symbols, list numbers, Markdown, tabs, newlines
        ("IBM Watson", "IBM Watson"),
        ("710 × 1000mm 1/16", "710 × 1000mm 1/16"),
        ("010 - 63077122", "010 - 63077122"),
        ("数据处理 - 应用 - 地方", "数据处理 - 应用 - 地方"),
        ("中国地方政府大数据运用 / 李文彬编著. — 北京", "中国地方政府大数据运用 / 李文彬编著. — 北京"),
        ("1. 印度电子政府发展", "1. 印度电子政府发展"),
        ("## 第一章", "## 第一章"),
        ("1\t重庆市\t2013.08.05", "1\t重庆市\t2013.08.05"),
        ("第一段。\n第二段。", "第一段。\n第二段。"),
        ("He said “hi” and left", "He said “hi” and left"),
        ("开 本: 710", "开本: 710"),
    ],
)
def test_remove_spaces_in_chinese(text: str, expected: str) -> None:
    assert remove_spaces_in_chinese(text) == expected


# --- convert_traditional_to_simplified -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電子政務雲計算應用技術國家工程實驗室", "电子政务云计算应用技术国家工程实验室"),
        ("電子政務信息匯編", "电子政务信息汇编"),
        ("乾隆年間", "乾隆年间"),
        ("頭髮", "头发"),
        ("薴", "苎"),  # OpenCC maps 薴 -> 苧 -> 苎 in two rounds
        # left alone: simplified text, punctuation, Latin, digits
        ("电子政务信息汇编，七月第四期", "电子政务信息汇编，七月第四期"),
        ("「引号」“”（）《》", "「引号」“”（）《》"),
        ("IBM Watson 12:49:27", "IBM Watson 12:49:27"),
    ],
)
def test_convert_traditional_to_simplified(text: str, expected: str) -> None:
    assert convert_traditional_to_simplified(text) == expected


def test_convert_traditional_to_simplified_with_other_config() -> None:
    assert convert_traditional_to_simplified("軟體", config="tw2sp") == "软件"
    assert convert_traditional_to_simplified("軟體", config="t2s.json") == "软体"


# --- golden cases ----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["label"])
def test_golden_case(case: dict[str, Any]) -> None:
    assert clean_text(case["original"]) == (case["fixed"], case["steps"])


@pytest.mark.parametrize("case", CASES["unchanged"], ids=lambda case: case["label"])
def test_golden_unchanged(case: dict[str, Any]) -> None:
    assert clean_text(case["text"]) == (case["text"], [])


@pytest.mark.xfail(strict=True, reason="known failure, see its comment in cases/normalize.json")
@pytest.mark.parametrize("case", CASES["known_failures"], ids=lambda case: case["label"])
def test_golden_known_failure(case: dict[str, Any]) -> None:
    assert clean_text(case["original"])[0] == case["ideal"]


# --- properties ------------------------------------------------------------------

#: Characters where the rules make decisions: Han (traditional and simplified),
#: full-width and half-width punctuation, quotes of every kind, digits, Latin,
#: full-width letters, every kind of space and break.
ALPHABET = (
    "中文国大据年月日乾隆頭髮薴電話"
    "，。、；：！？（）《》【】“”‘’…—·"
    ",;:!?().\"'-/%@<>"
    "0123456789abcXYZ"
    "ＡＢｚ０９．／：　"
    " \u00a0\u200b\t\n\r"
)
TOKENS = [
    "http://",
    "http：//",
    "https：／／",
    "www.",
    "www．",
    "service@xinhuapub.com",
    "12:49:27",
    "23,588",
    "3.5",
    "(重庆日报)",
    '"政务 APP"',
    "7 月 24 日 ,",
]
chinese_like_text = st.lists(
    st.one_of(st.text(alphabet=ALPHABET, max_size=12), st.sampled_from(TOKENS)), max_size=12
).map("".join)
any_text = st.one_of(st.text(), chinese_like_text)
ascii_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\n"))

# One converter, built before hypothesis starts timing examples.
convert_traditional_to_simplified("電")


@pytest.mark.parametrize("name", list(CLEANERS))
@settings(max_examples=80, deadline=None)
@given(text=any_text)
def test_cleaner_is_idempotent(name: str, text: str) -> None:
    cleaner = CLEANERS[name]
    once = cleaner(text)
    assert isinstance(once, str)
    assert cleaner(once) == once


@pytest.mark.parametrize(
    "cleaner",
    [widen_punctuation_next_to_chinese, curl_quotes_around_chinese, remove_spaces_in_chinese],
)
@settings(max_examples=60, deadline=None)
@given(text=ascii_text)
def test_chinese_rules_leave_ascii_text_alone(cleaner: Any, text: str) -> None:
    assert cleaner(text) == text


@settings(max_examples=80, deadline=None)
@given(text=any_text)
def test_clean_text_is_idempotent(text: str) -> None:
    cleaned, _ = clean_text(text)
    assert clean_text(cleaned) == (cleaned, [])
