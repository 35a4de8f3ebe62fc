"""The ``docpipe`` command line: run the ingest flow, serve it on a schedule, and operator tools."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from pathlib import Path
from typing import Any

from docpipe.settings import DEFAULT_SETTINGS, Settings

DEFAULT_CRON = "0 2 * * *"
DEPLOYMENT_NAME = "docpipe-ingest"


class UserError(Exception):
    """A problem the user can fix (a path, an option): one line, no traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UserError as error:
        if args.debug:
            raise
        print(f"docpipe: {error}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docpipe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="ingest new and changed PDFs under --raw into the datasets under --out"
    )
    _add_common_options(run)
    _add_settings_options(run)
    run.add_argument("--force", action="store_true", help="re-process every document, changed or not")
    run.add_argument("--prune", action="store_true", help="drop the articles and pages of removed files")
    run.add_argument("--strict", action="store_true", help="exit 1 when any document or page failed")
    run.set_defaults(handler=_run)

    retry = commands.add_parser("retry", help="re-run only the failed and low-confidence pages")
    _add_common_options(retry)
    _add_settings_options(retry)
    retry.add_argument("--file", dest="source_file", help="only this document (its path under --raw)")
    retry.add_argument("--strict", action="store_true", help="exit 1 when any page still fails")
    retry.set_defaults(handler=_retry)

    pages = commands.add_parser(
        "pages", help="list problem pages (failed, low confidence) from the pages dataset"
    )
    pages.add_argument(
        "--out", type=Path, default=Path("parquet"), help="datasets directory (default: parquet)"
    )
    pages.add_argument(
        "--status",
        default="failed,low_confidence",
        help="comma-separated statuses (default: failed,low_confidence)",
    )
    pages.add_argument(
        "--file", dest="source_file", help="only this document (its path under the raw directory)"
    )
    pages.add_argument("--debug", action="store_true", help="show tracebacks")
    pages.set_defaults(handler=_pages)

    inspect = commands.add_parser(
        "inspect", help="write a page's image, raw and cleaned text and an HTML view"
    )
    inspect.add_argument("file", help="the document, as its path under the raw directory")
    inspect.add_argument("page", type=int, help="physical page number, from 1")
    inspect.add_argument(
        "--raw", type=Path, default=Path("raw"), help="directory of input PDFs (default: raw)"
    )
    inspect.add_argument(
        "--out", type=Path, default=Path("parquet"), help="datasets directory (default: parquet)"
    )
    inspect.add_argument(
        "--dest", type=Path, help="where to write (default: a new folder under <out>/_inspect/)"
    )
    inspect.add_argument("--dpi", type=int, default=150, help="render DPI for pages that are not one image")
    inspect.add_argument("--debug", action="store_true", help="show tracebacks")
    inspect.set_defaults(handler=_inspect)

    serve = commands.add_parser("serve", help="serve the ingest flow as a Prefect deployment on a schedule")
    _add_common_options(serve)
    serve.add_argument(
        "--cron", default=DEFAULT_CRON, help=f'schedule, cron syntax (default: "{DEFAULT_CRON}")'
    )
    serve.add_argument(
        "--name", default=DEPLOYMENT_NAME, help=f"deployment name (default: {DEPLOYMENT_NAME})"
    )
    serve.set_defaults(handler=_serve)
    return parser


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--raw", type=Path, default=Path("raw"), help="directory of input PDFs (default: raw)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("parquet"), help="output directory (default: parquet)"
    )
    parser.add_argument("--no-wait", action="store_true", help="exit at once if another run holds --out")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    from docpipe.extract.engines import ENGINES  # no Prefect, no ONNX: the PP-OCR engines load lazily

    parser.add_argument(
        "--ocr", choices=["auto", "always", "never"], help="when to OCR a page (default: auto)"
    )
    parser.add_argument(
        "--dpi", type=int, dest="render_dpi", help="DPI to render pages that are not one image"
    )
    parser.add_argument(
        "--ocr-engine",
        dest="ocr_engine",
        choices=sorted(ENGINES),
        help=f"OCR engine (default: {DEFAULT_SETTINGS.ocr_engine}); ppocr: PP-OCRv6 finds and reads "
        "the lines; hybrid: Tesseract lines read by PP-OCR; tesseract: Tesseract alone",
    )
    parser.add_argument(
        "--ocr-languages", dest="ocr_languages", help="Tesseract languages (default: chi_sim)"
    )
    parser.add_argument(
        "--workers", type=int, dest="ocr_workers", help="parallel page workers (default: cores)"
    )
    parser.add_argument("--page-timeout", type=float, dest="page_timeout", help="seconds one page may take")
    parser.add_argument(
        "--confidence-floor",
        type=float,
        dest="confidence_floor",
        help="OCR confidence below which a page is low",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    names = (
        "ocr",
        "ocr_engine",
        "ocr_languages",
        "render_dpi",
        "ocr_workers",
        "page_timeout",
        "confidence_floor",
    )
    return DEFAULT_SETTINGS.with_overrides(**{name: getattr(args, name, None) for name in names})


def _run(args: argparse.Namespace) -> int:
    from flows.ingest import ingest  # Prefect is slow to import: only when needed

    summary = _run_flow(args, ingest, force=args.force, prune=args.prune)
    _report(summary, args.out)
    return 1 if args.strict and summary.anything_failed else 0


def _retry(args: argparse.Namespace) -> int:
    from flows.ingest import retry_pages

    summary = _run_flow(args, retry_pages, source_file=args.source_file)
    if not summary.documents:
        print("docpipe: no failed or low-confidence pages to retry")
    else:
        _report(summary, args.out)
    return 1 if args.strict and summary.anything_failed else 0


def _pages(args: argparse.Namespace) -> int:
    from docpipe.operate import format_problem_pages, problem_pages

    statuses = [status.strip() for status in args.status.split(",") if status.strip()]
    try:
        rows = problem_pages(args.out, statuses=statuses, source_file=args.source_file)
    except ValueError as error:
        raise UserError(str(error)) from None
    print(format_problem_pages(rows))
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from docpipe.operate import default_inspect_dest, inspect_page

    dest = args.dest or default_inspect_dest(args.out, args.file, args.page)
    try:
        output = inspect_page(args.out, args.raw, args.file, args.page, dest, dpi=args.dpi)
    except LookupError as error:
        raise UserError(str(error).strip("'\"")) from None
    for warning in output.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in (output.html, output.image, output.raw_text, output.clean_text):
        if path is not None:
            print(path)
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Serve ``ingest`` with a cron schedule until interrupted; runs appear in the Prefect UI."""
    _check_directories(args.raw, args.out)
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=args.cron)
    except ValidationError:
        raise UserError(
            f"bad cron expression {args.cron!r} (expected five fields, e.g. {DEFAULT_CRON!r})"
        ) from None
    from flows.ingest import ingest

    parameters = {"raw_dir": str(args.raw.resolve()), "out_dir": str(args.out.resolve())}
    print(f"docpipe: serving deployment ingest/{args.name} on {args.cron!r}; Ctrl-C to stop")
    ingest.serve(name=args.name, cron=args.cron, parameters=parameters)
    return 0


def _run_flow(args: argparse.Namespace, flow_fn: Any, **parameters: object) -> Any:
    """Check what a run needs, then run ``flow_fn`` on --raw/--out with bars on a terminal."""
    _check_directories(args.raw, args.out)
    _refuse_if_locked(args)
    settings = settings_from(args)
    _check_ocr_available(args.raw, settings)
    from docpipe.lock import OutputLocked
    from flows.ingest import run_with_workers

    try:
        with _progress_display():
            return run_with_workers(
                flow_fn,
                settings,
                raw_dir=args.raw,
                out_dir=args.out,
                wait_for_lock=not args.no_wait,
                **parameters,
            )
    except OutputLocked as error:
        raise UserError(str(error)) from None


def _progress_display() -> AbstractContextManager[object]:
    """Bars on a terminal; on a pipe or a log file, Prefect's log lines alone."""
    from docpipe.progress import TerminalProgress, reporting

    if not sys.stdout.isatty():
        return nullcontext()
    stack = ExitStack()
    stack.enter_context(reporting(stack.enter_context(TerminalProgress())))
    return stack


def _report(summary, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    changes = summary.changes
    if summary.wrote_nothing:
        print(
            f"docpipe: nothing to do: {changes['unchanged']} documents unchanged, "
            f"nothing written to {out_dir}"
        )
        return
    pages = ", ".join(f"{count} {status}" for status, count in sorted(summary.pages_by_status.items()))
    print(
        f"docpipe: {len(summary.documents)} documents ingested ({summary.failed_documents} failed; "
        f"{changes['new']} new, {changes['changed']} changed, {changes['unchanged']} unchanged, "
        f"{changes['removed']} removed), pages: {pages or 'none'}, "
        f"articles written: {summary.articles_written} -> {out_dir}"
    )
    for document in summary.documents:
        if document["status"] != "ok":
            print(f"  {document['status']}: {document['source_file']} {document['error']}")
    for page in summary.problem_pages:
        print(f"  page {page['status']}: {page['source_file']} p.{page['page']} {page['error']}")


def _check_ocr_available(raw_dir: Path, settings: Settings) -> None:
    """Stop at start, with the package to install, when a page needs OCR and Tesseract cannot do it."""
    from docpipe.extract.ocr import TesseractMissing, check_tesseract
    from docpipe.extract.pdf import needs_ocr
    from docpipe.inventory import find_pdfs

    needing = next((path for path in find_pdfs(raw_dir) if needs_ocr(path, settings=settings)), None)
    if needing is None:
        return
    try:
        check_tesseract(settings.ocr_languages)
    except TesseractMissing as error:
        raise UserError(f"{needing.name} needs OCR: {error}") from None


def _refuse_if_locked(args: argparse.Namespace) -> None:
    """With --no-wait, say so before Prefect starts rather than after."""
    from docpipe.lock import OutputLocked, check_unlocked

    if args.no_wait:
        try:
            check_unlocked(args.out)
        except OutputLocked as error:
            raise UserError(str(error)) from None


def _check_directories(raw_dir: Path, out_dir: Path) -> None:
    if not raw_dir.is_dir() or not os.access(raw_dir, os.R_OK | os.X_OK):
        raise UserError(f"raw directory {raw_dir} does not exist or cannot be read")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"output directory {out_dir} cannot be created: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise UserError(f"output directory {out_dir} is not writable")


if __name__ == "__main__":
    sys.exit(main())
