"""`make run` installs only the [project] dependencies: production code may import nothing else."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from conftest import REPO

# Not production code: what only the tests, benchmarks and migrations import.
NOT_PRODUCTION = {"tests", "migrations", "benchmarks", ".venv", "var", "node_modules"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0])


def runtime_distributions() -> set[str]:
    """The [project] dependencies and everything they require, extras left out."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    closure: set[str] = set()
    todo = [_requirement_name(r) for r in project["dependencies"]]
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_requirement_name(r) for r in requires if "extra" not in r.partition(";")[2]]
    return closure


def production_modules() -> list[Path]:
    paths = [*sorted((REPO / "mentora").rglob("*.py")), *sorted((REPO / "config").rglob("*.py"))]
    return [
        path
        for path in paths
        if not NOT_PRODUCTION & set(path.relative_to(REPO).parts)
        and not path.name.startswith("test_")
        and path.name != "conftest.py"
    ]


def imported_top_level_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_production_code_imports_only_what_the_project_dependencies_install() -> None:
    allowed = runtime_distributions()
    distributions_of = metadata.packages_distributions()
    missing = []
    for path in production_modules():
        for module in imported_top_level_modules(path):
            if module in sys.stdlib_module_names or module in {"mentora", "config", "__future__"}:
                continue
            providers = {_norm(d) for d in distributions_of.get(module, [])}
            if not providers & allowed:
                missing.append(f"{path.relative_to(REPO)}: {module}")
    assert missing == [], "imported by production code but not a [project] dependency"


def test_the_check_sees_a_test_only_package() -> None:
    # pytest is installed (we are running it) but is no [project] dependency.
    assert "pytest" not in runtime_distributions()
    assert "django" in runtime_distributions()
