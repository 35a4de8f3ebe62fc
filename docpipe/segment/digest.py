"""Segment a digest (电子政务信息汇编 and its like): cover, 目录, sections, numbered articles.

Input is the document's paragraphs after furniture removal, wrap repair and
normalisation.  The cover is what precedes the 目录; the 目录 lists the
articles; the body is cut at article headings: a numbered paragraph (``1、``,
``1.``) set apart from body text (not indented, or in another font or size)
whose number and title agree with the contents.  With no contents the numbered
headings alone decide, taken in sequence.

A heading is never an article without a body, and an article never absorbs
another numbered article: a heading followed directly by the next article's
heading is a one-line item (a 简讯 printed as its title alone), whose body is
its heading line as printed; the document gets a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher

from cleaners.records import Paragraph
from docpipe.segment.contents import (
    ContentsEntry,
    find_contents,
    parse_contents,
    section_name,
)
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import is_back_heading

#: ``3.1 …`` is not article 3: a number followed by a dot and a digit is a subsection.
_HEADING = re.compile(r"^\s*(?P<number>\d{1,3})\s*[、.．](?!\s*\d)\s*(?P<title>\S.*)$")
_DATE = re.compile(r"(?P<y>\d{4})\s*[年.\-/]\s*(?P<m>\d{1,2})\s*[月.\-/]\s*(?P<d>\d{1,2})\s*日?")
_ISSUE_LABEL = re.compile(r"第\s*[\d一二三四五六七八九十百〇零]+\s*期")
_SOURCE = re.compile(r"[（(](?P<inner>[^（）()]{1,80})[）)]\s*$")
_SOURCE_LABEL = re.compile(r"(?:来源|来自|稿源|出处)\s*[：:]\s*(?P<name>[^，,；;）)]+)")
#: A bracket holding a year, a date, a time or a range is text, not a source; a name may
#: hold a digit (企业网D1Net).
_NUMERIC = re.compile(r"\d[\s年月日:：.．\-–—/~～]*\d|^\s*\d+\s*$")
#: An attribution in brackets longer than this (without a 来源 label) is text, not a source.
MAX_SOURCE_CHARS = 30
#: How alike a body heading and its contents entry must be (difflib ratio, spaces removed).
TITLE_MATCH_RATIO = 0.6
#: A paragraph longer than this is body text, whatever it starts with.
MAX_TITLE_CHARS = 120


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


def split_source(text: str) -> tuple[str, str | None]:
    """Split an article's closing attribution off its last paragraph: (text, source).

    >>> split_source("……来保证更高的透明度。（中研网）")
    ('……来保证更高的透明度。', '中研网')
    >>> split_source("（重庆日报）")
    ('', '重庆日报')
    >>> split_source("……的服务平台。（人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报）")
    ('……的服务平台。', '人民邮电报')
    >>> split_source("……建设总体规划（2014-2020）")[1] is None
    True
    >>> split_source("……提供安全保障。（企业网D1Net）")
    ('……提供安全保障。', '企业网D1Net')
    >>> split_source("……共建设了（3）个")[1] is None
    True
    """
    rest, source, _attribution = split_attribution(text)
    return rest, source


def split_attribution(text: str) -> tuple[str, str | None, str | None]:
    """Split an article's closing attribution off its last paragraph: (text, source, attribution).

    The source is the outlet's name alone; the attribution is the whole bracket as
    printed (without its brackets) when it says more than that name -- a reposting
    site, a date and time -- so no printed text is lost; ``None`` when the bracket
    holds the name alone.

    >>> split_attribution("……的服务平台。（人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报）")
    ('……的服务平台。', '人民邮电报', '人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报')
    >>> split_attribution("……来保证更高的透明度。（中研网）")
    ('……来保证更高的透明度。', '中研网', None)
    >>> split_attribution("……建设总体规划（2014-2020）")
    ('……建设总体规划（2014-2020）', None, None)
    """
    match = _SOURCE.search(text)
    if not match:
        return text, None, None
    inner = match["inner"].strip()
    labelled = _SOURCE_LABEL.search(inner)
    if labelled:
        source = labelled["name"].strip()
    elif len(inner) <= MAX_SOURCE_CHARS and not _NUMERIC.search(inner):
        source = inner
    else:
        return text, None, None
    return text[: match.start()].rstrip(), source, (inner if inner != source else None)


def segment_digest(
    paragraphs: Sequence[Paragraph], *, printed_pages: Mapping[int, str | None] | None = None
) -> SegmentedDocument:
    """Cut a digest's paragraphs into cover fields, contents and articles."""
    printed_pages = printed_pages or {}
    located = find_contents(paragraphs)
    if located is None:
        cover: Sequence[Paragraph] = []
        entries: list[ContentsEntry] = []
        body_start = 0
    else:
        heading, body_start = located
        cover = paragraphs[:heading]
        entries = parse_contents(paragraphs[heading + 1 : body_start])
    body = list(enumerate(paragraphs))[body_start:]
    body_style = _body_style([p for _, p in body])
    articles, warnings = _cut_articles(body, entries, body_style)
    warnings += _check_against_contents(articles, entries, paragraphs, printed_pages)
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


@dataclass(frozen=True, slots=True)
class _Style:
    size: float
    font: str


def _body_style(body: Sequence[Paragraph]) -> _Style:
    weights: dict[tuple[float, str], int] = {}
    for paragraph in body:
        key = (round(paragraph.size, 1), paragraph.font)
        weights[key] = weights.get(key, 0) + len(paragraph.text)
    if not weights:
        return _Style(size=0.0, font="")
    size, font = max(weights, key=lambda k: weights[k])
    return _Style(size=size, font=font)


def _looks_like_heading(paragraph: Paragraph, body_style: _Style) -> bool:
    """Set apart from body text: another font or size, or not indented like a paragraph."""
    if len(paragraph.text) > MAX_TITLE_CHARS:
        return False
    if body_style.font and paragraph.font and paragraph.font != body_style.font:
        return True
    if body_style.size and abs(paragraph.size - body_style.size) / body_style.size > 0.1:
        return True
    return paragraph.indent < paragraph.size


def _squash(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def _title_matches(heading: str, entry: ContentsEntry) -> bool:
    a, b = _squash(heading), _squash(entry.title)
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= TITLE_MATCH_RATIO


def _cut_articles(
    body: Sequence[tuple[int, Paragraph]], entries: Sequence[ContentsEntry], body_style: _Style
) -> tuple[list[Article], list[str]]:
    """Cut ``(index, paragraph)`` pairs at the numbered headings the contents confirms."""
    by_number = {e.number: e for e in entries if e.number is not None}
    contents_sections = {e.section for e in entries if e.section}
    articles: list[Article] = []
    warnings: list[str] = []
    section: str | None = None
    heading: tuple[int, Paragraph] | None = None
    entry: ContentsEntry | None = None
    collected: list[tuple[int, Paragraph]] = []
    structure: list[int] = []  # section lines waiting for the article that follows them
    held_structure: list[int] = []
    expected_number: int | None = None
    in_back = False

    def close() -> None:
        if heading is None:
            return
        if not any(p.text.strip() for _, p in collected):
            warnings.append(
                f"article {len(articles) + 1} has no text under its heading: {heading[1].text[:30]}"
            )
        articles.append(_build_article(len(articles) + 1, heading, entry, section, collected, held_structure))

    for index, paragraph in body:
        name = section_name(paragraph.text)
        if name is not None or (paragraph.text.strip() in contents_sections and len(collected) > 0):
            close()
            heading, entry, collected = None, None, []
            section = name or paragraph.text.strip()
            structure.append(index)
            continue
        if is_back_heading(paragraph.text) and _looks_like_heading(paragraph, body_style):
            close()  # 参考文献, 附录 …: back matter (given its own rows), never the last article's text
            heading, entry, collected, in_back = None, None, [], True
            continue
        match = _HEADING.match(paragraph.text)
        if match and _looks_like_heading(paragraph, body_style):
            number = match["number"]
            candidate = by_number.get(number)
            confirmed = candidate is not None and _title_matches(match["title"], candidate)
            # The 目录 is evidence: a heading next in sequence is an article even where the
            # 目录 lost or garbled its entry (the body's heading wins, with a warning).
            in_sequence = int(number) == (expected_number or _first_number(by_number) or int(number))
            if confirmed or in_sequence:
                if candidate is not None and not confirmed:
                    warnings.append(
                        f"article {number}: body heading {match['title']!r} disagrees with contents "
                        f"{candidate.title!r}; the body's is kept"
                    )
                    candidate = replace(candidate, title=match["title"].strip())
                elif candidate is not None and _squash(match["title"]) != _squash(candidate.title):
                    warnings.append(
                        f"article {number}: body title {match['title']!r} "
                        f"differs from contents {candidate.title!r}"
                    )
                close()
                heading, entry, collected = (index, paragraph), candidate, []
                held_structure, structure, in_back = structure, [], False
                expected_number = int(number) + 1
                continue
        if heading is None:
            if paragraph.text.strip() and not in_back:
                warnings.append(
                    f"text outside any article on page {paragraph.page_start}: {paragraph.text[:30]}"
                )
            continue
        collected.append((index, paragraph))
    close()
    return articles, warnings


def _first_number(by_number: dict[str, ContentsEntry]) -> int | None:
    return min((int(n) for n in by_number), default=None)


def _build_article(
    seq: int,
    heading: tuple[int, Paragraph],
    entry: ContentsEntry | None,
    body_section: str | None,
    collected: Sequence[tuple[int, Paragraph]],
    structure: Sequence[int],
) -> Article:
    heading_index, heading_paragraph = heading
    match = _HEADING.match(heading_paragraph.text)
    assert match is not None  # only matching paragraphs become headings
    paragraphs = [p for _, p in collected]
    texts = [p.text.strip() for p in paragraphs if p.text.strip()]
    source = attribution = None
    if texts:
        last, source, attribution = split_attribution(texts[-1])
        texts = texts[:-1] + ([last] if last else [])
    if not texts:
        texts = [heading_paragraph.text.strip()]  # a one-line item: its heading is all its text
    steps: list[str] = []
    for paragraph in (heading_paragraph, *paragraphs):
        steps.extend(s for s in paragraph.cleaning_steps if s not in steps)
    pages = [heading_paragraph.page_start, heading_paragraph.page_end] + [p.page_end for p in paragraphs]
    section = entry.section if entry and entry.section else body_section
    return Article(
        seq=seq,
        number=match["number"],
        section=section,
        title=entry.title if entry else match["title"].strip(),
        paragraphs=tuple(texts),
        source=source,
        attribution=attribution,
        page_start=heading_paragraph.page_start,
        page_end=max(pages),
        cleaning_steps=tuple(steps),
        heading_path=(section,) if section else (),
        held=(*structure, heading_index, *(i for i, _ in collected)),
        headings=(*structure, heading_index),
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
    for article in articles:
        listed_entry = by_number.get(article.number)
        printed = printed_pages.get(article.page_start)
        if listed_entry and listed_entry.page and printed and listed_entry.page != printed:
            warnings.append(
                f"article {article.number}: contents says page {listed_entry.page}, "
                f"body heading is on page {printed}"
            )
    return warnings


#: A digest has at least this many numbered articles ...
MIN_DIGEST_ARTICLES = 2
#: ... and a 目录 that numbers them, or none, or at least this share of them closes with an attribution.
MIN_SOURCED_SHARE = 0.5


def is_digest(segmented: SegmentedDocument) -> bool:
    """Whether a digest segmentation found a digest: numbered articles in sequence that no
    unnumbered 目录 contradicts (a 目录 of unnumbered entries lists another structure)."""
    articles = segmented.articles
    if len(articles) < MIN_DIGEST_ARTICLES:
        return False
    if not segmented.contents or any(entry.number is not None for entry in segmented.contents):
        return True
    return sum(a.source is not None for a in articles) >= MIN_SOURCED_SHARE * len(articles)
