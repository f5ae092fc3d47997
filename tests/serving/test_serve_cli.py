"""`llama-contract serve` as users run it: a subprocess, ready line, requests, signals, errors."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
from typing import Any

import httpx
import pytest

from mockserver.cli import serve as serve_command
from mockserver.config import MockConfig

# The request of the seed page's curl example (Llama API docs, "Chat completion").
SEED_REQUEST = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant that provides concise answers."},
        {"role": "user", "content": "What is the capital of France?"},
    ],
    "max_tokens": 256,
}
AUTH = {"Authorization": "Bearer test"}
CLI = [sys.executable, "-m", "mockserver.cli.main"]  # what the `llama-contract` console script runs
CLIENT_TIMEOUT_S = 30.0


def _serve_argv(*extra: str) -> list[str]:
    return [*CLI, "serve", "--port", "0", *extra]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_answers_the_seed_request_then_stops_cleanly(launch, stop_signal):
    server = launch(_serve_argv())
    url = server.wait_ready()
    assert server.ready_lines[1:] == [f"  native: {url}/v1", f"  compat: {url}/compat/v1"]
    with httpx.Client(timeout=CLIENT_TIMEOUT_S) as client:
        answer = client.post(f"{url}/v1/chat/completions", json=SEED_REQUEST, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["completion_message"]["role"] == "assistant"
    assert server.stop(stop_signal) == 0
    server.clean_stderr()


def test_serve_streams_native_events(launch):
    server = launch(_serve_argv())
    url = server.wait_ready()
    events = []
    with httpx.Client(timeout=CLIENT_TIMEOUT_S) as client, client.stream(
        "POST", f"{url}/v1/chat/completions", json={**SEED_REQUEST, "stream": True},
        headers={**AUTH, "Accept": "application/json"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    kinds = [event["event"]["event_type"] for event in events]
    assert kinds[0] == "start"
    assert "complete" in kinds
    assert server.stop(signal.SIGTERM) == 0
    server.clean_stderr()


def test_serve_with_a_stdout_that_cannot_take_the_ready_lines_exits_2_with_one_line():
    """As the other commands: the worker's failed write is said once by the main process."""
    import subprocess

    with open("/dev/full", "w") as full:  # a device, not a file of ours
        done = subprocess.run(_serve_argv(), stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=CLIENT_TIMEOUT_S, check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "llama-contract serve: cannot write the output to stdout: No space left on device"
    ]


def test_serve_on_a_busy_port_exits_2_with_one_clear_line(launch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = launch([*CLI, "serve", "--port", str(port)])
        code = server.wait_exit()
    stderr = server.stderr()
    assert code == 2
    assert stderr.strip().splitlines() == [
        f"llama-contract serve: error: cannot listen on 127.0.0.1:{port}: Address already in use"
        " (another server is on that port; pick another with --port, or 0)"
    ]


def test_serve_on_a_foreign_host_it_cannot_bind_says_only_that(launch: Any) -> None:
    # 192.0.2.1 (TEST-NET) is never local: nothing listens beyond loopback in this test. The
    # admin warning came first, about a server that never started: two lines for one mistake.
    server = launch([*CLI, "serve", "--host", "192.0.2.1", "--port", "0"])
    code = server.wait_exit()
    lines = server.stderr().strip().splitlines()
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("llama-contract serve: error: cannot listen on 192.0.2.1:0: ")


def test_the_admin_warning_of_a_foreign_host_comes_once_it_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, the listener swapped for a loopback one: nothing binds beyond loopback."""
    from mockserver.adapters import serving

    served: list[str] = []

    def open_listener(*, host: str, port: int) -> socket.socket:
        assert capsys.readouterr().err == ""  # nothing said before the address is ours
        return socket.create_server(("127.0.0.1", 0))

    def serve(app: object, *, listener: socket.socket, **options: object) -> int:
        served.append(capsys.readouterr().err)
        listener.close()
        return 0

    monkeypatch.setattr(serving, "open_listener", open_listener)
    monkeypatch.setattr(serving, "serve", serve)
    assert serve_command.run(_parser().parse_args(["--host", "192.0.2.1", "--port", "0"])) == 0
    assert len(served) == 1
    assert served[0].startswith("llama-contract serve: warning: 192.0.2.1 is not a loopback")
    assert "--admin-token" in served[0]
    assert served[0].count("\n") == 1


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--port", "70000"], "is not a port"),
        (["--chaos", "2"], "is not a rate between 0 and 1"),
        (["--threads", "0"], "is not a positive integer"),
        (["--ttft-ms", "nan"], "is not a finite number"),
        (["--ttft-ms", "1e9"], "is not between 0 and 60000"),  # a fault's longest wait
        (["--tokens-per-second", "0.01"], "a token a minute"),
        (["--tokens-per-second", "1e9"], "is not 0 (no pacing) or between"),
        (["--api-key", ""], "must not be empty"),
    ],
)
def test_bad_flag_values_are_usage_errors(flags, complaint, capsys):
    with pytest.raises(SystemExit) as stop:
        _parser().parse_args(flags)
    assert stop.value.code == 2
    assert complaint in capsys.readouterr().err


def test_missing_scenario_path_exits_2_before_serving(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    args = _parser().parse_args(["--port", "0", "--scenarios", str(missing)])
    assert serve_command.run(args) == 2
    assert capsys.readouterr().err == (
        f"llama-contract serve: error: {missing}: no such file or folder\n"
    )


def test_builtin_scenario_names_are_accepted_and_bad_files_named(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nsteps:\n  - respond: {text: hi}\n    colour: red\n")
    args = _parser().parse_args(["--port", "0", "--scenarios", "agent-loop", str(broken)])
    assert serve_command.run(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"llama-contract serve: error: {broken}")
    assert "colour" in err
    assert "Traceback" not in err


def test_flags_become_the_mock_config(tmp_path):
    scenario = tmp_path / "a.yaml"
    args = _parser().parse_args([
        "--host", "::1", "--port", "0", "--strict", "--seed", "7", "--api-key", "k1",
        "--api-key", "k2", "--admin-token", "t", "--quirks", "--rpm", "60", "--tpm", "1000",
        "--journal-size", "50", "--ttft-ms", "120", "--tokens-per-second", "40",
        "--scenarios", str(scenario), "b.yaml", "--scenarios", "c.yaml", "--chaos", "0.25",
        "--threads", "4", "--access-log",
    ])
    assert serve_command.config_from_args(args) == MockConfig(
        host="::1", port=0, strict=True, seed=7, api_keys=("k1", "k2"), admin_token="t",
        quirks=True, rpm=60, tpm=1000, journal_size=50, ttft_ms=120.0, tokens_per_second=40.0,
        scenarios=(str(scenario), "b.yaml", "c.yaml"), chaos_rate=0.25, threads=4,
        access_log=True,
    )


def test_a_bracketed_ipv6_host_is_the_loopback_address():
    config = serve_command.config_from_args(_parser().parse_args(["--host", "[::1]"]))
    assert config.host == "::1"
    assert config.loopback


def test_defaults_are_the_mock_config_defaults():
    config = serve_command.config_from_args(_parser().parse_args([]))
    assert config == MockConfig()
    assert (config.host, config.port, config.threads) == ("127.0.0.1", 4010, 64)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llama-contract serve")
    serve_command.add_arguments(parser)
    return parser


def test_serve_help_says_loaded_scenarios_answer_every_chat_request(capsys):
    """The surprise of a user running an app against `serve --scenarios agent-loop`: said where
    the option is met, and true of the mock."""
    from mockserver import MockService
    from mockserver.cli.main import main
    from mockserver.core.http import MockRequest

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("Loaded scenarios answer every chat completion: one that matches no step of theirs "
            "gets a 404 scenario.no_match, not the engine's answer") in help_text  # fmt: skip
    service = MockService(MockConfig(port=0, scenarios=("agent-loop",)))
    headers = {"authorization": "Bearer k", "content-type": "application/json"}
    hello = {"model": SEED_REQUEST["model"], "messages": [{"role": "user", "content": "Hello"}]}
    chat = service.handle(MockRequest("POST", "/v1/chat/completions", headers,
                                      json.dumps(hello).encode()))  # fmt: skip
    assert chat.status == 404
    assert service.handle(MockRequest("GET", "/v1/models", headers)).status == 200
