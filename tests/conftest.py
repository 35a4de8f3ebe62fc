"""Shared fixtures: one Prefect test harness for the session, and paths to the samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"

import flows  # noqa: F401, E402  (sets Prefect's environment defaults before Prefect is imported)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API for the flow tests (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def digest_samples() -> list[Path]:
    samples = sorted(RAW.glob("digest-*.pdf"))
    assert len(samples) >= 2, "the digest samples are missing from raw/"
    return samples
