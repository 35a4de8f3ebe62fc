"""A page whose OCR fails (a timeout forced low, real Tesseract) is isolated, then retried."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from docpipe.operate import problem_pages
from docpipe.settings import DEFAULT_SETTINGS
from docpipe.writer import read_dataset
from flows.ingest import ingest, retry_pages

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SCAN_DPI = 200
PARAGRAPHS = [
    "在印度，电子政府已逐步从政府部门的办公电脑化，发展到推出以民众为中心、服务导向化和透明化的项目。",
    "该计划旨在改善政府向公民、企业提供的公共服务。",
]


def scanned_page_png() -> bytes:
    """A 200-dpi A5-ish scan of one Chinese paragraph."""
    image = Image.new("L", (1100, 1500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(["国家信息中心表示，将进一步推进", "电子政务建设，提升服务水平。"]):
        draw.text((120, 200 + row * 70), line, font=font, fill=0)
    stream = io.BytesIO()
    image.save(stream, format="PNG", dpi=(SCAN_DPI, SCAN_DPI))
    return stream.getvalue()


def write_mixed_pdf(path: Path) -> Path:
    """Page 1: a text layer with two numbered articles, the first ending with its source (a digest);
    page 2: an image-only scan, the second article's end."""
    pdfmetrics.registerFont(TTFont("ZenHei", FONT, subfontIndex=0))
    pdf = canvas.Canvas(str(path), pagesize=(550, 750), invariant=1)
    pdf.setFont("ZenHei", 14)
    pdf.drawString(60, 680, "1. 印度电子政府发展")
    pdf.setFont("ZenHei", 10.5)
    pdf.drawString(81, 650, PARAGRAPHS[0][:38])
    pdf.drawString(60, 632, PARAGRAPHS[0][38:])
    pdf.drawString(60, 614, "（来源：人民网）")  # numbered articles that end with sources: a digest
    pdf.setFont("ZenHei", 14)
    pdf.drawString(60, 590, "2. 国家信息中心推进电子政务")
    pdf.setFont("ZenHei", 10.5)
    pdf.drawString(81, 560, PARAGRAPHS[1])
    pdf.showPage()
    pdf.drawImage(ImageReader(io.BytesIO(scanned_page_png())), 0, 0, width=550, height=750)
    pdf.showPage()
    pdf.save()
    return path


@pytest.mark.slow
def test_failed_page_is_a_row_and_retry_repairs_it(prefect_harness: None, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    write_mixed_pdf(raw / "mixed.pdf")

    # The timeout covers a whole page: a text page is read in milliseconds, OCR with the
    # recognizer loading takes seconds, so 0.5 s fails only the scan.
    ingest(raw_dir=raw, out_dir=out, settings={"page_timeout": 0.5})
    pages = {row["page"]: row for row in read_dataset(out, "pages").to_pylist()}
    assert pages[1]["status"] == "ok" and pages[1]["method"] == "text"
    # The failed page keeps how it was being read and how long it ran.
    assert pages[2]["status"] == "failed" and pages[2]["method"] == "ocr"
    assert pages[2]["engine"] == DEFAULT_SETTINGS.ocr_engine and pages[2]["seconds"] >= 0.5
    assert "Timeout" in pages[2]["error"]
    articles = [a for a in read_dataset(out, "articles").to_pylist() if a["part"] == "body"]
    assert [a["title"] for a in articles] == ["印度电子政府发展", "国家信息中心推进电子政务"]
    assert articles[-1]["failed_pages"] == [2]
    [document] = read_dataset(out, "documents").to_pylist()
    assert document["status"] == "partial"
    assert [p.page for p in problem_pages(out)] == [2]

    retry_pages(raw_dir=raw, out_dir=out)
    pages = {row["page"]: row for row in read_dataset(out, "pages").to_pylist()}
    assert pages[2]["status"] in ("ok", "low_confidence") and pages[2]["method"] == "ocr"
    assert "电子政务建设" in pages[2]["text"]
    articles = read_dataset(out, "articles").to_pylist()
    assert articles[-1]["failed_pages"] == [] and "电子政务建设" in articles[-1]["body"]
    assert articles[-1]["extraction"] == "mixed"
