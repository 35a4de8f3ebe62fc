"""Tests of the digest sample generator: seeds, canonical text, typesetting, and the files in raw/.

The PDFs in raw/ are checked independently of the generator's own model
where it matters: their text is read back with pdfplumber, and the golden
paragraphs, the contents' page numbers and the page-break splits are found
in it.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path
from typing import Any

import opencc
import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docpipe.samples import canonical
from docpipe.samples.canonical import canonicalize
from docpipe.samples.digest import (
    DEFAULT_SEEDS_DIR,
    DIGEST_SAMPLES,
    NO_LINE_END,
    NO_LINE_START,
    PARAGRAPH_INDENT_EM,
    UMING_CN,
    DigestPlan,
    TextStyle,
    break_lines,
    build_digest_samples,
    iter_plans,
    placed_glyphs,
    split_units,
)
from docpipe.samples.seeds import (
    ends_paragraph,
    join_page_break_splits,
    parse_digest_seed,
    repair_and_slip,
)

RAW_DIR = Path(__file__).resolve().parents[2] / "raw"
STEMS = tuple(DIGEST_SAMPLES)
A, B = "digest-2014-07-28", "digest-2014-05-09"
#: The running headers each sample may print (whitespace removed).
HEADERS = {
    A: {"电子政务信息汇编七月第四期"},
    B: {"电子政务信息汇编五月第一期", "电子政务云计算应用技术国家工程实验室秘书处"},
}
FOOTERS = {A: "— {n} —", B: "第 {n} 页"}
#: Top-level keys of a golden file, in the order of docs/CONTRACTS.md.
CONTRACT_KEYS = (
    "source_file",
    "doc_kind",
    "doc_title",
    "issue_date",
    "issue_label",
    "layout",
    "pages",
    "articles",
)
_WHITESPACE = re.compile(r"\s+")
_TO_TRADITIONAL = opencc.OpenCC("s2t")


def squash(text: str) -> str:
    """Canonical text without any whitespace: what is compared between PDF and golden."""
    return _WHITESPACE.sub("", canonicalize(_WHITESPACE.sub("", text)))


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    build_digest_samples(out)
    return out


@pytest.fixture(scope="session")
def plans() -> dict[str, DigestPlan]:
    return dict(iter_plans())


@pytest.fixture(scope="session")
def golden() -> dict[str, dict[str, Any]]:
    return {stem: json.loads((RAW_DIR / f"{stem}.golden.json").read_text("utf-8")) for stem in STEMS}


@pytest.fixture(scope="session")
def pdf_pages() -> dict[str, list[list[str]]]:
    """The lines of every page of each raw PDF, as pdfplumber extracts them."""
    pages: dict[str, list[list[str]]] = {}
    for stem in STEMS:
        with pdfplumber.open(RAW_DIR / f"{stem}.pdf") as pdf:
            pages[stem] = [page.extract_text().splitlines() for page in pdf.pages]
    return pages


def body_lines(stem: str, pages: list[list[str]], doc: dict[str, Any]) -> list[list[str]]:
    """Lines of each body page with the running header and the footer checked and removed."""
    first = doc["layout"]["first_body_page"]
    result = []
    for number, lines in enumerate(pages[first - 1 :], start=first):
        assert _WHITESPACE.sub("", lines[0]) in HEADERS[stem]
        assert lines[-1] == FOOTERS[stem].format(n=number - first + 1)
        result.append(lines[1:-1])
    return result


# --- the files in raw/ ------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".pdf", ".golden.json"])
@pytest.mark.parametrize("stem", STEMS)
def test_regeneration_is_byte_identical_to_raw(regenerated: Path, stem: str, suffix: str) -> None:
    assert (regenerated / f"{stem}{suffix}").read_bytes() == (RAW_DIR / f"{stem}{suffix}").read_bytes()


def test_default_seeds_dir_is_the_shared_seeds() -> None:
    assert (DEFAULT_SEEDS_DIR / "digest-2014-07-28.txt").is_file()


# The seeds README says 7 sections for 07-28, but its 目录 and body both have
# 8 【】 sections (国外电子政务 … 信息惠民); the golden follows the document.
@pytest.mark.parametrize(("stem", "articles", "sections"), [(A, 36, 8), (B, 12, 4)])
def test_golden_counts(golden: dict[str, dict[str, Any]], stem: str, articles: int, sections: int) -> None:
    doc = golden[stem]
    assert len(doc["articles"]) == articles
    assert len({a["section"] for a in doc["articles"]}) == sections
    assert [a["seq"] for a in doc["articles"]] == list(range(1, articles + 1))
    assert [a["number"] for a in doc["articles"]] == [str(n) for n in range(1, articles + 1)]


@pytest.mark.parametrize("stem", STEMS)
def test_golden_follows_the_contract(golden: dict[str, dict[str, Any]], stem: str) -> None:
    doc = golden[stem]
    assert list(doc) == [*CONTRACT_KEYS]
    assert (doc["source_file"], doc["doc_kind"], doc["doc_title"]) == (
        f"{stem}.pdf",
        "digest",
        "电子政务信息汇编",
    )
    assert doc["issue_date"] == stem.removeprefix("digest-")
    assert {"page_size", "body_font", "footer", "numbering"} <= set(doc["layout"])
    pages = [(a["page_start"], a["page_end"]) for a in doc["articles"]]
    assert all(doc["layout"]["first_body_page"] <= s <= e <= doc["pages"] for s, e in pages)
    assert pages == sorted(pages)
    for article in doc["articles"]:
        assert article["paragraphs"] and all(article["paragraphs"])
        for text in [article["title"], *article["paragraphs"], article["source"] or ""]:
            assert canonicalize(text) == text


def test_golden_sources(golden: dict[str, dict[str, Any]]) -> None:
    sources = {stem: {a["number"]: a["source"] for a in golden[stem]["articles"]} for stem in STEMS}
    assert sources[A]["31"] == "人民邮电报"  # long form: （… 12:49:27 来源：人民邮电报）
    assert sources[A]["34"] == "重庆日报"  # on a line of its own
    assert sources[A]["9"] == "法制日报"  # half-width brackets
    assert sources[B]["7"] == "ZDNet存储频道"
    # Every article of both seeds names its source: no golden source is null.
    assert [n for stem in STEMS for n, s in sources[stem].items() if s is None] == []
    last = golden[A]["articles"][30]["paragraphs"][-1]
    assert last.endswith("奠定基础。") and "来源" not in last


def test_golden_repairs_extraction_artifacts(golden: dict[str, dict[str, Any]]) -> None:
    a, b = golden[A]["articles"], golden[B]["articles"]
    assert "云平台和软件集聚区" in b[0]["paragraphs"][0]
    assert len(a[6]["paragraphs"]) == 2 and "优化流程等一系列举措" in a[6]["paragraphs"][1]
    assert a[0]["title"] == "印度电子政府发展：以民众为中心公开透明"
    assert a[23]["title"] == "河北秦皇岛4G基站加快智慧城市布局"
    assert "7月24日" in a[29]["paragraphs"][0] and "23,588张" in a[18]["paragraphs"][1]
    assert "（2014-2020）" in a[13]["paragraphs"][1]


# --- the PDF text, read back with pdfplumber ---------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_every_golden_paragraph_is_in_the_pdf_in_order(
    golden: dict[str, dict[str, Any]], pdf_pages: dict[str, list[list[str]]], stem: str
) -> None:
    doc = golden[stem]
    text = squash("".join("".join(lines) for lines in body_lines(stem, pdf_pages[stem], doc)))
    cursor = 0
    for article in doc["articles"]:
        for piece in [article["title"], *article["paragraphs"], article["source"]]:
            squashed = _WHITESPACE.sub("", piece)
            found = text.find(squashed, cursor)
            assert found >= 0, f"article {article['number']}: {piece[:30]!r} not found after {cursor}"
            cursor = found + len(squashed)


@pytest.mark.parametrize("stem", STEMS)
def test_paragraphs_cross_page_breaks(
    golden: dict[str, dict[str, Any]], pdf_pages: dict[str, list[list[str]]], stem: str
) -> None:
    doc = golden[stem]
    paragraphs = [_WHITESPACE.sub("", p) for a in doc["articles"] for p in a["paragraphs"]]
    pages = body_lines(stem, pdf_pages[stem], doc)
    crossings = [squash(page[-1] + after[0]) for page, after in itertools.pairwise(pages)]
    split = [c for c in crossings if any(c in p for p in paragraphs)]
    assert len(split) >= 2


@pytest.mark.parametrize("stem", STEMS)
def test_contents_print_the_title_pages(
    golden: dict[str, dict[str, Any]], pdf_pages: dict[str, list[list[str]]], stem: str
) -> None:
    doc = golden[stem]
    printed: dict[str, int] = {}
    pending = None
    for page in doc["layout"]["contents_pages"]:
        for line in pdf_pages[stem][page - 1][1:]:
            if start := re.match(r"^(\d{1,2})[.、]", line):
                pending = start[1]
            if pending and (end := re.search(r"[\s.]+(\d+)$", line)):
                printed[pending], pending = int(end[1]), None
    offset = doc["layout"]["first_body_page"] - 1
    assert printed == {a["number"]: a["page_start"] - offset for a in doc["articles"]}


#: Pages whose every char is checked against the generator's placement: body pages
#: with Latin words and numbers in justified lines (A p.7: “应用功能”（Application）).
CHECKED_PAGES = {A: (4, 7, 11, 13), B: (3, 6, 8)}
#: How far (points) a char may lie from where the generator placed it.
POSITION_TOLERANCE = 0.05


@pytest.mark.parametrize(("stem", "number"), [(s, n) for s in STEMS for n in CHECKED_PAGES[s]])
def test_pdf_chars_are_where_the_generator_placed_them(
    plans: dict[str, DigestPlan], stem: str, number: int
) -> None:
    page = plans[stem].pages[number - 1]
    expected = placed_glyphs(page)
    with pdfplumber.open(RAW_DIR / f"{stem}.pdf") as pdf:
        pdf_page = pdf.pages[number - 1]
        height, chars = pdf_page.height, pdf_page.chars
    assert [c["text"] for c in chars] == [g.char for g in expected]
    misplaced = [
        (g.char, round(g.x, 3), round(c["x0"], 3))
        for g, c in zip(expected, chars, strict=True)
        if abs(c["x0"] - g.x) > POSITION_TOLERANCE
        or abs(height - c["matrix"][5] - g.baseline) > POSITION_TOLERANCE
    ]
    assert misplaced == []
    # Latin words and numbers: each char abuts the next, as read from the PDF alone.
    index = 0
    for placed in page.lines:
        for unit in split_units(placed.line.text, placed.line.style):
            run = chars[index : index + len(unit.text)]
            index += len(unit.text)
            gaps = [b["x0"] - a["x1"] for a, b in itertools.pairwise(run)]
            assert all(abs(gap) <= POSITION_TOLERANCE for gap in gaps), (unit.text, gaps)


@pytest.mark.parametrize("stem", STEMS)
def test_latin_words_and_numbers_are_unbroken_in_the_pdf_text(
    plans: dict[str, DigestPlan], pdf_pages: dict[str, list[list[str]]], stem: str
) -> None:
    for page, lines in zip(plans[stem].pages, pdf_pages[stem], strict=True):
        text = "\n".join(lines)
        for placed in page.lines:
            for unit in split_units(placed.line.text, placed.line.style):
                if len(unit.text) > 1:
                    assert unit.text in text, (page.number, unit.text)
    words = {
        A: ["Application", "Technology", "4G", "80%", "23,588", "12:49:27", "2014-2020", "78.15"],
        B: ["ZDNet", "John Podesta", "E-GOV", "big data"],
    }
    text = "\n".join(line for lines in pdf_pages[stem] for line in lines)
    assert [w for w in words[stem] if w not in text] == []


def test_layout_b_prints_one_article_in_traditional_characters(
    golden: dict[str, dict[str, Any]], pdf_pages: dict[str, list[list[str]]]
) -> None:
    doc = golden[B]
    article = next(a for a in doc["articles"] if a["number"] == doc["layout"]["traditional_article"])
    page_text = "".join(pdf_pages[B][article["page_start"] - 1])
    traditional_title = _TO_TRADITIONAL.convert(article["title"])
    assert traditional_title != article["title"] and traditional_title in _WHITESPACE.sub("", page_text)


# --- typesetting rules, on the generator's page model -----------------------------


def _lines(plan: DigestPlan, *roles: str) -> list[Any]:
    return [p for page in plan.pages for p in page.lines if p.line.role in roles]


@pytest.mark.parametrize("stem", STEMS)
def test_line_breaking_rules(plans: dict[str, DigestPlan], stem: str) -> None:
    plan = plans[stem]
    width = plan.layout.column_width
    for placed in _lines(plan, "body", "title", "source"):
        line = placed.line
        assert line.text[0] not in NO_LINE_START and line.text[-1] not in NO_LINE_END, line.text
        last = line.glyphs[-1]
        right = last.x + line.style.width(last.char)
        assert right <= width + 1e-6
        if not line.ends_paragraph:  # justified: filled to the measure
            assert right == pytest.approx(width, abs=1e-6)


@pytest.mark.parametrize("stem", STEMS)
def test_paragraphs_are_indented_two_em(plans: dict[str, DigestPlan], stem: str) -> None:
    plan = plans[stem]
    body = [p.line for p in _lines(plan, "body", "source")]
    starts = [b for a, b in zip([None, *body], body, strict=False) if a is None or a.ends_paragraph]
    assert {line.glyphs[0].x for line in starts} == {PARAGRAPH_INDENT_EM * plan.layout.body.size}


@pytest.mark.parametrize("stem", STEMS)
def test_no_title_or_heading_ends_a_page(plans: dict[str, DigestPlan], stem: str) -> None:
    for page in plans[stem].pages:
        content = [p.line for p in page.lines if p.line.role not in ("header", "footer")]
        assert not content[-1].keep_with_next, (page.number, content[-1].text)


def test_long_titles_wrap_without_indent(plans: dict[str, DigestPlan]) -> None:
    by_article: dict[int | None, list[Any]] = {}
    for placed in _lines(plans[B], "title"):
        by_article.setdefault(placed.line.article, []).append(placed.line)
    wrapped = [lines for lines in by_article.values() if len(lines) > 1]
    assert len(wrapped) >= 2
    assert all(line.glyphs[0].x == 0 for lines in wrapped for line in lines)


def test_section_headings_only_in_layout_a(plans: dict[str, DigestPlan]) -> None:
    assert len(_lines(plans[A], "section")) == 8 and not _lines(plans[B], "section")
    assert [p.line.text for p in _lines(plans[A], "source")] == ["(重庆日报)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一二三四五，六七", ["一二三四五，", "六七"]),  # a closing mark is pulled up
        ("一二三四五，。六", ["一二三四", "五，。六"]),  # two cannot be: a character is pushed down
        ("一二三四“五六", ["一二三四", "“五六"]),  # an opening mark never ends a line
        ("一二三四五……六", ["一二三四", "五……六"]),  # …… is never split, nor starts a line
        ("一二三ABCDEFG四", ["一二三", "ABCDEFG四"]),  # a Latin word is never broken
        ("一二三23,588张", ["一二三", "23,588张"]),  # nor a number
    ],
)
def test_break_lines(text: str, expected: list[str]) -> None:
    style = TextStyle(UMING_CN, 10)
    lines = break_lines(split_units(text, style), measure=50, first_indent=0, em=10)
    assert ["".join(unit.text for unit in line) for line in lines] == expected


# --- seeds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ends"),
    [
        ("…提高信息中心履职能力。（中国江门）", True),
        ("…以满足人民基本需求。”", True),
        ("…江苏应把握机遇、多措并举发展大数据产业：", True),
        ("…更有餐饮住宿预订和商家优惠信息查询……", True),
        ("(重庆日报)", True),
        ("…市、县(市、区)的权力清单也将10月", False),
        ("…完成全部软件部署和", False),
        ("…打造 500 亿级", False),
    ],
)
def test_ends_paragraph(line: str, ends: bool) -> None:
    assert ends_paragraph(line) is ends


def test_join_page_break_splits() -> None:
    lines = ["总裁 John", "", "Podesta 在白宫。", "推进行政权力公开透", "明运行。", "", "(重庆日报)"]
    assert join_page_break_splits(lines) == [
        "总裁 John Podesta 在白宫。",
        "推进行政权力公开透明运行。",
        "(重庆日报)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("云平台 and 软件集聚区", "云平台和软件集聚区"),
        ("文件中 and 主要任务", "文件中和主要任务"),
        ("Research and Development", "Research and Development"),
        ("WTO and 中国", "WTO and 中国"),
    ],
)
def test_repair_and_slip(text: str, expected: str) -> None:
    assert repair_and_slip(text) == expected


def test_parse_digest_seeds() -> None:
    a = parse_digest_seed(DEFAULT_SEEDS_DIR / "digest-2014-07-28.txt")
    b = parse_digest_seed(DEFAULT_SEEDS_DIR / "digest-2014-05-09.txt")
    assert (a.doc_title, a.date_text, a.issue_label, a.issuer) == (
        "电子政务信息汇编",
        "2014年7月28日",
        "七月第四期",
        "秘书处",
    )
    assert len(a.contents) == 36 and len(a.sections) == 8 and len(b.sections) == 4
    assert a.contents[23].title == "河北秦皇岛 4G 基站加快智慧城市布局"  # the contents keep their own spacing
    assert a.articles[33].attribution is not None and a.articles[33].attribution.own_line
    assert [art.section for art in b.articles[:5]] == ["政务云"] * 4 + ["大数据"]


# --- canonical text -------------------------------------------------------------------

CANONICAL_CASES = [
    # (original, canonical, why)
    ("统计,截至目前", "统计，截至目前", "half-width comma next to Chinese"),
    ("7 月 24 日", "7月24日", "spaces between digits and Chinese"),
    ("以民众为中心 公开透明", "以民众为中心公开透明", "space inside a title"),
    ("站在 WTO 的机制上", "站在WTO的机制上", "space between Chinese and Latin"),
    ("(法制日报)", "（法制日报）", "half-width brackets around Chinese"),
    ("县(市、区)的", "县（市、区）的", "half-width brackets in Chinese"),
    ("规划(2014-2020)》", "规划（2014-2020）》", "brackets next to Chinese around digits"),
    ("主要包括：", "主要包括：", "already full-width"),
    ("如下:", "如下：", "colon after Chinese"),
    ("对吗?", "对吗？", "question mark after Chinese"),
    ('推进"民生集美"平台', "推进“民生集美”平台", "straight quotes in Chinese"),
    ("福建省啓動行政執法", "福建省启动行政执法", "traditional to simplified"),
    ("John Podesta 在白宫", "John Podesta在白宫", "space between Latin words kept"),
    ("90% 以上", "90%以上", "space after a percentage"),
    ("“悦 me”产品", "“悦me”产品", "space inside curly quotes"),
]
UNCHANGED = [
    "3.5",
    "23,588",
    "12:49:27",
    "78.15平方公里",
    "http://www.gov.cn/zhengce/content/2015-09/05/content_10137.htm",
    "https://example.org/a?b=1,2",
    "contact: office@example.org",
    "f(x) = 1, g(y) = 2",
    "P+R",
    "E-GOV",
    "ZDNet",
    "2014—2020年",
    "表1-1\t项目\t内容",
]


@pytest.mark.parametrize(("original", "expected", "why"), CANONICAL_CASES)
def test_canonicalize(original: str, expected: str, why: str) -> None:
    assert canonicalize(original) == expected, why


@pytest.mark.parametrize("text", UNCHANGED)
def test_canonicalize_leaves_alone(text: str) -> None:
    assert canonicalize(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('中文 ,.:;!?()"“”（），0123456789abAB-/\u3000')), max_size=30))
def test_canonicalize_is_idempotent(text: str) -> None:
    once = canonicalize(text)
    assert canonicalize(once) == once


def test_canonical_is_independent_of_the_cleaners() -> None:
    tree = ast.parse(Path(canonical.__file__).read_text("utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        )
    ]
    assert not [name for name in imported if name.startswith(("cleaners", "docpipe"))]
