"""The README's examples, run as written against datasets ingested from raw/ (book OCR included).

This is also the end-to-end check of the scanned paths on the real samples (one
ingest of raw/ serves both, OCR being the slow part): the book's articles come out
with extraction 'ocr', and every page has a method, a confidence and a status; the
scanned copy of a digest comes out as the same articles as the digest's text layer.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from docpipe.samples.scan import SCAN_SUFFIX
from docpipe.scoring import edit_distance
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.conftest import RAW, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent
#: Commands that need a server or run until stopped; tests/flows/test_serve.py runs them for real.
NOT_RUN_HERE = ("prefect server start", "docpipe serve", "prefect deployment run", "export ", "scripts/")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def shell_commands(text: str) -> list[str]:
    commands = []
    for block in code_blocks(text, "sh"):
        for line in block.splitlines():
            command = line.split("  #")[0].strip().removesuffix("&").strip()
            if command and not command.startswith("#") and not any(skip in command for skip in NOT_RUN_HERE):
                commands.append(command)
    return commands


@pytest.fixture(scope="module")
def workdir(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the repository after `bash scripts/run`: raw/ and a filled parquet/."""
    work = tmp_path_factory.mktemp("readme")
    (work / "raw").symlink_to(RAW)
    ingest(raw_dir=work / "raw", out_dir=work / "parquet")
    return work


@pytest.mark.slow
def test_scanned_book_articles_come_from_ocr(workdir: Path) -> None:
    articles = read_dataset(workdir / "parquet", "articles").to_pylist()
    book = [a for a in articles if a["doc_kind"] == "book" and a["part"] == "body"]
    assert [a["title"] for a in book][:1] == ["序言"]
    assert any(a["title"].startswith("一、") for a in book)
    assert {a["extraction"] for a in book} == {"ocr"}
    pages = [p for p in read_dataset(workdir / "parquet", "pages").to_pylist() if p["doc_kind"] == "book"]
    assert len(pages) == 21
    assert all(p["method"] == "ocr" and p["status"] for p in pages)
    # A blank page is recognised before any engine reads it.
    assert all(p["engine"] for p in pages if p["status"] != "blank")
    assert all(p["confidence"] is not None for p in pages if p["status"] != "blank")


#: The scanned digest's articles against its text layer's: at most this share of the
#: characters of a body may differ (OCR errors; the article printed in traditional
#: characters reads worst, as neither engine's model knows all of them).
MAX_ARTICLE_CER = 0.1
MAX_DOCUMENT_CER = 0.02


@pytest.mark.slow
def test_scanned_digest_comes_out_as_the_text_layer_digest(workdir: Path) -> None:
    articles = read_dataset(workdir / "parquet", "articles").to_pylist()
    by_file: dict[str, list[dict[str, object]]] = {}
    for article in sorted(articles, key=lambda a: (a["source_file"], a["seq"])):
        by_file.setdefault(article["source_file"], []).append(article)
    scans = [name for name in by_file if name.removesuffix(".pdf").endswith(SCAN_SUFFIX)]
    assert scans
    for scan in scans:
        text = by_file[scan.replace(SCAN_SUFFIX, "")]
        read = by_file[scan]
        assert {a["extraction"] for a in read} == {"ocr"}
        fields = ("number", "section", "title", "source", "page_start", "page_end")
        assert [[a[f] for f in fields] for a in read] == [[a[f] for f in fields] for a in text]
        distances = [edit_distance(str(r["body"]), str(t["body"])) for r, t in zip(read, text, strict=True)]
        lengths = [len(str(t["body"])) for t in text]
        assert all(d <= MAX_ARTICLE_CER * n for d, n in zip(distances, lengths, strict=True))
        assert sum(distances) <= MAX_DOCUMENT_CER * sum(lengths)


@pytest.mark.slow
def test_scanned_copy_is_linked_to_its_text_layer_and_counted_once(workdir: Path) -> None:
    documents = {
        row["source_file"]: row for row in read_dataset(workdir / "parquet", "documents").to_pylist()
    }
    scans = [name for name in documents if name.removesuffix(".pdf").endswith(SCAN_SUFFIX)]
    for scan in scans:
        assert documents[scan]["copy_of"] == scan.replace(SCAN_SUFFIX, "")
        assert documents[scan.replace(SCAN_SUFFIX, "")]["copy_of"] is None
    articles = read_dataset(workdir / "parquet", "articles").to_pylist()
    preferred = [a for a in articles if a["preferred"]]
    assert {a["source_file"] for a in articles} - {a["source_file"] for a in preferred} == set(scans)
    by_issue = {(a["doc_title"], a["issue_date"], a["issue_label"], a["seq"]) for a in preferred}
    assert len(by_issue) == len(preferred)  # each article of an issue counted once


@pytest.mark.slow
@pytest.mark.parametrize("command", shell_commands(section("Operating docpipe")))
def test_operating_commands_work_as_written(workdir: Path, command: str) -> None:
    argv = shlex.split(command)
    if argv[0].startswith(".venv/bin/"):
        argv[0] = str(VENV_BIN / argv[0].removeprefix(".venv/bin/"))
    result = subprocess.run(
        argv,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert result.stdout.strip()


@pytest.mark.slow
def test_reading_examples_run(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    for block in code_blocks(section("Reading the datasets"), "python"):
        exec(compile(block, "README.md", "exec"), {})


def test_readme_starts_with_the_two_commands() -> None:
    first_block = code_blocks(README, "sh")[0].splitlines()
    assert first_block[0].startswith("bash scripts/run")
    assert first_block[1].startswith("bash scripts/test")
    assert (ROOT / ".ci" / "run").read_text().count("scripts/test") == 1
