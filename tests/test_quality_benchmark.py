"""The quality benchmark runs, prints the invariants beside the naive baseline, and fails loudly."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "documents"


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quality_benchmark", ROOT / "benchmarks" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_prints_the_invariants_beside_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert benchmark().main(["--raw", str(FIXTURES), "--only", "st-footnotes"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    for column in ("coverage", "empty", "cid", "U+FFFD", "private", "Kangxi", "CER"):
        assert column in header
    assert "st-footnotes.pdf  docpipe  100.00%" in out
    assert "invariants broken" not in out


def test_a_broken_invariant_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    module = benchmark()
    real = module.check_rows

    def with_a_cid(rows: list[dict[str, str]], coverage: float) -> object:
        return real([{**row, "body": row["body"] + "(cid:3)"} for row in rows], coverage)

    monkeypatch.setattr(module, "check_rows", with_a_cid)
    assert module.main(["--raw", str(FIXTURES), "--only", "st-report"]) == 1
