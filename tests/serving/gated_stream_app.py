"""A small Flask app whose streams wait at a gate, served by `mockserver.adapters.serving` (run as a script).

`GET /stream/<name>` yields `data: first`, then waits until `POST /release/<name>` opens the gate,
then yields `data: second`. A client that reads `first` before releasing the gate proves the
server sent it before the app produced the next chunk. Not a test module: the serving tests run it.

Usage: python gated_stream_app.py [--host H] [--port P] [--threads N] [--fail-to-start]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Iterator

from flask import Flask, Response, jsonify

GATE_WAIT_S = 60  # bounds a stream whose gate a failed test never opens


class Gates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, threading.Event] = {}

    def get(self, name: str) -> threading.Event:
        with self._lock:
            return self._events.setdefault(name, threading.Event())


def create_app() -> Flask:
    gates = Gates()
    app = Flask("gated_stream_app")

    @app.get("/hello")
    def hello() -> Response:
        return jsonify(hello="world", pid=os.getpid())

    @app.get("/stream/<name>")
    def stream(name: str) -> Response:
        gate = gates.get(name)

        def events() -> Iterator[bytes]:
            yield b"data: first\n\n"
            opened = gate.wait(GATE_WAIT_S)
            yield b"data: second\n\n" if opened else b"data: gate-timeout\n\n"

        return Response(events(), content_type="text/event-stream")

    @app.post("/release/<name>")
    def release(name: str) -> Response:
        gates.get(name).set()
        return jsonify(released=name)

    return app


def failing_factory() -> Flask:
    raise ValueError("scenario file broken.yaml: line 3: unknown key 'respnse'")


def main() -> int:
    from mockserver.adapters.rsgi import wsgi_app
    from mockserver.adapters.serving import ServeError, open_listener, serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--fail-to-start", action="store_true")
    args = parser.parse_args()
    try:
        listener = open_listener(host=args.host, port=args.port)
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    factory = failing_factory if args.fail_to_start else create_app
    return serve(lambda: wsgi_app(factory(), threads=args.threads), listener=listener)


if __name__ == "__main__":
    sys.exit(main())
