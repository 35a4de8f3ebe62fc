"""`docpipe run`'s own start and end: nothing to do costs no Prefect, and a killed run leaves nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docpipe.inventory import take_inventory
from docpipe.runs import nothing_to_do
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.conftest import RAW, ROOT
from tests.page_pdfs import write_text_pdf
from tests.processes import alive, descendants, docpipe_command

SAMPLE = RAW / "digest-2014-05-09.pdf"
#: Runs docpipe's CLI in a fresh interpreter and reports whether it ever imported Prefect.
CLI_WITHOUT_PREFECT = (
    "import sys\n"
    "from docpipe.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('prefect imported' if 'prefect' in sys.modules else 'prefect not imported')\n"
    "sys.exit(code)\n"
)


def run_cli_reporting_prefect(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI_WITHOUT_PREFECT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_cli_offers_exactly_the_ocr_engines_there_are() -> None:
    from docpipe.cli import OCR_ENGINES
    from docpipe.extract.engines import ENGINES

    assert sorted(OCR_ENGINES) == sorted(ENGINES)


def test_a_run_over_an_empty_raw_directory_never_starts_prefect_and_records_itself(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    result = run_cli_reporting_prefect("run", "--raw", str(raw), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "docpipe: nothing to do: 0 documents unchanged" in result.stdout
    assert "prefect not imported" in result.stdout
    [row] = read_dataset(out, "runs").to_pylist()
    assert row["documents_new"] == 0 and row["articles_written"] == 0


def test_an_unchanged_raw_directory_is_recorded_without_prefect(
    prefect_harness: None, tmp_path: Path
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    ingest(raw_dir=raw, out_dir=out, settings={"ocr": "never"})
    result = run_cli_reporting_prefect("run", "--raw", str(raw), "--out", str(out), "--ocr", "never")
    assert result.returncode == 0, result.stderr
    assert "nothing to do: 1 document unchanged" in result.stdout
    assert "prefect not imported" in result.stdout
    runs = read_dataset(out, "runs").to_pylist()
    assert sorted(row["documents_skipped"] for row in runs) == [0, 1]

    # What still has work to do: a changed file, a removed one, --force, and --prune
    # while a removed document's rows are still kept.
    unchanged = take_inventory(raw, out)
    assert nothing_to_do(unchanged, out, prune=True)
    assert not nothing_to_do(take_inventory(raw, out, force=True), out, prune=False)
    (raw / SAMPLE.name).write_bytes(SAMPLE.read_bytes() + b"\n% a new revision\n")
    assert not nothing_to_do(take_inventory(raw, out), out, prune=False)
    (raw / SAMPLE.name).unlink()
    assert not nothing_to_do(take_inventory(raw, out), out, prune=False)
    ingest(raw_dir=raw, out_dir=out, settings={"ocr": "never"})  # marks it removed, keeps its rows
    assert nothing_to_do(take_inventory(raw, out), out, prune=False)
    assert not nothing_to_do(take_inventory(raw, out), out, prune=True)


@pytest.mark.slow
def test_sigkill_of_a_run_leaves_no_process_it_started(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    write_text_pdf(raw / "long.pdf", 400)
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    run = subprocess.Popen(
        docpipe_command("run", raw, out, "--ocr", "never"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started: dict[int, str] = {}
    deadline = time.monotonic() + 400
    # Mid-run: the API server is up and page workers are reading.
    while not (
        any("uvicorn" in command for command in started.values())
        and any("multiprocessing" in command for command in started.values())
    ):
        assert run.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, f"the run never got going: {started}"
        time.sleep(0.2)
        started.update(descendants(run.pid))
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while left := {pid: command for pid, command in started.items() if alive(pid)}:
        assert time.monotonic() < deadline, f"left running after SIGKILL of the run: {left}"
        time.sleep(0.2)
