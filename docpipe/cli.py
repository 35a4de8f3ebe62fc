"""The ``docpipe`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from docpipe.settings import DEFAULT_SETTINGS, Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UserError as error:
        if getattr(args, "debug", False):
            raise
        print(f"docpipe: {error}", file=sys.stderr)
        return 2


class UserError(Exception):
    """A problem the user can fix (a path, an option): one line, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docpipe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="ingest every PDF under --raw into the datasets under --out")
    _add_io_options(run)
    _add_settings_options(run)
    run.add_argument("--strict", action="store_true", help="exit 1 when any document or page failed")
    run.set_defaults(handler=_run)
    return parser


def _add_io_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=Path("raw"), help="directory of input PDFs (default: raw)")
    parser.add_argument("--out", type=Path, default=Path("parquet"), help="output directory (default: parquet)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ocr", choices=["auto", "always", "never"], help="when to OCR a page (default: auto)")
    parser.add_argument("--dpi", type=int, dest="render_dpi", help="DPI to render pages that are not one image")
    parser.add_argument("--workers", type=int, dest="ocr_workers", help="parallel page workers (default: cores)")
    parser.add_argument("--page-timeout", type=float, dest="page_timeout", help="seconds one page may take")
    parser.add_argument(
        "--confidence-floor", type=float, dest="confidence_floor", help="OCR confidence below which a page is low"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    names = ("ocr", "render_dpi", "ocr_workers", "page_timeout", "confidence_floor")
    return DEFAULT_SETTINGS.with_overrides(**{name: getattr(args, name, None) for name in names})


def _run(args: argparse.Namespace) -> int:
    raw_dir: Path = args.raw
    if not raw_dir.is_dir() or not os.access(raw_dir, os.R_OK | os.X_OK):
        raise UserError(f"raw directory {raw_dir} does not exist or cannot be read")
    _ensure_writable(args.out)
    from flows.ingest import ingest_with_workers  # Prefect is slow to import: only when needed

    summary = ingest_with_workers(raw_dir, args.out, settings_from(args))
    pages = ", ".join(f"{count} {status}" for status, count in sorted(summary.pages_by_status.items()))
    print(
        f"docpipe: {len(summary.documents)} documents ({summary.failed_documents} failed), "
        f"pages: {pages or 'none'}, articles written: {summary.articles_written} -> {args.out}"
    )
    for document in summary.documents:
        if document["status"] != "ok":
            print(f"  {document['status']}: {document['source_file']} {document['error']}")
    return 1 if args.strict and summary.anything_failed else 0


def _ensure_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"output directory {out_dir} cannot be created: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise UserError(f"output directory {out_dir} is not writable")


if __name__ == "__main__":
    sys.exit(main())
