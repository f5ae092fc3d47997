"""What an adapter prints goes to stderr: it was mixed into the FAILED lines and the summary on
stdout, even with --quiet, where CI (and `| head`) read only the run's own lines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from mockserver.cli.main import main
from mockserver.conformance.adapters import llama_api_client

MODULE = __name__.rpartition(".")[2]


def chatty(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    print(f"CHATTY calling {conversation.scenario}/{conversation.step}")
    sys.stdout.write("CHATTY again\n")
    outcome = llama_api_client(base_url, api_key, conversation)
    outcome.text = "not what the server sent"  # a failure, so FAILED lines are printed
    return outcome


@pytest.mark.parametrize("quiet", [(), ("--quiet",)])
def test_what_an_adapter_prints_goes_to_stderr(
    quiet: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "client", "--adapter", f"{MODULE}:chatty", "--scenarios",
                 "seed-example", "--report-dir", str(tmp_path), *quiet])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    assert "CHATTY" not in out
    lines = out.splitlines()
    assert lines[-1].startswith(f"client {MODULE}:chatty does NOT conform: 1 cases")
    assert all(line.startswith("FAILED ") for line in lines[:-1])
    assert len(lines) == (1 if quiet else 2)
    assert "CHATTY calling seed-example/answer\nCHATTY again\n" in err
    assert sys.stdout is not sys.stderr  # put back after the run
