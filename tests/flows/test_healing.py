"""A page that fails in one run is healed by the next plain run, within a bounded number of attempts.

The failure is a real one, process-model independent: the scanned page's OCR is given a
page timeout it cannot meet (as a loaded machine would), then the next run has the default.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docpipe.cli import main
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.flows.test_failed_pages import write_mixed_pdf

#: Text pages and opening take milliseconds; OCR with its models loading takes seconds.
TOO_SHORT = {"page_timeout": 0.5}


def pages_of(out: Path) -> dict[int, dict[str, object]]:
    return {row["page"]: row for row in read_dataset(out, "pages").to_pylist()}


def last_run(out: Path) -> dict[str, object]:
    return max(read_dataset(out, "runs").to_pylist(), key=lambda row: row["started"])


@pytest.mark.slow
def test_page_that_timed_out_is_healed_by_the_next_plain_run(prefect_harness: None, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    write_mixed_pdf(raw / "mixed.pdf")

    ingest(raw_dir=raw, out_dir=out, settings=TOO_SHORT)
    pages = pages_of(out)
    assert (pages[2]["status"], pages[2]["attempts"]) == ("failed", 1)
    assert (pages[1]["status"], pages[1]["attempts"]) == ("ok", 1)
    # --strict speaks for the datasets: a no-op run over a failed page still exits 1.
    strict = ["run", "--raw", str(raw), "--out", str(out), "--strict", "--retry-failed", "1"]
    assert main(strict) == 1
    assert last_run(out)["documents_skipped"] == 1 and last_run(out)["pages_failed"] == 0

    summary = ingest(raw_dir=raw, out_dir=out)  # plain: nothing changed, the failed page is retried
    assert summary.changes["unchanged"] == 1 and len(summary.documents) == 1
    pages = pages_of(out)
    assert pages[2]["status"] in ("ok", "low_confidence") and pages[2]["attempts"] == 2
    assert pages[1]["attempts"] == 1  # kept as it was read
    [article] = [a for a in read_dataset(out, "articles").to_pylist() if a["failed_pages"] == []][-1:]
    assert "电子政务建设" in article["body"]
    run = last_run(out)
    assert run["kind"] == "ingest" and run["flow_run_id"] and run["pages_failed"] == 0
    assert main(["run", "--raw", str(raw), "--out", str(out), "--strict"]) == 0


@pytest.mark.slow
def test_healing_stops_after_the_attempt_limit(prefect_harness: None, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    write_mixed_pdf(raw / "mixed.pdf")
    settings = {**TOO_SHORT, "retry_failed": 2}

    ingest(raw_dir=raw, out_dir=out, settings=settings)
    second = ingest(raw_dir=raw, out_dir=out, settings=settings)
    assert pages_of(out)[2]["attempts"] == 2 and len(second.documents) == 1
    third = ingest(raw_dir=raw, out_dir=out, settings=settings)
    assert third.documents == [] and pages_of(out)[2]["attempts"] == 2
    assert pages_of(out)[2]["status"] == "failed"
