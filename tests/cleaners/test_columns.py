"""Reading order by columns (cleaners/columns.py), on pages of several layouts built here.

Each layout is generated from its geometry (column count, widths, gutters, line
pitch), not copied from a sample; the rows that must stay unchanged are the
single-column pages, tables and contents pages whose cells also line up down
the page.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.columns import column_blocks, find_gutter, order_lines_by_columns
from cleaners.records import Line
from docpipe.settings import DEFAULT_SETTINGS

SIZE = 10.5
PITCH = 16.8


def line(text: str, x0: float, top: float, x1: float, *, size: float = SIZE, font: str = "Song") -> Line:
    return Line(text=text, page=1, x0=x0, top=top, x1=x1, bottom=top + size, size=size, font=font)


def column(
    name: str, x0: float, width: float, rows: int, *, top: float = 100.0, offset: float = 0.0
) -> list[Line]:
    """A justified column of running text: every line full but the last of each 4-line paragraph."""
    lines = []
    for row in range(rows):
        last = row % 4 == 3
        indent = 2 * SIZE if row % 4 == 0 else 0.0
        x1 = x0 + (width * 0.6 if last else width)
        lines.append(line(f"{name}{row}", x0 + indent, top + offset + row * PITCH, x1))
    return lines


def texts(lines: list[Line]) -> list[str]:
    return [item.text for item in lines]


def test_two_columns_with_shared_baselines_read_left_then_right() -> None:
    left, right = column("L", 56, 168, 8), column("R", 245, 168, 8)
    assert texts(order_lines_by_columns(left + right, settings=DEFAULT_SETTINGS)) == texts(left) + texts(
        right
    )


def test_staggered_columns() -> None:
    left, right = column("L", 56, 168, 8), column("R", 245, 168, 7, offset=PITCH / 2)
    assert texts(order_lines_by_columns(right + left, settings=DEFAULT_SETTINGS)) == texts(left) + texts(
        right
    )


def test_three_columns() -> None:
    cols = [column(name, x0, 150, 9) for name, x0 in (("A", 40), ("B", 215), ("C", 390))]
    assert texts(
        order_lines_by_columns([x for c in reversed(cols) for x in c], settings=DEFAULT_SETTINGS)
    ) == [t for c in cols for t in texts(c)]


def test_title_across_the_columns_comes_first_and_a_closing_paragraph_last() -> None:
    title = line("标题", 150, 60, 450, size=20)
    left, right = column("L", 56, 230, 6), column("R", 310, 230, 6)
    footer = line("全宽结尾段落", 56, 220, 540)
    assert texts(order_lines_by_columns([footer, *right, title, *left], settings=DEFAULT_SETTINGS)) == [
        "标题",
        *texts(left),
        *texts(right),
        "全宽结尾段落",
    ]


def test_a_sidebar_comes_after_both_columns() -> None:
    left, right = column("L", 56, 168, 8), column("R", 245, 168, 8)
    sidebar = [line(f"S{row}", 434, 100 + row * 2 * PITCH, 520, size=9) for row in range(4)]
    ordered = texts(order_lines_by_columns([*sidebar, *right, *left], settings=DEFAULT_SETTINGS))
    assert ordered == texts(left) + texts(right) + texts(sidebar)
    # never read straight across
    assert "R0" not in ordered[: ordered.index("L7")]


def test_blocks_are_what_a_wrap_repair_can_measure() -> None:
    left, right = column("L", 56, 168, 8), column("R", 245, 168, 8)
    blocks = column_blocks(left + right, settings=DEFAULT_SETTINGS)
    assert [texts(block) for block in blocks] == [texts(left), texts(right)]


# --- left as they are: one column, tables, contents ---------------------------------


def test_single_column_with_right_aligned_sources_stays_top_to_bottom() -> None:
    lines = []
    top = 100.0
    for paragraph in range(4):
        lines += column(f"P{paragraph}-", 56, 480, 4, top=top)
        top += 4 * PITCH
        lines.append(line(f"（来源{paragraph}）", 470, top, 536))  # right-aligned attribution
        top += PITCH
    assert texts(order_lines_by_columns(lines, settings=DEFAULT_SETTINGS)) == texts(
        sorted(lines, key=lambda x: x.top)
    )
    assert find_gutter(lines, settings=DEFAULT_SETTINGS) is None


def test_table_rows_stay_rows() -> None:
    labels = ["标称电压", "标称容量", "工作温度", "循环寿命", "内阻"]
    rows = []
    for row, label in enumerate(labels):
        top = 100 + row * PITCH
        rows.append(line(label, 56, top, 56 + len(label) * SIZE))
        rows.append(line(f"{row + 3}.2 V", 286, top, 320))
    assert texts(order_lines_by_columns(rows, settings=DEFAULT_SETTINGS)) == texts(rows)


def test_contents_page_stays_entry_by_entry() -> None:
    entries = []
    for row in range(10):
        top = 100 + row * PITCH
        entries.append(
            line(f"{row + 1}、第{row + 1}篇文章的标题" + "长" * (row % 5), 56, top, 300 + 20 * (row % 5))
        )
        entries.append(line(str(3 + row), 520, top, 530))
    assert texts(order_lines_by_columns(entries, settings=DEFAULT_SETTINGS)) == texts(entries)


def test_two_short_lines_are_not_columns() -> None:
    lines = [line("短行", 56, 100, 90), line("右侧日期", 400, 100, 460)]
    assert texts(order_lines_by_columns(lines, settings=DEFAULT_SETTINGS)) == ["短行", "右侧日期"]


def test_ocr_lines_are_ordered_the_same_way() -> None:
    left = [line(x.text, x.x0, x.top, x.x1, font="") for x in column("L", 60, 200, 6)]
    right = [line(x.text, x.x0, x.top + 1.5, x.x1, font="") for x in column("R", 300, 200, 6)]
    assert texts(order_lines_by_columns(left + right, settings=DEFAULT_SETTINGS)) == texts(left) + texts(
        right
    )


def test_empty_page() -> None:
    assert order_lines_by_columns([], settings=DEFAULT_SETTINGS) == []
    assert column_blocks([], settings=DEFAULT_SETTINGS) == []


# --- properties ----------------------------------------------------------------------

line_strategy = st.builds(
    lambda x0, width, row: line(f"{x0:.0f}-{row}", x0, 100 + row * PITCH, x0 + width),
    st.floats(min_value=20, max_value=500),
    st.floats(min_value=5, max_value=300),
    st.integers(min_value=0, max_value=30),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(line_strategy, max_size=40))
def test_reordering_keeps_every_line_and_is_idempotent(lines: list[Line]) -> None:
    ordered = order_lines_by_columns(lines, settings=DEFAULT_SETTINGS)
    assert sorted(ordered, key=repr) == sorted(lines, key=repr)
    assert order_lines_by_columns(ordered, settings=DEFAULT_SETTINGS) == ordered
