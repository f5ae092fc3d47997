"""Hypothesis strategies of hostile HTTP requests, as the raw bytes a client could send."""

from __future__ import annotations

import json

from hypothesis import strategies as st

PATHS = (
    "/v1/chat/completions",
    "/compat/v1/chat/completions",
    "/chat/completions",
    "/v1/moderations",
    "/v1/models",
    "/v1/models/%ff%00",
    "/_mock/scenarios",
    "/_mock/faults",
    "/nowhere",
)
CONTENT_TYPES = (
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/yaml",
    "",
    ";;;",
    "application/json\x7f",
)
VALID = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hi"}],
}
VALID_BYTES = json.dumps(VALID).encode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _with_field(name: str, raw_value: bytes) -> bytes:
    return VALID_BYTES[:-1] + b', "' + name.encode() + b'": ' + raw_value + b"}"


broken_json = st.one_of(
    st.binary(max_size=300),
    st.integers(1, len(VALID_BYTES) - 1).map(lambda cut: VALID_BYTES[:cut]),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [b"{", b"[1,]", b'{"a" 1}', b"NaN", b"Infinity", b'{"a":1}{"b":2}', b"\xef\xbb\xbf"]
    ),
)
invalid_utf8 = st.sampled_from(
    [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]
).map(lambda bad: VALID_BYTES.replace(b'"hi"', b'"h' + bad + b'i"'))
deep = st.builds(_nested, st.integers(1, 5000), st.sampled_from(["array", "object"]))
huge_numbers = st.one_of(
    st.integers(30, 20_000).map(lambda digits: _with_field("temperature", b"9" * digits)),
    st.integers(30, 20_000).map(lambda digits: _with_field("top_k", b"-" + b"1" * digits)),
    st.sampled_from([b"1e999999", b"-1e400", b"0." + b"0" * 5000 + b"1", b"1" * 5000 + b".5"]).map(
        lambda literal: _with_field("top_p", literal)
    ),
)
huge_strings = st.integers(1000, 400_000).map(
    lambda size: VALID_BYTES.replace(b'"hi"', b'"' + b"x" * size + b'"')
)
surrogates = st.sampled_from([b'"\\ud800"', b'"\\udfff x"', b'"\\ud83d"']).map(
    lambda value: VALID_BYTES.replace(b'"hi"', value)
)
odd_json = json_values.map(lambda value: json.dumps(value).encode())
odd_fields = st.dictionaries(st.text(max_size=10), json_values, max_size=5).map(
    lambda extra: json.dumps({**VALID, **extra}).encode()
)
bodies = st.one_of(
    broken_json, invalid_utf8, deep, huge_numbers, huge_strings, surrogates, odd_json, odd_fields
)


@st.composite
def framed_requests(draw: st.DrawFn) -> bytes:
    """A request line and headers that are fine, with a hostile body, content type and framing."""
    path = draw(st.sampled_from(PATHS))
    method = draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH"]))
    body = draw(bodies)
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    framing = draw(
        st.sampled_from(
            [
                "exact",
                "exact",
                "short",
                "long",
                "none",
                "chunked",
                "broken-chunks",
                "bad-chunk-size",
                "negative",
                "not-a-number",
                "two-lengths",
                "length-and-chunked",
                "unknown-coding",
            ]
        )
    )
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if draw(st.booleans()):
        lines.append("Authorization: Bearer hostile")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    size = len(body)
    payload = body
    if framing == "exact":
        lines.append(f"Content-Length: {size}")
    elif framing == "short":
        lines.append(f"Content-Length: {draw(st.integers(0, max(0, size - 1)))}")
    elif framing == "long":
        lines.append(f"Content-Length: {size + draw(st.integers(1, 10_000))}")
    elif framing == "negative":
        lines.append(f"Content-Length: -{size}")
    elif framing == "not-a-number":
        odd = draw(st.sampled_from(["abc", "1e3", "0x10", " 12 3", "9" * 23]))
        lines.append(f"Content-Length: {odd}")
    elif framing == "unknown-coding":
        coding = draw(st.sampled_from(["gzip", "foo", "chunked, gzip", "identity", "chunked;x"]))
        lines += [f"Transfer-Encoding: {coding}", f"Content-Length: {size}"]
    elif framing == "two-lengths":
        lines += [f"Content-Length: {size}", f"Content-Length: {size + 1}"]
    elif framing in ("chunked", "broken-chunks", "bad-chunk-size", "length-and-chunked"):
        lines.append("Transfer-Encoding: chunked")
        if framing == "length-and-chunked":
            lines.append(f"Content-Length: {size}")
        if framing == "bad-chunk-size":
            payload = (
                draw(st.sampled_from([b"zz\r\n", b"-1\r\n", b"fffffffffffffffffff\r\n"])) + body
            )
        elif framing == "broken-chunks":
            payload = f"{size + 5:x}\r\n".encode() + body  # promises more than it sends, no end
        else:
            payload = f"{size:x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if size else b"0\r\n\r\n"
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


garbage_request_lines = st.one_of(
    st.binary(min_size=1, max_size=200).map(lambda noise: noise + b"\r\n\r\n"),
    st.sampled_from(
        [
            b"GET\r\n\r\n",
            b"POST /v1/chat/completions HTTP/9.9\r\n\r\n",
            b"POST /v1/chat/completions HTTP/1.1 extra\r\n\r\n",
            b"\x00\x01\x02 / HTTP/1.1\r\n\r\n",
            b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 500 + b"\r\n",
            b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
            b"GET /\x7f\xff HTTP/1.1\r\nHost: x\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",  # a TLS client hello
        ]
    ),
)
