"""Regenerate every sample PDF and its golden JSON: ``python -m docpipe.samples [RAW_DIR [SEEDS_DIR]]``."""

from __future__ import annotations

import sys
from pathlib import Path

from docpipe.samples.book import build_book_samples
from docpipe.samples.digest import DEFAULT_SEEDS_DIR, build_digest_samples
from docpipe.samples.scan import build_scanned_samples


def main(argv: list[str]) -> int:
    raw_dir = Path(argv[0]) if argv else Path("raw")
    seeds_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEEDS_DIR
    raw_dir.mkdir(parents=True, exist_ok=True)
    for path in [*build_digest_samples(raw_dir, seeds_dir), *build_book_samples(raw_dir, seeds_dir)]:
        print(path)
    for path in build_scanned_samples(raw_dir):  # scans of the digests just written
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
