"""The text-layer reader: PDFium against pdfplumber, and the fixtures of
docpipe.samples.fixtures_textlayer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from cleaners import clean_text
from cleaners.plausibility import UNMAPPED_GLYPH, mojibake_share
from cleaners.records import Page
from docpipe.extract.pdf import choose_method, read_text_layer
from docpipe.extract.text_layer import (
    base_font_name,
    group_chars_into_lines,
    pdfium_chars,
    reversed_runs,
)
from docpipe.samples import fixtures_textlayer as fx
from docpipe.settings import DEFAULT_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
PDFIUM = DEFAULT_SETTINGS.with_overrides(text_reader="pdfium")
PDFPLUMBER = DEFAULT_SETTINGS.with_overrides(text_reader="pdfplumber")
#: Every PDF with a text layer worth reading: the digest samples and the fixtures.
TEXT_PDFS = sorted(ROOT.glob("raw/digest-2014-0?-??.pdf")) + sorted(
    path for path in FIXTURES.glob("tl-*.pdf") if "garbage" not in path.name
)


def pages(path: Path, settings: Any = PDFIUM) -> list[Page]:
    count = len(pdfium.PdfDocument(str(path)))
    return [read_text_layer(path, number, settings=settings) for number in range(1, count + 1)]


def fixture(stem: str) -> Path:
    return FIXTURES / f"{stem}.pdf"


def golden(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{stem}.golden.json").read_text(encoding="utf-8"))
    return data


# --- the fixtures are what the generator writes -------------------------------------


def test_fixtures_regenerate_byte_identically(tmp_path: Path) -> None:
    written = fx.build_fixtures(tmp_path)
    assert written
    for path in written:
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), path.name


# --- PDFium reads what pdfplumber reads --------------------------------------------


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda path: path.name)
def test_pdfium_lines_match_pdfplumber(path: Path) -> None:
    for ours, reference in zip(pages(path, PDFIUM), pages(path, PDFPLUMBER), strict=True):
        assert (ours.width, ours.height) == pytest.approx((reference.width, reference.height))
        assert [line.text for line in ours.lines] == [line.text for line in reference.lines]
        for line, ref in zip(ours.lines, reference.lines, strict=True):
            # x from the same advance widths; top and bottom from each library's
            # reading of the font's ascent and descent, which differ by up to 2 pt.
            assert (line.x0, line.x1) == pytest.approx((ref.x0, ref.x1), abs=0.5)
            assert (line.top, line.bottom) == pytest.approx((ref.top, ref.bottom), abs=2.0)
            assert (line.size, line.font) == (ref.size, ref.font)


# --- columns and sidebars -------------------------------------------------------------


@pytest.mark.parametrize("settings", [PDFIUM, PDFPLUMBER], ids=["pdfium", "pdfplumber"])
def test_columns_are_read_one_after_another(settings: Any) -> None:
    (page,) = pages(fixture("tl-columns-sidebar"), settings)
    flowing = "".join(line.text for line in page.lines)
    for paragraph in fx.COLUMN_PARAGRAPHS:
        assert paragraph in flowing
    assert [line.text for line in page.lines[-len(fx.SIDEBAR_LINES) :]] == list(fx.SIDEBAR_LINES)
    # Never straight across: no line holds text of two blocks.
    assert not any("\t" in line.text for line in page.lines)


# --- Latin words keep their spaces ---------------------------------------------------------


def test_english_reads_as_printed_with_and_without_space_glyphs() -> None:
    (page,) = pages(fixture("tl-bilingual-datasheet"))
    texts = [line.text for line in page.lines]
    assert fx.DATASHEET_ENGLISH_SPACED in texts
    assert fx.DATASHEET_ENGLISH_PLACED in texts  # set word by word: only the gaps tell
    assert "coverage and the depth of utilization" in fx.DATASHEET_ENGLISH_PLACED
    for row in fx.DATASHEET_TABLE:
        assert "\t".join(row) in texts
    chinese = [text for text in texts if text.startswith("本规格书")]
    assert chinese and " " not in chinese[0]
    # The diagonal watermark is not read into the text.
    assert not any(char in page.raw_text for char in "样品") and "SAMPLE" not in page.raw_text


def char(text: str, x0: float, width: float, size: float = 10.0) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": 100.0, "bottom": 100 + size, "size": size}


def spaced(words: list[str], gap: float, width: float = 5.0) -> list[dict[str, Any]]:
    chars, x = [], 50.0
    for word in words:
        for letter in word:
            chars.append(char(letter, x, width))
            x += width
        x += gap
    return chars


@pytest.mark.parametrize(
    ("chars", "expected"),
    [
        (spaced(["depth", "of", "utilization"], gap=2.5), "depth of utilization"),  # a word space
        (spaced(["kerned"], gap=0), "kerned"),
        (spaced(["3.2", "V"], gap=2.5), "3.2 V"),
        # left as printed: letters with a tenth-em kern, a number spread by justification
        (spaced(["ab", "cd"], gap=0.5), "abcd"),
        (spaced(["2", "0", "0"], gap=2.0), "200"),
        # Chinese joins without spaces, even letter-spaced
        (spaced(["电", "子", "政", "务"], gap=1.0, width=10.0), "电子政务"),
    ],
)
def test_word_spaces_from_gaps(chars: list[dict[str, Any]], expected: str) -> None:
    (line,) = group_chars_into_lines(chars, page_number=1)
    assert line.text == expected


def test_an_inferred_space_never_splits_a_number() -> None:
    # PDFium infers a space where a justified line spread the digits of a number.
    inferred = {**char(" ", 55.0, 0.0), "generated": True}
    chars = [char("2", 50.0, 5.0), inferred, char("0", 56.5, 5.0), char("0", 61.5, 5.0)]
    (line,) = group_chars_into_lines(chars, page_number=1)
    assert line.text == "200"
    drawn = {**inferred, "generated": False}  # a space the PDF draws is a space
    (line,) = group_chars_into_lines([chars[0], drawn, *chars[2:]], page_number=1)
    assert line.text == "2 00"


def test_a_space_glyph_separates_words_whatever_its_width() -> None:
    chars = [*spaced(["ab"], gap=0), char(" ", 60.0, 0.0), char("c", 60.0, 5.0), char("d", 65.0, 5.0)]
    (line,) = group_chars_into_lines(chars, page_number=1)
    assert line.text == "ab cd"


# --- Kangxi radicals --------------------------------------------------------------------


def test_kangxi_radicals_of_the_text_layer_are_unified_by_the_cleaner() -> None:
    (page,) = pages(fixture("tl-kangxi-radicals"))
    assert "⽬" in page.raw_text  # the text layer spells 目 with the Kangxi radical
    cleaned, steps = clean_text(page.raw_text)
    assert "unify_cjk_compatibility" in steps
    assert not any(0x2E80 <= ord(c) <= 0x2FDF for c in cleaned)
    expected = golden("tl-kangxi-radicals")["articles"][0]
    assert expected["title"] in cleaned
    for paragraph in expected["paragraphs"]:
        assert paragraph in cleaned.replace("\n", "")


# --- trust a text layer only when it reads -----------------------------------------------


@pytest.mark.parametrize("settings", [PDFIUM, PDFPLUMBER], ids=["pdfium", "pdfplumber"])
def test_a_garbage_text_layer_is_ocrd(settings: Any) -> None:
    (page,) = pages(fixture("tl-garbage-text-layer"), settings)
    assert page.lines  # there is a text layer ...
    assert choose_method(page.raw_text) == "ocr"  # ... and it is not trusted


@pytest.mark.parametrize("settings", [PDFIUM, PDFPLUMBER], ids=["pdfium", "pdfplumber"])
def test_a_formula_font_without_unicode_keeps_the_text_and_marks_its_glyphs(settings: Any) -> None:
    (page,) = pages(fixture("tl-formula-font"), settings)
    assert choose_method(page.raw_text) == "text"
    assert "(cid:" not in page.raw_text
    expected = golden("tl-formula-font")["articles"][0]["paragraphs"][0]
    assert UNMAPPED_GLYPH in expected
    assert expected in "".join(line.text for line in page.lines)


def test_chinese_decoded_with_the_wrong_code_page_is_mojibake() -> None:
    # UTF-8 bytes of Chinese read as Windows-1252: what a broken ToUnicode map gives.
    garbled = "电子政务信息汇编，二〇一四年七月".encode().decode("cp1252", errors="replace")
    assert mojibake_share(garbled) > DEFAULT_SETTINGS.text_layer_max_mojibake
    assert choose_method(garbled) == "ocr"


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("êêêÆÆÆ###(((¯¯¯KKK" * 3, "ocr"),
        ("(cid:3)(cid:4)(cid:5)(cid:6)(cid:7)(cid:8)(cid:9)(cid:10)(cid:11)(cid:12)", "ocr"),
        ("□□□□□□□□□□□□字", "ocr"),
        ("短", "ocr"),
        # kept: text with a few unmapped glyphs, English, a bilingual table
        ("勾股定理：a□+b□=c□，其中c为斜边的长度。", "text"),
        ("The cell is stored at full charge for no longer than three months.", "text"),
        ("标称电压 Nominal voltage\t3.2 V", "text"),
    ],
)
def test_choose_method(text: str, method: str) -> None:
    assert choose_method(text) == method


# --- rotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [PDFIUM, PDFPLUMBER], ids=["pdfium", "pdfplumber"])
def test_rotated_pages_read_upright(settings: Any) -> None:
    for page, (rotation, title, paragraph) in zip(
        pages(fixture("tl-rotated-pages"), settings), fx.ROTATED_PAGES, strict=True
    ):
        assert [line.text for line in page.lines] == [title, paragraph], rotation
        assert (page.width, page.height) == pytest.approx((595.28, 841.89), abs=0.01)
        assert page.status == "ok" and page.error is None


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("】理管务政【\n（人民日报）", ["】理管务政【"]),
        ("。明透开公心中为众民以\n，展发府政子电度印", ["。明透开公心中为众民以", "，展发府政子电度印"]),
        # left alone: upright text, a line starting with the ）of the line before, one stray comma
        ("【政务管理】\n2020）》提出，（新华社）", []),
        ("规划（2014-\n2020）实施", []),
        ("，一行\n正常的一行。", []),
    ],
)
def test_reversed_runs(text: str, runs: list[str]) -> None:
    assert reversed_runs(text) == runs


@pytest.mark.slow
def test_the_page_under_a_garbage_layer_is_read_by_ocr() -> None:
    from docpipe.extract.pdf import extract_page

    page = extract_page(fixture("tl-garbage-text-layer"), 1)
    assert page.method == "ocr"
    expected = golden("tl-garbage-text-layer")["articles"][0]
    text = page.text.replace("\n", "")
    assert expected["title"] in text
    for paragraph in expected["paragraphs"]:
        assert paragraph in text
    assert not any(char in text for char in "êÆ¯#")


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda path: path.name)
def test_the_reader_gives_lines_in_the_order_the_column_function_gives(path: Path) -> None:
    # Assembly may order every page's lines again (OCR pages need it); text pages must not change.
    from cleaners.columns import order_lines_by_columns

    for page in pages(path):
        assert order_lines_by_columns(page.lines, settings=DEFAULT_SETTINGS) == list(page.lines)


@pytest.mark.parametrize(
    "stem",
    [
        "tl-columns-sidebar",
        "tl-bilingual-datasheet",
        "tl-kangxi-radicals",
        "tl-formula-font",
        "tl-rotated-pages",
    ],
)
def test_fixture_pages_clean_into_the_golden_paragraphs(stem: str) -> None:
    # Line order, wrap repair per column and the cleaners, before any segmentation:
    # each article is its title followed by its paragraphs.
    from docpipe.assemble import clean_paragraphs

    paragraphs = [paragraph.text for paragraph in clean_paragraphs(pages(fixture(stem)))]
    expected = [
        text for article in golden(stem)["articles"] for text in (article["title"], *article["paragraphs"])
    ]
    assert paragraphs == expected


def _pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF file of the numbered ``objects`` (1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.mark.parametrize("settings", [PDFIUM, PDFPLUMBER], ids=["pdfium", "pdfplumber"])
def test_a_cid_font_without_unicode_map_reads_as_unmapped_glyphs(settings: Any, tmp_path: Path) -> None:
    # A Type0 font, Identity-H, no ToUnicode, not embedded: what formula fonts of
    # converted documents look like; pdfplumber says (cid:1), PDFium a map error.
    content = b"BT /F1 12 Tf 72 700 Td (x equals) Tj ET BT /F2 12 Tf 140 700 Td <000100020003> Tj ET"
    pdf = tmp_path / "cid-font.pdf"
    pdf.write_bytes(
        _pdf_of_objects(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
                b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                b"<< /Type /Font /Subtype /Type0 /BaseFont /FormulaMath /Encoding /Identity-H"
                b" /DescendantFonts [7 0 R] >>",
                b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FormulaMath /CIDSystemInfo"
                b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                b" /FontDescriptor 8 0 R /DW 600 >>",
                b"<< /Type /FontDescriptor /FontName /FormulaMath /Flags 4 /FontBBox [0 -200 1000 800]"
                b" /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
            ]
        )
    )
    (page,) = pages(pdf, settings)
    # (The two readers place the glyphs of a font without metrics at different heights.)
    assert "x equals" in page.raw_text and UNMAPPED_GLYPH * 3 in page.raw_text
    assert "(cid:" not in page.raw_text


def test_both_readers_measure_a_cropped_page_from_its_crop_box(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "cropped.pdf"
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.setCropBox((50, 100, 545, 742))  # what a viewer shows: 495 x 642 pt
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 700, "Hello cropped world")
    canvas.showPage()
    canvas.save()
    for settings in (PDFIUM, PDFPLUMBER):
        (page,) = pages(path, settings)
        assert (page.width, page.height) == pytest.approx((495, 642))
        (line,) = page.lines
        assert (line.text, line.x0) == ("Hello cropped world", pytest.approx(22.0))
        assert 742 - 700 - 12 < line.top < 742 - 700  # the baseline 42 pt below the crop box's top


def _char_styles_one_by_one(page: pdfium.PdfPage) -> list[tuple[str, str, float, bool]]:
    """Each glyph's text, font, size and direction asked of PDFium glyph by glyph (no shared lookups)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    name, flags, matrix = ctypes.create_string_buffer(256), ctypes.c_int(), pdfium_c.FS_MATRIX()
    styles = []
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if code in (0x0A, 0x0D) or chr(code).isspace():
            continue
        pdfium_c.FPDFText_GetFontInfo(textpage, index, name, 256, flags)
        pdfium_c.FPDFText_GetMatrix(textpage, index, matrix)
        styles.append(
            (
                chr(code),
                base_font_name(name.value.decode()),
                pdfium_c.FPDFText_GetFontSize(textpage, index),
                abs(matrix.b) < abs(matrix.a),
            )
        )
    textpage.close()
    return styles


def test_fonts_sizes_and_directions_are_each_glyphs_own_where_they_change_within_a_line(
    tmp_path: Path,
) -> None:
    """The reader looks a glyph's style up once per text object: glyphs of another object never share it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from tests.page_pdfs import FONT, FONT_FILE

    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    path = tmp_path / "styles.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(420.0, 595.0), invariant=1)
    text = pdf.beginText(40, 500)
    for font, size, words in [
        (FONT, 10.5, "电子政务"),
        ("Helvetica", 14, "PDF"),
        (FONT, 9, "建设"),
        ("Times-Bold", 10.5, "2014"),
    ]:
        text.setFont(font, size)
        text.textOut(words)  # one text object, four fonts and sizes on one line
    pdf.drawText(text)
    pdf.setFont(FONT, 12)
    pdf.drawString(40, 450, "国家信息中心")
    pdf.saveState()
    pdf.translate(400, 100)
    pdf.rotate(90)
    pdf.drawString(0, 0, "边注")  # up the margin: not upright
    pdf.restoreState()
    pdf.showPage()
    pdf.save()

    document = pdfium.PdfDocument(str(path))
    try:
        chars, _, _ = pdfium_chars(document[0])
        expected = _char_styles_one_by_one(document[0])
    finally:
        document.close()
    read = [(c["text"], c["fontname"], c["size"], c["upright"]) for c in chars if not c["text"].isspace()]
    assert read == expected
    assert {font for _, font, _, _ in read} >= {"Helvetica", "Times-Bold"}
    assert [upright for text, *_, upright in read if text in "边注"] == [False, False]
