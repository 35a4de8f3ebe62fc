"""The invariant figures of :mod:`docpipe.scoring`: what they count, and what they leave alone."""

from __future__ import annotations

from typing import Any

import pytest

from docpipe.scoring import Article, check_rows, score, unmapped_characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇二五(cid:3)年", {"cid": 1}),
        ("(cid:12)(cid:7)", {"cid": 2}),
        ("数据\ufffd共享", {"U+FFFD": 1}),
        ("\ue000\ue0ff", {"private use": 2}),
        ("项⽬背景介绍，南⽠书", {"Kangxi": 2}),
        ("零 = \uf9b2", {"Kangxi": 1}),
        ("⻓江", {"Kangxi": 1}),
        # left alone: ordinary text, a unified ideograph of the compatibility block, a
        # component-only radical, circled numbers, a bracket that is not a cid code
        ("中国·扬州（cid）①™", {}),
        ("﨑 ⺅ (cid:) cid:3", {}),
    ],
)
def test_unmapped_characters(text: str, expected: dict[str, int]) -> None:
    counts = unmapped_characters(text)
    assert {kind: n for kind, n in counts.items() if n} == expected


def row(body: str, *, part: str = "body", **extra: Any) -> dict[str, Any]:
    return {"title": "标题", "body": body, "source": None, "part": part, **extra}


@pytest.mark.parametrize(
    ("rows", "coverage", "broken"),
    [
        ([row("正文。")], 1.0, []),
        ([row("正文。"), row("参考文献一条。", part="back")], 0.995, []),
        ([row("正文。")], 0.98, ["coverage 0.9800 below 0.99"]),
        ([row("目录", part="front")], 1.0, ["1 document(s) without articles"]),
        ([row("正文。"), row("  ")], 1.0, ["1 row(s) with an empty body"]),
        ([row("正文(cid:3)。")], 1.0, ["1 cid character(s) in articles"]),
        ([row("正文。", footnotes=["①项⽬"])], 1.0, ["1 Kangxi character(s) in articles"]),
    ],
)
def test_check_rows(rows: list[dict[str, Any]], coverage: float, broken: list[str]) -> None:
    assert check_rows(rows, coverage).violations() == broken


def test_a_recurring_title_is_matched_in_order() -> None:
    gold = [Article("1 引言", ["甲文引言。"], None), Article("1 引言", ["乙文引言。"], None)]
    produced = [Article("1 引言", ["甲文引言。"], None), Article("1 引言", ["乙文引言。"], None)]
    scores = score(gold, produced, [])
    assert (scores.matched, scores.edit_distance) == (2, 0)
    # unchanged: a title produced once still matches every golden article of that title
    assert score(gold, produced[:1], []).matched == 2
