"""Text normalization: bring one paragraph of extracted text to Chinese typesetting.

Every function here is a pure ``verb_object(text: str, *, option=default) -> str``
cleaner, idempotent (``f(f(x)) == f(x)``), that repairs one kind of damage a
PDF text layer or an OCR engine does to Chinese text: full-width Latin letters,
half-width punctuation next to Chinese, straight quotes, spaces between Chinese
characters, traditional characters.  The rules are those of Chinese typesetting
(full-width punctuation carries its own spacing; Chinese, digits and Latin words
are set without spaces between them), not English ones.  They leave numbers
(``3.5``, ``23,588``, ``12:49:27``), URLs, e-mail addresses and runs of Latin
text (``Hello, world``, ``IBM Watson``) exactly as they are.

:mod:`cleaners` composes them, in the order that makes each step see what it
needs, into :func:`cleaners.clean_text`.
"""

from __future__ import annotations

import functools
import unicodedata

import opencc

from cleaners import patterns as p

__all__ = [
    "convert_traditional_to_simplified",
    "curl_quotes_around_chinese",
    "fold_fullwidth_alphanumerics",
    "normalize_whitespace",
    "remove_spaces_in_chinese",
    "repair_url_colons",
    "unify_cjk_compatibility",
    "widen_punctuation_next_to_chinese",
]

#: OpenCC configuration used by :func:`convert_traditional_to_simplified`.
DEFAULT_OPENCC_CONFIG = "t2s"

#: OpenCC's longest chain of conversions is two (薴 -> 苧 -> 苎).
_MAX_CONVERSION_ROUNDS = 4


def fold_fullwidth_alphanumerics(text: str) -> str:
    """Fold full-width Latin letters and digits, and the ideographic space, to ASCII.

    Chinese typesetting sets Latin words and numbers half-width; the full-width
    forms ``Ａ-Ｚ ａ-ｚ ０-９`` come from input methods and some text layers and
    hide numbers and words from every later rule.  A ``．`` between two folded
    characters is a decimal point or a domain dot and becomes ``.``.  The
    ideographic space U+3000 becomes a plain space, for the spacing rules to
    judge (in :func:`cleaners.clean_text`, :func:`normalize_whitespace` has
    already done so).  Full-width punctuation (，（） and ``．`` after Chinese)
    is left alone.

    >>> fold_fullwidth_alphanumerics("河北秦皇岛　４Ｇ　基站加快智慧城市布局")
    '河北秦皇岛 4G 基站加快智慧城市布局'
    >>> fold_fullwidth_alphanumerics("其中最高的温州市水利局９２．７分")
    '其中最高的温州市水利局92.7分'
    >>> fold_fullwidth_alphanumerics("（人民政协报）")
    '（人民政协报）'
    """
    folded = text.translate(p.FULLWIDTH_ALNUM_TABLE)
    return p.FULLWIDTH_DOT_BETWEEN_ALNUM_RE.sub(".", folded)


def unify_cjk_compatibility(text: str) -> str:
    """Replace Kangxi radicals and CJK compatibility ideographs with the unified ideographs they stand for.

    A font's Unicode map often names the glyph of a common character after the
    Kangxi radical of the same shape (``项⽬`` with U+2F6C for 目, ``南⽠书`` with
    U+2F20 for 瓜) or after a compatibility ideograph (U+F9B2 for 零): the text
    looks right and matches nothing, and no rule takes it for Chinese.  NFKC is
    applied to those code points only (Kangxi radicals U+2F00-U+2FDF,
    compatibility ideographs U+F900-U+FAFF and U+2F800-U+2FA1F), never to the
    whole text, where it would also fold full-width punctuation (，to ``,``),
    ``①`` and ``™``.  Of the CJK Radicals Supplement, NFKC maps only ⺟ and ⻳;
    the forms that stand for a whole simplified character (⻓ 长, ⻔ 门, ⻢ 马 ...)
    are mapped by a table in :mod:`cleaners.patterns`.

    Left alone: component-only radical forms (⺅ 亻, ⻈ 讠), the Japanese
    simplified forms (⻫ ⻭ ⻯ ⻲), the twelve ideographs of the compatibility block
    that are unified ideographs themselves (U+FA0E 﨎, U+FA0F 﨏, U+FA11 﨑 ...,
    which NFKC keeps), and every other character.

    >>> unify_cjk_compatibility("项⽬背景介绍")
    '项目背景介绍'
    >>> unify_cjk_compatibility("南⽠书")
    '南瓜书'
    >>> unify_cjk_compatibility("⻓江⼤桥，全⻓1.6公⾥")
    '长江大桥，全长1.6公里'
    >>> unify_cjk_compatibility("﨑，①™")
    '﨑，①™'
    """
    text = p.NFKC_IDEOGRAPH_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.translate(p.RADICAL_SUPPLEMENT_TABLE)


def normalize_whitespace(text: str) -> str:
    """Make every space a plain single space and strip spaces at line and cell edges.

    Text layers mix no-break, thin and ideographic spaces, double spaces and
    trailing spaces (``北京:␠␠`` in the CIP block of the book); later rules then
    only have to look for one kind of space.  ``\\r\\n`` becomes ``\\n`` and
    zero-width spaces go.  Tabs (table cells, contents page numbers) and
    newlines (paragraph separators) are kept, empty lines included; spaces
    *between* words are kept, whatever the script: deciding which of them go is
    :func:`remove_spaces_in_chinese`'s job.

    >>> normalize_whitespace("中国地方政府大数据运用 / 李文彬编著. — 北京:  ")
    '中国地方政府大数据运用 / 李文彬编著. — 北京:'
    >>> normalize_whitespace("印\\u00a0张: 11  字 数: 180 千字")
    '印 张: 11 字 数: 180 千字'
    >>> normalize_whitespace("1\\t重庆市\\t重庆市大数据行动计划\\t2013.08.05")
    '1\\t重庆市\\t重庆市大数据行动计划\\t2013.08.05'
    """
    text = p.LINE_BREAK_RE.sub("\n", text)
    text = p.ZERO_WIDTH_RE.sub("", text)
    text = p.UNUSUAL_SPACE_RE.sub(" ", text)
    text = p.SPACE_RUN_RE.sub(" ", text)
    return p.SPACES_AT_EDGE_RE.sub("", text)


def repair_url_colons(text: str) -> str:
    """Repair URL schemes and hosts typed with full-width ``：`` ``／`` ``．``.

    A Chinese input method types ``http：//www．xinhuapub．com``; no browser
    opens it, and the punctuation rules would take it for Chinese.  Only the
    ``://`` after a scheme (http, https, ftp, ftps; spaced forms too) and the
    dots of a host name are repaired; the rest of the URL, and any ``：``
    elsewhere, is left alone.

    >>> repair_url_colons("网 址: <http：//www．xinhupub．com>")
    '网 址: <http://www.xinhupub.com>'
    >>> repair_url_colons("网址：www．xinhupub．com。")
    '网址：www.xinhupub.com。'
    >>> repair_url_colons("来源：人民邮电报")
    '来源：人民邮电报'
    """
    text = p.URL_SCHEME_SEPARATOR_RE.sub(r"\1://", text)
    return p.URL_HOST_RE.sub(lambda m: m.group(0).replace("．", "."), text)


def widen_punctuation_next_to_chinese(text: str) -> str:
    """Widen ASCII ``, ; : ! ? ( )`` next to Chinese to ``，；：！？（）``.

    Text layers of Chinese documents mix half-width and full-width punctuation
    (``专家表示,去年,我国``); the canonical text is full-width next to Chinese.
    A mark is next to Chinese when the nearest character on either side, looking
    past spaces and quotes, is a Han character or full-width punctuation.
    Brackets are decided as a pair: widened when their content holds a Han
    character, when either outside neighbour is Chinese, or when the other
    bracket already is full-width (``（重庆日报)``); an unpaired bracket by its
    neighbours.  Spaces around a widened mark go, since full-width punctuation
    carries its own spacing.

    Left alone: numbers (``23,588``, ``12:49:27``, ``1:2``: digits on both
    sides are not Chinese), URLs and e-mail addresses, punctuation between
    Latin words (``Hello, world``), and ``.``, which in a text layer is more
    often a decimal point or a list number (``1. 标题``) than a 。.

    >>> widen_punctuation_next_to_chinese("专家表示,去年,我国开始在立法层面展开")
    '专家表示，去年，我国开始在立法层面展开'
    >>> widen_punctuation_next_to_chinese("(重庆日报)")
    '（重庆日报）'
    >>> widen_punctuation_next_to_chinese("《大连市城市智慧化建设总体规划(2014-2020)》")
    '《大连市城市智慧化建设总体规划（2014-2020）》'
    >>> widen_punctuation_next_to_chinese("图书如有印装问题, 请与印刷厂联系调换 电话: 010 - 52860926")
    '图书如有印装问题，请与印刷厂联系调换 电话：010 - 52860926'
    >>> widen_punctuation_next_to_chinese("制作并发放罪犯卡片23,588张")
    '制作并发放罪犯卡片23,588张'
    >>> widen_punctuation_next_to_chinese("网 址: http://www.xinhupub.com")
    '网 址：http://www.xinhupub.com'
    """
    # Decisions propagate (in ``中(a)(b)`` the second pair is next to Chinese once
    # the first is widened), so repeat until nothing changes.  Every round widens
    # at least one mark or stops, so this ends.
    while (widened := _widen_once(text)) != text:
        text = widened
    return text


def curl_quotes_around_chinese(text: str) -> str:
    """Turn straight double quotes around or next to Chinese into ``“`` ``”``.

    Chinese quotes with ``“…”``; a straight ``"`` in Chinese text is an
    input-method or extraction accident.  Quotes are paired left to right within
    a line (or a tab-separated cell): the first of a pair opens, the second
    closes.  A pair is curled when its content holds a Han character or a
    neighbour outside it is Chinese.  Left alone: pairs in Latin text
    (``He said "hi"``), a quote left over without a partner, and single quotes
    (``'`` is usually an apostrophe).

    >>> curl_quotes_around_chinese('2008 年，《自然》杂志刊登了名为"Big Data"的专刊')
    '2008 年，《自然》杂志刊登了名为“Big Data”的专刊'
    >>> curl_quotes_around_chinese('浙江以"三张清单一张网"撬起政务改革')
    '浙江以“三张清单一张网”撬起政务改革'
    >>> curl_quotes_around_chinese('John Podesta said "big data"')
    'John Podesta said "big data"'
    """
    return _curl_once(text)


def remove_spaces_in_chinese(text: str) -> str:
    """Remove spaces between Chinese characters, and between Chinese and Latin or digits.

    Chinese is set without word spaces, and digits and Latin words sit right
    against Chinese characters; text layers insert spaces there anyway
    (``1996 年``, ``政务 APP``, ``目 录``).  Spaces next to full-width
    punctuation go too; next to curly quotes only on the Chinese side.
    Kept: spaces between Latin words (``John Podesta``), between numbers and
    symbols (``710 × 1000mm 1/16``, ``010 - 63077122``), after a list number
    (``1. 标题``) or a Markdown ``#``, tabs (table cells) and newlines.

    >>> remove_spaces_in_chinese("1996 年，美国计算机专家尼葛洛庞帝")
    '1996年，美国计算机专家尼葛洛庞帝'
    >>> remove_spaces_in_chinese("“悦 me”开放体系")
    '“悦me”开放体系'
    >>> remove_spaces_in_chinese("作为该项目的牵头人、总统顾问 John Podesta 在白宫官方博客上")
    '作为该项目的牵头人、总统顾问John Podesta在白宫官方博客上'
    >>> remove_spaces_in_chinese("开 本: 710 × 1000mm 1/16")
    '开本: 710 × 1000mm 1/16'
    """
    return p.SPACES_NEXT_TO_CHINESE_RE.sub("", text)


def convert_traditional_to_simplified(text: str, *, config: str = DEFAULT_OPENCC_CONFIG) -> str:
    """Convert traditional Chinese characters to simplified with OpenCC.

    Documents quote Hong Kong and Taiwan sources, and OCR of older scans mixes
    in traditional forms; the canonical text is simplified.  OpenCC converts
    phrase by phrase, so ``乾隆`` stays while a lone ``乾`` becomes ``干``: run it
    after spaces inside Chinese are gone.  ``config`` names an OpenCC
    configuration (``t2s``, ``tw2s``, ``hk2s``; with or without ``.json``); one
    converter is built per configuration and reused.  Simplified text,
    punctuation, Latin and digits are left as they are.

    >>> convert_traditional_to_simplified("電子政務雲計算應用技術國家工程實驗室")
    '电子政务云计算应用技术国家工程实验室'
    >>> convert_traditional_to_simplified("乾隆年間")
    '乾隆年间'
    >>> convert_traditional_to_simplified("电子政务信息汇编，七月第四期")
    '电子政务信息汇编，七月第四期'
    """
    converter = _opencc_converter(config)
    # A few conversions chain (薴 -> 苧 -> 苎): repeat until stable, with a bound
    # in case a dictionary ever maps two characters to each other.
    for _ in range(_MAX_CONVERSION_ROUNDS):
        converted = str(converter.convert(text))
        if converted == text:
            break
        text = converted
    return text


# --- helpers -------------------------------------------------------------------


@functools.cache
def _opencc_converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _is_chinese(char: str) -> bool:
    return bool(char) and p.CHINESE_CONTEXT_RE.match(char) is not None


def _left_neighbour(text: str, index: int) -> str:
    """The nearest character left of ``index``, looking past spaces and quotes; '' at the start."""
    i = index - 1
    while i >= 0 and (text[i] in p.HORIZONTAL_SPACE_CHARS or text[i] in p.QUOTE_CHARS):
        i -= 1
    return text[i] if i >= 0 else ""


def _right_neighbour(text: str, index: int) -> str:
    """The nearest character right of ``index``, looking past spaces and quotes; '' at the end."""
    i = index + 1
    while i < len(text) and (text[i] in p.HORIZONTAL_SPACE_CHARS or text[i] in p.QUOTE_CHARS):
        i += 1
    return text[i] if i < len(text) else ""


def _protected_mask(text: str) -> bytearray:
    """1 for every character inside a URL or an e-mail address, 0 elsewhere."""
    mask = bytearray(len(text))
    for match in p.URL_RE.finditer(text):
        trailing = p.URL_TRAILING_PUNCTUATION_RE.search(match.group(0))
        end = match.end() - (len(trailing.group(0)) if trailing else 0)
        mask[match.start() : end] = b"\x01" * (end - match.start())
    for match in p.EMAIL_RE.finditer(text):
        mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return mask


def _brackets_to_widen(text: str, protected: bytearray) -> set[int]:
    widen: set[int] = set()
    open_brackets: list[int] = []
    unpaired: list[int] = []
    for match in p.BRACKET_OR_BREAK_RE.finditer(text):
        i, char = match.start(), match.group(0)
        if char in "\t\n":
            unpaired.extend(open_brackets)
            open_brackets.clear()
        elif protected[i]:
            continue
        elif char in "(（":
            open_brackets.append(i)
        elif open_brackets:
            start = open_brackets.pop()
            if text[start] == "(" or char == ")":
                if (
                    text[start] == "（"
                    or char == "）"
                    or p.HAN_RE.search(text, start + 1, i)
                    or _is_chinese(_left_neighbour(text, start))
                    or _is_chinese(_right_neighbour(text, i))
                ):
                    widen.update(k for k in (start, i) if text[k] in "()")
        else:
            unpaired.append(i)
    unpaired.extend(open_brackets)
    for i in unpaired:
        if text[i] in "()" and (
            _is_chinese(_left_neighbour(text, i)) or _is_chinese(_right_neighbour(text, i))
        ):
            widen.add(i)
    return widen


def _widen_once(text: str) -> str:
    protected = _protected_mask(text)
    widen = _brackets_to_widen(text, protected)
    for match in p.NARROW_SENTENCE_PUNCTUATION_RUN_RE.finditer(text):
        start, end = match.span()
        if any(protected[start:end]):
            continue
        if _is_chinese(_left_neighbour(text, start)) or _is_chinese(_right_neighbour(text, end - 1)):
            widen.update(range(start, end))
    if not widen:
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is already in pieces
    for k in sorted(widen):
        cut = k
        while cut > done and text[cut - 1] in p.HORIZONTAL_SPACE_CHARS:
            cut -= 1
        pieces.append(text[done:cut])
        pieces.append(p.WIDE_PUNCTUATION[text[k]])
        done = k + 1
        while done < len(text) and text[done] in p.HORIZONTAL_SPACE_CHARS:
            done += 1
    pieces.append(text[done:])
    return "".join(pieces)


def _curl_once(text: str) -> str:
    chars = list(text)
    line_quotes: list[int] = []

    def curl_pairs() -> None:
        for opening, closing in zip(line_quotes[0::2], line_quotes[1::2], strict=False):
            if (
                p.HAN_RE.search(text, opening + 1, closing)
                or _is_chinese(_left_neighbour(text, opening))
                or _is_chinese(_right_neighbour(text, closing))
            ):
                chars[opening], chars[closing] = "“", "”"
        line_quotes.clear()

    for match in p.STRAIGHT_QUOTE_OR_BREAK_RE.finditer(text):
        if match.group(0) == '"':
            line_quotes.append(match.start())
        else:
            curl_pairs()
    curl_pairs()
    return "".join(chars)
