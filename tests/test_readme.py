"""The README's examples, run as written against datasets ingested from raw/ (book OCR included).

This is also the end-to-end check of the scanned-book path on the real sample:
its articles come out with extraction 'ocr', and every page has a method,
a confidence and a status.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

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
    book = [a for a in articles if a["doc_kind"] == "book"]
    assert [a["title"] for a in book][:1] == ["序言"]
    assert any(a["title"].startswith("一、") for a in book)
    assert {a["extraction"] for a in book} == {"ocr"}
    pages = [p for p in read_dataset(workdir / "parquet", "pages").to_pylist() if p["doc_kind"] == "book"]
    assert len(pages) == 21
    assert all(p["method"] == "ocr" and p["status"] and p["engine"] for p in pages)
    assert all(p["confidence"] is not None for p in pages if p["status"] != "blank")


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
