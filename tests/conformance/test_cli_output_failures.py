"""Output that cannot be written (a full device, a closed stdout, a folder that cannot be made):
one line on stderr naming what could not be written, exit 2 ("could not do it", as an unreadable
input is), never a traceback, and never Python's own exit 120 for a stdout it could not flush."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "mockserver.cli.main"]
FULL = "No space left on device"


def _command(argv: list[str], *, stdout: str = "/dev/full") -> tuple[int, str]:
    """Run `llama-contract ARGV` with stdout on /dev/full (or closed, for "closed")."""
    if stdout == "closed":  # `>&-`: Python starts with sys.stdout None
        done = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *CLI, *argv], cwd=ROOT,
                              stderr=subprocess.PIPE, timeout=120, check=False)  # fmt: skip
    else:
        with open(stdout, "w") as out:  # a device, not a file of ours
            done = subprocess.run([*CLI, *argv], cwd=ROOT, stdout=out, stderr=subprocess.PIPE,
                                  timeout=120, check=False)  # fmt: skip
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    from contract.conformance.report import Report, render
    from contract.scenarios.loading import builtin_scenario

    request = {"model": "m", "messages": [{"role": "wizard", "content": "hi"}]}
    (tmp_path / "request.json").write_text(json.dumps(request))
    (tmp_path / "report.json").write_text(render(Report(kind="client", target="t"), format="json"))
    source = builtin_scenario("seed-example").source
    assert source is not None
    (tmp_path / "seed.yaml").write_text(source.read_text("utf-8"))
    return {name: str(tmp_path / name) for name in ("request.json", "report.json", "seed.yaml")}


@pytest.mark.parametrize(
    "argv",
    [
        ["rules"],
        ["rules", "--format", "md"],
        ["validate", "request.json"],
        ["validate", "request.json", "--format", "json"],
        ["scenarios", "list"],
        ["scenarios", "show", "seed-example"],
        ["scenarios", "check", "seed.yaml"],
        ["report", "render", "report.json", "--format", "html"],
    ],
)
@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
def test_a_stdout_that_cannot_take_the_output_is_one_line_and_exit_2(
    argv: list[str], stdout: str, files: dict[str, str]
) -> None:
    # /dev/full was an OSError traceback (rules exited 1, validate 2 after it); a closed stdout
    # was an AttributeError traceback ('NoneType' object has no attribute 'flush'), or nothing
    # written and exit 0
    code, err = _command([files.get(arg, arg) for arg in argv], stdout=stdout)
    why = FULL if stdout == "/dev/full" else "it is closed"
    assert (code, err) == (2, f"llama-contract {argv[0]}: cannot write the output to stdout: "
                              f"{why}\n")  # fmt: skip


def test_check_whose_summary_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """The reports are written; the summary line was lost to Python's own 'Exception ignored'
    message and exit 120."""
    code, err = _command(["check", "client", "--adapter", "llama-api-client", "--scenarios",
                          "seed-example", "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    assert (code, err) == (2, f"llama-contract check: cannot write the output to stdout: {FULL}\n")
    assert (tmp_path / "report.json").is_file()


def test_report_render_to_a_full_output_file_is_one_line_and_exit_2(files: dict[str, str]) -> None:
    code, err = _command(["report", "render", files["report.json"], "--format", "md",
                          "--output", "/dev/full"], stdout="/dev/null")  # fmt: skip
    assert (code, err) == (2, f"llama-contract report: cannot write /dev/full: {FULL}\n")


def test_save_failures_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A --save-failures folder under a file was a NotADirectoryError traceback, exit 1."""
    (tmp_path / "a-file").write_text("")
    folder = tmp_path / "a-file" / "failures"
    done = subprocess.run([*CLI, "check", "client", "--adapter", "buggy_clients:strips_text",
                           "--no-scenarios", "--examples", "30", "--seed", "1", "--save-failures",
                           str(folder), "--report-dir", str(tmp_path / "out"), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "tests" / "conformance")})  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2, f"llama-contract check: --save-failures: cannot write {folder}/failing-client-text-"
           "intact.json: Not a directory\n")  # fmt: skip
    assert not (tmp_path / "out").exists()


WRONG_TEXT = '''
from mockserver.conformance.adapters import llama_api_client


def wrong_text(base_url, api_key, conversation):
    outcome = llama_api_client(base_url, api_key, conversation)
    outcome.text = "not what the mock answered"
    return outcome
'''


def test_check_into_a_pipe_closed_early_exits_with_its_verdict_and_no_traceback(
    tmp_path: Path,
) -> None:
    """`check ... | head -1`: a BrokenPipeError traceback (exit 1 whatever the verdict)."""
    (tmp_path / "wrong_adapter.py").write_text(WRONG_TEXT)
    argv = [*CLI, "check", "client", "--adapter", "wrong_adapter:wrong_text", "--scenarios",
            "seed-example", "--report-dir", str(tmp_path / "out"), "--quiet"]  # fmt: skip
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}) as child:  # fmt: skip
        assert child.stdout is not None
        assert child.stderr is not None
        child.stdout.close()  # the reader is gone before the summary is written
        err = child.stderr.read()
        assert child.wait(timeout=120) == 1, err  # the verdict: the client does not conform
    assert err == b""
