"""The one offline tokenizer: every token count the mock reports comes from here.

A token is a run of at most 12 letters, a run of at most 3 digits, or one other symbol, each with
the whitespace before it; whitespace at the very end is a token of its own. A word that starts with
ASCII letters ends its token at the first non-ASCII letter. Joining the tokens gives the text back,
and any prefix of whole tokens re-tokenizes to the same tokens.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

# The first alternative is a fast path for the common case (an ASCII word after one space).
_TOKEN = re.compile(r" ?[A-Za-z]{1,12}|\s*(?:[^\W\d]{1,12}|\d{1,3}|[^\w\s])|\s+")


def tokenize(text: str) -> list[str]:
    """Split `text` into tokens; ``"".join(tokenize(text)) == text``."""
    return _TOKEN.findall(text)


# A conversation resends its history with every turn: the count of a long message is kept, so the
# next request of the conversation counts only what is new (a 50 kB history: ~1.6 ms per request).
CACHED_MIN_CHARS = 256  # a shorter new text counts about as fast as a lookup and an insertion
RESENT_CACHED_MIN_CHARS = 24  # a text seen before: a lookup beats counting from this length
CACHE_MAX_CHARS = 4_000_000  # all texts kept, in characters; the least recently counted go first


class _Counts:
    """Token counts of long texts, bounded by the characters of the texts kept."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, text: str) -> int:
        with self._lock:
            known = self._counts.get(text)
            if known is not None:
                self._counts.move_to_end(text)
                return known
        counted = len(_TOKEN.findall(text))
        if len(text) <= self.max_chars:
            with self._lock:
                if text not in self._counts:
                    self._counts[text] = counted
                    self.chars += len(text)
                    while self.chars > self.max_chars:
                        forgotten, _ = self._counts.popitem(last=False)
                        self.chars -= len(forgotten)
        return counted


_COUNTS = _Counts(CACHE_MAX_CHARS)


def count_tokens(text: str) -> int:
    return _count(text, CACHED_MIN_CHARS)


def count_resent_tokens(text: str) -> int:
    """`count_tokens` of a text a client sends again with each turn (the system prompt, earlier
    messages): its count is kept from a shorter length, as it will likely be asked for again."""
    return _count(text, RESENT_CACHED_MIN_CHARS)


def _count(text: str, kept_from: int) -> int:
    if len(text) < kept_from:
        return len(_TOKEN.findall(text)) if text else 0
    return _COUNTS.count(text)


def first_tokens(text: str, limit: int) -> tuple[str, int]:
    """The text of the first `limit` tokens of `text`, and how many tokens that is."""
    tokens = _TOKEN.findall(text)
    if len(tokens) <= limit:
        return text, len(tokens)
    return "".join(tokens[:limit]), limit
