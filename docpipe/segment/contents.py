"""The 目录: find it, and parse its entries (number, title, printed page, section).

The contents is the authority on titles: a title the body wraps over two lines
comes back whole from its contents entry.  Entries are recognised by shape: an
optional number, a title, and a page number after dot leaders, an ellipsis or a
wide gap.  Lines of the contents with no page number are section names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cleaners.records import Paragraph
from docpipe.settings import Settings

#: The heading of a table of contents, once its spaces are removed.
CONTENTS_HEADINGS = frozenset({"目录", "目次", "目錄"})

_ENTRY = re.compile(
    r"""^\s*[-•·]?\s*                                  # list bullets some tools add
        (?:(?P<number>\d{1,3})\s*[、.．]\s*)?           # 1、 1. 1．
        (?P<title>.*?\S)
        \s*(?:[.．·…⋯]{2,}|\t|\s{2,}|(?<=[\u4e00-\u9fff）》”])\s*[a-z.．·…⋯]*\s*)  # leaders, a gap,
        (?P<page>\d{1,4}|[ivxlcIVXLC]{1,6})\s*$""",  # or leaders OCR read as letters
    re.VERBOSE,
)
#: A numbered entry whose page number OCR read as something else (1 as 世, 2 as 和): the
#: title, a column gap (a tab) and one or two characters that are not a number.
_ENTRY_WITH_GARBLED_PAGE = re.compile(
    r"^\s*[-•·]?\s*(?P<number>\d{1,3})\s*[、.．]\s*(?P<title>[^\t]*?\S)\s*\t\s*\S{1,2}\s*$"
)
_ENDS_LIKE_A_PAGE = re.compile(r"[\divxlcIVXLC]\s*$")
_TRAILING_LEADERS = re.compile(r"[\s.．·…⋯]+$")
_BRACKETED = re.compile(r"^[【\[［]\s*(?P<name>[^】\]］]+?)\s*[】\]］]$")


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    title: str
    number: str | None = None  # as printed, e.g. "12"
    page: str | None = None  # printed page the contents gives
    section: str | None = None  # the section line above it, if any
    level: int = 0  # 0 for top-level entries; used by books (chapter 0, section 1)


def is_contents_heading(text: str) -> bool:
    return "".join(text.split()) in CONTENTS_HEADINGS


def section_name(text: str) -> str | None:
    """The name inside a 【】 section heading, or None.

    >>> section_name("【国外电子政务】")
    '国外电子政务'
    >>> section_name("1. 印度电子政府发展") is None
    True
    """
    match = _BRACKETED.match(text.strip())
    return match.group("name").strip() if match else None


def parse_contents_entry(text: str) -> ContentsEntry | None:
    """Parse one contents line into an entry, or None when it has no page number.

    A numbered line that ends, after a column gap, in one or two characters that are not
    a page number is an entry whose page number OCR garbled: its page is None.

    >>> parse_contents_entry("1. 印度电子政府发展：以民众为中心公开透明..... 1")
    ContentsEntry(title='印度电子政府发展：以民众为中心公开透明', number='1', page='1', section=None, level=0)
    >>> parse_contents_entry("- 12、纽约计划淘汰付费公用电话亭改建免费wifi信息亭.....11").number
    '12'
    >>> parse_contents_entry("16. 天津和平区计划一年搭建电子政务平台\\t9").page
    '9'
    >>> parse_contents_entry("【国外电子政务】") is None
    True
    >>> parse_contents_entry("1、广东省首部云计算发展规划出台\\t世")
    ContentsEntry(title='广东省首部云计算发展规划出台', number='1', page=None, section=None, level=0)
    """
    if "\t" not in text and not _ENDS_LIKE_A_PAGE.search(text):
        return None  # both shapes end in a page number, or hold a column gap (cheap to rule out)
    match = _ENTRY.match(text)
    if not match:
        garbled = _ENTRY_WITH_GARBLED_PAGE.match(text)
        if garbled is None:
            return None
        return ContentsEntry(title=garbled.group("title"), number=garbled.group("number"))
    title = _TRAILING_LEADERS.sub("", match.group("title"))
    return ContentsEntry(title=title, number=match.group("number"), page=match.group("page"))


def find_contents(paragraphs: Sequence[Paragraph], *, settings: Settings) -> tuple[int, int] | None:
    """Return ``(heading_index, end_index)`` of the contents, or None when there is none.

    The contents is the largest cluster of at least ``Settings.contents_min_entries`` entries
    (section lines and wrapped entries may sit between them, and up to
    ``Settings.contents_max_gap`` unreadable lines, which OCR leaves on a contents page).  Its
    heading is the 目录 line just above it, or, when OCR garbled that, the line
    right before the first entry.  The body starts at ``end_index``, after the
    last entry.
    """
    clusters: list[tuple[int, int, int]] = []  # (entries, start, end)
    start = end = None
    entries = gap = 0
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text
        if parse_contents_entry(text) is not None:
            if start is None or gap > settings.contents_max_gap:
                if start is not None and end is not None:
                    clusters.append((entries, start, end))
                start, entries = index, 0
            entries += 1
            end, gap = index + 1, 0
        elif start is not None and (section_name(text) is not None or _continues_entry(paragraphs, index)):
            continue
        elif start is not None:
            gap += 1
    if start is not None and end is not None:
        clusters.append((entries, start, end))
    # The contents is the largest cluster: a CIP data page or a table may form a small one.
    best = max(clusters, key=lambda cluster: cluster[0], default=None)
    if best is None or best[0] < settings.contents_min_entries:
        return None
    _, start, end = best
    heading = next(
        (
            i
            for i in range(start - 1, max(start - 1 - settings.contents_max_gap, -1), -1)
            if is_contents_heading(paragraphs[i].text)
        ),
        start - 1,
    )
    return (heading, end)


#: Leaders (then the page number, which OCR may run into the next number: ``……46.`` is page 4
#: and entry 6), then the next entry's number and its separator: OCR ran two entries into one line.
_NEXT_ENTRY = r"(?:[.．·…⋯]{{2,}}|\t)\s*(?:\S{{1,3}}?\s*)??(?P<number>{number})\s*[、.．]\s*(?=\S)"
#: A number OCR read without its separator, run into the title (6青岛…).
_BARE_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3})(?=[\u4e00-\u9fff])")


def split_merged_entries(text: str, previous: int | None) -> list[str]:
    """Split a contents line OCR ran two entries into, at the next entry's number.

    A line that goes on, after its leaders, with the number that follows its own
    (or the previous entry's) is a new entry, never a continuation.

    >>> split_merged_entries("6青岛政府户网站将推手机版.......7.安徽欲建网上行政审批平台……8", 5)
    ['6青岛政府户网站将推手机版.......', '7.安徽欲建网上行政审批平台……8']
    >>> split_merged_entries("3. 金震宇：大数据上升为国家战略.....2", 2)
    ['3. 金震宇：大数据上升为国家战略.....2']
    >>> split_merged_entries("2. 报告称2014年.....5.3亿用户", 1)
    ['2. 报告称2014年.....5.3亿用户']
    >>> split_merged_entries("5.热线统一受理………………46.智慧交通试点启动……4", 4)
    ['5.热线统一受理………………4', '6.智慧交通试点启动……4']
    """
    own = re.match(r"^\s*[-•·]?\s*(?P<number>\d{1,3})", text)
    current = int(own["number"]) if own else previous
    if current is None:
        return [text]
    match = re.search(_NEXT_ENTRY.format(number=current + 1), text)
    if match is None:
        return [text]
    cut = match.start("number")
    return [text[:cut].rstrip(), *split_merged_entries(text[cut:], current)]


def parse_contents(paragraphs: Sequence[Paragraph]) -> list[ContentsEntry]:
    """Parse the paragraphs between the contents heading and the body into entries.

    The 目录 is evidence, read as OCR may have left it: a line holding two entries
    is split at the second one's number, and a number read without its separator
    counts when it is the next in sequence.
    """
    entries: list[ContentsEntry] = []
    section: str | None = None
    pending = ""  # the first part of an entry wrapped over two lines
    for paragraph in paragraphs:
        name = section_name(paragraph.text.strip())
        if name is not None:
            section, pending = name, ""
            continue
        previous = _last_number(entries)
        for text in split_merged_entries(paragraph.text.strip(), previous):
            entry = _entry_in_sequence(pending + text, _last_number(entries))
            if entry is None:
                pending += text
                continue
            pending = ""
            entries.append(
                ContentsEntry(title=entry.title, number=entry.number, page=entry.page, section=section)
            )
    return entries


def _last_number(entries: Sequence[ContentsEntry]) -> int | None:
    numbered = [e.number for e in entries if e.number is not None]
    return int(numbered[-1]) if numbered else None


def _entry_in_sequence(text: str, previous: int | None) -> ContentsEntry | None:
    """The entry of a contents line; a title starting with the next number without a separator,
    or a line whose page number OCR lost or garbled after its leaders, is that numbered entry."""
    bare = _BARE_NUMBER.match(text)
    expected = None if previous is None else previous + 1
    if bare is not None and expected is not None and int(bare["number"]) == expected:
        text = f"{bare['number']}. {text[bare.end() :]}"
    entry = parse_contents_entry(text)
    if entry is None and expected is not None:
        lost_page = re.match(
            rf"^\s*{expected}\s*[、.．]\s*(?P<title>.*?[^\s.．·…⋯])\s*[.．·…⋯]{{2,}}\s*\S{{0,3}}\s*$", text
        )
        if lost_page:
            return ContentsEntry(title=lost_page["title"], number=str(expected))
    return entry


def _continues_entry(paragraphs: Sequence[Paragraph], index: int) -> bool:
    """A paragraph without a page number followed by one that completes it into an entry."""
    if index + 1 >= len(paragraphs):
        return False
    joined = paragraphs[index].text.strip() + paragraphs[index + 1].text.strip()
    return parse_contents_entry(joined) is not None
