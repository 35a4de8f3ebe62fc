"""cleaners/ depends on nothing of docpipe: its modules import in a process that has no docpipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLEANERS = Path(__file__).resolve().parents[2] / "cleaners"


def test_every_cleaners_module_imports_without_docpipe() -> None:
    modules = sorted(f"cleaners.{path.stem}" for path in CLEANERS.glob("*.py") if path.stem != "__init__")
    assert "cleaners.records" in modules and "cleaners.wraps" in modules
    # docpipe is made unimportable, so an import of it anywhere in cleaners/ fails loudly.
    script = (
        "import sys\n"
        "sys.modules['docpipe'] = None\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('docpipe')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=CLEANERS.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['docpipe']"  # only the blocker itself
