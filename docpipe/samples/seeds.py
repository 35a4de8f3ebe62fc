"""Recover the documents behind the seed texts in ``../shared/seeds``.

The seeds are text extractions of real documents made by other tools, and they
carry those tools' artifacts (see ``../shared/seeds/README.md``).  This module
turns a seed back into the document it came from, so that the sample
generators can typeset that document and write its golden expectations:

* generic repairs any seed needs: :func:`join_page_break_splits` (a page break
  of the original split a paragraph over two lines) and :func:`repair_and_slip`
  (the tool wrote ``and`` where the document has 和);
* :func:`parse_digest_seed` for the 电子政务信息汇编 digests.

What the *document* itself does is kept: half-width punctuation, spaces
between digits and Chinese, spaces inside titles.  Canonical text is the
business of :mod:`docpipe.samples.canonical`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: A line ending in one of these ends its paragraph.  The full-width colon ends
#: a lead-in paragraph followed by a list (``…发展大数据产业：`` then ``一是…``).
SENTENCE_FINAL = "。！？!?…：:"
#: Closing quotes may follow the sentence-final mark (``…基本需求。”``).
CLOSING_QUOTES = "”’」』"
#: A line ending in a closing parenthesis ends its paragraph: it is the attribution.
CLOSING_PARENTHESES = "）)"

_HAN = "\u4e00-\u9fff"
_AND_SLIP = re.compile(f"(?<=[{_HAN}]) and (?=[{_HAN}])")
_SECTION_LINE = re.compile(r"^【(?P<name>[^【】]+)】$")
_TITLE_LINE = re.compile(r"^(?P<number>\d{1,3})(?:\. ?|、)(?P<title>\S.*)$")
_CONTENTS_ENTRY = re.compile(
    r"^(?:- )?(?P<number>\d{1,3})(?:\. ?|、)(?P<title>.+?)\s*(?:[.…]{2,}\s*|\t)\s*(?P<page>\d+)$"
)
_CHINESE_DATE = re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日$")
_ATTRIBUTION = re.compile(r"[（(](?P<inner>[^（）()]+)[）)]$")
_LONG_FORM_SOURCE = re.compile(r"来源[：:]\s*(?P<source>.+)$")
_CONTENTS_HEADING = re.compile(r"^目\s*录$")


# --- generic seed repairs ----------------------------------------------------


def read_seed_lines(path: Path) -> list[str]:
    """The lines of a seed file, right-stripped (tabs and trailing spaces are extraction noise)."""
    return [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()]


def ends_paragraph(line: str) -> bool:
    """Whether a seed line ends its paragraph, i.e. a page break did not cut it.

    >>> ends_paragraph("…以满足人民基本需求。”")
    True
    >>> ends_paragraph("…通过完善机制、明确分工、优化流程等")
    False
    >>> ends_paragraph("…服务质量。（新华网江苏频道）")
    True
    """
    stripped = line.rstrip()
    if not stripped:
        return True
    if stripped[-1] in CLOSING_PARENTHESES:
        return True
    return stripped.rstrip(CLOSING_QUOTES)[-1:] in tuple(SENTENCE_FINAL)


def join_page_break_splits(lines: Iterable[str]) -> list[str]:
    """Join paragraphs that a page break of the original split over two seed lines.

    Blank lines are dropped; a line that does not end a sentence continues on
    the next non-empty line.  Callers pass paragraph lines only: a title or a
    section line does not end a sentence either, and must not be joined.

    >>> join_page_break_splits(["推进行政权力公开透", "", "明运行。", "下一段。"])
    ['推进行政权力公开透明运行。', '下一段。']
    """
    paragraphs: list[str] = []
    pending = ""
    for line in lines:
        if not line.strip():
            continue
        pending = _join_split(pending, line) if pending else line
        if ends_paragraph(pending):
            paragraphs.append(pending)
            pending = ""
    if pending:
        paragraphs.append(pending)
    return paragraphs


def _join_split(head: str, tail: str) -> str:
    """Join two halves of a paragraph; only two Latin words need a space between them."""
    if head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum():
        return f"{head} {tail}"
    return head + tail


def repair_and_slip(text: str) -> str:
    """Put back the 和 that the extraction tool wrote as ``and`` between Chinese words.

    >>> repair_and_slip("云服务应用先行区，云平台 and 软件集聚区。")
    '云服务应用先行区，云平台和软件集聚区。'
    >>> repair_and_slip("Research and Development")
    'Research and Development'
    """
    return _AND_SLIP.sub("和", text)


def parse_chinese_date(text: str) -> date:
    """Parse a date as printed on a cover.

    >>> parse_chinese_date("2014年7月28日")
    datetime.date(2014, 7, 28)
    """
    match = _CHINESE_DATE.match(text.strip())
    if match is None:
        raise ValueError(f"not a Chinese date: {text!r}")
    return date(int(match["year"]), int(match["month"]), int(match["day"]))


# --- digests -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """One entry of a digest's 目录, without the seed's page number."""

    number: str
    title: str  # as printed in the contents, spaces and all
    section: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """The bracketed source at the end of an article, as printed."""

    printed: str  # "（中研网）", "(重庆日报)", "（2014 年 07 月 24 日 12:49:27 来源：人民邮电报）"
    source: str  # "中研网", "重庆日报", "人民邮电报"
    own_line: bool  # printed on a line of its own after the last paragraph


@dataclass(frozen=True, slots=True)
class SeedArticle:
    """One article of a digest, as printed (document noise kept, extraction artifacts repaired)."""

    number: str
    section: str
    title: str
    paragraphs: tuple[str, ...]  # an inline attribution is still at the end of the last one
    attribution: Attribution | None

    @property
    def paragraphs_without_attribution(self) -> tuple[str, ...]:
        """The paragraphs with an inline attribution cut off the last one."""
        if self.attribution is None or self.attribution.own_line:
            return self.paragraphs
        last = self.paragraphs[-1].removesuffix(self.attribution.printed).rstrip()
        return (*self.paragraphs[:-1], last) if last else self.paragraphs[:-1]


@dataclass(frozen=True, slots=True)
class DigestSeed:
    """A 电子政务信息汇编 issue recovered from its seed text."""

    doc_title: str
    date_text: str  # as printed on the cover: "2014年7月28日"
    issue_date: date
    issue_label: str
    issuer: str
    contents_heading: str  # "目 录"
    contents: tuple[ContentsEntry, ...]
    articles: tuple[SeedArticle, ...]

    @property
    def sections(self) -> tuple[str, ...]:
        """Section names in document order."""
        return tuple(dict.fromkeys(entry.section for entry in self.contents))


def parse_digest_seed(path: Path) -> DigestSeed:
    """Recover a digest (cover, 目录, articles) from its seed text."""
    lines = [repair_and_slip(line) for line in read_seed_lines(path) if line.strip()]
    contents_at = next(i for i, line in enumerate(lines) if _CONTENTS_HEADING.match(line))
    title, date_text, issue_label, issuer = lines[:contents_at]
    body_at = _find_body_start(lines, contents_at + 1)
    contents = _parse_contents(lines[contents_at + 1 : body_at])
    articles = _parse_articles(lines[body_at:], contents)
    return DigestSeed(
        doc_title=title,
        date_text=date_text,
        issue_date=parse_chinese_date(date_text),
        issue_label=issue_label,
        issuer=issuer,
        contents_heading=lines[contents_at],
        contents=contents,
        articles=articles,
    )


def _find_body_start(lines: Sequence[str], after: int) -> int:
    """Index of the first body line: the first title without a page number, or its section line."""
    for index in range(after, len(lines)):
        if _TITLE_LINE.match(lines[index]) and not _CONTENTS_ENTRY.match(lines[index]):
            before = index - 1
            return before if _SECTION_LINE.match(lines[before].strip()) else index
    raise ValueError("no article title after the contents")


def _parse_contents(lines: Sequence[str]) -> tuple[ContentsEntry, ...]:
    """Contents entries with their sections; dot leaders, tabs and page numbers dropped."""
    entries: list[ContentsEntry] = []
    section = ""
    for raw in lines:
        line = raw.strip()
        if section_match := _SECTION_LINE.match(line):
            section = section_match["name"]
        elif entry_match := _CONTENTS_ENTRY.match(line):
            title = entry_match["title"].rstrip(" .…")
            entries.append(ContentsEntry(entry_match["number"], title, section))
        else:
            raise ValueError(f"unexpected contents line: {raw!r}")
    return tuple(entries)


def _parse_articles(lines: Sequence[str], contents: Sequence[ContentsEntry]) -> tuple[SeedArticle, ...]:
    """Split the body into articles at consecutively numbered title lines and section lines."""
    sections = {entry.number: entry.section for entry in contents}
    articles: list[SeedArticle] = []
    current: re.Match[str] | None = None
    body: list[str] = []
    body_section: str | None = None  # the last 【】 line of the body, where the body has them
    for line in lines:
        title = _TITLE_LINE.match(line)
        expected_number = len(articles) + (2 if current else 1)
        starts_article = title is not None and int(title["number"]) == expected_number
        section = _SECTION_LINE.match(line.strip())
        if starts_article or section:
            if current is not None:
                articles.append(_make_article(current, body, sections))
            current, body = (title if starts_article else None), []
            if section:
                body_section = section["name"]
            elif body_section is not None and title is not None and sections[title["number"]] != body_section:
                raise ValueError(f"article {title['number']} is under 【{body_section}】 in the body only")
        elif current is not None:
            body.append(line)
        else:
            raise ValueError(f"text outside any article: {line!r}")
    if current is not None:
        articles.append(_make_article(current, body, sections))
    _check_against_contents(articles, contents)
    return tuple(articles)


def _make_article(title_match: re.Match[str], body: Sequence[str], sections: dict[str, str]) -> SeedArticle:
    """Build one article: rejoin its split paragraphs and find its attribution."""
    lines = [line.strip() for line in body if line.strip()]
    own_line = None
    if lines and _ATTRIBUTION.fullmatch(lines[-1]):
        own_line = lines.pop()
    paragraphs = tuple(join_page_break_splits(lines))
    if own_line is not None:
        attribution: Attribution | None = _attribution_from(own_line, own_line=True)
    else:
        attribution = _attribution_from(paragraphs[-1], own_line=False)
    number = title_match["number"]
    return SeedArticle(number, sections[number], title_match["title"], paragraphs, attribution)


def _attribution_from(text: str, *, own_line: bool) -> Attribution | None:
    """The attribution at the end of ``text``, if any; long forms keep only the name after 来源."""
    match = _ATTRIBUTION.search(text)
    if match is None:
        return None
    inner = match["inner"].strip()
    long_form = _LONG_FORM_SOURCE.search(inner)
    source = long_form["source"].strip() if long_form else inner
    return Attribution(printed=match.group(0), source=source, own_line=own_line)


def _check_against_contents(articles: Sequence[SeedArticle], contents: Sequence[ContentsEntry]) -> None:
    """The body and the contents must list the same articles (titles compared without spaces)."""
    body = [(a.number, a.title.replace(" ", "")) for a in articles]
    listed = [(e.number, e.title.replace(" ", "")) for e in contents]
    if body != listed:
        mismatches = [(b, c) for b, c in zip(body, listed, strict=False) if b != c]
        raise ValueError(f"body and contents disagree: {mismatches or (len(body), len(listed))}")
