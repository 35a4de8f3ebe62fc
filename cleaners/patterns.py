"""Character classes, compiled regexes and lookup tables shared by the cleaners.

Everything here is built once, at import time, so that a cleaner called for
every paragraph of a document never recompiles a pattern or rebuilds a table.
Names ending in ``_CLASS`` are bodies of a regex character class (ranges
included), to be wrapped in ``[...]``; names ending in ``_CHARS`` are plain
strings or sets of characters, for ``in`` tests.
"""

from __future__ import annotations

import re
from typing import Final

# --- character classes -------------------------------------------------------

#: Han ideographs: CJK Unified Ideographs, Extension A, the compatibility block
#: and the supplementary planes (Extensions B-G), plus 〇 (U+3007), the
#: ideographic zero of dates such as 二〇一四年.
HAN_CLASS: Final = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

#: Punctuation that only exists full-width and so only appears in Chinese text:
#: seeing one of these next to an ASCII mark is evidence of Chinese context.
#: The dash (—), ellipsis (…) and middle dot (·) are deliberately absent: they
#: are shared with Western typesetting (``李文彬编著. — 北京`` in CIP data).
FULLWIDTH_PUNCTUATION_CHARS: Final = "，。、；：！？（）《》〈〉「」『』【】〔〕〖〗"

#: Curly quotes are full-width in a Chinese font but ordinary in English text,
#: so they count as Chinese only when a Han character sits beside them.
CURLY_QUOTE_CHARS: Final = "“”‘’"

#: Quotes are transparent when looking for the neighbour of a punctuation mark:
#: in ``“数字化”,`` the comma belongs to the Chinese word inside the quotes.
QUOTE_CHARS: Final = '"' + CURLY_QUOTE_CHARS

#: Horizontal spaces, tab excluded: a tab separates table cells (and a contents
#: title from its page number) and is never a typesetting accident.
HORIZONTAL_SPACE_CHARS: Final = frozenset(
    " \u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
HORIZONTAL_SPACE_CLASS: Final = "".join(sorted(HORIZONTAL_SPACE_CHARS))

#: Characters of a Latin word or a number that bind to an adjacent Chinese
#: character without a space (``4G基站``, ``90%以上``).
ALNUM_LIKE_CLASS: Final = "A-Za-z0-9%‰℃"

HAN_RE: Final = re.compile(f"[{HAN_CLASS}]")

#: A Han character or full-width punctuation: what "next to Chinese" means.
CHINESE_CONTEXT_RE: Final = re.compile(f"[{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}]")

# --- fold_fullwidth_alphanumerics ----------------------------------------------

#: Ａ-Ｚ ａ-ｚ ０-９ to ASCII (the full-width forms sit at a fixed offset of
#: U+FEE0), and the ideographic space U+3000 to a plain space.
FULLWIDTH_ALNUM_TABLE: Final[dict[int, int]] = {
    **{cp: cp - 0xFEE0 for cp in range(ord("０"), ord("９") + 1)},
    **{cp: cp - 0xFEE0 for cp in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{cp: cp - 0xFEE0 for cp in range(ord("ａ"), ord("ｚ") + 1)},
    0x3000: 0x20,
}

#: A full-width full stop inside a number or a domain once its neighbours are
#: ASCII (``９２．７`` -> ``92.7``, ``2016．4．22``); a ``．`` after Chinese is a
#: sentence end and is left to other cleaners.
FULLWIDTH_DOT_BETWEEN_ALNUM_RE: Final = re.compile(r"(?<=[A-Za-z0-9])．(?=[A-Za-z0-9])")

# --- unify_cjk_compatibility -------------------------------------------------------

#: Kangxi radicals (U+2F00-U+2FDF), CJK compatibility ideographs (U+F900-U+FAFF,
#: U+2F800-U+2FA1F) and the two radicals of the supplement that carry a compatibility
#: decomposition (⺟ ⻳): Unicode's NFKC maps each to its unified ideograph.
NFKC_IDEOGRAPH_RE: Final = re.compile("[\u2e9f\u2ef3\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")

#: CJK Radicals Supplement (U+2E80-U+2EFF) forms that NFKC leaves alone but that a
#: font's Unicode map gives for a whole character (``⻓`` for 长): the radical's
#: equivalent unified ideograph, from the Unicode data file
#: EquivalentUnifiedIdeograph.txt, for the forms that stand for a character of the
#: simplified script.  Left out on purpose: forms that are only ever a component
#: (⺅ 亻, ⻈ 讠, ⻐ 钅, ⻠ 饣, ⻏ 阝, ⺮ ...), which no text spells alone, and the
#: Japanese simplified forms (⻫ ⻭ ⻯ ⻲), whose unified ideographs are not the
#: characters a Chinese text means.
RADICAL_SUPPLEMENT_TABLE: Final[dict[int, str]] = {
    ord(radical): ideograph
    for radical, ideograph in zip(
        "⺩⻁⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰",
        "王虎西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙",
        strict=True,
    )
}

# --- normalize_whitespace --------------------------------------------------------

LINE_BREAK_RE: Final = re.compile(r"\r\n?")
#: Zero-width space and byte-order mark: invisible, and they split words and
#: numbers for every later rule.  Joiners (U+200C, U+200D) are left alone.
ZERO_WIDTH_RE: Final = re.compile("[\u200b\u2060\ufeff]")
#: Every horizontal space except the plain one.
UNUSUAL_SPACE_RE: Final = re.compile("[" + "".join(sorted(HORIZONTAL_SPACE_CHARS - {" "})) + "]")
SPACE_RUN_RE: Final = re.compile(" {2,}")
#: Spaces at the start or end of a line or of a tab-separated cell.
SPACES_AT_EDGE_RE: Final = re.compile(r"^ +| +$| +(?=\t)|(?<=\t) +", re.MULTILINE)

# --- repair_url_colons -----------------------------------------------------------

#: A URL scheme whose ``://`` was typeset full-width or spaced:
#: ``http：//``, ``http: //``, ``https：／／``.
URL_SCHEME_SEPARATOR_RE: Final = re.compile(
    r"(?<![A-Za-z])(https?|ftps?)(?: ?[:：﹕] ?)(?:[/／]{2})", re.IGNORECASE
)
#: The host of a URL, where a ``．`` can only be a mistyped dot.
URL_HOST_RE: Final = re.compile(
    r"(?<![A-Za-z0-9.．])(?:(?:https?|ftps?)://|www[.．])[A-Za-z0-9-]+(?:[.．][A-Za-z0-9-]+)*",
    re.IGNORECASE,
)

# --- spans that punctuation cleaners never touch ---------------------------------

#: A URL, up to the first space, Chinese character or Chinese punctuation.
URL_RE: Final = re.compile(
    r"(?:(?:https?|ftps?)://|www\.)"
    rf"[^\s<>\"'{QUOTE_CHARS}{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}]*",
    re.IGNORECASE,
)
#: Sentence punctuation after a URL belongs to the sentence: ``见 http://a.cn).``
URL_TRAILING_PUNCTUATION_RE: Final = re.compile(r"[.,;:!?)\]]+$")
EMAIL_RE: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# --- widen_punctuation_next_to_chinese -------------------------------------------

#: ASCII punctuation with a full-width counterpart that Chinese typesetting
#: uses.  ``.`` is absent on purpose: in a text layer it is far more often a
#: decimal point, an abbreviation or a list number (``1. 标题``) than a 。.
WIDE_PUNCTUATION: Final[dict[str, str]] = {
    ",": "，",
    ";": "；",
    ":": "：",
    "!": "！",
    "?": "？",
    "(": "（",
    ")": "）",
}
#: A run of sentence marks decided together, so ``?!`` never ends up ``？!``.
NARROW_SENTENCE_PUNCTUATION_RUN_RE: Final = re.compile(r"[,;:!?]+")
#: Brackets, both widths (a pair may be half widened: ``（重庆日报)``), and the
#: line and cell breaks that no pair spans.
BRACKET_OR_BREAK_RE: Final = re.compile(r"[()（）\t\n]")

# --- curl_quotes_around_chinese --------------------------------------------------

STRAIGHT_QUOTE_OR_BREAK_RE: Final = re.compile(r'["\t\n]')

# --- remove_spaces_in_chinese ----------------------------------------------------

_SPACES = f"[{HORIZONTAL_SPACE_CLASS}]+"
_CHINESE = f"{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}"
#: Spaces with Chinese (a Han character or full-width punctuation) on one side
#: and Chinese, a Latin word or a number on the other; curly quotes join in
#: only when the other side is Chinese.
SPACES_NEXT_TO_CHINESE_RE: Final = re.compile(
    rf"(?<=[{_CHINESE}]){_SPACES}(?=[{_CHINESE}{ALNUM_LIKE_CLASS}{CURLY_QUOTE_CHARS}])"
    rf"|(?<=[{ALNUM_LIKE_CLASS}{CURLY_QUOTE_CHARS}]){_SPACES}(?=[{_CHINESE}])"
)
