"""The bad inputs of the reliability suite, each made by the test in a raw directory, and the invariants.

Every builder takes the raw directory and returns the ``source_file`` its entry
must be recorded under; :data:`BAD_INPUTS` says what its documents row must say.
"""

from __future__ import annotations

import io
import os
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
from PIL import Image, ImageDraw, ImageFont

from docpipe.samples.book import ScannedPage, scan_parameters, write_image_pdf
from docpipe.writer import read_dataset
from tests.builders import write_encrypted_pdf, write_not_a_pdf, write_truncated_pdf, write_zero_page_pdf
from tests.conftest import RAW
from tests.page_pdfs import SENTENCES

GOOD_SAMPLE = RAW / "digest-2014-05-09.pdf"
GOOD_ARTICLES = 12
OTHER_SAMPLE = RAW / "digest-2014-07-28.pdf"
OTHER_ARTICLES = 36
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: A name that is not valid UTF-8 (a Latin-1 é), as an old archive or a Windows share hands it over.
UNDECODABLE_NAME = b"r\xe9sum\xe9.pdf"
NFC_NAME = unicodedata.normalize("NFC", "café-公报.pdf")
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


def copy_good(raw: Path, name: str = "good.pdf") -> str:
    shutil.copy(GOOD_SAMPLE, raw / name)
    return name


def undecodable_name(raw: Path) -> str:
    shutil.copy(GOOD_SAMPLE, os.fsdecode(os.fsencode(raw) + b"/" + UNDECODABLE_NAME))
    return "r\\xe9sum\\xe9.pdf"


def symlink_loop(raw: Path) -> str:
    (raw / "loop-a.pdf").symlink_to("loop-b.pdf")
    (raw / "loop-b.pdf").symlink_to("loop-a.pdf")
    return "loop-a.pdf"


def broken_symlink(raw: Path) -> str:
    (raw / "broken.pdf").symlink_to("gone/away.pdf")
    return "broken.pdf"


def symlink_to_raw_file(raw: Path) -> str:
    if not (raw / "good.pdf").exists():
        copy_good(raw)
    (raw / "alias.pdf").symlink_to("good.pdf")
    return "alias.pdf"


def directory_named_pdf(raw: Path) -> str:
    (raw / "bundle.pdf").mkdir()
    shutil.copy(OTHER_SAMPLE, raw / "bundle.pdf" / "inside.pdf")
    return "bundle.pdf"


def fifo_named_pdf(raw: Path) -> str:
    os.mkfifo(raw / "pipe.pdf")
    return "pipe.pdf"


def empty_file(raw: Path) -> str:
    (raw / "empty.pdf").write_bytes(b"")
    return "empty.pdf"


def nfc_twins(raw: Path) -> str:
    """Two copies whose names differ only in normalisation; returns the twin that must lose."""
    shutil.copy(GOOD_SAMPLE, raw / NFC_NAME)
    shutil.copy(OTHER_SAMPLE, raw / NFD_NAME)
    return "cafe\\u0301-公报.pdf"


def scanned_page_jpeg(lines: Sequence[str]) -> tuple[bytes, tuple[int, int]]:
    """A 200-dpi grey JPEG scan of a page with these lines of Chinese text, and its size in pixels."""
    image = Image.new("L", (1100, 1500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for number, line in enumerate(lines):
        draw.text((120, 200 + 80 * number), line, font=font, fill=0)
    stream = io.BytesIO()
    image.save(stream, format="JPEG", quality=80)
    return stream.getvalue(), image.size


def one_page_scan(raw: Path, name: str = "scan.pdf") -> str:
    """A one-page image-only PDF: a page docpipe reads by OCR."""
    jpeg, size = scanned_page_jpeg([sentence[:22] for sentence in SENTENCES[:3]])
    scan = ScannedPage(jpeg, 200, size, scan_parameters(1, dpi=200))
    (raw / name).write_bytes(write_image_pdf([scan], title="scan"))
    return name


def corrupt_jpeg_page(raw: Path) -> str:
    """A one-page scan whose JPEG data is damaged half way through (the header still parses)."""
    data, size = scanned_page_jpeg(["国家信息中心表示，将进一步推进电子政务建设。"])
    jpeg = bytearray(data)
    middle = len(jpeg) // 2
    jpeg[middle : middle + 400] = bytes(400)
    scan = ScannedPage(bytes(jpeg), 200, size, scan_parameters(1, dpi=200))
    (raw / "corrupt-jpeg.pdf").write_bytes(write_image_pdf([scan], title="corrupt"))
    return "corrupt-jpeg.pdf"


def _built(write: Callable[[Path], Path], name: str) -> Callable[[Path], str]:
    def build(raw: Path) -> str:
        write(raw / name)
        return name

    return build


@dataclass(frozen=True)
class BadInput:
    build: Callable[[Path], str]
    #: The documents row's status, and a fragment of its error (None: no error).
    status: str
    error: str | None


BAD_INPUTS: dict[str, BadInput] = {
    "not a PDF": BadInput(_built(write_not_a_pdf, "not-a-pdf.pdf"), "failed", "not a PDF"),
    "truncated": BadInput(_built(write_truncated_pdf, "truncated.pdf"), "failed", "damaged or truncated"),
    "encrypted": BadInput(_built(write_encrypted_pdf, "encrypted.pdf"), "failed", "encrypted"),
    "zero pages": BadInput(_built(write_zero_page_pdf, "zero-pages.pdf"), "failed", "no pages"),
    "empty file": BadInput(empty_file, "failed", "not a PDF"),
    "undecodable name": BadInput(undecodable_name, "ok", None),
    "symlink loop": BadInput(symlink_loop, "failed", "symlink loop"),
    "broken symlink": BadInput(broken_symlink, "failed", "broken symlink"),
    "symlink to a raw file": BadInput(symlink_to_raw_file, "failed", "symlink to good.pdf"),
    "directory named .pdf": BadInput(directory_named_pdf, "failed", "a directory"),
    "FIFO named .pdf": BadInput(fifo_named_pdf, "failed", "not a regular file"),
    "NFC twins": BadInput(nfc_twins, "failed", f"duplicate of {NFC_NAME}"),
}


# --- invariants ------------------------------------------------------------------------


def temp_files(out: Path) -> list[Path]:
    return [path for path in out.rglob("*") if path.name.endswith(".tmp")]


def article_state(out: Path) -> set[tuple[str, str, str]]:
    """What an analyst gets: (source_file, article_id, body) of every body article row."""
    articles = read_dataset(out, "articles").filter(pc.equal(pc.field("part"), "body"))
    return set(
        zip(
            articles["source_file"].to_pylist(),
            articles["article_id"].to_pylist(),
            articles["body"].to_pylist(),
            strict=True,
        )
    )


def check_invariants(out: Path) -> None:
    """Readable by pyarrow, one row per article_id and per document, no temporary file left."""
    for dataset in ("articles", "pages", "documents", "runs"):
        read_dataset(out, dataset)
    ids = read_dataset(out, "articles")["article_id"].to_pylist()
    assert len(ids) == len(set(ids)), "duplicate article_id"
    documents = read_dataset(out, "documents")["source_file"].to_pylist()
    assert len(documents) == len(set(documents)), "two documents rows for one source_file"
    pages = read_dataset(out, "pages").to_pylist()
    page_keys = [(row["source_file"], row["page"]) for row in pages]
    assert len(page_keys) == len(set(page_keys)), "duplicate page rows"
    assert temp_files(out) == []


def good_rows_kept(before: set[tuple[str, str, str]], after: set[tuple[str, str, str]]) -> set[str]:
    """The documents some of whose articles were there before and are gone now."""
    return {source for source, *_ in before - after}
