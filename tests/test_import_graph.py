"""The layering of ARCHITECTURE.md, held by reading every module's imports (no import is run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = ("flask", "werkzeug", "granian", "httpx", "httpx2", "respx", "gunicorn")
MAX_MODULES_PER_FOLDER = 12
MAX_LINES = 450


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in sorted(imports_of(path))
        if any(name == banned or name.startswith(banned + ".") for banned in forbidden)
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("contract", (*WEB, "mockserver")),
        ("mockserver/engine", (*WEB, "mockserver.core", "mockserver.adapters",
                               "mockserver.scenarios", "mockserver.cli",
                               "mockserver.pytest_plugin", "mockserver.conformance")),
        ("mockserver/core", ("flask", "werkzeug", "granian", "respx", "gunicorn")),
    ],
)  # fmt: skip
def test_what_a_layer_may_import(package, forbidden):
    assert offending(package, forbidden) == []


def test_the_checker_sees_an_import():
    assert "flask" in imports_of(ROOT / "mockserver" / "adapters" / "flask_app.py")


def test_no_folder_is_crowded_and_no_module_is_long():
    for folder in ("contract", "mockserver"):
        for directory in [ROOT / folder, *(p for p in (ROOT / folder).rglob("*") if p.is_dir())]:
            own = [p for p in directory.glob("*.py") if p.name != "__init__.py"]
            assert len(own) <= MAX_MODULES_PER_FOLDER, directory
        for path in modules(folder):
            assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES, path
