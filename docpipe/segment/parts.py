"""Coverage: every paragraph of a document ends up in exactly one article row.

A segmenter returns the articles of its kind; whatever paragraphs none of them
holds (a cover, a CIP data page, the 目录, references, acknowledgements, text
a heading rule did not catch) still becomes a row, marked with the *part* of
the document it belongs to:

* ``front``: before the body (cover, 版权页/CIP, 目录, 摘要), one row per block,
  a new block at every front-matter heading;
* ``back``: a block that begins with a back-matter heading (参考文献, 致谢, 附录,
  后记, a declaration) wherever it sits;
* anything else left inside the body belongs to the article before it, and
  text before the first article to the front.

A front or back row between two body articles (a chapter's own 参考文献) gets the
heading path of the article before it, that article's title last; one before the
first article or after the last is the document's own and has an empty path.

Paragraphs the segmenter declared residue, and any bare number or lone
character no row holds (a folio the page band missed), are furniture and belong
to no row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from cleaners.records import Paragraph
from docpipe.segment.contents import is_contents_heading
from docpipe.segment.model import Article, Part, SegmentedDocument
from docpipe.settings import Settings

#: Back-matter headings, spaces removed: references, thanks, appendices, afterword, declarations.
_BACK_HEADING = re.compile(
    r"^(?:参考文献|参考资料|引用文献|致谢|谢辞|鸣谢|后记|跋|附录[\w、.．:：\-—]{0,20}|作者简介|个人简历"
    r"|附件[\d一二三四五六七八九十]{0,3}(?:[：:、.．].{0,20})?"
    r"|攻读.{0,20}期间.{0,30}|.{0,12}(?:独创性|原创性)声明|.{0,16}授权(?:书|说明|声明)|关于.{0,12}授权的说明"
    r"|References|Acknowledge?ments?|Bibliography|Appendix.{0,20})$",
    re.IGNORECASE,
)
#: Front-matter headings, spaces removed (the 目录 is recognised by :func:`is_contents_heading`).
_FRONT_HEADING = re.compile(
    r"^(?:摘要|中文摘要|内容摘要|内容提要|内容简介|英文摘要|Abstract|版权页?|图书在版编目.*|出版说明"
    r"|插图目录|图目录|表目录|符号说明|主要符号表)$",
    re.IGNORECASE,
)
#: Labelled fields of a paper's front matter (``摘要：…``, ``Key words: …``): a paragraph that
#: opens with one belongs to the front block it is in, and the body starts after them.
_FRONT_FIELD = re.compile(
    r"^(?:摘要|中文摘要|关键词|关键字|Abstract|Key\s*words?|中图分类号|文献标识码|文章编号)\s*[:：]",
    re.IGNORECASE,
)
#: Labelled fields of back matter (``作者简介：…``): a paragraph that opens with one opens a back block.
_BACK_FIELD = re.compile(r"^(?:作者简介|作者介绍|通讯作者)\s*[:：]")


_BARE_NUMBER = re.compile(r"^(?:\d{1,4}|[ivxlcIVXLC]{1,6})$")


def is_residue(text: str) -> bool:
    """What is left of page furniture or noise, never a paragraph: a bare number, a lone character.

    >>> [is_residue(t) for t in ("5", "vi", "人", "远。", "（一）政策目标")]
    [True, True, True, False, False]
    """
    visible = "".join(text.split())
    return len(visible) <= 1 or bool(_BARE_NUMBER.match(visible))


def _squash(text: str) -> str:
    return "".join(text.split())


def is_back_heading(text: str, *, settings: Settings) -> bool:
    """A heading that opens back matter (at most ``Settings.part_heading_max_chars`` long).

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> headings = ("参考文献", "致  谢", "附录A 调查问卷", "学位论文原创性声明")
    >>> [is_back_heading(t, settings=S) for t in headings]
    [True, True, True, True]
    >>> text = ("参考文献是论文的一部分，列出引用。", "1.1 研究背景", "产品使用说明书")
    >>> [is_back_heading(t, settings=S) for t in text]
    [False, False, False]
    >>> is_back_heading("学位论文版权使用授权书", settings=S)
    True
    """
    squashed = _squash(text)
    return len(squashed) <= settings.part_heading_max_chars and bool(_BACK_HEADING.match(squashed))


def is_front_field(text: str) -> bool:
    """A labelled field of front matter: an abstract or its keywords, in either language.

    >>> [is_front_field(t) for t in ("摘 要：本文研究了……", "Key words: e-government", "关键词：数据共享")]
    [True, True, True]
    >>> [is_front_field(t) for t in ("摘要", "本文摘要如下：", "关键在于：明确权责")]
    [False, False, False]
    """
    return bool(_FRONT_FIELD.match(_squash(text)))


def is_back_field(text: str) -> bool:
    """A labelled field of back matter: a note on the authors.

    >>> is_back_field("作者简介：陈明，男，博士。"), is_back_field("作者简介")
    (True, False)
    """
    return bool(_BACK_FIELD.match(_squash(text)))


def is_front_heading(text: str, *, settings: Settings) -> bool:
    """A heading of front matter: 目录, 摘要, Abstract, 版权页 …

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> [is_front_heading(t, settings=S) for t in ("摘 要", "ABSTRACT", "目  录", "第1章 绪论")]
    [True, True, True, False]
    """
    squashed = _squash(text)
    if len(squashed) > settings.part_heading_max_chars:
        return False
    return is_contents_heading(text) or bool(_FRONT_HEADING.match(squashed))


def complete_parts(
    paragraphs: Sequence[Paragraph], segmented: SegmentedDocument, *, settings: Settings
) -> SegmentedDocument:
    """Give every paragraph no article holds a row (front, body or back), in reading order.

    Raises ``ValueError`` when two articles hold the same paragraph: a segmenter bug.
    """
    owner: dict[int, int] = {}
    for position, article in enumerate(segmented.articles):
        for index in article.held:
            if index in owner:
                raise ValueError(f"paragraph {index} held by articles {owner[index] + 1} and {position + 1}")
            owner[index] = position
    # What is left of page furniture (a folio the band missed) is no row's text, whatever the kind.
    residue = set(segmented.residue) | {
        i for i, p in enumerate(paragraphs) if i not in owner and is_residue(p.text) and p.text.strip()
    }
    articles = [list(a.held) for a in segmented.articles]
    extra: list[tuple[Part, list[int]]] = []  # new rows: (part, paragraph indexes)
    block: tuple[Part, list[int]] | None = None  # the row being filled, if any
    first_article = min((min(a.held) for a in segmented.articles if a.held), default=len(paragraphs))
    front_end = max(segmented.body_start, 0)
    row_starts = frozenset(segmented.row_starts)
    last_owner: int | None = None
    for index, paragraph in enumerate(paragraphs):
        if index in owner:
            last_owner, block = owner[index], None
            continue
        if index in residue or not paragraph.text.strip():
            continue
        text = paragraph.text
        if is_back_heading(text, settings=settings) or is_back_field(text):
            block = _open_block("back", index, extra)
        elif index in row_starts:  # a title block, a paper's title: a front row of its own
            block = _open_block("front", index, extra)
        elif block is not None and not (block[0] == "front" and is_front_heading(text, settings=settings)):
            block[1].append(index)
        elif index < max(front_end, first_article) or last_owner is None:
            block = _open_block("front", index, extra)
        else:
            articles[last_owner].append(index)  # text a heading rule left inside the body
    rows = [
        (min(held) if held else 0, _extend(article, held, paragraphs))
        for article, held in zip(segmented.articles, articles, strict=True)
    ]
    rows += [(held[0], block_article(part, held, paragraphs, settings=settings)) for part, held in extra]
    ordered = _place_part_rows([article for _, article in sorted(rows, key=lambda row: row[0])], row_starts)
    numbered = tuple(replace(article, seq=seq) for seq, article in enumerate(ordered, start=1))
    return replace(segmented, articles=numbered, residue=tuple(sorted(residue)))


def _place_part_rows(ordered: Sequence[Article], row_starts: frozenset[int]) -> list[Article]:
    """Give a front or back row between two body articles the heading path of the one before it.

    A block of references or an appendix followed by more articles closes the article
    above it (a textbook's chapter ends in its 参考文献): it sits under that article's
    heading, so its path is that article's path and title.  Before the first article
    or after the last, a block is the document's own (cover, 目录, the thesis's
    参考文献 and 致谢) and has no heading above it; a row the segmenter opened
    (``row_starts``: a paper's title and abstract in a collection) opens what follows
    it and has none either.
    """
    body = [i for i, article in enumerate(ordered) if article.part == "body"]
    placed = list(ordered)
    for index, article in enumerate(ordered):
        before = [i for i in body if i < index]
        opened = bool(article.held) and article.held[0] in row_starts
        if article.part == "body" or opened or not before or not any(i > index for i in body):
            continue
        above = ordered[before[-1]]
        placed[index] = replace(article, heading_path=(*above.heading_path, above.title))
    return placed


def _open_block(part: Part, index: int, blocks: list[tuple[Part, list[int]]]) -> tuple[Part, list[int]]:
    block: tuple[Part, list[int]] = (part, [index])
    blocks.append(block)
    return block


def _extend(article: Article, held: Sequence[int], paragraphs: Sequence[Paragraph]) -> Article:
    """The article with the paragraphs left inside its span appended to its body."""
    added = [i for i in held if i not in article.held]
    if not added:
        return article
    texts = [paragraphs[i].text.strip() for i in added]
    return replace(
        article,
        paragraphs=(*article.paragraphs, *texts),
        held=(*article.held, *added),
        page_end=max(article.page_end, *(paragraphs[i].page_end for i in added)),
    )


def block_article(
    part: Part,
    held: Sequence[int],
    paragraphs: Sequence[Paragraph] | Mapping[int, Paragraph],
    *,
    settings: Settings,
) -> Article:
    """A row of a block of paragraphs no heading rule made an article: its first paragraph
    titles it when short and more follows, else the row's title is an excerpt of it."""
    texts = [paragraphs[i].text.strip() for i in held]
    first = texts[0]
    headings: tuple[int, ...] = ()
    if len(first) <= settings.part_title_max_chars and len(texts) > 1:
        title, body, headings = first, texts[1:], (held[0],)
    else:
        # a long paragraph, or one alone in its block (a labelled 作者简介：…), is its own text
        title = excerpt_title(first, settings=settings)
        body = texts
    steps: list[str] = []
    for index in held:
        steps.extend(s for s in paragraphs[index].cleaning_steps if s not in steps)
    return Article(
        seq=0,
        title=title,
        paragraphs=tuple(body),
        page_start=paragraphs[held[0]].page_start,
        page_end=max(paragraphs[i].page_end for i in held),
        cleaning_steps=tuple(steps),
        part=part,
        held=tuple(held),
        headings=headings,
    )


def excerpt_title(text: str, *, settings: Settings) -> str:
    """A row's title made from the start of a paragraph too long to be one.

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> excerpt_title("作者简介：陈明，男，博士，研究方向为电子政务。", settings=S)
    '作者简介：陈明，男，博士，研究方向为电子…'
    >>> excerpt_title("致谢", settings=S)
    '致谢'
    """
    limit = settings.part_title_prefix_chars
    return text if len(text) <= limit else text[:limit] + "…"


def _counted(text: str) -> Counter[str]:
    """The characters coverage counts: letters, digits and ideographs (no spaces, no punctuation)."""
    return Counter(filter(str.isalnum, text))


def measure_coverage(
    paragraphs: Sequence[Paragraph], segmented: SegmentedDocument, *, footnotes: Sequence[str] = ()
) -> float:
    """Share of the document's text (paragraphs minus residue, and footnotes) that its rows carry.

    Counted from what the rows print -- number, title, body, source, attribution,
    footnotes, and each section name and heading above an article once -- against
    the paragraphs, as a multiset of letters, digits and ideographs: a title taken
    from the 目录 or a source stripped of its brackets still counts, a dropped
    paragraph does not.  1.0 for a document with no text.
    """
    residue = set(segmented.residue)
    page_chars = Counter[str]()
    for index, paragraph in enumerate(paragraphs):
        if index not in residue:
            page_chars.update(_counted(paragraph.text))
    for note in footnotes:  # lifted off the pages before paragraphs were formed
        page_chars.update(_counted(note))
    total = sum(page_chars.values())
    if not total:
        return 1.0
    row_chars = Counter[str]()
    # Every heading above an article is printed in its heading_path, the nearest also as its section.
    sections = dict.fromkeys(
        heading
        for a in segmented.articles
        for heading in (*a.heading_path, a.section)
        if heading and heading != a.title
    )
    for text in (
        *(s for s in sections if s),
        *(
            "".join(
                (a.number or "", a.title, *a.paragraphs, a.source or "", a.attribution or "", *a.footnotes)
            )
            for a in segmented.articles
        ),
    ):
        row_chars.update(_counted(text))
    return sum((page_chars & row_chars).values()) / total
