"""The one structure every document kind fills: a tree of headings holding paragraphs.

A kind (digest, book, general) decides which paragraphs are headings and at what
level (0 is the top); :func:`build_tree` hangs every other paragraph under the
heading it follows, a heading under the nearest heading above it of a higher
level.  A front or back heading (参考文献, 致谢) is a *part* node: what it holds is
no article's text.  :func:`cut_articles` then reads the articles off the tree at
the kind's article level; the kinds differ only in that level and in an
:class:`ArticleEnds` policy:

* ``intro``: text under a heading above the article level (a chapter's opening
  paragraphs) is an article of that heading (book, general) or lies outside
  every article (digest: a 【】 section line has no text of its own);
* ``empty``: an article heading with nothing under it is either the first line
  of its own article when the next heading follows at once (``"merge"``: a list
  set in heading style, general), an article whose heading line is its body
  (``"own-line"``: a digest's one-line item), or a structure heading carried by
  the next article (``"carry"``: a book's chapter heading over its first section).

Headings above an article that have no text of their own are held by the first
article under them (its ``headings``), and make its path.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

#: Level of the tree's root, above every heading.
ROOT_LEVEL = -1


@dataclass(slots=True)
class Node:
    """A heading and what hangs under it (the root has no heading)."""

    heading: int | None  # paragraph index; None for the root
    level: int
    part: bool = False  # a front or back heading: what it holds belongs to no article
    body: list[int] = field(default_factory=list)  # paragraphs before its first sub-heading
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        """Every node under this one in reading order, with its ancestors (outermost first)."""
        yield from self._walk(())

    def _walk(self, above: tuple[Node, ...]) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        for child in self.children:
            yield child, above
            yield from child._walk((*above, child) if child.heading is not None else above)

    def paragraphs(self) -> list[int]:
        """Its heading, body and everything under it, in reading order."""
        held = [self.heading] if self.heading is not None else []
        held += self.body
        for child in self.children:
            held += child.paragraphs()
        return held


def build_tree(indexes: Iterable[int], levels: Mapping[int, int], *, parts: Container[int] = ()) -> Node:
    """The tree of the paragraphs ``indexes`` (in reading order) given the headings' ``levels``.

    >>> tree = build_tree(range(6), {0: 0, 1: 1, 3: 1, 5: 0})
    >>> [(n.heading, n.level, n.body) for n, _ in tree.walk()]
    [(0, 0, []), (1, 1, [2]), (3, 1, [4]), (5, 0, [])]
    """
    root = Node(None, ROOT_LEVEL)
    stack = [root]
    for index in indexes:
        level = levels.get(index)
        if level is None:
            stack[-1].body.append(index)
            continue
        while stack[-1].level >= level:
            stack.pop()
        node = Node(index, level, part=index in parts)
        stack[-1].children.append(node)
        stack.append(node)
    return root


@dataclass(frozen=True, slots=True)
class ArticleEnds:
    """How a kind reads its articles off the tree (see the module docstring)."""

    intro: bool
    empty: Literal["merge", "own-line", "carry"]


@dataclass(frozen=True, slots=True)
class Cut:
    """One article read off the tree: paragraph indexes, in reading order."""

    headings: tuple[int, ...]  # structure headings it was the first to follow, then its own
    body: tuple[int, ...]
    path: tuple[int, ...]  # headings above its own, outermost first
    #: An article of the text under a heading above the article level.
    intro: bool = False
    #: A heading with nothing under it (``own-line``): its heading line is its text.
    empty: bool = False

    @property
    def heading(self) -> int:
        return self.headings[-1]


def cut_articles(root: Node, level: int, ends: ArticleEnds) -> list[Cut]:
    """The articles of a tree at heading ``level``."""
    cuts: list[Cut] = []
    pending: list[int] = []  # headings above the article level waiting for the article they introduce
    merging = False  # the last article's heading had nothing under it (``merge``)
    for node, above in root.walk():
        assert node.heading is not None
        path = tuple(n.heading for n in above if n.heading is not None and not n.part)
        if node.part:
            merging = False
            continue
        if node.level < level:
            merging = False
            pending.append(node.heading)
            if ends.intro and node.body:
                cuts.append(Cut(tuple(pending), tuple(node.body), path, intro=True))
                pending = []
            continue
        if node.level > level:
            continue  # held by the article above it
        held = node.paragraphs()
        body = tuple(held[1:])
        if merging and not pending:
            last = cuts[-1]
            cuts[-1] = Cut(last.headings, (*last.body, *held), last.path)
            merging = False
            continue
        if not body and ends.empty == "carry":
            pending.append(node.heading)
            continue
        merging = not body and ends.empty == "merge"
        cuts.append(Cut((*pending, node.heading), body, path, empty=not body and ends.empty == "own-line"))
        pending = []
    return cuts
