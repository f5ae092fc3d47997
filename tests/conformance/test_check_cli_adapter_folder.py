"""`--adapter conformance:adapter` run from the folder holding conformance.py: found there, as
uvicorn and pytest find what is in the current folder. It was `cannot import 'conformance': No
module named 'conformance'` unless the module was installed or on PYTHONPATH (the console
script's sys.path starts with its own bin folder, not the folder it is run from)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.cli.main import main
from mockserver.conformance.adapter_spec import AdapterError, resolve_adapter

ADAPTER = '''
from mockserver.conformance.adapters import llama_api_client


def adapter(base_url, api_key, conversation):
    return llama_api_client(base_url, api_key, conversation)
'''
CONSOLE_SCRIPT = Path(sys.executable).with_name("llama-contract")


@pytest.fixture
def in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current folder is `tmp_path`, which is not on sys.path (as for the console script);
    sys.path and the modules imported from the folder are put back afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if entry not in ("", ".")])
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", None) and str(tmp_path) in str(
            sys.modules[name].__file__
        ):
            del sys.modules[name]


def test_a_module_in_the_current_folder_is_an_adapter(
    in_a_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_a_folder / "folder_adapter_one.py").write_text(ADAPTER)
    assert main(["check", "client", "--adapter", "folder_adapter_one:adapter", "--scenarios",
                 "seed-example", "--report-dir", "out", "--quiet"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert "client folder_adapter_one:adapter conforms: 1 cases" in out, err
    assert (in_a_folder / "out" / "report.json").exists()


def test_a_package_in_the_current_folder_is_found_too(in_a_folder: Path) -> None:
    package = in_a_folder / "folder_acme"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "conformance.py").write_text(ADAPTER)
    assert callable(resolve_adapter("folder_acme.conformance:adapter"))


def test_a_module_found_nowhere_says_where_it_was_looked_for(in_a_folder: Path) -> None:
    path_before = list(sys.path)
    with pytest.raises(AdapterError) as refused:
        resolve_adapter("folder_nowhere:adapter")
    assert str(refused.value) == (
        "--adapter 'folder_nowhere:adapter': cannot import 'folder_nowhere': No module named "
        "'folder_nowhere' (installed, on PYTHONPATH or in the current folder)"
    )
    assert sys.path == path_before  # the folder was looked in, not left on sys.path


def test_a_module_in_the_folder_missing_one_of_its_imports_names_that_import(
    in_a_folder: Path,
) -> None:
    (in_a_folder / "folder_adapter_two.py").write_text("import folder_not_installed_sdk\n")
    with pytest.raises(AdapterError, match=r"No module named 'folder_not_installed_sdk'$"):
        resolve_adapter("folder_adapter_two:adapter")


def test_an_installed_module_is_not_shadowed_by_the_folder(in_a_folder: Path) -> None:
    """The folder is looked in last: a not_adapters.py there is not the one on sys.path."""
    (in_a_folder / "not_adapters.py").write_text("raise RuntimeError('the folder shadowed it')\n")
    assert callable(resolve_adapter("not_adapters:raises"))


def test_the_console_script_finds_the_adapter_in_the_folder_it_is_run_from(
    tmp_path: Path,
) -> None:
    (tmp_path / "conformance.py").write_text(ADAPTER)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([str(CONSOLE_SCRIPT), "check", "client", "--adapter",
                           "conformance:adapter", "--scenarios", "seed-example", "--report-dir",
                           "out", "--quiet"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "client conformance:adapter conforms" in done.stdout
