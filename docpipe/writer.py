"""Write docpipe's datasets as Parquet: one file per document per dataset, replaced atomically.

Layout under the output directory::

    articles/doc_kind=<kind>/<document key>.parquet     one file per document
    pages/doc_kind=<kind>/<document key>.parquet
    documents/doc_kind=<kind>/<document key>.parquet
    runs/<run_id>.parquet                               one file per run

The document key depends only on ``source_file``, so re-processing a changed
document (new ``doc_id``) overwrites its file instead of adding rows beside
the old ones, and writing it under another ``doc_kind`` removes the file left
in the other partition.  A document with no rows still gets a (zero-row) file:
it says "this document has no articles" and replaces whatever rows it had.

The output is a local directory or a prefix in an object store
(:mod:`docpipe.storage`); every function here takes either.  On local disk every
file is written to a temporary file in its own directory, fsync'd and renamed
over the target with :func:`os.replace`, so readers see the old file or the new
one, never half of one.  Temporary names start with ``.`` and end with ``.tmp``:
pyarrow (hence pandas) skips files starting with ``.`` or ``_`` when it lists a
directory, while DuckDB and polars skip nothing by prefix and only avoid the
temporary files because their ``*.parquet`` glob does not match ``.tmp``.  (For
that reason read polars with a glob, not the bare directory, which it refuses
when it holds files of two extensions.)

In an object store each file is one PUT of a complete file, visible only once
uploaded, so there are no temporary objects.  A document's files are written in
the order the flow gives (articles, pages, then its documents row): the
documents row is the commit point.  A run killed between them leaves new
articles or pages beside the old documents row, whose ``doc_id`` (or
``pipeline_version``) then no longer matches the file, so the next run ingests
the document again; a reader who wants only committed documents joins articles
to documents on ``doc_id``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from docpipe import PIPELINE_VERSION
from docpipe.schema import (
    PARTITION_COLUMN,
    PARTITIONED_DATASETS,
    SCHEMAS,
    allowed_values,
    file_schema,
)
from docpipe.storage import TEMP_PREFIX as TEMP_PREFIX  # the writer's temporary names, re-exported
from docpipe.storage import TEMP_SUFFIX as TEMP_SUFFIX
from docpipe.storage import LocalStore, Location, ObjectStore, Store, open_store

PARQUET_SUFFIX = ".parquet"
#: zstd compresses Chinese text markedly better than the default snappy, and
#: pyarrow, DuckDB and polars all read it.
COMPRESSION = "zstd"
#: Characters of the source path kept, readable, in a document key.
SLUG_MAX_CHARS = 60
#: Hex digits of sha256(source_file) that make a document key unique.
KEY_HASH_DIGITS = 10

_NOT_SLUG = re.compile(r"[^\w-]+")
#: A backslash not starting one of the escapes docpipe.inventory.source_file_for writes.
_STRAY_BACKSLASH = re.compile(r"\\(?!x[0-9a-f]{2}|u[0-9a-f]{4})")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class OutputUnwritable(Exception):
    """The datasets cannot be written (a full, read-only or failing volume): nothing was replaced."""

    @classmethod
    def from_os_error(cls, out_dir: Location, error: OSError) -> OutputUnwritable:
        reason = error.strerror or str(error) or type(error).__name__
        return cls(
            f"cannot write to {out_dir}: {reason}; nothing already written was replaced, "
            "free the volume and run again"
        )


# --- names --------------------------------------------------------------------------


def document_key(source_file: str) -> str:
    """The file stem of a document in every dataset: a readable slug plus a hash of the path.

    The slug alone could collide (``a/b.pdf`` and ``a-b.pdf``) and the hash alone
    says nothing to a person listing the directory.  Leading ``_`` is stripped
    from the slug because pyarrow would silently skip such a file.

    >>> document_key("2014/digest-2014-07-28.pdf")
    '2014-digest-2014-07-28-66b73e9dd7'
    >>> document_key("电子政务信息汇编 第3期.pdf")
    '电子政务信息汇编-第3期-beb7830370'
    """
    check_source_file(source_file)
    slug = _NOT_SLUG.sub("-", str(PurePosixPath(source_file).with_suffix("")))
    slug = slug.strip("-_")[:SLUG_MAX_CHARS].rstrip("-_")
    digest = hashlib.sha256(source_file.encode("utf-8")).hexdigest()[:KEY_HASH_DIGITS]
    return f"{slug}-{digest}" if slug else digest


def check_source_file(source_file: str) -> None:
    """Raise ValueError unless ``source_file`` is what :func:`source_file_of` produces.

    The file name is derived from it, so two spellings of one path would give
    one document two files and duplicate its rows.  A backslash may only start
    an escape of a byte or character (``\\xff``, ``\\u0301``) as
    :func:`docpipe.inventory.source_file_for` writes for names that are not
    valid UTF-8 or that lose to their NFC twin; anything else is a Windows separator.
    """
    path = PurePosixPath(source_file)
    if (
        not source_file
        or _STRAY_BACKSLASH.search(source_file)
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in source_file.split("/"))
        or unicodedata.normalize("NFC", source_file) != source_file
    ):
        raise ValueError(
            f"source_file must be a relative, '/'-separated, NFC path as made by "
            f"docpipe.schema.source_file_of, got {source_file!r}"
        )


def document_file(dataset: str, doc_kind: str, source_file: str) -> str:
    """A document's file of a partitioned dataset, relative to the output directory.

    >>> document_file("articles", "digest", "2014/digest-2014-07-28.pdf")
    'articles/doc_kind=digest/2014-digest-2014-07-28-66b73e9dd7.parquet'
    """
    _check_partitioned(dataset)
    return f"{dataset}/{PARTITION_COLUMN}={doc_kind}/{document_key(source_file)}{PARQUET_SUFFIX}"


def document_path(out_dir: Path, dataset: str, doc_kind: str, source_file: str) -> Path:
    """Where a document's rows of a partitioned dataset live in a local output directory."""
    return out_dir / document_file(dataset, doc_kind, source_file)


def document_exists(out_dir: Location, dataset: str, doc_kind: str, source_file: str) -> bool:
    """Whether the document has a file of ``dataset`` under ``doc_kind``."""
    return open_store(out_dir).exists(document_file(dataset, doc_kind, source_file))


def run_file(run_id: str) -> str:
    """A run's file, relative to the output directory; the run id is its name, so it must be safe as one."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"run_id must match {_RUN_ID.pattern} (no ':' or '/'), got {run_id!r}")
    return f"runs/{run_id}{PARQUET_SUFFIX}"


def run_path(out_dir: Path, run_id: str) -> Path:
    """Where a run's row lives in a local output directory."""
    return out_dir / run_file(run_id)


# --- writing ------------------------------------------------------------------------


def write_dataset_rows(
    out_dir: Location,
    dataset: str,
    doc_kind: str,
    source_file: str,
    rows: Sequence[Mapping[str, Any]],
) -> PurePath:
    """Replace one document's rows of a partitioned dataset; return the file written.

    Each row has exactly the dataset's file columns; it may also carry
    ``doc_kind`` (which must equal the argument) and may omit
    ``pipeline_version`` (filled with :data:`docpipe.PIPELINE_VERSION`).  Every
    row's ``source_file`` must equal ``source_file``.  An empty ``rows`` writes
    a zero-row file.  The document's file under any other ``doc_kind`` of this
    dataset is removed after the new file is in place: a crash in between
    leaves both, never neither, and the next write of the document tidies up.
    """
    _check_partitioned(dataset)
    kinds = allowed_values(SCHEMAS[dataset].field(PARTITION_COLUMN))
    if doc_kind not in kinds:
        raise ValueError(f"{dataset}: doc_kind must be one of {', '.join(kinds)}, got {doc_kind!r}")
    relative = document_file(dataset, doc_kind, source_file)
    table = build_table(dataset, rows, doc_kind=doc_kind)
    wrong_source = pc.unique(pc.filter(table["source_file"], pc.not_equal(table["source_file"], source_file)))
    if len(wrong_source):
        raise ValueError(f"{dataset}: rows of {source_file!r} carry source_file {wrong_source.to_pylist()!r}")
    store = open_store(out_dir)
    store.write_atomically(relative, parquet_bytes(table))
    for other in _partition_files(store, dataset, source_file):
        if other != relative:
            store.remove(other)
    return store.full_path(relative)


def write_run(out_dir: Location, row: Mapping[str, Any]) -> PurePath:
    """Write a run's row to ``runs/<run_id>.parquet``; return the file written."""
    relative = run_file(str(row.get("run_id")))
    store = open_store(out_dir)
    store.write_atomically(relative, parquet_bytes(build_table("runs", [row])))
    return store.full_path(relative)


def parquet_bytes(table: pa.Table) -> bytes:
    """The Parquet file of ``table``, complete in memory before any of it is written anywhere."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=COMPRESSION)
    return bytes(sink.getvalue().to_pybytes())


def remove_leftover_temp_files(out_dir: Location) -> list[Path]:
    """Delete every temporary file a killed run left in the datasets; return them.

    Only safe while holding the output lock, before writing: then no write of
    this run or another is in progress, so no temporary file is live.  An
    object store has no temporary files (see :mod:`docpipe.storage`).
    """
    store = open_store(out_dir)
    if not isinstance(store, LocalStore):
        return []
    return [path for dataset in SCHEMAS for path in store.remove_temp_files(dataset)]


def remove_document(
    out_dir: Location, source_file: str, *, datasets: Iterable[str] = PARTITIONED_DATASETS
) -> list[PurePath]:
    """Delete a document's files (under every ``doc_kind``) from the given datasets.

    Used by ``--prune`` for files gone from the raw directory, and to drop the
    articles and pages of a document that now fails.  Returns the files removed.
    """
    store = open_store(out_dir)
    removed: list[PurePath] = []
    for dataset in datasets:
        _check_partitioned(dataset)
        for relative in _partition_files(store, dataset, source_file):
            if store.remove(relative):
                removed.append(store.full_path(relative))
    return removed


def _partition_files(store: Store, dataset: str, source_file: str) -> list[str]:
    """The document's possible files of ``dataset``, one per existing ``doc_kind`` partition."""
    key_file = f"{document_key(source_file)}{PARQUET_SUFFIX}"
    return [
        f"{dataset}/{partition}/{key_file}"
        for partition in store.subdirectories(dataset)
        if partition.startswith(f"{PARTITION_COLUMN}=")
    ]


def build_table(dataset: str, rows: Sequence[Mapping[str, Any]], *, doc_kind: str | None = None) -> pa.Table:
    """Build and validate a dataset's file table (no partition column) from row dicts.

    ``pa.Table.from_pylist`` alone would drop unknown keys and turn missing ones
    into nulls, so a misspelt key would silently empty a column: keys are checked
    first.  Naive datetimes are refused because Arrow would take them as UTC.
    """
    schema = file_schema(dataset)
    expected = set(schema.names)
    complete_rows: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        row = dict(row)
        if PARTITION_COLUMN in row and dataset in PARTITIONED_DATASETS:
            if row.pop(PARTITION_COLUMN) != doc_kind:
                raise ValueError(f"{dataset} row {index}: doc_kind differs from the partition {doc_kind!r}")
        row.setdefault("pipeline_version", PIPELINE_VERSION)
        missing, unknown = expected - row.keys(), row.keys() - expected
        if missing or unknown:
            raise ValueError(
                f"{dataset} row {index}: missing columns {sorted(missing)}, unknown columns {sorted(unknown)}"
            )
        for field in schema:
            value = row[field.name]
            if pa.types.is_timestamp(field.type) and isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError(f"{dataset} row {index}: {field.name} is a naive datetime; give it a tzinfo")
        complete_rows.append(row)
    table = pa.Table.from_pylist(complete_rows, schema=schema)
    validate_table(dataset, table)
    return table


def validate_table(dataset: str, table: pa.Table) -> None:
    """Raise ValueError where a file table breaks its schema in ways Arrow does not check.

    Arrow types are enforced when the table is built, but not nullability, nor
    the allowed values of the string enumerations.
    """
    schema = file_schema(dataset)
    if not table.schema.equals(schema):
        raise ValueError(f"{dataset}: table schema differs from docpipe.schema:\n{table.schema}")
    for field in schema:
        values = table[field.name]
        if not field.nullable and values.null_count:
            raise ValueError(f"{dataset}.{field.name}: {values.null_count} null(s) in a non-nullable column")
        allowed = allowed_values(field)
        if allowed:
            present = pc.drop_null(values)
            outside = pc.unique(pc.filter(present, pc.invert(pc.is_in(present, value_set=pa.array(allowed)))))
            if len(outside):
                raise ValueError(
                    f"{dataset}.{field.name}: values {outside.to_pylist()!r} not among {list(allowed)!r}"
                )


def _check_partitioned(dataset: str) -> None:
    if dataset not in PARTITIONED_DATASETS:
        raise ValueError(f"{dataset!r} is not one of the per-document datasets {PARTITIONED_DATASETS}")


# --- reading ------------------------------------------------------------------------


def dataset_files(out_dir: Location, dataset: str) -> list[PurePath]:
    """The dataset's Parquet files, found by the same glob DuckDB and polars are given.

    Paths in the output's filesystem: read them with :func:`read_files`.
    """
    pattern = (
        f"{PARTITION_COLUMN}=*/*{PARQUET_SUFFIX}" if dataset in PARTITIONED_DATASETS else f"*{PARQUET_SUFFIX}"
    )
    store = open_store(out_dir)
    return [store.full_path(relative) for relative in sorted(store.glob(dataset, pattern))]


def document_files(out_dir: Location, dataset: str, source_file: str) -> list[PurePath]:
    """The document's files of a partitioned dataset (one, or two after a crash during a kind change)."""
    store = open_store(out_dir)
    return [
        store.full_path(relative)
        for relative in _partition_files(store, dataset, source_file)
        if store.exists(relative)
    ]


def read_files(
    out_dir: Location,
    files: Sequence[PurePath],
    *,
    schema: pa.Schema,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Read files found by :func:`dataset_files` or :func:`document_files` as one table of ``schema``."""
    dataset = ds.dataset(
        [str(file) for file in files],
        schema=schema,
        format="parquet",
        filesystem=open_store(out_dir).reader_filesystem(),
    )
    return dataset.to_table(columns=None if columns is None else list(columns))


def read_document_rows(out_dir: Location, dataset: str, source_file: str) -> list[dict[str, Any]]:
    """One document's rows of a partitioned dataset, ``doc_kind`` included, read from its own files only."""
    _check_partitioned(dataset)
    filesystem = open_store(out_dir).reader_filesystem()
    rows: list[dict[str, Any]] = []
    for path in document_files(out_dir, dataset, source_file):
        doc_kind = path.parent.name.partition("=")[2]
        table = pq.read_table(str(path), filesystem=filesystem)
        rows.extend({**row, PARTITION_COLUMN: doc_kind} for row in table.to_pylist())
    return rows


def read_dataset(out_dir: Location, dataset: str, *, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a whole dataset with its full schema (``doc_kind`` from the directories), or only ``columns``.

    Returns an empty table with the full schema when nothing has been written.
    """
    file_schema(dataset)  # raises on an unknown dataset
    schema = SCHEMAS[dataset]
    files = dataset_files(out_dir, dataset)
    if not files:
        empty = schema.empty_table()
        return empty if columns is None else empty.select(list(columns))
    partitioning = (
        ds.partitioning(pa.schema([schema.field(PARTITION_COLUMN)]), flavor="hive")
        if dataset in PARTITIONED_DATASETS
        else None
    )
    store = open_store(out_dir)
    # A list of files costs a HEAD request per object to learn its size; listing the
    # directory learns every size at once.  Only an object store may be listed so:
    # on local disk the list leaves out the temporary files of a write in progress.
    source: str | list[str] = (
        str(store.full_path(dataset))
        if isinstance(store, ObjectStore)
        else [str(file) for file in files]
    )
    return ds.dataset(
        source,
        schema=schema,
        format="parquet",
        partitioning=partitioning,
        partition_base_dir=str(store.full_path(dataset)),
        filesystem=store.reader_filesystem(),
    ).to_table(columns=None if columns is None else list(columns))
