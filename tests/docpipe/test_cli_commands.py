"""Every option checked at the door, and operator commands that say what is true: a table of
commands with the exit code and the first line each must give.

The commands run in-process through ``docpipe.cli.main`` (argparse exits are caught), over
datasets written by docpipe's writer (see tests/docpipe/test_operate.py) and a raw PDF.  None of
these rows may start Prefect: they all end before a flow would run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from docpipe import __version__
from docpipe.cli import build_parser, main
from tests.docpipe.test_operate import BOOK, DIGEST, out_dir, raw_dir  # noqa: F401  (fixtures)

#: {raw}, {out} and {empty} are filled in with the fixtures' directories; {pdf} is a raw PDF file.
#: args, exit code, first line of stdout or stderr (a prefix)
COMMANDS: list[tuple[str, int, str]] = [
    ("--version", 0, f"docpipe {__version__}"),
    # settings: ranges and types, refused before anything starts
    (
        "run --raw {raw} --out {out} --workers -3",
        2,
        "docpipe run: argument --workers: must be between 0 and 256",
    ),
    (
        "run --raw {raw} --out {out} --workers 1.5",
        2,
        "docpipe run: argument --workers: expected a whole number",
    ),
    ("run --raw {raw} --out {out} --dpi -5", 2, "docpipe run: argument --dpi: must be between 50 and 1200"),
    (
        "run --raw {raw} --out {out} --dpi 99999",
        2,
        "docpipe run: argument --dpi: must be between 50 and 1200",
    ),
    ("run --raw {raw} --out {out} --page-timeout -1", 2, "docpipe run: argument --page-timeout: must be at"),
    ("run --raw {raw} --out {out} --page-timeout nan", 2, "docpipe run: argument --page-timeout: must be"),
    (
        "run --raw {raw} --out {out} --confidence-floor 150",
        2,
        "docpipe run: argument --confidence-floor: must",
    ),
    ("run --raw {raw} --out {out} --retry-failed -1", 2, "docpipe run: argument --retry-failed: must be"),
    (
        "run --raw {raw} --out {out} --ocr-languages 'chi sim'",
        2,
        "docpipe run: argument --ocr-languages: must",
    ),
    ("run --raw {raw} --out {out} --ocr sometimes", 2, "docpipe run: argument --ocr: invalid choice"),
    (
        "retry --raw {raw} --out {out} --dpi 0",
        2,
        "docpipe retry: argument --dpi: must be between 50 and 1200",
    ),
    ("run --bogus", 2, "docpipe: unrecognized arguments: --bogus"),
    # paths: missing, a file where a directory belongs, existing but unwritable
    ("run --raw {raw}/nowhere --out {out}", 2, "docpipe: raw directory {raw}/nowhere does not exist"),
    ("run --raw {pdf} --out {out}", 2, "docpipe: --raw {pdf} is a file; give the directory"),
    ("run --raw {raw} --out {pdf}", 2, "docpipe: --out {pdf} is a file, not a directory"),
    ("run --raw {raw} --out /proc", 2, "docpipe: output directory /proc is not writable"),
    ("run --raw {raw} --out {pdf}/out", 2, "docpipe: output directory {pdf}/out cannot be created"),
    (
        "serve --raw {raw} --out {out} --timezone Mars/Olympus",
        2,
        "docpipe serve: argument --timezone: unknown",
    ),
    ("serve --raw {raw} --out {out} --cron 'every day'", 2, "docpipe: bad cron expression 'every day'"),
    ("serve --raw {raw} --out {out} --name x --retry-name x", 2, "docpipe: --name and --retry-name are both"),
    # pages: errors on what does not exist, names its filter, three formats
    ("pages --out {raw}/nowhere", 2, "docpipe: datasets directory {raw}/nowhere does not exist"),
    ("pages --out {empty}", 2, "docpipe: {empty} holds no docpipe datasets"),
    ("pages --out {out} --file nope.pdf", 2, "docpipe: nope.pdf is not in the datasets"),
    (
        "pages --out {out} --file boook.pdf",
        2,
        "docpipe: boook.pdf is not in the datasets (did you mean book.pdf?)",
    ),
    ("pages --out {out} --status broken", 2, "docpipe: unknown page status 'broken'"),
    ("pages --out {out} --status ,", 2, "docpipe: --status needs at least one of"),
    ("pages --out {out}", 0, "file "),
    ("pages --out {out} --status ok", 0, "file "),
    ("pages --out {out} --status ok --file book.pdf", 0, "no pages with status ok"),
    ("pages --out {out} --file {raw}/book.pdf --status failed", 0, "file "),
    (
        "pages --out {out} --format csv",
        0,
        "source_file,page,printed_page,method,engine,status,confidence,error",
    ),
    ("pages --out {out} --format json --file book.pdf", 0, '[{{"source_file": "book.pdf", "page": 1,'),
    ("pages --out {out} --format xml", 2, "docpipe pages: argument --format: invalid choice"),
    # inspect: the path as typed, no stray quote
    (
        "inspect nonexistent.pdf 1 --out {out} --raw {raw}",
        2,
        "docpipe: nonexistent.pdf is not in the datasets",
    ),
    ("inspect {raw}/book.pdf 9 --out {out} --raw {raw}", 2, "docpipe: 'book.pdf' has no page 9"),
    (
        "inspect {raw}/book.pdf 0 --out {out} --raw {raw}",
        2,
        "docpipe inspect: argument page: must be at least 1",
    ),
    ("inspect {raw}/book.pdf 2 --out {out} --raw {raw} --dest {out}/_i", 0, "{out}/_i/page-2.html"),
    ("inspect 电子政务信息汇编-第3期.pdf 1 --out {out} --raw {raw} --dest {out}/_j", 0, "{out}/_j/"),
    # retry of nothing ends at once, without Prefect
    ("retry --raw {raw} --out {empty}", 0, "docpipe: no failed or low-confidence pages to retry"),
    ("retry --raw {raw} --out {out} --file nope.pdf", 2, "docpipe: nope.pdf is not in the datasets"),
]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: --version, usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, (captured.out + captured.err)


@pytest.mark.parametrize(("command", "code", "first_line"), COMMANDS, ids=[row[0] for row in COMMANDS])
def test_command_exit_code_and_first_line(
    command: str,
    code: int,
    first_line: str,
    out_dir: Path,  # noqa: F811
    raw_dir: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shlex

    empty = tmp_path / "empty-out"
    empty.mkdir()
    values = {"raw": str(raw_dir), "out": str(out_dir), "empty": str(empty), "pdf": str(raw_dir / BOOK)}
    argv = [part.format(**values) for part in shlex.split(command)]
    modules_before = set(sys.modules)
    actual_code, output = run_cli(argv, capsys)
    assert actual_code == code, output
    lines = output.splitlines()
    assert lines and lines[0].startswith(first_line.format(**values)), output
    if code == 2:
        assert len(lines) == 1 and "Traceback" not in output
    if argv[0] != "serve":  # serve checks its cron with Prefect's own parser
        assert not any(name.startswith("prefect") for name in set(sys.modules) - modules_before)


def test_problem_page_counts_name_the_filter(out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert run_cli(["pages", "--out", str(out_dir)], capsys)[1].splitlines()[-1] == (
        "3 problem pages in 2 files"
    )
    assert run_cli(["pages", "--out", str(out_dir), "--status", "ok"], capsys)[1].splitlines()[-1] == (
        "1 page with status ok in 1 file"
    )


def test_pages_json_is_the_rows(out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _, output = run_cli(["pages", "--out", str(out_dir), "--format", "json"], capsys)
    rows = json.loads(output)
    assert [(row["source_file"], row["page"], row["status"]) for row in rows] == [
        (BOOK, 1, "failed"),
        (BOOK, 2, "low_confidence"),
        (DIGEST, 2, "failed"),
    ]


def test_help_shows_defaults_and_an_example_for_every_command() -> None:
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in subcommands.choices.items():
        text = command.format_help()
        assert "example:\n  docpipe " + name in text, name
        for action in command._actions:
            if action.option_strings and action.help and action.nargs != 0 and action.dest != "help":
                if action.dest in ("dest", "source_file"):
                    continue  # no default: a new folder / every document
                assert "default" in action.help, f"{name} {action.option_strings[0]}"


def test_every_command_reads_the_same_directory_options() -> None:
    """--raw, --out and --debug are one definition each: the same type, default and help everywhere."""
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    seen: dict[str, set[tuple[object, ...]]] = {}
    for command in subcommands.choices.values():
        options = {action.dest: action for action in command._actions}
        for dest in ("raw", "out", "debug"):
            action = options[dest]  # every command has all three
            seen.setdefault(dest, set()).add((action.type, action.default, action.help, action.metavar))
    assert all(len(definitions) == 1 for definitions in seen.values()), seen
