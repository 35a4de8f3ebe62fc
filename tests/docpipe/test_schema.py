"""docpipe.schema: every column documented, file schemas, article ids, the README table."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pyarrow as pa
import pytest

from docpipe.schema import (
    PARTITION_COLUMN,
    PARTITIONED_DATASETS,
    SCHEMAS,
    allowed_values,
    article_id,
    description,
    file_schema,
    schema_markdown,
    source_file_of,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PARQUET_README = REPO_ROOT / "parquet" / "README.md"
SCHEMA_BLOCK = re.compile(r"<!-- begin schema:[^\n]*-->\n(.*?)<!-- end schema -->", re.DOTALL)

MARKDOWN_SECTIONS = dict(re.findall(r"### `(\w+)`\n(.*?)(?=\n### |\Z)", schema_markdown(), flags=re.DOTALL))
ALL_FIELDS = [(dataset, field) for dataset, schema in SCHEMAS.items() for field in schema]


@pytest.mark.parametrize(("dataset", "field"), ALL_FIELDS, ids=lambda value: getattr(value, "name", value))
def test_every_column_is_documented(dataset: str, field: pa.Field) -> None:
    assert len(description(field)) > 10
    for value in allowed_values(field):
        assert f"`{value}`" in description(field)


@pytest.mark.parametrize(
    ("dataset", "column", "values"),
    [
        ("articles", "doc_kind", ("digest", "book", "general")),
        ("documents", "doc_kind", ("digest", "book", "general", "unknown")),
        ("articles", "part", ("front", "body", "back")),
        ("articles", "extraction", ("text", "ocr", "mixed")),
        ("pages", "method", ("text", "ocr")),
        ("pages", "status", ("ok", "blank", "failed", "low_confidence")),
        ("documents", "status", ("ok", "partial", "failed", "removed")),
        ("articles", "title", ()),
    ],
)
def test_enumerations_list_their_values(dataset: str, column: str, values: tuple[str, ...]) -> None:
    assert allowed_values(SCHEMAS[dataset].field(column)) == values


@pytest.mark.parametrize("dataset", PARTITIONED_DATASETS)
def test_file_schema_leaves_out_the_partition_column(dataset: str) -> None:
    names = file_schema(dataset).names
    assert PARTITION_COLUMN not in names
    assert names == [name for name in SCHEMAS[dataset].names if name != PARTITION_COLUMN]


def test_runs_are_not_partitioned() -> None:
    assert "runs" not in PARTITIONED_DATASETS
    assert file_schema("runs").equals(SCHEMAS["runs"], check_metadata=True)


def test_unknown_dataset_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        file_schema("article")


@pytest.mark.parametrize(
    ("dataset", "column", "type_", "nullable"),
    [
        ("articles", "issue_date", pa.date32(), True),
        ("articles", "seq", pa.int32(), False),
        ("articles", "number", pa.string(), True),
        ("articles", "failed_pages", pa.list_(pa.field("element", pa.int32())), False),
        ("articles", "cleaning_steps", pa.list_(pa.field("element", pa.string())), False),
        ("pages", "confidence", pa.float64(), True),
        ("pages", "seconds", pa.float64(), False),
        ("documents", "doc_id", pa.string(), True),
        ("documents", "ingested_at", pa.timestamp("us", tz="UTC"), False),
        ("runs", "finished", pa.timestamp("us", tz="UTC"), False),
    ],
)
def test_column_types(dataset: str, column: str, type_: pa.DataType, nullable: bool) -> None:
    field = SCHEMAS[dataset].field(column)
    assert field.type == type_
    assert field.nullable is nullable


def test_every_dataset_carries_pipeline_version() -> None:
    assert all("pipeline_version" in schema.names for schema in SCHEMAS.values())


# --- article ids -------------------------------------------------------------------


def test_article_id_is_stable_and_short() -> None:
    first = article_id("digest-2014-07-28.pdf", 3, "巴西推进电子政务")
    assert first == article_id("digest-2014-07-28.pdf", 3, "巴西推进电子政务")
    assert re.fullmatch(r"[0-9a-f]{16}", first)


@pytest.mark.parametrize(
    ("source_file", "seq", "title"),
    [
        ("digest-2014-08-04.pdf", 3, "巴西推进电子政务"),  # another document
        ("digest-2014-07-28.pdf", 4, "巴西推进电子政务"),  # same title, next article
        ("digest-2014-07-28.pdf", 3, "巴西推进电子政务建设"),  # re-titled
    ],
)
def test_article_id_changes_with_each_part(source_file: str, seq: int, title: str) -> None:
    assert article_id(source_file, seq, title) != article_id("digest-2014-07-28.pdf", 3, "巴西推进电子政务")


def test_article_id_fields_cannot_run_into_each_other() -> None:
    assert article_id("digest.pdf1", 2, "编者按") != article_id("digest.pdf", 12, "编者按")


def test_source_file_is_posix_relative_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "résumé/汇编.pdf")
    assert source_file_of(Path("raw") / decomposed, Path("raw")) == unicodedata.normalize(
        "NFC", "résumé/汇编.pdf"
    )


# --- documentation ------------------------------------------------------------------


@pytest.mark.parametrize(("dataset", "field"), ALL_FIELDS, ids=lambda value: getattr(value, "name", value))
def test_markdown_lists_every_column_under_its_dataset(dataset: str, field: pa.Field) -> None:
    assert f"| `{field.name}` |" in MARKDOWN_SECTIONS[dataset]


def test_markdown_marks_the_partition_column() -> None:
    assert "| `doc_kind` | string (partition) | no |" in schema_markdown()
    assert "| `failed_pages` | list<int32> | no |" in schema_markdown()


def test_parquet_readme_table_is_up_to_date() -> None:
    block = SCHEMA_BLOCK.search(PARQUET_README.read_text(encoding="utf-8"))
    assert block is not None, "schema markers missing from parquet/README.md"
    assert block.group(1) == schema_markdown(), "regenerate with: python -m docpipe.schema"


def test_module_prints_the_markdown() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "docpipe.schema"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    assert printed == schema_markdown()
