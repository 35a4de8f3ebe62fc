"""Whether a page's text reads as text: the one judgement of garbage, for text layers, OCR and the inspector.

Not cleaners: measures of a text (each a share between 0 and 1, or a rate) and
:func:`find_doubts`, which compares them with a :class:`PlausibilityLimits` and
names the checks the text fails.  Three callers ask the same question with
their own limits, all built from ``docpipe.settings.Settings``:

* a text layer is OCR'd when it is nearly empty, made of unmapped glyphs
  (``(cid:N)``, ``□``, U+FFFD, private use) or mojibake (``êêêÆÆÆ###(((¯¯¯KKK``);
* an OCR page is ``low_confidence`` when its text is implausible whatever the
  engine's confidence: a recognizer is sure of what it hallucinates (two
  columns read across a scanned magazine page came back as
  ``口4以应核W盘m地本越拍风证`` at Tesseract confidence 92.9);
* ``docpipe inspect`` shows a red badge with the reasons.

Left alone by every measure: Chinese prose, English and other Latin-script
prose with its accents and signs (``25 °C ± 2 °C``, ``résumé``), numbers,
dot leaders and rules (``……``, ``————``), a URL's ``www.``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from cleaners.patterns import FULLWIDTH_PUNCTUATION_CHARS, HAN_CLASS

__all__ = [
    "UNMAPPED_GLYPH",
    "Doubt",
    "PlausibilityLimits",
    "chinese_share",
    "find_doubts",
    "mojibake_share",
    "rare_character_share",
    "repeated_share",
    "stray_letter_rate",
    "symbol_share",
    "unusable_counts",
    "usable_share",
]

#: What a glyph without a Unicode mapping reads as: □, the mark Chinese typesetting
#: uses for a character that cannot be set (缺字符号).  The text-layer reader writes it
#: for pdfplumber's ``(cid:N)`` and PDFium's "unicode map error".
UNMAPPED_GLYPH: Final = "\u25a1"
#: pdfplumber renders glyphs it cannot map to Unicode as "(cid:123)".
_CID: Final = re.compile(r"\(cid:\d+\)")
#: The one run of three letters that text prints everywhere.
_WWW: Final = re.compile(r"(?i)www\.")
#: A run of three or more of the same character (mojibake repeats its bytes).
_TRIPLE_RUN: Final = re.compile(r"(.)\1{2,}", re.DOTALL)
#: Characters that repeat in real text: leader dots, rules, spacing fills.
_RUN_CHARS_OF_TEXT: Final = frozenset(".…-—_·=*~。 ")
#: Latin-1 Supplement characters that real Chinese and Western text uses.
_LATIN1_OF_TEXT: Final = frozenset("°·×÷±§¥£¢©®µ²³¹¼½¾«»\u00a0éèàçüöäáíóúñ")
#: Characters a recognizer reads from noise: not Chinese, Latin, digits, whitespace or the
#: punctuation of Chinese and Latin prose.
_SYMBOL: Final = re.compile(
    rf"[^{HAN_CLASS}{FULLWIDTH_PUNCTUATION_CHARS}A-Za-z0-9\s“”‘’\"'.,;:!?()\[\]%/\-—–…·＋+＝=×@&#%‰℃°□■●○◆◇△▲※★☆～~_·\u3000-\u303f\uff01-\uff5e]"
)
_HAN_CHARACTER: Final = re.compile(f"[{HAN_CLASS}]")
#: Han ideographs and the punctuation of Chinese (CJK symbols, full-width forms).
_CHINESE: Final = re.compile(rf"[{HAN_CLASS}\u3000-\u303f\uff00-\uffef]")
#: One Latin letter between two Chinese characters: 应核W盘, 盘m地.  Prose puts whole
#: words and units there; a lone letter (X光, A股, B超) is rare on a page.
_STRAY_LETTER: Final = re.compile(f"(?<=[{HAN_CLASS}])[A-Za-z](?=[{HAN_CLASS}])")
#: The same character four times or more in a row (一一一一, ....): noise, rules, leaders.
_REPEATED_RUN: Final = re.compile(r"(\S)\1{3,}")

# --- what is unusable: a glyph without a character -------------------------------------


def _unusable_kind(char: str) -> str | None:
    code = ord(char)
    if char == UNMAPPED_GLYPH:
        return "unmapped glyph (□)"
    if char == "\ufffd":
        return "replacement character (U+FFFD)"
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return "private-use character (no Unicode map)"
    if code < 0x20 and char not in "\t\n\r":
        return "control character"
    return None


def unusable_counts(text: str) -> dict[str, int]:
    """How many glyphs of each kind stand for no character: ``(cid:N)``, □, U+FFFD, private use, controls.

    >>> unusable_counts("政务\\ufffd\\ufffd信息(cid:7)")
    {'(cid:N) code': 1, 'replacement character (U+FFFD)': 2}
    >>> unusable_counts("电子政务信息汇编")
    {}
    """
    counts: dict[str, int] = {}
    if cids := len(_CID.findall(text)):
        counts["(cid:N) code"] = cids
    for char in _CID.sub("", text):
        kind = _unusable_kind(char)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


# --- measures ------------------------------------------------------------------------


def usable_share(text: str) -> float:
    """Share of a text's visible glyphs that are characters, not unmapped glyphs.

    A ``(cid:N)`` counts as one glyph.  An empty text has no usable share.

    >>> usable_share("电子政务信息汇编")
    1.0
    >>> usable_share("(cid:12)字")
    0.5
    >>> usable_share("□字")
    0.5
    >>> usable_share("")
    0.0
    """
    cids = len(_CID.findall(text))
    visible = [char for char in _CID.sub("", text) if not char.isspace()]
    total = cids + len(visible)
    if total == 0:
        return 0.0
    unusable = sum(_unusable_kind(char) is not None for char in visible)
    return (len(visible) - unusable) / total


def mojibake_share(text: str) -> float:
    """Share of a text's visible characters that are mojibake, not text.

    A text layer decoded with the wrong map reads as Latin-1 letters and
    symbols in runs (``êêêÆÆÆ###(((¯¯¯KKK``): counted are the Latin-1
    Supplement characters no text uses in bulk (``°`` ``·`` ``×`` ``±`` ``²``
    ``©`` ``®`` ``µ`` and the like are not counted), every character of a run of
    three or more of the same character (digits and the characters of leader
    dots and rules, ``......`` ``———``, and a URL's ``www.`` are not counted), unmapped glyphs, U+FFFD,
    private-use and control characters.  Chinese, English and numbers count 0.

    >>> mojibake_share("êêêÆÆÆ###(((¯¯¯KKK")
    1.0
    >>> mojibake_share("电子政务信息汇编 …… 3")
    0.0
    >>> mojibake_share("Température 25 °C, 1000 mAh")
    0.0
    """
    visible = "".join(_WWW.sub("", text).split())
    if not visible:
        return 0.0
    bad = [_is_suspect(char) for char in visible]
    for match in _TRIPLE_RUN.finditer(visible):
        if match.group(1) not in _RUN_CHARS_OF_TEXT and not match.group(1).isdigit():
            bad[match.start() : match.end()] = [True] * (match.end() - match.start())
    return sum(bad) / len(visible)


def _is_suspect(char: str) -> bool:
    return _unusable_kind(char) is not None or ("\u0080" <= char <= "\u00ff" and char not in _LATIN1_OF_TEXT)


def rare_character_share(text: str) -> float:
    """Share of the Chinese characters outside GB 2312's 6,763 common ones, after
    converting traditional characters to simplified: a recognizer that guesses reaches for
    rare characters (hallucinated 鷐, 齾), while government prose uses the common ones.

    >>> rare_character_share("大数据引发了人类思维方式")
    0.0
    >>> round(rare_character_share("口以应核盘地本越拍风证龘齾"), 2)
    0.15
    """
    # Imported here: OpenCC loads its dictionaries, which only this measure needs.
    from cleaners.normalize import convert_traditional_to_simplified

    characters = _HAN_CHARACTER.findall(convert_traditional_to_simplified(text))
    if not characters:
        return 0.0
    return sum(not _in_gb2312(character) for character in characters) / len(characters)


def _in_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def symbol_share(text: str) -> float:
    """Share of the non-space characters that are neither letters, digits nor the
    punctuation of prose (see :data:`_SYMBOL`).

    >>> symbol_share("政府数据开放（2014年）。")
    0.0
    >>> symbol_share("¥¦§ª政府")
    0.6666666666666666
    """
    characters = "".join(text.split())
    return len(_SYMBOL.findall(characters)) / len(characters) if characters else 0.0


def stray_letter_rate(text: str) -> float:
    """Lone Latin letters between Chinese characters, per Chinese character.

    >>> round(stray_letter_rate("口4以应核W盘m地本越拍风证"), 3)
    0.182
    >>> stray_letter_rate("用X光和CT检查")  # real, but one in a page's hundreds of characters
    0.2
    """
    han = len(_HAN_CHARACTER.findall(text))
    return len(_STRAY_LETTER.findall(text)) / han if han else 0.0


def repeated_share(text: str) -> float:
    """Share of the non-space characters in runs of one character repeated four times or
    more, and in lines that occur more than twice on the page (a fragment read again and
    again).  Dot leaders of a contents page are runs too: a 目录 page may score high.

    >>> repeated_share("大数据\\n大数据\\n大数据\\n正文")
    0.8181818181818182
    >>> repeated_share("大数据引发了人类思维方式")
    0.0
    """
    characters = "".join(text.split())
    if not characters:
        return 0.0
    repeated = sum(len(match.group(0)) for match in _REPEATED_RUN.finditer(characters))
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if line.strip():
            counts[line.strip()] = counts.get(line.strip(), 0) + 1
    repeated += sum(len("".join(line.split())) * count for line, count in counts.items() if count > 2)
    return min(1.0, repeated / len(characters))


def chinese_share(text: str) -> float:
    """Share of the non-space characters that are Chinese: ideographs and Chinese punctuation.

    >>> chinese_share("大数据 Big")
    0.5
    >>> chinese_share("")
    0.0
    """
    characters = "".join(text.split())
    return len(_CHINESE.findall(characters)) / len(characters) if characters else 0.0


# --- the judgement -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlausibilityLimits:
    """Where each check fails; a check whose limit is None is not made.

    The values live in ``docpipe.settings.Settings`` (``text_layer_limits``,
    ``ocr_text_limits``, ``inspect_limits``), never here.
    """

    #: Fewer visible characters than this: the text is (nearly) empty.
    min_chars: int | None = None
    #: Below this share of usable glyphs (:func:`usable_share`) the text is unmapped glyphs.
    min_usable_share: float | None = None
    max_mojibake_share: float | None = None
    max_rare_share: float | None = None
    max_symbol_share: float | None = None
    max_stray_letter_rate: float | None = None
    max_repeated_share: float | None = None
    min_chinese_share: float | None = None
    #: The share checks after the unusable-glyph check judge only texts of at least this
    #: many visible characters (a page number alone says nothing).
    min_judged_chars: int = 0


@dataclass(frozen=True, slots=True)
class Doubt:
    """A check a text failed: its name, what was measured, and the limit it crossed."""

    check: str
    value: float
    limit: float
    reason: str

    def __str__(self) -> str:
        return self.reason


def find_doubts(text: str, limits: PlausibilityLimits) -> tuple[Doubt, ...]:
    """The checks ``text`` fails under ``limits``, in a fixed order; () when it reads as text.

    Check names: ``too_short``, ``unmapped``, ``mojibake``, ``rare_characters``,
    ``symbols``, ``stray_letters``, ``repeated_fragments``, ``little_chinese``.

    >>> ocr = PlausibilityLimits(max_rare_share=0.05, max_symbol_share=0.1,
    ...                          max_stray_letter_rate=0.02, max_repeated_share=0.5)
    >>> find_doubts("大数据引发了人类思维方式和社会发展的深刻变化。", ocr)
    ()
    >>> [doubt.check for doubt in find_doubts("口4以应核W盘m地本越拍风证", ocr)]
    ['stray_letters']
    >>> layer = PlausibilityLimits(min_chars=10, min_usable_share=0.6, max_mojibake_share=0.3)
    >>> [str(doubt) for doubt in find_doubts("êêêÆÆÆ###(((¯¯¯KKK", layer)]
    ['mojibake: 100% of the characters']
    """
    visible = sum(not char.isspace() for char in text)
    doubts: list[Doubt] = []

    def check(name: str, value: float, limit: float | None, *, above: bool, reason: str) -> None:
        if limit is not None and (value > limit if above else value < limit):
            doubts.append(Doubt(name, value, limit, reason))

    check("too_short", visible, limits.min_chars, above=False, reason=f"only {visible} characters")
    if limits.min_usable_share is not None:
        counts = unusable_counts(text)
        reason = ", ".join(f"{count} {_plural(kind, count)}" for kind, count in counts.items())
        check("unmapped", usable_share(text), limits.min_usable_share, above=False, reason=reason or "empty")
    if visible < limits.min_judged_chars:
        return tuple(doubts)
    shares = (
        ("mojibake", mojibake_share, limits.max_mojibake_share, True, "mojibake: {:.0%} of the characters"),
        ("rare_characters", rare_character_share, limits.max_rare_share, True, "rare ideographs: {:.0%}"),
        ("symbols", symbol_share, limits.max_symbol_share, True, "symbols: {:.0%} of the characters"),
        (
            "stray_letters",
            stray_letter_rate,
            limits.max_stray_letter_rate,
            True,
            "lone letters: {:.1%} per ideograph",
        ),
        ("repeated_fragments", repeated_share, limits.max_repeated_share, True, "repeated fragments: {:.0%}"),
        ("little_chinese", chinese_share, limits.min_chinese_share, False, "little Chinese: {:.0%}"),
    )
    for name, measure, limit, above, reason in shares:
        if limit is not None:
            value = measure(text)
            check(name, value, limit, above=above, reason=reason.format(value))
    return tuple(doubts)


def _plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    noun, _, rest = kind.partition(" (")
    return f"{noun}s ({rest}" if rest else f"{noun}s"
