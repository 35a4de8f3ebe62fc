"""Scoring docpipe's articles against golden ones: the one implementation of CER and article matching.

Used by the golden test (``tests/test_golden.py``), the quality benchmark
(``benchmarks/quality.py``), the OCR benchmarks and the tests that compare texts.
Needs ``rapidfuzz`` and ``opencc`` (rapidfuzz is a dev dependency: nothing in the
pipeline imports this module).

* body CER: edit distance over golden length, whitespace removed on both sides;
* article F1: golden titles found among the produced titles (whitespace removed);
* paragraph-break F1: paragraph boundaries, by character offset (±2 characters);
* furniture leaks, half-width punctuation next to Chinese, spaces in Chinese,
  traditional characters left;
* the invariants every document holds whatever its golden (:func:`check_rows`):
  coverage, at least one article, no empty body, no ``(cid:N)``, U+FFFD,
  private-use or Kangxi characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import opencc
from rapidfuzz.distance import Levenshtein

from cleaners.patterns import NFKC_IDEOGRAPH_RE, RADICAL_SUPPLEMENT_TABLE

_SPACE = re.compile(r"\s+")
_CJK = r"[\u3400-\u9fff]"
_HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{_CJK}[,;:!?()]|[,;:!?()]{_CJK}")
_SPACE_IN_CHINESE = re.compile(rf"{_CJK}[ \u3000]+{_CJK}")
_PAGE_NUMBER_LINE = re.compile(r"(?m)^\s*(?:[-—–一]\s*\d{1,4}\s*[-—–一]|第\s*\d{1,4}\s*页|\d{1,4})\s*$")
_T2S = opencc.OpenCC("t2s")
#: Offsets of two paragraph breaks at most this far apart (characters) are the same break.
BREAK_TOLERANCE = 2


def squash(text: str) -> str:
    """Text without whitespace: what CER and title matching compare.

    >>> squash("中国 扬州\\n2014 年")
    '中国扬州2014年'
    """
    return _SPACE.sub("", text)


def edit_distance(text: str, truth: str) -> int:
    """Levenshtein distance between two texts, whitespace removed on both sides.

    >>> edit_distance("中国.扬州", "中国·扬 州")
    1
    """
    return int(Levenshtein.distance(squash(text), squash(truth)))


def character_error_rate(text: str, truth: str) -> float:
    """Edit distance over the truth's length, whitespace removed on both sides.

    >>> character_error_rate("中扬州", "中国·扬州")
    0.4
    >>> character_error_rate("中国 扬州", "中国扬州")
    0.0
    """
    return edit_distance(text, truth) / max(len(squash(truth)), 1)


@dataclass
class Article:
    """An article as scored: its title, paragraphs and source."""

    title: str
    paragraphs: list[str]
    source: str | None


@dataclass
class Scores:
    """Counts that add up across documents; ratios are computed at the end."""

    gold_articles: int = 0
    produced_articles: int = 0
    matched: int = 0
    title_exact: int = 0
    source_exact: int = 0
    edit_distance: int = 0
    gold_chars: int = 0
    gold_breaks: int = 0
    produced_breaks: int = 0
    matched_breaks: int = 0
    furniture_leaks: int = 0
    half_width: int = 0
    chinese_spaces: int = 0
    traditional: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, other: Scores) -> None:
        for name in self.__dataclass_fields__:
            if name != "extra":
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self) -> dict[str, str]:
        return {
            "article F1": _fmt(_f1(self.matched, self.produced_articles, self.gold_articles)),
            "title exact": _fmt(ratio(self.title_exact, self.gold_articles)),
            "source exact": _fmt(ratio(self.source_exact, self.gold_articles)),
            "body CER": f"{100 * ratio(self.edit_distance, self.gold_chars):.2f}%",
            "paragraph-break F1": _fmt(_f1(self.matched_breaks, self.produced_breaks, self.gold_breaks)),
            "furniture leaks": str(self.furniture_leaks),
            "half-width next to Chinese": str(self.half_width),
            "spaces in Chinese": str(self.chinese_spaces),
            "traditional chars": str(self.traditional),
        }


def score(
    gold: Sequence[Article], produced: Sequence[Article], furniture: Iterable[str], *, verbose: bool = False
) -> Scores:
    """Compare produced articles with golden ones, matched by title (whitespace removed); where
    a title recurs (each paper's ``1 引言``), the n-th golden one with the n-th produced one."""
    scores = Scores(gold_articles=len(gold), produced_articles=len(produced))
    by_title = _by_title(produced)
    seen: dict[str, int] = {}
    for truth in gold:
        gold_text = squash("".join(truth.paragraphs))
        scores.gold_chars += len(gold_text)
        scores.gold_breaks += len(truth.paragraphs) - 1
        key = squash(truth.title)
        match = _nth(by_title, key, seen)
        if match is None:
            scores.edit_distance += len(gold_text)
            continue
        scores.matched += 1
        scores.title_exact += match.title == truth.title
        scores.source_exact += match.source == truth.source
        produced_text = squash("".join(match.paragraphs))
        scores.edit_distance += edit_distance(produced_text, gold_text)
        scores.produced_breaks += len(match.paragraphs) - 1
        scores.matched_breaks += _matched_breaks(truth.paragraphs, match.paragraphs)
    markers = [squash(f) for f in furniture if squash(f)]
    gold_by_title = _by_title(gold)
    seen = {}
    for article in produced:
        body = "\n".join(article.paragraphs)
        text = "\n".join([article.title, body])
        golden = _nth(gold_by_title, squash(article.title), seen)
        gold_body = squash("".join(golden.paragraphs)) if golden else ""
        # A running head may also be a word of the text (目录) or an article's own
        # title (序言): count only the occurrences the golden body does not have.
        squashed = squash(body)
        leaks = [m for m in markers for _ in range(max(0, squashed.count(m) - gold_body.count(m)))]
        leaks += _PAGE_NUMBER_LINE.findall(body)
        scores.furniture_leaks += len(leaks)
        if leaks and verbose:
            print(f"furniture leak in {article.title!r}: {leaks}")
        scores.half_width += len(_HALF_WIDTH_NEXT_TO_CJK.findall(text))
        scores.chinese_spaces += len(_SPACE_IN_CHINESE.findall(body))  # a chapter title keeps its one
        scores.traditional += _traditional_chars(text)
    return scores


def _by_title(articles: Sequence[Article]) -> dict[str, list[Article]]:
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        grouped.setdefault(squash(article.title), []).append(article)
    return grouped


def _nth(grouped: dict[str, list[Article]], key: str, seen: dict[str, int]) -> Article | None:
    """The next article titled ``key`` (the last one again once they are used up)."""
    candidates = grouped.get(key)
    if not candidates:
        return None
    position = seen.get(key, 0)
    seen[key] = position + 1
    return candidates[min(position, len(candidates) - 1)]


def _traditional_chars(text: str) -> int:
    """Characters OpenCC would change converting the text to simplified (phrase-aware)."""
    simplified = _T2S.convert(text)
    if len(simplified) != len(text):
        return Levenshtein.distance(simplified, text)
    return sum(1 for a, b in zip(text, simplified, strict=True) if a != b)


def _matched_breaks(gold: Sequence[str], produced: Sequence[str]) -> int:
    """Paragraph boundaries of ``produced`` that fall where ``gold`` has one (±2 characters)."""
    gold_offsets = _break_offsets(gold)
    produced_offsets = _break_offsets(produced)
    gold_text, produced_text = squash("".join(gold)), squash("".join(produced))
    mapped = _map_offsets(produced_text, gold_text, produced_offsets)
    remaining = sorted(gold_offsets)
    matched = 0
    for offset in mapped:
        hit = next((g for g in remaining if abs(g - offset) <= BREAK_TOLERANCE), None)
        if hit is not None:
            remaining.remove(hit)
            matched += 1
    return matched


def _break_offsets(paragraphs: Sequence[str]) -> list[int]:
    offsets, total = [], 0
    for paragraph in paragraphs[:-1]:
        total += len(squash(paragraph))
        offsets.append(total)
    return offsets


def _map_offsets(source: str, target: str, offsets: Sequence[int]) -> list[int]:
    """Map character offsets in ``source`` to the aligned offsets in ``target``."""
    if source == target:
        return list(offsets)
    blocks = Levenshtein.opcodes(source, target)
    mapped = []
    for offset in offsets:
        for op in blocks:
            if op.src_start <= offset <= op.src_end:
                mapped.append(op.dest_start + min(offset - op.src_start, op.dest_end - op.dest_start))
                break
    return mapped


def ratio(part: int, whole: int) -> float:
    """``part / whole``, 0 for an empty whole."""
    return part / whole if whole else 0.0


def _f1(matched: int, produced: int, gold: int) -> float:
    if produced == 0 and gold == 0:
        return 1.0
    precision, recall = ratio(matched, produced), ratio(matched, gold)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _fmt(value: float) -> str:
    return f"{value:.3f}"


# --- invariants: what no article may lack or carry, whatever its golden ----------------------

#: The coverage every document must reach (issue #10's "done when"), whatever its kind.
MIN_COVERAGE = 0.99
#: What :func:`unmapped_characters` counts.
UNMAPPED_KINDS: tuple[str, ...] = ("cid", "U+FFFD", "private use", "Kangxi")
_CID = re.compile(r"\(cid:\d+\)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def unmapped_characters(text: str) -> dict[str, int]:
    """Counts of what a text layer without a Unicode map leaves behind, and of unnormalised ideographs.

    ``cid``: pdfminer's ``(cid:N)`` for a glyph without a Unicode map; ``U+FFFD``: the
    replacement character; ``private use``: code points of the private use areas (a
    font's own glyph numbers); ``Kangxi``: Kangxi radicals, radicals-supplement forms and
    CJK compatibility ideographs that stand for a unified ideograph (the ones
    :func:`cleaners.normalize.unify_cjk_compatibility` maps; the twelve unified
    ideographs of the compatibility block are not counted).

    >>> unmapped_characters("二〇二五(cid:3)年 项⽬ \\ufffd \\ue001 﨑")
    {'cid': 1, 'U+FFFD': 1, 'private use': 1, 'Kangxi': 1}
    """
    kangxi = sum(
        1
        for match in NFKC_IDEOGRAPH_RE.finditer(text)
        if unicodedata.normalize("NFKC", match.group(0)) != match.group(0)
    )
    kangxi += sum(1 for char in text if ord(char) in RADICAL_SUPPLEMENT_TABLE)
    return {
        "cid": len(_CID.findall(text)),
        "U+FFFD": text.count("\ufffd"),
        "private use": len(_PRIVATE_USE.findall(text)),
        "Kangxi": kangxi,
    }


@dataclass
class Invariants:
    """What every document must hold, summed over documents (coverage: the lowest)."""

    documents: int = 0
    lowest_coverage: float = 1.0
    without_articles: int = 0
    empty_bodies: int = 0
    unmapped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UNMAPPED_KINDS, 0))

    def add(self, other: Invariants) -> None:
        self.documents += other.documents
        self.lowest_coverage = min(self.lowest_coverage, other.lowest_coverage)
        self.without_articles += other.without_articles
        self.empty_bodies += other.empty_bodies
        for kind, count in other.unmapped.items():
            self.unmapped[kind] = self.unmapped.get(kind, 0) + count

    def row(self) -> dict[str, str]:
        return {
            "coverage": f"{100 * self.lowest_coverage:.2f}%",
            "no articles": str(self.without_articles),
            "empty bodies": str(self.empty_bodies),
            **{kind: str(count) for kind, count in self.unmapped.items()},
        }

    def violations(self, *, coverage_floor: float = MIN_COVERAGE) -> list[str]:
        """What breaks the invariants, in words; empty when all hold."""
        found = []
        if self.lowest_coverage < coverage_floor:
            found.append(f"coverage {self.lowest_coverage:.4f} below {coverage_floor}")
        if self.without_articles:
            found.append(f"{self.without_articles} document(s) without articles")
        if self.empty_bodies:
            found.append(f"{self.empty_bodies} row(s) with an empty body")
        found += [
            f"{count} {kind} character(s) in articles" for kind, count in self.unmapped.items() if count
        ]
        return found


def check_rows(rows: Sequence[Mapping[str, Any]], coverage: float) -> Invariants:
    """The invariants of one document from its ``articles`` rows and its measured coverage.

    Every row counts, front and back rows too: a row is never a title without a body,
    and nothing unmapped reaches any column an analyst reads.
    """
    found = Invariants(documents=1, lowest_coverage=coverage)
    found.without_articles = int(not any(row.get("part", "body") == "body" for row in rows))
    found.empty_bodies = sum(1 for row in rows if not str(row["body"]).strip())
    for row in rows:
        texts = [row["title"], row["body"], row.get("source") or "", row.get("attribution") or ""]
        texts += [*(row.get("footnotes") or []), *(row.get("heading_path") or []), row.get("section") or ""]
        for kind, count in unmapped_characters("\n".join(texts)).items():
            found.unmapped[kind] += count
    return found
