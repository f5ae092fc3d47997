"""Bad arguments to the strategies fail at once, naming the argument."""

from __future__ import annotations

import pytest
from hypothesis.errors import InvalidArgument

from contract.strategies import (
    chat_requests,
    chat_responses,
    conversations,
    exchanges,
    invalid_chat_requests,
    messages,
    stream_events,
    tools,
)


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: chat_requests(endpoint="v2"), "endpoint"),
        (lambda: chat_responses(endpoint="openai"), "endpoint"),
        (lambda: stream_events(endpoint=None), "endpoint"),
        (lambda: chat_requests(stream="yes"), "stream"),
        (lambda: chat_requests(tools=1), "tools"),
        (lambda: chat_requests(images="no"), "images"),
        (lambda: chat_requests(strict=None), "strict"),
        (lambda: tools(min_size=-1), "min_size"),
        (lambda: tools(max_size=1.5), "max_size"),
        (lambda: tools(min_size=3, max_size=1), "min_size"),
        (lambda: messages(role="wizard"), "role"),
        (lambda: messages(images=None), "images"),
        (lambda: conversations(min_turns=0), "min_turns"),
        (lambda: conversations(min_turns=3, max_turns=2), "min_turns"),
        (lambda: conversations(tools="get_weather"), "tools"),
        (lambda: conversations(tools=[{"name": "get_weather"}]), "tools"),
        (lambda: conversations(endpoint="compat/v1"), "endpoint"),
        (lambda: invalid_chat_requests(rules=["no.such.rule"]), "rules"),
        (lambda: invalid_chat_requests(rules="field.type"), "rules"),
        (lambda: invalid_chat_requests(rules=[]), "rules"),
        (lambda: invalid_chat_requests(rules=["field.unknown"]), "strict"),
        (lambda: invalid_chat_requests(rules=["stream.order"]), "rules"),
    ],
)
def test_bad_arguments_raise_invalid_argument_naming_them(build, named):
    with pytest.raises(InvalidArgument, match=named):
        build()


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        chat_requests("native")  # type: ignore[misc]
    with pytest.raises(TypeError):
        tools(1, 2)  # type: ignore[misc]


def test_exchanges_names_none_among_the_endpoints_it_takes():
    with pytest.raises(InvalidArgument) as refused:
        exchanges(endpoint="both")
    assert str(refused.value) == (
        "endpoint='both'; expected None (either, drawn per example), 'native' or 'compat'"
    )
