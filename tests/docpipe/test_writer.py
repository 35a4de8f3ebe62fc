"""docpipe.writer: one file per document, atomic replacement, and what pandas, DuckDB and polars read."""

from __future__ import annotations

import ast
import re
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from docpipe import PIPELINE_VERSION, writer
from docpipe.schema import SCHEMAS, article_id, file_schema
from docpipe.writer import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    document_key,
    document_path,
    read_dataset,
    remove_document,
    write_dataset_rows,
    write_run,
)

DIGEST = "digest-2014-07-28.pdf"
BOOK = "books/电子政务建设.pdf"
DOC_ID_V1 = "1" * 64
DOC_ID_V2 = "2" * 64
PARQUET_README = Path(__file__).resolve().parents[2] / "parquet" / "README.md"


def article_rows(source_file: str, count: int, *, doc_id: str = DOC_ID_V1) -> list[dict[str, Any]]:
    rows = []
    for seq in range(1, count + 1):
        title = f"第{seq}篇：印度电子政府发展"
        body = "在印度，电子政务以民众为中心。\n公开透明是其原则。"
        rows.append(
            {
                "article_id": article_id(source_file, seq, title),
                "doc_id": doc_id,
                "source_file": source_file,
                "doc_title": "电子政务信息汇编",
                "issue_date": date(2014, 7, 28),
                "issue_label": "七月第四期",
                "seq": seq,
                "number": str(seq),
                "section": "国外电子政务",
                "title": title,
                "body": body,
                "source": "中研网" if seq % 2 else None,
                "page_start": seq + 2,
                "page_end": seq + 3,
                "failed_pages": [seq + 3] if seq == 2 else [],
                "extraction": "text",
                "char_count": len(body),
                "cleaning_steps": ["remove_running_headers", "join_wrapped_lines"],
                "part": "body",
                "heading_path": ["国外电子政务"],
                "attribution": None,
                "footnotes": [],
                "preferred": True,
                "pipeline_version": PIPELINE_VERSION,
            }
        )
    return rows


def page_row(source_file: str, page: int) -> dict[str, Any]:
    return {
        "doc_id": DOC_ID_V1,
        "source_file": source_file,
        "page": page,
        "printed_page": str(page - 2) if page > 2 else None,
        "method": "ocr",
        "engine": "tesseract 5.3.0",
        "ocr_model": "tesseract chi_sim psm 6",
        "status": "low_confidence",
        "error": None,
        "confidence": 61.5,
        "header": "电子政务信息汇编",
        "footer": f"— {page} —",
        "char_count": 4,
        "raw_text": "电子政务\n信息",
        "text": "电子政务",
        "seconds": 1.25,
        "attempts": 1,
        "dropped": ["speck: Bese."],
        "pipeline_version": PIPELINE_VERSION,
    }


def document_row(source_file: str, *, status: str = "ok", doc_id: str | None = DOC_ID_V1) -> dict[str, Any]:
    failed = status == "failed"
    return {
        "doc_id": doc_id,
        "source_file": source_file,
        "doc_title": None if failed else "电子政务信息汇编",
        "issue_date": None if failed else date(2014, 7, 28),
        "issue_label": None,
        "pages": None if failed else 24,
        "articles": 0 if failed else 2,
        "status": status,
        "error": "PDFSyntaxError: no /Root object" if failed else None,
        "warnings": [] if failed else ["page 7: text layer garbled, used OCR"],
        "coverage": None if failed else 0.998,
        "copy_of": None,
        "pipeline_version": PIPELINE_VERSION,
        "ingested_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
    }


def run_row(run_id: str = "20240501T120000Z") -> dict[str, Any]:
    counters = dict.fromkeys(
        [
            "documents_new",
            "documents_changed",
            "documents_skipped",
            "documents_failed",
            "documents_removed",
            "pages_ok",
            "pages_blank",
            "pages_failed",
            "pages_low_confidence",
            "articles_written",
        ],
        1,
    )
    return {
        "run_id": run_id,
        "started": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        "finished": datetime(2024, 5, 1, 20, 5, tzinfo=timezone(timedelta(hours=8))),
        "raw_dir": "raw",
        **counters,
        "kind": "ingest",
        "flow_run_id": None,
        "pipeline_version": PIPELINE_VERSION,
    }


@pytest.fixture(scope="module")
def written_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory holding a digest (3 articles) and a book (2 articles) in every dataset."""
    out = tmp_path_factory.mktemp("written") / "parquet"
    write_dataset_rows(out, "articles", "digest", DIGEST, article_rows(DIGEST, 3))
    write_dataset_rows(out, "articles", "book", BOOK, article_rows(BOOK, 2))
    write_dataset_rows(out, "pages", "digest", DIGEST, [page_row(DIGEST, 1), page_row(DIGEST, 2)])
    write_dataset_rows(out, "pages", "book", BOOK, [page_row(BOOK, 1)])
    write_dataset_rows(out, "documents", "digest", DIGEST, [document_row(DIGEST)])
    write_dataset_rows(out, "documents", "book", BOOK, [document_row(BOOK)])
    write_run(out, run_row())
    return out


@pytest.fixture
def out_dir(written_once: Path, tmp_path: Path) -> Path:
    """A private copy of ``written_once`` that the test may change."""
    return Path(shutil.copytree(written_once, tmp_path / "parquet"))


def leftover_temp_file(
    out: Path, dataset: str, kind: str, source_file: str, rows: list[dict[str, Any]]
) -> Path:
    """A temp file as a killed run leaves it: complete, valid Parquet that must not be read."""
    target = document_path(out, dataset, kind, source_file)
    leftover = target.with_name(f"{TEMP_PREFIX}{target.name}.dead{TEMP_SUFFIX}")
    pq.write_table(pa.Table.from_pylist(rows, schema=file_schema(dataset)), leftover)
    return leftover


def rows_seen_by_each_reader(out: Path, dataset: str = "articles") -> dict[str, int]:
    """Rows of a dataset as pandas, DuckDB and polars count them, read the way parquet/README.md shows."""
    glob = f"{out}/{dataset}/*/*.parquet"
    duckdb_count = duckdb.connect().sql(
        f"select count(*) from read_parquet('{glob}', hive_partitioning=true)"
    )
    return {
        "pandas": len(pd.read_parquet(out / dataset)),
        "duckdb": duckdb_count.fetchall()[0][0],
        "polars": len(pl.read_parquet(f"{out}/{dataset}/**/*.parquet", hive_partitioning=True)),
    }


# --- schema round trip --------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["articles", "pages", "documents", "runs"])
def test_read_back_table_equals_the_full_schema(out_dir: Path, dataset: str) -> None:
    table = read_dataset(out_dir, dataset)
    assert table.schema.equals(SCHEMAS[dataset])
    assert table.schema.equals(SCHEMAS[dataset], check_metadata=True)  # column docs included


@pytest.mark.parametrize("dataset", ["articles", "pages", "documents"])
def test_files_hold_the_file_schema_with_its_docs(out_dir: Path, dataset: str) -> None:
    path = document_path(out_dir, dataset, "digest", DIGEST)
    assert pq.read_schema(path).equals(file_schema(dataset), check_metadata=True)


def test_values_round_trip(out_dir: Path) -> None:
    articles = read_dataset(out_dir, "articles").to_pylist()
    digest = [row for row in articles if row["source_file"] == DIGEST]
    assert digest == [{**row, "doc_kind": "digest"} for row in article_rows(DIGEST, 3)]


def test_list_date_and_timestamp_columns_round_trip(out_dir: Path) -> None:
    articles = read_dataset(out_dir, "articles").to_pylist()
    assert {row["seq"]: row["failed_pages"] for row in articles if row["source_file"] == DIGEST} == {
        1: [],
        2: [5],
        3: [],
    }
    assert articles[0]["cleaning_steps"] == ["remove_running_headers", "join_wrapped_lines"]
    assert articles[0]["issue_date"] == date(2014, 7, 28)
    (run,) = read_dataset(out_dir, "runs").to_pylist()
    assert run["finished"] == datetime(2024, 5, 1, 12, 5, tzinfo=UTC)  # stored in UTC


def test_nothing_written_reads_as_an_empty_table(tmp_path: Path) -> None:
    for dataset, schema in SCHEMAS.items():
        table = read_dataset(tmp_path, dataset)
        assert table.num_rows == 0
        assert table.schema.equals(schema)


# --- replacement --------------------------------------------------------------------


def test_file_is_named_after_the_source_file(out_dir: Path) -> None:
    path = document_path(out_dir, "articles", "book", BOOK)
    assert path == out_dir / "articles" / "doc_kind=book" / f"{document_key(BOOK)}.parquet"
    assert path.name.startswith("books-电子政务建设-")
    assert document_key("a/b.pdf") != document_key("a-b.pdf")


def test_rewriting_a_document_replaces_its_rows(out_dir: Path) -> None:
    write_dataset_rows(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 3))
    assert read_dataset(out_dir, "articles").num_rows == 5


def test_changed_document_replaces_its_old_version(out_dir: Path) -> None:
    write_dataset_rows(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 2, doc_id=DOC_ID_V2))
    digest = read_dataset(out_dir, "articles").filter(pa.compute.field("source_file") == DIGEST)
    assert digest["doc_id"].to_pylist() == [DOC_ID_V2, DOC_ID_V2]


def test_zero_rows_write_an_empty_file_that_replaces_the_old_rows(out_dir: Path) -> None:
    path = Path(write_dataset_rows(out_dir, "articles", "digest", DIGEST, []))  # local: a real path
    assert path.exists()
    assert pq.read_metadata(path).num_rows == 0
    assert set(read_dataset(out_dir, "articles")["source_file"].to_pylist()) == {BOOK}


def test_kind_change_removes_the_file_in_the_old_partition(tmp_path: Path) -> None:
    failed = Path(
        write_dataset_rows(tmp_path, "documents", "unknown", DIGEST, [document_row(DIGEST, status="failed")])
    )
    recognised = Path(write_dataset_rows(tmp_path, "documents", "digest", DIGEST, [document_row(DIGEST)]))
    assert not failed.exists()
    assert recognised.exists()
    documents = read_dataset(tmp_path, "documents")
    assert documents["doc_kind"].to_pylist() == ["digest"]


def test_kind_change_leaves_other_documents_alone(out_dir: Path) -> None:
    write_dataset_rows(out_dir, "articles", "book", DIGEST, article_rows(DIGEST, 1))
    kinds = read_dataset(out_dir, "articles").group_by("source_file").aggregate([("doc_kind", "distinct")])
    assert dict(
        zip(kinds["source_file"].to_pylist(), kinds["doc_kind_distinct"].to_pylist(), strict=True)
    ) == {
        DIGEST: ["book"],
        BOOK: ["book"],
    }


def test_remove_document_deletes_it_from_every_dataset(out_dir: Path) -> None:
    write_dataset_rows(out_dir, "documents", "unknown", DIGEST, [document_row(DIGEST, status="failed")])
    removed = remove_document(out_dir, DIGEST)
    assert len(removed) == 3
    for dataset in ("articles", "pages", "documents"):
        assert set(read_dataset(out_dir, dataset)["source_file"].to_pylist()) == {BOOK}
    assert remove_document(out_dir, DIGEST) == []


def test_remove_document_from_chosen_datasets(out_dir: Path) -> None:
    remove_document(out_dir, DIGEST, datasets=["articles", "pages"])
    assert read_dataset(out_dir, "articles")["source_file"].to_pylist() == [BOOK, BOOK]
    assert DIGEST in read_dataset(out_dir, "documents")["source_file"].to_pylist()


def test_runs_get_one_file_each(out_dir: Path) -> None:
    path = write_run(out_dir, run_row("20240502T120000Z"))
    assert path == out_dir / "runs" / "20240502T120000Z.parquet"
    assert read_dataset(out_dir, "runs")["run_id"].to_pylist() == ["20240501T120000Z", "20240502T120000Z"]


# --- temp files ---------------------------------------------------------------------


def test_leftover_temp_files_are_ignored_by_every_reader(out_dir: Path) -> None:
    leftover_temp_file(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 9))
    leftover_temp_file(
        out_dir, "articles", "book", "never-finished.pdf", article_rows("never-finished.pdf", 4)
    )
    assert read_dataset(out_dir, "articles").num_rows == 5
    assert rows_seen_by_each_reader(out_dir) == {"pandas": 5, "duckdb": 5, "polars": 5}


@pytest.mark.parametrize(
    ("name", "readers_that_include_it"),
    [
        # Why the writer's temp files end in .tmp and not only start with "."/"_":
        # only pyarrow (and pandas through it) skips those prefixes.
        (".hidden.parquet", {"duckdb", "polars"}),
        ("_underscore.parquet", {"duckdb", "polars"}),
        (".hidden.parquet.x.tmp", set()),
    ],
    ids=["dot-prefix", "underscore-prefix", "writer-temp-name"],
)
def test_which_readers_skip_which_names(out_dir: Path, name: str, readers_that_include_it: set[str]) -> None:
    pq.write_table(
        pa.Table.from_pylist(article_rows("extra.pdf", 1), schema=file_schema("articles")),
        out_dir / "articles" / "doc_kind=digest" / name,
    )
    counts = rows_seen_by_each_reader(out_dir)
    assert {reader for reader, count in counts.items() if count == 6} == readers_that_include_it


def test_next_write_of_the_document_cleans_its_leftovers(out_dir: Path) -> None:
    own = leftover_temp_file(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 1))
    # Another document's temp file may belong to a write in progress right now.
    others = leftover_temp_file(out_dir, "articles", "digest", "other.pdf", article_rows("other.pdf", 1))
    write_dataset_rows(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 3))
    assert not own.exists()
    assert others.exists()


def test_remove_document_cleans_its_leftovers(out_dir: Path) -> None:
    leftover = leftover_temp_file(out_dir, "pages", "book", BOOK, [page_row(BOOK, 1)])
    remove_document(out_dir, BOOK)
    assert not leftover.exists()


def test_failed_write_keeps_the_old_file_and_no_temp_file(
    out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer.pq, "write_table", crash)
    with pytest.raises(OSError, match="disk full"):
        write_dataset_rows(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 1))
    partition = out_dir / "articles" / "doc_kind=digest"
    assert [path.name for path in partition.iterdir()] == [f"{document_key(DIGEST)}.parquet"]
    assert read_dataset(out_dir, "articles").num_rows == 5


# --- analysts' readers --------------------------------------------------------------


def test_pandas_reads_the_datasets_with_doc_kind(out_dir: Path) -> None:
    articles = pd.read_parquet(out_dir / "articles")
    assert articles["doc_kind"].astype(str).value_counts().to_dict() == {"digest": 3, "book": 2}
    assert set(articles.columns) == set(SCHEMAS["articles"].names)
    documents = pd.read_parquet(out_dir / "documents")
    assert sorted(documents["doc_kind"].astype(str)) == ["book", "digest"]
    assert len(pd.read_parquet(out_dir / "runs")) == 1


def test_duckdb_reads_the_datasets_with_doc_kind(out_dir: Path) -> None:
    connection = duckdb.connect()
    articles = connection.sql(
        f"select * from read_parquet('{out_dir}/articles/*/*.parquet', hive_partitioning=true)"
    )
    assert set(articles.columns) == set(SCHEMAS["articles"].names)
    counts = connection.sql(
        "select doc_kind, count(*) from articles group by doc_kind order by doc_kind"
    ).fetchall()
    assert counts == [("book", 2), ("digest", 3)]
    row = connection.sql(
        "select issue_date, failed_pages from articles where seq = 2 and doc_kind = 'digest'"
    )
    assert row.fetchall() == [(date(2014, 7, 28), [5])]
    pages = connection.sql(
        f"select doc_kind, count(*) from read_parquet('{out_dir}/pages/*/*.parquet', hive_partitioning=true)"
        " group by all order by all"
    )
    assert pages.fetchall() == [("book", 1), ("digest", 2)]


def test_polars_reads_the_datasets_with_doc_kind(out_dir: Path) -> None:
    articles = pl.read_parquet(f"{out_dir}/articles/**/*.parquet", hive_partitioning=True)
    assert set(articles.columns) == set(SCHEMAS["articles"].names)
    assert articles["doc_kind"].value_counts().sort("doc_kind").rows() == [("book", 2), ("digest", 3)]
    assert articles.schema["issue_date"] == pl.Date
    assert articles.schema["failed_pages"] == pl.List(pl.Int32)
    documents = pl.read_parquet(f"{out_dir}/documents/**/*.parquet", hive_partitioning=True)
    assert documents.schema["ingested_at"] == pl.Datetime("us", "UTC")


def test_readers_accept_zero_row_files(out_dir: Path) -> None:
    write_dataset_rows(out_dir, "articles", "digest", DIGEST, [])
    assert rows_seen_by_each_reader(out_dir) == {"pandas": 2, "duckdb": 2, "polars": 2}


def test_readme_examples_run(out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.search(r"```python\n(.*?)```", PARQUET_README.read_text(encoding="utf-8"), re.DOTALL)
    assert code is not None
    monkeypatch.chdir(out_dir.parent)
    namespace: dict[str, Any] = {}
    for statement in ast.parse(code.group(1)).body:
        exec(compile(ast.Module([statement], type_ignores=[]), "parquet/README.md", "exec"), namespace)
        if isinstance(statement, ast.Assign):
            articles = namespace["articles"]
            assert len(articles) == 5
            assert "doc_kind" in articles.columns


# --- validation ---------------------------------------------------------------------


def test_missing_pipeline_version_is_filled_and_doc_kind_may_be_given(tmp_path: Path) -> None:
    rows = [{**row, "doc_kind": "digest"} for row in article_rows(DIGEST, 1)]
    del rows[0]["pipeline_version"]
    write_dataset_rows(tmp_path, "articles", "digest", DIGEST, rows)
    assert read_dataset(tmp_path, "articles")["pipeline_version"].to_pylist() == [PIPELINE_VERSION]


def _with(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**row, **changes}


ARTICLE = article_rows(DIGEST, 1)[0]
MISSPELT = {("titel" if key == "title" else key): value for key, value in ARTICLE.items()}


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (MISSPELT, r"missing columns \['title'\], unknown columns \['titel'\]"),
        (_with(ARTICLE, title=None), "null"),
        (_with(ARTICLE, extraction="pdfplumber"), "pdfplumber"),
        (_with(ARTICLE, doc_kind="book"), "doc_kind differs"),
        (_with(ARTICLE, source_file="other.pdf"), "other.pdf"),
    ],
    ids=[
        "misspelt key",
        "null in non-nullable",
        "outside enumeration",
        "other doc_kind",
        "other source_file",
    ],
)
def test_rows_breaking_the_schema_are_refused(tmp_path: Path, row: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        write_dataset_rows(tmp_path, "articles", "digest", DIGEST, [row])
    assert not (tmp_path / "articles" / "doc_kind=digest" / f"{document_key(DIGEST)}.parquet").exists()


def test_wrong_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        write_dataset_rows(tmp_path, "articles", "digest", DIGEST, [_with(ARTICLE, issue_date="2014-07-28")])


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="naive"):
        write_run(tmp_path, _with(run_row(), started=datetime(2024, 5, 1, 12)))


@pytest.mark.parametrize(
    ("dataset", "doc_kind", "source_file", "error"),
    [
        ("articles", "unknown", DIGEST, "doc_kind must be one of digest, book"),
        ("runs", "digest", DIGEST, "not one of the per-document datasets"),
        ("articles", "digest", "/abs/digest.pdf", "relative"),
        ("articles", "digest", r"books\digest.pdf", "relative"),
        ("articles", "digest", "../digest.pdf", "relative"),
    ],
)
def test_bad_arguments_are_refused(
    tmp_path: Path, dataset: str, doc_kind: str, source_file: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        write_dataset_rows(tmp_path, dataset, doc_kind, source_file, [])


def test_run_id_must_be_a_safe_file_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="run_id"):
        write_run(tmp_path, run_row("2024-05-01T12:00:00Z"))


@pytest.mark.parametrize(
    ("source_file", "accepted"),
    [
        ("r\\xe9sum\\xe9.pdf", True),  # undecodable bytes, escaped by the inventory
        ("cafe\\u0301.pdf", True),  # the losing NFC twin
        ("a\\x5cb.pdf", True),  # a literal backslash, escaped
        ("books\\digest.pdf", False),  # a Windows separator
        ("a\\xZZ.pdf", False),
        ("trailing\\", False),
    ],
)
def test_backslash_only_as_an_escape(source_file: str, accepted: bool) -> None:
    if accepted:
        writer.check_source_file(source_file)
    else:
        with pytest.raises(ValueError, match="relative"):
            writer.check_source_file(source_file)


def test_read_document_rows_reads_one_document_with_its_kind(out_dir: Path) -> None:
    rows = writer.read_document_rows(out_dir, "articles", DIGEST)
    assert rows == [{**row, "doc_kind": "digest"} for row in article_rows(DIGEST, 3)]
    assert writer.read_document_rows(out_dir, "documents", "never-written.pdf") == []


def test_remove_leftover_temp_files_sweeps_every_dataset(out_dir: Path) -> None:
    leftovers = {
        leftover_temp_file(out_dir, "articles", "digest", DIGEST, article_rows(DIGEST, 1)),
        leftover_temp_file(
            out_dir, "pages", "book", "never-finished.pdf", [page_row("never-finished.pdf", 1)]
        ),
    }
    runs_leftover = out_dir / "runs" / f"{TEMP_PREFIX}20240503T000000Z.parquet.dead{TEMP_SUFFIX}"
    runs_leftover.write_bytes(b"half a file")
    before = read_dataset(out_dir, "articles").num_rows
    assert set(writer.remove_leftover_temp_files(out_dir)) == leftovers | {runs_leftover}
    assert not any(path.name.endswith(TEMP_SUFFIX) for path in out_dir.rglob("*"))
    assert read_dataset(out_dir, "articles").num_rows == before  # the datasets themselves untouched


def test_read_dataset_reads_only_the_columns_asked_for(out_dir: Path, tmp_path: Path) -> None:
    table = read_dataset(out_dir, "articles", columns=["source_file", "doc_kind"])
    assert table.column_names == ["source_file", "doc_kind"]
    assert table.num_rows == 5
    assert read_dataset(tmp_path / "empty", "pages", columns=["page"]).column_names == ["page"]
