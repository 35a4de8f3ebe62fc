"""docpipe.page_cache: pages round-trip, and a cache that cannot be written is logged once and ignored."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaners.records import Page
from docpipe import page_cache, storage
from docpipe.page_cache import CACHE_DIR, load_page, save_page
from docpipe.settings import DEFAULT_SETTINGS

DOC_ID = "d" * 64
PAGE = Page(number=3, width=595.0, height=842.0, raw_text="电子政务")


@pytest.fixture(autouse=True)
def fresh_reports() -> Iterator[None]:
    page_cache._unwritable.clear()
    yield
    page_cache._unwritable.clear()


def files_under(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


def test_saved_page_loads_back(tmp_path: Path) -> None:
    assert save_page(tmp_path, DOC_ID, PAGE, DEFAULT_SETTINGS)
    assert load_page(tmp_path, DOC_ID, 3, DEFAULT_SETTINGS) == PAGE


def test_failed_page_is_not_cached(tmp_path: Path) -> None:
    failed = Page(number=3, width=0.0, height=0.0, status="failed", error="Timeout")
    assert not save_page(tmp_path, DOC_ID, failed, DEFAULT_SETTINGS)
    assert files_under(tmp_path) == []


def cache_is_a_file(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (out / "_cache").write_text("in the way")


def disk_fills_mid_write(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_dump = page_cache.json.dump

    def dump_then_fail(value: object, stream: object, **kwargs: object) -> None:
        real_dump({"partial": True}, stream)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(page_cache.json, "dump", dump_then_fail)


def rename_refused(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(storage.os, "replace", refuse)  # the local store renames the temp file


@pytest.mark.parametrize("fault", [cache_is_a_file, disk_fills_mid_write, rename_refused])
def test_unwritable_cache_is_logged_once_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fault: object
) -> None:
    fault(tmp_path, monkeypatch)  # type: ignore[operator]
    before = files_under(tmp_path)
    with caplog.at_level(logging.WARNING, logger="docpipe.page_cache"):
        for number in (1, 2, 3):
            assert not save_page(
                tmp_path, DOC_ID, Page(number=number, width=1.0, height=1.0), DEFAULT_SETTINGS
            )
    assert files_under(tmp_path) == before  # no temporary file left
    [record] = caplog.records
    assert "cannot be written" in record.getMessage()
    assert str(tmp_path / CACHE_DIR) in record.getMessage()


def test_cache_writable_again_is_used_again(tmp_path: Path) -> None:
    (tmp_path / "_cache").write_text("in the way")
    assert not save_page(tmp_path, DOC_ID, PAGE, DEFAULT_SETTINGS)
    (tmp_path / "_cache").unlink()
    assert save_page(tmp_path, DOC_ID, PAGE, DEFAULT_SETTINGS)
    shutil.rmtree(tmp_path / "_cache")


def test_leftovers_of_a_killed_write_are_swept(tmp_path: Path) -> None:
    assert save_page(tmp_path, DOC_ID, PAGE, DEFAULT_SETTINGS)
    leftover = tmp_path / CACHE_DIR / DOC_ID / ".killed-mid-write.tmp"
    leftover.write_text('{"number": 3, "wid')
    assert page_cache.remove_leftover_temp_files(tmp_path) == [leftover]
    assert load_page(tmp_path, DOC_ID, 3, DEFAULT_SETTINGS) == PAGE  # the cached page stays
    assert page_cache.remove_leftover_temp_files(tmp_path / "nothing-here") == []
