"""Errors a user can fix are one line and exit status 2, before any work starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import RAW, ROOT


def docpipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docpipe.cli", *args],
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
