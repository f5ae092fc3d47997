"""The conversation read when first needed: an answer that uses no values reads nothing.

An agent's request after a tool result under `tool_choice: "auto"`, or a request under `"none"`,
gets a text answer; unless a `response_format` schema asks for values, reading the conversation
for it would cost the extractor's time for nothing.
"""

from __future__ import annotations

from functools import cached_property

from mockserver.engine.conversation import Turn
from mockserver.engine.listen.extract import Found, Source, extract

EARLIER_TEXTS = 3  # earlier user turns read, most recent first
TOOL_TEXTS = 4  # tool results read, most recent first


class Listener:
    def __init__(self, turn: Turn) -> None:
        self.turn = turn

    @cached_property
    def heard(self) -> Found:
        """Everything the conversation says, best source first."""
        return extract(texts_read(self.turn))

    @cached_property
    def asked(self) -> Found:
        """What the last user turn alone says (for deciding whether to call a tool)."""
        return self.heard.only("user")


def texts_read(turn: Turn) -> list[tuple[Source, str]]:
    """What the extractor reads, most important first."""
    texts: list[tuple[Source, str]] = []
    if turn.user_text:
        texts.append(("user", turn.user_text))
    texts.extend(("earlier", text) for text in turn.earlier_user_texts[:EARLIER_TEXTS])
    texts.extend(("tool", result.text) for result in turn.answered[:TOOL_TEXTS])
    return texts
