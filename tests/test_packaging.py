"""What a new user meets first: the version, the Python it needs, the pins of the test extras."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from contract.scenarios.loading import builtin_names
from mockserver.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"llama-contract {version('llama-api-contract')}\n"


def test_the_readme_names_the_python_the_package_requires():
    required = PYPROJECT["project"]["requires-python"]
    assert required == ">=3.11"
    assert "Python 3.11 or newer" in (ROOT / "README.md").read_text()


def test_the_openai_test_dependency_is_pinned_to_one_major_version():
    [openai] = [d for d in PYPROJECT["project"]["optional-dependencies"]["test"]
                if re.match(r"openai\b", d)]
    match = re.fullmatch(r"openai>=(\d+)(?:\.\d+)*,<(\d+)", openai.replace(" ", ""))
    assert match, openai
    assert int(match.group(2)) == int(match.group(1)) + 1
    assert version("openai").split(".")[0] == match.group(1)




_NAMED_SCENARIO = re.compile(r'llama_scenario\("([^"]+)"|--scenarios ([a-z0-9-]+)(?![\w./-])')


def test_every_built_in_scenario_the_docs_name_exists():
    """A user copies `llama_scenario("NAME")` or `--scenarios NAME` from the docs: NAME must be a
    built-in scenario (paths, with a slash or an extension, are the user's own files)."""
    named = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for match in _NAMED_SCENARIO.finditer(path.read_text()):
            name = match.group(1) or match.group(2)
            if "/" not in name and "." not in name:
                named.add(name)
    assert "agent-loop" in named
    assert named - set(builtin_names()) == set()
