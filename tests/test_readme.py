"""The README's examples, run as written against datasets ingested from raw/ (book OCR included).

The "Operating docpipe" commands and the reading snippets run in a venv that
``scripts/setup`` builds as ``bash scripts/run`` has it build (no dev extra), in a
copy of the package's files: whatever the README imports or runs must be there
without the dev tools.  Building it takes about two and a half minutes (pip, from
the local wheels and the registry); it runs while raw/ is ingested.

This is also the end-to-end check of the scanned paths on the real samples (one
ingest of raw/ serves both, OCR being the slow part): the book's articles come out
with extraction 'ocr', and every page has a method, a confidence and a status; the
scanned copy of a digest comes out as the same articles as the digest's text layer.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
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
#: What scripts/setup needs to install the package as scripts/run does (raw/ is linked, not copied).
PACKAGE_FILES = ("pyproject.toml", "README.md", "scripts", "docpipe", "cleaners", "flows")
#: Seconds scripts/setup may take to build the venv (measured: about 150 s on a busy 2-core machine).
SETUP_TIMEOUT = 1200
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
    """A folder laid out like the repository after `bash scripts/run`: raw/, a filled parquet/,
    and the .venv scripts/setup built there (the ingest itself runs in this venv, meanwhile).
    """
    work = tmp_path_factory.mktemp("readme")
    copy_package(work)
    (work / "raw").symlink_to(RAW)
    log = work / "setup.log"
    with log.open("w") as output:
        setup = subprocess.Popen(
            ["bash", "scripts/setup"], cwd=work, env=plain_env(), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            ingest(raw_dir=work / "raw", out_dir=work / "parquet")
            code = setup.wait(timeout=SETUP_TIMEOUT)
        finally:
            if setup.poll() is None:
                setup.kill()
                setup.wait()
    assert code == 0, f"scripts/setup failed:\n{log.read_text()[-3000:]}"
    return work


def copy_package(work: Path) -> None:
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, work / name)


def plain_env() -> dict[str, str]:
    """The environment of an operator's shell: not this venv's, not this checkout's imports."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    suite_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if part != suite_bin)
    return env


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
    assert argv[0].startswith(".venv/bin/"), f"{command}: the README runs docpipe from .venv/bin"
    result = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=600, env=plain_env())
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert result.stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("block", code_blocks(section("Reading the datasets"), "python"))
def test_reading_examples_run(workdir: Path, block: str) -> None:
    result = subprocess.run(
        [".venv/bin/python", "-c", block],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        env=plain_env(),
    )
    assert result.returncode == 0, f"{block}\n{result.stderr[-2000:]}"


@pytest.mark.slow
def test_the_readme_venv_is_the_runtime_one(workdir: Path) -> None:
    """The venv the README's commands ran in is scripts/setup's own, without the dev tools."""
    probe = "import importlib.util as u, docpipe; print(docpipe.__file__, u.find_spec('pytest') is None)"
    result = subprocess.run(
        [".venv/bin/python", "-c", probe],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env=plain_env(),
    )
    assert result.stdout.split() == [str(workdir / "docpipe" / "__init__.py"), "True"], result.stderr


def test_readme_starts_with_the_two_commands() -> None:
    first_block = code_blocks(README, "sh")[0].splitlines()
    assert first_block[0].startswith("bash scripts/run")
    assert first_block[1].startswith("bash scripts/test")
    assert (ROOT / ".ci" / "run").read_text().count("scripts/test") == 1
