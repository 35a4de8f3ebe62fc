"""Transient failures heal: which failed pages a run tries again, and how often each was tried.

A page that failed (an OCR timeout on a loaded machine, a crashed engine) belongs to a
document whose bytes have not changed, so the inventory alone would skip it forever.
Every run therefore also re-extracts the failed pages of unchanged documents, until a
page has had ``Settings.retry_failed`` attempts in all (``pages.attempts``); a page that
fails that often is left for an operator (``docpipe pages``, ``docpipe retry``).
Low-confidence pages are not retried by themselves: the same settings read them the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from docpipe.schema import file_schema
from docpipe.storage import Location
from docpipe.writer import dataset_files, read_files

Row = Mapping[str, Any]

#: Columns of the pages dataset that healing needs (the text columns are large).
_COLUMNS = ["source_file", "doc_id", "page", "status", "attempts"]


def pages_to_heal(
    pages: Iterable[Row], *, unchanged: Mapping[str, str], max_attempts: int
) -> dict[str, list[int]]:
    """The failed pages to try again, by document: of unchanged documents, under the attempt limit.

    ``unchanged`` maps the ``source_file`` of each unchanged document to its
    ``doc_id``; a page row of another version of the file is not this file's page.
    ``attempts`` is null in rows written before it was recorded: one attempt.

    >>> rows = [
    ...     {"source_file": "a.pdf", "doc_id": "1", "page": 2, "status": "failed", "attempts": 1},
    ...     {"source_file": "a.pdf", "doc_id": "1", "page": 3, "status": "failed", "attempts": 3},
    ...     {"source_file": "a.pdf", "doc_id": "1", "page": 4, "status": "low_confidence", "attempts": 1},
    ...     {"source_file": "b.pdf", "doc_id": "9", "page": 1, "status": "failed", "attempts": None},
    ...     {"source_file": "c.pdf", "doc_id": "5", "page": 1, "status": "failed", "attempts": 1},
    ... ]
    >>> pages_to_heal(rows, unchanged={"a.pdf": "1", "b.pdf": "9"}, max_attempts=3)
    {'a.pdf': [2], 'b.pdf': [1]}
    >>> pages_to_heal(rows, unchanged={"a.pdf": "1"}, max_attempts=0)
    {}
    """
    heal: dict[str, list[int]] = {}
    for row in pages:
        source_file = row["source_file"]
        if row["status"] != "failed" or unchanged.get(source_file) != row["doc_id"]:
            continue
        if (row["attempts"] or 1) < max_attempts:
            heal.setdefault(source_file, []).append(row["page"])
    return {source_file: sorted(numbers) for source_file, numbers in heal.items()}


def count_attempts(
    pages: Sequence[Row], previous: Mapping[int, int], *, redone: Collection[int] | None
) -> list[dict[str, Any]]:
    """The page rows with ``attempts`` counted across runs.

    ``previous`` holds the attempts recorded for this version of the document,
    by page.  A page extracted in this run (every page when ``redone`` is None,
    else those in ``redone``) adds one; a page kept from before keeps its count.

    >>> rows = [{"page": 1, "attempts": 1}, {"page": 2, "attempts": 1}]
    >>> [row["attempts"] for row in count_attempts(rows, {1: 1, 2: 2}, redone=[2])]
    [1, 3]
    >>> [row["attempts"] for row in count_attempts(rows, {}, redone=None)]
    [1, 1]
    """
    counted = []
    for row in pages:
        number = row["page"]
        extracted_now = redone is None or number in redone
        attempts = previous.get(number, 0) + 1 if extracted_now else previous.get(number, 1)
        counted.append({**row, "attempts": attempts})
    return counted


def read_page_states(out_dir: Location) -> list[dict[str, Any]]:
    """Every pages row's ``source_file``, ``doc_id``, ``page``, ``status`` and ``attempts``."""
    return _read(out_dir, dataset_files(out_dir, "pages"))


def attempts_by_page(previous_pages: Iterable[Row], *, source_file: str, doc_id: str) -> dict[int, int]:
    """Attempts recorded for each page of this version (``doc_id``) of ``source_file``.

    ``previous_pages`` are the document's pages rows as the datasets hold them, read
    once for the document (its write compares with them too); a row written before
    ``attempts`` was recorded has none: one attempt.

    >>> rows = [
    ...     {"source_file": "a.pdf", "doc_id": "1", "page": 1, "attempts": 2},
    ...     {"source_file": "a.pdf", "doc_id": "1", "page": 2},
    ...     {"source_file": "a.pdf", "doc_id": "0", "page": 3, "attempts": 3},
    ... ]
    >>> attempts_by_page(rows, source_file="a.pdf", doc_id="1")
    {1: 2, 2: 1}
    """
    return {
        row["page"]: row.get("attempts") or 1
        for row in previous_pages
        if row["doc_id"] == doc_id and row["source_file"] == source_file
    }


def _read(out_dir: Location, files: Sequence[PurePath]) -> list[dict[str, Any]]:
    if not files:
        return []
    # The file schema, so that files written before `attempts` existed read it as null.
    return read_files(out_dir, files, schema=file_schema("pages"), columns=_COLUMNS).to_pylist()
