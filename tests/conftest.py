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
    """The text-layer digest samples (not their scanned copies)."""
    from docpipe.samples.scan import SCAN_SUFFIX

    samples = sorted(path for path in RAW.glob("digest-*.pdf") if not path.stem.endswith(SCAN_SUFFIX))
    assert len(samples) >= 2, "the digest samples are missing from raw/"
    return samples


@pytest.fixture(scope="session")
def scanned_digest_sample() -> Path:
    """The scanned copy of a digest sample: an image-only PDF of a digest's pages."""
    from docpipe.samples.scan import SCAN_SUFFIX, SCANNED_DIGESTS

    sample = RAW / f"{next(iter(SCANNED_DIGESTS))}{SCAN_SUFFIX}.pdf"
    assert sample.exists(), "the scanned digest sample is missing from raw/"
    return sample
