"""Replace a document's rows with a run's result, or keep the previous rows because the result is worse.

A re-extraction that fails on more pages than the rows already written (or
fails as a whole where they did not) is most often transient: a page timed out
on a loaded machine, the disk or the cache was full, the file was being copied.
Writing it would replace good articles with nothing, so the previous articles
and pages stay; the documents row keeps its ``doc_id`` and ``pipeline_version``
(those of the rows it describes), records the failure as a warning starting
with :data:`RETRY_PENDING`, and the next run's inventory sees that mark and
tries the document again, until a run does as well as before.

``force`` (``docpipe run --force``) accepts a worse result only for a file whose
bytes have changed (a new ``doc_id``): the operator replaced the file and
asked for it to be taken as it now is.  For the same bytes, a worse result is
never accepted, forced or not: it cannot be the better reading of that file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

Row = dict[str, Any]

#: How a documents row says its rows are older than its last attempt, which failed.
RETRY_PENDING = "kept the previous rows, retried next run:"
#: Document statuses whose rows are worth keeping over a worse result.
GOOD_STATUSES = ("ok", "partial")


def failure_count(document: Mapping[str, Any], pages: Sequence[Mapping[str, Any]]) -> float:
    """How much of a document failed: its failed pages, or infinity when it failed as a whole.

    >>> failure_count({"status": "partial"}, [{"status": "ok"}, {"status": "failed"}])
    1
    >>> failure_count({"status": "failed"}, [])
    inf
    """
    if document["status"] == "failed":
        return math.inf
    return sum(1 for page in pages if page["status"] == "failed")


def keeps_previous(
    previous: Mapping[str, Any] | None,
    previous_pages: Sequence[Mapping[str, Any]],
    new: Mapping[str, Any],
    new_pages: Sequence[Mapping[str, Any]],
    *,
    force: bool = False,
) -> bool:
    """Whether the previous rows of a document stay instead of the new ones.

    >>> good = {"status": "ok", "doc_id": "a"}
    >>> keeps_previous(good, [], {"status": "failed", "doc_id": "a"}, [])
    True
    >>> keeps_previous(good, [], {"status": "partial", "doc_id": "a"}, [{"status": "failed"}])
    True
    >>> keeps_previous(good, [], {"status": "ok", "doc_id": "b"}, [])
    False
    >>> keeps_previous(good, [], {"status": "failed", "doc_id": "b"}, [], force=True)
    False
    >>> keeps_previous(good, [], {"status": "failed", "doc_id": "a"}, [], force=True)
    True
    >>> keeps_previous({"status": "removed", "doc_id": "a"}, [], {"status": "failed", "doc_id": "a"}, [])
    False
    """
    if previous is None or previous["status"] not in GOOD_STATUSES:
        return False
    if force and new["doc_id"] != previous["doc_id"]:
        return False
    return failure_count(new, new_pages) > failure_count(previous, previous_pages)


def kept_document_row(
    previous: Mapping[str, Any],
    previous_pages: Sequence[Mapping[str, Any]],
    new: Mapping[str, Any],
    new_pages: Sequence[Mapping[str, Any]],
    *,
    ingested_at: datetime,
) -> Row:
    """The previous documents row (without its ``doc_kind``), with this attempt's failure as a warning."""
    if new["status"] == "failed":
        what = f"this run failed: {new['error']}"
    else:
        what = (
            f"this run failed on {failure_count(new, new_pages):.0f} pages "
            f"(the kept rows on {failure_count(previous, previous_pages):.0f})"
        )
    earlier = [warning for warning in previous["warnings"] if not warning.startswith(RETRY_PENDING)]
    row = {
        **previous,
        "warnings": [f"{RETRY_PENDING} {what}", *earlier],
        "ingested_at": ingested_at,
    }
    row.pop("doc_kind", None)
    return row


def retry_pending(document: Mapping[str, Any]) -> bool:
    """Whether a documents row keeps older rows after a failed attempt (so the next run tries again).

    >>> retry_pending({"warnings": [f"{RETRY_PENDING} this run failed: not a PDF"]})
    True
    >>> retry_pending({"warnings": ["pages failed: 3"]})
    False
    """
    return any(warning.startswith(RETRY_PENDING) for warning in document["warnings"] or ())
