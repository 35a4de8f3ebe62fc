"""The structure fixtures are generated: regenerating them gives the committed bytes."""

from __future__ import annotations

import json
from pathlib import Path

from docpipe.samples.fixtures_structure import (
    FIXTURES_DIR,
    NO_LINE_START,
    UMING_CN,
    break_paragraph,
    build_fixtures,
)


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    written = list(build_fixtures(tmp_path))
    assert len(written) == 10
    for path in written:
        assert path.read_bytes() == (FIXTURES_DIR / path.name).read_bytes(), path.name


def test_goldens_list_every_part_and_no_empty_article() -> None:
    for golden_path in FIXTURES_DIR.glob("st-*.golden.json"):
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        assert {a["part"] for a in golden["articles"]} <= {"front", "body", "back"}
        assert all(a["paragraphs"] for a in golden["articles"] if a["part"] == "body")


def test_no_line_starts_with_closing_punctuation() -> None:
    text = "登记时须填写姓名、身份证号码、户口所在地地址、电子邮件地址等服务所需信息。" * 6
    lines = break_paragraph(text, UMING_CN, 10.5, 40 * 10.5, 21.0)
    assert "".join(lines) == text
    assert not any(line[0] in NO_LINE_START for line in lines)
