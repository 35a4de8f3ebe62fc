"""docpipe.extract.reading_order: rows, columns and tables from boxes alone."""

from __future__ import annotations

from docpipe.extract.reading_order import reading_order, rows_of
from docpipe.extract.tables import Box
from docpipe.settings import DEFAULT_SETTINGS, Settings

EM = 10


def column(left: int, right: int, rows: range) -> list[Box]:
    return [Box(left, 20 * i, right, 20 * i + EM) for i in rows]


def order(rects: list[Box], settings: Settings = DEFAULT_SETTINGS) -> list[list[tuple[int, int]]]:
    return [[(r.left, r.top) for r in line] for line in reading_order(rects, em=EM, settings=settings)]


def test_a_single_column_reads_top_to_bottom() -> None:
    body = column(0, 200, range(6))
    assert order(body) == [[(0, 20 * i)] for i in range(6)]


def test_two_columns_under_a_title_read_one_after_the_other() -> None:
    title = Box(0, 0, 210, EM)
    left, right = column(0, 100, range(1, 6)), column(110, 210, range(1, 6))
    assert order([title, *right, *left]) == [[(0, 0)], *([[(0, 20 * i)] for i in range(1, 6)])] + [
        [(110, 20 * i)] for i in range(1, 6)
    ]


def test_a_line_across_both_columns_ends_them() -> None:
    top_left, top_right = column(0, 100, range(0, 4)), column(110, 210, range(0, 4))
    across = Box(0, 80, 210, 80 + EM)
    bottom_left, bottom_right = column(0, 100, range(5, 9)), column(110, 210, range(5, 9))
    lines = order([*top_left, *top_right, across, *bottom_left, *bottom_right])
    assert lines.index([(0, 80)]) == 8  # after both upper columns, before the lower ones
    assert lines[:4] == [[(0, 20 * i)] for i in range(4)]
    assert lines[9:13] == [[(0, 20 * i)] for i in range(5, 9)]


def test_a_column_with_a_blank_row_stays_a_column() -> None:
    left = column(0, 100, range(6))
    right = [rect for i, rect in enumerate(column(110, 210, range(6))) if i != 3]  # a paragraph gap
    lines = order([*left, *right])
    assert lines == [[(0, 20 * i)] for i in range(6)] + [[(110, 20 * i)] for i in (0, 1, 2, 4, 5)]


def test_a_sidebar_beside_a_wide_column_is_read_after_it() -> None:
    body, sidebar = column(0, 140, range(8)), column(160, 230, range(2, 6))
    lines = order([*sidebar, *body])
    assert lines == [[(0, 20 * i)] for i in range(8)] + [[(160, 20 * i)] for i in range(2, 6)]


def test_table_rows_with_narrow_cells_are_read_across() -> None:
    # An unruled table: cells far apart in every row, but too narrow to be columns.
    rows = [[Box(0, 20 * i, 20, 20 * i + EM), Box(60, 20 * i, 90, 20 * i + EM)] for i in range(5)]
    lines = order([rect for row in rows for rect in row])
    assert lines == [[(0, 20 * i), (60, 20 * i)] for i in range(5)]


def test_two_columns_of_two_rows_are_too_few_to_be_columns() -> None:
    left, right = column(0, 100, range(2)), column(110, 210, range(2))
    assert order([*left, *right]) == [[(0, 0), (110, 0)], [(0, 20), (110, 20)]]


def test_the_column_settings_of_text_pages_hold_for_ocr_boxes() -> None:
    """``column_min_lines`` and ``column_gap_em`` are one judgement for text lines and OCR boxes."""
    left, right = column(0, 100, range(2)), column(110, 210, range(2))
    two_rows = DEFAULT_SETTINGS.with_overrides(column_min_lines=2)
    assert order([*left, *right], two_rows) == [[(0, 0)], [(0, 20)], [(110, 0)], [(110, 20)]]
    wider_gap = DEFAULT_SETTINGS.with_overrides(column_gap_em=1.5)  # the gutter is 1 em
    left, right = column(0, 100, range(5)), column(110, 210, range(5))
    assert order([*left, *right], wider_gap) == [[(0, 20 * i), (110, 20 * i)] for i in range(5)]
    narrow = DEFAULT_SETTINGS.with_overrides(ocr_column_min_width_em=12.0)  # columns 10 em wide
    assert order([*left, *right], narrow) == [[(0, 20 * i), (110, 20 * i)] for i in range(5)]


def test_boxes_of_one_row_go_left_to_right() -> None:
    rows = rows_of([Box(50, 2, 90, 12), Box(0, 0, 40, 10)], settings=DEFAULT_SETTINGS)
    assert rows == [[Box(0, 0, 40, 10), Box(50, 2, 90, 12)]]


def test_no_boxes_no_lines() -> None:
    assert reading_order([], settings=DEFAULT_SETTINGS) == []


def test_a_page_number_centred_under_two_columns_is_read_after_both() -> None:
    left, right = column(0, 100, range(4)), column(110, 210, range(4))
    folio = Box(102, 90, 108, 90 + EM)
    lines = order([folio, *left, *right])
    assert lines[-1] == [(102, 90)]
    assert lines[:4] == [[(0, 20 * i)] for i in range(4)]


def test_an_unruled_table_with_wide_label_cells_is_read_across() -> None:
    # Bilingual labels are as wide as a column of text, but each ends where its words end:
    # the label column is ragged, so its rows are table rows, not a column (issue 10).
    label_ends = (95, 180, 190, 240, 150)
    value_ends = (330, 350, 325, 400, 340)  # wide enough to pass as a column by width alone
    rects = [
        rect
        for i, (label, value) in enumerate(zip(label_ends, value_ends, strict=True))
        for rect in (Box(0, 20 * i, label, 20 * i + EM), Box(260, 20 * i, value, 20 * i + EM))
    ]
    assert order(rects) == [[(0, 20 * i), (260, 20 * i)] for i in range(5)]


def test_justified_columns_whose_lines_jut_or_stop_short_stay_columns() -> None:
    # OCR boxes end at the ink: a closing quote juts past the measure, a comma stops short,
    # and a paragraph's last line ends early; the column is still justified text.
    left_ends = (100, 104, 96, 100, 60, 100, 99)
    left = [Box(0, 20 * i, end, 20 * i + EM) for i, end in enumerate(left_ends)]
    right = column(120, 220, range(7))
    assert order([*left, *right]) == [[(0, 20 * i)] for i in range(7)] + [[(120, 20 * i)] for i in range(7)]
