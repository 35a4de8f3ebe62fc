"""What a run has to do: compare the raw directory with what the datasets already hold.

A document is its sha256.  A file whose hash and pipeline version match its
``documents`` row is unchanged and skipped; a new or changed file is ingested
(its old rows are replaced, never duplicated); a file that has gone is removed.

No single entry of the raw directory can stop a run: whatever cannot be
ingested (an unreadable file, a symlink loop, a broken symlink, a directory or a
FIFO named ``*.pdf``, a second name for a file already found) becomes an item
with a ``problem``, which the flow records as one ``failed`` documents row, and
the next run skips it as long as nothing about it has changed.

The raw directory may also be a prefix in an object store (``s3://bucket/raw``):
see :mod:`docpipe.raw_objects` for how its objects are hashed and copied locally.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from docpipe import PIPELINE_VERSION
from docpipe.extract.pdf import sha256_of
from docpipe.keep_or_replace import retry_pending
from docpipe.raw_objects import (
    HashIndex,
    RawObject,
    copies_directory,
    fetch_copy,
    find_objects,
)
from docpipe.storage import Location, Store, is_object_store, local_path, open_store
from docpipe.writer import read_dataset

Change = Literal["new", "changed", "unchanged", "removed"]
PDF_SUFFIX = ".pdf"


@dataclass(frozen=True, slots=True)
class InventoryItem:
    source_file: str
    change: Change
    #: A local file; None for a removed file, or an unchanged object-store PDF not copied locally.
    path: Path | None
    doc_id: str | None
    #: Why the entry cannot be ingested (its failed row's ``error``); None for an ingestable file.
    problem: str | None = None
    #: A second name for a file ingested under another: its own earlier rows are duplicates to drop.
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One ``*.pdf`` name found under the raw directory, and what is wrong with it, if anything."""

    path: Path
    source_file: str
    problem: str | None = None
    #: A second name for a file found under another name: readable, so hashed, but not ingested twice.
    duplicate: bool = False


def source_file_for(path: Path, raw_dir: Path) -> str:
    """The ``source_file`` of a path under ``raw_dir``: ``/``-separated, NFC, valid UTF-8.

    As :func:`docpipe.schema.source_file_of`, except that a name which is not
    valid UTF-8 (Python hands its bytes over as lone surrogates, which Parquet
    cannot store) keeps each undecodable byte as a ``\\xHH`` escape; a literal
    backslash is escaped too (``\\x5c``), so no two names share one value.

    >>> source_file_for(Path("raw/2014/digest.pdf"), Path("raw"))
    '2014/digest.pdf'
    >>> source_file_for(Path("raw") / "b\\udcffd.pdf", Path("raw"))
    'b\\\\xffd.pdf'
    >>> source_file_for(Path("raw/a\\\\b.pdf"), Path("raw"))
    'a\\\\x5cb.pdf'
    """
    relative = path.relative_to(raw_dir).as_posix()
    return unicodedata.normalize("NFC", "".join(_escape_undecodable(char) for char in relative))


def _escape_undecodable(char: str) -> str:
    if char == "\\":
        return "\\x5c"
    if 0xDC80 <= ord(char) <= 0xDCFF:  # os.fsdecode's surrogateescape of one undecodable byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char


def escape_normalisation(path: Path, raw_dir: Path) -> str:
    """A ``source_file`` for a name that loses to its NFC twin: its decomposed characters as ``\\uXXXX``.

    Keeps the name readable and distinct from the winner's (NFC) ``source_file``.

    >>> escape_normalisation(Path("raw") / "cafe\\u0301.pdf", Path("raw"))
    'cafe\\\\u0301.pdf'
    """
    relative = "".join(_escape_undecodable(char) for char in path.relative_to(raw_dir).as_posix())
    escaped = "".join(
        f"\\u{ord(char):04x}" if unicodedata.combining(char) or 0x1100 <= ord(char) <= 0x11FF else char
        for char in relative
    )
    if unicodedata.normalize("NFC", escaped) != escaped:
        escaped = relative.encode("ascii", "backslashreplace").decode("ascii")
    return escaped


def find_entries(raw_dir: Path) -> list[RawEntry]:
    """Every ``*.pdf`` name (any case) under ``raw_dir``, hidden names aside, in a stable order.

    Directory symlinks are not followed (no loops, no second copy of a tree).  A
    file symlink to a file found under another name is a duplicate; so is a name
    that differs from another only in Unicode normalisation (macOS writes NFD).
    """
    entries = [RawEntry(path, source_file_for(path, raw_dir), problem) for path, problem in _walk(raw_dir)]
    entries = _mark_symlink_duplicates(entries, raw_dir)
    return sorted(_mark_normalisation_twins(entries, raw_dir), key=lambda entry: entry.source_file)


def find_pdfs(raw_dir: Path) -> list[Path]:
    """The ingestable PDF files under ``raw_dir`` (see :func:`find_entries`)."""
    return [entry.path for entry in find_entries(raw_dir) if entry.problem is None]


def _walk(directory: Path, *, top: bool = True) -> Iterator[tuple[Path, str | None]]:
    try:
        with os.scandir(directory) as listing:
            children = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        if top:
            raise  # no raw directory at all: the run has nothing to do, and must say so
        yield directory, f"directory cannot be listed ({error.strerror}): the PDFs in it are not ingested"
        return
    for child in children:
        if child.name.startswith("."):
            continue
        path = Path(child.path)
        named_pdf = child.name.lower().endswith(PDF_SUFFIX)
        if _is_directory(child):
            if named_pdf:
                yield path, "a directory, not a PDF file (the PDFs inside it are ingested on their own)"
            if not child.is_symlink():
                yield from _walk(path, top=False)
        elif named_pdf:
            yield path, _file_problem(path)


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file, or None; reading it is left to hashing."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop: the link never reaches a file"
        if path.is_symlink():
            return f"broken symlink: its target {_link_target(path)} does not exist"
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device)"
    return None


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path).encode("utf-8", "backslashreplace").decode("utf-8")
    except OSError:
        return "(unreadable)"


def _mark_symlink_duplicates(entries: list[RawEntry], raw_dir: Path) -> list[RawEntry]:
    """A symlink to a file that another entry also reaches is a duplicate of that entry.

    The entry that is not a symlink wins (it is where the file really is); among
    symlinks only, the first name wins.
    """
    by_target: dict[str, list[RawEntry]] = {}
    for entry in entries:
        if entry.problem is None:
            by_target.setdefault(os.path.realpath(entry.path), []).append(entry)
    duplicates: dict[Path, str] = {}
    for group in by_target.values():
        if len(group) < 2:
            continue
        winner = min(group, key=lambda entry: (entry.path.is_symlink(), entry.source_file))
        for entry in group:
            if entry is not winner:
                duplicates[entry.path] = f"symlink to {winner.source_file}, which is ingested under that name"
    return [
        replace(entry, problem=duplicates[entry.path], duplicate=True) if entry.path in duplicates else entry
        for entry in entries
    ]


def _mark_normalisation_twins(entries: list[RawEntry], raw_dir: Path) -> list[RawEntry]:
    """Names that are equal after NFC share one ``source_file``: one keeps it, the others become failed rows.

    The name already in NFC wins (else the first); each other twin gets its own
    escaped ``source_file``, so no twin overwrites another's rows.
    """
    by_source: dict[str, list[RawEntry]] = {}
    for entry in entries:
        by_source.setdefault(entry.source_file, []).append(entry)
    marked: list[RawEntry] = []
    for source_file, group in by_source.items():
        if len(group) == 1:
            marked.extend(group)
            continue
        raw_names = {entry.path: os.fsdecode(entry.path) for entry in group}
        winner = min(
            group,
            key=lambda entry: (
                unicodedata.normalize("NFC", raw_names[entry.path]) != raw_names[entry.path],
                raw_names[entry.path],
            ),
        )
        marked.append(winner)
        marked.extend(
            RawEntry(
                entry.path,
                escape_normalisation(entry.path, raw_dir),
                f"duplicate of {source_file}: the two names differ only in Unicode normalisation",
                duplicate=entry.problem is None or entry.duplicate,
            )
            for entry in group
            if entry is not winner
        )
    return marked


def take_inventory(
    raw_dir: Location,
    out_dir: Location,
    *,
    force: bool = False,
    documents: Sequence[Mapping[str, Any]] | None = None,
) -> list[InventoryItem]:
    """Classify every PDF under ``raw_dir`` (and every document gone from it).

    ``documents``: the documents dataset's rows, when the caller has read them already.
    """
    if documents is None:
        documents = read_dataset(out_dir, "documents").to_pylist()
    known = {row["source_file"]: dict(row) for row in documents if row["status"] != "removed"}
    items: list[InventoryItem] = []
    if is_object_store(raw_dir):
        items = _object_items(raw_dir, out_dir, known, force=force)
    else:
        for entry in find_entries(local_path(raw_dir)):
            doc_id, problem = _hash(entry)
            previous = known.pop(entry.source_file, None)
            change = _change(previous, doc_id, problem, force=force)
            items.append(
                InventoryItem(entry.source_file, change, entry.path, doc_id, problem, entry.duplicate)
            )
    items.extend(InventoryItem(sf, "removed", None, row["doc_id"]) for sf, row in sorted(known.items()))
    return items


def _object_items(
    raw_dir: Location, out_dir: Location, known: dict[str, dict[str, Any]], *, force: bool
) -> list[InventoryItem]:
    """The inventory of an object store's PDFs; pops each one found from ``known``.

    A PDF to ingest is copied locally (see :mod:`docpipe.raw_objects`), and so is an
    unchanged one whose last result was not ``ok``: its failed pages may be retried.
    """
    store = open_store(raw_dir)
    hashes = HashIndex(out_dir)
    copies = copies_directory(raw_dir)
    items: list[InventoryItem] = []
    found: set[str] = set()
    for obj in find_objects(store):
        if obj.source_file in found:
            continue  # a key equal to another after NFC: the first one is the document
        found.add(obj.source_file)
        previous = known.pop(obj.source_file, None)
        try:
            path, doc_id = _object_copy(store, obj, hashes, copies, previous, force=force)
        except OSError as error:
            problem = f"cannot be read from {store.uri(obj.key)} ({error.strerror or error})"
            change = _change(previous, None, problem, force=force)
            items.append(InventoryItem(obj.source_file, change, None, None, problem))
            continue
        change = _change(previous, doc_id, None, force=force)
        items.append(InventoryItem(obj.source_file, change, path, doc_id))
    hashes.keep_only(found)
    hashes.save()
    return items


def _object_copy(
    store: Store,
    obj: RawObject,
    hashes: HashIndex,
    copies: Path,
    previous: dict[str, Any] | None,
    *,
    force: bool,
) -> tuple[Path | None, str]:
    """The object's local copy when this run needs one (else None), and its sha256."""
    doc_id = hashes.sha256(obj)
    if doc_id is None:
        path, doc_id = fetch_copy(store, obj, copies)
        hashes.remember(obj, doc_id)
        return path, doc_id
    change = _change(previous, doc_id, None, force=force)
    if change == "unchanged" and previous is not None and previous["status"] == "ok":
        return None, doc_id
    path, content_id = fetch_copy(store, obj, copies, expected=doc_id)
    if content_id != doc_id:
        # Rewritten with the same size in the same second: what was downloaded is the document.
        hashes.remember(obj, content_id)
    return path, content_id


def removed_with_rows(out_dir: Location) -> list[str]:
    """Documents recorded ``removed`` whose articles or pages are still in the datasets (for ``--prune``)."""
    removed = {
        row["source_file"]
        for row in read_dataset(out_dir, "documents").to_pylist()
        if row["status"] == "removed"
    }
    holding = set(read_dataset(out_dir, "articles", columns=["source_file"])["source_file"].to_pylist())
    holding |= set(read_dataset(out_dir, "pages", columns=["source_file"])["source_file"].to_pylist())
    return sorted(removed & holding)


def _hash(entry: RawEntry) -> tuple[str | None, str | None]:
    if entry.problem is not None and not entry.duplicate:
        return None, entry.problem
    try:
        return sha256_of(entry.path), entry.problem
    except OSError as error:
        return None, entry.problem or f"cannot be read ({error.strerror})"


def _change(
    previous: dict[str, Any] | None, doc_id: str | None, problem: str | None, *, force: bool
) -> Change:
    if previous is None:
        return "new"
    same = (
        previous["doc_id"] == doc_id
        and previous["pipeline_version"] == PIPELINE_VERSION
        and not retry_pending(previous)
    )
    if problem is not None:
        # The same problem as last time: its failed row already says so.
        same = same and previous["status"] == "failed" and previous["error"] == problem
    return "unchanged" if same and not force else "changed"


def count_changes(items: Sequence[InventoryItem]) -> dict[Change, int]:
    counts: dict[Change, int] = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
    for item in items:
        counts[item.change] += 1
    return counts


def raw_paths(raw_dir: Location, source_files: Iterable[str]) -> dict[str, Path]:
    """Local files to read the given documents from (a retry), by ``source_file``.

    A document no longer in the raw directory (or that cannot be copied from
    the object store) maps to a path where it is not, which then fails to open.
    """
    wanted = set(source_files)
    if not is_object_store(raw_dir):
        directory = local_path(raw_dir)
        found = {entry.source_file: entry.path for entry in find_entries(directory)}
        return {source_file: found.get(source_file, directory / source_file) for source_file in wanted}
    store, copies = open_store(raw_dir), copies_directory(raw_dir)
    paths: dict[str, Path] = {}
    for obj in find_objects(store):
        if obj.source_file in wanted and obj.source_file not in paths:
            try:
                paths[obj.source_file] = fetch_copy(store, obj, copies)[0]
            except OSError:
                continue
    return {source_file: paths.get(source_file, copies / source_file) for source_file in wanted}
