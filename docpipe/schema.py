"""The schemas and column docs of every dataset docpipe writes, in one place.

The writer builds its tables from these schemas, the tests compare what they
read back with ``table.schema.equals(SCHEMAS[dataset])``, and the schema table
in ``parquet/README.md`` is rendered from them (``python -m docpipe.schema``).
Each field carries its documentation as field metadata (``description``, and
``allowed`` for enumerations), so it also travels inside every Parquet file.

Enumerations are plain strings; their allowed values are listed in the field's
description and checked by the writer.  The datasets ``articles``, ``pages`` and
``documents`` are Hive-partitioned by ``doc_kind``: the column is part of the
full schema in :data:`SCHEMAS` but not of the files (:func:`file_schema`),
because the ``doc_kind=<kind>/`` directory carries it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa

PARTITION_COLUMN = "doc_kind"

DOC_KINDS = ("digest", "book", "general")
#: Kinds a ``documents`` row may have: a document that failed before its kind
#: could be recognised is filed under ``unknown``.
DOCUMENT_KINDS = (*DOC_KINDS, "unknown")

# Parquet names the item of a list "element" (pyarrow writes the compliant
# nested type by default), so the schema uses that name too; otherwise the
# schema read back from a file would not equal the schema it was written with.
_LIST_ITEM = "element"


def column(
    name: str,
    type_: pa.DataType,
    description: str,
    *,
    nullable: bool = False,
    allowed: Sequence[str] = (),
) -> pa.Field:
    """Build a documented field; ``allowed`` lists the values of a string enumeration."""
    if allowed:
        description += " One of: " + ", ".join(f"`{value}`" for value in allowed) + "."
    metadata = {"description": description}
    if allowed:
        metadata["allowed"] = json.dumps(list(allowed))
    return pa.field(name, type_, nullable=nullable, metadata=metadata)


def list_of(item_type: pa.DataType) -> pa.DataType:
    """A list type whose item is named as Parquet names it, so it round-trips exactly."""
    return pa.list_(pa.field(_LIST_ITEM, item_type))


def _dataset_schema(description: str, fields: Sequence[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={"description": description})


# --- columns shared by several datasets ------------------------------------------

DOC_ID = column(
    "doc_id",
    pa.string(),
    "sha256 (hex) of the PDF file's bytes: the exact version of the document the row comes from.",
)
SOURCE_FILE = column(
    "source_file",
    pa.string(),
    "Path of the PDF relative to the raw directory, `/`-separated, Unicode NFC "
    "(see `docpipe.schema.source_file_of`). Identifies the document across versions.",
)
DOC_KIND = column(
    PARTITION_COLUMN,
    pa.string(),
    "Kind of document; Hive partition column, taken from the `doc_kind=<kind>/` directory "
    "and not stored inside the files.",
    allowed=DOC_KINDS,
)
DOC_TITLE = column("doc_title", pa.string(), "Title of the publication, e.g. 电子政务信息汇编.")
ISSUE_DATE = column("issue_date", pa.date32(), "Date of the issue; null when none is printed.", nullable=True)
ISSUE_LABEL = column(
    "issue_label", pa.string(), "Issue as printed, e.g. 七月第四期; null when none.", nullable=True
)
PIPELINE_VERSION_COLUMN = column(
    "pipeline_version",
    pa.string(),
    "`docpipe.PIPELINE_VERSION` of the code that wrote the row; a document written by "
    "another version is re-processed by the next incremental run.",
)


# --- the datasets -------------------------------------------------------------------

ARTICLES = _dataset_schema(
    "One row per article of every successfully segmented document.",
    [
        column(
            "article_id",
            pa.string(),
            "Stable id: first 16 hex digits of sha256 over `source_file`, `seq` and `title` joined "
            "by U+001F (`docpipe.schema.article_id`). Unchanged when a document is re-run and "
            "yields the same article, even if the file's bytes changed; changes when the file is "
            "moved or renamed, or the article is re-numbered or re-titled.",
        ),
        DOC_ID,
        SOURCE_FILE,
        DOC_KIND,
        DOC_TITLE,
        ISSUE_DATE,
        ISSUE_LABEL,
        column("seq", pa.int32(), "Order of the article in the document, from 1."),
        column(
            "number",
            pa.string(),
            "Article number as printed, e.g. `12`; null when unnumbered.",
            nullable=True,
        ),
        column(
            "section", pa.string(), "Section heading the article sits under; null when none.", nullable=True
        ),
        column("title", pa.string(), "Title of the article."),
        column("body", pa.string(), "Text of the article: its paragraphs, in order, joined by `\\n`."),
        column(
            "source",
            pa.string(),
            "Attribution printed with the article, without its brackets, e.g. 中研网; null when none.",
            nullable=True,
        ),
        column("page_start", pa.int32(), "First physical page of the article, 1-based."),
        column("page_end", pa.int32(), "Last physical page of the article, 1-based."),
        column(
            "failed_pages",
            list_of(pa.int32()),
            "Physical pages of the article whose extraction failed, so text may be missing; usually empty.",
        ),
        column(
            "extraction",
            pa.string(),
            "How the article's pages were read: all from the text layer, all by OCR, or both.",
            allowed=("text", "ocr", "mixed"),
        ),
        column(
            "char_count", pa.int32(), "Characters (code points) in `body`, the `\\n` separators included."
        ),
        column(
            "cleaning_steps",
            list_of(pa.string()),
            "Names of the cleaners that changed this article, in the order they ran.",
        ),
        column(
            "part",
            pa.string(),
            "Part of the document the row holds: `body` for the articles of the document's kind; "
            "`front` for what precedes them (cover, 版权页/CIP, 目录, 摘要), `back` for what follows "
            "(参考文献, 致谢, 附录, declarations). Every paragraph of a document is in exactly one row; "
            "filter on `part = 'body'` for articles proper.",
            allowed=("front", "body", "back"),
        ),
        column(
            "heading_path",
            list_of(pa.string()),
            "Headings above the article, outermost first, its own title excluded (e.g. the chapter of "
            "a section); empty when none.",
        ),
        column(
            "attribution",
            pa.string(),
            "The closing attribution as printed, without its brackets, when it says more than "
            "`source` (e.g. `人民网－人民日报 2014年07月24日12:49:27 来源：人民邮电报`, whose `source` "
            "is 人民邮电报); null when the bracket holds the source's name alone or there is none. "
            "Not part of `body`.",
            nullable=True,
        ),
        column(
            "footnotes",
            list_of(pa.string()),
            "Footnotes of the article's pages (set smaller than the body in the bottom band, opening "
            "with a marker: ①, 1, [1], *, 注：), each with its marker, in order; the marker in `body` "
            "stays as printed. Empty when none.",
        ),
        column(
            "preferred",
            pa.bool_(),
            "True for the article of the copy of its issue to count: false only when another "
            "document is the same issue (same `doc_title`, `issue_date`, `issue_label`; see "
            "`documents.copy_of`) and was preferred (text layer over OCR). Count articles "
            "`WHERE preferred` to count each once.",
        ),
        PIPELINE_VERSION_COLUMN,
    ],
)

PAGES = _dataset_schema(
    "One row per physical page of every document that could be opened.",
    [
        DOC_ID,
        SOURCE_FILE,
        DOC_KIND,
        column("page", pa.int32(), "Physical page number, 1-based."),
        column(
            "printed_page",
            pa.string(),
            "Page number printed on the page, as found in its header or footer; null when none.",
            nullable=True,
        ),
        column("method", pa.string(), "How the text was obtained.", allowed=("text", "ocr")),
        column(
            "engine",
            pa.string(),
            "OCR engine that read the page: ppocr (PP-OCR finds and reads the lines), hybrid "
            "(Tesseract's lines read by PP-OCR) or tesseract; null for text-layer pages.",
            nullable=True,
        ),
        column(
            "ocr_model",
            pa.string(),
            "The model(s) the OCR engine read the page with, e.g. `PP-OCRv6-tiny` or "
            "`tesseract chi_sim psm 6 + PP-OCRv6-tiny`; null for text-layer pages.",
            nullable=True,
        ),
        column(
            "status",
            pa.string(),
            "`ok`: text read; `blank`: no text on the page; `failed`: extraction raised, see `error`; "
            "`low_confidence`: OCR confidence below the configured floor.",
            allowed=("ok", "blank", "failed", "low_confidence"),
        ),
        column(
            "error", pa.string(), "Why extraction failed; null unless `status` is `failed`.", nullable=True
        ),
        column(
            "confidence",
            pa.float64(),
            "Mean OCR word confidence, 0-100; null for text-layer pages.",
            nullable=True,
        ),
        column(
            "header",
            pa.string(),
            "Running-header lines removed from the page, joined by `\\n`; null when none.",
            nullable=True,
        ),
        column(
            "footer",
            pa.string(),
            "Footer lines (page number included) removed from the page, joined by `\\n`; null when none.",
            nullable=True,
        ),
        column("char_count", pa.int32(), "Characters (code points) in `text`."),
        column("raw_text", pa.string(), "Text as extracted, lines joined by `\\n`, before any cleaning."),
        column("text", pa.string(), "Text after page-level cleaning (header and footer removed)."),
        column("seconds", pa.float64(), "Wall-clock seconds spent extracting the page."),
        column(
            "attempts",
            pa.int32(),
            "Times this version of the page has been extracted, across runs, the last included: a "
            "failed page of an unchanged document is tried again by later runs until it has had "
            "`--retry-failed` attempts.",
        ),
        column(
            "dropped",
            list_of(pa.string()),
            "Lines page-level cleaning removed besides `header` and `footer`, each as "
            "`reason: text` (e.g. `speck: Bese.`); usually empty.",
        ),
        PIPELINE_VERSION_COLUMN,
    ],
)

DOCUMENTS = _dataset_schema(
    "One row per input file, whatever became of it: the ingestion log analysts can filter on.",
    [
        DOC_ID.with_nullable(True).with_metadata(
            {
                "description": "sha256 (hex) of the PDF file's bytes; null only when the bytes "
                "could not be read at all (the PDF need not be valid for this)."
            }
        ),
        SOURCE_FILE,
        column(
            PARTITION_COLUMN,
            pa.string(),
            "Kind of document, `unknown` when it failed before its kind was recognised; Hive "
            "partition column, taken from the `doc_kind=<kind>/` directory and not stored inside "
            "the files.",
            allowed=DOCUMENT_KINDS,
        ),
        DOC_TITLE.with_nullable(True).with_metadata(
            {"description": "Title of the publication; null when the document failed before it was found."}
        ),
        ISSUE_DATE,
        ISSUE_LABEL,
        column("pages", pa.int32(), "Physical pages; null when the PDF could not be opened.", nullable=True),
        column(
            "articles",
            pa.int32(),
            "Articles (rows of part `body`) the articles dataset holds for the document; 0 when it "
            "failed or was pruned.",
        ),
        column(
            "status",
            pa.string(),
            "`ok`: every page read; `partial`: articles written but some pages failed or have low "
            "confidence (see `warnings`), or the articles carry less than the coverage floor of the "
            "text; `failed`: nothing written, see `error`; `removed`: the file has "
            "disappeared from the raw directory.",
            allowed=("ok", "partial", "failed", "removed"),
        ),
        column(
            "error", pa.string(), "Why the document failed; null unless `status` is `failed`.", nullable=True
        ),
        column("warnings", list_of(pa.string()), "Problems that did not stop the document; usually empty."),
        column(
            "coverage",
            pa.float64(),
            "Share of the document's cleaned text (letters, digits, ideographs; page furniture "
            "excluded) that its `articles` rows carry, 0-1; below `Settings.coverage_floor` the "
            "status is `partial`. Null when the document failed.",
            nullable=True,
        ),
        column(
            "copy_of",
            pa.string(),
            "`source_file` of the preferred copy when another document is the same issue (same "
            "`doc_title`, `issue_date`, `issue_label`; text layer preferred over OCR); null for the "
            "preferred copy and for a document with no other copy.",
            nullable=True,
        ),
        PIPELINE_VERSION_COLUMN,
        column("ingested_at", pa.timestamp("us", tz="UTC"), "When this row was written."),
    ],
)


def _counter(name: str, description: str) -> pa.Field:
    return column(name, pa.int32(), description)


RUNS = _dataset_schema(
    "One row per pipeline run, one file per run; not partitioned.",
    [
        column("run_id", pa.string(), "Identifier of the run; also the name of its file."),
        column("started", pa.timestamp("us", tz="UTC"), "When the run started."),
        column("finished", pa.timestamp("us", tz="UTC"), "When the run finished."),
        column("raw_dir", pa.string(), "Raw directory the run read, as given on the command line."),
        _counter("documents_new", "Documents seen for the first time."),
        _counter(
            "documents_changed", "Documents re-processed because their bytes or the pipeline version changed."
        ),
        _counter("documents_skipped", "Documents unchanged since they were last written."),
        _counter("documents_failed", "Documents that failed in this run."),
        _counter("documents_removed", "Documents that disappeared from the raw directory."),
        _counter("pages_ok", "Pages read in this run with status `ok`."),
        _counter("pages_blank", "Pages read in this run with status `blank`."),
        _counter("pages_failed", "Pages read in this run with status `failed`."),
        _counter("pages_low_confidence", "Pages read in this run with status `low_confidence`."),
        _counter("articles_written", "Articles (rows of part `body`) written in this run."),
        column(
            "kind",
            pa.string(),
            "`ingest`: a `docpipe run` or the ingest deployment (which also retries failed pages "
            "of unchanged documents); `retry`: a `docpipe retry` or the retry deployment.",
            allowed=("ingest", "retry"),
        ),
        column(
            "flow_run_id",
            pa.string(),
            "Prefect flow-run id of the run, to find it in the Prefect UI; null when none.",
            nullable=True,
        ),
        PIPELINE_VERSION_COLUMN,
    ],
)

#: Full schema of every dataset, as read back (partition column included).
SCHEMAS: Mapping[str, pa.Schema] = {
    "articles": ARTICLES,
    "pages": PAGES,
    "documents": DOCUMENTS,
    "runs": RUNS,
}
#: Datasets written one file per document under ``doc_kind=<kind>/`` directories.
PARTITIONED_DATASETS = ("articles", "pages", "documents")

_FILE_SCHEMAS: Mapping[str, pa.Schema] = {
    name: (
        schema.remove(schema.get_field_index(PARTITION_COLUMN)) if name in PARTITIONED_DATASETS else schema
    )
    for name, schema in SCHEMAS.items()
}


def file_schema(dataset: str) -> pa.Schema:
    """The schema of the dataset's files: the full schema minus the partition column."""
    try:
        return _FILE_SCHEMAS[dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(SCHEMAS)}") from None


def description(field: pa.Field) -> str:
    """The documentation of a field, from its metadata."""
    return (field.metadata or {}).get(b"description", b"").decode()


def allowed_values(field: pa.Field) -> tuple[str, ...]:
    """The values an enumeration field may take; empty for free-form fields."""
    encoded = (field.metadata or {}).get(b"allowed")
    return tuple(json.loads(encoded)) if encoded else ()


# --- how some column values are computed ------------------------------------------


def source_file_of(path: Path, raw_dir: Path) -> str:
    """The ``source_file`` of a PDF: its path under ``raw_dir``, ``/``-separated, NFC.

    NFC because macOS hands out decomposed (NFD) file names: without it the same
    Chinese file name could give two different ``source_file`` values, hence two
    output files and two sets of article ids.

    >>> source_file_of(Path("raw/2014/digest-07-28.pdf"), Path("raw"))
    '2014/digest-07-28.pdf'
    """
    return unicodedata.normalize("NFC", path.relative_to(raw_dir).as_posix())


def article_id(source_file: str, seq: int, title: str) -> str:
    """The ``article_id`` of an article: a hash of where it is and what it is called.

    Built from the row's own ``source_file``, ``seq`` and ``title`` (so anyone can
    recompute it) rather than from ``doc_id``: two byte-identical files in two
    places still get distinct ids, and a re-downloaded file whose bytes changed
    but whose articles did not keeps its ids.  ``seq`` separates articles that
    share a title (two 编者按 in one issue).

    >>> article_id("digest-2014-07-28.pdf", 1, "印度电子政府发展：以民众为中心公开透明")
    'd5323020248f1be1'
    """
    key = "\x1f".join((source_file, str(seq), title))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- documentation ------------------------------------------------------------------


def _type_name(type_: pa.DataType) -> str:
    if pa.types.is_list(type_):
        return f"list<{_type_name(type_.value_type)}>"
    if pa.types.is_timestamp(type_):
        return f"timestamp[{type_.unit}, {type_.tz}]" if type_.tz else f"timestamp[{type_.unit}]"
    if pa.types.is_date32(type_):
        return "date32"
    return str(type_)


def _layout(dataset: str) -> str:
    if dataset in PARTITIONED_DATASETS:
        return f"`{dataset}/doc_kind=<kind>/<document key>.parquet`, one file per document"
    return f"`{dataset}/<run_id>.parquet`, one file per run"


def schema_markdown() -> str:
    """Render every dataset's columns as Markdown, for ``parquet/README.md``."""
    sections: list[str] = []
    for dataset, schema in SCHEMAS.items():
        dataset_description = (schema.metadata or {}).get(b"description", b"").decode()
        lines = [
            f"### `{dataset}`",
            "",
            f"{dataset_description} Files: {_layout(dataset)}.",
            "",
            "| column | type | nullable | description |",
            "|---|---|---|---|",
        ]
        for field in schema:
            type_name = _type_name(field.type)
            if dataset in PARTITIONED_DATASETS and field.name == PARTITION_COLUMN:
                type_name += " (partition)"
            text = description(field).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{field.name}` | {type_name} | {'yes' if field.nullable else 'no'} | {text} |")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    print(schema_markdown(), end="")
