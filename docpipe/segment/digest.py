"""Segment a digest (电子政务信息汇编 and its like): cover, 目录, sections, numbered articles.

Input is the document's paragraphs after furniture removal, wrap repair and
normalisation.  The cover is what precedes the 目录; the 目录 lists the
articles; the body is the heading tree (:mod:`docpipe.segment.tree`) of 【】
section lines (level 0) over article headings (level 1): a heading by the shared
rule (:func:`~docpipe.segment.headings.heading_of`) numbered ``1、`` or ``1.``
whose number and title agree with the contents, or that comes next in the
numbering sequence (the 目录 is evidence: where it disagrees, the body's heading
wins, with a warning).  With no contents the numbered headings alone decide,
taken in sequence.

A heading is never an article without a body, and an article never absorbs
another numbered article: a heading followed directly by the next article's
heading is a one-line item (a 简讯 printed as its title alone), whose body is
its heading line as printed; the document gets a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from difflib import SequenceMatcher

from cleaners.records import Paragraph
from docpipe.segment.contents import (
    ContentsEntry,
    find_contents,
    parse_contents,
    section_name,
)
from docpipe.segment.headings import (
    BodyStyle,
    body_style,
    heading_of,
    is_set_apart,
    is_short_phrase,
    numbering_of,
    split_numbering,
)
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import block_article, is_back_heading
from docpipe.segment.tree import ArticleEnds, Cut, build_tree, cut_articles
from docpipe.settings import Settings

#: Articles are numbered ``1、`` or ``1.`` (the numbering family of one number: ``3.1`` is
#: a subsection of article 3, never an article).
ARTICLE_FAMILY = "decimal:1"
#: 【】 section lines above the articles.
SECTION_LEVEL, ARTICLE_LEVEL = 0, 1
#: A section line has no text of its own; an article heading with nothing under it is a
#: one-line item whose heading line is its text.
DIGEST_ENDS = ArticleEnds(intro=False, empty="own-line")
_DATE = re.compile(r"(?P<y>\d{4})\s*[年.\-/]\s*(?P<m>\d{1,2})\s*[月.\-/]\s*(?P<d>\d{1,2})\s*日?")
_ISSUE_LABEL = re.compile(r"第\s*[\d一二三四五六七八九十百〇零]+\s*期")
_SOURCE = re.compile(r"[（(](?P<inner>[^（）()]{1,80})[）)]\s*$")
_SOURCE_LABEL = re.compile(r"(?:来源|来自|稿源|出处)\s*[：:]\s*(?P<name>[^，,；;）)]+)")
#: A paragraph that is a labelled source alone, unbracketed: ``来源：新华网``.
_SOURCE_LINE = re.compile(r"^(?:来源|来自|稿源|出处)\s*[：:]\s*(?P<name>[^，,；;。（）()]+?)\s*$")
#: A bracket holding a year, a date, a time or a range is text, not a source; a name may
#: hold a digit (企业网D1Net).
_NUMERIC = re.compile(r"\d[\s年月日:：.．\-–—/~～]*\d|^\s*\d+\s*$")


def parse_issue_date(text: str) -> date | None:
    """The first date in a text, as printed on a cover.

    >>> parse_issue_date("2014年7月28日")
    datetime.date(2014, 7, 28)
    >>> parse_issue_date("七月第四期") is None
    True
    """
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def split_source(text: str, *, settings: Settings) -> tuple[str, str | None]:
    """Split an article's closing attribution off its last paragraph: (text, source).

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> split_source("……来保证更高的透明度。（中研网）", settings=S)
    ('……来保证更高的透明度。', '中研网')
    >>> split_source("（重庆日报）", settings=S)
    ('', '重庆日报')
    >>> split_source("……的服务平台。（人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报）", settings=S)
    ('……的服务平台。', '人民邮电报')
    >>> split_source("……建设总体规划（2014-2020）", settings=S)[1] is None
    True
    >>> split_source("……提供安全保障。（企业网D1Net）", settings=S)
    ('……提供安全保障。', '企业网D1Net')
    >>> split_source("……共建设了（3）个", settings=S)[1] is None
    True
    """
    rest, source, _attribution = split_attribution(text, settings=settings)
    return rest, source


def split_attribution(text: str, *, settings: Settings) -> tuple[str, str | None, str | None]:
    """Split an article's closing attribution off its last paragraph: (text, source, attribution).

    The source is the outlet's name alone; the attribution is the whole bracket as
    printed (without its brackets) when it says more than that name -- a reposting
    site, a date and time -- so no printed text is lost; ``None`` when the bracket
    holds the name alone; a bracket longer than ``Settings.source_max_chars`` without a
    来源 label is text.

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> split_attribution(
    ...     "……的服务平台。（人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报）", settings=S
    ... )
    ('……的服务平台。', '人民邮电报', '人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报')
    >>> split_attribution("……来保证更高的透明度。（中研网）", settings=S)
    ('……来保证更高的透明度。', '中研网', None)
    >>> split_attribution("……建设总体规划（2014-2020）", settings=S)
    ('……建设总体规划（2014-2020）', None, None)
    >>> split_attribution("来源：新华网", settings=S)
    ('', '新华网', '来源：新华网')
    >>> split_attribution("来源：据统计，全省共有三百个网点。", settings=S)[1] is None
    True
    """
    match = _SOURCE.search(text)
    line = _SOURCE_LINE.match(text.strip())
    if line and len(line["name"]) <= settings.source_max_chars:
        return "", line["name"].strip(), text.strip()
    if not match:
        return text, None, None
    inner = match["inner"].strip()
    labelled = _SOURCE_LABEL.search(inner)
    if labelled:
        source = labelled["name"].strip()
    elif len(inner) <= settings.source_max_chars and not _NUMERIC.search(inner):
        source = inner
    else:
        return text, None, None
    return text[: match.start()].rstrip(), source, (inner if inner != source else None)


def segment_digest(
    paragraphs: Sequence[Paragraph],
    *,
    printed_pages: Mapping[int, str | None] | None = None,
    settings: Settings,
) -> SegmentedDocument:
    """Cut a digest's paragraphs into cover fields, contents and articles."""
    printed_pages = printed_pages or {}
    located = find_contents(paragraphs, settings=settings)
    if located is None:
        cover: Sequence[Paragraph] = []
        entries: list[ContentsEntry] = []
        body_start = 0
    else:
        heading, body_start = located
        cover = paragraphs[:heading]
        entries = parse_contents(paragraphs[heading + 1 : body_start])
    body = list(enumerate(paragraphs))[body_start:]
    articles, warnings = _cut_articles(body, entries, body_style([p for _, p in body]), settings)
    numbered = [a for a in articles if a.number is not None]  # text after a source has no entry
    warnings += _check_against_contents(numbered, entries, paragraphs, printed_pages)
    title, issue_date, issue_label = _read_cover(cover)
    return SegmentedDocument(
        doc_kind="digest",
        doc_title=title,
        issue_date=issue_date,
        issue_label=issue_label,
        articles=tuple(articles),
        contents=tuple(entries),
        warnings=tuple(warnings),
        body_start=body_start,
    )


def _read_cover(cover: Sequence[Paragraph]) -> tuple[str | None, date | None, str | None]:
    issue_date = next((d for p in cover if (d := parse_issue_date(p.text))), None)
    label_match = next((m for p in cover if (m := _ISSUE_LABEL.search(p.text))), None)
    issue_label = "".join(label_match.string.split()) if label_match else None
    candidates = [p for p in cover if not _DATE.search(p.text) and not _ISSUE_LABEL.search(p.text)]
    title = max(candidates, key=lambda p: p.size).text.strip() if candidates else None
    return title, issue_date, issue_label


def _squash(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def _title_matches(heading: str, entry: ContentsEntry, settings: Settings) -> bool:
    a, b = _squash(heading), _squash(entry.title)
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= settings.contents_match_ratio


def _cut_articles(
    body: Sequence[tuple[int, Paragraph]],
    entries: Sequence[ContentsEntry],
    style: BodyStyle,
    settings: Settings,
) -> tuple[list[Article], list[str]]:
    """Cut ``(index, paragraph)`` pairs at the numbered headings the contents confirms."""
    levels, parts, confirmed, sections, warnings = _find_structure(body, entries, style, settings)
    tree = build_tree((index for index, _ in body), levels, parts=parts)
    paragraphs = dict(body)
    articles: list[Article] = []
    numbered = 0
    for cut in cut_articles(tree, ARTICLE_LEVEL, DIGEST_ENDS):
        heading = paragraphs[cut.heading]
        if not any(paragraphs[i].text.strip() for i in cut.body):
            warnings.append(f"article {numbered + 1} has no text under its heading: {heading.text[:30]}")
        number, entry = confirmed[cut.heading]
        section = sections[cut.path[-1]] if cut.path else None
        collected = [(i, paragraphs[i]) for i in cut.body]
        own, *after = split_at_sources(collected, number=number, settings=settings)
        own_cut = replace(cut, body=tuple(i for i, _ in own))
        numbered += 1
        built = _build_article(numbered, heading, number, entry, section, own, own_cut, settings)
        articles.append(built)
        for block in after:
            row = _unnumbered_row(block, built, settings)
            warnings.append(
                f"text after the source of article {number} on page {row.page_start} "
                f"is a row of its own: {row.title}"
            )
            articles.append(row)
    # What follows the last numbered article's source closes the issue: back matter.
    last = max((k for k, a in enumerate(articles) if a.number is not None), default=-1)
    articles[last + 1 :] = [
        replace(a, part="back", section=None, heading_path=()) for a in articles[last + 1 :]
    ]
    return articles, warnings


def split_at_sources(
    collected: Sequence[tuple[int, Paragraph]], *, number: str, settings: Settings
) -> list[list[tuple[int, Paragraph]]]:
    """An article's body cut after each paragraph that closes with a source: the article's own
    text first, then each run of text after a source (an editor's note, an unnumbered item),
    never glued to the article its source closed.  A subsection of the article (``3.1``
    under article 3) goes on with it, whatever closes the text before it.

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> texts = ("正文。", "正文完。（新华网）", "编者按：以上为摘编。", "来源：人民网", "又一条。")
    >>> body = [(i, Paragraph(t, 1, 1, 72.0, 21.0, 10.5)) for i, t in enumerate(texts)]
    >>> [[i for i, _ in run] for run in split_at_sources(body, number="3", settings=S)]
    [[0, 1], [2, 3], [4]]
    >>> [[i for i, _ in run] for run in split_at_sources(body[:2], number="3", settings=S)]
    [[0, 1]]
    >>> sub = [*body[:2], (5, Paragraph("3.1 主要发现", 1, 1, 72.0, 0.0, 12.0))]
    >>> [[i for i, _ in run] for run in split_at_sources(sub, number="3", settings=S)]
    [[0, 1, 5]]
    """
    runs: list[list[tuple[int, Paragraph]]] = [[]]
    for index, paragraph in collected:
        text = paragraph.text.strip()
        subsection = re.match(rf"{re.escape(number)}\s*[.．]\s*\d", text) is not None
        if text and not subsection and runs[-1] and _closes_with_source(runs[-1], settings):
            runs.append([])
        runs[-1].append((index, paragraph))
    return runs


def _closes_with_source(run: Sequence[tuple[int, Paragraph]], settings: Settings) -> bool:
    texts = [p.text.strip() for _, p in run if p.text.strip()]
    return bool(texts) and split_attribution(texts[-1], settings=settings)[1] is not None


def _unnumbered_row(block: Sequence[tuple[int, Paragraph]], before: Article, settings: Settings) -> Article:
    """A row of text that follows an article's source: under the article's section, with a
    source of its own when it closes with one."""
    held = [i for i, _ in block]
    paragraphs = {i: p for i, p in block}
    texts = [(i, p.text.strip()) for i, p in block if p.text.strip()]
    source = attribution = None
    last_index, last_text = texts[-1]
    rest, source, attribution = split_attribution(last_text, settings=settings)
    if source is not None:
        kept = {i: p for i, p in paragraphs.items() if i != last_index}
        if rest:
            kept[last_index] = replace(paragraphs[last_index], text=rest)
        if any(p.text.strip() for p in kept.values()):
            paragraphs = kept
        else:  # a source line alone: keep it as the row's text
            source = attribution = None
    ordered = sorted(paragraphs)
    row = block_article("body", ordered, paragraphs, settings=settings)
    return replace(
        row,
        held=tuple(held),
        source=source,
        attribution=attribution,
        section=before.section,
        heading_path=before.heading_path,
        page_end=max(p.page_end for _, p in block),
    )


def _says_the_same(heading: str, entry: ContentsEntry, settings: Settings) -> bool:
    """Whether a 目录 entry's title stands for the body's heading: the heading is its
    beginning (the body lost the end of a wrapped title), or the two differ by a
    character or two (OCR misread one of them).

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> entry = ContentsEntry("海南构建国内首个省级政务云计算中心")
    >>> _says_the_same("海南构建国内首个省级政务云计算", entry, S)
    True
    >>> misread = ContentsEntry("福建省启动行政执法与刑事司法衔接")
    >>> _says_the_same("福建省启动行政执法与刑事司法衡接", misread, S)
    True
    >>> _says_the_same("市民热线接入统一受理平台", ContentsEntry("热线统一受理"), S)
    False
    """
    a, b = _squash(heading), _squash(entry.title)
    return b.startswith(a) or SequenceMatcher(None, a, b).ratio() >= settings.contents_title_ratio


def _find_structure(
    body: Sequence[tuple[int, Paragraph]],
    entries: Sequence[ContentsEntry],
    style: BodyStyle,
    settings: Settings,
) -> tuple[dict[int, int], set[int], dict[int, tuple[str, ContentsEntry | None]], dict[int, str], list[str]]:
    """The digest's headings: section lines (level 0), the numbered article headings the
    contents or the numbering sequence confirms (level 1) and back headings (part nodes);
    with each article heading's number and contents entry, each section line's name, and
    the warnings of the reading."""
    numbered = [e for e in entries if e.number is not None]
    first_number = min((int(e.number) for e in numbered if e.number), default=None)
    cursor = 0  # the next 目录 entry no heading has taken yet
    contents_sections = {e.section for e in entries if e.section}
    levels: dict[int, int] = {}
    parts: set[int] = set()
    confirmed: dict[int, tuple[str, ContentsEntry | None]] = {}
    sections: dict[int, str] = {}
    warnings: list[str] = []
    expected_number: int | None = None
    in_article = in_back = False
    new_section = False  # a section line since the last article heading: numbering may restart
    collected = 0  # paragraphs under the open article heading
    for index, paragraph in body:
        text = paragraph.text.strip()
        name = section_name(paragraph.text)
        if name is not None or (text in contents_sections and in_article and collected > 0):
            levels[index], sections[index] = SECTION_LEVEL, name or text
            in_article, new_section = False, True
            continue
        if is_back_heading(paragraph.text, settings=settings) and is_set_apart(
            paragraph, style, settings=settings
        ):
            # 参考文献, 附录 …: back matter (given its own rows), never the last article's text
            levels[index] = ARTICLE_LEVEL
            parts.add(index)
            in_article, in_back = False, True
            continue
        heading = _numbered_heading(paragraph, style, settings)
        if heading is not None:
            number, title = heading
            taken = _entry_for(numbered, number, title, cursor, settings)
            candidate = numbered[taken] if taken is not None else None
            matches = candidate is not None and _title_matches(title, candidate, settings)
            # The 目录 is evidence: a heading next in sequence is an article even where the
            # 目录 lost or garbled its entry (the body's heading wins, with a warning); a
            # digest may number each section's articles afresh.
            in_sequence = int(number) == (expected_number or first_number or int(number)) or (
                new_section and int(number) == (first_number or 1)
            )
            if matches or in_sequence:
                cursor = taken + 1 if taken is not None else cursor
                if candidate is not None and not matches:
                    warnings.append(
                        f"article {number}: body heading {title!r} disagrees with contents "
                        f"{candidate.title!r}; the body's is kept"
                    )
                    candidate = replace(candidate, title=title)
                elif candidate is not None and not _says_the_same(title, candidate, settings):
                    warnings.append(
                        f"article {number}: body heading {title!r} is worded otherwise in the contents "
                        f"({candidate.title!r}); the body's is kept"
                    )
                    candidate = replace(candidate, title=title)
                elif candidate is not None and _squash(title) != _squash(candidate.title):
                    warnings.append(
                        f"article {number}: body title {title!r} differs from contents {candidate.title!r}"
                    )
                levels[index], confirmed[index] = ARTICLE_LEVEL, (number, candidate)
                in_article, in_back, new_section, collected = True, False, False, 0
                expected_number = int(number) + 1
                continue
        # A heading whose number OCR could not read (Z、, 6 read as b) is looked for by the title
        # the 目录 gives the next article, before its text is merged into the article above.
        awaited = numbered[cursor] if cursor < len(numbered) else None
        if awaited is not None and _is_unnumbered_title(paragraph, awaited, style, settings):
            number = str(awaited.number)
            warnings.append(
                f"article {number}: heading {text!r} read by its contents title {awaited.title!r}"
            )
            levels[index], confirmed[index] = ARTICLE_LEVEL, (number, awaited)
            in_article, in_back, new_section, collected = True, False, False, 0
            expected_number, cursor = int(number) + 1, cursor + 1
            continue
        if in_article:
            collected += 1
        elif text and not in_back:
            warnings.append(f"text outside any article on page {paragraph.page_start}: {paragraph.text[:30]}")
    return levels, parts, confirmed, sections, warnings


def _is_unnumbered_title(
    paragraph: Paragraph, entry: ContentsEntry, style: BodyStyle, settings: Settings
) -> bool:
    """A short line set apart from the text that says what a 目录 entry says (a character or two
    in front of it, its unreadable number, aside).

    >>> from docpipe.settings import DEFAULT_SETTINGS as S
    >>> entry = ContentsEntry("海南构建国内首个省级政务云计算中心", "2")
    >>> heading = Paragraph("Z、海南构建国内首个省级政务云计算中心", 3, 3, 72.0, 0.0, 12.0)
    >>> _is_unnumbered_title(heading, entry, BodyStyle(10.5, ""), S)
    True
    >>> text = Paragraph("海南省正式宣布构建云计算中心", 3, 3, 93.0, 21.0, 10.5)  # indented text
    >>> subsection = Paragraph("2.2海南构建国内首个省级政务云计算中心", 3, 3, 72.0, 0.0, 12.0)
    >>> [_is_unnumbered_title(p, entry, BodyStyle(10.5, ""), S) for p in (text, subsection)]
    [False, False]
    """
    if numbering_of(paragraph.text) is not None:
        return False  # a readable number (3.2) is evidence of another heading
    if not (
        is_short_phrase(paragraph, settings=settings) and is_set_apart(paragraph, style, settings=settings)
    ):
        return False
    text, title = _squash(paragraph.text), _squash(entry.title)
    return any(
        SequenceMatcher(None, text[skip:], title).ratio() >= settings.contents_title_ratio
        for skip in range(settings.garbled_number_max_chars + 1)
    )


def _numbered_heading(paragraph: Paragraph, style: BodyStyle, settings: Settings) -> tuple[str, str] | None:
    """``(number, title)`` of a heading numbered ``1、`` or ``1.`` (not ``1.1``), else None."""
    if heading_of(paragraph, style, settings=settings) is None:
        return None
    split = split_numbering(paragraph.text)
    if split is None or split[0] != ARTICLE_FAMILY:
        return None
    return split[1], split[2]


def _entry_for(
    numbered: Sequence[ContentsEntry], number: str, title: str, cursor: int, settings: Settings
) -> int | None:
    """The 目录 entry a heading numbered ``number`` stands for: the first with that number from
    the cursor on (one with a matching title preferred), else anywhere (the body printed it
    out of the 目录's order)."""
    found = [k for k in range(len(numbered)) if numbered[k].number == number]
    ahead = [k for k in found if k >= cursor]
    for group in (ahead, found):
        titled = [k for k in group if _title_matches(title, numbered[k], settings)]
        if titled or group:
            return (titled or group)[0]
    return None


def _build_article(
    seq: int,
    heading_paragraph: Paragraph,
    number: str,
    entry: ContentsEntry | None,
    body_section: str | None,
    collected: Sequence[tuple[int, Paragraph]],
    cut: Cut,
    settings: Settings,
) -> Article:
    paragraphs = [p for _, p in collected]
    texts = [p.text.strip() for p in paragraphs if p.text.strip()]
    source = attribution = None
    if texts:
        last, source, attribution = split_attribution(texts[-1], settings=settings)
        texts = texts[:-1] + ([last] if last else [])
    if not texts:
        texts = [heading_paragraph.text.strip()]  # a one-line item: its heading is all its text
    steps: list[str] = []
    for paragraph in (heading_paragraph, *paragraphs):
        steps.extend(s for s in paragraph.cleaning_steps if s not in steps)
    pages = [heading_paragraph.page_start, heading_paragraph.page_end] + [p.page_end for p in paragraphs]
    section = entry.section if entry and entry.section else body_section
    if entry is not None:
        title = entry.title
    else:  # a heading read without a 目录 entry is numbered: its title follows the number
        split = split_numbering(heading_paragraph.text)
        assert split is not None
        title = split[2]
    return Article(
        seq=seq,
        number=number,
        section=section,
        title=title,
        paragraphs=tuple(texts),
        source=source,
        attribution=attribution,
        page_start=heading_paragraph.page_start,
        page_end=max(pages),
        cleaning_steps=tuple(steps),
        heading_path=(section,) if section else (),
        held=(*cut.headings, *cut.body),
        headings=cut.headings,
    )


def _check_against_contents(
    articles: Sequence[Article],
    entries: Sequence[ContentsEntry],
    paragraphs: Sequence[Paragraph],
    printed_pages: Mapping[int, str | None],
) -> list[str]:
    """Cross-check the body against the contents; every disagreement is a warning."""
    if not entries:
        return ["no contents (目录) found: articles were found from numbered headings alone"]
    warnings: list[str] = []
    found = {a.number for a in articles}
    for entry in entries:
        if entry.number is not None and entry.number not in found:
            warnings.append(f"contents entry {entry.number} ({entry.title}) has no article in the body")
    listed = {e.number for e in entries}
    for article in articles:
        if article.number not in listed:
            warnings.append(f"article {article.number} ({article.title}) is not in the contents")
    by_number = {e.number: e for e in entries}
    by_title = {(e.number, _squash(e.title)): e for e in entries}  # a number may recur per section
    for article in articles:
        listed_entry = by_title.get((article.number, _squash(article.title))) or by_number.get(article.number)
        printed = printed_pages.get(article.page_start)
        if listed_entry and listed_entry.page and printed and listed_entry.page != printed:
            warnings.append(
                f"article {article.number}: contents says page {listed_entry.page}, "
                f"body heading is on page {printed}"
            )
    return warnings


def is_digest(segmented: SegmentedDocument, *, settings: Settings) -> bool:
    """Whether a digest segmentation found a digest: numbered articles in sequence that a
    numbered 目录 lists, or that close with their sources (a digest reprints news).

    Numbered headings alone do not make a digest: a paper's ``1 引言``, ``2 方法`` and a
    report's list items ``1.`` ``2.`` are numbered in sequence too.  A 目录 of
    unnumbered entries lists another structure.
    """
    articles = [a for a in segmented.articles if a.number is not None]
    if len(articles) < settings.digest_min_articles:
        return False
    if any(entry.number is not None for entry in segmented.contents):
        return True
    return sum(a.source is not None for a in articles) >= settings.digest_min_sourced_share * len(articles)
