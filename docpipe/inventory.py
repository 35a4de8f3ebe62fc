"""What a run has to do: compare the raw directory with what the datasets already hold.

A document is its sha256.  A file whose hash and pipeline version match its
``documents`` row is unchanged and skipped; a new or changed file is ingested
(its old rows are replaced, never duplicated); a file that has gone is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docpipe import PIPELINE_VERSION
from docpipe.extract.pdf import sha256_of
from docpipe.schema import source_file_of
from docpipe.writer import read_dataset

Change = Literal["new", "changed", "unchanged", "removed"]
PDF_SUFFIX = ".pdf"


@dataclass(frozen=True, slots=True)
class InventoryItem:
    source_file: str
    change: Change
    path: Path | None  # None for a removed file
    doc_id: str | None


def find_pdfs(raw_dir: Path) -> list[Path]:
    """Every file under ``raw_dir`` named ``*.pdf`` (any case), hidden files aside, in a stable order."""
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and p.suffix.lower() == PDF_SUFFIX and not p.name.startswith(".")
    )


def take_inventory(raw_dir: Path, out_dir: Path, *, force: bool = False) -> list[InventoryItem]:
    """Classify every PDF under ``raw_dir`` (and every document gone from it)."""
    known = {
        row["source_file"]: row
        for row in read_dataset(out_dir, "documents").to_pylist()
        if row["status"] != "removed"
    }
    items: list[InventoryItem] = []
    for path in find_pdfs(raw_dir):
        source_file = source_file_of(path, raw_dir)
        doc_id = sha256_of(path)
        previous = known.pop(source_file, None)
        if previous is None:
            change: Change = "new"
        elif previous["doc_id"] == doc_id and previous["pipeline_version"] == PIPELINE_VERSION and not force:
            change = "unchanged"
        else:
            change = "changed"
        items.append(InventoryItem(source_file, change, path, doc_id))
    items.extend(InventoryItem(sf, "removed", None, row["doc_id"]) for sf, row in sorted(known.items()))
    return items


def count_changes(items: Sequence[InventoryItem]) -> dict[Change, int]:
    counts: dict[Change, int] = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
    for item in items:
        counts[item.change] += 1
    return counts
