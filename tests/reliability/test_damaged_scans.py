"""A scan whose JPEG data is damaged is never an ``ok`` page; an intact JPEG, whatever its encoding, is.

PDFium decodes damaged JPEG data without complaint (grey or white from the damage
on), so the page used to read as blank or garbage with the document ``ok``.  Each
damage is made here, on JPEGs Pillow writes in several ways, and put in a PDF
unchanged.  Mid-scan damage is listed on the encodings where libjpeg-turbo sees it
(the data runs short of the image): damage it resynchronises over silently is not
detected (see ``docpipe.extract.page_bounds.damaged_jpeg``).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from docpipe.extract.page_bounds import damaged_jpeg
from docpipe.extract.pdf import read_page_by_ocr
from docpipe.samples.book import pdf_number
from docpipe.settings import DEFAULT_SETTINGS
from tests.conftest import RAW
from tests.reliability.inputs import FONT

#: Lines of real text (a sample's first article), so that OCR of the intact scan reads as plausible.
TEXT = "".join(json.loads((RAW / "digest-2014-05-09.golden.json").read_text())["articles"][0]["paragraphs"])
CHARACTERS_PER_LINE = 22
PDF_COLORSPACES = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}


def scan(mode: str = "L", *, lines: int = 20) -> Image.Image:
    """A page of ``lines`` lines of text at 200 dpi, as a scanner would give it."""
    image = Image.new(mode, (1100, 1500), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for line in range(lines):
        text = TEXT[line * CHARACTERS_PER_LINE : (line + 1) * CHARACTERS_PER_LINE]
        draw.text((100, 100 + 60 * line), text, font=font, fill="black")
    return image


def jpeg(image: Image.Image, **options: object) -> bytes:
    stream = io.BytesIO()
    image.save(stream, format="JPEG", **options)
    return stream.getvalue()


#: Intact JPEGs as Pillow writes them: qualities, progressive, subsampling, optimised tables, colour spaces.
ENCODINGS: dict[str, Callable[[], tuple[bytes, str]]] = {
    "grey q80": lambda: (jpeg(scan(), quality=80), "L"),
    "grey q30": lambda: (jpeg(scan(), quality=30), "L"),
    "grey q95 progressive": lambda: (jpeg(scan(), quality=95, progressive=True), "L"),
    "grey one line": lambda: (jpeg(scan(lines=1), quality=80), "L"),
    "RGB q75": lambda: (jpeg(scan("RGB"), quality=75), "RGB"),
    "RGB 4:4:4 optimised": lambda: (jpeg(scan("RGB"), quality=90, subsampling=0, optimize=True), "RGB"),
    "RGB progressive optimised": lambda: (
        jpeg(scan("RGB"), quality=85, progressive=True, optimize=True),
        "RGB",
    ),
    "CMYK q85": lambda: (jpeg(scan("CMYK"), quality=85), "CMYK"),
}


def _scan_data_middle(data: bytes) -> int:
    """The middle of the entropy-coded data, after the (last) start-of-scan header."""
    start = data.rindex(b"\xff\xda")
    start += 2 + int.from_bytes(data[start + 2 : start + 4], "big")
    return (start + len(data)) // 2


def truncate(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def drop_end_marker(data: bytes) -> bytes:
    assert data.endswith(b"\xff\xd9")
    return data[:-2]


def zero_tail(data: bytes) -> bytes:
    """The second half of the scan data zeroed, as a download cut short into a preallocated file."""
    middle = _scan_data_middle(data)
    return data[:middle] + bytes(len(data) - 2 - middle) + data[-2:]


def zero_sector(data: bytes) -> bytes:
    """One 4 KiB disk block of the scan data read back as zeros."""
    middle = _scan_data_middle(data)
    return data[:middle] + bytes(4096) + data[middle + 4096 :]


def stray_end_marker(data: bytes) -> bytes:
    """An end-of-image marker in the middle of the scan: two files spliced into one."""
    middle = _scan_data_middle(data)
    return data[:middle] + b"\xff\xd9" + data[middle:]


def junk_tail(data: bytes) -> bytes:
    """The second half of the scan data overwritten by other bytes."""
    middle = _scan_data_middle(data)
    junk = random.Random(len(data)).randbytes(len(data) - 2 - middle)
    return data[:middle] + junk + data[-2:]


def flip_bytes(data: bytes) -> bytes:
    """64 bytes of the scan data with bits flipped (a bad cable, bad RAM)."""
    middle = _scan_data_middle(data)
    return data[:middle] + bytes(byte ^ 0x5A for byte in data[middle : middle + 64]) + data[middle + 64 :]


PROGRESSIVE = {"grey q95 progressive", "RGB progressive optimised"}
#: (encoding, damage, words of the reason; "" where the decoder's words depend on the bytes hit).
DAMAGES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    *((encoding, truncate, "Premature end of JPEG file") for encoding in ENCODINGS),
    *((encoding, drop_end_marker, "Premature end of JPEG file") for encoding in ENCODINGS),
    *((encoding, zero_tail, "Corrupt JPEG data") for encoding in ENCODINGS),
    *((encoding, stray_end_marker, "Corrupt JPEG data") for encoding in ENCODINGS),
    *((encoding, junk_tail, "") for encoding in ENCODINGS),
    # A progressive scan spreads each block over several passes: a 4 KiB hole in one pass,
    # or 64 flipped bytes, changes a few coefficients and the decoder resynchronises silently.
    *((encoding, zero_sector, "Corrupt JPEG data") for encoding in sorted(set(ENCODINGS) - PROGRESSIVE)),
    *((encoding, flip_bytes, "") for encoding in sorted(set(ENCODINGS) - PROGRESSIVE)),
]


def image_pdf(data: bytes, mode: str, *, declared: tuple[int, int] = (1100, 1500)) -> bytes:
    """A one-page PDF showing ``data`` as-is (DCTDecode), ``declared`` pixels at 200 dpi."""
    width, height = (pdf_number(pixels / 200 * 72) for pixels in declared)
    content = f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        ).encode(),
        (
            f"<< /Type /XObject /Subtype /Image /Width {declared[0]} /Height {declared[1]} "
            f"/ColorSpace {PDF_COLORSPACES[mode]} /BitsPerComponent 8 /Filter /DCTDecode "
            f"/Length {len(data)} >>\nstream\n"
        ).encode()
        + data
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def damage_of(pdf: bytes | Path) -> list[str | None]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [damaged_jpeg(document[index]) for index in range(len(document))]
    finally:
        document.close()


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_an_intact_jpeg_is_not_damaged(encoding: str) -> None:
    data, mode = ENCODINGS[encoding]()
    assert damage_of(image_pdf(data, mode)) == [None]


@pytest.mark.parametrize(
    ("encoding", "damage", "reason"),
    DAMAGES,
    ids=[f"{encoding}-{damage.__name__}" for encoding, damage, _ in DAMAGES],
)
def test_each_damage_is_found_with_its_reason(
    encoding: str, damage: Callable[[bytes], bytes], reason: str
) -> None:
    data, mode = ENCODINGS[encoding]()
    [found] = damage_of(image_pdf(damage(data), mode))
    assert found is not None and reason in found, found
    assert "\n" not in found and found.startswith("damaged JPEG data in image 1 of the page")


def test_a_jpeg_of_another_size_than_the_pdf_declares_is_damaged() -> None:
    data, mode = ENCODINGS["grey q80"]()
    [found] = damage_of(image_pdf(data, mode, declared=(1100, 1400)))
    assert found is not None and "1100x1500 pixels, the PDF says 1100x1400" in found


def test_no_page_of_the_samples_is_damaged() -> None:
    for path in sorted(RAW.glob("*.pdf")):
        assert set(damage_of(path)) == {None}, path.name


#: What reading the page makes of it: a damaged scan is never ok or blank.
READ_CASES = [
    ("intact", lambda data: data, {"ok"}),
    ("truncated", truncate, {"low_confidence", "failed"}),
    ("end marker dropped", drop_end_marker, {"low_confidence"}),
    ("second half zeroed", zero_tail, {"low_confidence", "failed"}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "damage", "statuses"), READ_CASES, ids=[case for case, *_ in READ_CASES])
def test_reading_a_damaged_scan_says_so(
    tmp_path: Path, case: str, damage: Callable[[bytes], bytes], statuses: set[str]
) -> None:
    data, mode = ENCODINGS["grey q80"]()
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf(damage(data), mode))
    page = read_page_by_ocr(path, 1, settings=DEFAULT_SETTINGS)
    assert page.status in statuses, (page.status, page.error)
    assert (page.error is not None and "damaged JPEG data" in page.error) is (case != "intact")


def test_a_damaged_scan_that_renders_blank_is_failed_not_blank(tmp_path: Path) -> None:
    """The damage before anything is drawn: PDFium shows white, the page is failed with the reason."""
    data = jpeg(Image.new("L", (1100, 1500), "white"), quality=80)
    path = tmp_path / "white.pdf"
    path.write_bytes(image_pdf(truncate(data), "L"))
    page = read_page_by_ocr(path, 1, settings=DEFAULT_SETTINGS)
    assert (page.status, page.error and page.error.split(":")[0]) == (
        "failed",
        "damaged JPEG data in image 1 of the page",
    )
