"""A cache of extracted pages (lines with geometry), under ``<out>/_cache/pages/``.

OCR is the expensive step, and two jobs need its results again without redoing
it: a run killed halfway resumes with the pages it had finished, and
``docpipe retry`` rebuilds a document's articles from its good pages plus the
re-extracted bad ones.  A page is keyed by the document's sha256, its number,
and a fingerprint of everything that decides how it was extracted (method
choice, OCR engine, languages, DPI, pipeline version), so changed settings never
reuse a stale page.  Failed pages are never cached.  The ``_`` prefix keeps
Parquet readers out of the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from docpipe import PIPELINE_VERSION
from docpipe.layout import Line, Page
from docpipe.settings import Settings

CACHE_DIR = Path("_cache") / "pages"
_LINE_FIELDS = tuple(f.name for f in fields(Line))


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


def save_page(out_dir: Path, doc_id: str, page: Page, settings: Settings) -> None:
    """Cache a page (atomically); failed pages are not cached."""
    if page.status == "failed":
        return
    path = cached_page_path(out_dir, doc_id, page.number, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".", suffix=".tmp", delete=False
    ) as stream:
        json.dump(page_to_dict(page), stream, ensure_ascii=False)
    os.replace(stream.name, path)


def page_to_dict(page: Page) -> dict[str, Any]:
    data = asdict(page)
    data["lines"] = [[line[name] for name in _LINE_FIELDS] for line in data["lines"]]
    return data


def page_from_dict(data: dict[str, Any]) -> Page:
    lines = tuple(_line_from_values(values) for values in data.pop("lines"))
    data["header"] = tuple(data["header"])
    data["footer"] = tuple(data["footer"])
    return Page(lines=lines, **data)


def _line_from_values(values: list[Any]) -> Line:
    line = Line(*values)
    return replace(line, cells=tuple(line.cells))  # JSON gives a list
