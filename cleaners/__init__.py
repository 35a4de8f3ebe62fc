"""Text cleaners: pure, idempotent repairs of extracted Chinese text, and their registry.

A cleaner is a plain function ``verb_object(text: str, *, option=default) -> str``.
:data:`CLEANERS` lists the string cleaners by name in the order
:func:`clean_text` applies them; :class:`CleaningConfig` switches each one on or
off; :func:`clean_text` returns the cleaned text with the names of the steps
that actually changed it, which an article keeps as its ``cleaning_steps``
column, and :func:`apply_steps` replays such a list.

The default order, and why:

1. ``normalize_whitespace``: afterwards every rule looks for one plain space,
   and no zero-width space hides a number (``９２\\u200b．７``) from step 3.
2. ``unify_cjk_compatibility``: a Kangxi radical (``项⽬``) is not a Han
   character to any later rule; ``目`` is, so the spacing and punctuation
   rules and OpenCC see the characters a reader sees.
3. ``fold_fullwidth_alphanumerics``: ``２３,５８８`` must look like the number
   it is, and ``ＡＰＰ`` like a Latin word, before any rule decides whether it
   sits next to Chinese.
4. ``repair_url_colons``: ``http：//`` must be a URL again before the
   punctuation rules, which leave URLs alone, run.
5. *(OCR fixes, when* ``ocr_fixes`` *is on: see below)*.
6. ``widen_punctuation_next_to_chinese``: looks past spaces and quotes for
   its neighbours, so ``7 月 24 日 ,`` is judged before the spaces go.
7. ``curl_quotes_around_chinese``: after step 6, because a widened ``，`` next
   to a quote is evidence of Chinese (``"APP",`` -> ``"APP"，`` -> ``“APP”，``);
   step 6 ignores quotes, so the reverse never matters.
8. ``remove_spaces_in_chinese``: last of the spacing rules, so it also removes
   the spaces next to the ``“”`` step 7 made.
9. ``convert_traditional_to_simplified``: last, because OpenCC converts phrase
   by phrase and a stray space splits a phrase: ``乾 隆`` gives ``干 隆`` but
   ``乾隆`` stays ``乾隆``.

Every step is idempotent, and no step changes what an earlier one decided on
(steps 6 and 7 look past the spaces step 8 removes), so ``clean_text`` is
idempotent as a whole; ``tests/cleaners`` checks both with hypothesis.

Adding a cleaner: write it in the module of its family (``normalize.py``;
patterns in ``patterns.py``), with a docstring and ``>>>`` examples; add it to
:data:`CLEANERS` at its place in the order and a bool field of the same name
to :class:`CleaningConfig`; add its table to ``tests/cleaners/``.

OCR cleaners live in ``cleaners/ocr.py``, which this package imports only when
``CleaningConfig.ocr_fixes`` is on.  That module must define
``OCR_CLEANERS: dict[str, Callable[[str], str]]``, name -> cleaner in the order
to apply them; they run right after :data:`OCR_FIXES_AFTER`, on text that is
folded and whitespace-normalized but still has its spaces and half-width
punctuation as extracted (``云平台 and 软件``), and their names are recorded in
``cleaning_steps`` like any other.  Line and page cleaners (``furniture.py``,
``wraps.py``, ``columns.py``) are not string cleaners and are not in this registry.

``cleaners/`` imports nothing of docpipe.  The records it reads and returns
(``Line``, ``Page``, ``Paragraph``) live in ``records.py``; the line and page
cleaners take their thresholds as a ``settings`` argument, typed by a Protocol
naming the fields each reads (``ColumnSettings``, ``WrapSettings``,
``FurnitureSettings``, ``SpeckSettings``), which ``docpipe.settings.Settings``,
the one home of every value, satisfies; ``plausibility.py`` (is this text
garbage?) takes a ``PlausibilityLimits`` that ``Settings`` builds.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from typing import NamedTuple

from cleaners.normalize import (
    DEFAULT_OPENCC_CONFIG,
    convert_traditional_to_simplified,
    curl_quotes_around_chinese,
    fold_fullwidth_alphanumerics,
    normalize_whitespace,
    remove_spaces_in_chinese,
    repair_url_colons,
    unify_cjk_compatibility,
    widen_punctuation_next_to_chinese,
)

__all__ = [
    "CLEANERS",
    "DEFAULT_CONFIG",
    "OCR_FIXES_AFTER",
    "OCR_MODULE",
    "Cleaner",
    "CleaningConfig",
    "apply_steps",
    "clean_text",
    "convert_traditional_to_simplified",
    "curl_quotes_around_chinese",
    "fold_fullwidth_alphanumerics",
    "make_pipeline",
    "normalize_whitespace",
    "plan_steps",
    "remove_spaces_in_chinese",
    "repair_url_colons",
    "unify_cjk_compatibility",
    "widen_punctuation_next_to_chinese",
]

#: A string cleaner: pure, idempotent, text in, text out.
Cleaner = Callable[[str], str]

#: The string cleaners by name, in the order :func:`clean_text` applies them.
CLEANERS: dict[str, Cleaner] = {
    "normalize_whitespace": normalize_whitespace,
    "unify_cjk_compatibility": unify_cjk_compatibility,
    "fold_fullwidth_alphanumerics": fold_fullwidth_alphanumerics,
    "repair_url_colons": repair_url_colons,
    "widen_punctuation_next_to_chinese": widen_punctuation_next_to_chinese,
    "curl_quotes_around_chinese": curl_quotes_around_chinese,
    "remove_spaces_in_chinese": remove_spaces_in_chinese,
    "convert_traditional_to_simplified": convert_traditional_to_simplified,
}

#: The module holding the OCR cleaners, imported only when ``ocr_fixes`` is on.
OCR_MODULE = "cleaners.ocr"
#: The OCR cleaners run right after this step (whether or not it is switched on).
OCR_FIXES_AFTER = "repair_url_colons"


class CleaningConfig(NamedTuple):
    """Which cleaners :func:`clean_text` applies; every switch is named after its cleaner."""

    #: One plain space; no spaces at line or cell edges; ``\\n`` line breaks.
    normalize_whitespace: bool = True
    #: Kangxi radicals and CJK compatibility ideographs to unified ideographs (``⽬`` to ``目``).
    unify_cjk_compatibility: bool = True
    #: Ａ-Ｚ ａ-ｚ ０-９ (and the ideographic space) to ASCII.
    fold_fullwidth_alphanumerics: bool = True
    #: ``http：//`` and ``www．`` to ``http://`` and ``www.``.
    repair_url_colons: bool = True
    #: The cleaners of ``cleaners/ocr.py`` (OCR confusions); off for text layers.
    ocr_fixes: bool = False
    #: ``, ; : ! ? ( )`` next to Chinese to ``，；：！？（）``.
    widen_punctuation_next_to_chinese: bool = True
    #: ``"…"`` around or next to Chinese to ``“…”``.
    curl_quotes_around_chinese: bool = True
    #: No spaces between Chinese, nor between Chinese and digits or Latin.
    remove_spaces_in_chinese: bool = True
    #: Traditional characters to simplified, with OpenCC.
    convert_traditional_to_simplified: bool = True
    #: The OpenCC configuration for the conversion (``t2s``, ``tw2s``, ``hk2s``).
    opencc_config: str = DEFAULT_OPENCC_CONFIG


DEFAULT_CONFIG = CleaningConfig()


def plan_steps(config: CleaningConfig = DEFAULT_CONFIG) -> list[tuple[str, Cleaner]]:
    """The (name, cleaner) steps ``config`` switches on, in the order they run.

    >>> [name for name, _ in plan_steps(CleaningConfig(normalize_whitespace=False))][:3]
    ['unify_cjk_compatibility', 'fold_fullwidth_alphanumerics', 'repair_url_colons']
    """
    steps: list[tuple[str, Cleaner]] = []
    for name in CLEANERS:
        if getattr(config, name):
            steps.append((name, _cleaner(name, config)))
        if name == OCR_FIXES_AFTER and config.ocr_fixes:
            steps.extend(_ocr_cleaners().items())
    return steps


def clean_text(text: str, config: CleaningConfig = DEFAULT_CONFIG) -> tuple[str, list[str]]:
    """Apply the cleaners ``config`` switches on; return the text and the steps that changed it.

    A step is recorded only when it changed the text, so the list says why a
    paragraph differs from its page, and :func:`apply_steps` replays it.

    >>> clean_text("（2014 年 07 月 24 日 12:49:27 来源：人民邮电报）")
    ('（2014年07月24日12:49:27来源：人民邮电报）', ['remove_spaces_in_chinese'])
    >>> text, steps = clean_text("刘德良说,作为法治国家的中国,站在 WTO 的机制上来看")
    >>> text
    '刘德良说，作为法治国家的中国，站在WTO的机制上来看'
    >>> steps
    ['widen_punctuation_next_to_chinese', 'remove_spaces_in_chinese']
    >>> clean_text("Hello, world")
    ('Hello, world', [])
    """
    changed_by: list[str] = []
    for name, cleaner in plan_steps(config):
        cleaned = cleaner(text)
        if cleaned != text:
            changed_by.append(name)
            text = cleaned
    return text, changed_by


def apply_steps(text: str, steps: Iterable[str], config: CleaningConfig = DEFAULT_CONFIG) -> str:
    """Replay a list of step names recorded by :func:`clean_text`, in that order.

    Only ``config.opencc_config`` matters here; the switches are ignored.

    >>> apply_steps("专家表示,去年,我国", ["widen_punctuation_next_to_chinese"])
    '专家表示，去年，我国'
    """
    for name in steps:
        text = _cleaner(name, config)(text)
    return text


def make_pipeline(*cleaners: Cleaner) -> Cleaner:
    """Compose cleaners left to right into one; bind options with :func:`functools.partial`.

    >>> tidy = make_pipeline(widen_punctuation_next_to_chinese, remove_spaces_in_chinese)
    >>> tidy("编目 (CIP) 数据")
    '编目（CIP）数据'
    """

    def pipeline(text: str) -> str:
        for cleaner in cleaners:
            text = cleaner(text)
        return text

    return pipeline


def _cleaner(name: str, config: CleaningConfig) -> Cleaner:
    if name == "convert_traditional_to_simplified" and config.opencc_config != DEFAULT_OPENCC_CONFIG:
        return functools.partial(convert_traditional_to_simplified, config=config.opencc_config)
    if name in CLEANERS:
        return CLEANERS[name]
    try:
        return _ocr_cleaners()[name]
    except (ImportError, KeyError):
        raise KeyError(f"no cleaner named {name!r}") from None


def _ocr_cleaners() -> dict[str, Cleaner]:
    module = importlib.import_module(OCR_MODULE)
    ocr_cleaners: dict[str, Cleaner] = module.OCR_CLEANERS
    return ocr_cleaners
