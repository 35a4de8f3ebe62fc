"""The held-out fixtures are generated: regenerating them gives the committed bytes."""

from __future__ import annotations

from pathlib import Path

from docpipe.samples.fixtures_heldout import FIXTURES_DIR, build_heldout_fixtures


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    written = list(build_heldout_fixtures(tmp_path))
    assert len(written) == 18
    for path in written:
        assert path.read_bytes() == (FIXTURES_DIR / path.name).read_bytes(), path.name
