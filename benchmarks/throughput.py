"""Throughput of docpipe runs beside the floors measured in the same run, on generated PDFs.

Prints, in one run:
- the fixed cost of a ``docpipe run`` with nothing to do, beside an interpreter importing docpipe's CLI;
- text pages: s/page of the ingest flow (page workers on every core) beside reading the same
  pages' characters with pdfplumber on every core, and pypdfium2's ``get_text_range`` on every core.
  The flow's s/page is marginal: (seconds for 2n documents - seconds for n documents) / (n's
  pages), so the run's fixed cost (starting the page workers, the flow run, its bookkeeping)
  drops out and what each further document and page costs (all of it: reading, assembling,
  writing, the main process and the API server) stays in;
- OCR pages (the default engine): s/page of the flow, marginal (``--ocr-pages`` minus half as
  many), beside the same pages OCR'd by docpipe's page function in plain processes and the
  ``tesseract -l chi_sim`` command on the same page images, with as many processes;
- 1 vs N workers on text pages and on OCR pages, both as marginal s/page, since each worker's
  start and model loading are fixed costs of a run; beside them, the same OCR in 1 vs N plain
  processes: the most this machine gives for this work at that moment;
- where the text run's CPU time goes: the main process, the page workers, the API server;
- peak RSS of ``docpipe run`` on a 10-page and on a 1,000-page generated text PDF;
- local vs ``--dask local:2`` on the text pages: ``docpipe run`` seconds (the cluster's start
  included) and whether both wrote the same article rows (target: identical).

Targets (issue 13): no-op <= 3 s; N workers >= 1.8 x one worker on 2 cores; peak RSS at
1,000 pages <= 1.5 x at 10 pages.  The flow runs against one Prefect API server started
for the benchmark (PREFECT_API_URL, as a deployment would), so its start-up is not counted.

Usage: ``python benchmarks/throughput.py [--text-pages 2000] [--ocr-pages 48] [--big-pages 1000]``
(the text runs read ``--text-pages`` and twice as many).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docpipe.prefect_server import prefect_api  # noqa: E402
from docpipe.samples.digest import DEFAULT_SEEDS_DIR  # noqa: E402
from tests.page_pdfs import write_text_pdf  # noqa: E402

DOCUMENT_PAGES = 40
#: Characters between the starts of two documents' text in the seeds' (a prime: no two start alike).
TEXT_STRIDE = 7919
#: Runs of each text setting, of which the fastest counts.
REPEATS = 3
#: Runs of each OCR setting, of which the fastest counts.
OCR_REPEATS = 3


def seed_text() -> str:
    """The text of the real documents (``../shared/seeds``), without line breaks or spaces."""
    return "".join(
        "".join(path.read_text(encoding="utf-8").split()) for path in sorted(DEFAULT_SEEDS_DIR.glob("*.txt"))
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def docpipe_command(raw: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "docpipe.cli", "run", "--raw", str(raw), "--out", str(out), *options]


def run_and_measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of the largest process of a command's tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{command} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


# --- floors ------------------------------------------------------------------------------


#: Seconds each spinning process of the capacity measurement runs.
SPIN_SECONDS = 2.0


def spin(_: int) -> int:
    started, turns = time.perf_counter(), 0
    while time.perf_counter() - started < SPIN_SECONDS:
        turns += 1
    return turns


def parallel_capacity(cores: int) -> float:
    """How much more work ``cores`` busy processes do than one, now (``cores`` on an idle machine)."""
    with ProcessPoolExecutor(max_workers=cores) as pool:
        [alone] = pool.map(spin, [0])
        together = sum(pool.map(spin, range(cores)))
    return together / alone


def plumber_chars(job: tuple[str, list[int]]) -> int:
    import pdfplumber

    path, numbers = job
    count = 0
    with pdfplumber.open(path) as pdf:
        for number in numbers:
            page = pdf.pages[number - 1]
            count += len(page.chars)
            page.close()
    return count


def pdfium_text(job: tuple[str, list[int]]) -> int:
    import pypdfium2 as pdfium

    path, numbers = job
    pdf = pdfium.PdfDocument(path)
    try:
        return sum(len(pdf[number - 1].get_textpage().get_text_range()) for number in numbers)
    finally:
        pdf.close()


def floor_seconds(reader: Callable[[tuple[str, list[int]]], int], documents: list[Path], cores: int) -> float:
    jobs = [
        (str(path), list(range(first, min(first + 10, DOCUMENT_PAGES + 1))))
        for path in documents
        for first in range(1, DOCUMENT_PAGES + 1, 10)
    ]
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(reader, jobs[:cores]))  # start and import in every process first
        return timed(lambda: list(pool.map(reader, jobs)))


def ocr_page_job(job: tuple[str, int]) -> str:
    from docpipe.extract.pdf import read_page_by_ocr
    from docpipe.settings import DEFAULT_SETTINGS

    path, number = job
    return read_page_by_ocr(Path(path), number, settings=DEFAULT_SETTINGS.with_overrides(ocr="always")).status


def plain_ocr_seconds(pdf: Path, pages: int, processes: int) -> float:
    """s/page of docpipe's own page OCR (the default engine) in ``processes`` plain processes: what
    the flow's page workers do, without the flow; its 1 vs N ratio is the machine's ceiling for it."""
    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(ocr_page_job, [(str(pdf), 1)] * processes))  # every process loads its models first
        return (
            timed(lambda: list(pool.map(ocr_page_job, [(str(pdf), n) for n in range(1, pages + 1)]))) / pages
        )


def tesseract_image(image: Path) -> int:
    return subprocess.run(
        ["tesseract", str(image), "-", "-l", "chi_sim"],
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).returncode


def tesseract_seconds(pdf: Path, pages: int, processes: int, directory: Path) -> float:
    """s/page of the ``tesseract -l chi_sim`` command on the images docpipe's OCR reads of the same
    pages (:func:`docpipe.extract.ocr.page_image`), ``processes`` at a time."""
    import pypdfium2 as pdfium

    from docpipe.extract.ocr import page_image
    from docpipe.settings import DEFAULT_SETTINGS

    directory.mkdir()
    document = pdfium.PdfDocument(str(pdf))
    images = []
    for number in range(1, pages + 1):
        image, _ = page_image(document[number - 1], dpi=DEFAULT_SETTINGS.render_dpi)
        images.append(directory / f"{number}.png")
        image.save(images[-1])
    document.close()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return timed(lambda: list(pool.map(tesseract_image, images))) / pages


# --- flow runs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowRun:
    seconds: float
    main_cpu: float  # the run's process, every thread
    workers_cpu: float  # its page workers (children, reaped when the run stops them)
    server_cpu: float  # the Prefect API server's process


def flow_run(raw: Path, settings: dict[str, object]) -> FlowRun:
    """One ingest flow run over ``raw`` into a fresh output directory: its wall and CPU seconds."""
    from docpipe.settings import DEFAULT_SETTINGS
    from flows.ingest import ingest, run_with_workers

    out = Path(tempfile.mkdtemp(prefix="docpipe-bench-out-"))
    try:
        resolved = DEFAULT_SETTINGS.with_overrides(**settings)
        cpu, children, server = time.process_time(), children_cpu(), server_cpu()
        seconds = timed(lambda: run_with_workers(ingest, resolved, raw_dir=raw, out_dir=out))
        return FlowRun(
            seconds,
            time.process_time() - cpu,
            children_cpu() - children,
            server_cpu() - server,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


def best_run(raw: Path, settings: dict[str, object], repeats: int = REPEATS) -> FlowRun:
    """The fastest of ``repeats`` runs: a run's fixed cost (starting and stopping workers, the
    flow's bookkeeping) varies by tenths of a second, as much as reading hundreds of pages."""
    return min((flow_run(raw, settings) for _ in range(repeats)), key=lambda run: run.seconds)


def flow_seconds(raw: Path, settings: dict[str, object]) -> float:
    return flow_run(raw, settings).seconds


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu() -> float:
    """CPU seconds of the API server this benchmark started (a uvicorn child); 0 when it uses another."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "uvicorn" in " ".join(child.cmdline()):
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def article_rows(out: Path) -> list[tuple[str, str]]:
    from docpipe.writer import read_dataset

    rows = read_dataset(out, "articles", columns=["article_id", "body"]).to_pylist()
    return sorted((row["article_id"], row["body"]) for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--text-pages", type=int, default=2000, help="text pages (in 40-page documents); also twice as many"
    )
    parser.add_argument(
        "--ocr-pages", type=int, default=48, help="pages OCR'd by each worker setting; also half as many"
    )
    parser.add_argument("--big-pages", type=int, default=1000, help="pages of the large document for RSS")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="docpipe-bench-"))
    try:
        text_raw, double_raw, ocr_raw, ocr_half_raw, small_raw, big_raw = (
            work / name for name in ("text", "double", "ocr", "ocr-half", "small", "big")
        )
        for directory in (text_raw, double_raw, ocr_raw, ocr_half_raw, small_raw, big_raw):
            directory.mkdir()
        count = max(1, args.text_pages // DOCUMENT_PAGES)
        # Every document different, in its bytes and in its text: each sets the real documents'
        # text from its own place and at its own size, as an archive's documents differ.
        seeds = seed_text()
        documents = [
            write_text_pdf(
                double_raw / f"text-{n}.pdf",
                DOCUMENT_PAGES,
                font_size=10 + n / 16,
                text=seeds[n * TEXT_STRIDE % len(seeds) :] + seeds[: n * TEXT_STRIDE % len(seeds)],
            )
            for n in range(2 * count)
        ]
        for document in documents[:count]:
            shutil.copy(document, text_raw / document.name)
        text_pages = count * DOCUMENT_PAGES  # in text_raw; double_raw holds twice as many
        ocr_pdf = write_text_pdf(ocr_raw / "ocr.pdf", args.ocr_pages, text=seeds)
        ocr_half = max(1, args.ocr_pages // 2)
        write_text_pdf(ocr_half_raw / "ocr.pdf", ocr_half, text=seeds)
        write_text_pdf(small_raw / "small.pdf", 10)
        write_text_pdf(big_raw / "big.pdf", args.big_pages)
        print(f"cores: {cores}; generated PDFs in {work}")
        capacity_before = parallel_capacity(cores)

        plumber = floor_seconds(plumber_chars, documents, cores)  # every page of double_raw
        pdfium = floor_seconds(pdfium_text, documents, cores)
        ocr_plain = {workers: plain_ocr_seconds(ocr_pdf, args.ocr_pages, workers) for workers in (1, cores)}
        tesseract = tesseract_seconds(ocr_pdf, args.ocr_pages, cores, work / "images")
        with prefect_api() as url:
            print(f"Prefect API: {url}")
            # Fixed cost of nothing to do: an ingested, unchanged directory.
            noop_out = work / "noop-out"
            run_and_measure(docpipe_command(small_raw, noop_out, "--ocr", "never"))
            noop, _ = run_and_measure(docpipe_command(small_raw, noop_out, "--ocr", "never"))
            interpreter = timed(
                lambda: subprocess.run([sys.executable, "-c", "import docpipe.cli"], cwd=ROOT, check=True)
            )
            print(
                f"no-op run:        {noop:6.2f} s   (floor: python importing docpipe.cli "
                f"{interpreter:.2f} s; target <= 3 s)"
            )
            flow_seconds(small_raw, {"ocr": "never"})  # warm the API and the imports
            text = {
                workers: best_run(text_raw, {"ocr": "never", "ocr_workers": workers})
                for workers in (1, cores)
            }
            double = {
                workers: best_run(double_raw, {"ocr": "never", "ocr_workers": workers})
                for workers in (1, cores)
            }
            ocr_fewer = {
                workers: best_run(
                    ocr_half_raw, {"ocr": "always", "ocr_workers": workers}, OCR_REPEATS
                ).seconds
                for workers in (1, cores)
            }
            ocr = {
                workers: best_run(ocr_raw, {"ocr": "always", "ocr_workers": workers}, OCR_REPEATS).seconds
                for workers in (1, cores)
            }
            small_seconds, small_rss = run_and_measure(
                docpipe_command(small_raw, work / "small-out", "--ocr", "never")
            )
            big_seconds, big_rss = run_and_measure(
                docpipe_command(big_raw, work / "big-out", "--ocr", "never")
            )
            local_out, dask_out = work / "local-out", work / "dask-out"
            local_seconds, _ = run_and_measure(
                docpipe_command(text_raw, local_out, "--ocr", "never", "--workers", "2")
            )
            dask_seconds, _ = run_and_measure(
                docpipe_command(text_raw, dask_out, "--ocr", "never", "--dask", "local:2")
            )
            same_articles = article_rows(local_out) == article_rows(dask_out) != []
        capacity_after = parallel_capacity(cores)

        marginal = {
            workers: (double[workers].seconds - text[workers].seconds) / text_pages for workers in (1, cores)
        }
        floor = plumber / (2 * text_pages)
        print(
            f"text pages:       {marginal[cores]:.4f} s/page with {cores} workers (marginal: "
            f"{2 * text_pages} pages {double[cores].seconds:.2f} s - {text_pages} pages "
            f"{text[cores].seconds:.2f} s, "
            f"/ {text_pages}); pdfplumber chars on {cores} cores {floor:.4f} s/page "
            f"({marginal[cores] / floor:.2f}x, target <= 0.5x), "
            f"pypdfium2 get_text_range {pdfium / (2 * text_pages):.4f} s/page "
            f"({marginal[cores] / (pdfium / (2 * text_pages)):.1f}x)"
        )
        print(
            f"text 1 vs {cores} workers: {marginal[1]:.4f} vs {marginal[cores]:.4f} s/page (marginal) "
            f"-> {marginal[1] / marginal[cores]:.2f}x (target >= 1.8x on 2 cores); whole runs of "
            f"{2 * text_pages} pages {double[1].seconds:.1f} s vs {double[cores].seconds:.1f} s "
            f"-> {double[1].seconds / double[cores].seconds:.2f}x"
        )
        run = double[cores]
        print(
            f"text run CPU:     {2 * text_pages} pages with {cores} workers: page workers "
            f"{run.workers_cpu:.2f} s, main process {run.main_cpu:.2f} s, API server {run.server_cpu:.2f} s "
            f"(wall {run.seconds:.2f} s)"
        )
        ocr_added = args.ocr_pages - ocr_half
        ocr_marginal = {workers: (ocr[workers] - ocr_fewer[workers]) / ocr_added for workers in (1, cores)}
        print(
            f"OCR pages:        {ocr_marginal[cores]:.2f} s/page with {cores} workers (marginal: "
            f"{args.ocr_pages} pages - {ocr_half} pages, / {ocr_added}); the same pages' OCR in {cores} "
            f"plain processes {ocr_plain[cores]:.2f} s/page ({ocr_marginal[cores] / ocr_plain[cores]:.2f}x); "
            f"tesseract -l chi_sim on their images in {cores} processes {tesseract:.2f} s/page "
            f"({ocr_marginal[cores] / tesseract:.2f}x)"
        )
        print(
            f"OCR  1 vs {cores} workers: {ocr_marginal[1]:.2f} vs {ocr_marginal[cores]:.2f} s/page "
            f"(marginal) -> {ocr_marginal[1] / ocr_marginal[cores]:.2f}x (target >= 1.8x on 2 cores); "
            "plain processes "
            f"{ocr_plain[1]:.2f} vs {ocr_plain[cores]:.2f} s/page -> {ocr_plain[1] / ocr_plain[cores]:.2f}x "
            f"(the machine's ceiling for this work now); whole runs of {args.ocr_pages} pages "
            f"{ocr[1]:.1f} s vs {ocr[cores]:.1f} s -> {ocr[1] / ocr[cores]:.2f}x"
        )
        print(
            f"peak RSS:         {small_rss:.0f} MiB at 10 pages ({small_seconds:.1f} s), "
            f"{big_rss:.0f} MiB at {args.big_pages} pages ({big_seconds:.1f} s) "
            f"-> {big_rss / small_rss:.2f}x (target <= 1.5x; the largest process of the run's tree)"
        )
        print(
            f"local vs --dask local:2: {local_seconds:.1f} s vs {dask_seconds:.1f} s on {text_pages} text "
            f"pages (docpipe run, the cluster's start included); articles identical: {same_articles}"
        )
        print(
            f"machine:          {cores} busy processes did {capacity_before:.2f}x the work of one before "
            f"the runs, {capacity_after:.2f}x after (an idle machine: {cores}x; a 1 vs {cores} ratio cannot "
            "exceed it)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
