"""The ingest flow on a Dask cluster: the same articles as the local runner, and nothing left running."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import psutil
import pytest
from distributed import LocalCluster
from prefect_dask import DaskTaskRunner

from docpipe.cluster import local_cluster_options
from docpipe.settings import DEFAULT_SETTINGS
from docpipe.writer import read_dataset
from flows.ingest import ingest, read_document_task, run_with_workers

pytestmark = pytest.mark.slow  # a cluster of two spawned workers and two runs: over 30 s on 2 cores

#: Seconds the cluster's processes may take to exit after it is closed.
EXIT_GRACE_SECONDS = 30.0
TEXT_ONLY = DEFAULT_SETTINGS.with_overrides(ocr="never")


def article_rows(out: Path) -> list[tuple[str, str, str]]:
    rows = read_dataset(out, "articles", columns=["article_id", "source_file", "body"]).to_pylist()
    return sorted((row["article_id"], row["source_file"], row["body"]) for row in rows)


def children() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


def wait_until_gone(pids: set[int]) -> set[int]:
    deadline = time.monotonic() + EXIT_GRACE_SECONDS
    while (alive := {pid for pid in pids if psutil.pid_exists(pid)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {pid for pid in alive if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE}


def test_two_dask_workers_write_the_same_articles_as_the_local_runner(
    prefect_harness: None, digest_samples: list[Path], tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for sample in digest_samples:
        shutil.copy(sample, raw / sample.name)
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    run_with_workers(ingest, TEXT_ONLY, raw_dir=raw, out_dir=local_out)

    before = children()
    with LocalCluster(**local_cluster_options(2)) as cluster:
        workers = children() - before
        summary = run_with_workers(
            ingest,
            TEXT_ONLY,
            task_runner=DaskTaskRunner(address=cluster.scheduler_address),
            raw_dir=raw,
            out_dir=dask_out,
        )
        # Dask names a task prefix after the function it runs.
        sent_to_cluster = set(cluster.scheduler.task_prefixes)
        clients = [
            event for _, event in cluster.scheduler.get_events("all") if event["action"] == "add-client"
        ]
    assert len(workers) >= 2
    assert summary.failed_documents == 0 and not summary.problem_pages
    # Reading, assembling and writing the documents went to the cluster's workers.
    # One connection for the run, whatever its document threads do (each would start a LocalCluster).
    assert len(clients) == 1, clients
    assert read_document_task.fn.__name__ in sent_to_cluster, sent_to_cluster
    expected = article_rows(local_out)
    assert expected, "the local run wrote no articles"
    assert article_rows(dask_out) == expected
    assert wait_until_gone(workers) == set(), "the cluster's processes outlived it"
