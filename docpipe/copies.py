"""Copies of one issue: link them so that analysts count each article once.

The same digest often arrives twice: as the publisher's PDF with a text layer and as a
scan of the printed copy.  Both become documents with the same articles.  Documents with
the same ``doc_title``, ``issue_date`` and ``issue_label`` are copies of one issue; one of
them is preferred (the one read most from a text layer, which OCR cannot beat; then the one
with fewer problem pages; then the first by path, so the choice is stable) and the others
get ``documents.copy_of`` = its ``source_file`` and ``articles.preferred`` = false.

A document with neither an issue date nor an issue label is never linked: a title alone
(a series name, a book) does not prove two files are the same issue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from docpipe.schema import PARTITION_COLUMN, file_schema
from docpipe.storage import Location
from docpipe.writer import dataset_files, document_files, read_dataset, read_files, write_dataset_rows

#: Statuses of documents whose articles may be in the datasets, most preferred first: a
#: removed file's articles stay until --prune, and must not then count twice.
LINKABLE_STATUSES = ("ok", "partial", "removed")


@dataclass(frozen=True, slots=True)
class IssueCopy:
    """What choosing among copies needs to know of one document."""

    source_file: str
    doc_title: str | None
    issue_date: date | None
    issue_label: str | None
    status: str
    text_pages: int  # pages read from the text layer
    pages: int


def link_copies(documents: Sequence[IssueCopy]) -> dict[str, str | None]:
    """``copy_of`` for every document: the preferred copy's ``source_file``, or None.

    >>> digest = IssueCopy("digest-07-28.pdf", "汇编", date(2014, 7, 28), "第4期", "ok", 8, 8)
    >>> scan = IssueCopy("digest-07-28-scan.pdf", "汇编", date(2014, 7, 28), "第4期", "ok", 0, 8)
    >>> other = IssueCopy("digest-05-09.pdf", "汇编", date(2014, 5, 9), "第2期", "ok", 8, 8)
    >>> link_copies([scan, digest, other])
    {'digest-07-28-scan.pdf': 'digest-07-28.pdf', 'digest-07-28.pdf': None, 'digest-05-09.pdf': None}
    """
    groups: dict[tuple[str, date | None, str | None], list[IssueCopy]] = {}
    for document in documents:
        if _is_linkable(document):
            assert document.doc_title is not None
            key = (document.doc_title, document.issue_date, document.issue_label)
            groups.setdefault(key, []).append(document)
    links: dict[str, str | None] = {document.source_file: None for document in documents}
    for copies in groups.values():
        preferred = min(copies, key=_preference)
        for document in copies:
            if document is not preferred:
                links[document.source_file] = preferred.source_file
    return links


def _is_linkable(document: IssueCopy) -> bool:
    return (
        document.status in LINKABLE_STATUSES
        and bool(document.doc_title)
        and (document.issue_date is not None or bool(document.issue_label))
    )


def _preference(document: IssueCopy) -> tuple[bool, float, int, str]:
    """Smaller is better: a file still there, most text-layer pages, ok over partial, path order."""
    text_share = document.text_pages / document.pages if document.pages else 0.0
    removed = document.status == "removed"
    return (removed, -text_share, LINKABLE_STATUSES.index(document.status), document.source_file)


# --- applying the links to the datasets -----------------------------------------------


def issue_copies(out_dir: Location) -> tuple[list[IssueCopy], dict[str, Mapping[str, Any]]]:
    """Every document as an :class:`IssueCopy`, and its documents row by ``source_file``."""
    rows = {row["source_file"]: row for row in read_dataset(out_dir, "documents").to_pylist()}
    text_pages: dict[str, int] = {}
    files = dataset_files(out_dir, "pages")
    if files:
        columns = ["source_file", "method", "status"]
        table = read_files(out_dir, files, schema=file_schema("pages"), columns=columns)
        for page in table.to_pylist():
            if page["method"] == "text" and page["status"] != "failed":
                text_pages[page["source_file"]] = text_pages.get(page["source_file"], 0) + 1
    copies = [
        IssueCopy(
            source_file=source_file,
            doc_title=row["doc_title"],
            issue_date=row["issue_date"],
            issue_label=row["issue_label"],
            status=row["status"],
            text_pages=text_pages.get(source_file, 0),
            pages=row["pages"] or 0,
        )
        for source_file, row in sorted(rows.items())
    ]
    return copies, rows


def apply_copy_links(out_dir: Location) -> list[str]:
    """Write ``copy_of`` and ``preferred`` where they differ from :func:`link_copies`; return those files.

    Only the documents whose link changed are rewritten, documents row last (the
    same order as an ingest, so a crash between leaves the next run to finish it).
    """
    copies, rows = issue_copies(out_dir)
    changed: list[str] = []
    for source_file, copy_of in link_copies(copies).items():
        row = rows[source_file]
        preferred = copy_of is None
        marks = _read_articles(out_dir, row["doc_kind"], source_file, columns=["preferred"])
        if row["copy_of"] == copy_of and all(article["preferred"] is preferred for article in marks):
            continue
        articles = _read_articles(out_dir, row["doc_kind"], source_file) if marks else []
        if articles:  # else no articles file, or one of zero rows: nothing to mark
            write_dataset_rows(
                out_dir,
                "articles",
                row["doc_kind"],
                source_file,
                [{**article, "preferred": preferred} for article in articles],
            )
        write_dataset_rows(out_dir, "documents", row["doc_kind"], source_file, [{**row, "copy_of": copy_of}])
        changed.append(source_file)
    return changed


def _read_articles(
    out_dir: Location, doc_kind: str, source_file: str, *, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """A document's article rows; only ``columns`` when given (every run checks every document's marks)."""
    partition = f"{PARTITION_COLUMN}={doc_kind}"
    files = document_files(out_dir, "articles", source_file)
    files = [file for file in files if file.parent.name == partition]
    if not files:
        return []
    # The file schema, so that files written before `preferred` existed read it as null.
    return read_files(out_dir, files, schema=file_schema("articles"), columns=columns).to_pylist()
