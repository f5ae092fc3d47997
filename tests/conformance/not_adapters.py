"""Things an `--adapter MODULE:NAME` may name that are not adapters (see test_cli_bad_input)."""

from __future__ import annotations

from contract.conformance.checks import ClientOutcome, Conversation

NUMBER = 3


class AdapterClass:
    """A class whose constructor takes the adapter's arguments: it returns itself, not an outcome."""

    def __init__(self, base_url: str, api_key: str, conversation: Conversation) -> None:
        self.base_url = base_url


def two_arguments(base_url: str, api_key: str) -> ClientOutcome:
    return ClientOutcome()


async def asynchronous(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    return ClientOutcome()


def returns_none(base_url: str, api_key: str, conversation: Conversation) -> None:
    """Forgot its `return`."""
    ClientOutcome(text="built, never returned")


def returns_text(base_url: str, api_key: str, conversation: Conversation) -> str:
    return "the text, not an outcome"


def raises(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Lets an exception out, where an adapter returns the client's errors in its outcome."""
    answers: dict[str, str] = {}
    return ClientOutcome(text=answers["text"])


def raises_long(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    raise RuntimeError("first line\n" + "x" * 5000)
