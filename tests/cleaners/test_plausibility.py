"""The one judgement of garbage text (cleaners/plausibility.py), as the text layer, OCR and
the inspector make it with the limits of ``Settings``.

Each row: a real case, the checks a text layer fails (non-empty: the page is OCR'd) and the
checks an OCR page fails (non-empty: low_confidence).  Rows with () for both must stay
unchanged: text that reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners.plausibility import (
    UNMAPPED_GLYPH,
    PlausibilityLimits,
    chinese_share,
    find_doubts,
    mojibake_share,
    rare_character_share,
    repeated_share,
    stray_letter_rate,
    symbol_share,
    unusable_counts,
    usable_share,
)
from docpipe.settings import DEFAULT_SETTINGS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocr"
TEXT_LAYER = DEFAULT_SETTINGS.text_layer_limits()
OCR = DEFAULT_SETTINGS.ocr_text_limits()
#: A text layer decoded with the wrong code page: UTF-8 bytes of Chinese read as Windows-1252.
CP1252 = "电子政务信息汇编，二〇一四年七月".encode().decode("cp1252", errors="replace")

# (label, text, failed as a text layer, failed as OCR text)
CASES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    # Garbage.
    ("mojibake", "êêêÆÆÆ###(((¯¯¯KKK", ("mojibake",), ("symbols",)),
    ("mojibake-page", "êêêÆÆÆ###(((¯¯¯KKK" * 3, ("mojibake",), ("symbols",)),
    ("wrong-code-page", CP1252, ("mojibake",), ("symbols",)),
    ("latin1-symbols", "¥¦§ª¬®¯±´¶¸º¼½¾¿ÀÁÂÃÄÅÆ", ("mojibake",), ("symbols",)),
    ("cid-codes", "".join(f"(cid:{n})" for n in range(3, 13)), ("unmapped",), ()),
    ("unmapped-glyphs", UNMAPPED_GLYPH * 12 + "字", ("unmapped", "mojibake"), ("repeated_fragments",)),
    ("replacement-chars", "政务\ufffd\ufffd\ufffd\ufffd信息公开工作", ("mojibake",), ("symbols",)),
    ("few-replacement-chars", "政务\ufffd信息公开工作的新进展", (), ()),
    (
        "private-use",
        "\ue000\ue001\ue002\ue003\ue004\ue005\ue006电子政务",
        ("unmapped", "mojibake"),
        ("symbols",),
    ),
    ("repeated-fragments", "大数据\n大数据\n大数据\n大数据", (), ("repeated_fragments",)),
    (
        "repeated-run",
        "一一一一一一一一一一一一一一\n一一一一一一一一一",
        ("mojibake",),
        ("repeated_fragments",),
    ),
    ("hallucinated-ocr", "口4以应核W盘m地本越拍风证\n政务W数k据m开放z共享", (), ("stray_letters",)),
    ("rare-characters", "鷐齾龘鱻靐䨻爩鷐齾龘鱻", (), ("rare_characters",)),
    ("too-short", "短", ("too_short",), ()),
    # Text that reads: must stay unchanged.
    ("clean-chinese", "大数据引发了人类思维方式和社会发展的深刻变化。", (), ()),
    ("traditional", "全省各級檢察機關、紀檢監察機關、公安機關", (), ()),
    ("clean-english", "The cell is stored at full charge for no longer than three months.", (), ()),
    ("french", "Température de stockage: 25 °C ± 2 °C", (), ()),
    ("bilingual-table", "标称电压 Nominal voltage\t3.2 V", (), ()),
    ("contents-leaders", "第一章 地方政府大数据发展政策概况……………………1", (), ()),
    ("url-and-rules", "目录……………………3 ———— www.xinhuapub.com", (), ()),
    (
        "latin-among-chinese",
        "总统顾问John Podesta在白宫发布了《大数据：把握机遇，维护价值》（2014年5月）。",
        (),
        (),
    ),
    # A formula font without a Unicode map: a few □ keep the text layer.
    ("formula-unmapped", "勾股定理：a□+b□=c□，其中c为斜边的长度。", (), ("stray_letters",)),
    ("formula-symbols", "设 f(x) = ax² + bx + c，则 Δ = b² − 4ac ≥ 0，方程有两个实根。", (), ("symbols",)),
    ("one-cid-in-a-cover", "二〇二五(cid:3)年全国硕士研究生招生考试", (), ("rare_characters",)),
]


@pytest.mark.parametrize(("label", "text", "as_text_layer", "as_ocr"), CASES, ids=[c[0] for c in CASES])
def test_find_doubts(label: str, text: str, as_text_layer: tuple[str, ...], as_ocr: tuple[str, ...]) -> None:
    assert tuple(doubt.check for doubt in find_doubts(text, TEXT_LAYER)) == as_text_layer
    assert tuple(doubt.check for doubt in find_doubts(text, OCR)) == as_ocr


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.lines.txt")), ids=lambda p: p.name)
def test_every_recorded_ocr_page_reads_as_plausible(path: Path) -> None:
    assert find_doubts(path.read_text(encoding="utf-8"), OCR) == ()


# (text, reasons the inspector gives, as prefixes) — the first rows must stay plausible
INSPECTED: list[tuple[str, str, list[str]]] = [
    ("印度电子政府发展：以民众为中心，公开透明的服务导向化项目。", "text", []),
    ("— 12 —", "text", []),  # too short to judge, and not implausible for being short
    ("Café, naïve, résumé 在法文中常见，这里夹在中文的句子里面也无妨。", "text", []),
    ("µç×ÓÕþÎñÐÅÏ¢»ã±à µç×ÓÕþÎñÐÅÏ¢»ã±à", "text", ["mojibake", "little Chinese"]),
    ("政务\ufffd信息", "text", ["1 replacement character (U+FFFD)"]),
    ("政务\ue001\ue002信息公开", "text", ["2 private-use characters (no Unicode map)"]),
    ("口4以应核W盘m地本越拍风证政务W数k据m开放z共享", "ocr", ["lone letters"]),
    # A text layer is not judged by OCR's checks.
    ("口4以应核W盘m地本越拍风证政务W数k据m开放z共享", "text", []),
]


@pytest.mark.parametrize(("text", "method", "reasons"), INSPECTED)
def test_inspect_limits(text: str, method: str, reasons: list[str]) -> None:
    found = [doubt.reason for doubt in find_doubts(text, DEFAULT_SETTINGS.inspect_limits(method))]
    assert len(found) == len(reasons), found
    assert all(reason.startswith(prefix) for reason, prefix in zip(found, reasons, strict=True))


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("êêêÆÆÆ###(((¯¯¯KKK", 1.0),
        ("\ufffd\ufffd中文", 0.5),
        ("\ue000\ue001中文", 0.5),
        # text that reads: Chinese, English, French, numbers, leaders and rules
        ("电子政务信息汇编", 0.0),
        ("Capacity retention depends on the coverage", 0.0),
        ("Température de stockage: 25 °C ± 2 °C", 0.0),
        ("1000 mAh, 23,588 张, 2014.07.28", 0.0),
        ("目录……………………3 ———— www.xinhuapub.com", 0.0),
        ("", 0.0),
    ],
)
def test_mojibake_share(text: str, share: float) -> None:
    assert mojibake_share(text) == pytest.approx(share)


def test_usable_share_counts_unmapped_glyphs_in_every_spelling() -> None:
    assert (
        usable_share("(cid:12)字") == usable_share(f"{UNMAPPED_GLYPH}字") == usable_share("\ufffd字") == 0.5
    )
    assert unusable_counts("(cid:12)□\ue000字") == {
        "(cid:N) code": 1,
        "unmapped glyph (□)": 1,
        "private-use character (no Unicode map)": 1,
    }


def test_a_check_without_a_limit_is_not_made() -> None:
    garbage = "êêêÆÆÆ###(((¯¯¯KKK"
    assert find_doubts(garbage, PlausibilityLimits()) == ()
    [doubt] = find_doubts(garbage, PlausibilityLimits(max_mojibake_share=0.3))
    assert (doubt.check, doubt.value, doubt.limit) == ("mojibake", 1.0, 0.3)


CHECKS = {
    "too_short",
    "unmapped",
    "mojibake",
    "rare_characters",
    "symbols",
    "stray_letters",
    "repeated_fragments",
    "little_chinese",
}
#: Checks that fail below their limit; the others fail above it.
FAIL_BELOW = {"too_short", "unmapped", "little_chinese"}


@given(st.text(max_size=200))
def test_measures_are_shares_and_every_doubt_crossed_its_limit(text: str) -> None:
    for measure in (
        mojibake_share,
        usable_share,
        rare_character_share,
        symbol_share,
        repeated_share,
        chinese_share,
    ):
        assert 0.0 <= measure(text) <= 1.0
    assert stray_letter_rate(text) >= 0.0
    for limits in (
        TEXT_LAYER,
        OCR,
        DEFAULT_SETTINGS.inspect_limits("text"),
        DEFAULT_SETTINGS.inspect_limits("ocr"),
    ):
        doubts = find_doubts(text, limits)
        assert len({doubt.check for doubt in doubts}) == len(doubts) and {d.check for d in doubts} <= CHECKS
        for doubt in doubts:
            crossed = doubt.value < doubt.limit if doubt.check in FAIL_BELOW else doubt.value > doubt.limit
            assert crossed and doubt.reason, doubt
