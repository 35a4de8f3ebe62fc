"""Each kind of unreadable file is reported with a clear reason; a good file still opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from docpipe.extract.pdf import UnreadableDocument, open_document
from tests.builders import BROKEN_INPUTS, write_minimal_pdf


@pytest.mark.parametrize("name", sorted(BROKEN_INPUTS))
def test_broken_input_raises_with_reason(tmp_path: Path, name: str) -> None:
    build, reason = BROKEN_INPUTS[name]
    path = build(tmp_path / name)
    with pytest.raises(UnreadableDocument, match=reason):
        open_document(path)


def test_good_pdf_opens_with_hash_and_pages(tmp_path: Path) -> None:
    document = open_document(write_minimal_pdf(tmp_path / "good.pdf", pages=3))
    assert document.pages == 3
    assert len(document.doc_id) == 64
