"""Operator tools over real datasets written by docpipe's writer, pointing at a real PDF."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from docpipe.operate import (
    INSPECT_DIR,
    ProblemPage,
    default_inspect_dest,
    display_width,
    format_problem_pages,
    implausible_text,
    inspect_page,
    problem_pages,
)
from docpipe.schema import SCHEMAS
from docpipe.writer import read_dataset, write_dataset_rows

BOOK = "book.pdf"
DIGEST = "digest/电子政务信息汇编-第3期.pdf"
#: The scanned page: 400 x 600 pixels placed at 200 dpi, i.e. 144 x 216 points.
SCAN_PIXELS = (400, 600)
SCAN_DPI = 200
TEXT_PAGE_POINTS = (300, 400)
RAW_TEXT = "电子政务信息汇编 2014年第3期\n<b>正文</b> & “引号”\n第一段\n— 12 —"
CLEAN_TEXT = "<b>正文</b> & “引号”第一段"


def write_book_pdf(path: Path) -> Path:
    """Page 1 has a text layer; page 2 is one grayscale image at 200 dpi and nothing else."""
    pdf = canvas.Canvas(str(path), pagesize=TEXT_PAGE_POINTS, invariant=1)
    pdf.drawString(36, 300, "page 1 has a text layer")
    pdf.showPage()
    scan = Image.new("L", SCAN_PIXELS, 235)
    ImageDraw.Draw(scan).rectangle((40, 60, 360, 90), fill=20)
    width, height = (pixels * 72 / SCAN_DPI for pixels in SCAN_PIXELS)
    pdf.setPageSize((width, height))
    pdf.drawImage(ImageReader(scan), 0, 0, width=width, height=height)
    pdf.showPage()
    pdf.save()
    return path


def page_row(source_file: str, doc_id: str, page: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "doc_id": doc_id,
        "source_file": source_file,
        "page": page,
        "printed_page": None,
        "method": "text",
        "engine": None,
        "ocr_model": None,
        "status": "ok",
        "error": None,
        "confidence": None,
        "header": None,
        "footer": None,
        "char_count": 0,
        "raw_text": "",
        "text": "",
        "seconds": 0.25,
        "attempts": 1,
        "dropped": [],
    }
    return {**row, **overrides}


def document_row(source_file: str, doc_id: str, pages: int, status: str) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "source_file": source_file,
        "doc_title": "电子政务信息汇编",
        "issue_date": None,
        "issue_label": None,
        "pages": pages,
        "articles": 1,
        "status": status,
        "error": None,
        "warnings": [],
        "coverage": 1.0,
        "copy_of": None,
        "ingested_at": datetime(2024, 5, 1, 10, 15, tzinfo=UTC),
    }


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "digest").mkdir(parents=True)
    write_book_pdf(raw / BOOK)
    return raw


@pytest.fixture
def out_dir(tmp_path: Path, raw_dir: Path) -> Path:
    """Two documents: the real book PDF (a failed and a low-confidence page) and a digest."""
    out = tmp_path / "parquet"
    book_id = hashlib.sha256((raw_dir / BOOK).read_bytes()).hexdigest()
    book_pages = [
        page_row(BOOK, book_id, 1, status="failed", error="pdfplumber: bad xref\n at object 12"),
        page_row(
            BOOK,
            book_id,
            2,
            method="ocr",
            engine="tesseract 5.3.0",
            status="low_confidence",
            confidence=41.25,
            printed_page="12",
            header="电子政务信息汇编 | 2014年第3期",
            footer="— 12 —",
            raw_text=RAW_TEXT,
            text=CLEAN_TEXT,
            char_count=len(CLEAN_TEXT),
        ),
    ]
    write_dataset_rows(out, "pages", "book", BOOK, book_pages)
    write_dataset_rows(out, "documents", "book", BOOK, [document_row(BOOK, book_id, 2, "partial")])
    digest_id = "0" * 64
    digest_pages = [
        page_row(DIGEST, digest_id, 1),
        page_row(DIGEST, digest_id, 2, status="failed", error="timeout"),
        page_row(DIGEST, digest_id, 3, status="blank"),
    ]
    write_dataset_rows(out, "pages", "digest", DIGEST, digest_pages)
    write_dataset_rows(out, "documents", "digest", DIGEST, [document_row(DIGEST, digest_id, 3, "partial")])
    return out


# --- problem pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "source_file", "expected"),
    [
        (("failed", "low_confidence"), None, [(BOOK, 1), (BOOK, 2), (DIGEST, 2)]),
        (("failed",), None, [(BOOK, 1), (DIGEST, 2)]),
        (("low_confidence",), None, [(BOOK, 2)]),
        (("blank",), None, [(DIGEST, 3)]),
        ("blank", None, [(DIGEST, 3)]),  # a lone string is one status, not its letters
        (("failed", "low_confidence"), DIGEST, [(DIGEST, 2)]),
        (("failed", "low_confidence"), "other.pdf", []),
        ((), None, []),
    ],
)
def test_problem_pages_filters_by_status_and_file(
    out_dir: Path, statuses: tuple[str, ...], source_file: str | None, expected: list[tuple[str, int]]
) -> None:
    rows = problem_pages(out_dir, statuses=statuses, source_file=source_file)
    assert [(row.source_file, row.page) for row in rows] == expected


def test_problem_pages_carry_what_went_wrong(out_dir: Path) -> None:
    failed, low = problem_pages(out_dir, source_file=BOOK)
    assert failed.error == "pdfplumber: bad xref\n at object 12"
    assert low == ProblemPage(BOOK, 2, "12", "ocr", "tesseract 5.3.0", "low_confidence", 41.25, None)


def test_problem_pages_of_an_empty_output_directory(tmp_path: Path) -> None:
    assert problem_pages(tmp_path) == []


def test_unknown_status_is_a_one_line_value_error(out_dir: Path) -> None:
    with pytest.raises(ValueError, match="unknown page statuses 'low', 'fail'; expected ok, blank") as error:
        problem_pages(out_dir, statuses=("failed", "low", "fail"))
    assert "\n" not in str(error.value)


def test_problem_table_is_aligned_for_wide_characters(out_dir: Path) -> None:
    table = format_problem_pages(problem_pages(out_dir))
    lines = table.splitlines()
    assert lines[0].split() == "file page printed method engine status confidence error".split()
    assert lines[-1] == "3 problem pages in 2 files"
    body = lines[:-1]
    # Every column starts at the same terminal column although the digest's name is Chinese.
    statuses = ["status", "failed", "low_confidence", "failed"]
    status_columns = {
        display_width(line[: line.index(status)]) for line, status in zip(body, statuses, strict=True)
    }
    assert len(status_columns) == 1
    assert body[1].endswith("pdfplumber: bad xref at object 12")  # the error on one line
    assert "41.2" in body[2]


def test_problem_table_says_when_there_is_nothing() -> None:
    assert format_problem_pages([]) == "no problem pages"


# --- inspecting a page -------------------------------------------------------------------


def test_inspect_scanned_page_writes_image_texts_and_html(
    out_dir: Path, raw_dir: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "inspect" / "book-p2"
    output = inspect_page(out_dir, raw_dir, BOOK, 2, dest)

    assert output.warnings == ()
    assert output.image == dest / "page-2.png"
    assert sorted(path.name for path in dest.iterdir()) == [
        "page-2.clean.txt",
        "page-2.html",
        "page-2.png",
        "page-2.raw.txt",
    ]
    with Image.open(output.image) as image:
        assert image.size == SCAN_PIXELS  # the scan's own pixels, not re-rendered
    assert output.image_dpi == pytest.approx(SCAN_DPI)
    assert output.raw_text.read_text(encoding="utf-8") == RAW_TEXT
    assert output.clean_text.read_text(encoding="utf-8") == CLEAN_TEXT

    page = output.html.read_text(encoding="utf-8")
    assert '<img src="page-2.png"' in page
    assert "&lt;b&gt;正文&lt;/b&gt; &amp; “引号”" in page
    assert "<b>正文</b>" not in page
    assert '<mark class="header">电子政务信息汇编</mark>' in page
    assert '<mark class="header">2014年第3期</mark>' in page
    assert '<mark class="footer">— 12 —</mark>' in page
    for value in (BOOK, "low_confidence", "tesseract 5.3.0", "41.2", "0.25"):
        assert f">{value}</td>" in page


def test_inspect_text_page_renders_at_the_requested_dpi(out_dir: Path, raw_dir: Path, tmp_path: Path) -> None:
    output = inspect_page(out_dir, raw_dir, BOOK, 1, tmp_path / "p1", dpi=144)
    assert output.image is not None
    with Image.open(output.image) as image:
        assert image.size == (TEXT_PAGE_POINTS[0] * 2, TEXT_PAGE_POINTS[1] * 2)
    page = output.html.read_text(encoding="utf-8")
    assert "pdfplumber: bad xref\n at object 12" in page  # the error, escaped but whole


@pytest.mark.parametrize(
    ("source_file", "page", "message"),
    [
        (BOOK, 3, "'book.pdf' has no page 3 in the pages dataset (it has pages 1-2)"),
        ("missing.pdf", 1, "'missing.pdf' is not in the datasets under"),
    ],
)
def test_inspect_unknown_page_or_file_is_a_lookup_error(
    out_dir: Path, raw_dir: Path, tmp_path: Path, source_file: str, page: int, message: str
) -> None:
    dest = tmp_path / "never"
    with pytest.raises(LookupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inspect_page(out_dir, raw_dir, source_file, page, dest)
    assert not dest.exists()


def test_inspect_changed_pdf_warns_and_still_writes(out_dir: Path, raw_dir: Path, tmp_path: Path) -> None:
    with open(raw_dir / BOOK, "ab") as pdf:
        pdf.write(b"\n% appended after ingestion\n")
    output = inspect_page(out_dir, raw_dir, BOOK, 2, tmp_path / "changed")
    assert len(output.warnings) == 1
    assert "has changed since it was ingested" in output.warnings[0]
    assert output.image is not None and output.image.exists()
    assert "has changed since it was ingested" in output.html.read_text(encoding="utf-8")


def test_inspect_missing_pdf_warns_and_writes_texts(out_dir: Path, tmp_path: Path) -> None:
    output = inspect_page(out_dir, tmp_path / "nowhere", DIGEST, 2, tmp_path / "missing")
    assert output.image is None
    assert "is missing" in output.warnings[0]
    assert output.raw_text.exists() and output.clean_text.exists()
    page = output.html.read_text(encoding="utf-8")
    assert "is missing: no page image" in page
    assert "<img" not in page


def test_default_dest_is_new_and_never_read_as_data(out_dir: Path, raw_dir: Path) -> None:
    now = datetime(2024, 5, 1, 10, 15, 0, tzinfo=UTC)
    first = default_inspect_dest(out_dir, DIGEST, 2, now=now)
    assert first == out_dir / INSPECT_DIR / "电子政务信息汇编-第3期-p2-20240501T101500Z"
    inspect_page(out_dir, raw_dir, BOOK, 2, default_inspect_dest(out_dir, BOOK, 2, now=now))
    first.mkdir(parents=True)
    assert default_inspect_dest(out_dir, DIGEST, 2, now=now).name.endswith("T101500Z-2")

    for dataset, schema in SCHEMAS.items():
        table = read_dataset(out_dir, dataset)
        assert table.schema.equals(schema)
    assert read_dataset(out_dir, "pages").num_rows == 5


# --- what cleaning changed, and implausible text ---------------------------------------


def test_inspect_shows_what_cleaning_removed_struck_through(
    out_dir: Path, raw_dir: Path, tmp_path: Path
) -> None:
    page = inspect_page(out_dir, raw_dir, BOOK, 2, tmp_path / "diff").html.read_text(encoding="utf-8")
    diff = page[page.index('<div class="text diff">') : page.index("<h2>Raw text")]
    assert '<del class="header">电子政务信息汇编</del>' in diff
    assert '<del class="footer">— 12 —</del>' in diff
    assert "&lt;b&gt;正文&lt;/b&gt; &amp; “引号”" in diff  # kept text is not marked
    assert "<ins>" not in diff  # joining lines into a paragraph is not a change
    assert 'class="status status-implausible"' not in page


def test_inspect_lists_dropped_lines_with_their_reasons(out_dir: Path, raw_dir: Path, tmp_path: Path) -> None:
    book_id = hashlib.sha256((raw_dir / BOOK).read_bytes()).hexdigest()
    rows = read_dataset(out_dir, "pages").to_pylist()
    book = [
        {**row, "dropped": ["noise: Bese."], "raw_text": row["raw_text"] + "\nBese."}
        if row["page"] == 2
        else row
        for row in rows
        if row["source_file"] == BOOK
    ]
    assert book[0]["doc_id"] == book_id
    write_dataset_rows(out_dir, "pages", "book", BOOK, book)
    page = inspect_page(out_dir, raw_dir, BOOK, 2, tmp_path / "dropped").html.read_text(encoding="utf-8")
    assert '<ul class="dropped"><li><span class="reason">noise</span> <del>Bese.</del></li></ul>' in page
    assert '<div class="line"><del>Bese.</del></div>' in page  # and struck in the diff


def test_inspect_badge_is_red_on_mojibake(out_dir: Path, raw_dir: Path, tmp_path: Path) -> None:
    rows = read_dataset(out_dir, "pages").to_pylist()
    mojibake = "µç×ÓÕþÎñÐÅÏ¢»ã±à µç×ÓÕþÎñÐÅÏ¢»ã±à µç×ÓÕþÎñ"
    digest = [
        {**row, "raw_text": mojibake, "text": mojibake} if row["page"] == 1 else row
        for row in rows
        if row["source_file"] == DIGEST
    ]
    write_dataset_rows(out_dir, "pages", "digest", DIGEST, digest)
    page = inspect_page(out_dir, raw_dir, DIGEST, 1, tmp_path / "mojibake").html.read_text(encoding="utf-8")
    assert '<span class="status status-ok">ok</span>' in page
    assert '<span class="status status-implausible">implausible text: mojibake' in page
    assert ".status-implausible { background: #dc2626; }" in page


#: text, reasons (a prefix of each) — the first rows must stay plausible
PLAUSIBILITY: list[tuple[str, list[str]]] = [
    ("印度电子政府发展：以民众为中心，公开透明的服务导向化项目。", []),
    ("大数据（Big Data）与云计算（Cloud Computing）是信息化的新阶段，e-Government 亦然。", []),
    ("— 12 —", []),  # too short to judge
    ("Café, naïve, résumé 在法文中常见，这里夹在中文的句子里面也无妨。", []),
    ("µç×ÓÕþÎñÐÅÏ¢»ã±à µç×ÓÕþÎñÐÅÏ¢»ã±à", ["mojibake", "little Chinese"]),
    ("æ”¿åºœä¿¡æ¯åŒ–å»ºè®¾ï¼Œç”µå­æ”¿åŠ¡", ["mojibake", "little Chinese"]),
    ("Bese. ee + : ii l1 Il |l ;; ,, ee Bese. ii", ["little Chinese"]),
    ("政务\ue001\ue002信息公开", ["2 private-use characters"]),
    ("政务\ufffd信息", ["1 replacement character"]),
]


@pytest.mark.parametrize(("text", "reasons"), PLAUSIBILITY)
def test_implausible_text(text: str, reasons: list[str]) -> None:
    found = implausible_text(text)
    assert len(found) == len(reasons), found
    assert all(reason.startswith(prefix) for reason, prefix in zip(found, reasons, strict=True))
