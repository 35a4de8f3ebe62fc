"""Raw PDFs in an object store: list them, learn their sha256, and give page workers local copies.

PDFium reads files, so every PDF a run reads is downloaded once into a local
directory (:func:`copies_directory`), hashed while it downloads, stored under its
sha256 and checked against the sha256 expected for it; the directory is removed
when the run ends (:func:`local_copies`).  PDFs reach the page workers as paths
to these copies, never as bytes through Prefect or Dask.

A document is its sha256, but downloading the whole archive on every run to hash
it would cost more than the run itself.  So the sha256 found for an object is
remembered with its size and modification time in the output, under
``_cache/raw-objects.json`` (one small JSON object written atomically); an object
whose size and modification time have not changed keeps its sha256 without
being downloaded.  An overwrite that keeps both (same size, same second) goes
unnoticed until ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from docpipe.storage import Location, Store, is_object_store, open_store

PDF_SUFFIX = ".pdf"
#: Where the sha256 of each raw object is remembered, relative to the output.
HASH_INDEX = "_cache/raw-objects.json"
#: Overrides the parent of the local copies directory (else the system's temporary directory).
COPIES_VARIABLE = "DOCPIPE_RAW_COPIES"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RawObject:
    """One ``*.pdf`` object under the raw prefix."""

    source_file: str
    key: str  # relative to the raw prefix, as stored
    size: int
    mtime: str  # ISO 8601, as the store reports it

    def version(self) -> dict[str, Any]:
        return {"size": self.size, "mtime": self.mtime}


def find_objects(store: Store) -> list[RawObject]:
    """Every ``*.pdf`` object (any case) under the store's root, hidden names aside, by ``source_file``.

    The ``source_file`` is the key below the prefix in NFC; keys equal after NFC
    are both listed, and the inventory keeps the first.
    """
    objects = []
    for file in store.list_files(""):
        parts = PurePosixPath(file.path).parts
        if not file.path.lower().endswith(PDF_SUFFIX) or any(part.startswith(".") for part in parts):
            continue
        mtime = file.mtime.isoformat() if file.mtime is not None else ""
        objects.append(RawObject(unicodedata.normalize("NFC", file.path), file.path, file.size, mtime))
    return sorted(objects, key=lambda obj: (obj.source_file, obj.key))


def copies_directory(raw_dir: Location) -> Path:
    """The local directory of this raw location's copies: the same for the CLI's look and the flow's run."""
    parent = Path(os.environ.get(COPIES_VARIABLE) or tempfile.gettempdir())
    tag = hashlib.sha256(str(raw_dir).encode()).hexdigest()[:12]
    return parent / f"docpipe-raw-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}"


def fetch_copy(
    store: Store, obj: RawObject, directory: Path, *, expected: str | None = None
) -> tuple[Path, str]:
    """A local copy of ``obj`` (``<sha256>.pdf`` in ``directory``) and the sha256 of its content.

    A copy already there is reused once its content hashes to ``expected``;
    otherwise the object is downloaded and hashed on the way.  The sha256
    returned is always that of the copy's content, which the caller compares
    with what it expected.
    """
    directory.mkdir(parents=True, exist_ok=True)
    if expected is not None:
        existing = directory / f"{expected}{PDF_SUFFIX}"
        if existing.is_file() and _sha256_of(existing) == expected:
            return existing, expected
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    try:
        with (
            os.fdopen(handle, "wb") as local,
            store.filesystem.open_input_stream(str(store.full_path(obj.key))) as remote,
        ):
            while block := remote.read(_CHUNK):
                digest.update(block)
                local.write(block)
        sha = digest.hexdigest()
        path = directory / f"{sha}{PDF_SUFFIX}"
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path, sha


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


class HashIndex:
    """The remembered sha256 of each raw object, by ``source_file``, with the version it was read from."""

    def __init__(self, out_dir: Location) -> None:
        self._store = open_store(out_dir)
        try:
            self._entries: dict[str, dict[str, Any]] = json.loads(self._store.read_bytes(HASH_INDEX))
        except (OSError, ValueError):
            self._entries = {}  # none yet, or unreadable: hash again
        self._changed = False

    def sha256(self, obj: RawObject) -> str | None:
        entry = self._entries.get(obj.source_file)
        if entry is None or {key: entry.get(key) for key in ("size", "mtime")} != obj.version():
            return None
        sha = entry.get("sha256")
        return sha if isinstance(sha, str) else None

    def remember(self, obj: RawObject, sha256: str) -> None:
        entry = {**obj.version(), "sha256": sha256}
        if self._entries.get(obj.source_file) != entry:
            self._entries[obj.source_file] = entry
            self._changed = True

    def keep_only(self, source_files: set[str]) -> None:
        for gone in set(self._entries) - source_files:
            del self._entries[gone]
            self._changed = True

    def save(self) -> None:
        if self._changed:
            data = json.dumps(self._entries, ensure_ascii=False, sort_keys=True).encode("utf-8")
            self._store.write_atomically(HASH_INDEX, data)
            self._changed = False


@contextmanager
def local_copies(raw_dir: Location) -> Iterator[None]:
    """Remove the local copies of an object store's PDFs when the run ends (local raw: nothing to do)."""
    try:
        yield
    finally:
        if is_object_store(raw_dir):
            shutil.rmtree(copies_directory(raw_dir), ignore_errors=True)
