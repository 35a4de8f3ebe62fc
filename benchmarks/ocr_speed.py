"""OCR speed: wall time of OCR'ing a scan with one worker and with one worker per core.

Target (issue: parallel OCR): with N cores, N workers take at most
1.25 x (single-worker time / N).  Pages are OCR'd by ``docpipe.extract.ocr.ocr_page``
in worker processes, as the flow's page workers do (one model set per process, ONNX and
OpenMP one thread each).

Usage: ``python benchmarks/ocr_speed.py [--pdf raw/book-local-government-big-data.pdf] [--pages 20]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docpipe.extract.ocr import ocr_page  # noqa: E402
from docpipe.settings import DEFAULT_SETTINGS  # noqa: E402

TARGET_FACTOR = 1.25


def _ocr(task: tuple[Path, int]) -> None:
    pdf, number = task
    ocr_page(pdf, number, settings=DEFAULT_SETTINGS)


def ocr_wall_time(pdf: Path, pages: list[int], workers: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_ocr, [(pdf, number) for number in pages]))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=ROOT / "raw" / "book-local-government-big-data.pdf")
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    pages = list(range(1, args.pages + 1))
    single = ocr_wall_time(args.pdf, pages, workers=1)
    parallel = ocr_wall_time(args.pdf, pages, workers=cores)
    target = TARGET_FACTOR * single / cores
    print(f"pages: {len(pages)}  cores: {cores}")
    print(f"1 worker:  {single:7.1f} s  ({single / len(pages):.2f} s/page)")
    print(f"{cores} workers: {parallel:7.1f} s  ({parallel / len(pages):.2f} s/page)")
    print(
        f"target:    {target:7.1f} s  (= {TARGET_FACTOR} x single / cores)  "
        f"-> {'met' if parallel <= target else 'NOT met'}"
    )
    print(f"speed-up:  {single / parallel:.2f}x on {cores} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
