"""Render the held-out fixtures (``tests/fixtures/documents/ho-*.pdf``) and their golden JSON.

Layouts nobody tuned docpipe for (issue 10, "Done when"), typeset by
:mod:`docpipe.samples.fixtures_structure`:

* ``ho-textbook``: a textbook chapter: 第三章 over 第一节 … 第三节, each with 一、 subsections,
  centred formulas numbered ``(3.1)`` that open with a digit (``2x+3y=7``), and
  figure captions ``图3-1`` in small bold type: cut at its 节, the chapter's opening
  text an article of the chapter;
* ``ho-journal``: a journal article: title, authors and affiliation, a labelled
  ``摘要：`` / ``关键词：`` / ``Abstract:`` / ``Key words:`` block, sections ``1 引言`` …
  with ``2.1`` subsections set in the same bold face, 参考文献 and 作者简介: the
  labelled block is front matter, ``2.1`` stays in article 2;
* ``ho-list-report``: a list-heavy report: 一、 sections full of numbered items
  (``1.`` flush left, short, no full stop; ``（1）`` under them), a run of items
  numbered 1, 2, 3 in sequence in every section: the items are text of their
  section, never articles, and the report is not read as a digest;
* ``ho-two-page-paper``: a two-page paper: page 1 opens with the journal's masthead
  (small, flush left) over the title, page 2 alone carries the running head (the
  authors and the title, with the page number, over a rule): the head repeats
  nowhere, and must not reach the body;
* ``ho-thesis-bold``: a thesis chapter typeset in one size: a 前言 set in another
  face (a Kai) before it, the chapter and its numbered sections in a bold face of
  the body's size, unnumbered 小结 at the end;
* ``ho-government-report``: a government report in four levels (一、 sections, （一）
  in a Kai, run-in ``1.`` and ``（1）`` items) under its title, and a 附件 at the end
  whose own title is larger than the sections: cut at 一、, the annex one back row;
* ``ho-proceedings``: a proceedings excerpt of three papers, each with its title, a
  centred byline, a labelled ``摘要：`` / ``关键词：`` block, sections ``1 引言`` … and
  参考文献: each paper's title block is a front row, its sections are articles under
  its title, its references a back row;
* ``ho-digest-notes``: a digest whose articles close with their sources in three forms
  (``（来源：…）``, ``（…）``, a ``来源：…`` line), with an editor's note after one
  source, an unnumbered item (its title, text and source) after another, and the
  editor's name after the last: each is a row of its own, none glued to the article
  before it;
* ``ho-poems-subtitle``: a poetry collection whose cover page holds its title, a
  subtitle and the author: one ``front`` row, and the poems have no heading above them.

The golden JSON lists every row docpipe must produce.  Byte-for-byte
reproducible: ``python -m docpipe.samples.fixtures_heldout [DIR]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from docpipe.samples.fixtures_structure import (
    FIXTURES_DIR,
    UKAI_CN,
    UMING_CN,
    ZEN_HEI,
    Block,
    Fixture,
    Layout,
    golden_document,
    golden_row,
    page_of,
    paragraphs,
    write_fixtures,
)

B5 = (176 * mm, 250 * mm)


def textbook() -> Fixture:
    rng = random.Random(11)
    body, head = UMING_CN, ZEN_HEI
    layout = Layout(B5[0], B5[1], 24 * mm, 22 * mm, 22 * mm, 22 * mm, 1.7, "线性代数", UMING_CN, "{n}")
    chapter = "第三章 线性方程组"
    intro = paragraphs(rng, 2)
    blocks = [Block(chapter, head, 18, "center", page_break=True)]
    blocks += [Block(t, body, 10.5) for t in intro]
    rows: list[dict[str, Any]] = [golden_row("body", chapter, intro, section=None)]
    sections = (
        ("第一节 高斯消元法", ("一、消元过程", "二、回代求解")),
        ("第二节 矩阵的秩", ("一、秩的定义", "二、秩的计算")),
        ("第三节 解的结构", ("一、齐次方程组", "二、非齐次方程组")),
    )
    formula = 0
    figure = 0
    for section, subsections in sections:
        blocks.append(Block(section, head, 14, "center", space_before_em=1.5))
        text: list[str] = []
        for sub in subsections:
            own = paragraphs(rng, 2)
            formula += 1
            figure += 1
            equation = f"{rng.randint(2, 9)}x+{rng.randint(2, 9)}y={rng.randint(10, 40)}（3.{formula}）"
            caption = f"图3-{figure} {sub[2:]}示意"
            blocks.append(Block(sub, head, 12, "left", space_before_em=0.6))
            blocks += [Block(own[0], body, 10.5), Block(equation, body, 10.5, "center", space_before_em=0.3)]
            blocks += [Block(own[1], body, 10.5), Block(caption, head, 9, "center", space_before_em=0.3)]
            text += [sub, own[0], equation, own[1], caption]
        rows.append(golden_row("body", section, text, section=chapter, heading_path=[chapter]))
    return Fixture("ho-textbook", layout, blocks, golden_document("ho-textbook", "general", chapter, rows))


def journal() -> Fixture:
    rng = random.Random(12)
    body, head = UMING_CN, ZEN_HEI
    layout = Layout(A4[0], A4[1], 25 * mm, 25 * mm, 25 * mm, 25 * mm, 1.6, "行政管理研究", UMING_CN, "{n}", 1)
    title = "政务数据共享对审批时限的影响研究"
    byline = ["陈明　李华", "（某某大学公共管理学院，上海　200433）"]
    labelled = [
        "摘要：" + "".join(paragraphs(rng, 1)),
        "关键词：电子政务；数据共享；行政审批",
        "Abstract: Data sharing between government departments shortens the time needed for approval.",
        "Key words: e-government; data sharing; administrative approval",
    ]
    blocks = [Block(title, head, 18, "center", page_break=True)]
    blocks += [Block(byline[0], body, 11, "center", space_before_em=0.8), Block(byline[1], body, 9, "center")]
    blocks += [Block(t, UKAI_CN, 9, "left", space_before_em=0.5) for t in labelled]
    rows: list[dict[str, Any]] = [golden_row("front", title, [*byline, *labelled])]
    sections = (
        ("1 引言", ()),
        ("2 相关研究", ("2.1 数据共享", "2.2 审批改革")),
        ("3 研究方法", ("3.1 样本选择", "3.2 变量定义")),
        ("4 结论", ()),
    )
    for section, subsections in sections:
        own = paragraphs(rng, 2)
        blocks.append(Block(section, head, 12, "left", space_before_em=1.0))
        blocks += [Block(t, body, 10.5) for t in own]
        text = list(own)
        for sub in subsections:
            more = paragraphs(rng, 1)
            blocks.append(Block(sub, head, 10.5, "left", space_before_em=0.5))
            blocks += [Block(t, body, 10.5) for t in more]
            text += [sub, *more]
        # the title is front matter, above the labelled abstract: no heading over the sections
        rows.append(golden_row("body", section, text))
    references = [
        "[1]王立.电子政务导论[M].北京:科学出版社,2010.",
        "[2]李静.数据共享与政府治理[J].行政论坛,2018,25(3):45-51.",
    ]
    blocks.append(Block("参考文献", head, 12, "left", space_before_em=1.0))
    blocks += [Block(t, body, 9, "left") for t in references]
    rows.append(golden_row("back", "参考文献", references))
    author = "作者简介：陈明，男，博士，研究方向为数字政府。"
    blocks.append(Block(author, body, 9, "left", space_before_em=1.0))
    rows.append(golden_row("back", author[:20] + "…", [author]))
    return Fixture("ho-journal", layout, blocks, golden_document("ho-journal", "general", title, rows))


def list_report() -> Fixture:
    rng = random.Random(13)
    body, head = UMING_CN, ZEN_HEI
    layout = Layout(A4[0], A4[1], 28 * mm, 25 * mm, 28 * mm, 28 * mm, 1.7, None, UMING_CN, "- {n} -")
    title = "关于推进政务服务标准化的工作方案"
    blocks = [Block(title, head, 20, "center", page_break=True)]
    rows: list[dict[str, Any]] = []
    items = (
        "统一事项名称和编码",
        "统一申请材料清单",
        "统一办理流程和时限",
        "统一收费标准",
        "统一咨询和投诉渠道",
        "统一数据交换格式",
    )
    sections = ("一、工作目标", "二、主要任务", "三、保障措施")
    for section in sections:
        blocks.append(Block(section, head, 14, "left", space_before_em=1.0))
        text = paragraphs(rng, 1)
        blocks += [Block(t, body, 11) for t in text]
        for number, item in enumerate(rng.sample(items, 4), start=1):
            line = f"{number}.{item}"
            blocks.append(Block(line, body, 11, "left"))
            text.append(line)
            if number == 2:
                subitems = [f"（{n}）{rng.choice(items)}的具体要求" for n in (1, 2)]
                blocks += [Block(t, body, 11) for t in subitems]
                text += subitems
        closing = paragraphs(rng, 1)
        blocks += [Block(t, body, 11) for t in closing]
        rows.append(golden_row("body", section, [*text, *closing], section=title, heading_path=[title]))
    return Fixture(
        "ho-list-report", layout, blocks, golden_document("ho-list-report", "general", title, rows)
    )


def two_page_paper() -> Fixture:
    rng = random.Random(14)
    body, head = UMING_CN, ZEN_HEI
    title = "基层政务服务事项标准化的实践观察"
    authors = "王芳　刘强"
    running = f"王芳等：{title}    58"  # the page number at the head's outer edge
    layout = Layout(A4[0], A4[1], 25 * mm, 25 * mm, 25 * mm, 25 * mm, 1.6, running, UMING_CN, "")
    masthead = "公共治理评论　2019年第2期"
    blocks = [Block(masthead, body, 9, "left", page_break=True)]
    blocks += [Block(title, head, 18, "center", space_before_em=1.5), Block(authors, body, 11, "center")]
    # The masthead is front matter; the title over its byline is a title block, front matter
    # as in ho-journal, so it heads no section.
    rows: list[dict[str, Any]] = [
        golden_row("front", masthead, [masthead]),
        golden_row("front", title, [authors]),
    ]
    for section in ("一、问题的提出", "二、实践做法", "三、结语"):
        texts = paragraphs(rng, 4, sentences=(3, 5))
        blocks.append(Block(section, head, 12, "left", space_before_em=0.8))
        blocks += [Block(t, body, 10.5) for t in texts]
        rows.append(golden_row("body", section, texts))
    return Fixture(
        "ho-two-page-paper", layout, blocks, golden_document("ho-two-page-paper", "general", title, rows)
    )


def thesis_bold() -> Fixture:
    rng = random.Random(15)
    body, bold = UMING_CN, ZEN_HEI
    layout = Layout(A4[0], A4[1], 28 * mm, 25 * mm, 30 * mm, 30 * mm, 1.7, None, UMING_CN, "{n}")
    preface = paragraphs(rng, 2, sentences=(3, 4))
    blocks = [Block("前言", UKAI_CN, 12, "center", page_break=True)]
    blocks += [Block(t, UKAI_CN, 12) for t in preface]
    rows: list[dict[str, Any]] = [golden_row("front", "前言", preface)]
    chapter = "第三章 数据共享机制设计"
    intro = paragraphs(rng, 1)
    blocks += [Block(chapter, bold, 12, "left", page_break=True)] + [Block(t, body, 12) for t in intro]
    rows.append(golden_row("body", chapter, intro, section=None))
    sections = ("3.1 共享目录的编制", "3.2 交换通道的建设", "3.3 使用情况的评估", "小结")
    for section in sections:
        texts = paragraphs(rng, 2, sentences=(3, 5))
        blocks.append(Block(section, bold, 12, "left", space_before_em=0.5))
        blocks += [Block(t, body, 12) for t in texts]
        rows.append(golden_row("body", section, texts, section=chapter, heading_path=[chapter]))
    return Fixture(
        "ho-thesis-bold", layout, blocks, golden_document("ho-thesis-bold", "general", chapter, rows)
    )


def government_report() -> Fixture:
    rng = random.Random(16)
    body, head, kai = UMING_CN, ZEN_HEI, UKAI_CN
    layout = Layout(A4[0], A4[1], 30 * mm, 28 * mm, 28 * mm, 26 * mm, 1.75, None, UMING_CN, "- {n} -")
    title = "关于全市数字政府建设情况的报告"
    opening = paragraphs(rng, 1)
    blocks = [Block(title, head, 20, "center", page_break=True)]
    blocks += [Block(t, body, 12) for t in opening]
    rows: list[dict[str, Any]] = [golden_row("body", title, opening)]
    sections = (
        ("一、总体进展", ("（一）平台建设", "（二）数据共享")),
        ("二、存在的问题", ("（一）标准不统一", "（二）人才短缺")),
        ("三、下一步工作", ("（一）完善制度", "（二）强化保障")),
    )
    for section, subsections in sections:
        blocks.append(Block(section, head, 14, "left", space_before_em=0.8))
        text: list[str] = []
        for sub in subsections:
            blocks.append(Block(sub, kai, 12, "left", space_before_em=0.3))
            text.append(sub)
            # run-in items: the number and a bold-less lead sentence open a paragraph of text
            for number in (1, 2):
                item = f"{number}.{''.join(paragraphs(rng, 1, sentences=(2, 3)))}"
                blocks.append(Block(item, body, 12))
                text.append(item)
                if number == 2:
                    points = [f"（{n}）{''.join(paragraphs(rng, 1, sentences=(1, 2)))}" for n in (1, 2)]
                    blocks += [Block(t, body, 12) for t in points]
                    text += points
        rows.append(golden_row("body", section, text, section=title, heading_path=[title]))
    annex = "附件"
    annex_title = "全市数字政府建设重点项目清单"
    projects = ["1.一体化政务服务平台升级", "2.公共数据开放平台建设", "3.政务云灾备中心建设"]
    blocks.append(Block(annex, head, 14, "left", page_break=True))
    blocks.append(Block(annex_title, head, 16, "center", space_before_em=0.5))
    blocks += [Block(t, body, 12, "left") for t in projects]
    rows.append(golden_row("back", annex, [annex_title, *projects]))
    return Fixture(
        "ho-government-report",
        layout,
        blocks,
        golden_document("ho-government-report", "general", title, rows),
    )


def proceedings() -> Fixture:
    rng = random.Random(17)
    body, head, kai = UMING_CN, ZEN_HEI, UKAI_CN
    running = "第五届数字政府学术研讨会论文集"
    layout = Layout(B5[0], B5[1], 22 * mm, 22 * mm, 20 * mm, 20 * mm, 1.6, running, UMING_CN, "{n}", 1)
    papers = (
        ("政务服务“一网通办”的用户满意度研究", ("张伟", "（甲大学公共管理学院，北京　100871）")),
        ("基于区块链的电子证照共享机制", ("李娜　周杰", "（乙大学计算机学院，杭州　310027）")),
        ("城市数据大脑的治理逻辑", ("王强", "（丙研究院，深圳　518000）")),
    )
    blocks: list[Block] = []
    rows: list[dict[str, Any]] = []
    for number, (title, byline) in enumerate(papers, start=1):
        abstract = [
            "摘要：" + "".join(paragraphs(rng, 1, sentences=(2, 3))),
            "关键词：电子政务；数据共享；治理",
        ]
        blocks.append(Block(title, head, 16, "center", page_break=True))
        blocks += [
            Block(byline[0], body, 11, "center", space_before_em=0.5),
            Block(byline[1], body, 9, "center"),
        ]
        blocks += [Block(t, kai, 9, "left", space_before_em=0.5) for t in abstract]
        # a paper's title block and abstract are its front matter, as in ho-journal
        rows.append(golden_row("front", title, [*byline, *abstract]))
        for section in ("1 引言", "2 研究设计", "3 结论"):
            texts = paragraphs(rng, 2, sentences=(2, 4))
            blocks.append(Block(section, head, 12, "left", space_before_em=0.8))
            blocks += [Block(t, body, 10.5) for t in texts]
            rows.append(golden_row("body", section, texts, section=title, heading_path=[title]))
        references = [
            f"[1]王立.电子政务导论[M].北京:科学出版社,{2010 + number}.",
            f"[2]李静.数据共享与政府治理[J].行政论坛,2018,25({number}):45-51.",
        ]
        blocks.append(Block("参考文献", head, 11, "left", space_before_em=0.8))
        blocks += [Block(t, body, 9, "left") for t in references]
        rows.append(golden_row("back", "参考文献", references, heading_path=[title, "3 结论"]))
    rows[-1]["heading_path"] = []  # the last paper's references close the document
    return Fixture(
        "ho-proceedings", layout, blocks, golden_document("ho-proceedings", "general", papers[0][0], rows)
    )


def digest_notes() -> Fixture:
    rng = random.Random(18)
    body, head, kai = UMING_CN, ZEN_HEI, UKAI_CN
    layout = Layout(B5[0], B5[1], 22 * mm, 22 * mm, 20 * mm, 20 * mm, 1.7, "政务动态摘编", UMING_CN, "{n}")
    title = "政务动态摘编"
    cover = [title, "2016年9月5日", "第17期"]
    blocks = [Block(cover[0], head, 28, "center", page_break=True)]
    blocks += [Block(t, body, 14, "center", space_before_em=2.0) for t in cover[1:]]
    rows: list[dict[str, Any]] = [golden_row("front", cover[0], cover[1:])]
    articles = (
        ("全省政务服务事项实现统一编码", "新华网", "bracket-label"),
        ("电子证照库完成首批数据归集", "人民网", "line"),
        ("市级平台接入十二个部门业务系统", "中国政府网", "bracket"),
        ("社区网格员配备移动采集终端", "光明日报", "bracket"),
    )
    contents = [f"{n}.{t}......{page_of(f'{n}.{t}')}" for n, (t, _, _) in enumerate(articles, start=1)]
    blocks.append(Block("目录", head, 16, "center", page_break=True))
    blocks += [Block(t, body, 11, "left") for t in contents]
    rows.append(golden_row("front", "目录", contents))
    for number, (heading, source, form) in enumerate(articles, start=1):
        texts = paragraphs(rng, 2, sentences=(3, 4))
        blocks.append(
            Block(f"{number}.{heading}", head, 13, "left", space_before_em=1.0, page_break=number == 1)
        )
        blocks.append(Block(texts[0], body, 10.5))
        if form == "line":  # the source on a line of its own, unbracketed
            blocks += [Block(texts[1], body, 10.5), Block(f"来源：{source}", body, 10.5)]
        else:
            label = "来源：" if form == "bracket-label" else ""
            blocks.append(Block(f"{texts[1]}（{label}{source}）", body, 10.5))
        rows.append(golden_row("body", heading, texts, number=str(number), source=source))
        if number == 2:
            # an editor's note after the source: a row of its own, never the article's text
            note = "编者按：" + "".join(paragraphs(rng, 1, sentences=(2, 2)))
            blocks.append(Block(note, kai, 10.5))
            rows.append(golden_row("body", note[:20] + "…", [note]))
        if number == 3:
            # an unnumbered item with its own title and source between two numbered articles
            item_title = "简讯：政务云新增计算节点"
            item = paragraphs(rng, 1, sentences=(2, 3))
            blocks.append(Block(item_title, head, 11, "left", space_before_em=0.6))
            blocks.append(Block(f"{item[0]}（南方日报）", body, 10.5))
            rows.append(golden_row("body", item_title, item, source="南方日报"))
    editor = "本期责任编辑：王明"
    blocks.append(Block(editor, body, 10.5, "left", space_before_em=1.5))
    rows.append(golden_row("back", editor, [editor]))
    document = golden_document("ho-digest-notes", "digest", title, rows)
    document["issue_date"], document["issue_label"] = "2016-09-05", "第17期"
    return Fixture("ho-digest-notes", layout, blocks, document)


#: Poems of the subtitled collection (original text for this fixture).
SUBTITLED_POEMS = (
    ("渡口", ("船夫把缆绳解开", "河水推着船头", "对岸的灯亮了")),
    ("山路", ("石阶一级一级向上", "挑夫歇在松树下", "云从脚边走过")),
    ("小城", ("钟楼敲了九下", "面馆的蒸汽升起来", "邮差骑车经过桥头", "一天就这样开始")),
)


def subtitled_poems() -> Fixture:
    layout = Layout(148 * mm, 210 * mm, 22 * mm, 20 * mm, 20 * mm, 20 * mm, 1.8, None, UKAI_CN, "{n}")
    title, subtitle, author = "山河集", "——当代短诗选", "林远　著"
    blocks = [Block(title, UKAI_CN, 26, "center", page_break=True)]
    blocks += [Block(subtitle, UKAI_CN, 14, "center", space_before_em=1.0)]
    blocks += [Block(author, UMING_CN, 12, "center", space_before_em=3.0)]
    # The cover (title, subtitle, author) is one front row; its lines head no poem.
    rows: list[dict[str, Any]] = [golden_row("front", title, [subtitle, author])]
    for poem_title, verse in SUBTITLED_POEMS:
        blocks.append(Block(poem_title, ZEN_HEI, 14, "center", space_before_em=2.0, page_break=True))
        blocks += [Block(line, UKAI_CN, 11, "center", space_before_em=0.3) for line in verse]
        rows.append(golden_row("body", poem_title, verse))
    return Fixture(
        "ho-poems-subtitle", layout, blocks, golden_document("ho-poems-subtitle", "general", title, rows)
    )


FIXTURES = (
    textbook,
    journal,
    list_report,
    two_page_paper,
    thesis_bold,
    government_report,
    proceedings,
    digest_notes,
    subtitled_poems,
)


def build_heldout_fixtures(out_dir: Path = FIXTURES_DIR) -> Iterator[Path]:
    return write_fixtures(FIXTURES, out_dir)


if __name__ == "__main__":
    for written in build_heldout_fixtures(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES_DIR):
        print(written)
