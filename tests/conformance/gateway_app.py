"""A test gateway: a WSGI reverse proxy in front of a mock, streaming answers through as they
come, unless its `flaw` (one of `FLAWS`) says otherwise. The gateway tests (`check client` with a
gateway adapter, `check server --faults`) put it between the checks and the mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

__all__ = ["FLAWS", "gateway"]

FLAWS = frozenset((
    "drops retry-after", "drops the x-mock headers", "turns 5xx into 502", "turns 404 into 502",
    "retries 5xx itself", "buffers streams", "keeps data lines only", "ends cut streams",
    "cuts streams after 2 records", "ends cut streams with [DONE]",
))  # fmt: skip
_NOT_FORWARDED = frozenset(("host", "connection", "keep-alive", "transfer-encoding",
                            "content-length"))  # fmt: skip


def gateway(upstream: str, *, flaw: str | None, only: str | None = None) -> Any:
    """The gateway's WSGI app, forwarding to `upstream` (a root URL); with `only` (a path prefix,
    such as `/compat/v1`), it forwards only what is under it, and answers 404 to the rest, as a
    gateway that speaks only the OpenAI format."""
    assert flaw is None or flaw in FLAWS, flaw
    client = httpx.Client(base_url=upstream, timeout=30)

    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        if environ["PATH_INFO"] == "/":  # its own: the readiness probe reaches no upstream
            start_response("200 OK", [("content-type", "text/plain")])
            return iter([b"gateway"])
        if only is not None and not environ["PATH_INFO"].startswith(only + "/"):
            start_response("404 Not Found", [("content-type", "application/json")])
            return iter([b'{"error": {"message": "no such route", "type": "not_found"}}'])
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}  # fmt: skip
        headers = {k: v for k, v in headers.items() if k not in _NOT_FORWARDED
                   and not (flaw == "drops the x-mock headers" and k.startswith("x-mock-"))}  # fmt: skip
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        request = client.build_request(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                       headers=headers, content=body)  # fmt: skip
        answer = client.send(request, stream=True)
        for _ in range(2 if flaw == "retries 5xx itself" else 0):
            if answer.status_code < 500:
                break
            answer.close()
            answer = client.send(request, stream=True)
        dropped = _NOT_FORWARDED | ({"retry-after", "retry-after-ms"} if flaw == "drops retry-after"
                                    else set())  # fmt: skip
        own = (flaw == "turns 5xx into 502" and answer.status_code >= 500) or (
            flaw == "turns 404 into 502" and answer.status_code == 404)
        if own:
            answer.close()
            start_response("502 Bad Gateway", [("content-type", "application/json")])
            return iter([b'{"gateway_error": "the upstream failed"}'])
        kept = [(k, v) for k, v in answer.headers.items() if k not in dropped]
        if flaw == "buffers streams":  # reads the whole answer, and sends what it got as a 200
            whole = bytearray()
            try:
                for piece in answer.iter_raw():
                    whole += piece
            except httpx.RemoteProtocolError:
                pass  # the flaw: a cut upstream answer ends cleanly here
            finally:
                answer.close()
            start_response(f"{answer.status_code} {answer.reason_phrase}",
                           [*kept, ("content-length", str(len(whole)))])  # fmt: skip
            return iter([bytes(whole)])
        start_response(f"{answer.status_code} {answer.reason_phrase}", kept)
        sse = answer.headers.get("content-type", "").startswith("text/event-stream")

        def relayed() -> Iterator[bytes]:
            try:
                pending, sent = b"", 0
                for piece in answer.iter_raw():
                    if flaw == "cuts streams after 2 records" and sse:
                        pending += piece  # the flaw: a short upstream timeout, say
                        *records, pending = pending.split(b"\n\n")
                        for record in records[: max(0, 2 - sent)]:
                            yield record + b"\n\n"
                        sent += len(records)
                        if sent >= 2:
                            raise ConnectionResetError("the gateway gave up on the upstream")
                        continue
                    if flaw != "keeps data lines only" or not sse:
                        yield piece
                        continue
                    pending += piece  # the flaw: an SSE parser that drops what is not data:
                    *records, pending = pending.split(b"\n\n")
                    yield b"".join(r + b"\n\n" for r in records if r.startswith(b"data:"))
            except httpx.RemoteProtocolError:
                if flaw == "ends cut streams with [DONE]":  # the flaw: a stream re-framed whole
                    yield b"data: [DONE]\n\n"
                elif flaw != "ends cut streams":  # drop the client's connection too, as it should
                    raise ConnectionResetError("upstream cut the answer") from None
            finally:
                answer.close()

        return relayed()

    return app
