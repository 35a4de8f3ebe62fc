"""The sample generator's own reference normalizer: document text -> canonical text.

The golden JSON next to each sample PDF holds *canonical* text, as defined in
``docs/CONTRACTS.md``: punctuation next to Chinese full-width (，；：！？（）“”),
no space between Chinese characters nor between Chinese and digits or Latin,
traditional characters converted to simplified, while numbers (``3.5``,
``23,588``, ``12:49:27``), URLs and e-mail addresses stay as they are.

This module is deliberately small and independent of ``cleaners/``: the golden
files are the yardstick the cleaners are measured against, so they must not be
written by the code under test.  It only has to be right for the sample texts,
and is tested on them and on the rows that must stay unchanged.

>>> canonicalize("统计,截至 7 月 24 日,共 23,588 张(含 3.5 万张)")
'统计，截至7月24日，共23,588张（含3.5万张）'
"""

from __future__ import annotations

import re
from collections.abc import Callable

import opencc

#: Characters that count as "Chinese" for spacing and punctuation width: Han
#: ideographs, CJK symbols and punctuation, full-width forms, and the curly
#: quotes, ellipsis, dashes and middle dot that Chinese text shares with Western text.
WIDE_CHARS = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han ideographs
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\uff00-\uffef"  # half-width and full-width forms
    "\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"  # ‘’“”…—·
)
#: Horizontal spaces an extractor may leave: ASCII, no-break and ideographic.
SPACE_CHARS = " \u00a0\u3000"

HALF_TO_FULL_PUNCTUATION = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
HALF_TO_FULL_BRACKETS = {"(": "（", ")": "）"}
OPEN_DOUBLE_QUOTE = "\u201c"
CLOSE_DOUBLE_QUOTE = "\u201d"

_WIDE = re.compile(f"[{WIDE_CHARS}]")
_SPACES_NEXT_TO_WIDE = re.compile(f"(?<=[{WIDE_CHARS}])[{SPACE_CHARS}]+|[{SPACE_CHARS}]+(?=[{WIDE_CHARS}])")
_SPACE_RUN = re.compile(f"[{SPACE_CHARS}]+")
_HALF_PUNCTUATION_NEXT_TO_WIDE = re.compile(f"(?<=[{WIDE_CHARS}])[,;:!?]|[,;:!?](?=[{WIDE_CHARS}])")
_PAREN_PAIR = re.compile(r"\(([^()\n]*)\)")
_LONE_PAREN_NEXT_TO_WIDE = re.compile(f"(?<=[{WIDE_CHARS}])[()]|[()](?=[{WIDE_CHARS}])")
_STRAIGHT_QUOTE_PAIR = re.compile(r'"([^"\n]*)"')

_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones (OpenCC ``t2s``).

    Simplified text passes through unchanged, so this is safe on mixed text.

    >>> to_simplified("電子政務雲計算中心")
    '电子政务云计算中心'
    """
    return str(_TO_SIMPLIFIED.convert(text))


def remove_spaces_next_to_wide(text: str) -> str:
    """Remove spaces that touch a Chinese character or full-width punctuation.

    Extractors (and some authors) put spaces between digits and Chinese; a
    Chinese line has none.  Spaces between two Latin words are left alone.

    >>> remove_spaces_next_to_wide("7 月 24 日，站在 WTO 的机制上")
    '7月24日，站在WTO的机制上'
    >>> remove_spaces_next_to_wide("John Podesta 在白宫")
    'John Podesta在白宫'
    """
    return _SPACES_NEXT_TO_WIDE.sub("", text)


def _touches_wide(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` contains, or is directly next to, a wide character."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(_WIDE.search(before + text[start:end] + after))


def widen_brackets_next_to_wide(text: str) -> str:
    """Turn half-width parentheses into full-width ones in Chinese context.

    A pair is widened together when it encloses or touches Chinese, so
    ``(2014-2020)`` after a Chinese word becomes ``（2014-2020）``; a pair in
    Latin context (``f(x)``) is left alone.

    >>> widen_brackets_next_to_wide("县(市、区)的规划(2014-2020)》 f(x)")
    '县（市、区）的规划（2014-2020）》 f(x)'
    """

    def widen_pair(match: re.Match[str]) -> str:
        if _touches_wide(match.string, match.start(), match.end()):
            return f"（{match.group(1)}）"
        return match.group(0)

    paired = _PAREN_PAIR.sub(widen_pair, text)
    return _LONE_PAREN_NEXT_TO_WIDE.sub(lambda m: HALF_TO_FULL_BRACKETS[m.group(0)], paired)


def widen_punctuation_next_to_wide(text: str) -> str:
    """Turn ``, ; : ! ?`` into their full-width forms where they touch Chinese.

    Between digits or Latin letters they are left alone, which keeps numbers
    (``23,588``, ``12:49:27``) and URLs intact.  A run of marks (``?!``) is
    widened as a whole.

    >>> widen_punctuation_next_to_wide("据统计,截至目前:23,588 张 12:49:27 http://a.cn:80/")
    '据统计，截至目前：23,588 张 12:49:27 http://a.cn:80/'
    """
    return _HALF_PUNCTUATION_NEXT_TO_WIDE.sub(
        lambda m: "".join(HALF_TO_FULL_PUNCTUATION[mark] for mark in m.group(0)), text
    )


def curl_quotes_next_to_wide(text: str) -> str:
    """Turn a pair of straight double quotes into “ ” where it encloses or touches Chinese.

    >>> curl_quotes_next_to_wide('推进"民生集美"平台, say "hi"')
    '推进“民生集美”平台, say "hi"'
    """

    def curl_pair(match: re.Match[str]) -> str:
        if _touches_wide(match.string, match.start(), match.end()):
            return f"{OPEN_DOUBLE_QUOTE}{match.group(1)}{CLOSE_DOUBLE_QUOTE}"
        return match.group(0)

    return _STRAIGHT_QUOTE_PAIR.sub(curl_pair, text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces to one ASCII space and strip both ends (tabs are kept).

    >>> collapse_spaces("  ZDNet   存储频道 ")
    'ZDNet 存储频道'
    """
    return _SPACE_RUN.sub(" ", text).strip(SPACE_CHARS)


#: The steps of :func:`canonicalize`, in order.  Spaces are removed twice:
#: widening punctuation creates new full-width neighbours (``数据 , 中``).
CANONICAL_STEPS: tuple[Callable[[str], str], ...] = (
    to_simplified,
    remove_spaces_next_to_wide,
    widen_brackets_next_to_wide,
    widen_punctuation_next_to_wide,
    curl_quotes_next_to_wide,
    remove_spaces_next_to_wide,
    collapse_spaces,
)


#: Passes of :data:`CANONICAL_STEPS` after which :func:`canonicalize` stops;
#: real text settles in two (one that changes, one that confirms).
MAX_PASSES = 5


def canonicalize(text: str) -> str:
    """Return the canonical form of one title, paragraph or source (see the module docstring).

    The steps are repeated until nothing changes, because widening one mark
    can put another next to a full-width neighbour (``(a):中``); so it is
    idempotent: ``canonicalize(canonicalize(x)) == canonicalize(x)``.

    >>> canonicalize("印度电子政府发展：以民众为中心 公开透明")
    '印度电子政府发展：以民众为中心公开透明'
    >>> canonicalize("（2014 年 07 月 24 日 12:49:27 来源：人民邮电报）")
    '（2014年07月24日12:49:27来源：人民邮电报）'
    """
    for _ in range(MAX_PASSES):
        before = text
        for step in CANONICAL_STEPS:
            text = step(text)
        if text == before:
            return text
    return text
