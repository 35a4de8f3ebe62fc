"""Builders for the broken inputs docpipe must survive, made byte-for-byte in the tests."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas


def write_minimal_pdf(path: Path, pages: int = 2, *, encrypt: str | None = None) -> Path:
    pdf = canvas.Canvas(str(path), encrypt=encrypt, invariant=1)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"page {number} of a minimal test document")
        pdf.showPage()
    pdf.save()
    return path


def write_not_a_pdf(path: Path) -> Path:
    path.write_text("名称,数量\n这不是 PDF,1\n", encoding="utf-8")
    return path


def write_truncated_pdf(path: Path) -> Path:
    whole = write_minimal_pdf(path.with_suffix(".whole"), pages=3).read_bytes()
    path.with_suffix(".whole").unlink()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def write_encrypted_pdf(path: Path) -> Path:
    return write_minimal_pdf(path, encrypt="secret")


def write_zero_page_pdf(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


BROKEN_INPUTS = {
    "not-a-pdf.pdf": (write_not_a_pdf, "not a PDF"),
    "truncated.pdf": (write_truncated_pdf, "damaged or truncated"),
    "encrypted.pdf": (write_encrypted_pdf, "encrypted"),
    "zero-pages.pdf": (write_zero_page_pdf, "no pages"),
}
