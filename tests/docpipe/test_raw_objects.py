"""docpipe.raw_objects: which objects are PDFs to ingest, under which source_file, and their hashes.

The listing is the Store interface's, so a local store stands in for a bucket here;
tests/flows/test_s3.py runs the same code against an S3 server.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest

from docpipe.raw_objects import HashIndex, RawObject, fetch_copy, find_objects
from docpipe.storage import LocalStore, open_store


@pytest.mark.parametrize(
    ("key", "source_file"),
    [
        ("digest.pdf", "digest.pdf"),  # unchanged
        ("2014/电子政务 第3期.pdf", "2014/电子政务 第3期.pdf"),  # unchanged
        ("UPPER.PDF", "UPPER.PDF"),  # any case of the suffix, name kept as stored
        (unicodedata.normalize("NFD", "café.pdf"), "café.pdf"),  # NFC, as for a local directory
        ("notes.txt", None),
        (".hidden.pdf", None),
        (".trash/old.pdf", None),  # under a hidden prefix
        ("pdf", None),
    ],
)
def test_which_objects_are_pdfs_and_their_source_file(
    tmp_path: Path, key: str, source_file: str | None
) -> None:
    store = LocalStore(tmp_path)
    store.write_atomically(key, b"%PDF-1.4")
    found = [obj.source_file for obj in find_objects(store)]
    assert found == ([] if source_file is None else [source_file])


def test_a_copy_is_named_by_its_sha256_and_reused_only_when_its_content_matches(tmp_path: Path) -> None:
    raw = LocalStore(tmp_path / "raw")
    raw.write_atomically("a.pdf", b"%PDF-1.4 first")
    [obj] = find_objects(raw)
    copies = tmp_path / "copies"
    path, sha = fetch_copy(raw, obj, copies)
    assert sha == hashlib.sha256(b"%PDF-1.4 first").hexdigest() and path == copies / f"{sha}.pdf"
    assert fetch_copy(raw, obj, copies, expected=sha) == (path, sha)  # reused
    path.write_bytes(b"damaged on local disk")
    assert fetch_copy(raw, obj, copies, expected=sha) == (path, sha)  # downloaded again
    assert path.read_bytes() == b"%PDF-1.4 first"
    assert [entry.name for entry in copies.iterdir()] == [path.name]  # no partial download left


def test_the_hash_index_forgets_a_changed_or_vanished_object(tmp_path: Path) -> None:
    out = open_store(tmp_path / "out").location
    seen = RawObject("a.pdf", "a.pdf", 10, "2026-01-01T00:00:00+00:00")
    index = HashIndex(out)
    index.remember(seen, "f" * 64)
    index.remember(RawObject("b.pdf", "b.pdf", 5, "2026-01-01T00:00:00+00:00"), "e" * 64)
    index.keep_only({"a.pdf"})
    index.save()
    again = HashIndex(out)
    assert again.sha256(seen) == "f" * 64
    assert again.sha256(RawObject("a.pdf", "a.pdf", 11, seen.mtime)) is None  # another size
    assert again.sha256(RawObject("a.pdf", "a.pdf", 10, "2026-01-02T00:00:00+00:00")) is None  # rewritten
    assert again.sha256(RawObject("b.pdf", "b.pdf", 5, "2026-01-01T00:00:00+00:00")) is None  # forgotten
