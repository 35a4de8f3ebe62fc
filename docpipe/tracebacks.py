"""Tracebacks of failures: an expected one is one line, unless the operator asked for ``--debug``.

A PDF that cannot be opened or a page that cannot be read is an expected outcome: its
reason goes in its row and in one log line.  Its traceback helps only whoever debugs
docpipe, so ``--debug`` asks for it.  The switch is an environment variable, because
the page workers that raise these failures are processes the run starts (and inherit
its environment), and a served deployment's runs are started by Prefect.
"""

from __future__ import annotations

import logging
import os
import traceback
from typing import Protocol

#: Set (to anything but "" or "0") to log the traceback of every failure, expected or not.
DEBUG_VARIABLE = "DOCPIPE_DEBUG"


class Failure(Protocol):
    """What a page job's failure carries: its one-line reason and, when it has one, its traceback."""

    @property
    def reason(self) -> str: ...

    @property
    def details(self) -> str: ...


def debugging() -> bool:
    """Whether tracebacks of expected failures are wanted (``--debug``)."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def enable_debugging() -> None:
    """Ask for every traceback, in this process and every process it starts from now on."""
    os.environ[DEBUG_VARIABLE] = "1"


def traceback_if_wanted(*, expected: bool) -> str:
    """The traceback of the exception being handled, when it is worth keeping: always for an
    unexpected failure (a docpipe bug), for an expected one only with ``--debug``.

    Called inside an ``except`` block.
    """
    return traceback.format_exc() if not expected or debugging() else ""


Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]


def log_failure_details(logger: Logger, what: str, failure: Failure) -> None:
    """Log the traceback a failure carries (see :func:`traceback_if_wanted`), below its one line."""
    if failure.details:
        logger.warning("%s: traceback of %r:\n%s", what, failure.reason, failure.details.rstrip())
