"""Render the scanned structure fixtures (``tests/fixtures/documents/sc-*.pdf``) and their golden JSON.

* ``sc-digest-b5``: a scanned digest in a layout docpipe was not built on (issue 10,
  item 8): B5 loose sheets, a running header with the digest's name flush left and
  the issue label flush right over a rule, a ``第 N 页`` footer, articles numbered
  ``1.``, sources in brackets.  Its 目录 sets two short entries on one line, so OCR
  reads them as one line: once after a wide gap (``1.…………3  2.…………3``), once
  right after the first entry's page number (``5.…………4 6.…………4``, which OCR may
  run together as ``46.``); the leaders are tight, and one entry's title is the
  editor's shorter wording of the body's heading: the body's heading wins, with a
  warning;
* ``sc-report-b5``: a report whose section headings are set in the body's size, in a
  bold face, with space above them: on the scan only that space tells a heading
  (OCR sizes vary by a fifth); two sections carry a footnote (①, ②) set small at the
  foot of the page under a blank, lifted into ``footnotes``;
* ``sc-poems``: a scanned poetry collection: the collection's title alone on its cover
  page (a ``front`` row, heading no poem), then poems whose centred titles (a few points
  larger than the verse, some of two characters) open a page or follow the previous
  poem after a blank; a long poem fills its page and runs on to the next.  Each poem is
  one article, its lines the body;
* ``sc-poems-full-page``: poems that fill their pages, each title only a little larger
  than the verse (13 pt over 11) at the top of a page that follows a full one: no
  space above it, and an OCR size under the ratio OCR's noise needs elsewhere;
* ``sc-two-page-paper``: ``ho-two-page-paper`` scanned: its running head on page 2
  only, read by OCR;
* ``sc-bilingual-datasheet``: ``tl-bilingual-datasheet`` (Chinese and English
  paragraphs, an unruled two-column table of bilingual labels and values, a pale
  diagonal watermark) printed and scanned: OCR reads the table row by row, its cells
  tab-separated, as the text layer gives it, and the rows stay in the body.

The page is typeset by :mod:`docpipe.samples.fixtures_structure`, printed and
scanned as :mod:`docpipe.samples.scan` scans the digests (PDFium render at the
scanner's resolution, blur, skew, noise, JPEG), into an image-only PDF.  The
golden lists every row; its ``scan_dpi`` marks it a scan.  Byte-for-byte
reproducible: ``python -m docpipe.samples.fixtures_scans [DIR]``.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from docpipe.samples import fixtures_textlayer
from docpipe.samples.book import write_image_pdf
from docpipe.samples.fixtures_heldout import two_page_paper
from docpipe.samples.fixtures_structure import (
    FIXTURES_DIR,
    UKAI_CN,
    UMING_CN,
    ZEN_HEI,
    Block,
    Fixture,
    Layout,
    canonical_row,
    golden_document,
    golden_row,
    page_of,
    paragraphs,
    render,
    typeset,
    write_golden,
)
from docpipe.samples.scan import scan_pdf

B5 = (176 * mm, 250 * mm)
SCAN_DPI = 150
RANDOM_SEED = 20160321  # any constant; not the other scans', so the pages differ

#: (title in the body, title in the 目录 where the editor shortened it, source).
B5_ARTICLES = (
    ("数据开放平台上线", None, "新华网"),
    ("社区服务实现掌上办", None, "人民网"),
    ("省级政务外网完成扩容升级工程", None, "光明日报"),
    ("电子证照库新增八类证照", None, "中国经济网"),
    ("市民热线接入统一受理平台", "热线统一受理", "南方日报"),
    ("智慧交通试点启动", None, "经济日报"),
    ("网上办税比例再创新高", None, "新华网"),
    ("多部门联合推进数据共享标准制定工作", None, "人民网"),
    ("乡镇便民服务中心全面联网", None, "光明日报"),
)
#: A 目录 line holds two entries when both titles are at most this long.
MAX_PAIRED_TITLE_CHARS = 9


def digest_b5() -> Fixture:
    rng = random.Random(6)
    body, head = UMING_CN, ZEN_HEI
    name, label = "数字政府动态", "2016年第3期"
    layout = Layout(
        B5[0], B5[1], 24 * mm, 22 * mm, 20 * mm, 20 * mm, 1.7, name, body, "第 {n} 页", header_right=label
    )
    cover = [name, "2016年3月21日", "第3期"]
    blocks = [Block(cover[0], head, 28, "center", page_break=True)]
    blocks += [Block(t, body, 14, "center", space_before_em=2.0) for t in cover[1:]]
    rows: list[dict[str, Any]] = [golden_row("front", cover[0], cover[1:])]
    entries = []
    for number, (heading, listed, _) in enumerate(B5_ARTICLES, start=1):
        entries.append(
            (len(listed or heading), f"{number}.{listed or heading}…………{page_of(f'{number}.{heading}')}")
        )
    lines: list[str] = []
    gaps = iter(("\u3000" * 3, " "))  # a wide gap, then a single space
    index = 0
    while index < len(entries):
        pair = entries[index : index + 2]
        if len(pair) == 2 and all(length <= MAX_PAIRED_TITLE_CHARS for length, _ in pair):
            lines.append(f"{pair[0][1]}{next(gaps, ' ')}{pair[1][1]}")
            index += 2
        else:
            lines.append(pair[0][1])
            index += 1
    blocks.append(Block("目录", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 11, "left", space_before_em=0.2) for t in lines]
    rows.append(golden_row("front", "目录", lines))
    for number, (heading, listed, source) in enumerate(B5_ARTICLES, start=1):
        texts = paragraphs(rng, 2, sentences=(2, 3))
        blocks.append(
            Block(f"{number}.{heading}", head, 13, "left", space_before_em=1.2, page_break=number == 1)
        )
        blocks += [Block(t, body, 10.5) for t in texts[:-1]]
        blocks.append(Block(f"{texts[-1]}（{source}）", body, 10.5))
        rows.append(golden_row("body", heading, texts, number=str(number), source=source))
        if listed is not None:
            rows[-1]["contents_title"] = listed  # the 目录's wording, which the body's overrules
    document = golden_document("sc-digest-b5", "digest", name, rows)
    document["issue_date"], document["issue_label"] = "2016-03-21", "第3期"
    return Fixture("sc-digest-b5", layout, blocks, document)


#: (heading, footnote of its second paragraph): headings unnumbered, in the body's size.
REPORT_SECTIONS = (
    ("总体情况", "①本文所称政务服务事项，指依申请办理的行政权力事项和公共服务事项。"),
    ("主要做法", None),
    ("存在的困难", "②统计口径为各地政务服务平台当年办结的事项。"),
    ("下一步打算", None),
)


def report_b5() -> Fixture:
    rng = random.Random(7)
    body, head = UMING_CN, ZEN_HEI
    layout = Layout(
        B5[0], B5[1], 22 * mm, 20 * mm, 20 * mm, 20 * mm, 1.7, None, body, "{n}", 1, note_area=22 * mm
    )
    title = "政务服务改革情况报告"
    blocks = [Block(title, head, 18, "center", page_break=True)]
    rows: list[dict[str, Any]] = []
    for heading, note in REPORT_SECTIONS:
        texts = paragraphs(rng, 3, sentences=(2, 3))
        if note is not None:  # the marker in the middle of the section's second paragraph
            cut = len(texts[1]) // 2
            texts[1] = texts[1][:cut] + note[0] + texts[1][cut:]
        # set in the body's size, only a bold face and the space above it tell the heading
        blocks.append(Block(heading, head, 11, "left", space_before_em=1.8))
        blocks += [Block(t, body, 11, notes=(note,) if note and i == 1 else ()) for i, t in enumerate(texts)]
        notes = {"footnotes": [note]} if note else {"footnotes": []}
        rows.append(golden_row("body", heading, texts, section=title, heading_path=[title], **notes))
    return Fixture("sc-report-b5", layout, blocks, golden_document("sc-report-b5", "general", title, rows))


#: (title, lines): original verse for this fixture; the third poem fills a page and runs on.
SCANNED_POEMS = (
    ("夜航", ("灯塔在雾里眨眼", "船舷挂着露水", "舵手不说话", "只听浪一下一下拍着")),
    ("麦场", ("石碾压过新麦", "孩子追着麻雀", "风把糠皮吹成云", "傍晚的炊烟很直")),
    (
        "过山车站",
        (
            "小站只有一盏灯",
            "站长认得每一位旅客",
            "绿皮车慢慢进站",
            "卖茶叶蛋的人喊了两声",
            "有人下车",
            "有人上车",
            "铁轨往山里弯过去",
            "隧道口的风有些凉",
            "行李架上放着一篮橘子",
            "邻座的老人讲起从前",
            "那时候这里还是荒坡",
            "修路的人住在帐篷里",
            "冬天烤火",
            "夏天赶蚊子",
            "他们的名字刻在石碑上",
            "碑前开着几朵野菊",
            "车又开了",
            "灯还亮着",
            "站长向远处挥手",
            "山那边天快亮了",
        ),
    ),
    ("古井", ("井绳磨亮了木架", "一桶水晃着月亮", "奶奶说井水冬暖夏凉")),
)


def poems_scan() -> Fixture:
    layout = Layout(140 * mm, 203 * mm, 24 * mm, 22 * mm, 22 * mm, 22 * mm, 1.9, None, UKAI_CN, "{n}")
    collection = "远行"
    blocks = [Block(collection, ZEN_HEI, 24, "center", page_break=True)]
    # The cover page is a front row; the collection's name heads no poem.
    rows: list[dict[str, Any]] = [golden_row("front", collection, [collection])]
    for number, (title, verse) in enumerate(SCANNED_POEMS):
        blocks.append(Block(title, ZEN_HEI, 14, "center", space_before_em=1.5, page_break=number != 1))
        blocks += [Block(line, UKAI_CN, 11.5, "center", space_before_em=0.2) for line in verse]
        rows.append(golden_row("body", title, verse))
    return Fixture("sc-poems", layout, blocks, golden_document("sc-poems", "general", collection, rows))


#: Verse for the full-page fixture: poems long enough to fill their page, so each next title
#: opens a page right after a full one (no space above it to see).
FULL_PAGE_POEMS = (
    ("春耕", 18),
    ("河岸", 18),
    ("归途", 18),
)
#: Lines the full-page poems are written from (original text for this fixture).
VERSE_LINES = (
    "犁铧翻开去年的土",
    "水牛走得很慢",
    "田埂上插着一根竹竿",
    "风把秧苗吹向一边",
    "远处有人唱歌",
    "燕子贴着水面飞",
    "母亲在田头喊吃饭",
    "炊烟升起来了",
    "芦苇长到齐腰高",
    "渡船靠在石阶旁",
    "老人坐在树下抽烟",
    "孩子光着脚跑过",
    "傍晚的河水是金色的",
    "一只白鹭站着不动",
    "车站的钟敲了六下",
    "行李比来时轻了",
    "窗外的山一座接一座",
    "有人在站台上挥手",
    "夜里下了一场雨",
    "路边的灯一盏一盏亮起",
    "家门口的狗先认出了我",
)


def full_page_poems() -> Fixture:
    rng = random.Random(8)
    layout = Layout(140 * mm, 203 * mm, 20 * mm, 18 * mm, 22 * mm, 22 * mm, 1.75, None, UKAI_CN, "{n}")
    collection = "田野与河流"
    blocks = [Block(collection, ZEN_HEI, 20, "center", page_break=True)]
    rows: list[dict[str, Any]] = [golden_row("front", collection, [collection])]  # its cover page
    for title, count in FULL_PAGE_POEMS:
        verse = rng.sample(VERSE_LINES, count)
        # the title only a little larger than the verse (13 pt over 11), right at the top
        blocks.append(Block(title, UKAI_CN, 13, "center", page_break=True))
        blocks += [Block(line, UKAI_CN, 11, "center", space_before_em=0.1) for line in verse]
        rows.append(golden_row("body", title, verse))
    return Fixture(
        "sc-poems-full-page",
        layout,
        blocks,
        golden_document("sc-poems-full-page", "general", collection, rows),
    )


def two_page_paper_scan() -> Fixture:
    """:func:`~docpipe.samples.fixtures_heldout.two_page_paper` scanned: OCR runs the running
    head's page number into its words, so only the title's words say it is a head."""
    fixture = two_page_paper()
    stem = "sc-two-page-paper"
    return Fixture(stem, fixture.layout, fixture.blocks, {**fixture.golden, "source_file": f"{stem}.pdf"})


FIXTURES = (digest_b5, report_b5, poems_scan, full_page_poems, two_page_paper_scan)
#: Text-layer fixtures (docpipe.samples.fixtures_textlayer) printed and scanned, by the stem of the scan.
SCANNED_TEXT_LAYER_FIXTURES: dict[str, Callable[[Path], fixtures_textlayer.Fixture]] = {
    "sc-bilingual-datasheet": fixtures_textlayer.build_bilingual_datasheet,
}


def scan_text_layer_fixture(
    stem: str, build: Callable[[Path], fixtures_textlayer.Fixture], out_dir: Path
) -> Iterator[Path]:
    """Write the text-layer fixture ``build`` makes, printed and scanned, as ``stem`` into
    ``out_dir`` with its golden: the text layer's rows in the structure fixtures' form."""
    with tempfile.TemporaryDirectory() as scratch:
        fixture = build(Path(scratch))
        scans = scan_pdf(Path(scratch) / f"{fixture.stem}.pdf", dpi=SCAN_DPI, seed=RANDOM_SEED)
    pdf = out_dir / f"{stem}.pdf"
    pdf.write_bytes(write_image_pdf(scans, title=stem))
    golden = fixtures_textlayer.golden_document(fixture)
    golden["source_file"] = pdf.name
    golden["scan_dpi"] = {str(number): SCAN_DPI for number in range(1, len(scans) + 1)}
    golden["articles"] = [
        canonical_row(
            golden_row(
                "body",
                article["title"],
                article["paragraphs"],
                number=article["number"],
                section=article["section"],
                source=article["source"],
            )
        )
        for article in fixture.articles
    ]
    path = out_dir / f"{stem}.golden.json"
    path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    yield pdf
    yield path


def build_scanned_fixtures(out_dir: Path = FIXTURES_DIR) -> Iterator[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for make in FIXTURES:
        fixture = make()
        pages, golden = typeset(fixture)
        with tempfile.TemporaryDirectory() as scratch:
            printed_pdf = Path(scratch) / f"{fixture.stem}.pdf"
            render(pages, fixture.layout, printed_pdf, title=fixture.stem)
            scans = scan_pdf(printed_pdf, dpi=SCAN_DPI, seed=RANDOM_SEED)
        pdf = out_dir / f"{fixture.stem}.pdf"
        pdf.write_bytes(write_image_pdf(scans, title=fixture.stem))
        golden["scan_dpi"] = {str(number): SCAN_DPI for number in range(1, len(scans) + 1)}
        yield pdf
        yield write_golden(out_dir, fixture.stem, golden)
    for stem, build in SCANNED_TEXT_LAYER_FIXTURES.items():
        yield from scan_text_layer_fixture(stem, build, out_dir)


if __name__ == "__main__":
    for written in build_scanned_fixtures(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES_DIR):
        print(written)
