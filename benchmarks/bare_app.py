"""The baseline of the server benchmark: a bare Flask endpoint on the same server and process
count as `llama-contract serve` (granian, one worker), in granian's fastest setting for a Flask
app that never waits (its WSGI interface with one blocking thread), answering a constant JSON body.

`POST /v1/chat/completions` reads the request body and answers the same bytes every time, so the
difference to the mock is exactly the mock's own work: validation, the engine, the journal.

Usage: python benchmarks/bare_app.py [--host H] [--port P] [--threads N] [--body-bytes N]
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

from flask import Flask, Response, request

from mockserver.adapters.serving import ServeError, open_listener, serve

PATH = "/v1/chat/completions"


def constant_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least the size of its skeleton)."""
    skeleton = json.dumps({"id": "bare", "padding": ""}, separators=(",", ":")).encode()
    return skeleton[:-2] + b"x" * max(size - len(skeleton), 0) + skeleton[-2:]


def create_bare_app(body_bytes: int) -> Flask:
    body = constant_body(body_bytes)
    app = Flask("bare_app")

    @app.post(PATH)
    def chat() -> Response:
        request.get_data()  # read the request like the mock does, then ignore it
        return Response(body, 200, content_type="application/json")

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="granian's blocking threads")
    parser.add_argument("--body-bytes", type=int, default=1024)
    args = parser.parse_args(argv)
    try:
        listener = open_listener(host=args.host, port=args.port)
    except ServeError as exc:
        print(f"bare_app: error: {exc}", file=sys.stderr)
        return 2
    return serve(
        partial(create_bare_app, args.body_bytes), listener=listener, wsgi_threads=args.threads
    )


if __name__ == "__main__":
    sys.exit(main())
