"""Errors a user can fix are one line and exit status 2, before any work starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from docpipe.tracebacks import DEBUG_VARIABLE
from tests.builders import write_encrypted_pdf, write_not_a_pdf, write_truncated_pdf, write_zero_page_pdf
from tests.conftest import RAW, ROOT
from tests.processes import DOCPIPE


def docpipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOCPIPE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env or os.environ.copy(),
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["pages", "--out", "s3://bucket/parquet"],
        ["pages", "--raw", "s3://bucket/raw"],
        ["inspect", "a.pdf", "1", "--out", "s3://bucket/parquet"],
    ],
    ids=["pages --out s3", "pages --raw s3", "inspect --out s3"],
)
def test_operator_commands_on_an_object_store_are_one_line(args: list[str]) -> None:
    assert_one_line(docpipe(*args), "object store", args[0])


def test_missing_raw_directory(tmp_path: Path) -> None:
    assert_one_line(
        docpipe("run", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")), "raw directory"
    )


def test_output_directory_that_cannot_be_created(tmp_path: Path) -> None:
    # Root can write anywhere a mode allows, but not below a regular file.
    (tmp_path / "raw").mkdir()
    (tmp_path / "file").write_text("not a directory")
    assert_one_line(
        docpipe("run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "file" / "out")),
        "output directory",
    )


def test_missing_language_pack_stops_a_run_that_needs_ocr(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "book-local-government-big-data.pdf", raw)
    result = docpipe(
        "run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--ocr-languages", "chi_sim+xyz"
    )
    assert_one_line(result, "needs OCR", "apt-get install tesseract-ocr-xyz")


def test_missing_tesseract_binary_names_the_package(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "book-local-government-big-data.pdf", raw)
    no_tesseract = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = docpipe("run", "--raw", str(raw), "--out", str(tmp_path / "out"), env=no_tesseract)
    assert_one_line(result, "tesseract-ocr")


def test_missing_language_pack_does_not_stop_a_text_only_run(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "digest-2014-05-09.pdf", raw)
    result = docpipe(
        "run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--ocr-languages", "chi_sim+xyz"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "12" in result.stdout


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = docpipe("run", "--raw", str(tmp_path / "nowhere"), "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr


# --- expected failures: one line, the traceback only with --debug --------------------------


#: PDFs that cannot be opened, each an expected failure: its one log line must say this.
UNREADABLE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not-a-pdf.pdf": (write_not_a_pdf, "not a PDF"),
    "truncated.pdf": (write_truncated_pdf, "damaged or truncated PDF"),
    "encrypted.pdf": (write_encrypted_pdf, "encrypted PDF"),
    "zero-pages.pdf": (write_zero_page_pdf, "PDF has no pages"),
}


@pytest.fixture(scope="module")
def unreadable_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A raw directory of PDFs that cannot be opened: expected failures, one failed row each."""
    raw = tmp_path_factory.mktemp("raw")
    for name, (write, _) in UNREADABLE.items():
        write(raw / name)
    return raw


#: (command, --debug?, exit code, first line of stdout or "" where it says nothing, traceback on stderr?)
DEBUG_CASES = [
    ("run", False, 0, "docpipe: 4 documents ingested (4 failed; 4 new,", False),
    ("run", True, 0, "docpipe: 4 documents ingested (4 failed; 4 new,", True),
    ("pages", False, 2, "", False),
    ("pages", True, 1, "", True),
    ("inspect", False, 2, "", False),
    ("inspect", True, 1, "", True),
]


def debug_command(command: str, raw: Path, out: Path) -> list[str]:
    if command == "run":
        return ["run", "--raw", str(raw), "--out", str(out)]
    if command == "pages":  # datasets that are not there
        return ["pages", "--out", str(out / "nowhere")]
    return ["inspect", "nonexistent.pdf", "1", "--raw", str(raw), "--out", str(out)]


@pytest.mark.parametrize(
    ("command", "debug", "code", "first_line", "traceback"),
    DEBUG_CASES,
    ids=[f"{command}{' --debug' if debug else ''}" for command, debug, *_ in DEBUG_CASES],
)
def test_expected_failures_are_one_line_and_debug_shows_their_traceback(
    unreadable_raw: Path,
    tmp_path: Path,
    command: str,
    debug: bool,
    code: int,
    first_line: str,
    traceback: bool,
) -> None:
    env = {key: value for key, value in os.environ.items() if key != DEBUG_VARIABLE}
    args = debug_command(command, unreadable_raw, tmp_path / "out")
    result = docpipe(*args, *(["--debug"] if debug else []), env=env)
    assert result.returncode == code, result.stderr[-2000:]
    assert result.stdout.startswith(first_line), result.stdout
    assert ("Traceback" in result.stderr) is traceback, result.stderr[-2000:]
    if command == "run":  # each failure is logged once, as one line, with its reason
        for name, (_, reason) in UNREADABLE.items():
            failures = [line for line in result.stderr.splitlines() if f"{name}: failed:" in line]
            assert len(failures) == 1 and reason in failures[0], failures
            # The worker's traceback names the exception the PDF raised.
            assert (f"UnreadableDocument: {reason}" in result.stderr) is debug, name
    elif not debug:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("docpipe: ")
