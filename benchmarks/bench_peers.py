"""The peers the mock is measured against, installed and started by the benchmark itself, pinned.

- stubllm 0.1.5 (FastAPI + uvicorn), the fastest Python LLM mock we know, on the OpenAI-compatible
  endpoint: installed with pip into its own venv in a cache folder.
- Prism 5.14.2 (`prism mock` of our own `/openapi.json`, so both serve the same paths), on the
  native endpoint: installed with npm into a cache folder; without npm it is left out and the
  README says so.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_server import BenchError

CACHE = Path(tempfile.gettempdir()) / "llama-contract-peers"
STUBLLM_VERSION = "0.1.5"
PRISM_VERSION = "5.14.2"
READY_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Peer:
    """A peer server subprocess on 127.0.0.1, ready once `probe_path` answers anything."""

    def __init__(self, name: str, argv: list[str], port: int, path: str, probe_path: str) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}{path}"
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:  # neither prints a machine-readable ready line
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{probe_path}", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answered: it is up
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise BenchError(f"{name} did not answer within {READY_TIMEOUT_S:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def install_stubllm() -> Path:
    venv = CACHE / f"stubllm-{STUBLLM_VERSION}"
    program = venv / "bin" / "stubllm"
    if not program.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"stubllm=={STUBLLM_VERSION}"],
            check=True,
            timeout=600,
        )
    return program


def start_stubllm() -> Peer:
    port = _free_port()
    argv = [str(install_stubllm()), "serve", "--port", str(port), "--log-level", "warning"]
    return Peer(f"stubllm {STUBLLM_VERSION}", argv, port, "/v1/chat/completions", "/")


def install_prism() -> Path | None:
    """Prism's program, or None without npm."""
    prefix = CACHE / f"prism-{PRISM_VERSION}"
    program = prefix / "node_modules" / ".bin" / "prism"
    if program.exists():
        return program
    if shutil.which("npm") is None:
        return None
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(prefix),
         f"@stoplight/prism-cli@{PRISM_VERSION}"],
        check=True,
        timeout=900,
    )  # fmt: skip
    return program


def start_prism(spec: Path) -> Peer | None:
    program = install_prism()
    if program is None:
        return None
    port = _free_port()
    argv = [str(program), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    return Peer(f"Prism {PRISM_VERSION}", argv, port, "/v1/chat/completions", "/health")
