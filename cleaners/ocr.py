"""Repairs of what Tesseract (chi_sim) does to printed Chinese: its confusions, not its spelling.

Every function is a pure, idempotent ``verb_object(text: str) -> str`` cleaner for OCR
text only.  Each rule was chosen by measurement: page images rendered from the seed
texts (200 and 300 dpi, clean and with simulated scan noise, see
``tests/fixtures/ocr/``) were read by Tesseract 5.3 and its output aligned with what was
drawn.  A rule is here only when the confusion it repairs was seen in that output and
its repair is unambiguous in Chinese text; the recorded output is in the fixtures and
the examples below are lines of it.

What is deliberately *not* here, and why:

* Spaces between Chinese characters, and ``, ; : ! ? ( )`` or straight quotes next to
  Chinese: :mod:`cleaners.normalize` repairs them for every page, text layer or OCR
  (the OCR cleaners run before it; see :mod:`cleaners`).  Tesseract 5's LSTM output
  had no space between two Chinese characters in any recorded page, and
  ``docpipe.extract.ocr.join_words`` puts none there.
* ``.`` after a Chinese character at a sentence end -> ``。``: chi_sim reads ``。``
  reliably; of the ``.`` it put after a Chinese character at a line end, none was a
  ``。`` (four were specks, two a ``，``).
* A lone ``l`` or ``I`` between two Chinese characters -> ``1``: never seen.  ``I`` is
  also a Roman numeral (``I. ①中…`` in CIP data, which chi_sim reads ``I.中中…``), so
  only a lowercase or capital L in a list number is repaired
  (:func:`restore_list_number_ones`).
* ``：`` ``、`` ``，`` confused with one another, ``:`` for ``·``, wrong characters
  (``人类`` -> ``人美``): no rule can tell which was printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final, Protocol

from cleaners.patterns import FULLWIDTH_PUNCTUATION_CHARS, HAN_CLASS
from cleaners.records import Line

__all__ = [
    "OCR_CLEANERS",
    "pair_double_quotes",
    "remove_stray_bars",
    "repair_misread_opening_brackets",
    "replace_empty_quotes_with_space",
    "restore_dashes_between_digits",
    "restore_list_number_ones",
    "restore_middle_dots",
]

# Chinese text never uses a vertical bar; at the edge of a line it is the page border,
# a table rule or a speck that Tesseract read as "|".
_STRAY_BAR_AT_LINE_START: Final = re.compile(
    rf"^(?:\| *)+(?=[{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}])", re.M
)
_STRAY_BAR_AT_LINE_END: Final = re.compile(
    rf"(?<=[{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}”])(?: *\|)+$", re.M
)
# A list number made of ones read as letters, at the start of a line: "ll." for "11.".
_LIST_NUMBER_OF_ONES: Final = re.compile(
    rf"^(?=[1lL]{{0,2}}[lL])[1lL]{{1,3}}(?=[.、．] ?[{HAN_CLASS}])", re.M
)
# 一 (yi) between two digits is a dash (2013—2015) that chi_sim read as the character.
_YI_BETWEEN_DIGITS: Final = re.compile(r"(?<=[0-9])一(?=[0-9])")
# "." between two Chinese characters; 一 after it is excluded because chi_sim also
# reads an em dash as 一 ("编著.一北京" is CIP data's "编著. — 北京").
_DOT_BETWEEN_HAN: Final = re.compile(rf"(?<=[{HAN_CLASS}])\.(?=[{HAN_CLASS}])(?!一)")
_EMPTY_CURLY_QUOTES: Final = re.compile("“ *”")
_DOUBLE_QUOTE: Final = re.compile('[“”"]')
_HAN_CHAR: Final = re.compile(f"[{HAN_CLASS}]")
# An opening angle bracket whose first closing bracket on the line is a parenthesis.
_ANGLE_OPENING_CLOSED_BY_PARENTHESIS: Final = re.compile(r"[〈《](?=[^《》〈〉()（）\t\n]*[)）])")


def remove_stray_bars(text: str) -> str:
    """Remove ``|`` at the start or end of a line that begins or ends with Chinese.

    Why: chi_sim reads a page border, a table rule or a speck at the edge of a text
    line as ``|``; Chinese text has no use for the character.  Left alone: bars
    inside a line (a table read row by row keeps its inner rules), and bars next to
    Latin or digits at a line edge.

    Recorded output (book-chapter1, digest and book-cip pages, 300 dpi, noisy):

    >>> remove_stray_bars("的大数据发展政策文件。具体见表1-1。|")
    '的大数据发展政策文件。具体见表1-1。'
    >>> remove_stray_bars("泛讨论。|")
    '泛讨论。'
    >>> remove_stray_bars("(一)政策目标| SO")
    '(一)政策目标| SO'
    >>> remove_stray_bars("购书热线: 010-68077122 |")
    '购书热线: 010-68077122 |'
    """
    return _STRAY_BAR_AT_LINE_END.sub("", _STRAY_BAR_AT_LINE_START.sub("", text))


def restore_list_number_ones(text: str) -> str:
    """Read ``l`` and ``L`` in a list number at the start of a line as ``1``: ``ll.`` -> ``11.``.

    Why: in a numbered heading (``11. 十三五时期…``) chi_sim often reads the ones as
    letters.  Only a run of at most three ``1 l L`` with at least one letter, at the
    start of a line and followed by ``.`` or ``、`` and a Chinese character, is
    changed.  Left alone: ``I`` (a Roman numeral in CIP data: ``I.中中…``), Latin
    words (``Dell.``), and anything not at a line start.

    Recorded output (digest-yangzhou page, 200 and 300 dpi; book-cip page, 200 dpi):

    >>> restore_list_number_ones("LL.十三五时期政府网站发展评估ATM模型")
    '11.十三五时期政府网站发展评估ATM模型'
    >>> restore_list_number_ones("Ll.十三五时期政府网站发展评估AT模型")
    '11.十三五时期政府网站发展评估AT模型'
    >>> restore_list_number_ones("I.中中… II中李… TIT.人数据处理-应用-地方政府-行政管理-")
    'I.中中… II中李… TIT.人数据处理-应用-地方政府-行政管理-'
    """
    return _LIST_NUMBER_OF_ONES.sub(lambda match: "1" * len(match.group()), text)


def restore_dashes_between_digits(text: str) -> str:
    """Turn ``一`` between two digits back into the dash it was: ``2013一2015`` -> ``2013—2015``.

    Why: chi_sim reads the em dash of a range of years as the character 一 (yi),
    which never stands between two Arabic digits in Chinese text.  Left alone:
    一 next to a digit on one side only (``统一3个标准``, and the ``一3一`` of a
    page number, which furniture detection reads as it is), and every other dash.

    Recorded output (book-chapter1 and digest-yangzhou pages, 200 dpi, clean):

    >>> restore_dashes_between_digits(
    ...     "(2013一2015年)》。为此，对我国省、市政府出台的促进大数据发展政策进行分"
    ... )
    '(2013—2015年)》。为此，对我国省、市政府出台的促进大数据发展政策进行分'
    >>> restore_dashes_between_digits("一3一")
    '一3一'
    """
    return _YI_BETWEEN_DIGITS.sub("—", text)


def restore_middle_dots(text: str) -> str:
    """Turn ``.`` between two Chinese characters into the middle dot ``·``.

    Why: Chinese separates the parts of a name or a place with ``·`` (``中国·扬州``,
    ``拉姆·沙兰·马哈德``), which chi_sim reads as ``.``; a full stop between two
    Chinese characters would have been a ``。``, which chi_sim reads correctly.
    Measured, 11 of 13 such dots were a ``·`` (the other two a ``，``).  Left alone:
    ``.`` next to a digit or a Latin letter (``3.5``, ``2013.08.05``,
    ``www.xinhupub.com``), and ``.`` before ``一``, which chi_sim also makes of an em
    dash (``编著.一北京`` for ``编著. — 北京``).

    Recorded output (digest-yangzhou and book-cip pages, 200 dpi, clean):

    >>> restore_middle_dots("7月18日，中国电信江苏公司与扬州市人民政府就合作共建“中国.扬州云计算")
    '7月18日，中国电信江苏公司与扬州市人民政府就合作共建“中国·扬州云计算'
    >>> restore_middle_dots("中国地方政府大数据运用/李文彬编著.一北京:新华出版社，2019. 3")
    '中国地方政府大数据运用/李文彬编著.一北京:新华出版社，2019. 3'
    """
    return _DOT_BETWEEN_HAN.sub("·", text)


def repair_misread_opening_brackets(text: str) -> str:
    """Turn ``〈`` or ``《`` that a ``)`` closes into ``（``: ``〈纲要)`` -> ``（纲要)``.

    Why: chi_sim often reads the opening full-width parenthesis as an angle bracket
    while reading its partner right; :func:`cleaners.normalize.widen_punctuation_next_to_chinese`
    then widens the ``)``.  Changed only when the first bracket after it on the same
    line is a ``)`` or ``）``.  Left alone: titles in 《》 (their ``》`` comes first),
    even those that contain parentheses (``《…（2013—2015年）》``), and an unclosed
    ``《`` or ``〈``.

    Recorded output (book-chapter1 page, 200 and 300 dpi, clean):

    >>> repair_misread_opening_brackets("通过对省级行政单位〈含直辖市和自治区)出台的大数据发展政策文件中")
    '通过对省级行政单位（含直辖市和自治区)出台的大数据发展政策文件中'
    >>> repair_misread_opening_brackets("作方案》，上海市《2013年)出台《上海推进大数据研究与发展三年行动计划")
    '作方案》，上海市（2013年)出台《上海推进大数据研究与发展三年行动计划'
    >>> repair_misread_opening_brackets("2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对中国大数据")
    '2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对中国大数据'
    """
    return _ANGLE_OPENING_CLOSED_BY_PARENTHESIS.sub("（", text)


def replace_empty_quotes_with_space(text: str) -> str:
    """Turn an empty pair of curly quotes ``“”`` into the space it was read from.

    Why: chi_sim reads the ideographic space of a heading (``第一章　地方政府…``) as
    ``“”``; an empty quotation has no meaning in text.  The space is then judged by
    :func:`cleaners.normalize.remove_spaces_in_chinese` like any other.  Left alone:
    quotes with anything between them, a lone ``“`` (also seen for that space, but a
    lone quote can be the start of a quotation that continues on the next line).

    Recorded output (book-chapter1 page, 200 dpi, clean):

    >>> replace_empty_quotes_with_space("第一章“”地方政府大数据发展政策概况")
    '第一章 地方政府大数据发展政策概况'
    >>> replace_empty_quotes_with_space("“ATM模型”。该套指标从“应用功能” (Application)、“关键技术”")
    '“ATM模型”。该套指标从“应用功能” (Application)、“关键技术”'
    """
    # A pair can nest in another ("““””"); each round shortens the text, so this ends.
    while (replaced := _EMPTY_CURLY_QUOTES.sub(" ", text)) != text:
        text = replaced
    return text


def pair_double_quotes(text: str) -> str:
    """Set the double quotes of a line alternately opening ``“`` and closing ``”``.

    Why: Chinese quotations are paired, and a quotation inside one takes single quotes,
    so the double quotes of a line alternate, opening and closing.  chi_sim reads the
    closing ``”`` as a straight ``"`` (``“落户"``) and now and then turns a quote the
    wrong way round (``等“。``), which leaves a quotation that never closes.  So when a
    line with Chinese holds an even number of double quotes, straight or curly, they
    are set to alternate.  Left alone: a line with an odd number (a quotation that runs
    on from the previous line or into the next, or a quote that is a misread speck),
    and lines without Chinese (:func:`cleaners.normalize.curl_quotes_around_chinese`
    decides about Latin quotations).  Runs on each line, and the pipeline gives it a
    paragraph as one line, so a quotation wrapped across lines is paired too.

    Recorded output (digest-2014-05-09-scan pages, 200 dpi):

    >>> pair_double_quotes('近日，济南市局食品流通许可业务系统成功“落户"济南政务')
    '近日，济南市局食品流通许可业务系统成功“落户”济南政务'
    >>> pair_double_quotes('立完整的"公共信用信息数据库"。该平台是目前国内覆盖信息提')
    '立完整的“公共信用信息数据库”。该平台是目前国内覆盖信息提'
    >>> pair_double_quotes('甚至侵犯公民隐私等"。因此该份报告总结出了6项可操作的政')
    '甚至侵犯公民隐私等"。因此该份报告总结出了6项可操作的政'
    """
    return "\n".join(_pair_quotes_of_line(line) for line in text.split("\n"))


def _pair_quotes_of_line(line: str) -> str:
    quotes = [match.start() for match in _DOUBLE_QUOTE.finditer(line)]
    if not quotes or len(quotes) % 2 or not _HAN_CHAR.search(line):
        return line
    characters = list(line)
    for order, position in enumerate(quotes):
        characters[position] = "“" if order % 2 == 0 else "”"
    return "".join(characters)


#: The OCR cleaners by name, in the order to apply them.  Bars go first so that the
#: list-number rule sees the true start of a line.
OCR_CLEANERS: Final[dict[str, Callable[[str], str]]] = {
    "remove_stray_bars": remove_stray_bars,
    "restore_list_number_ones": restore_list_number_ones,
    "restore_dashes_between_digits": restore_dashes_between_digits,
    "restore_middle_dots": restore_middle_dots,
    "repair_misread_opening_brackets": repair_misread_opening_brackets,
    "replace_empty_quotes_with_space": replace_empty_quotes_with_space,
    # After the empty pairs are gone: they were a space, not a quotation.
    "pair_double_quotes": pair_double_quotes,
}


# --- lines -> lines ----------------------------------------------------------------------


class SpeckSettings(Protocol):
    """The thresholds speck removal reads; ``docpipe.settings.Settings`` documents and holds them."""

    @property
    def speck_confidence(self) -> float: ...
    @property
    def speck_size_ratio(self) -> float: ...
    @property
    def speck_guess_confidence(self) -> float: ...
    @property
    def speck_number_confidence(self) -> float: ...
    @property
    def speck_max_symbols(self) -> int: ...
    @property
    def furniture_band(self) -> float: ...


_WORD_CHAR = re.compile(f"[0-9A-Za-z{HAN_CLASS}]")
_PAGE_NUMBER_SHAPE = re.compile(r"^[\s\-—–一·.]*(?:\d{1,4}|[ivxlcIVXLC]{1,6})[\s\-—–一·.]*$")


def drop_speck_lines(
    lines: Sequence[Line], *, page_height: float | None = None, settings: SpeckSettings
) -> list[Line]:
    """Drop the lines Tesseract read from specks, gutter shadow and table rules.

    A scan's noise comes back as short Latin junk (``ee``, ``Bese.``, ``+ :``)
    or lone symbols (``<``) with low confidence, or as tiny glyphs far smaller
    than the page's text.  Such lines would move the text column's edge and
    leak junk into articles.  Left alone: any line Tesseract is confident of,
    lines with Chinese of normal size, and anything shaped like a page number
    (``1``, ``vi``, ``一3一``) in the top or bottom ``settings.furniture_band`` of the page
    (anywhere when the page height is not given), which furniture detection
    needs however unsure Tesseract was of it.  :func:`split_speck_lines` also
    says why each dropped line went.

    >>> text = Line("大数据引发了人类思维方式", 5, 92, 219, 417, 229, 9.7, confidence=93.0)
    >>> speck = Line("Bese.", 5, 13, 16, 28, 21, 4.8, confidence=21.0)
    >>> gutter = Line("1", 5, 13, 475, 20, 484, 9.7, confidence=34.0)
    >>> number = Line("iii", 5, 410, 629, 415, 634, 5.4, confidence=40.0)
    >>> kept = drop_speck_lines([speck, text, gutter, number], page_height=680, settings=settings)
    >>> [line.text for line in kept]
    ['大数据引发了人类思维方式', 'iii']
    """
    return split_speck_lines(lines, page_height=page_height, settings=settings)[0]


def split_speck_lines(
    lines: Sequence[Line], *, page_height: float | None = None, settings: SpeckSettings
) -> tuple[list[Line], list[str]]:
    """The lines :func:`drop_speck_lines` keeps, and the dropped ones as ``"reason: text"``.

    The reasons are recorded on the page (``pages.dropped``) so that an operator
    can see every line cleaning removed, and why; lines of blanks are dropped
    without a record.

    >>> text = Line("大数据引发了人类思维方式", 5, 92, 219, 417, 229, 9.7, confidence=93.0)
    >>> speck = Line("Bese.", 5, 13, 16, 28, 21, 4.8, confidence=21.0)
    >>> small = Line("的大", 5, 92, 240, 98, 244, 4.0, confidence=45.0)
    >>> kept, dropped = split_speck_lines([speck, text, small], page_height=680, settings=settings)
    >>> [line.text for line in kept], dropped
    (['大数据引发了人类思维方式'], ['noise: Bese.', 'small glyphs: 的大'])
    """
    chinese_sizes = sorted(line.size for line in lines if _HAN_CHAR.search(line.text))
    body_size = chinese_sizes[len(chinese_sizes) // 2] if chinese_sizes else 0.0
    kept: list[Line] = []
    dropped: list[str] = []
    for line in lines:
        reason = speck_reason(line, body_size, page_height, settings)
        if reason is None:
            kept.append(line)
        elif text := line.text.strip():  # a line of blanks loses nothing worth recording
            dropped.append(f"{reason}: {text}")
    return kept, dropped


def speck_reason(
    line: Line, body_size: float, page_height: float | None, settings: SpeckSettings
) -> str | None:
    """Why ``line`` is a speck (a short phrase), or None when it is text to keep."""
    text = line.text.strip()
    if _PAGE_NUMBER_SHAPE.match(text) and _in_margin_band(line, page_height, settings.furniture_band):
        # Tesseract gives a page number it misread some confidence (9 for a 2 read as 5);
        # it gives none at all to the digits it sees in gutter shadow.
        unsure = line.confidence is not None and line.confidence < settings.speck_number_confidence
        return "gutter shadow" if unsure else None
    if not _WORD_CHAR.search(text) and len(text) <= settings.speck_max_symbols:
        return "lone mark"  # no letter, digit or ideograph
    if line.confidence is None or line.confidence >= settings.speck_confidence:
        return None
    if line.confidence < settings.speck_guess_confidence:
        return "noise"  # Tesseract barely believes in it: shadow and noise, even when read as Chinese
    if not _HAN_CHAR.search(text):
        return "speck"
    return "small glyphs" if body_size > 0 and line.size < settings.speck_size_ratio * body_size else None


def _in_margin_band(line: Line, page_height: float | None, band: float) -> bool:
    if page_height is None:
        return True
    centre = (line.top + line.bottom) / 2
    return centre <= band * page_height or centre >= (1 - band) * page_height
