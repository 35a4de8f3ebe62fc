"""The heading tree every kind fills, and the articles read off it at a level under each kind's policy."""

from __future__ import annotations

import pytest

from docpipe.segment.tree import ArticleEnds, build_tree, cut_articles

GENERAL = ArticleEnds(intro=True, empty="merge")
DIGEST = ArticleEnds(intro=False, empty="own-line")
BOOK = ArticleEnds(intro=True, empty="carry")


def test_a_heading_hangs_under_the_nearest_higher_one() -> None:
    #            0 H0  1 H1  2 p  3 H2(deeper)  4 p  5 H1  6 p  7 H0  8 p
    levels = {0: 0, 1: 1, 3: 2, 5: 1, 7: 0}
    tree = build_tree(range(9), levels)
    shape = [(node.heading, [a.heading for a in above], node.body) for node, above in tree.walk()]
    assert shape == [(0, [], []), (1, [0], [2]), (3, [0, 1], [4]), (5, [0], [6]), (7, [], [8])]


@pytest.mark.parametrize(
    ("count", "levels", "parts", "ends", "expected"),
    [
        # a chapter (0) with opening text over two sections (1); 3.1 (level 2) stays in section 3
        (
            8,
            {0: 0, 2: 1, 4: 1, 6: 2},
            (),
            GENERAL,
            [((0,), (1,), (), True), ((2,), (3,), (0,), False), ((4,), (5, 6, 7), (0,), False)],
        ),
        # unchanged for the book: a chapter without opening text is held by its first section
        (5, {0: 0, 1: 1, 3: 1}, (), BOOK, [((0, 1), (2,), (0,), False), ((3,), (4,), (0,), False)]),
        # a digest's section line has no text of its own: its text is in no article
        (5, {0: 0, 2: 1, 4: 1}, (), DIGEST, [((0, 2), (3,), (0,), False), ((4,), (), (0,), False)]),
        # a back heading (part) ends the article before it and is no article
        (6, {0: 1, 2: 1, 4: 1}, (2,), GENERAL, [((0,), (1,), (), False), ((4,), (5,), (), False)]),
    ],
)
def test_cut_articles(
    count: int,
    levels: dict[int, int],
    parts: tuple[int, ...],
    ends: ArticleEnds,
    expected: list[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], bool]],
) -> None:
    tree = build_tree(range(count), levels, parts=set(parts))
    level = max(lv for i, lv in levels.items() if i not in parts and lv <= 1)
    assert [(c.headings, c.body, c.path, c.intro) for c in cut_articles(tree, level, ends)] == expected


@pytest.mark.parametrize(
    ("ends", "expected"),
    [
        # general: a heading directly followed by the next is the first line of its article
        (GENERAL, [((0,), (1, 2))]),
        # digest: a one-line item whose heading line is its text
        (DIGEST, [((0,), ()), ((1,), (2,))]),
        # book: carried by the next article as the heading above it
        (BOOK, [((0, 1), (2,))]),
    ],
)
def test_a_heading_with_nothing_under_it(
    ends: ArticleEnds, expected: list[tuple[tuple[int, ...], ...]]
) -> None:
    tree = build_tree(range(3), {0: 1, 1: 1})
    assert [(c.headings, c.body) for c in cut_articles(tree, 1, ends)] == expected
