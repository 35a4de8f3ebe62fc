"""The scanned fixtures are generated: regenerating them gives the committed bytes."""

from __future__ import annotations

import json
from pathlib import Path

from docpipe.samples.fixtures_scans import FIXTURES_DIR, build_scanned_fixtures


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    written = list(build_scanned_fixtures(tmp_path))
    assert len(written) == 12
    for path in written:
        assert path.read_bytes() == (FIXTURES_DIR / path.name).read_bytes(), path.name


def test_the_contents_runs_two_entries_into_one_line() -> None:
    golden = json.loads((FIXTURES_DIR / "sc-digest-b5.golden.json").read_text(encoding="utf-8"))
    contents = next(a for a in golden["articles"] if a["title"] == "目录")
    body = [a for a in golden["articles"] if a["part"] == "body"]
    assert len(contents["paragraphs"]) < len(body)  # some lines hold two entries
    assert "scan_dpi" in golden
