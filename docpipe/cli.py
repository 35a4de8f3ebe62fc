"""The ``docpipe`` command line: run the ingest flow, serve it on a schedule, and operator tools."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from docpipe import __version__
from docpipe.settings import DEFAULT_SETTINGS, OCR_MODES, InvalidSetting, Settings, check_setting
from docpipe.storage import ENDPOINT_VARIABLES, Location, as_location, is_object_store, local_path

DEFAULT_CRON = "0 2 * * *"
#: The names of docpipe.extract.ocr.ENGINES (a test keeps them equal): importing that
#: module imports pytesseract, which imports pandas, seconds a no-op run must not pay.
OCR_ENGINES = ("hybrid", "ppocr", "tesseract")
#: An OSError with one of these, escaping a run, is the output volume's fault (full, quota,
#: read-only, failing), which the operator can fix: one line and exit 2, not a traceback.
OUTPUT_VOLUME_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EACCES})
DEFAULT_TIMEZONE = "UTC"
#: Deployment names of ``docpipe serve``; prefect.yaml's are "<name>-pool" so that
#: ``prefect deploy --all`` and ``docpipe serve`` never overwrite each other.
DEPLOYMENT_NAME = "docpipe-ingest"
RETRY_DEPLOYMENT_NAME = "docpipe-retry"
#: The retry deployment runs this long after the ingest one, so a page that timed
#: out under the load of the nightly run is tried again on a quiet machine.
DEFAULT_RETRY_CRON = "0 5 * * *"
PAGES_FORMATS = ("table", "json", "csv")


class UserError(Exception):
    """A problem the user can fix (a path, an option): one line, no traceback."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2) rather than the usage block."""

    def error(self, message: str) -> Any:  # argparse declares NoReturn
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples in each command's epilog as written."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _export_storage_options(args)
    if args.debug:
        from docpipe.tracebacks import enable_debugging

        enable_debugging()
    try:
        return int(args.handler(args))
    except UserError as error:
        if args.debug:
            raise
        print(f"docpipe: {error}", file=sys.stderr)
        return 2


def _export_storage_options(args: argparse.Namespace) -> None:
    """--s3-endpoint and --cache-dir as environment variables, read by this process and all it starts."""
    from docpipe.raw_objects import COPIES_VARIABLE

    endpoint = getattr(args, "s3_endpoint", None)
    if endpoint:
        # The AWS SDKs' own variable: pyarrow (via docpipe.storage) and boto3 both read it.
        os.environ[ENDPOINT_VARIABLES[0]] = endpoint
    cache_dir = getattr(args, "cache_dir", None)
    if cache_dir is not None:
        os.environ[COPIES_VARIABLE] = str(cache_dir.resolve())


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="docpipe",
        description=__doc__,
        formatter_class=_HelpFormatter,
        epilog="example:\n  docpipe run --raw raw --out parquet\n\n"
        "'docpipe COMMAND --help' shows each command's options, defaults and an example.",
    )
    parser.add_argument("--version", action="version", version=f"docpipe {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"example:\n  {example}",
            formatter_class=_HelpFormatter,
        )

    run = command(
        "run",
        "ingest new and changed PDFs under --raw into the datasets under --out; failed pages of "
        "unchanged documents are tried again (see --retry-failed)",
        "docpipe run --raw raw --out parquet --strict",
    )
    _add_common_options(run)
    _add_settings_options(run)
    run.add_argument("--force", action="store_true", help="re-process every document, changed or not")
    run.add_argument("--prune", action="store_true", help="drop the articles and pages of removed files")
    run.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when, after the run, any document or page in the datasets is failed",
    )
    run.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run page and document tasks on a Dask cluster: a scheduler (tcp://host:8786), "
        "or local[:N] for a LocalCluster of N worker processes for this run (default: this machine's "
        "page workers, no Dask)",
    )
    run.set_defaults(handler=_run)

    retry = command(
        "retry",
        "re-run only the failed and low-confidence pages, e.g. with another OCR engine",
        "docpipe retry --file book-local-government-big-data.pdf --ocr-engine tesseract",
    )
    _add_common_options(retry)
    _add_settings_options(retry)
    retry.add_argument(
        "--file",
        dest="source_file",
        metavar="PDF",
        help="only this document (its path under --raw, or as typed; default: every document)",
    )
    retry.add_argument("--strict", action="store_true", help="exit 1 when any page still fails")
    retry.set_defaults(handler=_retry)

    pages = command(
        "pages",
        "list pages by status from the pages dataset (by default the problem pages: failed, low_confidence)",
        "docpipe pages --out parquet --status failed --format csv > failed-pages.csv",
    )
    _add_directory_options(pages)
    pages.add_argument(
        "--status",
        default="failed,low_confidence",
        help="comma-separated statuses among ok, blank, failed, low_confidence "
        "(default: failed,low_confidence)",
    )
    pages.add_argument(
        "--file",
        dest="source_file",
        metavar="PDF",
        help="only this document (its path under --raw, or as typed; default: every document)",
    )
    pages.add_argument(
        "--format", choices=PAGES_FORMATS, default="table", help="output format (default: table)"
    )
    _add_debug_option(pages)
    pages.set_defaults(handler=_pages)

    inspect = command(
        "inspect",
        "write a page's image, raw and cleaned text and an HTML view of what cleaning changed",
        "docpipe inspect raw/book-local-government-big-data.pdf 9",
    )
    inspect.add_argument("file", help="the document: its path under --raw, or as typed (raw/….pdf)")
    inspect.add_argument("page", type=_positive_int, help="physical page number, from 1")
    _add_directory_options(inspect)
    inspect.add_argument(
        "--dest", type=Path, help="where to write (default: a new folder under <out>/_inspect/)"
    )
    inspect.add_argument(
        "--dpi",
        type=_setting_type("render_dpi", int),
        default=150,
        help="render DPI for pages that are not one image (default: 150)",
    )
    _add_debug_option(inspect)
    inspect.set_defaults(handler=_inspect)

    serve = command(
        "serve",
        f"serve two Prefect deployments on schedules: ingest ({DEPLOYMENT_NAME}) and a retry of "
        f"the failed pages ({RETRY_DEPLOYMENT_NAME}); runs until interrupted",
        'docpipe serve --cron "0 2 * * *" --timezone Asia/Shanghai',
    )
    _add_common_options(serve)
    serve.add_argument(
        "--cron", default=DEFAULT_CRON, help=f'ingest schedule, cron syntax (default: "{DEFAULT_CRON}")'
    )
    serve.add_argument(
        "--retry-cron",
        default=DEFAULT_RETRY_CRON,
        help=f'retry schedule, cron syntax (default: "{DEFAULT_RETRY_CRON}")',
    )
    serve.add_argument(
        "--timezone",
        type=_timezone,
        default=DEFAULT_TIMEZONE,
        help=f"IANA time zone of the schedules, e.g. Asia/Shanghai (default: {DEFAULT_TIMEZONE})",
    )
    serve.add_argument(
        "--name", default=DEPLOYMENT_NAME, help=f"ingest deployment name (default: {DEPLOYMENT_NAME})"
    )
    serve.add_argument(
        "--retry-name",
        default=RETRY_DEPLOYMENT_NAME,
        help=f"retry deployment name (default: {RETRY_DEPLOYMENT_NAME})",
    )
    serve.set_defaults(handler=_serve)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _setting_type(name: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type`` that parses an option and checks it as the setting ``name``."""

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            kind = "a whole number" if parse is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        try:
            check_setting(name, value)
        except InvalidSetting as error:
            raise argparse.ArgumentTypeError(error.reason) from None
        return value

    return convert


def _timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r} (expected an IANA name such as Asia/Shanghai or UTC)"
        ) from None
    return text


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options of the commands that run a flow: directories, --no-wait, --debug, object store."""
    _add_directory_options(parser)
    parser.add_argument("--no-wait", action="store_true", help="exit at once if another run holds --out")
    _add_debug_option(parser)
    _add_object_store_options(parser)


def _add_object_store_options(parser: argparse.ArgumentParser) -> None:
    """Where an s3:// --raw or --out is served from, and where its PDFs are copied to be read."""
    parser.add_argument(
        "--s3-endpoint",
        metavar="URL",
        help="S3-compatible server for s3:// locations, e.g. http://minio:9000 (default: "
        "AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS); credentials come from the standard "
        "AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where PDFs read from an object store are copied while a run reads them; removed after "
        "(default: the system's temporary directory)",
    )


def _add_directory_options(parser: argparse.ArgumentParser) -> None:
    """--raw and --out, the same for every command."""
    parser.add_argument(
        "--raw",
        type=as_location,
        default=Path("raw"),
        metavar="DIR",
        help="directory of input PDFs, or an object store URI such as s3://bucket/raw (default: raw)",
    )
    parser.add_argument(
        "--out",
        type=as_location,
        default=Path("parquet"),
        metavar="DIR",
        help="output directory, or an object store URI such as s3://bucket/parquet (default: parquet)",
    )


def _add_debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks, of expected failures (a PDF, a page) too"
    )


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    defaults = DEFAULT_SETTINGS
    parser.add_argument("--ocr", choices=OCR_MODES, help=f"when to OCR a page (default: {defaults.ocr})")
    parser.add_argument(
        "--dpi",
        type=_setting_type("render_dpi", int),
        dest="render_dpi",
        metavar="DPI",
        help=f"DPI to render pages that are not one image, 50-1200 (default: {defaults.render_dpi}); "
        "a scanned page is read at its own resolution",
    )
    parser.add_argument(
        "--ocr-engine",
        dest="ocr_engine",
        choices=OCR_ENGINES,
        help=f"OCR engine (default: {DEFAULT_SETTINGS.ocr_engine}); ppocr: PP-OCRv6 finds and reads "
        "the lines; hybrid: Tesseract lines read by PP-OCR; tesseract: Tesseract alone",
    )
    parser.add_argument(
        "--ocr-languages",
        type=_setting_type("ocr_languages", str),
        dest="ocr_languages",
        metavar="LANGS",
        help=f"Tesseract languages joined by + (default: {defaults.ocr_languages})",
    )
    parser.add_argument(
        "--workers",
        type=_setting_type("ocr_workers", int),
        dest="ocr_workers",
        metavar="N",
        help="parallel page workers, 1-256; 0 means one per core (default: 0)",
    )
    parser.add_argument(
        "--page-timeout",
        type=_setting_type("page_timeout", float),
        dest="page_timeout",
        metavar="SECONDS",
        help=f"seconds one page may take before it is failed (default: {defaults.page_timeout:g})",
    )
    parser.add_argument(
        "--confidence-floor",
        type=_setting_type("confidence_floor", float),
        dest="confidence_floor",
        metavar="PERCENT",
        help=f"OCR confidence, 0-100, below which a page is low_confidence "
        f"(default: {defaults.confidence_floor:g})",
    )
    parser.add_argument(
        "--retry-failed",
        type=_setting_type("retry_failed", int),
        dest="retry_failed",
        metavar="N",
        help=f"try a failed page of an unchanged document again on later runs until it has had N "
        f"attempts; 0: never (default: {defaults.retry_failed})",
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
        "retry_failed",
    )
    return DEFAULT_SETTINGS.with_overrides(**{name: getattr(args, name, None) for name in names})


def _run(args: argparse.Namespace) -> int:
    """Take the inventory first: a run with nothing to do never starts Prefect (~20 s)."""
    from docpipe.raw_objects import local_copies

    with local_copies(args.raw):  # the inventory's copies of object-store PDFs go, whatever happens
        return _run_in(args)


def _run_in(args: argparse.Namespace) -> int:
    _check_directories(args.raw, args.out)
    _dask_target(args)
    _refuse_if_locked(args)
    idle, to_ingest = _record_if_idle(args)
    if idle is not None:
        _report(idle, args.out)
        return 1 if args.strict and _datasets_hold_failures(args.out) else 0
    with _prefect_api(args.out):
        from flows.ingest import ingest  # Prefect is slow to import: only when needed

        summary = _run_flow(args, ingest, to_ingest, force=args.force, prune=args.prune)
    _report(summary, args.out)
    return 1 if args.strict and (summary.anything_failed or _datasets_hold_failures(args.out)) else 0


def _retry(args: argparse.Namespace) -> int:
    if not _anything_to_retry(args):
        print("docpipe: no failed or low-confidence pages to retry")
        return 0
    _refuse_if_locked(args)
    with _prefect_api(args.out):
        from flows.ingest import retry_pages

        summary = _run_flow(args, retry_pages, None, source_file=args.source_file)
    if not summary.documents:
        print("docpipe: no failed or low-confidence pages to retry")
    else:
        _report(summary, args.out)
    return 1 if args.strict and summary.anything_failed else 0


def _record_if_idle(args: argparse.Namespace) -> tuple[Any, list[Path]]:
    """When nothing is new, changed or removed: the run's summary, written as its runs row.

    Otherwise ``None`` and the files the run will read.
    """
    from docpipe.inventory import take_inventory
    from docpipe.lock import OutputLocked, output_lock
    from docpipe.runs import nothing_to_do, record_idle_run

    try:
        with output_lock(args.out, wait=not args.no_wait):
            inventory = take_inventory(args.raw, args.out, force=args.force)
            retry_failed = settings_from(args).retry_failed
            if nothing_to_do(inventory, args.out, prune=args.prune, retry_failed=retry_failed):
                return record_idle_run(args.raw, args.out, inventory), []
    except OutputLocked as error:
        raise UserError(str(error)) from None
    except OSError as error:  # the lock file or the runs row, on a full or read-only volume
        from docpipe.writer import OutputUnwritable

        raise UserError(str(OutputUnwritable.from_os_error(args.out, error))) from None
    return None, [item.path for item in inventory if item.path is not None and item.change != "unchanged"]


@contextmanager
def _prefect_api(out_dir: Location) -> Iterator[str]:
    """``PREFECT_API_URL`` when set, else an API server that lives and dies with this command."""
    from docpipe.prefect_server import ServerFailed, prefect_api

    # The server's log is a local file: beside the datasets, or in the temporary directory.
    local = not is_object_store(out_dir)
    logs = local_path(out_dir) / "_logs" if local else Path(tempfile.gettempdir()) / "docpipe-logs"
    log: Path | None = logs / "prefect-server.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
    except OSError:
        log = None
    try:
        with prefect_api(log) as url:
            yield url
    except ServerFailed as error:
        raise UserError(f"{error} (its log: {log})") from None


def _anything_to_retry(args: argparse.Namespace) -> bool:
    """Whether the datasets hold a page to retry; resolves --file as typed, before Prefect starts."""
    from docpipe.operate import (
        check_datasets_directory,
        known_source_files,
        problem_pages,
        resolve_source_file,
    )

    _check_directories(args.raw, args.out)
    if is_object_store(args.out):
        pass  # no directories to look at: an empty documents dataset has no pages to retry
    elif args.source_file is None and not (args.out / "documents").is_dir():
        return False
    try:
        if not is_object_store(args.out):
            check_datasets_directory(args.out)
        if args.source_file is not None:
            typed_under = Path(".") if is_object_store(args.raw) else args.raw
            known = known_source_files(args.out)
            args.source_file = resolve_source_file(args.source_file, typed_under, known)
    except LookupError as error:
        raise UserError(str(error)) from None
    return bool(problem_pages(args.out, source_file=args.source_file))


def _datasets_hold_failures(out_dir: Location) -> bool:
    """--strict answers for the datasets as they now are, not only for what this run touched."""
    from docpipe.operate import problem_pages
    from docpipe.writer import read_dataset

    documents = read_dataset(out_dir, "documents")
    return "failed" in documents["status"].to_pylist() or bool(problem_pages(out_dir, statuses=["failed"]))


def _local_directories_only(args: argparse.Namespace, command: str) -> None:
    """``pages`` and ``inspect`` read datasets and PDFs on local disk; an object store is one line."""
    for option, location in (("--raw", args.raw), ("--out", args.out)):
        if is_object_store(location):
            raise UserError(
                f"{command} reads a local {option}, and {location} is an object store: read its datasets "
                "with pyarrow or DuckDB (README: Object storage), or copy them to a directory"
            )


def _pages(args: argparse.Namespace) -> int:
    from docpipe.operate import (
        check_datasets_directory,
        format_problem_pages,
        known_source_files,
        pages_as_csv,
        pages_as_json,
        problem_pages,
        resolve_source_file,
    )

    _local_directories_only(args, "pages")
    statuses = [status.strip() for status in args.status.split(",") if status.strip()]
    if not statuses:
        raise UserError("--status needs at least one of ok, blank, failed, low_confidence")
    try:
        check_datasets_directory(args.out)
        source_file = args.source_file and resolve_source_file(
            args.source_file, args.raw, known_source_files(args.out)
        )
        rows = problem_pages(args.out, statuses=statuses, source_file=source_file)
    except (LookupError, ValueError) as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        print(pages_as_json(rows))
    elif args.format == "csv":
        print(pages_as_csv(rows), end="")
    else:
        print(format_problem_pages(rows, statuses=statuses))
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from docpipe.operate import (
        check_datasets_directory,
        default_inspect_dest,
        inspect_page,
        known_source_files,
        resolve_source_file,
    )

    _local_directories_only(args, "inspect")
    try:
        check_datasets_directory(args.out)
        source_file = resolve_source_file(args.file, args.raw, known_source_files(args.out))
        dest = args.dest or default_inspect_dest(args.out, source_file, args.page)
        output = inspect_page(args.out, args.raw, source_file, args.page, dest, dpi=args.dpi)
    except LookupError as error:
        raise UserError(str(error)) from None
    for warning in output.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in (output.html, output.image, output.raw_text, output.clean_text):
        if path is not None:
            print(path)
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Serve ingest and retry with cron schedules until interrupted; runs appear in the Prefect UI."""
    _check_directories(args.raw, args.out)
    for option, name in (("--name", args.name), ("--retry-name", args.retry_name)):
        if not name.strip():
            raise UserError(f"{option} must not be empty")
    if args.name == args.retry_name:
        raise UserError(f"--name and --retry-name are both {args.name!r}: one would replace the other")
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    for option, cron in (("--cron", args.cron), ("--retry-cron", args.retry_cron)):
        try:
            CronSchedule(cron=cron, timezone=args.timezone)
        except ValidationError:
            raise UserError(
                f"bad cron expression {cron!r}{'' if option == '--cron' else ' for ' + option} "
                f"(expected five fields, e.g. {DEFAULT_CRON!r})"
            ) from None
    with _prefect_api(args.out):
        return _serve_deployments(args)


def _serve_deployments(args: argparse.Namespace) -> int:
    from prefect import serve
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Cron

    from flows.ingest import ingest, retry_pages

    parameters = {"raw_dir": str(_absolute(args.raw)), "out_dir": str(_absolute(args.out))}
    deployments: list[RunnerDeployment] = [
        flow.to_deployment(  # type: ignore[misc]  # sync here: Prefect's async_dispatch
            name=name,
            description=plain_description(flow),
            schedule=Cron(cron, timezone=args.timezone),
            parameters=parameters,
        )
        for flow, name, cron in (
            (ingest, args.name, args.cron),
            (retry_pages, args.retry_name, args.retry_cron),
        )
    ]
    print(
        f"docpipe: serving deployments ingest/{args.name} on {args.cron!r} and "
        f"retry-pages/{args.retry_name} on {args.retry_cron!r} ({args.timezone}); Ctrl-C to stop"
    )
    serve(*deployments)
    return 0


def plain_description(flow: Any) -> str:
    r"""The flow's docstring as plain text for the Prefect UI: first paragraph, no reST markup.

    >>> class Flow:
    ...     description = "Ingest PDFs under ``raw_dir``.\n\n``settings`` overrides fields."
    >>> plain_description(Flow())
    'Ingest PDFs under raw_dir.'
    """
    import re

    first = (flow.description or "").strip().split("\n\n")[0]
    text = re.sub(r":\w+:`~?([^`]+)`", lambda match: match.group(1).rsplit(".", 1)[-1], first)
    return " ".join(text.replace("``", "").split())


def _run_flow(
    args: argparse.Namespace, flow_fn: Any, to_ingest: list[Path] | None, **parameters: object
) -> Any:
    """Run ``flow_fn`` on --raw/--out with bars on a terminal (directories and lock already checked)."""
    settings = settings_from(args)
    _check_ocr_available(to_ingest, args.raw, settings)
    from docpipe.lock import OutputLocked
    from docpipe.writer import OutputUnwritable
    from flows.ingest import run_with_workers

    raw_dir, out_dir, task_runner = _dask_options(args)
    try:
        with _progress_display():
            return run_with_workers(
                flow_fn,
                settings,
                task_runner=task_runner,
                raw_dir=raw_dir,
                out_dir=out_dir,
                wait_for_lock=not args.no_wait,
                **parameters,
            )
    except OutputLocked as error:
        raise UserError(str(error)) from None
    except OutputUnwritable as error:
        raise UserError(str(error)) from None
    except OSError as error:
        if error.errno in OUTPUT_VOLUME_ERRNOS:
            raise UserError(str(OutputUnwritable.from_os_error(args.out, error))) from None
        raise


def _dask_target(args: argparse.Namespace) -> Any:
    """--dask read, or None without it; a bad one stops the command before Prefect starts."""
    spec = getattr(args, "dask", None)
    if spec is None:
        return None
    from docpipe.cluster import BadDaskAddress, parse_dask_target

    try:
        return parse_dask_target(spec)
    except BadDaskAddress as error:
        raise UserError(str(error)) from None


def _dask_options(args: argparse.Namespace) -> tuple[Location, Location, Any]:
    """--raw, --out and the task runner; with --dask, paths as the cluster's workers must see them."""
    target = _dask_target(args)
    if target is None:
        return args.raw, args.out, None
    from docpipe.cluster import dask_task_runner, loopback_api_warning

    warning = loopback_api_warning(target, os.environ.get("PREFECT_API_URL"))
    if warning is not None:
        print(f"docpipe: warning: {warning}", file=sys.stderr)
    try:
        runner = dask_task_runner(target)
    except ImportError:
        raise UserError("--dask needs the cluster extra: pip install 'docpipe[cluster]'") from None
    return _absolute(args.raw), _absolute(args.out), runner


def _absolute(location: Location) -> Location:
    """A local path made absolute (another process or machine will read it); a URI as it is."""
    return location.resolve() if isinstance(location, Path) else location


def _progress_display() -> AbstractContextManager[object]:
    """Bars on a terminal; on a pipe or a log file, Prefect's log lines alone."""
    from docpipe.progress import TerminalProgress, reporting

    if not sys.stdout.isatty():
        return nullcontext()
    stack = ExitStack()
    stack.enter_context(reporting(stack.enter_context(TerminalProgress())))
    return stack


def _report(summary, out_dir: Location) -> None:  # type: ignore[no-untyped-def]
    changes = summary.changes
    if summary.wrote_nothing:
        print(
            f"docpipe: nothing to do: {_plural(changes['unchanged'], 'document')} unchanged; "
            f"the run is recorded in {out_dir}/runs"
        )
        return
    pages = ", ".join(f"{count} {status}" for status, count in sorted(summary.pages_by_status.items()))
    print(
        f"docpipe: {_plural(len(summary.documents), 'document')} ingested "
        f"({summary.failed_documents} failed; "
        f"{changes['new']} new, {changes['changed']} changed, {changes['unchanged']} unchanged, "
        f"{changes['removed']} removed), pages: {pages or 'none'}, "
        f"articles written: {summary.articles_written} -> {out_dir}"
    )
    for document in summary.documents:
        if document["status"] != "ok":
            print(f"  {document['status']}: {document['source_file']} {document['error']}")
    for page in summary.problem_pages:
        print(f"  page {page['status']}: {page['source_file']} p.{page['page']} {page['error']}")


def _plural(count: int, noun: str) -> str:
    """``1 document``, ``2 documents``.

    >>> _plural(1, "document"), _plural(0, "document")
    ('1 document', '0 documents')
    """
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _check_ocr_available(to_ingest: list[Path] | None, raw_dir: Location, settings: Settings) -> None:
    """Stop at start, with the package to install, when a page needs OCR and Tesseract cannot do it.

    Only the files this run will read are looked at (``to_ingest``; every PDF under
    ``raw_dir`` when unknown, as for a retry).
    """
    from docpipe.extract.ocr import TesseractMissing, check_tesseract
    from docpipe.extract.pdf import needs_ocr
    from docpipe.inventory import find_pdfs

    if to_ingest is None and is_object_store(raw_dir):
        return  # a retry from an object store: its pages were read before, their OCR is known to work
    candidates = to_ingest if to_ingest is not None else find_pdfs(local_path(raw_dir))
    needing = next((path for path in candidates if needs_ocr(path, settings=settings)), None)
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


def _check_directories(raw: Location, out: Location) -> None:
    """One line for every way --raw or --out can be wrong, found before any work starts."""
    if is_object_store(raw):
        _check_object_store("--raw", raw, must_exist=True)
    else:
        _check_raw_directory(local_path(raw))
    if is_object_store(out):
        _check_output_store(out)
        _check_object_store("--out", out, must_exist=False)
    else:
        _check_out_directory(local_path(out))


def _check_object_store(option: str, location: Location, *, must_exist: bool) -> None:
    """The bucket answers, and (for --raw) something is under the prefix."""
    from docpipe.storage import BadLocation, open_store

    try:
        store = open_store(location)
        bucket = store.root.split("/", 1)[0]
        if store.filesystem.get_file_info(bucket).type.name != "Directory":
            raise UserError(f"{option} {location}: bucket {bucket!r} does not exist")
        if must_exist and store.filesystem.get_file_info(store.root).type.name == "NotFound":
            raise UserError(f"{option} {location}: nothing is stored under this prefix")
    except BadLocation as error:
        raise UserError(f"{option} {error}") from None
    except OSError as error:
        raise UserError(f"{option} {location} cannot be reached: {error}") from None


def _check_output_store(out: Location) -> None:
    """An object-store output must be S3 with boto3 installed: only its lease keeps one writer at a time."""
    from urllib.parse import urlsplit

    if urlsplit(str(out)).scheme != "s3":
        raise UserError(
            f"--out {out}: datasets are written to local directories or s3:// (the only object "
            "store whose conditional writes docpipe's lease uses)"
        )
    try:
        import boto3  # noqa: F401  # the lease's conditional requests
    except ImportError:
        raise UserError("--out s3://… needs boto3 for its lease: pip install 'docpipe[s3]'") from None


def _check_raw_directory(raw_dir: Path) -> None:
    if raw_dir.is_file():
        raise UserError(f"--raw {raw_dir} is a file; give the directory that holds the PDFs")
    if not raw_dir.is_dir():
        raise UserError(f"raw directory {raw_dir} does not exist")
    if not os.access(raw_dir, os.R_OK | os.X_OK):
        raise UserError(f"raw directory {raw_dir} cannot be read (permissions)")


def _check_out_directory(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir} is a file, not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"output directory {out_dir} cannot be created: {error.strerror}") from None
    # os.access says yes to root on /proc and on read-only mounts: make a file to know.
    try:
        probe, probe_path = tempfile.mkstemp(prefix=".docpipe-probe-", dir=out_dir)
    except OSError as error:
        raise UserError(
            f"output directory {out_dir} is not writable (a test file there failed: {error.strerror})"
        ) from None
    os.close(probe)
    os.unlink(probe_path)


if __name__ == "__main__":
    sys.exit(main())
