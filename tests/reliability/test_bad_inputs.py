"""Every kind of bad entry in the raw directory is one documents row with a clear reason; the good files
are still ingested, the run has its runs row, and the next run skips them all."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docpipe import inventory
from docpipe.writer import read_dataset
from flows.ingest import RunSummary, ingest
from tests.conftest import ROOT
from tests.reliability.inputs import (
    BAD_INPUTS,
    GOOD_ARTICLES,
    NFC_NAME,
    OTHER_ARTICLES,
    check_invariants,
    copy_good,
    corrupt_jpeg_page,
)

UNREADABLE = "unreadable.pdf"


@dataclass
class Ingested:
    out: Path
    source_files: dict[str, str]  # case -> source_file
    first: RunSummary
    second: RunSummary

    def row(self, source_file: str) -> dict[str, Any]:
        documents = read_dataset(self.out, "documents").to_pylist()
        [row] = [r for r in documents if r["source_file"] == source_file]
        return row


@pytest.fixture(scope="module")
def ingested(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingested]:
    raw = tmp_path_factory.mktemp("raw")
    out = tmp_path_factory.mktemp("out")
    copy_good(raw)
    copy_good(raw, UNREADABLE)
    source_files = {case: bad.build(raw) for case, bad in BAD_INPUTS.items()}
    source_files["corrupt JPEG page"] = corrupt_jpeg_page(raw)
    real_hash = inventory.sha256_of

    def unreadable(path: Path) -> str:
        # Root reads any file whatever its mode (the suite runs as root in CI): the kernel's
        # answer to anyone else is simulated here, and checked for real in a setuid child below.
        if path.name == UNREADABLE:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_hash(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inventory, "sha256_of", unreadable)
        first = ingest(raw_dir=raw, out_dir=out)
        second = ingest(raw_dir=raw, out_dir=out)
    yield Ingested(out, source_files, first, second)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_each_bad_input_is_one_row_with_its_reason(ingested: Ingested, case: str) -> None:
    expected = BAD_INPUTS[case]
    row = ingested.row(ingested.source_files[case])
    assert row["status"] == expected.status, row
    if expected.error is None:
        assert row["error"] is None
    else:
        assert expected.error in row["error"]
        assert "\n" not in row["error"]


def test_unreadable_file_is_a_failed_row(ingested: Ingested) -> None:
    row = ingested.row(UNREADABLE)
    assert (row["status"], row["doc_id"]) == ("failed", None)
    assert "Permission denied" in row["error"]


def test_corrupt_jpeg_page_is_a_problem_page_with_its_reason(ingested: Ingested) -> None:
    row = ingested.row(ingested.source_files["corrupt JPEG page"])
    assert (row["pages"], row["status"]) == (1, "partial")
    pages = read_dataset(ingested.out, "pages").to_pylist()
    [page] = [p for p in pages if p["source_file"] == row["source_file"]]
    assert page["status"] in ("failed", "low_confidence")
    assert page["error"].startswith("damaged JPEG data in image 1 of the page: Corrupt JPEG data")


def test_good_files_are_ingested_once_each(ingested: Ingested) -> None:
    articles = read_dataset(ingested.out, "articles").to_pylist()
    by_file: dict[str, int] = {}
    for article in articles:
        if article["part"] == "body":
            by_file[article["source_file"]] = by_file.get(article["source_file"], 0) + 1
    assert by_file["good.pdf"] == GOOD_ARTICLES
    assert by_file[ingested.source_files["undecodable name"]] == GOOD_ARTICLES
    assert by_file[NFC_NAME] == GOOD_ARTICLES  # the twin in NFC wins; the other is a failed row
    assert by_file["bundle.pdf/inside.pdf"] == OTHER_ARTICLES  # a directory named .pdf is still walked
    assert "alias.pdf" not in by_file  # a symlink to good.pdf: its articles once, under good.pdf
    check_invariants(ingested.out)


def test_the_run_has_its_runs_row(ingested: Ingested) -> None:
    runs = {row["run_id"]: row for row in read_dataset(ingested.out, "runs").to_pylist()}
    first = runs[ingested.first.run_id]
    failed = sum(1 for bad in BAD_INPUTS.values() if bad.status == "failed") + 1  # + unreadable
    assert first["documents_failed"] >= failed
    assert ingested.second.run_id in runs


def test_next_run_reingests_nothing(ingested: Ingested) -> None:
    assert ingested.second.wrote_nothing
    assert ingested.second.changes["new"] == ingested.second.changes["changed"] == 0


def test_unreadable_file_for_real(tmp_path: Path) -> None:
    """The inventory of a directory holding a file the process may not read, in a child that may not."""
    raw = tmp_path / "raw"
    raw.mkdir()
    copy_good(raw)
    copy_good(raw, UNREADABLE)
    (raw / UNREADABLE).chmod(0)
    script = (
        "import pathlib, sys\n"
        "from docpipe.inventory import take_inventory\n"
        "for item in take_inventory(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])):\n"
        "    print(item.source_file, item.change, item.problem)\n"
    )
    # Root reads any file whatever its mode; without these two capabilities it reads as the mode says.
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    result = subprocess.run(
        [*unprivileged, sys.executable, "-c", script, str(raw), str(tmp_path / "nowhere")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "good.pdf new None",
        f"{UNREADABLE} new cannot be read (Permission denied)",
    ]
