"""Progress of a run on a terminal: one bar per document, advancing page by page.

A bar counts the pages the run reads: a page kept from the cache (a retry keeps the
good ones, a resumed run those read before its kill) is not work done now.

The flow reports to whatever reporter the caller installed; the CLI installs
a rich progress display when stdout is a terminal, and nothing otherwise
(Prefect's log lines then say what happens, one line per document and task).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class ProgressReporter(Protocol):
    def start_document(self, name: str, pages: int) -> None:
        """``pages``: how many of the document's pages this run reads."""

    def page_done(self, name: str) -> None: ...

    def finish_document(self, name: str) -> None: ...


class SilentProgress:
    """Reports nothing: the default, and what a non-terminal run uses."""

    def start_document(self, name: str, pages: int) -> None:
        pass

    def page_done(self, name: str) -> None:
        pass

    def finish_document(self, name: str) -> None:
        pass


class TerminalProgress:
    """A rich bar per document, counting its pages."""

    def __init__(self, console: Console | None = None) -> None:
        self._display = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pages"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> TerminalProgress:
        self._display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._display.stop()

    def start_document(self, name: str, pages: int) -> None:
        self._tasks[name] = self._display.add_task(name, total=pages)

    def page_done(self, name: str) -> None:
        if name in self._tasks:
            self._display.advance(self._tasks[name])

    def completed(self, name: str) -> float:
        return self._display.tasks[self._tasks[name]].completed

    def finish_document(self, name: str) -> None:
        if name in self._tasks:
            task = self._tasks[name]
            self._display.update(task, completed=self._display.tasks[task].total)


_reporter: ProgressReporter = SilentProgress()


def reporter() -> ProgressReporter:
    return _reporter


@contextmanager
def reporting(progress: ProgressReporter) -> Iterator[None]:
    """Install ``progress`` as the reporter for the duration of a run."""
    global _reporter
    previous, _reporter = _reporter, progress
    try:
        yield
    finally:
        _reporter = previous
