"""Operator tools: list the pages that failed or read badly, and inspect one beside its text.

Plain functions over the datasets under the output directory; the CLI wires
them into commands.  :func:`problem_pages` and :func:`format_problem_pages`
answer "which pages need a look?", :func:`inspect_page` writes one page's image,
its raw and cleaned text and an HTML page that shows them side by side, so an
operator can see what docpipe read and what it made of it before re-running the
document.  Inspection output goes under ``<out>/_inspect/`` by default
(:func:`default_inspect_dest`): pyarrow skips ``_``-prefixed entries, and
docpipe's own reader only globs inside the dataset directories, so it is never
read as data.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import html
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pypdfium2 as pdfium

from cleaners.plausibility import find_doubts
from docpipe.extract.ocr import page_image
from docpipe.extract.pdf import PDFIUM_LOCK
from docpipe.schema import SCHEMAS, allowed_values
from docpipe.settings import DEFAULT_SETTINGS, Settings
from docpipe.storage import Location
from docpipe.writer import read_dataset

#: Page statuses that need an operator's attention.
PROBLEM_STATUSES = ("failed", "low_confidence")
#: Folder under the output directory that holds inspection output.
INSPECT_DIR = "_inspect"
#: Resolution at which a page that is not one scanned image is rendered for inspection.
DEFAULT_INSPECT_DPI = 150
#: Bytes read at a time when hashing a raw PDF.
HASH_CHUNK_BYTES = 1 << 20

Row = Mapping[str, Any]

_NOT_NAME = re.compile(r"[^\w-]+")
_WHITESPACE = re.compile(r"\s+")
# The pages dataset joins the furniture lines of a page with " | " (docpipe.assemble);
# "\n" is accepted too because the schema's column description says so.
_FURNITURE_SEPARATOR = re.compile(r" \| |\n")


# --- which datasets, which document ------------------------------------------------


def check_datasets_directory(out_dir: Path) -> None:
    """Raise LookupError unless ``out_dir`` holds docpipe's datasets (a ``documents`` folder).

    An operator who mistypes ``--out`` must hear so, not "no problem pages".
    """
    if not out_dir.exists():
        raise LookupError(f"datasets directory {out_dir} does not exist")
    if not out_dir.is_dir():
        raise LookupError(f"datasets directory {out_dir} is a file, not a directory")
    if not (out_dir / "documents").is_dir():
        raise LookupError(
            f"{out_dir} holds no docpipe datasets (no documents/ folder); run docpipe run first"
        )


def known_source_files(out_dir: Location) -> list[str]:
    """Every ``source_file`` the documents dataset has a row for, sorted."""
    return sorted(set(read_dataset(out_dir, "documents")["source_file"].to_pylist()))


def resolve_source_file(typed: str, raw_dir: Path, known: Sequence[str]) -> str:
    """The ``source_file`` an operator meant by ``typed``: as stored, or a path as typed at a shell.

    A tab-completed ``raw/2014/x.pdf`` (relative to the working directory, or
    absolute) is taken relative to ``raw_dir``; a bare file name that matches one
    document alone in a sub-folder is that document.  LookupError otherwise,
    naming the closest known files.

    >>> known = ["2014/digest-2014-07-28.pdf", "book.pdf"]
    >>> resolve_source_file("raw/2014/digest-2014-07-28.pdf", Path("raw"), known)
    '2014/digest-2014-07-28.pdf'
    >>> resolve_source_file("./book.pdf", Path("raw"), known)
    'book.pdf'
    >>> resolve_source_file("digest-2014-07-28.pdf", Path("raw"), known)
    '2014/digest-2014-07-28.pdf'
    >>> resolve_source_file("boek.pdf", Path("raw"), known)
    Traceback (most recent call last):
    ...
    LookupError: boek.pdf is not in the datasets (did you mean book.pdf?)
    """
    wanted = _nfc(typed.strip())
    known_set = set(known)
    for candidate in _spellings(wanted, raw_dir):
        if candidate in known_set:
            return candidate
    name = PurePosixPath(wanted).name
    by_name = [source_file for source_file in known if PurePosixPath(source_file).name == name]
    if len(by_name) == 1:
        return by_name[0]
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    if len(by_name) > 1:
        hint = f" (several documents are named {name}: {', '.join(by_name)})"
    raise LookupError(f"{typed} is not in the datasets{hint}")


def _spellings(typed: str, raw_dir: Path) -> list[str]:
    """``typed`` as stored, and relative to ``raw_dir`` if it is a path into it."""
    spellings = [typed, PurePosixPath(typed).as_posix()]  # "./a.pdf" -> "a.pdf"
    path = Path(typed)
    for base in (raw_dir, raw_dir.absolute(), raw_dir.resolve()):
        for candidate in (path, path.absolute()):
            try:
                spellings.append(_nfc(candidate.relative_to(base).as_posix()))
            except ValueError:
                continue
    try:
        spellings.append(_nfc(path.resolve().relative_to(raw_dir.resolve()).as_posix()))
    except ValueError:
        pass
    return spellings


# --- problem pages ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProblemPage:
    """One page an operator should look at: where it is and what went wrong."""

    source_file: str
    page: int
    printed_page: str | None
    method: str
    engine: str | None
    status: str
    confidence: float | None
    error: str | None


def check_page_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    """Return ``statuses`` as a tuple; raise ValueError for one the pages schema does not allow.

    >>> check_page_statuses(["failed"])
    ('failed',)
    >>> check_page_statuses(["broken"])
    Traceback (most recent call last):
    ...
    ValueError: unknown page status 'broken'; expected ok, blank, failed, low_confidence
    """
    wanted = (statuses,) if isinstance(statuses, str) else tuple(statuses)
    allowed = allowed_values(SCHEMAS["pages"].field("status"))
    unknown = [status for status in wanted if status not in allowed]
    if unknown:
        names = ", ".join(repr(status) for status in unknown)
        plural = "es" if len(unknown) > 1 else ""
        raise ValueError(f"unknown page status{plural} {names}; expected {', '.join(allowed)}")
    return wanted


def problem_pages(
    out_dir: Location, *, statuses: Sequence[str] = PROBLEM_STATUSES, source_file: str | None = None
) -> list[ProblemPage]:
    """The pages whose status is one of ``statuses``, of one file or all, by file then page."""
    wanted = check_page_statuses(statuses)
    table = read_dataset(out_dir, "pages")
    mask = pc.is_in(table["status"], value_set=pa.array(wanted, type=pa.string()))
    if source_file is not None:
        mask = pc.and_(mask, pc.equal(table["source_file"], _nfc(source_file)))
    columns = [field.name for field in fields(ProblemPage)]
    rows = table.filter(mask).select(columns).to_pylist()
    return sorted((ProblemPage(**row) for row in rows), key=lambda row: (row.source_file, row.page))


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters two, combining marks none.

    >>> display_width("page 3"), display_width("第3页"), display_width("é")
    (6, 5, 1)
    """
    width = 0
    for character in text:
        if unicodedata.combining(character):
            continue
        width += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return width


def describe_statuses(statuses: Sequence[str]) -> str:
    """How a list of pages filtered by ``statuses`` is named: problem pages only when it is them.

    >>> describe_statuses(["failed", "low_confidence"]), describe_statuses(["ok"])
    ('problem page', 'page with status ok')
    >>> describe_statuses(["ok", "blank"])
    'page with status ok or blank'
    """
    if set(statuses) == set(PROBLEM_STATUSES):
        return "problem page"
    return f"page with status {' or '.join(statuses)}"


def format_problem_pages(rows: Sequence[ProblemPage], *, statuses: Sequence[str] = PROBLEM_STATUSES) -> str:
    """A plain text table of pages, aligned for a terminal, with a count that names the filter.

    The error goes last and unpadded, on one line, so a long message does not push
    the other columns about.

    >>> print(format_problem_pages([]))
    no problem pages
    >>> print(format_problem_pages([], statuses=["ok"]))
    no pages with status ok
    >>> print(format_problem_pages([ProblemPage("书/第一册.pdf", 3, "1", "ocr", "tesseract",
    ...                                         "low_confidence", 41.25, None)]))
    file           page  printed  method  engine     status          confidence  error
    书/第一册.pdf     3  1        ocr     tesseract  low_confidence        41.2  -
    1 problem page in 1 file
    """
    noun = describe_statuses(statuses)
    if not rows:
        return f"no {_plural(noun)}"
    header = ("file", "page", "printed", "method", "engine", "status", "confidence", "error")
    right_aligned = {"page", "confidence"}
    cells = [header, *(_problem_cells(row) for row in rows)]
    widths = [max(display_width(line[index]) for line in cells) for index in range(len(header) - 1)]
    lines = []
    for line in cells:
        padded = [
            _pad(cell, width, right=name in right_aligned and line is not header)
            for name, cell, width in zip(header, line, widths, strict=False)
        ]
        lines.append("  ".join([*padded, line[-1]]).rstrip())
    files = len({row.source_file for row in rows})
    lines.append(f"{_count(len(rows), noun)} in {_count(files, 'file')}")
    return "\n".join(lines)


def pages_as_json(rows: Sequence[ProblemPage]) -> str:
    """The rows as a JSON array of objects, one per page, for scripts.

    >>> text = pages_as_json([ProblemPage("a.pdf", 2, None, "ocr", "hybrid", "failed", None, "timeout")])
    >>> [(row["page"], row["confidence"], row["error"]) for row in json.loads(text)]
    [(2, None, 'timeout')]
    """
    return json.dumps([asdict(row) for row in rows], ensure_ascii=False)


def pages_as_csv(rows: Sequence[ProblemPage]) -> str:
    """The rows as CSV with a header line, for a spreadsheet; empty cells for nulls.

    >>> print(pages_as_csv([ProblemPage("a.pdf", 2, None, "ocr", "hybrid", "failed", None, "timeout")]))
    source_file,page,printed_page,method,engine,status,confidence,error
    a.pdf,2,,ocr,hybrid,failed,,timeout
    <BLANKLINE>
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([field.name for field in fields(ProblemPage)])
    writer.writerows([("" if value is None else value) for value in asdict(row).values()] for row in rows)
    return buffer.getvalue()


def _problem_cells(row: ProblemPage) -> tuple[str, ...]:
    return (
        row.source_file,
        str(row.page),
        row.printed_page or "-",
        row.method,
        row.engine or "-",
        row.status,
        _format_confidence(row.confidence),
        _WHITESPACE.sub(" ", row.error).strip() if row.error else "-",
    )


def _pad(text: str, width: int, *, right: bool) -> str:
    padding = " " * (width - display_width(text))
    return padding + text if right else text + padding


def _count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else _plural(noun)}"


def _plural(noun: str) -> str:
    # "page with status ok" -> "pages with status ok": the head noun is the first word.
    head, _, rest = noun.partition(" with ")
    return f"{head}s with {rest}" if rest else f"{noun}s"


def _format_confidence(confidence: float | None, *, missing: str = "-") -> str:
    return missing if confidence is None else f"{confidence:.1f}"


# --- inspecting one page -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InspectOutput:
    """What :func:`inspect_page` wrote, and what it could not vouch for."""

    dest: Path
    html: Path
    raw_text: Path
    clean_text: Path
    image: Path | None  # None when the page could not be read from the raw PDF
    image_dpi: float | None  # resolution of the image: the scan's own, or the render DPI
    warnings: tuple[str, ...]  # e.g. the raw PDF is missing or changed since ingestion


@dataclass(frozen=True, slots=True)
class _PageImage:
    path: Path | None
    dpi: float | None
    warnings: tuple[str, ...]


def default_inspect_dest(out_dir: Path, source_file: str, page: int, *, now: datetime | None = None) -> Path:
    """A new folder name under ``out_dir / "_inspect"`` for one inspection (not created).

    Named from the file stem, the page and the UTC time, e.g.
    ``_inspect/digest-2014-07-28-p3-20240501T101500Z``; ``-2``, ``-3``… is added
    when that folder already exists.
    """
    stem = _NOT_NAME.sub("-", PurePosixPath(source_file).stem).strip("-_") or "document"
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = out_dir / INSPECT_DIR / f"{stem}-p{page}-{stamp}"
    candidate, attempt = base, 2
    while candidate.exists():
        candidate, attempt = base.with_name(f"{base.name}-{attempt}"), attempt + 1
    return candidate


def inspect_page(
    out_dir: Path,
    raw_dir: Path,
    source_file: str,
    page: int,
    dest: Path,
    *,
    dpi: int = DEFAULT_INSPECT_DPI,
) -> InspectOutput:
    """Write one page's image, raw and cleaned text, and an HTML view of them into ``dest``.

    ``dest`` gets ``page-<n>.png`` (a scanned page's embedded image at its own
    resolution, any other page rendered at ``dpi``), ``page-<n>.raw.txt``,
    ``page-<n>.clean.txt`` and ``page-<n>.html``.  The HTML references the PNG
    by its relative name rather than embedding it: a 300-dpi scan would triple
    the HTML's size as base64, and the folder is what one shares.

    Raises LookupError when ``source_file`` or its page is not in the datasets.
    When the raw PDF is missing, changed since ingestion (its sha256 is not the
    row's ``doc_id``) or unreadable, the texts and the HTML are still written and
    the problem is reported in ``warnings`` and at the top of the HTML.
    """
    source_file = _nfc(source_file)
    page_row = find_page_row(out_dir, source_file, page)
    document_row = find_document_row(out_dir, source_file)
    dest.mkdir(parents=True, exist_ok=True)
    name = f"page-{page}"
    image = _write_page_image(raw_dir / source_file, page, page_row["doc_id"], dest / f"{name}.png", dpi=dpi)
    raw_text_path = dest / f"{name}.raw.txt"
    clean_text_path = dest / f"{name}.clean.txt"
    raw_text_path.write_text(page_row["raw_text"], encoding="utf-8")
    clean_text_path.write_text(page_row["text"], encoding="utf-8")
    html_path = dest / f"{name}.html"
    image_name = image.path.name if image.path else None
    html_path.write_text(
        page_html(
            page_row, document_row, image_name=image_name, image_dpi=image.dpi, warnings=image.warnings
        ),
        encoding="utf-8",
    )
    return InspectOutput(
        dest=dest,
        html=html_path,
        raw_text=raw_text_path,
        clean_text=clean_text_path,
        image=image.path,
        image_dpi=image.dpi,
        warnings=image.warnings,
    )


def find_page_row(out_dir: Path, source_file: str, page: int) -> dict[str, Any]:
    """The pages row of ``source_file``'s physical ``page``; LookupError when there is none."""
    pages = read_dataset(out_dir, "pages")
    of_file = pages.filter(pc.equal(pages["source_file"], source_file))
    if not of_file.num_rows:
        document = find_document_row(out_dir, source_file)
        if document is None:
            raise LookupError(f"{source_file!r} is not in the datasets under {out_dir}")
        reason = f"document status {document['status']}" + (
            f": {document['error']}" if document["error"] else ""
        )
        raise LookupError(f"{source_file!r} has no pages in the pages dataset ({reason})")
    rows = of_file.filter(pc.equal(of_file["page"], page)).to_pylist()
    if not rows:
        numbers = sorted(of_file["page"].to_pylist())
        raise LookupError(
            f"{source_file!r} has no page {page} in the pages dataset "
            f"(it has pages {numbers[0]}-{numbers[-1]})"
        )
    return dict(rows[0])


def find_document_row(out_dir: Path, source_file: str) -> dict[str, Any] | None:
    """The documents row of ``source_file``, or None when it has none."""
    documents = read_dataset(out_dir, "documents")
    rows = documents.filter(pc.equal(documents["source_file"], source_file)).to_pylist()
    return dict(rows[0]) if rows else None


def file_sha256(path: Path) -> str:
    """sha256 (hex) of a file's bytes, as docpipe's ``doc_id``."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _write_page_image(pdf_path: Path, page: int, doc_id: str, png_path: Path, *, dpi: int) -> _PageImage:
    """Save the page's image as PNG; report instead of raising when the raw PDF lets us down."""
    if not pdf_path.is_file():
        return _PageImage(None, None, (f"raw PDF {pdf_path} is missing: no page image",))
    warnings: list[str] = []
    actual_id = file_sha256(pdf_path)
    if actual_id != doc_id:
        warnings.append(
            f"raw PDF {pdf_path} has changed since it was ingested (sha256 {actual_id[:12]}…, "
            f"doc_id {doc_id[:12]}…): the image shows the file as it is now, not what was read"
        )
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(pdf_path))
        except pdfium.PdfiumError as error:
            return _PageImage(None, None, (*warnings, f"raw PDF {pdf_path} cannot be opened: {error}"))
        try:
            if not 1 <= page <= len(pdf):
                warnings.append(f"raw PDF {pdf_path} has {len(pdf)} pages, no page {page}: no page image")
                return _PageImage(None, None, tuple(warnings))
            image, image_dpi = page_image(pdf[page - 1], dpi=dpi)
        finally:
            pdf.close()
    image.save(png_path, format="PNG", dpi=(image_dpi, image_dpi))
    return _PageImage(png_path, image_dpi, tuple(warnings))


def _nfc(source_file: str) -> str:
    # source_file values are NFC (docpipe.schema.source_file_of); a name typed or
    # pasted on macOS arrives decomposed and would otherwise match nothing.
    return unicodedata.normalize("NFC", source_file)


# --- the HTML view -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FurnitureSpan:
    """Where a header or footer line sits in the raw text: ``raw_text[start:end]``."""

    start: int
    end: int
    kind: str  # "header" or "footer"


def split_furniture(value: str | None) -> list[str]:
    """The lines of a ``header`` or ``footer`` cell.

    >>> split_furniture("电子政务信息汇编 | 2014年第5期")
    ['电子政务信息汇编', '2014年第5期']
    >>> split_furniture(None)
    []
    """
    if not value:
        return []
    return [line for line in _FURNITURE_SEPARATOR.split(value) if line.strip()]


def find_furniture(
    raw_text: str, header: Sequence[str], footer: Sequence[str]
) -> tuple[list[FurnitureSpan], list[str]]:
    """Locate header lines from the top and footer lines from the bottom of the raw text.

    Returns the spans found, in text order, and the lines not found verbatim.
    Searching from each end keeps a page number such as ``3`` from being marked
    inside the body.

    >>> spans, missing = find_furniture("汇编\\n正文 3 项\\n— 3 —", ["汇编"], ["— 3 —", "附"])
    >>> [(span.start, span.end, span.kind) for span in spans], missing
    ([(0, 2, 'header'), (10, 15, 'footer')], ['附'])
    """
    spans: list[FurnitureSpan] = []
    missing: list[str] = []
    top = 0
    for line in header:
        start = raw_text.find(line, top)
        if start < 0:
            missing.append(line)
            continue
        spans.append(FurnitureSpan(start, start + len(line), "header"))
        top = start + len(line)
    bottom = len(raw_text)
    for line in reversed(footer):
        start = raw_text.rfind(line, top, bottom)
        if start < 0:
            missing.append(line)
            continue
        spans.append(FurnitureSpan(start, start + len(line), "footer"))
        bottom = start
    return sorted(spans, key=lambda span: span.start), missing


def marked_text_html(text: str, spans: Sequence[FurnitureSpan] = ()) -> str:
    """The text escaped, one numbered ``<div class="line">`` per line, spans in ``<mark>``.

    >>> marked_text_html("<汇编>\\n正文", [FurnitureSpan(0, 4, "header")])
    '<div class="line"><mark class="header">&lt;汇编&gt;</mark></div>\\n<div class="line">正文</div>'
    """
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces.append(html.escape(text[position : span.start]))
        pieces.append(f'<mark class="{span.kind}">{html.escape(text[span.start : span.end])}</mark>')
        position = span.end
    pieces.append(html.escape(text[position:]))
    # Furniture lines hold no newline, so no <mark> is cut by splitting into lines.
    return "\n".join(f'<div class="line">{line}</div>' for line in "".join(pieces).split("\n"))


# --- what cleaning changed, and whether the text is plausible ---------------------------


def implausible_text(text: str, *, method: str = "text", settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    r"""Why a page's text does not look like Chinese read correctly; empty when it does.

    The judgement of cleaners/plausibility.py with :meth:`Settings.inspect_limits`:
    the checks the page's extraction ``method`` made, any unmapped glyph, and
    little Chinese.  Left alone: short pages (a title page, a page number) and
    Latin words among Chinese.

    >>> implausible_text("印度电子政府发展：以民众为中心，公开透明的服务导向。")
    []
    >>> implausible_text("µç×ÓÕþÎñÐÅÏ¢»ã±à µç×ÓÕþÎñÐÅÏ¢»ã±à")
    ['mojibake: 50% of the characters', 'little Chinese: 0%']
    >>> implausible_text("政务\ufffd\ufffd信息")
    ['2 replacement characters (U+FFFD)']
    """
    return [doubt.reason for doubt in find_doubts(text, settings.inspect_limits(method))]


def cleaning_diff_html(raw_text: str, text: str, spans: Sequence[FurnitureSpan] = ()) -> str:
    r"""The raw text, one ``<div class="line">`` per raw line, with what cleaning did marked.

    Text cleaning removed is struck through (``<del>``; ``<del class="header">``
    inside a detected header or footer), text it added is ``<ins>``.  Differences
    in whitespace alone (lines joined into paragraphs) are not marked.

    >>> print(cleaning_diff_html("汇编\n正文一|\n二", "正文一二", [FurnitureSpan(0, 2, "header")]))
    <div class="line"><del class="header">汇编</del></div>
    <div class="line">正文一<del>|</del></div>
    <div class="line">二</div>
    """
    kinds = [""] * len(raw_text)
    for span in spans:
        kinds[span.start : span.end] = [span.kind] * (span.end - span.start)
    pieces: list[tuple[str, str, str]] = []  # (tag, class, text): tag "" for unchanged text
    matcher = difflib.SequenceMatcher(None, raw_text, text, autojunk=False)
    for operation, a0, a1, b0, b1 in matcher.get_opcodes():
        removed, added = raw_text[a0:a1], text[b0:b1]
        if operation == "equal" or (not removed.strip() and not added.strip()):
            pieces.append(("", "", removed))
            continue
        if removed.strip():
            for start in range(a0, a1):  # one piece per run of the same furniture kind
                if start == a0 or kinds[start] != kinds[start - 1]:
                    pieces.append(("del", kinds[start], ""))
                tag, kind, so_far = pieces[-1]
                pieces[-1] = (tag, kind, so_far + raw_text[start])
        else:
            pieces.append(("", "", removed))
        if added.strip():
            pieces.append(("ins", "", added.replace("\n", " ")))
    return "\n".join(f'<div class="line">{line}</div>' for line in _render_lines(pieces))


def _render_lines(pieces: Sequence[tuple[str, str, str]]) -> list[str]:
    """HTML of each line; a marked piece that spans lines is closed and reopened at each break."""
    lines: list[str] = [""]
    for tag, kind, text in pieces:
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append("")
            if not part:
                continue
            escaped = html.escape(part)
            if tag:
                attribute = f' class="{kind}"' if kind else ""
                escaped = f"<{tag}{attribute}>{escaped}</{tag}>"
            lines[-1] += escaped
    return lines


def page_html(
    page_row: Row,
    document_row: Row | None,
    *,
    image_name: str | None,
    image_dpi: float | None,
    warnings: Sequence[str] = (),
) -> str:
    """A self-contained HTML page: the page image on the left; metadata and texts on the right."""
    source_file, page = page_row["source_file"], page_row["page"]
    header = split_furniture(page_row["header"])
    footer = split_furniture(page_row["footer"])
    spans, not_found = find_furniture(page_row["raw_text"], header, footer)
    title = f"{source_file} · page {page}"
    doubts = implausible_text(
        page_row["text"] or page_row["raw_text"], method=page_row.get("method") or "text"
    )
    body = f"""<header><h1>{html.escape(title)}</h1>{_status_badge(page_row["status"])}\
{_implausible_badge(doubts)}</header>
{_warnings_html(warnings, not_found)}
<main>
<section class="image">{_image_html(image_name, image_dpi, page, warnings)}</section>
<section class="texts">
{_metadata_html(page_row, document_row)}
<h2>What cleaning changed <small>raw text, line by line: <del>removed</del> <ins>added</ins> ·
<del class="header">header</del> <del class="footer">footer</del> as detected</small></h2>
{_diff_block(page_row["raw_text"], page_row["text"], spans)}
{_dropped_html(page_row.get("dropped") or [])}
<h2>Raw text <small>as extracted, before cleaning ·
<mark class="header">header</mark> <mark class="footer">footer</mark> as detected</small></h2>
{_text_block(page_row["raw_text"], spans)}
<h2>Cleaned text <small>header and footer removed, paragraphs joined</small></h2>
{_text_block(page_row["text"])}
</section>
</main>"""
    return _HTML_TEMPLATE.format(title=html.escape(title), style=_STYLE, body=body)


def _text_block(text: str, spans: Sequence[FurnitureSpan] = ()) -> str:
    if not text:
        return '<div class="text no-text">no text</div>'
    return f'<div class="text">{marked_text_html(text, spans)}</div>'


def _diff_block(raw_text: str, text: str, spans: Sequence[FurnitureSpan]) -> str:
    if not raw_text and not text:
        return '<div class="text no-text">no text</div>'
    return f'<div class="text diff">{cleaning_diff_html(raw_text, text, spans)}</div>'


def _dropped_html(dropped: Sequence[str]) -> str:
    if not dropped:
        return ""
    items = "".join(
        f'<li><span class="reason">{html.escape(reason)}</span> <del>{html.escape(line)}</del></li>'
        for reason, _, line in (entry.partition(": ") for entry in dropped)
    )
    heading = "<h2>Dropped lines <small>removed before the text was cleaned, and why</small></h2>"
    return f'{heading}\n<ul class="dropped">{items}</ul>'


def _implausible_badge(reasons: Sequence[str]) -> str:
    if not reasons:
        return ""
    text = html.escape("implausible text: " + "; ".join(reasons))
    return f'<span class="status status-implausible">{text}</span>'


def _status_badge(status: str) -> str:
    return f'<span class="status status-{html.escape(status)}">{html.escape(status)}</span>'


def _warnings_html(warnings: Sequence[str], not_found: Sequence[str]) -> str:
    items = [f'<li class="warning">{html.escape(warning)}</li>' for warning in warnings]
    if not_found:
        lines = " · ".join(html.escape(line) for line in not_found)
        items.append(f'<li class="note">furniture lines not found verbatim in the raw text: {lines}</li>')
    return f'<ul class="warnings">{"".join(items)}</ul>' if items else ""


def _image_html(image_name: str | None, image_dpi: float | None, page: int, warnings: Sequence[str]) -> str:
    if image_name is None:
        reason = html.escape(warnings[-1]) if warnings else "no page image"
        return f'<div class="no-image">{reason}</div>'
    source = html.escape(quote(image_name))
    resolution = f"{image_dpi:.0f} dpi · " if image_dpi else ""
    return (
        f'<a href="{source}"><img src="{source}" alt="page {page}"></a>'
        f'<p class="caption">{resolution}{html.escape(image_name)} · click for full size</p>'
    )


def _metadata_html(page_row: Row, document_row: Row | None) -> str:
    """The page's and the document's fields: long values on rows of their own, short ones paired."""
    document = document_row or {}
    fields_: list[tuple[str, str, bool]] = [  # label, value, needs a whole row
        ("file", page_row["source_file"], True),
        ("document", _document_summary(document_row) if document_row else "no documents row", True),
        ("doc_id", page_row["doc_id"], True),
        ("page", str(page_row["page"]), False),
        ("printed page", page_row["printed_page"] or "–", False),
        ("method", page_row["method"], False),
        ("engine", page_row["engine"] or "–", False),
        ("status", page_row["status"], False),
        ("confidence", _format_confidence(page_row["confidence"], missing="–"), False),
        ("seconds", f"{page_row['seconds']:.2f}", False),
        ("characters", str(page_row["char_count"]), False),
        ("error", page_row["error"] or "–", True),
        ("header", " | ".join(split_furniture(page_row["header"])) or "–", True),
        ("footer", " | ".join(split_furniture(page_row["footer"])) or "–", True),
        ("pipeline", page_row["pipeline_version"], False),
        ("ingested", f"{document['ingested_at']:%Y-%m-%d %H:%M %Z}" if document else "–", False),
    ]
    rows: list[str] = []
    pending: list[str] = []  # the cells of a short field waiting for its partner
    for label, value, wide in fields_:
        span = ' colspan="3"' if wide else ""
        empty = " empty" if value == "–" else ""
        cells = (
            f"<th>{html.escape(label)}</th>"
            f'<td class="field-{_css_name(label)}{empty}"{span}>{html.escape(value)}</td>'
        )
        if wide:
            rows.append(f"<tr>{cells}</tr>")
        elif pending:
            rows.append(f"<tr>{pending.pop()}{cells}</tr>")
        else:
            pending.append(cells)
    rows.extend(f"<tr>{cells}</tr>" for cells in pending)
    return '<table class="metadata">\n' + "\n".join(rows) + "\n</table>"


def _document_summary(document_row: Row) -> str:
    parts = [document_row["doc_title"] or "untitled", document_row["issue_label"] or ""]
    pages = document_row["pages"]
    parts += [
        document_row["doc_kind"],
        f"{pages} pages" if pages is not None else "",
        _count(document_row["articles"], "article"),
        f"status {document_row['status']}",
    ]
    return " · ".join(part for part in parts if part)


def _css_name(label: str) -> str:
    return _NOT_NAME.sub("-", label)


_HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""

# lang="zh-Hans" plus a simplified-Chinese-first font list, so that unified Han
# code points get mainland glyph shapes on every platform.
_STYLE = """
:root {
  --cjk: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
         "Microsoft YaHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans SC", sans-serif;
  --muted: #6b7280; --rule: #e5e7eb;
}
* { box-sizing: border-box; }
body { margin: 0; font-family: var(--cjk); color: #111827; background: #f9fafb; font-size: 15px; }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px;
         background: #1f2937; color: white; }
h1 { font-size: 17px; font-weight: 600; margin: 0; }
h2 { font-size: 15px; margin: 22px 0 8px; }
h2 small { font-weight: normal; color: var(--muted); margin-left: 6px; }
.status { padding: 2px 10px; border-radius: 10px; font-size: 13px; background: #10b981; color: white; }
.status-failed { background: #dc2626; }
/* Red for text an operator should not trust: a failed read, low confidence, implausible text. */
.status-low_confidence { background: #dc2626; }
.status-implausible { background: #dc2626; }
.status-blank { background: #6b7280; }
.warnings { margin: 0; padding: 8px 20px 8px 40px; background: #fef3c7; border-bottom: 1px solid #f59e0b; }
.warnings li { margin: 3px 0; }
.warnings li.warning { color: #92400e; font-weight: 600; }
.warnings li.note { color: #78350f; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 20px; padding: 16px 20px; }
section.image { position: sticky; top: 12px; align-self: start; max-height: calc(100vh - 24px);
                overflow: auto; background: white; border: 1px solid var(--rule); padding: 8px; }
/* The whole page in view beside the text; the link opens it at full size. */
section.image img { display: block; max-width: 100%; max-height: calc(100vh - 90px); margin: 0 auto;
                    border: 1px solid var(--rule); }
.caption { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.no-image { padding: 60px 20px; text-align: center; color: #92400e; background: #fffbeb; }
table.metadata { border-collapse: collapse; width: 100%; background: white; font-size: 13px; }
table.metadata th, table.metadata td { text-align: left; padding: 3px 8px;
                                       border-bottom: 1px solid var(--rule); vertical-align: top; }
table.metadata th { width: 7em; color: var(--muted); font-weight: normal; white-space: nowrap; }
table.metadata td.field-doc_id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px;
                           word-break: break-all; }
table.metadata td.field-error { color: #b91c1c; white-space: pre-wrap; }
table.metadata td.empty { color: var(--muted); }
.text { background: white; border: 1px solid var(--rule); padding: 8px 0; counter-reset: line;
        line-height: 1.7; font-size: 15px; }
.text .line { white-space: pre-wrap; word-break: break-word; min-height: 1.7em;
              padding: 0 12px 0 4.2em; text-indent: -3.4em; }
.text .line::before { counter-increment: line; content: counter(line); display: inline-block;
                      width: 2.6em; margin-right: 0.8em; text-indent: 0; text-align: right;
                      color: #9ca3af; font-size: 12px; user-select: none; }
.no-text { color: var(--muted); font-style: italic; padding: 8px 16px; }
mark { border-radius: 3px; padding: 0 2px; }
mark.header { background: #bfdbfe; color: #1e3a8a; }
mark.footer { background: #fde68a; color: #78350f; }
h2 mark { font-size: 12px; }
del { background: #fee2e2; color: #991b1b; text-decoration: line-through; }
del.header { background: #bfdbfe; color: #1e3a8a; }
del.footer { background: #fde68a; color: #78350f; }
ins { background: #dcfce7; color: #166534; text-decoration: none; }
ul.dropped { background: white; border: 1px solid var(--rule); margin: 0; padding: 6px 12px 6px 32px; }
ul.dropped .reason { color: var(--muted); font-size: 13px; }
"""
