"""A cache of extracted pages (lines with geometry), under ``<out>/_cache/pages/``.

OCR is the expensive step, and two jobs need its results again without redoing
it: a run killed halfway resumes with the pages it had finished, and
``docpipe retry`` rebuilds a document's articles from its good pages plus the
re-extracted bad ones.  A page is keyed by the document's sha256, its number,
and a fingerprint of everything that decides how it was extracted (method
choice, OCR engine, languages, DPI, pipeline version), so changed settings never
reuse a stale page.  Failed pages are never cached.  The ``_`` prefix keeps
Parquet readers out of the folder.

Only pages read by OCR are cached.  Reading a page's text layer again costs
about what caching it would (a JSON file and two fsyncs, about a fifth of a
text page's time in the page workers), so a text page is simply read again when
a run resumes or retries.

The cache is only an optimisation: a write that fails (a full or read-only
volume, no permission) is logged once per cache directory and otherwise
ignored, leaving no temporary file, and the page goes on to be written to the
datasets as extracted.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from cleaners.records import Line, Page
from docpipe import PIPELINE_VERSION
from docpipe.settings import Settings
from docpipe.storage import LocalStore, Location, open_store

CACHE_DIR = Path("_cache") / "pages"
_CACHE_FILES = CACHE_DIR.as_posix()
_LINE_FIELDS = tuple(f.name for f in fields(Line))
_logger = logging.getLogger(__name__)
_unwritable: set[PurePath] = set()  # cache directories already reported as unwritable
_NEVER = datetime.min.replace(tzinfo=UTC)


def extraction_fingerprint(settings: Settings) -> str:
    """A short hash of the settings that change what extraction returns for a page."""
    relevant = (
        PIPELINE_VERSION,
        settings.ocr,
        settings.ocr_engine,
        settings.ocr_model,
        settings.ocr_languages,
        settings.render_dpi,
        settings.ocr_psm,
        settings.confidence_floor,
        settings.text_layer_min_usable,
        settings.text_layer_min_chars,
        settings.text_layer_max_mojibake,
        settings.text_reader,
        settings.word_gap_ratio,
        settings.line_tolerance_em,
        settings.tab_gap_em,
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:12]


def cached_page_file(doc_id: str, page_number: int, settings: Settings) -> str:
    """Where a page is cached, relative to the output directory."""
    return f"{_CACHE_FILES}/{doc_id}/{page_number:05d}-{extraction_fingerprint(settings)}.json"


def cached_page_path(out_dir: Path, doc_id: str, page_number: int, settings: Settings) -> Path:
    """Where a page is cached in a local output directory."""
    return out_dir / cached_page_file(doc_id, page_number, settings)


def load_page(out_dir: Location, doc_id: str, page_number: int, settings: Settings) -> Page | None:
    """The cached page extracted with these settings, or None."""
    return _load(out_dir, cached_page_file(doc_id, page_number, settings))


def load_any_page(out_dir: Location, doc_id: str, page_number: int) -> Page | None:
    """The most recently cached extraction of a page, whatever its settings (for retries)."""
    store = open_store(out_dir)
    candidates = sorted(
        (
            file
            for file in store.list_files(f"{_CACHE_FILES}/{doc_id}")
            if PurePath(file.path).match(f"{page_number:05d}-*.json")
        ),
        key=lambda file: file.mtime or _NEVER,
        reverse=True,
    )
    for file in candidates:
        page = _load(out_dir, file.path)
        if page is not None:
            return page
    return None


def _load(out_dir: Location, relative: str) -> Page | None:
    try:
        return page_from_dict(json.loads(open_store(out_dir).read_bytes(relative).decode("utf-8")))
    except (OSError, ValueError):
        return None  # absent, or cut short by a crash: extract again


def save_page(out_dir: Location, doc_id: str, page: Page, settings: Settings) -> bool:
    """Cache a page (atomically) and say whether it was; failed pages are not cached.

    Never raises for the cache's own sake (see the module's docstring).
    """
    if page.status == "failed":
        return False
    store = open_store(out_dir)
    try:
        text = io.StringIO()
        json.dump(page_to_dict(page), text, ensure_ascii=False)
        store.write_atomically(cached_page_file(doc_id, page.number, settings), text.getvalue().encode())
    except OSError as error:
        _report_unwritable(store.full_path(_CACHE_FILES), error)
        return False
    return True


def remove_leftover_temp_files(out_dir: Location) -> list[Path]:
    """Delete the temporary files of cache writes a killed run left behind; return them.

    Only safe while holding the output lock, before extracting (no write is live then).
    An object store has none (see :mod:`docpipe.storage`).
    """
    store = open_store(out_dir)
    if not isinstance(store, LocalStore):
        return []
    leftovers = [path for path in (store.directory / CACHE_DIR).glob("*/.*.tmp") if path.is_file()]
    for path in leftovers:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only volume: nothing was written there either
    return leftovers


def _report_unwritable(cache_dir: PurePath, error: OSError) -> None:
    if cache_dir in _unwritable:
        return
    _unwritable.add(cache_dir)
    _logger.warning(
        "page cache %s cannot be written (%s): pages are not cached, a killed run will redo them",
        cache_dir,
        error.strerror or error,
    )


def page_to_dict(page: Page) -> dict[str, Any]:
    data = asdict(page)
    data["lines"] = [[line[name] for name in _LINE_FIELDS] for line in data["lines"]]
    return data


def page_from_dict(data: dict[str, Any]) -> Page:
    lines = tuple(_line_from_values(values) for values in data.pop("lines"))
    data["header"] = tuple(data["header"])
    data["footer"] = tuple(data["footer"])
    data["dropped"] = tuple(data.get("dropped", ()))  # absent from pages cached before it existed
    return Page(lines=lines, **data)


def _line_from_values(values: list[Any]) -> Line:
    line = Line(*values)
    return replace(line, cells=tuple(line.cells))  # JSON gives a list
