"""The one offline tokenizer: every token count the mock reports comes from here.

A token is a run of at most 12 letters, a run of at most 3 digits, or one other symbol, each with
the whitespace before it; whitespace at the very end is a token of its own. A word that starts with
ASCII letters ends its token at the first non-ASCII letter. Joining the tokens gives the text back,
and any prefix of whole tokens re-tokenizes to the same tokens.
"""

from __future__ import annotations

import re

# The first alternative is a fast path for the common case (an ASCII word after one space).
_TOKEN = re.compile(r" ?[A-Za-z]{1,12}|\s*(?:[^\W\d]{1,12}|\d{1,3}|[^\w\s])|\s+")


def tokenize(text: str) -> list[str]:
    """Split `text` into tokens; ``"".join(tokenize(text)) == text``."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text)) if text else 0


def first_tokens(text: str, limit: int) -> tuple[str, int]:
    """The text of the first `limit` tokens of `text`, and how many tokens that is."""
    tokens = _TOKEN.findall(text)
    if len(tokens) <= limit:
        return text, len(tokens)
    return "".join(tokens[:limit]), limit
