"""Building blocks shared by the strategies: argument checks, texts, names, ids and image URLs."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any, Literal, cast

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.models import MODELS

Endpoint = Literal["native", "compat"]
JSON = dict[str, Any]

ENDPOINTS: tuple[Endpoint, ...] = ("native", "compat")
ALL_MODELS: tuple[str, ...] = tuple(model.id for model in MODELS)
IMAGE_MODELS: tuple[str, ...] = tuple(model.id for model in MODELS if model.takes_images)
TEXT_ONLY_MODELS: tuple[str, ...] = tuple(model.id for model in MODELS if not model.takes_images)

TOOL_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_WORDS = (
    "what",
    "is",
    "the",
    "capital",
    "of",
    "France",
    "weather",
    "in",
    "Paris",
    "today",
    "please",
    "summarise",
    "this",
    "order",
    "status",
    "for",
    "#4521",
    "and",
    "convert",
    "42",
    "EUR",
    "to",
    "USD",
    "café",
    "naïve",
    "東京",
    "😀",
    "?",
    "!",
    ",",
)
_TOOL_NAMES = (
    "get_weather",
    "lookup_order",
    "convert-currency",
    "search",
    "calculator",
    "send_email",
    "get_time",
    "translate_text",
    "book_table",
    "fetch_url",
)


def check_endpoint(endpoint: object) -> Endpoint:
    if endpoint not in ENDPOINTS:
        raise InvalidArgument(f"endpoint={endpoint!r}; expected 'native' or 'compat'")
    return endpoint


def check_flag(name: str, value: object, *, optional: bool) -> None:
    """`value` must be a bool (or None when `optional`); the error names the argument."""
    if isinstance(value, bool) or (optional and value is None):
        return
    allowed = "None, True or False" if optional else "True or False"
    raise InvalidArgument(f"{name}={value!r}; expected {allowed}")


def check_sizes(
    min_name: str, min_size: object, max_name: str, max_size: object, *, lowest: int, highest: int
) -> tuple[int, int]:
    """Check a `min_*`/`max_*` pair of integers within [lowest, highest]; return them."""
    for name, value in ((min_name, min_size), (max_name, max_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{name}={value!r}; expected an integer")
        if not lowest <= value <= highest:
            raise InvalidArgument(f"{name}={value!r}; expected {lowest} <= {name} <= {highest}")
    low, high = cast(int, min_size), cast(int, max_size)
    if low > high:
        raise InvalidArgument(f"{min_name}={low} is greater than {max_name}={high}")
    return low, high


def compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@functools.cache
def texts(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Mostly readable words, sometimes any Unicode (no lone surrogates: JSON cannot carry them)."""
    readable = st.lists(st.sampled_from(_WORDS), min_size=max(min_size, 1), max_size=8).map(
        " ".join
    )
    anything = st.text(st.characters(codec="utf-8"), min_size=min_size, max_size=max_size)
    return st.one_of(readable, anything)


@functools.cache
def tool_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_TOOL_NAMES),
        st.text(TOOL_NAME_ALPHABET, min_size=1, max_size=64),
    )


@functools.cache
def opaque_ids(*, prefix: str, max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(_ID_ALPHABET, min_size=1, max_size=max_size).map(lambda tail: prefix + tail)


_CALL_ID_TAILS = st.text(_ID_ALPHABET, min_size=1, max_size=16)
_URL_PATHS = st.lists(st.text(_ID_ALPHABET, min_size=1, max_size=12), min_size=1, max_size=3)


def call_id(draw: st.DrawFn, index: int) -> str:
    """A tool call id unique per `index` (the drawn part holds no '_', so suffixes cannot clash)."""
    return f"call_{draw(_CALL_ID_TAILS)}_{index}"


# Leading bytes of each format, so that decoding the data finds the image it claims to be.
_IMAGE_MAGIC = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff\xe0",
    "image/gif": b"GIF89a",
    "image/webp": b"RIFF\x00\x00\x00\x00WEBP",
}


@st.composite
def data_urls(draw: st.DrawFn) -> str:
    mime = draw(st.sampled_from(sorted(_IMAGE_MAGIC)))
    payload = _IMAGE_MAGIC[mime] + draw(st.binary(min_size=0, max_size=48))
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


@st.composite
def https_urls(draw: st.DrawFn) -> str:
    host = draw(st.sampled_from(("example.com", "images.example.org", "cdn.test", "127.0.0.1")))
    path = draw(_URL_PATHS)
    ext = draw(st.sampled_from(("png", "jpg", "gif", "webp")))
    return f"https://{host}/{'/'.join(path)}.{ext}"


@functools.cache
def image_urls() -> st.SearchStrategy[str]:
    return st.one_of(https_urls(), data_urls())


def image_item(url: str) -> JSON:
    return {"type": "image_url", "image_url": {"url": url}}


def text_item(text: str) -> JSON:
    return {"type": "text", "text": text}
