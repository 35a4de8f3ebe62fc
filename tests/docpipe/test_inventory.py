"""docpipe.inventory: what each raw entry becomes, and when a run may skip it."""

from __future__ import annotations

import os
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from docpipe import PIPELINE_VERSION
from docpipe.inventory import (
    InventoryItem,
    find_entries,
    find_pdfs,
    removed_with_rows,
    source_file_for,
    take_inventory,
)
from docpipe.keep_or_replace import RETRY_PENDING
from docpipe.writer import check_source_file, write_dataset_rows
from tests.builders import write_minimal_pdf
from tests.docpipe.test_writer import article_rows

RAW = Path("raw")


@pytest.mark.parametrize(
    ("relative", "source_file"),
    [
        ("2014/digest.pdf", "2014/digest.pdf"),  # unchanged
        ("电子政务 第3期.pdf", "电子政务 第3期.pdf"),  # unchanged
        (unicodedata.normalize("NFD", "café.pdf"), "café.pdf"),  # NFC
        (os.fsdecode(b"r\xe9sum\xe9.pdf"), "r\\xe9sum\\xe9.pdf"),  # Latin-1 bytes kept as escapes
        (os.fsdecode(b"\xe7\x94\xb5\xff.pdf"), "电\\xff.pdf"),
        ("a\\b.pdf", "a\\x5cb.pdf"),  # a literal backslash cannot pass for an escape
    ],
)
def test_source_file_for(relative: str, source_file: str) -> None:
    assert source_file_for(RAW / relative, RAW) == source_file
    check_source_file(source_file)  # the writer accepts it


def test_escaped_names_stay_distinct() -> None:
    names = [os.fsdecode(b"a\xff.pdf"), "a\\xff.pdf", "a\\x5cxff.pdf"]
    assert len({source_file_for(RAW / name, RAW) for name in names}) == len(names)


def entries_of(raw: Path) -> dict[str, str | None]:
    return {entry.source_file: entry.problem for entry in find_entries(raw)}


def test_entries_that_cannot_be_ingested_are_named_with_a_reason(tmp_path: Path) -> None:
    write_minimal_pdf(tmp_path / "good.pdf")
    (tmp_path / "loop.pdf").symlink_to("loop.pdf")
    (tmp_path / "broken.pdf").symlink_to("missing.pdf")
    (tmp_path / "alias.pdf").symlink_to("good.pdf")
    (tmp_path / "folder.pdf").mkdir()
    write_minimal_pdf(tmp_path / "folder.pdf" / "inner.pdf")
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "notes.txt").write_text("not a pdf name")  # unchanged: never an entry
    (tmp_path / ".hidden.pdf").write_bytes(b"")  # unchanged: never an entry
    problems = entries_of(tmp_path)
    assert problems.pop("good.pdf") is None
    assert problems.pop("folder.pdf/inner.pdf") is None
    assert {name: (problem or "").split(":")[0].split(" (")[0] for name, problem in problems.items()} == {
        "loop.pdf": "symlink loop",
        "broken.pdf": "broken symlink",
        "alias.pdf": "symlink to good.pdf, which is ingested under that name",
        "folder.pdf": "a directory, not a PDF file",
        "pipe.pdf": "not a regular file",
    }
    assert find_pdfs(tmp_path) == [tmp_path / "folder.pdf" / "inner.pdf", tmp_path / "good.pdf"]


def test_symlink_out_of_raw_is_ingested_under_its_name(tmp_path: Path) -> None:
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    raw.mkdir()
    elsewhere.mkdir()
    write_minimal_pdf(elsewhere / "shared.pdf")
    (raw / "linked.pdf").symlink_to(elsewhere / "shared.pdf")
    (raw / "linked-dir").symlink_to(elsewhere, target_is_directory=True)  # not followed: no loops
    assert entries_of(raw) == {"linked.pdf": None}


def test_two_symlinks_to_one_outside_file_ingest_it_once(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    write_minimal_pdf(tmp_path / "shared.pdf")
    (raw / "b.pdf").symlink_to(tmp_path / "shared.pdf")
    (raw / "a.pdf").symlink_to(tmp_path / "shared.pdf")
    assert entries_of(raw) == {"a.pdf": None, "b.pdf": "symlink to a.pdf, which is ingested under that name"}


@pytest.mark.parametrize("order", ["nfc first", "nfd first"])
def test_normalisation_twins_one_wins_the_nfc_name(tmp_path: Path, order: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "公报é.pdf"), unicodedata.normalize("NFD", "公报é.pdf")
    for name in [nfc, nfd] if order == "nfc first" else [nfd, nfc]:
        write_minimal_pdf(tmp_path / name)
    assert entries_of(tmp_path) == {
        nfc: None,
        "公报e\\u0301.pdf": f"duplicate of {nfc}: the two names differ only in Unicode normalisation",
    }
    winner = next(entry for entry in find_entries(tmp_path) if entry.problem is None)
    assert os.fsdecode(winner.path.name) == nfc


def test_a_decomposed_name_alone_is_ingested_under_its_nfc_name(tmp_path: Path) -> None:
    write_minimal_pdf(tmp_path / unicodedata.normalize("NFD", "é.pdf"))
    assert entries_of(tmp_path) == {"é.pdf": None}


# --- take_inventory: when a run may skip an entry ---------------------------------------------


def document_row(source_file: str, **changes: Any) -> dict[str, Any]:
    return {
        "doc_id": None,
        "source_file": source_file,
        "doc_title": None,
        "issue_date": None,
        "issue_label": None,
        "pages": None,
        "articles": 0,
        "status": "failed",
        "error": None,
        "coverage": None,
        "copy_of": None,
        "warnings": [],
        "pipeline_version": PIPELINE_VERSION,
        "ingested_at": datetime(2026, 1, 1, tzinfo=UTC),
        **changes,
    }


def changes_of(items: list[InventoryItem]) -> dict[str, str]:
    return {item.source_file: item.change for item in items}


def test_problem_entry_with_the_same_problem_is_unchanged(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "broken.pdf").symlink_to("missing.pdf")
    [item] = take_inventory(raw, out)
    assert (item.change, item.problem) == ("new", "broken symlink: its target missing.pdf does not exist")
    write_dataset_rows(
        out, "documents", "unknown", "broken.pdf", [document_row("broken.pdf", error=item.problem)]
    )
    assert changes_of(take_inventory(raw, out)) == {"broken.pdf": "unchanged"}
    assert changes_of(take_inventory(raw, out, force=True)) == {"broken.pdf": "changed"}
    (raw / "broken.pdf").unlink()
    (raw / "broken.pdf").symlink_to("elsewhere.pdf")  # another problem: recorded again
    assert changes_of(take_inventory(raw, out)) == {"broken.pdf": "changed"}


def test_kept_rows_after_a_failure_are_tried_again(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    write_minimal_pdf(raw / "a.pdf")
    [found] = take_inventory(raw, out)
    ok = document_row("a.pdf", doc_id=found.doc_id, status="ok", error=None, pages=2)
    write_dataset_rows(out, "documents", "digest", "a.pdf", [ok])
    assert changes_of(take_inventory(raw, out)) == {"a.pdf": "unchanged"}
    pending = {**ok, "warnings": [f"{RETRY_PENDING} this run failed: damaged or truncated PDF"]}
    write_dataset_rows(out, "documents", "digest", "a.pdf", [pending])
    assert changes_of(take_inventory(raw, out)) == {"a.pdf": "changed"}


def test_removed_with_rows_lists_every_removed_document_still_holding_articles(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for name, status in [("gone.pdf", "removed"), ("pruned.pdf", "removed"), ("here.pdf", "ok")]:
        write_dataset_rows(out, "documents", "book", name, [document_row(name, status=status, error=None)])
    for name in ("gone.pdf", "here.pdf"):
        write_dataset_rows(out, "articles", "book", name, article_rows(name, 2))
    assert removed_with_rows(out) == ["gone.pdf"]
    shutil.rmtree(out / "articles")
    assert removed_with_rows(out) == []


def test_unlistable_subdirectory_is_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_minimal_pdf(tmp_path / "good.pdf")
    (tmp_path / "locked").mkdir()
    write_minimal_pdf(tmp_path / "locked" / "inside.pdf")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        # Root lists any directory whatever its mode: the kernel's answer to anyone else.
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert entries_of(tmp_path) == {
        "good.pdf": None,
        "locked": "directory cannot be listed (Permission denied): the PDFs in it are not ingested",
    }
    with pytest.raises(FileNotFoundError):
        find_entries(tmp_path / "no-such-raw")
