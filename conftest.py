"""What every doctest may use: ``settings``, docpipe's default Settings.

The line cleaners (cleaners/columns.py, furniture.py, wraps.py, ocr.py) take
their thresholds as a ``settings`` argument and import nothing of docpipe, so
their examples are given the object docpipe passes them.
"""

from __future__ import annotations

from typing import Any

import pytest

from docpipe.settings import DEFAULT_SETTINGS


@pytest.fixture(autouse=True)
def _settings_in_doctests(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["settings"] = DEFAULT_SETTINGS
