"""The ingest flow end to end under a real (temporary) Prefect API, on real sample PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest

from docpipe.schema import SCHEMAS
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.builders import BROKEN_INPUTS


@pytest.fixture(scope="module")
def ingested(
    prefect_harness: None, digest_samples: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    for sample in digest_samples:
        shutil.copy(sample, raw / sample.name)
    for name, (build, _reason) in BROKEN_INPUTS.items():
        build(raw / name)
    out = tmp_path_factory.mktemp("parquet")
    text_only = {"ocr": "never"}
    summary = ingest(raw_dir=raw, out_dir=out, settings=text_only)
    assert summary.failed_documents == len(BROKEN_INPUTS)
    # Forced, every document is processed again and replaces its rows.
    forced = ingest(raw_dir=raw, out_dir=out, settings=text_only, force=True)
    assert len(forced.documents) == len(BROKEN_INPUTS) + 2
    return out


def test_datasets_match_their_schemas(ingested: Path) -> None:
    for dataset in ("articles", "pages", "documents"):
        assert read_dataset(ingested, dataset).schema.equals(SCHEMAS[dataset]), dataset


def test_one_row_per_article_after_two_runs(ingested: Path) -> None:
    articles = read_dataset(ingested, "articles")
    parts = articles["part"].to_pylist()
    assert parts.count("body") == 36 + 12
    assert parts.count("front") == 2 + 2  # each digest's cover and 目录
    assert len(set(articles["article_id"].to_pylist())) == articles.num_rows
    assert set(articles["doc_kind"].to_pylist()) == {"digest"}


def test_broken_files_are_failed_document_rows_with_reasons(ingested: Path) -> None:
    documents = read_dataset(ingested, "documents").to_pylist()
    by_file = {row["source_file"]: row for row in documents}
    assert len(documents) == len(BROKEN_INPUTS) + 2
    for name, (_build, reason) in BROKEN_INPUTS.items():
        assert by_file[name]["status"] == "failed"
        assert reason in by_file[name]["error"]
        assert by_file[name]["doc_kind"] == "unknown"
    good = [row for row in documents if row["status"] != "failed"]
    assert {row["status"] for row in good} == {"ok"}


def test_pages_carry_furniture_and_printed_numbers(ingested: Path) -> None:
    pages = read_dataset(ingested, "pages")
    body = pages.filter(pc.invert(pc.is_null(pages["printed_page"])))
    assert body.num_rows > 10
    assert all(header for header in body["header"].to_pylist())


def test_runs_are_recorded(ingested: Path) -> None:
    runs = read_dataset(ingested, "runs")
    assert runs.num_rows == 2
    assert sorted(runs["articles_written"].to_pylist()) == [48, 48]
