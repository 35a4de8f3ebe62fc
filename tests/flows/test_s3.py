"""--raw and --out on S3: a moto server on loopback holds the PDFs and receives the datasets.

Each test module starts its own server on a free port of 127.0.0.1 and stops it;
the teardown checks that the process has gone.  PDFs are the text-layer digest
samples, read without OCR, so a run takes seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

import flows.ingest
from docpipe import inventory as inventory_module
from docpipe import lease as lease_module
from docpipe.extract.pdf import sha256_of
from docpipe.extract.workers import PagePool
from docpipe.inventory import InventoryItem, raw_paths, take_inventory
from docpipe.lease import LeaseHeld, hold_lease, lease_object
from docpipe.raw_objects import copies_directory, local_copies
from docpipe.settings import DEFAULT_SETTINGS
from docpipe.storage import ENDPOINT_VARIABLES, Location, ObjectStore, Store, open_store
from docpipe.writer import OutputUnwritable, document_key, read_dataset, write_dataset_rows
from flows.ingest import ingest, run_with_workers
from tests.conftest import ROOT

TEXT_ONLY = DEFAULT_SETTINGS.with_overrides(ocr="never")
SERVER_START_SECONDS = 60.0
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
#: Columns that say when a row was written or how long it took, different in every run.
RUN_DEPENDENT = {"ingested_at", "seconds"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's standalone S3 server on 127.0.0.1, in the environment as the endpoint with test credentials."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {**CREDENTIALS, "AWS_ENDPOINT_URL_S3": endpoint}.items():
                patch.setenv(name, value)
            yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode is not None, "the moto server outlived its tests"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, **_boto_credentials())


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


@pytest.fixture
def bucket(s3_endpoint: str, digest_samples: list[Path]) -> str:
    """A new bucket holding the digest samples under ``raw/``."""
    name = f"docpipe-{uuid.uuid4().hex[:12]}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=name)
    for sample in digest_samples:
        client.upload_file(str(sample), name, f"raw/{sample.name}")
    return name


def s3_filesystem(endpoint: str) -> pafs.S3FileSystem:
    return pafs.S3FileSystem(
        endpoint_override=endpoint.removeprefix("http://"),
        scheme="http",
        access_key=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        secret_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region=CREDENTIALS["AWS_DEFAULT_REGION"],
    )


def read_back(endpoint: str, bucket: str, dataset: str) -> pa.Table:
    """A dataset as an analyst reads it from S3: pyarrow.dataset on an S3FileSystem, hive partitions."""
    return ds.dataset(
        f"{bucket}/parquet/{dataset}",
        filesystem=s3_filesystem(endpoint),
        format="parquet",
        partitioning="hive",
    ).to_table()


def comparable(table: pa.Table) -> list[dict[str, Any]]:
    rows = table.drop_columns([name for name in table.column_names if name in RUN_DEPENDENT]).to_pylist()
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """docpipe's CLI in a fresh interpreter that knows the server only from the arguments it is given."""
    env = {name: value for name, value in os.environ.items() if name not in ENDPOINT_VARIABLES}
    program = (
        "import sys\nfrom docpipe.cli import main\ncode = main(sys.argv[1:])\n"
        "print('prefect imported' if 'prefect' in sys.modules else 'prefect not imported')\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_run_from_s3_to_s3_writes_the_rows_of_a_local_run_and_a_rerun_does_nothing(
    prefect_harness: None, s3_endpoint: str, bucket: str, digest_samples: list[Path], tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for sample in digest_samples:
        shutil.copy(sample, raw / sample.name)
    local_out = tmp_path / "parquet"
    run_with_workers(ingest, TEXT_ONLY, raw_dir=raw, out_dir=local_out)

    options = ("--raw", f"s3://{bucket}/raw", "--out", f"s3://{bucket}/parquet")
    first = run_cli("run", *options, "--s3-endpoint", s3_endpoint, "--ocr", "never")
    assert first.returncode == 0, first.stderr
    assert f"{len(digest_samples)} documents ingested (0 failed" in first.stdout

    for dataset in ("articles", "pages", "documents"):
        expected = comparable(read_dataset(local_out, dataset))
        assert expected, f"the local run wrote no {dataset}"
        assert comparable(read_back(s3_endpoint, bucket, dataset)) == expected

    # DuckDB's httpfs extension is not bundled with duckdb 2.0 (it would be downloaded at run
    # time), so DuckDB reads S3 through the pyarrow dataset registered as a table.
    connection = duckdb.connect()
    articles = ds.dataset(
        f"{bucket}/parquet/articles", filesystem=s3_filesystem(s3_endpoint), partitioning="hive"
    )
    connection.register("articles", articles)
    by_document = connection.sql(
        "select source_file, count(*) from articles where doc_kind = 'digest' group by all order by all"
    ).fetchall()
    local = read_dataset(local_out, "articles").group_by("source_file").aggregate([("article_id", "count")])
    assert dict(by_document) == {row["source_file"]: row["article_id_count"] for row in local.to_pylist()}

    # Nothing changed: the second run says so without starting Prefect, and writes only its runs row.
    keys_before = object_keys(s3_endpoint, bucket, "parquet/")
    second = run_cli("run", *options, "--s3-endpoint", s3_endpoint, "--ocr", "never")
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout and "prefect not imported" in second.stdout
    new_keys = object_keys(s3_endpoint, bucket, "parquet/") - keys_before
    assert [key.rsplit("/", 2)[-2] for key in new_keys] == ["runs"]
    assert not (keys_before | new_keys) & {"parquet/.docpipe.lease"}, "the lease was not released"
    assert not copies_directory(f"s3://{bucket}/raw").exists(), "the local copies outlived the run"


def object_keys(endpoint: str, bucket: str, prefix: str) -> set[str]:
    pages = s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def crash_on_the_commit_point(victim_row: str, function: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a page job in a worker whose store fails writing ``victim_row`` (patched once per worker)."""
    real_write = ObjectStore.write_atomically
    if not getattr(real_write, "crashes", False):

        def crashing_write(store: ObjectStore, relative: str, data: bytes) -> None:
            if relative == victim_row:
                raise OSError("connection reset while writing the documents row")
            real_write(store, relative, data)

        crashing_write.crashes = True  # type: ignore[attr-defined]
        ObjectStore.write_atomically = crashing_write  # type: ignore[method-assign,assignment]
    return function(*args, **kwargs)


def crashing_workers(victim_row: str) -> type[PagePool]:
    class CrashingWorkers(PagePool):
        """The flow's page workers (where documents are written), failing on ``victim_row``."""

        def submit(self, function: Any, /, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
            return super().submit(
                crash_on_the_commit_point, victim_row, function, *args, timeout=timeout, **kwargs
            )

    return CrashingWorkers


def test_a_crash_before_the_documents_row_leaves_no_visible_document_and_the_next_run_finishes_it(
    prefect_harness: None,
    s3_endpoint: str,
    bucket: str,
    digest_samples: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    victim = digest_samples[0].name
    victim_documents_row = f"documents/doc_kind=digest/{document_key(victim)}.parquet"
    out = f"s3://{bucket}/parquet"
    monkeypatch.setattr(flows.ingest, "PagePool", crashing_workers(victim_documents_row))
    with pytest.raises(OutputUnwritable, match="connection reset"):
        run_with_workers(ingest, TEXT_ONLY, raw_dir=f"s3://{bucket}/raw", out_dir=out, wait_for_lock=False)
    monkeypatch.undo()

    # Its articles were written before the crash, but a reader joining on the documents
    # row (the commit point) sees none of them; the next run takes the document as new.
    articles = read_dataset(out, "articles")
    assert victim in articles["source_file"].to_pylist()
    assert victim not in committed_articles(out)
    summary = run_with_workers(ingest, TEXT_ONLY, raw_dir=f"s3://{bucket}/raw", out_dir=out)
    assert summary.changes["new"] >= 1 and summary.failed_documents == 0
    assert victim in committed_articles(out)
    assert sorted(set(read_dataset(out, "documents")["source_file"].to_pylist())) == sorted(
        sample.name for sample in digest_samples
    )

    # Gone from the bucket: recorded as removed, and with --prune its articles and pages go too.
    s3_client(s3_endpoint).delete_object(Bucket=bucket, Key=f"raw/{victim}")
    summary = run_with_workers(ingest, TEXT_ONLY, raw_dir=f"s3://{bucket}/raw", out_dir=out, prune=True)
    assert summary.changes["removed"] == 1
    [removed] = [row for row in read_dataset(out, "documents").to_pylist() if row["source_file"] == victim]
    assert removed["status"] == "removed"
    for dataset in ("articles", "pages"):
        assert victim not in read_dataset(out, dataset)["source_file"].to_pylist()


def committed_articles(out: str) -> set[str]:
    """Documents whose articles a reader sees when joining them to their documents row on doc_id."""
    connection = duckdb.connect()
    connection.register("articles", read_dataset(out, "articles"))
    connection.register("documents", read_dataset(out, "documents"))
    rows = connection.sql(
        "select distinct a.source_file from articles a join documents d using (source_file, doc_id)"
    ).fetchall()
    return {row[0] for row in rows}


# --- the lease ----------------------------------------------------------------------


def test_the_lease_admits_one_writer_and_is_gone_after_it(s3_endpoint: str, bucket: str) -> None:
    out = f"s3://{bucket}/parquet"
    with hold_lease(out, wait=False):
        with pytest.raises(LeaseHeld, match="in use by docpipe pid"), hold_lease(out, wait=False):
            pass
        locked = run_cli(
            "run", "--raw", f"s3://{bucket}/raw", "--out", out, "--no-wait", "--s3-endpoint", s3_endpoint
        )
        assert locked.returncode == 2 and "in use by docpipe pid" in locked.stderr, locked.stderr
    assert "parquet/.docpipe.lease" not in object_keys(s3_endpoint, bucket, "parquet/")
    with hold_lease(out, wait=False):  # released: free again
        pass


def test_a_waiting_writer_gets_the_lease_once_the_holder_releases_it(s3_endpoint: str, bucket: str) -> None:
    out = f"s3://{bucket}/parquet"
    order: list[str] = []
    holding = threading.Event()

    def first_writer() -> None:
        with hold_lease(out, wait=False):
            order.append("first in")
            holding.set()
            time.sleep(1.0)
            order.append("first out")

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert holding.wait(timeout=30)
    with hold_lease(out, wait=True, poll_seconds=0.1):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]


def test_an_expired_lease_is_taken_over_and_its_holder_learns_it_lost(s3_endpoint: str, bucket: str) -> None:
    out = f"s3://{bucket}/parquet"
    client = s3_client(s3_endpoint)
    dead = lease_module.Lease(lease_object(out), client=client, seconds=-1.0)  # expired at once
    assert dead.try_take() is None
    with hold_lease(out, wait=False, client=client) as taker:
        assert taker.etag is not None and taker.conditions_honoured
        assert not dead.renew(), "a renewal after a takeover must fail"
        assert dead.lost.is_set()
    assert "parquet/.docpipe.lease" not in object_keys(s3_endpoint, bucket, "parquet/")


def test_two_takers_of_one_dead_lease_cannot_both_win(s3_endpoint: str, bucket: str) -> None:
    out = f"s3://{bucket}/parquet"
    client = s3_client(s3_endpoint)
    where = lease_object(out)
    assert lease_module.Lease(where, client=client, seconds=-1.0).try_take() is None
    first, second = (lease_module.Lease(where, client=client) for _ in range(2))
    current = first.read()
    assert current is not None
    _, dead_etag = current
    # Both read the same dead lease; both try to replace exactly that version.
    assert first._put(IfMatch=dead_etag) is not None
    assert second._put(IfMatch=dead_etag) is None


class IgnoresConditions:
    """An S3 client whose server accepts every conditional PUT (some S3-compatible servers do)."""

    class exceptions:
        ClientError = Exception
        NoSuchKey = KeyError

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        body = self.objects[Key]

        class Body:
            @staticmethod
            def read() -> bytes:
                return body

        return {"Body": Body, "ETag": f'"{hash(body)}"'}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **condition: str) -> dict[str, str]:
        self.puts += 1
        self.objects[Key] = Body
        return {"ETag": f'"{hash(Body)}"'}


def test_a_server_ignoring_conditions_is_detected_and_a_visible_holder_still_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = IgnoresConditions()
    where = lease_object("s3://bucket/parquet")
    first = lease_module.Lease(where, client=client)
    assert first.try_take() is None
    assert not first.conditions_honoured
    assert "ignores conditional PUTs" in caplog.text
    second = lease_module.Lease(where, client=client)
    holder = second.try_take()
    assert holder is not None and holder["token"] == first.token


@pytest.mark.parametrize(
    ("uri", "root"),
    [
        ("s3://archive/parquet", "archive/parquet"),
        ("s3://archive/parquet/", "archive/parquet"),
        ("s3://archive", "archive"),
    ],
)
def test_s3_uris_name_bucket_and_prefix(s3_endpoint: str, uri: str, root: str) -> None:
    store = open_store(uri)
    assert isinstance(store, ObjectStore) and store.root == root
    assert store.uri("runs/x.parquet") == f"s3://{root}/runs/x.parquet"


# --- the inventory of raw objects ---------------------------------------------------


def test_an_unchanged_object_is_not_downloaded_again_and_a_rewritten_one_is(
    s3_endpoint: str, bucket: str, digest_samples: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, out = f"s3://{bucket}/raw", f"s3://{bucket}/parquet"
    downloads: list[str] = []
    real_fetch = inventory_module.fetch_copy

    def counting_fetch(store: Any, obj: Any, directory: Path, **options: Any) -> tuple[Path, str]:
        downloads.append(obj.source_file)
        return real_fetch(store, obj, directory, **options)

    monkeypatch.setattr(inventory_module, "fetch_copy", counting_fetch)
    with local_copies(raw):
        first = take_inventory(raw, out)
        assert sorted(downloads) == sorted(sample.name for sample in digest_samples)
        for item in first:
            assert item.path is not None and item.path.name == f"{item.doc_id}.pdf"
            assert sha256_of(item.path) == item.doc_id  # the local copy is the object's content
        for item in first:  # recorded as ingested, so that the next inventory finds them unchanged
            write_dataset_rows(out, "documents", "digest", item.source_file, [ok_document(item)])
        downloads.clear()
        assert {item.change for item in take_inventory(raw, out)} == {"unchanged"}
        assert downloads == [], "an unchanged object was downloaded to learn its sha256"

        victim = digest_samples[0]
        s3_client(s3_endpoint).upload_file(str(digest_samples[1]), bucket, f"raw/{victim.name}")
        changed = {item.source_file: item for item in take_inventory(raw, out)}
        assert downloads == [victim.name]
        assert changed[victim.name].change == "changed"
        assert changed[victim.name].doc_id == sha256_of(digest_samples[1])
    assert not copies_directory(raw).exists(), "the local copies outlived the run"


def ok_document(item: InventoryItem) -> dict[str, Any]:
    from tests.docpipe.test_writer import document_row

    return {**document_row(item.source_file), "doc_id": item.doc_id}


# --- one Store interface, two kinds of storage ------------------------------------------

STORED = ["articles/doc_kind=digest/a.parquet", "articles/doc_kind=book/b.parquet", "runs/r.parquet"]


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty store of each kind, holding the STORED files."""
    if request.param == "local":
        location: Location = tmp_path / "out"
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        name = f"docpipe-{uuid.uuid4().hex[:12]}"
        s3_client(endpoint).create_bucket(Bucket=name)
        location = f"s3://{name}/out"
    opened = open_store(location)
    for relative in STORED:
        opened.write_atomically(relative, relative.encode())
    return opened


@pytest.mark.parametrize(
    ("directory", "pattern", "found"),
    [
        (
            "articles",
            "doc_kind=*/*.parquet",
            ["articles/doc_kind=book/b.parquet", "articles/doc_kind=digest/a.parquet"],
        ),
        ("articles", "doc_kind=book/*.parquet", ["articles/doc_kind=book/b.parquet"]),
        ("articles", "*.parquet", []),  # "*" never crosses a "/"
        ("runs", "*.parquet", ["runs/r.parquet"]),
        ("pages", "doc_kind=*/*.parquet", []),  # a dataset never written
    ],
)
def test_glob_finds_the_same_files_in_every_store(
    store: Store, directory: str, pattern: str, found: list[str]
) -> None:
    assert store.glob(directory, pattern) == found


def test_every_store_reads_lists_and_removes_alike(store: Store) -> None:
    assert store.read_bytes("runs/r.parquet") == b"runs/r.parquet"
    assert store.exists("runs/r.parquet") and not store.exists("runs/none.parquet")
    assert store.subdirectories("articles") == ["doc_kind=book", "doc_kind=digest"]
    assert store.subdirectories("never") == []
    assert [file.path for file in store.list_files("")] == sorted(STORED)
    store.write_atomically("runs/r.parquet", b"replaced")
    assert store.read_bytes("runs/r.parquet") == b"replaced"
    assert store.remove("runs/r.parquet") and not store.remove("runs/r.parquet")
    assert [file.path for file in store.list_files("")] == sorted(STORED[:2])


def test_a_retry_gets_local_copies_of_only_the_documents_it_redoes(
    s3_endpoint: str, bucket: str, digest_samples: list[Path]
) -> None:
    raw = f"s3://{bucket}/raw"
    wanted = digest_samples[0].name
    with local_copies(raw):
        paths = raw_paths(raw, [wanted, "gone-from-the-bucket.pdf"])
        assert sha256_of(paths[wanted]) == sha256_of(digest_samples[0])
        assert not paths["gone-from-the-bucket.pdf"].exists()  # fails to open, as a missing local file does
        assert [path.name for path in copies_directory(raw).iterdir()] == [paths[wanted].name]
    assert not copies_directory(raw).exists()


@pytest.mark.parametrize(
    ("raw", "out", "message"),
    [
        ("s3://{bucket}/raw", "s3://no-such-bucket-{bucket}/parquet", "bucket 'no-such-bucket-"),
        ("s3://{bucket}/nothing-here", "s3://{bucket}/parquet", "nothing is stored under this prefix"),
        ("s3://{bucket}/raw", "gs://{bucket}/parquet", "local directories or s3://"),
    ],
)
def test_a_wrong_object_store_location_is_one_line_before_any_work(
    s3_endpoint: str, bucket: str, capsys: pytest.CaptureFixture[str], raw: str, out: str, message: str
) -> None:
    from docpipe.cli import main

    code = main(["run", "--raw", raw.format(bucket=bucket), "--out", out.format(bucket=bucket)])
    error = capsys.readouterr().err
    assert code == 2 and message in error and error.count("\n") == 1, error
