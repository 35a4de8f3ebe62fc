"""Where datasets and raw PDFs live: a local directory or an object store, behind one small interface.

``--raw`` and ``--out`` take a local directory or a URI that
:meth:`pyarrow.fs.FileSystem.from_uri` understands (``s3://bucket/prefix``,
``gs://…``, ``file:///…``).  :func:`open_store` turns either into a
:class:`Store` whose paths are ``/``-separated and relative to its root, so the
writer, the page cache and the inventory are written once for both.

What "complete before visible" means differs, and each store keeps it its own way:

* :class:`LocalStore` writes a temporary file (``.<name>.<random>.tmp``) in the
  target's directory, fsyncs it, renames it over the target and fsyncs the
  directory: a reader sees the old file or the new one, never half of one.
* :class:`ObjectStore` sends each file as one PUT of bytes already complete in
  memory: an object store makes an object visible only when its upload has
  completed, so there is no temporary object to see or to leave behind.

S3 credentials come from the standard AWS chain (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_PROFILE``, instance
roles); a server other than AWS (MinIO, Ceph, moto) is named by
``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``, which ``--s3-endpoint`` sets.
"""

from __future__ import annotations

import functools
import os
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Final
from urllib.parse import SplitResult, urlsplit

import pyarrow.fs as pafs

#: A local directory, or the URI of a directory in an object store (``s3://bucket/prefix``).
Location = Path | str

TEMP_PREFIX: Final = "."
TEMP_SUFFIX: Final = ".tmp"
#: Environment variables naming an S3-compatible server, most specific first (the AWS SDKs' names).
ENDPOINT_VARIABLES: Final = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
#: Region used with an explicit endpoint when none is configured: S3-compatible servers ignore it.
FALLBACK_REGION: Final = "us-east-1"


class BadLocation(ValueError):
    """A ``--raw`` or ``--out`` that names no directory docpipe can use."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One file found in a store: its path relative to the store's root, size and modification time."""

    path: str
    size: int
    mtime: datetime | None


def is_uri(location: Location) -> bool:
    """Whether ``location`` is a URI (``scheme://…``) rather than a local path.

    >>> is_uri("s3://bucket/parquet"), is_uri("parquet"), is_uri(Path("s3:/x"))
    (True, False, False)
    """
    return isinstance(location, str) and "://" in location


def is_object_store(location: Location) -> bool:
    """Whether ``location`` is in an object store (any URI but ``file://``).

    >>> is_object_store("s3://bucket/parquet"), is_object_store("file:///tmp/x"), is_object_store("raw")
    (True, False, False)
    """
    return is_uri(location) and urlsplit(str(location)).scheme != "file"


def as_location(text: str) -> Location:
    """What the command line's ``--raw``/``--out`` text names: an object store's URI stays a string.

    >>> as_location("s3://bucket/raw"), as_location("raw"), as_location("file:///srv/raw")
    ('s3://bucket/raw', PosixPath('raw'), PosixPath('/srv/raw'))
    """
    return text if is_object_store(text) else local_path(text)


def local_path(location: Location) -> Path:
    """The local directory a path or ``file://`` URI names.

    >>> local_path("file:///srv/raw"), local_path(Path("raw"))
    (PosixPath('/srv/raw'), PosixPath('raw'))
    """
    if is_object_store(location):
        raise BadLocation(f"{location} is in an object store, not on local disk")
    if is_uri(location):
        return Path(urlsplit(str(location)).path)
    return Path(location)


def s3_endpoint() -> str | None:
    """The S3-compatible server configured in the environment, or None for AWS itself."""
    return next((os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None)


class Store(ABC):
    """A directory of files, addressed by ``/``-separated paths relative to its root."""

    def __init__(self, filesystem: pafs.FileSystem, root: str, location: Location) -> None:
        self.filesystem = filesystem
        self.root = root.rstrip("/")
        self.location = location

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.location)!r})"

    def full_path(self, relative: str) -> PurePath:
        """The path of ``relative`` in the store's filesystem (a :class:`Path` for a local store)."""
        return PurePosixPath(self.root, relative) if relative else PurePosixPath(self.root)

    def uri(self, relative: str = "") -> str:
        """``relative`` as a person (or DuckDB) would name it: a URI for an object store."""
        return str(self.full_path(relative))

    def reader_filesystem(self) -> pafs.FileSystem | None:
        """The filesystem to hand pyarrow readers with :meth:`full_path` strings (None: local paths)."""
        return self.filesystem

    def read_bytes(self, relative: str) -> bytes:
        with self.filesystem.open_input_stream(str(self.full_path(relative))) as stream:
            return bytes(stream.read())

    def exists(self, relative: str) -> bool:
        info = self.filesystem.get_file_info(str(self.full_path(relative)))
        return bool(info.type == pafs.FileType.File)

    @abstractmethod
    def write_atomically(self, relative: str, data: bytes) -> None:
        """Replace (or create) a file with ``data`` so that no reader ever sees part of it."""

    @abstractmethod
    def remove(self, relative: str) -> bool:
        """Delete a file (and, locally, its temporary leftovers); return whether it existed."""

    def subdirectories(self, relative: str) -> list[str]:
        """The names of the directories directly under ``relative`` (none when it does not exist)."""
        selector = pafs.FileSelector(str(self.full_path(relative)), allow_not_found=True, recursive=False)
        return sorted(
            info.base_name
            for info in self.filesystem.get_file_info(selector)
            if info.type == pafs.FileType.Directory
        )

    def list_files(self, relative: str) -> list[StoredFile]:
        """Every file under ``relative``, at any depth, with paths relative to the root, sorted."""
        base = str(self.full_path(relative))
        selector = pafs.FileSelector(base, allow_not_found=True, recursive=True)
        root_length = len(self.root) + 1 if self.root else 0
        return sorted(
            (
                StoredFile(info.path[root_length:], info.size or 0, info.mtime)
                for info in self.filesystem.get_file_info(selector)
                if info.type == pafs.FileType.File
            ),
            key=lambda file: file.path,
        )

    def glob(self, relative: str, pattern: str) -> list[str]:
        """Files under ``relative`` whose path below it matches ``pattern`` segment by segment.

        ``*`` never crosses a ``/``, as in :meth:`pathlib.Path.glob`.
        """
        depth = len(PurePosixPath(pattern).parts)
        prefix = f"{relative}/" if relative else ""
        found: list[str] = []
        for file in self.list_files(relative):
            below = PurePosixPath(file.path[len(prefix) :])
            if len(below.parts) == depth and below.match(pattern):
                found.append(file.path)
        return found


class LocalStore(Store):
    """A local directory: temp file, fsync, rename (see the module's docstring)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(pafs.LocalFileSystem(), str(directory), directory)
        self.directory = directory

    def full_path(self, relative: str) -> Path:
        return self.directory / relative if relative else self.directory

    def reader_filesystem(self) -> None:
        return None  # pyarrow reads local paths, relative ones included, without being told

    def read_bytes(self, relative: str) -> bytes:
        return self.full_path(relative).read_bytes()

    def exists(self, relative: str) -> bool:
        return self.full_path(relative).is_file()

    def write_atomically(self, relative: str, data: bytes) -> None:
        path = self.full_path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only this file's own leftovers are removed: other files may be being
        # written into the same directory right now, and their temp files are live.
        for leftover in temp_files_of(path):
            leftover.unlink(missing_ok=True)
        temp_path = path.with_name(f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            with open(temp_path, "wb") as temp_file:
                temp_file.write(data)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.replace(temp_path, path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        fsync_directory(path.parent)

    def remove(self, relative: str) -> bool:
        path = self.full_path(relative)
        for leftover in temp_files_of(path):
            leftover.unlink(missing_ok=True)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsync_directory(path.parent)
        return True

    def subdirectories(self, relative: str) -> list[str]:
        directory = self.full_path(relative)
        if not directory.is_dir():
            return []
        return sorted(child.name for child in directory.iterdir() if child.is_dir())

    def glob(self, relative: str, pattern: str) -> list[str]:
        directory = self.full_path(relative)
        return sorted(path.relative_to(self.directory).as_posix() for path in directory.glob(pattern))

    def remove_temp_files(self, relative: str) -> list[Path]:
        """Delete the temporary files of writes a killed run left under ``relative``; return them."""
        leftovers = [
            path for path in self.full_path(relative).rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}") if path.is_file()
        ]
        for path in leftovers:
            path.unlink(missing_ok=True)
        return leftovers


class ObjectStore(Store):
    """A prefix in an object store: one PUT per file, complete before it is visible."""

    def full_path(self, relative: str) -> PurePath:
        return PurePosixPath(self.root, relative) if relative else PurePosixPath(self.root)

    def uri(self, relative: str = "") -> str:
        scheme = urlsplit(str(self.location)).scheme
        return f"{scheme}://{self.full_path(relative)}"

    def write_atomically(self, relative: str, data: bytes) -> None:
        # The bytes are complete before the upload starts: an exception while
        # building them sends nothing, and the object appears only when its
        # upload completes (an interrupted upload leaves no object).
        with self.filesystem.open_output_stream(str(self.full_path(relative))) as stream:
            stream.write(data)

    def remove(self, relative: str) -> bool:
        path = str(self.full_path(relative))
        if self.filesystem.get_file_info(path).type != pafs.FileType.File:
            return False
        self.filesystem.delete_file(path)
        return True


def open_store(location: Location) -> Store:
    """The store at ``location``: a :class:`LocalStore` for a path or ``file://``, else an object store.

    Object stores are built once per URI and endpoint (building one may ask
    the server for the bucket's region).
    """
    if not is_object_store(location):
        return LocalStore(local_path(location))
    return _object_store(str(location), s3_endpoint())


@functools.lru_cache(maxsize=32)
def _object_store(uri: str, endpoint: str | None) -> ObjectStore:
    parts = urlsplit(uri)
    try:
        if parts.scheme == "s3" and endpoint:
            filesystem, root = _s3_at_endpoint(endpoint), _s3_root(parts)
        else:
            filesystem, root = pafs.FileSystem.from_uri(uri)
    except (OSError, ValueError, TypeError) as error:
        raise BadLocation(f"{uri}: {error}") from None
    if not root.strip("/"):
        raise BadLocation(f"{uri}: name a bucket (s3://bucket/prefix)")
    return ObjectStore(filesystem, root, uri)


def _s3_root(parts: SplitResult) -> str:
    if not parts.netloc:
        raise BadLocation("an s3:// URI needs a bucket: s3://bucket/prefix")
    return f"{parts.netloc}{parts.path}".rstrip("/")


def _s3_at_endpoint(endpoint: str) -> pafs.S3FileSystem:
    """An S3 filesystem talking to ``endpoint`` (``http://host:port``) with path-style addressing."""
    parsed = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if not parsed.netloc:
        raise BadLocation(f"S3 endpoint {endpoint!r} is not a URL such as http://127.0.0.1:9000")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or FALLBACK_REGION
    return pafs.S3FileSystem(
        endpoint_override=parsed.netloc,
        scheme=parsed.scheme,
        region=region,
        force_virtual_addressing=False,
    )


def temp_files_of(path: Path) -> list[Path]:
    """The temporary files that writes of ``path`` a killed run left beside it."""
    return list(path.parent.glob(f"{TEMP_PREFIX}{path.name}.*{TEMP_SUFFIX}"))


def fsync_directory(directory: Path) -> None:
    # The rename or unlink is only durable once the directory entry is flushed;
    # Windows cannot open a directory for this, and its NTFS journal covers it.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
