"""A cache of extracted pages (lines with geometry), under ``<out>/_cache/pages/``.

OCR is the expensive step, and two jobs need its results again without redoing
it: a run killed halfway resumes with the pages it had finished, and
``docpipe retry`` rebuilds a document's articles from its good pages plus the
re-extracted bad ones.  A page is keyed by the document's sha256, its number,
and a fingerprint of everything that decides how it was extracted (method
choice, OCR engine, languages, DPI, pipeline version), so changed settings never
reuse a stale page.  Failed pages are never cached.  The ``_`` prefix keeps
Parquet readers out of the folder.

The cache is only an optimisation: a write that fails (a full or read-only
volume, no permission) is logged once per cache directory and otherwise
ignored, leaving no temporary file, and the page goes on to be written to the
datasets as extracted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from cleaners.records import Line, Page
from docpipe import PIPELINE_VERSION
from docpipe.settings import Settings

CACHE_DIR = Path("_cache") / "pages"
_LINE_FIELDS = tuple(f.name for f in fields(Line))
_logger = logging.getLogger(__name__)
_unwritable: set[Path] = set()  # cache directories already reported as unwritable


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


def cached_page_path(out_dir: Path, doc_id: str, page_number: int, settings: Settings) -> Path:
    return out_dir / CACHE_DIR / doc_id / f"{page_number:05d}-{extraction_fingerprint(settings)}.json"


def load_page(out_dir: Path, doc_id: str, page_number: int, settings: Settings) -> Page | None:
    """The cached page extracted with these settings, or None."""
    path = cached_page_path(out_dir, doc_id, page_number, settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent, or cut short by a crash: extract again
    return page_from_dict(data)


def load_any_page(out_dir: Path, doc_id: str, page_number: int) -> Page | None:
    """The most recently cached extraction of a page, whatever its settings (for retries)."""
    candidates = sorted(
        (out_dir / CACHE_DIR / doc_id).glob(f"{page_number:05d}-*.json"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in candidates:
        try:
            return page_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return None


def save_page(out_dir: Path, doc_id: str, page: Page, settings: Settings) -> bool:
    """Cache a page (atomically) and say whether it was; failed pages are not cached.

    Never raises for the cache's own sake (see the module's docstring).
    """
    if page.status == "failed":
        return False
    path = cached_page_path(out_dir, doc_id, page.number, settings)
    temp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".", suffix=".tmp", delete=False
        ) as stream:
            temp_name = stream.name
            json.dump(page_to_dict(page), stream, ensure_ascii=False)
        os.replace(temp_name, path)
    except OSError as error:
        if temp_name is not None:
            _remove_quietly(Path(temp_name))
        _report_unwritable(out_dir / CACHE_DIR, error)
        return False
    return True


def remove_leftover_temp_files(out_dir: Path) -> list[Path]:
    """Delete the temporary files of cache writes a killed run left behind; return them.

    Only safe while holding the output lock, before extracting (no write is live then).
    """
    leftovers = [path for path in (out_dir / CACHE_DIR).glob("*/.*.tmp") if path.is_file()]
    for path in leftovers:
        _remove_quietly(path)
    return leftovers


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only volume: nothing was written there either


def _report_unwritable(cache_dir: Path, error: OSError) -> None:
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
